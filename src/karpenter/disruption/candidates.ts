// Disruption candidates and budgets, ported from kubernetes-sigs/karpenter@2266468104f3:
//   pkg/controllers/disruption/helpers.go   GetCandidates (NewCandidate on every state node, then
//                                           the method's ShouldDisrupt), BuildDisruptionBudgetMapping
//   pkg/controllers/disruption/types.go     NewCandidate (queue, ValidateNodeDisruptable,
//                                           NodePool lookup, ValidatePodsDisruptable, costs)
//   pkg/controllers/state/statenode.go      ValidateNodeDisruptable (its messages, in order)
//   pkg/controllers/nodeclaim/disruption/consolidation.go + pkg/utils/disruption IsUnderConsolidateAfter:
//                                           the Consolidatable condition
//   emptiness.go / consolidation.go / drift.go ShouldDisrupt (with their Unconsolidatable events)
import type { DisruptionReason } from '../budgets.ts';
import { disruptionBudgetMapping } from '../budgets.ts';
import { DEFAULT_BUDGETS } from '../budgets.ts';
import { candidateBlockers, candidateCosts, disruptionClass, isReschedulable } from '../disruptionCost.ts';
import { parseGoDurationMs } from '../goDuration.ts';
import { LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE } from '../requirements.ts';
import type { ResolvedNodePool } from '../nodePools.ts';
import { isActive } from '../../model/pod.ts';
import type { Pod } from '../../model/pod.ts';
import type { LabelSelector } from '../../model/api.ts';
import type { LabelMatcher } from '../../model/labelSelector.ts';
import { compileLabelSelector } from '../../model/labelSelector.ts';
import type { PdbLimit } from '../disruptionCost.ts';
import type { Candidate, ClaimState, DisruptionEvent, DisruptionSnapshot } from './types.ts';

/** Upstream's pretty.Sentence: the first letter upper-cased. */
export function sentence(s: string): string {
  return s === '' ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** consolidateAfter in ms, or null for "Never" (consolidation disabled). An unparsable value is
 *  rejected by the scenario checks; here it counts as Never. */
export function consolidateAfterMs(pool: ResolvedNodePool): number | null {
  const v = pool.nodePool.disruption.consolidateAfter;
  if (v === 'Never') return null;
  try {
    return parseGoDurationMs(v);
  } catch {
    return null;
  }
}

/** IsUnderConsolidateAfter: initialized, consolidateAfter set and non-zero, and less than it has
 *  passed since the last pod event (or the initialization when no pod event yet). */
export function isUnderConsolidateAfter(pool: ResolvedNodePool | undefined, claim: ClaimState, nowMs: number): boolean {
  if (!pool) return false;
  const after = consolidateAfterMs(pool);
  if (after === null || after === 0 || claim.initializedMs === null) return false;
  return nowMs - (claim.lastPodEventMs ?? claim.initializedMs) < after;
}

/** The Consolidatable condition (nodeclaim/disruption/consolidation.go): consolidation enabled,
 *  initialized, and consolidateAfter elapsed since the last pod event (or initialization). */
export function isConsolidatable(pool: ResolvedNodePool, claim: ClaimState, nowMs: number): boolean {
  const after = consolidateAfterMs(pool);
  if (after === null || claim.initializedMs === null) return false;
  return !isUnderConsolidateAfter(pool, claim, nowMs);
}

/** When the Consolidatable condition turns true (for the controller's wake-up), or null. */
export function consolidatableAtMs(pool: ResolvedNodePool, claim: ClaimState): number | null {
  const after = consolidateAfterMs(pool);
  if (after === null || claim.initializedMs === null) return null;
  return (claim.lastPodEventMs ?? claim.initializedMs) + after;
}

export function budgetsOf(pool: ResolvedNodePool): typeof DEFAULT_BUDGETS {
  return pool.nodePool.disruption.budgets;
}

export type MethodKind = 'emptiness' | 'drift' | 'consolidation';

export const METHOD_REASON: Readonly<Record<MethodKind, DisruptionReason>> = { emptiness: 'Empty', drift: 'Drifted', consolidation: 'Underutilized' };

function nodeEvents(claim: ClaimState, reason: DisruptionEvent['reason'], message: string): DisruptionEvent[] {
  return [{ object: `Node/${claim.nodeName}`, reason, message }, { object: `NodeClaim/${claim.name}`, reason, message }];
}

/** NewCandidate for one state node: the candidate, or the Blocked events and null. */
export function newCandidate(snap: DisruptionSnapshot, claim: ClaimState, kind: MethodKind, events: DisruptionEvent[]): Candidate | null {
  if (claim.deleting) return null; // "candidate is already being disrupted" / marked for deletion (queue first: no event)
  const pre: string[] = [];
  // capsim registers and initializes a node at once: before, upstream's state node has no Node yet.
  if (claim.initializedMs === null) pre.push('nodeclaim does not have an associated node');
  else if (claim.nominated) pre.push('node is nominated for a pending pod');
  if (pre.length > 0) {
    events.push(...nodeEvents(claim, 'DisruptionBlocked', sentence(pre[0]!)));
    return null;
  }
  const pool = snap.nodePools.find((p) => p.nodePool.name === claim.nodePool);
  // The node's pods (upstream lists those bound to it, terminating ones included).
  const pods = claim.pods.filter((p) => p.removedMs < 0);
  const view = {
    name: claim.nodeName, annotations: claim.annotations, labels: claim.labels, createdMs: claim.createdMs,
    expireAfter: claim.expireAfter, terminationGracePeriod: claim.terminationGracePeriod, price: claim.priceUsdPerHour,
  };
  // ValidateNodeDisruptable's annotation and label checks come before the NodePool lookup.
  const nodeBlock = candidateBlockers(view, [], [], METHOD_REASON[kind], snap.nowMs);
  if (nodeBlock.length > 0) {
    events.push(...nodeEvents(claim, 'DisruptionBlocked', sentence(nodeBlock[0]!)));
    return null;
  }
  if (!pool || !pool.menu || pool.menu.entries.length === 0) {
    events.push(...nodeEvents(claim, 'DisruptionBlocked', `NodePool not found (NodePool=${claim.nodePool})`));
    return null;
  }
  const blockers = candidateBlockers(view, pods, pdbsToCheck(snap.pdbs, pods), METHOD_REASON[kind], snap.nowMs);
  if (blockers.length > 0) {
    events.push(...nodeEvents(claim, 'DisruptionBlocked', sentence(blockers[0]!)));
    return null;
  }
  const costs = candidateCosts(snap.nowMs, view, pods);
  return {
    claim, nodePool: pool, name: claim.nodeName,
    instanceType: pool.menu.entries.find((e) => e.type.name === claim.labels[LABEL_INSTANCE_TYPE])?.type ?? null,
    capacityType: claim.capacityType, zone: claim.zone, price: claim.priceUsdPerHour,
    reschedulablePods: pods.filter(isReschedulable), ...costs,
  };
}

const compiledSelectors = new WeakMap<LabelSelector, LabelMatcher>();

/** The PDBs candidateBlockers' PDB check needs to see for these pods. It looks, per pod, at the
 *  PDBs of the pod's namespace whose selector matches it, and speaks only when a pod has two of
 *  them or one allows no disruption: so the PDBs (in their order) selecting some pod decide the
 *  same, and none at all when no pod has two and each allows a disruption. The selectors are
 *  compiled once, not per pod and poll. */
function pdbsToCheck(pdbs: readonly PdbLimit[], pods: readonly Pod[]): readonly PdbLimit[] {
  if (pdbs.length === 0) return pdbs;
  const selected = new Map<Pod, number>();
  let speaks = false;
  const out = pdbs.filter((b) => {
    let m = compiledSelectors.get(b.selector);
    if (!m) compiledSelectors.set(b.selector, (m = compileLabelSelector(b.selector)));
    let any = false;
    for (const p of pods) {
      if (p.namespace !== b.namespace || !m(p.labels)) continue;
      any = true;
      const n = (selected.get(p) ?? 0) + 1;
      selected.set(p, n);
      if (n > 1) speaks = true;
    }
    if (any && b.disruptionsAllowed === 0) speaks = true;
    return any;
  });
  return speaks ? out : [];
}

/** Candidate.IsEmpty: RescheduleDisruptionCost <= PerNodeBaseDisruptionCost (no reschedulable pod
 *  with a positive eviction cost). */
export function isEmpty(c: Candidate): boolean {
  return c.rescheduleDisruptionCost <= 1;
}

/** The method's ShouldDisrupt, with the Unconsolidatable events it publishes. */
export function shouldDisrupt(kind: MethodKind, c: Candidate, nowMs: number, events: DisruptionEvent[]): boolean {
  if (c.nodePool.nodePool.replicas !== null) return false; // OwnedByStaticNodePool
  if (kind === 'drift') return c.claim.driftedSinceMs !== null;
  const unconsolidatable = (msg: string) => { events.push(...nodeEvents(c.claim, 'Unconsolidatable', msg)); return false; };
  const name = c.nodePool.nodePool.name;
  if (kind === 'emptiness') {
    if (consolidateAfterMs(c.nodePool) === null) return unconsolidatable(`NodePool "${name}" has consolidation disabled`);
    return isEmpty(c) && isConsolidatable(c.nodePool, c.claim, nowMs);
  }
  if (c.instanceType === null) return unconsolidatable(`Instance Type "${c.claim.labels[LABEL_INSTANCE_TYPE] ?? ''}" not found`);
  if (!(LABEL_CAPACITY_TYPE in c.claim.labels)) return unconsolidatable(`Node does not have label "${LABEL_CAPACITY_TYPE}"`);
  if (!(LABEL_ZONE in c.claim.labels)) return unconsolidatable(`Node does not have label "${LABEL_ZONE}"`);
  if (consolidateAfterMs(c.nodePool) === null) return unconsolidatable(`NodePool "${name}" has consolidation disabled`);
  if (isEmpty(c)) return false;
  if (c.nodePool.nodePool.disruption.consolidationPolicy === 'WhenEmpty') {
    return unconsolidatable(`NodePool "${name}" has consolidation policy WhenEmpty, but node is not empty`);
  }
  return isConsolidatable(c.nodePool, c.claim, nowMs);
}

/** GetCandidates: every claim that is a candidate and that the method should disrupt. Drift looks
 *  only at drifted NodeClaims (the Blocked events of the others come from the other methods' pass,
 *  which looks at every node each poll). */
export function getCandidates(snap: DisruptionSnapshot, kind: MethodKind, events: DisruptionEvent[]): Candidate[] {
  let byKind = candidatesMemo.get(snap);
  if (!byKind) candidatesMemo.set(snap, (byKind = new Map()));
  const known = byKind.get(kind);
  if (known && known.nowMs === snap.nowMs && known.claims === snap.claims && known.pdbs === snap.pdbs && known.nodePools === snap.nodePools) {
    events.push(...known.events);
    return [...known.out];
  }
  const out: Candidate[] = [];
  const own: DisruptionEvent[] = [];
  for (const claim of snap.claims) {
    if (kind === 'drift' && claim.driftedSinceMs === null) continue;
    const c = candidateOf(snap, claim, kind, own);
    if (c && shouldDisrupt(kind, c, snap.nowMs, own)) out.push(c);
  }
  byKind.set(kind, { nowMs: snap.nowMs, claims: snap.claims, pdbs: snap.pdbs, nodePools: snap.nodePools, out, events: own });
  events.push(...own);
  return [...out];
}

/** newCandidate's answer per snapshot claim and disruption class: the method's reason enters
 *  newCandidate only through candidateBlockers, which reads only its class (graceful: emptiness and
 *  consolidation; eventual: drift), so emptiness and consolidation share one answer per poll. */
const newCandidateMemo = new WeakMap<ClaimState, { snap: DisruptionSnapshot; nowMs: number; cls: string; candidate: Candidate | null; events: DisruptionEvent[] }>();

function candidateOf(snap: DisruptionSnapshot, claim: ClaimState, kind: MethodKind, events: DisruptionEvent[]): Candidate | null {
  const cls = disruptionClass(METHOD_REASON[kind]);
  const known = newCandidateMemo.get(claim);
  if (known && known.snap === snap && known.nowMs === snap.nowMs && known.cls === cls) {
    events.push(...known.events);
    return known.candidate;
  }
  const own: DisruptionEvent[] = [];
  const candidate = newCandidate(snap, claim, kind, own);
  newCandidateMemo.set(claim, { snap, nowMs: snap.nowMs, cls, candidate, events: own });
  events.push(...own);
  return candidate;
}

/** getCandidates' answer per snapshot and method kind: multi-node and single-node consolidation
 *  (and validation) ask for the same snapshot's candidates in one pass, and a snapshot is taken
 *  for one synchronous pass (its parts are checked too, for callers that edit one in place). */
const candidatesMemo = new WeakMap<DisruptionSnapshot, Map<MethodKind, {
  nowMs: number; claims: DisruptionSnapshot['claims']; pdbs: DisruptionSnapshot['pdbs']; nodePools: DisruptionSnapshot['nodePools'];
  out: Candidate[]; events: DisruptionEvent[];
}>>();

/** BuildDisruptionBudgetMapping: NodePool name -> disruptions the method may still start, with the
 *  NodePool's "No allowed disruptions for disruption reason X due to blocking budget" event when it
 *  has nodes and its budgets allow none. */
export function budgetMapping(snap: DisruptionSnapshot, reason: DisruptionReason, events: DisruptionEvent[]): Map<string, number> {
  const views = snap.claims.map((c) => ({
    nodePool: c.nodePool, managed: true, initialized: c.initializedMs !== null, instanceTerminating: false,
    ready: c.ready, markedForDeletion: c.deleting,
  }));
  const out = new Map<string, number>();
  for (const pool of snap.nodePools) {
    const m = disruptionBudgetMapping({ name: pool.nodePool.name, disruption: { budgets: budgetsOf(pool) } }, views, reason, snap.nowMs);
    out.set(pool.nodePool.name, m.remaining);
    if (m.blocked) events.push({ object: `NodePool/${pool.nodePool.name}`, reason: 'DisruptionBlocked', message: `No allowed disruptions for disruption reason ${reason} due to blocking budget` });
  }
  return out;
}

/** A fingerprint of what cluster state's MarkUnconsolidated reacts to: nodes and NodeClaims
 *  (and their Consolidatable condition), pods bound to them, pending pods; and what else a
 *  simulation reads (other nodes' room, the DaemonSet pods). Same fingerprint, same simulation. */
export function consolidationFingerprint(snap: DisruptionSnapshot): string {
  const pool = new Map(snap.nodePools.map((p) => [p.nodePool.name, p]));
  const parts = snap.claims.map((c) => {
    const p = pool.get(c.nodePool);
    const cons = p ? isConsolidatable(p, c, snap.nowMs) : false;
    return `${c.name}:${c.initializedMs !== null}:${c.deleting}:${cons}:${c.pods.map((x) => (isActive(x) ? x.uid : `${x.uid}~`)).join('.')}`;
  });
  const others = snap.otherNodes.map((n) => `${n.name}:${Object.entries(n.available).map(([k, v]) => `${k}=${v}`).join(',')}`);
  return `${parts.join('|')}#${snap.pendingPods.map((p) => p.uid).join('.')}#${others.join('.')}#${snap.daemonSetPods.map((p) => p.uid).join('.')}`;
}
