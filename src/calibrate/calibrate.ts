// Calibration: from the series `capsim import metrics` read to the models a scenario runs on
// (issue 16 item 4). Filled in by the calibration work; this is the contract importMetrics calls.
import type { Window } from '../import/metrics/prometheus.ts';

/** One workload's observed series, one value per step of the window (null: not observed). */
export interface ObservedWorkload {
  /** Kind/namespace/name, as a run's workloads.csv names it. */
  workload: string;
  kind: string;
  namespace: string;
  name: string;
  /** Its series file, relative to the directory: metrics/<ns>/<name>.csv. */
  file: string;
  /** WORKLOAD_COLUMNS (src/import/metrics/aggregate.ts), then `demand` and `cpu_throttled_pct`. */
  columns: Record<string, (number | null)[]>;
  /** The --demand PromQL whose value is the `demand` column, or null: demand is the observed CPU in cores. */
  demandQuery: string | null;
}

export interface CalibrationInput {
  /** The --into directory, absolute; its scenario.yaml (from capsim import cluster) may be absent. */
  dir: string;
  window: Window;
  /** Unix seconds of each step. */
  times: number[];
  workloads: ObservedWorkload[];
  /** Per pool, nodes at each step (metrics/nodes.csv). */
  pools: Map<string, number[]>;
  /** --forecast, in seconds, or null. */
  forecastSeconds: number | null;
}

export interface Calibration {
  /** Files to write, by path relative to the directory: calibration.json, backtest.yaml, forecast.yaml. */
  files: Map<string, string>;
  /** The "## Calibration" section of metrics-report.md (markdown, ends with a newline). */
  report: string;
  /** One line each, naming the workload: printed by the command and listed in the report. */
  warnings: string[];
}

export async function calibrate(input: CalibrationInput): Promise<Calibration> {
  void input;
  return { files: new Map(), report: '## Calibration\n\nNot done yet.\n', warnings: [] };
}
