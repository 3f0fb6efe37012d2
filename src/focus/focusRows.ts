// A node-hour (cost/chargePeriod.ts NodeCharge) as FOCUS rows (columns.ts), by FOCUS 1.3's
// data generator-calculated split cost allocation
// (FOCUS_Spec:specification/attributes/data_generator_calculated_split_cost_allocation_handling.md):
// the node-hour is the *origin charge*; it is written as *allocated charges* that replace it, one
// per workload charged on the node in the hour (AllocatedResourceId = the workload) and one
// unallocated row (AllocatedResourceId null: the node's idle cost). So summing BilledCost over the
// file gives the bill once, grouping by ResourceId and ChargePeriodStart gives each node-hour, and
// summing the rows with an AllocatedResourceId gives what OpenCost's rule allocated.
//
// The spec's rules for allocated charges, followed here: dimensions (every String column but the
// Allocated* ones) are the origin's; summable metrics (costs, PricingQuantity, ConsumedQuantity,
// CommitmentDiscountQuantity) are the origin's times the row's share, AllocatedRatio =
// workload's charge / node-hour's effective cost, so they sum to the origin's; non-summable ones
// (ListUnitPrice, ContractedUnitPrice) are the origin's. The idle share is 1 minus the
// workloads' shares: OpenCost's idle is not clamped, so it is negative (and its row's cost and
// quantity too) in an hour where bursting workloads were charged more than the node cost
// (cost/allocationWindows.ts).
import type { CarbonOf, NodeCarbon, NodeCharge, WorkloadCharge } from '../cost/chargePeriod.ts';
import type { Node } from '../model/node.ts';
import { listInstanceTypes, providerOf, type Provider } from '../cost/catalog.ts';
import { ALLOCATION_METHOD_ID, FOCUS_COLUMNS } from './columns.ts';

/** A cell: a string, a number (Decimal columns), or null (FOCUS null: an empty CSV cell). */
export type FocusCell = string | number | null;

/** Where the rows go (focusWriter.ts: CSV or Parquet). `cells` is reused: copy what you keep. */
export interface FocusRowSink {
  row(cells: readonly FocusCell[]): void;
}

/** What every row of a run carries (the x_ columns' run part). */
export interface FocusRunContext {
  scenario: string;
  seed: number;
  /** Same scenario and seed, same id (runId.ts). */
  runId: string;
  /** The wall clock of simulated t = 0 (spec.start), ms since the epoch. */
  startEpochMs: number;
}

const HOUR_MS = 3_600_000;
const MIN_PRICED_USD = 1e-12;
const GIB = 1024 ** 3;

/** The cloud's names for a catalog provider: ServiceProviderName (and Host, Invoice issuer,
 *  Publisher: capsim forecasts the cloud's own bill), ServiceName. */
const PROVIDERS = {
  aws: { provider: 'Amazon Web Services', service: 'Amazon Elastic Compute Cloud' },
  gce: { provider: 'Google Cloud', service: 'Compute Engine' },
  azure: { provider: 'Microsoft Azure', service: 'Virtual Machines' },
} as const;
const UNKNOWN_PROVIDER = { provider: 'Unknown', service: 'Kubernetes nodes' } as const;

const COLUMN_INDEX = new Map(FOCUS_COLUMNS.map((c, i) => [c.name, i]));
function at(name: string): number {
  const i = COLUMN_INDEX.get(name);
  if (i === undefined) throw new Error(`FOCUS column ${name} is not in columns.ts`);
  return i;
}
const C = {
  chargePeriodStart: at('ChargePeriodStart'), chargePeriodEnd: at('ChargePeriodEnd'), billingPeriodStart: at('BillingPeriodStart'), billingPeriodEnd: at('BillingPeriodEnd'),
  billingAccountId: at('BillingAccountId'), billingAccountName: at('BillingAccountName'), billingCurrency: at('BillingCurrency'),
  chargeCategory: at('ChargeCategory'), chargeClass: at('ChargeClass'), chargeFrequency: at('ChargeFrequency'), chargeDescription: at('ChargeDescription'),
  serviceProviderName: at('ServiceProviderName'), hostProviderName: at('HostProviderName'), providerName: at('ProviderName'), publisherName: at('PublisherName'), invoiceIssuerName: at('InvoiceIssuerName'),
  serviceCategory: at('ServiceCategory'), serviceSubcategory: at('ServiceSubcategory'), serviceName: at('ServiceName'),
  resourceId: at('ResourceId'), resourceName: at('ResourceName'), resourceType: at('ResourceType'),
  regionId: at('RegionId'), regionName: at('RegionName'), availabilityZone: at('AvailabilityZone'),
  skuId: at('SkuId'), skuPriceId: at('SkuPriceId'), skuMeter: at('SkuMeter'), pricingCategory: at('PricingCategory'),
  pricingUnit: at('PricingUnit'), pricingQuantity: at('PricingQuantity'), consumedUnit: at('ConsumedUnit'), consumedQuantity: at('ConsumedQuantity'),
  listUnitPrice: at('ListUnitPrice'), contractedUnitPrice: at('ContractedUnitPrice'),
  listCost: at('ListCost'), contractedCost: at('ContractedCost'), effectiveCost: at('EffectiveCost'), billedCost: at('BilledCost'),
  commitmentDiscountId: at('CommitmentDiscountId'), commitmentDiscountName: at('CommitmentDiscountName'), commitmentDiscountCategory: at('CommitmentDiscountCategory'),
  commitmentDiscountType: at('CommitmentDiscountType'), commitmentDiscountStatus: at('CommitmentDiscountStatus'), commitmentDiscountQuantity: at('CommitmentDiscountQuantity'), commitmentDiscountUnit: at('CommitmentDiscountUnit'),
  tags: at('Tags'),
  allocatedMethodId: at('AllocatedMethodId'), allocatedMethodDetails: at('AllocatedMethodDetails'), allocatedResourceId: at('AllocatedResourceId'), allocatedResourceName: at('AllocatedResourceName'), allocatedTags: at('AllocatedTags'),
  scenario: at('x_CapsimScenario'), seed: at('x_CapsimSeed'), runId: at('x_CapsimRunId'), forecast: at('x_CapsimForecast'), pool: at('x_CapsimPool'), namespace: at('x_CapsimNamespace'),
  energy: at('x_CapsimEnergyKwh'), carbon: at('x_CapsimCarbonKgCo2e'),
} as const;

/** A FOCUS Date/Time: extended ISO 8601 in UTC to the second, 'YYYY-MM-DDTHH:mm:ssZ'
 *  (attributes/datetime_format.md). */
export function focusTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** A FOCUS Decimal (attributes/numeric_format.md): 12 significant digits. Relative, not
 *  absolute, precision: a node alive 2 ms of an hour has a PricingQuantity of 5.6e-7 hours, and
 *  unit price x quantity must still give its cost. Written in E notation when that is shorter
 *  (focusWriter.ts focusNumber). */
export function focusDecimal(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const n = Number(value.toPrecision(12));
  return Object.is(n, -0) ? 0 : n;
}

/** What is left of `whole` once its parts are taken, 0 where that is floating-point residue
 *  (below 1e-12 of the whole): an hour charged whole to its workloads has no idle row of 1e-17. */
function remainder(rest: number, whole: number): number {
  return Math.abs(rest) <= 1e-12 * Math.abs(whole) ? 0 : rest;
}

/** The region a zone is in, by each cloud's naming: AWS us-east-1a, GCE us-central1-a, Azure
 *  eastus-1. null when the zone does not say. */
export function regionOfZone(zone: string | null, provider: string | undefined): string | null {
  if (!zone) return null;
  const m = provider === 'aws' ? /^(.*\d)[a-z]$/.exec(zone) : provider === 'gce' ? /^(.*\d)-[a-z]$/.exec(zone) : provider === 'azure' ? /^(.*)-\d+$/.exec(zone) : null;
  return m ? m[1] : null;
}

/** The catalog's provider of each bare type name ("m5.large": what Karpenter's nodes and a Node
 *  manifest's instance-type label carry), when only one provider has it. */
let BARE_NAMES: Map<string, Provider | null> | null = null;

/** The cloud of a node's instance type: "aws/m5.large", or a bare name the catalog knows. */
export function providerOfType(instanceType: string | null): Provider | undefined {
  if (!instanceType) return undefined;
  const slash = instanceType.indexOf('/');
  if (slash >= 0) return providerOf(instanceType.slice(0, slash));
  if (!BARE_NAMES) {
    BARE_NAMES = new Map();
    for (const t of listInstanceTypes()) {
      const key = t.name.toLowerCase();
      const known = BARE_NAMES.get(key);
      BARE_NAMES.set(key, known === undefined || known === t.provider ? t.provider : null);
    }
  }
  return BARE_NAMES.get(instanceType.toLowerCase()) ?? undefined;
}

/** The cells a node gives every row of it (computed once per node). */
interface NodeCells {
  cells: Map<number, FocusCell>;
  listUsdPerHour: number;
  contractedUsdPerHour: number;
  committed: boolean;
}

/** Turns node-hours into rows: see the file comment. */
export class FocusRows {
  private readonly cells: FocusCell[] = new Array<FocusCell>(FOCUS_COLUMNS.length).fill(null);
  private readonly nodeCells = new Map<Node, NodeCells>();
  private periodStartMs = NaN;
  /** Totals written, for the run's checks: every row's BilledCost, the allocated rows'. */
  billedUsd = 0;
  allocatedUsd = 0;
  rows = 0;

  constructor(
    private readonly sink: FocusRowSink,
    private readonly run: FocusRunContext,
    private readonly carbonOf: CarbonOf | null,
  ) {
    const c = this.cells;
    c[C.billingAccountId] = `capsim/${run.scenario}`;
    c[C.billingAccountName] = run.scenario;
    c[C.billingCurrency] = 'USD';
    c[C.chargeCategory] = 'Usage';
    c[C.chargeFrequency] = 'Usage-Based';
    c[C.serviceCategory] = 'Compute';
    c[C.serviceSubcategory] = 'Virtual Machines';
    c[C.resourceType] = 'Virtual Machine';
    c[C.skuMeter] = 'Instance Hours';
    c[C.pricingUnit] = 'Hours';
    c[C.consumedUnit] = 'Hours';
    c[C.allocatedMethodId] = ALLOCATION_METHOD_ID;
    c[C.scenario] = run.scenario;
    c[C.seed] = run.seed;
    c[C.runId] = run.runId;
    c[C.forecast] = 'true';
  }

  /** The rows of one node-hour. */
  nodeCharge(charge: NodeCharge): void {
    const { node } = charge;
    if (charge.aliveMs <= 0 && charge.effectiveUsd === 0 && charge.workloads.every((w) => w.usd === 0)) return;
    if (charge.periodStartMs !== this.periodStartMs) this.setPeriod(charge.periodStartMs, charge.periodEndMs);
    const n = this.nodeCellsOf(node);
    const c = this.cells;
    for (const [i, v] of n.cells) c[i] = v;
    const hours = charge.aliveMs / HOUR_MS;
    c[C.listUnitPrice] = focusDecimal(hours > 0 ? charge.listUsd / hours : n.listUsdPerHour);
    c[C.contractedUnitPrice] = focusDecimal(hours > 0 ? charge.contractedUsd / hours : n.contractedUsdPerHour);
    const carbon = this.carbonOf ? this.carbonOf(charge) : null;
    const effective = charge.effectiveUsd;
    // Shares of a node-hour that cost something: below a trillionth of a dollar it is free (and
    // a share of it would overflow).
    const priced = Math.abs(effective) >= MIN_PRICED_USD;
    let idleShare = 1;
    let idleUsd = effective;
    for (let i = 0; i < charge.workloads.length; i++) {
      const w = charge.workloads[i];
      const share = priced ? w.usd / effective : 0;
      idleShare -= share;
      idleUsd -= w.usd;
      this.allocatedUsd += w.usd;
      this.setAllocated(w, charge, share);
      this.setCarbon(carbon, carbon ? carbon.workloadEnergyKwh[i] : 0, carbon ? carbon.workloadKgCo2e[i] : 0);
      this.emit(charge, hours, share, w.usd, n.committed);
    }
    // The unallocated (idle) row: the node-hour less what the workloads were charged.
    idleShare = remainder(idleShare, 1);
    idleUsd = remainder(idleUsd, effective);
    c[C.allocatedMethodDetails] = `{"Elements":[{"AllocatedRatio":${focusDecimal(idleShare)}}]}`;
    c[C.allocatedResourceId] = c[C.allocatedResourceName] = c[C.allocatedTags] = c[C.namespace] = null;
    if (carbon) {
      let energy = carbon.energyKwh;
      let kg = carbon.kgCo2e;
      for (let i = 0; i < charge.workloads.length; i++) {
        energy -= carbon.workloadEnergyKwh[i];
        kg -= carbon.workloadKgCo2e[i];
      }
      this.setCarbon(carbon, remainder(energy, carbon.energyKwh), remainder(kg, carbon.kgCo2e));
    } else this.setCarbon(null, 0, 0);
    this.emit(charge, hours, idleShare, idleUsd, n.committed);
  }

  private emit(charge: NodeCharge, hours: number, share: number, effectiveUsd: number, committed: boolean): void {
    const c = this.cells;
    const quantity = focusDecimal(hours * share);
    c[C.pricingQuantity] = c[C.consumedQuantity] = quantity;
    if (committed) c[C.commitmentDiscountQuantity] = quantity;
    c[C.listCost] = focusDecimal(charge.listUsd * share);
    c[C.contractedCost] = focusDecimal(charge.contractedUsd * share);
    c[C.effectiveCost] = c[C.billedCost] = focusDecimal(effectiveUsd);
    this.billedUsd += effectiveUsd;
    this.rows++;
    this.sink.row(c);
  }

  /** A workload's Allocated* cells: its share of the node-hour split between CPU and memory by
   *  what each cost it (its core-hours and GiB-hours charged at the node's rates). */
  private setAllocated(w: WorkloadCharge, charge: NodeCharge, share: number): void {
    const c = this.cells;
    const { rates } = charge;
    const coreHours = Math.max(w.cpuRequestedMilliMs, w.cpuUsedMilliMs) / 1000 / HOUR_MS;
    const gibHours = Math.max(w.memoryRequestedByteMs, w.memoryUsedByteMs) / GIB / HOUR_MS;
    const cpuUsd = coreHours * rates.usdPerCoreHour;
    const memoryUsd = gibHours * rates.usdPerGbHour;
    const cpuShare = cpuUsd + memoryUsd > 0 ? (share * cpuUsd) / (cpuUsd + memoryUsd) : share;
    const memoryShare = share - cpuShare;
    c[C.allocatedMethodDetails] =
      `{"Elements":[{"AllocatedRatio":${focusDecimal(cpuShare)},"UsageUnit":"vCPU-Hours","UsageQuantity":${focusDecimal(coreHours)}},` +
      `{"AllocatedRatio":${focusDecimal(memoryShare)},"UsageUnit":"GiB-Hours","UsageQuantity":${focusDecimal(gibHours)}}]}`;
    c[C.allocatedResourceId] = w.ref;
    const slash = w.ref.lastIndexOf('/');
    const kind = w.ref.slice(0, w.ref.indexOf('/'));
    const name = w.ref.slice(slash + 1);
    c[C.allocatedResourceName] = name;
    c[C.allocatedTags] = JSON.stringify({ 'capsim.io/kind': kind, 'capsim.io/namespace': w.namespace, 'capsim.io/name': name });
    c[C.namespace] = w.namespace;
  }

  private setCarbon(carbon: NodeCarbon | null, energyKwh: number, kgCo2e: number): void {
    this.cells[C.energy] = carbon ? focusDecimal(energyKwh) : null;
    this.cells[C.carbon] = carbon ? focusDecimal(kgCo2e) : null;
  }

  private setPeriod(startMs: number, endMs: number): void {
    this.periodStartMs = startMs;
    const start = this.run.startEpochMs + startMs;
    const d = new Date(start);
    const c = this.cells;
    c[C.chargePeriodStart] = focusTime(start);
    c[C.chargePeriodEnd] = focusTime(this.run.startEpochMs + endMs);
    c[C.billingPeriodStart] = focusTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
    c[C.billingPeriodEnd] = focusTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }

  private nodeCellsOf(node: Node): NodeCells {
    let n = this.nodeCells.get(node);
    if (n) return n;
    const providerKey = providerOfType(node.instanceType);
    const names = providerKey ? PROVIDERS[providerKey] : UNKNOWN_PROVIDER;
    const region = node.region ?? regionOfZone(node.zone, providerKey);
    const commitment = node.discounts?.find((d) => d.kind === 'commitment');
    const spot = node.capacityType === 'spot';
    const sku = node.instanceType ?? 'unknown';
    const tags: Record<string, string> = {};
    if (node.pool) tags['capsim.io/pool'] = node.pool;
    tags['capsim.io/capacity-type'] = node.capacityType;
    const cells = new Map<number, FocusCell>([
      [C.chargeDescription, `${sku} ${node.capacityType} node (capsim forecast)`],
      [C.serviceProviderName, names.provider], [C.hostProviderName, names.provider], [C.providerName, names.provider],
      [C.publisherName, names.provider], [C.invoiceIssuerName, names.provider], [C.serviceName, names.service],
      [C.resourceId, node.name], [C.resourceName, node.name],
      [C.regionId, region], [C.regionName, region], [C.availabilityZone, node.zone],
      [C.skuId, sku], [C.skuPriceId, `${sku}:${region ?? 'any-region'}:${node.capacityType}`],
      [C.pricingCategory, spot ? 'Dynamic' : commitment ? 'Committed' : 'Standard'],
      [C.commitmentDiscountId, commitment ? `capsim/commitment/${commitment.name}` : null],
      [C.commitmentDiscountName, commitment ? commitment.name : null],
      [C.commitmentDiscountCategory, commitment ? 'Usage' : null],
      [C.commitmentDiscountType, commitment ? 'Commitment' : null],
      [C.commitmentDiscountStatus, commitment ? 'Used' : null],
      [C.commitmentDiscountQuantity, null],
      [C.commitmentDiscountUnit, commitment ? 'Hours' : null],
      [C.tags, JSON.stringify(tags)],
      [C.pool, node.pool],
    ]);
    n = {
      cells,
      listUsdPerHour: node.listPriceUsdPerHour ?? node.priceUsdPerHour,
      contractedUsdPerHour: node.contractedPriceUsdPerHour ?? node.priceUsdPerHour,
      committed: commitment !== undefined,
    };
    this.nodeCells.set(node, n);
    return n;
  }

  /** Forgets a removed node's cells (a month of churn adds thousands). */
  forget(node: Node): void {
    this.nodeCells.delete(node);
  }
}
