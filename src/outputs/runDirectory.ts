// The files of a run directory (DESIGN §4), by name. The CSVs' columns are in csvFiles.ts,
// summary.json's keys in summary.ts.
import fs from 'node:fs';

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
  /** Per UTC hour and node pool: node-hours, cost and carbon (HOURLY). */
  hourly: 'hourly.csv',
  /** One row per pod of spec.traces, only for a run with traces (PODS). */
  pods: 'pods.csv',
  /** One row per sample: GPU allocation and fragmentation, when the nodes have GPUs (GPU). */
  gpu: 'gpu.csv',
  /** FOCUS 1.3 cost rows: each node-hour split into its workloads' and its idle cost (focus/). */
  focus: 'focus.csv',
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

/** A file of a run directory read back (by capsim report, compare, a sweep resuming or merging):
 *  its text; or `absent`; or why it cannot be read, when something else is in its place (a
 *  directory) or it may not be read. */
export type RunFileText = { text: string } | { absent: true } | { unreadable: string };

export function readRunFile(file: string): RunFileText {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { absent: true };
    return { unreadable: unreadableReason(error) };
  }
}

/** Whether a file of a run directory can be read ('file'), is not there ('absent'), or why it
 *  cannot be read: for files streamed rather than read whole. */
export function runFileState(file: string): 'file' | 'absent' | { unreadable: string } {
  try {
    return fs.statSync(file).isFile() ? 'file' : { unreadable: 'a directory, not a file' };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : { unreadable: unreadableReason(error) };
  }
}

function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EISDIR' ? 'a directory, not a file' : `cannot be read (${code ?? (error as Error).message})`;
}
