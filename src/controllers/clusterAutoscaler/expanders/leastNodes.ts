// expander/leastnodes: keep the options that add the fewest nodes.
import type { ExpanderFilter } from './expander.ts';
import { lowest } from './expander.ts';

export const leastNodes: ExpanderFilter = (options) => lowest(options, (o) => o.nodeCount);
