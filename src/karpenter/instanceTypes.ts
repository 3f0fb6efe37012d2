// capsim's catalog (cost/catalog.ts) as Karpenter's cloud provider sees it: each instance type
// with its requirements (the well-known labels it carries), its capacity, the overhead Karpenter
// subtracts for allocatable, and its offerings (zone × capacity type, with a price); and the
// menu of a NodePool: the types and offerings its requirements allow, cheapest first.
//
// Sources:
// - Labels: aws/karpenter-provider-aws@1d927085:pkg/providers/instancetype/types.go
//   (computeRequirements: instance-category and -generation from the regexp
//   `(^[a-z]+)(\-[0-9]+tb)?([0-9]+).*\.` on the type name, -family and -size from splitting it at
//   the dot, -cpu = vCPUs, -memory = MiB, -gpu-count; keys with no value are DoesNotExist);
//   Azure/karpenter-provider-azure@352646f5:pkg/providers/instancetype/instancetype.go
//   (computeRequirements: sku-name, -family, -series, -version, -cpu, -memory in MiB);
//   GCE has no maintained Karpenter provider: only the core labels.
// - Capacity memory on AWS: the type's MiB, less 64 MiB on Graviton (arm64), less
//   VM_MEMORY_OVERHEAD_PERCENT (default 0.075, rounded up to a MiB)
//   (aws/karpenter-provider-aws@1d927085:pkg/providers/instancetype/types.go memory(),
//   pkg/operator/options/options.go). Azure and GCE: the catalog's memory as is.
// - Overhead: kube-reserved by the provider's formula (cloud/reservedResources.ts; on AWS the same
//   as Karpenter's kubeReservedResources, whose memory uses the ENI-limited pod count except on
//   Bottlerocket, UsesENILimitedMemoryOverhead in pkg/providers/amifamily/resolver.go), plus
//   the EC2NodeClass kubelet's systemReserved and evictionHard memory.available (100Mi default).
// - Offerings: the catalog has one price per type and region, so every zone offers a type at the
//   same price. Spot is offered only where the catalog has a spot price (GCE's preemptible
//   price); AWS and Azure have none in the catalog, so their types offer on-demand only and a
//   NodePool allowing spot is told so (karpenter/nodePoolMenu.ts callers warn). Reserved
//   capacity (capacity reservations) is not modelled.
import type { InstanceType, Provider } from '../cost/catalog.ts';
import type { KubeletOverrides, OfferingPrices } from '../model/karpenter.ts';
import { own } from '../model/records.ts';
import { listInstanceTypes, onDemandPriceIn } from '../cost/catalog.ts';
import { reservedFor } from '../cloud/reservedResources.ts';
import { parseBytes } from '../quantity.ts';
import type { Requirement, Requirements } from './requirements.ts';
import {
  AWS_LABEL, AZURE_LABEL, LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_NODEPOOL, LABEL_OS, LABEL_REGION, LABEL_ZONE,
  allows, getRequirement, intersects, requirement, requirements, WELL_KNOWN_LABELS,
} from './requirements.ts';

const MiB = 1024 * 1024;

export type CapacityType = 'on-demand' | 'spot';

export type { KubeletOverrides };

export interface Offering {
  zone: string;
  capacityType: CapacityType;
  usdPerHour: number;
}

export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
  gpu: number;
}

export interface KarpenterInstanceType {
  /** The catalog's entry ("aws/m5.large"). */
  catalog: InstanceType;
  name: string;
  provider: Provider;
  /** The labels a node of this type carries, each single-valued (zone and capacity type excepted). */
  labels: Readonly<Record<string, string>>;
  /** The labels as requirements, with DoesNotExist for a provider label this type has no value
   *  of (a GPU count on a type without GPUs), and zone / capacity type In its offerings'. */
  requirements: Requirements;
  capacity: Resources;
  overhead: { kubeReserved: { cpuMilli: number; memoryBytes: number }; systemReserved: { cpuMilli: number; memoryBytes: number }; evictionHardMemoryBytes: number };
  allocatable: Resources;
  offerings: readonly Offering[];
}

const AWS_TYPE_SCHEME = /^([a-z]+)(-[0-9]+tb)?([0-9]+).*\./;

/** The AWS provider's instance labels from the type name and specs (computeRequirements). */
export function awsInstanceLabels(t: Pick<InstanceType, 'name' | 'vcpu' | 'memoryMiB' | 'gpu'>): Record<string, string> {
  const labels: Record<string, string> = { [AWS_LABEL.cpu]: String(t.vcpu), [AWS_LABEL.memory]: String(t.memoryMiB) };
  const family = AWS_TYPE_SCHEME.exec(t.name);
  if (family) {
    labels[AWS_LABEL.category] = family[1]!;
    labels[AWS_LABEL.generation] = family[3]!;
  }
  const parts = t.name.split('.');
  if (parts.length === 2) {
    labels[AWS_LABEL.family] = parts[0]!;
    labels[AWS_LABEL.size] = parts[1]!;
  }
  if (t.gpu > 0) labels[AWS_LABEL.gpuCount] = String(t.gpu);
  return labels;
}

const AZURE_SIZE = /^Standard_([A-Z]+)(\d+)([a-z]*)(?:_v(\d+))?$/;

/** The Azure provider's SKU labels: Standard_D4s_v5 is family D, series Ds_v5, version 5
 *  (a name without _vN is version 1, as skewer backfills it). */
export function azureInstanceLabels(t: Pick<InstanceType, 'name' | 'vcpu' | 'memoryMiB' | 'gpu'>): Record<string, string> {
  const labels: Record<string, string> = { [AZURE_LABEL.name]: t.name, [AZURE_LABEL.cpu]: String(t.vcpu), [AZURE_LABEL.memory]: String(t.memoryMiB) };
  const m = AZURE_SIZE.exec(t.name);
  if (m) {
    labels[AZURE_LABEL.family] = m[1]!;
    labels[AZURE_LABEL.series] = `${m[1]}${m[3]}${m[4] ? `_v${m[4]}` : ''}`;
    labels[AZURE_LABEL.version] = m[4] ?? '1';
  }
  if (t.gpu > 0) labels[AZURE_LABEL.gpuCount] = String(t.gpu);
  return labels;
}

/** The provider's labels a type of it may carry: a type without one has it DoesNotExist. */
function providerLabelKeys(provider: Provider): readonly string[] {
  if (provider === 'aws') return Object.values(AWS_LABEL);
  if (provider === 'azure') return Object.values(AZURE_LABEL);
  return [];
}

/** Zones capsim offers a type in when a NodePool names none: three per region, at one price
 *  (the catalog's prices are per region). GCE's catalog names no region. */
export function defaultZones(provider: Provider, region: string): readonly string[] {
  if (provider === 'aws') return [`${region}a`, `${region}b`, `${region}c`];
  if (provider === 'azure') return [`${region}-1`, `${region}-2`, `${region}-3`];
  return ['us-central1-a', 'us-central1-b', 'us-central1-c'];
}

/** Capacity memory as Karpenter computes it (AWS: less Graviton's 64 MiB and the VM overhead). */
export const VM_MEMORY_OVERHEAD_PERCENT = 0.075;
function capacityMemoryBytes(t: InstanceType): number {
  if (t.provider !== 'aws') return t.memoryMiB * MiB;
  const mib = t.memoryMiB - (t.arch === 'arm64' ? 64 : 0);
  return (mib - Math.ceil(mib * VM_MEMORY_OVERHEAD_PERCENT)) * MiB;
}

/** A catalog type as Karpenter's instance type, offered in `zones`. `spotPriceRatio` (the
 *  scenario's spec.karpenter.spot.priceRatio) prices spot at that share of on-demand for a type
 *  whose catalog entry has no spot price; without it such a type offers on-demand only. */
export function karpenterInstanceType(t: InstanceType, zones: readonly string[], kubelet: KubeletOverrides = {}, spotPriceRatio?: number, prices?: OfferingPrices): KarpenterInstanceType {
  const pods = kubelet.maxPods ?? t.maxPods;
  const capacity: Resources = { cpuMilli: t.vcpu * 1000, memoryBytes: capacityMemoryBytes(t), pods, gpu: t.gpu };
  const reservationPods = t.provider === 'aws' && kubelet.amiFamily !== 'Bottlerocket' ? t.maxPods : pods;
  const reservation = reservedFor(t.provider, { cpuMilli: capacity.cpuMilli, memoryBytes: capacity.memoryBytes, maxPods: reservationPods });
  const kubeReserved = {
    cpuMilli: kubelet.kubeReserved?.cpuMilli ?? reservation.kubeReserved.cpuMilli,
    memoryBytes: kubelet.kubeReserved?.memoryBytes ?? reservation.kubeReserved.memoryBytes,
  };
  const systemReserved = { cpuMilli: kubelet.systemReserved?.cpuMilli ?? 0, memoryBytes: kubelet.systemReserved?.memoryBytes ?? 0 };
  const evictionHard = kubelet.evictionHardMemoryAvailable ?? reservation.evictionHardMemoryAvailable;
  const evictionHardMemoryBytes = evictionHard.endsWith('%')
    ? Math.ceil((capacity.memoryBytes * Number(evictionHard.slice(0, -1))) / 100)
    : parseBytes(evictionHard);
  const allocatable: Resources = {
    cpuMilli: Math.max(0, capacity.cpuMilli - kubeReserved.cpuMilli - systemReserved.cpuMilli),
    memoryBytes: Math.max(0, capacity.memoryBytes - kubeReserved.memoryBytes - systemReserved.memoryBytes - evictionHardMemoryBytes),
    pods,
    gpu: t.gpu,
  };
  const offerings: Offering[] = [];
  // Under spec.pricing the region's list price: a type without one there is offered spot only
  // (when it has a spot price), as Karpenter offers nothing it cannot price.
  const onDemand = prices?.region ? onDemandPriceIn(t, prices.region)?.usdPerHour : t.onDemandUsdPerHour;
  for (const zone of zones) {
    if (onDemand !== undefined) offerings.push({ zone, capacityType: 'on-demand', usdPerHour: onDemand });
    const spot = prices?.spotAtStart.get(`${t.name.toLowerCase()} ${zone}`) ?? t.spotUsdPerHour ?? (spotPriceRatio !== undefined && onDemand !== undefined ? Math.round(onDemand * spotPriceRatio * 1e6) / 1e6 : null);
    if (spot !== null) offerings.push({ zone, capacityType: 'spot', usdPerHour: spot });
  }
  const providerLabels = t.provider === 'aws' ? awsInstanceLabels(t) : t.provider === 'azure' ? azureInstanceLabels(t) : {};
  const labels: Record<string, string> = {
    [LABEL_INSTANCE_TYPE]: t.name,
    [LABEL_ARCH]: t.arch,
    [LABEL_OS]: 'linux',
    ...((prices?.region ?? t.region) ? { [LABEL_REGION]: prices?.region ?? t.region } : {}),
    ...providerLabels,
  };
  const rs = requirements(
    ...Object.entries(labels).map(([k, v]) => requirement(k, 'In', [v])),
    ...providerLabelKeys(t.provider).filter((k) => !(k in labels)).map((k) => requirement(k, 'DoesNotExist')),
    requirement(LABEL_ZONE, 'In', [...new Set(offerings.map((o) => o.zone))]),
    requirement(LABEL_CAPACITY_TYPE, 'In', [...new Set(offerings.map((o) => o.capacityType))]),
  );
  return { catalog: t, name: t.name, provider: t.provider, labels, requirements: rs, capacity, overhead: { kubeReserved, systemReserved, evictionHardMemoryBytes }, allocatable, offerings };
}

export interface MenuEntry {
  type: KarpenterInstanceType;
  /** The offerings the NodePool's zone and capacity-type requirements allow, cheapest first. */
  offerings: readonly Offering[];
  cheapest: Offering;
}

export interface Menu {
  provider: Provider;
  zones: readonly string[];
  /** The allowed types, by cheapest allowed offering, then name. */
  entries: readonly MenuEntry[];
  /** How many of the provider's catalog types the requirements ruled out. */
  excluded: number;
  /** The NodePool allows spot, but no type it allows has a spot price in the catalog. */
  spotWithoutPrice: boolean;
  /** Requirements with minValues the menu cannot satisfy: key, minValues, distinct values available. */
  minValuesShort: readonly { key: string; minValues: number; available: number }[];
  /** Requirement keys that are well-known to Karpenter but not modelled by capsim's catalog: they narrow nothing here. */
  unmodelledKeys: readonly string[];
}

/** The zones a NodePool's types are offered in: the finite values of its zone requirement, else
 *  the provider's default zones. */
export function menuZones(provider: Provider, nodePool: Requirements, region: string = listInstanceTypes().find((t) => t.provider === provider)?.region ?? ''): readonly string[] {
  const zone = nodePool.get(LABEL_ZONE);
  if (zone && !zone.complement && zone.values.size > 0) return [...zone.values].sort();
  const defaults = defaultZones(provider, region);
  return zone ? defaults.filter((z) => allows(zone, z)) : defaults;
}

/** The instance types and offerings a NodePool's requirements allow, cheapest first: a type
 *  whose requirements intersect the NodePool's on every key both define (a custom label the type
 *  lacks is one the NodePool puts on its nodes), with an offering in an allowed zone and capacity
 *  type (kubernetes-sigs/karpenter@22664681:pkg/controllers/provisioning/scheduling/nodeclaim.go
 *  filterInstanceTypesByRequirements, before any pod's requirements are added). */
export function nodePoolMenu(provider: Provider, nodePool: Requirements, kubelet: KubeletOverrides = {}, spotPriceRatio?: number, prices?: OfferingPrices): Menu {
  const zones = prices?.region ? menuZones(provider, nodePool, prices.region) : menuZones(provider, nodePool);
  const catalog = listInstanceTypes().filter((t) => t.provider === provider);
  const zoneReq = getRequirement(nodePool, LABEL_ZONE);
  const capacityReq = getRequirement(nodePool, LABEL_CAPACITY_TYPE);
  const entries: MenuEntry[] = [];
  let spotAllowedTypes = 0;
  for (const t of catalog) {
    const it = karpenterInstanceType(t, zones, kubelet, spotPriceRatio, prices);
    if (intersects(it.requirements, nodePool) !== undefined) continue;
    if (allows(capacityReq, 'spot')) spotAllowedTypes++;
    const offerings = it.offerings
      .filter((o) => allows(zoneReq, o.zone) && allows(capacityReq, o.capacityType))
      .sort((a, b) => a.usdPerHour - b.usdPerHour || a.zone.localeCompare(b.zone) || a.capacityType.localeCompare(b.capacityType));
    if (offerings.length === 0) continue;
    entries.push({ type: it, offerings, cheapest: offerings[0]! });
  }
  entries.sort((a, b) => a.cheapest.usdPerHour - b.cheapest.usdPerHour || a.type.name.localeCompare(b.type.name));
  const spotWithoutPrice = spotAllowedTypes > 0 && !entries.some((e) => e.offerings.some((o) => o.capacityType === 'spot'));
  const minValuesShort: { key: string; minValues: number; available: number }[] = [];
  for (const r of nodePool.values()) {
    if (r.minValues === undefined) continue;
    const available = distinctValues(entries, r);
    if (available < r.minValues) minValuesShort.push({ key: r.key, minValues: r.minValues, available });
  }
  const modelled = new Set([LABEL_ZONE, LABEL_CAPACITY_TYPE, LABEL_NODEPOOL, ...entries.flatMap((e) => [...e.type.requirements.keys()]), ...catalog.length ? [...karpenterInstanceType(catalog[0]!, zones).requirements.keys()] : []]);
  const unmodelledKeys = [...nodePool.keys()].filter((k) => WELL_KNOWN_LABELS.has(k) && !modelled.has(k)).sort();
  return { provider, zones, entries, excluded: catalog.length - entries.length, spotWithoutPrice, minValuesShort, unmodelledKeys };
}

/** How many distinct values of the requirement's key the menu's types carry (minValues counts
 *  instance types for node.kubernetes.io/instance-type, families for instance-family, ...). */
function distinctValues(entries: readonly MenuEntry[], r: Requirement): number {
  const values = new Set<string>();
  for (const e of entries) {
    if (r.key === LABEL_ZONE) for (const o of e.offerings) values.add(o.zone);
    else if (r.key === LABEL_CAPACITY_TYPE) for (const o of e.offerings) values.add(o.capacityType);
    else {
      const v = own(e.type.labels, r.key);
      if (v !== undefined && allows(r, v)) values.add(v);
    }
  }
  return values.size;
}
