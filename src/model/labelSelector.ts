// Label selectors (metav1.LabelSelector, labels.Selector) evaluated as Kubernetes does: the one
// matcher the scenario's validation, the API (PodDisruptionBudgets), the controllers and the
// scheduler's plugins all use. Upstream sources: apimachinery labels/selector.go
// (Requirement.Matches, SelectorFromSet) and metav1.LabelSelectorAsSelector.
// A selector is compiled once into a plain predicate, so hot paths neither parse nor allocate.
import type { LabelSelector, LabelSelectorRequirement, NodeSelectorRequirement } from './api.ts';

export type Labels = Readonly<Record<string, string>>;

/** A compiled label selector. */
export type LabelMatcher = (labels: Labels) => boolean;

/** labels.Nothing(): what a nil selector becomes. */
export const matchNothing: LabelMatcher = () => false;
/** labels.Everything(): what an empty selector `{}` becomes. */
export const matchEverything: LabelMatcher = () => true;

/** The value of a label, or undefined when absent (never a property inherited from Object). */
export function labelOf(labels: Labels, key: string): string | undefined {
  const value = labels[key];
  return typeof value === 'string' ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Label requirements (labels.Requirement)

type Operator = NodeSelectorRequirement['operator'];

/** One parsed requirement; null when invalid (upstream NewRequirement returns an error). Node
 *  selector terms (nodeSelector.ts) share it, with Gt and Lt. */
export function compileRequirement(key: string, operator: Operator, values: readonly string[] | undefined): LabelMatcher | null {
  const vals = values ?? [];
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (vals.length === 0) return null;
      const negate = operator === 'NotIn';
      if (vals.length === 1) {
        const only = vals[0];
        return (labels) => (labelOf(labels, key) === only) !== negate;
      }
      const set = new Set(vals);
      return (labels) => {
        const v = labelOf(labels, key);
        return (v !== undefined && set.has(v)) !== negate;
      };
    }
    case 'Exists':
      if (vals.length !== 0) return null;
      return (labels) => labelOf(labels, key) !== undefined;
    case 'DoesNotExist':
      if (vals.length !== 0) return null;
      return (labels) => labelOf(labels, key) === undefined;
    case 'Gt':
    case 'Lt': {
      if (vals.length !== 1) return null;
      const bound = parseInt64(vals[0]);
      if (bound === null) return null;
      const greater = operator === 'Gt';
      return (labels) => {
        const v = labelOf(labels, key);
        if (v === undefined) return false;
        const n = parseInt64(v);
        if (n === null) return false;
        return greater ? n > bound : n < bound;
      };
    }
    default:
      return null;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range; null on error. */
export function parseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

/** Every matcher matches (a selector's requirements are ANDed). */
export function allOf(matchers: LabelMatcher[]): LabelMatcher {
  if (matchers.length === 1) return matchers[0];
  if (matchers.length === 2) {
    const [a, b] = matchers;
    return (labels) => a(labels) && b(labels);
  }
  return (labels) => {
    for (let i = 0; i < matchers.length; i++) if (!matchers[i](labels)) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// metav1.LabelSelector

/** metav1.LabelSelectorAsSelector: `{}` matches everything, otherwise the AND of matchLabels and
 *  matchExpressions. `extra` requirements are ANDed in (used for matchLabelKeys /
 *  mismatchLabelKeys). Null for a selector upstream rejects with an error: an invalid requirement,
 *  e.g. `In` without values. */
export function labelSelectorAsSelector(selector: LabelSelector, extra: readonly LabelSelectorRequirement[] = []): LabelMatcher | null {
  const requirements: LabelSelectorRequirement[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: 'In', values: [selector.matchLabels![key]] });
  }
  requirements.push(...(selector.matchExpressions ?? []), ...extra);
  if (requirements.length === 0) return matchEverything;
  const matchers: LabelMatcher[] = [];
  for (const r of requirements) {
    const m = compileRequirement(r.key, r.operator, r.values);
    if (m === null) return null;
    matchers.push(m);
  }
  return allOf(matchers);
}

/** A selector as the API machinery applies it: nil matches nothing (labels.Nothing()), and so
 *  does an invalid selector, which upstream would have rejected with an error. */
export function compileLabelSelector(
  selector: LabelSelector | undefined | null,
  extra: readonly LabelSelectorRequirement[] = [],
): LabelMatcher {
  if (selector === undefined || selector === null) return matchNothing;
  return labelSelectorAsSelector(selector, extra) ?? matchNothing;
}

/** True when the selector has no requirements at all (labels.Selector.Empty()). */
export function isEmptyLabelSelector(selector: LabelSelector | undefined | null): boolean {
  if (!selector) return false;
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** One-off evaluation of a LabelSelector; hot paths should keep the compileLabelSelector result. */
export function matchesLabelSelector(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  return compileLabelSelector(selector)(labels);
}

/** A string that is equal for two selectors (with their `extra` requirements) exactly when they
 *  are written the same way up to the order of matchLabels: a cache key for counts per selector.
 *  Different strings may still select the same pods; that only costs a second cache entry. */
export function labelSelectorKey(selector: LabelSelector | undefined | null, extra: readonly LabelSelectorRequirement[] = []): string {
  if (selector === undefined || selector === null) return extra.length === 0 ? 'nil' : `nil+${JSON.stringify(extra)}`;
  const ml = selector.matchLabels ?? {};
  const keys = Object.keys(ml).sort();
  let s = '{';
  for (const k of keys) s += `${JSON.stringify(k)}:${JSON.stringify(ml[k])},`;
  s += '}';
  const me = selector.matchExpressions ?? [];
  if (me.length > 0) s += JSON.stringify(me.map((r) => [r.key, r.operator, r.values ?? null]));
  if (extra.length > 0) s += `+${JSON.stringify(extra.map((r) => [r.key, r.operator, r.values ?? null]))}`;
  return s;
}
