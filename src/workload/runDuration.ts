// How long a Job's pod runs once its containers start (behavior `run.duration`, DESIGN §2): a
// fixed time, or a draw from an exponential or lognormal distribution, in integer milliseconds.
// Each workload draws from its own stream `run/<Kind/namespace/name>`, so adding a workload never
// shifts another's durations.
import type { RandomStream } from '../engine/random.ts';
import type { RunDuration } from '../model/scenario.ts';

/** A Job (or CronJob) pod with no `run:` behaviour runs this long: one minute, a round figure for
 *  a short batch step; give `run:` for anything that matters. */
export const DEFAULT_RUN_MS = 60_000;

export function sampleRunDurationMs(duration: RunDuration, stream: RandomStream): number {
  if ('fixedMs' in duration) return duration.fixedMs;
  if ('exponential' in duration) return Math.round(stream.exponential(duration.exponential.meanMs));
  // lognormal: median · exp(sigma · N(0,1)), so half the runs are shorter than the median.
  const { medianMs, sigma } = duration.lognormal;
  return Math.round(medianMs * Math.exp(sigma * stream.normal()));
}
