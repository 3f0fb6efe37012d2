// How much a container uses as a function of its pod's load (DESIGN §2 `usage:`):
//   cpu (millicores)  = base + perUnit x load
//   memory (bytes)    = (base + perUnit x load) x (1 + noise x z) + leakPerHour x hours since the container started
// where load is the pod's share of its workload's demand (units/s) and z a seeded standard
// normal drawn per workload and sample. A container without a `usage` entry uses exactly its
// requests (0 where it has none) and does not leak; so does a resource its entry leaves out (an
// entry with only `cpu:` uses its memory request, not 0). Limits cap what it gets (the kubelet's
// side: src/kubelet/cpu.ts, src/kubelet/oomKiller.ts), not what it wants.
import type { ContainerUsage } from '../model/scenario.ts';
import type { Container } from '../model/pod.ts';

export interface ContainerModel {
  name: string;
  cpuBaseMilli: number;
  cpuPerUnitMilli: number;
  memBaseBytes: number;
  memPerUnitBytes: number;
  leakBytesPerMs: number;
  memNoise: number;
  cpuRequestMilli: number;
  /** Infinity when the container has no limit. */
  cpuLimitMilli: number;
  memRequestBytes: number;
  memLimitBytes: number;
}

export function containerModel(container: Container, usage: ContainerUsage | undefined): ContainerModel {
  const cpuRequest = container.requests.cpu ?? 0;
  const memRequest = container.requests.memory ?? 0;
  const cpu = usage?.cpu;
  const memory = usage?.memory;
  return {
    name: container.name,
    cpuBaseMilli: cpu ? cpu.baseMilli : cpuRequest,
    cpuPerUnitMilli: cpu ? cpu.perUnitMilli : 0,
    memBaseBytes: memory ? memory.baseBytes : memRequest,
    memPerUnitBytes: memory ? memory.perUnitBytes : 0,
    leakBytesPerMs: memory ? memory.leakBytesPerHour / 3_600_000 : 0,
    memNoise: memory ? memory.noise : 0,
    cpuRequestMilli: cpuRequest,
    cpuLimitMilli: container.limits.cpu ?? Infinity,
    memRequestBytes: memRequest,
    memLimitBytes: container.limits.memory ?? Infinity,
  };
}

/** CPU a container wants at this load, before its limit. */
export function cpuWant(m: ContainerModel, load: number): number {
  return m.cpuBaseMilli + m.cpuPerUnitMilli * load;
}

/** Memory at this load, before the leak. */
export function memoryAtLoad(m: ContainerModel, load: number, noiseFactor: number): number {
  return Math.max(0, (m.memBaseBytes + m.memPerUnitBytes * load) * (m.memNoise > 0 ? noiseFactor : 1));
}

/** Units/s a container can serve with `gotMilli` of CPU: what is left after its base, per unit. */
export function servingCapacity(m: ContainerModel, gotMilli: number): number {
  if (m.cpuPerUnitMilli <= 0) return Infinity;
  return Math.max(0, (gotMilli - m.cpuBaseMilli) / m.cpuPerUnitMilli);
}
