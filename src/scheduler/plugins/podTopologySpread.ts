// PodTopologySpread (upstream framework/plugins/podtopologyspread/{common,filtering,scoring}.go,
// v1.31; reference/k8s-algorithms.md §4.3 and §4.4).
// - Filter enforces `DoNotSchedule` constraints: the node must carry every topology key, and
//   `matching pods in the node's domain + (1 if the pod matches itself) − global minimum ≤ maxSkew`,
//   where the global minimum is 0 while there are fewer eligible domains than minDomains.
// - Score ranks nodes for `ScheduleAnyway` constraints (or the system defaults when the pod has
//   none and belongs to a controller): raw = round(Σ cnt·ln(domains+2) + (maxSkew−1)),
//   normalised 100·(max+min−raw)/max.
// Counting (countPodsMatchSelector): pods bound to an eligible node, in the incoming pod's
// namespace, not terminating, matching the constraint's selector. Eligible nodes carry all the
// constraints' keys and pass nodeAffinityPolicy (Honor: the pod's nodeSelector/required affinity)
// and nodeTaintsPolicy (Ignore by default).
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin, Snapshot } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';
import type { LabelSelectorRequirement, TopologySpreadConstraint } from '../../model/api.ts';
import { LABEL_HOSTNAME, LABEL_ZONE } from '../../model/api.ts';
import type { Node, NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { LabelMatcher, Labels } from '../../model/labelSelector.ts';
import { compileLabelSelector, isEmptyLabelSelector, labelOf, labelSelectorKey } from '../../model/labelSelector.ts';
import type { NodeMatcher } from '../../model/nodeSelector.ts';
import { compileRequiredNodeAffinity } from '../../model/nodeSelector.ts';
import { doNotScheduleTaints, findUntoleratedTaint } from '../../model/taints.ts';
import type { CountKey, SpreadCountEntry } from '../spreadCounts.ts';
import { countOnNode } from '../spreadCounts.ts';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';

/** State keys in the CycleState (upstream "PreFilter"+Name / "PreScore"+Name). */
export const PTS_PRE_FILTER_KEY = 'PreFilter' + POD_TOPOLOGY_SPREAD;
export const PTS_PRE_SCORE_KEY = 'PreScore' + POD_TOPOLOGY_SPREAD;

/** apis/config/v1 defaults.go systemDefaultConstraints (defaultingType: System). The
 *  labelSelector is the pod's controller selector (snapshot.ownerSelector). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = Object.freeze([
  { maxSkew: 3, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway' },
]);

const MAX_INT32 = 2147483647;

const LABEL_MISSING: FilterFailure = Object.freeze({
  plugin: POD_TOPOLOGY_SPREAD,
  reasons: Object.freeze([ERR_REASON_NODE_LABEL_NOT_MATCH]) as string[],
  unresolvable: true,
});
const SKEW_EXCEEDED: FilterFailure = Object.freeze({
  plugin: POD_TOPOLOGY_SPREAD,
  reasons: Object.freeze([ERR_REASON_CONSTRAINTS_NOT_MATCH]) as string[],
  unresolvable: false,
});

/** common.go topologySpreadConstraint: a constraint with its selector parsed. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelMatcher;
  /** What counting matches (namespace and selector; with the template hash when the selector
   *  requires one, so that counting looks only at the pods indexed under it). */
  readonly count: CountKey;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

type Action = TopologySpreadConstraint['whenUnsatisfiable'];

/** filterTopologySpreadConstraints: the constraints for one action, with matchLabelKeys merged
 *  into the selector (the pod's value of each listed label that the pod has) and the defaults
 *  minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore. */
function parseConstraints(constraints: readonly TopologySpreadConstraint[], podLabels: Labels, namespace: string, action: Action): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    const extra: LabelSelectorRequirement[] = [];
    for (const key of c.matchLabelKeys ?? []) {
      const value = labelOf(podLabels, key);
      if (value !== undefined) extra.push({ key, operator: 'In', values: [value] });
    }
    // mergeLabelSetWithSelector: the label set plus the selector's requirements (none for nil).
    const selector = extra.length > 0 ? compileLabelSelector(c.labelSelector ?? {}, extra) : compileLabelSelector(c.labelSelector);
    const key = `${namespace}\0${extra.length > 0 ? labelSelectorKey(c.labelSelector ?? {}, extra) : labelSelectorKey(c.labelSelector)}`;
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      count: { key, namespace, selector },
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
    });
  }
  return out;
}

/** The pod's own constraints for `action`, or else buildDefaultConstraints: the system defaults
 *  with the controller's selector, none when the pod has no controller selector. */
export function spreadConstraintsFor(pod: Pod, action: Action, snapshot: Snapshot): SpreadConstraint[] {
  if (pod.spec.topologySpreadConstraints.length > 0) {
    return parseConstraints(pod.spec.topologySpreadConstraints, pod.labels, pod.namespace, action);
  }
  const defaults = parseConstraints(SYSTEM_DEFAULT_CONSTRAINTS, pod.labels, pod.namespace, action);
  if (defaults.length === 0) return defaults;
  const ownerSelector = snapshot.ownerSelector(pod);
  if (!ownerSelector || isEmptyLabelSelector(ownerSelector)) return [];
  const selector = compileLabelSelector(ownerSelector);
  const hash = ownerSelector.matchLabels?.['pod-template-hash'];
  const key = `${pod.namespace}\0${labelSelectorKey(ownerSelector)}`;
  const count: CountKey = hash === undefined ? { key, namespace: pod.namespace, selector } : { key, namespace: pod.namespace, selector, hashKey: `${pod.namespace}/${hash}` };
  return defaults.map((c) => ({ ...c, selector, count }));
}

/** The kept counts of each constraint's selector, or null (count afresh) without a cache. */
function countEntries(snapshot: Snapshot, constraints: readonly SpreadConstraint[]): (SpreadCountEntry | null)[] {
  const cache = snapshot.spreadCounts;
  return constraints.map((c) => (cache === undefined ? null : cache.entry(c.count)));
}

/** Matching pods on one node for a constraint: kept, or counted afresh. */
function matchingOnNode(nodeInfo: NodeInfo, c: SpreadConstraint, entry: SpreadCountEntry | null): number {
  return entry === null ? countOnNode(nodeInfo, c.count) : entry.count(nodeInfo);
}

/** nodeLabelsMatchSpreadConstraints: the node carries every constraint's topology key. */
function hasAllTopologyKeys(labels: Labels, constraints: readonly SpreadConstraint[]): boolean {
  for (let i = 0; i < constraints.length; i++) if (labelOf(labels, constraints[i].topologyKey) === undefined) return false;
  return true;
}

/** matchNodeInclusionPolicies. */
function nodeIncluded(c: SpreadConstraint, pod: Pod, node: Node, requiredAffinity: NodeMatcher | null): boolean {
  if (c.honorNodeAffinity && requiredAffinity !== null && !requiredAffinity(node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.taints, pod.spec.tolerations, doNotScheduleTaints) !== null) return false;
  return true;
}

/** filtering.go criticalPaths: the two domains with the fewest matching pods. Index 0 always holds
 *  the minimum; index 1 is ≥ it but not necessarily the second minimum after updates. */
class CriticalPaths {
  value0 = '';
  num0 = MAX_INT32;
  value1 = '';
  num1 = MAX_INT32;

  update(value: string, num: number): void {
    if (value === this.value0 || value === this.value1) {
      if (value === this.value0) this.num0 = num;
      else this.num1 = num;
      if (this.num0 > this.num1) {
        const v = this.value0, n = this.num0;
        this.value0 = this.value1; this.num0 = this.num1;
        this.value1 = v; this.num1 = n;
      }
    } else if (num < this.num0) {
      this.value1 = this.value0; this.num1 = this.num0;
      this.value0 = value; this.num0 = num;
    } else if (num < this.num1) {
      this.value1 = value; this.num1 = num;
    }
  }

  clone(): CriticalPaths {
    const copy = new CriticalPaths();
    copy.value0 = this.value0; copy.num0 = this.num0;
    copy.value1 = this.value1; copy.num1 = this.num1;
    return copy;
  }
}

/** What PreFilter computed; `clone()` gives preemption its own copy per candidate node. */
export class PodTopologySpreadPreFilterState {
  constructor(
    readonly constraints: readonly SpreadConstraint[],
    /** Per constraint: whether the incoming pod matches its own selector. */
    readonly selfMatch: readonly boolean[],
    /** Per constraint: topology value -> matching pods in that eligible domain (TpValueToMatchNum). */
    readonly matchNum: Map<string, number>[],
    readonly criticalPaths: CriticalPaths[],
    readonly requiredAffinity: NodeMatcher | null,
  ) {}

  /** minMatchNum: the global minimum, or 0 while there are fewer domains than minDomains. */
  minMatchNum(i: number): number {
    return this.matchNum[i].size < this.constraints[i].minDomains ? 0 : this.criticalPaths[i].num0;
  }

  clone(): PodTopologySpreadPreFilterState {
    return new PodTopologySpreadPreFilterState(
      this.constraints,
      this.selfMatch,
      this.matchNum.map((m) => new Map(m)),
      this.criticalPaths.map((p) => p.clone()),
      this.requiredAffinity,
    );
  }
}

/** What PreScore computed. */
export class PodTopologySpreadPreScoreState {
  constructor(
    readonly constraints: readonly SpreadConstraint[],
    /** Feasible nodes missing a topology key (pod-defined constraints only): score 0. */
    readonly ignoredNodes: ReadonlySet<string>,
    /** Per constraint (not hostname): topology value of a feasible node -> matching pods. */
    readonly podCounts: Map<string, number>[],
    /** Per constraint: ln(number of domains + 2). */
    readonly normalizingWeight: readonly number[],
    /** Per constraint: the kept counts of its selector, or null to count afresh. */
    readonly entries: readonly (SpreadCountEntry | null)[],
  ) {}
}

export class PodTopologySpread implements FilterPlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;

  /** Counts matching pods per eligible domain of every DoNotSchedule constraint. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): boolean {
    const constraints = spreadConstraintsFor(pod, 'DoNotSchedule', snapshot);
    if (constraints.length === 0) return false;
    const requiredAffinity = compileRequiredNodeAffinity(pod);
    const matchNum = constraints.map(() => new Map<string, number>());
    const entries = countEntries(snapshot, constraints);
    for (const nodeInfo of snapshot.nodeInfos) {
      const node = nodeInfo.node;
      if (!hasAllTopologyKeys(node.labels, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (!nodeIncluded(c, pod, node, requiredAffinity)) continue;
        const value = labelOf(node.labels, c.topologyKey)!;
        const count = matchingOnNode(nodeInfo, c, entries[i]);
        matchNum[i].set(value, (matchNum[i].get(value) ?? 0) + count);
      }
    }
    const criticalPaths = matchNum.map((m) => {
      const paths = new CriticalPaths();
      for (const [value, num] of m) paths.update(value, num);
      return paths;
    });
    const selfMatch = constraints.map((c) => c.selector(pod.labels));
    state.set(PTS_PRE_FILTER_KEY, new PodTopologySpreadPreFilterState(constraints, selfMatch, matchNum, criticalPaths, requiredAffinity));
    return true;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const s = state.get(PTS_PRE_FILTER_KEY) as PodTopologySpreadPreFilterState | undefined;
    if (s === undefined) return null;
    const labels = nodeInfo.node.labels;
    const constraints = s.constraints;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      const value = labelOf(labels, c.topologyKey);
      if (value === undefined) return LABEL_MISSING;
      const skew = (s.matchNum[i].get(value) ?? 0) + (s.selfMatch[i] ? 1 : 0) - s.minMatchNum(i);
      if (skew > c.maxSkew) return SKEW_EXCEEDED;
    }
    return null;
  }

  /** Preemption: `victim` leaves `nodeInfo`. */
  removePod(state: CycleState, pod: Pod, victim: Pod, nodeInfo: NodeInfo): void {
    this.updateWithPod(state, pod, victim, nodeInfo, -1);
  }

  /** Preemption: `added` is put back on `nodeInfo` (reprieve). */
  addPod(state: CycleState, pod: Pod, added: Pod, nodeInfo: NodeInfo): void {
    this.updateWithPod(state, pod, added, nodeInfo, 1);
  }

  private updateWithPod(state: CycleState, preemptor: Pod, updated: Pod, nodeInfo: NodeInfo, delta: number): void {
    const s = state.get(PTS_PRE_FILTER_KEY) as PodTopologySpreadPreFilterState | undefined;
    if (s === undefined || updated.namespace !== preemptor.namespace) return;
    const node = nodeInfo.node;
    if (!hasAllTopologyKeys(node.labels, s.constraints)) return;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!c.selector(updated.labels)) continue;
      if (!nodeIncluded(c, preemptor, node, s.requiredAffinity)) continue;
      const value = labelOf(node.labels, c.topologyKey)!;
      const num = (s.matchNum[i].get(value) ?? 0) + delta;
      s.matchNum[i].set(value, num);
      s.criticalPaths[i].update(value, num);
    }
  }

  /** Counts matching pods per domain of the feasible nodes for every ScheduleAnyway constraint
   *  (hostname counts are taken in Score). */
  preScore(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], snapshot: Snapshot): boolean {
    if (snapshot.nodeInfos.length === 0) return false;
    const constraints = spreadConstraintsFor(pod, 'ScheduleAnyway', snapshot);
    if (constraints.length === 0) return false;
    // Only pod-defined constraints require every key, so that nodes without a zone label still
    // get hostname spreading from the system defaults.
    const requireAllTopologies = pod.spec.topologySpreadConstraints.length > 0;

    const ignoredNodes = new Set<string>();
    const podCounts = constraints.map(() => new Map<string, number>());
    const domains = constraints.map(() => 0);
    let anyZonal = false;
    for (const nodeInfo of feasible) {
      const labels = nodeInfo.node.labels;
      if (requireAllTopologies && !hasAllTopologyKeys(labels, constraints)) {
        ignoredNodes.add(nodeInfo.node.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const key = constraints[i].topologyKey;
        if (key === LABEL_HOSTNAME) continue;
        const value = labelOf(labels, key) ?? '';
        if (!podCounts[i].has(value)) {
          podCounts[i].set(value, 0);
          domains[i]++;
          anyZonal = true;
        }
      }
    }
    const normalizingWeight = constraints.map((c, i) =>
      Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignoredNodes.size : domains[i]) + 2));

    const entries = countEntries(snapshot, constraints);
    if (anyZonal) {
      const requiredAffinity = compileRequiredNodeAffinity(pod);
      // Where every node is eligible (no node-inclusion policy excludes any, no key required),
      // a domain's count is the kept per-domain sum over all nodes; the others are summed here.
      const summed = constraints.map((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return true; // counted per node in Score
        const entry = entries[i];
        if (entry === null || requireAllTopologies || c.honorNodeTaints) return false;
        if (c.honorNodeAffinity && requiredAffinity !== null) return false;
        const totals = entry.domainTotals(c.topologyKey, snapshot.nodeInfos, snapshot.spreadCounts!.nodeEpoch);
        for (const value of podCounts[i].keys()) podCounts[i].set(value, totals.get(value) ?? 0);
        return true;
      });
      if (!summed.every(Boolean)) for (const nodeInfo of snapshot.nodeInfos) {
        const node = nodeInfo.node;
        if (requireAllTopologies && !hasAllTopologyKeys(node.labels, constraints)) continue;
        for (let i = 0; i < constraints.length; i++) {
          if (summed[i]) continue;
          const c = constraints[i];
          const value = labelOf(node.labels, c.topologyKey) ?? '';
          const current = podCounts[i].get(value);
          if (current === undefined) continue; // hostname, or a domain without feasible nodes
          if (!nodeIncluded(c, pod, node, requiredAffinity)) continue;
          podCounts[i].set(value, current + matchingOnNode(nodeInfo, c, entries[i]));
        }
      }
    }
    state.set(PTS_PRE_SCORE_KEY, new PodTopologySpreadPreScoreState(constraints, ignoredNodes, podCounts, normalizingWeight, entries));
    return true;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.get(PTS_PRE_SCORE_KEY) as PodTopologySpreadPreScoreState | undefined;
    return s === undefined ? 0 : scoreNode(s, nodeInfo);
  }

  scoreAll(state: CycleState, _pod: Pod, feasible: readonly NodeInfo[], out: number[]): void {
    const s = state.get(PTS_PRE_SCORE_KEY) as PodTopologySpreadPreScoreState | undefined;
    for (let i = 0; i < feasible.length; i++) out[i] = s === undefined ? 0 : scoreNode(s, feasible[i]);
  }

  /** Fewer matching pods is better: 100·(max+min−raw)/max over the non-ignored nodes; ignored
   *  nodes get 0; all 100 when max is 0. */
  normalize(state: CycleState, _pod: Pod, scores: number[], feasible: readonly NodeInfo[]): void {
    const s = state.get(PTS_PRE_SCORE_KEY) as PodTopologySpreadPreScoreState | undefined;
    if (s === undefined) return;
    const ignored = (i: number) => s.ignoredNodes.size > 0 && s.ignoredNodes.has(feasible[i].node.name);
    let minScore = Number.MAX_SAFE_INTEGER;
    let maxScore = 0;
    for (let i = 0; i < scores.length; i++) {
      if (ignored(i)) continue;
      if (scores[i] < minScore) minScore = scores[i];
      if (scores[i] > maxScore) maxScore = scores[i];
    }
    for (let i = 0; i < scores.length; i++) {
      if (ignored(i)) scores[i] = 0;
      else if (maxScore === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (maxScore + minScore - scores[i])) / maxScore);
    }
  }
}

/** Score of one feasible node: Σ over constraints of cnt·weight + (maxSkew − 1), rounded. */
function scoreNode(s: PodTopologySpreadPreScoreState, nodeInfo: NodeInfo): number {
  const node = nodeInfo.node;
  if (s.ignoredNodes.size > 0 && s.ignoredNodes.has(node.name)) return 0;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const value = labelOf(node.labels, c.topologyKey);
    if (value === undefined) continue;
    const cnt = c.topologyKey === LABEL_HOSTNAME
      ? matchingOnNode(nodeInfo, c, s.entries[i])
      : s.podCounts[i].get(value) ?? 0;
    score += cnt * s.normalizingWeight[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

export const podTopologySpread = new PodTopologySpread();
