// A node-hour's energy and emissions by the Cloud Carbon Footprint method (ccfMethod.ts), from
// what the charge period (cost/chargePeriod.ts) says the node did, and their allocation to its
// workloads the way its cost is allocated:
//
//  - compute: CCF's min/max watts per vCPU of the host's microarchitecture, interpolated at the
//    node's mean CPU utilization over the hour (∫usage / (capacity x time)), x vCPU-hours x PUE;
//  - memory: CCF's 0.000392 kWh per GB-hour x PUE, of the memory beyond what the host's chips
//    carry by default (AWS, Azure) or of all of it (GCP), as CCF counts each provider;
//  - operational emissions: (compute + memory) kWh x the region's grid intensity;
//  - embodied: the host's manufacturing emissions x hours / 4 years x the instance's share of
//    the host's vCPUs;
//  - GPUs (AWS g4dn, g5, p3): CCF's min/max watts per GPU at CCF's 50 % average utilization
//    (capsim models no GPU use), x PUE.
//
// Allocation (OpenCost's rule, as cost/allocation.ts): a workload's share of the compute energy
// is its max(∫CPU request, ∫CPU usage) over the node's ∫CPU capacity, of the memory energy the
// same for memory, of the embodied emissions and the GPUs' energy its share of the node's cost
// (the two resources weighted by OpenCost's default per-core and per-GB prices, as its cost is). What no workload
// is charged is idle. Operational emissions follow the energy.
//
// One difference from CCF: CCF adds an embodied "kWh" (embodied CO2e / grid intensity) to its
// energy figure; energyKwh here is the energy drawn only.
import type { Node } from '../model/node.ts';
import type { CarbonSettings } from '../model/carbonSettings.ts';
import type { CarbonOf, NodeCarbon, NodeCharge } from '../cost/chargePeriod.ts';
import { DEFAULT_CPU_USD_PER_CORE_HOUR, DEFAULT_RAM_USD_PER_GB_HOUR } from '../cost/allocation.ts';
import { findInstanceType, listInstanceTypes, providerOf, type InstanceType } from '../cost/catalog.ts';
import { own } from '../model/records.ts';
import { AVERAGE_UTILIZATION_PCT, GCE_REGION_PUE, MEMORY_KWH_PER_GB_HOUR, PROVIDERS, SERVER_LIFESPAN_HOURS, type ArchitectureCoefficients, type CarbonProvider } from './ccfCoefficients.ts';
import { HOSTS, familyOf, type HostCoefficients } from './ccfInstances.ts';
import { computeKwh, embodiedCo2e, gigabyteHoursBeyondChip, memoryKwh, mixArchitectures, physicalChips } from './ccfMethod.ts';

const MS_PER_HOUR = 3_600_000;
const GIB = 1024 ** 3;

/** Why a node's estimate is approximate or missing (summary warnings name them). */
export type CarbonGap =
  /** No estimate at all: no instance type, or one the catalog does not know. */
  | 'no-instance-type'
  /** The region was not known: the provider's default region's grid intensity was used. */
  | 'default-region'
  /** The region is not in CCF's table: CCF's mean grid intensity for the provider was used. */
  | 'unknown-region'
  /** The microarchitecture is unknown: CCF's provider average watts (and no extra memory). */
  | 'unknown-architecture'
  /** The host's manufacturing emissions are unknown: embodied counted as 0. */
  | 'unknown-embodied'
  /** GPUs at CCF's average 50 % utilization (capsim does not model GPU use); unknown GPU: not counted. */
  | 'gpu-average-utilization'
  | 'gpu-unknown';

/** What is fixed for a node over the run: resolved once, at its first charge period. */
export interface NodeProfile {
  provider: CarbonProvider;
  region: string;
  /** kg CO2e per kWh. */
  intensityKgPerKwh: number;
  pue: number;
  watts: ArchitectureCoefficients;
  vcpu: number;
  /** GB of memory that draws power, and its kWh per GB-hour (before PUE). */
  memoryGb: number;
  kwhPerGbHour: number;
  /** kg CO2e per hour of life. */
  embodiedKgPerHour: number;
  /** The GPUs' kWh per hour of life (PUE included): CCF's GPU watts at 50 % utilization. */
  gpuKwhPerHour: number;
  gaps: CarbonGap[];
}

/** Resolves each node's profile (once) and estimates its node-hours. */
export class CarbonModel {
  private readonly profiles = new Map<number, NodeProfile | null>();
  /** For the summary's warnings: by gap, the pools (NodePool/-/name) of the nodes it concerns,
   *  or the nodes themselves (Node/-/name) for nodes of no pool. */
  readonly gaps = new Map<CarbonGap, Set<string>>();

  constructor(private readonly settings: CarbonSettings = {}) {}

  /** The CarbonOf the FOCUS writer and the carbon account use. */
  readonly carbonOf: CarbonOf = (charge) => this.estimate(charge);

  profileOf(node: Node): NodeProfile | null {
    let profile = this.profiles.get(node.index);
    if (profile === undefined) {
      profile = resolveProfile(node, this.settings);
      this.profiles.set(node.index, profile);
      noteGaps(this.gaps, node, profile);
    }
    return profile;
  }

  estimate(charge: NodeCharge): NodeCarbon | null {
    const profile = this.profileOf(charge.node);
    if (!profile) return null;
    return estimateNodeHour(charge, profile);
  }
}

/** Adds the node's gaps (none known: 'no-instance-type') to `gaps`, under its pool's name or its own. */
export function noteGaps(gaps: Map<CarbonGap, Set<string>>, node: Node, profile: NodeProfile | null): void {
  for (const gap of profile ? profile.gaps : ['no-instance-type' as const]) {
    const set = gaps.get(gap) ?? new Set<string>();
    set.add(node.pool !== null ? `NodePool/-/${node.pool}` : `Node/-/${node.name}`);
    gaps.set(gap, set);
  }
}

/** The node-hour's carbon and its allocation to the charge's workloads. */
export function estimateNodeHour(charge: NodeCharge, p: NodeProfile): NodeCarbon {
  const hours = charge.aliveMs / MS_PER_HOUR;
  const { cpuMilli, memoryBytes } = capacityOf(charge.node);
  const cpuCapacityMs = cpuMilli * charge.aliveMs;
  const memoryCapacityMs = memoryBytes * charge.aliveMs;
  const utilizationPct = cpuCapacityMs > 0 ? Math.min(100, (100 * charge.cpuUsedMilliMs) / cpuCapacityMs) : 0;
  const cpuKwh = computeKwh(utilizationPct, p.vcpu * hours, p.watts.minWatts, p.watts.maxWatts, p.pue);
  const memKwh = memoryKwh(p.memoryGb * hours, p.kwhPerGbHour, p.pue);
  const embodiedKg = p.embodiedKgPerHour * hours;
  const gpuKwh = p.gpuKwhPerHour * hours;
  const energyKwh = cpuKwh + memKwh + gpuKwh;
  const operationalKg = energyKwh * p.intensityKgPerKwh;
  // Per unit charged (millicore-ms, byte-ms): each resource's energy over its capacity, and the
  // embodied emissions (and the GPUs' energy, which no charge measures) over the node's cost at
  // OpenCost's default price weights of the two.
  const cpuKwhPer = cpuCapacityMs > 0 ? cpuKwh / cpuCapacityMs : 0;
  const memKwhPer = memoryCapacityMs > 0 ? memKwh / memoryCapacityMs : 0;
  const weights = (cpuCapacityMs / 1000) * DEFAULT_CPU_USD_PER_CORE_HOUR + (memoryCapacityMs / GIB) * DEFAULT_RAM_USD_PER_GB_HOUR;
  const byCost = embodiedKg + gpuKwh * p.intensityKgPerKwh;
  const cpuCostPer = weights > 0 ? (DEFAULT_CPU_USD_PER_CORE_HOUR / 1000 / weights) : 0;
  const memCostPer = weights > 0 ? (DEFAULT_RAM_USD_PER_GB_HOUR / GIB / weights) : 0;
  const { workloads } = charge;
  const workloadKgCo2e = new Array<number>(workloads.length);
  const workloadEnergyKwh = new Array<number>(workloads.length);
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i];
    const cpuCharged = Math.max(w.cpuRequestedMilliMs, w.cpuUsedMilliMs);
    const memCharged = Math.max(w.memoryRequestedByteMs, w.memoryUsedByteMs);
    const costShare = cpuCharged * cpuCostPer + memCharged * memCostPer;
    const kwh = cpuCharged * cpuKwhPer + memCharged * memKwhPer;
    workloadEnergyKwh[i] = kwh + gpuKwh * costShare;
    workloadKgCo2e[i] = kwh * p.intensityKgPerKwh + byCost * costShare;
  }
  return { energyKwh, operationalKgCo2e: operationalKg, embodiedKgCo2e: embodiedKg, kgCo2e: operationalKg + embodiedKg, workloadKgCo2e, workloadEnergyKwh };
}

/** The capacity allocation is taken of (cost/allocation.ts nodeRatesOf: allocatable for a bare
 *  Node manifest without capacity). */
function capacityOf(node: Node): { cpuMilli: number; memoryBytes: number } {
  return {
    cpuMilli: node.capacity.cpuMilli > 0 ? node.capacity.cpuMilli : node.allocatable.cpuMilli,
    memoryBytes: node.capacity.memoryBytes > 0 ? node.capacity.memoryBytes : node.allocatable.memoryBytes,
  };
}

/** A node's provider, region and coefficients; null without a known instance type. */
export function resolveProfile(node: Node, settings: CarbonSettings): NodeProfile | null {
  const type = node.instanceType ? catalogTypeOf(node.instanceType, node.labels) : undefined;
  if (!type) return null;
  const provider = providerOf(type.provider) as CarbonProvider;
  const coefficients = PROVIDERS[provider];
  const gaps: CarbonGap[] = [];
  const family = familyOf(provider, type.name);
  const host: HostCoefficients | undefined = family ? own(HOSTS[provider], family) : undefined;

  const { region, known } = regionOf(node, type, provider, settings);
  if (!known) gaps.push('default-region');
  const override = settings.gridIntensityGPerKwh ? own(settings.gridIntensityGPerKwh, region) : undefined;
  const table = own(coefficients.emissionsTonPerKwh, provider === 'azure' ? region.toLowerCase() : region);
  if (override === undefined && table === undefined) gaps.push('unknown-region');
  const intensityKgPerKwh = override !== undefined ? override / 1000 : (table ?? coefficients.unknownRegionTonPerKwh) * 1000;
  const pue = settings.pue ?? (provider === 'gce' ? (own(GCE_REGION_PUE, region) ?? coefficients.pue) : coefficients.pue);

  const architectures = host?.architectures ?? [];
  const mixed = mixArchitectures(architectures, coefficients.architectures, coefficients.unknownArchitecture);
  const archKnown = architectures.some((a) => own(coefficients.architectures, a) !== undefined);
  if (!archKnown && !settings.wattsPerVcpu) gaps.push('unknown-architecture');
  const watts = settings.wattsPerVcpu ? { ...mixed, minWatts: settings.wattsPerVcpu.min, maxWatts: settings.wattsPerVcpu.max } : mixed;

  const vcpu = node.capacity.cpuMilli > 0 ? node.capacity.cpuMilli / 1000 : type.vcpu;
  const instanceMemoryGb = type.memoryMiB / 1024;
  const kwhPerGbHour = settings.memoryKwhPerGbHour ?? MEMORY_KWH_PER_GB_HOUR;
  let memoryGb = 0;
  if (coefficients.memory === 'all') memoryGb = instanceMemoryGb;
  else if (host && archKnown && !host.burstable && host.platformMemoryGb > 0) {
    memoryGb = gigabyteHoursBeyondChip(physicalChips(host.platformVcpu), host.platformMemoryGb, mixed.gbPerChip, instanceMemoryGb, 1);
  }

  const embodiedOverride = settings.embodiedKgCo2ePerHost
    ? (own(settings.embodiedKgCo2ePerHost, type.id) ?? (family ? own(settings.embodiedKgCo2ePerHost, `${type.provider}/${family}`) : undefined))
    : undefined;
  const hostKg = embodiedOverride ?? host?.embodiedKg ?? null;
  const platformVcpu = host && host.platformVcpu > 0 ? host.platformVcpu : embodiedOverride !== undefined ? type.vcpu : 0;
  let embodiedKgPerHour = 0;
  if (hostKg === null || platformVcpu === 0) gaps.push('unknown-embodied');
  else embodiedKgPerHour = embodiedCo2e(1, settings.serverLifespanHours ?? SERVER_LIFESPAN_HOURS, Math.min(type.vcpu, platformVcpu), platformVcpu, hostKg);
  let gpuKwhPerHour = 0;
  if (type.gpu > 0 && host?.gpu) {
    gpuKwhPerHour = computeKwh(AVERAGE_UTILIZATION_PCT, type.gpu, host.gpu.minWatts, host.gpu.maxWatts, pue);
    gaps.push('gpu-average-utilization');
  } else if (type.gpu > 0) gaps.push('gpu-unknown');

  return { provider, region, intensityKgPerKwh, pue, watts, vcpu, memoryGb, kwhPerGbHour, embodiedKgPerHour, gpuKwhPerHour, gaps };
}

/** The catalog entry of a node's instance type: "aws/m5.xlarge" as written, or a bare name as a
 *  Karpenter node carries it ("c5.4xlarge"): the one provider whose catalog has that name (the
 *  provider's Karpenter labels decide between two). */
export function catalogTypeOf(instanceType: string, labels: Readonly<Record<string, string>>): InstanceType | undefined {
  if (instanceType.includes('/')) return findInstanceType(instanceType);
  const candidates = listInstanceTypes().filter((t) => t.name === instanceType);
  if (candidates.length <= 1) return candidates[0];
  const keys = Object.keys(labels);
  const hinted = candidates.filter((t) => keys.some((k) => k.startsWith(PROVIDER_LABEL_PREFIX[t.provider])));
  return hinted.length === 1 ? hinted[0] : undefined;
}

const PROVIDER_LABEL_PREFIX: Record<CarbonProvider, string> = { aws: 'karpenter.k8s.aws/', azure: 'karpenter.azure.com/', gce: 'cloud.google.com/' };

/** The node's grid region: the pricing's (node.region), else its zone's, else spec.carbon.region,
 *  else the catalog price's region; else the provider's default (known: false). */
function regionOf(node: Node, type: InstanceType, provider: CarbonProvider, settings: CarbonSettings): { region: string; known: boolean } {
  if (node.region) return { region: node.region, known: true };
  const fromZone = node.zone ? zoneRegion(provider, node.zone) : null;
  if (fromZone) return { region: fromZone, known: true };
  if (settings.region) return { region: settings.region, known: true };
  if (type.region) return { region: type.region, known: true };
  return { region: PROVIDERS[provider].defaultRegion, known: false };
}

/** "us-east-1a" -> "us-east-1", "us-central1-b" -> "us-central1", "eastus-2" -> "eastus": the
 *  region a zone is in, when the result is a region CCF's table knows. */
export function zoneRegion(provider: CarbonProvider, zone: string): string | null {
  const candidate = provider === 'aws' ? zone.replace(/[a-z]$/, '') : provider === 'gce' ? zone.replace(/-[a-z]$/, '') : zone.replace(/-\d+$/, '');
  if (candidate === zone) return null;
  const table = PROVIDERS[provider].emissionsTonPerKwh;
  return own(table, provider === 'azure' ? candidate.toLowerCase() : candidate) !== undefined ? candidate : null;
}
