// The --expander chain (cluster-autoscaler expander/factory): a comma-separated list of
// strategies, each keeping the options it likes best; a single survivor is chosen at once, and
// whatever is left at the end of the chain is decided by the random expander. The registry is a
// Record over the scenario's expander names (model/scenario.ts), so a name without a strategy,
// or a strategy without a name, does not compile.
import type { ExpanderName } from '../../../model/scenario.ts';
import type { ExpanderContext, ExpanderFilter, Option } from './strategy.ts';
import { leastNodes } from './leastNodes.ts';
import { leastWaste } from './leastWaste.ts';
import { mostPods } from './mostPods.ts';
import { price } from './price.ts';
import { priority } from './priority.ts';
import { random } from './random.ts';

/** The interface's Option, for the scale-up that builds the options. */
export type { Option } from './strategy.ts';

const FILTERS: Record<ExpanderName, ExpanderFilter> = {
  random,
  'most-pods': mostPods,
  'least-nodes': leastNodes,
  'least-waste': leastWaste,
  price,
  priority,
};

/** The chain named by --expander (e.g. ["priority", "least-waste"]) picks one option. */
export function expand(chain: readonly ExpanderName[], options: readonly Option[], context: ExpanderContext): Option | null {
  let left: readonly Option[] = options;
  for (const name of chain) {
    if (left.length <= 1) break;
    left = FILTERS[name](left, context);
  }
  if (left.length === 0) return null;
  return left.length === 1 ? left[0] : random(left, context)[0];
}
