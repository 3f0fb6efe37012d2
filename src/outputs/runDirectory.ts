// The files of a run directory (DESIGN §4), by name. The CSVs' columns are in csvFiles.ts,
// summary.json's keys in summary.ts.
export const RUN_FILES = {
  /** The headline figures (summary.ts). */
  summary: 'summary.json',
  /** One row per sample: cluster totals (csvFiles.ts TIMESERIES). */
  timeseries: 'timeseries.csv',
  /** One row per sample and workload (WORKLOADS). */
  workloads: 'workloads.csv',
  /** One row per node that ever existed (NODES). */
  nodes: 'nodes.csv',
  /** Each node's requests and usage at about 120 samples (NODE_UTILIZATION). */
  nodeUtilization: 'node-utilization.csv',
  /** Every notable event, in simulation order (EVENTS). */
  events: 'events.csv',
  /** Per container: requests, limits and the VPA recommendation (RECOMMENDATIONS). */
  recommendations: 'recommendations.csv',
  /** The scenario with every default filled in, to rerun exactly. */
  resolvedScenario: 'scenario.resolved.yaml',
  /** capsim version, wall time, events/s: the only file that varies between identical runs. */
  runInfo: 'run-info.json',
  /** The self-contained report page; its charts are in charts/. */
  report: 'report.html',
} as const;

/** Simulated time per chunk of a run: its rows are handed to the files (and progress reported)
 *  between chunks, so a chunk's rows wait in memory until it ends (run.ts). */
export const CHUNK_MS = 3_600_000;
