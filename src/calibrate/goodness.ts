// Goodness of a fit: R² and MAPE of fitted against observed values, and the thresholds under
// which a fit is called poor (a warning naming the workload).
//
//   R²   = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²        over every point used; 1 is a perfect fit, 0 is no
//                                           better than the mean, negative is worse than it.
//                                           A series that does not vary (Σ(y − ȳ)² ≈ 0) has no R²
//                                           (null): only the MAPE says how close the fit is.
//   MAPE = 100 × mean(|y − ŷ| / |y|)        in percent, over the points whose observed value is
//                                           not ~0: |y| > 1% of the mean |y| (and > 0). A step
//                                           where almost nothing is used or asked would divide
//                                           by ~0 and swamp the mean; those steps are left out of
//                                           the MAPE only (counted in `mapeLeftOut`), not of R².
// Poor: MAPE over 20%, or R² under 0.8 (for memory, whose model has a noise term, only with a
// MAPE over 5%: see LOW_MAPE_PCT).

/** A fit is poor below this R² (when its MAPE is over LOW_MAPE_PCT) ... */
export const POOR_R2 = 0.8;
/** ... or above this MAPE (percent). */
export const POOR_MAPE_PCT = 20;
/** For a model with a noise term (memory), a low R² with a MAPE at most this (percent) is a
 *  series that hardly follows the load, fitted within a few percent everywhere: its spread is the
 *  model's own noise, so R² is small because there is little to explain, not because the fit is
 *  off. A model without noise (CPU, demand) has no such excuse: bursts lower R² while the MAPE,
 *  relative to the burst, stays small. */
export const LOW_MAPE_PCT = 5;
/** An observed value at most this fraction of the mean |value| counts as ~0 for the MAPE. */
export const NEAR_ZERO_FRACTION = 0.01;

export interface Goodness {
  /** null when the observed values do not vary. */
  r2: number | null;
  /** null when every observed value is ~0. */
  mapePct: number | null;
  /** Points compared. */
  n: number;
  /** Points left out of the MAPE because the observed value is ~0. */
  mapeLeftOut: number;
}

export function goodness(observed: ArrayLike<number>, fitted: ArrayLike<number>): Goodness {
  const n = observed.length;
  let sum = 0;
  let sumAbs = 0;
  for (let i = 0; i < n; i++) {
    sum += observed[i];
    sumAbs += Math.abs(observed[i]);
  }
  const mean = n > 0 ? sum / n : 0;
  const floor = n > 0 ? (NEAR_ZERO_FRACTION * sumAbs) / n : 0;
  let ssRes = 0;
  let ssTot = 0;
  let ape = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const y = observed[i];
    const e = y - fitted[i];
    ssRes += e * e;
    ssTot += (y - mean) * (y - mean);
    if (Math.abs(y) > floor && y !== 0) {
      ape += Math.abs(e / y);
      counted++;
    }
  }
  // "Does not vary": the spread is below a part in a million of the level (rounding of the
  // exported integers), where R² would be the ratio of two round-off errors.
  const still = ssTot <= 1e-12 * Math.max(1, mean * mean) * Math.max(1, n);
  return {
    r2: n === 0 || still ? null : 1 - ssRes / ssTot,
    mapePct: counted === 0 ? null : (100 * ape) / counted,
    n,
    mapeLeftOut: n - counted,
  };
}

/** Why a fit is poor, in words, or null when it is not. `noiseModelled`: the model has a noise
 *  term fitted to the spread (memory), see LOW_MAPE_PCT. */
export function poorFit(g: Goodness, noiseModelled = false): string | null {
  const why: string[] = [];
  const excused = noiseModelled && g.mapePct !== null && g.mapePct <= LOW_MAPE_PCT;
  if (g.r2 !== null && g.r2 < POOR_R2 && !excused) why.push(`R² ${g.r2.toFixed(2)} < ${POOR_R2}`);
  if (g.mapePct !== null && g.mapePct > POOR_MAPE_PCT) why.push(`MAPE ${g.mapePct.toFixed(1)}% > ${POOR_MAPE_PCT}%`);
  return why.length > 0 ? why.join(', ') : null;
}

/** R² for a table: 3 decimals, or "–" when there is none. */
export function showR2(r2: number | null): string {
  return r2 === null ? '–' : r2.toFixed(3);
}

export function showMape(mapePct: number | null): string {
  return mapePct === null ? '–' : `${mapePct.toFixed(1)}%`;
}

/** Mean and coefficient of variation (std / |mean|) of a list; cv 0 for fewer than 2 values. */
export function meanCv(values: ArrayLike<number>): { mean: number; cv: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, cv: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  if (n < 2 || mean === 0) return { mean, cv: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
  return { mean, cv: Math.sqrt(ss / (n - 1)) / Math.abs(mean) };
}
