// A memory leak from workload totals. The engine's leak is leakPerHour × hours since each
// container started; a workload's series does not say when its pods started, so their ages are
// not observed. What can be seen honestly: within a run of consecutive steps where N does not
// change (no pod added or removed, as far as the totals tell), every pod gets older at the same
// rate, so a leak shows as a steady rise of the per-pod residual (observed − fitted) over time.
//
// The estimate: the runs are cut into chunks of CHUNK_HOURS (a chunk needs MIN_CHUNK_POINTS
// points over at least an hour); each chunk gives the Theil–Sen slope of its residuals on time
// (a restart, e.g. an OOM kill, drops the residual once within a chunk: a robust slope follows
// the rise on either side of the drop); the leak is the median chunk slope. It is put in the
// model only when it is significant: the median slope positive and a sign test over the chunks
// (are more of them rising than chance would give?) at the 1% level, which needs at least 7
// chunks (7 of 7 rising: p = 0.8%). Chunks, not points, are the units of the test: the
// residuals of neighbouring steps are correlated (smooth noise, a slow drift), which a
// per-point test would count as independent evidence.
import { medianOf, robustLine } from './robustLine.ts';

export const CHUNK_HOURS = 6;
export const MIN_CHUNK_POINTS = 12;
export const MIN_CHUNKS = 7;
/** Bins of a chunk's robust slope (robustLine.ts). */
const CHUNK_BINS = 60;
/** Level of the one-sided sign test. */
export const SIGN_TEST_LEVEL = 0.01;

export interface LeakEstimate {
  /** Bytes per hour per pod, or 0 when not significant. */
  perHour: number;
  /** Whether it is in the model. */
  fitted: boolean;
  chunks: number;
  /** The median slope found, bytes per hour (also when not significant). */
  slope: number;
  /** One sentence: what was found and why it is in the model or not. */
  note: string;
  /** The spread of the residual around each chunk's own line, relative to the fitted level
   *  (1.4826 × median absolute deviation: a restart's drop does not count): the memory noise
   *  once the leak's rise is taken out. */
  detrendedCv: number;
}

/**
 * `steps` (increasing step indices), `n` (N at each), `residual` (per-pod observed − fitted):
 * the leak per pod and hour.
 */
export function estimateLeak(steps: readonly number[], n: readonly number[], residual: readonly number[], level: readonly number[], stepSeconds: number): LeakEstimate {
  const perChunk = Math.max(MIN_CHUNK_POINTS, Math.round((CHUNK_HOURS * 3600) / stepSeconds));
  const minSpanHours = 1;
  const slopes: number[] = [];
  const deviations: number[] = [];
  let from = 0;
  const flush = (to: number) => {
    // the run [from, to) of consecutive steps with one N, cut into chunks of perChunk points
    for (let a = from; a < to; a += perChunk) {
      const b = Math.min(to, a + perChunk);
      if (b - a < MIN_CHUNK_POINTS || ((steps[b - 1] - steps[a]) * stepSeconds) / 3600 < minSpanHours) continue;
      const line = robustLine(steps.slice(a, b), residual.slice(a, b), CHUNK_BINS);
      if (!line.identified) continue;
      slopes.push(line.slope * (3600 / stepSeconds));
      for (let k = a; k < b; k++) if (level[k] > 0) deviations.push((residual[k] - line.intercept - line.slope * steps[k]) / level[k]);
    }
  };
  for (let k = 1; k <= steps.length; k++) {
    if (k === steps.length || steps[k] !== steps[k - 1] + 1 || n[k] !== n[k - 1]) {
      flush(k);
      from = k;
    }
  }
  const sorted = [...slopes].sort((a, b) => a - b);
  const m = sorted.length;
  const median = m === 0 ? 0 : m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
  const detrendedCv = deviations.length > 0 ? 1.4826 * medianAbs(deviations) : 0;
  const positive = slopes.filter((s) => s > 0).length;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)}Mi`;
  if (m < MIN_CHUNKS) {
    return { perHour: 0, fitted: false, chunks: m, slope: median, detrendedCv, note: `not fitted: ${m} stretch${m === 1 ? '' : 'es'} of ${CHUNK_HOURS} h with constant replicas (at least ${MIN_CHUNKS} are needed to tell a leak from noise); leak 0` };
  }
  const p = signTest(positive, m);
  const significant = median > 0 && p < SIGN_TEST_LEVEL;
  if (!significant) {
    return { perHour: 0, fitted: false, chunks: m, slope: median, detrendedCv, note: `not significant: the per-pod memory residual moves ${mib(median)}/h (median of ${m} stretches of ${CHUNK_HOURS} h with constant replicas, ${positive} rising, sign test p = ${p.toPrecision(2)}); leak 0` };
  }
  return { perHour: median, fitted: true, chunks: m, slope: median, detrendedCv, note: `fitted: the per-pod memory residual rises ${mib(median)}/h (median of ${m} stretches of ${CHUNK_HOURS} h with constant replicas, ${positive} rising, sign test p = ${p.toPrecision(2)})` };
}

/** P(at least k of n fair coin flips come up heads): the one-sided sign test. */
export function signTest(k: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, 0)
  for (let j = 0; j <= n; j++) {
    if (j >= k) p += c;
    c = (c * (n - j)) / (j + 1);
  }
  return p / 2 ** n;
}

/** Median of |v − median(v)|. */
function medianAbs(values: number[]): number {
  const center = medianOf(values);
  return medianOf(values.map((v) => Math.abs(v - center)));
}
