// Expanders (cluster-autoscaler expander/, reference/k8s-algorithms.md §3.4): given the node
// groups that could help the pending pods, each filter keeps the ones it likes best. --expander
// is a comma-separated chain; a single survivor is chosen at once, and whatever is left at the
// end of the chain is decided by the random expander.
import type { RandomStream } from '../../../engine/random.ts';
import type { NodePool } from '../../../model/scenario.ts';
import type { Node } from '../../../model/node.ts';
import type { Pod } from '../../../model/pod.ts';
import { leastNodes } from './leastNodes.ts';
import { leastWaste } from './leastWaste.ts';
import { mostPods } from './mostPods.ts';
import { price } from './price.ts';
import { priority } from './priority.ts';
import { random } from './random.ts';

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

const FILTERS: Record<string, ExpanderFilter> = {
  random,
  'most-pods': mostPods,
  'least-nodes': leastNodes,
  'least-waste': leastWaste,
  price,
  priority,
};

/** The chain named by --expander (e.g. ["priority", "least-waste"]) picks one option. */
export function expand(chain: readonly string[], options: readonly Option[], context: ExpanderContext): Option | null {
  let left: readonly Option[] = options;
  for (const name of chain) {
    if (left.length <= 1) break;
    const filter = FILTERS[name];
    if (!filter) throw new Error(`unknown expander ${name}`);
    left = filter(left, context);
  }
  if (left.length === 0) return null;
  return left.length === 1 ? left[0] : random(left, context)[0];
}

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
