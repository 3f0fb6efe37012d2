// expander/mostpods: keep the options that schedule the most pending pods.
import type { ExpanderFilter } from './expander.ts';
import { lowest } from './expander.ts';

export const mostPods: ExpanderFilter = (options) => lowest(options, (o) => -o.pods.length);
