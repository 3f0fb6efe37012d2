// What `capsim import metrics` wrote into DIR/metrics/ (docs/import-metrics.md), read back for the
// backtest: metrics/workloads.csv names each workload's file, each file holds `time` and one
// column per series (an empty cell: not observed), metrics/nodes.csv holds `time,pool,nodes`.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { excerpt } from '../excerpt.ts';
import { splitCsvLine } from '../outputs/csvCells.ts';

export interface ObservedWorkload {
  /** Kind/namespace/name, as a run's workloads.csv names it. */
  workload: string;
  /** The file, relative to DIR. */
  file: string;
  /** Per column, one value per observed time (null: not observed); a column the file lacks is absent. */
  columns: Map<string, (number | null)[]>;
}

export interface Observed {
  /** Unix seconds of each step, increasing. */
  times: number[];
  stepSeconds: number;
  workloads: ObservedWorkload[];
  /** Per pool, nodes at each step; empty when kube_node_labels was not scraped. */
  pools: Map<string, number[]>;
}

export const IMPORT_HINT = 'run `capsim import metrics --prometheus URL --start T0 --end T1 --into DIR` first (docs/import-metrics.md)';

function problem(file: string, line: number, message: string, hint = IMPORT_HINT): InputError {
  return new InputError([{ file: displayPath(file), line, column: 0, path: '', message, hint }]);
}

/** A CSV file's rows as cells, the header first; blank lines skipped. */
function readRows(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw problem(file, 0, code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (error as Error).message})`);
  }
  const rows: string[][] = [];
  text.split('\n').forEach((line, i) => {
    const l = line.replace(/\r$/, '');
    if (l === '') return;
    try {
      rows.push(splitCsvLine(l));
    } catch (error) {
      throw problem(file, i + 1, `unreadable CSV: ${(error as Error).message}`, 'the file is damaged: import the metrics again (capsim import metrics --force)');
    }
  });
  if (rows.length === 0) throw problem(file, 0, 'empty: no header row');
  return rows;
}

function timeOf(cell: string, file: string, line: number): number {
  const ms = /^\d{4}-\d\d-\d\dT/.test(cell) ? Date.parse(cell) : NaN;
  if (!Number.isFinite(ms)) throw problem(file, line, `time ${excerpt(cell)} is not an ISO 8601 time`, 'the file is damaged: import the metrics again (capsim import metrics --force)');
  return ms / 1000;
}

function numberOf(cell: string, file: string, line: number, column: string): number | null {
  if (cell === '') return null;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw problem(file, line, `${column}: ${excerpt(cell)} is not a number`, 'the file is damaged: import the metrics again (capsim import metrics --force)');
  return v;
}

/** Reads DIR/metrics/. Exit-2 problems name the file and line; a directory without metrics/
 *  says to import them first. */
export function readObserved(dir: string): Observed {
  const metrics = path.join(dir, 'metrics');
  const index = path.join(metrics, 'workloads.csv');
  if (!fs.existsSync(index)) throw problem(index, 0, 'not found: DIR has no imported metrics');
  const [header, ...entries] = readRows(index);
  const wCol = header.indexOf('workload');
  const fCol = header.indexOf('file');
  if (wCol < 0 || fCol < 0) throw problem(index, 1, 'the header lacks `workload` or `file`', 'import the metrics again with this capsim (capsim import metrics --force)');
  let times: number[] | null = null;
  let timesFile = '';
  const workloads: ObservedWorkload[] = [];
  entries.forEach((cells, i) => {
    const workload = cells[wCol] ?? '';
    const rel = cells[fCol] ?? '';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(metrics) + path.sep)) throw problem(index, i + 2, `file ${excerpt(rel)} is not inside metrics/`, 'the index is damaged: import the metrics again (capsim import metrics --force)');
    const [head, ...rows] = readRows(file);
    if (head[0] !== 'time') throw problem(file, 1, 'the first column is not `time`');
    const t = rows.map((r, j) => timeOf(r[0], file, j + 2));
    if (times === null) {
      times = t;
      timesFile = file;
    } else if (t.length !== times.length || t.some((x, j) => x !== times![j])) {
      throw problem(file, 0, `its times are not those of ${displayPath(timesFile)}`, 'the files come from different imports: import the metrics again (capsim import metrics --force)');
    }
    const columns = new Map<string, (number | null)[]>();
    head.slice(1).forEach((name, c) => columns.set(name, rows.map((r, j) => numberOf(r[c + 1] ?? '', file, j + 2, name))));
    workloads.push({ workload, file: rel, columns });
  });
  const nodesFile = path.join(metrics, 'nodes.csv');
  const pools = new Map<string, number[]>();
  if (fs.existsSync(nodesFile)) {
    const [head, ...rows] = readRows(nodesFile);
    const [tc, pc, nc] = ['time', 'pool', 'nodes'].map((c) => head.indexOf(c));
    if (tc < 0 || pc < 0 || nc < 0) throw problem(nodesFile, 1, 'the header is not time,pool,nodes');
    if (times === null) times = [...new Set(rows.map((r, j) => timeOf(r[tc], nodesFile, j + 2)))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    rows.forEach((r, j) => {
      const i = at.get(timeOf(r[tc], nodesFile, j + 2));
      if (i === undefined) throw problem(nodesFile, j + 2, `time ${excerpt(r[tc])} is not a step of the workloads' files`, 'the files come from different imports: import the metrics again (capsim import metrics --force)');
      const pool = r[pc];
      if (!pools.has(pool)) pools.set(pool, new Array<number>(times!.length).fill(0));
      pools.get(pool)![i] = numberOf(r[nc], nodesFile, j + 2, 'nodes') ?? 0;
    });
  }
  const ts: number[] = times ?? [];
  if (ts.length < 2) throw problem(workloads.length > 0 ? timesFile : index, 0, `${ts.length} observed time${ts.length === 1 ? '' : 's'}: a backtest compares series over at least two steps`, 'import a longer window (--start, --end)');
  const stepSeconds = ts[1] - ts[0];
  for (let i = 2; i < ts.length; i++) {
    if (Math.abs(ts[i] - ts[i - 1] - stepSeconds) > 1e-6) throw problem(timesFile || nodesFile, i + 2, 'the times are not evenly spaced', 'the file is damaged: import the metrics again (capsim import metrics --force)');
  }
  return { times: ts, stepSeconds, workloads, pools: new Map([...pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}
