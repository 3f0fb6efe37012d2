// Karpenter's provisioner (kubernetes-sigs/karpenter@22664681):
//   pkg/controllers/provisioning/batcher.go     Trigger (once per element per batch) and Wait: a
//     batch closes once no new element came for BatchIdleDuration (1s) or BatchMaxDuration (10s)
//     after it opened
//   pkg/controllers/provisioning/controller.go  the pod trigger: a provisionable pod (marked
//     Unschedulable by kube-scheduler, not bound, not preempting, not a DaemonSet's or a mirror
//     pod) triggers, and again every 10s while it stays so; a node tainted
//     karpenter.sh/disrupted:NoSchedule triggers likewise
//   pkg/controllers/provisioning/provisioner.go Schedule: the nodes (without those marked for
//     deletion) are read before the pending pods, the pods of nodes being deleted are added, Solve
//     (karpenter/scheduler.ts), then Create per new NodeClaim (the NodePool's limits checked
//     again against what it already has) with a Nominated event per pod; Results.Record:
//     FailedScheduling per pod that fits nowhere, Nominated per pod placed on an existing or
//     in-flight node.
// Existing nodes for the solve: every Ready or NotReady node, and Karpenter's in-flight NodeClaims,
// each with what its bound pods leave of its allocatable less the DaemonSet pods it will still
// run (ExistingNode: remainingDaemonResources). So pods already provided for by an in-flight
// NodeClaim land on it again in the next batch instead of launching another.
import { GPU_MILLI_RESOURCE, MILLI_PER_GPU } from '../../model/gpuDevices.ts';
import type { Pod } from '../../model/pod.ts';
import { isActive, podObjectRef } from '../../model/pod.ts';
import type { Node } from '../../model/node.ts';
import { podRequests, nonZeroRequests, qosClass } from '../../model/podResources.ts';
import { findUntoleratedTaint } from '../../model/taints.ts';
import { Phase } from '../../phases.ts';
import { isReschedulable } from '../../karpenter/disruptionCost.ts';
import type { ResourceVector } from '../../karpenter/podRequirements.ts';
import { NOT_RELAXED, addVectors, podRequirements, podResourceVector } from '../../karpenter/podRequirements.ts';
import { LABEL_NODEPOOL, WELL_KNOWN_LABELS, compatible, labelRequirements } from '../../karpenter/requirements.ts';
import type { ExistingNode } from '../../karpenter/scheduler.ts';
import { limitsVector, solve } from '../../karpenter/scheduler.ts';
import { DISRUPTED_TAINT, EVENT_DEDUPE_MS, type NodeClaims } from './nodeClaims.ts';
import type { KarpenterParts } from './parts.ts';

export const BATCH_IDLE_MS = 1_000;
export const BATCH_MAX_MS = 10_000;
/** The pod and node triggers requeue every 10s while the object stays provisionable. */
export const TRIGGER_REQUEUE_MS = 10_000;
/** FailedScheduling from Karpenter is deduplicated per pod for 5 minutes (PodFailedToScheduleEvent). */
const FAILED_SCHEDULING_DEDUPE_MS = 300_000;

export interface ProvisionerStats {
  batches: number;
  podsNominated: number;
  /** Pods that have ever been provisionable, by uid -> first time seen (pending-time figures). */
  firstSeenMs: Map<number, number>;
  /** Sum and count of the time from first provisionable to bound, over pods bound. */
  pendingMsTotal: number;
  pendingBound: number;
  pendingMaxMs: number;
  podsFailed: Set<number>;
}

export class Provisioner {
  private readonly failedToSchedule = new Set<Pod>();
  private readonly requeued = new Set<string>();
  private readonly batch = new Set<string>();
  private batchStartMs = -1;
  private lastTriggerMs = -1;
  private waitHandle: number | null = null;
  private readonly lastEvent = new Map<string, { ms: number; message: string }>();
  readonly stats: ProvisionerStats = { batches: 0, podsNominated: 0, firstSeenMs: new Map(), pendingMsTotal: 0, pendingBound: 0, pendingMaxMs: 0, podsFailed: new Set() };

  constructor(
    private readonly parts: KarpenterParts,
    private readonly nodeClaims: NodeClaims,
  ) {
    parts.api.addListener({
      podUnschedulable: (pod) => {
        this.failedToSchedule.add(pod);
        this.podTrigger(pod);
      },
      podBound: (pod) => {
        if (!this.failedToSchedule.delete(pod)) return;
        const first = this.stats.firstSeenMs.get(pod.uid);
        if (first === undefined) return;
        const waited = parts.clock.nowMs - first;
        this.stats.pendingMsTotal += waited;
        this.stats.pendingBound++;
        this.stats.pendingMaxMs = Math.max(this.stats.pendingMaxMs, waited);
      },
      podRemoved: (pod) => {
        this.failedToSchedule.delete(pod);
        this.lastEvent.delete(`pod/${pod.uid}`);
      },
      nodeUpdated: (node) => this.nodeTrigger(node),
    });
  }

  /** IsProvisionable, with capsim's scheduler: marked Unschedulable once and not bound since. */
  private provisionable(pod: Pod): boolean {
    return this.failedToSchedule.has(pod) && pod.node === null && pod.deletionMs < 0 && pod.removedMs < 0 && pod.nominatedNodeName === null &&
      pod.owner?.kind !== 'DaemonSet' && pod.owner?.kind !== 'Node';
  }

  private podTrigger(pod: Pod): void {
    if (!this.provisionable(pod)) return;
    if (!this.stats.firstSeenMs.has(pod.uid)) this.stats.firstSeenMs.set(pod.uid, this.parts.clock.nowMs);
    this.trigger(`pod/${pod.uid}`);
    this.requeue(`pod/${pod.uid}`, () => this.provisionable(pod), () => this.podTrigger(pod));
  }

  private nodeTrigger(node: Node): void {
    if (node.state === 'Removed' || !node.taints.some((t) => t.key === DISRUPTED_TAINT.key && t.effect === DISRUPTED_TAINT.effect)) return;
    this.trigger(`node/${node.name}`);
    this.requeue(`node/${node.name}`, () => node.state !== 'Removed', () => this.nodeTrigger(node));
  }

  /** RequeueAfter 10s while the object stays provisionable (one timer per object). */
  private requeue(key: string, still: () => boolean, again: () => void): void {
    if (this.requeued.has(key)) return;
    this.requeued.add(key);
    this.parts.clock.after(TRIGGER_REQUEUE_MS, Phase.Controller, () => {
      this.requeued.delete(key);
      if (still() && this.parts.clock.nowMs < this.parts.durationMs) again();
    });
  }

  /** Batcher.Trigger: a new element opens a batch or restarts its idle timer. */
  trigger(elem: string): void {
    if (this.batch.has(elem)) return;
    this.batch.add(elem);
    const now = this.parts.clock.nowMs;
    this.lastTriggerMs = now;
    if (this.batchStartMs < 0) {
      this.batchStartMs = now;
      this.waitHandle = this.parts.clock.schedule(now + BATCH_IDLE_MS, Phase.Controller, () => this.wake());
    }
  }

  /** Batcher.Wait returns when the idle or the max timer fires first. */
  private wake(): void {
    const closeAt = Math.min(this.lastTriggerMs + BATCH_IDLE_MS, this.batchStartMs + BATCH_MAX_MS);
    if (this.parts.clock.nowMs < closeAt) {
      this.waitHandle = this.parts.clock.schedule(closeAt, Phase.Controller, () => this.wake());
      return;
    }
    this.waitHandle = null;
    this.batchStartMs = -1;
    this.batch.clear();
    this.schedule();
  }

  /** Whether a batch is open (tests). */
  get batching(): boolean {
    return this.waitHandle !== null;
  }

  /** Provisioner.Schedule and Create. */
  schedule(): void {
    const { api } = this.parts;
    this.stats.batches++;
    const existing = this.existingNodes();
    const pending = [...this.failedToSchedule].filter((p) => this.provisionable(p)).sort((a, b) => a.uid - b.uid);
    const deletingPods: Pod[] = [];
    for (const c of this.nodeClaims.list()) {
      if (!c.markedForDeletion) continue;
      for (const p of c.node.info.pods) if (isReschedulable(p)) deletingPods.push(p);
    }
    const pods = [...pending, ...deletingPods];
    if (pods.length === 0) return;
    const result = solve({ pods, nodePools: this.nodeClaims.availablePools(), existingNodes: existing, daemonSetPods: this.daemonSetPods() });
    for (const [pod, err] of result.errors) this.failed(pod, err);
    for (const [pod, why] of result.notHandled) this.failed(pod, why);
    for (const [name, placed] of result.existing) {
      const node = api.node(name);
      const claim = node ? this.nodeClaims.byNode(node) : undefined;
      const on = [claim ? `nodeclaim/${claim.name}` : '', node && node.state !== 'Provisioning' ? `node/${node.name}` : ''].filter(Boolean).join(', ');
      for (const pod of placed) this.nominated(pod, on);
    }
    for (const plan of result.newNodeClaims) {
      const exceeded = this.limitExceeded(plan.nodePool);
      if (exceeded) {
        for (const pod of plan.pods) this.failed(pod, `creating node claim, ${exceeded}`);
        continue;
      }
      const claim = this.nodeClaims.launch(plan, 'provisioned');
      if (!claim) continue;
      for (const pod of plan.pods) this.nominated(pod, `nodeclaim/${claim.name}`);
    }
  }

  /** Limits.ExceededBy(NodePoolResourcesFor): what the NodePool's nodes (its NodeClaims', and
   *  those of a cluster's state labelled with it) already have exceeds a limit. */
  private limitExceeded(nodePool: string): string | undefined {
    const np = this.nodeClaims.pool(nodePool)?.nodePool;
    if (!np || Object.keys(np.limits).length === 0) return undefined;
    let used: ResourceVector = {};
    for (const n of this.parts.api.nodes) {
      if (n.state !== 'Removed' && n.labels[LABEL_NODEPOOL] === nodePool) used = addVectors(used, { ...capacityVector(n), nodes: 1 });
    }
    const limits = limitsVector(np.limits);
    for (const [k, limit] of Object.entries(limits)) {
      if ((used[k] ?? 0) > limit) return `${k} resource usage of ${used[k]} exceeds limit of ${limit}`;
    }
    return undefined;
  }

  private nominated(pod: Pod, on: string): void {
    if (!this.dedupe(`nominated/${pod.uid}`, on, EVENT_DEDUPE_MS)) return;
    this.stats.podsNominated++;
    this.parts.api.emit('Nominated', podObjectRef(pod), on.startsWith('nodeclaim/') ? on.split(',')[0]!.slice('nodeclaim/'.length) : '', `Pod should schedule on: ${on}`, 'karpenter');
  }

  private failed(pod: Pod, err: string): void {
    this.stats.podsFailed.add(pod.uid);
    if (!this.dedupe(`pod/${pod.uid}`, err, FAILED_SCHEDULING_DEDUPE_MS)) return;
    this.parts.api.emit('FailedScheduling', podObjectRef(pod), '', `Failed to schedule pod, ${err}`, 'karpenter');
  }

  /** The recorder's dedupe: the same message for the same object within the timeout is dropped. */
  private dedupe(key: string, message: string, timeoutMs: number): boolean {
    const now = this.parts.clock.nowMs;
    const last = this.lastEvent.get(key);
    if (last && last.message === message && now - last.ms < timeoutMs) return false;
    this.lastEvent.set(key, { ms: now, message });
    return true;
  }

  /** The nodes the solve may place pods on, in order: registered nodes (kube-scheduler's order),
   *  then in-flight NodeClaims by launch; and NodeClaims being deleted with no room, so that
   *  their capacity still counts against their NodePool's limits. */
  existingNodes(): ExistingNode[] {
    const { api } = this.parts;
    const out: ExistingNode[] = [];
    const daemons = this.daemonSetPods();
    const add = (node: Node) => {
      const claim = this.nodeClaims.byNode(node);
      if (claim?.markedForDeletion) return;
      const available: ResourceVector = {
        cpu: node.allocatable.cpuMilli - node.info.requested.cpuMilli,
        memory: node.allocatable.memoryBytes - node.info.requested.memoryBytes,
        pods: node.allocatablePods - node.info.pods.length,
      };
      for (const [k, v] of Object.entries(node.allocatable.scalar)) available[k] = v - (node.info.requested.scalar[k] ?? 0);
      // GPU shares: the free milli of its GPUs together (withGpuMilli).
      const gpus = node.info.gpus;
      if (gpus) available[GPU_MILLI_RESOURCE] = gpus.count * MILLI_PER_GPU - gpus.totals().allocated;
      const remaining = remainingDaemonResources(node, daemons);
      for (const [k, v] of Object.entries(remaining)) available[k] = (available[k] ?? 0) - v;
      // A node of a NodePool counts against its limits: Karpenter's, and one of a cluster's state
      // that carries the label (its NodeClaim is in the dump, not adopted).
      const counted = claim !== undefined || node.labels[LABEL_NODEPOOL] !== undefined;
      // existingnode.go: an uninitialized node's startup taints are treated as tolerated.
      const taints = claim && claim.initializedMs < 0 && claim.startupTaints.length > 0 ? node.taints.filter((t) => !claim.startupTaints.some((st) => st.key === t.key && st.effect === t.effect)) : node.taints;
      out.push({ name: node.name, labels: node.labels, taints, available, ...(counted ? { capacity: capacityVector(node) } : {}) });
    };
    for (const info of api.schedulerNodes()) add(info.node);
    for (const c of this.nodeClaims.list()) if (c.node.state === 'Provisioning') add(c.node);
    for (const c of this.nodeClaims.list()) {
      if (!c.markedForDeletion || c.node.state === 'Removed') continue;
      out.push({ name: c.node.name, labels: { [LABEL_NODEPOOL]: c.nodePool }, taints: [], available: { pods: 0 }, capacity: capacityVector(c.node) });
    }
    return out;
  }

  /** One pod per DaemonSet: a running pod of it (what admission made of it), else one made from
   *  its template (provisioner.go getDaemonSetPods: cluster.GetDaemonSetPod, else PodForDaemonSet). */
  daemonSetPods(): Pod[] {
    const { api } = this.parts;
    const out: Pod[] = [];
    for (const ds of api.daemonSets.list()) {
      let sample: Pod | undefined;
      for (const p of api.podsOwnedBy(ds.ref)) if (isActive(p) && p.node !== null) { sample = p; break; }
      out.push(sample ?? templatePod(ds.ref, ds.obj.metadata.namespace, ds.template));
    }
    return out;
  }

  /** Pods still provisionable (tests, summary). */
  pendingPods(): Pod[] {
    return [...this.failedToSchedule].filter((p) => this.provisionable(p)).sort((a, b) => a.uid - b.uid);
  }
}

function capacityVector(node: Node): ResourceVector {
  const v: ResourceVector = { cpu: node.capacity.cpuMilli, memory: node.capacity.memoryBytes, pods: node.allocatablePods };
  for (const [k, n] of Object.entries(node.capacity.scalar)) v[k] = n;
  return v;
}

/** The requests of the DaemonSet pods that will run on the node and do not yet (they tolerate
 *  its taints and its labels satisfy their node affinity), as ExistingNode counts them. */
function remainingDaemonResources(node: Node, daemons: readonly Pod[]): ResourceVector {
  let total: ResourceVector = {};
  const labels = labelRequirements(node.labels);
  for (const d of daemons) {
    if (node.info.pods.some((p) => p.owner !== null && d.owner !== null && p.owner.kind === 'DaemonSet' && p.owner.name === d.owner.name && p.namespace === d.namespace)) continue;
    if (findUntoleratedTaint(node.taints.filter((t) => t.effect !== 'PreferNoSchedule'), d.spec.tolerations) !== null) continue;
    if (compatible(labels, podRequirements(d, NOT_RELAXED, true), { allowUndefined: WELL_KNOWN_LABELS }) !== undefined) continue;
    total = addVectors(total, podResourceVector(d));
  }
  return total;
}

/** PodForDaemonSet: a pod of the DaemonSet's template, never created. */
function templatePod(ref: string, namespace: string, template: { labels: Record<string, string>; annotations?: Record<string, string>; spec: Pod['spec'] }): Pod {
  const name = ref.split('/')[2] ?? ref;
  const nonZero = nonZeroRequests(template.spec);
  return {
    uid: -1, name: `${name}-template`, namespace, key: `${namespace}/${name}-template`, labels: { ...template.labels }, annotations: { ...(template.annotations ?? {}) },
    owner: { kind: 'DaemonSet', name }, workload: ref, spec: template.spec, priority: 0, preemptionPolicy: 'PreemptLowerPriority', qos: qosClass(template.spec),
    requests: podRequests(template.spec), nonZeroCpuMilli: nonZero.cpuMilli, nonZeroMemoryBytes: nonZero.memoryBytes, phase: 'Pending', node: null,
    nominatedNodeName: null, ready: false, restarts: 0, createdMs: -1, boundMs: -1, startedMs: -1, readyMs: -1, readyTransitionMs: -1, deletionMs: -1, removedMs: -1,
  } as Pod;
}
