// A change of the usage model mid-window (a deploy that makes each request cost more or less):
// capsim runs one model for the whole window, so such a change makes the backtest worse and
// must never read as a good fit.
//
// The search: the used points (in time order) are split at 10%, 15%, ..., 90% of them; each
// side gets its own robust line (robustLine.ts) and the split with the smallest total absolute
// residual is the best one. A change is reported when the per-unit cost of the two sides
// differs by more than SHIFT_FRACTION of the larger one, naming the time of the split.
import { robustLine, type Line } from './robustLine.ts';

export const SHIFT_FRACTION = 0.15;
const CANDIDATES = Array.from({ length: 17 }, (_, k) => 0.1 + 0.05 * k);
/** Bins per side while searching (the search fits 34 lines). */
const SEARCH_POINTS = 200;

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

/** The best split, or null when there are too few points (fewer than 40) or no line on a side. */
export function bestSplit(x: readonly number[], y: readonly number[]): Shift | null {
  const n = x.length;
  if (n < 40) return null;
  let best: Shift | null = null;
  let bestCost = Infinity;
  for (const fraction of CANDIDATES) {
    const at = Math.round(fraction * n);
    const before = robustLine(x.slice(0, at), y.slice(0, at), SEARCH_POINTS);
    const after = robustLine(x.slice(at), y.slice(at), SEARCH_POINTS);
    if (!before.identified || !after.identified) continue;
    const cost = absResidual(before, x, y, 0, at) + absResidual(after, x, y, at, n);
    if (cost < bestCost) {
      bestCost = cost;
      const scale = Math.max(Math.abs(before.slope), Math.abs(after.slope));
      best = { at, before, after, change: scale > 0 ? Math.abs(after.slope - before.slope) / scale : 0 };
    }
  }
  return best;
}

/** The split when the per-unit cost changes by more than SHIFT_FRACTION, else null. */
export function findShift(x: readonly number[], y: readonly number[]): Shift | null {
  const s = bestSplit(x, y);
  return s && s.change > SHIFT_FRACTION ? s : null;
}
