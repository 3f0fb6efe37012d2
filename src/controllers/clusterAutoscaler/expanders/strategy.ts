// What every expander implements (cluster-autoscaler expander/expander.go, reference/
// k8s-algorithms.md §3.4): given the node groups that could help the pending pods, a filter keeps
// the ones it likes best. Each strategy is one file beside this one; expander.ts names them and
// chains them.
import type { RandomStream } from '../../../engine/random.ts';
import type { NodePool } from '../../../model/scenario.ts';
import type { Node } from '../../../model/node.ts';
import type { Pod } from '../../../model/pod.ts';

/** expander.Option: scale `pool` up by `nodeCount` nodes like `template`, which helps `pods`. */
export interface Option {
  pool: NodePool;
  nodeCount: number;
  pods: readonly Pod[];
  template: Node;
}

export interface ExpanderContext {
  random: RandomStream;
  /** Nodes in the cluster now (the price expander's preferred node size depends on it). */
  clusterNodes: number;
  /** The priority expander's tiers, highest first. */
  priorities: readonly { priority: number; patterns: readonly RegExp[] }[];
}

/** expander.Filter: the best of the options by one criterion (never empty for a non-empty input). */
export type ExpanderFilter = (options: readonly Option[], context: ExpanderContext) => Option[];

/** The options with the lowest score (ties kept together, as the upstream filters do). */
export function lowest(options: readonly Option[], score: (o: Option) => number): Option[] {
  let best = Infinity;
  let kept: Option[] = [];
  for (const option of options) {
    const s = score(option);
    if (s < best) {
      best = s;
      kept = [option];
    } else if (s === best) kept.push(option);
  }
  return kept;
}
