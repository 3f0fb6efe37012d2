// YAML (and JSON, which is YAML) read fast, with positions when needed. Values come from js-yaml's
// loadAll; each document's first line from a scan of the text. Only when a position inside a
// document is needed (a problem, the items of a List) is the text parsed again into js-yaml's
// event stream, which carries the offset of every node, and the path walked there. A text with
// aliases (`*name`) is parsed into events first and refused when they would repeat more than
// INPUT_LIMITS.aliasValues values or make a cycle: the documents share an alias's node, but
// everything after the loader (the schemas, the resolved scenario) copies it at every use.
import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  constructFromEvents,
  getScalarValue,
  loadAll,
  parseEvents,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import type { Problem } from './errors.ts';
import { quote } from '../excerpt.ts';
import { INPUT_LIMITS } from './limits.ts';

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

  private events: Event[] | null = null;
  /** Index in `events` of each document's root node. */
  private roots: number[] = [];
  /** 1-based line where each document's content starts, from a scan of the text. */
  private readonly documentLines: number[] | null = null;
  private lineStarts: number[] | null = null;

  /** `file` is the name used in messages (relative to the working directory). */
  constructor(readonly file: string, readonly text: string) {
    try {
      const aliases = mayHaveAliases(text);
      if (aliases || /^kind:\s*\w*List\b/m.test(text)) {
        // Lists need the positions of their items: parse once into events and build from them.
        this.parseEvents();
        const overflow = aliases ? aliasOverflow(this.events!, text) : null;
        if (overflow) {
          this.problem = { file, ...this.lineColumn(overflow.offset), path: '', message: overflow.message, hint: overflow.hint };
          this.events = [];
          return;
        }
        this.documents = constructFromEvents(this.events!, { source: text, filename: file, schema: CORE_SCHEMA });
      } else {
        this.documents = loadAll(text, { filename: file, schema: CORE_SCHEMA });
        const lines = scanDocumentLines(text);
        if (lines.length === this.documents.length) this.documentLines = lines;
      }
    } catch (error) {
      this.documents = [];
      this.events = [];
      this.problem = syntaxProblem(file, text, error);
      return;
    }
  }

  private parseEvents(): Event[] {
    if (this.events) return this.events;
    this.events = parseEvents(this.text, { filename: this.file });
    this.roots = [];
    for (let i = 0; i < this.events.length; i++) if (this.events![i].type === EVENT_ID.DOCUMENT) this.roots.push(i + 1);
    return this.events;
  }

  /** 1-based line of the node at `path` in document `doc` (the document itself by default). */
  line(doc: number, path: readonly PathPart[] = []): number {
    if (path.length === 0 && this.documentLines) return this.documentLines[doc] ?? 1;
    return this.position(doc, path).line;
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

  private offset(doc: number, path: readonly PathPart[], key: boolean): number {
    this.parseEvents();
    let node = this.roots[doc];
    if (node === undefined) return 0;
    let found = this.nodeOffset(node);
    for (let p = 0; p < path.length; p++) {
      const part = path[p];
      const type = this.events![node].type;
      const children = this.children(node);
      let next = -1;
      let keyEvent = -1;
      if (type === EVENT_ID.MAPPING) {
        for (let c = 0; c < children.length; c += 2) {
          const k = this.events![children[c]];
          if (k.type === EVENT_ID.SCALAR && getScalarValue(this.text, k) === String(part)) {
            keyEvent = children[c];
            next = children[c + 1];
            break;
          }
        }
      } else if (type === EVENT_ID.SEQUENCE && typeof part === 'number' && part < children.length) {
        next = children[part];
      }
      if (next < 0) return found;
      if (key && p === path.length - 1 && keyEvent >= 0) return this.nodeOffset(keyEvent);
      node = next;
      found = this.nodeOffset(node);
    }
    return found;
  }

  private readonly childCache = new Map<number, number[]>();

  /** Event indexes of a collection's children (key, value, key, value... for a mapping),
   *  cached so that looking up every item of a long List stays linear. */
  private children(node: number): number[] {
    let list = this.childCache.get(node);
    if (list) return list;
    list = [];
    const type = this.events![node].type;
    if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE) {
      for (let i = node + 1; this.events![i].type !== EVENT_ID.POP; i = this.skip(i)) list.push(i);
    }
    this.childCache.set(node, list);
    return list;
  }

  /** Index of the event after the node starting at `i`. */
  private skip(i: number): number {
    const type = this.events![i].type;
    if (type !== EVENT_ID.MAPPING && type !== EVENT_ID.SEQUENCE) return i + 1;
    let depth = 0;
    for (;;) {
      const t = this.events![i++].type;
      if (t === EVENT_ID.MAPPING || t === EVENT_ID.SEQUENCE) depth++;
      else if (t === EVENT_ID.POP && --depth === 0) return i;
    }
  }

  private nodeOffset(i: number): number {
    const e = this.events![i];
    switch (e.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        // The anchor's and the alias's name start after their `&` and `*`.
        return e.anchorStart >= 0 ? Math.min(e.anchorStart - 1, e.start) : e.start;
      case EVENT_ID.SCALAR:
        return scalarStart(e);
      case EVENT_ID.ALIAS:
        return e.anchorStart - 1;
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

/** A `*` where a node may start (at a line start, or after a space, `[`, `{`, `,` or the `:` of a
 *  JSON-like key): a text without one has no alias and is loaded without looking at its events. */
const ALIAS_START = /(?:^|[\s,[{:])\*/m;

export function mayHaveAliases(text: string): boolean {
  return text.includes('*') && ALIAS_START.test(text);
}

/** The first alias of `events` that takes the values aliases add past `limit`, or that refers to
 *  a node containing it (a cycle, which no copy can expand); null when there is none. Every
 *  node (a scalar, a key, a mapping, a sequence) is one value; an alias adds its anchor's node
 *  with everything under it, less the alias itself. */
export function aliasOverflow(events: readonly Event[], text: string, limit: number = INPUT_LIMITS.aliasValues): { offset: number; message: string; hint: string } | null {
  interface Frame {
    size: number;
    anchor: string | null;
  }
  // What each anchor name stands for now: a node still open (an alias to it is a cycle), or the
  // size of a closed one. A name defined again stands for its latest node, as in js-yaml.
  const anchors = new Map<string, Frame | number>();
  const open: Frame[] = [];
  let added = 0;
  const count = (n: number) => {
    if (open.length > 0) open[open.length - 1].size += n;
  };
  for (const e of events) {
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        open.push({ size: 0, anchor: null });
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const frame: Frame = { size: 1, anchor: e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : null };
        if (frame.anchor !== null) anchors.set(frame.anchor, frame);
        open.push(frame);
        break;
      }
      case EVENT_ID.SCALAR:
        if (e.anchorStart >= 0) anchors.set(text.slice(e.anchorStart, e.anchorEnd), 1);
        count(1);
        break;
      case EVENT_ID.ALIAS: {
        const name = text.slice(e.anchorStart, e.anchorEnd);
        const target = anchors.get(name) ?? 1;
        if (typeof target !== 'number') {
          return { offset: e.anchorStart - 1, message: `alias *${name} refers to a node that contains it`, hint: 'a value cannot contain itself: give the inner value its own content' };
        }
        count(target);
        added += target - 1;
        if (added > limit) {
          return {
            offset: e.anchorStart - 1,
            message: `YAML aliases would add more than ${limit.toLocaleString('en-US')} values: *${name} repeats ${target.toLocaleString('en-US')} of them, ${added.toLocaleString('en-US')} added so far`,
            hint: 'anchors that repeat anchors grow exponentially (a "billion laughs"): write the values out, or repeat less',
          };
        }
        break;
      }
      case EVENT_ID.POP: {
        const frame = open.pop()!;
        if (frame.anchor !== null && anchors.get(frame.anchor) === frame) anchors.set(frame.anchor, frame.size);
        count(frame.size);
        break;
      }
    }
  }
  return null;
}

function scalarStart(e: ScalarEvent): number {
  const anchor = e.anchorStart >= 0 ? e.anchorStart - 1 : -1; // at its `&`
  if (e.valueStart < 0) return e.tagStart >= 0 ? Math.min(e.tagStart, anchor >= 0 ? anchor : Infinity) : anchor;
  // Quoted scalars report the first character inside the quotes.
  const quoted = e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED;
  const start = quoted ? e.valueStart - 1 : e.valueStart;
  const prefix = [anchor, e.tagStart].filter((x) => x >= 0);
  return prefix.length ? Math.min(start, ...prefix) : start;
}

/**
 * The line where each document's content starts: documents are separated by "---" lines (which
 * cannot occur inside a block at column 0); the first content line after the separator is the
 * object's line. Comment-only text before the first separator is not a document.
 */
function scanDocumentLines(text: string): number[] {
  const lines: number[] = [];
  let open = false; // a document has started whose first content line is not yet seen
  let openLine = 0; // the separator line of that document
  let any = false; // a document has been seen
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    if (text.charCodeAt(start) === 45 /* - */ && text.startsWith('---', start) && (end === start + 3 || /[ \t\r]/.test(text[start + 3]))) {
      if (open) lines.push(openLine); // an empty document: point at its separator
      const rest = text.slice(start + 3, end).trim();
      if (rest && !rest.startsWith('#')) {
        lines.push(lineNo);
        open = false;
      } else {
        open = true;
        openLine = lineNo;
      }
      any = true;
    } else if ((open || !any) && isContentLine(text, start, end)) {
      lines.push(lineNo);
      open = false;
      any = true;
    }
    start = end + 1;
  }
  if (open) lines.push(openLine);
  return lines;
}

/** Not blank, not a comment, not a directive (%YAML) or document end marker (...). */
function isContentLine(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  if (first === 37 /* % */ || text.startsWith('...', start)) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c !== 35 /* # */;
  }
  return false;
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
  if (/\btab\b/i.test(reason)) return 'YAML indentation must use spaces, not tabs'; // not "non-prin*tab*le"
  if (/null byte|non-printable/.test(reason)) return 'this is not text: is it a binary file? Scenarios and manifests are YAML or JSON';
  if (/duplicated mapping key/.test(reason)) return 'each key may appear once per mapping; remove or merge the repeated one';
  if (/bad indentation|deficient indentation|end of the stream or a document separator/.test(reason)) {
    return `check the indentation of line ${line} (${quote(source.trim())}): keys of one mapping must start in the same column, and a nested mapping must be indented under its parent key`;
  }
  if (/unexpected end of the stream within a (single|double) quoted scalar/.test(reason)) return 'a quoted string is not closed';
  if (/missed comma|flow collection/.test(reason)) return 'a [...] or {...} list is missing a comma or a closing bracket';
  return undefined;
}
