// Reading Prometheus range queries: over HTTP (`GET /api/v1/query_range` with Node's fetch), or
// from saved responses of that endpoint. Every problem is an InputError (exit 2) naming the URL or
// the file, the field, and a hint: an unreachable server, an HTTP error, a `status: "error"` answer
// (its `error` quoted), a malformed file.
//
// Prometheus refuses a range query that would return more than 11,000 points per series
// (web/api/v1/api.go: "exceeded maximum resolution of 11,000 points per timeseries"): the range is
// split into chunks of at most that many steps, each chunk starting one step after the last ended.
import fs from 'node:fs';
import { InputError } from '../../scenario/errors.ts';
import { displayPath } from '../../scenario/paths.ts';
import { excerpt } from '../../excerpt.ts';
import { MatrixScanner, type Element, type ScannedAnswer, type Series } from './matrixStream.ts';

export type { Samples, Series } from './matrixStream.ts';

/** Prometheus's limit of points per series in one range query. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** A time window on a step grid: start, start + step, ..., up to end. Seconds since the epoch. */
export interface Window {
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
}

/** A value of the answer as JSON for a message: one nested deeper than JSON.stringify can go
 *  (JSON.parse can) is said so, not a RangeError. */
function shownValue(value: unknown): string {
  try {
    return excerpt(JSON.stringify(value) ?? 'missing');
  } catch {
    return '(a value nested too deep to show)';
  }
}

/** String(value), or so said when the value is nested too deep for it (an array's join recurses). */
function shownString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '(a value nested too deep to show)';
  }
}

function problem(file: string, path: string, message: string, hint: string): InputError {
  return new InputError([{ file, line: 0, column: 0, path, message, hint }]);
}

/** RFC 3339 (`2026-01-05T00:00:00Z`) or Unix seconds (`1767571200`, `1767571200.5`) -> seconds. */
export function parseTime(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw problem(flag, '', `${JSON.stringify(excerpt(text))} is not a time`, 'give an RFC 3339 time with its zone (2026-01-05T00:00:00Z) or Unix seconds (1767571200)');
}

/** The chunks of `window`, each at most `maxPoints` points, covering its grid exactly once. */
export function chunksOf(window: Window, maxPoints = MAX_POINTS_PER_SERIES): Window[] {
  const { startSeconds, endSeconds, stepSeconds } = window;
  const points = Math.floor((endSeconds - startSeconds) / stepSeconds) + 1;
  const chunks: Window[] = [];
  for (let first = 0; first < points; first += maxPoints) {
    const last = Math.min(points, first + maxPoints) - 1;
    chunks.push({ startSeconds: startSeconds + first * stepSeconds, endSeconds: startSeconds + last * stepSeconds, stepSeconds });
  }
  return chunks;
}

const HINT = 'expected the JSON that GET /api/v1/query_range answers: {"status":"success","data":{"resultType":"matrix","result":[...]}}';

/** The answer checked down to `data.result`, which it returns: a `status: "error"` answer is
 *  Prometheus's message, quoted. */
function resultOf(body: unknown, source: string): unknown[] {
  const hint = HINT;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw problem(source, '', 'not a JSON object', hint);
  const b = body as { status?: unknown; error?: unknown; errorType?: unknown; data?: unknown };
  if (b.status === 'error') {
    throw problem(source, 'error', `Prometheus answered status "error": ${excerpt(shownString(b.error ?? '(no message)'))}${typeof b.errorType === 'string' ? ` (${excerpt(b.errorType)})` : ''}`, 'fix the query or the time range named; the message is Prometheus\'s own');
  }
  if (b.status !== 'success') throw problem(source, 'status', `is ${shownValue(b.status)}, not "success"`, hint);
  const data = b.data as { resultType?: unknown; result?: unknown } | undefined;
  if (!data || typeof data !== 'object') throw problem(source, 'data', 'missing', hint);
  if (data.resultType !== 'matrix') throw problem(source, 'data.resultType', `is ${shownValue(data.resultType)}, not "matrix"`, `${hint} (an instant query's vector is not a range)`);
  if (!Array.isArray(data.result)) throw problem(source, 'data.result', 'is not a list', hint);
  return data.result;
}

/** The i-th element of `data.result`, checked: `{metric: {label: string}, values: [[seconds, "value"], ...]}`. */
function seriesOf(r: unknown, i: number, source: string): { series: Series; skipped: number } {
  const hint = HINT;
  const at = `data.result[${i}]`;
  if (!r || typeof r !== 'object') throw problem(source, at, 'is not an object', hint);
  const { metric, values } = r as { metric?: unknown; values?: unknown };
  if (!metric || typeof metric !== 'object' || Array.isArray(metric)) throw problem(source, `${at}.metric`, 'is not an object of labels', hint);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) {
    if (typeof v !== 'string') throw problem(source, `${at}.metric.${excerpt(k)}`, 'is not a string', hint);
    labels[k] = v;
  }
  if (!Array.isArray(values)) throw problem(source, `${at}.values`, 'is not a list', hint);
  const times: number[] = [];
  const samples: number[] = [];
  let skipped = 0;
  values.forEach((pair: unknown, j: number) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || !Number.isFinite(pair[0]) || typeof pair[1] !== 'string') {
      throw problem(source, `${at}.values[${j}]`, `is ${shownValue(pair)}, not [seconds, "value"]`, hint);
    }
    const v = Number(pair[1]);
    if (pair[1].trim() === '' || !Number.isFinite(v)) skipped++;
    else {
      times.push(pair[0]);
      samples.push(v);
    }
  });
  return { series: { labels, times, values: samples }, skipped };
}

/**
 * The `data.result` of a query_range answer, checked: a `matrix` of `{metric: {label: string},
 * values: [[seconds, "value"], ...]}`. `source` names the file or URL in messages. A value that is
 * not a finite number (Prometheus writes "NaN", "+Inf") is skipped and counted in `skipped`.
 */
export function parseQueryRange(body: unknown, source: string, onSkipped: (n: number) => void = () => {}): Series[] {
  let skipped = 0;
  const series = resultOf(body, source).map((r, i) => {
    const s = seriesOf(r, i, source);
    skipped += s.skipped;
    return s.series;
  });
  if (skipped > 0) onSkipped(skipped);
  return series;
}

/** A scanner of an answer whose elements are checked as parseQueryRange checks them (an element
 *  that is not a series is kept whole, checked again where its index is known). */
function scanner(options: { stripBom?: boolean } = {}): MatrixScanner {
  return new MatrixScanner((raw): Element => {
    try {
      return seriesOf(raw, 0, '');
    } catch {
      return { raw };
    }
  }, options);
}

/** parseQueryRange of a scanned answer: the same checks in the same order, the same messages. */
function seriesOfScan(scan: ScannedAnswer, source: string, onSkipped: (n: number) => void = () => {}): Series[] {
  let skipped = 0;
  const series = resultOf(scan.body, source).map((k, i) => {
    const element = scan.elements[k as number];
    const s = 'raw' in element ? seriesOf(element.raw, i, source) : element;
    skipped += s.skipped;
    return s.series;
  });
  if (skipped > 0) onSkipped(skipped);
  return series;
}

const labelKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The series of several answers to one query (chunks of the window, saved files) joined by their
 *  labels: samples in time order, a time answered twice kept once (the later answer's value). */
export function mergeSeries(parts: readonly Series[]): Series[] {
  const groups = new Map<string, Series[]>();
  for (const s of parts) {
    const key = labelKey(s.labels);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0];
    const byTime = new Map<number, number>();
    for (const s of group) for (let j = 0; j < s.times.length; j++) byTime.set(s.times[j], s.values[j]);
    const times = [...byTime.keys()].sort((a, b) => a - b);
    return { labels: group[0].labels, times, values: times.map((t) => byTime.get(t)!) };
  });
}

const unreadable = (shown: string, error: unknown) => problem(shown, '', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'name a file saved from /api/v1/query_range');

/** Reads a saved query_range answer, streaming (see matrixStream.ts; `chunkBytes` at most a read,
 *  for tests); a file that is not JSON is read whole again (readWholeResponse) for JSON.parse's
 *  own message. */
export function readSavedResponse(file: string, onSkipped?: (n: number) => void, options: { chunkBytes?: number } = {}): Series[] {
  const shown = displayPath(file);
  const scan = scanner();
  let answer: ScannedAnswer | null;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw unreadable(shown, error);
  }
  try {
    while (scan.fill(fd, options.chunkBytes) > 0 && !scan.broken);
    answer = scan.end();
  } catch (error) {
    if (!(error as NodeJS.ErrnoException).code) throw error;
    throw unreadable(shown, error);
  } finally {
    fs.closeSync(fd);
  }
  return answer ? seriesOfScan(answer, shown, onSkipped) : readWholeResponse(file, onSkipped);
}

/** Reads a saved query_range answer whole (JSON.parse): readSavedResponse's reference, and its
 *  path for a file that is not JSON. */
export function readWholeResponse(file: string, onSkipped?: (n: number) => void): Series[] {
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(shown, error);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw problem(shown, '', `is not JSON (${excerpt((error as Error).message)})`, 'save the body of the /api/v1/query_range answer as it came (curl -o FILE)');
  }
  return parseQueryRange(body, shown, onSkipped);
}

/** The first bytes of a body kept to quote it when it is not JSON (excerpt() shows 120 characters). */
const HEAD_BYTES = 8192;

/** A range query against `baseUrl`, chunked; the series of every chunk merged by their labels.
 *  A successful answer's body is read as it streams in (matrixStream.ts). */
export async function queryRange(
  baseUrl: string,
  query: string,
  window: Window,
  options: { maxPoints?: number; signal?: AbortSignal; onSkipped?: (n: number) => void } = {},
): Promise<{ series: Series[]; requests: number }> {
  const chunks = chunksOf(window, options.maxPoints);
  const parts: Series[] = [];
  for (const chunk of chunks) {
    const params = new URLSearchParams({ query, start: String(chunk.startSeconds), end: String(chunk.endSeconds), step: String(chunk.stepSeconds) });
    const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query_range`;
    const source = `--prometheus ${baseUrl}`;
    let response: Response;
    try {
      response = await fetch(`${url}?${params}`, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw problem(source, '', `cannot be reached (${excerpt(cause?.code ?? cause?.message ?? (error as Error).message)})`, 'check the URL (scheme, host, port) and that Prometheus is up: curl URL/-/ready; or use --from-files with saved answers');
    }
    const notJson = (text: string) => problem(source, '', `answered HTTP ${response.status} ${excerpt(response.statusText)} with a body that is not JSON: ${excerpt(text)}`, 'is this the Prometheus base URL (no /api/v1 path)? A proxy in front may need its own URL or credentials');
    const named = `${source} (query ${excerpt(query)})`;
    if (response.ok && response.body) {
      // The body as it streams in; its first bytes kept for the message if it is not JSON.
      const scan = scanner({ stripBom: true });
      const head: Uint8Array[] = [];
      let headBytes = 0;
      for await (const bytes of response.body) {
        if (headBytes < HEAD_BYTES) {
          head.push(bytes);
          headBytes += bytes.length;
        } else if (scan.broken) break;
        if (!scan.broken) scan.write(bytes);
      }
      const answer = scan.end();
      if (!answer) throw notJson(new TextDecoder().decode(Buffer.concat(head)));
      parts.push(...seriesOfScan(answer, named, options.onSkipped));
      continue;
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw notJson(text);
    }
    if (!response.ok && (body as { status?: unknown })?.status !== 'error') {
      throw problem(source, '', `answered HTTP ${response.status} ${excerpt(response.statusText)}`, 'check the URL and that this is Prometheus\'s HTTP API');
    }
    parts.push(...parseQueryRange(body, named, options.onSkipped));
  }
  return { series: mergeSeries(parts), requests: chunks.length };
}
