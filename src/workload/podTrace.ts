// Pod traces (spec.traces, issue 20): a file of pods created and deleted at given times, read one
// line at a time as the run reaches them (kubectl/traceReplay.ts), so a trace of a million rows
// never sits in memory at once. CSV with a header row, or JSON Lines (.jsonl, .ndjson): one object
// per line with the same names as keys. docs/scenario.md "Pod traces" lists the columns.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Affinity, NodeSelectorRequirement, TaintEffect, Toleration } from '../model/api.ts';
import type { ResourceMap } from '../model/resources.ts';
import { parseDuration } from '../duration.ts';
import { milliValue, parseQuantity, quantityFieldOf, quantityHint, QuantityError, value } from '../quantity.ts';
import { excerpt, quote } from '../excerpt.ts';
import { distance } from 'fastest-levenshtein';
import { parseTime } from './trace.ts';

/** One pod of a trace, times in milliseconds since spec.start. */
export interface TracePod {
  /** 1-based line of the file. */
  line: number;
  name: string;
  namespace: string;
  createdMs: number;
  /** The pod is deleted then (null: it is not). */
  deletedMs: number | null;
  /** The pod runs for this long once started, then Succeeds (null: until deleted or the end). */
  durationMs: number | null;
  /** The trace's own scheduled time (kept for comparison, never used to place the pod). */
  scheduledMs: number | null;
  /** Container requests and limits: cpu in millicores, other resources in base units. */
  requests: ResourceMap;
  limits: ResourceMap;
  priority?: number;
  priorityClassName?: string;
  nodeSelector?: Record<string, string>;
  tolerations: Toleration[];
  affinity?: Affinity;
}

/** A bad row (or header) of a trace, at a 1-based line and column of the file. */
export interface PodTraceProblem {
  line: number;
  column: number;
  /** The trace column the problem is about, when there is one. */
  column_name?: string;
  message: string;
  hint?: string;
}

export const REQUIRED_COLUMNS = ['name', 'created'] as const;
/** Every column a trace may have besides requests.<resource> and limits.<resource>. */
export const TRACE_COLUMNS = ['name', 'namespace', 'created', 'deleted', 'duration', 'scheduled', 'priority', 'priority_class', 'node_selector', 'tolerations', 'node_affinity'] as const;
const RESOURCE_COLUMN = /^(requests|limits)\.([A-Za-z0-9][-A-Za-z0-9_.]*(?:\/[-A-Za-z0-9_.]+)?)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const POD_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TIME_HINT = 'seconds since spec.start (e.g. 3600), Unix seconds, or an ISO-8601 time such as 2026-01-05T14:00:00Z';

export function isJsonLines(file: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(file);
}

/** A row's cells by column name, with where each starts on its line (1-based). */
interface Cells {
  get(name: string): { text: string; column: number } | undefined;
  /** The columns (CSV) or keys (JSON) the row may have. */
  names: readonly string[];
}

/**
 * Reads a trace one line at a time: `next()` gives the next pod or the next problem, null at the
 * end. Rows must come in order of creation (a replay reads no further than the clock); a row
 * created before the one above it is a problem. Blank lines are skipped.
 */
export class PodTraceReader {
  private readonly lines: AsyncIterator<string>;
  private readonly close: () => void;
  private lineNo = 0;
  private header: { names: string[]; starts: number[] } | null = null;
  private headerChecked = false;
  private previousCreated: { ms: number; line: number } | null = null;
  private readonly json: boolean;
  /** Set by done() and after a bad header: lines the reader has buffered are not read. */
  private stopped = false;

  constructor(file: string, private readonly startEpochMs: number) {
    this.json = isJsonLines(file);
    const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
    const rl = createInterface({ input, crlfDelay: Infinity });
    this.lines = rl[Symbol.asyncIterator]();
    this.close = () => {
      this.stopped = true;
      rl.close();
      input.destroy();
    };
  }

  /** Stops reading (the replay reached the end of the run). */
  done(): void {
    this.close();
  }

  /** The next pod or problem; header problems come first (after them, nothing more is read). */
  async next(): Promise<{ pod: TracePod } | { problem: PodTraceProblem } | null> {
    for (;;) {
      if (this.stopped) return null;
      const r = await this.lines.next();
      if (r.done) {
        this.close();
        if (!this.json && !this.header && !this.headerChecked) {
          this.headerChecked = true;
          return { problem: { line: 0, column: 0, message: 'the trace file is empty', hint: 'expected a header row (e.g. "name,created,requests.cpu") and one row per pod' } };
        }
        return null;
      }
      this.lineNo++;
      let text = r.value;
      if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') continue;
      if (!this.json && !this.header) {
        const problem = this.readHeader(text);
        if (problem) {
          this.close();
          return { problem };
        }
        continue;
      }
      const cells = this.json ? this.jsonCells(text) : this.csvCells(text);
      if ('problem' in cells) return cells;
      return this.row(cells);
    }
  }

  private readHeader(text: string): PodTraceProblem | null {
    this.headerChecked = true;
    const split = splitCsvLine(text);
    if ('problem' in split) return { line: this.lineNo, column: split.column, message: split.problem };
    const names = split.fields.map((f) => f.trim());
    this.header = { names, starts: split.starts };
    for (let i = 0; i < names.length; i++) {
      const problem = columnProblem(names[i]);
      if (problem) return { line: this.lineNo, column: split.starts[i], column_name: names[i], ...problem };
      const again = names.indexOf(names[i], i + 1);
      if (again >= 0) return { line: this.lineNo, column: split.starts[again], column_name: names[i], message: `column "${names[i]}" appears twice in the header`, hint: 'rename or remove one of them' };
    }
    for (const required of REQUIRED_COLUMNS) {
      if (!names.includes(required)) {
        const oneField = names.length === 1 && /[;\t|]/.exec(names[0]);
        return { line: this.lineNo, column: 1, column_name: required, message: `the trace has no column "${required}"`, hint: oneField ? `separate fields with commas, not "${oneField[0]}"` : `every row needs ${REQUIRED_COLUMNS.map((c) => `"${c}"`).join(' and ')}` };
      }
    }
    return null;
  }

  private csvCells(text: string): Cells | { problem: PodTraceProblem } {
    const split = splitCsvLine(text);
    if ('problem' in split) return { problem: { line: this.lineNo, column: split.column, message: split.problem, hint: 'a field may be quoted ("a,b") but must end on its line' } };
    const { names } = this.header!;
    if (split.fields.length > names.length) {
      return { problem: { line: this.lineNo, column: split.starts[names.length], message: `the row has ${split.fields.length} fields; the header has ${names.length}`, hint: 'quote a field that holds a comma ("gpu in (A,B)")' } };
    }
    return {
      names,
      get: (name) => {
        const i = names.indexOf(name);
        if (i < 0 || i >= split.fields.length) return undefined;
        return { text: split.fields[i].trim(), column: split.starts[i] };
      },
    };
  }

  private jsonCells(text: string): Cells | { problem: PodTraceProblem } {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { problem: { line: this.lineNo, column: 1, message: `not a JSON object: ${(error as Error).message}`, hint: 'JSON Lines: one object per line, e.g. {"name": "p1", "created": 0}' } };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { problem: { line: this.lineNo, column: 1, message: 'not a JSON object', hint: 'JSON Lines: one object per line, e.g. {"name": "p1", "created": 0}' } };
    }
    const record = value as Record<string, unknown>;
    const where = (key: string) => {
      const at = text.indexOf(JSON.stringify(key));
      return at >= 0 ? at + 1 : 1;
    };
    for (const key of Object.keys(record)) {
      const problem = columnProblem(key);
      if (problem) return { problem: { line: this.lineNo, column: where(key), column_name: key, ...problem } };
      const v = record[key];
      if (v !== null && typeof v !== 'string' && typeof v !== 'number') {
        return { problem: { line: this.lineNo, column: where(key), column_name: key, message: `"${key}" is ${Array.isArray(v) ? 'a list' : typeof v}; expected a string or a number`, hint: 'write lists as in the CSV form, e.g. "gpu in (A,B)"' } };
      }
    }
    for (const required of REQUIRED_COLUMNS) {
      if (record[required] === undefined) return { problem: { line: this.lineNo, column: 1, column_name: required, message: `the object has no "${required}"`, hint: `every row needs ${REQUIRED_COLUMNS.map((c) => `"${c}"`).join(' and ')}` } };
    }
    return {
      names: Object.keys(record),
      get: (name) => {
        const v = record[name];
        return v === undefined || v === null ? undefined : { text: String(v).trim(), column: where(name) };
      },
    };
  }

  private row(cells: Cells): { pod: TracePod } | { problem: PodTraceProblem } {
    const line = this.lineNo;
    const fail = (name: string, message: string, hint?: string) => ({ problem: { line, column: cells.get(name)?.column ?? 1, column_name: name, message, hint } });
    const cell = (name: string) => {
      const c = cells.get(name);
      return c && c.text !== '' ? c.text : undefined;
    };
    const name = cell('name');
    if (name === undefined) return fail('name', 'no pod name in column "name"', 'every row names its pod');
    if (name.length > 253 || !POD_NAME.test(name)) return fail('name', `pod name ${quote(excerpt(name))} is not a valid name`, 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (at most 253)');
    const namespace = cell('namespace') ?? 'default';
    if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return fail('namespace', `namespace ${quote(excerpt(namespace))} is not a valid name`, 'lower-case letters, digits and "-", at most 63');

    const time = (column: string): number | null | { problem: PodTraceProblem } => {
      const text = cell(column);
      if (text === undefined) return null;
      const t = parseTime(text, this.startEpochMs);
      if (typeof t !== 'number') return fail(column, `time ${quote(excerpt(text))} in column "${column}" ${t.problem}`, TIME_HINT);
      return t;
    };
    const created = time('created');
    if (created === null) return fail('created', 'no creation time in column "created"', TIME_HINT);
    if (typeof created !== 'number') return created;
    if (created < 0) return fail('created', `created ${excerpt(cell('created')!)} is before spec.start`, 'set spec.start at or before the trace\'s first creation time, or give times as seconds since the start');
    if (this.previousCreated && created < this.previousCreated.ms) {
      return fail('created', `created ${excerpt(cell('created')!)} is earlier than the row on line ${this.previousCreated.line}`, 'sort the rows by creation time: a replay reads the file as the clock advances');
    }
    const deleted = time('deleted');
    if (deleted !== null && typeof deleted !== 'number') return deleted;
    if (deleted !== null && deleted < created) return fail('deleted', `deleted ${excerpt(cell('deleted')!)} is before created ${excerpt(cell('created')!)}`, 'a pod is deleted after it is created');
    const scheduled = time('scheduled');
    if (scheduled !== null && typeof scheduled !== 'number') return scheduled;

    let durationMs: number | null = null;
    const durationText = cell('duration');
    if (durationText !== undefined) {
      try {
        durationMs = parseDuration(/^[0-9.]+$/.test(durationText) ? Number(durationText) : durationText);
      } catch {
        durationMs = NaN;
      }
      if (!(durationMs >= 0) || !Number.isSafeInteger(durationMs)) return fail('duration', `duration ${quote(excerpt(durationText))} is not a duration`, 'seconds (e.g. 3600) or a duration such as 90m');
    }

    const requests: ResourceMap = {};
    const limits: ResourceMap = {};
    for (const column of cells.names) {
      const m = RESOURCE_COLUMN.exec(column);
      const text = m ? cell(column) : undefined;
      if (!m || text === undefined) continue;
      const resource = m[2];
      try {
        const amount = resource === 'cpu' ? cachedAmount(milliCache, text, milliValue) : cachedAmount(valueCache, text, value);
        if (amount < 0) return fail(column, `${excerpt(text)} in column "${column}" is negative`, 'requests and limits are >= 0');
        if (resource !== 'cpu' && resource !== 'memory' && resource.includes('/') && !Number.isInteger(Number(text))) return fail(column, `${excerpt(text)} in column "${column}" is not a whole number`, `an extended resource such as ${resource} is counted in whole units`);
        (m[1] === 'requests' ? requests : limits)[resource] = amount;
      } catch (error) {
        if (!(error instanceof QuantityError)) throw error;
        return fail(column, `${excerpt(text)} in column "${column}" is not a quantity`, quantityHint(text, quantityFieldOf([resource])) ?? error.hint ?? (resource === 'cpu' ? 'cpu in cores or millicores: 0.5, 500m' : 'e.g. 512Mi, 2Gi, or a whole number'));
      }
    }
    // As the API server defaults it: a limit without a request requests the limit.
    for (const r of Object.keys(limits)) if (requests[r] === undefined) requests[r] = limits[r];
    for (const r of Object.keys(limits)) {
      if (requests[r] > limits[r]) return fail(`requests.${r}`, `requests.${r} is above limits.${r}`, 'a request must be at most its limit');
    }

    const pod: TracePod = { line, name, namespace, createdMs: created, deletedMs: deleted, durationMs, scheduledMs: scheduled, requests, limits, tolerations: [] };
    const priorityText = cell('priority');
    if (priorityText !== undefined) {
      const p = Number(priorityText);
      if (!/^-?[0-9]+$/.test(priorityText) || !Number.isSafeInteger(p) || Math.abs(p) > 2 ** 31 - 1) return fail('priority', `priority ${quote(excerpt(priorityText))} is not a 32-bit integer`, 'e.g. 1000; or name a PriorityClass in column "priority_class"');
      pod.priority = p;
    }
    const priorityClass = cell('priority_class');
    if (priorityClass !== undefined) pod.priorityClassName = priorityClass;

    const selector = cell('node_selector');
    if (selector !== undefined) {
      const pairs: Record<string, string> = {};
      for (const part of splitList(selector)) {
        const eq = part.indexOf('=');
        if (eq <= 0) return fail('node_selector', `${quote(excerpt(part))} in column "node_selector" is not label=value`, 'e.g. "gpu-model=V100;zone=a" (";" between labels)');
        pairs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
      }
      pod.nodeSelector = pairs;
    }
    const tolerations = cell('tolerations');
    if (tolerations !== undefined) {
      for (const part of splitList(tolerations)) {
        const t = parseToleration(part);
        if (typeof t === 'string') return fail('tolerations', `${quote(excerpt(part))} in column "tolerations" ${t}`, 'key[=value][:Effect], ";" between tolerations; e.g. "gpu=true:NoSchedule;spot"');
        pod.tolerations.push(t);
      }
    }
    const affinity = cell('node_affinity');
    if (affinity !== undefined) {
      const requirements: NodeSelectorRequirement[] = [];
      for (const part of splitList(affinity)) {
        const r = parseRequirement(part);
        if (typeof r === 'string') return fail('node_affinity', `${quote(excerpt(part))} in column "node_affinity" ${r}`, 'label selector requirements, ";" between them: "gpu-model in (V100M16,V100M32)", "key notin (a)", "key", "!key"');
        requirements.push(r);
      }
      pod.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: requirements }] } } };
    }
    this.previousCreated = { ms: created, line };
    return { pod };
  }
}

/** Converted quantities: a trace repeats the same few thousand amounts a million times. */
const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();
const CACHE_SIZE = 10_000;

function cachedAmount(cache: Map<string, number>, text: string, convert: (q: ReturnType<typeof parseQuantity>) => number): number {
  let amount = cache.get(text);
  if (amount === undefined) {
    amount = convert(parseQuantity(text));
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(text, amount);
  }
  return amount;
}

/** What is wrong with a column name, or null for a column the trace format has. */
function columnProblem(name: string): { message: string; hint?: string } | null {
  if ((TRACE_COLUMNS as readonly string[]).includes(name) || RESOURCE_COLUMN.test(name)) return null;
  const close = TRACE_COLUMNS.find((c) => distance(c, name.toLowerCase()) <= Math.max(2, Math.floor(c.length / 3)));
  const resource = /^(cpu|memory|gpu|nvidia\.com\/gpu|gpu_milli)$/i.test(name);
  return {
    message: `unknown column ${quote(excerpt(name))}`,
    hint: resource ? `resources are columns requests.<resource> and limits.<resource>, e.g. requests.${name === 'gpu' ? 'nvidia.com/gpu' : name}` : close ? `did you mean "${close}"?` : `columns: ${TRACE_COLUMNS.join(', ')}, requests.<resource>, limits.<resource>`,
  };
}

/** Splits a ";"-separated list, ignoring empty parts (a trailing ";"). */
function splitList(text: string): string[] {
  return text.split(';').map((s) => s.trim()).filter((s) => s !== '');
}

function parseToleration(text: string): Toleration | string {
  let rest = text;
  let effect: TaintEffect | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    const e = rest.slice(colon + 1).trim();
    if (!(EFFECTS as readonly string[]).includes(e)) return `has effect ${quote(excerpt(e))}; effects are ${EFFECTS.join(', ')}`;
    effect = e as TaintEffect;
    rest = rest.slice(0, colon).trim();
  }
  const eq = rest.indexOf('=');
  const key = (eq >= 0 ? rest.slice(0, eq) : rest).trim();
  if (eq >= 0 && key === '') return 'has a value but no key';
  const toleration: Toleration = eq >= 0 ? { key, operator: 'Equal', value: rest.slice(eq + 1).trim() } : { ...(key ? { key } : {}), operator: 'Exists' };
  if (effect) toleration.effect = effect;
  return toleration;
}

const SET_REQUIREMENT = /^([A-Za-z0-9][-A-Za-z0-9_./]*)\s+(in|notin)\s*\(([^()]*)\)$/;
const KEY = /^[A-Za-z0-9][-A-Za-z0-9_./]*$/;

function parseRequirement(text: string): NodeSelectorRequirement | string {
  const set = SET_REQUIREMENT.exec(text);
  if (set) {
    const values = set[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) return `lists no values for ${set[2]}`;
    return { key: set[1], operator: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const eq = /^([^!=]+?)\s*(!=|==|=)\s*(.*)$/.exec(text);
  if (eq && KEY.test(eq[1])) return { key: eq[1], operator: eq[2] === '!=' ? 'NotIn' : 'In', values: [eq[3].trim()] };
  if (text.startsWith('!') && KEY.test(text.slice(1).trim())) return { key: text.slice(1).trim(), operator: 'DoesNotExist' };
  if (KEY.test(text)) return { key: text, operator: 'Exists' };
  return 'is not a requirement';
}

/** The fields of one CSV line with the 1-based column where each starts. Quoted fields ("a,b",
 *  "say ""hi""") are read; a quote left open at the end of the line is a problem. */
export function splitCsvLine(line: string): { fields: string[]; starts: number[] } | { problem: string; column: number } {
  const fields: string[] = [];
  const starts: number[] = [];
  let i = 0;
  for (;;) {
    starts.push(i + 1);
    if (line[i] === '"') {
      const open = i;
      let text = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return { problem: 'a quoted field is not closed on its line', column: open + 1 };
        text += line.slice(i, q);
        if (line[q + 1] === '"') {
          text += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < line.length && line[i] !== ',') return { problem: 'text after a closing quote', column: i + 1 };
      fields.push(text);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end;
    }
    if (i >= line.length) return { fields, starts };
    i++; // the comma
  }
}

/** What a whole trace holds, read once (streaming) to report every problem before a run. */
export interface PodTraceCheck {
  rows: number;
  /** Rows created after `untilMs` (the run ends first: they are not replayed). */
  afterEnd: number;
  problems: PodTraceProblem[];
}

/** Bad rows reported one by one before the rest are summed up in one more problem. */
export const MAX_TRACE_PROBLEMS = 20;

/** Reads the whole trace, a line at a time, and reports its problems (the first
 *  MAX_TRACE_PROBLEMS, then how many more). */
export async function checkPodTrace(file: string, startEpochMs: number, untilMs: number): Promise<PodTraceCheck> {
  const reader = new PodTraceReader(file, startEpochMs);
  const check: PodTraceCheck = { rows: 0, afterEnd: 0, problems: [] };
  let more = 0;
  let last: PodTraceProblem | undefined;
  for (let next = await reader.next(); next !== null; next = await reader.next()) {
    if ('pod' in next) {
      check.rows++;
      if (next.pod.createdMs > untilMs) check.afterEnd++;
      continue;
    }
    last = next.problem;
    if (check.problems.length < MAX_TRACE_PROBLEMS) check.problems.push(next.problem);
    else more++;
  }
  if (more > 0 && last) check.problems.push({ line: last.line, column: last.column, message: `and ${more} more rows with problems (the last one here)` });
  return check;
}
