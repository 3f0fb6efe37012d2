// The charts of `capsim compare`: each run's cluster series drawn over the others, coloured by
// run label, against hours since the run's start (runs may start on different dates and last
// different times), and grouped bars of cost by pool and the headline percentages.
import type { RunData, ClusterPoint } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { percent, servedPercent, usd } from '../units.ts';
import { emptyChart, frame, poolName, type Chart } from './chart.ts';
import { own } from '../../model/records.ts';
import { scenarioPools, type ScenarioPools } from '../scenarioPools.ts';

/** A run as the comparison sees it: its data under a label unique among the runs compared. */
export type LabelledRun = Pick<RunData, 'label' | 'summary' | 'cluster' | 'bucketSeconds' | 'sampleSeconds'> & Partial<Pick<RunData, 'scenarioYaml'>>;

/** Dash patterns by run order, so lines that coincide stay told apart (and not by colour alone). */
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [10, 4]];

/** Colour (and dash) by run, in the order the runs were given, the same in every chart. */
function runEncoding(runs: readonly LabelledRun[]) {
  const domain = runs.map((r) => r.label);
  return {
    color: { field: 'run', type: 'nominal' as const, title: 'run', sort: domain, scale: { domain, scheme: 'tableau10' } },
    strokeDash: {
      field: 'run', type: 'nominal' as const, title: 'run', sort: domain,
      scale: { domain, range: domain.map((_, i) => DASHES[i % DASHES.length]) },
    },
  };
}

const hours = (seconds: number) => chartNumber(seconds / 3600, 6);

function hoursX(runs: readonly LabelledRun[]) {
  const end = Math.max(...runs.map((r) => r.summary.durationSeconds));
  return { field: 'hours', type: 'quantitative' as const, title: 'hours since start', scale: { domain: [0, hours(end)], nice: false } };
}

/** Gauges are bucket means drawn at the bucket's start; running totals (folded by their max)
 *  are the last sample in the bucket, so they are drawn there. */
type At = 'bucket-start' | 'last-sample';

interface Series {
  name: string;
  title: string;
  caption: string;
  unit: string;
  /** d3 format of the value in tooltips; money also on the axis (counts keep vega's ticks). */
  format: string;
  at: At;
  value: (p: ClusterPoint) => number;
}

function overlay(runs: readonly LabelledRun[], s: Series): Chart {
  const values = runs.flatMap((run) =>
    run.cluster.map((p) => {
      const t = s.at === 'bucket-start' ? p.t : Math.min(p.t + run.bucketSeconds - run.sampleSeconds, run.summary.durationSeconds);
      return { run: run.label, hours: hours(t), value: chartNumber(s.value(p), 6) };
    }),
  );
  if (values.length === 0) return emptyChart(s.name, s.title, s.caption, 'No time series in these runs.');
  const colour = runEncoding(runs);
  return {
    name: s.name,
    title: s.title,
    caption: s.caption,
    spec: {
      ...frame(values),
      mark: { type: 'line', interpolate: s.at === 'bucket-start' ? 'step-after' : 'linear', strokeWidth: 1.8 },
      encoding: {
        x: hoursX(runs),
        y: { field: 'value', type: 'quantitative', title: s.unit, ...(s.format.startsWith('$') ? { axis: { format: '$,.2f' } } : {}) },
        ...colour,
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'hours', type: 'quantitative', title: 'hours since start', format: ',.2f' },
          { field: 'value', type: 'quantitative', title: s.unit, format: s.format },
        ],
      },
    },
  };
}

const GIB = 2 ** 30;
const EACH_RUN = 'each run at its own sample interval, or its bucket means when long';

export const cpuUsedCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'cpu-used', title: 'CPU used', caption: `CPU the pods used, in cores (${EACH_RUN}).`, unit: 'cores', format: ',.2f', at: 'bucket-start', value: (p) => p.cpuUsedMilli / 1000 });

export const cpuRequestedCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'cpu-requested', title: 'CPU requested', caption: `CPU the scheduled pods requested, in cores (${EACH_RUN}).`, unit: 'cores', format: ',.2f', at: 'bucket-start', value: (p) => p.cpuRequestedMilli / 1000 });

export const memoryUsedCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'memory-used', title: 'Memory used', caption: `Memory the pods used, in GiB (${EACH_RUN}).`, unit: 'GiB', format: ',.2f', at: 'bucket-start', value: (p) => p.memoryUsedBytes / GIB });

export const nodesCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'nodes', title: 'Nodes', caption: `Nodes in the cluster (${EACH_RUN}).`, unit: 'nodes', format: ',.1f', at: 'bucket-start', value: (p) => p.nodes });

export const costCumulativeCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'cost-cumulative', title: 'Cost so far', caption: 'Cumulative node cost since the start, in dollars: where the lines part, one fleet costs more.', unit: '$ cumulative', format: '$,.2f', at: 'last-sample', value: (p) => p.costUsdCumulative });

export const costRateCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'cost-rate', title: 'Cost rate', caption: `Node cost per hour (${EACH_RUN}).`, unit: '$ per hour', format: '$,.3f', at: 'bucket-start', value: (p) => p.costUsdPerHour });

export const podsPendingCompareChart = (runs: readonly LabelledRun[]) =>
  overlay(runs, { name: 'pods-pending', title: 'Pods pending', caption: `Pods waiting for a node (${EACH_RUN}).`, unit: 'pods', format: ',.1f', at: 'bucket-start', value: (p) => p.podsPending });

/** One bar: `text` is the value as written beside the bar (and in the tooltip), formatted here
 *  with units.ts like the figures table, so served demand keeps its nines. */
interface Bar {
  category: string;
  run: string;
  value: number;
  text: string;
}

/** Horizontal bars, one group per category and one bar per run in it, the value written beside. */
function groupedBars(
  runs: readonly LabelledRun[],
  values: Bar[],
  categories: readonly string[],
  x: { title: string; axisFormat: string; domain?: [number, number] },
): Chart['spec'] {
  const { color } = runEncoding(runs);
  return {
    ...frame(values, categories.length * (runs.length * 18 + 10), 560),
    encoding: {
      y: { field: 'category', type: 'nominal', title: null, sort: [...categories] },
      yOffset: { field: 'run', type: 'nominal', sort: runs.map((r) => r.label) },
      x: { field: 'value', type: 'quantitative', title: x.title, axis: { format: x.axisFormat }, ...(x.domain ? { scale: { domain: x.domain } } : {}) },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color,
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'category', type: 'nominal', title: null },
            { field: 'text', type: 'nominal', title: x.title },
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: { text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}

export function costByPoolCompareChart(runs: readonly LabelledRun[]): Chart {
  const name = 'cost-by-pool';
  const title = 'Cost by pool';
  const caption = 'Node cost of each pool over each whole run, in dollars (runs of different lengths: compare the monthly run-rate in the table).';
  const pools = [...new Set(runs.flatMap((r) => Object.keys(r.summary.cost.byPool)))].sort();
  if (pools.length === 0) return emptyChart(name, title, caption, 'No pool cost in these runs.');
  const declared = runs.map((r) => scenarioPools(r.scenarioYaml ?? ''));
  const amounts = pools.flatMap((pool) => runs.map((r, i) => ({ pool, run: r.label, usd: own(r.summary.cost.byPool, pool), declared: declared[i] })));
  const decimals = Math.max(...amounts.map((a) => Math.abs(a.usd ?? 0))) < 10 ? 3 : 2;
  const values = amounts.map((a) => ({ category: poolName(a.pool), run: a.run, value: a.usd ?? 0, text: a.usd === undefined ? absentPool(a.pool, a.declared, decimals) : usd(a.usd, decimals) }));
  return { name, title, caption, spec: groupedBars(runs, values, pools.map(poolName), { title: '$', axisFormat: '$,.2f' }) };
}

/** A pool with no cost in a run: declared there but never given a node ("never scaled"), not in
 *  its scenario at all ("no such pool"), or, when the scenario cannot tell (its NodePools in
 *  manifest files), only what is certain: no node-hours. */
function absentPool(pool: string, declared: ScenarioPools, decimals: number): string {
  if (declared.names.has(pool)) return `${usd(0, decimals)} (never scaled)`;
  return declared.complete ? 'no such pool' : `${usd(0, decimals)} (no nodes)`;
}

const PERCENTAGES: readonly [string, (s: LabelledRun['summary']) => number | null, (pct: number) => string][] = [
  ['CPU requested', (s) => s.utilization.cpuRequestedPct, percent],
  ['CPU used', (s) => s.utilization.cpuUsedPct, percent],
  ['Memory requested', (s) => s.utilization.memoryRequestedPct, percent],
  ['Memory used', (s) => s.utilization.memoryUsedPct, percent],
  ['Demand served', (s) => s.demand.servedPct, servedPercent],
];

export function headlinePercentagesCompareChart(runs: readonly LabelledRun[]): Chart {
  const values = PERCENTAGES.flatMap(([category, pick, format]) =>
    runs.flatMap((r) => {
      const pct = pick(r.summary);
      return pct === null ? [] : [{ category, run: r.label, value: chartNumber(pct / 100, 6), text: format(pct) }];
    }),
  );
  const top = Math.max(1, ...values.map((v) => v.value));
  return {
    name: 'headline-percentages',
    title: 'Utilization and demand served',
    caption: 'CPU and memory requested and used as shares of allocatable (time-weighted), and the share of demand served (absent for runs without demand).',
    spec: groupedBars(runs, values, PERCENTAGES.map(([c]) => c), { title: 'percent', axisFormat: '.0%', domain: [0, top] }),
  };
}

/** Every chart of compare.html, in reading order: the figures at a glance, money, capacity, pods. */
export const COMPARE_CHARTS: readonly ((runs: readonly LabelledRun[]) => Chart)[] = [
  headlinePercentagesCompareChart,
  costCumulativeCompareChart,
  costRateCompareChart,
  costByPoolCompareChart,
  nodesCompareChart,
  cpuRequestedCompareChart,
  cpuUsedCompareChart,
  memoryUsedCompareChart,
  podsPendingCompareChart,
];

export function compareCharts(runs: readonly LabelledRun[]): Chart[] {
  return COMPARE_CHARTS.map((chart) => chart(runs));
}
