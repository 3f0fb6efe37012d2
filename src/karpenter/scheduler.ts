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
// Topology spread, pod affinity and anti-affinity are topology.ts (a pod that fails is relaxed as
// preferences.ts says: upstream's trySchedule relaxes a copy all the way at once, and a pod still
// unplaced goes back to the queue as written); host ports are hostPorts.ts.
// Not handled (the pod is reported as such and placed nowhere, rather than placed wrongly): pod
// (anti-)affinity terms with a namespaceSelector (capsim has no Namespace objects), volumes'
// topology. Ephemeral storage requests are not counted (the catalog has no root volume size).
import type { Taint } from '../model/api.ts';
import type { Pod } from '../model/pod.ts';
import { findUntoleratedTaint } from '../model/taints.ts';
import type { KarpenterInstanceType } from './instanceTypes.ts';
import type { ResolvedNodePool } from './nodePools.ts';
import type { ResourceVector } from './podRequirements.ts';
import { NOT_RELAXED, addVectors, exceeded, fits, fitsSum, podRequirements, podResourceVector, resourcesVector, withGpuMilli } from './podRequirements.ts';
import type { PodView } from './preferences.ts';
import { hasTopology, podView, relaxView } from './preferences.ts';
import type { KarpenterHostPort } from './hostPorts.ts';
import { HostPortUsage, karpenterHostPorts } from './hostPorts.ts';
import type { DomainGroups } from './topology.ts';
import { Topology, TopologyError, buildDomainGroups, hostnameOf, mergeRequirement, strictRequirements } from './topology.ts';
import type { CompatibilityOptions, Requirement, Requirements } from './requirements.ts';
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
  /** The pods bound or nominated to it (already subtracted from `available`): topology spread and
   *  pod (anti-)affinity count them, and their host ports are taken. */
  pods?: readonly Pod[];
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
  const terms = [
    ...(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
    ...(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
  ];
  if (terms.some((t) => t.namespaceSelector)) return 'not handled yet by capsim\'s Karpenter solver: a pod (anti-)affinity term with a namespaceSelector (capsim has no Namespace objects to select)';
  return undefined;
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
const limitCapacities = new WeakMap<KarpenterInstanceType, ResourceVector>();
const allocatables = new WeakMap<KarpenterInstanceType, ResourceVector>();

function limitCapacity(it: KarpenterInstanceType): ResourceVector {
  let v = limitCapacities.get(it);
  if (!v) limitCapacities.set(it, (v = { ...resourcesVector(it.capacity), nodes: 1 }));
  return v;
}

/** The type's allocatable as a vector (computed once per type). */
function allocatableOf(it: KarpenterInstanceType): ResourceVector {
  let v = allocatables.get(it);
  if (!v) allocatables.set(it, (v = withGpuMilli(resourcesVector(it.allocatable))));
  return v;
}

/** filterByRemainingResources: types whose capacity exceeds no remaining limit. */
function withinLimits(types: readonly KarpenterInstanceType[], remaining: ResourceVector): KarpenterInstanceType[] {
  const out: KarpenterInstanceType[] = [];
  for (const it of types) {
    const cap = limitCapacity(it);
    let ok = true;
    for (const k in remaining) {
      if ((cap[k] ?? 0) > remaining[k]!) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(it);
  }
  return out.length === types.length ? (types as KarpenterInstanceType[]) : out;
}

/** subtractMax: the remaining limits less the largest capacity among the types. */
function subtractMax(remaining: ResourceVector, types: readonly KarpenterInstanceType[]): ResourceVector {
  if (types.length === 0) return remaining;
  const out: ResourceVector = {};
  for (const k in remaining) {
    let max = -Infinity;
    for (const it of types) max = Math.max(max, limitCapacity(it)[k] ?? 0);
    out[k] = remaining[k]! - max;
  }
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
    const allocatable = allocatableOf(it);
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
  /** The host ports of the daemonset pods its nodes would run. */
  daemonHostPorts: HostPortUsage;
}

interface Claim extends NodeClaimPlan {
  taints: readonly Taint[];
  hostname: string;
  hostPorts: HostPortUsage;
}

interface Existing {
  node: ExistingNode;
  hostname: string;
  requirements: Requirements;
  requests: ResourceVector;
  pods: Pod[];
  hostPorts: HostPortUsage;
}

/** PodData: what a pod (as relaxed so far) asks, computed once per relaxation. */
interface PodData {
  view: PodView;
  requirements: Requirements;
  /** Without preferred node affinity: the pod's own domains for topology. */
  strict: Requirements;
  requests: ResourceVector;
  hostPorts: readonly KarpenterHostPort[];
  topology: boolean;
}

function podData(view: PodView): PodData {
  const requirements = podRequirements(view.pod, view.relax);
  const hasPreferred = (view.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length - view.relax.preferredDropped > 0;
  return {
    view, requirements, strict: hasPreferred ? strictRequirements(view) : requirements,
    requests: podResourceVector(view.pod), hostPorts: karpenterHostPorts(view.pod), topology: hasTopology(view),
  };
}

/** Whether daemon pod d would run on the template's nodes (tolerates its taints, strict requirements compatible). */
function daemonRuns(template: Pick<Template, 'taints' | 'requirements'>, d: Pod): boolean {
  if (findUntoleratedTaint(template.taints, d.spec.tolerations) !== null) return false;
  return compatible(template.requirements, podRequirements(d, NOT_RELAXED, true), { allowUndefined: WELL_KNOWN_LABELS }) === undefined;
}

/** getDaemonOverhead: the daemonset pods a template's nodes would run, summed with one pod each. */
function daemonOverhead(template: Pick<Template, 'taints' | 'requirements'>, daemons: readonly Pod[]): ResourceVector {
  let total: ResourceVector = {};
  for (const d of daemons) if (daemonRuns(template, d)) total = addVectors(total, podResourceVector(d));
  return total;
}

const WK: CompatibilityOptions = { allowUndefined: WELL_KNOWN_LABELS };

type AddError = string | TopologyError;

/** NodeClaim.CanAdd + Add: the claim narrowed to hold the pod too, or why it cannot. */
function addToClaim(claim: Claim, d: PodData, topology: Topology): AddError | undefined {
  const pod = d.view.pod;
  const taint = findUntoleratedTaint(claim.taints, pod.spec.tolerations);
  if (taint) return `did not tolerate ${taintString(taint)}`;
  const constrained = topology.constrains(pod);
  if (constrained && topology.rulesOut(pod, d.strict, claim.requirements, claim.hostname)) return `topology rules out ${claim.hostname}`; // AddRequirements would fail below
  const conflict = compatible(claim.requirements, d.requirements, WK);
  if (conflict !== undefined) return `incompatible requirements, ${conflict}`;
  let rs: Requirements = claim.requirements;
  if (d.requirements.size > 0) {
    const merged = new Map(claim.requirements);
    for (const r of d.requirements.values()) mergeRequirement(merged, r);
    rs = merged;
  }
  if (constrained) {
    const topo = topology.addRequirements(pod, claim.taints, d.strict, rs, WK);
    if (topo instanceof TopologyError) return topo;
    const clash = compatible(rs, topo, WK);
    if (clash !== undefined) return clash;
    rs = topo;
  }
  if (d.hostPorts.length > 0) {
    const ports = claim.hostPorts.conflicts(pod.key, d.hostPorts);
    if (ports !== undefined) return ports;
  }
  const requests = addVectors(claim.requests, d.requests);
  let narrowed = false;
  for (const [k, r] of rs) {
    if (claim.requirements.get(k) !== r) {
      narrowed = true;
      break;
    }
  }
  const filtered = narrowed ? filterInstanceTypes(claim.instanceTypes, rs, requests) : fitting(claim.instanceTypes, rs, requests);
  if (filtered.error !== undefined) return filtered.error;
  const short = minValuesShortfall(filtered.types, rs);
  if (short !== undefined) return short;
  claim.requirements = rs;
  claim.requests = requests;
  claim.instanceTypes = filtered.types;
  claim.pods.push(pod);
  claim.hostPorts.add(pod.key, d.hostPorts);
  topology.register(LABEL_HOSTNAME, claim.hostname);
  topology.record(pod, claim.taints, rs, WK);
  return undefined;
}

/** filterInstanceTypes when the requirements did not narrow: the claim's types already satisfy
 *  them and have an offering, so only the resources can rule one out (the same answer, faster). */
function fitting(types: readonly KarpenterInstanceType[], rs: Requirements, requests: ResourceVector): { types: KarpenterInstanceType[]; error?: string } {
  const out: KarpenterInstanceType[] = [];
  for (const it of types) if (fits(requests, allocatableOf(it))) out.push(it);
  // No types at all (a menu the unavailable-offerings cache emptied) is an error, not a fit.
  if (out.length === types.length && out.length > 0) return { types: types as KarpenterInstanceType[] };
  return out.length > 0 ? { types: out } : filterInstanceTypes(types, rs, requests);
}

/** ExistingNode.CanAdd + Add: taints, host ports, resources, the node's labels against the pod's
 *  requirements, then topology. */
function addToExisting(e: Existing, d: PodData, topology: Topology): boolean {
  const pod = d.view.pod;
  if (e.node.admits !== undefined && !e.node.admits(pod)) return false;
  if (findUntoleratedTaint(e.node.taints, pod.spec.tolerations) !== null) return false;
  if (d.hostPorts.length > 0 && e.hostPorts.conflicts(pod.key, d.hostPorts) !== undefined) return false;
  if (!fitsSum(e.requests, d.requests, e.node.available)) return false;
  const requests = addVectors(e.requests, d.requests);
  if (compatible(e.requirements, d.requirements) !== undefined) return false;
  let rs: Requirements = e.requirements;
  if (topology.constrains(pod)) {
    const base = new Map(e.requirements);
    for (const r of d.requirements.values()) mergeRequirement(base, r);
    const topo = topology.addRequirements(pod, e.node.taints, d.strict, base);
    if (topo instanceof TopologyError || compatible(base, topo) !== undefined) return false;
    rs = topo;
  }
  e.requirements = rs;
  e.requests = requests;
  e.pods.push(pod);
  e.hostPorts.add(pod.key, d.hostPorts);
  topology.record(pod, e.node.taints, rs);
  return true;
}

/** NewQueue's order: CPU requests descending, then memory descending; then the order given. */
export function queueOrder(pods: readonly Pod[]): Pod[] {
  return pods.map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.requests.cpuMilli - a.p.requests.cpuMilli || b.p.requests.memoryBytes - a.p.requests.memoryBytes || a.i - b.i)
    .map((x) => x.p);
}

/** The NodeClaims this solve opened, kept in the order upstream's add() sorts them before each pod
 *  (fewest pods first; ties in opening order, as capsim's stable sort had them). */
class ClaimsByPods {
  readonly list: Claim[] = [];

  private insert(c: Claim): void {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.list[mid]!;
      if (m.pods.length < c.pods.length || (m.pods.length === c.pods.length && m.id < c.id)) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, c);
  }

  add(c: Claim): void {
    this.insert(c);
  }

  /** The claim at `index` gained a pod: move it to its new place. */
  grew(index: number): void {
    const c = this.list[index]!;
    this.list.splice(index, 1);
    this.insert(c);
  }
}

/** The last buildDomainGroups answer and what it was built from (each template's NodePool
 *  requirements, taints and menu, by identity: resolved NodePools are replaced, never changed, when
 *  a scripted change edits them). Disruption solves the same NodePools dozens of times a poll, and
 *  Topology only reads the groups. */
let domainMemo: { from: readonly unknown[]; groups: DomainGroups } | null = null;

function domainGroupsOf(templates: readonly Template[]): DomainGroups {
  const from = templates.flatMap((t) => [t.requirements, t.taints, t.pool.menu]);
  if (domainMemo && domainMemo.from.length === from.length && domainMemo.from.every((x, i) => x === from[i])) return domainMemo.groups;
  const groups = buildDomainGroups(templates.map((t) => ({ requirements: t.requirements, taints: t.taints, types: t.instanceTypes })));
  domainMemo = { from, groups };
  return groups;
}

/** An existing node's labels as requirements, its hostname In too; remembered per labels object
 *  while the labels and hostname read the same (solve never changes the map: a pod placed there
 *  gets a new one). */
const nodeRequirementsMemo = new WeakMap<object, { sig: string; rs: Requirements }>();

function nodeRequirements(labels: Readonly<Record<string, string>>, hostname: string): Requirements {
  let sig = hostname;
  for (const k in labels) sig += `\0${k}\0${labels[k]}`;
  const known = nodeRequirementsMemo.get(labels);
  if (known && known.sig === sig) return known.rs;
  const rs = labelRequirements(labels);
  addTo(rs, requirement(LABEL_HOSTNAME, 'In', [hostname]));
  nodeRequirementsMemo.set(labels, { sig, rs });
  return rs;
}

/** Scheduler.Solve. */
export function solve(input: SolveInput): SolveResult {
  const daemons = input.daemonSetPods ?? [];
  const templates: Template[] = [];
  for (const pool of input.nodePools) {
    if (!pool.menu || pool.nodePool.replicas !== null) continue; // static NodePools are not provisioned for pods
    const base = { pool, requirements: pool.requirements, taints: pool.nodePool.taints as readonly Taint[], instanceTypes: pool.menu.entries.map((e) => e.type) };
    const daemonHostPorts = new HostPortUsage();
    for (const d of daemons) if (daemonRuns(base, d)) daemonHostPorts.add(d.key, karpenterHostPorts(d));
    templates.push({ ...base, daemonOverhead: daemonOverhead(base, daemons), daemonHostPorts });
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
  const errors = new Map<Pod, string>();
  const notHandled = new Map<Pod, string>();
  const queue: Pod[] = [];
  for (const pod of queueOrder(input.pods)) {
    const why = notHandledReason(pod);
    if (why !== undefined) notHandled.set(pod, why);
    else queue.push(pod);
  }

  // NewTopology: the domains every NodePool can offer, the pods already on nodes, and a group per
  // constraint of the pods to schedule; then NewExistingNode registers each node's hostname.
  const topologyNodes = (input.existingNodes ?? []).map((n) => ({ name: n.name, labels: n.labels, taints: n.taints, pods: n.pods ?? [] }));
  const domainGroups = domainGroupsOf(templates);
  const topology = new Topology(domainGroups, topologyNodes, new Set(input.pods));
  const views = new Map<Pod, PodData[]>();
  const dataOf = (pod: Pod, steps: number): PodData | null => {
    let chain = views.get(pod);
    if (!chain) views.set(pod, (chain = [podData(podView(pod))]));
    while (chain.length <= steps) {
      const next = relaxView(chain[chain.length - 1]!.view);
      if (!next) return null;
      chain.push(podData(next));
    }
    return chain[steps]!;
  };
  for (const pod of queue) {
    const d = dataOf(pod, 0)!;
    if (d.topology) topology.update(d.view);
  }
  const existing: Existing[] = (input.existingNodes ?? []).map((node) => {
    const hostname = hostnameOf(node);
    const hostPorts = new HostPortUsage();
    for (const p of node.pods ?? []) hostPorts.add(p.key, karpenterHostPorts(p));
    const rs = nodeRequirements(node.labels, hostname);
    topology.register(LABEL_HOSTNAME, hostname);
    return { node, hostname, requirements: rs, requests: {}, pods: [], hostPorts };
  });
  const claims = new ClaimsByPods();
  let opened = 0;

  const add = (d: PodData): AddError | undefined => {
    for (const e of existing) if (addToExisting(e, d, topology)) return undefined;
    const list = claims.list;
    for (let i = 0; i < list.length; i++) {
      if (addToClaim(list[i]!, d, topology) === undefined) {
        claims.grew(i);
        return undefined;
      }
    }
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
      const id = opened + 1;
      const hostname = `hostname-placeholder-${String(id).padStart(4, '0')}`;
      const claim: Claim = {
        id,
        nodePool: name,
        requirements: requirements(...t.requirements.values(), requirement(LABEL_HOSTNAME, 'In', [hostname])),
        instanceTypes: types,
        requests: { ...t.daemonOverhead },
        daemonOverhead: t.daemonOverhead,
        pods: [],
        taints: t.taints,
        hostname,
        hostPorts: t.daemonHostPorts.clone(),
      };
      const err = addToClaim(claim, d, topology);
      if (err !== undefined) {
        errs.push(`incompatible with nodepool "${name}", daemonset overhead=${vectorString(t.daemonOverhead)}, ${String(err)}`);
        continue;
      }
      opened = id;
      claims.add(claim);
      if (left) remaining.set(name, subtractMax(left, claim.instanceTypes));
      return undefined;
    }
    return errs.length > 0 ? errs.join('; ') : 'no NodePool can launch nodes (none has instance types in capsim\'s catalog)';
  };

  /** trySchedule: the pod as written, then relaxed one step at a time until it fits or nothing is left. */
  const trySchedule = (pod: Pod): string | undefined => {
    const tracked = dataOf(pod, 0)!.topology; // relaxing only removes constraints
    for (let steps = 0; ; steps++) {
      const d = dataOf(pod, steps)!; // steps only grows while relaxView succeeds
      if (steps > 0 && tracked) topology.update(d.view);
      const err = add(d);
      if (err === undefined) return undefined;
      if (!dataOf(pod, steps + 1)) return String(err);
    }
  };

  // Queue: Pop stops once a pod comes round again with the queue as long as when it was last
  // pushed back (a full pass without progress). A pod that failed goes back as written, its
  // topology ownership restored (Solve's topology.Update(ctx, pod) after trySchedule fails).
  const lastLen = new Map<Pod, number>();
  let head = 0;
  while (head < queue.length) {
    const pod = queue[head]!;
    if (lastLen.get(pod) === queue.length - head) break;
    head++;
    const err = trySchedule(pod);
    if (err === undefined) {
      errors.delete(pod);
      continue;
    }
    errors.set(pod, err);
    const d0 = dataOf(pod, 0)!;
    if (d0.topology) topology.update(d0.view);
    queue.push(pod);
    lastLen.set(pod, queue.length - head);
  }

  const placed = new Map<string, Pod[]>();
  for (const e of existing) if (e.pods.length > 0) placed.set(e.node.name, e.pods);
  const newNodeClaims: NodeClaimPlan[] = [...claims.list].sort((a, b) => a.id - b.id).map(({ taints: _taints, hostname: _hostname, hostPorts: _hostPorts, ...plan }) => plan);
  return { newNodeClaims, existing: placed, errors, notHandled };
}
