// Which steps of a workload's series a usage fit may use, and why the others are left out.
//
// The engine's model is per Ready pod: load = demand / Ready endpoints, and a pod's CPU and
// memory follow base + perUnit × load (src/workload/usage.ts). So x = demand / N and
// y = used / N, N = replicas_ready (the `pods` column when replicas_ready was not observed).
// A step is left out, for the first of these reasons that applies, and counted:
//   no Ready replicas           N is 0 or not observed: there is no per-pod load
//   not observed                demand or the used value is missing
//   not all pods Ready          pods or replicas > replicas_ready, at the step or in the rate
//                               window before it: the pods not Ready (starting, or waiting for a
//                               node after a scale-up) use their base and get no load, so the
//                               total is not N × (base + perUnit × load). Fewer
//                               pods than Ready replicas says nothing of readiness (a scrape
//                               missed a pod; `capsim export openmetrics` writes each workload as
//                               one pod carrying its totals), so those steps are used.
//   replicas changed in the CPU rate window (CPU only)
//                               the CPU at a step is the mean over the rate window before it
//                               (max(5m, step): src/import/metrics/queries.ts) while N is the value
//                               at the step; a window that saw N change mixes two loads per pod
//   replicas changed in the rate window (memory, with a demand over a window of several steps)
//                               the memory is averaged over the demand's window (see usablePoints),
//                               which must see one N. The noise is still measured at steps.
//   CPU throttled > 1% (CPU only)
//                               cpu_throttled_pct over 1: the pod got less CPU than it wanted,
//                               so the observed CPU is under the model's want
import { cpuWindowSeconds } from '../import/metrics/queries.ts';

export type Resource = 'cpu' | 'memory';

export const LEFT_OUT_REASONS = ['no Ready replicas', 'not observed', 'not all pods Ready', 'replicas changed in the CPU rate window', 'replicas changed in the rate window', 'CPU throttled > 1%'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

/** Throttling above this percentage of CFS periods leaves a step out of the CPU fit. */
export const THROTTLED_PCT = 1;

export interface Points {
  /** Step indices used, in time order. */
  steps: number[];
  /** Per used step: demand / N and used / N (for memory, used averaged over the rate window). */
  x: number[];
  y: number[];
  /** Per used step: used / N at the step itself (the noise is measured on these). */
  yAtStep: number[];
  /** Per used step: N (Ready replicas). */
  n: number[];
  /** Steps left out, per reason (only reasons that occurred). */
  leftOut: Partial<Record<LeftOutReason, number>>;
}

type Column = (number | null)[];

/** N at each step: replicas_ready, else pods. */
export function readyReplicas(columns: Record<string, Column>, length: number): Column {
  const ready = columns.replicas_ready ?? [];
  const pods = columns.pods ?? [];
  return Array.from({ length }, (_, i) => ready[i] ?? pods[i] ?? null);
}

/** Prometheus durations: 5m, 1h30m, 90s, 500ms (a number and a unit, repeated). */
function promDurationSeconds(text: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|[smhdwy])/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** How long a window each value of the demand averages: the longest range selector of its
 *  --demand query (`rate(x[5m])`: 300 s; a gauge: 0), or, with no query, the CPU's rate window
 *  (the demand is then the observed CPU). */
export function demandWindowSeconds(query: string | null, stepSeconds: number): number {
  if (query === null) return cpuWindowSeconds(stepSeconds);
  let longest = 0;
  for (const m of query.matchAll(/\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::[^\]]*)?\]/g)) longest = Math.max(longest, promDurationSeconds(m[1]));
  return longest;
}

/**
 * x and y are brought to the same window before they are paired: a value measured over a window
 * (a rate) against one at the step flattens the line (errors in x: a 2Mi per-unit cost read as
 * 1.9Mi). CPU is a mean over its rate window W: a demand over a shorter window (a gauge) is
 * averaged over the steps inside W. Memory is the value at the step: with a demand over a window
 * (rate(...[5m])), the memory is averaged over the steps inside that window. A window of one
 * step or less pairs the values as they are.
 */
export function usablePoints(columns: Record<string, Column>, resource: Resource, stepSeconds: number, demandSeconds = 0): Points {
  const used = resource === 'cpu' ? columns.cpu_used_m : columns.memory_used_bytes;
  const demand = columns.demand ?? [];
  const length = used?.length ?? 0;
  const n = readyReplicas(columns, length);
  const pods = columns.pods ?? [];
  const ready = columns.replicas_ready ?? [];
  const throttled = columns.cpu_throttled_pct ?? [];
  const replicas = columns.replicas ?? [];
  // More pods, or more desired replicas, than Ready ones: some are starting (or waiting for a
  // node) and use their base with no load. Checked over the rate window before the step too.
  const notAllReady = (j: number) => ready[j] != null && ((pods[j] != null && pods[j]! > ready[j]!) || (replicas[j] != null && replicas[j]! > ready[j]!));
  // Steps back whose N the CPU rate window (t − W, t] depends on: N at t − W ... t.
  const back = Math.ceil(cpuWindowSeconds(stepSeconds) / stepSeconds - 1e-9);
  // Steps the demand's own window spans (1: the value at the step).
  const demandSteps = Math.max(1, Math.round(demandSeconds / stepSeconds));
  const smoothX = resource === 'cpu' && demandSteps < back && back > 1;
  const smoothY = resource === 'memory' && demandSteps > 1;
  const out: Points = { steps: [], x: [], y: [], yAtStep: [], n: [], leftOut: {} };
  const leave = (reason: LeftOutReason) => (out.leftOut[reason] = (out.leftOut[reason] ?? 0) + 1);
  for (let i = 0; i < length; i++) {
    const N = n[i];
    const d = demand[i];
    const u = used?.[i];
    if (N === null || N === undefined || !(N > 0)) leave('no Ready replicas');
    else if (d === null || d === undefined || u === null || u === undefined) leave('not observed');
    else if (notAllReady(i) || (back > 1 && Array.from({ length: back }, (_, k) => i - 1 - k).some((j) => j >= 0 && notAllReady(j)))) leave('not all pods Ready');
    else if (resource === 'cpu' && changedBefore(n, i, back)) leave('replicas changed in the CPU rate window');
    else if (smoothX && !observedBack(demand, i, back)) leave('not observed');
    else if (smoothY && (changedBefore(n, i, demandSteps) || !observedBack(used!, i, demandSteps))) leave('replicas changed in the rate window');
    else if (resource === 'cpu' && throttled[i] != null && throttled[i]! > THROTTLED_PCT) leave('CPU throttled > 1%');
    else {
      out.steps.push(i);
      out.x.push((smoothX ? meanBack(demand, i, back) : d) / N);
      out.y.push((smoothY ? meanBack(used!, i, demandSteps) : u) / N);
      out.yAtStep.push(u / N);
      out.n.push(N);
    }
  }
  return out;
}

/** Whether the `back` steps up to i (i − back + 1 ... i) are all in the series and observed. */
function observedBack(used: Column, i: number, back: number): boolean {
  if (i - back + 1 < 0) return false;
  for (let k = 0; k < back; k++) if (used[i - k] === null || used[i - k] === undefined) return false;
  return true;
}

/** The mean of the `back` steps up to i: the samples inside the rate window (t − W, t]. */
function meanBack(used: Column, i: number, back: number): number {
  let sum = 0;
  for (let k = 0; k < back; k++) sum += used[i - k]!;
  return sum / back;
}

/** Whether N differs at any of the `back` steps before i (those inside the series). */
function changedBefore(n: Column, i: number, back: number): boolean {
  for (let k = 1; k <= back && i - k >= 0; k++) if (n[i - k] !== n[i]) return true;
  return false;
}

export function leftOutTotal(p: Points): number {
  return Object.values(p.leftOut).reduce((a, b) => a + (b ?? 0), 0);
}
