// Simulated against observed, series by series (docs/backtest.md). Observed series are on the
// import's grid, window start + i·step; the run samples at spec.start + k·sampleEvery. Each series
// is compared at the observed times, with the run's sample at or before each time (the same
// instant when sampleEvery = step), except:
// - CPU used: the import's value at t is rate(...[W]), the mean use over (t − W, t] (W =
//   max(5m, step): src/import/metrics/queries.ts), so the simulated value is the mean of the run's
//   samples in [t − W, t): a sample holds until the next, as the export writes the counter. The
//   first W of the window is not compared: its observed mean covers time before the run;
// - OOM kills: the import's value at t is the kills of (t − step, t], so the run's kills of the
//   rows in that interval are summed.
// Nodes are counted from when they registered (their first NodeReady): kube-state-metrics lists
// a Node once its kubelet registered it, not while the instance boots.
import type { BacktestJson, BacktestSeries } from '../outputs/backtestFiles.ts';
import { money, round } from '../outputs/format.ts';
import type { Observed, ObservedWorkload } from './observed.ts';
import { nodesAt, type SimColumn, type Simulated, type SimWorkload } from './simulated.ts';

/** The verdict's thresholds, in percent (docs/backtest.md "Verdict"). */
export const THRESHOLDS = {
  good: { totalsPct: 5, seriesMapePct: 10 },
  fair: { totalsPct: 15, seriesMapePct: 25 },
} as const;

export interface CompareInput {
  observed: Observed;
  simulated: Simulated;
  /** spec.start, Unix seconds. */
  startSeconds: number;
  sampleEverySeconds: number;
  /** The CPU rate window of the import, seconds. */
  cpuWindowSeconds: number;
  /** Price of a node-hour per pool, as the simulation charges it. */
  prices: ReadonlyMap<string, number>;
}

/** One compared series: its points (Unix seconds) for backtest-series.csv and the charts. */
export interface SeriesPoints {
  series: string;
  unit: string;
  headline: boolean;
  times: number[];
  observed: number[];
  simulated: number[];
  /** For counts: the sums over the window go into backtest.json. */
  totals?: boolean;
}

export interface Comparison {
  json: BacktestJson;
  points: SeriesPoints[];
}

/** The last index with ts[i] ≤ t, or -1. */
function atOrBefore(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= t + 1e-9) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** How each workload series is read on both sides. */
interface WorkloadSeriesDef {
  prefix: string;
  unit: string;
  sim: SimColumn;
  /** The observed column; replicas take hpa_desired_replicas when the workload has an HPA. */
  observed: (w: ObservedWorkload) => string;
  how: 'at' | 'cpuWindow' | 'sumStep';
  headline: boolean;
  totals?: boolean;
}

const hasValues = (v: readonly (number | null)[] | undefined) => v !== undefined && v.some((x) => x !== null);

const WORKLOAD_SERIES: readonly WorkloadSeriesDef[] = [
  { prefix: 'replicas', unit: 'replicas', sim: 'replicas_desired', observed: (w) => (hasValues(w.columns.get('hpa_desired_replicas')) ? 'hpa_desired_replicas' : 'replicas'), how: 'at', headline: true },
  { prefix: 'cpu_used', unit: 'millicores', sim: 'cpu_used_m', observed: () => 'cpu_used_m', how: 'cpuWindow', headline: true },
  { prefix: 'memory_used', unit: 'bytes', sim: 'memory_used_bytes', observed: () => 'memory_used_bytes', how: 'at', headline: false },
  { prefix: 'cpu_requests', unit: 'millicores', sim: 'cpu_requested_m', observed: () => 'cpu_requests_m', how: 'at', headline: false },
  { prefix: 'memory_requests', unit: 'bytes', sim: 'memory_requested_bytes', observed: () => 'memory_requests_bytes', how: 'at', headline: false },
  { prefix: 'oom_kills', unit: 'kills', sim: 'oom_kills', observed: () => 'oom_kills', how: 'sumStep', headline: false, totals: true },
  { prefix: 'cpu_throttled', unit: 'percent', sim: 'cpu_throttled_pct', observed: () => 'cpu_throttled_pct', how: 'at', headline: false },
];

/** The simulated value of a workload series at `r` seconds since the start, or null. */
function simValue(w: SimWorkload, def: WorkloadSeriesDef, r: number, input: CompareInput, stepSeconds: number): number | null {
  const values = w.columns[def.sim];
  if (def.how === 'at') {
    const k = atOrBefore(w.t, r);
    return k < 0 ? null : values[k];
  }
  let k = atOrBefore(w.t, r);
  let sum = 0;
  if (def.how === 'sumStep') {
    // The rows of (r − step, r]: each holds the kills since the row before.
    for (; k >= 0 && w.t[k] > r - stepSeconds + 1e-9; k--) sum += values[k];
    return sum;
  }
  // The samples of [r − W, r); when the run samples more sparsely than W, the last one before r.
  // Within W of the start the observed mean also covers time before the run: not compared.
  if (r < input.cpuWindowSeconds - 1e-9) return null;
  if (k >= 0 && w.t[k] >= r - 1e-9) k--;
  if (k < 0) return null;
  let n = 0;
  for (let j = k; j >= 0 && w.t[j] >= r - input.cpuWindowSeconds - 1e-9; j--) {
    sum += values[j];
    n++;
  }
  return n === 0 ? values[k] : sum / n;
}

/** mape_pct, max_error and bias of one series (see BacktestSeries). */
export function errors(observed: readonly number[], simulated: readonly number[]): { mape: number | null; maxError: number; bias: number } {
  let ape = 0;
  let nonZero = 0;
  let maxError = 0;
  let bias = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = simulated[i] - observed[i];
    if (observed[i] !== 0) {
      ape += Math.abs(d) / Math.abs(observed[i]);
      nonZero++;
    }
    maxError = Math.max(maxError, Math.abs(d));
    bias += d;
  }
  return { mape: nonZero === 0 ? null : (100 * ape) / nonZero, maxError, bias: observed.length === 0 ? 0 : bias / observed.length };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Unix seconds as ISO 8601 UTC without milliseconds when whole, as import metrics writes its times. */
export const isoSeconds = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
const errorPct = (sim: number, obs: number) => (obs === 0 ? null : round(((sim - obs) / obs) * 100, 4));

export function compare(input: CompareInput): Comparison {
  const { observed, simulated } = input;
  const step = observed.stepSeconds;
  const notes: string[] = [];
  // Observed times the run covers, as seconds since its start.
  const kept = observed.times.map((t, i) => ({ i, t, r: t - input.startSeconds })).filter((x) => x.r >= -1e-9 && x.r <= simulated.durationSeconds + 1e-9);
  const points: SeriesPoints[] = [];
  const add = (s: SeriesPoints) => points.push(s);

  // Nodes per pool, their total and the cost rate.
  const rs = kept.map((k) => k.r);
  const simPools = nodesAt(simulated.nodes, rs);
  const poolNames = [...new Set([...observed.pools.keys(), ...simPools.keys()])].sort(cmp);
  const zeros = () => new Array<number>(kept.length).fill(0);
  const obsTotal = zeros();
  const simTotal = zeros();
  const obsCost = zeros();
  if (observed.pools.size === 0) notes.push('metrics/nodes.csv has no rows (kube_node_labels was not scraped): nodes, node-hours and cost are not compared');
  else {
    for (const pool of poolNames) {
      const obs = observed.pools.has(pool) ? kept.map((k) => observed.pools.get(pool)![k.i]) : zeros();
      const sim = simPools.get(pool) ?? zeros();
      const price = input.prices.get(pool);
      if (price === undefined) notes.push(`pool ${pool}: observed, but not a pool of backtest.yaml: its nodes are not priced (cost leaves them out)`);
      if (!observed.pools.has(pool)) notes.push(`pool ${pool}: simulated, never observed (compared with 0 nodes)`);
      kept.forEach((_, j) => {
        obsTotal[j] += obs[j];
        simTotal[j] += sim[j];
        obsCost[j] += obs[j] * (price ?? 0);
      });
      add({ series: `nodes/${pool}`, unit: 'nodes', headline: true, times: kept.map((k) => k.t), observed: obs, simulated: sim });
    }
  }
  const costRate = kept.map((k) => {
    const j = atOrBefore(simulated.t, k.r);
    return j < 0 ? 0 : simulated.costUsdPerHour[j];
  });
  const totals: SeriesPoints[] = observed.pools.size === 0 ? [] : [
    { series: 'nodes', unit: 'nodes', headline: true, times: kept.map((k) => k.t), observed: obsTotal, simulated: simTotal },
    { series: 'cost', unit: 'USD/hour', headline: true, times: kept.map((k) => k.t), observed: obsCost, simulated: costRate },
  ];

  // Workloads: every observed one the run has.
  const workloadPoints: SeriesPoints[] = [];
  const observedNames = new Set<string>();
  for (const w of [...observed.workloads].sort((a, b) => cmp(a.workload, b.workload))) {
    observedNames.add(w.workload);
    const sim = simulated.workloads.get(w.workload);
    if (!sim) {
      notes.push(`${w.workload}: observed, not in backtest.yaml's run: not compared`);
      continue;
    }
    for (const def of WORKLOAD_SERIES) {
      const column = def.observed(w);
      const obsValues = w.columns.get(column);
      if (!hasValues(obsValues)) {
        if (def.prefix === 'cpu_throttled') continue; // not scraped: only said in the docs
        notes.push(`${def.prefix}/${w.workload}: ${column} never observed: not compared`);
        continue;
      }
      const s: SeriesPoints = { series: `${def.prefix}/${w.workload}`, unit: def.unit, headline: def.headline, times: [], observed: [], simulated: [], totals: def.totals };
      for (const k of kept) {
        const o = obsValues![k.i];
        if (o === null) continue;
        const v = simValue(sim, def, k.r, input, step);
        if (v === null) continue;
        s.times.push(k.t);
        s.observed.push(o);
        s.simulated.push(v);
      }
      workloadPoints.push(s);
    }
  }
  for (const name of [...simulated.workloads.keys()].sort(cmp)) if (!observedNames.has(name)) notes.push(`${name}: simulated, never observed: not compared`);
  points.unshift(...totals);
  points.push(...workloadPoints);

  // Totals over the window: each observed time stands for the step after it (the last one ends the window).
  const hours = step / 3600;
  const upTo = Math.max(0, kept.length - 1);
  let obsNodeHours = 0;
  let simNodeHours = 0;
  let obsCostUsd = 0;
  for (let j = 0; j < upTo; j++) {
    obsNodeHours += obsTotal[j] * hours;
    simNodeHours += simTotal[j] * hours;
    obsCostUsd += obsCost[j] * hours;
  }
  const cumulativeAt = (r: number) => {
    const j = atOrBefore(simulated.t, r);
    return j < 0 ? 0 : simulated.costUsdCumulative[j];
  };
  const simCostUsd = kept.length === 0 ? 0 : cumulativeAt(kept[kept.length - 1].r) - cumulativeAt(kept[0].r);

  const series: BacktestSeries[] = points.map((p) => {
    const e = errors(p.observed, p.simulated);
    const row: BacktestSeries = {
      series: p.series,
      mape_pct: e.mape === null ? null : round(e.mape, 4),
      max_error: round(e.maxError, 4),
      bias: round(e.bias, 4),
      unit: p.unit,
      points: p.observed.length,
      headline: p.headline,
    };
    if (p.totals) {
      row.observedTotal = round(p.observed.reduce((a, b) => a + b, 0), 4);
      row.simulatedTotal = round(p.simulated.reduce((a, b) => a + b, 0), 4);
    }
    return row;
  });
  const hasNodes = observed.pools.size > 0;
  const costErrorPct = hasNodes ? errorPct(simCostUsd, obsCostUsd) : null;
  const nodeHoursErrorPct = hasNodes ? errorPct(simNodeHours, obsNodeHours) : null;
  const verdict = judge(series, costErrorPct, nodeHoursErrorPct, hasNodes);
  const json: BacktestJson = {
    window: { start: isoSeconds(observed.times[0]), end: isoSeconds(observed.times[observed.times.length - 1]), stepSeconds: step, steps: observed.times.length },
    sampleEverySeconds: input.sampleEverySeconds,
    alignment: input.sampleEverySeconds === step
      ? 'the run samples at the observed times'
      : `the run samples every ${input.sampleEverySeconds} s and the metrics every ${step} s: each observed time is compared with the run's sample at or before it`,
    cpuWindowSeconds: input.cpuWindowSeconds,
    nodeCounting: 'a simulated node counts from its first NodeReady (registered) until it is removed; provisioning time is not counted, as kube-state-metrics does not list a node before it registers',
    series,
    costErrorPct,
    nodeHoursErrorPct,
    observed: { nodeHours: round(obsNodeHours, 4), costUsd: money(obsCostUsd) },
    simulated: { nodeHours: round(simNodeHours, 4), costUsd: money(simCostUsd) },
    verdictLevel: verdict.level,
    verdict: verdict.text,
    thresholds: { good: { ...THRESHOLDS.good }, fair: { ...THRESHOLDS.fair } },
    notes,
  };
  return { json, points };
}

type Level = BacktestJson['verdictLevel'];
const RANK: Record<Level, number> = { good: 0, fair: 1, poor: 2, incomplete: 3 };

/** The verdict: the worst level over the headline figures (cost and node-hours errors, and the
 *  MAPE of nodes per pool, HPA replicas and CPU used per workload); never "good" when one misses. */
export function judge(series: readonly BacktestSeries[], costErrorPct: number | null, nodeHoursErrorPct: number | null, hasNodes: boolean): { level: Level; text: string } {
  const misses: { what: string; level: Level; by: number }[] = [];
  const missing: string[] = [];
  const levelOf = (value: number, good: number, fair: number): Level => (value <= good ? 'good' : value <= fair ? 'fair' : 'poor');
  const signedPct = (pct: number) => `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
  const totals: [string, number | null][] = [['cost', costErrorPct], ['node-hours', nodeHoursErrorPct]];
  if (!hasNodes) missing.push('nodes and cost (no kube_node_labels)');
  else {
    for (const [what, pct] of totals) {
      if (pct === null) missing.push(`${what} (nothing observed)`);
      else misses.push({ what: `${what} ${signedPct(pct)}`, level: levelOf(Math.abs(pct), THRESHOLDS.good.totalsPct, THRESHOLDS.fair.totalsPct), by: Math.abs(pct) / THRESHOLDS.good.totalsPct });
    }
  }
  let worst: BacktestSeries | null = null;
  for (const s of series.filter((x) => x.headline && x.series !== 'cost' && x.series !== 'nodes')) {
    if (s.points === 0) missing.push(`${s.series} (no point to compare)`);
    else if (s.mape_pct !== null) {
      if (!worst || s.mape_pct > worst.mape_pct!) worst = s;
      misses.push({ what: `${s.series} ${s.mape_pct.toFixed(1)}% MAPE`, level: levelOf(s.mape_pct, THRESHOLDS.good.seriesMapePct, THRESHOLDS.fair.seriesMapePct), by: s.mape_pct / THRESHOLDS.good.seriesMapePct });
    }
  }
  const g = THRESHOLDS.good;
  if (missing.length > 0) {
    return { level: 'incomplete', text: `incomplete: not compared: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}; the backtest cannot say whether to trust a forecast.` };
  }
  const level = misses.reduce<Level>((l, m) => (RANK[m.level] > RANK[l] ? m.level : l), 'good');
  if (level === 'good') {
    return {
      level,
      text: `good: cost ${signedPct(costErrorPct!)} and node-hours ${signedPct(nodeHoursErrorPct!)}, within ${g.totalsPct}%; every HPA's replicas, CPU used and nodes per pool within ${g.seriesMapePct}% MAPE${worst ? ` (worst: ${worst.series}, ${worst.mape_pct!.toFixed(1)}%)` : ''}. The model reproduces the observed window.`,
    };
  }
  const off = misses.filter((m) => m.level !== 'good').sort((a, b) => b.by - a.by);
  return {
    level,
    text: `${level}: ${off.slice(0, 3).map((m) => m.what).join(', ')}${off.length > 3 ? ` and ${off.length - 3} more` : ''} outside ${g.totalsPct}% (cost, node-hours) or ${g.seriesMapePct}% MAPE (nodes, replicas, CPU); ` +
      (level === 'fair' ? 'a forecast from this model is a rough guide.' : 'do not trust a forecast from this model before finding why.'),
  };
}
