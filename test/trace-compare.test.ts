// The replay against the trace, pod by pod (summary.json traces: comparedPods, scheduledDiff*,
// traceScheduledNeverBound, traceScheduledPendingAtEnd; record/tracePods.ts), on one node with
// one GPU shared as the Alibaba trace's pods share it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runFile, scratchDir } from './support/run.ts';

test('replay minus trace: shares of one GPU wait for room; a pod the trace ran stays pending', async () => {
  const dir = scratchDir('capsim-trace-compare-');
  // One GPU (1000 milli). a (600 milli) from 0 to 1000 s; b (600) created 100: no single GPU has
  // 600 free until a is deleted at 1000 (+ its 30 s grace: the kubelet frees it at 1030); the
  // trace had b at 110. c (500) created 200, deleted 400: never bound here, the trace ran it at
  // 205. d (2 whole GPUs, more than the node has) created 300: pending at the end; the trace ran
  // it at 300. e has no trace time: not compared.
  fs.writeFileSync(path.join(dir, 'pods.csv'), [
    'name,created,deleted,scheduled,requests.cpu,requests.alibabacloud.com/gpu-milli,limits.alibabacloud.com/gpu-milli,requests.nvidia.com/gpu,limits.nvidia.com/gpu',
    'a,0,1000,0,1,600,600,,',
    'b,100,,110,1,600,600,,',
    'c,200,400,205,1,500,500,,',
    'd,300,,300,1,,,2,2',
    'e,310,,,1,,,,',
  ].join('\n') + '\n');
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, `apiVersion: capsim/v1
kind: Scenario
metadata: {name: compared}
spec:
  duration: 1h
  sampleEvery: 1m
  cluster:
    nodePools:
      - name: gpu
        capacity: {cpu: "8", memory: 32Gi, pods: "110", nvidia.com/gpu: "1"}
        price: {onDemandPerHour: 0}
        count: 1
        labels: {alibabacloud.com/gpu-card-model: T4}
  traces:
    - file: pods.csv
`);
  const out = await runFile(file);
  const byPod = Object.fromEntries(out.csv('pods.csv').map((r) => [r.pod, r]));
  assert.equal(byPod['default/a']!.scheduled_t, '0');
  const bAt = Number(byPod['default/b']!.scheduled_t);
  // At 1030, when a's containers are gone (not at the scheduler's 5-minute flush, 1300: GpuShare
  // failures are requeued by a pod's removal, as NodeResourcesFit's are).
  assert.equal(bAt, 1030);
  assert.equal(byPod['default/c']!.scheduled_t, '');
  assert.equal(byPod['default/d']!.outcome, 'Pending');
  const t = out.summary.traces!;
  // a: 0 - 0 = 0; b: bAt - 110; e is not compared (no trace time), c and d were never bound.
  assert.deepEqual(
    [t.comparedPods, t.scheduledDiffP50Seconds, t.scheduledDiffP95Seconds, t.scheduledDiffMaxSeconds, t.traceScheduledNeverBound, t.traceScheduledPendingAtEnd],
    // Differences [0, 1030 - 110]: p50 by nearest rank the 1st of 2, p95 the 2nd. c and d never
    // bound; d still pending at the end.
    [2, 0, 920, 920, 2, 1],
  );
});

test('the report says it in a line: the delays beside the trace\'s, the difference, the pods never bound', async () => {
  const { tracesLines } = await import('../src/report/reportPage.ts');
  const lines = tracesLines({
    pods: 5, failedCreates: 0, scheduled: 3, neverScheduled: 2,
    queueingDelayP50Seconds: 0, queueingDelayP95Seconds: 930, queueingDelayMaxSeconds: 930,
    traceQueueingDelayP50Seconds: 0, traceQueueingDelayP95Seconds: 10, traceQueueingDelayMaxSeconds: 10,
    comparedPods: 2, scheduledDiffP50Seconds: 0, scheduledDiffP95Seconds: 920, scheduledDiffMaxSeconds: 920,
    traceScheduledNeverBound: 2, traceScheduledPendingAtEnd: 1,
  });
  assert.deepEqual(lines, [
    "Trace pods: 5 created, 3 bound (2 never); queueing delay p50 / p95 / max 0 s / 930 s / 930 s, the trace's own 0 s / 10 s / 10 s (pods.csv has each pod).",
    'Against the trace: of 2 pods both scheduled, the replay bound them 0 s (p50) and 920 s (p95) after the trace did (negative: earlier); 2 the trace scheduled were never bound here, 1 still pending at the end.',
  ]);
});
