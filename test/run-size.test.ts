// How big a run will be, estimated before it starts (src/scenario/runSize.ts), and what capsim
// refuses (src/scenario/limits.ts): the quickstart's figures computed by hand and checked against
// a real run, the refusal of runs and sweeps past the limits with the flag that lifts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { estimateRunSize } from '../src/scenario/runSize.ts';
import { checkRunSize, excesses, RUN_LIMITS } from '../src/scenario/limits.ts';
import { InputError } from '../src/scenario/errors.ts';
import { capsim, readRun, scratchDir, writeScenario } from './support/run.ts';
import { runScenario } from '../src/run.ts';

test('the quickstart, by hand: 5 nodes, 17 pods at once, 29 created, 2,394 rows', async () => {
  const s = await loadScenario('scenarios/quickstart.yaml');
  const size = estimateRunSize(s);
  // Pools general (3) and memory (2); no autoscaler, so no pool grows.
  assert.deepEqual(size.nodes, { initial: 5, peak: 5, created: 5 });
  // At once: storefront 4 + a surge of ceil(25% x 4) = 1 during its rollout, cart 3, catalog 2,
  // search-index 2, the log-agent DaemonSet on each of the 5 nodes: 5 + 3 + 2 + 2 + 5 = 17.
  // Created: storefront 4 and 4 more for its rollout, cart 3, catalog 2, search-index 2, log-agent
  // 5 = 20; the drain of 1 node and the outage of us-east-1b (5 nodes over 3 zones) move the
  // pods of 1 + 5/3 nodes at 17/5 pods a node: 20 + 3.4 + 5.67 = 29.07.
  assert.deepEqual(size.pods, { peak: 17, created: 29 });
  assert.equal(size.largest.peak?.ref, 'DaemonSet/kube-system/log-agent');
  // 1d every 5m: 288 + 1 samples; 5 workloads (4 Deployments, 1 DaemonSet).
  assert.equal(size.samples, 289);
  const rows: Record<string, number> = Object.fromEntries(size.files.map((f) => [f.file, f.rows]));
  assert.deepEqual(rows, {
    'timeseries.csv': 289,
    'workloads.csv': 289 * 5,
    // 288 samples / 120 -> every 3rd sample: ceil(289 / 3) = 97, times 5 nodes.
    'node-utilization.csv': 97 * 5,
    'nodes.csv': 5,
    // 3 x 29.07 + 4 x (29.07 - 16 at the start) + 2 x 5 nodes + 4 x 4 scripted events = 165.5
    'events.csv': 165,
    'recommendations.csv': 5,
    'summary.json, scenario.resolved.yaml, report': 0,
  });
  assert.equal(size.rows, 289 + 1445 + 485 + 5 + 165 + 5);
  // The report (2.5 MB) is most of what is written; memory is Node's 95 MB, the report's 80 MB
  // and a few KB per pod and node.
  assert.ok(size.bytes > 2.5e6 && size.bytes < 3.5e6, `${size.bytes}`);
  assert.ok(size.memoryBytes > 170e6 && size.memoryBytes < 200e6, `${size.memoryBytes}`);
  assert.ok(size.wallMs > 500 && size.wallMs < 2000, `${size.wallMs}`);

  // Against the run itself: the CSVs' rows as estimated, events.csv within a factor of 1.5 (130).
  const out = path.join(scratchDir(), 'q');
  await runScenario(s, { outDir: out });
  const run = readRun(out);
  for (const file of ['timeseries.csv', 'workloads.csv', 'node-utilization.csv', 'nodes.csv', 'recommendations.csv']) {
    assert.equal(run.csv(file).length, size.files.find((f) => f.file === file)!.rows, file);
  }
  const events = run.csv('events.csv').length;
  assert.ok(events > 165 / 1.5 && events < 165 * 1.5, `${events} events`);
  assert.equal(run.summary.pods.scheduled, 26);
});

test('a longer run at a finer sampleEvery: rows and bytes scale with the samples', async () => {
  const s = await loadScenario('scenarios/quickstart.yaml', { set: ['spec.duration=1h', 'spec.sampleEvery=1ms', 'spec.events=[]'] });
  const size = estimateRunSize(s);
  // 3,600,000 ms / 1 ms + 1 samples, 5 workloads each.
  assert.equal(size.samples, 3_600_001);
  assert.equal(size.files.find((f) => f.file === 'workloads.csv')?.rows, 18_000_005);
  const [written] = excesses(size);
  assert.equal(written.what, 'written');
  assert.match(written.message, /^this run would write about 2\.4 GB \(workloads\.csv: 18 M rows, 3,600,001 samples x 5 workloads\); the limit is 2 GB$/);
  assert.match(written.hint, /raise spec\.sampleEvery .* or pass --allow-large to run it anyway/);
  assert.throws(() => checkRunSize(s), InputError);
  assert.equal(checkRunSize(s, { allowLarge: true }).samples, 3_600_001);
  // A sweep's run writes no workloads.csv: 3.6 M rows of timeseries.csv, about 430 MB.
  assert.deepEqual(excesses(estimateRunSize(s, { detail: false })), []);
});

test('10^7 replicas, 10^6 nodes, 100 years: each refused with the figure that goes past a limit', async () => {
  const replicas = estimateRunSize(await loadScenario('scenarios/quickstart.yaml', { set: ['spec.workloads[0].replicas=10000000'] }));
  const memory = excesses(replicas).find((e) => e.what === 'memory')!;
  // 8 KB a pod: 10 M replicas and a 25 % surge are about 100 GB.
  assert.match(memory.message, /would need about \d+ GB of memory \(13 M pods at once, 13 M of them from Deployment\/shop\/storefront: 10,000,000 replicas\); the limit is 4 GB/);
  assert.match(memory.hint, /NODE_OPTIONS=--max-old-space-size=\d+/);

  const nodes = estimateRunSize(await loadScenario('scenarios/quickstart.yaml', { set: ['spec.cluster.nodePools[0].count=1000000'] }));
  assert.equal(nodes.nodes.peak, 1_000_002);
  assert.deepEqual(excesses(nodes).map((e) => e.what), ['written', 'memory', 'wall']);

  const century = estimateRunSize(await loadScenario('scenarios/quickstart.yaml', { set: ['spec.duration=36500d'] }));
  // 36,500 days every 5 minutes: 10,512,001 samples, 5 workloads each; about 10 minutes of wall
  // time, but 6 GB of workloads.csv.
  assert.equal(century.samples, 10_512_001);
  assert.deepEqual(excesses(century).map((e) => e.what), ['written']);
  assert.match(excesses(century)[0].message, /^this run would write about 7\.\d GB \(workloads\.csv: 53 M rows, 10,512,001 samples x 5 workloads\); the limit is 2 GB$/);
  assert.equal(RUN_LIMITS.wallMs, 2 * 3_600_000);
});

/** One node that can grow to a million: the estimate counts the pool's max, the run never
 *  needs it (nothing is pending), so --allow-large runs it at once. */
const GROWABLE = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: growable}
spec:
  duration: 10m
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1, min: 1, max: 1000000}]
    autoscaler: {}
  workloads:
    - {name: web, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
`;

test('capsim run refuses with exit 2 and writes nothing; --allow-large runs it; validate says the same', () => {
  const file = writeScenario(GROWABLE);
  const out = path.join(scratchDir(), 'out');
  const refused = capsim('run', file, '--out', out, '--format', 'none');
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /nothing was run or written/);
  // 1,000,000 nodes at 6 KB: 6 GB.
  assert.match(refused.stderr, /scenario\.yaml: this run would need about 6\.\d GB of memory \(1\.0 M nodes\); the limit is 4 GB\n    hint: use fewer pods or nodes, or pass --allow-large to run it anyway/);
  assert.ok(!fs.existsSync(out), 'nothing written');

  const v = capsim('validate', file);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /would need about 6\.\d GB of memory/);

  const allowed = capsim('run', file, '--out', out, '--format', 'none', '--allow-large', '--quiet');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).nodes.max, 1);
  const va = capsim('validate', file, '--allow-large');
  assert.equal(va.code, 0, va.stderr);
  assert.match(va.stdout, /^size: up to 1\.0 M nodes and 1 pod at once \(1 created\)/m);
});

test('capsim validate prints the estimate on one line', () => {
  const v = capsim('validate', 'scenarios/quickstart.yaml');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout.split('\n')[1], /^size: up to 5 nodes and 17 pods at once \(29 created\), ~165 events, 2,394 rows and 2\.\d MB written, ~1\d\d MB of memory, ~1 s \(estimates\)$/);
  assert.match(capsim('run', '--help').stdout, /--allow-large/);
});

test('sweep: a run past the limits is named with its values; the total, the memory of the workers at once; --emit passes --allow-large on', () => {
  // 1 ms over a day: 86.4 M samples of timeseries.csv (a sweep's runs write no other CSV).
  const perRun = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--out', path.join(scratchDir(), 's'));
  assert.equal(perRun.code, 2, perRun.stderr);
  assert.match(perRun.stderr, /run c002 of the sweep \(spec\.sampleEvery=1ms\) would write about 10 GB \(timeseries\.csv: 86 M rows, 86,400,001 samples \(every 1ms over 1d\)\); the limit is 2 GB/);

  // 60 runs on 60 workers, each holding a run of about 100 MB.
  const memory = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.seed=1,2,3', '--seeds', '20', '--parallel', '60', '--out', path.join(scratchDir(), 's'));
  assert.equal(memory.code, 2, memory.stderr);
  assert.match(memory.stderr, /this sweep would need about \d+(\.\d)? GB of memory \(60 workers, each holding a run of up to \d+ MB\); the limit is 4 GB\n    hint: lower --parallel to \d+, or pass --allow-large/);

  // 500 runs of 30 days at 1 s (2.6 M samples at 40 us each: about 105 s each) on one worker.
  const total = capsim('sweep', 'scenarios/quickstart.yaml', '--set', 'spec.duration=30d', '--set', 'spec.sampleEvery=1s', '--vary', 'spec.seed=1', '--seeds', '500', '--parallel', '1', '--out', path.join(scratchDir(), 's'));
  assert.equal(total.code, 2, total.stderr);
  assert.match(total.stderr, /this sweep would take about \d+ hours \(500 runs of about \d minutes each on 1 worker\); the limit is 12 hours/);

  const k8s = path.join(scratchDir(), 'k8s');
  const emitted = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--emit', 'k8s-job', k8s);
  assert.equal(emitted.code, 2, 'a run past the limits is refused before its manifests are written');
  assert.equal(capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--emit', 'k8s-job', k8s, '--allow-large').code, 0);
  assert.match(fs.readFileSync(path.join(k8s, 'job.yaml'), 'utf8'), /- --allow-large\n/);
});
