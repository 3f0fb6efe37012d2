// The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go,
// updateStatefulSet): pods with stable names `<set>-<ordinal>`, each recreated under the same name
// once the old one is gone.
// - OrderedReady (the default): ordinal i is created only when 0..i-1 are Running and Ready (and
//   available for minReadySeconds); scale-down deletes from the highest ordinal, one at a time,
//   each waiting for the previous one to be gone and for the rest to be healthy.
// - Parallel: every missing pod is created and every condemned one deleted at once.
// - RollingUpdate: the pod with the highest ordinal (down to `partition`) not at the update
//   revision is deleted, and the next one only once its replacement is Running and Ready; pods
//   below the partition are recreated at the current revision. OnDelete: nothing until pods are
//   deleted. (maxUnavailable > 1 needs the MaxUnavailableStatefulSet feature gate, off by default:
//   one pod at a time.)
// - A pod that Failed or Succeeded is deleted and recreated (RecreatingFailedPod /
//   RecreatingTerminatedPod).
// Volume claims are not simulated: a recreated pod is placed by the scheduler like a new one.
import type { ApiServer } from '../api/apiServer.ts';
import type { StatefulSet } from '../api/workloads.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Pod } from '../model/pod.ts';
import { isTerminal } from '../model/pod.ts';
import type { ControllerContext } from './context.ts';
import { templateHash } from './templateHash.ts';
import { WorkQueue } from './workqueue.ts';

const REVISION_LABEL = 'controller-revision-hash';
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const API_BACKOFF_MS = 5;
const API_BACKOFF_MAX_MS = 1000 * 1000;

/** What the controller keeps of a StatefulSet besides its object: the pods by ordinal (its
 *  informer cache) and the create back-off. */
interface SetCache {
  /** Pod objects that exist (terminating and finished ones included), by ordinal. */
  pods: Map<number, Pod>;
  createRetryMs: number;
  lastCreateError: string;
}

export class StatefulSetController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<StatefulSet>;
  private readonly caches = new Map<StatefulSet, SetCache>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, (set) => this.sync(set));
    api.statefulSets.watch({
      added: (set) => {
        // A cluster's StatefulSet names its revisions in its status (its pods carry them); its
        // older template is not in the state: the current one stands in for it.
        const status = set.obj.status;
        const update = { name: status?.updateRevision ?? `${set.name}-${templateHash(set.template, 0)}`, template: set.template };
        set.updateRevision = update;
        set.currentRevision = status?.currentRevision && status.currentRevision !== update.name ? { name: status.currentRevision, template: set.template } : update;
        if (set.currentRevision !== update) set.rolloutInProgress = true;
        // The pods a cluster's state gave it are its own (created before it, under its name).
        const pods = new Map<number, Pod>();
        for (const pod of api.podsOwnedBy(set.ref)) {
          const ordinal = ordinalOf(set, pod);
          if (Number.isInteger(ordinal) && ordinal >= 0) pods.set(ordinal, pod);
        }
        this.caches.set(set, { pods, createRetryMs: 0, lastCreateError: '' });
        this.queue.add(set);
      },
      updated: (set) => {
        if (set.template !== set.updateRevision.template) this.newRevision(set);
        this.queue.add(set);
      },
    });
    // Any change to one of the set's pods re-runs its sync.
    api.addListener({
      podTerminating: (pod) => this.podChanged(pod),
      podReadyChanged: (pod) => this.podChanged(pod),
      podFinished: (pod) => this.podChanged(pod),
      podRemoved: (pod) => {
        const set = this.owner(pod);
        if (!set) return;
        const pods = this.caches.get(set)!.pods;
        const ordinal = ordinalOf(set, pod);
        if (pods.get(ordinal) === pod) pods.delete(ordinal);
        this.queue.add(set);
      },
    });
  }

  /** `kubectl rollout restart` replaced the template: a new update revision. */
  private newRevision(set: StatefulSet): void {
    set.updateRevision = { name: `${set.name}-${templateHash(set.template, set.revisions)}`, template: set.template };
    set.revisions++;
    set.rolloutInProgress = true;
    this.api.emit('RolloutStarted', set.ref, '', `Rolling out revision ${set.revisions} (${set.obj.spec.updateStrategy.type})`);
  }

  private podChanged(pod: Pod): void {
    const set = this.owner(pod);
    if (set) this.queue.add(set);
  }

  private pods(set: StatefulSet): Map<number, Pod> {
    return this.caches.get(set)!.pods;
  }

  private owner(pod: Pod): StatefulSet | undefined {
    return pod.owner?.kind === 'StatefulSet' ? this.api.statefulSets.get(`StatefulSet/${pod.namespace}/${pod.owner.name}`) : undefined;
  }

  /** updateStatefulSet. */
  private sync(set: StatefulSet): void {
    const monotonic = set.obj.spec.podManagementPolicy === 'OrderedReady';
    const replicaCount = set.replicas;
    const condemned = [...this.pods(set).keys()].filter((o) => o >= replicaCount).sort((a, b) => b - a);

    // The first unhealthy pod, over the replicas (a missing one counts) and the condemned.
    let firstUnhealthy: number | null = null;
    for (let o = 0; o < replicaCount && firstUnhealthy === null; o++) if (!this.isHealthy(this.pods(set).get(o))) firstUnhealthy = o;
    if (firstUnhealthy === null) for (const o of [...condemned].reverse()) if (!this.isHealthy(this.pods(set).get(o))) {
      firstUnhealthy = o;
      break;
    }

    // processReplica, in ordinal order; OrderedReady stops at the first pod it must wait for.
    for (let o = 0; o < replicaCount; o++) {
      if (this.processReplica(set, o, monotonic) && monotonic) return;
    }
    // processCondemned, from the highest ordinal.
    for (const o of condemned) {
      const pod = this.pods(set).get(o)!;
      if (pod.deletionMs >= 0) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && o !== firstUnhealthy && !this.isRunningAndAvailable(set, pod)) return;
      this.api.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (scale down)`);
      if (monotonic) return;
    }
    if (condemned.length === 0) this.completeRollingUpdate(set);
    if (set.obj.spec.updateStrategy.type === 'OnDelete') return;

    // Rolling update: the highest ordinal not at the update revision, down to the partition.
    const partition = set.obj.spec.updateStrategy.partition;
    for (let o = replicaCount - 1; o >= partition; o--) {
      const pod = this.pods(set).get(o);
      if (pod && pod.labels[REVISION_LABEL] !== set.updateRevision.name && pod.deletionMs < 0) {
        this.api.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (rolling update)`);
        return;
      }
      if (!this.isHealthy(pod)) return;
    }
  }

  /** processReplica; true when OrderedReady must wait here. */
  private processReplica(set: StatefulSet, ordinal: number, monotonic: boolean): boolean {
    let pod = this.pods(set).get(ordinal);
    if (pod && isTerminal(pod) && pod.deletionMs < 0) {
      const failed = pod.phase === 'Failed';
      this.api.emit(failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod', set.ref, '', `StatefulSet ${set.namespace}/${set.name} is recreating ${failed ? 'failed' : 'terminated'} Pod ${pod.name}`);
      this.api.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (recreating ${failed ? 'failed' : 'terminated'} pod)`);
      pod = this.pods(set).get(ordinal); // a finished pod is removed at once
    }
    if (!pod) {
      if (!this.createPod(set, ordinal)) return true;
      return monotonic;
    }
    if (pod.deletionMs >= 0) return true;
    return !this.isRunningAndAvailable(set, pod);
  }

  private createPod(set: StatefulSet, ordinal: number): boolean {
    // newVersionedStatefulSetPod: below the partition, pods keep the current revision.
    const strategy = set.obj.spec.updateStrategy;
    const revision = strategy.type === 'RollingUpdate' && ordinal < strategy.partition ? set.currentRevision : set.updateRevision;
    const name = `${set.name}-${ordinal}`;
    const result = this.api.createPod({
      name,
      namespace: set.namespace,
      labels: { ...revision.template.labels, [REVISION_LABEL]: revision.name, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      annotations: revision.template.annotations,
      owner: { kind: 'StatefulSet', name: set.name },
      workload: set.ref,
      spec: revision.template.spec,
    });
    const cache = this.caches.get(set)!;
    if ('error' in result) {
      if (result.error !== cache.lastCreateError) this.api.emit('FailedCreate', set.ref, '', `create Pod ${name} in StatefulSet ${set.name} failed error: ${result.error}`);
      cache.lastCreateError = result.error;
      cache.createRetryMs = cache.createRetryMs === 0 ? API_BACKOFF_MS : Math.min(API_BACKOFF_MAX_MS, cache.createRetryMs * 2);
      this.queue.addAfter(set, cache.createRetryMs);
      return false;
    }
    cache.createRetryMs = 0;
    cache.lastCreateError = '';
    this.pods(set).set(ordinal, result.pod);
    return true;
  }

  /** completeRollingUpdate: every replica at the update revision and Ready. */
  private completeRollingUpdate(set: StatefulSet): void {
    if (set.currentRevision === set.updateRevision && !set.rolloutInProgress) return;
    for (let o = 0; o < set.replicas; o++) {
      const pod = this.pods(set).get(o);
      if (!pod || pod.labels[REVISION_LABEL] !== set.updateRevision.name || !this.isHealthy(pod)) return;
    }
    set.currentRevision = set.updateRevision;
    if (set.rolloutInProgress) this.api.emit('RolloutComplete', set.ref, '', `Revision ${set.revisions} is available with ${set.replicas} replicas`);
    set.rolloutInProgress = false;
  }

  /** isHealthy: Running, Ready and not terminating. */
  private isHealthy(pod: Pod | undefined): boolean {
    return pod !== undefined && pod.phase === 'Running' && pod.ready && pod.deletionMs < 0;
  }

  /** isRunningAndAvailable: Running and Ready for minReadySeconds; arms a re-check otherwise. */
  private isRunningAndAvailable(set: StatefulSet, pod: Pod): boolean {
    if (pod.phase !== 'Running' || !pod.ready) return false;
    const availableAtMs = pod.readyMs + set.obj.spec.minReadySeconds * 1000;
    if (this.clock.nowMs >= availableAtMs) return true;
    this.queue.addAt(set, availableAtMs);
    return false;
  }
}

function ordinalOf(set: StatefulSet, pod: Pod): number {
  return Number(pod.name.slice(set.name.length + 1));
}
