// Disruption cost and candidate checks, ported from kubernetes-sigs/karpenter@2266468104f3:
//  - pkg/utils/disruption/disruption.go: EvictionCost, ReschedulingCost, LifetimeRemaining;
//  - pkg/controllers/disruption/types.go: NewCandidate's DisruptionCost
//    (ReschedulingCost(all pods) x LifetimeRemaining), computeRescheduleDisruptionCost
//    (PerNodeBaseDisruptionCost 1 + sum of max(0, EvictionCost) over reschedulable pods), SavingsRatio;
//  - pkg/controllers/disruption/consolidation.go sortCandidates (used by emptiness, single- and
//    multi-node consolidation): at this commit it sorts by SavingsRatio = price /
//    RescheduleDisruptionCost DESCENDING. Sorting by DisruptionCost ascending is what upstream did
//    before balanced consolidation (the comment on sortCandidates says so); DisruptionCost is still
//    computed on every candidate but no method orders by it any more. drift.go orders by the Drifted
//    condition's lastTransitionTime instead (not ported here: capsim has no drift yet);
//  - the do-not-disrupt and PDB checks NewCandidate makes: pkg/controllers/state/statenode.go
//    ValidateNodeDisruptable / ValidatePodsDisruptable, pkg/utils/pod/scheduling.go IsDisruptable,
//    IsDoNotDisruptActive, IsEvictable, pkg/utils/pdb/pdb.go CanEvictPods (zeroDisruptions).
// Pure functions; nothing here is wired into a run yet.
import type { Pod } from '../model/pod.ts';
import { isTerminal, isTerminating } from '../model/pod.ts';
import type { LabelSelector } from '../model/api.ts';
import { matchesLabelSelector } from '../model/labelSelector.ts';
import { toleratesTaint } from '../model/taints.ts';
import type { DisruptionReason } from './budgets.ts';
import { parseGoDurationMs } from './goDuration.ts';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
/** types.go PerNodeBaseDisruptionCost. */
export const PER_NODE_BASE_DISRUPTION_COST = 1.0;

/** lo.Clamp: below min -> min, above max -> max, otherwise the value (NaN passes through). */
function clamp(value: number, min: number, max: number): number {
  if (value < min) return min;
  if (value > max) return max;
  return value;
}

/** Go strconv.ParseFloat(s, 64) for what a pod-deletion-cost annotation can hold: decimal with an
 *  optional exponent, "inf"/"infinity"/"nan" in any case with an optional sign. A finite literal out
 *  of range is an error in Go (ErrRange), so it is null here too. Hexadecimal floats ("0x1p-2") and
 *  underscores are not accepted (null: upstream logs and ignores the annotation on an error). */
export function parseGoFloat(text: string): number | null {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (!/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** EvictionCost: 1, plus pod-deletion-cost / 2^27 when the annotation parses as a float, plus
 *  priority / 2^25, clamped to [-10, 10]. A pod-deletion-cost of "NaN" parses in Go, so the cost
 *  is NaN there as here (lo.Clamp lets NaN through). */
export function evictionCost(pod: Pod): number {
  let cost = 1.0;
  const text = pod.annotations[POD_DELETION_COST_ANNOTATION];
  if (text !== undefined) {
    const deletionCost = parseGoFloat(text);
    if (deletionCost !== null) cost += deletionCost / 2 ** 27;
  }
  // Upstream skips a nil Spec.Priority; capsim's pod.priority is 0 then, which adds nothing.
  cost += pod.priority / 2 ** 25;
  return clamp(cost, -10.0, 10.0);
}

/** ReschedulingCost: the sum of the pods' eviction costs (0 for no pods). */
export function reschedulingCost(pods: readonly Pod[]): number {
  let cost = 0.0;
  for (const p of pods) cost += evictionCost(p);
  return cost;
}

/** LifetimeRemaining: with spec.expireAfter a duration, (expireAfter - age) / expireAfter clamped to
 *  [0, 1]; 1 when expireAfter is "Never". The age is now - the NodeClaim's creationTimestamp. */
export function lifetimeRemaining(nowMs: number, nodeClaim: { createdMs: number; expireAfter: string }): number {
  let remaining = 1.0;
  if (nodeClaim.expireAfter !== 'Never') {
    const ageSeconds = (nowMs - nodeClaim.createdMs) / 1000;
    const totalLifetimeSeconds = parseGoDurationMs(nodeClaim.expireAfter) / 1000;
    const lifetimeRemainingSeconds = totalLifetimeSeconds - ageSeconds;
    remaining = clamp(lifetimeRemainingSeconds / totalLifetimeSeconds, 0.0, 1.0);
  }
  return remaining;
}

/** What a candidate is built from: a view of upstream's StateNode + NodeClaim + instance price. */
export interface CandidateNodeView {
  /** The node's name (tie-break of the ordering, and the name in messages). */
  name: string;
  /** StateNode.Annotations(): the Node's once registered, the NodeClaim's before. */
  annotations: Readonly<Record<string, string>>;
  /** StateNode.Labels() (karpenter.sh/nodepool must be present). */
  labels: Readonly<Record<string, string>>;
  /** NodeClaim creationTimestamp. */
  createdMs: number;
  /** NodeClaim spec.expireAfter: a Go duration or "Never". */
  expireAfter: string;
  /** NodeClaim spec.terminationGracePeriod (a Go duration) or null. */
  terminationGracePeriod: string | null;
  /** resolveNodePrice: the offering price for the node's zone and capacity type; 0 when unknown. */
  price: number;
}

export interface CandidateCosts {
  /** ReschedulingCost(all pods on the node) x LifetimeRemaining. */
  disruptionCost: number;
  /** 1 + sum of max(0, EvictionCost) over the reschedulable pods. */
  rescheduleDisruptionCost: number;
  /** price / rescheduleDisruptionCost: higher is disrupted first. */
  savingsRatio: number;
}

/** pod.IsReschedulable: active (or a terminating StatefulSet pod), not a DaemonSet pod, not a mirror pod. */
export function isReschedulable(pod: Pod): boolean {
  const active = !isTerminal(pod) && !isTerminating(pod);
  return (active || (pod.owner?.kind === 'StatefulSet' && isTerminating(pod))) &&
    pod.owner?.kind !== 'DaemonSet' && pod.owner?.kind !== 'Node';
}

/** The cost fields NewCandidate sets. `pods` are all pods on the node (upstream's in.Pods). */
export function candidateCosts(nowMs: number, node: CandidateNodeView, pods: readonly Pod[]): CandidateCosts {
  const disruptionCost = reschedulingCost(pods) * lifetimeRemaining(nowMs, node);
  let rescheduleDisruptionCost = PER_NODE_BASE_DISRUPTION_COST;
  // Go's math.Max(0, NaN) is NaN; JavaScript's Math.max agrees.
  for (const p of pods) if (isReschedulable(p)) rescheduleDisruptionCost += Math.max(0, evictionCost(p));
  return { disruptionCost, rescheduleDisruptionCost, savingsRatio: node.price / rescheduleDisruptionCost };
}

/** consolidation.go sortCandidates: savings ratio descending. Go's sort.Slice is not stable and
 *  leaves ties (and NaN, which compares false) in an order that depends on the input; capsim breaks
 *  ties by node name and puts NaN ratios last, so the order is total and independent of input order.
 *  Returns a new array. */
export function sortConsolidationCandidates<T extends { name: string; savingsRatio: number }>(candidates: readonly T[]): T[] {
  return [...candidates].sort(compareConsolidationCandidates);
}

export function compareConsolidationCandidates(a: { name: string; savingsRatio: number }, b: { name: string; savingsRatio: number }): number {
  const an = Number.isNaN(a.savingsRatio), bn = Number.isNaN(b.savingsRatio);
  if (an !== bn) return an ? 1 : -1;
  if (!an && a.savingsRatio !== b.savingsRatio) return a.savingsRatio > b.savingsRatio ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A PodDisruptionBudget as pdb.Limits holds it: its status evaluated by the caller
 *  (src/api/eviction.ts pdbStatus gives disruptionsAllowed). */
export interface PdbLimit {
  namespace: string;
  name: string;
  selector: LabelSelector;
  disruptionsAllowed: number;
  unhealthyPodEvictionPolicy: 'IfHealthyBudget' | 'AlwaysAllow';
}

/** Graceful methods (emptiness, single/multi-node consolidation) respect do-not-disrupt and PDBs;
 *  eventual ones (drift, static drift) ignore pod blocks when the NodeClaim has a
 *  terminationGracePeriod (types.go NewCandidate). Expiration is not a disruption method upstream:
 *  the expiration controller deletes the NodeClaim directly, so it has no candidate checks. */
export function disruptionClass(reason: DisruptionReason): 'graceful' | 'eventual' {
  return reason === 'Drifted' ? 'eventual' : 'graceful';
}

const DISRUPTED_NO_SCHEDULE_TAINT = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' as const };

/** IsDoNotDisruptActive: "true", or a positive Go duration the pod has not yet run for (a pod not
 *  started counts as protected); any other value is ignored (upstream emits an event). */
export function isDoNotDisruptActive(pod: Pod, nowMs: number): boolean {
  const value = pod.annotations[DO_NOT_DISRUPT_ANNOTATION];
  if (value === undefined) return false;
  if (value === 'true') return true;
  let durationMs: number;
  try {
    durationMs = parseGoDurationMs(value);
  } catch {
    return false;
  }
  if (!(durationMs > 0)) return false;
  if (pod.startedMs < 0) return true;
  return nowMs - pod.startedMs < durationMs;
}

/** pod.IsEvictable: active, does not tolerate karpenter.sh/disrupted:NoSchedule, not a mirror pod,
 *  no active do-not-disrupt. */
function isEvictable(pod: Pod, nowMs: number): boolean {
  return !isTerminal(pod) && !isTerminating(pod) && !toleratesTaint(pod.spec.tolerations, DISRUPTED_NO_SCHEDULE_TAINT) &&
    pod.owner?.kind !== 'Node' && !isDoNotDisruptActive(pod, nowMs);
}

/** Why NewCandidate refuses a node, as the error messages (the Blocked event capitalises the first
 *  letter). Upstream stops at the first; the first entry here is that one, the rest are what would
 *  block next (every do-not-disrupt pod, then the first PDB-blocked pod). Empty: a candidate.
 *  Not modelled here (the caller's to check): NodeClaim without Node or Node without NodeClaim,
 *  not initialized, marked for deletion, nominated, already in the orchestration queue, NodePool
 *  not found. */
export function candidateBlockers(
  node: CandidateNodeView, pods: readonly Pod[], pdbs: readonly PdbLimit[], reason: DisruptionReason, nowMs: number,
): string[] {
  const out: string[] = [];
  // ValidateNodeDisruptable
  if (node.annotations[DO_NOT_DISRUPT_ANNOTATION] === 'true') {
    out.push(`disruption is blocked through the "${DO_NOT_DISRUPT_ANNOTATION}" annotation`);
  }
  if (!(NODEPOOL_LABEL in node.labels)) out.push(`node doesn't have required label (label=${NODEPOOL_LABEL})`);
  if (out.length > 0) return out;
  // ValidatePodsDisruptable: its errors are PodBlockEvictionErrors, ignored for an eventual method
  // when the NodeClaim has a terminationGracePeriod.
  if (disruptionClass(reason) === 'eventual' && node.terminationGracePeriod !== null) return out;
  for (const p of pods) {
    const active = !isTerminal(p) && !isTerminating(p);
    if (active && isDoNotDisruptActive(p, nowMs)) out.push(`pod has "${DO_NOT_DISRUPT_ANNOTATION}" annotation (Pod=${p.namespace}/${p.name})`);
  }
  const pdbBlock = pdbBlocker(pods, pdbs, nowMs);
  if (pdbBlock !== null) out.push(pdbBlock);
  return out;
}

/** pdb.Limits.CanEvictPods with zeroDisruptions: the first evictable pod matched by more than one
 *  PDB, or by one that allows 0 disruptions (unless the PDB is AlwaysAllow and the pod is not Ready). */
function pdbBlocker(pods: readonly Pod[], pdbs: readonly PdbLimit[], nowMs: number): string | null {
  for (const p of pods) {
    if (!isEvictable(p, nowMs)) continue;
    const matching = pdbs.filter((b) => b.namespace === p.namespace && matchesLabelSelector(b.selector, p.labels));
    if (matching.length > 1) {
      return `eviction does not support multiple PDBs (PodDisruptionBudget(s)=[${matching.map((b) => `${b.namespace}/${b.name}`).join(' ')}])`;
    }
    for (const b of matching) {
      // Upstream looks for a Ready condition with status False; capsim's pods have one once started.
      if (b.unhealthyPodEvictionPolicy === 'AlwaysAllow' && !p.ready && p.readyTransitionMs >= 0) break;
      if (b.disruptionsAllowed === 0) return `pdb prevents pod evictions (PodDisruptionBudget=[${b.namespace}/${b.name}])`;
    }
  }
  return null;
}
