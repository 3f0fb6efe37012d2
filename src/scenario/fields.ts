// zod field types shared by the scenario schema and the Kubernetes object schemas: quantities,
// resource maps, durations, int-or-percent, names. Each check reports in upstream's words.
import { z } from 'zod';
import { implausibleQuantity, isNegative, milliValue, parseQuantity, quantityFieldOf, QuantityError, value, type QuantityField } from '../quantity.ts';
import { DurationError, parseDuration } from '../duration.ts';
import { didYouMean } from './problems.ts';

type CheckContext = z.core.ParsePayload<unknown>;

function push(ctx: CheckContext, message: string, hint?: string, path: PropertyKey[] = [], key = false, quantity?: unknown): void {
  ctx.issues.push({ code: 'custom', message, input: ctx.value, path, params: { hint, key, quantity }, continue: true });
}

/** Memoised as quantityVerdicts are: a cluster's manifests repeat the same few amounts. */
const plausibility: Record<QuantityField, Map<string, { message: string; hint: string } | null>> = { cpu: new Map(), bytes: new Map() };

/** A quantity that parses but cannot be meant in its field (quantity.ts implausibleQuantity). */
function checkPlausible(ctx: CheckContext, amounts: Record<string, unknown>, field: (name: string) => QuantityField | undefined): void {
  for (const [name, amount] of Object.entries(amounts)) {
    if (typeof amount !== 'string') continue; // a plain number has no suffix
    const kind = field(name);
    if (!kind) continue;
    const seen = plausibility[kind];
    let wrong = seen.get(amount);
    if (wrong === undefined) {
      wrong = implausibleQuantity(amount, kind) ?? null;
      if (seen.size > 100_000) seen.clear();
      seen.set(amount, wrong);
    }
    if (wrong) push(ctx, wrong.message, wrong.hint, [name]);
  }
}

/** usage.cpu / usage.memory: base, perUnit (and leakPerHour) are CPU or bytes. */
export function checkPlausibleUsage(field: QuantityField) {
  return (ctx: CheckContext) => checkPlausible(ctx, ctx.value as Record<string, unknown>, (name) => (['base', 'perUnit', 'leakPerHour'].includes(name) ? field : undefined));
}

/** Splits "message; hint: text" as QuantityError and DurationError build it. */
export function messageAndHint(error: { message: string; hint?: string }): { message: string; hint?: string } {
  const suffix = error.hint ? `; hint: ${error.hint}` : '';
  const message = suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
  return { message, hint: error.hint };
}

/** How an amount is read into the model: in milli-units (CPU, HPA metric targets) or in whole
 *  units rounded up (bytes, counts), as upstream's MilliValue() / Value(). Either must come out a
 *  safe integer: 2^53 - 1 is the most capsim counts exactly. */
export type QuantityUnit = 'milli' | 'units';

/** Resource and quota names whose amounts are read in milli-units. */
export const MILLI_RESOURCE_NAMES: ReadonlySet<string> = new Set(['cpu', 'requests.cpu', 'limits.cpu']);

/** What is wrong with a quantity (null when nothing): a parse error, a negative amount, or an
 *  amount too large to count in `unit`. Memoised: manifests repeat the same few values
 *  thousands of times. */
const quantityVerdicts: Record<QuantityUnit, Map<unknown, { message: string; hint?: string } | null>> = { milli: new Map(), units: new Map() };

function quantityVerdict(input: unknown, unit: QuantityUnit): { message: string; hint?: string } | null {
  const verdicts = quantityVerdicts[unit];
  let verdict = verdicts.get(input);
  if (verdict !== undefined) return verdict;
  try {
    const q = parseQuantity(input as string | number);
    if (isNegative(q)) verdict = { message: 'must be greater than or equal to 0' };
    else {
      if (unit === 'milli') milliValue(q);
      else value(q);
      verdict = null;
    }
  } catch (error) {
    if (!(error instanceof QuantityError)) throw error;
    verdict = messageAndHint(error);
  }
  if (verdicts.size > 100_000) verdicts.clear();
  verdicts.set(input, verdict);
  return verdict;
}

function checkQuantity(ctx: CheckContext, unit: QuantityUnit = 'units'): void {
  const verdict = quantityVerdict(ctx.value, unit);
  if (verdict) push(ctx, verdict.message, verdict.hint, [], false, ctx.value);
}

/** A Kubernetes quantity: "100m", "0.5", "1Gi", 2. Non-negative, read in whole units (bytes). */
export const quantity = z
  .union([z.string(), z.number()])
  .check((ctx) => checkQuantity(ctx))
  .meta({ id: 'Quantity', description: 'A Kubernetes quantity: 100m, 0.5, 2, 512Mi, 1.5Gi, 1G, 1e3', examples: ['250m', '2', '512Mi'] });

/** A quantity read in milli-units (CPU, HPA metric targets): at most 2^53 - 1 thousandths. */
export const milliQuantity = z
  .union([z.string(), z.number()])
  .check((ctx) => checkQuantity(ctx, 'milli'))
  .meta({ id: 'MilliQuantity', description: 'A Kubernetes quantity read in thousandths (CPU, metric targets): 100m, 0.5, 2; at most 2^53 - 1 thousandths', examples: ['250m', '2'] });

export const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** Names valid as a container resource: the standard ones, hugepages-<size>, or an extended
 *  resource with a domain prefix (nvidia.com/gpu). `extra` adds e.g. "pods" for node capacity. */
export function checkResourceName(name: string, extra: readonly string[] = []): string | undefined {
  if ((STANDARD_RESOURCES as readonly string[]).includes(name) || extra.includes(name)) return undefined;
  if (/^hugepages-[0-9]/.test(name)) return undefined;
  if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) return undefined;
  return `unknown resource "${name}"`;
}

/** A CPU amount (cpu, requests.cpu, limits.cpu) must also fit in millicores; the values'
 *  own check has covered the rest. */
export function checkMilliAmounts(ctx: CheckContext): void {
  const map = ctx.value as Record<string, unknown>;
  for (const name of Object.keys(map)) {
    if (!MILLI_RESOURCE_NAMES.has(name) || quantityVerdict(map[name], 'units') !== null) continue;
    const verdict = quantityVerdict(map[name], 'milli');
    if (verdict) push(ctx, verdict.message, verdict.hint, [name], false, map[name]);
  }
}

/** requests / limits / capacity: resource name -> quantity. */
export function resourceMap(extraNames: readonly string[] = []) {
  return z.record(z.string(), quantity).check((ctx) => {
    const known = [...STANDARD_RESOURCES, ...extraNames];
    for (const name of Object.keys(ctx.value as Record<string, unknown>)) {
      const problem = checkResourceName(name, extraNames);
      if (problem) {
        push(ctx, problem, didYouMean(name, known) ?? `valid names: ${known.join(', ')}, hugepages-<size>, or an extended resource with a domain prefix such as nvidia.com/gpu`, [name], true);
      }
    }
    checkMilliAmounts(ctx);
    checkPlausible(ctx, ctx.value as Record<string, unknown>, (name) => quantityFieldOf([name]));
  });
}

/** A quantity, or a percentage such as "5%" (kubelet eviction thresholds). */
export const percentOrQuantity = z.union([z.string(), z.number()]).check((ctx) => {
  const v = ctx.value;
  if (typeof v === 'string' && v.endsWith('%')) {
    const n = Number(v.slice(0, -1));
    if (v.length === 1 || Number.isNaN(n) || n < 0 || n > 100) push(ctx, `invalid percentage ${JSON.stringify(v)}`, 'e.g. "5%" or 100Mi');
    return;
  }
  checkQuantity(ctx);
});

/** A duration: "30s", "15m", "1d12h"; a number means seconds. */
export const duration = z.union([z.string(), z.number()]).check((ctx) => {
  try {
    parseDuration(ctx.value as string | number);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    const { message, hint } = messageAndHint(error);
    push(ctx, message, hint);
  }
}).meta({ id: 'Duration', description: 'A duration: 30s, 15m, 6h, 7d, 4w, 1d12h, 500ms; a plain number means seconds', examples: ['30s', '15m', '1d'] });

/** A duration that must be more than zero: a period something repeats at (0 would repeat
 *  forever without time passing). */
export const period = duration.check((ctx) => {
  let ms: number;
  try {
    ms = parseDuration(ctx.value as string | number);
  } catch {
    return; // reported by the duration check
  }
  if (ms === 0) push(ctx, 'must be greater than 0');
});

/** intstr.IntOrString as used by maxSurge / maxUnavailable / minAvailable: 1 or "25%". */
export const intOrPercent = z.union([z.number(), z.string()]).check((ctx) => {
  const v = ctx.value;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) push(ctx, 'must be an integer or a percentage such as "25%"');
    else if (v < 0) push(ctx, 'must be greater than or equal to 0');
  } else if (!/^[0-9]+%$/.test(v as string)) {
    const hint = /^[0-9]+$/.test(v as string) ? `write ${v} without quotes, or "${v}%"` : 'e.g. 1 or "25%"';
    push(ctx, `a valid percent string must be a numeric string followed by an ending '%' (got ${JSON.stringify(v)})`, hint);
  }
}).meta({ id: 'IntOrPercent', description: 'A count (1) or a percentage ("25%")' });

/** A plain number (a price, a rate, a factor): finite, as z.number() always is, and at most
 *  2^53 - 1 either way, the range in which capsim's integers and sums stay exact. */
export const number = z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** A non-negative int32 such as replicas or seconds fields. */
export const count = z.number().int().min(0);
export const int32 = z.number().int().min(-2147483648).max(2147483647);

export const stringMap = z.record(z.string(), z.string());

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function dnsHint(name: string): string | undefined {
  const fixed = name.toLowerCase().replace(/[^-a-z0-9.]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return fixed && fixed !== name ? `e.g. "${fixed}"` : undefined;
}

/** metadata.name of most kinds (RFC 1123 subdomain). */
export const objectName = z.string().check((ctx) => {
  const name = ctx.value as string;
  if (name.length === 0) push(ctx, 'must not be empty');
  else if (name.length > 253) push(ctx, 'must be no more than 253 characters');
  else if (!DNS1123_SUBDOMAIN.test(name)) {
    push(ctx, `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`, dnsHint(name));
  }
});

/** A namespace name or a node pool name (RFC 1123 label). */
export const labelName = z.string().check((ctx) => {
  const name = ctx.value as string;
  if (name.length === 0) push(ctx, 'must not be empty');
  else if (name.length > 63) push(ctx, 'must be no more than 63 characters');
  else if (!DNS1123_LABEL.test(name)) {
    push(ctx, `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`, dnsHint(name));
  }
});

/** A loose object for parts of the API capsim does not read but whose field names are checked. */
export const anything = z.unknown();
