// Kubernetes resource quantities <-> integer millicores and bytes, following upstream
// k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go). Everything is BigInt inside so
// that "1.5Gi" or "0.1m" come out exactly as the API server would compute them; results are
// handed back as numbers only once they are known to be safe integers.
import { quote } from './excerpt.ts';

/** Upstream's ErrFormatWrong text, quoted so users can compare with kubectl's message. */
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's ErrSuffix text: the shape is right but the suffix means nothing. */
const SUFFIX_WRONG = "unable to parse quantity's suffix";
const SUFFIX_LIST = 'valid suffixes are n u m k M G T P E (powers of 1000), Ki Mi Gi Ti Pi Ei (powers of 1024), or an exponent such as e3';
const EXAMPLES = 'write a number with an optional suffix, e.g. 500m, 2, 512Mi, 1.5Gi';

export class QuantityError extends Error {
  /** A suggested fix, also included in the message; undefined when there is none. */
  readonly hint?: string;

  constructor(message: string, hint?: string) {
    super(hint ? `${message}; hint: ${hint}` : message);
    this.name = 'QuantityError';
    this.hint = hint;
  }
}

function invalid(text: string, problem: string, hint?: string): QuantityError {
  return new QuantityError(`invalid quantity ${quote(text)}: ${problem}`, hint);
}

/** Which suffix family the input used; upstream keeps it to choose how to print the value back. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The amount in units of 10^-9, exact except that upstream rounds any finer remainder away
   *  from zero to the next nano ("if you want some resources, you should get some"). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** The input as written, kept for error messages. */
  readonly text: string;
}

const NANO_DIGITS = 9;
const DECIMAL_SUFFIX_EXPONENTS: Readonly<Record<string, number>> = {
  n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18,
};
const BINARY_SUFFIX_EXPONENTS: Readonly<Record<string, number>> = {
  Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60,
};
// Mirrors upstream's grammar, except that at least one digit is required: upstream's hand-written
// scanner quietly reads "+", "-" and "." as zero, which in a scenario file is always a mistake.
const QUANTITY_SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;
/** Beyond this decimal exponent no value can be converted anyway; refusing early keeps "1e999999999"
 *  from building a billion-digit BigInt. */
const MAX_DECIMAL_EXPONENT = 1000;

/** Parses a quantity (string, or a YAML number such as 2 or 0.5) into an exact value. Throws QuantityError. */
export function parseQuantity(input: string | number): Quantity {
  return parseScaled(quantityText(input), 0);
}

function quantityText(input: string | number): string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw invalid(String(input), 'not a finite number', EXAMPLES);
    // String() gives the shortest decimal that reads back as the same double, i.e. what the
    // YAML author wrote ("0.1", not 0.1000000000000000055...); its exponent form fits the grammar.
    return String(input);
  }
  if (typeof input !== 'string') throw invalid(String(input), `expected a string or a number, got ${typeof input}`, EXAMPLES);
  return input;
}

/** Parses `text` and multiplies the result by 10^extraExponent (used to read millicores as cores). */
function parseScaled(text: string, extraExponent: number): Quantity {
  const parts = readParts(text);
  if (parts === 'bad shape') throw invalid(text, FORMAT_WRONG, hintFor(text));
  if (parts === 'bad suffix') throw invalid(text, SUFFIX_WRONG, hintFor(text) ?? SUFFIX_LIST);
  const exponent10 = parts.scale.exponent10 - parts.fractionDigits + extraExponent;
  if (parts.digits !== 0n && exponent10 > MAX_DECIMAL_EXPONENT) throw invalid(text, 'too large');
  const magnitude = magnitudeInNanos(parts.digits, exponent10, parts.scale.exponent2);
  return { nanos: parts.negative ? -magnitude : magnitude, format: parts.scale.format, text };
}

interface QuantityParts {
  negative: boolean;
  /** Every digit of the number, the decimal point removed. */
  digits: bigint;
  fractionDigits: number;
  scale: SuffixScale;
}

function readParts(text: string): QuantityParts | 'bad shape' | 'bad suffix' {
  const match = QUANTITY_SHAPE.exec(text);
  if (!match) return 'bad shape';
  const [, sign, whole, fraction = '', suffix] = match;
  if (whole.length + fraction.length === 0) return 'bad shape';
  const scale = interpretSuffix(suffix);
  if (!scale) return 'bad suffix';
  return { negative: sign === '-', digits: BigInt(whole + fraction), fractionDigits: fraction.length, scale };
}

interface SuffixScale {
  exponent10: number;
  exponent2: number;
  format: QuantityFormat;
}

/** suffix.go's interpret(): decimal table, then binary table, then e<signed integer>. */
function interpretSuffix(suffix: string): SuffixScale | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIX_EXPONENTS, suffix)) return { exponent10: DECIMAL_SUFFIX_EXPONENTS[suffix], exponent2: 0, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIX_EXPONENTS, suffix)) return { exponent10: 0, exponent2: BINARY_SUFFIX_EXPONENTS[suffix], format: 'BinarySI' };
  if (/^[eE][+-]?[0-9]+$/.test(suffix)) return { exponent10: Number(suffix.slice(1)), exponent2: 0, format: 'DecimalExponent' };
  return undefined;
}

/** ceil(mantissa * 2^exponent2 * 10^exponent10 * 10^9), i.e. upstream's round-up to a whole nano. */
function magnitudeInNanos(mantissa: bigint, exponent10: number, exponent2: number): bigint {
  if (mantissa === 0n) return 0n; // whatever the exponent ("0e999999999")
  const scaled = mantissa << BigInt(exponent2);
  const shift = exponent10 + NANO_DIGITS;
  if (shift >= 0) return scaled * 10n ** BigInt(shift);
  // A divisor with more digits than the dividend always leaves a non-zero remainder below one nano.
  if (-shift > scaled.toString().length) return scaled === 0n ? 0n : 1n;
  return divideAwayFromZero(scaled, 10n ** BigInt(-shift));
}

/** Integer division rounding away from zero, as upstream's negativeScaleInt64 does. */
function divideAwayFromZero(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  if (quotient * divisor === dividend) return quotient;
  return dividend < 0n ? quotient - 1n : quotient + 1n;
}

/** ceil(value * 1000), like Quantity.MilliValue() (which rounds up). */
export function milliValue(q: Quantity): number {
  return toSafeNumber(q, divideAwayFromZero(q.nanos, 1_000_000n), 'milli-units');
}

/** ceil(value), like Quantity.Value(). */
export function value(q: Quantity): number {
  return toSafeNumber(q, divideAwayFromZero(q.nanos, 1_000_000_000n), 'units');
}

export function isNegative(q: Quantity): boolean {
  return q.nanos < 0n;
}

function toSafeNumber(q: Quantity, amount: bigint, unit: string): number {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (amount > limit || amount < -limit) {
    throw invalid(q.text, `too large: ${amount} ${unit} is beyond what capsim can count exactly (${limit})`);
  }
  return Number(amount);
}

/** Convenience: parse then milliValue. Throws QuantityError on bad input. */
export function parseCpuMilli(input: string | number): number {
  return milliValue(parseQuantity(input));
}

/** Convenience: parse then value. Throws QuantityError on bad input. */
export function parseBytes(input: string | number): number {
  return value(parseQuantity(input));
}

// ---------------------------------------------------------------------------------------------
// Hints: guess what the author meant, and only offer a guess that actually parses.

/** Common ways people write units, lower-cased, and the suffixes they probably meant. */
const SUFFIX_GUESSES: Readonly<Record<string, readonly string[]>> = {
  k: ['k', 'Ki'], kb: ['k', 'Ki'], ki: ['Ki'], kib: ['Ki'],
  mb: ['M', 'Mi'], mi: ['Mi'], mib: ['Mi'],
  g: ['G', 'Gi'], gb: ['G', 'Gi'], gi: ['Gi'], gib: ['Gi'],
  t: ['T', 'Ti'], tb: ['T', 'Ti'], ti: ['Ti'], tib: ['Ti'],
  p: ['P', 'Pi'], pb: ['P', 'Pi'], pi: ['Pi'], pib: ['Pi'],
  eb: ['E', 'Ei'], ei: ['Ei'], eib: ['Ei'],
  b: [''], byte: [''], bytes: [''],
  cpu: [''], cpus: [''], vcpu: [''], vcpus: [''], core: [''], cores: [''],
  millicore: ['m'], millicores: ['m'], millicpu: ['m'], mcpu: ['m'],
};
const SUFFIX_MEANINGS: Readonly<Record<string, string>> = {
  k: '10^3', Ki: '2^10', M: '10^6', Mi: '2^20', G: '10^9', Gi: '2^30',
  T: '10^12', Ti: '2^40', P: '10^15', Pi: '2^50', E: '10^18', Ei: '2^60',
};

/** What a quantity field counts, for hints that fit it: CPU (cores, millicores) or bytes
 *  (memory, storage); undefined for anything else (counts, extended resources, metric values). */
export type QuantityField = 'cpu' | 'bytes';

/** What the quantity at `path` counts, from the field's name: `...requests.cpu`, `cpu.base`
 *  (usage), `limits.memory`, `hugepages-2Mi`, `memory.available`; undefined when the name does not
 *  say (a count, an extended resource, a metric's target). */
export function quantityFieldOf(path: readonly PropertyKey[]): QuantityField | undefined {
  const names = path.filter((p): p is string => typeof p === 'string');
  let name = names.at(-1);
  if (name !== undefined && ['base', 'perUnit', 'leakPerHour'].includes(name)) name = names.at(-2); // usage: cpu.base
  if (name === undefined) return undefined;
  if (name === 'cpu' || name.endsWith('.cpu')) return 'cpu';
  if (['memory', 'ephemeral-storage', 'storage', 'memory.available'].includes(name) || /\.(memory|ephemeral-storage|storage)$/.test(name) || name.startsWith('hugepages-')) return 'bytes';
  return undefined;
}

/** Suffixes a hint may offer for a field: a CPU amount never gets Mi, a memory amount never m. */
const FIELD_SUFFIXES: Readonly<Record<QuantityField, ReadonlySet<string>>> = {
  cpu: new Set(['', 'm']),
  bytes: new Set(['', 'k', 'Ki', 'M', 'Mi', 'G', 'Gi', 'T', 'Ti', 'P', 'Pi', 'E', 'Ei']),
};

function hintFor(text: string, field?: QuantityField): string | undefined {
  return spacingHint(text, field) ?? commaHint(text) ?? unitHint(text, field) ?? shapeHint(text);
}

/** The hint for a quantity that does not parse, fitted to the field it is in (`cpu: 250MB` gets
 *  "did you mean 250m?", `memory: 512MB` gets 512M or 512Mi). */
export function quantityHint(input: string | number, field?: QuantityField): string | undefined {
  const text = String(input);
  return parses(text) ? undefined : hintFor(text, field);
}

/** A quantity that parses but cannot be what its field means: a CPU amount with a memory suffix
 *  (`cpu: 250Mi` is 262,144,000 cores) or a memory amount in thousandths of a byte (`memory:
 *  512m` is half a byte). Undefined when it is plausible. */
export function implausibleQuantity(input: string | number, field: QuantityField): { message: string; hint: string } | undefined {
  if (typeof input !== 'string') return undefined;
  const parts = readParts(input);
  if (typeof parts !== 'object' || parts.digits === 0n) return undefined;
  const match = /^([+-]?[0-9.]+)([a-zA-Z]+)$/.exec(input);
  if (!match) return undefined;
  const [, number, suffix] = match;
  if (field === 'cpu' && parts.scale.format === 'BinarySI') {
    const cores = Number(value(parseQuantity(input))).toLocaleString('en-US');
    return { message: `${input} is ${cores} cores: ${suffix} (2^${parts.scale.exponent2}) is a memory unit`, hint: `did you mean ${number}m (millicores)? CPU is counted in cores: 250m is a quarter of one` };
  }
  if (field === 'bytes' && suffix === 'm') {
    return { message: `${input} is ${number} thousandths of a byte: m is milli, not mega`, hint: `did you mean ${number}Mi or ${number}M? (Mi = 2^20, M = 10^6)` };
  }
  return undefined;
}

function parses(text: string): boolean {
  return typeof readParts(text) === 'object';
}

function spacingHint(text: string, field?: QuantityField): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact === text || compact === '') return undefined;
  return parses(compact) ? `remove the spaces: ${compact}` : hintFor(compact, field) ?? 'remove the spaces';
}

function commaHint(text: string): string | undefined {
  const dotted = text.replace(',', '.');
  return dotted !== text && parses(dotted) ? `use a dot for decimals: ${dotted}` : undefined;
}

function unitHint(text: string, field?: QuantityField): string | undefined {
  const match = /^([+-]?[0-9.]*[0-9][0-9.]*)([a-zA-Z]+)$/.exec(text);
  if (!match) return undefined;
  const [, number, unit] = match;
  let guesses = Object.hasOwn(SUFFIX_GUESSES, unit.toLowerCase()) ? SUFFIX_GUESSES[unit.toLowerCase()] : [];
  if (field) {
    guesses = guesses.filter((g) => FIELD_SUFFIXES[field].has(g));
    // A CPU amount with a memory-like unit (250MB, 2Gb): millicores is the likely meaning.
    if (field === 'cpu' && guesses.length === 0) {
      return parses(`${number}m`) ? `did you mean ${number}m (millicores) or ${number} (cores)? CPU takes m or a plain number of cores` : undefined;
    }
  }
  const candidates = guesses.map((s) => number + s).filter(parses);
  if (candidates.length === 0) return undefined;
  const meanings = guesses.filter((s) => Object.hasOwn(SUFFIX_MEANINGS, s))
    .map((s) => `${s} = ${SUFFIX_MEANINGS[s]}`);
  const explained = meanings.length > 1 ? ` (${meanings.join(', ')})` : '';
  return `did you mean ${candidates.join(' or ')}?${explained}`;
}

function shapeHint(text: string): string | undefined {
  if (!/[0-9]/.test(text)) return EXAMPLES;
  if ((text.match(/\./g) ?? []).length > 1) return 'a quantity has at most one decimal point';
  if (/[eE][+-]?$/.test(text)) return 'an exponent needs digits, e.g. 1e3 or 5e-1';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Formatting, as upstream's Quantity.String() prints the canonical form.

const DECIMAL_SUFFIXES_FROM_NANO = ['n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_SUFFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** formatCpuMilli(100) = "100m", 1000 -> "1", 2500 -> "2500m", 0 -> "0". */
export function formatCpuMilli(milli: number): string {
  return formatDecimalNanos(numberToNanos(milli, -3));
}

/** Binary suffix when 1024 divides exactly (largest exact one), else decimal, else the plain
 *  integer: 1073741824 -> "1Gi", 1536 -> "1536", 129000000 -> "129M", 0 -> "0". */
export function formatBytes(bytes: number): string {
  // Upstream falls back to decimal when binary would need a fraction; so do we.
  if (!Number.isInteger(bytes)) return formatDecimalNanos(numberToNanos(bytes, 0));
  const amount = BigInt(bytes);
  if (amount !== 0n && amount % 1024n === 0n) return stripPowers(amount, 1024n, BINARY_SUFFIXES);
  return formatDecimalNanos(amount * 10n ** BigInt(NANO_DIGITS));
}

/** Formats an amount of the named resource: cpu-like names in millicores, memory- and
 *  storage-like names in bytes, anything else (pods, counts, nvidia.com/gpu) as a plain number. */
export function formatResource(name: string, amount: number): string {
  const kind = resourceKind(name);
  if (kind === 'cpu') return formatCpuMilli(amount);
  if (kind === 'bytes') return formatBytes(amount);
  // Counts are integers; a fractional amount (a limit/request ratio) prints as upstream would.
  return Number.isInteger(amount) ? BigInt(amount).toString() : formatDecimalNanos(numberToNanos(amount, 0));
}

/** Quota names wrap resource names ("requests.cpu", "limits.memory",
 *  "gold.storageclass.storage.k8s.io/requests.storage"); what matters is the last part. */
function resourceKind(name: string): 'cpu' | 'bytes' | 'count' {
  const local = name.slice(name.lastIndexOf('/') + 1).replace(/^(requests|limits)\./, '');
  if (local === 'cpu' && !name.includes('/')) return 'cpu';
  if (local === 'memory' || local === 'storage' || local === 'ephemeral-storage' || local.startsWith('hugepages-')) return 'bytes';
  return 'count';
}

/** A JS number times 10^exponent, in nanos; exact for what the number prints as. */
function numberToNanos(amount: number, exponent: number): bigint {
  if (!Number.isFinite(amount)) throw new RangeError(`cannot format ${amount} as a quantity`);
  return parseScaled(String(amount), exponent).nanos;
}

/** Decimal canonical form: the largest power-of-1000 suffix that keeps the mantissa whole. */
function formatDecimalNanos(nanos: bigint): string {
  if (nanos === 0n) return '0';
  return stripPowers(nanos, 1000n, DECIMAL_SUFFIXES_FROM_NANO.slice(1), DECIMAL_SUFFIXES_FROM_NANO[0]);
}

/** Divides out `base` while it divides exactly, naming the result with suffixes[k-1] after k divisions. */
function stripPowers(amount: bigint, base: bigint, suffixes: readonly string[], noDivisionSuffix = ''): string {
  let mantissa = amount;
  let divisions = 0;
  while (divisions < suffixes.length && mantissa % base === 0n) {
    mantissa /= base;
    divisions++;
  }
  return `${mantissa}${divisions === 0 ? noDivisionSuffix : suffixes[divisions - 1]}`;
}
