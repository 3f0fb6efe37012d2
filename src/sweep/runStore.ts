// A sweep's runs on disk: runs/<id>/ holds a run's summary.json, its cluster time series folded
// to a few hundred rows (timeseries.csv), and run.json, written last, which says the run is
// finished, with which key and how it ended. A sweep run again reads run.json to skip what is
// done; shards are merged by reading the same files.
import fs from 'node:fs';
import path from 'node:path';
import { CUMULATIVE_COLUMNS, TIMESERIES, columnIndex } from '../outputs/csvFiles.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';
import type { Summary } from '../outputs/summary.ts';
import { round } from '../outputs/format.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
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

/** The finished outcome of a run found in `outDir`, or null when it has not run there (or ran
 *  with another key: another scenario content, capsim version, value or seed). */
export function readOutcome(outDir: string, run: PlannedRun): RunOutcome | null {
  const dir = runDir(outDir, run);
  const recordFile = path.join(dir, RUN_FILE);
  if (!fs.existsSync(recordFile)) return null;
  let record: RunRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as RunRecord;
  } catch {
    return null;
  }
  if (record.key !== run.key) return null;
  if (record.status === 'failed') return { run, status: 'failed', summary: null, error: record.error ?? 'failed' };
  const summaryFile = path.join(dir, RUN_FILES.summary);
  if (!fs.existsSync(summaryFile)) return null;
  return { run, status: 'ok', summary: JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Summary, error: null };
}

export function writeRecord(outDir: string, record: RunRecord): void {
  const dir = path.join(outDir, 'runs', record.id);
  fs.mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
}

/** Leftovers of runs cut short (Ctrl-C, a killed pod): runScenario's <dir>.tmp-<pid> folders
 *  and half-written files. */
export function removeTemporaries(outDir: string): number {
  const runs = path.join(outDir, 'runs');
  if (!fs.existsSync(runs)) return 0;
  let removed = 0;
  for (const name of fs.readdirSync(runs)) {
    if (name.includes('.tmp-')) {
      fs.rmSync(path.join(runs, name), { recursive: true, force: true });
      removed++;
      continue;
    }
    const dir = path.join(runs, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir)) {
      if (file.includes('.tmp-')) {
        fs.rmSync(path.join(dir, file), { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
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
