// YAML (and JSON, which is YAML) read fast, with positions. js-yaml's event stream gives the
// values and, for every node, its offset in the text; positions are only computed for the paths
// that need them (an object's start line, a problem), by walking the events of one document.
import { readFileSync } from 'node:fs';
import {
  CORE_SCHEMA,
  EVENT_ID,
  constructFromEvents,
  getScalarValue,
  parseEvents,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import type { Problem } from './errors.ts';

export type PathPart = string | number;

export interface Position {
  /** 1-based. */
  line: number;
  column: number;
}

/** One parsed YAML file (or text): its documents and a way back from a path to line:column. */
export class YamlSource {
  /** Parsed documents, in order; empty documents are null. */
  readonly documents: unknown[] = [];
  /** A syntax error or duplicate key: the file has no usable documents. */
  readonly problem: Problem | null = null;

  private readonly events: Event[] = [];
  /** Index in `events` of each document's root node. */
  private readonly roots: number[] = [];
  private lineStarts: number[] | null = null;

  /** `file` is the name used in messages (relative to the working directory). */
  constructor(readonly file: string, readonly text: string) {
    try {
      this.events = parseEvents(text, { filename: file });
      this.documents = constructFromEvents(this.events, { source: text, filename: file, schema: CORE_SCHEMA });
      for (let i = 0; i < this.events.length; i++) if (this.events[i].type === EVENT_ID.DOCUMENT) this.roots.push(i + 1);
    } catch (error) {
      this.events = [];
      this.documents = [];
      this.problem = syntaxProblem(file, text, error);
    }
  }

  static read(path: string, file: string): YamlSource {
    return new YamlSource(file, readFileSync(path, 'utf8'));
  }

  /**
   * Where `path` is in document `doc`. With `key`, the last part is a mapping key and the
   * position is the key itself (for unknown fields). A path that runs out (a missing field)
   * gives the position of the deepest node that exists.
   */
  position(doc: number, path: readonly PathPart[], options: { key?: boolean } = {}): Position {
    const offset = this.offset(doc, path, options.key ?? false);
    return this.lineColumn(offset < 0 ? 0 : offset);
  }

  /** 1-based line of the node at `path` in document `doc`. */
  line(doc: number, path: readonly PathPart[] = []): number {
    return this.position(doc, path).line;
  }

  private offset(doc: number, path: readonly PathPart[], key: boolean): number {
    let node = this.roots[doc];
    if (node === undefined) return 0;
    let found = this.nodeOffset(node);
    for (let p = 0; p < path.length; p++) {
      const part = path[p];
      const event = this.events[node];
      let next = -1;
      let keyEvent = -1;
      if (event.type === EVENT_ID.MAPPING) {
        let i = node + 1;
        while (this.events[i].type !== EVENT_ID.POP) {
          const valueIndex = this.skip(i);
          const k = this.events[i];
          if (k.type === EVENT_ID.SCALAR && getScalarValue(this.text, k) === String(part)) {
            next = valueIndex;
            keyEvent = i;
            break;
          }
          i = this.skip(valueIndex);
        }
      } else if (event.type === EVENT_ID.SEQUENCE && typeof part === 'number') {
        let i = node + 1;
        for (let n = 0; n < part && this.events[i].type !== EVENT_ID.POP; n++) i = this.skip(i);
        if (this.events[i].type !== EVENT_ID.POP) next = i;
      }
      if (next < 0) return found;
      if (key && p === path.length - 1 && keyEvent >= 0) return this.nodeOffset(keyEvent);
      node = next;
      found = this.nodeOffset(node);
    }
    return found;
  }

  /** Index of the event after the node starting at `i`. */
  private skip(i: number): number {
    const type = this.events[i].type;
    if (type !== EVENT_ID.MAPPING && type !== EVENT_ID.SEQUENCE) return i + 1;
    let depth = 0;
    for (;;) {
      const t = this.events[i++].type;
      if (t === EVENT_ID.MAPPING || t === EVENT_ID.SEQUENCE) depth++;
      else if (t === EVENT_ID.POP && --depth === 0) return i;
    }
  }

  private nodeOffset(i: number): number {
    const e = this.events[i];
    switch (e.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        return e.anchorStart >= 0 ? Math.min(e.anchorStart, e.start) : e.start;
      case EVENT_ID.SCALAR:
        return scalarStart(e);
      case EVENT_ID.ALIAS:
        return e.anchorStart;
      default:
        return -1;
    }
  }

  lineColumn(offset: number): Position {
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

function scalarStart(e: ScalarEvent): number {
  if (e.valueStart < 0) return e.tagStart >= 0 ? e.tagStart : e.anchorStart;
  // Quoted scalars report the first character inside the quotes.
  const quoted = e.style === 2 || e.style === 3;
  const start = quoted ? e.valueStart - 1 : e.valueStart;
  const prefix = [e.anchorStart, e.tagStart].filter((x) => x >= 0);
  return prefix.length ? Math.min(start, ...prefix) : start;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

interface MarkLike {
  line?: number;
  column?: number;
}

function syntaxProblem(file: string, text: string, error: unknown): Problem {
  const e = error as { reason?: string; mark?: MarkLike; message?: string };
  const reason = e.reason ?? e.message ?? String(error);
  const line = (e.mark?.line ?? 0) + 1;
  const column = (e.mark?.column ?? 0) + 1;
  return { file, line, column, path: '', message: `invalid YAML: ${reason}`, hint: syntaxHint(reason, text, line) };
}

/** Plain-language advice for the YAML mistakes people make most often. */
function syntaxHint(reason: string, text: string, line: number): string | undefined {
  const source = text.split('\n')[line - 1] ?? '';
  if (/tab/i.test(reason)) return 'YAML indentation must use spaces, not tabs';
  if (/duplicated mapping key/.test(reason)) return 'each key may appear once per mapping; remove or merge the repeated one';
  if (/bad indentation|deficient indentation|end of the stream or a document separator/.test(reason)) {
    return `check the indentation of line ${line} ("${source.trim()}"): keys of one mapping must start in the same column, and a nested mapping must be indented under its parent key`;
  }
  if (/unexpected end of the stream within a (single|double) quoted scalar/.test(reason)) return 'a quoted string is not closed';
  if (/missed comma|flow collection/.test(reason)) return 'a [...] or {...} list is missing a comma or a closing bracket';
  return undefined;
}
