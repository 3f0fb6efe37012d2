// Jobs, CronJobs and arrivals end to end, against numbers worked out by hand from upstream's
// controllers (pkg/controller/job, pkg/controller/cronjob) and the seed notes (E9, E24, E31).
// Scenarios start at the default 2026-01-05T00:00:00Z = 29,459,520 minutes since the epoch, so
// the Job a CronJob schedules for minute k of the run is named <cronjob>-(29459520 + k).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../src/engine/random.ts';
import { CronSchedule } from '../src/workload/cron.ts';
import { sampleRunDurationMs } from '../src/workload/runDuration.ts';
import { runFile, runYaml } from './support/run.ts';
import type { RunOutput } from './support/run.ts';

const START_MINUTE = 29_459_520;

const header = (name: string, duration = '1h', seed = 1) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  seed: ${seed}
  duration: ${duration}
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
`;

/** A Job manifest with one small container; `spec` lines are indented under spec:. */
const job = (name: string, spec: string, extraPod = '') => `
    - apiVersion: batch/v1
      kind: Job
      metadata: {name: ${name}}
      spec:
${spec.trim().split('\n').map((l) => `        ${l.trim()}`).join('\n')}
        template:
          spec:
            containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
            restartPolicy: Never
${extraPod}`;

const cronJob = (name: string, spec: string) => `
    - apiVersion: batch/v1
      kind: CronJob
      metadata: {name: ${name}}
      spec:
        schedule: "* * * * *"
${spec.trim().split('\n').map((l) => `        ${l.trim()}`).join('\n')}
        jobTemplate:
          spec:
            template:
              spec:
                terminationGracePeriodSeconds: 5
                containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
                restartPolicy: OnFailure
`;

const seconds = (e: Record<string, string>) => Number(e.t);
const at = (run: RunOutput, type: string, prefix = '') => run.events(type).filter((e) => e.object.startsWith(prefix)).map(seconds);

// ---- Job ------------------------------------------------------------------------------------

test('Job parallelism 2, completions 5, 10-minute runs: pods finish at 10, 10, 20, 20, 30 min; Complete at 30 min', async () => {
  // manageJob: wantActive = min(completions - succeeded, parallelism): 2 at t=0, 2 at 10 min
  // (5 - 2 = 3 left), 1 at 20 min (5 - 4); at 30 min succeeded = 5 and nothing is active.
  const run = await runYaml(`${header('job-basic')}
  manifests:${job('batch', 'parallelism: 2\ncompletions: 5')}
  behavior:
    - {target: Job/default/batch, run: {duration: 10m}}
`);
  assert.deepEqual(at(run, 'Completed', 'Pod/default/batch-'), [600, 600, 1200, 1200, 1800]);
  assert.deepEqual(run.events('JobCompleted').map((e) => [seconds(e), e.object, e.message]), [[1800, 'Job/default/batch', 'Job completed']]);
  for (const e of run.events('Scheduled')) assert.match(e.object, /^Pod\/default\/batch-[a-z0-9]{5}$/);
  // replicas_desired is the pods the Job wants active: 2, 2, 1, then 0 once complete.
  const desired = new Map(run.csv('workloads.csv').filter((r) => r.workload === 'Job/default/batch').map((r) => [r.t, r.replicas_desired]));
  assert.deepEqual([desired.get('0'), desired.get('600'), desired.get('1200'), desired.get('1800')], ['2', '2', '1', '0']);
  assert.equal(run.summary.pods.scheduled, 5);
});

test('work-queue Job (completions unset): parallelism pods, no more after the first success, done when the last one ends', async () => {
  // Three pods start at t=0 with lognormal run times drawn from the stream run/Job/default/queue
  // (median 10 min, sigma 0.5). Once one succeeds wantActive = active: nothing new is created,
  // and the Job completes when the third pod ends.
  const run = await runYaml(`${header('job-queue', '2h', 5)}
  manifests:${job('queue', 'parallelism: 3')}
  behavior:
    - {target: Job/default/queue, run: {duration: {lognormal: {median: 10m, sigma: 0.5}}}}
`);
  const stream = new RandomStreams(5).stream('run/Job/default/queue');
  const draws = [0, 1, 2].map(() => sampleRunDurationMs({ lognormal: { medianMs: 600_000, sigma: 0.5 } }, stream) / 1000).sort((a, b) => a - b);
  assert.deepEqual(at(run, 'Completed', 'Pod/default/queue-').sort((a, b) => a - b), draws);
  assert.equal(run.summary.pods.scheduled, 3);
  assert.deepEqual(at(run, 'JobCompleted'), [draws[2]]);
});

test('Indexed Job: pods named <job>-<index>-<suffix>, the lowest pending index first', async () => {
  // completions 3, parallelism 2: indexes 0 and 1 at t=0, index 2 when the first ones finish.
  const run = await runYaml(`${header('job-indexed')}
  manifests:${job('render', 'completions: 3\nparallelism: 2\ncompletionMode: Indexed')}
  behavior:
    - {target: Job/default/render, run: {duration: 5m}}
`);
  const scheduled = run.events('Scheduled').map((e) => [seconds(e), e.object.replace(/-[a-z0-9]{5}$/, '-xxxxx')]);
  assert.deepEqual(scheduled, [
    [0, 'Pod/default/render-0-xxxxx'],
    [0, 'Pod/default/render-1-xxxxx'],
    [300, 'Pod/default/render-2-xxxxx'],
  ]);
  assert.deepEqual(at(run, 'JobCompleted'), [600]);
});

test('activeDeadlineSeconds: the running pod is deleted at the deadline, the Job Failed once it is gone', async () => {
  // status.startTime = 0; at 300 s pastActiveDeadline: the pod is deleted (10 s grace) and the
  // Job gets FailureTarget; the Failed condition and its event wait for the pod: 310 s.
  const run = await runYaml(`${header('job-deadline')}
  manifests:${job('train', 'activeDeadlineSeconds: 300', '            terminationGracePeriodSeconds: 10')}
  behavior:
    - {target: Job/default/train, run: {duration: 10m}}
`);
  assert.deepEqual(run.events('Killed').map((e) => [seconds(e), e.message]), [[300, 'Deleted by Job train: DeadlineExceeded']]);
  assert.deepEqual(run.events('JobFailed').map((e) => [seconds(e), e.object, e.message]), [
    [310, 'Job/default/train', 'DeadlineExceeded: Job was active longer than specified deadline'],
  ]);
  assert.equal(run.events('Completed').length, 0);
});

test('E24 db-backup, backoffLimit 3, restartPolicy Never: replacements 10 s, 20 s, 40 s after each failure', async () => {
  // The container uses 100Mi under a 64Mi limit: OOM-killed as it starts, the pod Failed.
  // Failures at 0, 10, 30, 70 s (back-off 10 s x 2^(failures-1) from the last failure,
  // backoff_utils.go); the 4th failure exceeds backoffLimit 3: Failed at 70 s.
  const run = await runYaml(`${header('e24')}
  manifests:
    - apiVersion: batch/v1
      kind: Job
      metadata: {name: db-backup}
      spec:
        backoffLimit: 3
        template:
          spec:
            containers: [{name: backup, image: b, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}}]
            restartPolicy: Never
  behavior:
    - target: Job/default/db-backup
      usage: {backup: {memory: {base: 100Mi}}}
      run: {duration: 10m}
`);
  assert.deepEqual(at(run, 'Failed', 'Pod/default/db-backup-'), [0, 10, 30, 70]);
  assert.deepEqual(run.events('JobFailed').map((e) => [seconds(e), e.message]), [[70, 'BackoffLimitExceeded: Job has reached the specified backoff limit']]);
  assert.equal(run.summary.pods.scheduled, 4);
});

test('restartPolicy OnFailure: container restarts count against backoffLimit (pastBackoffLimitOnFailure)', async () => {
  // Memory grows 50Mi + 840Mi/h: the 64Mi limit is crossed 60 s after each start. OOM at 60
  // (restart at once, 1), 120 (back-off 10 s: restart 2 at 130), 190 (20 s: restart 3 at 210).
  // Three restarts >= backoffLimit 3: the pod is deleted at 210, Failed once it is gone (30 s).
  const run = await runYaml(`${header('onfailure')}
  manifests:
    - apiVersion: batch/v1
      kind: Job
      metadata: {name: db-backup}
      spec:
        backoffLimit: 3
        template:
          spec:
            containers: [{name: backup, image: b, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}}]
            restartPolicy: OnFailure
  behavior:
    - target: Job/default/db-backup
      usage: {backup: {memory: {base: 50Mi, leakPerHour: 840Mi, noise: 0}}}
      run: {duration: 10m}
`);
  assert.deepEqual(at(run, 'OOMKilled'), [60, 120, 190]);
  assert.deepEqual(at(run, 'Killed'), [210]);
  assert.deepEqual(run.events('JobFailed').map((e) => [seconds(e), e.message]), [[240, 'BackoffLimitExceeded: Job has reached the specified backoff limit']]);
  assert.equal(run.summary.pods.scheduled, 1);
});

test('ttlSecondsAfterFinished: the Job and its pods are deleted that long after it finished', async () => {
  // Two pods run 5 min: Complete at 300 s; ttl 60 s: deleted at 360 s with both (finished) pods.
  const run = await runYaml(`${header('job-ttl')}
  manifests:${job('report', 'completions: 2\nparallelism: 2\nttlSecondsAfterFinished: 60')}
  behavior:
    - {target: Job/default/report, run: {duration: 5m}}
`);
  assert.deepEqual(at(run, 'JobCompleted'), [300]);
  const deleted = run.events('Deleted');
  assert.deepEqual(deleted.filter((e) => e.object === 'Job/default/report').map(seconds), [360]);
  const pods = deleted.filter((e) => e.object.startsWith('Pod/'));
  assert.equal(pods.length, 2);
  for (const e of pods) {
    assert.equal(seconds(e), 360);
    assert.equal(e.message, 'Garbage-collected: Job report was deleted (ttlSecondsAfterFinished)');
  }
});

test('a suspended Job creates no pods', async () => {
  const run = await runYaml(`${header('job-suspend')}
  manifests:${job('later', 'suspend: true')}
`);
  assert.equal(run.summary.pods.scheduled, 0);
  assert.deepEqual(run.events('Suspended').map((e) => [seconds(e), e.message]), [[0, 'Job suspended']]);
});

test('a Job with no run: behaviour runs its pods for the default 60 s', async () => {
  const run = await runYaml(`${header('job-default-run')}
  manifests:${job('quick', 'completions: 1')}
`);
  assert.deepEqual(at(run, 'JobCompleted'), [60]);
});

// ---- CronJob ---------------------------------------------------------------------------------

test('CronJob every minute for 10 min: 10 Jobs named <cronjob>-<scheduled minute since the epoch>', async () => {
  // robfig Next(t) is strictly after t: the CronJob, created at 00:00, first fires at 00:01.
  const run = await runYaml(`${header('cron-every-minute', '10m')}
  manifests:${cronJob('hello', 'concurrencyPolicy: Allow')}
  behavior:
    - {target: CronJob/default/hello, run: {duration: 5s}}
`);
  const created = run.events('SuccessfulCreate').map((e) => [seconds(e), e.object, e.message]);
  assert.deepEqual(created, Array.from({ length: 10 }, (_, i) => [60 * (i + 1), 'CronJob/default/hello', `Created job hello-${START_MINUTE + i + 1}`]));
  // Each Job's pod runs 5 s: Complete at 65, 125, ..., 545 (the 600 s one ends after the run).
  assert.deepEqual(at(run, 'JobCompleted'), Array.from({ length: 9 }, (_, i) => 60 * (i + 1) + 5));
  assert.equal(run.events('SawCompletedJob')[0].message, `Saw completed job: hello-${START_MINUTE + 1}, status: Complete`);
});

test('concurrencyPolicy Forbid: no new Job while one runs; the missed time starts as soon as it ends', async () => {
  // Runs take 130 s. J(1) runs 60-190; at 120 and 180 JobAlreadyActive. At 190 the most recent
  // scheduled time is 180 (never started, no startingDeadlineSeconds): J(3) at 190, ends 320;
  // J(5) at 320 (for 300), J(7) at 450, J(9) at 580 (for 540), still running at 600.
  const run = await runYaml(`${header('cron-forbid', '10m')}
  manifests:${cronJob('hello', 'concurrencyPolicy: Forbid')}
  behavior:
    - {target: CronJob/default/hello, run: {duration: 130s}}
`);
  const created = run.events('SuccessfulCreate').map((e) => [seconds(e), e.message]);
  assert.deepEqual(created, [[60, 1], [190, 3], [320, 5], [450, 7], [580, 9]].map(([t, k]) => [t, `Created job hello-${START_MINUTE + k}`]));
  assert.deepEqual(at(run, 'JobAlreadyActive'), [120, 180, 240, 300, 360, 420, 480, 540, 600]);
});

test('concurrencyPolicy Forbid with startingDeadlineSeconds: a time missed by more than the deadline is dropped', async () => {
  // Same 130 s runs, startingDeadlineSeconds 5: mostRecentScheduleTime looks no further back
  // than now - 5 s, so when J(1) ends at 190 the 180 s time is out of reach and the next Job
  // waits for 240 s: J(1) 60, J(4) 240, J(7) 420, J(10) 600. Upstream drops such times without
  // the MissSchedule event (kubernetes#101148): the tooLate check can no longer fire.
  const run = await runYaml(`${header('cron-deadline', '10m')}
  manifests:${cronJob('hello', 'concurrencyPolicy: Forbid\nstartingDeadlineSeconds: 5')}
  behavior:
    - {target: CronJob/default/hello, run: {duration: 130s}}
`);
  assert.deepEqual(run.events('SuccessfulCreate').map((e) => [seconds(e), e.message]), [[60, 1], [240, 4], [420, 7], [600, 10]].map(([t, k]) => [t, `Created job hello-${START_MINUTE + k}`]));
  assert.deepEqual(at(run, 'JobAlreadyActive'), [120, 180, 300, 360, 480, 540]);
  assert.equal(run.events('MissSchedule').length, 0);
});

test('concurrencyPolicy Replace: the running Job is deleted (with its pod) when the next one starts', async () => {
  // 90 s runs never finish within the minute: every later Job replaces the one before.
  const run = await runYaml(`${header('cron-replace', '10m')}
  manifests:${cronJob('hello', 'concurrencyPolicy: Replace')}
  behavior:
    - {target: CronJob/default/hello, run: {duration: 90s}}
`);
  assert.equal(run.events('SuccessfulCreate').length, 10);
  assert.deepEqual(run.events('SuccessfulDelete').map((e) => [seconds(e), e.message]), Array.from({ length: 9 }, (_, i) => [60 * (i + 2), `Deleted job hello-${START_MINUTE + i + 1}`]));
  // Each replaced Job's running pod is garbage-collected at the same instant.
  assert.deepEqual(at(run, 'Deleted', 'Pod/default/hello-'), Array.from({ length: 9 }, (_, i) => 60 * (i + 2)));
  assert.equal(run.events('JobCompleted').length, 0);
});

test('successfulJobsHistoryLimit 3: older finished Jobs are deleted, oldest first', async () => {
  // 10 s runs: Jobs finish at 70, 130, ..., 550 (9 by the end). The 4th finished Job (250 s)
  // makes the first one excess, and so on: 6 deletions, of hello-(+1) ... hello-(+6).
  const run = await runYaml(`${header('cron-history', '10m')}
  manifests:${cronJob('hello', 'concurrencyPolicy: Allow')}
  behavior:
    - {target: CronJob/default/hello, run: {duration: 10s}}
`);
  assert.deepEqual(run.events('SuccessfulDelete').map((e) => [seconds(e), e.message]), Array.from({ length: 6 }, (_, i) => [60 * (i + 4) + 10, `Deleted job hello-${START_MINUTE + i + 1}`]));
  // 10 created - 6 deleted: the 3 newest finished Jobs and the one still running remain.
  const workload = run.csv('workloads.csv').filter((r) => r.workload === 'CronJob/default/hello');
  assert.equal(workload.find((r) => r.t === '600')?.replicas_desired, '1');
});

test('CronJob schedules: robfig semantics for steps, ranges, names, the day-of-month/day-of-week rule, macros and time zones', () => {
  const next = (schedule: string, from: string, zone: string | null = null) => {
    const t = CronSchedule.parse(schedule, zone).next(Date.parse(from));
    return t === null ? null : new Date(t).toISOString();
  };
  assert.equal(next('*/15 * * * *', '2026-01-05T00:00:00Z'), '2026-01-05T00:15:00.000Z');
  assert.equal(next('0 2 * * *', '2026-01-05T02:00:00Z'), '2026-01-06T02:00:00.000Z'); // strictly after
  assert.equal(next('0 9 * * mon-fri', '2026-01-09T10:00:00Z'), '2026-01-12T09:00:00.000Z'); // Fri -> Mon
  // Both day fields restricted: either matches (the 13th or a Friday); one `*`: both must.
  assert.equal(next('0 0 13 * 5', '2026-01-05T00:00:00Z'), '2026-01-09T00:00:00.000Z');
  assert.equal(next('0 0 13 * *', '2026-01-05T00:00:00Z'), '2026-01-13T00:00:00.000Z');
  assert.equal(next('5/20 * * * *', '2026-01-05T00:06:00Z'), '2026-01-05T00:25:00.000Z'); // N/step = N-59/step
  assert.equal(next('0 0 * * 7', '2026-01-05T00:00:00Z'), '2026-01-11T00:00:00.000Z'); // 7 = Sunday
  assert.equal(next('@weekly', '2026-01-05T00:00:00Z'), '2026-01-11T00:00:00.000Z');
  assert.equal(next('@monthly', '2026-01-05T00:00:00Z'), '2026-02-01T00:00:00.000Z');
  assert.equal(next('0 0 30 2 *', '2026-01-05T00:00:00Z'), null); // never
  // 02:00 in New York is 07:00Z in winter and 06:00Z in summer; 02:30 does not exist on the
  // spring-forward day (2026-03-08) and is skipped.
  assert.equal(next('0 2 * * *', '2026-01-05T00:00:00Z', 'America/New_York'), '2026-01-05T07:00:00.000Z');
  assert.equal(next('0 2 * * *', '2026-07-01T00:00:00Z', 'America/New_York'), '2026-07-01T06:00:00.000Z');
  assert.equal(next('30 2 * * *', '2026-03-08T00:00:00Z', 'America/New_York'), '2026-03-09T06:30:00.000Z');
  assert.throws(() => CronSchedule.parse('* * * * *', 'Mars/Olympus_Mons'), RangeError);
});

test('E9 hello CronJob (scenarios/e09-cronjob.yaml): 60 Jobs in the hour, 3 finished ones kept', async () => {
  // Jobs at 00:01 ... 01:00; 5 s runs end at 65 ... 3545 s (59 in the hour); history keeps 3, so
  // 59 - 3 = 56 Jobs are deleted with their pods.
  const run = await runFile('scenarios/e09-cronjob.yaml');
  assert.equal(run.events('SuccessfulCreate').length, 60);
  assert.equal(run.events('SuccessfulCreate')[0].message, `Created job hello-${START_MINUTE + 1}`);
  assert.equal(run.events('JobCompleted').length, 59);
  assert.equal(run.events('SuccessfulDelete').length, 56);
  assert.equal(run.summary.pods.scheduled, 60);
  assert.equal(run.summary.pods.unschedulable, 0);
});

// ---- arrivals ---------------------------------------------------------------------------------

const arrivalsYaml = (seed: number) => `${header('arrivals', '1d', seed)}
  manifests:${job('report', 'completions: 1')}${job('etl', 'completions: 1')}
  behavior:
    - {target: Job/default/report, arrivals: {poissonPerHour: 4}, run: {duration: 2m}}
    - {target: Job/default/etl, arrivals: {cron: "0 2 * * *"}, run: {duration: 20m}}
`;

test('Poisson arrivals: exponential gaps from the stream arrivals/<ref>, the same for the same seed', async () => {
  // Mean gap 3,600 s / 4 = 900 s, each gap round(Exp(900,000 ms)) drawn in turn.
  const run = await runYaml(arrivalsYaml(11));
  const stream = new RandomStreams(11).stream('arrivals/Job/default/report');
  const expected: number[] = [];
  for (let t = Math.round(stream.exponential(900_000)); t <= 86_400_000; t += Math.round(stream.exponential(900_000))) expected.push(t / 1000);
  const created = run.events('SuccessfulCreate').filter((e) => e.object === 'Job/default/report');
  assert.deepEqual(created.map(seconds), expected);
  assert.deepEqual(created.slice(0, 3).map((e) => e.message), ['Created job report-1', 'Created job report-2', 'Created job report-3']);
  // About 4 an hour for 24 h.
  assert.ok(expected.length > 60 && expected.length < 140, String(expected.length));
  // Reproducible for a seed, different for another.
  const again = await runYaml(arrivalsYaml(11));
  assert.deepEqual(again.events('SuccessfulCreate').map(seconds), run.events('SuccessfulCreate').map(seconds));
  const other = await runYaml(arrivalsYaml(12));
  assert.notDeepEqual(other.events('SuccessfulCreate').filter((e) => e.object === 'Job/default/report').map(seconds), expected);
});

test('cron arrivals: a new Job at each scheduled time; the declared Job does not run at t=0', async () => {
  const run = await runYaml(arrivalsYaml(11));
  const etl = run.events('SuccessfulCreate').filter((e) => e.object === 'Job/default/etl');
  assert.deepEqual(etl.map((e) => [seconds(e), e.message]), [[7200, 'Created job etl-1']]);
  // Its pods are named after the arrival Job and aggregate under the declared one.
  assert.deepEqual(run.events('Scheduled').filter((e) => e.object.startsWith('Pod/default/etl')).map((e) => [seconds(e), e.object.replace(/[a-z0-9]{5}$/, 'xxxxx')]), [[7200, 'Pod/default/etl-1-xxxxx']]);
  assert.deepEqual(at(run, 'JobCompleted', 'Job/default/etl'), [7200 + 1200]);
  const rows = run.csv('workloads.csv').filter((r) => r.workload === 'Job/default/etl');
  assert.equal(rows.find((r) => r.t === '7260')?.replicas_ready, '1');
});

test('scenarios/batch-arrivals.yaml: nightly ETL at 02:00 on both days, reports cleaned up by TTL', async () => {
  const run = await runFile('scenarios/batch-arrivals.yaml');
  assert.deepEqual(run.events('SuccessfulCreate').filter((e) => e.object === 'Job/batch/etl').map(seconds), [7200, 93600]);
  const reports = run.events('SuccessfulCreate').filter((e) => e.object === 'Job/batch/report').length;
  assert.ok(reports > 150 && reports < 240, String(reports)); // ~4/h x 48 h = 192
  assert.equal(run.events('JobFailed').length, 0);
  // Every report Job that finished more than 600 s before the end was deleted by its TTL.
  const endS = 172_800;
  const finished = run.events('JobCompleted').filter((e) => e.object.startsWith('Job/batch/report-') && seconds(e) + 600 <= endS);
  const deleted = new Set(run.events('Deleted').filter((e) => e.object.startsWith('Job/')).map((e) => e.object));
  for (const e of finished) assert.ok(deleted.has(e.object), e.object);
});

test('E31-E33 (scenarios/e31-gpu-training-job.yaml): GPU Jobs queue for the 4 GPUs; the 2-GPU pod never fits', async () => {
  const run = await runFile('scenarios/e31-gpu-training-job.yaml');
  // 1 (mnist-demo) + 3 sweep pods start at once; the other 3 sweep pods wait for a GPU.
  assert.equal(run.events('Scheduled').filter((e) => seconds(e) === 0).length, 4);
  assert.equal(run.events('Scheduled').filter((e) => e.object.startsWith('Pod/ml/mnist-sweep-')).length, 6);
  for (const e of run.events('Scheduled')) assert.match(e.node, /^gpu-00[1-4]$/);
  assert.deepEqual(run.events('JobCompleted').map((e) => e.object).sort(), ['Job/ml/mnist-demo', 'Job/ml/mnist-sweep']);
  // digits asks for 2 GPUs on 1-GPU nodes: Pending for the whole run.
  assert.equal(run.summary.pods.unschedulable, 1);
  assert.match(run.events('FailedScheduling').find((e) => e.object.startsWith('Pod/ml/digits-'))!.message, /Insufficient nvidia\.com\/gpu/);
});
