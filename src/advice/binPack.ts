// The fleet that would have served a set of pods: first-fit-decreasing of their requests over one
// instance type at a time, the cheapest type's fleet kept (issue 21, "a report that advises").
// Requests, not usage: the scheduler places pods by requests, so a fleet sized to the usage would
// leave pods pending. Each node loses its DaemonSet pods' requests and pod slots first; its
// allocatable is the managed offering's (cloud/reservedResources.ts, the formula `capsim catalog`
// prints). First-fit-decreasing uses at most 11/9 OPT + 6/9 bins (Dósa 2007) on one dimension;
// on several it is a heuristic, good enough for "how many nodes, roughly" and exact on the
// hand-worked cases of test/advice-binpack.test.ts.
import { listInstanceTypes, type InstanceType, type Provider } from '../cost/catalog.ts';
import { allocatableUnder } from '../cloud/reservedResources.ts';

const MiB = 1024 * 1024;

export interface PodShape {
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
}

/** What one node offers the packed pods: its allocatable less its DaemonSet pods. */
export interface BinShape {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
  gpu: number;
}

/** Nodes of `bin` that first-fit-decreasing needs for `pods`; null when one pod fits no empty node. */
export function firstFitDecreasing(pods: readonly PodShape[], bin: BinShape): number | null {
  if (pods.length === 0) return 0;
  if (bin.pods <= 0) return null;
  const share = (p: PodShape) => Math.max(bin.cpuMilli > 0 ? p.cpuMilli / bin.cpuMilli : p.cpuMilli > 0 ? Infinity : 0, bin.memoryBytes > 0 ? p.memoryBytes / bin.memoryBytes : p.memoryBytes > 0 ? Infinity : 0, bin.gpu > 0 ? p.gpu / bin.gpu : p.gpu > 0 ? Infinity : 0);
  const sorted = [...pods].sort((a, b) => share(b) - share(a) || b.cpuMilli - a.cpuMilli || b.memoryBytes - a.memoryBytes || b.gpu - a.gpu);
  const cpu: number[] = [];
  const memory: number[] = [];
  const gpu: number[] = [];
  const slots: number[] = [];
  let from = 0;
  let previous: PodShape | null = null;
  for (const p of sorted) {
    if (p.cpuMilli > bin.cpuMilli || p.memoryBytes > bin.memoryBytes || p.gpu > bin.gpu) return null;
    // A pod the same as the one before cannot fit a node that one did not: start where it went.
    if (!previous || previous.cpuMilli !== p.cpuMilli || previous.memoryBytes !== p.memoryBytes || previous.gpu !== p.gpu) from = 0;
    let i = from;
    while (i < cpu.length && (cpu[i] < p.cpuMilli || memory[i] < p.memoryBytes || gpu[i] < p.gpu || slots[i] < 1)) i++;
    if (i === cpu.length) {
      cpu.push(bin.cpuMilli);
      memory.push(bin.memoryBytes);
      gpu.push(bin.gpu);
      slots.push(bin.pods);
    }
    cpu[i] -= p.cpuMilli;
    memory[i] -= p.memoryBytes;
    gpu[i] -= p.gpu;
    slots[i] -= 1;
    from = i;
    previous = p;
  }
  return cpu.length;
}

/** A catalog type as a bin: allocatable under its provider's reservation, less the per-node DaemonSet pods. */
export function binOf(t: InstanceType, daemon: BinShape): BinShape {
  const allocatable = allocatableUnder(t.provider, { cpuMilli: t.vcpu * 1000, memoryBytes: t.memoryMiB * MiB, maxPods: t.maxPods });
  return {
    cpuMilli: allocatable.cpuMilli - daemon.cpuMilli,
    memoryBytes: allocatable.memoryBytes - daemon.memoryBytes,
    pods: t.maxPods - daemon.pods,
    gpu: t.gpu - daemon.gpu,
  };
}

export interface FleetChoice {
  type: InstanceType;
  nodes: number;
  usdPerHour: number;
}

/** Burstable families (CPU credits the simulation does not model): never proposed. */
const BURSTABLE = /^(t\d[a-z]*\.|Standard_B)/;

/** The catalog's types a packing may choose from: the provider's, of the given architectures,
 *  with GPUs exactly when the pods need them, burstable types left out. */
export function candidateTypes(provider: Provider, arches: ReadonlySet<string>, needsGpu: boolean, types: readonly InstanceType[] = listInstanceTypes()): InstanceType[] {
  return types.filter((t) => t.provider === provider && arches.has(t.arch) && (needsGpu ? t.gpu > 0 : t.gpu === 0) && !BURSTABLE.test(t.name) && t.onDemandUsdPerHour > 0);
}

/** How many of the cheapest lower bounds are packed for real. */
const PACKED_TYPES = 12;

/** The cheapest fleet of one type for `pods` (on-demand list prices), of at least `minNodes`
 *  nodes (one per zone the pools spanned); null when no type holds them. */
export function cheapestFleet(pods: readonly PodShape[], types: readonly InstanceType[], daemon: BinShape, minNodes = 1): FleetChoice | null {
  const total = pods.reduce((s, p) => ({ cpu: s.cpu + p.cpuMilli, memory: s.memory + p.memoryBytes, gpu: s.gpu + p.gpu }), { cpu: 0, memory: 0, gpu: 0 });
  const bounds = types.flatMap((type) => {
    const bin = binOf(type, daemon);
    if (bin.cpuMilli <= 0 || bin.memoryBytes <= 0 || bin.pods <= 0) return [];
    const atLeast = Math.max(minNodes, Math.ceil(total.cpu / bin.cpuMilli), Math.ceil(total.memory / bin.memoryBytes), Math.ceil(pods.length / bin.pods), bin.gpu > 0 ? Math.ceil(total.gpu / bin.gpu) : 0);
    return [{ type, bin, lowerUsd: atLeast * type.onDemandUsdPerHour }];
  }).sort((a, b) => a.lowerUsd - b.lowerUsd || (a.type.id < b.type.id ? -1 : 1));
  let best: FleetChoice | null = null;
  let tried = 0;
  for (const { type, bin, lowerUsd } of bounds) {
    if (best && lowerUsd > best.usdPerHour) break;
    if (tried >= PACKED_TYPES && best) break;
    const packed = firstFitDecreasing(pods, bin);
    if (packed === null) continue;
    const nodes = Math.max(packed, minNodes);
    tried++;
    const usdPerHour = nodes * type.onDemandUsdPerHour;
    if (!best || usdPerHour < best.usdPerHour - 1e-9 || (Math.abs(usdPerHour - best.usdPerHour) <= 1e-9 && nodes < best.nodes)) best = { type, nodes, usdPerHour };
  }
  return best;
}
