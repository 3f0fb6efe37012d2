// Demand traces: a measured series (CSV) replayed as a workload's demand (DESIGN §2 `trace:`).
// readTrace turns the file into points at scenario-load time, with a problem per bad row;
// traceSeries replays the points during the run (linear between points, flat outside them).
import { readFile, stat } from 'node:fs/promises';
import { parseString } from 'fast-csv';
import { calendarProblem, utcMs } from '../timestamp.ts';
import { excerpt, quote } from '../excerpt.ts';

/** A trace's points, times in milliseconds relative to the scenario start, sorted, unique. */
export interface TracePoints {
  timesMs: number[];
  values: number[];
  /** Rows with a time and no value, skipped: replay interpolates across them. */
  gaps: number;
}

/** What went wrong in a trace file, at a 1-based line and column of the CSV (0 when none). */
export interface TraceProblem {
  line: number;
  column: number;
  /** Which of the scenario's trace fields the problem is about, when it is one of them. */
  field?: 'time' | 'value';
  /** For a missing column: the columns the header has, for a "did you mean" by the caller. */
  columns?: string[];
  message: string;
  hint?: string;
}

/** The most a trace may hold (scenario/limits.ts INPUT_LIMITS), and the flag that lifts it. */
export interface TraceLimits {
  maxBytes: number;
  maxRows: number;
  flag: string;
}

/** Rows with problems reported one by one before the rest are summed up in one more problem. */
const MAX_ROW_PROBLEMS = 5;
/** Columns named in the hint for a missing column (a file that is not a trace may have thousands). */
const MAX_LISTED_COLUMNS = 12;

const SECONDS = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Reads a comma-separated trace with a header row. `time` names the column of times: ISO-8601
 * timestamps ("2026-01-05T14:00:00Z"; without an offset they are UTC, like spec.start), Unix
 * epoch seconds or milliseconds (a Prometheus export), both made relative to `startEpochMs`, or
 * plain numbers of seconds since the start (see parseTime for how a number is read). `value`
 * names the column of values (numbers >= 0). Blank lines are skipped. Rows must be in
 * increasing time. A file over `limits` is one problem, found before it is parsed. Throws only when
 * the file cannot be read (the caller checks it exists).
 */
export async function readTrace(file: string, columns: { time: string; value: string }, startEpochMs: number, limits?: TraceLimits): Promise<{ points: TracePoints; problems: TraceProblem[] }> {
  const points: TracePoints = { timesMs: [], values: [], gaps: 0 };
  const hint = `capsim reads demand once per sampleEvery (and when pods change), so points closer together add little: keep about one per sampleEvery, or pass ${limits?.flag} to read it anyway`;
  if (limits) {
    const bytes = (await stat(file)).size;
    if (bytes > limits.maxBytes) return { points, problems: [{ line: 0, column: 0, message: `the trace is ${megabytes(bytes)}; the limit is ${megabytes(limits.maxBytes)}`, hint }] };
  }
  const text = await readFile(file, 'utf8');
  if (limits) {
    const beyond = lineStart(text, limits.maxRows + 2); // the header and maxRows rows come first
    if (beyond >= 0) return { points, problems: [{ line: limits.maxRows + 2, column: 1, message: `the trace has more than ${limits.maxRows.toLocaleString('en-US')} rows (${countLines(text, beyond, limits.maxRows + 1).toLocaleString('en-US')} lines); the limit is ${limits.maxRows.toLocaleString('en-US')}`, hint }] };
  }
  const records = await csvRecords(text);
  const problems: TraceProblem[] = [];
  const header = records.find((r) => r.fields.length > 0);
  if (!header) {
    const failed = records.failure;
    problems.push(failed ? { line: failed.line, column: 1, message: `cannot read the CSV: ${failed.message}` } : { line: 0, column: 0, message: 'the trace file is empty', hint: 'expected a header row (e.g. "time,rps") and one row per point' });
    return { points, problems };
  }

  const names = header.fields.map((f) => f.trim());
  const index = (field: 'time' | 'value'): number => {
    const name = columns[field];
    const at = names.indexOf(name);
    if (at >= 0 && names.indexOf(name, at + 1) >= 0) {
      problems.push({ line: header.line, column: fieldColumn(text, header, names.indexOf(name, at + 1)), field, message: `column "${name}" appears twice in the header`, hint: 'rename one of them' });
    } else if (at < 0) {
      const oneField = names.length === 1 && /[;\t|]/.exec(names[0]);
      const listed = names.slice(0, MAX_LISTED_COLUMNS).map((n) => quote(n)).join(', ') + (names.length > MAX_LISTED_COLUMNS ? `, ... (${names.length} columns)` : '');
      const hint = oneField ? `the header is one column ${quote(names[0])}: separate fields with commas, not "${oneField[0]}"` : `the columns are ${listed}`;
      problems.push({ line: header.line, column: 1, field, columns: names, message: `the trace has no column "${name}"`, hint });
    }
    return at;
  };
  const timeAt = index('time');
  const valueAt = index('value');
  if (problems.length > 0) return { points, problems };

  let rowProblems = 0;
  const rowProblem = (p: TraceProblem) => {
    rowProblems++;
    if (rowProblems <= MAX_ROW_PROBLEMS) problems.push(p);
  };
  let previous: { ms: number; line: number; text: string } | undefined;
  let ordered = true;
  for (const record of records.slice(records.indexOf(header) + 1)) {
    if (record.fields.length === 0 || record.fields.every((f) => f.trim() === '')) continue; // blank line
    const timeText = (record.fields[timeAt] ?? '').trim();
    const valueText = (record.fields[valueAt] ?? '').trim();
    const time = parseTime(timeText, startEpochMs);
    const ms = typeof time === 'number' ? time : NaN;
    const value = SECONDS.test(valueText) ? Number(valueText) : NaN;
    // A time with no value is a gap in a measured series (a scrape missed, the first step of a
    // rate window): replay goes straight from the point before it to the point after, as the
    // series' own graph would. capsim import metrics writes such cells, never a made-up 0.
    if (valueText === '' && typeof time === 'number') {
      points.gaps++;
      continue;
    }
    let ok = true;
    if (typeof time !== 'number') {
      ok = false;
      rowProblem({
        line: record.line, column: fieldColumn(text, record, timeAt), field: 'time',
        message: timeText === '' ? `no time in column "${columns.time}"` : `time ${quote(timeText)} in column "${columns.time}" ${time.problem}`,
        hint: 'e.g. 2026-01-05T14:00:00Z, 1767621600 (Unix seconds), or 3600 for one hour after the start',
      });
    }
    if (!(value >= 0) || !(value <= Number.MAX_SAFE_INTEGER)) {
      ok = false;
      rowProblem({
        line: record.line, column: fieldColumn(text, record, valueAt), field: 'value',
        message: valueText === '' ? `no value in column "${columns.value}"` : value < 0 ? `value ${excerpt(valueText)} in column "${columns.value}" is negative` : value > 0 ? `value ${excerpt(valueText)} in column "${columns.value}" is too large (at most ${Number.MAX_SAFE_INTEGER})` : `value ${quote(valueText)} in column "${columns.value}" is not a number`,
        hint: 'values are plain numbers >= 0 (units/s, e.g. 120.5)',
      });
    }
    if (!ok) continue;
    if (ordered && previous && ms <= previous.ms) {
      ordered = false; // report the first row out of order only: the rest follow from it
      const same = ms === previous.ms;
      problems.push({
        line: record.line, column: fieldColumn(text, record, timeAt), field: 'time',
        message: same ? `time ${quote(timeText)} repeats the time of line ${previous.line}` : `time ${quote(timeText)} is earlier than ${quote(previous.text)} on line ${previous.line}`,
        hint: same ? 'keep one row per time' : 'sort the rows by time',
      });
    }
    previous = { ms, line: record.line, text: timeText };
    points.timesMs.push(ms);
    points.values.push(value);
  }
  if (rowProblems > MAX_ROW_PROBLEMS) {
    const last = problems[problems.length - 1];
    problems.push({ line: last.line, column: last.column, message: `and ${rowProblems - MAX_ROW_PROBLEMS} more rows with a bad time or value` });
  }
  if (records.failure) problems.push({ line: records.failure.line, column: 1, message: `cannot read the CSV: ${records.failure.message}` });
  else if (points.timesMs.length === 0 && rowProblems === 0) {
    problems.push(points.gaps > 0
      ? { line: header.line, column: 1, field: 'value', message: `no row has a value in column "${columns.value}" (${points.gaps} row${points.gaps === 1 ? '' : 's'} with a time only)`, hint: 'a trace needs at least one measured value' }
      : { line: header.line, column: 1, message: 'the trace has a header but no rows', hint: 'add one row per point below the header' });
  }
  return { points, problems };
}

/** Offset where 1-based line `line` starts, or -1 when the text has fewer lines (a last line
 *  with nothing on it does not count). */
function lineStart(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at < text.length ? at : -1;
}

/** Lines of `text`, knowing that `before` lines end before offset `from`. */
function countLines(text: string, from: number, before: number): number {
  let n = before;
  for (let at = from; at < text.length; n++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return n + 1;
    at = nl + 1;
  }
  return n;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB`;
}

/** A number of at least this is a Unix time in seconds (2001-09-09T01:46:40Z), not seconds since
 *  the start: no run is 31 years long. */
export const EPOCH_SECONDS_FROM = 1e9;
/** A number of at least this is a Unix time in milliseconds (the same instant, 2001-09-09). */
export const EPOCH_MILLISECONDS_FROM = 1e12;

/** Milliseconds since the start for a time of a trace, or what is wrong with it (to follow the
 *  quoted time in a message). A number below 10^9 is seconds since the start; from 10^9 it is
 *  Unix epoch seconds, from 10^12 Unix epoch milliseconds (Prometheus exports either); anything
 *  else must be an ISO-8601 timestamp of a calendar time that exists. */
export function parseTime(text: string, startEpochMs: number): number | { problem: string } {
  const neither = { problem: 'is neither an ISO-8601 timestamp nor a number of seconds' };
  if (SECONDS.test(text)) {
    const n = Number(text);
    const ms = n >= EPOCH_MILLISECONDS_FROM ? Math.round(n) - startEpochMs : n >= EPOCH_SECONDS_FROM ? Math.round(n * 1000) - startEpochMs : Math.round(n * 1000);
    return Number.isSafeInteger(ms) ? ms : { problem: `is too large: ${excerpt(text)} is beyond what the clock can count` };
  }
  const m = TIMESTAMP.exec(text);
  if (!m) return neither;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const calendar = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  const problem = calendarProblem(calendar);
  if (problem) return { problem: `does not exist: ${problem}` };
  let offsetMs = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')];
    if (hours > 23 || minutes > 59) return { problem: `has no valid UTC offset (${zone})` };
    offsetMs = sign * (hours * 60 + minutes) * 60_000;
  }
  const fractionMs = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return utcMs(calendar) + fractionMs - offsetMs - startEpochMs;
}

interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

/** Every record of the CSV with the line it starts on; `failure` when the parser stopped early
 *  (e.g. an unterminated quote), at the line after the last record read. */
async function csvRecords(text: string): Promise<CsvRecord[] & { failure?: { line: number; message: string } }> {
  const records: CsvRecord[] & { failure?: { line: number; message: string } } = [];
  let line = 1;
  await new Promise<void>((resolve) => {
    parseString(text, { headers: false })
      .on('data', (fields: string[]) => {
        records.push({ fields, line });
        // A record takes one line plus the line breaks inside its quoted fields.
        line += 1;
        for (const f of fields) line += f.match(/\r\n|\r|\n/g)?.length ?? 0;
      })
      .on('error', (error: Error) => {
        const unclosed = /missing closing: '"'/.test(error.message);
        records.failure = { line, message: unclosed ? 'a quoted field starting on this line is never closed' : error.message.replace(/^Parse Error: /, '') };
        resolve();
      })
      .on('end', () => resolve());
  });
  return records;
}

/** 1-based character column where field `index` of a one-line record starts (1 if unknown). */
function fieldColumn(text: string, record: CsvRecord, index: number): number {
  const raw = text.split(/\r\n|\r|\n/, record.line)[record.line - 1] ?? '';
  let field = 0;
  let quoted = false;
  for (let i = 0; i < raw.length && field < index; i++) {
    if (raw[i] === '"') quoted = !quoted;
    else if (raw[i] === ',' && !quoted) {
      field++;
      if (field === index) return i + 2 - (raw.charCodeAt(0) === 0xfeff ? 1 : 0);
    }
  }
  return 1;
}

/**
 * The trace's value at time t: linear interpolation between neighbouring points, held flat at
 * the first value before the first point and at the last value after the last point; 0 for no
 * points. Lookups in increasing time (the simulation's order) are O(1) amortised through a
 * cursor; any other order falls back to binary search. Allocates nothing per call.
 */
export function traceSeries(points: Pick<TracePoints, 'timesMs' | 'values'>): (tMs: number) => number {
  const times = Float64Array.from(points.timesMs);
  const values = Float64Array.from(points.values);
  const n = times.length;
  if (n === 0) return () => 0;
  const last = n - 1;
  let i = 0; // times[i] <= t < times[i + 1] for the last t looked up
  return (tMs) => {
    if (tMs <= times[0]) return values[0];
    if (tMs >= times[last]) return values[last];
    if (tMs < times[i] || tMs >= times[i + 1]) {
      if (tMs >= times[i + 1] && tMs < times[i + 2]) i++;
      else {
        let lo = 0;
        let hi = last; // times[lo] < t < times[hi]
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1;
          if (times[mid] <= tMs) lo = mid;
          else hi = mid;
        }
        i = lo;
      }
    }
    const t0 = times[i];
    return values[i] + ((values[i + 1] - values[i]) * (tMs - t0)) / (times[i + 1] - t0);
  };
}
