// The Job controller (pkg/controller/job/job_controller.go, backoff_utils.go) and the
// TTL-after-finished controller (pkg/controller/ttlafterfinished): run pods to completion.
//
// - syncJob / manageJob: keep min(parallelism, completions - succeeded) pods active (NonIndexed),
//   the lowest pending completion indexes (Indexed, pods named `<job>-<index>-<suffix>`), or
//   `parallelism` pods until the first success (work queue, completions unset: done when a pod
//   has succeeded and none is active).
// - Failures: a pod that ends Failed, or is deleted before it succeeded (evicted, preempted, its
//   node lost), counts against backoffLimit (isPodFailed); with restartPolicy OnFailure the
//   container restarts of running pods count too (pastBackoffLimitOnFailure). Replacement pods
//   wait 10 s, doubling per failure since the last success, up to 10 min (DefaultJobPodFailureBackOff,
//   MaxJobPodFailureBackOff in job_controller.go; the documentation still says six minutes, from
//   the pre-1.27 rate limiter).
// - activeDeadlineSeconds from status.startTime; suspend deletes the active pods.
// - A Job that fails (BackoffLimitExceeded, DeadlineExceeded) deletes its active pods and is marked
//   Failed once they are gone (the FailureTarget condition first: JobPodReplacementPolicy, on by
//   default since 1.29); events `JobCompleted` and `JobFailed` (upstream's reasons are Completed
//   and the failure reason; capsim prefixes "Job" so they read apart from pod events).
// - ttlSecondsAfterFinished: the Job and its pods are deleted that long after it finished.
//
// Simplifications, all about timing: syncs happen in the same instant as the pod change that
// triggers them (upstream batches pod events for 1 s, syncJobBatchPeriod), and pod replacement
// follows podReplacementPolicy TerminatingOrFailed (the default without a podFailurePolicy);
// podFailurePolicy, successPolicy and backoffLimitPerIndex are validated only.
import { Phase } from '../phases.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { JobObject, JobSpecModel } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Pod } from '../model/pod.ts';
import { isActive, isTerminal } from '../model/pod.ts';

export const JOB_POD_FAILURE_BACKOFF_MS = 10_000;
export const JOB_POD_FAILURE_BACKOFF_MAX_MS = 10 * 60_000;
/** MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** The workqueue's rate limiter after a failed sync (a pod create refused by admission):
 *  DefaultJobApiBackOff 1 s doubling to MaxJobApiBackOff 1 min. */
const API_BACKOFF_MS = 1_000;
const API_BACKOFF_MAX_MS = 60_000;

export const LABEL_JOB_NAME = 'batch.kubernetes.io/job-name';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

type FinishType = 'Complete' | 'Failed';

interface Condition {
  type: FinishType;
  reason: string;
  message: string;
}

export interface JobState {
  obj: JobObject;
  /** "Job/namespace/name" */
  ref: string;
  namespace: string;
  name: string;
  spec: JobSpecModel;
  /** "Kind/namespace/name" its pods aggregate under and take behaviour from: the Job itself, the
   *  CronJob that created it, or the declared Job an arrival copied. */
  workload: string;
  /** "CronJob/namespace/name" of the CronJob that created it, else null. */
  cronJob: string | null;
  createdMs: number;
  /** status.startTime: the first sync while not suspended; -1 before. */
  startMs: number;
  /** Its pods that still exist, finished ones included. */
  pods: Set<Pod>;
  /** status.succeeded (NonIndexed) and status.completedIndexes (Indexed). */
  succeeded: number;
  succeededIndexes: Set<number>;
  /** status.failed */
  failed: number;
  /** backoffRecord: failures since the last success and when the last one happened. */
  failuresAfterLastSuccess: number;
  lastFailureMs: number;
  lastSuccessMs: number;
  /** SuccessCriteriaMet / FailureTarget: decided, waiting for terminating pods to go. */
  target: Condition | null;
  finished: (Condition & { atMs: number }) | null;
  deleted: boolean;
  suspendedEventSent: boolean;
  /** Times at which a re-sync is already on the clock (deadline, back-off, retry). */
  wakeups: Set<number>;
  createRetryMs: number;
  lastCreateError: string;
}

export interface JobOptions {
  workload?: string;
  cronJob?: string | null;
}

export class JobController implements ClusterListener {
  private readonly byKey = new Map<string, JobState>();
  /** Unfinished Jobs by workload ref: what desiredActive sums. */
  private readonly unfinished = new Map<string, Set<JobState>>();
  private readonly dirty = new Set<JobState>();
  private handle: EventHandle | null = null;
  /** Called when a Job finishes or is deleted (the CronJob controller listens). */
  onJobChanged: (job: JobState) => void = () => {};

  constructor(private readonly cluster: ApiServer) {
    cluster.addListener(this);
  }

  get(namespace: string, name: string): JobState | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  /** Creates the Job (the API's create); null when a Job of that name exists. */
  add(obj: JobObject, options: JobOptions = {}): JobState | null {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    if (this.byKey.has(key)) return null;
    const ref = objectRef(obj);
    const job: JobState = {
      obj,
      ref,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      spec: obj.spec,
      workload: options.workload ?? ref,
      cronJob: options.cronJob ?? null,
      createdMs: this.cluster.nowMs,
      startMs: -1,
      pods: new Set(),
      succeeded: 0,
      succeededIndexes: new Set(),
      failed: 0,
      failuresAfterLastSuccess: 0,
      lastFailureMs: -1,
      lastSuccessMs: -1,
      target: null,
      finished: null,
      deleted: false,
      suspendedEventSent: false,
      wakeups: new Set(),
      createRetryMs: 0,
      lastCreateError: '',
    };
    this.byKey.set(key, job);
    let set = this.unfinished.get(job.workload);
    if (!set) this.unfinished.set(job.workload, (set = new Set()));
    set.add(job);
    this.enqueue(job);
    return job;
  }

  /** Deletes the Job and, through the garbage collector, its pods: running ones terminate
   *  gracefully, finished ones go at once. */
  delete(job: JobState, why: string): void {
    if (job.deleted) return;
    job.deleted = true;
    this.byKey.delete(`${job.namespace}/${job.name}`);
    this.unfinished.get(job.workload)?.delete(job);
    this.dirty.delete(job);
    for (const pod of [...job.pods]) this.cluster.deletePod(pod, 'Deleted', `Garbage-collected: Job ${job.name} was deleted (${why})`);
    this.onJobChanged(job);
  }

  /** Pods the Job wants active now: 0 once it is decided (finished, or failing and waiting for
   *  its pods to go) and while suspended. */
  desiredActiveOf(job: JobState): number {
    if (job.finished || job.target || job.deleted || job.spec.suspend) return 0;
    return this.wantActive(job, this.activePods(job).length);
  }

  /** What the workload's unfinished Jobs want active now (the recorder's replicas_desired). */
  desiredActive(workload: string): number {
    let total = 0;
    for (const job of this.unfinished.get(workload) ?? []) total += this.desiredActiveOf(job);
    return total;
  }

  // ---- pod notifications: counted as they happen, as the tracking finalizer guarantees ------

  podTerminating(pod: Pod): void {
    const job = this.counting(pod);
    if (!job) return;
    // isPodFailed: a pod deleted before it succeeded is a failure.
    if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') this.countFailure(job);
    this.enqueue(job);
  }

  podFinished(pod: Pod): void {
    const job = this.counting(pod);
    // A pod deleted first was counted as a failure then.
    if (!job || pod.deletionMs >= 0) return;
    if (pod.phase === 'Succeeded') this.countSuccess(job, pod);
    else this.countFailure(job);
    this.enqueue(job);
  }

  /** Readiness feeds status.ready. */
  podReadyChanged(pod: Pod): void {
    const job = this.counting(pod);
    if (job) this.enqueue(job);
  }

  /** Container restarts count toward backoffLimit with restartPolicy OnFailure. */
  podRestarted(pod: Pod): void {
    const job = this.counting(pod);
    if (job) this.enqueue(job);
  }

  podRemoved(pod: Pod): void {
    const job = this.owner(pod);
    if (!job) return;
    job.pods.delete(pod);
    this.enqueue(job);
  }

  private owner(pod: Pod): JobState | undefined {
    if (pod.owner?.kind !== 'Job') return undefined;
    const job = this.byKey.get(`${pod.namespace}/${pod.owner.name}`);
    return job?.pods.has(pod) ? job : undefined;
  }

  /** The owner while its pods still count: not after it finished. */
  private counting(pod: Pod): JobState | undefined {
    const job = this.owner(pod);
    return job && !job.finished ? job : undefined;
  }

  /** newBackoffRecord: a success resets the failure count; failures at the instant of a success
   *  do not count (they are not after it). */
  private countSuccess(job: JobState, pod: Pod): void {
    if (isIndexed(job.spec)) {
      const index = completionIndex(pod);
      if (index >= 0 && index < job.spec.completions!) job.succeededIndexes.add(index);
    } else job.succeeded++;
    job.lastSuccessMs = this.cluster.nowMs;
    job.failuresAfterLastSuccess = 0;
    job.lastFailureMs = -1;
  }

  private countFailure(job: JobState): void {
    job.failed++;
    const now = this.cluster.nowMs;
    if (now > job.lastSuccessMs) {
      job.failuresAfterLastSuccess++;
      job.lastFailureMs = now;
    }
  }

  // ---- reconcile ---------------------------------------------------------------------------

  private enqueue(job: JobState): void {
    if (job.deleted || job.finished) return;
    this.dirty.add(job);
    if (this.handle === null) this.handle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Controller, () => this.syncAll());
  }

  private wakeAt(job: JobState, atMs: number): void {
    if (job.wakeups.has(atMs)) return;
    job.wakeups.add(atMs);
    this.cluster.sim.schedule(atMs, Phase.Controller, () => {
      job.wakeups.delete(atMs);
      this.enqueue(job);
    });
  }

  private syncAll(): void {
    this.handle = null;
    const batch = [...this.dirty].sort((a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : 1));
    this.dirty.clear();
    for (const job of batch) if (!job.deleted && !job.finished) this.sync(job);
  }

  /** syncJob. */
  private sync(job: JobState): void {
    const now = this.cluster.nowMs;
    const spec = job.spec;
    if (job.startMs < 0 && !spec.suspend) job.startMs = now;

    if (!job.target) {
      if (job.failed > spec.backoffLimit || this.pastBackoffLimitOnFailure(job)) {
        job.target = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      } else if (this.pastActiveDeadline(job)) {
        job.target = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
      } else if (spec.activeDeadlineSeconds !== null && !spec.suspend) {
        this.wakeAt(job, job.startMs + spec.activeDeadlineSeconds * 1000);
      }
    }

    const active = this.activePods(job);
    if (job.target?.type === 'Failed') {
      // deleteActivePods: the pods count as failed as they go.
      for (const pod of active) this.cluster.deletePod(pod, 'Killed', `Deleted by Job ${job.name}: ${job.target.reason}`);
    } else if (!job.target) {
      const activeAfter = this.manageJob(job, active);
      const succeeded = this.succeededCount(job);
      const complete = spec.completions === null ? succeeded > 0 && activeAfter === 0 : succeeded >= spec.completions && activeAfter === 0;
      if (complete) job.target = { type: 'Complete', reason: '', message: '' };
    }

    // enactJobFinished: the terminal condition waits for terminating pods to be gone.
    if (job.target && !this.anyTerminating(job)) this.finish(job, job.target);
  }

  /** manageJob; returns the number of active pods after it acted. */
  private manageJob(job: JobState, active: Pod[]): number {
    const spec = job.spec;
    if (spec.suspend) {
      for (const pod of active) this.deleteUncounted(job, pod, 'suspended');
      if (!job.suspendedEventSent) this.cluster.emit('Suspended', job.ref, '', 'Job suspended');
      job.suspendedEventSent = true;
      return 0;
    }
    const want = this.wantActive(job, active.length);
    const toRemove = activePodsForRemoval(job, active, Math.max(0, active.length - want)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toRemove.length > 0) {
      for (const pod of toRemove) this.deleteUncounted(job, pod, 'too many active pods');
      return active.length - toRemove.length;
    }
    let diff = want - active.length;
    if (diff <= 0) return active.length;

    const remainingMs = this.backoffRemainingMs(job);
    if (remainingMs > 0) {
      this.wakeAt(job, this.cluster.nowMs + remainingMs);
      return active.length;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes = isIndexed(spec) ? firstPendingIndexes(job, active, diff) : null;
    const count = indexes ? indexes.length : diff;
    let created = 0;
    for (; created < count; created++) {
      // slowStartBatch: the first refusal stops the rest until the retry.
      if (!this.createPod(job, indexes ? indexes[created] : -1)) break;
    }
    if (created === count) {
      job.createRetryMs = 0;
      job.lastCreateError = '';
    }
    return active.length + created;
  }

  /** wantActive in manageJob. */
  private wantActive(job: JobState, active: number): number {
    const { completions, parallelism } = job.spec;
    const succeeded = this.succeededCount(job);
    // Work queue: parallelism until one pod has succeeded, then let the running ones finish.
    if (completions === null) return succeeded > 0 ? active : parallelism;
    return Math.max(0, Math.min(completions - succeeded, parallelism));
  }

  private createPod(job: JobState, index: number): boolean {
    const template = job.spec.template;
    const indexed = index >= 0;
    const labels: Record<string, string> = { ...template.labels, [LABEL_JOB_NAME]: job.name, 'job-name': job.name };
    const annotations = indexed ? { ...template.annotations, [COMPLETION_INDEX]: String(index) } : template.annotations;
    if (indexed) labels[COMPLETION_INDEX] = String(index);
    const result = this.cluster.createPod({
      // podGenerateNameWithIndex: `<job>-<index>-` for Indexed Jobs.
      generateName: indexed ? `${job.name}-${index}-` : `${job.name}-`,
      namespace: job.namespace,
      labels,
      annotations,
      owner: { kind: 'Job', name: job.name },
      workload: job.workload,
      spec: template.spec,
    });
    if ('error' in result) {
      if (result.error !== job.lastCreateError) this.cluster.emit('FailedCreate', job.ref, '', `Error creating: ${result.error}`);
      job.lastCreateError = result.error;
      job.createRetryMs = job.createRetryMs === 0 ? API_BACKOFF_MS : Math.min(API_BACKOFF_MAX_MS, job.createRetryMs * 2);
      this.wakeAt(job, this.cluster.nowMs + job.createRetryMs);
      return false;
    }
    job.pods.add(result.pod);
    return true;
  }

  /** Pods the controller deletes on purpose (suspend, excess) lose their tracking finalizer
   *  first and are not counted as failures (deleteJobPods). */
  private deleteUncounted(job: JobState, pod: Pod, why: string): void {
    job.pods.delete(pod);
    this.cluster.deletePod(pod, 'Killed', `Deleted by Job ${job.name}: ${why}`);
  }

  private finish(job: JobState, condition: Condition): void {
    const now = this.cluster.nowMs;
    job.finished = { ...condition, atMs: now };
    job.target = null;
    this.unfinished.get(job.workload)?.delete(job);
    if (condition.type === 'Complete') this.cluster.emit('JobCompleted', job.ref, '', 'Job completed');
    else this.cluster.emit('JobFailed', job.ref, '', `${condition.reason}: ${condition.message}`);
    this.onJobChanged(job);
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl !== null) {
      // ttlafterfinished: delete (foreground propagation) once finishTime + ttl has passed.
      this.cluster.sim.schedule(now + ttl * 1000, Phase.Controller, () => {
        if (job.deleted) return;
        this.cluster.emit('Deleted', job.ref, '', `Deleted ${ttl}s after it finished (ttlSecondsAfterFinished)`);
        this.delete(job, 'ttlSecondsAfterFinished');
      });
    }
  }

  private activePods(job: JobState): Pod[] {
    const out: Pod[] = [];
    for (const pod of job.pods) if (isActive(pod)) out.push(pod);
    return out;
  }

  private anyTerminating(job: JobState): boolean {
    for (const pod of job.pods) if (pod.deletionMs >= 0 && pod.removedMs < 0 && !isTerminal(pod)) return true;
    return false;
  }

  private succeededCount(job: JobState): number {
    return isIndexed(job.spec) ? job.succeededIndexes.size : job.succeeded;
  }

  /** pastBackoffLimitOnFailure: container restarts of Pending/Running pods, for OnFailure. */
  private pastBackoffLimitOnFailure(job: JobState): boolean {
    if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const pod of job.pods) if (pod.phase === 'Running' || pod.phase === 'Pending') restarts += pod.restarts;
    return job.spec.backoffLimit === 0 ? restarts > 0 : restarts >= job.spec.backoffLimit;
  }

  private pastActiveDeadline(job: JobState): boolean {
    const ads = job.spec.activeDeadlineSeconds;
    if (ads === null || job.startMs < 0 || job.spec.suspend) return false;
    return this.cluster.nowMs - job.startMs >= ads * 1000;
  }

  /** getRemainingTimeForFailuresCount: 10 s doubling per failure since the last success. */
  private backoffRemainingMs(job: JobState): number {
    if (job.failuresAfterLastSuccess === 0) return 0;
    let backoff = JOB_POD_FAILURE_BACKOFF_MS;
    for (let i = 1; i < job.failuresAfterLastSuccess; i++) {
      backoff *= 2;
      if (backoff >= JOB_POD_FAILURE_BACKOFF_MAX_MS) {
        backoff = JOB_POD_FAILURE_BACKOFF_MAX_MS;
        break;
      }
    }
    const elapsed = this.cluster.nowMs - job.lastFailureMs;
    return backoff < elapsed ? 0 : backoff - elapsed;
  }
}

function isIndexed(spec: JobSpecModel): boolean {
  return spec.completionMode === 'Indexed' && spec.completions !== null;
}

function completionIndex(pod: Pod): number {
  const raw = pod.annotations[COMPLETION_INDEX];
  return raw === undefined ? -1 : Number(raw);
}

/** firstPendingIndexes: the lowest indexes neither succeeded nor held by an active pod. */
function firstPendingIndexes(job: JobState, active: readonly Pod[], count: number): number[] {
  const taken = new Set(job.succeededIndexes);
  for (const pod of active) taken.add(completionIndex(pod));
  const out: number[] = [];
  for (let i = 0; i < job.spec.completions! && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** activePodsForRemoval: for Indexed Jobs first pods with a repeated or out-of-range index, then
 *  the pods that sort first by controller.ActivePods. */
function activePodsForRemoval(job: JobState, active: readonly Pod[], rmAtLeast: number): Pod[] {
  const rm: Pod[] = [];
  let left = active.slice();
  if (isIndexed(job.spec)) {
    const seen = new Set<number>();
    left = [];
    for (const pod of active.slice().sort((a, b) => a.uid - b.uid)) {
      const index = completionIndex(pod);
      if (index < 0 || index >= job.spec.completions! || seen.has(index)) rm.push(pod);
      else {
        seen.add(index);
        left.push(pod);
      }
    }
  }
  if (rm.length < rmAtLeast) rm.push(...left.sort(compareActivePods).slice(0, rmAtLeast - rm.length));
  return rm;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** controller.ActivePods.Less as a comparator: negative when `a` should go first. */
export function compareActivePods(a: Pod, b: Pod): number {
  if (!a.node !== !b.node) return a.node ? 1 : -1; // unassigned first
  const pa = PHASE_ORDER[a.phase] ?? 2;
  const pb = PHASE_ORDER[b.phase] ?? 2;
  if (pa !== pb) return pa - pb; // Pending < Unknown < Running
  if (a.ready !== b.ready) return a.ready ? 1 : -1; // not ready first
  if (a.ready && b.ready && a.readyMs !== b.readyMs) return b.readyMs - a.readyMs; // ready later first
  if (a.restarts !== b.restarts) return b.restarts - a.restarts; // more restarts first
  return b.createdMs - a.createdMs; // newer first
}
