// The workload objects as the API server holds them: the manifest a scenario declared (`obj`),
// the spec fields that change during a run (spec.replicas through the scale subresource,
// spec.template through `kubectl rollout restart`), and the status their controllers write.
// Controllers keep their work queues, retry timers and expectations to themselves; everything
// another component may read lives here.
import type { Toleration } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import type { CronJobObject, DaemonSetObject, DeploymentObject, JobObject, JobSpecModel, ReplicaSetObject, StatefulSetObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { LabelSelector } from '../model/api.ts';
import type { Pod, PodTemplate } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { matchesRequiredNodeAffinity } from '../model/nodeSelector.ts';
import { doNotScheduleTaints, findUntoleratedTaint } from '../model/taints.ts';

interface Meta {
  /** "Kind/namespace/name" */
  readonly ref: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Deployment extends Meta {
  readonly kind: 'Deployment';
  readonly obj: DeploymentObject;
  /** spec.replicas: the scale subresource writes it (HPA, kubectl scale). */
  replicas: number;
  /** spec.template: `kubectl rollout restart` replaces it with one carrying restartedAt. */
  template: PodTemplate;
  // status, written by the Deployment controller
  /** pod-template-hash of `template` (the new ReplicaSet's). */
  templateHash: string;
  revision: number;
  rolloutInProgress: boolean;
}

export interface ReplicaSet extends Meta {
  readonly kind: 'ReplicaSet';
  /** "Deployment/ns/name" of the owner: behaviour lookups, events and the owner index. */
  readonly workload: string;
  readonly selector: LabelSelector;
  readonly template: PodTemplate;
  readonly templateHash: string;
  /** spec.replicas, written by the Deployment controller. */
  replicas: number;
  readonly createdMs: number;
  readonly revision: number;
  /** The deployment.kubernetes.io/desired-replicas and max-replicas annotations, which
   *  proportional scaling reads. */
  desiredReplicasAnnotation: number;
  maxReplicasAnnotation: number;
  readonly minReadySeconds: number;
}

export interface StatefulSetRevision {
  /** ControllerRevision name, `<set>-<hash>`: the pods' controller-revision-hash label. */
  name: string;
  template: PodTemplate;
}

export interface StatefulSet extends Meta {
  readonly kind: 'StatefulSet';
  readonly obj: StatefulSetObject;
  /** spec.replicas: the scale subresource writes it. */
  replicas: number;
  /** spec.template: `kubectl rollout restart` replaces it. */
  template: PodTemplate;
  // status, written by the StatefulSet controller (which names the first revision when it
  // first sees the set)
  currentRevision: StatefulSetRevision;
  updateRevision: StatefulSetRevision;
  revisions: number;
  rolloutInProgress: boolean;
}

/** util.AddOrUpdateDaemonPodTolerations: every daemon pod tolerates these. */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export interface DaemonSet extends Meta {
  readonly kind: 'DaemonSet';
  readonly obj: DaemonSetObject;
  /** The template its pods are made from: spec.template with the daemon tolerations; `kubectl
   *  rollout restart` replaces it. */
  template: PodTemplate;
  // status, written by the DaemonSet controller
  hash: string;
  revision: number;
}

export type JobFinishType = 'Complete' | 'Failed';

export interface JobCondition {
  type: JobFinishType;
  reason: string;
  message: string;
}

export interface Job extends Meta {
  readonly kind: 'Job';
  readonly obj: JobObject;
  readonly spec: JobSpecModel;
  /** "Kind/namespace/name" its pods aggregate under and take behaviour from: the Job itself, the
   *  CronJob that created it, or the declared Job an arrival copied. */
  readonly workload: string;
  /** "CronJob/namespace/name" of the CronJob that created it (its controller owner), else null. */
  readonly cronJob: string | null;
  readonly createdMs: number;
  // status, written by the Job controller
  /** status.startTime: the first sync while not suspended; -1 before. */
  startMs: number;
  /** status.succeeded (NonIndexed) and status.completedIndexes (Indexed). */
  succeeded: number;
  succeededIndexes: Set<number>;
  /** status.failed */
  failed: number;
  /** The controller's backoffRecord: failures since the last success and when the last was. */
  failuresAfterLastSuccess: number;
  lastFailureMs: number;
  lastSuccessMs: number;
  /** SuccessCriteriaMet / FailureTarget: decided, waiting for terminating pods to go. */
  target: JobCondition | null;
  finished: (JobCondition & { atMs: number }) | null;
  /** Deleted from the API (its pods are being garbage-collected). */
  deleted: boolean;
}

export interface CronJob extends Meta {
  readonly kind: 'CronJob';
  readonly obj: CronJobObject;
  /** Unix ms of the CronJob's creation (scenario start + creation time). */
  readonly createdEpochMs: number;
  // status, written by the CronJob controller
  /** status.lastScheduleTime (Unix ms), null before the first Job. */
  lastScheduleEpochMs: number | null;
  /** status.active */
  active: Job[];
}

export type Workload = Deployment | StatefulSet | DaemonSet | Job | CronJob;

export function newDeployment(obj: DeploymentObject): Deployment {
  return {
    kind: 'Deployment',
    obj,
    ref: objectRef(obj),
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    replicas: obj.spec.replicas,
    template: structuredClone(obj.spec.template),
    templateHash: '',
    revision: 1,
    rolloutInProgress: false,
  };
}

export function newStatefulSet(obj: StatefulSetObject): StatefulSet {
  const template = structuredClone(obj.spec.template);
  return {
    kind: 'StatefulSet',
    obj,
    ref: objectRef(obj),
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    replicas: obj.spec.replicas,
    template,
    currentRevision: { name: '', template },
    updateRevision: { name: '', template },
    revisions: 1,
    rolloutInProgress: false,
  };
}

export function newDaemonSet(obj: DaemonSetObject): DaemonSet {
  const template = structuredClone(obj.spec.template);
  template.spec.tolerations = template.spec.tolerations.concat(DAEMON_TOLERATIONS);
  return { kind: 'DaemonSet', obj, ref: objectRef(obj), namespace: obj.metadata.namespace, name: obj.metadata.name, template, hash: '', revision: 1 };
}

export interface JobOrigin {
  /** The workload its pods aggregate under (default: the Job itself). */
  workload?: string;
  /** The CronJob that created it. */
  cronJob?: string | null;
}

/** The annotations the Deployment controller writes on its ReplicaSets (deployment/util). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** A ReplicaSet of a cluster's state, under its Deployment (obj.deployment): its name, hash,
 *  revision and the replica annotations as the cluster's Deployment controller wrote them; an
 *  annotation missing is -1, which the Deployment controller fills in when it adopts the set.
 *  `createdMs` orders it among its Deployment's sets (before t = 0). */
export function adoptedReplicaSet(obj: ReplicaSetObject, createdMs: number): ReplicaSet {
  const annotation = (key: string) => {
    const n = Number.parseInt(obj.metadata.annotations[key] ?? '', 10);
    return Number.isFinite(n) ? n : -1;
  };
  const hash = obj.metadata.labels['pod-template-hash'] ?? obj.spec.template.labels['pod-template-hash'] ?? obj.metadata.labels['rollouts-pod-template-hash'] ?? obj.metadata.name.slice(obj.metadata.name.lastIndexOf('-') + 1);
  return {
    kind: 'ReplicaSet',
    ref: objectRef(obj),
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
    workload: obj.deployment!,
    selector: obj.spec.selector,
    template: obj.spec.template,
    templateHash: hash,
    replicas: obj.spec.replicas,
    createdMs,
    revision: Math.max(1, annotation(REVISION_ANNOTATION)),
    desiredReplicasAnnotation: annotation(DESIRED_REPLICAS_ANNOTATION),
    maxReplicasAnnotation: annotation(MAX_REPLICAS_ANNOTATION),
    minReadySeconds: obj.spec.minReadySeconds,
  };
}

/** status.completedIndexes ("1,3-5") as a set of indexes. */
export function parseIndexes(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to] = part.split('-').map((p) => Number.parseInt(p, 10));
    if (!Number.isFinite(from)) continue;
    for (let i = from; i <= (Number.isFinite(to) ? to : from); i++) out.add(i);
  }
  return out;
}

export function newJob(obj: JobObject, origin: JobOrigin, nowMs: number): Job {
  const ref = objectRef(obj);
  // A Job of a cluster's state goes on from what it has done (status.succeeded, failed).
  const status = obj.status;
  return {
    kind: 'Job',
    obj,
    ref,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    spec: obj.spec,
    workload: origin.workload ?? ref,
    cronJob: origin.cronJob ?? null,
    createdMs: nowMs,
    startMs: -1,
    succeeded: status?.succeeded ?? 0,
    succeededIndexes: status ? parseIndexes(status.completedIndexes) : new Set(),
    failed: status?.failed ?? 0,
    failuresAfterLastSuccess: 0,
    lastFailureMs: -1,
    lastSuccessMs: -1,
    target: null,
    finished: null,
    deleted: false,
  };
}

export function newCronJob(obj: CronJobObject, createdEpochMs: number): CronJob {
  return { kind: 'CronJob', obj, ref: objectRef(obj), namespace: obj.metadata.namespace, name: obj.metadata.name, createdEpochMs, lastScheduleEpochMs: null, active: [] };
}

// ---- status derived from the objects ---------------------------------------------------------

/** NodeShouldRunDaemonPod: node affinity/selector and taints, with the daemon tolerations. */
export function shouldRunDaemonPod(ds: DaemonSet, node: Node): boolean {
  if (!matchesRequiredNodeAffinity(ds.template, node)) return false;
  return !findUntoleratedTaint(node.taints, ds.template.spec.tolerations, doNotScheduleTaints);
}

/** status.desiredNumberScheduled: registered nodes that should run the daemon pod. */
export function desiredNumberScheduled(ds: DaemonSet, nodes: readonly Node[]): number {
  return nodes.filter((n) => (n.state === 'Ready' || n.state === 'NotReady') && shouldRunDaemonPod(ds, n)).length;
}

export function isIndexedJob(spec: JobSpecModel): boolean {
  return spec.completionMode === 'Indexed' && spec.completions !== null;
}

export function succeededCount(job: Job): number {
  return isIndexedJob(job.spec) ? job.succeededIndexes.size : job.succeeded;
}

/** wantActive in manageJob: pods the Job wants running given `active` running now. */
export function jobWantActive(job: Job, active: number): number {
  const { completions, parallelism } = job.spec;
  const succeeded = succeededCount(job);
  // Work queue: parallelism until one pod has succeeded, then let the running ones finish.
  if (completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** Pods the Job wants active now: 0 once it is decided (finished, or failing and waiting for its
 *  pods to go) and while suspended. `pods` are the Job's own pods. */
export function jobDesiredActive(job: Job, pods: Iterable<Pod>): number {
  if (job.finished || job.target || job.deleted || job.spec.suspend) return 0;
  let active = 0;
  for (const pod of pods) if (isActive(pod)) active++;
  return jobWantActive(job, active);
}
