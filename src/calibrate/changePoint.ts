// A change of the usage model mid-window (a deploy that makes each request cost more or less):
// capsim runs one model for the whole window, so such a change makes the backtest worse and
// must never read as a good fit.
//
// The search: the used points (in time order) are split at 10%, 15%, ..., 90% of them, then
// every 0.5% within 5% of the best of those; each side gets its own robust line (robustLine.ts)
// and the split with the smallest total absolute residual is the best one. Above 500 points
// the search runs on blocks of consecutive points (each its median x and median y), so that it
// costs about as much as one fit. A change is reported when the per-unit cost of the two sides
// differs by more than SHIFT_FRACTION of the larger one and the split explains the series
// better: its total absolute residual at least MIN_GAIN below that of one line for the whole
// window. Without that second test, a series whose per-unit cost is small against its noise
// (memory that hardly follows the load) would show a "change" between any two halves.
import { robustLine, type Line } from './robustLine.ts';

export const SHIFT_FRACTION = 0.15;
/** The split's absolute residual must be at least this fraction below one line's. */
export const MIN_GAIN = 0.1;
const COARSE = Array.from({ length: 17 }, (_, k) => 0.1 + 0.05 * k);
/** Bins per side while searching. */
const SEARCH_POINTS = 100;
const MAX_BLOCKS = 500;

export interface Shift {
  /** Index into the points of the first point after the split. */
  at: number;
  before: Line;
  after: Line;
  /** |after.slope − before.slope| / max(|before.slope|, |after.slope|). */
  change: number;
}

function absResidual(line: Line, x: readonly number[], y: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.abs(y[i] - line.intercept - line.slope * x[i]);
  return s;
}

interface Candidate {
  at: number;
  before: Line;
  after: Line;
  cost: number;
}

function trySplit(x: readonly number[], y: readonly number[], at: number): Candidate | null {
  const before = robustLine(x.slice(0, at), y.slice(0, at), SEARCH_POINTS);
  const after = robustLine(x.slice(at), y.slice(at), SEARCH_POINTS);
  if (!before.identified || !after.identified) return null;
  return { at, before, after, cost: absResidual(before, x, y, 0, at) + absResidual(after, x, y, at, x.length) };
}

function medianOfRange(v: readonly number[], from: number, to: number): number {
  const s = v.slice(from, to).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The best split, or null when there are too few points (fewer than 40) or no line on a side. */
export function bestSplit(x: readonly number[], y: readonly number[]): Shift | null {
  const n = x.length;
  if (n < 40) return null;
  // Blocks of consecutive points: starts[b] is the first point of block b.
  const size = Math.ceil(n / MAX_BLOCKS);
  const starts: number[] = [];
  const bx: number[] = [];
  const by: number[] = [];
  for (let from = 0; from < n; from += size) {
    const to = Math.min(n, from + size);
    starts.push(from);
    bx.push(size === 1 ? x[from] : medianOfRange(x, from, to));
    by.push(size === 1 ? y[from] : medianOfRange(y, from, to));
  }
  const m = bx.length;
  let best: Candidate | null = null;
  const consider = (fraction: number) => {
    const at = Math.round(fraction * m);
    if (at < 0.1 * m - 1e-9 || at > 0.9 * m + 1e-9 || at === best?.at) return;
    const c = trySplit(bx, by, at);
    if (c && (!best || c.cost < best.cost)) best = c;
  };
  for (const f of COARSE) consider(f);
  if (!best) return null;
  const coarse = (best as Candidate).at / m;
  for (let k = -10; k <= 10; k++) consider(coarse + 0.005 * k);
  const found = best as Candidate;
  const one = robustLine(bx, by, SEARCH_POINTS);
  const oneCost = absResidual(one, bx, by, 0, m);
  if (!(found.cost <= (1 - MIN_GAIN) * oneCost)) return null;
  const scale = Math.max(Math.abs(found.before.slope), Math.abs(found.after.slope));
  return { at: starts[found.at], before: found.before, after: found.after, change: scale > 0 ? Math.abs(found.after.slope - found.before.slope) / scale : 0 };
}

/** The split when the per-unit cost changes by more than SHIFT_FRACTION, else null. */
export function findShift(x: readonly number[], y: readonly number[]): Shift | null {
  const s = bestSplit(x, y);
  return s && s.change > SHIFT_FRACTION ? s : null;
}
