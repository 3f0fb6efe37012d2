// A sweep's runs on disk: runs/<id>/ holds a run's summary.json, its cluster time series folded
// to a few hundred rows (timeseries.csv), and run.json, written last, which says the run is
// finished, with which key and how it ended. A sweep run again reads run.json to skip what is
// done; shards are merged by reading the same files. What is read back is checked: a run.json or
// summary.json that is cut short, edited or of another run is "damaged", and run again (or, in a
// merge, named), never taken as a result with blank figures.
import fs from 'node:fs';
import path from 'node:path';
import { CUMULATIVE_COLUMNS, EVENTS, TIMESERIES, columnIndex } from '../outputs/csvFiles.ts';
import { TABLE_FORMATS, tableFileName, type TableFormat } from '../outputs/tables.ts';
import { RUN_FILES, readRunFile } from '../outputs/runDirectory.ts';
import type { Summary } from '../outputs/summary.ts';
import { formatFieldProblems, parseSummary } from '../outputs/summaryCheck.ts';
import { round } from '../outputs/format.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
import { removeTemporaries, temporaryPid } from '../outputs/leftovers.ts';
import { BucketAggregator, bucketSecondsFor } from '../report/buckets.ts';
import type { PlannedRun, RunOutcome, SweepPlan } from './plan.ts';

/** The sweep's record of a run, beside the run's own files. */
const RUN_FILE = 'run.json';

export interface RunRecord {
  id: string;
  key: string;
  config: string;
  values: Record<string, string>;
  seed: number;
  status: 'ok' | 'failed';
  error: string | null;
}

export function runDir(outDir: string, run: PlannedRun): string {
  return path.join(outDir, 'runs', run.id);
}

export function runRecord(plan: SweepPlan, run: PlannedRun, status: 'ok' | 'failed', error: string | null): RunRecord {
  const config = plan.configs[run.config];
  return {
    id: run.id,
    key: run.key,
    config: config.id,
    values: Object.fromEntries(plan.varies.map((v, i) => [v.path, config.values[i]])),
    seed: run.seed,
    status,
    error,
  };
}

/** Why a finished run is not this sweep's result: another key; kept without the files --keep-all
 *  wants; or failed because its worker died, which says nothing of the run. */
export type OtherRun = 'another key' | 'kept without --keep-all' | 'worker died';

/** The errors pool.ts records for a run whose worker died under it. */
const WORKER_DIED = /^worker (crashed|exited)\b/;

/** What a run's directory holds, for a plan's run. */
export type StoredRun =
  | { state: 'done'; outcome: RunOutcome }
  /** Not run here, or not finished (no run.json). */
  | { state: 'absent' }
  /** A finished run, but not this one: another key (another sweep's paths or values, another
   *  scenario content, capsim version or seed), or without the files --keep-all wants. */
  | { state: 'other'; reason: OtherRun }
  /** A file that cannot be what capsim wrote: cut short, edited, or of another run. */
  | { state: 'damaged'; file: string; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** run.json parsed and checked field by field; a string saying what is wrong otherwise. */
function parseRecord(text: string): RunRecord | string {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (error) {
    return `not valid JSON, cut short or edited? (${(error as Error).message})`;
  }
  if (!isObject(r)) return 'not an object';
  const wrong: string[] = [];
  for (const key of ['id', 'key', 'config'] as const) if (typeof r[key] !== 'string') wrong.push(key);
  if (!isObject(r.values) || Object.values(r.values).some((v) => typeof v !== 'string')) wrong.push('values');
  if (typeof r.seed !== 'number') wrong.push('seed');
  if (r.status !== 'ok' && r.status !== 'failed') wrong.push('status');
  if (r.error !== null && typeof r.error !== 'string') wrong.push('error');
  return wrong.length > 0 ? `${wrong.join(', ')} missing or of the wrong type` : (r as unknown as RunRecord);
}

export interface InspectOptions {
  /** A run that kept only the sweep's files is not done (its files are wanted). */
  keepAll?: boolean;
  /** A run that failed because its worker died is not done (to run again). */
  retryDied?: boolean;
}

/** What `outDir` holds for `run`: its finished outcome, nothing, another run, or damage. */
export function inspectRun(outDir: string, plan: Pick<SweepPlan, 'scenarioName'>, run: PlannedRun, options: InspectOptions = {}): StoredRun {
  const dir = runDir(outDir, run);
  const read = readRunFile(path.join(dir, RUN_FILE));
  if ('absent' in read) return { state: 'absent' };
  const record = 'unreadable' in read ? read.unreadable : parseRecord(read.text);
  if (typeof record === 'string') return { state: 'damaged', file: RUN_FILE, reason: record };
  if (record.key !== run.key) return { state: 'other', reason: 'another key' };
  if (record.id !== run.id || record.seed !== run.seed) return { state: 'damaged', file: RUN_FILE, reason: `it records run ${record.id} (seed ${record.seed}), in the directory of ${run.id}` };
  if (record.status === 'failed') {
    // A worker that died (out of memory, a native crash) says nothing of the run: try it again.
    if (options.retryDied && WORKER_DIED.test(record.error ?? '')) return { state: 'other', reason: 'worker died' };
    return { state: 'done', outcome: { run, status: 'failed', summary: null, error: record.error ?? 'failed' } };
  }
  const summary = readSummary(dir, plan, run);
  if (typeof summary === 'string') return { state: 'damaged', file: RUN_FILES.summary, reason: summary };
  const kept = (form: TableFormat) => fs.existsSync(path.join(dir, tableFileName(EVENTS, form)));
  if (options.keepAll && !TABLE_FORMATS.some(kept)) return { state: 'other', reason: 'kept without --keep-all' };
  return { state: 'done', outcome: { run, status: 'ok', summary, error: null } };
}

/** The run's summary.json, checked against the Summary contract and against the run (its
 *  scenario and seed); what is wrong with it otherwise. */
function readSummary(dir: string, plan: Pick<SweepPlan, 'scenarioName'>, run: PlannedRun): Summary | string {
  const read = readRunFile(path.join(dir, RUN_FILES.summary));
  if ('absent' in read) return 'missing';
  if ('unreadable' in read) return read.unreadable;
  const { summary, problems } = parseSummary(read.text);
  if (!summary) return formatFieldProblems(problems);
  if (summary.seed !== run.seed || summary.scenario !== plan.scenarioName) return `a summary of ${summary.scenario} seed ${summary.seed}, not of ${plan.scenarioName} seed ${run.seed}`;
  return summary;
}

/** Files the outcome of a run the pool finished in run.json and returns it: ok only when its
 *  summary.json reads back whole (otherwise failed, with what is wrong with it). */
export function recordRun(outDir: string, plan: SweepPlan, run: PlannedRun, reply: { ok: true } | { ok: false; error: string }): RunOutcome {
  const summary = reply.ok ? readSummary(runDir(outDir, run), plan, run) : null;
  const outcome: RunOutcome = summary !== null && typeof summary !== 'string'
    ? { run, status: 'ok', summary, error: null }
    : { run, status: 'failed', summary: null, error: reply.ok ? `summary.json after the run: ${summary}` : reply.error };
  writeRecord(outDir, runRecord(plan, run, outcome.status, outcome.error));
  return outcome;
}

/** "runs/c001-s11/summary.json is damaged (cost.totalUsd: missing, a number expected)". */
export function damageNote(run: PlannedRun, stored: Extract<StoredRun, { state: 'damaged' }>): string {
  return `runs/${run.id}/${stored.file} is damaged (${stored.reason})`;
}

export function writeRecord(outDir: string, record: RunRecord): void {
  const dir = path.join(outDir, 'runs', record.id);
  fs.mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
}

/** Leftovers of writes cut short (Ctrl-C, a killed pod): runScenario's <dir>.tmp-<pid> folders
 *  and files on their way in, in the sweep's directory, runs/ and each run. Those of processes
 *  that are gone, and with `own` this process's (after an interruption). */
export function removeSweepTemporaries(outDir: string, own: boolean): number {
  const dirs = [outDir, path.join(outDir, 'charts'), path.join(outDir, 'runs')];
  const runs = path.join(outDir, 'runs');
  if (fs.existsSync(runs)) {
    for (const entry of fs.readdirSync(runs, { withFileTypes: true })) {
      if (entry.isDirectory() && temporaryPid(entry.name) === null) dirs.push(path.join(runs, entry.name), path.join(runs, entry.name, 'charts'));
    }
  }
  return dirs.reduce((n, dir) => n + removeTemporaries(dir, { own }).length, 0);
}

/** Files of a run kept when --keep-all is not given. */
export const KEPT_FILES = new Set<string>([RUN_FILES.summary, RUN_FILES.timeseries, RUN_FILE]);

/** Rows of the compact series at most. */
const COMPACT_POINTS = 200;

/** timeseries.csv folded to at most COMPACT_POINTS rows (bucket means; the cumulative cost at
 *  the bucket's end), so that hundreds of runs of a month each stay small. */
export function compactTimeseries(text: string, durationSeconds: number): string {
  const lines = text.trimEnd().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  if (rows.length <= COMPACT_POINTS) return text;
  const step = rows.length > 1 ? Number(rows[1][0]) - Number(rows[0][0]) : durationSeconds;
  let bucket = bucketSecondsFor(durationSeconds, step);
  while (durationSeconds / bucket + 1 > COMPACT_POINTS) bucket *= 2;
  const timeColumn = columnIndex(TIMESERIES, header).time;
  const numeric = header.map((_, i) => i).filter((i) => i !== 0 && i !== timeColumn);
  const fold = new BucketAggregator(numeric.map((i) => (CUMULATIVE_COLUMNS.has(header[i]) ? 'max' : 'mean')), bucket);
  const startMs = Date.parse(rows[0][timeColumn]) - Number(rows[0][0]) * 1000;
  for (const row of rows) fold.add(Number(row[0]), numeric.map((i) => Number(row[i])));
  const out = [header.join(',')];
  for (const { t, values } of fold.rows()) {
    const cells = header.map((_, i) => (i === 0 ? String(t) : i === timeColumn ? new Date(startMs + t * 1000).toISOString() : ''));
    numeric.forEach((column, j) => (cells[column] = String(round(values[j], 4))));
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}
