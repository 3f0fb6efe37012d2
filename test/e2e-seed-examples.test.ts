// The shipped scenarios, end to end, against numbers worked out by hand from the seed notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFile } from './support/run.ts';

test('E5 + E4: requests decide placement; limits overcommit; two pods stay Pending', async () => {
  // One node: 1 CPU, 1Gi - 100Mi evictionHard = 924Mi allocatable; pods request 256Mi each.
  // floor(924 / 256) = 3 pods fit (my-pod-with-resources + 2 of web's 4 replicas).
  const run = await runFile('scenarios/e05-requests-limits.yaml');
  assert.equal(run.summary.pods.scheduled, 3);
  assert.equal(run.summary.pods.unschedulable, 2);
  const failed = run.events('FailedScheduling');
  assert.ok(failed.length >= 1);
  assert.ok(failed[0].message.startsWith('0/1 nodes are available: 1 Insufficient memory.'), failed[0].message);
  // 3 x 256Mi requested of 924Mi allocatable, for the whole hour: 83.1169%
  assert.equal(run.summary.utilization.memoryRequestedPct, 83.1169);
  const last = run.csv('timeseries.csv').at(-1)!;
  assert.equal(last.memory_requested_bytes, String(3 * 256 * 1024 * 1024));
  assert.equal(last.pods_pending, '2');
});

test('E16 + E17: 100 pods admitted, the 101st refused with the upstream quota message; LimitRange defaults applied', async () => {
  const run = await runFile('scenarios/e16-e17-quota-limitrange.yaml');
  assert.equal(run.summary.pods.scheduled, 100);
  const refused = run.events('FailedCreate');
  assert.equal(refused.length, 1, 'the same refusal is reported once, not on every retry');
  assert.match(
    refused[0].message,
    /^Error creating: pods "demo-[a-z0-9]+-" is forbidden: exceeded quota: demo-resourcequota, requested: pods=1, used: pods=100, limited: pods=100$/,
  );
  // Every pod got the LimitRange's default request: 100 x 200m = 20000m, 100 x 128Mi.
  const last = run.csv('timeseries.csv').at(-1)!;
  assert.equal(last.cpu_requested_m, '20000');
  assert.equal(last.memory_requested_bytes, String(100 * 128 * 1024 * 1024));
  const workload = run.csv('workloads.csv').filter((r) => r.workload === 'Deployment/demo/demo').at(-1)!;
  assert.equal(workload.replicas_desired, '101');
  assert.equal(workload.replicas_ready, '100');
});

test('E27: the 600m pod lands on the node with 1,800m free', async () => {
  const run = await runFile('scenarios/e27-scheduler-scoring.yaml');
  const scheduled = run.events('Scheduled').find((e) => e.object === 'Pod/default/web');
  assert.equal(scheduled?.node, 'node-b');
  assert.equal(scheduled?.message, 'Successfully assigned default/web to node-b');
  // The pinned fillers bypass the scheduler (spec.nodeName) and stay where they were put.
  assert.equal(run.events('Scheduled').find((e) => e.object === 'Pod/default/filler-a')?.node, 'node-a');
});

test('E27 with MostAllocated selected in the scenario: the fuller node wins by one point', async () => {
  // MostAllocated: node-a cpu 1700/2000 -> 85, memory 1536/4096 -> 37, (85+37)/2 = 61;
  //                node-b cpu 800/2000 -> 40, memory 37, (40+37)/2 = 38.
  // BalancedAllocation 76 vs 98, TaintToleration 300 each: node-a 437, node-b 436.
  const run = await runFile('scenarios/e27-scheduler-scoring.yaml', { set: ['spec.cluster.scheduler.scoringStrategy=MostAllocated'] });
  assert.equal(run.events('Scheduled').find((e) => e.object === 'Pod/default/web')?.node, 'node-a');
});
