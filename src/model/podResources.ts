// What a pod asks for, computed once at admission: PodRequests (reference §4.2), the scheduler's
// non-zero variant, and the QoS class (§5.3).
import type { Container, PodSpec, QosClass } from './pod.ts';
import type { ResourceList, ResourceMap } from './resources.ts';
import { CPU, MEMORY, emptyResources, toResourceList } from './resources.ts';

/** Scheduler defaults for containers without a request (util/pod_resources.go). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** max(Σ regular + Σ sidecars, max_i(init_i + Σ sidecars started before i)) + overhead, per resource. */
export function podRequests(spec: PodSpec): ResourceList {
  return toResourceList(podRequestMap(spec, (c) => c.requests));
}

export function podLimits(spec: PodSpec): ResourceMap {
  return podRequestMap(spec, (c) => c.limits);
}

function podRequestMap(spec: PodSpec, pick: (c: Container) => ResourceMap): ResourceMap {
  const total: ResourceMap = {};
  for (const c of spec.containers) addMap(total, pick(c));
  const sidecarsSoFar: ResourceMap = {};
  for (const init of spec.initContainers) {
    if (init.restartPolicy === 'Always') {
      addMap(total, pick(init));
      addMap(sidecarsSoFar, pick(init));
      continue;
    }
    const needed: ResourceMap = { ...sidecarsSoFar };
    addMap(needed, pick(init));
    for (const name of Object.keys(needed)) total[name] = Math.max(total[name] ?? 0, needed[name]);
  }
  if (spec.overhead) addMap(total, spec.overhead);
  return total;
}

function addMap(into: ResourceMap, add: ResourceMap): void {
  for (const name of Object.keys(add)) into[name] = (into[name] ?? 0) + add[name];
}

/** Σ over regular and sidecar containers with the non-zero defaults for missing cpu/memory requests. */
export function nonZeroRequests(spec: PodSpec): { cpuMilli: number; memoryBytes: number } {
  let cpuMilli = 0;
  let memoryBytes = 0;
  const running = spec.containers.concat(spec.initContainers.filter((c) => c.restartPolicy === 'Always'));
  for (const c of running) {
    cpuMilli += c.requests[CPU] ? c.requests[CPU] : DEFAULT_MILLI_CPU_REQUEST;
    memoryBytes += c.requests[MEMORY] ? c.requests[MEMORY] : DEFAULT_MEMORY_REQUEST;
  }
  // Init containers run one at a time; the non-zero variant also takes their max (resource helpers).
  for (const c of spec.initContainers) {
    if (c.restartPolicy === 'Always') continue;
    cpuMilli = Math.max(cpuMilli, c.requests[CPU] || DEFAULT_MILLI_CPU_REQUEST);
    memoryBytes = Math.max(memoryBytes, c.requests[MEMORY] || DEFAULT_MEMORY_REQUEST);
  }
  if (spec.overhead) {
    cpuMilli += spec.overhead[CPU] ?? 0;
    memoryBytes += spec.overhead[MEMORY] ?? 0;
  }
  return { cpuMilli, memoryBytes };
}

/** ComputePodQOS over all containers including init containers (reference §5.3). */
export function qosClass(spec: PodSpec): QosClass {
  const all = spec.containers.concat(spec.initContainers);
  let anySet = false;
  let guaranteed = true;
  const requests: ResourceMap = {};
  const limits: ResourceMap = {};
  for (const c of all) {
    for (const name of [CPU, MEMORY]) {
      const req = c.requests[name] ?? 0;
      const lim = c.limits[name] ?? 0;
      if (req > 0 || lim > 0) anySet = true;
      if (lim <= 0) guaranteed = false;
      requests[name] = (requests[name] ?? 0) + req;
      limits[name] = (limits[name] ?? 0) + lim;
    }
  }
  if (!anySet) return 'BestEffort';
  if (guaranteed && requests[CPU] === limits[CPU] && requests[MEMORY] === limits[MEMORY]) return 'Guaranteed';
  return 'Burstable';
}

export function emptyRequests(): ResourceList {
  return emptyResources();
}
