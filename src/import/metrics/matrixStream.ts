// A streaming reader of Prometheus query_range answers: the bytes come in chunks (a file read
// 4 MB at a time, an HTTP body), and each element of `data.result` (one series:
// `{"metric":{...},"values":[[t,"v"],...]}`, a few hundred kB for a week at 1m) becomes a `Series`
// as soon as its closing brace arrives, so the whole JSON tree of a 150 MB answer is never in
// memory (JSON.parse of it cost gigabytes and half the import's time in the garbage collector).
//
// Exactly JSON.parse's answer, by construction:
// - A small structural scanner (strings, escapes, brackets, the keys of the top two objects) cuts
//   the text into the elements of every `data.result` array and the rest, the skeleton, where
//   each element is replaced by ` <n> ` (its number). The skeleton is JSON.parse'd at the end, so
//   `status`, `error`, `data.resultType`, duplicate keys (the last wins) and anything unexpected
//   are JSON.parse's own values; `data.result` comes back as the numbers of its elements.
// - An element is read by a strict fast path (the compact shape Prometheus writes: ASCII labels,
//   integer or decimal times, decimal values of at most 15 digits, converted exactly: an integer
//   below 2^53 divided by an exact power of ten is correctly rounded, as JSON.parse and Number
//   are), else JSON.parse'd alone and checked by the caller's `convert`.
// - If every element and the skeleton parse, the whole text is valid JSON (a value put where the
//   skeleton holds a number is still valid), and conversely; `end()` returns null when any part
//   does not, and the caller reads the text whole as before, so a damaged answer gets
//   JSON.parse's own message (that path costs what it did).
import fs from 'node:fs';

/** One series of a range query: its labels and its samples, `values[i]` at `times[i]` (seconds).
 *  8 bytes a sample: a week of 600 pods at 1m is 6 million samples a query. The streaming reader
 *  gives typed arrays of the exact length (outside the JavaScript heap: nothing for the garbage
 *  collector to copy), JSON.parse'd answers plain arrays. */
export interface Series {
  labels: Record<string, string>;
  times: Samples;
  values: Samples;
}
export type Samples = number[] | Float64Array;

/** fastElement's samples while an element is read (grown, never shrunk), copied out exactly. */
let scratchTimes = new Float64Array(1 << 14);
let scratchValues = new Float64Array(1 << 14);

/** An element of `data.result` read: its series and values skipped (not finite), or its parsed
 *  value when it is not a series (checked again where its index in the answer is known). */
export type Element = { series: Series; skipped: number } | { raw: unknown };

export interface ScannedAnswer {
  /** The skeleton, parsed: `data.result` holds the numbers of `elements`. */
  body: unknown;
  elements: Element[];
}

// A container's kind and role (the root object, its `data`, that one's `result`), an element's kind.
const OBJECT = 0;
const ARRAY = 1;
const OTHER = 0;
const ROOT = 1;
const DATA = 2;
const RESULT = 3;
const CONTAINER = 0;
const STRING = 1;
const SCALAR = 2;

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** A byte that ends a number or literal (whitespace or a structural character). */
const endsScalar = (c: number) => isWhitespace(c) || c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a || c === 0x22 || c === 0x7b || c === 0x5b;

export class MatrixScanner {
  private buf = Buffer.allocUnsafe(4 << 20);
  private len = 0;
  private pos = 0;
  /** Open containers: OBJECT or ARRAY, and their role. */
  private readonly kinds: number[] = [];
  private readonly roles: number[] = [];
  /** In an object, before the colon (a string here is a key). */
  private keyPos = false;
  private inString = false;
  private escape = false;
  /** The key being read in the root or data object, its bytes; the last one read. */
  private key: number[] | null = null;
  private lastKey: string | null = null;
  private readonly skeleton: Buffer[] = [];
  private skeletonFrom = 0;
  private elemStart = -1;
  private elemKind = CONTAINER;
  private elemDepth = 0;
  private elemInString = false;
  private elemEscape = false;
  private readonly elements: Element[] = [];
  private bomChecked: boolean;
  /** Some part is not JSON: the text is not. */
  broken = false;

  /** `stripBom`: a body decoded as fetch's text() does (a leading byte order mark dropped). */
  constructor(private readonly convert: (raw: unknown) => Element, options: { stripBom?: boolean } = {}) {
    this.bomChecked = !options.stripBom;
  }

  /** Reads the next bytes of `fd` (at most `most`); the number read (0 at its end). */
  fill(fd: number, most = Infinity): number {
    this.compact();
    if (this.buf.length - this.len < 1 << 20) this.grow(this.len + (4 << 20));
    const n = fs.readSync(fd, this.buf, this.len, Math.min(most, this.buf.length - this.len - 1), null);
    this.len += n;
    this.buf[this.len] = 0;
    if (n > 0) this.scan();
    return n;
  }

  /** Takes the next bytes of a stream. */
  write(chunk: Uint8Array): void {
    this.compact();
    if (this.buf.length - this.len <= chunk.length) this.grow(this.len + chunk.length + 1);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    this.buf[this.len] = 0;
    this.scan();
  }

  /** The answer read, or null when it is not JSON. */
  end(): ScannedAnswer | null {
    if (!this.bomChecked) this.checkBom(true);
    this.scan();
    if (this.broken || this.elemStart >= 0 || this.inString || this.kinds.length > 0) return null;
    this.skeleton.push(Buffer.from(this.buf.subarray(this.skeletonFrom, this.len)));
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(this.skeleton).toString('utf8'));
    } catch {
      return null;
    }
    return { body, elements: this.elements };
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(size, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** Drops the bytes read: the skeleton's go to `skeleton`, an open element's stay. */
  private compact(): void {
    if (this.elemStart >= 0) {
      if (this.elemStart === 0) return;
      this.buf.copy(this.buf, 0, this.elemStart, this.len);
      this.len -= this.elemStart;
      this.pos -= this.elemStart;
      this.elemStart = 0;
      return;
    }
    if (!this.bomChecked) return;
    if (this.pos > this.skeletonFrom) this.skeleton.push(Buffer.from(this.buf.subarray(this.skeletonFrom, this.pos)));
    this.buf.copy(this.buf, 0, this.pos, this.len);
    this.len -= this.pos;
    this.pos = 0;
    this.skeletonFrom = 0;
  }

  private checkBom(atEnd: boolean): void {
    const b = this.buf;
    if (this.len < 3 && !atEnd) return;
    if (this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = this.skeletonFrom = 3;
    this.bomChecked = true;
  }

  private scan(): void {
    if (!this.bomChecked) this.checkBom(false);
    if (!this.bomChecked || this.broken) return;
    const b = this.buf;
    const len = this.len;
    let i = this.pos;
    while (i < len) {
      if (this.elemStart >= 0) {
        i = this.scanElement(i);
        if (this.elemStart >= 0 || this.broken) break;
        continue;
      }
      const c = b[i];
      if (this.inString) {
        if (this.key) this.key.push(c);
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.key) this.lastKey = keyText(this.key);
          this.key = null;
        }
        i++;
        continue;
      }
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      const depth = this.kinds.length;
      const role = depth > 0 ? this.roles[depth - 1] : OTHER;
      if (c === 0x2c) {
        this.keyPos = depth > 0 && this.kinds[depth - 1] === OBJECT;
        i++;
        continue;
      }
      if (c === 0x3a) {
        this.keyPos = false;
        i++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        this.kinds.pop();
        this.roles.pop();
        this.keyPos = false;
        i++;
        continue;
      }
      // A value (or a key) starts.
      if (role === RESULT) {
        // An element whole in the buffer, of the shape fastElement reads, is read at once; else
        // it is scanned to its end first, possibly across reads. (Past the bytes read are those
        // of an earlier read: readFast accepts no element ending past `len`, and the 0 written
        // after the last byte read, which nothing of its shape matches, stops it there.)
        const end = c === 0x7b ? readFast(b, i, len) : -1;
        if (end > 0) {
          this.skeleton.push(Buffer.from(b.subarray(this.skeletonFrom, i)), Buffer.from(` ${this.elements.length} `));
          this.elements.push(fast!);
          this.skeletonFrom = i = end;
          continue;
        }
        this.startElement(i, c);
        i = c === 0x7b || c === 0x5b || c === 0x22 ? i + 1 : i;
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        this.key = this.keyPos && (role === ROOT || role === DATA) ? [] : null;
        i++;
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        let next = OTHER;
        if (depth === 0 && c === 0x7b) next = ROOT;
        else if (role === ROOT && c === 0x7b && this.lastKey === 'data') next = DATA;
        else if (role === DATA && c === 0x5b && this.lastKey === 'result') next = RESULT;
        this.kinds.push(c === 0x7b ? OBJECT : ARRAY);
        this.roles.push(next);
        this.keyPos = c === 0x7b;
        i++;
        continue;
      }
      i++; // a number or literal's byte: the skeleton's JSON.parse checks it
    }
    this.pos = i;
  }

  private startElement(i: number, c: number): void {
    this.skeleton.push(Buffer.from(this.buf.subarray(this.skeletonFrom, i)), Buffer.from(` ${this.elements.length} `));
    this.elemStart = i;
    this.elemKind = c === 0x7b || c === 0x5b ? CONTAINER : c === 0x22 ? STRING : SCALAR;
    this.elemDepth = 1;
    this.elemInString = false;
    this.elemEscape = false;
  }

  /** Reads on in the element from `i` (past its first byte); where the scan stopped. */
  private scanElement(i: number): number {
    const b = this.buf;
    const len = this.len;
    if (this.elemKind === SCALAR) {
      while (i < len && !endsScalar(b[i])) i++;
      if (i < len) this.finishElement(i);
      return i;
    }
    let depth = this.elemDepth;
    let inString = this.elemKind === STRING || this.elemInString;
    let escape = this.elemEscape;
    for (; i < len; i++) {
      const c = b[i];
      if (inString) {
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) {
          inString = false;
          if (this.elemKind === STRING) {
            this.finishElement(i + 1);
            return i + 1;
          }
        }
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
        this.finishElement(i + 1);
        return i + 1;
      }
    }
    this.elemDepth = depth;
    this.elemInString = inString;
    this.elemEscape = escape;
    return i;
  }

  private finishElement(end: number): void {
    const start = this.elemStart;
    let element = fastElement(this.buf, start, end);
    if (!element) {
      let raw: unknown;
      try {
        raw = JSON.parse(this.buf.toString('utf8', start, end));
      } catch {
        this.broken = true;
        return;
      }
      element = this.convert(raw);
    }
    this.elements.push(element);
    this.elemStart = -1;
    this.skeletonFrom = end;
  }
}

/** A key's text (JSON.parse'd when it holds an escape); null when it is not a string. */
function keyText(bytes: number[]): string | null {
  const raw = Buffer.from(bytes);
  if (!bytes.includes(0x5c)) return raw.toString('utf8', 0, raw.length - 1);
  try {
    return JSON.parse(`"${raw.toString('utf8')}`) as string;
  } catch {
    return null;
  }
}

/** The end of a string of printable ASCII without escapes from `i` (its closing quote), or -1. */
function plainStringEnd(b: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x22) return i;
    if (c < 0x20 || c > 0x7e || c === 0x5c) return -1;
  }
  return -1;
}

/** `-?digits(.digits)?` of at most 15 digits from s to e, exactly; NaN for anything else. */
function decimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let m = 0;
  const first = i;
  let c = b[i];
  while (i < e && c >= 0x30 && c <= 0x39) {
    m = m * 10 + (c - 0x30);
    c = b[++i];
  }
  if (i === first) return NaN;
  let digits = i - first;
  let fraction = 0;
  if (i < e && c === 0x2e) {
    const from = ++i;
    c = b[i];
    while (i < e && c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      c = b[++i];
    }
    fraction = i - from;
    if (fraction === 0) return NaN;
    digits += fraction;
  }
  if (i !== e || digits > 15) return NaN;
  const v = fraction === 0 ? m : m / POW10[fraction];
  return negative ? -v : v;
}

const METRIC = Buffer.from('{"metric":{');
const VALUES = Buffer.from(',"values":[');

function startsWith(b: Uint8Array, i: number, what: Buffer): boolean {
  for (let k = 0; k < what.length; k++) if (b[i + k] !== what[k]) return false;
  return true;
}

/**
 * The element from s to e when it is exactly `{"metric":{"k":"v",...},"values":[[t,"v"],...]}`
 * with ASCII labels (no escape, no `__proto__`) and JSON times of at most 15 digits without an
 * exponent; else null (JSON.parse reads it). A value that is not a 15-digit decimal goes through
 * Number() as parseQueryRange does (NaN, +Inf, 1e-05), skipped when not finite.
 */
export function fastElement(b: Buffer, s: number, e: number): Element | null {
  return readFast(b, s, e) === e ? fast : null;
}

/** What readFast read last. */
let fast: Element | null = null;

/** fastElement's reader: the end of the element read from s (into `fast`), or -1 (not its
 *  shape, or not ending by e). */
function readFast(b: Buffer, s: number, e: number): number {
  let i = s;
  if (!startsWith(b, i, METRIC)) return -1;
  i += METRIC.length;
  const labels: Record<string, string> = {};
  if (b[i] !== 0x7d) {
    for (;;) {
      if (b[i] !== 0x22) return -1;
      const ks = i + 1;
      i = plainStringEnd(b, ks, e);
      if (i < 0 || b[i + 1] !== 0x3a || b[i + 2] !== 0x22) return -1;
      const key = b.toString('latin1', ks, i);
      const vs = i + 3;
      i = plainStringEnd(b, vs, e);
      if (i < 0 || key === '__proto__') return -1;
      labels[key] = b.toString('latin1', vs, i);
      i++;
      if (b[i] === 0x2c) i++;
      else if (b[i] === 0x7d) break;
      else return -1;
    }
  }
  i++;
  if (!startsWith(b, i, VALUES)) return -1;
  i += VALUES.length;
  let n = 0;
  let skipped = 0;
  if (b[i] === 0x5d) i++;
  else {
    for (;;) {
      if (b[i] !== 0x5b) return -1;
      i++;
      // The time: a JSON number without exponent, -?(0|[1-9]d*)(.d+)?, at most 15 digits.
      const negative = b[i] === 0x2d;
      if (negative) i++;
      const first = i;
      let m = 0;
      let c = b[i];
      if (c === 0x30) c = b[++i];
      else if (c >= 0x31 && c <= 0x39) {
        do {
          m = m * 10 + (c - 0x30);
          c = b[++i];
        } while (c >= 0x30 && c <= 0x39);
      } else return -1;
      let digits = i - first;
      let fraction = 0;
      if (c === 0x2e) {
        const from = ++i;
        c = b[i];
        while (c >= 0x30 && c <= 0x39) {
          m = m * 10 + (c - 0x30);
          c = b[++i];
        }
        fraction = i - from;
        if (fraction === 0) return -1;
        digits += fraction;
      }
      if (digits > 15 || c !== 0x2c || b[i + 1] !== 0x22) return -1;
      const t = fraction === 0 ? m : m / POW10[fraction];
      // The value: a string of printable ASCII.
      const vs = i + 2;
      i = plainStringEnd(b, vs, e);
      if (i < 0 || b[i + 1] !== 0x5d) return -1;
      let v = decimal(b, vs, i);
      if (v !== v) {
        const text = b.toString('latin1', vs, i);
        v = Number(text);
        if (text.trim() === '' || !Number.isFinite(v)) v = NaN;
      }
      if (v === v) {
        if (n === scratchTimes.length) {
          const [t2, v2] = [new Float64Array(2 * n), new Float64Array(2 * n)];
          t2.set(scratchTimes);
          v2.set(scratchValues);
          [scratchTimes, scratchValues] = [t2, v2];
        }
        scratchTimes[n] = negative ? -t : t;
        scratchValues[n++] = v;
      } else skipped++;
      i += 2;
      if (b[i] === 0x2c) i++;
      else if (b[i] === 0x5d) {
        i++;
        break;
      } else return -1;
    }
  }
  if (b[i] !== 0x7d || i + 1 > e) return -1;
  fast = { series: { labels, times: scratchTimes.slice(0, n), values: scratchValues.slice(0, n) }, skipped };
  return i + 1;
}
