// NodeResourcesBalancedAllocation (noderesources/balanced_allocation.go): favours nodes whose cpu
// and memory would be equally used. Real requests, fractions capped at 1,
// score = int((1 - std) * 100); with two resources std = |f1 - f2| / 2 (reference §4.4).
// A pod requesting no cpu and no memory is not scored at all (PreScore Skip, since v1.33:
// kubernetes#130260, so best-effort pods do not all pile onto the most balanced node).
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { CycleState, ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';

export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';

  /** isBestEffortPod over the plugin's resources (cpu, memory), real requests. */
  preScore(_state: CycleState, pod: Pod): boolean {
    return pod.requests.cpuMilli !== 0 || pod.requests.memoryBytes !== 0;
  }

  /** balancedScore of the cpu and memory fractions, without building the array (a hot path):
   *  with fewer than two resources allocatable the deviation is 0 and the score 100. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const alloc = nodeInfo.node.allocatable;
    if (!(alloc.cpuMilli > 0) || !(alloc.memoryBytes > 0)) return MAX_NODE_SCORE;
    const cpu = Math.min(1, (nodeInfo.requested.cpuMilli + pod.requests.cpuMilli) / alloc.cpuMilli);
    const memory = Math.min(1, (nodeInfo.requested.memoryBytes + pod.requests.memoryBytes) / alloc.memoryBytes);
    return Math.trunc((1 - Math.abs((cpu - memory) / 2)) * MAX_NODE_SCORE);
  }

  scoreAll(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < feasible.length; i++) out[i] = this.score(state, pod, feasible[i]);
  }
}

export function balancedScore(fractions: readonly number[]): number {
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
