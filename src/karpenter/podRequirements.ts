// What a pod asks of a Karpenter node, as Karpenter reads it, and the resources it counts.
// Sources (kubernetes-sigs/karpenter@22664681):
//   pkg/scheduling/requirements.go NewPodRequirements / NewStrictPodRequirements: spec.nodeSelector
//     as In requirements, the FIRST required node affinity term's matchExpressions, and (not
//     strict) the HEAVIEST preferred node affinity term's matchExpressions; matchFields are not read.
//   pkg/controllers/provisioning/scheduling/preferences.go Relax: a pod that failed is relaxed one
//     step at a time: drop the first required term (only while more than one remains), then the
//     heaviest preferred node affinity term (the whole order, with preferred pod (anti-)affinity
//     and ScheduleAnyway spreads, is preferences.ts).
//   pkg/utils/resources: a pod's requests plus one "pods"; Fits compares every requested resource
//     with the instance type's allocatable (a resource the type lacks has 0).
import { GPU_MILLI_RESOURCE, GPU_RESOURCE, MILLI_PER_GPU } from '../model/gpuDevices.ts';
import type { NodeSelectorRequirement, PreferredSchedulingTerm } from '../model/api.ts';
import type { Pod } from '../model/pod.ts';
import type { Requirement, Requirements } from './requirements.ts';
import { addTo, requirement, requirements } from './requirements.ts';
import type { Resources } from './instanceTypes.ts';

/** Resource name -> amount: cpu in millicores, memory in bytes, pods and extended resources in
 *  units (nvidia.com/gpu). Ephemeral storage is not counted: capsim's catalog has no volume size. */
export type ResourceVector = Record<string, number>;

export { GPU_RESOURCE };

/** How far a pod's preferences have been relaxed (Preferences.Relax). */
export interface Relaxation {
  /** Required node affinity terms dropped from the front. */
  requiredDropped: number;
  /** Preferred node affinity terms dropped, heaviest first. */
  preferredDropped: number;
}

export const NOT_RELAXED: Relaxation = { requiredDropped: 0, preferredDropped: 0 };

/** The preferred node affinity terms by weight, heaviest first (a stable sort, as upstream). */
function preferredByWeight(pod: Pod): PreferredSchedulingTerm[] {
  const terms = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return [...terms].sort((a, b) => b.weight - a.weight);
}

function expressions(rs: readonly NodeSelectorRequirement[] | undefined): Requirement[] {
  return (rs ?? []).map((r) => requirement(r.key, r.operator, r.values ?? []));
}

/** NewPodRequirements (strict: NewStrictPodRequirements, no preferred term) after `relax`. */
export function podRequirements(pod: Pod, relax: Relaxation = NOT_RELAXED, strict = false): Requirements {
  const rs = requirements(...Object.entries(pod.spec.nodeSelector ?? {}).map(([k, v]) => requirement(k, 'In', [v])));
  const preferred = preferredByWeight(pod).slice(relax.preferredDropped);
  if (!strict && preferred.length > 0) addTo(rs, ...expressions(preferred[0]!.preference.matchExpressions));
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const required = terms.slice(Math.min(relax.requiredDropped, Math.max(0, terms.length - 1)));
  if (required.length > 0) addTo(rs, ...expressions(required[0]!.matchExpressions));
  return rs;
}

/** Preferences.Relax for the parts capsim handles: the next relaxation, or null when none is left. */
export function relaxFurther(pod: Pod, relax: Relaxation): Relaxation | null {
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length - relax.requiredDropped > 1) return { ...relax, requiredDropped: relax.requiredDropped + 1 };
  if (preferredByWeight(pod).length - relax.preferredDropped > 0) return { ...relax, preferredDropped: relax.preferredDropped + 1 };
  return null;
}

/** A pod's requests (PodRequests: containers, init containers, overhead) and one pod. */
export function podResourceVector(pod: Pod): ResourceVector {
  const out: ResourceVector = { cpu: pod.requests.cpuMilli, memory: pod.requests.memoryBytes, pods: 1 };
  for (const [name, amount] of Object.entries(pod.requests.scalar)) out[name] = amount;
  return out;
}

/** An allocatable vector with the GPU-share resource GpuShare checks (scheduler/plugins/
 *  gpuShare.ts): 1000 milli per GPU. Karpenter's simulation counts a share against this sum, not
 *  GPU by GPU (docs/scenario.md "GPUs, whole and shared"); nodes do not advertise it. */
export function withGpuMilli(v: ResourceVector): ResourceVector {
  const gpus = v[GPU_RESOURCE] ?? 0;
  if (gpus > 0) v[GPU_MILLI_RESOURCE] = gpus * MILLI_PER_GPU;
  return v;
}

/** An instance type's allocatable or capacity as a vector. */
export function resourcesVector(r: Resources): ResourceVector {
  const out: ResourceVector = { cpu: r.cpuMilli, memory: r.memoryBytes, pods: r.pods };
  if (r.gpu > 0) out[GPU_RESOURCE] = r.gpu;
  return out;
}

export function addVectors(a: ResourceVector, b: ResourceVector): ResourceVector {
  const out: ResourceVector = { ...a };
  for (const k in b) out[k] = (out[k] ?? 0) + b[k]!;
  return out;
}

/** resources.Fits: every requested amount at most what is available (absent = 0). */
export function fits(requests: ResourceVector, available: ResourceVector): boolean {
  for (const k in requests) {
    const v = requests[k]!;
    if (v > 0 && v > (available[k] ?? 0)) return false;
  }
  return true;
}

/** fits(addVectors(a, b), available) without building the sum (solve tries every existing node
 *  for every pod): the same sums, in the same order, against the same bounds. */
export function fitsSum(a: ResourceVector, b: ResourceVector, available: ResourceVector): boolean {
  for (const k in a) {
    const v = k in b ? (a[k] ?? 0) + b[k]! : a[k]!;
    if (v > 0 && v > (available[k] ?? 0)) return false;
  }
  for (const k in b) {
    if (k in a) continue;
    const v = 0 + b[k]!;
    if (v > 0 && v > (available[k] ?? 0)) return false;
  }
  return true;
}

/** The resources a request exceeds, for the reason a pod fits nothing ("cpu", "memory", ...). */
export function exceeded(requests: ResourceVector, available: ResourceVector): string[] {
  return Object.entries(requests).filter(([k, v]) => v > 0 && v > (available[k] ?? 0)).map(([k]) => k).sort();
}
