// expander/priority: the ConfigMap cluster-autoscaler-priority-expander maps priorities to
// regular expressions over node-group ids (here, pool names). The options of the highest tier
// that matches anything are kept; if no tier matches any option, every option passes.
import type { ExpanderFilter } from './strategy.ts';

export const priority: ExpanderFilter = (options, context) => {
  for (const tier of context.priorities) {
    const matched = options.filter((o) => tier.patterns.some((re) => re.test(o.pool.name)));
    if (matched.length > 0) return matched;
  }
  return options.slice();
};
