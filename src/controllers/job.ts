// The Job controller (pkg/controller/job/job_controller.go, backoff_utils.go): run pods to
// completion. It watches Jobs (created from manifests, by the CronJob controller and by
// arrivals) and their pods, and writes the Job's status; a finished Job is an update the CronJob
// and TTL-after-finished controllers watch for.
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
//
// Simplifications, all about timing: syncs happen in the same instant as the pod change that
// triggers them (upstream batches pod events for 1 s, syncJobBatchPeriod), and pod replacement
// follows podReplacementPolicy TerminatingOrFailed (the default without a podFailurePolicy);
// podFailurePolicy, successPolicy and backoffLimitPerIndex are validated only.
import type { ApiServer } from '../api/apiServer.ts';
import { Phase } from '../phases.ts';
import type { Job, JobCondition } from '../api/workloads.ts';
import { isIndexedJob, jobWantActive, succeededCount } from '../api/workloads.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Pod } from '../model/pod.ts';
import { isActive, isTerminal } from '../model/pod.ts';
import type { ControllerContext } from './context.ts';
import { WorkQueue } from './workqueue.ts';

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

/** What the controller keeps of a Job besides its object. */
interface JobCache {
  /** Times at which a re-sync is already on the clock (deadline, back-off, retry). */
  wakeups: Set<number>;
  createRetryMs: number;
  lastCreateError: string;
  suspendedEventSent: boolean;
}

export class JobController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<Job>;
  private readonly caches = new Map<Job, JobCache>();
  /** Pods whose tracking finalizer the controller removed before deleting them (suspend,
   *  excess): they are not counted, as failures or otherwise. */
  private readonly uncounted = new Set<Pod>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, (job) => this.sync(job), (a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : 1));
    api.jobs.watch({
      added: (job) => {
        this.caches.set(job, { wakeups: new Set(), createRetryMs: 0, lastCreateError: '', suspendedEventSent: false });
        this.enqueue(job);
      },
      deleted: (job) => {
        this.queue.forget(job);
        this.caches.delete(job);
      },
    });
    // Pods are counted as they change, as the tracking finalizer guarantees.
    api.addListener({
      podTerminating: (pod) => {
        const job = this.counting(pod);
        if (!job) return;
        // isPodFailed: a pod deleted before it succeeded is a failure.
        if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') this.countFailure(job);
        this.enqueue(job);
      },
      podFinished: (pod) => {
        const job = this.counting(pod);
        // A pod deleted first was counted as a failure then.
        if (!job || pod.deletionMs >= 0) return;
        if (pod.phase === 'Succeeded') this.countSuccess(job, pod);
        else this.countFailure(job);
        this.enqueue(job);
      },
      // Readiness feeds status.ready.
      podReadyChanged: (pod) => {
        const job = this.counting(pod);
        if (job) this.enqueue(job);
      },
      // Container restarts count toward backoffLimit with restartPolicy OnFailure.
      podRestarted: (pod) => {
        const job = this.counting(pod);
        if (job) this.enqueue(job);
      },
      podRemoved: (pod) => {
        const job = this.owner(pod);
        this.uncounted.delete(pod);
        if (job) this.enqueue(job);
      },
    });
  }

  /** The Job's own pods that still exist (finished ones included), in creation order. */
  private podsOf(job: Job): Pod[] {
    const out: Pod[] = [];
    for (const pod of this.api.podsOwnedBy(job.ref)) if (!this.uncounted.has(pod)) out.push(pod);
    return out;
  }

  private owner(pod: Pod): Job | undefined {
    if (pod.owner?.kind !== 'Job' || this.uncounted.has(pod)) return undefined;
    return this.api.jobs.get(`Job/${pod.namespace}/${pod.owner.name}`);
  }

  /** The owner while its pods still count: not after it finished. */
  private counting(pod: Pod): Job | undefined {
    const job = this.owner(pod);
    return job && !job.finished ? job : undefined;
  }

  /** newBackoffRecord: a success resets the failure count; failures at the instant of a success
   *  do not count (they are not after it). */
  private countSuccess(job: Job, pod: Pod): void {
    if (isIndexedJob(job.spec)) {
      const index = completionIndex(pod);
      if (index >= 0 && index < job.spec.completions!) job.succeededIndexes.add(index);
    } else job.succeeded++;
    job.lastSuccessMs = this.clock.nowMs;
    job.failuresAfterLastSuccess = 0;
    job.lastFailureMs = -1;
  }

  private countFailure(job: Job): void {
    job.failed++;
    const now = this.clock.nowMs;
    if (now > job.lastSuccessMs) {
      job.failuresAfterLastSuccess++;
      job.lastFailureMs = now;
    }
  }

  // ---- reconcile ---------------------------------------------------------------------------

  private enqueue(job: Job): void {
    if (job.deleted || job.finished) return;
    this.queue.add(job);
  }

  private wakeAt(job: Job, atMs: number): void {
    const wakeups = this.caches.get(job)!.wakeups;
    if (wakeups.has(atMs)) return;
    wakeups.add(atMs);
    this.clock.schedule(atMs, Phase.Controller, () => {
      wakeups.delete(atMs);
      this.enqueue(job);
    });
  }

  /** syncJob. */
  private sync(job: Job): void {
    if (job.deleted || job.finished) return;
    const now = this.clock.nowMs;
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
      for (const pod of active) this.api.deletePod(pod, 'Killed', `Deleted by Job ${job.name}: ${job.target.reason}`);
    } else if (!job.target) {
      const activeAfter = this.manageJob(job, active);
      const succeeded = succeededCount(job);
      const complete = spec.completions === null ? succeeded > 0 && activeAfter === 0 : succeeded >= spec.completions && activeAfter === 0;
      if (complete) job.target = { type: 'Complete', reason: '', message: '' };
    }

    // enactJobFinished: the terminal condition waits for terminating pods to be gone.
    if (job.target && !this.anyTerminating(job)) this.finish(job, job.target);
  }

  /** manageJob; returns the number of active pods after it acted. */
  private manageJob(job: Job, active: Pod[]): number {
    const spec = job.spec;
    if (spec.suspend) {
      for (const pod of active) this.deleteUncounted(job, pod, 'suspended');
      const cache = this.caches.get(job)!;
      if (!cache.suspendedEventSent) this.api.emit('Suspended', job.ref, '', 'Job suspended');
      cache.suspendedEventSent = true;
      return 0;
    }
    const want = jobWantActive(job, active.length);
    const toRemove = activePodsForRemoval(job, active, Math.max(0, active.length - want)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toRemove.length > 0) {
      for (const pod of toRemove) this.deleteUncounted(job, pod, 'too many active pods');
      return active.length - toRemove.length;
    }
    let diff = want - active.length;
    if (diff <= 0) return active.length;

    const remainingMs = this.backoffRemainingMs(job);
    if (remainingMs > 0) {
      this.wakeAt(job, this.clock.nowMs + remainingMs);
      return active.length;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes = isIndexedJob(spec) ? firstPendingIndexes(job, active, diff) : null;
    const count = indexes ? indexes.length : diff;
    let created = 0;
    for (; created < count; created++) {
      // slowStartBatch: the first refusal stops the rest until the retry.
      if (!this.createPod(job, indexes ? indexes[created] : -1)) break;
    }
    if (created === count) {
      const cache = this.caches.get(job)!;
      cache.createRetryMs = 0;
      cache.lastCreateError = '';
    }
    return active.length + created;
  }

  private createPod(job: Job, index: number): boolean {
    const template = job.spec.template;
    const indexed = index >= 0;
    const labels: Record<string, string> = { ...template.labels, [LABEL_JOB_NAME]: job.name, 'job-name': job.name };
    const annotations = indexed ? { ...template.annotations, [COMPLETION_INDEX]: String(index) } : template.annotations;
    if (indexed) labels[COMPLETION_INDEX] = String(index);
    const result = this.api.createPod({
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
      const cache = this.caches.get(job)!;
      if (result.error !== cache.lastCreateError) this.api.emit('FailedCreate', job.ref, '', `Error creating: ${result.error}`);
      cache.lastCreateError = result.error;
      cache.createRetryMs = cache.createRetryMs === 0 ? API_BACKOFF_MS : Math.min(API_BACKOFF_MAX_MS, cache.createRetryMs * 2);
      this.wakeAt(job, this.clock.nowMs + cache.createRetryMs);
      return false;
    }
    return true;
  }

  /** Pods the controller deletes on purpose (suspend, excess) lose their tracking finalizer
   *  first and are not counted as failures (deleteJobPods). */
  private deleteUncounted(job: Job, pod: Pod, why: string): void {
    this.uncounted.add(pod);
    this.api.deletePod(pod, 'Killed', `Deleted by Job ${job.name}: ${why}`);
  }

  /** The terminal condition: the Job's status is final (the CronJob and TTL-after-finished
   *  controllers watch for it). */
  private finish(job: Job, condition: JobCondition): void {
    job.finished = { ...condition, atMs: this.clock.nowMs };
    job.target = null;
    if (condition.type === 'Complete') this.api.emit('JobCompleted', job.ref, '', 'Job completed');
    else this.api.emit('JobFailed', job.ref, '', `${condition.reason}: ${condition.message}`);
    this.api.jobs.update(job);
  }

  private activePods(job: Job): Pod[] {
    return this.podsOf(job).filter(isActive);
  }

  private anyTerminating(job: Job): boolean {
    for (const pod of this.podsOf(job)) if (pod.deletionMs >= 0 && pod.removedMs < 0 && !isTerminal(pod)) return true;
    return false;
  }

  /** pastBackoffLimitOnFailure: container restarts of Pending/Running pods, for OnFailure. */
  private pastBackoffLimitOnFailure(job: Job): boolean {
    if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const pod of this.podsOf(job)) if (pod.phase === 'Running' || pod.phase === 'Pending') restarts += pod.restarts;
    return job.spec.backoffLimit === 0 ? restarts > 0 : restarts >= job.spec.backoffLimit;
  }

  private pastActiveDeadline(job: Job): boolean {
    const ads = job.spec.activeDeadlineSeconds;
    if (ads === null || job.startMs < 0 || job.spec.suspend) return false;
    return this.clock.nowMs - job.startMs >= ads * 1000;
  }

  /** getRemainingTimeForFailuresCount: 10 s doubling per failure since the last success. */
  private backoffRemainingMs(job: Job): number {
    if (job.failuresAfterLastSuccess === 0) return 0;
    let backoff = JOB_POD_FAILURE_BACKOFF_MS;
    for (let i = 1; i < job.failuresAfterLastSuccess; i++) {
      backoff *= 2;
      if (backoff >= JOB_POD_FAILURE_BACKOFF_MAX_MS) {
        backoff = JOB_POD_FAILURE_BACKOFF_MAX_MS;
        break;
      }
    }
    const elapsed = this.clock.nowMs - job.lastFailureMs;
    return backoff < elapsed ? 0 : backoff - elapsed;
  }
}


function completionIndex(pod: Pod): number {
  const raw = pod.annotations[COMPLETION_INDEX];
  return raw === undefined ? -1 : Number(raw);
}

/** firstPendingIndexes: the lowest indexes neither succeeded nor held by an active pod. */
function firstPendingIndexes(job: Job, active: readonly Pod[], count: number): number[] {
  const taken = new Set(job.succeededIndexes);
  for (const pod of active) taken.add(completionIndex(pod));
  const out: number[] = [];
  for (let i = 0; i < job.spec.completions! && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** activePodsForRemoval: for Indexed Jobs first pods with a repeated or out-of-range index, then
 *  the pods that sort first by controller.ActivePods. */
function activePodsForRemoval(job: Job, active: readonly Pod[], rmAtLeast: number): Pod[] {
  const rm: Pod[] = [];
  let left = active.slice();
  if (isIndexedJob(job.spec)) {
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
