// InterPodAffinity (upstream framework/plugins/interpodaffinity/{filtering,scoring}.go and
// framework/types.go AffinityTerm, v1.31; reference/k8s-algorithms.md §4.3 and §4.4).
// Filter:
//   1. the pod's required affinity: every term needs a matching pod in the node's domain, except
//      for the first pod of a self-affine group (no matching pod anywhere, the pod matches all its
//      own terms, the node has all the keys);
//   2. the pod's required anti-affinity: no matching pod in the node's domain;
//   3. existing pods' required anti-affinity must not match the incoming pod in the node's domain.
// Score: per topology domain, +weight for existing pods matching the pod's preferred affinity,
// −weight for its preferred anti-affinity, +1 (hardPodAffinityWeight) for existing pods whose
// required affinity matches the pod, ±weight for existing pods' preferred terms matching the pod;
// normalised min-max.
// Namespaces of a term: `namespaces` ∪ namespaces selected by `namespaceSelector`; the owning pod's
// namespace when both are unset. Terminating pods count (upstream does not exclude them).
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin, Snapshot } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';
import type { LabelSelectorRequirement, PodAffinityTerm, WeightedPodAffinityTerm } from '../../model/api.ts';
import type { Node, NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { LabelMatcher, Labels } from '../../model/labelSelector.ts';
import { compileLabelSelector, labelOf } from '../../model/labelSelector.ts';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

/** InterPodAffinityArgs.hardPodAffinityWeight default. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

export const IPA_PRE_FILTER_KEY = 'PreFilter' + INTER_POD_AFFINITY;
export const IPA_PRE_SCORE_KEY = 'PreScore' + INTER_POD_AFFINITY;

function failure(reason: string, unresolvable: boolean): FilterFailure {
  return Object.freeze({ plugin: INTER_POD_AFFINITY, reasons: Object.freeze([reason]) as string[], unresolvable });
}
const AFFINITY_FAILURE = failure(ERR_REASON_AFFINITY_RULES_NOT_MATCH, true);
const ANTI_AFFINITY_FAILURE = failure(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH, false);
const EXISTING_ANTI_AFFINITY_FAILURE = failure(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, false);

// ---------------------------------------------------------------------------------------------
// Affinity terms (framework.AffinityTerm / PodInfo)

/** Labels of a namespace, for namespaceSelector. */
export type NamespaceLabelsOf = (namespace: string) => Labels;

/** framework.AffinityTerm: a PodAffinityTerm with its selectors parsed. */
export interface AffinityTerm {
  readonly topologyKey: string;
  readonly selector: LabelMatcher;
  /** Listed namespaces (or the owning pod's namespace when neither field is set). */
  readonly namespaces: readonly string[];
  /** Parsed namespaceSelector; null when unset (selects no namespace). */
  readonly namespaceSelector: LabelMatcher | null;
  readonly weight: number;
}

/** The parsed (anti-)affinity terms of one pod (framework.PodInfo). */
export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
}

const NO_TERMS: PodAffinityTerms = Object.freeze({
  requiredAffinity: [],
  requiredAntiAffinity: [],
  preferredAffinity: [],
  preferredAntiAffinity: [],
});

function newAffinityTerm(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  // matchLabelKeys / mismatchLabelKeys (MatchLabelKeysInPodAffinity): kube-apiserver merges
  // `key in (pod's value)` / `key notin (pod's value)` into a non-nil labelSelector at creation.
  const extra: LabelSelectorRequirement[] = [];
  if (term.labelSelector) {
    for (const key of term.matchLabelKeys ?? []) {
      const value = labelOf(pod.labels, key);
      if (value !== undefined) extra.push({ key, operator: 'In', values: [value] });
    }
    for (const key of term.mismatchLabelKeys ?? []) {
      const value = labelOf(pod.labels, key);
      if (value !== undefined) extra.push({ key, operator: 'NotIn', values: [value] });
    }
  }
  const namespaces = (term.namespaces ?? []).length === 0 && !term.namespaceSelector ? [pod.namespace] : [...(term.namespaces ?? [])];
  return {
    topologyKey: term.topologyKey,
    selector: compileLabelSelector(term.labelSelector, extra),
    namespaces,
    namespaceSelector: term.namespaceSelector ? compileLabelSelector(term.namespaceSelector) : null,
    weight,
  };
}

// Parsed terms per pod, recomputed only if the pod's affinity object is replaced (upstream
// parses them once into PodInfo when the pod enters the cache).
const termsCache = new WeakMap<Pod, { affinity: unknown; terms: PodAffinityTerms }>();

/** The pod's parsed (anti-)affinity terms. */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const affinity = pod.spec.affinity;
  if (!affinity || (!affinity.podAffinity && !affinity.podAntiAffinity)) return NO_TERMS;
  const cached = termsCache.get(pod);
  if (cached !== undefined && cached.affinity === affinity) return cached.terms;
  const required = (terms: PodAffinityTerm[] | undefined) => (terms ?? []).map((t) => newAffinityTerm(pod, t, 0));
  const preferred = (terms: WeightedPodAffinityTerm[] | undefined) =>
    (terms ?? []).map((t) => newAffinityTerm(pod, t.podAffinityTerm, t.weight));
  const terms: PodAffinityTerms = {
    requiredAffinity: required(affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: required(affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: preferred(affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: preferred(affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  termsCache.set(pod, { affinity, terms });
  return terms;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and matches its selector. */
export function termMatchesPod(term: AffinityTerm, pod: Pod, namespaceLabelsOf: NamespaceLabelsOf): boolean {
  if (!term.namespaces.includes(pod.namespace)) {
    if (term.namespaceSelector === null || !term.namespaceSelector(namespaceLabelsOf(pod.namespace))) return false;
  }
  return term.selector(pod.labels);
}

/** podMatchesAllAffinityTerms: false for no terms. */
function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: Pod, namespaceLabelsOf: NamespaceLabelsOf): boolean {
  if (terms.length === 0) return false;
  for (let i = 0; i < terms.length; i++) if (!termMatchesPod(terms[i], pod, namespaceLabelsOf)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Counts per topology pair (topologyToMatchedTermCount)

/** Counts per (topology key, value); pairs that drop to 0 are removed, as upstream. */
export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  /** Number of pairs with a non-zero count. */
  size = 0;

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  /** update(): adds `delta` to the node's pair for `key` when the node has the label. */
  addForNode(node: Node, key: string, delta: number): void {
    const value = labelOf(node.labels, key);
    if (value === undefined) return;
    let values = this.byKey.get(key);
    if (values === undefined) {
      values = new Map();
      this.byKey.set(key, values);
    }
    const before = values.get(value) ?? 0;
    const after = before + delta;
    if (after === 0) {
      if (before !== 0) {
        values.delete(value);
        this.size--;
        if (values.size === 0) this.byKey.delete(key);
      }
    } else {
      values.set(value, after);
      if (before === 0) this.size++;
    }
  }

  /** True when some label of the node forms a pair with a positive count. */
  anyPositiveForNode(node: Node): boolean {
    for (const [key, values] of this.byKey) {
      const value = labelOf(node.labels, key);
      if (value !== undefined && (values.get(value) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyCounts {
    const copy = new TopologyCounts();
    for (const [key, values] of this.byKey) copy.byKey.set(key, new Map(values));
    copy.size = this.size;
    return copy;
  }
}

/** updateWithAffinityTerms: +value per term when the target pod matches ALL the terms. */
function addAffinityMatches(counts: TopologyCounts, terms: readonly AffinityTerm[], target: Pod, node: Node, namespaceLabelsOf: NamespaceLabelsOf, value: number): void {
  if (!podMatchesAllTerms(terms, target, namespaceLabelsOf)) return;
  for (const t of terms) counts.addForNode(node, t.topologyKey, value);
}

/** updateWithAntiAffinityTerms: +value per term the target pod matches. */
function addAntiAffinityMatches(counts: TopologyCounts, terms: readonly AffinityTerm[], target: Pod, node: Node, namespaceLabelsOf: NamespaceLabelsOf, value: number): void {
  for (const t of terms) if (termMatchesPod(t, target, namespaceLabelsOf)) counts.addForNode(node, t.topologyKey, value);
}

// ---------------------------------------------------------------------------------------------
// Filter state

/** What PreFilter computed; `clone()` gives preemption its own copy per candidate node. */
export class InterPodAffinityPreFilterState {
  constructor(
    readonly pod: Pod,
    readonly terms: PodAffinityTerms,
    /** Existing pods whose required anti-affinity terms match the incoming pod. */
    readonly existingAntiAffinityCounts: TopologyCounts,
    /** Existing pods matching all of the incoming pod's required affinity terms. */
    readonly affinityCounts: TopologyCounts,
    /** Existing pods matching the incoming pod's required anti-affinity terms. */
    readonly antiAffinityCounts: TopologyCounts,
    /** The incoming pod matches all its own required affinity terms (first-pod exception). */
    readonly podMatchesOwnAffinity: boolean,
    /** Labels of the incoming pod's namespace, for existing pods' namespaceSelectors. */
    readonly ownNamespaceLabels: NamespaceLabelsOf,
    /** Labels of any namespace, for the incoming pod's namespaceSelectors. */
    readonly namespaceLabels: NamespaceLabelsOf,
  ) {}

  clone(): InterPodAffinityPreFilterState {
    return new InterPodAffinityPreFilterState(
      this.pod,
      this.terms,
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
      this.podMatchesOwnAffinity,
      this.ownNamespaceLabels,
      this.namespaceLabels,
    );
  }

  /** preFilterState.updateWithPod: `other` is added (+1) to or removed (−1) from `node`. */
  updateWithPod(other: Pod, node: Node, multiplier: number): void {
    addAntiAffinityMatches(this.existingAntiAffinityCounts, podAffinityTerms(other).requiredAntiAffinity, this.pod, node, this.ownNamespaceLabels, multiplier);
    addAffinityMatches(this.affinityCounts, this.terms.requiredAffinity, other, node, this.namespaceLabels, multiplier);
    addAntiAffinityMatches(this.antiAffinityCounts, this.terms.requiredAntiAffinity, other, node, this.namespaceLabels, multiplier);
  }
}

// ---------------------------------------------------------------------------------------------
// Score state

/** topologyScore: topology key -> value -> summed weight. */
export class InterPodAffinityPreScoreState {
  constructor(readonly topologyScore: Map<string, Map<string, number>>) {}
}

function hasAnyLabel(labels: Labels): boolean {
  for (const key in labels) if (Object.hasOwn(labels, key)) return true;
  return false;
}

function addScore(scores: Map<string, Map<string, number>>, key: string, value: string, delta: number): void {
  let values = scores.get(key);
  if (values === undefined) {
    values = new Map();
    scores.set(key, values);
  }
  values.set(value, (values.get(value) ?? 0) + delta);
}

export class InterPodAffinity implements FilterPlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): boolean {
    const terms = podAffinityTerms(pod);
    const ownLabels = snapshot.namespaceLabels(pod.namespace);
    const ownNamespaceLabels: NamespaceLabelsOf = () => ownLabels;
    const namespaceLabels: NamespaceLabelsOf = (ns) => snapshot.namespaceLabels(ns);

    // Existing pods' required anti-affinity against the incoming pod.
    const existingAntiAffinityCounts = new TopologyCounts();
    if (snapshot.anyRequiredAntiAffinity) {
      for (const nodeInfo of snapshot.nodeInfos) {
        if (nodeInfo.podsWithRequiredAntiAffinity === 0) continue;
        for (const existing of nodeInfo.pods) {
          const anti = podAffinityTerms(existing).requiredAntiAffinity;
          if (anti.length > 0) addAntiAffinityMatches(existingAntiAffinityCounts, anti, pod, nodeInfo.node, ownNamespaceLabels, 1);
        }
      }
    }

    // Existing pods against the incoming pod's required terms.
    const affinityCounts = new TopologyCounts();
    const antiAffinityCounts = new TopologyCounts();
    const hasRequired = terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0;
    if (hasRequired) {
      for (const nodeInfo of snapshot.nodeInfos) {
        for (const existing of nodeInfo.pods) {
          addAffinityMatches(affinityCounts, terms.requiredAffinity, existing, nodeInfo.node, namespaceLabels, 1);
          addAntiAffinityMatches(antiAffinityCounts, terms.requiredAntiAffinity, existing, nodeInfo.node, namespaceLabels, 1);
        }
      }
    }

    if (existingAntiAffinityCounts.size === 0 && !hasRequired) return false;
    state.set(IPA_PRE_FILTER_KEY, new InterPodAffinityPreFilterState(
      pod,
      terms,
      existingAntiAffinityCounts,
      affinityCounts,
      antiAffinityCounts,
      podMatchesAllTerms(terms.requiredAffinity, pod, namespaceLabels),
      ownNamespaceLabels,
      namespaceLabels,
    ));
    return true;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const s = state.get(IPA_PRE_FILTER_KEY) as InterPodAffinityPreFilterState | undefined;
    if (s === undefined) return null;
    const node = nodeInfo.node;

    // satisfyPodAffinity
    const affinity = s.terms.requiredAffinity;
    let podsExist = true;
    for (let i = 0; i < affinity.length; i++) {
      const value = labelOf(node.labels, affinity[i].topologyKey);
      if (value === undefined) return AFFINITY_FAILURE; // all topology labels must exist on the node
      if (s.affinityCounts.get(affinity[i].topologyKey, value) <= 0) podsExist = false;
    }
    // First pod of a self-affine group: nothing matches anywhere yet and the pod matches itself.
    if (!podsExist && !(s.affinityCounts.size === 0 && s.podMatchesOwnAffinity)) return AFFINITY_FAILURE;

    // satisfyPodAntiAffinity
    if (s.antiAffinityCounts.size > 0) {
      const anti = s.terms.requiredAntiAffinity;
      for (let i = 0; i < anti.length; i++) {
        const value = labelOf(node.labels, anti[i].topologyKey);
        if (value !== undefined && s.antiAffinityCounts.get(anti[i].topologyKey, value) > 0) return ANTI_AFFINITY_FAILURE;
      }
    }

    // satisfyExistingPodsAntiAffinity
    if (s.existingAntiAffinityCounts.size > 0 && s.existingAntiAffinityCounts.anyPositiveForNode(node)) {
      return EXISTING_ANTI_AFFINITY_FAILURE;
    }
    return null;
  }

  removePod(state: CycleState, _pod: Pod, victim: Pod, nodeInfo: NodeInfo): void {
    (state.get(IPA_PRE_FILTER_KEY) as InterPodAffinityPreFilterState | undefined)?.updateWithPod(victim, nodeInfo.node, -1);
  }

  addPod(state: CycleState, _pod: Pod, added: Pod, nodeInfo: NodeInfo): void {
    (state.get(IPA_PRE_FILTER_KEY) as InterPodAffinityPreFilterState | undefined)?.updateWithPod(added, nodeInfo.node, 1);
  }

  /** Sums the weights per topology domain over all existing pods (only pods with affinity terms
   *  when the incoming pod has no preferred terms). Skips when nothing matched anywhere. */
  preScore(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], snapshot: Snapshot): boolean {
    if (feasible.length === 0) return false;
    const terms = podAffinityTerms(pod);
    const hasConstraints = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
    if (!hasConstraints && !snapshot.anyPodAffinity) return false;

    const ownLabels = snapshot.namespaceLabels(pod.namespace);
    const ownNamespaceLabels: NamespaceLabelsOf = () => ownLabels;
    const namespaceLabels: NamespaceLabelsOf = (ns) => snapshot.namespaceLabels(ns);
    const topologyScore = new Map<string, Map<string, number>>();
    let anyMatch = false;

    // scoreMap.processTerm
    const processTerm = (term: AffinityTerm, weight: number, target: Pod, nsLabels: NamespaceLabelsOf, node: Node, multiplier: number) => {
      if (!termMatchesPod(term, target, nsLabels)) return;
      const value = labelOf(node.labels, term.topologyKey);
      if (value === undefined) return;
      addScore(topologyScore, term.topologyKey, value, weight * multiplier);
      anyMatch = true;
    };

    for (const nodeInfo of snapshot.nodeInfos) {
      if (!hasConstraints && nodeInfo.podsWithAffinity === 0) continue;
      const node = nodeInfo.node;
      if (!hasAnyLabel(node.labels)) continue;
      for (const existing of nodeInfo.pods) {
        const affinity = existing.spec.affinity;
        const existingHasAffinity = !!affinity && (!!affinity.podAffinity || !!affinity.podAntiAffinity);
        if (!hasConstraints && !existingHasAffinity) continue;
        // processExistingPod
        for (const t of terms.preferredAffinity) processTerm(t, t.weight, existing, namespaceLabels, node, 1);
        for (const t of terms.preferredAntiAffinity) processTerm(t, t.weight, existing, namespaceLabels, node, -1);
        if (!existingHasAffinity) continue;
        const other = podAffinityTerms(existing);
        for (const t of other.requiredAffinity) processTerm(t, HARD_POD_AFFINITY_WEIGHT, pod, ownNamespaceLabels, node, 1);
        for (const t of other.preferredAffinity) processTerm(t, t.weight, pod, ownNamespaceLabels, node, 1);
        for (const t of other.preferredAntiAffinity) processTerm(t, t.weight, pod, ownNamespaceLabels, node, -1);
      }
    }
    if (!anyMatch) return false;
    state.set(IPA_PRE_SCORE_KEY, new InterPodAffinityPreScoreState(topologyScore));
    return true;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.get(IPA_PRE_SCORE_KEY) as InterPodAffinityPreScoreState | undefined;
    if (s === undefined) return 0;
    const labels = nodeInfo.node.labels;
    let score = 0;
    for (const [key, values] of s.topologyScore) {
      const value = labelOf(labels, key);
      if (value !== undefined) score += values.get(value) ?? 0;
    }
    return score;
  }

  /** Min-max: 100·(raw−min)/(max−min) computed in float64 and truncated; all 0 when max == min. */
  normalize(state: CycleState, _pod: Pod, scores: number[]): void {
    const s = state.get(IPA_PRE_SCORE_KEY) as InterPodAffinityPreScoreState | undefined;
    if (s === undefined || s.topologyScore.size === 0) return;
    let minCount = Infinity;
    let maxCount = -Infinity;
    for (const score of scores) {
      if (score > maxCount) maxCount = score;
      if (score < minCount) minCount = score;
    }
    const diff = maxCount - minCount;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - minCount) / diff)) : 0;
    }
  }
}

export const interPodAffinity = new InterPodAffinity();
