// NodeAffinity (upstream framework/plugins/nodeaffinity/node_affinity.go, v1.31).
// Filter: spec.nodeSelector AND required node affinity (reference/k8s-algorithms.md §4.3).
// Score: Σ weights of the matching preferred terms, normalised 100*raw/max (§4.4).
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { NodeMatcher, WeightedNodeMatcher } from '../../model/nodeSelector.ts';
import { compilePreferredSchedulingTerms, compileRequiredNodeAffinity } from '../../model/nodeSelector.ts';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

const PRE_FILTER_KEY = 'PreFilter' + NODE_AFFINITY;
const PRE_SCORE_KEY = 'PreScore' + NODE_AFFINITY;

const FAILURE: FilterFailure = Object.freeze({
  plugin: NODE_AFFINITY,
  reasons: Object.freeze([ERR_REASON_NODE_AFFINITY]) as string[],
  unresolvable: true,
});

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;

  /** Skips pods without nodeSelector and without required node affinity. */
  preFilter(state: CycleState, pod: Pod): boolean {
    const required = compileRequiredNodeAffinity(pod);
    if (required === null) return false;
    state.set(PRE_FILTER_KEY, required);
    return true;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    // Upstream falls back to computing the selector when PreFilter did not run.
    const required = (state.get(PRE_FILTER_KEY) as NodeMatcher | null | undefined) ?? compileRequiredNodeAffinity(pod);
    if (required === null || required(nodeInfo.node)) return null;
    return FAILURE;
  }

  /** Skips pods without preferred node affinity terms. */
  preScore(state: CycleState, pod: Pod): boolean {
    const preferred = compilePreferredSchedulingTerms(
      pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    );
    if (preferred.length === 0) return false;
    state.set(PRE_SCORE_KEY, preferred);
    return true;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const preferred = (state.get(PRE_SCORE_KEY) as WeightedNodeMatcher[] | undefined)
      ?? compilePreferredSchedulingTerms(pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    let raw = 0;
    for (let i = 0; i < preferred.length; i++) if (preferred[i].matches(nodeInfo.node)) raw += preferred[i].weight;
    return raw;
  }

  normalize(_state: CycleState, _pod: Pod, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

export const nodeAffinity = new NodeAffinity();

/** helper.DefaultNormalizeScore (framework/plugins/helper/normalize_score.go): scales raw scores
 *  to 0..maxPriority by the largest (int64 division), optionally reversed. When every score is 0
 *  they stay 0, or all become maxPriority when reversed. Shared with TaintToleration. */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: number[]): void {
  let maxCount = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > maxCount) maxCount = scores[i];
  if (maxCount === 0) {
    if (reverse) scores.fill(maxPriority);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const score = Math.trunc((maxPriority * scores[i]) / maxCount);
    scores[i] = reverse ? maxPriority - score : score;
  }
}
