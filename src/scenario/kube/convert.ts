// Helpers shared by the per-kind converters: the problem sink, quantities to integers, metadata
// and label-selector matching.
import type { LabelSelector } from '../../model/api.ts';
import type { ObjectMeta, SourceRef } from '../../model/objects.ts';
import type { ResourceMap } from '../../model/resources.ts';
import { milliValue, parseQuantity, QuantityError, value } from '../../quantity.ts';
import { messageAndHint } from '../fields.ts';
import type { PathPart } from '../source.ts';

/** What a converter gets besides the validated object: a way to report a problem at a path
 *  relative to the object, and the object's place for the model's `source`. */
export interface Convert {
  problem(path: readonly PathPart[], message: string, hint?: string): void;
  source: SourceRef;
}

/** Names whose amounts are CPU, counted in millicores (resources and quota names). */
const CPU_NAMES = new Set(['cpu', 'requests.cpu', 'limits.cpu']);

/** cpu (and requests.cpu / limits.cpu) in millicores, everything else in whole base units
 *  rounded up, as upstream's MilliValue() / Value(). */
export function resourceAmount(name: string, input: string | number): number {
  const cache = CPU_NAMES.has(name) ? milliCache : valueCache;
  let amount = cache.get(input);
  if (amount === undefined) {
    const q = parseQuantity(input);
    amount = cache === milliCache ? milliValue(q) : value(q);
    if (cache.size > 100_000) cache.clear();
    cache.set(input, amount);
  }
  return amount;
}

/** Memoised conversions: manifests repeat the same few quantities thousands of times. */
const milliCache = new Map<string | number, number>();
const valueCache = new Map<string | number, number>();

/** Converts a validated resource map; a value too large to count exactly becomes a problem. */
export function toResourceMap(map: Record<string, string | number> | undefined, cv: Convert, path: readonly PathPart[]): ResourceMap {
  const out: ResourceMap = {};
  if (!map) return out;
  for (const name of Object.keys(map)) {
    try {
      out[name] = resourceAmount(name, map[name]);
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      const { message, hint } = messageAndHint(error);
      cv.problem([...path, name], message, hint);
    }
  }
  return out;
}

/** A quantity in milli-units (HPA metric targets), or undefined when absent. */
export function toMilli(input: string | number | undefined, cv: Convert, path: readonly PathPart[]): number | undefined {
  if (input === undefined) return undefined;
  try {
    return milliValue(parseQuantity(input));
  } catch (error) {
    if (!(error instanceof QuantityError)) throw error;
    const { message, hint } = messageAndHint(error);
    cv.problem(path, message, hint);
    return undefined;
  }
}

interface MetaInput {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
}

export function toMeta(meta: MetaInput, namespaced: boolean): ObjectMeta {
  const out: ObjectMeta = {
    name: meta.name,
    namespace: namespaced ? meta.namespace ?? 'default' : '',
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
  };
  if (meta.ownerReferences && meta.ownerReferences.length > 0) {
    out.ownerReferences = meta.ownerReferences.map(({ apiVersion, kind, name, uid, controller }) => (uid === undefined ? { apiVersion, kind, name, controller: controller ?? false } : { apiVersion, kind, name, uid, controller: controller ?? false }));
  }
  if (meta.creationTimestamp) out.creationTimestamp = meta.creationTimestamp;
  if (meta.deletionTimestamp) out.deletionTimestamp = meta.deletionTimestamp;
  return out;
}

/** Checks a label selector's requirement shapes (In/NotIn need values, Exists/DoesNotExist none). */
export function checkSelector(selector: LabelSelector | undefined, cv: Convert, path: readonly PathPart[]): void {
  (selector?.matchExpressions ?? []).forEach((req, i) => {
    const hasValues = (req.values ?? []).length > 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
      cv.problem([...path, 'matchExpressions', i, 'values'], `must be specified when \`operator\` is 'In' or 'NotIn'`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && hasValues) {
      cv.problem([...path, 'matchExpressions', i, 'values'], `may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
    }
  });
}
