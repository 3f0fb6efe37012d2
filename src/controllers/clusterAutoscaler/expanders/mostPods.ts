// expander/mostpods: keep the options that schedule the most pending pods.
import type { ExpanderFilter } from './strategy.ts';
import { lowest } from './strategy.ts';

export const mostPods: ExpanderFilter = (options) => lowest(options, (o) => -o.pods.length);
