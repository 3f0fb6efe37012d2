// The cloud's bill for each machine under spec.pricing: the price a node starts at (the price in
// effect when it launches) and, for spot nodes of a type and zone the spot price history covers,
// each later change, applied to the live nodes through api.setNodePrice (the accounting
// integrates the old price up to that instant). Without spec.pricing nothing here runs and the
// nodes keep the pools' (or Karpenter's offerings') prices.
import type { ApiServer, NodeInit } from '../api/apiServer.ts';
import { findInstanceType } from '../cost/catalog.ts';
import { catalogTypeOf, nodeProviderOf } from './nodeGroups.ts';
import { planManifestNode, type ManifestNodePlan } from './manifestNodes.ts';
import type { NodeObject } from '../model/objects.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { PricingSpec } from '../model/pricing.ts';
import type { NodePool } from '../model/scenario.ts';
import { Phase } from '../phases.ts';
import { customPriceOf, discounted, spotPriceAt, spotSeriesOf, type NodePrice, type PriceSubject } from '../pricing/resolve.ts';

type PriceFields = Pick<NodeInit, 'priceUsdPerHour' | 'listPriceUsdPerHour' | 'contractedPriceUsdPerHour' | 'discounts' | 'region'>;

export class CloudPricing {
  constructor(
    private readonly pricing: PricingSpec,
    private readonly startEpochMs: number,
    private readonly clock: Simulation,
    /** The scenario's pools: a spot pool follows the history only when it is priced by it (not
     *  by its own spot.pricePerHour). */
    private readonly pools: readonly NodePool[] = [],
  ) {}

  /** A pool node's price at launch: the pool's, except a spot node whose type and zone the
   *  history covers, which starts at the price in effect now. */
  poolNode(pool: NodePool, zone: string): PriceFields {
    const fields: PriceFields = {
      priceUsdPerHour: pool.priceUsdPerHour,
      listPriceUsdPerHour: pool.listPriceUsdPerHour ?? pool.priceUsdPerHour,
      contractedPriceUsdPerHour: pool.contractedPriceUsdPerHour ?? pool.priceUsdPerHour,
      discounts: pool.discounts ?? [],
      ...(pool.region ? { region: pool.region } : {}),
    };
    if (pool.capacityType !== 'spot' || !pool.spotPriceFromHistory) return fields;
    const subject = this.subject(pool.instanceType, 'spot', pool.name, zone);
    const spot = subject && this.spotNow(subject);
    return spot === undefined ? fields : { ...fields, ...asFields(discounted(spot, this.pricing.discounts, subject!)) };
  }

  /** Where a Node manifest goes and what it costs under the pricing (manifestNodes.ts). */
  planManifestNode(obj: NodeObject, pools: readonly NodePool[]): ManifestNodePlan {
    return planManifestNode(obj, pools, this.pricing, this.startEpochMs);
  }

  /** A Node manifest's price fields outside a pool. */
  manifestNode(plan: ManifestNodePlan): PriceFields {
    const p = plan.price;
    if (!p) return { priceUsdPerHour: plan.priceUsdPerHour, ...(this.pricing.region ? { region: this.pricing.region } : {}) };
    return { ...asFields(p), ...(this.pricing.region ? { region: this.pricing.region } : {}) };
  }

  /** A Karpenter launch: `init` carries its offering's price (the list price Karpenter decided
   *  on); the bill is the price file's on-demand price or the spot price in effect, less the
   *  discounts of its NodePool, family and type. */
  instance(init: NodeInit): NodeInit {
    const subject = this.subject(init.instanceType, init.capacityType, init.pool ?? init.labels['karpenter.sh/nodepool'] ?? null, init.zone, init.labels);
    if (!subject) return init;
    const list = init.capacityType === 'spot'
      ? (this.spotNow(subject) ?? init.priceUsdPerHour)
      : (customPriceOf(this.pricing.prices, subject)?.usdPerHour ?? init.priceUsdPerHour);
    return { ...init, ...asFields(discounted(list, this.pricing.discounts, subject)), ...(this.pricing.region ? { region: this.pricing.region } : {}) };
  }

  /** Puts every later price change of the history on the clock. */
  start(api: ApiServer, durationMs: number): void {
    const history = this.pricing.spotHistory;
    if (!history) return;
    const changes = new Set<number>();
    for (const s of history.series.values()) {
      for (const t of s.timesEpochMs) {
        const atMs = t - this.startEpochMs;
        if (atMs > 0 && atMs < durationMs) changes.add(atMs);
      }
    }
    for (const atMs of [...changes].sort((a, b) => a - b)) this.clock.schedule(atMs, Phase.Node, () => this.reprice(api));
  }

  /** Every live spot node whose type and zone the history covers, at the price in effect now. */
  private reprice(api: ApiServer): void {
    for (const node of api.nodes) {
      if (node.state === 'Removed' || node.capacityType !== 'spot') continue;
      const pool = node.pool === null ? undefined : this.pools.find((p) => p.name === node.pool);
      if (pool && !pool.spotPriceFromHistory) continue;
      const subject = this.subject(node.instanceType, 'spot', node.pool ?? node.labels['karpenter.sh/nodepool'] ?? null, node.zone, node.labels);
      const spot = subject && this.spotNow(subject);
      if (spot === undefined || spot === node.listPriceUsdPerHour) continue;
      const p = discounted(spot, this.pricing.discounts, subject!);
      api.setNodePrice(node, { listUsdPerHour: p.listUsdPerHour, contractedUsdPerHour: p.contractedUsdPerHour, usdPerHour: p.usdPerHour });
    }
  }

  private spotNow(subject: PriceSubject): number | undefined {
    return spotPriceAt(spotSeriesOf(this.pricing, subject), this.startEpochMs + this.clock.nowMs);
  }

  /** A node's type is "aws/m5.large" (a pool's) or the bare name (Karpenter's, a manifest's),
   *  whose provider its labels tell. */
  private subject(instanceType: string | null, capacityType: Node['capacityType'], pool: string | null, zone: string | null, labels: Readonly<Record<string, string>> = {}): PriceSubject | undefined {
    if (!instanceType) return undefined;
    const type = instanceType.includes('/') ? findInstanceType(instanceType) : catalogTypeOf(instanceType, nodeProviderOf({ ...labels })).type;
    const region = this.pricing.region ?? type?.region;
    return { ...(type ? { type } : {}), typeName: type?.name ?? instanceType.split('/').pop()!, capacityType, pool, zone, ...(region ? { region } : {}) };
  }
}

function asFields(p: NodePrice): PriceFields {
  return { priceUsdPerHour: p.usdPerHour, listPriceUsdPerHour: p.listUsdPerHour, contractedPriceUsdPerHour: p.contractedUsdPerHour, discounts: p.discounts };
}
