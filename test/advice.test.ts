// summary.json `advice` (src/advice/): the fleet packing worked by hand, the advice items, the
// resources blocks, the terminal tables, and what a run writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { findInstanceType, type InstanceType } from '../src/cost/catalog.ts';
import { binOf, cheapestFleet, firstFitDecreasing, type BinShape } from '../src/advice/binPack.ts';
import { fleetAdvice } from '../src/advice/fleet.ts';
import { buildAdvice } from '../src/advice/advice.ts';
import { resourcesYaml } from '../src/advice/resourcesYaml.ts';
import { adviceTables, flow, topWorkloads } from '../src/advice/adviceTables.ts';
import type { PeakPod, PeakSnapshot } from '../src/advice/collect.ts';
import type { RecommendationRow } from '../src/controllers/vpa/controller.ts';
import type { Summary } from '../src/outputs/summary.ts';
import { summaryProblems } from '../src/outputs/summaryCheck.ts';
import { runYaml, runFile } from './support/run.ts';
import { writeReport } from '../src/report/report.ts';

const MI = 2 ** 20;
const GI = 2 ** 30;
const NO_DAEMONS: BinShape = { cpuMilli: 0, memoryBytes: 0, pods: 0, gpu: 0 };
const type = (id: string) => findInstanceType(id)!;
const M5 = ['aws/m5.large', 'aws/m5.xlarge', 'aws/m5.2xlarge'].map(type);
/** 10 pods of 1 CPU / 2Gi. */
const TEN = Array.from({ length: 10 }, () => ({ cpuMilli: 1000, memoryBytes: 2 * GI, gpu: 0 }));

// EKS allocatable (cloud/reservedResources.ts, the formula `capsim catalog` prints):
//  m5.xlarge  4 vCPU 16384Mi maxPods 58: CPU 4000 − (60 + 10 + 5 + 5) = 3920m; memory
//             16384 − (255 + 11 × 58) − 100 (eviction) = 15391Mi.
//  m5.2xlarge 8 vCPU: CPU 8000 − (60 + 10 + 5 + 5 + 4 × 2.5) = 7910m; 32768 − 893 − 100 = 31775Mi.
//  m5.large   2 vCPU 8192Mi maxPods 29: 2000 − 70 = 1930m; 8192 − (255 + 319) − 100 = 7518Mi.
test('a catalog type as a bin: its EKS allocatable less the DaemonSet pods', () => {
  assert.deepEqual(binOf(type('aws/m5.xlarge'), NO_DAEMONS), { cpuMilli: 3920, memoryBytes: 15391 * MI, pods: 58, gpu: 0 });
  assert.deepEqual(binOf(type('aws/m5.2xlarge'), NO_DAEMONS), { cpuMilli: 7910, memoryBytes: 31775 * MI, pods: 58, gpu: 0 });
  // A log agent of 100m / 128Mi on every node.
  assert.deepEqual(binOf(type('aws/m5.xlarge'), { cpuMilli: 100, memoryBytes: 128 * MI, pods: 1, gpu: 0 }), { cpuMilli: 3820, memoryBytes: 15263 * MI, pods: 57, gpu: 0 });
});

test('first-fit-decreasing: 10 pods of 1 CPU / 2Gi need 4 m5.xlarge (3 a node: 3920m) or 2 m5.2xlarge (7 a node)', () => {
  assert.equal(firstFitDecreasing(TEN, binOf(type('aws/m5.xlarge'), NO_DAEMONS)), 4);
  assert.equal(firstFitDecreasing(TEN, binOf(type('aws/m5.2xlarge'), NO_DAEMONS)), 2);
  assert.equal(firstFitDecreasing(TEN, binOf(type('aws/m5.large'), NO_DAEMONS)), 10);
  // With a 100m DaemonSet pod per node an m5.xlarge still holds 3 (3820m).
  assert.equal(firstFitDecreasing(TEN, binOf(type('aws/m5.xlarge'), { cpuMilli: 100, memoryBytes: 128 * MI, pods: 1, gpu: 0 })), 4);
  // Pod slots bind: 5 tiny pods, 2 slots a node -> 3 nodes.
  assert.equal(firstFitDecreasing(Array.from({ length: 5 }, () => ({ cpuMilli: 10, memoryBytes: MI, gpu: 0 })), { cpuMilli: 4000, memoryBytes: 16 * GI, pods: 2, gpu: 0 }), 3);
  // Decreasing order matters: 3 pods of 600m and 3 of 400m fill 3 nodes of 1000m exactly.
  const mixed = [400, 600, 400, 600, 400, 600].map((cpuMilli) => ({ cpuMilli, memoryBytes: MI, gpu: 0 }));
  assert.equal(firstFitDecreasing(mixed, { cpuMilli: 1000, memoryBytes: GI, pods: 10, gpu: 0 }), 3);
  // A pod larger than the node: no fleet of that type.
  assert.equal(firstFitDecreasing([{ cpuMilli: 5000, memoryBytes: GI, gpu: 0 }], binOf(type('aws/m5.xlarge'), NO_DAEMONS)), null);
  // A GPU pod never fits a node without GPUs.
  assert.equal(firstFitDecreasing([{ cpuMilli: 100, memoryBytes: GI, gpu: 1 }], binOf(type('aws/m5.xlarge'), NO_DAEMONS)), null);
});

test('the cheapest fleet: 4 × m5.xlarge and 2 × m5.2xlarge both cost $0.768/h; the fewer nodes win; 10 × m5.large cost $0.96', () => {
  const best = cheapestFleet(TEN, M5, NO_DAEMONS)!;
  assert.equal(best.type.id, 'aws/m5.2xlarge');
  assert.equal(best.nodes, 2);
  assert.ok(Math.abs(best.usdPerHour - 0.768) < 1e-9);
});

/** A run of `hours` whose pool `general` cost `usd`, with `pods` on it at the peak. */
function summaryOf(byPool: Record<string, number>, hours: number): Summary {
  const total = Object.values(byPool).reduce((s, x) => s + x, 0);
  return {
    durationSeconds: hours * 3600,
    cost: { totalUsd: total, byPool, monthlyRunRateUsd: Math.round((total / hours) * 730 * 100) / 100, allocatedUsd: 10, byWorkload: { 'Deployment/default/web': 6, 'Deployment/default/api': 4 } },
    warnings: [],
  } as unknown as Summary;
}

function peakOf(pods: PeakPod[], nodes: PeakSnapshot['nodes']): PeakSnapshot {
  return { tMs: 3_600_000, cpuRequestedMilli: 0, memoryRequestedBytes: 0, pods, nodes };
}

const web = (pool: string, extra: Partial<PeakPod> = {}): PeakPod => ({ workload: 'Deployment/default/web', cpuMilli: 1000, memoryBytes: 2 * GI, gpu: 0, daemon: false, pool, pinned: null, ...extra });

test('fleet advice: 10 pods of 1 CPU / 2Gi on 5 m5.xlarge ($700.80 a month) -> 2 m5.2xlarge ($560.64), saving $140.16 (20%)', () => {
  // 5 × $0.192 × 24 h = $23.04 a day; × 730 / 24 = $700.80 a month. 2 × $0.384 × 730 = $560.64.
  const nodes = Array.from({ length: 5 }, () => ({ pool: 'general', zone: 'us-east-1a', instanceType: 'aws/m5.xlarge', taints: [] }));
  const advice = fleetAdvice(summaryOf({ general: 23.04 }, 24), peakOf(Array.from({ length: 10 }, () => web('general')), nodes), M5);
  assert.equal(advice.advised, true);
  assert.equal(advice.currentMonthlyUsd, 700.8);
  assert.deepEqual(advice.proposal, [{ instanceType: 'aws/m5.2xlarge', nodes: 2, monthlyUsd: 560.64, pools: ['general'] }]);
  assert.equal(advice.proposedMonthlyUsd, 560.64);
  assert.equal(advice.savingMonthlyUsd, 140.16);
  assert.match(advice.summary, /^2 × aws\/m5\.2xlarge would have held the 10 pods of the peak: \$560\.64 a month instead of \$700\.80, saving \$140\.16 \(20%\)\.$/);
  assert.ok(advice.ignores.some((i) => i.startsWith('zones')));

  // 4 m5.xlarge would cost 4 × 0.192 × 730 = $560.64 too: on 4 nodes the saving is $0 -> no advice.
  const four = fleetAdvice(summaryOf({ general: 18.432 }, 24), peakOf(Array.from({ length: 10 }, () => web('general')), nodes.slice(0, 4)), M5);
  assert.equal(four.advised, false);
  assert.equal(four.savingMonthlyUsd, 0);
  assert.match(four.summary, /not 10% cheaper/);
});

test('fleet advice keeps a node in each zone: over 3 zones, 4 × m5.xlarge ($560.64) beat 3 × m5.2xlarge ($840.96)', () => {
  // The same 10 pods on 5 m5.xlarge spread over 3 zones: 2 × m5.2xlarge are too few; 4 × m5.xlarge
  // (3 pods a node) cost 4 × 0.192 × 730 = $560.64, 3 × m5.2xlarge 3 × 0.384 × 730 = $840.96.
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const nodes = Array.from({ length: 5 }, (_, i) => ({ pool: 'general', zone: zones[i % 3], instanceType: 'aws/m5.xlarge', taints: [] }));
  const advice = fleetAdvice(summaryOf({ general: 23.04 }, 24), peakOf(Array.from({ length: 10 }, () => web('general')), nodes), M5);
  assert.deepEqual(advice.proposal.map((p) => [p.instanceType, p.nodes, p.monthlyUsd]), [['aws/m5.xlarge', 4, 560.64]]);
  assert.equal(advice.advised, true);
});

test('fleet advice leaves tainted pools and pools of pinned pods as they are, at their run cost', () => {
  const nodes = [
    ...Array.from({ length: 5 }, () => ({ pool: 'general', zone: 'us-east-1a', instanceType: 'aws/m5.xlarge', taints: [] })),
    { pool: 'gpu', zone: 'us-east-1a', instanceType: 'aws/g4dn.xlarge', taints: ['nvidia.com/gpu:NoSchedule'] },
    { pool: 'db', zone: 'us-east-1a', instanceType: 'aws/r5.large', taints: [] },
  ];
  const pods = [...Array.from({ length: 10 }, () => web('general')), web('gpu', { gpu: 1 }), web('db', { workload: 'StatefulSet/default/db', pinned: 'node selector disktype' })];
  // general $23.04, gpu $12.624 ($0.526/h × 730 = $383.98 a month), db $3.024 a day ($0.126/h: $91.98).
  const advice = fleetAdvice(summaryOf({ general: 23.04, gpu: 12.624, db: 3.024 }, 24), peakOf(pods, nodes), M5);
  assert.deepEqual(advice.kept.map((k) => [k.pool, k.reason, k.monthlyUsd]), [
    ['gpu', 'tainted (nvidia.com/gpu:NoSchedule)', 383.98],
    ['db', 'StatefulSet/default/db needs its nodes (node selector disktype)', 91.98],
  ]);
  assert.deepEqual(advice.proposal.map((p) => [p.instanceType, p.nodes]), [['aws/m5.2xlarge', 2]]);
  // 560.64 + 383.98 + 91.98 = 1,036.60 against 700.80 + 383.98 + 91.98 = 1,176.76 (12%).
  assert.equal(advice.proposedMonthlyUsd, 1036.6);
  assert.equal(advice.advised, true);
});

test('DaemonSet pods take room on every node of the proposal, and do not count as packed pods', () => {
  const nodes = Array.from({ length: 5 }, () => ({ pool: 'general', zone: 'us-east-1a', instanceType: 'aws/m5.xlarge', taints: [] }));
  // A 1-CPU agent per node leaves an m5.2xlarge 6910m: 6 pods, so 10 pods need 2 nodes still;
  // an m5.xlarge 2920m: 2 pods a node, 5 nodes ($700.80). m5.2xlarge wins at $560.64.
  const agent = (): PeakPod => ({ ...web('general'), workload: 'DaemonSet/kube-system/agent', daemon: true });
  const advice = fleetAdvice(summaryOf({ general: 23.04 }, 24), peakOf([...Array.from({ length: 10 }, () => web('general')), ...nodes.map(agent)], nodes), M5);
  assert.deepEqual(advice.proposal.map((p) => [p.instanceType, p.nodes]), [['aws/m5.2xlarge', 2]]);
  assert.equal(advice.peakPods, 15);
});

const ROW: RecommendationRow = {
  workload: 'Deployment/shop/web', container: 'app',
  cpuRequestMilli: 500, cpuLimitMilli: 1000, memoryRequestBytes: 1024 * MI, memoryLimitBytes: 2048 * MI,
  recommendation: {
    target: { cpuMilli: 126, memoryBytes: 600 * MI }, lower: { cpuMilli: 125, memoryBytes: 550 * MI },
    upper: { cpuMilli: 252, memoryBytes: 1200 * MI }, uncappedTarget: { cpuMilli: 126, memoryBytes: 600 * MI },
  },
  replicas: 3, rates: null, historyDays: 0.5,
};

test('resources YAML: requests at the target, limits scaled by limit/request (GetProportionalLimit), none invented', () => {
  // cpu limit 1000m × 126/500 = 252m; memory 2048Mi × 600/1024 = 1200Mi.
  assert.equal(resourcesYaml(ROW), 'resources:\n  requests:\n    cpu: 126m\n    memory: 600Mi\n  limits:\n    cpu: 252m\n    memory: 1200Mi\n');
  assert.equal(resourcesYaml({ ...ROW, cpuLimitMilli: null, memoryLimitBytes: null }), 'resources:\n  requests:\n    cpu: 126m\n    memory: 600Mi\n');
  // 2 cores and 2Gi exactly print as Kubernetes writes them.
  const whole = { ...ROW, cpuLimitMilli: null, memoryLimitBytes: null, recommendation: { ...ROW.recommendation!, target: { cpuMilli: 2000, memoryBytes: 2 * GI } } };
  assert.equal(resourcesYaml(whole), 'resources:\n  requests:\n    cpu: 2\n    memory: 2Gi\n');
  assert.equal(resourcesYaml({ ...ROW, recommendation: null }), '');
  assert.equal(flow(resourcesYaml(ROW)), 'resources: {requests: {cpu: 126m, memory: 600Mi}, limits: {cpu: 252m, memory: 1200Mi}}');
});

test('advice items: HPA at max or min, throttling, OOM kills, pods that fit no pool; severest first', () => {
  const summary = summaryOf({ general: 23.04 }, 24);
  summary.warnings = [{ code: 'pods-pending', title: 'pods pending at the end', objects: ['Deployment/default/big'], message: '2 pods of Deployment/default/big were still pending at the end: no node fits.' }];
  const advice = buildAdvice({
    summary, peak: null, totals: new Map(), fromRequests: new Set(),
    hpas: [
      { hpa: 'HorizontalPodAutoscaler/default/web', target: 'Deployment/default/web', minReplicas: 2, maxReplicas: 10, atMaxShare: 0.3, atMinShare: 0, wantedMoreShare: 0.2, wantedLessShare: 0 },
      { hpa: 'HorizontalPodAutoscaler/default/api', target: 'Deployment/default/api', minReplicas: 3, maxReplicas: 10, atMaxShare: 0, atMinShare: 0.95, wantedMoreShare: 0, wantedLessShare: 0.8 },
      // Under the thresholds, or at max with metrics that never asked for more: no advice.
      { hpa: 'HorizontalPodAutoscaler/default/ok', target: 'Deployment/default/ok', minReplicas: 1, maxReplicas: 10, atMaxShare: 0.2, atMinShare: 1, wantedMoreShare: 0, wantedLessShare: 0 },
      { hpa: 'HorizontalPodAutoscaler/default/content', target: 'Deployment/default/content', minReplicas: 1, maxReplicas: 4, atMaxShare: 0.9, atMinShare: 0, wantedMoreShare: 0, wantedLessShare: 0 },
    ],
    trouble: [{ ref: 'Deployment/default/web', throttledShare: 0.12, oomKills: 0 }, { ref: 'Deployment/shop/web', throttledShare: 0, oomKills: 3 }],
    recommendations: [ROW],
  });
  assert.deepEqual(advice.items.map((i) => [i.severity, i.code, i.figure]), [
    ['high', 'oom-killed', '3 OOM kills'],
    ['high', 'pods-fit-no-pool', '2 pods'],
    ['medium', 'hpa-at-max', '30% of the run at 10; its metrics asked for more in 20% of its syncs'],
    ['medium', 'cpu-throttled', '12% of the CPU it wanted'],
    ['low', 'hpa-at-min', '95% of the run at 3; its metrics asked for fewer in 80% of its syncs'],
  ]);
  assert.match(advice.items[0].action, /above the recommender's target of 600Mi/);
  assert.equal(advice.fleet.advised, false);
  assert.deepEqual(advice.workloads.map((w) => [w.workload, w.sharePct]), [['Deployment/default/web', 60], ['Deployment/default/api', 40]]);
  assert.deepEqual(advice.resources.map((r) => [r.historyDays, r.shortHistory]), [[0.5, true]]);
  const tables = adviceTables({ ...summary, advice });
  assert.deepEqual(tables.map((t) => t.title?.split(' (')[0]), ['Advice', 'Cost per workload', 'Resources to paste']);
  assert.deepEqual(tables[2].cells, [['Deployment/shop/web', 'app', 'resources: {requests: {cpu: 126m, memory: 600Mi}, limits: {cpu: 252m, memory: 1200Mi}}', 'short history']]);
});

test('summary.json advice is checked when read back: a damaged advice is named', async () => {
  const out = await runYaml(TEN_PODS);
  assert.deepEqual(summaryProblems(out.summary), []);
  const damaged = { ...out.summary, advice: { ...out.summary.advice, items: [{ severity: 'urgent' }] } };
  assert.deepEqual(summaryProblems(damaged).map((p) => p.path), ['advice.items[0]']);
});

// 10 pods of 1 CPU / 2Gi on 5 m5.xlarge for 2 hours: the run costs 5 × $0.192 an hour ($700.80 a month).
const TEN_PODS = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ten-pods}
spec:
  start: "2026-01-05T00:00:00Z"
  duration: 2h
  sampleEvery: 5m
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 5}
  workloads:
    - name: web
      namespace: default
      kind: Deployment
      replicas: 10
      containers:
        - name: app
          resources: {requests: {cpu: "1", memory: 2Gi}}
`;

test('a run writes advice: 10 pods of 1 CPU / 2Gi on 5 m5.xlarge are a smaller fleet', async () => {
  const out = await runYaml(TEN_PODS);
  const advice = out.summary.advice;
  assert.equal(advice.fleet.currentMonthlyUsd, 700.8);
  assert.equal(advice.fleet.peakPods, 10);
  assert.equal(advice.fleet.peakNodes, 5);
  assert.equal(advice.fleet.advised, true);
  // The whole catalog of aws amd64 types: never dearer than the 2 × m5.2xlarge worked above.
  assert.ok(advice.fleet.proposedMonthlyUsd <= 560.64, String(advice.fleet.proposedMonthlyUsd));
  assert.equal(advice.items[0].code, 'fleet-oversized');
  assert.deepEqual(Object.keys(out.summary).at(-1), 'advice');
  // The report: an Advice section near the top, Cost per workload, the resources blocks.
  await writeReport(out.dir, ['html']);
  const html = fs.readFileSync(path.join(out.dir, 'report.html'), 'utf8');
  assert.ok(html.indexOf('id="advice"') > 0 && html.indexOf('id="advice"') < html.indexOf('id="charts"'), 'Advice comes before the charts');
  assert.match(html, /<h2 id="workload-cost">Cost per workload<\/h2>/);
  assert.match(html, /<td class="[a-z]+"><span class="w">Deployment\/default\/web<\/span><\/td><td class="num">\$/);
  assert.match(html, /<pre style="margin: 0">resources:\n  requests:\n    cpu: \d+m\n    memory: \d+Mi\n<\/pre>/);
  assert.match(html, /<a href="#advice">Advice<\/a><a href="#workload-cost">Cost per workload<\/a>/);
});

test('e09 CronJob: under an hour of history, the upper bound is flagged, not trusted', async () => {
  const out = await runFile(path.join(import.meta.dirname, '..', 'scenarios', 'e09-cronjob.yaml'));
  const [r] = out.summary.advice.resources;
  // 60 five-second runs, one a minute: ~59 minutes of samples = 0.041 days (upper × (1 + 1/0.041) ≈ × 25).
  assert.equal(r.workload, 'CronJob/default/hello');
  assert.ok(r.historyDays > 0.03 && r.historyDays < 0.05, String(r.historyDays));
  assert.equal(r.shortHistory, true);
  const [rec] = out.csv('recommendations.csv');
  assert.ok(Number(rec.cpu_upper_m) / Number(rec.cpu_target_m) > 20, 'the raw upper bound is ~25 × the target');
  // The report shows "?" for the upper bound and says why.
  await writeReport(out.dir, ['html']);
  const html = fs.readFileSync(path.join(out.dir, 'report.html'), 'utf8');
  assert.match(html, /<td class="[a-z]+">50m → 63m <span class="w">\[\d+m–\?\]<\/span><\/td>/);
  assert.match(html, /history 59m \d+s: too short to trust the upper bound/);
});

test('cost per workload: the top n, then the rest summed in one row (the report and the terminal alike)', () => {
  const row = (workload: string, costUsd: number, sharePct: number) => ({ workload, costUsd, sharePct, cpuRequestedMilli: 1000, cpuUsedMilli: 250, memoryRequestedBytes: 2 ** 30, memoryUsedBytes: 2 ** 29 });
  const rows = [row('a', 5, 50), row('b', 3, 30), row('c', 1.5, 15), row('d', 0.5, 5)];
  assert.deepEqual(topWorkloads(rows, 4), rows, 'nothing left over: no summed row');
  assert.deepEqual(topWorkloads(rows, 2).at(-1), { workload: '2 more workloads', costUsd: 2, sharePct: 20, cpuRequestedMilli: 2000, cpuUsedMilli: 500, memoryRequestedBytes: 2 ** 31, memoryUsedBytes: 2 ** 30 });
});
