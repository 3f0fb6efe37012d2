// Karpenter's cluster state and NodeClaim lifecycle (kubernetes-sigs/karpenter@22664681):
//   pkg/controllers/state/cluster.go      the NodeClaims Karpenter launched, with their Nodes,
//                                          MarkForDeletion / UnmarkForDeletion
//   pkg/controllers/nodeclaim/lifecycle/  launch.go (cloudProvider.Create), registration.go,
//                                          initialization.go: Launched, Registered, Initialized
//   pkg/controllers/node/termination/     controller.go finalize (taint karpenter.sh/disrupted:
//                                          NoSchedule, drain, terminate the instance, remove the
//                                          Node), terminator/terminator.go Drain (pods evicted in
//                                          tiers: non-critical non-daemon first),
//                                          terminator/eviction.go (the Eviction API, PDBs honoured;
//                                          past terminationGracePeriod pods are deleted regardless)
// A NodeClaim here is one instance: its Node exists from launch (state Provisioning, outside the
// scheduler's view) and is Ready after the startup delay; capsim registers and initializes the
// node at the same instant. The NodePool's startupTaints are on the Node from its creation
// (registration.go syncNode; the AWS provider passes them to the kubelet's registerWithTaints)
// and are removed when it is Ready: upstream expects a daemon to remove them and initialization.go
// waits for that (StartupTaintsRemoved); capsim assumes the daemon does so as the node becomes
// Ready (its time belongs in the startup delay). Upstream records Launched,
// Registered and Initialized as NodeClaim status conditions and log lines, not Events; capsim
// writes them to events.csv under those names so a run shows the lifecycle.
import type { NodeInit } from '../../api/apiServer.ts';
import { evict, type PdbStatus } from '../../api/eviction.ts';
import type { PdbObject } from '../../model/objects.ts';
import type { Taint } from '../../model/api.ts';
import { LABEL_CAPACITY_TYPE as CAPSIM_CAPACITY_TYPE } from '../../model/api.ts';
import type { Node } from '../../model/node.ts';
import { nodeObjectRef } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { isTerminal, isTerminating, podObjectRef } from '../../model/pod.ts';
import { toResourceList } from '../../model/resources.ts';
import { Phase } from '../../phases.ts';
import type { KarpenterInstanceType, Offering, Resources } from '../../karpenter/instanceTypes.ts';
import { chooseLaunch } from '../../karpenter/launch.ts';
import type { ResolvedNodePool } from '../../karpenter/nodePools.ts';
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_NODEPOOL, LABEL_ZONE } from '../../karpenter/requirements.ts';
import type { NodeClaimPlan } from '../../karpenter/scheduler.ts';
import { parseGoDurationMs } from '../../karpenter/goDuration.ts';
import { toleratesTaint } from '../../model/taints.ts';
import type { KarpenterParts } from './parts.ts';
import type { NodeClassObject, NodePoolObject } from '../../model/karpenter.ts';

/** v1.DisruptedNoScheduleTaint. */
export const DISRUPTED_TAINT: Taint = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' };
/** The termination controller's requeue while draining (awaitDrain: RequeueAfter 1s). */
export const DRAIN_REQUEUE_MS = 1_000;
/** The event recorder's default dedupe timeout (pkg/events/recorder.go defaultDedupeTimeout). */
export const EVENT_DEDUPE_MS = 120_000;

/** lifecycle/liveness.go registrationTimeout: a NodeClaim whose Node has not registered 15 minutes
 *  after launch is deleted (reason registration_timeout) and the provisioner launches anew. */
export const REGISTRATION_TIMEOUT_MS = 15 * 60_000;

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export interface NodeClaim {
  /** "<nodepool>-<5 chars>"; its Node has the same name. */
  name: string;
  nodePool: string;
  node: Node;
  instanceType: string;
  capacityType: 'on-demand' | 'spot';
  zone: string;
  priceUsdPerHour: number;
  createdMs: number;
  /** When its Node became Ready (registered and initialized), -1 before. */
  initializedMs: number;
  /** Hashes of the NodePool template and NodeClass it launched from (drift compares them). */
  nodePoolHash: string;
  nodeClassHash: string;
  /** Why it was launched ("provisioned", or a disruption's replacement reason). */
  launchReason: string;
  /** When its deletion began (termination), -1 while it lives. */
  deletingMs: number;
  /** Why it is deleted ("Underutilized", "Empty", "Drifted", "Expired", "Interrupted", ...), or null. */
  disruptionReason: string | null;
  /** Marked for deletion by disruption's orchestration (MarkForDeletion): the provisioner then
   *  schedules its pods elsewhere and does not count its capacity. */
  markedForDeletion: boolean;
  /** When its instance is gone and its Node removed, -1 before. */
  terminatedMs: number;
  /** The NodePool's startupTaints at launch: on the Node until it is initialized. */
  startupTaints: readonly Taint[];
}

export type ClaimChange = 'launched' | 'initialized' | 'deleting' | 'terminated';

/** How long an offering an interruption or a failed launch marked unavailable stays so
 *  (aws/karpenter-provider-aws pkg/cache/cache.go UnavailableOfferingsTTL). */
export const UNAVAILABLE_OFFERINGS_TTL_MS = 180_000;

export interface TerminateOptions {
  /** false: the instance goes at once, its pods with it (a forceful deletion). Default true. */
  graceful?: boolean;
  /** An absolute deadline (ms) for the drain, overriding the NodePool's terminationGracePeriod
   *  (a spot interruption's notice end). */
  deadlineMs?: number;
}

/** What changed in the NodeClaims (the controller's summary counts them). */
export interface NodeClaimStats {
  launched: number;
  launchedByNodePool: Map<string, number>;
  terminatedByReason: Map<string, number>;
  launchFailures: number;
}

function capacityList(r: Resources): ReturnType<typeof toResourceList> {
  return toResourceList({ cpu: r.cpuMilli, memory: r.memoryBytes, ...(r.gpu > 0 ? { 'nvidia.com/gpu': r.gpu } : {}) });
}

/** A stable short hash of a JSON value (drift's NodePool / NodeClass hash stand-in). */
export function shortHash(value: unknown): string {
  const text = JSON.stringify(value);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The NodePool's template hash (upstream's karpenter.sh/nodepool-hash over spec.template: labels,
 *  annotations, taints, startupTaints, requirements, expireAfter, terminationGracePeriod,
 *  nodeClassRef); drift compares a NodeClaim's with the NodePool's current one. */
export function nodePoolHash(np: NodePoolObject): string {
  return shortHash({ labels: np.labels, annotations: np.annotations, taints: np.taints, startupTaints: np.startupTaints, requirements: np.requirements, expireAfter: np.expireAfter, terminationGracePeriod: np.terminationGracePeriod, nodeClassRef: np.nodeClassRef });
}

/** The NodeClass's hash over what changes the nodes it launches (AMI, kubelet). */
export function nodeClassHash(nodeClass: NodeClassObject | null): string {
  return shortHash(nodeClass ? { amiFamily: nodeClass.amiFamily, amiSelectorTerms: nodeClass.amiSelectorTerms, kubelet: nodeClass.kubelet } : null);
}

export class NodeClaims {
  private readonly claims: NodeClaim[] = [];
  private readonly byNodeMap = new Map<Node, NodeClaim>();
  private readonly names;
  private readonly lastDrainEvent = new Map<NodeClaim, number>();
  private readonly unavailable = new Map<string, number>();
  private readonly usedNames = new Set<string>();
  readonly stats: NodeClaimStats = { launched: 0, launchedByNodePool: new Map(), terminatedByReason: new Map(), launchFailures: 0 };
  /** Told when a NodeClaim's Node becomes Ready, and when one is gone. */
  private readonly onChange: ((claim: NodeClaim, what: ClaimChange) => void)[] = [];

  constructor(private readonly parts: KarpenterParts) {
    this.names = parts.random.stream('karpenter/nodeclaim-names');
    parts.api.addListener({
      nodeUpdated: (node) => {
        const claim = this.byNodeMap.get(node);
        if (claim && claim.initializedMs < 0 && node.state === 'Ready') this.initialized(claim);
      },
      nodeRemoved: (node) => {
        const claim = this.byNodeMap.get(node);
        if (claim && claim.terminatedMs < 0) this.gone(claim, claim.disruptionReason ?? 'NodeDeleted');
      },
    });
  }

  listen(fn: (claim: NodeClaim, what: ClaimChange) => void): void {
    this.onChange.push(fn);
  }

  /** Every NodeClaim that still exists (launched, not yet terminated), in launch order. */
  list(): readonly NodeClaim[] {
    return this.claims;
  }

  byNode(node: Node): NodeClaim | undefined {
    return this.byNodeMap.get(node);
  }

  byName(name: string): NodeClaim | undefined {
    return this.claims.find((c) => c.name === name);
  }

  pool(name: string): ResolvedNodePool | undefined {
    return this.parts.pools.find((p) => p.nodePool.name === name);
  }

  private newName(nodePool: string): string {
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[this.names.int(NAME_ALPHABET.length)];
      const name = `${nodePool}-${suffix}`;
      // Never a name a node of this run had (nodes.csv has one row per name).
      if (this.usedNames.has(name) || this.parts.api.node(name)) continue;
      this.usedNames.add(name);
      return name;
    }
  }

  /** Creates the NodeClaim and its instance (lifecycle/launch.go: cloudProvider.Create with the
   *  cheapest offering, launch.ts), or null when no remaining type has an allowed offering. */
  launch(plan: NodeClaimPlan, reason: string): NodeClaim | null {
    const choice = chooseLaunch(plan);
    const pool = this.pool(plan.nodePool);
    if (!choice || !pool) {
      this.stats.launchFailures++;
      this.parts.api.emit('InsufficientCapacityError', `NodePool/-/${plan.nodePool}`, '', `NodeClaim for nodepool ${plan.nodePool} event: all requested instance types were unavailable during launch`, 'karpenter');
      return null;
    }
    if (!this.parts.cloud.hasCapacity(plan.nodePool)) {
      // A stock-out (a scripted capacityUnavailable naming the NodePool): CreateFleet fails with
      // InsufficientInstanceCapacity for every type offered, each offering of that capacity type
      // is cached as unavailable for 3 minutes, and the pods are provisioned for again in the
      // next batch (on the other capacity type, if the NodePool allows it).
      this.stats.launchFailures++;
      const until = this.parts.clock.nowMs + UNAVAILABLE_OFFERINGS_TTL_MS;
      for (const it of choice.options) for (const o of it.offerings) if (o.capacityType === choice.capacityType) this.markUnavailable(it.name, o.zone, o.capacityType, until);
      this.parts.api.emit('InsufficientCapacityError', `NodePool/-/${plan.nodePool}`, '', `NodeClaim for nodepool ${plan.nodePool} event: creating instance, insufficient capacity, all requested instance types were unavailable during launch (${choice.options.length} ${choice.capacityType} type${choice.options.length === 1 ? '' : 's'})`, 'karpenter');
      return null;
    }
    const name = this.newName(plan.nodePool);
    const it: KarpenterInstanceType = choice.type;
    const np = pool.nodePool;
    const labels: Record<string, string> = {
      ...it.labels,
      ...np.labels,
      [LABEL_HOSTNAME]: name,
      [LABEL_ZONE]: choice.offering.zone,
      [LABEL_CAPACITY_TYPE]: choice.capacityType,
      [CAPSIM_CAPACITY_TYPE]: choice.capacityType,
      [LABEL_NODEPOOL]: np.name,
      'karpenter.sh/registered': 'true',
      'karpenter.sh/initialized': 'true',
    };
    const init: NodeInit = {
      name,
      labels,
      annotations: { ...np.annotations },
      taints: [...np.taints, ...np.startupTaints].map((t) => ({ ...t })) as Taint[],
      capacity: capacityList(it.capacity),
      allocatable: capacityList(it.allocatable),
      allocatablePods: it.allocatable.pods,
      pool: np.name,
      nodeClaim: name,
      zone: choice.offering.zone,
      instanceType: it.name,
      capacityType: choice.capacityType,
      priceUsdPerHour: choice.offering.usdPerHour,
    };
    const node = this.parts.cloud.launchInstance(init, this.parts.startupDelayMs);
    const claim: NodeClaim = {
      name, nodePool: np.name, node, instanceType: it.name, capacityType: choice.capacityType, zone: choice.offering.zone,
      priceUsdPerHour: choice.offering.usdPerHour, createdMs: this.parts.clock.nowMs, initializedMs: -1,
      nodePoolHash: nodePoolHash(np),
      nodeClassHash: nodeClassHash(pool.nodeClass),
      launchReason: reason, deletingMs: -1, disruptionReason: null, markedForDeletion: false, terminatedMs: -1,
      startupTaints: np.startupTaints.map((t) => ({ ...t })) as Taint[],
    };
    this.claims.push(claim);
    this.byNodeMap.set(node, claim);
    this.stats.launched++;
    this.stats.launchedByNodePool.set(np.name, (this.stats.launchedByNodePool.get(np.name) ?? 0) + 1);
    const options = choice.options.length;
    this.parts.api.emit('Launched', `NodeClaim/-/${name}`, name,
      `launched nodeclaim (${reason}): ${it.name} ${choice.capacityType} in ${choice.offering.zone} at $${choice.offering.usdPerHour}/h, cheapest of ${options} instance type${options === 1 ? '' : 's'} offered; ${plan.pods.length} pod${plan.pods.length === 1 ? '' : 's'}`,
      'karpenter');
    for (const fn of this.onChange) fn(claim, 'launched');
    if (node.state === 'Ready') this.initialized(claim);
    // Liveness: capsim's cloud delivers every instance after the startup delay, so only a startup
    // delay of 15 minutes or more reaches the registration timeout (no timer otherwise).
    else if (this.parts.startupDelayMs >= REGISTRATION_TIMEOUT_MS) {
      this.parts.clock.after(REGISTRATION_TIMEOUT_MS, Phase.Controller, () => {
        if (claim.initializedMs >= 0 || claim.deletingMs >= 0 || claim.terminatedMs >= 0) return;
        this.parts.api.emit('RegistrationTimeout', `NodeClaim/-/${claim.name}`, claim.name, `terminating due to timeout: the node did not register within 15m (registration_timeout)`, 'karpenter');
        this.terminate(claim, 'RegistrationTimeout');
      });
    }
    return claim;
  }

  /** The unavailable offerings cache: no launch of that type in that zone and capacity type
   *  until `untilMs`. */
  markUnavailable(instanceType: string, zone: string, capacityType: string, untilMs: number): void {
    this.unavailable.set(`${instanceType}/${zone}/${capacityType}`, untilMs);
  }

  /** The NodePools with the offerings the unavailable cache holds left out (the solve's menu). */
  availablePools(): ResolvedNodePool[] {
    const now = this.parts.clock.nowMs;
    for (const [k, until] of this.unavailable) if (until <= now) this.unavailable.delete(k);
    if (this.unavailable.size === 0) return this.parts.pools;
    const gone = (it: KarpenterInstanceType, o: Offering) => this.unavailable.has(`${it.name}/${o.zone}/${o.capacityType}`);
    return this.parts.pools.map((p) => {
      if (!p.menu || !p.menu.entries.some((e) => e.type.offerings.some((o) => gone(e.type, o)))) return p;
      const entries = p.menu.entries.flatMap((e) => {
        if (!e.type.offerings.some((o) => gone(e.type, o))) return [e];
        const type = { ...e.type, offerings: e.type.offerings.filter((o) => !gone(e.type, o)) };
        const offerings = e.offerings.filter((o) => !gone(e.type, o));
        return offerings.length > 0 ? [{ type, offerings, cheapest: offerings[0]! }] : [];
      });
      return { ...p, menu: { ...p.menu, entries } };
    });
  }

  private initialized(claim: NodeClaim): void {
    claim.initializedMs = this.parts.clock.nowMs;
    // The startup taints' daemon has removed them (a taint of the template with the same key stays).
    const keep = new Set(this.parts.pools.find((p) => p.nodePool.name === claim.nodePool)?.nodePool.taints.map((t) => t.key) ?? []);
    for (const t of claim.startupTaints) if (!keep.has(t.key)) this.parts.api.removeTaint(claim.node, t.key);
    const after = `${(claim.initializedMs - claim.createdMs) / 1000}s after launch`;
    this.parts.api.emit('Registered', `NodeClaim/-/${claim.name}`, claim.name, `registered nodeclaim ${after}`, 'karpenter');
    this.parts.api.emit('Initialized', `NodeClaim/-/${claim.name}`, claim.name, `initialized nodeclaim ${after}`, 'karpenter');
    for (const fn of this.onChange) fn(claim, 'initialized');
  }

  /** MarkForDeletion: the provisioner stops counting the node and schedules its pods elsewhere. */
  markForDeletion(...claims: NodeClaim[]): void {
    for (const c of claims) c.markedForDeletion = true;
  }

  unmark(...claims: NodeClaim[]): void {
    for (const c of claims) if (c.deletingMs < 0) c.markedForDeletion = false;
  }

  /** The NodeClaim is deleted: the termination controller taints its Node
   *  karpenter.sh/disrupted:NoSchedule, drains it through the Eviction API (PDBs honoured,
   *  retried every second; past the NodePool's terminationGracePeriod the pods left are deleted),
   *  then the instance is terminated and the Node removed. `graceful: false` skips the drain. */
  terminate(claim: NodeClaim, reason: string, opts: TerminateOptions = {}): void {
    if (claim.deletingMs >= 0 || claim.terminatedMs >= 0) return;
    const { api, clock } = this.parts;
    claim.deletingMs = clock.nowMs;
    claim.markedForDeletion = true;
    claim.disruptionReason = reason;
    for (const fn of this.onChange) fn(claim, 'deleting');
    const node = claim.node;
    if (opts.graceful === false || node.state === 'Provisioning') {
      this.terminateInstance(claim);
      return;
    }
    api.addTaint(node, { ...DISRUPTED_TAINT });
    const tgp = this.pool(claim.nodePool)?.nodePool.terminationGracePeriod ?? null;
    let deadline = opts.deadlineMs ?? (tgp ? claim.deletingMs + parseGoDurationMs(tgp) : null);
    if (opts.deadlineMs !== undefined && tgp) deadline = Math.min(opts.deadlineMs, claim.deletingMs + parseGoDurationMs(tgp));
    if (deadline !== null) {
      api.emit('TerminationGracePeriodExpiring', nodeObjectRef(node), node.name, `All pods will be deleted by ${this.parts.timestamp(deadline)}`, 'karpenter');
    }
    const step = () => {
      if (node.state === 'Removed' || claim.terminatedMs >= 0) return;
      if (this.drain(claim, deadline)) {
        this.terminateInstance(claim);
        return;
      }
      if (deadline !== null && clock.nowMs >= deadline) {
        this.terminateInstance(claim);
        return;
      }
      clock.after(DRAIN_REQUEUE_MS, Phase.Controller, step);
    };
    step();
  }

  /** Terminator.Drain: true once no drainable pod is left. Pods are evicted tier by tier
   *  (non-critical non-daemon, non-critical daemon, critical non-daemon, critical daemon); a pod
   *  whose grace period would outlast the deadline is deleted, bypassing its PDB. */
  private drain(claim: NodeClaim, deadlineMs: number | null): boolean {
    const { api, clock } = this.parts;
    const now = clock.nowMs;
    const waiting = claim.node.info.pods.filter((p) => !isTerminal(p) && !toleratesTaint(p.spec.tolerations, DISRUPTED_TAINT) && p.owner?.kind !== 'Node');
    if (waiting.length === 0) return true;
    const graceful: Pod[] = [];
    for (const p of waiting) {
      if (isTerminating(p)) continue;
      if (deadlineMs !== null && now > deadlineMs - p.spec.terminationGracePeriodSeconds * 1000) {
        const grace = Math.max(1, Math.floor((deadlineMs - now) / 1000));
        api.deletePod(p, 'Disrupted', `Deleting the pod to accommodate the terminationTime ${this.parts.timestamp(deadlineMs)} of the node. The pod was granted ${grace} seconds of grace-period of its ${p.spec.terminationGracePeriodSeconds} terminationGracePeriodSeconds. This bypasses the PDB of the pod and the do-not-disrupt annotation.`, Math.min(grace, p.spec.terminationGracePeriodSeconds));
      } else graceful.push(p);
    }
    const critical = (p: Pod) => p.spec.priorityClassName === 'system-cluster-critical' || p.spec.priorityClassName === 'system-node-critical';
    const daemon = (p: Pod) => p.owner?.kind === 'DaemonSet';
    const tiers = [
      graceful.filter((p) => !critical(p) && !daemon(p)),
      graceful.filter((p) => !critical(p) && daemon(p)),
      graceful.filter((p) => critical(p) && !daemon(p)),
      graceful.filter((p) => critical(p) && daemon(p)),
    ];
    const tier = tiers.find((t) => t.length > 0);
    // The PDB statuses read in this pass, until an eviction deletes a pod (src/api/eviction.ts evict).
    const statuses = new Map<PdbObject, PdbStatus>();
    for (const pod of tier ?? []) {
      const result = evict(api, pod, `Evicted pod: ${claim.disruptionReason ?? 'deleted'}`, statuses);
      if (!result.ok) this.failedDraining(claim, pod, result.message);
    }
    return false;
  }

  private failedDraining(claim: NodeClaim, pod: Pod, message: string): void {
    const now = this.parts.clock.nowMs;
    const last = this.lastDrainEvent.get(claim);
    if (last !== undefined && now - last < EVENT_DEDUPE_MS) return;
    this.lastDrainEvent.set(claim, now);
    const why = message.includes('more than one PodDisruptionBudget') ? 'eviction does not support multiple PDBs' : 'evicting pod violates a PDB';
    this.parts.api.emit('FailedDraining', nodeObjectRef(claim.node), claim.node.name, `Failed to drain node, ${why} (Pod=${podObjectRef(pod).slice(4)})`, 'karpenter');
  }

  private terminateInstance(claim: NodeClaim): void {
    this.parts.cloud.terminateInstance(claim.node, `Instance terminated by Karpenter (${claim.disruptionReason ?? 'deleted'})`);
    if (claim.terminatedMs < 0) this.gone(claim, claim.disruptionReason ?? 'NodeDeleted');
  }

  private gone(claim: NodeClaim, reason: string): void {
    claim.terminatedMs = this.parts.clock.nowMs;
    if (claim.deletingMs < 0) claim.deletingMs = claim.terminatedMs;
    claim.disruptionReason ??= reason;
    const i = this.claims.indexOf(claim);
    if (i >= 0) this.claims.splice(i, 1);
    this.byNodeMap.delete(claim.node);
    this.lastDrainEvent.delete(claim);
    this.stats.terminatedByReason.set(reason, (this.stats.terminatedByReason.get(reason) ?? 0) + 1);
    this.parts.terminated.push(claim);
    for (const fn of this.onChange) fn(claim, 'terminated');
  }
}
