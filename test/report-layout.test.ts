// What people see on the pages (issue 21, "a report that advises", layout): nodes NotReady and
// cordoned drawn on the Nodes chart, tables that never break a word, node names without "-/",
// the footer naming every file the run wrote. The browser tests (browser.test.ts) measure the
// same pages in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeStateSpans } from '../src/report/nodeStates.ts';
import { nodesChart } from '../src/report/charts/nodes.ts';
import { costChart } from '../src/report/charts/cost.ts';
import { displayObject, table } from '../src/report/html.ts';
import { filesBeside } from '../src/report/filesBeside.ts';
import { loadRun, type NodeRow, type RunData } from '../src/report/runFiles.ts';
import type { NodeStateSpan } from '../src/report/nodeStates.ts';
import { costByPoolCompareChart, type LabelledRun } from '../src/report/charts/compare.ts';
import { variedLabels } from '../src/sweep/variedLabels.ts';
import { capsim, scratchDir } from './support/run.ts';

function fakeRun(nodes: Partial<NodeRow>[], durationSeconds: number, bucketSeconds: number, nodeStates: NodeStateSpan[]): RunData {
  const full = nodes.map((n, i) => ({
    node: `n${i}`, pool: 'p', instanceType: '', capacityType: 'on-demand', zone: '', createdSeconds: 0, removedSeconds: null, costUsd: 0,
    cpuRequestedMeanPct: 0, cpuUsedMeanPct: 0, memoryRequestedMeanPct: 0, memoryUsedMeanPct: 0, cpuAllocatableMilli: 0, memoryAllocatableBytes: 0, readySeconds: 0,
    ...n,
  }));
  return { summary: { durationSeconds }, startEpochMs: 0, bucketSeconds, sampleSeconds: bucketSeconds, nodes: full, events: { nodeStates } } as unknown as RunData;
}

test('node states: NotReady from NodeNotReady to NodeReady, cordoned to NodeUncordoned, both ended by NodeRemoved or the run end', () => {
  const spans = new NodeStateSpans();
  spans.event('NodeCordoned', 'a', 100);
  spans.event('NodeUncordoned', 'a', 160); // cordoned 100..160
  spans.event('NodeNotReady', 'b', 200);
  spans.event('NodeNotReady', 'b', 250); // still the same span
  spans.event('NodeReady', 'b', 300); // NotReady 200..300
  spans.event('NodeCordoned', 'c', 400);
  spans.event('NodeNotReady', 'c', 450);
  spans.event('NodeRemoved', 'c', 500); // both end when the node goes
  spans.event('NodeNotReady', 'd', 900); // open at the end: ends at 1000
  spans.event('NodeReady', 'e', 10); // a first Ready closes nothing
  assert.deepEqual(spans.finish(1000), [
    { node: 'a', state: 'cordoned', fromSeconds: 100, toSeconds: 160 },
    { node: 'b', state: 'NotReady', fromSeconds: 200, toSeconds: 300 },
    { node: 'c', state: 'cordoned', fromSeconds: 400, toSeconds: 500 },
    { node: 'c', state: 'NotReady', fromSeconds: 450, toSeconds: 500 },
    { node: 'd', state: 'NotReady', fromSeconds: 900, toSeconds: 1000 },
  ]);
});

type Layered = { layer: { data?: { values: { time: number; state: string; nodes: number }[] } }[] };

test('nodes chart: NotReady and cordoned nodes drawn over the pools, per bucket the share of it they were down', () => {
  // Two nodes all along; one NotReady over [150, 450) (half of [0,300), half of [300,600)), both
  // cordoned over [600, 900), the end.
  const run = fakeRun([{}, {}], 900, 300, [
    { node: 'n0', state: 'NotReady', fromSeconds: 150, toSeconds: 450 },
    { node: 'n0', state: 'cordoned', fromSeconds: 600, toSeconds: 900 },
    { node: 'n1', state: 'cordoned', fromSeconds: 600, toSeconds: 900 },
  ]);
  const chart = nodesChart(run);
  const rows = (chart.spec as unknown as Layered).layer[1].data!.values;
  const at = (t: number, state: string) => rows.find((v) => v.time === t * 1000 && v.state === state)?.nodes;
  assert.equal(at(0, 'NotReady'), 0.5);
  assert.equal(at(300, 'NotReady'), 0.5);
  assert.equal(at(600, 'NotReady'), 0);
  assert.equal(at(600, 'cordoned'), 2);
  assert.equal(at(300, 'cordoned'), 0);
  assert.match(chart.caption, /NotReady \(dark red\) and cordoned \(dark grey\)/);
  // A run where no node was ever down keeps its one-layer chart.
  const calm = nodesChart(fakeRun([{}, {}], 900, 300, []));
  assert.equal((calm.spec as { layer?: unknown }).layer, undefined);
});

test('the quickstart: its 12h drain (1 node cordoned 1 h) and 18h zone outage (2 nodes NotReady from 18:00:50 to 18:30) are on the Nodes chart', async () => {
  const out = path.join(scratchDir('capsim-layout-'), 'quickstart');
  const r = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const run = await loadRun(out);
  assert.deepEqual(run.events.nodeStates, [
    { node: 'general-001', state: 'cordoned', fromSeconds: 12 * 3600, toSeconds: 13 * 3600 },
    { node: 'general-002', state: 'NotReady', fromSeconds: 18 * 3600 + 50, toSeconds: 18.5 * 3600 },
    { node: 'memory-002', state: 'NotReady', fromSeconds: 18 * 3600 + 50, toSeconds: 18.5 * 3600 },
  ]);
  const rows = (nodesChart(run).spec as unknown as Layered).layer[1].data!.values;
  const at = (h: number, state: string) => rows.find((v) => v.time === run.startEpochMs + h * 3600_000 && v.state === state)?.nodes;
  assert.equal(at(12.5, 'cordoned'), 1);
  // 5-minute buckets: 18:00 is down 250 s of 300 on two nodes (2 x 250/300 = 1.67, three
  // significant digits); 18:05 all of it.
  assert.equal(at(18, 'NotReady'), 1.67);
  assert.equal(at(18 + 5 / 60, 'NotReady'), 2);
  assert.equal(at(18.5, 'NotReady'), 0);

  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  // Node objects read Node/general-001 wherever the page names them.
  assert.ok(!html.includes('Node/-/'), 'report.html still shows Node/-/');
  // The text of every table cell, tags (span.w) stripped.
  const cells = [...html.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  assert.ok(cells.includes('Node/general-001'), 'the Trouble table names no Node/general-001 (its 12h cordon)');
  assert.ok(cells.includes('Node/general-001: Node became Ready'), 'the first NodeReady example is not "Node/general-001: ..." (a node is not "on" itself)');
  // The footer names every file of the run directory, hourly.csv and focus.csv included.
  const footer = /<footer>(.*)<\/footer>/.exec(html)![1];
  for (const name of fs.readdirSync(out).filter((f) => f !== 'report.html')) {
    const shown = fs.statSync(path.join(out, name)).isDirectory() ? `${name}/` : name.replace(/\.csv$/, '');
    assert.ok(footer.split(/[,:;] /).includes(shown), `the footer does not name ${shown}: ${footer}`);
  }
  assert.match(footer, /tables \(\.csv or \.parquet\): timeseries, workloads, nodes, node-utilization, events, recommendations, hourly, focus$/);
});

test('displayObject: cluster-scoped objects without "-/", alone or in a message; namespaced ones as they are', () => {
  assert.equal(displayObject('Node/-/general-001'), 'Node/general-001');
  assert.equal(displayObject('NodeClaim/-/default-x7k2'), 'NodeClaim/default-x7k2');
  assert.equal(displayObject('Pod/shop/cart-1'), 'Pod/shop/cart-1');
  assert.equal(displayObject('Deployment/-x/a'), 'Deployment/-x/a');
  // In a message or warning: every ref it names.
  assert.equal(
    displayObject('NodePool/-/general (scenarios/k.yaml:26): it allows spot; Node/-/a and Node/-/b, not x/Node/-/c'),
    'NodePool/general (scenarios/k.yaml:26): it allows spot; Node/a and Node/b, not x/Node/-/c',
  );
});

test('tables: short columns never wrap, long text wraps between words only, numbers never wrap, every table scrolls in its box', () => {
  const html = table(
    [{ when: '2026-01-05 18:05 UTC (+18h 5m 50s)', type: 'FailedScheduling', message: 'a long message that must wrap between its words and nowhere else', n: '1,234' }],
    [
      { header: 'Time', cell: (r) => r.when, short: true },
      { header: 'Type', cell: (r) => r.type },
      { header: 'Message', cell: (r) => r.message, title: () => 'the full message' },
      { header: 'Count', cell: (r) => r.n, numeric: true },
    ],
  );
  assert.match(html, /^<div class="table-scroll"><table class="sortable /);
  assert.match(html, /<td class="short">2026-01-05 18:05 UTC/);
  assert.match(html, /<td class="short">FailedScheduling<\/td>/); // 16 characters: short by length
  assert.match(html, /<td class="text" title="the full message">a long message/);
  assert.match(html, /<td class="num">1,234<\/td>/);
});

test('filesBeside: every file of the directory in the run files\' order, then others; tables by name, whatever their form', () => {
  const dir = scratchDir('capsim-files-');
  for (const f of ['focus.csv', 'summary.json', 'hourly.parquet', 'report.html', 'backtest.json', '.hidden', 'summary.json.tmp-123', 'timeseries.csv']) fs.writeFileSync(path.join(dir, f), '');
  fs.mkdirSync(path.join(dir, 'charts'));
  assert.equal(filesBeside(dir), 'summary.json, run-info.json, backtest.json, charts/; tables (.csv or .parquet): timeseries, hourly, focus');
});

test('compare.html: a pool that never scaled is $0.00 "never scaled"; "no such pool" only when the run\'s scenario has none', () => {
  const run = (label: string, byPool: Record<string, number>, scenarioYaml: string) =>
    ({ label, summary: { cost: { byPool } }, scenarioYaml }) as unknown as LabelledRun;
  const runs = [
    // Declares gpu (min 0, never scaled): it has no cost entry.
    run('a', { general: 12.5 }, 'spec:\n  cluster:\n    nodePools:\n      - {name: general}\n      - {name: gpu, autoscaling: {min: 0, max: 4}}\n'),
    // Has a gpu pool that ran, and a Karpenter NodePool inline.
    run('b', { general: 10, gpu: 30, burst: 2 }, 'spec:\n  cluster:\n    nodePools: [{name: general}, {name: gpu}]\n  manifests:\n    - {apiVersion: karpenter.sh/v1, kind: NodePool, metadata: {name: burst}}\n'),
    // Its NodePools may be in manifest files: nothing certain but no node-hours.
    run('c', { general: 10 }, 'spec:\n  cluster:\n    nodePools: [{name: general}]\n  manifests: [karpenter/*.yaml]\n'),
  ];
  const values = (costByPoolCompareChart(runs).spec as { data: { values: { category: string; run: string; text: string }[] } }).data.values;
  const text = (pool: string, label: string) => values.find((v) => v.category === pool && v.run === label)?.text;
  assert.equal(text('gpu', 'a'), '$0.00 (never scaled)');
  assert.equal(text('burst', 'a'), 'no such pool');
  assert.equal(text('gpu', 'b'), '$30.00');
  assert.equal(text('burst', 'c'), '$0.00 (no nodes)');
  assert.equal(text('gpu', 'c'), '$0.00 (no nodes)');
});

test('sweep labels: the varied path\'s last key in words, its parent where two end alike, the full path where even that is ambiguous', () => {
  assert.deepEqual(
    variedLabels(['spec.cluster.nodePools[0].instanceType', 'spec.workloads[0].containers[0].resources.requests.cpu', 'spec.workloads[0].hpa.targetCPUUtilizationPercentage']),
    ['instance type', 'requests cpu', 'target cpu utilization percentage'],
  );
  assert.deepEqual(variedLabels(['spec.cluster.nodePools[0].count', 'spec.cluster.nodePools[1].count']), ['count (nodePools[0])', 'count (nodePools[1])']);
  assert.deepEqual(variedLabels(['spec.a[0].count', 'spec.b.a[0].count']), ['a[0].count', 'b.a[0].count']);
  assert.deepEqual(variedLabels(['spec.duration']), ['duration']);
});

test('cost chart: a run under $20 labels its cumulative axis in cents ($0, $1, $1, $2 ... otherwise), a larger one in dollars', () => {
  const axisFormat = (totalUsd: number) => {
    const cluster = [0, 1800, 3600].map((t) => ({ t, costUsdPerHour: totalUsd, costUsdCumulative: (totalUsd * t) / 3600 }));
    const run = { summary: { durationSeconds: 3600 }, startEpochMs: 0, bucketSeconds: 1800, sampleSeconds: 1800, cluster } as unknown as RunData;
    return JSON.stringify(costChart(run).spec).match(/"title":"\$ cumulative","axis":\{"format":"([^"]+)"/)?.[1];
  };
  assert.equal(axisFormat(3.17), '$,.2f'); // the microservices example: $3.17 in a day
  assert.equal(axisFormat(19.87), '$,.2f'); // the quickstart
  assert.equal(axisFormat(161.84), '$,.0f'); // fleet-cost
});
