// A pod as Karpenter's scheduler sees it after relaxing some of its preferences: a port of
// kubernetes-sigs/karpenter@22664681:pkg/controllers/provisioning/scheduling/preferences.go Relax.
// Upstream relaxes a deep copy of the pod one step at a time, in this order:
//   1. removeRequiredNodeAffinityTerm      the first required node affinity term, while more than one remains
//   2. removePreferredPodAffinityTerm      the heaviest preferred pod affinity term
//   3. removePreferredPodAntiAffinityTerm  the heaviest preferred pod anti-affinity term
//   4. removePreferredNodeAffinityTerm     the heaviest preferred node affinity term
//   5. removeTopologySpreadScheduleAnyway  the first ScheduleAnyway constraint (swapped with the last, then dropped)
// (toleratePreferNoScheduleTaints only runs when the provisioner asks for it; capsim's does not.)
// The view keeps the pod untouched and records how far each list was relaxed.
import type { PodAffinityTerm, TopologySpreadConstraint, WeightedPodAffinityTerm } from '../model/api.ts';
import type { Pod } from '../model/pod.ts';
import type { Relaxation } from './podRequirements.ts';
import { NOT_RELAXED } from './podRequirements.ts';

export interface PodView {
  readonly pod: Pod;
  /** Node affinity relaxation (podRequirements.ts). */
  readonly relax: Relaxation;
  readonly affinityRequired: readonly PodAffinityTerm[];
  /** Preferred pod affinity terms still respected, heaviest first. */
  readonly affinityPreferred: readonly PodAffinityTerm[];
  readonly antiRequired: readonly PodAffinityTerm[];
  readonly antiPreferred: readonly PodAffinityTerm[];
  readonly spread: readonly TopologySpreadConstraint[];
  /** How many relaxation steps made this view (0 = the pod as written). */
  readonly steps: number;
}

const byWeight = (terms: readonly WeightedPodAffinityTerm[] | undefined): PodAffinityTerm[] =>
  [...(terms ?? [])].sort((a, b) => b.weight - a.weight).map((t) => t.podAffinityTerm);

/** The pod with every preference respected. */
export function podView(pod: Pod): PodView {
  const a = pod.spec.affinity;
  return {
    pod,
    relax: NOT_RELAXED,
    affinityRequired: a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    affinityPreferred: byWeight(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    antiRequired: a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    antiPreferred: byWeight(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    spread: pod.spec.topologySpreadConstraints,
    steps: 0,
  };
}

/** Preferences.Relax: the view one step more relaxed, or null when nothing is left to relax. */
export function relaxView(v: PodView): PodView | null {
  const na = v.pod.spec.affinity?.nodeAffinity;
  const required = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const steps = v.steps + 1;
  if (required.length - v.relax.requiredDropped > 1) return { ...v, relax: { ...v.relax, requiredDropped: v.relax.requiredDropped + 1 }, steps };
  if (v.affinityPreferred.length > 0) return { ...v, affinityPreferred: v.affinityPreferred.slice(1), steps };
  if (v.antiPreferred.length > 0) return { ...v, antiPreferred: v.antiPreferred.slice(1), steps };
  const preferred = na?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (preferred.length - v.relax.preferredDropped > 0) return { ...v, relax: { ...v.relax, preferredDropped: v.relax.preferredDropped + 1 }, steps };
  const i = v.spread.findIndex((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  if (i >= 0) {
    const spread = [...v.spread];
    spread[i] = spread[spread.length - 1]!;
    spread.pop();
    return { ...v, spread, steps };
  }
  return null;
}

/** Whether the pod has anything topology.ts must track (spread, pod affinity or anti-affinity). */
export function hasTopology(v: PodView): boolean {
  return v.spread.length > 0 || v.affinityRequired.length > 0 || v.affinityPreferred.length > 0 || v.antiRequired.length > 0 || v.antiPreferred.length > 0;
}
