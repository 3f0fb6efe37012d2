// Label selectors, node selectors and taint tolerations as the scheduler evaluates them
// (reference/k8s-algorithms.md §4.3). Upstream sources:
// - apimachinery labels/selector.go (Requirement.Matches) and metav1.LabelSelectorAsSelector;
// - component-helpers scheduling/corev1/nodeaffinity (LazyErrorNodeSelector,
//   GetRequiredNodeAffinity, PreferredSchedulingTerms);
// - component-helpers scheduling/corev1/helpers.go (FindMatchingUntoleratedTaint) and
//   core/v1 toleration.go (ToleratesTaint).
// Selectors are compiled once per scheduling cycle into plain predicates, so the per-node checks
// in Filter/Score neither parse nor allocate.
import type {
  LabelSelector,
  LabelSelectorRequirement,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PreferredSchedulingTerm,
  Taint,
  Toleration,
} from '../model/api.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';

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

/** One parsed requirement; null when invalid (upstream NewRequirement returns an error). */
function compileRequirement(key: string, operator: Operator, values: readonly string[] | undefined): LabelMatcher | null {
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

function allOf(matchers: LabelMatcher[]): LabelMatcher {
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

/** metav1.LabelSelectorAsSelector: nil matches nothing, `{}` matches everything, otherwise the
 *  AND of matchLabels and matchExpressions. `extra` requirements are ANDed in (used for
 *  matchLabelKeys / mismatchLabelKeys). An invalid requirement (e.g. `In` without values), which
 *  upstream rejects with an error, makes the selector match nothing. */
export function compileLabelSelector(
  selector: LabelSelector | undefined | null,
  extra: readonly LabelSelectorRequirement[] = [],
): LabelMatcher {
  if (selector === undefined || selector === null) return matchNothing;
  const requirements: LabelSelectorRequirement[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: 'In', values: [selector.matchLabels![key]] });
  }
  requirements.push(...(selector.matchExpressions ?? []), ...extra);
  if (requirements.length === 0) return matchEverything;
  const matchers: LabelMatcher[] = [];
  for (const r of requirements) {
    const m = compileRequirement(r.key, r.operator, r.values);
    if (m === null) return matchNothing;
    matchers.push(m);
  }
  return allOf(matchers);
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

// ---------------------------------------------------------------------------------------------
// v1.NodeSelector (node affinity)

/** A compiled node selector term or whole node selector. */
export type NodeMatcher = (node: Node) => boolean;

const METADATA_NAME = 'metadata.name';

function isEmptyNodeSelectorTerm(term: NodeSelectorTerm): boolean {
  return (term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0;
}

/** nodeSelectorRequirementsAsFieldSelector: only In / NotIn with exactly one value; the only
 *  field a node has is metadata.name, any other field reads as "". */
function compileFieldRequirement(r: NodeSelectorRequirement): NodeMatcher | null {
  if ((r.operator !== 'In' && r.operator !== 'NotIn') || (r.values ?? []).length !== 1) return null;
  const value = r.values![0];
  const equal = r.operator === 'In';
  const key = r.key;
  return (node) => ((key === METADATA_NAME ? node.name : '') === value) === equal;
}

/** newNodeSelectorTerm + nodeSelectorTerm.match: expressions ANDed, fields ANDed. Returns null for
 *  a term that can never match (empty, or with a parse error). */
function compileNodeSelectorTerm(term: NodeSelectorTerm): NodeMatcher | null {
  if (isEmptyNodeSelectorTerm(term)) return null;
  const labelMatchers: LabelMatcher[] = [];
  for (const r of term.matchExpressions ?? []) {
    const m = compileRequirement(r.key, r.operator, r.values);
    if (m === null) return null;
    labelMatchers.push(m);
  }
  const fieldMatchers: NodeMatcher[] = [];
  for (const r of term.matchFields ?? []) {
    const m = compileFieldRequirement(r);
    if (m === null) return null;
    fieldMatchers.push(m);
  }
  const labels = labelMatchers.length > 0 ? allOf(labelMatchers) : null;
  return (node) => {
    if (labels !== null && !labels(node.labels)) return false;
    for (let i = 0; i < fieldMatchers.length; i++) if (!fieldMatchers[i](node)) return false;
    return true;
  };
}

/** NodeSelectorTerms ORed (LazyErrorNodeSelector.Match). No usable term matches no node. */
export function compileNodeSelectorTerms(terms: readonly NodeSelectorTerm[]): NodeMatcher {
  const matchers: NodeMatcher[] = [];
  for (const term of terms) {
    const m = compileNodeSelectorTerm(term);
    if (m !== null) matchers.push(m);
  }
  if (matchers.length === 0) return () => false;
  if (matchers.length === 1) return matchers[0];
  return (node) => {
    for (let i = 0; i < matchers.length; i++) if (matchers[i](node)) return true;
    return false;
  };
}

export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return compileNodeSelectorTerms(terms)(node);
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match: spec.nodeSelector AND the required node
 *  affinity. Returns null when the pod constrains nothing (every node matches). */
export function compileRequiredNodeAffinity(pod: Pod): NodeMatcher | null {
  const nodeSelector = pod.spec.nodeSelector;
  const required: NodeSelector | undefined = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const labels = nodeSelector && Object.keys(nodeSelector).length > 0
    ? compileLabelSelector({ matchLabels: nodeSelector })
    : null;
  const terms = required ? compileNodeSelectorTerms(required.nodeSelectorTerms ?? []) : null;
  if (labels === null && terms === null) return null;
  if (labels === null) return terms;
  if (terms === null) return (node) => labels(node.labels);
  return (node) => labels(node.labels) && terms(node);
}

/** Parsed preferred node affinity terms (nodeaffinity.PreferredSchedulingTerms). Terms with weight
 *  0, empty terms and terms with parse errors are dropped. */
export interface WeightedNodeMatcher {
  readonly weight: number;
  readonly matches: NodeMatcher;
}

export function compilePreferredSchedulingTerms(terms: readonly PreferredSchedulingTerm[] | undefined): WeightedNodeMatcher[] {
  const out: WeightedNodeMatcher[] = [];
  for (const term of terms ?? []) {
    if (term.weight === 0) continue;
    const matches = compileNodeSelectorTerm(term.preference);
    if (matches !== null) out.push({ weight: term.weight, matches });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Taints and tolerations

/** v1.Toleration.ToleratesTaint: an empty effect matches every effect, an empty key matches every
 *  key, operator "" means Equal (values compared, absent value = ""), Exists ignores the value. */
export function tolerationToleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** v1helper.TolerationsTolerateTaint: some toleration tolerates the taint. */
export function toleratesTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tolerations.length; i++) if (tolerationToleratesTaint(tolerations[i], taint)) return true;
  return false;
}

export type TaintFilter = (taint: Taint) => boolean;

/** helper.DoNotScheduleTaintsFilterFunc: the taints Filter enforces. */
export const doNotScheduleTaints: TaintFilter = (taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';

/** v1helper.FindMatchingUntoleratedTaint: the first taint (in node order) passing `effectFilter`
 *  that no toleration tolerates, or null. Without a filter every taint is considered. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effectFilter?: TaintFilter,
): Taint | null {
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (effectFilter && !effectFilter(taint)) continue;
    if (!toleratesTaint(tolerations, taint)) return taint;
  }
  return null;
}
