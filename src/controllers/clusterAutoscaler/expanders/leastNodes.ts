// expander/leastnodes: keep the options that add the fewest nodes.
import type { ExpanderFilter } from './strategy.ts';
import { lowest } from './strategy.ts';

export const leastNodes: ExpanderFilter = (options) => lowest(options, (o) => o.nodeCount);
