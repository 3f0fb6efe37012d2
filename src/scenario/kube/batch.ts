// batch/v1 Job and CronJob: schemas with upstream field names and conversion with upstream
// defaults (pkg/apis/batch/v1/defaults.go).
import { z } from 'zod';
import type { CronJobObject, JobObject, JobSpecModel, JobStatusModel } from '../../model/objects.ts';
import { anything, count } from '../fields.ts';
import { cronProblem } from '../cron.ts';
import { kubeObject, labelSelector, templateMeta } from './meta.ts';
import { podTemplateSpec, toPodTemplate } from './pod.ts';
import { checkSelector, toMeta, type Convert } from './convert.ts';
import { labelSelectorAsSelector } from '../../model/labelSelector.ts';
import type { PathPart } from '../source.ts';

export const jobSpec = z.strictObject({
  parallelism: count.optional(),
  completions: count.optional(),
  activeDeadlineSeconds: z.number().int().min(1).optional(),
  podFailurePolicy: anything.optional(),
  successPolicy: anything.optional(),
  backoffLimit: count.optional(),
  backoffLimitPerIndex: count.optional(),
  maxFailedIndexes: count.optional(),
  selector: labelSelector.optional(),
  manualSelector: z.boolean().optional(),
  template: podTemplateSpec,
  ttlSecondsAfterFinished: count.optional(),
  completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
  suspend: z.boolean().optional(),
  podReplacementPolicy: z.enum(['TerminatingOrFailed', 'Failed']).optional(),
  managedBy: z.string().optional(),
});

/** What a cluster's Job has done: read so that a finished Job is history and an unfinished one
 *  goes on from its counts (scenario/clusterState.ts); every other status field is accepted. */
const jobStatus = z.looseObject({
  succeeded: count.optional().describe('Pods that succeeded so far: counted toward completions'),
  failed: count.optional().describe('Pods that failed so far: counted toward backoffLimit'),
  completedIndexes: z.string().optional().describe('An Indexed Job\'s completed indexes, e.g. "1,3-5"'),
  completionTime: z.string().nullable().optional().describe('Set when the Job completed: it is history'),
  conditions: z.array(z.looseObject({ type: z.string(), status: z.string().optional() })).optional().describe('A Complete or Failed condition with status "True" makes the Job history'),
});

export const jobSchema = kubeObject({ spec: jobSpec, status: jobStatus.optional() });

type JobStatusInput = z.output<typeof jobStatus>;

/** The Job's finish: a Complete or Failed condition that is True (or, for output without
 *  conditions, completionTime), as IsJobFinished reads it. */
function toJobStatus(status: JobStatusInput): JobStatusModel {
  const condition = (status.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && (c.status ?? 'True') === 'True');
  const finished = condition ? (condition.type as 'Complete' | 'Failed') : status.completionTime ? 'Complete' : null;
  return { succeeded: status.succeeded ?? 0, failed: status.failed ?? 0, completedIndexes: status.completedIndexes ?? '', finished };
}

export const cronJobSchema = kubeObject({
  spec: z.strictObject({
    schedule: z.string().min(1),
    timeZone: z.string().optional(),
    startingDeadlineSeconds: count.optional(),
    concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).optional(),
    suspend: z.boolean().optional(),
    jobTemplate: z.strictObject({ metadata: templateMeta.optional(), spec: jobSpec }),
    successfulJobsHistoryLimit: count.optional(),
    failedJobsHistoryLimit: count.optional(),
  }),
});

type JobSpecInput = z.output<typeof jobSpec>;

/** SetDefaults_Job: parallelism 1; completions 1 only when neither is set (a Job with only
 *  parallelism is a work queue and keeps completions nil); backoffLimit 6. */
function toJobSpec(spec: JobSpecInput, cv: Convert, path: PathPart[]): JobSpecModel {
  const restart = spec.template.spec.restartPolicy;
  const restartPath = [...path, 'template', 'spec', 'restartPolicy'];
  if (restart === undefined) {
    cv.problem(restartPath, 'Required value: valid values: "OnFailure", "Never"', 'a Job\'s pods run to completion; set restartPolicy: OnFailure (restart the container) or Never (replace the pod)');
  } else if (restart === 'Always') {
    cv.problem(restartPath, 'unsupported value "Always"', 'supported values: "OnFailure", "Never"');
  }
  if (spec.manualSelector && spec.selector && labelSelectorAsSelector(spec.selector)?.(spec.template.metadata?.labels ?? {}) === false) {
    cv.problem([...path, 'template', 'metadata', 'labels'], '`selector` does not match template `labels`');
  }
  checkSelector(spec.selector, cv, [...path, 'selector']);
  const bothUnset = spec.parallelism === undefined && spec.completions === undefined;
  return {
    parallelism: spec.parallelism ?? 1,
    completions: bothUnset ? 1 : spec.completions ?? null,
    completionMode: spec.completionMode ?? 'NonIndexed',
    backoffLimit: spec.backoffLimit ?? 6,
    activeDeadlineSeconds: spec.activeDeadlineSeconds ?? null,
    ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished ?? null,
    suspend: spec.suspend ?? false,
    template: toPodTemplate(spec.template, cv, [...path, 'template'], 'Never'),
  };
}

export function toJob(o: z.output<typeof jobSchema>, cv: Convert): JobObject {
  const job: JobObject = { kind: 'Job', apiVersion: o.apiVersion, metadata: toMeta(o.metadata, true), source: cv.source, spec: toJobSpec(o.spec, cv, ['spec']) };
  if (o.status) job.status = toJobStatus(o.status);
  return job;
}

export function toCronJob(o: z.output<typeof cronJobSchema>, cv: Convert): CronJobObject {
  const spec = o.spec;
  const problem = cronProblem(spec.schedule);
  if (problem) cv.problem(['spec', 'schedule'], `invalid schedule "${spec.schedule}": ${problem}`, 'e.g. "*/15 * * * *" (every 15 minutes) or "0 2 * * *" (02:00 daily)');
  return {
    kind: 'CronJob',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      schedule: spec.schedule,
      timeZone: spec.timeZone ?? null,
      concurrencyPolicy: spec.concurrencyPolicy ?? 'Allow',
      suspend: spec.suspend ?? false,
      startingDeadlineSeconds: spec.startingDeadlineSeconds ?? null,
      successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? 3,
      failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? 1,
      jobTemplate: {
        metadata: { labels: spec.jobTemplate.metadata?.labels ?? {}, annotations: spec.jobTemplate.metadata?.annotations ?? {} },
        spec: toJobSpec(spec.jobTemplate.spec, cv, ['spec', 'jobTemplate', 'spec']),
      },
    },
  };
}
