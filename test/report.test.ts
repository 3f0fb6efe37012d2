// The report: chart specs valid against the vega-lite schema and drawn for every scenario,
// series folded to a readable number of points, figures derived by hand, escaping, and
// `capsim report` redrawing exactly what the run drew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { capsim, capsimCommand, scratchDir, writeScenario } from './support/run.ts';
import { BucketAggregator, MAX_POINTS, bucketSecondsFor } from '../src/report/buckets.ts';
import { loadRun, type NodeRow, type RunData } from '../src/report/runFiles.ts';
import { runCharts } from '../src/report/charts/index.ts';
import { nodesChart } from '../src/report/charts/nodes.ts';
import { wasteByPool } from '../src/report/charts/waste.ts';
import { compileChart, renderSvg, svgToPng } from '../src/report/render.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';
import { escapeHtml, jsonForScript, scopeSvgIds } from '../src/report/html.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/** One run of the quickstart shared by the tests that only read it. */
let quickstart: string | null = null;
function quickstartRun(): string {
  if (quickstart) return quickstart;
  const dir = path.join(scratchDir(), 'quickstart');
  const r = capsim('run', 'scenarios/quickstart.yaml', '--out', dir, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  return (quickstart = dir);
}

function schemaValidator() {
  const ajv = new Ajv({ strict: false, validateFormats: false, logger: false });
  const schema = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('vega-lite')), 'vega-lite-schema.json'), 'utf8'));
  return ajv.compile(schema);
}

test('buckets: a day at 5-minute samples is drawn as sampled; a week and a month are folded to round lengths', () => {
  assert.equal(bucketSecondsFor(86_400, 300), 300); // 289 points
  assert.equal(bucketSecondsFor(7 * 86_400, 300), 1800); // 2016 samples -> 337 half-hour buckets
  assert.equal(bucketSecondsFor(30 * 86_400, 60), 7200); // 43,200 samples -> 361 two-hour buckets
  // No round length up to a week is a multiple of 7 minutes: 16 samples (6720 s) per bucket.
  assert.equal(bucketSecondsFor(30 * 86_400, 420), 6720);
  for (const [duration, sample] of [[86_400, 300], [7 * 86_400, 300], [30 * 86_400, 60], [365 * 86_400, 60], [3600, 10]]) {
    assert.ok(duration / bucketSecondsFor(duration, sample) + 1 <= MAX_POINTS, `${duration}/${sample}`);
  }
});

test('buckets: gauges by their mean, counts by their sum, running totals by their max', () => {
  const fold = new BucketAggregator(['mean', 'sum', 'max'], 600);
  // Samples every 300 s: two per bucket.
  fold.add(0, [2, 1, 10]);
  fold.add(300, [4, 0, 12]);
  fold.add(600, [6, 3, 15]);
  assert.deepEqual(fold.rows(), [
    { t: 0, values: [3, 1, 12] },
    { t: 600, values: [6, 3, 15] },
  ]);
});

test('every chart of the quickstart validates against the vega-lite schema and renders to SVG', async () => {
  const run = await loadRun(quickstartRun());
  const validate = schemaValidator();
  const charts = runCharts(run);
  assert.deepEqual(charts.map((c) => c.name), ['cpu', 'memory', 'nodes', 'cost', 'carbon', 'pods', 'workloads', 'timeline', 'waste', 'cost-by-namespace', 'node-utilization']);
  for (const chart of charts) {
    assert.ok(validate(chart.spec), `${chart.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    const svg = await renderSvg(chart.spec);
    assert.match(svg, /^<svg [^>]*width="\d+"/);
    assert.ok(svg.includes('<path') || svg.includes('<rect'), chart.name);
  }
  // 289 samples over the day: drawn as sampled.
  assert.equal(run.cluster.length, 289);
  const png = svgToPng(await renderSvg(charts[0].spec));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('every chart of every scenario in scenarios/ renders to SVG and validates', async () => {
  const validate = schemaValidator();
  const scenarios = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  assert.ok(scenarios.length >= 19);
  const dir = scratchDir();
  for (const file of scenarios) {
    const out = path.join(dir, file);
    await runScenario(await loadScenario(path.join(ROOT, 'scenarios', file)), { outDir: out, report: ['svg'] });
    const run = await loadRun(out);
    for (const chart of runCharts(run)) {
      assert.ok(validate(chart.spec), `${file} ${chart.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      assert.deepEqual(compileChart(chart.spec).warnings, [], `${file} ${chart.name}: vega-lite warnings`);
      const svg = fs.readFileSync(path.join(out, 'charts', `${chart.name}.svg`), 'utf8');
      assert.ok(svg.length > 500 && svg.includes('</svg>'), `${file} ${chart.name}`);
    }
    // Long runs are folded: the week-long ones have half-hour buckets, no series longer than MAX_POINTS.
    assert.ok(run.cluster.length <= MAX_POINTS, `${file}: ${run.cluster.length} points`);
    for (const w of run.workloads) assert.ok(w.points.length <= MAX_POINTS);
  }
});

function fakeRun(nodes: Partial<NodeRow>[], durationSeconds: number, bucketSeconds: number): RunData {
  const full = nodes.map((n, i) => ({
    node: `n${i}`, pool: 'p', instanceType: '', capacityType: 'on-demand', zone: '', createdSeconds: 0, removedSeconds: null, costUsd: 0,
    cpuRequestedMeanPct: 0, cpuUsedMeanPct: 0, memoryRequestedMeanPct: 0, memoryUsedMeanPct: 0, cpuAllocatableMilli: 0, memoryAllocatableBytes: 0, readySeconds: 0,
    ...n,
  }));
  return { summary: { durationSeconds }, startEpochMs: 0, bucketSeconds, sampleSeconds: bucketSeconds, nodes: full, events: { nodeStates: [] } } as unknown as RunData;
}

test('nodes chart: each bucket counts a node for the share of it the node lived, by pool and capacity type', () => {
  const run = fakeRun(
    [
      { pool: 'general' },
      { pool: 'general', createdSeconds: 150, removedSeconds: 450 }, // half of [0,300), half of [300,600)
      { pool: 'spot', capacityType: 'spot', createdSeconds: 300 },
      { pool: '' }, // a Node manifest
    ],
    900,
    300,
  );
  const values = (nodesChart(run).spec as { data: { values: { time: number; group: string; nodes: number }[] } }).data.values;
  const at = (t: number, group: string) => values.find((v) => v.time === t * 1000 && v.group === group)?.nodes;
  assert.equal(at(0, 'general · on-demand'), 1.5);
  assert.equal(at(300, 'general · on-demand'), 1.5);
  assert.equal(at(600, 'general · on-demand'), 1);
  assert.equal(at(0, 'spot · spot'), 0);
  assert.equal(at(300, 'spot · spot'), 1);
  assert.equal(at(0, '(node manifests) · on-demand'), 1);
  // The last point is the end instant: the nodes alive then.
  assert.equal(at(900, 'general · on-demand'), 1);
});

test('waste by pool: used, requested but unused, and not requested, in resource-hours', () => {
  const gib = 2 ** 30;
  const run = fakeRun(
    [
      // 4 cores for 10 h = 40 core-hours: 25 % used (10), 60 % requested (24 -> 14 unused), 16 not requested.
      { pool: 'a', cpuAllocatableMilli: 4000, memoryAllocatableBytes: 16 * gib, readySeconds: 36_000, cpuUsedMeanPct: 25, cpuRequestedMeanPct: 60, memoryUsedMeanPct: 50, memoryRequestedMeanPct: 40 },
      // Usage above requests: nothing is "requested but unused".
      { pool: 'a', cpuAllocatableMilli: 2000, memoryAllocatableBytes: 8 * gib, readySeconds: 3600, cpuUsedMeanPct: 50, cpuRequestedMeanPct: 25, memoryUsedMeanPct: 0, memoryRequestedMeanPct: 0 },
    ],
    36_000,
    300,
  );
  const [cpu, memory] = wasteByPool(run);
  assert.equal(cpu.resource, 'CPU (core-hours)');
  assert.deepEqual([cpu.used, cpu.requestedUnused, cpu.notRequested], [10 + 1, 14 + 0, 16 + 1]);
  // 16 GiB x 10 h = 160 GiB-h: 80 used (over the 64 requested), 80 free; 8 GiB x 1 h all free.
  assert.deepEqual([memory.used, memory.requestedUnused, memory.notRequested], [80, 0, 80 + 8]);
});

test('node-utilization.csv: each node as a share of its allocatable, about 120 samples whatever the length', async () => {
  const file = writeScenario(`
apiVersion: capsim/v1
kind: Scenario
metadata: {name: one-node}
spec:
  duration: 2d
  sampleEvery: 1m
  cluster:
    nodePools:
      - {name: p, count: 1, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, kubeReserved: {}}
  workloads:
    - {name: w, replicas: 1, containers: [{name: c, resources: {requests: {cpu: "1", memory: 2Gi}}}]}
`);
  const out = path.join(scratchDir(), 'out');
  assert.equal(capsim('run', file, '--out', out, '--quiet', '--format', 'none').code, 0);
  assert.ok(!fs.existsSync(path.join(out, 'report.html')) && !fs.existsSync(path.join(out, 'charts')), '--format none writes no report');
  const rows = fs.readFileSync(path.join(out, 'node-utilization.csv'), 'utf8').trim().split('\n');
  assert.equal(rows[0], 't,time,node,cpu_requested_pct,cpu_used_pct,memory_requested_pct,memory_used_pct');
  // 2,881 samples (every minute for 2 days): every ceil(2880 / 120) = 24th, t = 0, 1440, ..., 172800 -> 121 rows.
  assert.equal(rows.length - 1, 121);
  assert.equal(rows[2].split(',')[0], '1440');
  // 1 core of 4 = 25 %; 2 GiB of 8 GiB less the 100Mi eviction threshold.
  const [, , node, cpuRequested, , memoryRequested] = rows[2].split(',');
  assert.equal(node, 'p-001');
  assert.equal(Number(cpuRequested), 25);
  assert.equal(Number(memoryRequested), Number(((100 * 2048) / (8192 - 100)).toFixed(4)));
  const nodes = fs.readFileSync(path.join(out, 'nodes.csv'), 'utf8').trim().split('\n');
  assert.match(nodes[0], /,cpu_allocatable_m,memory_allocatable_bytes,ready_seconds,nodepool,nodeclaim,price_usd_per_hour$/);
  // no Karpenter NodePool or NodeClaim; the pool's price: $4.80 over 48 hours is $0.10/h
  assert.match(nodes[1], /,4000,8485076992,172800,,,0\.1$/);
});

test('escaping: HTML text, JSON inside a script, and SVG ids per chart', () => {
  assert.equal(escapeHtml(`<script>alert("x") & 'y'</script>`), '&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;');
  const json = jsonForScript({ name: '</script><script>alert(1)</script>', line: 'a\u2028b' });
  assert.ok(!json.includes('</script'), json);
  assert.ok(!json.includes('\u2028'));
  assert.deepEqual(JSON.parse(json), { name: '</script><script>alert(1)</script>', line: 'a\u2028b' });
  assert.equal(scopeSvgIds('<clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g>', 'cpu'), '<clipPath id="cpu-clip1"></clipPath><g clip-path="url(#cpu-clip1)"><use href="#cpu-clip1"/></g>');
});

test('a workload named <script>alert(1)</script> shows as text in report.html, never as a tag', () => {
  const dir = path.join(scratchDir(), 'evil');
  fs.cpSync(quickstartRun(), dir, { recursive: true });
  const evil = 'Deployment/shop/<script>alert(1)</script>';
  for (const f of ['workloads.csv', 'summary.json', 'recommendations.csv', 'events.csv']) {
    const p = path.join(dir, f);
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replaceAll('Deployment/shop/cart', evil));
  }
  fs.rmSync(path.join(dir, 'report.html'));
  const r = capsim('report', dir, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('Deployment/shop/&lt;script&gt;alert(1)&lt;/script&gt;'), 'the name appears escaped in the tables');
  // Our own scripts only: the three libraries, the specs' JSON, the boot script and the resources blocks' copy buttons.
  assert.equal(html.match(/<script\b/g)!.length, 6);
  assert.ok(!html.includes('<script>alert(1)'));
  const svg = fs.readFileSync(path.join(dir, 'charts', 'workloads.svg'), 'utf8');
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && !svg.includes('<script>'));
});

test('capsim report redraws byte for byte what the run drew, in any time zone, and PNG on request', () => {
  const dir = path.join(scratchDir(), 'again');
  fs.cpSync(quickstartRun(), dir, { recursive: true });
  const before = new Map(['report.html', 'charts/cpu.svg', 'charts/workloads.svg', 'charts/node-utilization.svg'].map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  fs.rmSync(path.join(dir, 'charts'), { recursive: true });
  fs.rmSync(path.join(dir, 'report.html'));
  const r = capsim('report', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /11 chart files in .*charts\/\nReport: .*report\.html\n/);
  for (const [f, bytes] of before) assert.ok(fs.readFileSync(path.join(dir, f)).equals(bytes), `${f} differs`);
  // Axes are in UTC: a machine in another zone draws the same bytes.
  const zoned = spawnReport(dir, 'Asia/Kolkata');
  assert.equal(zoned, 0);
  for (const [f, bytes] of before) assert.ok(fs.readFileSync(path.join(dir, f)).equals(bytes), `${f} differs in Asia/Kolkata`);
  assert.equal(capsim('report', dir, '--format', 'png', '--quiet').code, 0);
  assert.ok(fs.existsSync(path.join(dir, 'charts', 'cost.png')));
});

function spawnReport(dir: string, tz: string): number | null {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  return spawnSync(process.execPath, capsimCommand('report', dir, '--quiet'), { cwd: ROOT, env: { ...process.env, TZ: tz } }).status;
}

test('report: a directory that is not a run, or a bad --format, is an input error (exit 2)', () => {
  const empty = scratchDir();
  const r = capsim('report', empty);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /summary\.json: not found: is this the directory of a finished run\?\n    hint: /);
  const bad = capsim('run', 'scenarios/quickstart.yaml', '--out', path.join(empty, 'x'), '--format', 'html,pdf');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: unknown report format "pdf"\n    hint: use any of html, svg, png/);
  assert.ok(!fs.existsSync(path.join(empty, 'x')));
});

test('the report puts carbon beside cost: cards, the at-a-glance line, list prices, and the Carbon chart from hourly.csv', async () => {
  // scenarios/fleet-cost-prices.yaml: AWS m5.2xlarge at a rate card, a 28 % Savings Plan and a
  // spot price history; summary.json says $78.95 charged, $93.66 at list prices, 7.021 kg CO2e.
  const out = path.join(scratchDir(), 'prices');
  const r = capsim('run', 'scenarios/fleet-cost-prices.yaml', '--out', out, '--format', 'html', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /Carbon, kg CO2e<\/div><div class="value">7\.021</);
  assert.match(html, /\$78\.95 over 2d .*; \$93\.66 at list prices, before spec\.pricing&#39;s discounts\./);
  assert.match(html, /emitted 7\.021 kg CO2e .*; the largest share went to Deployment\/shop\/api/);
  const run = await loadRun(out);
  // Two pools over 48 hours (the spot pool has nodes from the first hour).
  assert.deepEqual([...new Set(run.hourly!.map((h) => h.pool))], ['general', 'spot']);
  assert.ok(Math.abs(run.hourly!.reduce((t, h) => t + h.costUsd, 0) - 78.95) < 0.01);
  const carbon = runCharts(run).find((c) => c.name === 'carbon')!;
  const areas = (carbon.spec as { layer: { data: { values: { kg: number }[] } }[] }).layer[0].data.values;
  assert.ok(Math.abs(areas.reduce((t, a) => t + a.kg, 0) - 7.021) < 0.001);
});
