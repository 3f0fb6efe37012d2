// How big a run will be, estimated before it starts (src/size/runSize.ts), and what capsim
// refuses (src/size/limits.ts): the quickstart's figures computed by hand and checked against a
// real run, each refusal through the CLI (exit 2, nothing written, the estimate and the flag),
// validate's estimate, and the limits of a sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { HPA_SYNC_MS, estimateRunSize } from '../src/size/runSize.ts';
import { HPA_SYNC_PERIOD_MS } from '../src/controllers/hpa/horizontal.ts';
import { RUN_LIMITS, SWEEP_LIMITS, checkRunSize, excesses } from '../src/size/limits.ts';
import { formatBytes, formatWall } from '../src/scenario/limits.ts';
import { InputError } from '../src/scenario/errors.ts';
import { DEFAULT_FORMATS } from '../src/report/formats.ts';
import { capsim, readRun, scratchDir, writeScenario } from './support/run.ts';
import { runScenario } from '../src/run.ts';

/** Bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((n, e) => n + (e.isFile() ? fs.statSync(path.join(e.parentPath, e.name)).size : 0), 0);
}

test('the quickstart, by hand: 5 nodes, 17 pods at once, 29 created, 2,994 rows; the run writes them', async () => {
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
    // 5 nodes x 24 hours, each hour a row for its idle cost and one per workload on the node: at
    // most min(5 workloads, ceil(17 pods / 5 nodes) = 4): 120 x 5 = 600 (the run writes 507).
    'focus.csv': 600,
    'summary.json, scenario.resolved.yaml, report': 0,
  });
  assert.equal(size.rows, 289 + 1445 + 485 + 5 + 165 + 5 + 600);
  // The report (2 MB) and focus.csv (600 rows of 960 bytes) are most of what is written; memory
  // is Node's 95 MB, the report's 80 MB and a few KB per pod and node; the time is Node's start
  // (0.5 s) and the report's 0.6 s.
  assert.ok(size.bytes > 2.5e6 && size.bytes < 3.1e6, `${size.bytes}`);
  assert.ok(size.memoryBytes > 170e6 && size.memoryBytes < 200e6, `${size.memoryBytes}`);
  assert.ok(size.wallMs > 1000 && size.wallMs < 1500, `${size.wallMs}`);

  // Against the run itself, report included: the CSVs' rows as estimated but events.csv, which is
  // within a factor of 1.5 (130 rows); the bytes within a factor of 1.5 (2.36 MB estimated, 2.37
  // MB written when this was written: the report's 2.1 MB varies with the charts' data).
  const out = path.join(scratchDir(), 'q');
  await runScenario(s, { outDir: out, report: DEFAULT_FORMATS });
  const run = readRun(out);
  for (const file of ['timeseries.csv', 'workloads.csv', 'node-utilization.csv', 'nodes.csv', 'recommendations.csv']) {
    assert.equal(run.csv(file).length, size.files.find((f) => f.file === file)!.rows, file);
  }
  const focusRows = run.csv('focus.csv').length;
  assert.ok(focusRows > 600 / 1.5 && focusRows <= 600, `${focusRows} focus rows`);
  const events = run.csv('events.csv').length;
  assert.ok(events > 165 / 1.5 && events < 165 * 1.5, `${events} events`);
  const written = bytesUnder(out);
  assert.ok(size.bytes / written > 1 / 1.5 && size.bytes / written < 1.5, `estimated ${size.bytes} bytes, wrote ${written}`);
  assert.equal(run.summary.pods.scheduled, 26);
  // The estimate's copy of the HPA's sync period is the controller's.
  assert.equal(HPA_SYNC_MS, HPA_SYNC_PERIOD_MS);
});

test('a finer sampleEvery: rows and bytes scale with the samples; a sweep run writes only the series', async () => {
  const s = await loadScenario('scenarios/quickstart.yaml', { set: ['spec.duration=1h', 'spec.sampleEvery=1ms', 'spec.events=[]'] });
  const size = estimateRunSize(s);
  // 3,600,000 ms / 1 ms + 1 samples, 5 workloads each.
  assert.equal(size.samples, 3_600_001);
  assert.equal(size.files.find((f) => f.file === 'workloads.csv')?.rows, 18_000_005);
  const [written] = excesses(size);
  assert.equal(written.what, 'written');
  // workloads.csv: 18 M rows of 85 bytes and the workload's name, 24 characters on average
  // (Deployment/shop/cart to DaemonSet/kube-system/log-agent): 1.96 GB; timeseries.csv 3.6 M x
  // 120 bytes: 0.43 GB.
  assert.match(written.message, /^this run would write about 2\.4 GB \(workloads\.csv: 18 M rows, 3,600,001 samples x 5 workloads\); the limit is 2 GB$/);
  assert.match(written.hint, /^raise spec\.sampleEvery .* or pass --allow-large to run it anyway$/);
  assert.throws(() => checkRunSize(s), InputError);
  assert.equal(checkRunSize(s, { allowLarge: true }).samples, 3_600_001);
  // A sweep's run writes no workloads.csv: 3.6 M rows of timeseries.csv, about 430 MB.
  assert.deepEqual(excesses(estimateRunSize(s, { detail: false })), []);
});

/** `capsim run quickstart --set ...` refused: exit 2, the messages, and nothing in its directory. */
function refused(sets: string[], ...expected: RegExp[]): void {
  const dir = scratchDir();
  const r = capsim('run', 'scenarios/quickstart.yaml', ...sets.flatMap((s) => ['--set', s]), '--out', path.join(dir, 'out'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^capsim: \d problems? in the input; nothing was run or written\.\n/);
  for (const e of expected) assert.match(r.stderr, e);
  // No output directory, no temporary next to it, no lock.
  assert.deepEqual(fs.readdirSync(dir), []);
}

test('capsim run refuses 10^6 nodes, 10^8 replicas, 100 years and a 1 ms sampleEvery, with the estimate and the flag', () => {
  // 1,000,000 + 1 general and 2 memory nodes; the log-agent DaemonSet puts a pod on each.
  refused(
    ['spec.cluster.nodePools[0].count=1000000'],
    // 97 samples of node-utilization.csv (every 3rd of 289) x 1,000,002 nodes x 80 bytes: 7.8 GB.
    /scenarios\/quickstart\.yaml: this run would write about 8\.\d GB \(node-utilization\.csv: 97 M rows, 97 samples x 1,000,002 nodes\); the limit is 2 GB\n    hint: use fewer nodes, or pass --allow-large to run it anyway/,
    // 1,000,002 nodes at 6 KB and their 1,000,002 DaemonSet pods at 8 KB: 14 GB.
    /this run would need about 1\d GB of memory \(1\.0 M pods at once, 1\.0 M of them from DaemonSet\/kube-system\/log-agent: one pod on each of 1,000,002 nodes\); the limit is 4 GB\n    hint: use fewer pods, or pass --allow-large to run it anyway \(Node may then need a larger heap: NODE_OPTIONS=--max-old-space-size=\d+\)/,
    // Each DaemonSet pod filters every node: 10^6 x 10^6 x 0.15 us = 1.7 days.
    /this run would take about \d+ days \(placing 1\.\d M pods on up to 1\.0 M nodes, 1\.0 M from DaemonSet\/kube-system\/log-agent: one pod on each of 1,000,002 nodes\); the limit is 2 hours\n    hint: use fewer pods or nodes, or pass --allow-large/,
  );
  refused(
    ['spec.workloads[0].replicas=100000000'],
    // 10^8 replicas and a 25 % surge during the rollout at 6 KB each: 750 GB, and 1 KB for each
    // pod replaced (the rollout's and those the drain and the outage move): 974 GB.
    /this run would need about 9\d\d GB of memory \(125 M pods at once, 125 M of them from Deployment\/shop\/storefront: 100,000,000 replicas\); the limit is 4 GB/,
    /this run would write about \d+ GB \(events\.csv: /,
    /this run would take about [\d,]+ (days|years) \(placing/,
  );
  refused(
    ['spec.duration=36500d'],
    // 36,500 days every 5 minutes: 10,512,001 samples, 5 workloads each.
    /this run would write about 7\.\d GB \(workloads\.csv: 53 M rows, 10,512,001 samples x 5 workloads\); the limit is 2 GB\n    hint: raise spec\.sampleEvery or shorten spec\.duration \(every sample writes a row, and one per workload\), or pass --allow-large to run it anyway/,
  );
  refused(
    ['spec.sampleEvery=1ms'],
    // A day every millisecond: 86,400,001 samples.
    /this run would write about \d\d GB \(workloads\.csv: 432 M rows, 86,400,001 samples x 5 workloads\); the limit is 2 GB/,
  );
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

test('--allow-large runs what is refused; validate prints the estimate and the limits passed', () => {
  const file = writeScenario(GROWABLE);
  const out = path.join(scratchDir(), 'out');
  const refusedRun = capsim('run', file, '--out', out, '--format', 'none');
  assert.equal(refusedRun.code, 2, refusedRun.stderr);
  // 1,000,000 nodes at 6 KB: 6.1 GB; their rows (11 samples of node-utilization.csv, nodes.csv,
  // NodeAdded and NodeReady events: 1.4 GB) wait in memory for the hour to end, 1.3 times: 1.8 GB.
  assert.match(refusedRun.stderr, /scenario\.yaml: this run would need about 7\.\d GB of memory \(1\.0 M nodes\); the limit is 4 GB\n    hint: use fewer nodes \(or a lower max for an autoscaled pool\), or pass --allow-large to run it anyway/);
  assert.ok(!fs.existsSync(out), 'nothing written');

  const v = capsim('validate', file);
  assert.equal(v.code, 2);
  assert.match(v.stdout, /^size: up to 1\.0 M nodes and 1 pod at once \(1 created\), .* \(estimates\)\n$/);
  assert.match(v.stderr, /would need about 7\.\d GB of memory/);

  const allowed = capsim('run', file, '--out', out, '--format', 'none', '--allow-large', '--quiet');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).nodes.max, 1);
  const va = capsim('validate', file, '--allow-large');
  assert.equal(va.code, 0, va.stderr);
  assert.match(va.stdout, /^size: up to 1\.0 M nodes and 1 pod at once \(1 created\)/m);
  assert.match(va.stdout, /^note: past a limit, run only with --allow-large: this run would need about 7\.\d GB of memory \(1\.0 M nodes\); the limit is 4 GB$/m);
});

test('capsim validate prints the estimate on one line; run and sweep --help name --allow-large', () => {
  const v = capsim('validate', 'scenarios/quickstart.yaml');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout.split('\n')[1], /^size: up to 5 nodes and 17 pods at once \(29 created\), ~165 events, 2,994 rows and 2\.\d MB written, ~1\d\d MB of memory, ~1 s \(estimates\)$/);
  // The help names the limits as size/limits.ts has them: 2 GB, 4 GB, 2 hours; 12 hours for a sweep.
  const help = capsim('run', '--help').stdout.replace(/\s+/g, ' ');
  const { writtenBytes, memoryBytes, wallMs } = RUN_LIMITS;
  assert.ok(help.includes(`--allow-large Run it even when it would write more than ${formatBytes(writtenBytes)}, need more than ${formatBytes(memoryBytes)} of memory or take more than ${formatWall(wallMs)} (a sweep: ${formatBytes(SWEEP_LIMITS.writtenBytes)}, ${formatBytes(SWEEP_LIMITS.memoryBytes)} at once, ${formatWall(SWEEP_LIMITS.wallMs)} in all)`), help);
  assert.match(capsim('sweep', '--help').stdout, /--allow-large/);
  assert.match(capsim('validate', '--help').stdout, /--allow-large/);
});

test('sweep: a run past the limits is named with its values; the total, the memory of the workers at once; --emit passes --allow-large on', () => {
  // 1 ms over a day: 86.4 M samples of timeseries.csv (a sweep's runs write no other CSV).
  const dir = scratchDir();
  const perRun = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--out', path.join(dir, 's'));
  assert.equal(perRun.code, 2, perRun.stderr);
  assert.match(perRun.stderr, /run c002 of the sweep \(spec\.sampleEvery=1ms\) would write about 10 GB \(timeseries\.csv: 86 M rows, 86,400,001 samples \(every 1ms over 1d\)\); the limit is 2 GB/);
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');

  // 60 runs on 60 workers, each holding a run of about 100 MB.
  const memory = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.seed=1,2,3', '--seeds', '20', '--parallel', '60', '--out', path.join(dir, 's'));
  assert.equal(memory.code, 2, memory.stderr);
  assert.match(memory.stderr, /this sweep would need about \d+(\.\d)? GB of memory \(60 workers, each holding a run of up to \d+ MB\); the limit is 4 GB\n    hint: lower --parallel to \d+, or pass --allow-large/);

  // 5,000 runs of 30 days at 1 s (2.6 M samples at 15 us each and a row each: about 42 s a run)
  // on one worker: 58 hours.
  const total = capsim('sweep', 'scenarios/quickstart.yaml', '--set', 'spec.duration=30d', '--set', 'spec.sampleEvery=1s', '--vary', 'spec.seed=1', '--seeds', '5000', '--parallel', '1', '--out', path.join(dir, 's'));
  assert.equal(total.code, 2, total.stderr);
  assert.match(total.stderr, /this sweep would take about \d+ (hours|days) \(5,000 runs of about \d+ s each on 1 worker\); the limit is 12 hours/);
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');

  const k8s = path.join(scratchDir(), 'k8s');
  const emitted = capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--emit', 'k8s-job', k8s);
  assert.equal(emitted.code, 2, 'a run past the limits is refused before its manifests are written');
  assert.ok(!fs.existsSync(k8s));
  assert.equal(capsim('sweep', 'scenarios/quickstart.yaml', '--vary', 'spec.sampleEvery=5m,1ms', '--emit', 'k8s-job', k8s, '--allow-large').code, 0);
  assert.match(fs.readFileSync(path.join(k8s, 'job.yaml'), 'utf8'), /- --allow-large\n/);
});
