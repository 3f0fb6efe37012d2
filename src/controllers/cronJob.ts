// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go, utils.go): creates a Job
// from jobTemplate at each scheduled time, named `<cronjob>-<scheduled time in minutes since the
// epoch>` (getJobName), in scenario time (spec.start + t). Each sync, as upstream:
//  1. cleanupFinishedJobs: delete the oldest finished Jobs beyond successfulJobsHistoryLimit (3)
//     and failedJobsHistoryLimit (1), with their pods;
//  2. drop finished Jobs from status.active (event SawCompletedJob);
//  3. mostRecentScheduleTime since status.lastScheduleTime (or the CronJob's creation), no earlier
//     than now - startingDeadlineSeconds; a time older than the deadline is a MissSchedule;
//  4. concurrencyPolicy: Forbid skips while a Job is active (JobAlreadyActive; the missed time
//     still starts late when the active Job finishes, unless startingDeadlineSeconds forbids it),
//     Replace deletes the active Jobs first, Allow runs them side by side;
//  5. create the Job (SuccessfulCreate "Created job NAME") and requeue for the next time.
// Upstream requeues 100 ms after the scheduled time (nextScheduleDelta) to be sure the clock has
// passed it; the simulated clock is exact, so Jobs are created at the scheduled instant.
import type { ApiServer } from '../api/apiServer.ts';
import { deleteJob } from '../api/garbageCollector.ts';
import type { CronJob, Job } from '../api/workloads.ts';
import { newJob } from '../api/workloads.ts';
import type { EventHandle, Simulation } from '../engine/simulation.ts';
import type { JobObject } from '../model/objects.ts';
import { Phase } from '../phases.ts';
import { CronSchedule } from '../workload/cron.ts';
import type { ControllerContext } from './context.ts';
import { WorkQueue } from './workqueue.ts';

/** More missed times than this since the last schedule draws a TooManyMissedTimes warning. */
const MANY_MISSED = 100;
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** What the controller keeps of a CronJob besides its object. */
interface CronJobCache {
  /** null when the schedule or time zone is unusable (an event says why). */
  schedule: CronSchedule | null;
  /** Every Job it created, until it sees it deleted. */
  children: Job[];
  timer: EventHandle | null;
}

export class CronJobController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<CronJob>;
  private readonly caches = new Map<CronJob, CronJobCache>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, (cj) => this.sync(cj));
    api.cronJobs.watch({ added: (cj) => this.added(cj) });
    // A Job of its finishing or going away is a reason to look again.
    const jobChanged = (job: Job) => {
      const cj = job.cronJob ? api.cronJobs.get(job.cronJob) : undefined;
      if (cj) this.queue.add(cj);
    };
    api.jobs.watch({ updated: jobChanged, deleted: jobChanged });
  }

  private added(cj: CronJob): void {
    const cache: CronJobCache = { schedule: null, children: [], timer: null };
    try {
      cache.schedule = CronSchedule.parse(cj.obj.spec.schedule, cj.obj.spec.timeZone);
    } catch (error) {
      const zone = cj.obj.spec.timeZone;
      if (error instanceof RangeError && zone !== null) this.api.emit('UnknownTimeZone', cj.ref, '', `invalid timeZone: "${zone}": unknown time zone ${zone}`);
      else this.api.emit('UnparseableSchedule', cj.ref, '', `unparseable schedule: "${cj.obj.spec.schedule}" : ${(error as Error).message}`);
    }
    this.caches.set(cj, cache);
    this.queue.add(cj);
  }

  private epochNow(): number {
    return this.api.startEpochMs + this.clock.nowMs;
  }

  /** sync: cleanupFinishedJobs, then syncCronJob. */
  private sync(cj: CronJob): void {
    const cache = this.caches.get(cj)!;
    // Jobs a cluster's state gave it (controlled by it, unfinished) are its active Jobs.
    for (const job of this.api.jobs.owned(cj.ref)) {
      if (cache.children.includes(job)) continue;
      cache.children.push(job);
      if (!job.finished) cj.active.push(job);
    }
    for (const job of cache.children.filter((j) => j.deleted)) {
      if (cj.active.includes(job)) this.api.emit('MissingJob', cj.ref, '', `Active job went missing: ${job.name}`);
      this.forget(cj, job);
    }
    this.cleanupFinishedJobs(cj);
    for (const job of cj.active.slice()) {
      if (!job.finished) continue;
      cj.active.splice(cj.active.indexOf(job), 1);
      this.api.emit('SawCompletedJob', cj.ref, '', `Saw completed job: ${job.name}, status: ${job.finished.type}`);
    }

    const spec = cj.obj.spec;
    const schedule = cache.schedule;
    if (spec.suspend || !schedule) return;
    const now = this.epochNow();
    const { recent: scheduled, missed } = this.mostRecentScheduleTime(cj, schedule, now, true);
    if (scheduled === null) return this.requeue(cj, schedule, now);
    if (missed > MANY_MISSED) {
      this.api.emit('TooManyMissedTimes', cj.ref, '', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (spec.startingDeadlineSeconds !== null && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
      this.api.emit('MissSchedule', cj.ref, '', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return this.requeue(cj, schedule, now);
    }
    const name = jobName(cj.name, scheduled);
    if (cj.active.some((j) => j.name === name) || cj.lastScheduleEpochMs === scheduled) return this.requeue(cj, schedule, now);
    if (spec.concurrencyPolicy === 'Forbid' && cj.active.length > 0) {
      this.api.emit('JobAlreadyActive', cj.ref, '', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return this.requeue(cj, schedule, now);
    }
    if (spec.concurrencyPolicy === 'Replace') for (const job of cj.active.slice()) this.deleteJob(cj, job);

    const job = newJob(this.jobFromTemplate(cj, name, scheduled), { workload: cj.ref, cronJob: cj.ref }, this.clock.nowMs);
    if (this.api.jobs.add(job)) {
      this.api.emit('SuccessfulCreate', cj.ref, '', `Created job ${name}`);
      cj.active.push(job);
      cache.children.push(job);
      cj.lastScheduleEpochMs = scheduled;
    }
    this.requeue(cj, schedule, now);
  }

  /** getJobFromTemplate2: jobTemplate's labels, annotations and spec, plus the scheduled time. */
  private jobFromTemplate(cj: CronJob, name: string, scheduledEpochMs: number): JobObject {
    const template = cj.obj.spec.jobTemplate;
    return {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: {
        name,
        namespace: cj.namespace,
        labels: { ...template.metadata.labels },
        annotations: { ...template.metadata.annotations, [SCHEDULED_TIMESTAMP]: new Date(scheduledEpochMs).toISOString().replace('.000Z', 'Z') },
      },
      source: cj.obj.source,
      spec: template.spec,
    };
  }

  /** mostRecentScheduleTime: the latest scheduled time in (earliest, now], and roughly how many
   *  were missed since `earliest` (the last schedule or the creation, or now minus
   *  startingDeadlineSeconds if later). */
  private mostRecentScheduleTime(cj: CronJob, schedule: CronSchedule, now: number, withDeadline: boolean): { earliest: number; recent: number | null; missed: number } {
    let earliest = cj.lastScheduleEpochMs ?? cj.createdEpochMs;
    const deadline = cj.obj.spec.startingDeadlineSeconds;
    if (withDeadline && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
    const t1 = schedule.next(earliest);
    if (t1 === null || now < t1) return { earliest, recent: null, missed: 0 };
    const t2 = schedule.next(t1);
    if (t2 === null || now < t2) return { earliest, recent: t1, missed: 1 };
    const periodMs = t2 - t1;
    const missed = Math.floor((now - t1) / periodMs) + 1;
    // Start a couple of periods before the estimate and walk forward; fall back to t1 when the
    // schedule is irregular enough that the estimate overshoots.
    let recent = this.latestUpTo(schedule, Math.max(t1, t1 + (missed - 2) * periodMs - 1), now);
    if (recent === null) recent = this.latestUpTo(schedule, t1 - 1, now);
    return { earliest, recent, missed };
  }

  private latestUpTo(schedule: CronSchedule, from: number, now: number): number | null {
    let latest: number | null = null;
    for (let t = schedule.next(from); t !== null && t <= now; t = schedule.next(t)) latest = t;
    return latest;
  }

  /** nextScheduleTimeDuration: wake at the next scheduled time after the most recent one. */
  private requeue(cj: CronJob, schedule: CronSchedule, now: number): void {
    const { earliest, recent, missed } = this.mostRecentScheduleTime(cj, schedule, now, false);
    const base = recent ?? (missed === 0 ? earliest : now);
    const next = schedule.next(base);
    const cache = this.caches.get(cj)!;
    this.clock.cancel(cache.timer);
    cache.timer = null;
    if (next === null) return;
    cache.timer = this.clock.schedule(Math.max(this.clock.nowMs, next - this.api.startEpochMs), Phase.Controller, () => {
      cache.timer = null;
      this.queue.add(cj);
    });
  }

  /** cleanupFinishedJobs / removeOldestJobs: oldest first by status.startTime, then name. */
  private cleanupFinishedJobs(cj: CronJob): void {
    const limits = { Complete: cj.obj.spec.successfulJobsHistoryLimit, Failed: cj.obj.spec.failedJobsHistoryLimit };
    for (const type of ['Complete', 'Failed'] as const) {
      const finished = this.caches.get(cj)!.children.filter((j) => j.finished?.type === type).sort(byStartTime);
      for (const job of finished.slice(0, Math.max(0, finished.length - limits[type]))) this.deleteJob(cj, job);
    }
  }

  /** deleteJob: the Job (and, through garbage collection, its pods) and its active-list entry. */
  private deleteJob(cj: CronJob, job: Job): void {
    this.forget(cj, job);
    deleteJob(this.api, job, `deleted by CronJob ${cj.name}`);
    this.api.emit('SuccessfulDelete', cj.ref, '', `Deleted job ${job.name}`);
  }

  private forget(cj: CronJob, job: Job): void {
    const a = cj.active.indexOf(job);
    if (a >= 0) cj.active.splice(a, 1);
    const children = this.caches.get(cj)!.children;
    const c = children.indexOf(job);
    if (c >= 0) children.splice(c, 1);
  }
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>` (getTimeHashInMinutes). */
export function jobName(cronJob: string, scheduledEpochMs: number): string {
  return `${cronJob}-${Math.floor(scheduledEpochMs / 60_000)}`;
}

/** byJobStartTime: a Job without a start time sorts last; ties by name. */
function byStartTime(a: Job, b: Job): number {
  if (a.startMs !== b.startMs) {
    if (a.startMs < 0) return 1;
    if (b.startMs < 0) return -1;
    return a.startMs - b.startMs;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: "Mon, 05 Jan 2026 00:01:00 +0000". */
function rfc1123z(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
