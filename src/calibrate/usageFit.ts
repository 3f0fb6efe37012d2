// The usage model of one workload fitted from its observed series (issue 16 item 4):
//   CPU (millicores per pod)    = base + perUnit × load
//   memory (bytes per pod)      = (base + perUnit × load) × (1 + noise × z) + leak × hours
// with load = demand / N per Ready pod (steps.ts says which steps are used and why others are
// not). The line is Theil–Sen (robustLine.ts); noise is the coefficient of variation of
// observed / fitted; the leak is estimated from runs of constant N and kept only when
// significant (leak.ts) — the base is then the mean level per pod over the window, which holds
// what the pods had leaked by then, since their ages are not observed; a change of the per-unit cost mid-window is looked for and reported
// (changePoint.ts). All per pod: splitting a pod's model across its containers is the caller's.
//
// When the demand is the observed CPU itself (no --demand query), the CPU model is an identity
// by construction: base 0, 1000m per unit (the demand is the cores used). It is written, not
// fitted, and no R² is claimed for it.
import { findShift } from './changePoint.ts';
import { goodness, meanCv, poorFit, type Goodness } from './goodness.ts';
import { estimateLeak, type LeakEstimate } from './leak.ts';
import { medianOf, robustLine, slopeInterval } from './robustLine.ts';
import { demandWindowSeconds, leftOutTotal, usablePoints, type LeftOutReason, type Points, type Resource } from './steps.ts';

export interface Shift {
  /** ISO time of the first step after the change. */
  time: string;
  perUnitBefore: number;
  perUnitAfter: number;
  changePct: number;
}

/** perUnit is uncertain when its 95% interval holds 0 or is wider than ±this share of it. */
export const UNCERTAIN_FRACTION = 0.25;

export interface ResourceFit {
  resource: Resource;
  /** Per pod: millicores (CPU) or bytes (memory). */
  base: number;
  /** Per unit/s of demand, per pod. */
  perUnit: number;
  /** Memory only: CV of observed / fitted. 0 for CPU. */
  noise: number;
  /** Memory only: bytes per hour per pod, 0 unless significant. */
  leakPerHour: number;
  leak: LeakEstimate | null;
  /** The CPU identity of a demand that is the observed CPU: not a fit. */
  identity: boolean;
  /** False when the load hardly varied: perUnit could not be told from base (perUnit 0). */
  identified: boolean;
  /** Memory: the coefficient of variation around the line (noise is the step-to-step part of it). */
  spreadCv: number;
  /** The 95% interval of perUnit (robustLine.ts slopeInterval), null without a fitted line. */
  perUnitInterval: [number, number] | null;
  /** The load per pod over the points used, 5th and 95th percentile: where the fit holds. */
  loadRange: [number, number] | null;
  goodness: Goodness | null;
  used: number;
  leftOut: Partial<Record<LeftOutReason, number>>;
  shift: Shift | null;
  /** What the fit had to clamp (a negative base or perUnit), in words. */
  clamped: string[];
  warnings: string[];
}

export interface UsageFit {
  cpu: ResourceFit;
  memory: ResourceFit;
}

export interface WorkloadSeriesInput {
  workload: string;
  columns: Record<string, (number | null)[]>;
  demandQuery: string | null;
}

/** Unix seconds as the metrics CSVs write times: 2026-01-05T00:00:00Z. */
export const isoTime = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
const RESOURCE_NAME: Record<Resource, string> = { cpu: 'CPU', memory: 'memory' };

export function fitUsage(w: WorkloadSeriesInput, times: readonly number[], stepSeconds: number): UsageFit {
  const cpu = w.demandQuery === null ? identityCpu(w, stepSeconds) : fitResource(w, 'cpu', times, stepSeconds);
  return { cpu, memory: fitResource(w, 'memory', times, stepSeconds) };
}

function empty(resource: Resource, p: Points): ResourceFit {
  return { resource, base: 0, perUnit: 0, noise: 0, leakPerHour: 0, leak: null, identity: false, identified: false, spreadCv: 0, perUnitInterval: null, loadRange: null, goodness: null, used: p.steps.length, leftOut: p.leftOut, shift: null, clamped: [], warnings: [] };
}

function identityCpu(w: WorkloadSeriesInput, stepSeconds: number): ResourceFit {
  const p = usablePoints(w.columns, 'cpu', stepSeconds);
  return { ...empty('cpu', p), perUnit: 1000, identity: true, identified: true };
}

export function fitResource(w: WorkloadSeriesInput, resource: Resource, times: readonly number[], stepSeconds: number): ResourceFit {
  const p = usablePoints(w.columns, resource, stepSeconds, demandWindowSeconds(w.demandQuery, stepSeconds));
  const fit = empty(resource, p);
  const name = RESOURCE_NAME[resource];
  const total = p.steps.length + leftOutTotal(p);
  if (p.steps.length < 3) {
    fit.warnings.push(`${w.workload}: ${name} not fitted: ${p.steps.length} of ${total} steps usable (${describeLeftOut(p.leftOut)}); the scenario keeps its own model (usage = requests without one)`);
    return fit;
  }
  let line = robustLine(p.x, p.y);
  let slopeY: readonly number[] = p.y;
  let leak: LeakEstimate | null = null;
  if (resource === 'memory') {
    const first = line;
    const residual = p.y.map((y, k) => y - first.intercept - first.slope * p.x[k]);
    leak = estimateLeak(p.steps, p.n, residual, p.x.map((x) => first.intercept + first.slope * x), stepSeconds);
    if (leak.fitted) {
      // perUnit again with the leak's rise taken out (hours since the replicas or an OOM kill
      // last changed the pods): pods that grow through the day while the load does would
      // otherwise pass their leak off as a cost per unit. The base stays the mean level.
      const hours = hoursSinceChange(p, w.columns.oom_kills ?? [], stepSeconds);
      slopeY = p.y.map((y, k) => y - leak!.perHour * hours[k]);
      const perUnit = robustLine(p.x, slopeY).slope;
      line = { ...line, slope: perUnit, intercept: medianOf(p.y.map((y, k) => y - perUnit * p.x[k])) };
      // The noise around the leak's rise, from the residuals of this line.
      const final = line;
      const again = estimateLeak(p.steps, p.n, p.yAtStep.map((y, k) => y - final.intercept - final.slope * p.x[k]), p.x.map((x) => final.intercept + final.slope * x), stepSeconds);
      leak = { ...leak, detrendedCv: again.detrendedCv };
    }
  }
  let base = line.intercept;
  let perUnit = line.slope;
  if (perUnit < 0) {
    fit.clamped.push(`perUnit ${fmt(resource, perUnit)} < 0 set to 0 (usage falls as the load rises: the demand does not drive this workload)`);
    perUnit = 0;
    base = medianOf(p.y);
  }
  if (base < 0) {
    // A base a hair below 0 is the line's rounding when a pod's use is nearly all per unit
    // (-0.008m); said only when it is more than 2% of what a pod uses.
    if (-base > 0.02 * medianOf(p.y)) fit.clamped.push(`base ${fmt(resource, base)} < 0 set to 0 (the line crosses 0 above no load: the usage is not linear in the load down to 0)`);
    base = 0;
  }
  for (const c of fit.clamped) fit.warnings.push(`${w.workload}: ${name} ${c}`);
  const leakPerHour = leak?.fitted ? leak.perHour : 0;
  // The leak is not in the fitted values: when each pod started is not observed (leak.ts), so
  // the base is the mean level per pod, with what the pods had leaked by then in it.
  const fitted = p.x.map((x) => base + perUnit * x);
  fit.base = base;
  fit.perUnit = perUnit;
  fit.leak = leak;
  fit.leakPerHour = leakPerHour;
  fit.identified = line.identified;
  const sortedX = Float64Array.from(p.x).sort();
  fit.loadRange = [sortedX[Math.floor(0.05 * (sortedX.length - 1))], sortedX[Math.ceil(0.95 * (sortedX.length - 1))]];
  fit.perUnitInterval = line.identified ? slopeInterval(p.x, slopeY) : null;
  // Against the value at each step, not the window's mean: the fit's quality as the series shows it.
  fit.goodness = goodness(p.yAtStep, fitted);
  if (resource === 'memory') {
    const ratio = p.yAtStep.map((y, k) => (fitted[k] > 0 ? y / fitted[k] : 1));
    // capsim draws memory noise afresh at every sample (src/workload/usage.ts), so it is measured
    // from one step to the next: the spread around the line would also hold the demand's own
    // wobble within the rate window (the load at the step is not observed, only its 5-minute
    // mean: noise 0.01 read as 0.016) and, with a leak, the rise and the restarts' drops (leak.ts).
    fit.spreadCv = leak?.fitted ? leak.detrendedCv : meanCv(ratio).cv;
    fit.noise = stepNoise(p.steps, p.n, ratio) ?? fit.spreadCv;
  }
  if (!line.identified) {
    fit.warnings.push(`${w.workload}: ${name} perUnit not fitted: the load per pod hardly varied over the window, so what a unit of demand costs cannot be told from the base; perUnit 0, base = the median ${name} per pod (a forecast with more demand will under-use)`);
  }
  const interval = fit.perUnitInterval;
  if (interval && perUnit > 0 && (interval[0] <= 0 || (interval[1] - interval[0]) / 2 > UNCERTAIN_FRACTION * perUnit)) {
    fit.warnings.push(`${w.workload}: ${name} perUnit uncertain: ${fmt(resource, perUnit)} per unit/s, 95% interval ${fmt(resource, interval[0])} to ${fmt(resource, interval[1])}, because the load per pod only varied from ${fit.loadRange![0].toPrecision(3)} to ${fit.loadRange![1].toPrecision(3)} units/s (an HPA holds it near its target): usage at these loads is fitted, but a what-if that moves the load per pod (another HPA target, fewer replicas) extrapolates from it`);
  }
  const poor = poorFit(fit.goodness, resource === 'memory' && fit.noise > 0);
  if (poor) fit.warnings.push(`${w.workload}: poor ${name} fit (${poor}): the usage does not follow base + perUnit × load well (bursts, noise of another shape, or a load the demand does not measure); the backtest error will be larger`);
  const shift = line.identified && perUnit > 0 ? findShift(p.x, p.y) : null;
  if (shift) {
    const time = isoTime(times[p.steps[shift.at]]);
    fit.shift = { time, perUnitBefore: shift.before.slope, perUnitAfter: shift.after.slope, changePct: 100 * shift.change };
    fit.warnings.push(`${w.workload}: ${name} per-unit cost changed around ${time} (${fmt(resource, shift.before.slope)} before, ${fmt(resource, shift.after.slope)} after per unit/s, ${(100 * shift.change).toFixed(0)}% apart; a deploy?): one model cannot follow both, so the backtest error will be larger; calibrate on the window after the change for a forecast`);
  }
  return fit;
}

/** The noise of a white process from consecutive steps at the same N: for a ratio
 *  r = 1 + cv·z, r_k − r_k−1 has a standard deviation of cv·√2. The spread is taken robustly
 *  (1.4826 × the median absolute deviation) so that a restart or a burst does not count; null
 *  with fewer than 10 pairs. */
function stepNoise(steps: readonly number[], n: readonly number[], ratio: readonly number[]): number | null {
  const d: number[] = [];
  for (let k = 1; k < steps.length; k++) if (steps[k] === steps[k - 1] + 1 && n[k] === n[k - 1]) d.push(ratio[k] - ratio[k - 1]);
  if (d.length < 10) return null;
  const mid = medianOf(d);
  return (1.4826 * medianOf(d.map((v) => Math.abs(v - mid)))) / Math.SQRT2;
}

/** Per point: hours since the run of constant N it is in began, or since the last OOM kill. */
function hoursSinceChange(p: Points, oomKills: readonly (number | null)[], stepSeconds: number): number[] {
  const out: number[] = [];
  let start = p.steps[0] ?? 0;
  for (let k = 0; k < p.steps.length; k++) {
    const i = p.steps[k];
    if (k > 0 && (i !== p.steps[k - 1] + 1 || p.n[k] !== p.n[k - 1])) start = i;
    if ((oomKills[i] ?? 0) > 0) start = i;
    out.push(((i - start) * stepSeconds) / 3600);
  }
  return out;
}

function fmt(resource: Resource, v: number): string {
  return resource === 'cpu' ? `${v.toPrecision(3)}m` : `${(v / 2 ** 20).toPrecision(3)}Mi`;
}

export function describeLeftOut(leftOut: Partial<Record<LeftOutReason, number>>): string {
  const parts = Object.entries(leftOut).filter(([, n]) => (n ?? 0) > 0).map(([reason, n]) => `${n} ${reason}`);
  return parts.length > 0 ? parts.join(', ') : 'none left out';
}
