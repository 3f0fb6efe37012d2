// The files `capsim backtest` adds to its run directory (docs/backtest.md): their names, the
// CSVs' columns and backtest.json's shape. The backtest (src/backtest/) writes them; the report
// (src/report/backtestSection.ts) reads them back, like every other file of a run.

export const BACKTEST_FILES = {
  /** One row per series: how far the simulation was from what was observed. */
  csv: 'backtest.csv',
  /** The same, plus the window, the headline errors and the verdict. */
  json: 'backtest.json',
  /** Every compared point: what the report's charts draw. */
  series: 'backtest-series.csv',
} as const;

/** backtest.csv: the four columns first, then the unit and the number of points compared. */
export const BACKTEST_COLUMNS = ['series', 'mape_pct', 'max_error', 'bias', 'unit', 'points'] as const;

/** backtest-series.csv: one row per series and observed time. */
export const BACKTEST_SERIES_COLUMNS = ['time', 'series', 'observed', 'simulated'] as const;

export interface BacktestSeries {
  /** `nodes`, `cost`, `nodes/<pool>`, `replicas/<Kind/ns/name>`, `cpu_used/<Kind/ns/name>`, ... */
  series: string;
  /** Mean of |simulated − observed| / observed × 100 over the points where observed ≠ 0; null
   *  when observed is 0 at every point (max_error and bias still say how far it was). */
  mape_pct: number | null;
  /** max |simulated − observed|, in `unit`. */
  max_error: number;
  /** Mean of simulated − observed, in `unit`: above 0, the simulation runs high. */
  bias: number;
  unit: string;
  /** Observed times compared (observed and simulated both known). */
  points: number;
  /** Counts (oom_kills): the sums over the window. */
  observedTotal?: number;
  simulatedTotal?: number;
  /** Whether the verdict weighs it (node and cost totals, HPA replicas, CPU used). */
  headline: boolean;
}

export interface BacktestJson {
  /** The observed window: ISO 8601 times, the step in seconds, the number of observed times. */
  window: { start: string; end: string; stepSeconds: number; steps: number };
  /** The simulation's sample interval, and how the sampled values were aligned to the steps. */
  sampleEverySeconds: number;
  alignment: string;
  /** The rate window of the observed CPU (a mean over it, not the use at the step). */
  cpuWindowSeconds: number;
  /** How a node was counted in the simulation: from when it registered (became Ready). */
  nodeCounting: string;
  series: BacktestSeries[];
  /** (simulated − observed) / observed × 100; null when nothing was observed. */
  costErrorPct: number | null;
  nodeHoursErrorPct: number | null;
  observed: { nodeHours: number; costUsd: number };
  simulated: { nodeHours: number; costUsd: number };
  /** good, fair, poor, or incomplete (a headline series could not be compared). */
  verdictLevel: 'good' | 'fair' | 'poor' | 'incomplete';
  /** One plain sentence: what the numbers say about trusting a forecast. */
  verdict: string;
  /** The thresholds of the verdict, in percent. */
  thresholds: { good: { totalsPct: number; seriesMapePct: number }; fair: { totalsPct: number; seriesMapePct: number } };
  /** What was left out or could not be compared, one line each. */
  notes: string[];
}
