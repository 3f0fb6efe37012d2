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

const DAMAGED = 'the file is damaged: import the metrics again (capsim import metrics --force)';

/** A CSV row: its cells and its line in the file (1-based). */
interface Row {
  cells: string[];
  line: number;
}

/** A CSV file's rows as cells, the header first; blank lines skipped. A file `capsim import
 *  metrics` wrote ends with a newline and has as many cells on every line as in its header: one
 *  that does not was cut short or edited out of shape, and its last value may be a cut number. */
function readRows(file: string): { header: string[]; rows: Row[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw problem(file, 0, code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (error as Error).message})`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1); // a byte-order mark, as a spreadsheet saves one
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1].replace(/\r$/, '') !== '') {
    throw problem(file, lines.length, 'the last line does not end with a newline: the file was cut short', DAMAGED);
  }
  const rows: Row[] = [];
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    if (l === '') return;
    try {
      rows.push({ cells: splitCsvLine(l), line: i + 1 });
    } catch (error) {
      throw problem(file, i + 1, `unreadable CSV: ${(error as Error).message}`, DAMAGED);
    }
  });
  if (rows.length === 0) throw problem(file, 0, 'empty: no header row');
  const [head, ...body] = rows;
  const seen = new Set<string>();
  head.cells.forEach((name, c) => {
    if (name === '') throw problem(file, head.line, `column ${c + 1} of the header has no name`, DAMAGED);
    if (seen.has(name)) throw problem(file, head.line, `column ${excerpt(name)} is in the header twice`, DAMAGED);
    seen.add(name);
  });
  for (const r of body) {
    if (r.cells.length !== head.cells.length) throw problem(file, r.line, `${r.cells.length} cell${r.cells.length === 1 ? '' : 's'}, the header has ${head.cells.length}`, DAMAGED);
  }
  return { header: head.cells, rows: body };
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,9})?)?(?:Z|[+-](\d\d):(\d\d))$/;

/** Unix seconds of an ISO 8601 time with its zone (as the import writes it, `...Z`); a date that
 *  does not exist (February 30th, hour 24) is refused rather than rolled over. */
function timeOf(cell: string, file: string, line: number): number {
  const m = ISO.exec(cell);
  const [, y, mo, d, h, mi, s = '0', zh = '0', zm = '0'] = m ?? [];
  const valid = m !== null && Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate()
    && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60 && Number(zh) < 24 && Number(zm) < 60;
  const ms = valid ? Date.parse(cell) : NaN;
  if (!Number.isFinite(ms)) throw problem(file, line, `time ${excerpt(cell)} is not an ISO 8601 time with its zone (e.g. 2026-01-05T00:00:00Z)`, DAMAGED);
  return ms / 1000;
}

/** The largest value a metric is read as: beyond 2^53 no count, millicore or byte is exact, and
 *  sums of such values lose the series' error to rounding. */
const MAX_VALUE = Number.MAX_SAFE_INTEGER;

/** Every column is a count, millicores, bytes or a percentage: never negative. */
function numberOf(cell: string, file: string, line: number, column: string): number | null {
  if (cell === '') return null;
  const v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cell.trim()) ? Number(cell) : NaN;
  if (!Number.isFinite(v)) throw problem(file, line, `${excerpt(column)}: ${excerpt(cell)} is not a number`, DAMAGED);
  if (v < 0) throw problem(file, line, `${excerpt(column)}: ${excerpt(cell)} is negative: a count, millicores, bytes or a percentage never is`, DAMAGED);
  if (v > MAX_VALUE) throw problem(file, line, `${excerpt(column)}: ${excerpt(cell)} is beyond 2^53, more than any metric reaches`, DAMAGED);
  return v === 0 ? 0 : v;
}

/** The times of a file's rows, each after the one before. */
function timesOf(rows: Row[], column: number, file: string): number[] {
  const times = rows.map((r) => timeOf(r.cells[column], file, r.line));
  times.forEach((t, i) => {
    if (i > 0 && t <= times[i - 1]) throw problem(file, rows[i].line, `time ${excerpt(rows[i].cells[column])} is not after the one before (${excerpt(rows[i - 1].cells[column])}): the times must increase`, DAMAGED);
  });
  return times;
}

/** Reads DIR/metrics/. Exit-2 problems name the file and line; a directory without metrics/
 *  says to import them first. What it returns is sane: two or more times, increasing and evenly
 *  spaced; every column as long as the times; every value finite, 0 or more, and at most 2^53;
 *  every workload and pool named once, a pool with a count at every time. */
export function readObserved(dir: string): Observed {
  const metrics = path.join(dir, 'metrics');
  const index = path.join(metrics, 'workloads.csv');
  if (!fs.existsSync(index)) throw problem(index, 0, 'not found: DIR has no imported metrics');
  const { header, rows: entries } = readRows(index);
  const wCol = header.indexOf('workload');
  const fCol = header.indexOf('file');
  if (wCol < 0 || fCol < 0) throw problem(index, 1, 'the header lacks `workload` or `file`', 'import the metrics again with this capsim (capsim import metrics --force)');
  const indexHint = 'the index is damaged: import the metrics again (capsim import metrics --force)';
  let times: number[] | null = null;
  let timesFile = '';
  let timesRows: Row[] = [];
  const workloads: ObservedWorkload[] = [];
  const names = new Set<string>();
  for (const { cells, line } of entries) {
    const workload = cells[wCol];
    const rel = cells[fCol];
    if (workload === '') throw problem(index, line, 'a file without its workload', indexHint);
    if (names.has(workload)) throw problem(index, line, `workload ${excerpt(workload)} is listed twice`, indexHint);
    names.add(workload);
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(metrics) + path.sep)) throw problem(index, line, `file ${excerpt(rel)} is not inside metrics/`, indexHint);
    const { header: head, rows } = readRows(file);
    if (head[0] !== 'time') throw problem(file, 1, 'the first column is not `time`', DAMAGED);
    const t = timesOf(rows, 0, file);
    if (times === null) {
      times = t;
      timesFile = file;
      timesRows = rows;
    } else if (t.length !== times.length || t.some((x, j) => x !== times![j])) {
      throw problem(file, 0, `its times are not those of ${displayPath(timesFile)}`, 'the files come from different imports: import the metrics again (capsim import metrics --force)');
    }
    const columns = new Map<string, (number | null)[]>();
    head.slice(1).forEach((name, c) => columns.set(name, rows.map((r) => numberOf(r.cells[c + 1], file, r.line, name))));
    workloads.push({ workload, file: rel, columns });
  }
  const nodesFile = path.join(metrics, 'nodes.csv');
  const pools = new Map<string, number[]>();
  if (fs.existsSync(nodesFile)) {
    const { header: head, rows } = readRows(nodesFile);
    const [tc, pc, nc] = ['time', 'pool', 'nodes'].map((c) => head.indexOf(c));
    if (tc < 0 || pc < 0 || nc < 0) throw problem(nodesFile, 1, 'the header is not time,pool,nodes', DAMAGED);
    const rowTimes = rows.map((r) => timeOf(r.cells[tc], nodesFile, r.line));
    if (times === null) {
      times = [...new Set(rowTimes)].sort((a, b) => a - b);
      timesFile = nodesFile;
      timesRows = [];
    }
    const at = new Map(times.map((t, i) => [t, i]));
    const seen = new Map<string, boolean[]>();
    rows.forEach((r, j) => {
      const i = at.get(rowTimes[j]);
      if (i === undefined) throw problem(nodesFile, r.line, `time ${excerpt(r.cells[tc])} is not a step of the workloads' files`, 'the files come from different imports: import the metrics again (capsim import metrics --force)');
      const pool = r.cells[pc];
      if (pool === '') throw problem(nodesFile, r.line, 'a count without its pool', DAMAGED);
      if (!pools.has(pool)) {
        pools.set(pool, new Array<number>(times!.length).fill(0));
        seen.set(pool, new Array<boolean>(times!.length).fill(false));
      }
      if (seen.get(pool)![i]) throw problem(nodesFile, r.line, `pool ${excerpt(pool)} has two counts at ${excerpt(r.cells[tc])}`, DAMAGED);
      seen.get(pool)![i] = true;
      const n = numberOf(r.cells[nc], nodesFile, r.line, 'nodes');
      if (n === null) throw problem(nodesFile, r.line, `pool ${excerpt(pool)} has no count at ${excerpt(r.cells[tc])}`, DAMAGED);
      pools.get(pool)![i] = n;
    });
    // The import writes every pool at every time: one missing was lost, not 0 nodes.
    for (const [pool, had] of seen) {
      const i = had.indexOf(false);
      if (i >= 0) throw problem(nodesFile, 0, `pool ${excerpt(pool)} has no count at ${new Date(times[i] * 1000).toISOString().replace('.000Z', 'Z')} (the import writes every pool at every time)`, DAMAGED);
    }
  }
  const ts: number[] = times ?? [];
  if (ts.length < 2) throw problem(workloads.length > 0 ? timesFile : index, 0, `${ts.length} observed time${ts.length === 1 ? '' : 's'}: a backtest compares series over at least two steps`, 'import a longer window (--start, --end)');
  const stepSeconds = ts[1] - ts[0];
  for (let i = 2; i < ts.length; i++) {
    if (Math.abs(ts[i] - ts[i - 1] - stepSeconds) > 1e-6) throw problem(timesFile, timesRows[i]?.line ?? 0, 'the times are not evenly spaced', DAMAGED);
  }
  return { times: ts, stepSeconds, workloads, pools: new Map([...pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}
