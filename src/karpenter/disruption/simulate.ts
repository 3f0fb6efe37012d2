// The scheduling simulation of a disruption: where would the candidates' pods go if the candidates
// were gone? A port of kubernetes-sigs/karpenter@2266468104f3
// pkg/controllers/disruption/helpers.go SimulateScheduling over capsim's solver (scheduler.ts):
// the cluster's nodes less the candidates and the deleting nodes are the existing nodes; the pods
// are the pending pods, the candidates' reschedulable pods and the deleting nodes' reschedulable
// pods; with the consolidation option (IsConsolidationSimulation) a candidate's pod is not placed
// on a node still under its consolidateAfter (scheduler.go addToExistingNode); a pod placed on an
// uninitialized node is an error (UninitializedNodeError); each new NodeClaim keeps its 60
// cheapest types (Results.TruncateInstanceTypes, MaxInstanceTypes).
// Not modelled: PDBs' IsCurrentlyReschedulable (a pod whose PDB allows no disruption now is still
// moved in the simulation; the candidate checks already refuse such a node).
import type { Pod } from '../../model/pod.ts';
import { isActive } from '../../model/pod.ts';
import type { KarpenterInstanceType } from '../instanceTypes.ts';
import { MAX_INSTANCE_TYPES } from '../launch.ts';
import type { ResourceVector } from '../podRequirements.ts';
import { podResourceVector } from '../podRequirements.ts';
import { isReschedulable } from '../disruptionCost.ts';
import type { Requirements } from '../requirements.ts';
import { LABEL_CAPACITY_TYPE, LABEL_ZONE, allows, getRequirement } from '../requirements.ts';
import type { ExistingNode, NodeClaimPlan } from '../scheduler.ts';
import { minValuesShortfall, solve } from '../scheduler.ts';
import { isUnderConsolidateAfter } from './candidates.ts';
import type { Candidate, ClaimState, DisruptionSnapshot } from './types.ts';

export interface SimulationResult {
  newNodeClaims: NodeClaimPlan[];
  /** Errors of pods that are not pending (a candidate's or a deleting node's pod), in queue order. */
  errors: Map<Pod, string>;
  /** Where the pods placed on existing nodes go, by node name. */
  existing: Map<string, Pod[]>;
}

const availableMemo = new WeakMap<object, ResourceVector>();

/** The node's allocatable less its active pods' requests (remembered per snapshot claim: a
 *  snapshot's claims are new objects each poll). */
export function availableOf(claim: Pick<ClaimState, 'allocatable' | 'pods'>): ResourceVector {
  const known = availableMemo.get(claim);
  if (known) return known;
  const out: ResourceVector = { ...claim.allocatable };
  for (const p of claim.pods) {
    if (!isActive(p)) continue;
    for (const [k, v] of Object.entries(podResourceVector(p))) out[k] = (out[k] ?? 0) - v;
  }
  availableMemo.set(claim, out);
  return out;
}

/** An offering's price range among those the requirements allow: the cheapest (OrderByPrice) and
 *  WorstLaunchPrice (the dearest spot offering if any is allowed, else the dearest on-demand). */
export function cheapestPrice(it: KarpenterInstanceType, rs: Requirements): number {
  const zone = getRequirement(rs, LABEL_ZONE), ct = getRequirement(rs, LABEL_CAPACITY_TYPE);
  let best = Infinity;
  for (const o of it.offerings) if (allows(zone, o.zone) && allows(ct, o.capacityType) && o.usdPerHour < best) best = o.usdPerHour;
  return best;
}

export function worstLaunchPrice(it: KarpenterInstanceType, rs: Requirements): number {
  const zone = getRequirement(rs, LABEL_ZONE), ct = getRequirement(rs, LABEL_CAPACITY_TYPE);
  for (const capacityType of ['spot', 'on-demand'] as const) {
    const prices = it.offerings.filter((o) => o.capacityType === capacityType && allows(zone, o.zone) && allows(ct, o.capacityType)).map((o) => o.usdPerHour);
    if (prices.length > 0) return Math.max(...prices);
  }
  return Infinity;
}

/** InstanceTypes.OrderByPrice (a stable sort here; ties keep the menu's order). */
export function orderByPrice(types: readonly KarpenterInstanceType[], rs: Requirements): KarpenterInstanceType[] {
  return types.map((it, i) => ({ it, i, p: cheapestPrice(it, rs) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.it);
}

/** Truncate to the cheapest `max` types unless minValues then fails (the Strict policy keeps them). */
export function truncateTypes(types: readonly KarpenterInstanceType[], rs: Requirements, max: number): KarpenterInstanceType[] {
  const ordered = orderByPrice(types, rs);
  const cut = ordered.slice(0, max);
  return minValuesShortfall(cut, rs) === undefined ? cut : ordered;
}

/** SimulateScheduling; null when a candidate is already deleting (errCandidateDeleting: retry later). */
export function simulateScheduling(snap: DisruptionSnapshot, candidates: readonly Candidate[], consolidation: boolean): SimulationResult | null {
  const names = new Set(candidates.map((c) => c.name));
  if (snap.claims.some((c) => c.deleting && names.has(c.nodeName))) return null;
  const deleting = snap.claims.filter((c) => c.deleting);
  const deletingPods = new Set<Pod>();
  for (const c of deleting) for (const p of c.pods) if (isActive(p) && isReschedulable(p)) deletingPods.add(p);
  const pending = new Set(snap.pendingPods);
  const candidatePods = candidates.flatMap((c) => c.reschedulablePods);
  const poolByName = new Map(snap.nodePools.map((p) => [p.nodePool.name, p]));
  const existingNodes: ExistingNode[] = [];
  const uninitialized = new Map<string, ClaimState>();
  for (const c of snap.claims) {
    if (c.deleting || names.has(c.nodeName)) continue;
    if (c.initializedMs === null) uninitialized.set(c.nodeName, c);
    const under = consolidation && isUnderConsolidateAfter(poolByName.get(c.nodePool), c, snap.nowMs);
    existingNodes.push({
      name: c.nodeName, labels: c.labels, taints: c.taints, available: availableOf(c), capacity: c.capacity,
      ...(under ? { admits: (p: Pod) => pending.has(p) || deletingPods.has(p) } : {}),
    });
  }
  existingNodes.push(...snap.otherNodes);
  const pods = [...snap.pendingPods, ...candidatePods, ...deletingPods];
  const r = solve({ pods, nodePools: snap.nodePools, existingNodes, daemonSetPods: snap.daemonSetPods });
  const errors = new Map<Pod, string>();
  const nonPending = (p: Pod) => !pending.has(p);
  for (const p of pods) {
    if (!nonPending(p)) continue;
    const e = r.errors.get(p) ?? r.notHandled.get(p);
    if (e !== undefined) errors.set(p, e);
  }
  for (const [node, placed] of r.existing) {
    const c = uninitialized.get(node);
    if (!c) continue;
    for (const p of placed) if (!deletingPods.has(p) && nonPending(p)) errors.set(p, `would schedule against uninitialized nodeclaim/${c.name}, node/${c.nodeName}`);
  }
  const newNodeClaims = r.newNodeClaims.map((plan) => ({ ...plan, instanceTypes: truncateTypes(plan.instanceTypes, plan.requirements, MAX_INSTANCE_TYPES) }));
  return { newNodeClaims, errors, existing: r.existing };
}

/** Results.NonPendingPodSchedulingErrors: at most five, then how many more. */
export function schedulingErrorsMessage(errors: ReadonlyMap<Pod, string>): string {
  if (errors.size === 0) return 'No Pod Scheduling Errors';
  let msg = 'not all pods would schedule, ';
  let n = 0;
  for (const [p, e] of errors) {
    msg += `${p.namespace}/${p.name} => ${e} `;
    n++;
    if (n >= 5) {
      msg += ` and ${errors.size - 5} other(s)`;
      break;
    }
  }
  return msg;
}
