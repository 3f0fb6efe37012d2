// Node selectors as Kubernetes evaluates them: a pod's spec.nodeSelector and node affinity
// (v1.NodeSelector), for the scheduler's NodeAffinity plugin and the DaemonSet controller alike.
// Upstream sources: component-helpers scheduling/corev1/nodeaffinity (LazyErrorNodeSelector,
// GetRequiredNodeAffinity, PreferredSchedulingTerms). Label requirements are labelSelector.ts's.
import type { Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from './api.ts';
import type { Node } from './node.ts';
import { allOf, compileLabelSelector, compileRequirement, type LabelMatcher } from './labelSelector.ts';

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

/** What a pod (or a pod template) asks of its node. */
export interface NodeConstraints {
  readonly spec: { readonly nodeSelector?: Readonly<Record<string, string>>; readonly affinity?: Affinity };
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match: spec.nodeSelector (labels.SelectorFromSet)
 *  AND the required node affinity. Returns null when the pod constrains nothing (every node
 *  matches). */
export function compileRequiredNodeAffinity(pod: NodeConstraints): NodeMatcher | null {
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

/** One-off evaluation of compileRequiredNodeAffinity. */
export function matchesRequiredNodeAffinity(pod: NodeConstraints, node: Node): boolean {
  const matches = compileRequiredNodeAffinity(pod);
  return matches === null || matches(node);
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
