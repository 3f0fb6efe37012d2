// A straight line y = intercept + slope × x fitted robustly: the Theil–Sen estimator (mljs's
// ml-regression-theil-sen), the median of the slopes of every pair of points, then the median
// of y − slope × x. Chosen over least squares because a usage series has bursts, scrape gaps
// and restarts: up to 29% of the points can be arbitrarily wrong before Theil–Sen moves
// (its breakdown point), with no tuning constant to pick (Huber's IRLS needs a scale and a
// cut-off) and a result that does not depend on starting values.
//
// Theil–Sen looks at n(n−1)/2 pairs (the library also allocates n² slots): a week at 1 minute
// (10,080 points) would be 50 million slopes. Above MAX_POINTS the points are binned
// deterministically first: sorted by x (ties by position), cut into MAX_POINTS bins of equal
// count, each bin replaced by its median x and median y. A bin median is itself robust, and a
// line through bin medians has the line's slope when the noise is symmetric; 10,080 points fit
// in a few milliseconds.
import { TheilSenRegression } from 'ml-regression-theil-sen';

/** Bins above this many points (about 80,000 pairs). */
export const MAX_POINTS = 400;

export interface Line {
  intercept: number;
  slope: number;
  /** False when x hardly varies (range under 1% of its mean level): the slope cannot be told
   *  from the intercept, so the slope is 0 and the intercept the median y. */
  identified: boolean;
}

function median(sorted: Float64Array | number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

export function medianOf(values: ArrayLike<number>): number {
  return median(Float64Array.from(values).sort());
}

/** The points, binned by x when there are more than `maxPoints`. */
export function binned(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = MAX_POINTS): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y) };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const bx: number[] = [];
  const by: number[] = [];
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor((b * n) / maxPoints);
    const to = Math.floor(((b + 1) * n) / maxPoints);
    const xs = new Float64Array(to - from);
    const ys = new Float64Array(to - from);
    for (let k = from; k < to; k++) {
      xs[k - from] = x[order[k]];
      ys[k - from] = y[order[k]];
    }
    bx.push(median(xs.sort()));
    by.push(median(ys.sort()));
  }
  return { x: bx, y: by };
}

export function robustLine(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = MAX_POINTS): Line {
  const n = x.length;
  if (n === 0) return { intercept: NaN, slope: NaN, identified: false };
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
    sum += Math.abs(x[i]);
  }
  if (n < 3 || !(hi - lo > 0.01 * (sum / n))) return { intercept: medianOf(y), slope: 0, identified: false };
  const b = binned(x, y, maxPoints);
  const fit = new TheilSenRegression(b.x, b.y);
  if (!Number.isFinite(fit.slope)) return { intercept: medianOf(y), slope: 0, identified: false };
  return { intercept: fit.intercept, slope: fit.slope, identified: true };
}

/** z of a two-sided 95% interval. */
const Z95 = 1.959964;

/**
 * The 95% confidence interval of the Theil–Sen slope, distribution-free (Sen 1968; Hollander &
 * Wolfe, Nonparametric Statistical Methods, §9.4): of the N = n(n−1)/2 pairwise slopes sorted,
 * those at ranks (N − C)/2 and (N + C)/2 + 1, C = z·√(n(n−1)(2n+5)/18), on the same (binned)
 * points as the line. It is what tells a per-unit cost measured from the data apart from one the
 * data cannot pin down: with an HPA holding each pod near its target, the load per pod may vary
 * too little for the slope to stand out of the noise, and a what-if that moves the load per pod
 * (another HPA target) would then extrapolate from a guess.
 */
export function slopeInterval(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = MAX_POINTS): [number, number] | null {
  const b = binned(x, y, maxPoints);
  const n = b.x.length;
  if (n < 3) return null;
  const all = new Float64Array((n * (n - 1)) / 2);
  let N = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = b.x[j] - b.x[i];
      if (dx !== 0) all[N++] = (b.y[j] - b.y[i]) / dx;
    }
  }
  if (N < 3) return null;
  const slopes = all.subarray(0, N).sort(); // a typed array sorts numerically, and fast
  const C = Z95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lower = Math.max(0, Math.round((N - C) / 2) - 1);
  const upper = Math.min(N - 1, Math.round((N + C) / 2));
  return [slopes[lower], slopes[upper]];
}
