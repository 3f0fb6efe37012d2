// The backtest's simulated side: the run's files read back (never the simulation's objects, so a
// backtest's figures are those of its run directory): per workload and sample the series the
// comparison needs, per pool the nodes that registered, and the cost over time.
import { EVENTS, TIMESERIES, WORKLOADS } from '../outputs/csvFiles.ts';
import { cell, num, readCsv, readNodes, readSummary } from '../report/runFiles.ts';

/** workloads.csv columns compared with an observed column. */
export const SIM_COLUMNS = ['replicas_desired', 'cpu_used_m', 'memory_used_bytes', 'cpu_requested_m', 'memory_requested_bytes', 'oom_kills', 'cpu_throttled_pct'] as const;
export type SimColumn = (typeof SIM_COLUMNS)[number];

export interface SimWorkload {
  /** Seconds since the start of each of its rows (one per sample). */
  t: number[];
  columns: Record<SimColumn, number[]>;
}

export interface SimNode {
  pool: string;
  /** When it registered: its first NodeReady (Infinity when it never became Ready). */
  fromSeconds: number;
  /** Removed, or null when it lived to the end. */
  toSeconds: number | null;
}

export interface Simulated {
  durationSeconds: number;
  /** Sample times (timeseries.csv), seconds since the start. */
  t: number[];
  costUsdPerHour: number[];
  costUsdCumulative: number[];
  workloads: Map<string, SimWorkload>;
  nodes: SimNode[];
}

export async function readSimulated(dir: string): Promise<Simulated> {
  const summary = readSummary(dir);
  const run = summary.durationSeconds;
  const t: number[] = [];
  const costUsdPerHour: number[] = [];
  const costUsdCumulative: number[] = [];
  await readCsv(dir, TIMESERIES, (f, at) => {
    t.push(num(f[at.t]));
    costUsdPerHour.push(num(f[at.cost_usd_per_hour]));
    costUsdCumulative.push(num(f[at.cost_usd_cumulative]));
  }, { plain: true });
  const workloads = new Map<string, SimWorkload>();
  await readCsv(dir, WORKLOADS, (f, at) => {
    const ref = cell(f[at.workload]);
    let w = workloads.get(ref);
    if (!w) workloads.set(ref, (w = { t: [], columns: Object.fromEntries(SIM_COLUMNS.map((c) => [c, []])) as unknown as Record<SimColumn, number[]> }));
    w.t.push(num(f[at.t]));
    for (const c of SIM_COLUMNS) w.columns[c].push(num(f[at[c]]));
  }, { plain: true });
  const ready = new Map<string, number>();
  await readCsv(dir, EVENTS, (f, at) => {
    if (cell(f[at.type]) !== 'NodeReady') return;
    const node = cell(f[at.node]);
    if (!ready.has(node)) ready.set(node, num(f[at.t]));
  });
  const nodes = (await readNodes(dir, run)).map((n) => {
    const readyAt = ready.get(n.node);
    // A node that never became Ready never registered: it is not counted.
    const fromSeconds = readyAt ?? Infinity;
    return { pool: n.pool, fromSeconds, toSeconds: n.removedSeconds };
  });
  return { durationSeconds: run, t, costUsdPerHour, costUsdCumulative, workloads, nodes };
}

/** Per pool, how many nodes were registered at each of `times` (seconds since the start). */
export function nodesAt(nodes: readonly SimNode[], times: readonly number[]): Map<string, number[]> {
  const pools = new Map<string, number[]>();
  for (const n of nodes) {
    let counts = pools.get(n.pool);
    if (!counts) pools.set(n.pool, (counts = new Array<number>(times.length).fill(0)));
    times.forEach((t, i) => {
      if (n.fromSeconds <= t && (n.toSeconds === null || t < n.toSeconds)) counts[i]++;
    });
  }
  return pools;
}
