// A Node manifest's place in the cluster: the pool it joins, or its own price. A Node whose node
// group (nodeGroups.ts) is the name of a pool of the scenario is one of that pool's nodes: typed,
// priced and spot-interrupted as the pool, counted in its size (capsim launches only the rest),
// and the cluster autoscaler may remove it. Any other Node is priced from the catalog by its
// instance-type label and capacity type. What cannot be priced that way (no label, a type the
// catalog does not have, a spot price the catalog does not know, another region's prices) is
// said: the scenario loader warns of it (scenario/nodeWarnings.ts), never a silent $0.
import { findInstanceType, onDemandPriceIn, type InstanceType } from '../cost/catalog.ts';
import type { PricingSpec } from '../model/pricing.ts';
import { customPriceOf, discounted, spotPriceAt, spotSeriesOf, type NodePrice, type PriceSubject } from '../pricing/resolve.ts';
import type { CapacityType } from '../model/node.ts';
import type { NodeObject } from '../model/objects.ts';
import type { NodePool } from '../model/scenario.ts';
import { catalogTypeOf, nodeGroupOf, nodeProviderOf } from './nodeGroups.ts';

/** Why a Node's price is not what it costs, or is only close to it. */
export type NodePriceIssue =
  /** No instance-type label: priced $0. */
  | { kind: 'no-type' }
  /** A type the catalog does not have (in the node's provider, when known): priced $0. */
  | { kind: 'unknown-type'; instanceType: string; provider?: string }
  /** A bare name two providers' catalogs share, and nothing says which cloud: priced $0. */
  | { kind: 'ambiguous'; instanceType: string; candidates: string[] }
  /** A spot node of a type without a public spot price: priced at the on-demand price. */
  | { kind: 'no-spot-price'; instanceType: string }
  /** Joined a pool of another instance type: priced and typed as the pool's. */
  | { kind: 'pool-type-differs'; instanceType: string; poolType: string }
  /** Priced from the catalog, whose price is another region's. */
  | { kind: 'other-region'; region: string; priceRegion: string; instanceType: string };

export interface ManifestNodePlan {
  /** The pool the Node joins, or null. */
  pool: NodePool | null;
  /** The catalog's id ("aws/m5.xlarge") when found, else the label as written, else null. */
  instanceType: string | null;
  capacityType: CapacityType;
  priceUsdPerHour: number;
  /** Under spec.pricing, a Node not in a pool: its list, contracted and effective price. */
  price?: NodePrice;
  issue: NodePriceIssue | null;
}

/** Where a Node manifest goes and what it costs (under `pricing`, spec.pricing, at the run's
 *  start `startEpochMs`: a price-file row for the machine or its type, the region's catalog
 *  price, the spot history's price, less the discounts). */
export function planManifestNode(obj: NodeObject, pools: readonly NodePool[], pricing?: PricingSpec, startEpochMs = 0): ManifestNodePlan {
  const labels = obj.metadata.labels;
  const group = nodeGroupOf(labels);
  const region = group.region;
  const pool = group.pool === null ? undefined : pools.find((p) => p.name === group.pool);
  if (pool) {
    const poolType = pool.instanceType ? findInstanceType(pool.instanceType) : undefined;
    let issue: NodePriceIssue | null = null;
    if (group.instanceType && poolType && group.instanceType.toLowerCase() !== poolType.name.toLowerCase()) {
      issue = { kind: 'pool-type-differs', instanceType: group.instanceType, poolType: poolType.id };
    } else if (region && pool.catalogPriceRegion && region !== pool.catalogPriceRegion) {
      issue = { kind: 'other-region', region, priceRegion: pool.catalogPriceRegion, instanceType: pool.instanceType ?? '' };
    }
    return { pool, instanceType: pool.instanceType, capacityType: pool.capacityType, priceUsdPerHour: pool.priceUsdPerHour, issue };
  }
  const capacityType: CapacityType = group.capacityType ?? 'on-demand';
  if (pricing) {
    const planned = pricedManifestNode(obj, pricing, startEpochMs, capacityType);
    if (planned) return planned;
  }
  const unpriced = (issue: NodePriceIssue, instanceType: string | null): ManifestNodePlan => ({ pool: null, instanceType, capacityType, priceUsdPerHour: 0, issue });
  if (!group.instanceType) return unpriced({ kind: 'no-type' }, null);
  const provider = nodeProviderOf(labels, obj.spec.providerID);
  const match = catalogTypeOf(group.instanceType, provider);
  if (match.type === undefined) {
    return match.reason === 'ambiguous'
      ? unpriced({ kind: 'ambiguous', instanceType: group.instanceType, candidates: match.candidates.map((t) => t.id) }, group.instanceType)
      : unpriced({ kind: 'unknown-type', instanceType: group.instanceType, ...(match.provider ? { provider: match.provider } : {}) }, group.instanceType);
  }
  const type = match.type;
  let issue: NodePriceIssue | null = null;
  let price = type.onDemandUsdPerHour;
  if (capacityType === 'spot') {
    if (type.spotUsdPerHour === null) issue = { kind: 'no-spot-price', instanceType: type.id };
    else price = type.spotUsdPerHour;
  }
  if (!issue && region && type.region && region !== type.region) issue = { kind: 'other-region', region, priceRegion: type.region, instanceType: type.id };
  return { pool: null, instanceType: type.id, capacityType, priceUsdPerHour: price, issue };
}

/** A Node not in a pool under spec.pricing; undefined when the pricing does not price it (the
 *  catalog's price and its issue stand). */
function pricedManifestNode(obj: NodeObject, pricing: PricingSpec, startEpochMs: number, capacityType: CapacityType): ManifestNodePlan | undefined {
  const labels = obj.metadata.labels;
  const group = nodeGroupOf(labels);
  const match = group.instanceType ? catalogTypeOf(group.instanceType, nodeProviderOf(labels, obj.spec.providerID)) : undefined;
  const type: InstanceType | undefined = match?.type;
  const region = group.region ?? pricing.region ?? type?.region;
  const subject: PriceSubject = {
    ...(type ? { type } : {}), typeName: group.instanceType ?? null, capacityType, pool: null, zone: group.zone ?? null, ...(region ? { region } : {}),
    machine: { name: obj.metadata.name, labels, annotations: obj.metadata.annotations, providerID: obj.spec.providerID ?? '' },
  };
  const plan = (list: number): ManifestNodePlan => {
    const price = discounted(list, pricing.discounts, subject);
    return { pool: null, instanceType: type?.id ?? group.instanceType ?? null, capacityType, priceUsdPerHour: price.usdPerHour, price, issue: null };
  };
  // A row naming this machine prices it whatever its type; a type's row prices on-demand nodes.
  const row = customPriceOf(pricing.prices.filter((r) => r.instanceId !== '' || capacityType === 'on-demand'), subject);
  if (row) return plan(row.usdPerHour);
  if (!type) return undefined;
  if (capacityType === 'spot') {
    const spot = spotPriceAt(spotSeriesOf(pricing, subject), startEpochMs);
    return spot !== undefined ? plan(spot) : type.spotUsdPerHour !== null ? plan(type.spotUsdPerHour) : undefined;
  }
  const regional = onDemandPriceIn(type, region);
  return regional ? plan(regional.usdPerHour) : undefined;
}

/** How many Node manifests join each pool, by pool name. */
export function joinedNodeCounts(objects: readonly { kind: string }[], pools: readonly NodePool[]): Map<string, number> {
  const counts = new Map<string, number>();
  if (pools.length === 0) return counts;
  for (const o of objects) {
    if (o.kind !== 'Node') continue;
    const pool = planManifestNode(o as NodeObject, pools).pool;
    if (pool) counts.set(pool.name, (counts.get(pool.name) ?? 0) + 1);
  }
  return counts;
}
