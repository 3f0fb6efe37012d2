// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
// ttlSecondsAfterFinished is deleted, with its pods, once finishTime + ttl has passed.
import type { ApiServer } from '../api/apiServer.ts';
import { deleteJob } from '../api/garbageCollector.ts';
import type { Job } from '../api/workloads.ts';
import type { Simulation } from '../engine/simulation.ts';
import { Phase } from '../phases.ts';
import type { ControllerContext } from './context.ts';

export class TtlAfterFinishedController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly armed = new WeakSet<Job>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    api.jobs.watch({ updated: (job) => this.jobUpdated(job) });
  }

  /** The Job controller writes a Job's status once more when it finishes. */
  private jobUpdated(job: Job): void {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (!job.finished || ttl === null || this.armed.has(job)) return;
    this.armed.add(job);
    this.clock.schedule(job.finished.atMs + ttl * 1000, Phase.Controller, () => {
      if (job.deleted) return;
      this.api.emit('Deleted', job.ref, '', `Deleted ${ttl}s after it finished (ttlSecondsAfterFinished)`);
      deleteJob(this.api, job, 'ttlSecondsAfterFinished');
    });
  }
}
