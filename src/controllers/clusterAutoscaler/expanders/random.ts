// expander/random: a uniform pick (rand.Int31n), here from the autoscaler's seeded stream.
import type { ExpanderFilter } from './strategy.ts';

export const random: ExpanderFilter = (options, context) => (options.length === 0 ? [] : [options[context.random.int(options.length)]]);
