// capsim init --example NAME: each example is written, validates and runs as shipped (the built
// CLI in dist/, which must carry src/cli/examples/), and does what its comments promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, parseCsv, scratchDir } from './support/run.ts';
import { EXAMPLES } from '../src/cli/init.ts';

type Row = Record<string, string>;
const csv = (dir: string, name: string): Row[] => parseCsv(fs.readFileSync(path.join(dir, name), 'utf8'));

/** init --example NAME into a scratch directory, validate it, run it: the output directory. */
function initAndRun(name: string): { out: string; summary: any } {
  const dir = scratchDir(`capsim-init-${name}-`);
  const init = capsim('init', dir, '--example', name);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, new RegExp(`Wrote .*scenario\\.yaml \\(example ${name}\\)`));
  const file = path.join(dir, 'scenario.yaml');
  assert.match(fs.readFileSync(file, 'utf8'), /^# /, 'the example starts with its comments');
  const v = capsim('validate', file);
  assert.equal(v.code, 0, v.stderr);
  const out = path.join(dir, 'out');
  const r = capsim('run', file, '--out', out, '--format', 'none');
  assert.equal(r.code, 0, r.stderr);
  return { out, summary: JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) };
}

const maxOf = (rows: Row[], column: string) => Math.max(...rows.map((r) => Number(r[column])));

test('init --list names every example; plain init still writes the starter', () => {
  const list = capsim('init', '--list');
  assert.equal(list.code, 0, list.stderr);
  for (const name of Object.keys(EXAMPLES)) assert.match(list.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  assert.deepEqual(Object.keys(EXAMPLES).sort(), fs.readdirSync(path.resolve(import.meta.dirname, '../src/cli/examples')).map((f) => f.replace(/\.yaml$/, '')).sort(),
    'every file in src/cli/examples/ is offered, and every example offered has its file');
  const dir = scratchDir();
  assert.equal(capsim('init', dir).code, 0);
  assert.equal(fs.readFileSync(path.join(dir, 'scenario.yaml'), 'utf8'), fs.readFileSync(path.resolve(import.meta.dirname, '../src/cli/starter.yaml'), 'utf8'));
  const bad = capsim('init', dir, '--example', 'webshop');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Choices: "microservices", "batch", "gpu"/);
});

test('init --example microservices: the storefront HPA scales 3 -> about 15 at the 14:00 peak, on spot nodes Karpenter launches', () => {
  const { out, summary } = initAndRun('microservices');
  const storefront = csv(out, 'workloads.csv').filter((r) => r.workload === 'Deployment/shop/storefront');
  // Peak demand 600 x 1.7 = 1,020 requests/s x 2m = 2,040m (+20m a pod) over a 150m target
  // (60 % of 250m): about 14-15 replicas; the night's 180 requests/s need the minimum, 3.
  const peak = maxOf(storefront, 'replicas_desired');
  assert.ok(peak >= 13 && peak <= 17, `storefront peaks at ${peak} replicas`);
  assert.equal(Math.min(...storefront.map((r) => Number(r.replicas_desired))), 3);
  const atPeak = storefront.find((r) => Number(r.replicas_desired) === peak)!;
  const hour = new Date(atPeak.time).getUTCHours();
  assert.ok(hour >= 11 && hour <= 17, `the peak is around 14:00, at ${atPeak.time}`);
  const api = csv(out, 'workloads.csv').filter((r) => r.workload === 'Deployment/shop/api');
  assert.ok(maxOf(api, 'replicas_desired') > 2, 'the api HPA (capsim\'s short metric form) scales up too');
  const nodes = csv(out, 'nodes.csv');
  assert.ok(nodes.length >= 4, `Karpenter launched ${nodes.length} nodes`);
  assert.ok(nodes.some((n) => n.capacity_type === 'spot'), 'spot nodes are used');
  assert.ok(nodes.every((n) => ['m5.xlarge', 'm5.2xlarge'].includes(n.instance_type)));
  assert.ok(csv(out, 'workloads.csv').some((r) => r.workload === 'CronJob/shop/nightly-report' && Number(r.replicas_ready) > 0), 'the 02:00 CronJob ran');
  assert.ok(summary.demand.servedPct > 99, `demand served ${summary.demand.servedPct} %`);
});

test('init --example batch: the cluster autoscaler grows the batch pool for the 02:00 ETL and shrinks it back', () => {
  const { out } = initAndRun('batch');
  const batch = csv(out, 'nodes.csv').filter((n) => n.pool === 'batch');
  // 8 ETL pods of 2 CPU on c5.2xlarge (8 vCPU, ~7.9 CPU allocatable: 3 pods a node) need 3
  // nodes: the one kept by min: 1 and 2 added at the first night's 02:00 (7,200 s) scan.
  const added = batch.filter((n) => Number(n.created_t) > 0);
  assert.ok(added.some((n) => Number(n.created_t) >= 7200 && Number(n.created_t) < 7200 + 60), 'nodes are added within a minute of 02:00');
  assert.ok(added.some((n) => n.removed_t !== ''), 'added nodes are removed once empty');
  const ts = csv(out, 'timeseries.csv');
  assert.equal(Number(ts.at(-1)!.pods_pending), 0);
  assert.ok(maxOf(ts, 'nodes') >= 4, '1 system node + 3 batch nodes at the ETL');
  // The Jobs' pods are annotated safe-to-evict: "false": scale-down waits for them, evicts none.
  assert.equal(csv(out, 'events.csv').filter((e) => e.type === 'Evicted').length, 0);
});

test('init --example gpu: GPU nodes are added from zero for the training Jobs and every pod is placed', () => {
  const { out, summary } = initAndRun('gpu');
  const gpu = csv(out, 'nodes.csv').filter((n) => n.pool === 'gpu');
  assert.ok(gpu.length > 3, `${gpu.length} GPU nodes: 2 for inference at the start, more for the Jobs`);
  assert.ok(gpu.every((n) => n.instance_type === 'aws/g4dn.xlarge'));
  assert.ok(gpu.some((n) => n.removed_t !== ''), 'idle GPU nodes are removed');
  assert.equal(Number(csv(out, 'timeseries.csv').at(-1)!.pods_pending), 0);
  assert.ok(summary.cost.totalUsd > 0);
});
