// The Priority admission plugin (plugin/pkg/admission/priority): a pod's priority and preemption
// policy from its priorityClassName, the global default class, or what the manifest says.
import type { PriorityClassObject } from '../../model/objects.ts';
import type { Pod, PodSpec } from '../../model/pod.ts';

export const BUILTIN_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

export type PriorityResolution = { value: number; preemptionPolicy: Pod['preemptionPolicy'] } | { error: string };

/** `classes` in creation order: the first global default wins. */
export function resolvePriority(spec: PodSpec, classes: ReadonlyMap<string, PriorityClassObject>): PriorityResolution {
  const name = spec.priorityClassName;
  if (name) {
    const builtin = Object.hasOwn(BUILTIN_PRIORITY_CLASSES, name) ? BUILTIN_PRIORITY_CLASSES[name] : undefined;
    const pc = classes.get(name);
    if (pc) return { value: pc.value, preemptionPolicy: spec.preemptionPolicy ?? pc.preemptionPolicy };
    if (builtin !== undefined) return { value: builtin, preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority' };
    return { error: `no PriorityClass with name ${name} was found` };
  }
  for (const pc of classes.values()) {
    if (pc.globalDefault) return { value: pc.value, preemptionPolicy: spec.preemptionPolicy ?? pc.preemptionPolicy };
  }
  return { value: spec.priority ?? 0, preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority' };
}
