// Demand: the load offered to one workload over time, from its `demand:` patterns (DESIGN §2).
//
//   demand(t) = max(0, base(t) × Π factor_i(t))      t = simulation time, ms since spec.start
//
// base(t) is the sum of the `constant` values and of the `trace` values at t. A trace replays a
// measured series: linear interpolation between its points, held flat at the first value before
// the first point and at the last value after the last point. No constant and no trace: base 0,
// no demand. Every other pattern is a factor, and all factors multiply (two dailies, two spikes
// ... multiply too). Clock times are UTC (spec.start is UTC):
//
//   daily   {amplitude a, peakAt "HH:MM"}  1 + a·cos(2π·(h − h_peak)/24), h = hour of day of
//                                          start + t, fractional (14:30 is 14.5)
//   weekly  {weekendFactor f}              f on Saturday and Sunday, 1 on weekdays, with a linear
//                                          ramp over one hour centred on each midnight where it
//                                          changes (Fri 23:30 → Sat 00:30 goes 1 → f, Sun 23:30 →
//                                          Mon 00:30 goes f → 1; exactly (1+f)/2 at midnight)
//   growth  {perDay g}                     (1 + g)^(t / 1 day), compounding continuously
//   spike   {at, duration, factor k}       k for at <= t < at + duration, 1 otherwise
//   noise   {cv}                           max(0, 1 + cv·z(t)), z a smooth standard normal process
//
// Noise process z: independent N(0,1) knots every 5 minutes from t = 0 to past the end of the
// run, drawn in order from the workload's stream when the demand is built (each noise pattern
// draws its own knots, in pattern order), so a value never depends on which times are asked
// for or in which order. Between knots z_j and z_j+1 the process is the cosine interpolation
// (1−w)·z_j + w·z_j+1, w = (1 − cos(π·u))/2 for u ∈ [0,1) across the 5 minutes, divided by
// √((1−w)² + w²): a weighted sum of two independent N(0,1) is normal with that variance, so the
// rescaled z is exactly N(0,1) at every t (not only at knots) and cv is the coefficient of
// variation of the factor at any instant; the rescaling keeps z smooth (its slope is 0 at the
// knots). The mean of the factor is 1 except for the cut at 0, which only matters for cv ≳ 0.3
// (P(z < −1/cv) is 0.04% at cv = 0.3). Outside [0, end] z holds the edge knot's value.
//
// Demand is never negative. `constant` is true when at() can never change: the patterns are all
// constants, or there is no base (then demand is 0 throughout). at() allocates nothing.
import type { RandomStream } from '../engine/random.ts';
import type { DemandPattern } from '../model/scenario.ts';
import { traceSeries } from './trace.ts';

/** Offered load of one workload in units/s (e.g. requests per second) at simulation time t. */
export interface Demand {
  at(tMs: number): number;
  /** True when at() never changes (only constants, or no base at all). */
  readonly constant: boolean;
}

export interface DemandContext {
  /** spec.start as Unix epoch ms (UTC): anchors daily and weekly patterns. */
  startEpochMs: number;
  /** Length of the run: noise knots are drawn to cover it. */
  durationMs: number;
  /** The workload's own noise stream (one per workload, so workloads do not shift each other). */
  noise: RandomStream;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** Spacing of the noise process's independent knots. */
export const NOISE_KNOT_MS = 5 * MINUTE_MS;
/** Width of the weekday <-> weekend ramp, centred on midnight. */
export const WEEKEND_RAMP_MS = HOUR_MS;
/** Unix epoch 0 was a Thursday; 1970-01-05T00:00Z, 4 days later, a Monday. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

type Curve = (tMs: number) => number;

export function buildDemand(patterns: readonly DemandPattern[], ctx: DemandContext): Demand {
  let constantSum = 0;
  const traces: Curve[] = [];
  const factors: Curve[] = [];
  for (const p of patterns) {
    if ('constant' in p) constantSum += p.constant;
    else if ('trace' in p) traces.push(traceSeries(p.trace));
    else factors.push(factorOf(p, ctx)); // noise draws its knots here, in pattern order
  }
  if (traces.length === 0 && (factors.length === 0 || constantSum === 0)) {
    const value = Math.max(0, constantSum);
    return { constant: true, at: () => value };
  }
  const nTraces = traces.length;
  const nFactors = factors.length;
  return {
    constant: false,
    at: (tMs) => {
      let base = constantSum;
      for (let i = 0; i < nTraces; i++) base += traces[i](tMs);
      let demand = base;
      for (let i = 0; i < nFactors; i++) demand *= factors[i](tMs);
      return demand > 0 ? demand : 0;
    },
  };
}

type FactorPattern = Exclude<DemandPattern, { constant: number } | { trace: unknown }>;

function factorOf(p: FactorPattern, ctx: DemandContext): Curve {
  if ('daily' in p) return daily(p.daily.amplitude, clockMs(p.daily.peakAt), ctx.startEpochMs);
  if ('weekly' in p) return weekly(p.weekly.weekendFactor, ctx.startEpochMs);
  if ('growth' in p) return growth(p.growth.perDay);
  if ('spike' in p) return spike(p.spike.atMs, p.spike.durationMs, p.spike.factor);
  return noise(p.noise.cv, ctx.durationMs, ctx.noise);
}

/** "14:30" -> ms after midnight. */
function clockMs(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * HOUR_MS + m * MINUTE_MS;
}

/** Non-negative remainder. */
function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

function daily(amplitude: number, peakMs: number, startEpochMs: number): Curve {
  const phaseMs = mod(startEpochMs - peakMs, DAY_MS); // t + phase = time of day - peak time
  const radPerMs = (2 * Math.PI) / DAY_MS;
  return (tMs) => 1 + amplitude * Math.cos(mod(tMs + phaseMs, DAY_MS) * radPerMs);
}

function weekly(weekendFactor: number, startEpochMs: number): Curve {
  const offsetMs = mod(startEpochMs - FIRST_MONDAY_MS, WEEK_MS); // t + offset = ms since Monday 00:00
  const saturdayMs = 5 * DAY_MS;
  const half = WEEKEND_RAMP_MS / 2;
  return (tMs) => {
    const weekMs = mod(tMs + offsetMs, WEEK_MS);
    let weekend: number; // 0 on weekdays, 1 at the weekend, linear across the ramps
    if (weekMs < half) weekend = 0.5 - weekMs / WEEKEND_RAMP_MS; // Monday 00:00-00:30
    else if (weekMs < saturdayMs - half) weekend = 0;
    else if (weekMs < saturdayMs + half) weekend = 0.5 + (weekMs - saturdayMs) / WEEKEND_RAMP_MS;
    else if (weekMs < WEEK_MS - half) weekend = 1;
    else weekend = 0.5 + (WEEK_MS - weekMs) / WEEKEND_RAMP_MS; // Sunday 23:30-24:00
    return 1 + (weekendFactor - 1) * weekend;
  };
}

function growth(perDay: number): Curve {
  const logPerMs = Math.log1p(perDay) / DAY_MS;
  return (tMs) => Math.exp(tMs * logPerMs);
}

function spike(atMs: number, durationMs: number, factor: number): Curve {
  const endMs = atMs + durationMs;
  return (tMs) => (tMs >= atMs && tMs < endMs ? factor : 1);
}

function noise(cv: number, durationMs: number, stream: RandomStream): Curve {
  const span = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
  const count = Math.floor(span / NOISE_KNOT_MS) + 2; // knots at 0, 5m, ... up to past the end
  const knots = new Float64Array(count);
  for (let j = 0; j < count; j++) knots[j] = stream.normal();
  const lastSegment = count - 2;
  return (tMs) => {
    const x = tMs > 0 ? tMs / NOISE_KNOT_MS : 0;
    let j = Math.floor(x);
    let u = x - j;
    if (j > lastSegment) {
      j = lastSegment;
      u = 1;
    }
    const w = (1 - Math.cos(Math.PI * u)) / 2;
    const z = ((1 - w) * knots[j] + w * knots[j + 1]) / Math.sqrt((1 - w) * (1 - w) + w * w);
    const f = 1 + cv * z;
    return f > 0 ? f : 0;
  };
}
