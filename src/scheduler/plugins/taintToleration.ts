// TaintToleration (upstream framework/plugins/tainttoleration/taint_toleration.go, v1.31).
// Filter: the first untolerated NoSchedule/NoExecute taint rejects the node (reference/k8s-algorithms.md
// §4.3). Score: number of untolerated PreferNoSchedule taints, normalised in reverse
// 100 − 100*raw/max (§4.4).
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';
import type { Taint, Toleration } from '../../model/api.ts';
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { doNotScheduleTaints, findUntoleratedTaint, toleratesTaint } from '../../model/taints.ts';
import { defaultNormalizeScore } from './nodeAffinity.ts';

export const TAINT_TOLERATION = 'TaintToleration';

const PRE_SCORE_KEY = 'PreScore' + TAINT_TOLERATION;

/** Upstream reason text: `node(s) had untolerated taint {KEY: VALUE}`, value possibly empty. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** getAllTolerationPreferNoSchedule: tolerations with effect PreferNoSchedule or empty. */
export function preferNoScheduleTolerations(tolerations: readonly Toleration[]): Toleration[] {
  return tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

/** countIntolerableTaintsPreferNoSchedule. */
export function countUntoleratedPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let count = 0;
  for (let i = 0; i < taints.length; i++) {
    if (taints[i].effect === 'PreferNoSchedule' && !toleratesTaint(tolerations, taints[i])) count++;
  }
  return count;
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const taint = findUntoleratedTaint(nodeInfo.node.taints, pod.spec.tolerations, doNotScheduleTaints);
    if (taint === null) return null;
    return { plugin: TAINT_TOLERATION, reasons: [untoleratedTaintReason(taint)], unresolvable: true };
  }

  /** Never skips (as upstream): with no PreferNoSchedule taint anywhere every node gets 100. */
  preScore(state: CycleState, pod: Pod): boolean {
    state.set(PRE_SCORE_KEY, preferNoScheduleTolerations(pod.spec.tolerations));
    return true;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const taints = nodeInfo.node.taints;
    if (taints.length === 0) return 0;
    const tolerations = (state.get(PRE_SCORE_KEY) as Toleration[] | undefined) ?? preferNoScheduleTolerations(pod.spec.tolerations);
    return countUntoleratedPreferNoSchedule(taints, tolerations);
  }

  scoreAll(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < feasible.length; i++) out[i] = feasible[i].node.taints.length === 0 ? 0 : this.score(state, pod, feasible[i]);
  }

  normalize(_state: CycleState, _pod: Pod, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}

export const taintToleration = new TaintToleration();
