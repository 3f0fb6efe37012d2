// Node pools: an instance type from the built-in catalog (or an explicit capacity and price)
// plus the pool's settings -> model NodePool, and the pool as written in the resolved document.
import type { NodePool } from '../model/scenario.ts';
import type { ResourceMap } from '../model/resources.ts';
import { findInstanceType, listInstanceTypes, type InstanceType } from '../cost/catalog.ts';
import { reservedFor, type Reservation } from '../cloud/reservedResources.ts';
import { parseDuration } from '../duration.ts';
import { formatBytes, formatCpuMilli, parseQuantity, value } from '../quantity.ts';
import { didYouMean, type Problems, type Site } from './problems.ts';
import { resourceAmount } from './kube/convert.ts';
import type { NodePoolDocument } from './schema.ts';
import type { PricingSpec } from '../model/pricing.ts';
import { discounted } from '../pricing/resolve.ts';
import { poolListPrice } from './pricing.ts';

/** kubelet's default maxPods, for pools with an explicit capacity and no `pods`. */
const DEFAULT_MAX_PODS = 110;
/** kubelet's default evictionHard memory.available (reference §5.2), for pools without an
 *  instance type. */
const DEFAULT_EVICTION_HARD = '100Mi';

export interface PoolsResult {
  pools: NodePool[];
  /** The pools with every default filled in, for the resolved document. */
  resolved: Record<string, unknown>[];
}

/** `pricing` (spec.pricing) and `startEpochMs` price the pools as a team pays; without it, the
 *  pools' own prices and the catalog's. */
export function convertPools(docs: (NodePoolDocument | undefined)[], site: Site, problems: Problems, pricing?: PricingSpec, startEpochMs = 0): PoolsResult {
  const pools: NodePool[] = [];
  const resolved: Record<string, unknown>[] = [];
  const seen = new Map<string, number>();
  docs.forEach((doc, i) => {
    if (!doc) return; // invalid: already reported
    const path = ['spec', 'cluster', 'nodePools', i];
    const first = seen.get(doc.name);
    if (first !== undefined) problems.add(site, [...path, 'name'], `duplicate node pool name "${doc.name}"`, `already used by spec.cluster.nodePools[${first}]`);
    else seen.set(doc.name, i);
    const pool = convertPool(doc, site, problems, path, pricing, startEpochMs);
    if (pool) {
      pools.push(pool.pool);
      resolved.push(pool.resolved);
    }
  });
  return { pools, resolved };
}

function convertPool(doc: NodePoolDocument, site: Site, problems: Problems, path: (string | number)[], pricing: PricingSpec | undefined, startEpochMs: number): { pool: NodePool; resolved: Record<string, unknown> } | undefined {
  const before = problems.length;
  let type: InstanceType | undefined;
  if (doc.instanceType !== undefined) {
    type = findInstanceType(doc.instanceType);
    if (!type) {
      const ids = listInstanceTypes().map((t) => t.id);
      const hint = didYouMean(doc.instanceType, ids) ?? (doc.instanceType.includes('/') ? undefined : `write provider/name, e.g. aws/${doc.instanceType}`) ?? `\`capsim catalog\` lists the built-in types; or give capacity and price instead`;
      problems.add(site, [...path, 'instanceType'], `unknown instance type "${doc.instanceType}"`, hint);
    }
  } else if (doc.capacity === undefined) {
    problems.add(site, path, 'a node pool needs an instanceType or a capacity', 'e.g. instanceType: aws/m5.xlarge, or capacity: {cpu: "4", memory: 16Gi} with price: {onDemandPerHour: 0.19}');
  }

  // Capacity: the catalog's, overridden by anything given explicitly.
  const capacity: ResourceMap = {};
  if (type) {
    capacity.cpu = type.vcpu * 1000;
    capacity.memory = type.memoryMiB * 1024 * 1024;
    capacity.pods = type.maxPods;
    if (type.gpu > 0) capacity['nvidia.com/gpu'] = type.gpu;
  }
  for (const [name, amount] of Object.entries(doc.capacity ?? {})) capacity[name] = resourceAmount(name, amount);
  if (capacity.pods === undefined) capacity.pods = DEFAULT_MAX_PODS;
  if (doc.capacity !== undefined || type) {
    for (const name of ['cpu', 'memory']) if (!(name in capacity)) problems.add(site, [...path, 'capacity'], `capacity needs ${name}`);
  }

  // Price of one node-hour at the pool's capacity type: under spec.pricing, its list price
  // (scenario/pricing.ts) less the discounts that apply.
  let price: number | undefined;
  let spotFromHistory = false;
  let priced: Pick<NodePool, 'spotPriceFromHistory' | 'priceSource' | 'listPriceUsdPerHour' | 'contractedPriceUsdPerHour' | 'discounts' | 'region' | 'catalogPriceRegion'> = {};
  if (pricing) {
    const list = poolListPrice({ name: doc.name, capacityType: doc.capacityType, zones: doc.zones, onDemandPerHour: doc.price?.onDemandPerHour, spotPerHour: doc.spot?.pricePerHour, explicitCapacity: doc.capacity !== undefined }, type, pricing, startEpochMs, site, path, problems);
    spotFromHistory = list?.from === 'history';
    if (list) {
      const p = discounted(list.usdPerHour, pricing.discounts, { type, typeName: type?.name ?? null, capacityType: doc.capacityType, pool: doc.name, zone: null });
      price = p.usdPerHour;
      const region = pricing.region ?? list.catalogRegion;
      priced = { ...(spotFromHistory ? { spotPriceFromHistory: true } : {}), priceSource: list.source, listPriceUsdPerHour: p.listUsdPerHour, contractedPriceUsdPerHour: p.contractedUsdPerHour, discounts: p.discounts, ...(region ? { region } : {}), ...(list.catalogRegion ? { catalogPriceRegion: list.catalogRegion } : {}) };
    }
  } else {
    price = doc.price?.onDemandPerHour ?? type?.onDemandUsdPerHour;
    if (doc.capacityType === 'spot') {
      price = doc.spot?.pricePerHour ?? type?.spotUsdPerHour ?? undefined;
      if (price === undefined && (type || doc.capacity)) {
        problems.add(site, [...path, 'spot', 'pricePerHour'], `no spot price for ${type ? type.id : 'this pool'}`, type ? `the catalog has no public spot price for ${type.provider}; set spot.pricePerHour` : 'set spot.pricePerHour');
      }
    } else if (price === undefined && doc.capacity !== undefined && !type) {
      problems.add(site, [...path, 'price'], 'a node pool with an explicit capacity needs a price', 'e.g. price: {onDemandPerHour: 0.192}');
    }
    // The catalog's price (also as scenario.resolved.yaml writes it back): its region's.
    if (type?.region && price === (doc.capacityType === 'spot' ? type.spotUsdPerHour : type.onDemandUsdPerHour)) priced = { catalogPriceRegion: type.region };
  }

  // Sizes: count defaults to min if given, else 0 with a max, else 1; min to count; max to
  // max(count, min).
  const count = doc.count ?? doc.min ?? (doc.max !== undefined ? 0 : 1);
  const min = doc.min ?? count;
  const max = doc.max ?? Math.max(count, min);
  if (min > count) problems.add(site, [...path, doc.count !== undefined ? 'count' : 'min'], `count (${count}) must be at least min (${min})`);
  if (count > max) problems.add(site, [...path, doc.max !== undefined ? 'max' : 'count'], `count (${count}) must be at most max (${max})`);

  // Reserved resources: what the pool says, else the provider's formula for a catalog type
  // (computed on the final capacity, so a capacity override moves it), else the kubelet defaults.
  let reservation: Reservation | undefined;
  if (type && capacity.cpu !== undefined && capacity.memory !== undefined) {
    reservation = reservedFor(type.provider, { cpuMilli: capacity.cpu, memoryBytes: capacity.memory, maxPods: capacity.pods });
  }
  const kubeReserved: ResourceMap = doc.kubeReserved !== undefined
    ? toMap(doc.kubeReserved)
    : reservation ? { cpu: reservation.kubeReserved.cpuMilli, memory: reservation.kubeReserved.memoryBytes } : {};
  const evictionHard = doc.evictionHard?.['memory.available'] ?? reservation?.evictionHardMemoryAvailable ?? DEFAULT_EVICTION_HARD;
  const evictionHardMemoryBytes = typeof evictionHard === 'string' && evictionHard.endsWith('%')
    ? Math.floor(((capacity.memory ?? 0) * Number(evictionHard.slice(0, -1))) / 100) // GetThresholdQuantity: percentage of capacity
    : value(parseQuantity(evictionHard));

  if (problems.length > before || price === undefined) return undefined;
  const pool: NodePool = {
    name: doc.name,
    instanceType: type?.id ?? null,
    capacity,
    capacityType: doc.capacityType,
    priceUsdPerHour: price,
    ...priced,
    spot: doc.capacityType === 'spot' ? { interruptionsPerNodeDay: doc.spot?.interruptionsPerNodeDay ?? 0, noticeSeconds: doc.spot?.noticeSeconds ?? 120 } : null,
    kubeReserved,
    systemReserved: toMap(doc.systemReserved),
    evictionHardMemoryBytes,
    evictionPressureTransitionPeriodMs: parseDuration(doc.evictionPressureTransitionPeriod),
    cgroupVersion: doc.cgroupVersion,
    labels: doc.labels,
    annotations: doc.annotations ?? {},
    taints: doc.taints.map(({ key, value, effect }) => (value === undefined ? { key, effect } : { key, value, effect })),
    zones: doc.zones,
    count,
    min,
    max,
    provisioningDelayMs: parseDuration(doc.provisioningDelay),
  };
  const onDemandPerHour = pricing && doc.capacityType === 'on-demand' ? priced.listPriceUsdPerHour : (doc.price?.onDemandPerHour ?? type?.onDemandUsdPerHour);
  const resolved: Record<string, unknown> = {
    ...doc,
    ...(type ? { instanceType: type.id } : {}),
    capacity: formatMap(capacity),
    kubeReserved: formatMap(kubeReserved),
    evictionHard: { 'memory.available': evictionHard },
    ...(onDemandPerHour !== undefined ? { price: { onDemandPerHour } } : {}),
    count,
    min,
    max,
  };
  if (doc.capacityType === 'spot') resolved.spot = { interruptionsPerNodeDay: pool.spot!.interruptionsPerNodeDay, noticeSeconds: pool.spot!.noticeSeconds, ...(spotFromHistory ? {} : { pricePerHour: pricing ? priced.listPriceUsdPerHour : price }) };
  return { pool, resolved };
}

function toMap(map: Record<string, string | number>): ResourceMap {
  const out: ResourceMap = {};
  for (const [name, amount] of Object.entries(map)) out[name] = resourceAmount(name, amount);
  return out;
}

function formatMap(map: ResourceMap): Record<string, string | number> {
  return Object.fromEntries(Object.entries(map).map(([name, amount]) => [name, formatAmount(name, amount)]));
}

function formatAmount(name: string, amount: number): string | number {
  if (name === 'cpu') return formatCpuMilli(amount);
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) return formatBytes(amount);
  return amount;
}
