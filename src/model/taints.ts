// Taints and tolerations as Kubernetes evaluates them, for the scheduler's TaintToleration and
// NodeUnschedulable plugins and the DaemonSet controller. Upstream sources: core/v1
// toleration.go (ToleratesTaint) and component-helpers scheduling/corev1/helpers.go
// (FindMatchingUntoleratedTaint).
import type { Taint, Toleration } from './api.ts';

/** v1.Toleration.ToleratesTaint: an empty effect matches every effect, an empty key matches every
 *  key, operator "" means Equal (values compared, absent value = ""), Exists ignores the value. */
export function tolerationToleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** v1helper.TolerationsTolerateTaint: some toleration tolerates the taint. */
export function toleratesTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tolerations.length; i++) if (tolerationToleratesTaint(tolerations[i], taint)) return true;
  return false;
}

export type TaintFilter = (taint: Taint) => boolean;

/** helper.DoNotScheduleTaintsFilterFunc: the taints Filter enforces. */
export const doNotScheduleTaints: TaintFilter = (taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';

/** v1helper.FindMatchingUntoleratedTaint: the first taint (in node order) passing `effectFilter`
 *  that no toleration tolerates, or null. Without a filter every taint is considered. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effectFilter?: TaintFilter,
): Taint | null {
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (effectFilter && !effectFilter(taint)) continue;
    if (!toleratesTaint(tolerations, taint)) return taint;
  }
  return null;
}
