// Batch arrivals as a client of the API: at each arrival (cron or Poisson, arrivals.ts) a new Job
// `<name>-<n>` is created from the declared one, as `kubectl create job` would. The declared Job
// is a template that never runs itself; its copies' pods aggregate under it and take its
// behaviour.
import type { ApiServer } from '../api/apiServer.ts';
import { newJob } from '../api/workloads.ts';
import type { RandomStream } from '../engine/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { JobObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import { Phase } from '../phases.ts';
import type { ArrivalSpec } from '../workload/arrivals.ts';
import { arrivalProcess, scheduleArrivals } from '../workload/arrivals.ts';

export function startJobArrivals(api: ApiServer, clock: Simulation, template: JobObject, spec: ArrivalSpec, stream: RandomStream, untilMs: number): void {
  const ref = objectRef(template);
  const process = arrivalProcess(spec, api.startEpochMs, stream);
  scheduleArrivals(clock, process, Phase.Controller, untilMs, (n) => {
    const name = `${template.metadata.name}-${n}`;
    const job = newJob({ ...template, metadata: { ...template.metadata, name } }, { workload: ref }, clock.nowMs);
    if (api.jobs.add(job)) api.emit('SuccessfulCreate', ref, '', `Created job ${name}`);
    else api.emit('FailedCreate', ref, '', `Error creating: jobs.batch "${name}" already exists`);
  });
}
