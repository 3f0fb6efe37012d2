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

/** The scheduler's non-zero requests (scoring only): PodRequests with every container's *unset*
 *  cpu/memory request taken as 100m/200Mi (resourcehelper.PodRequests with
 *  NonMissingContainerRequests, as noderesources/resource_allocation.go and NodeInfo use it).
 *  An explicit 0 stays 0 (util/pod_resources.go: "Override if un-set, but not if explicitly set
 *  to zero"); init containers, sidecars and overhead enter as in podRequests. */
export function nonZeroRequests(spec: PodSpec): { cpuMilli: number; memoryBytes: number } {
  const total = podRequestMap(spec, (c) => withNonMissing(c.requests));
  return { cpuMilli: total[CPU] ?? 0, memoryBytes: total[MEMORY] ?? 0 };
}

/** applyNonMissing: the defaults for the cpu/memory keys the container does not set. */
function withNonMissing(requests: ResourceMap): ResourceMap {
  if (CPU in requests && MEMORY in requests) return requests;
  const out: ResourceMap = { ...requests };
  if (!(CPU in out)) out[CPU] = DEFAULT_MILLI_CPU_REQUEST;
  if (!(MEMORY in out)) out[MEMORY] = DEFAULT_MEMORY_REQUEST;
  return out;
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
