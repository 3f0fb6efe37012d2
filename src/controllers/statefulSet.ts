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
import { Phase } from '../phases.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { StatefulSetObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Pod, PodTemplate } from '../model/pod.ts';
import { isTerminal } from '../model/pod.ts';
import { templateHash } from './templateHash.ts';

const REVISION_LABEL = 'controller-revision-hash';
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

interface Revision {
  /** ControllerRevision name, `<set>-<hash>`: the pods' controller-revision-hash label. */
  name: string;
  template: PodTemplate;
}

export interface StatefulSetState {
  obj: StatefulSetObject;
  ref: string;
  namespace: string;
  name: string;
  /** spec.replicas; the scale subresource changes it. */
  replicas: number;
  currentRevision: Revision;
  updateRevision: Revision;
  revisions: number;
  /** Pod objects that exist (terminating and finished ones included), by ordinal. */
  pods: Map<number, Pod>;
  rolloutInProgress: boolean;
  createRetryMs: number;
  lastCreateError: string;
}

const API_BACKOFF_MS = 5;
const API_BACKOFF_MAX_MS = 1000 * 1000;

export class StatefulSetController implements ClusterListener {
  private readonly byRef = new Map<string, StatefulSetState>();
  private readonly byKey = new Map<string, StatefulSetState>();
  private readonly dirty = new Set<StatefulSetState>();
  private handle: EventHandle | null = null;

  constructor(private readonly cluster: ApiServer) {
    cluster.addListener(this);
  }

  get(ref: string): StatefulSetState | undefined {
    return this.byRef.get(ref);
  }

  add(obj: StatefulSetObject): StatefulSetState {
    const template = structuredClone(obj.spec.template);
    const revision = { name: `${obj.metadata.name}-${templateHash(template, 0)}`, template };
    const set: StatefulSetState = {
      obj,
      ref: objectRef(obj),
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      replicas: obj.spec.replicas,
      currentRevision: revision,
      updateRevision: revision,
      revisions: 1,
      pods: new Map(),
      rolloutInProgress: false,
      createRetryMs: 0,
      lastCreateError: '',
    };
    this.byRef.set(set.ref, set);
    this.byKey.set(`${set.namespace}/${set.name}`, set);
    this.enqueue(set);
    return set;
  }

  /** The scale subresource: what `kubectl scale` (and an HPA) writes. */
  scale(set: StatefulSetState, replicas: number, cause: string): void {
    if (set.replicas === replicas) return;
    this.cluster.emit(replicas > set.replicas ? 'ScaledUp' : 'ScaledDown', set.ref, '', `${cause} from ${set.replicas} to ${replicas}`);
    set.replicas = replicas;
    this.enqueue(set);
  }

  /** `kubectl rollout restart`: a new template revision (restartedAt annotation). */
  restart(set: StatefulSetState): void {
    const template = structuredClone(set.updateRevision.template);
    template.annotations['kubectl.kubernetes.io/restartedAt'] = new Date(this.cluster.nowMs).toISOString();
    set.updateRevision = { name: `${set.name}-${templateHash(template, set.revisions)}`, template };
    set.revisions++;
    set.rolloutInProgress = true;
    this.cluster.emit('RolloutStarted', set.ref, '', `Rolling out revision ${set.revisions} (${set.obj.spec.updateStrategy.type})`);
    this.enqueue(set);
  }

  // Pod notifications: any change to one of the set's pods re-runs its sync.
  podTerminating(pod: Pod): void {
    this.podChanged(pod);
  }
  podReadyChanged(pod: Pod): void {
    this.podChanged(pod);
  }
  podFinished(pod: Pod): void {
    this.podChanged(pod);
  }
  podRemoved(pod: Pod): void {
    const set = this.owner(pod);
    if (!set) return;
    const ordinal = ordinalOf(set, pod);
    if (set.pods.get(ordinal) === pod) set.pods.delete(ordinal);
    this.enqueue(set);
  }

  private podChanged(pod: Pod): void {
    const set = this.owner(pod);
    if (set) this.enqueue(set);
  }

  private owner(pod: Pod): StatefulSetState | undefined {
    return pod.owner?.kind === 'StatefulSet' ? this.byKey.get(`${pod.namespace}/${pod.owner.name}`) : undefined;
  }

  private enqueue(set: StatefulSetState): void {
    this.dirty.add(set);
    if (this.handle === null) this.handle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Controller, () => this.syncAll());
  }

  private syncAll(): void {
    this.handle = null;
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const set of batch) this.sync(set);
  }

  /** updateStatefulSet. */
  private sync(set: StatefulSetState): void {
    const monotonic = set.obj.spec.podManagementPolicy === 'OrderedReady';
    const replicaCount = set.replicas;
    const condemned = [...set.pods.keys()].filter((o) => o >= replicaCount).sort((a, b) => b - a);

    // The first unhealthy pod, over the replicas (a missing one counts) and the condemned.
    let firstUnhealthy: number | null = null;
    for (let o = 0; o < replicaCount && firstUnhealthy === null; o++) if (!this.isHealthy(set.pods.get(o))) firstUnhealthy = o;
    if (firstUnhealthy === null) for (const o of [...condemned].reverse()) if (!this.isHealthy(set.pods.get(o))) {
      firstUnhealthy = o;
      break;
    }

    // processReplica, in ordinal order; OrderedReady stops at the first pod it must wait for.
    for (let o = 0; o < replicaCount; o++) {
      if (this.processReplica(set, o, monotonic) && monotonic) return;
    }
    // processCondemned, from the highest ordinal.
    for (const o of condemned) {
      const pod = set.pods.get(o)!;
      if (pod.deletionMs >= 0) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && o !== firstUnhealthy && !this.isRunningAndAvailable(set, pod)) return;
      this.cluster.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (scale down)`);
      if (monotonic) return;
    }
    if (condemned.length === 0) this.completeRollingUpdate(set);
    if (set.obj.spec.updateStrategy.type === 'OnDelete') return;

    // Rolling update: the highest ordinal not at the update revision, down to the partition.
    const partition = set.obj.spec.updateStrategy.partition;
    for (let o = replicaCount - 1; o >= partition; o--) {
      const pod = set.pods.get(o);
      if (pod && pod.labels[REVISION_LABEL] !== set.updateRevision.name && pod.deletionMs < 0) {
        this.cluster.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (rolling update)`);
        return;
      }
      if (!this.isHealthy(pod)) return;
    }
  }

  /** processReplica; true when OrderedReady must wait here. */
  private processReplica(set: StatefulSetState, ordinal: number, monotonic: boolean): boolean {
    let pod = set.pods.get(ordinal);
    if (pod && isTerminal(pod) && pod.deletionMs < 0) {
      const failed = pod.phase === 'Failed';
      this.cluster.emit(failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod', set.ref, '', `StatefulSet ${set.namespace}/${set.name} is recreating ${failed ? 'failed' : 'terminated'} Pod ${pod.name}`);
      this.cluster.deletePod(pod, 'Killed', `Deleted by StatefulSet ${set.name} (recreating ${failed ? 'failed' : 'terminated'} pod)`);
      pod = set.pods.get(ordinal); // a finished pod is removed at once
    }
    if (!pod) {
      if (!this.createPod(set, ordinal)) return true;
      return monotonic;
    }
    if (pod.deletionMs >= 0) return true;
    return !this.isRunningAndAvailable(set, pod);
  }

  private createPod(set: StatefulSetState, ordinal: number): boolean {
    // newVersionedStatefulSetPod: below the partition, pods keep the current revision.
    const strategy = set.obj.spec.updateStrategy;
    const revision = strategy.type === 'RollingUpdate' && ordinal < strategy.partition ? set.currentRevision : set.updateRevision;
    const name = `${set.name}-${ordinal}`;
    const result = this.cluster.createPod({
      name,
      namespace: set.namespace,
      labels: { ...revision.template.labels, [REVISION_LABEL]: revision.name, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      annotations: revision.template.annotations,
      owner: { kind: 'StatefulSet', name: set.name },
      workload: set.ref,
      spec: revision.template.spec,
    });
    if ('error' in result) {
      if (result.error !== set.lastCreateError) this.cluster.emit('FailedCreate', set.ref, '', `create Pod ${name} in StatefulSet ${set.name} failed error: ${result.error}`);
      set.lastCreateError = result.error;
      set.createRetryMs = set.createRetryMs === 0 ? API_BACKOFF_MS : Math.min(API_BACKOFF_MAX_MS, set.createRetryMs * 2);
      this.cluster.sim.after(set.createRetryMs, Phase.Controller, () => this.enqueue(set));
      return false;
    }
    set.createRetryMs = 0;
    set.lastCreateError = '';
    set.pods.set(ordinal, result.pod);
    return true;
  }

  /** completeRollingUpdate: every replica at the update revision and Ready. */
  private completeRollingUpdate(set: StatefulSetState): void {
    if (set.currentRevision === set.updateRevision && !set.rolloutInProgress) return;
    for (let o = 0; o < set.replicas; o++) {
      const pod = set.pods.get(o);
      if (!pod || pod.labels[REVISION_LABEL] !== set.updateRevision.name || !this.isHealthy(pod)) return;
    }
    set.currentRevision = set.updateRevision;
    if (set.rolloutInProgress) this.cluster.emit('RolloutComplete', set.ref, '', `Revision ${set.revisions} is available with ${set.replicas} replicas`);
    set.rolloutInProgress = false;
  }

  /** isHealthy: Running, Ready and not terminating. */
  private isHealthy(pod: Pod | undefined): boolean {
    return pod !== undefined && pod.phase === 'Running' && pod.ready && pod.deletionMs < 0;
  }

  /** isRunningAndAvailable: Running and Ready for minReadySeconds; arms a re-check otherwise. */
  private isRunningAndAvailable(set: StatefulSetState, pod: Pod): boolean {
    if (pod.phase !== 'Running' || !pod.ready) return false;
    const availableAtMs = pod.readyMs + set.obj.spec.minReadySeconds * 1000;
    if (this.cluster.nowMs >= availableAtMs) return true;
    this.cluster.sim.schedule(availableAtMs, Phase.Controller, () => this.enqueue(set));
    return false;
  }
}

function ordinalOf(set: StatefulSetState, pod: Pod): number {
  return Number(pod.name.slice(set.name.length + 1));
}
