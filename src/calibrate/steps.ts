// Which steps of a workload's series a usage fit may use, and why the others are left out.
//
// The engine's model is per Ready pod: load = demand / Ready endpoints, and a pod's CPU and
// memory follow base + perUnit × load (src/workload/usage.ts). So x = demand / N and
// y = used / N, N = replicas_ready (the `pods` column when replicas_ready was not observed).
// A step is left out, for the first of these reasons that applies, and counted:
//   no Ready replicas           N is 0 or not observed: there is no per-pod load
//   not observed                demand or the used value is missing
//   not all pods Ready          pods > replicas_ready: the pods not Ready use their base and get
//                               no load, so the total is not N × (base + perUnit × load). Fewer
//                               pods than Ready replicas says nothing of readiness (a scrape
//                               missed a pod; `capsim export openmetrics` writes each workload as
//                               one pod carrying its totals), so those steps are used.
//   replicas changed in the CPU rate window (CPU only)
//                               the CPU at a step is the mean over the rate window before it
//                               (max(5m, step): src/import/metrics/queries.ts) while N is the value
//                               at the step; a window that saw N change mixes two loads per pod
//   CPU throttled > 1% (CPU only)
//                               cpu_throttled_pct over 1: the pod got less CPU than it wanted,
//                               so the observed CPU is under the model's want
import { cpuWindowSeconds } from '../import/metrics/queries.ts';

export type Resource = 'cpu' | 'memory';

export const LEFT_OUT_REASONS = ['no Ready replicas', 'not observed', 'not all pods Ready', 'replicas changed in the CPU rate window', 'CPU throttled > 1%'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

/** Throttling above this percentage of CFS periods leaves a step out of the CPU fit. */
export const THROTTLED_PCT = 1;

export interface Points {
  /** Step indices used, in time order. */
  steps: number[];
  /** Per used step: demand / N and used / N. */
  x: number[];
  y: number[];
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

export function usablePoints(columns: Record<string, Column>, resource: Resource, stepSeconds: number): Points {
  const used = resource === 'cpu' ? columns.cpu_used_m : columns.memory_used_bytes;
  const demand = columns.demand ?? [];
  const length = used?.length ?? 0;
  const n = readyReplicas(columns, length);
  const pods = columns.pods ?? [];
  const ready = columns.replicas_ready ?? [];
  const throttled = columns.cpu_throttled_pct ?? [];
  // Steps back whose N the CPU rate window (t − W, t] depends on: N at t − W ... t.
  const back = Math.ceil(cpuWindowSeconds(stepSeconds) / stepSeconds - 1e-9);
  const out: Points = { steps: [], x: [], y: [], n: [], leftOut: {} };
  const leave = (reason: LeftOutReason) => (out.leftOut[reason] = (out.leftOut[reason] ?? 0) + 1);
  for (let i = 0; i < length; i++) {
    const N = n[i];
    const d = demand[i];
    const u = used?.[i];
    if (N === null || N === undefined || !(N > 0)) leave('no Ready replicas');
    else if (d === null || d === undefined || u === null || u === undefined) leave('not observed');
    else if (pods[i] != null && ready[i] != null && pods[i]! > ready[i]!) leave('not all pods Ready');
    else if (resource === 'cpu' && changedBefore(n, i, back)) leave('replicas changed in the CPU rate window');
    else if (resource === 'cpu' && throttled[i] != null && throttled[i]! > THROTTLED_PCT) leave('CPU throttled > 1%');
    else {
      out.steps.push(i);
      out.x.push(d / N);
      out.y.push(u / N);
      out.n.push(N);
    }
  }
  return out;
}

/** Whether N differs at any of the `back` steps before i (those inside the series). */
function changedBefore(n: Column, i: number, back: number): boolean {
  for (let k = 1; k <= back && i - k >= 0; k++) if (n[i - k] !== n[i]) return true;
  return false;
}

export function leftOutTotal(p: Points): number {
  return Object.values(p.leftOut).reduce((a, b) => a + (b ?? 0), 0);
}
