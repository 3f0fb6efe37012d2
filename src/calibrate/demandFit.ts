// The demand of a workload fitted to capsim's own patterns (src/workload/demand.ts), so that a
// forecast is a scenario a person can read and edit (issue 16 item 6):
//
//   demand(t) = C × (1 + a·cos(2π(h − peak)/24)) × (1 + (f − 1)·w(t)) × e^(k·days) × noise
//
// h the UTC hour of day, w(t) the weekend weight with demand.ts's one-hour ramps (0 on
// weekdays, 1 on Saturday and Sunday), days since the window start, (1 + g) = e^k.
//
// Fitted by weighted least squares on the observed steps (Gauss–Newton on C, A = a·cos(peak),
// B = a·sin(peak), f and k; a few rounds of Huber weights, cut-off 1.345 robust standard
// deviations, so that a burst or a flash sale does not bend the daily curve). A pattern is
// fitted only when the window can show it, and the fit says why not otherwise:
//   daily   a window of at least 24 h
//   weekly  weekend hours and weekday hours both in the window
//   growth  a window of at least 7 days: over fewer, a day of noise or a quieter weekday reads as
//           a trend, and a forecast compounds it (+1.4%/day fitted to two flat days is +50% a month)
//   noise   cv = the coefficient of variation of observed / fitted
// The constant is anchored at the window's end: C × (1 + g)^(window days), the fitted level
// (without the daily and weekly factors) where the forecast starts, so the forecast continues
// the series rather than restarting from its first day.
import { WEEKEND_RAMP_MS } from '../workload/demand.ts';
import { goodness, meanCv, poorFit, type Goodness } from './goodness.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05T00:00Z was a Monday. */
const FIRST_MONDAY_MS = 4 * DAY_MS;
const HUBER = 1.345;

export interface DemandModel {
  /** Units/s at the window's end, without the daily and weekly factors. */
  constant: number;
  daily: { amplitude: number; peakAt: string } | null;
  weekly: { weekendFactor: number } | null;
  growth: { perDay: number } | null;
  noise: { cv: number } | null;
  /** Why a pattern is not in the model, one sentence each. */
  notFitted: string[];
  /** The noise-free model against the observed steps. */
  goodness: Goodness;
  warnings: string[];
}

/** Weekend weight at epoch ms (demand.ts's weekly ramp: 0 weekdays, 1 weekend, linear across midnight ± 30 min). */
export function weekendWeight(epochMs: number): number {
  const weekMs = (((epochMs - FIRST_MONDAY_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS;
  const half = WEEKEND_RAMP_MS / 2;
  const saturday = 5 * DAY_MS;
  if (weekMs < half) return 0.5 - weekMs / WEEKEND_RAMP_MS;
  if (weekMs < saturday - half) return 0;
  if (weekMs < saturday + half) return 0.5 + (weekMs - saturday) / WEEKEND_RAMP_MS;
  if (weekMs < WEEK_MS - half) return 1;
  return 0.5 + (WEEK_MS - weekMs) / WEEKEND_RAMP_MS;
}

interface Point {
  d: number;
  cos: number;
  sin: number;
  w: number;
  days: number;
}

/** Solves the n×n system M·x = v (Gaussian elimination with partial pivoting); null if singular. */
function solve(M: number[][], v: number[]): number[] | null {
  const n = v.length;
  const a = M.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (!(Math.abs(a[p][c]) > 1e-300)) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/** Parameters: [C, A, B, f, k]; `free` says which are fitted (the others keep their value). */
function model(p: number[], x: Point): number {
  return p[0] * (1 + p[1] * x.cos + p[2] * x.sin) * (1 + (p[3] - 1) * x.w) * Math.exp(p[4] * x.days);
}

/** The model's partial derivatives at x, into `g`; returns the model's value. */
function gradient(p: number[], x: Point, g: Float64Array): number {
  const daily = 1 + p[1] * x.cos + p[2] * x.sin;
  const weekly = 1 + (p[3] - 1) * x.w;
  const growth = Math.exp(p[4] * x.days);
  const m = p[0] * daily * weekly * growth;
  g[0] = daily * weekly * growth;
  g[1] = p[0] * x.cos * weekly * growth;
  g[2] = p[0] * x.sin * weekly * growth;
  g[3] = p[0] * daily * x.w * growth;
  g[4] = m * x.days;
  return m;
}

function fitParameters(points: Point[], free: boolean[], initial: number[]): number[] {
  let p = [...initial];
  const idx = free.map((f, i) => (f ? i : -1)).filter((i) => i >= 0);
  let weights = points.map(() => 1);
  const g = new Float64Array(5);
  for (let round = 0; round < 4; round++) {
    for (let iter = 0; iter < 30; iter++) {
      const M = idx.map(() => idx.map(() => 0));
      const v = idx.map(() => 0);
      for (let j = 0; j < points.length; j++) {
        const r = points[j].d - gradient(p, points[j], g);
        const wt = weights[j];
        for (let a = 0; a < idx.length; a++) {
          v[a] += wt * g[idx[a]] * r;
          for (let b = 0; b < idx.length; b++) M[a][b] += wt * g[idx[a]] * g[idx[b]];
        }
      }
      const step = solve(M, v);
      if (!step) break;
      const next = [...p];
      idx.forEach((i, a) => (next[i] += step[a]));
      const moved = idx.reduce((s, i, a) => Math.max(s, Math.abs(step[a]) / Math.max(1e-9, Math.abs(p[i]) + (i === 0 ? 0 : 1e-3))), 0);
      p = next;
      if (moved < 1e-7) break; // parameters settled to 7 digits
    }
    // Huber weights from the residuals of this round (robust scale: 1.4826 × MAD).
    const residuals = points.map((x) => x.d - model(p, x));
    const abs = residuals.map(Math.abs).sort((a, b) => a - b);
    const scale = 1.4826 * abs[abs.length >> 1];
    if (!(scale > 0)) break;
    weights = residuals.map((r) => (Math.abs(r) <= HUBER * scale ? 1 : (HUBER * scale) / Math.abs(r)));
  }
  return p;
}

function clock(hours: number): string {
  let minutes = Math.round((((hours % 24) + 24) % 24) * 60) % (24 * 60);
  const h = Math.floor(minutes / 60);
  minutes -= h * 60;
  return `${String(h).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * `times` in Unix seconds, `values` the demand at each (null: not observed). `workload` names
 * it in warnings. `endSeconds` is the window's end, where the forecast starts.
 */
export function fitDemand(workload: string, times: readonly number[], values: readonly (number | null)[], startSeconds: number, endSeconds: number): DemandModel {
  const points: Point[] = [];
  let weekend = false;
  let weekday = false;
  for (let i = 0; i < times.length; i++) {
    const d = values[i];
    if (d === null || d === undefined || !Number.isFinite(d) || d < 0) continue;
    const ms = times[i] * 1000;
    const theta = (2 * Math.PI * (((ms % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS;
    const w = weekendWeight(ms);
    if (w === 1) weekend = true;
    if (w === 0) weekday = true;
    points.push({ d, cos: Math.cos(theta), sin: Math.sin(theta), w, days: (times[i] - startSeconds) / 86_400 });
  }
  const spanDays = (endSeconds - startSeconds) / 86_400;
  const notFitted: string[] = [];
  const warnings: string[] = [];
  const fitDaily = spanDays >= 1;
  const fitWeekly = weekend && weekday;
  const fitGrowth = spanDays >= 7;
  if (!fitDaily) notFitted.push(`daily: not fitted, the window is ${(spanDays * 24).toFixed(1)} h (a daily cycle needs at least 24 h)`);
  if (!fitWeekly) notFitted.push(`weekly: not fitted, the window holds ${weekend ? 'no weekday' : 'no weekend'} hours (a weekend factor needs both)`);
  if (!fitGrowth) notFitted.push(`growth: not fitted, the window is ${spanDays.toFixed(1)} days (a trend needs at least 7: a shorter one compounds a day's noise into the forecast)`);
  const mean = points.reduce((s, x) => s + x.d, 0) / Math.max(1, points.length);
  if (points.length < 3 || !(mean > 0)) {
    return {
      constant: Math.max(0, mean || 0), daily: null, weekly: null, growth: null, noise: null,
      notFitted: [`${points.length < 3 ? `only ${points.length} observed steps` : 'the demand is 0 throughout'}: a constant only`],
      goodness: goodness(points.map((x) => x.d), points.map(() => Math.max(0, mean || 0))), warnings,
    };
  }
  let p = fitParameters(points, [true, fitDaily, fitDaily, fitWeekly, fitGrowth], [mean, 0, 0, 1, 0]);
  if (!p.every(Number.isFinite) || !(p[0] > 0)) {
    // Least squares went astray (a series no pattern comes near): the mean level, said.
    warnings.push(`${workload}: the demand could not be fitted to capsim's patterns; the forecast uses its mean level ${mean.toPrecision(4)} only`);
    p = [mean, 0, 0, 1, 0];
  }
  let amplitude = Math.hypot(p[1], p[2]);
  if (amplitude > 1) {
    warnings.push(`${workload}: the fitted daily amplitude ${amplitude.toFixed(2)} is over 1 (demand would go below 0 at the trough): written as 1`);
    amplitude = 1;
  }
  const peakHours = (Math.atan2(p[2], p[1]) * 24) / (2 * Math.PI);
  const weekendFactor = Math.max(0, p[3]);
  const perDay = Math.exp(p[4]) - 1;
  const fitted = points.map((x) => Math.max(0, model(p, x)));
  const g = goodness(points.map((x) => x.d), fitted);
  const ratio = points.map((x, j) => (fitted[j] > 0 ? x.d / fitted[j] : 1));
  const cv = meanCv(ratio).cv;
  const poor = poorFit(g, cv > 0);
  if (poor) warnings.push(`${workload}: the demand does not follow capsim's patterns well (${poor}; bursts, a shape the daily and weekly patterns cannot draw): the forecast's demand is a smoothed guess, read it with that error`);
  return {
    constant: p[0] * Math.exp(p[4] * spanDays),
    daily: fitDaily ? { amplitude, peakAt: clock(peakHours) } : null,
    weekly: fitWeekly ? { weekendFactor } : null,
    growth: fitGrowth ? { perDay } : null,
    noise: { cv },
    notFitted,
    goodness: g,
    warnings,
  };
}
