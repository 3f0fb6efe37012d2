// Karpenter's provisioning scheduler: given the pending pods, the nodes that exist (or are in
// flight) and the NodePools, which pods go where and which NodeClaims to launch. A pure function
// the Karpenter controller will call; a port of kubernetes-sigs/karpenter@22664681:
//   pkg/controllers/provisioning/scheduling/scheduler.go  Solve, add, filterByRemainingResources,
//     subtractMax, getDaemonOverhead
//   pkg/controllers/provisioning/scheduling/queue.go      NewQueue (pods by CPU, then memory,
//     descending), Pop/Push (stop once a full pass made no progress)
//   pkg/controllers/provisioning/scheduling/nodeclaim.go  NewNodeClaim, Add,
//     filterInstanceTypesByRequirements (compatible requirements, fits allocatable with the
//     daemonset overhead, has an offering), minValues (SatisfiesMinValues, the Strict policy)
//   pkg/controllers/provisioning/scheduling/existingnode.go  ExistingNode.Add
// Each pod is tried on the existing nodes (in the order given), then on the NodeClaims this solve
// has opened (fewest pods first), then on a new NodeClaim from each NodePool by descending weight
// (only instance types whose capacity fits what is left of the NodePool's limits; a NodeClaim
// opened subtracts the largest capacity among its types from them). A NodeClaim keeps the
// instance types still able to hold all its pods, narrowed by the intersection of the pods'
// requirements. Which type and offering is launched is launch.ts.
//
// Not handled yet (the pod is reported as such and placed nowhere, rather than placed wrongly):
// pod affinity and anti-affinity, topology spread constraints, host ports, volumes' topology.
// Ephemeral storage requests are not counted (the catalog has no root volume size).
import type { Taint } from '../model/api.ts';
import type { Pod } from '../model/pod.ts';
import { findUntoleratedTaint } from '../model/taints.ts';
import type { KarpenterInstanceType } from './instanceTypes.ts';
import type { ResolvedNodePool } from './nodePools.ts';
import type { Relaxation, ResourceVector } from './podRequirements.ts';
import { NOT_RELAXED, addVectors, exceeded, fits, podRequirements, podResourceVector, relaxFurther, resourcesVector } from './podRequirements.ts';
import type { Requirement, Requirements } from './requirements.ts';
import {
  LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_NODEPOOL, LABEL_ZONE, WELL_KNOWN_LABELS,
  addTo, allows, compatible, getRequirement, intersects, labelRequirements, requirement, requirements,
} from './requirements.ts';
import { parseQuantity, milliValue, value } from '../quantity.ts';

/** A node that exists or is launching, as the solver sees it. */
export interface ExistingNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
  /** Allocatable less the requests of the pods already bound or nominated to it (pods: free slots). */
  available: ResourceVector;
  /** Its capacity, counted against the limits of the NodePool its karpenter.sh/nodepool label names. */
  capacity?: ResourceVector;
  /** When set, only the pods it admits may be placed here (a disruption simulation keeps a
   *  candidate's pods off a node still under consolidateAfter: upstream scheduler.go
   *  addToExistingNode with IsConsolidationSimulation). Unset: every pod may be. */
  admits?: (pod: Pod) => boolean;
}

export interface SolveInput {
  pods: readonly Pod[];
  /** From resolveNodePools (nodePools.ts): by weight, then name; a NodePool without a menu offers nothing. */
  nodePools: readonly ResolvedNodePool[];
  existingNodes?: readonly ExistingNode[];
  /** One pod per DaemonSet (its template): the overhead of those a NodePool's nodes would run. */
  daemonSetPods?: readonly Pod[];
}

export interface NodeClaimPlan {
  /** Order of opening in this solve, from 1 (upstream's hostname placeholder). */
  id: number;
  nodePool: string;
  requirements: Requirements;
  /** The instance types still able to hold every pod, cheapest offering first. */
  instanceTypes: readonly KarpenterInstanceType[];
  /** The pods' requests plus the daemonset overhead (with "pods"). */
  requests: ResourceVector;
  daemonOverhead: ResourceVector;
  pods: Pod[];
}

export interface SolveResult {
  newNodeClaims: NodeClaimPlan[];
  /** Pods placed on existing nodes, by node name. */
  existing: Map<string, Pod[]>;
  /** Pods that fit nowhere, with why (one reason per NodePool tried). */
  errors: Map<Pod, string>;
  /** Pods the solver does not handle yet, with what it lacks. */
  notHandled: Map<Pod, string>;
}

/** Why the solver cannot place this pod faithfully yet, or undefined. */
export function notHandledReason(pod: Pod): string | undefined {
  const a = pod.spec.affinity;
  const lacks: string[] = [];
  if (a?.podAffinity) lacks.push('pod affinity');
  if (a?.podAntiAffinity) lacks.push('pod anti-affinity');
  if (pod.spec.topologySpreadConstraints.length > 0) lacks.push('topology spread constraints');
  if ([...pod.spec.containers, ...pod.spec.initContainers].some((c) => (c.hostPorts ?? []).length > 0)) lacks.push('host ports');
  return lacks.length > 0 ? `not handled yet by capsim's Karpenter solver: ${lacks.join(', ')}` : undefined;
}

/** NodePool limits as a vector (cpu in millicores, memory in bytes, nodes, pods and others in units). */
export function limitsVector(limits: Readonly<Record<string, string | number>>): ResourceVector {
  const out: ResourceVector = {};
  for (const [k, v] of Object.entries(limits)) {
    const q = parseQuantity(v);
    out[k] = k === 'cpu' ? milliValue(q) : value(q);
  }
  return out;
}

/** Capacity as limits count it: the type's capacity and one node. */
function limitCapacity(it: KarpenterInstanceType): ResourceVector {
  return { ...resourcesVector(it.capacity), nodes: 1 };
}

/** filterByRemainingResources: types whose capacity exceeds no remaining limit. */
function withinLimits(types: readonly KarpenterInstanceType[], remaining: ResourceVector): KarpenterInstanceType[] {
  return types.filter((it) => {
    const cap = limitCapacity(it);
    return Object.entries(remaining).every(([k, left]) => (cap[k] ?? 0) <= left);
  });
}

/** subtractMax: the remaining limits less the largest capacity among the types. */
function subtractMax(remaining: ResourceVector, types: readonly KarpenterInstanceType[]): ResourceVector {
  if (types.length === 0) return remaining;
  const out: ResourceVector = {};
  for (const [k, left] of Object.entries(remaining)) out[k] = left - Math.max(...types.map((it) => limitCapacity(it)[k] ?? 0));
  return out;
}

function vectorString(v: ResourceVector): string {
  return `{${Object.keys(v).sort().filter((k) => v[k] !== 0).map((k) => `"${k}":${k === 'cpu' ? `${v[k]}m` : v[k]}`).join(',')}}`;
}

function taintString(t: Taint): string {
  return `${t.key}=${t.value ?? ''}:${t.effect}`;
}

/** Whether an instance type has an offering (zone x capacity type) the requirements allow. */
export function hasCompatibleOffering(it: KarpenterInstanceType, rs: Requirements): boolean {
  const zone = getRequirement(rs, LABEL_ZONE);
  const ct = getRequirement(rs, LABEL_CAPACITY_TYPE);
  return it.offerings.some((o) => allows(zone, o.zone) && allows(ct, o.capacityType));
}

/** The distinct values of a requirement's key among the types (zone and capacity type from their
 *  offerings), as SatisfiesMinValues counts them. */
function distinctValues(types: readonly KarpenterInstanceType[], r: Requirement): number {
  const values = new Set<string>();
  for (const it of types) {
    if (r.key === LABEL_ZONE) for (const o of it.offerings) { if (allows(r, o.zone)) values.add(o.zone); }
    else if (r.key === LABEL_CAPACITY_TYPE) for (const o of it.offerings) { if (allows(r, o.capacityType)) values.add(o.capacityType); }
    else {
      const own = it.requirements.get(r.key);
      if (own && !own.complement) for (const v of own.values) if (allows(r, v)) values.add(v);
    }
  }
  return values.size;
}

/** SatisfiesMinValues: the first requirement whose minValues the types do not reach, or undefined. */
export function minValuesShortfall(types: readonly KarpenterInstanceType[], rs: Requirements): string | undefined {
  for (const r of rs.values()) {
    if (r.minValues === undefined) continue;
    const n = distinctValues(types, r);
    if (n < r.minValues) return `minValues requirement is not met for label ${r.key} (${n} of ${r.minValues} values)`;
  }
  return undefined;
}

/** filterInstanceTypesByRequirements: the types compatible with the requirements, that fit the
 *  requests and have an offering; or why none is. */
export function filterInstanceTypes(types: readonly KarpenterInstanceType[], rs: Requirements, requests: ResourceVector): { types: KarpenterInstanceType[]; error?: string } {
  const out: KarpenterInstanceType[] = [];
  let compatibleN = 0;
  let fitN = 0;
  let offeringN = 0;
  const short = new Set<string>();
  for (const it of types) {
    const c = intersects(it.requirements, rs) === undefined;
    const allocatable = resourcesVector(it.allocatable);
    const f = fits(requests, allocatable);
    if (!f) for (const k of exceeded(requests, allocatable)) short.add(k);
    const o = hasCompatibleOffering(it, rs);
    if (c) compatibleN++;
    if (f) fitN++;
    if (o) offeringN++;
    if (c && f && o) out.push(it);
  }
  if (out.length > 0) return { types: out };
  return {
    types: out,
    error: `no instance type satisfied resources ${vectorString(requests)} and requirements (of ${types.length} types: ${compatibleN} compatible with the requirements, ${fitN} fit the resources${short.size > 0 ? ` (too little ${[...short].join(', ')} in the others)` : ''}, ${offeringN} have an allowed offering)`,
  };
}

interface Template {
  pool: ResolvedNodePool;
  requirements: Requirements;
  taints: readonly Taint[];
  instanceTypes: readonly KarpenterInstanceType[];
  daemonOverhead: ResourceVector;
}

interface Claim extends NodeClaimPlan {
  taints: readonly Taint[];
}

interface Existing {
  node: ExistingNode;
  requirements: Requirements;
  requests: ResourceVector;
  pods: Pod[];
}

/** getDaemonOverhead: the daemonset pods a template's nodes would run (they tolerate its taints and
 *  their strict requirements are compatible with its requirements), summed with one pod each. */
function daemonOverhead(template: Omit<Template, 'daemonOverhead'>, daemons: readonly Pod[]): ResourceVector {
  let total: ResourceVector = {};
  for (const d of daemons) {
    if (findUntoleratedTaint(template.taints, d.spec.tolerations) !== null) continue;
    if (compatible(template.requirements, podRequirements(d, NOT_RELAXED, true), { allowUndefined: WELL_KNOWN_LABELS }) !== undefined) continue;
    total = addVectors(total, podResourceVector(d));
  }
  return total;
}

/** NodeClaim.Add: the claim narrowed to hold the pod too, or why it cannot. */
function addToClaim(claim: Claim, pod: Pod, podReqs: Requirements): string | undefined {
  const taint = findUntoleratedTaint(claim.taints, pod.spec.tolerations);
  if (taint) return `did not tolerate ${taintString(taint)}`;
  const conflict = compatible(claim.requirements, podReqs, { allowUndefined: WELL_KNOWN_LABELS });
  if (conflict !== undefined) return `incompatible requirements, ${conflict}`;
  const rs = requirements(...claim.requirements.values());
  addTo(rs, ...podReqs.values());
  const requests = addVectors(claim.requests, podResourceVector(pod));
  const filtered = filterInstanceTypes(claim.instanceTypes, rs, requests);
  if (filtered.error !== undefined) return filtered.error;
  const short = minValuesShortfall(filtered.types, rs);
  if (short !== undefined) return short;
  claim.requirements = rs;
  claim.requests = requests;
  claim.instanceTypes = filtered.types;
  claim.pods.push(pod);
  return undefined;
}

/** ExistingNode.Add: taints, then resources, then the node's labels against the pod's requirements. */
function addToExisting(e: Existing, pod: Pod, podReqs: Requirements): boolean {
  if (e.node.admits !== undefined && !e.node.admits(pod)) return false;
  if (findUntoleratedTaint(e.node.taints, pod.spec.tolerations) !== null) return false;
  const requests = addVectors(e.requests, podResourceVector(pod));
  if (!fits(requests, e.node.available)) return false;
  if (compatible(e.requirements, podReqs) !== undefined) return false;
  e.requests = requests;
  e.pods.push(pod);
  return true;
}

/** NewQueue's order: CPU requests descending, then memory descending; then the order given. */
export function queueOrder(pods: readonly Pod[]): Pod[] {
  return pods.map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.requests.cpuMilli - a.p.requests.cpuMilli || b.p.requests.memoryBytes - a.p.requests.memoryBytes || a.i - b.i)
    .map((x) => x.p);
}

/** Scheduler.Solve. */
export function solve(input: SolveInput): SolveResult {
  const daemons = input.daemonSetPods ?? [];
  const templates: Template[] = [];
  for (const pool of input.nodePools) {
    if (!pool.menu || pool.nodePool.replicas !== null) continue; // static NodePools are not provisioned for pods
    const base = { pool, requirements: pool.requirements, taints: pool.nodePool.taints as readonly Taint[], instanceTypes: pool.menu.entries.map((e) => e.type) };
    templates.push({ ...base, daemonOverhead: daemonOverhead(base, daemons) });
  }
  const remaining = new Map<string, ResourceVector>();
  for (const t of templates) {
    const name = t.pool.nodePool.name;
    if (Object.keys(t.pool.nodePool.limits).length === 0) continue;
    let left = limitsVector(t.pool.nodePool.limits);
    for (const n of input.existingNodes ?? []) {
      if (n.labels[LABEL_NODEPOOL] !== name || !n.capacity) continue;
      const used: ResourceVector = { ...n.capacity, nodes: 1 };
      left = Object.fromEntries(Object.entries(left).map(([k, v]) => [k, v - (used[k] ?? 0)]));
    }
    remaining.set(name, left);
  }
  const existing: Existing[] = (input.existingNodes ?? []).map((node) => ({ node, requirements: labelRequirements(node.labels), requests: {}, pods: [] }));
  const claims: Claim[] = [];
  const errors = new Map<Pod, string>();
  const notHandled = new Map<Pod, string>();
  const relaxation = new Map<Pod, Relaxation>();

  const add = (pod: Pod): string | undefined => {
    const podReqs = podRequirements(pod, relaxation.get(pod) ?? NOT_RELAXED);
    for (const e of existing) if (addToExisting(e, pod, podReqs)) return undefined;
    const byPods = [...claims].sort((a, b) => a.pods.length - b.pods.length);
    for (const c of byPods) if (addToClaim(c, pod, podReqs) === undefined) return undefined;
    const errs: string[] = [];
    for (const t of templates) {
      const name = t.pool.nodePool.name;
      let types = t.instanceTypes;
      const left = remaining.get(name);
      if (left) {
        types = withinLimits(types, left);
        if (types.length === 0) {
          errs.push(`all available instance types exceed limits for nodepool: "${name}"`);
          continue;
        }
      }
      const claim: Claim = {
        id: claims.length + 1,
        nodePool: name,
        requirements: requirements(...t.requirements.values(), requirement(LABEL_HOSTNAME, 'In', [`hostname-placeholder-${String(claims.length + 1).padStart(4, '0')}`])),
        instanceTypes: types,
        requests: { ...t.daemonOverhead },
        daemonOverhead: t.daemonOverhead,
        pods: [],
        taints: t.taints,
      };
      const err = addToClaim(claim, pod, podReqs);
      if (err !== undefined) {
        errs.push(`incompatible with nodepool "${name}", daemonset overhead=${vectorString(t.daemonOverhead)}, ${err}`);
        continue;
      }
      claims.push(claim);
      if (left) remaining.set(name, subtractMax(left, claim.instanceTypes));
      return undefined;
    }
    return errs.length > 0 ? errs.join('; ') : 'no NodePool can launch nodes (none has instance types in capsim\'s catalog)';
  };

  // Queue: Pop stops once a pod comes round again with the queue as long as when it was pushed
  // back unrelaxed (a full pass without progress); a relaxed push resets that memory.
  const queue: Pod[] = [];
  for (const pod of queueOrder(input.pods)) {
    const why = notHandledReason(pod);
    if (why !== undefined) notHandled.set(pod, why);
    else queue.push(pod);
  }
  let lastLen = new Map<Pod, number>();
  while (queue.length > 0) {
    const pod = queue[0]!;
    if (lastLen.get(pod) === queue.length) break;
    queue.shift();
    const err = add(pod);
    if (err === undefined) {
      errors.delete(pod);
      continue;
    }
    errors.set(pod, err);
    const next = relaxFurther(pod, relaxation.get(pod) ?? NOT_RELAXED);
    if (next) relaxation.set(pod, next);
    queue.push(pod);
    if (next) lastLen = new Map();
    else lastLen.set(pod, queue.length);
  }

  const placed = new Map<string, Pod[]>();
  for (const e of existing) if (e.pods.length > 0) placed.set(e.node.name, e.pods);
  const newNodeClaims: NodeClaimPlan[] = claims.map(({ taints: _taints, ...plan }) => plan);
  return { newNodeClaims, existing: placed, errors, notHandled };
}
