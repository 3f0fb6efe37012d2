// kube-scheduler: watches for pods without a node, runs a scheduling cycle per pod in queue
// order, binds, or records FailedScheduling, tries preemption and requeues (reference §4).
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';
import { Phase } from '../phases.ts';
import type { LabelSelector } from '../model/api.ts';
import type { Node, NodeInfo } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { podObjectRef } from '../model/pod.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { Profile } from './algorithm.ts';
import { SchedulingAlgorithm, fitErrorMessage } from './algorithm.ts';
import type { CycleState, FilterFailure, Snapshot } from './framework.ts';
import type { DisruptionBudgets } from './preemption.ts';
import { DefaultPreemption } from './preemption.ts';
import { NAME as NODE_RESOURCES_FIT, NOMINATED_STATE, NodeResourcesFit } from './plugins/nodeResourcesFit.ts';
import type { NominatedPods } from './plugins/nodeResourcesFit.ts';
import { ERR_REASON as PORTS_IN_USE, NAME as NODE_PORTS, helpedByPodDeleted } from './plugins/nodePorts.ts';
import { podHostPorts } from '../model/hostPorts.ts';
import { SchedulingQueue } from './queue.ts';
import type { QueuedPod } from './queue.ts';
import { SpreadCounts } from './spreadCounts.ts';
import { BoundPriorities } from './boundPriorities.ts';
import type { FailedAttempt } from './failedAttempt.ts';
import { sameSchedulingInputs } from './failedAttempt.ts';

/** How often leftover unschedulable pods are checked (flushUnschedulablePodsLeftover). */
const LEFTOVER_FLUSH_PERIOD_MS = 30_000;

/** Plugins whose failures a freed resource or a removed pod can resolve (queueing hints). GpuShare:
 *  a removed pod frees its GPUs or its share of one, as a removed pod frees NodeResourcesFit's
 *  resources; without it a pod waiting for a GPU share waited for the 5-minute flush. */
const HELPED_BY_POD_REMOVAL = new Set(['NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity', 'GpuShare']);
/** Plugins whose failures a newly placed pod can resolve (affinity, spread minimum). */
const HELPED_BY_POD_ADDED = new Set(['PodTopologySpread', 'InterPodAffinity']);

export interface SchedulerOptions {
  profile: Profile;
  budgets: DisruptionBudgets;
  /** The selector of a pod's controller, for default topology spreading. */
  ownerSelector: (pod: Pod) => LabelSelector | null;
  /** false: PodTopologySpread counts matching pods afresh in every cycle (tests compare both). */
  keepSpreadCounts?: boolean;
  /** false: every pod is filtered afresh, even one identical to a pod that just failed (tests compare both). */
  reuseFailedAttempts?: boolean;
}

export class Scheduler implements ClusterListener {
  readonly queue: SchedulingQueue;
  private readonly algorithm: SchedulingAlgorithm;
  private readonly preemption: DefaultPreemption;
  private readonly nominated: NominatedPods = new Map();
  private readonly lastFailure = new Map<number, string>();
  private readonly directFit = new NodeResourcesFit();
  private cycleHandle: EventHandle | null = null;
  private backoffHandle: EventHandle | null = null;
  private backoffAtMs = Infinity;
  private leftoverHandle: EventHandle | null = null;
  private podsWithRequiredAntiAffinity = 0;
  private podsWithAffinity = 0;
  /** PodTopologySpread's matching-pod counts per node, invalidated by the pod notifications. */
  private readonly spreadCounts: SpreadCounts;
  /** Priorities of the pods on nodes: preemption skips its node scan when none is lower. */
  private readonly boundPriorities = new BoundPriorities();
  /** Counts every watch notification and nomination: a failed attempt holds while it is unchanged. */
  private changes = 0;
  /** Pods bound so far (pods.scheduled), and scheduling attempts made. */
  scheduledCount = 0;
  attempts = 0;

  constructor(
    private readonly cluster: ApiServer,
    private readonly options: SchedulerOptions,
  ) {
    this.queue = new SchedulingQueue((pod, parked) => cluster.setPodUnschedulable(pod, parked));
    this.algorithm = new SchedulingAlgorithm(options.profile, cluster.random.stream('scheduler'));
    this.preemption = new DefaultPreemption(options.budgets, cluster.random.stream('preemption'));
    this.spreadCounts = new SpreadCounts(() => cluster.nodes.length);
    for (const node of cluster.nodes) for (const pod of node.info.pods) this.boundPriorities.add(pod);
    cluster.addListener(this);
  }

  /** Pods created but not bound (waiting in any queue). */
  get pendingCount(): number {
    return this.queue.activeCount + this.queue.unschedulableCount;
  }

  // ---- cluster events ------------------------------------------------------------------------

  podCreated(pod: Pod): void {
    this.changes++;
    if (pod.node) return;
    if (pod.spec.nodeName) {
      this.cluster.sim.schedule(this.cluster.nowMs, Phase.Scheduler, () => this.bindDirectly(pod));
      return;
    }
    this.queue.add(pod);
    this.requestCycle();
  }

  /** A pod that names its node never enters the scheduler: the kubelet admits it if it fits
   *  (kubelet admission's resource check), else the pod fails with OutOf<resource>. */
  private bindDirectly(pod: Pod): void {
    if (pod.node || pod.deletionMs >= 0) return;
    const node = this.cluster.node(pod.spec.nodeName!);
    if (!node || node.state === 'Removed') return; // stays Pending, as upstream, until the node exists
    const misfit = this.directFit.filter(new Map(), pod, node.info);
    if (misfit) {
      const resource = misfit.reasons[0].replace(/^Insufficient /, '');
      this.cluster.deletePod(pod, 'Failed', `Pod was rejected: Node didn't have enough resource: ${resource} (OutOf${resource})`);
      return;
    }
    // AdmissionCheck runs nodeports.Fits after the resource fit; the kubelet reports the first
    // failure as PredicateFailureError{NodePorts, ErrReason}.
    if (!node.info.usedPorts.fits(podHostPorts(pod.spec))) {
      this.cluster.deletePod(pod, 'Failed', `Pod was rejected: Predicate ${NODE_PORTS} failed: ${PORTS_IN_USE} (${NODE_PORTS})`);
      return;
    }
    this.scheduledCount++;
    this.cluster.bindPod(pod, node);
  }

  podBound(pod: Pod): void {
    this.changes++;
    this.spreadCounts.podChanged(pod);
    this.boundPriorities.add(pod);
    const affinity = pod.spec.affinity;
    if (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) this.podsWithRequiredAntiAffinity++;
    if (affinity?.podAffinity || affinity?.podAntiAffinity) this.podsWithAffinity++;
    this.moveOnEvent((failed) => intersects(failed, HELPED_BY_POD_ADDED));
  }

  podTerminating(pod: Pod): void {
    this.changes++;
    this.spreadCounts.podChanged(pod);
    if (!pod.node) this.forgetUnbound(pod);
  }

  podRemoved(pod: Pod): void {
    this.changes++;
    this.spreadCounts.podChanged(pod);
    this.boundPriorities.remove(pod);
    if (!pod.node) {
      this.forgetUnbound(pod);
      return;
    }
    this.forget(pod);
    const affinity = pod.spec.affinity;
    if (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) this.podsWithRequiredAntiAffinity--;
    if (affinity?.podAffinity || affinity?.podAntiAffinity) this.podsWithAffinity--;
    this.moveOnEvent((failed, waiting) => helpedByRemoval(failed, waiting, pod));
  }

  /** A finished pod frees its node's resources (and host ports) just as a removed one does. */
  podFinished(pod: Pod): void {
    this.changes++;
    this.spreadCounts.podChanged(pod);
    this.boundPriorities.remove(pod);
    if (pod.node) this.moveOnEvent((failed, waiting) => helpedByRemoval(failed, waiting, pod));
  }

  nodeAdded(_node: Node): void {
    this.changes++;
    this.spreadCounts.nodeChanged();
  }

  nodeUpdated(node: Node): void {
    this.changes++;
    this.spreadCounts.nodeUpdated(node);
    this.moveOnEvent(() => true);
  }

  nodeRemoved(node: Node): void {
    this.changes++;
    this.spreadCounts.nodeChanged();
    this.nominated.delete(node.name);
    for (const entry of this.queue.waiting()) if (entry.pod.nominatedNodeName === node.name) entry.pod.nominatedNodeName = null;
  }

  // ---- the scheduling loop -------------------------------------------------------------------

  private requestCycle(): void {
    if (this.cycleHandle !== null) return;
    this.cycleHandle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Scheduler, () => this.runCycle());
  }

  private moveOnEvent(interested: (failed: ReadonlySet<string>, waiting: Pod) => boolean): void {
    if (this.queue.unschedulableCount === 0) return;
    const nextBackoff = this.queue.moveOnEvent(interested, this.cluster.nowMs);
    if (this.queue.activeCount > 0) this.requestCycle();
    this.armBackoff(nextBackoff);
  }

  private runCycle(): void {
    this.cycleHandle = null;
    const snapshot = this.snapshot();
    let failed: FailedAttempt | null = null;
    for (let entry = this.queue.pop(); entry; entry = this.queue.pop()) {
      const pod = entry.pod;
      if (pod.node || pod.deletionMs >= 0 || pod.removedMs >= 0) {
        this.queue.done(entry);
        continue;
      }
      this.attempts++;
      // An identical pod failed since the last change, and preemption will not look at victims
      // (none has a lower priority): the same verdicts, message and preemption outcome follow.
      if (failed !== null && failed.changes === this.changes && this.options.reuseFailedAttempts !== false && pod.priority <= this.boundPriorities.lowest() && sameSchedulingInputs(pod, failed.pod)) {
        this.failAgain(entry, failed, snapshot.nodeInfos);
        continue;
      }
      const state: CycleState = new Map([[NOMINATED_STATE, this.nominated]]);
      const result = this.algorithm.schedule(pod, snapshot, state);
      if (result.node) {
        this.queue.done(entry);
        this.unnominate(pod);
        this.lastFailure.delete(pod.uid);
        this.scheduledCount++;
        this.cluster.bindPod(pod, result.node.node);
        continue;
      }
      const fitMessage = fitErrorMessage(snapshot.nodeInfos.length, result.failedVerdicts);
      const plugins = failedPlugins(result.failedVerdicts);
      failed = { pod, changes: this.changes, result, message: fitMessage, plugins };
      let message = fitMessage;
      if (snapshot.nodeInfos.length === 0) message = 'no nodes available to schedule pods';
      else {
        const outcome = this.preemption.preempt(pod, snapshot.nodeInfos, result.unresolvable(), result.activeFilters, state, this.boundPriorities.lowest());
        if (outcome.kind === 'failed') message += ` ${outcome.message}`;
        else this.nominate(pod, outcome.candidate.nodeInfo.node, outcome.candidate.victims);
      }
      this.reportFailure(pod, message);
      this.queue.failed(entry, plugins, this.cluster.nowMs);
    }
    this.armBackoff(this.queue.flushBackoff(this.cluster.nowMs));
    this.armLeftoverFlush();
  }

  /** The rest of a failed attempt for a pod that fails as `failed.pod` did (runCycle). */
  private failAgain(entry: QueuedPod, failed: FailedAttempt, nodeInfos: readonly NodeInfo[]): void {
    const pod = entry.pod;
    let message = failed.message;
    if (nodeInfos.length === 0) message = 'no nodes available to schedule pods';
    else {
      const result = failed.result;
      const outcome = this.preemption.preempt(pod, nodeInfos, result.unresolvable(), result.activeFilters, result.state, this.boundPriorities.lowest());
      if (outcome.kind === 'failed') message += ` ${outcome.message}`;
      else throw new Error(`preemption nominated ${pod.key} though no pod on a node has a lower priority`);
    }
    this.reportFailure(pod, message);
    this.queue.failed(entry, failed.plugins, this.cluster.nowMs);
  }

  private nominate(pod: Pod, node: Node, victims: readonly Pod[]): void {
    this.changes++;
    this.unnominate(pod);
    pod.nominatedNodeName = node.name;
    const list = this.nominated.get(node.name) ?? [];
    list.push(pod);
    this.nominated.set(node.name, list);
    for (const victim of victims) {
      this.cluster.deletePod(victim, 'Preempted', `Preempted by pod ${pod.key} on node ${node.name}`);
    }
  }

  private unnominate(pod: Pod): void {
    this.changes++;
    if (!pod.nominatedNodeName) return;
    const list = this.nominated.get(pod.nominatedNodeName);
    if (list) {
      const i = list.indexOf(pod);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.nominated.delete(pod.nominatedNodeName);
    }
    pod.nominatedNodeName = null;
  }

  /** Repeated identical messages are folded into one event, as kubectl's event series shows. */
  private reportFailure(pod: Pod, message: string): void {
    if (this.lastFailure.get(pod.uid) === message) return;
    this.lastFailure.set(pod.uid, message);
    this.cluster.emit('FailedScheduling', podObjectRef(pod), '', message);
  }

  /** An unbound pod is deleted. One only nominated to a node held room there (its requests and
   *  host ports count for pods of lower priority): NodeResourcesFit's and NodePorts' Pod/Delete
   *  hints queue on it too (isSchedulableAfterPodEvent, isSchedulableAfterPodDeleted). */
  private forgetUnbound(pod: Pod): void {
    const wasNominated = pod.nominatedNodeName !== null;
    this.forget(pod);
    if (wasNominated) this.moveOnEvent((failed, waiting) => failed.has(NODE_RESOURCES_FIT) || (failed.has(NODE_PORTS) && helpedByPodDeleted(waiting, pod)));
  }

  private forget(pod: Pod): void {
    this.queue.remove(pod);
    this.unnominate(pod);
    this.lastFailure.delete(pod.uid);
  }

  private armBackoff(atMs: number): void {
    if (atMs === Infinity || atMs >= this.backoffAtMs) return;
    this.cluster.sim.cancel(this.backoffHandle);
    this.backoffAtMs = atMs;
    this.backoffHandle = this.cluster.sim.schedule(atMs, Phase.Scheduler, () => {
      this.backoffHandle = null;
      this.backoffAtMs = Infinity;
      const next = this.queue.flushBackoff(this.cluster.nowMs);
      if (this.queue.activeCount > 0) this.requestCycle();
      this.armBackoff(next);
    });
  }

  private armLeftoverFlush(): void {
    if (this.leftoverHandle !== null || this.queue.unschedulableCount === 0) return;
    this.leftoverHandle = this.cluster.sim.after(LEFTOVER_FLUSH_PERIOD_MS, Phase.Scheduler, () => {
      this.leftoverHandle = null;
      this.queue.flushLeftover(this.cluster.nowMs);
      if (this.queue.activeCount > 0) this.requestCycle();
      this.armLeftoverFlush();
    });
  }

  private snapshot(): Snapshot {
    const cluster = this.cluster;
    const self = this;
    return {
      get nodeInfos() {
        return cluster.schedulerNodes();
      },
      namespaceLabels: (namespace) => cluster.namespaceLabels(namespace),
      get anyRequiredAntiAffinity() {
        return self.podsWithRequiredAntiAffinity > 0;
      },
      get anyPodAffinity() {
        return self.podsWithAffinity > 0;
      },
      ownerSelector: this.options.ownerSelector,
      spreadCounts: this.options.keepSpreadCounts === false ? undefined : this.spreadCounts,
    };
  }
}

/** Pod/Delete queueing hints: the resource plugins queue on any freed pod; NodePorts only when
 *  the freed pod held a host port the waiting pod wants (isSchedulableAfterPodDeleted). */
function helpedByRemoval(failed: ReadonlySet<string>, waiting: Pod, removed: Pod): boolean {
  if (intersects(failed, HELPED_BY_POD_REMOVAL)) return true;
  return failed.has(NODE_PORTS) && helpedByPodDeleted(waiting, removed);
}

/** The plugins that rejected the pod somewhere (what the queueing hints look at). */
function failedPlugins(verdicts: readonly FilterFailure[]): Set<string> {
  const plugins = new Set<string>();
  let last: string | null = null;
  for (const verdict of verdicts) {
    if (verdict.plugin === last) continue;
    last = verdict.plugin;
    plugins.add(last);
  }
  return plugins;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}
