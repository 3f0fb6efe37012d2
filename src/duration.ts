// Scenario durations ("30s", "1d12h", "1.5h") <-> integer milliseconds, the engine's clock unit.
// Like Go's time.ParseDuration but with days and weeks, which capacity scenarios need, and without
// sub-millisecond units, which the clock cannot represent.
import { quote } from './excerpt.ts';

export class DurationError extends Error {
  /** A suggested fix, also included in the message; undefined when there is none. */
  readonly hint?: string;

  constructor(message: string, hint?: string) {
    super(hint ? `${message}; hint: ${hint}` : message);
    this.name = 'DurationError';
    this.hint = hint;
  }
}

function invalid(text: string, problem: string, hint?: string): DurationError {
  return new DurationError(`invalid duration ${quote(text)}: ${problem}`, hint);
}

const UNIT_MS: Readonly<Record<string, bigint>> = {
  ms: 1n, s: 1_000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n, w: 604_800_000n,
};
const UNIT_NAMES = 'ms, s, m, h, d, w';
const UNIT_LIST = `units are ${UNIT_NAMES}`;
const EXAMPLES = 'write e.g. 30s, 15m, 6h, 7d or 1d12h';
// "ms" is tried before "m" so that 500ms is not read as 500 minutes followed by garbage.
const COMPONENT = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d|w)/y;
const PLAIN_NUMBER = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** "30s", "15m", "6h", "7d", "4w", "1d12h", "3d12h30m", "500ms", "1.5h", "0s"; a plain number
 *  means seconds. Returns integer milliseconds, rounded half up. Throws DurationError. */
export function parseDuration(input: string | number): number {
  const text = durationText(input);
  if (text === '') throw invalid(text, 'empty', EXAMPLES);
  if (text.startsWith('-')) throw invalid(text, 'durations cannot be negative');
  const components = PLAIN_NUMBER.test(text) ? [{ number: text, unit: 's' }] : readComponents(text);
  return toSafeMs(text, sumMs(components));
}

function durationText(input: string | number): string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw invalid(String(input), 'not a finite number', EXAMPLES);
    if (input < 0) throw invalid(String(input), 'durations cannot be negative');
    // String() switches to exponent form below 1e-6 (which rounds to 0 ms anyway) and from 1e21
    // (far beyond any safe number of milliseconds), so both ends are settled here.
    if (input < 1e-6) return '0';
    if (input >= 1e21) throw invalid(String(input), 'too large');
    // String() is the shortest decimal reading back as this double: what the YAML author wrote.
    return String(input);
  }
  if (typeof input !== 'string') throw invalid(String(input), `expected a string or a number, got ${typeof input}`, EXAMPLES);
  return input.trim();
}

interface Component {
  number: string;
  unit: string;
}

function readComponents(text: string): Component[] {
  const components: Component[] = [];
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < text.length) {
    const match = COMPONENT.exec(text);
    if (!match) throw diagnose(text);
    const [, number, unit] = match;
    // A repeated unit ("1m30m") is almost always a typo for a different one, so refuse it.
    if (components.some((c) => c.unit === unit)) throw invalid(text, `the unit "${unit}" appears more than once`);
    components.push({ number, unit });
  }
  return components;
}

/** Exact sum of the components, rounded half up to a whole millisecond. */
function sumMs(components: readonly Component[]): bigint {
  const denominatorDigits = Math.max(...components.map((c) => fractionOf(c.number).length));
  const denominator = 10n ** BigInt(denominatorDigits);
  let numerator = 0n;
  for (const { number, unit } of components) {
    const fraction = fractionOf(number);
    const digits = BigInt(number.replace('.', '') || '0');
    numerator += digits * UNIT_MS[unit] * 10n ** BigInt(denominatorDigits - fraction.length);
  }
  return (2n * numerator + denominator) / (2n * denominator);
}

function fractionOf(number: string): string {
  const dot = number.indexOf('.');
  return dot < 0 ? '' : number.slice(dot + 1);
}

function toSafeMs(text: string, ms: bigint): number {
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(text, `too large: ${ms} ms is beyond what the clock can count exactly`);
  return Number(ms);
}

// ---------------------------------------------------------------------------------------------
// Diagnosis: re-read the text leniently (spaces, unit words, any case) to say what is wrong.

const UNIT_WORDS: Readonly<Record<string, string>> = {
  ms: 'ms', msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w',
};
/** The unit a bare number most likely continues with after a given unit ("1h30" -> 30m). */
const NEXT_SMALLER_UNIT: Readonly<Record<string, string>> = { w: 'd', d: 'h', h: 'm', m: 's', s: 'ms' };
const LENIENT_COMPONENT = /\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Zµ]*)\s*/y;

function diagnose(text: string): DurationError {
  const words = readLeniently(text);
  if (!words) return invalid(text, 'expected numbers each followed by a unit', EXAMPLES);
  const unknown = words.find((w) => w.unit !== '' && unitOf(w.unit) === undefined);
  if (unknown) return invalid(text, `unknown unit "${unknown.unit}"; ${UNIT_LIST}`, calendarHint(unknown));
  const bare = words.findIndex((w) => w.unit === '');
  if (bare >= 0) return invalid(text, `"${words[bare].number}" has no unit; ${UNIT_LIST}`, guessBareUnit(words, bare));
  const canonical = words.map((w) => w.number + unitOf(w.unit)).join('');
  const problem = /\s/.test(text) ? 'spaces are not allowed' : `units are written as ${UNIT_NAMES}`;
  return invalid(text, problem, `write ${canonical}`);
}

/** Days in a month and a year, for a hint only: capsim's durations are exact, calendars are not. */
const CALENDAR_DAYS: Readonly<Record<string, number>> = { mo: 30, mon: 30, month: 30, months: 30, y: 365, yr: 365, yrs: 365, year: 365, years: 365 };

/** `1 month` -> "write 30d (a month is not a fixed length: say which)"; a unit capsim has not. */
function calendarHint(word: Component): string | undefined {
  const lower = word.unit.toLowerCase();
  const days = Object.hasOwn(CALENDAR_DAYS, lower) ? CALENDAR_DAYS[lower] : undefined;
  if (days === undefined || !/^[0-9]+$/.test(word.number)) return undefined;
  return `write ${Number(word.number) * days}d (${days} days a ${days === 30 ? 'month' : 'year'}; durations are exact, so say how many days)`;
}

function readLeniently(text: string): Component[] | undefined {
  const words: Component[] = [];
  LENIENT_COMPONENT.lastIndex = 0;
  while (LENIENT_COMPONENT.lastIndex < text.length) {
    const match = LENIENT_COMPONENT.exec(text);
    if (!match) return undefined;
    words.push({ number: match[1], unit: match[2] });
  }
  return words;
}

function unitOf(word: string): string | undefined {
  // "M" usually means months (or megabytes), not minutes: do not guess.
  if (word === 'M') return undefined;
  const lower = word.toLowerCase();
  return Object.hasOwn(UNIT_WORDS, lower) ? UNIT_WORDS[lower] : undefined;
}

function guessBareUnit(words: readonly Component[], bare: number): string | undefined {
  const previous = bare > 0 ? unitOf(words[bare - 1].unit) : undefined;
  const guess = previous && NEXT_SMALLER_UNIT[previous];
  if (!guess) return undefined;
  const fixed = words.map((w, i) => w.number + (i === bare ? guess : unitOf(w.unit) ?? w.unit)).join('');
  return `did you mean ${fixed}?`;
}

// ---------------------------------------------------------------------------------------------

/** The one way capsim prints a duration it computed (issue 21): days, hours, minutes and seconds,
 *  largest first, zero parts left out: 2592000000 -> "30d" (never "4w2d"), 13_078_800_000 ->
 *  "151d9h", 90000 -> "1m30s", 3601000 -> "1h1s", 1500 -> "1500ms", 0 -> "0s". Without spaces
 *  (a message's hint, a file: it pastes into a scenario), or `spaced` where people read it in a
 *  page or a table ("151d 9h", "+18h 5m 50s"). Weeks only when the user wrote them:
 *  durationAsWritten. */
export function formatDuration(ms: number, options: { spaced?: boolean } = {}): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`formatDuration expects a non-negative integer of milliseconds, got ${ms}`);
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let rest = BigInt(ms);
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's']) {
    const count = rest / UNIT_MS[unit];
    if (count > 0n) parts.push(`${count}${unit}`);
    rest -= count * UNIT_MS[unit];
  }
  return parts.join(options.spaced ? ' ' : '');
}

/** A duration the user wrote (spec.duration: "30d", "2w", "36h") shown as they wrote it when
 *  it is that duration; otherwise (absent, overridden, not text) as formatDuration prints it. */
export function durationAsWritten(ms: number, written: unknown, options: { spaced?: boolean } = {}): string {
  if (typeof written === 'string') {
    try {
      if (parseDuration(written) === ms) return written.trim();
    } catch {
      // Not a duration: print the computed one.
    }
  }
  return formatDuration(ms, options);
}
