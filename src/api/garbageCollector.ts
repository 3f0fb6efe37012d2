// Cascading deletion (pkg/controller/garbagecollector, foreground propagation as kubectl and the
// CronJob and TTL-after-finished controllers ask for it): the owner leaves the API and its
// dependents are deleted with it. capsim deletes them in the same instant, which is when upstream's
// garbage collector would start; running pods still terminate gracefully.
import type { ApiServer } from './apiServer.ts';
import type { Job } from './workloads.ts';

/** Deletes a Job and, through the garbage collector, its pods: running ones terminate
 *  gracefully, finished ones go at once. */
export function deleteJob(api: ApiServer, job: Job, why: string): void {
  if (job.deleted) return;
  job.deleted = true;
  const pods = [...api.podsOwnedBy(job.ref)];
  api.jobs.delete(job);
  for (const pod of pods) api.deletePod(pod, 'Deleted', `Garbage-collected: Job ${job.name} was deleted (${why})`);
}
