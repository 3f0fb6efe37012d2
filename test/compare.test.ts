// capsim compare: two real runs of the quickstart (2 hours, no scripted events), the second with
// one more aws/m5.xlarge node in the general pool. One more node at $0.192/h for 2 h costs
// exactly 2 × $0.192 = $0.384 more; the other deltas are checked against the two summary.json
// files by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Summary } from '../src/outputs/summary.ts';
import { defaultCompareDir, loadRuns, runLabels } from '../src/report/compare.ts';
import { compareFigures, FIGURES } from '../src/report/figures.ts';
import { formatDelta, verdict } from '../src/report/comparePage.ts';
import { compareCharts } from '../src/report/charts/compare.ts';
import { MAX_POINTS } from '../src/report/buckets.ts';
import { capsim, parseCsv, scratchDir } from './support/run.ts';

const M5_XLARGE_USD_PER_HOUR = 0.192; // src/cost catalog: aws/m5.xlarge on-demand, us-east-1
const HOURS = 2;
const SHORT = ['--set', 'spec.duration=2h', '--set', 'spec.events=[]', '--quiet', '--format', 'none'];

const CHART_NAMES = ['headline-percentages', 'cost-cumulative', 'cost-rate', 'cost-by-pool', 'nodes', 'cpu-requested', 'cpu-used', 'memory-used', 'pods-pending'];

let runs: { dir: string; base: string; plus1: string } | undefined;
/** The two runs, made once for the whole file (each test still works alone). */
function twoRuns() {
  if (!runs) {
    const dir = scratchDir('capsim-compare-');
    const base = path.join(dir, 'base');
    const plus1 = path.join(dir, 'plus1');
    for (const [out, extra] of [[base, []], [plus1, ['--set', 'spec.cluster.nodePools[0].count=4']]] as const) {
      const r = capsim('run', 'scenarios/quickstart.yaml', '--out', out, ...SHORT, ...extra);
      assert.equal(r.code, 0, r.stderr);
    }
    runs = { dir, base, plus1 };
  }
  return runs;
}

const readSummary = (dir: string): Summary => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));

function get(summary: unknown, key: string): number | null {
  const v = key.split('.').reduce<any>((node, part) => node?.[part], summary);
  return typeof v === 'number' ? v : null;
}

test('one more m5.xlarge for 2 h: compare.json shows +$0.384 total cost, and every delta is run minus baseline', () => {
  const { dir, base, plus1 } = twoRuns();
  const out = path.join(dir, 'cmp');
  const r = capsim('compare', base, plus1, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  // The terminal: the runs, the figures with the delta and its verdict (as compare.html words
  // them: $1.656 vs $2.040, +$0.384, 23.2 % more, worse for a cost), then where the files are.
  assert.match(r.stdout, /^run +scenario +seed +duration +directory\n.* \(baseline\) /);
  assert.match(r.stdout, /^Total cost +\$1\.656 +\$2\.040 +\+\$0\.384 \(\+23\.2%\) worse$/m);
  assert.match(r.stdout, /^OOM kills +0 +0 +no change$/m);
  assert.ok(r.stdout.endsWith(`report   ${path.join(out, 'compare.html')}\nresults  ${out}/ (compare.csv, compare.json, charts/)\n`), r.stdout);
  // -o json: compare.json's data alone on stdout.
  const asJson = capsim('compare', base, plus1, '--out', out, '-o', 'json');
  assert.equal(asJson.code, 0, asJson.stderr);
  assert.deepEqual(JSON.parse(asJson.stdout), JSON.parse(fs.readFileSync(path.join(out, 'compare.json'), 'utf8')));

  const a = readSummary(base);
  const b = readSummary(plus1);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'compare.json'), 'utf8'));
  assert.equal(json.baseline, 'base');
  assert.deepEqual(json.runs.map((run: { label: string }) => run.label), ['base', 'plus1']);
  const row = (key: string) => json.figures.find((f: { key: string }) => f.key === key);

  const extraUsd = M5_XLARGE_USD_PER_HOUR * HOURS; // 0.384
  const cost = row('cost.totalUsd');
  assert.deepEqual(cost.values, [a.cost.totalUsd, b.cost.totalUsd]);
  assert.ok(Math.abs(cost.deltas[0].absolute - extraUsd) < 1e-6, `total cost delta ${cost.deltas[0].absolute}, expected ${extraUsd}`);
  assert.ok(Math.abs(cost.deltas[0].pct - (extraUsd / a.cost.totalUsd) * 100) < 1e-6, `total cost delta % ${cost.deltas[0].pct}`);
  assert.equal(cost.better, 'lower');
  // The pool that grew carries the whole difference.
  assert.ok(Math.abs(b.cost.byPool.general - a.cost.byPool.general - extraUsd) < 1e-6);
  assert.equal(b.cost.byPool.memory, a.cost.byPool.memory);
  // One node more, for the 2 hours: +1 peak and mean node, +2 node-hours.
  assert.equal(row('nodes.max').deltas[0].absolute, 1);
  assert.equal(row('nodes.mean').deltas[0].absolute, 1);
  assert.equal(row('nodes.nodeHours').deltas[0].absolute, HOURS);

  // Every figure, against the two summaries by hand (Karpenter's rows only where a run had it: not here).
  assert.deepEqual(json.figures.map((f: { key: string }) => f.key), FIGURES.map((f) => f.key).filter((k) => !k.startsWith('autoscaling.karpenter.')));
  for (const f of json.figures) {
    const [va, vb] = [get(a, f.key), get(b, f.key)];
    assert.deepEqual(f.values, [va, vb], f.key);
    if (va === null || vb === null) continue;
    assert.ok(Math.abs(f.deltas[0].absolute - (vb - va)) < 1e-9, `${f.key}: delta ${f.deltas[0].absolute}, by hand ${vb - va}`);
    if (va === 0) assert.equal(f.deltas[0].pct, null, `${f.key}: % of a zero baseline`);
    else assert.ok(Math.abs(f.deltas[0].pct - ((vb - va) / Math.abs(va)) * 100) < 1e-6, f.key);
  }

  // compare.csv: the same rows.
  const csvText = fs.readFileSync(path.join(out, 'compare.csv'), 'utf8');
  assert.equal(csvText.split('\n')[0], 'figure,base,plus1,delta_plus1,delta_pct_plus1');
  const csvCost = parseCsv(csvText).find((line) => line.figure === 'cost.totalUsd')!;
  assert.equal(Number(csvCost.base), a.cost.totalUsd);
  assert.equal(Number(csvCost.plus1), b.cost.totalUsd);
  assert.ok(Math.abs(Number(csvCost.delta_plus1) - extraUsd) < 1e-6);
  const oom = parseCsv(csvText).find((line) => line.figure === 'pods.oomKills')!;
  assert.equal(oom.delta_pct_plus1, '', 'no % of a zero baseline');

  // Every chart as SVG (the default formats), no PNG unless asked.
  for (const name of CHART_NAMES) assert.ok(fs.existsSync(path.join(out, 'charts', `${name}.svg`)), `charts/${name}.svg`);
  assert.ok(!fs.readdirSync(path.join(out, 'charts')).some((f) => f.endsWith('.png')));
  const html = fs.readFileSync(path.join(out, 'compare.html'), 'utf8');
  assert.match(html, /<title>capsim compare: base vs plus1<\/title>/);
  assert.match(html, /\+\$0\.384 \(\+23\.2%\)/, 'the total cost delta, in the figures table'); // 0.384 / 1.656 = 23.19%
});

test('the charts: one series per run, at most MAX_POINTS points each, hours since start on x', async () => {
  const { base, plus1 } = twoRuns();
  const loaded = await loadRuns([base, plus1]);
  const charts = compareCharts(loaded);
  assert.deepEqual(charts.map((c) => c.name), CHART_NAMES);
  for (const chart of charts) {
    const values = (chart.spec as { data: { values: { run: string }[] } }).data.values;
    for (const label of ['base', 'plus1']) {
      const n = values.filter((v) => v.run === label).length;
      assert.ok(n > 0 && n <= MAX_POINTS, `${chart.name}: ${n} points for ${label}`);
    }
  }
  const cost = charts.find((c) => c.name === 'cost-cumulative')!;
  const x = (cost.spec as { encoding: { x: { title: string; type: string } } }).encoding.x;
  assert.deepEqual([x.type, x.title], ['quantitative', 'hours since start']);
  // The last cumulative point of each run is its total: 2 h in, $1.656 and $2.04.
  const values = (cost.spec as { data: { values: { run: string; hours: number; value: number }[] } }).data.values;
  for (const run of loaded) {
    const last = values.filter((v) => v.run === run.label).at(-1)!;
    assert.equal(last.hours, HOURS);
    assert.ok(Math.abs(last.value - run.summary.cost.totalUsd) < 1e-3, `${run.label}: ${last.value} vs ${run.summary.cost.totalUsd}`);
  }
});

test('--format html,png writes PNGs and the page; --format none only compare.csv and compare.json', () => {
  const { dir, base, plus1 } = twoRuns();
  const png = path.join(dir, 'cmp-png');
  assert.equal(capsim('compare', base, plus1, '--out', png, '--format', 'html,png', '--quiet').code, 0);
  assert.deepEqual(fs.readdirSync(path.join(png, 'charts')).sort(), CHART_NAMES.map((n) => `${n}.png`).sort());
  const none = path.join(dir, 'cmp-none');
  const r = capsim('compare', base, plus1, '--out', none, '--format', 'none');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(none).sort(), ['compare.csv', 'compare.json']);
  assert.match(r.stdout, /\nresults +.*cmp-none\/ \(compare\.csv, compare\.json\)\n$/);
});

test('a run directory named a<b> is shown escaped in compare.html, never as markup', () => {
  const { dir, base, plus1 } = twoRuns();
  const odd = path.join(dir, 'a<b>');
  fs.cpSync(base, odd, { recursive: true });
  const out = path.join(dir, 'cmp-odd');
  const r = capsim('compare', odd, plus1, '--out', out, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const html = fs.readFileSync(path.join(out, 'compare.html'), 'utf8');
  assert.ok(html.includes('a&lt;b&gt;'), 'the label, escaped');
  const outsideScripts = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
  assert.ok(!outsideScripts.includes('a<b>'), 'the label unescaped outside <script>');
  // In the specs' JSON the label's < is \u003c, so it cannot close the script either.
  assert.ok(!html.includes('a<b>'), 'the label unescaped anywhere');
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'compare.json'), 'utf8')).baseline, 'a<b>');
  for (const name of CHART_NAMES) assert.ok(fs.existsSync(path.join(out, 'charts', `${name}.svg`)), `charts/${name}.svg`);
});

test('fewer than two run directories, or one missing: exit 2, naming the directory, nothing written', () => {
  const { dir, base } = twoRuns();
  const one = capsim('compare', base);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /base: compare needs at least two run directories, got only this one/);
  assert.match(one.stderr, /hint: name two or more/);
  assert.equal(capsim('compare').code, 2);

  const out = path.join(dir, 'cmp-missing');
  const missing = path.join(dir, 'no-such-run');
  const r = capsim('compare', base, missing, '--out', out);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`${missing}: no such directory`), r.stderr);
  assert.ok(!fs.existsSync(out), 'nothing written');

  // A directory that is not a run: its missing summary.json named.
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  const notRun = capsim('compare', base, empty, '--out', out);
  assert.equal(notRun.code, 2);
  assert.ok(notRun.stderr.includes(path.join(empty, 'summary.json')), notRun.stderr);

  // --out may not be one of the runs: their charts/ would be overwritten.
  const clash = capsim('compare', base, base, '--out', base);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /is the run directory of \S*base: its charts\/ would be overwritten/);
});

// compareFigures on summaries made by hand.
function summary(patch: { totalUsd?: number; oomKills?: number; servedPct?: number | null; cpuUsedPct?: number }): Summary {
  return {
    scenario: 's',
    seed: 1,
    durationSeconds: 3600,
    cost: { totalUsd: patch.totalUsd ?? 10, byPool: {}, listUsd: patch.totalUsd ?? 10, byNamespace: {}, idleUsd: 0, monthlyRunRateUsd: 0, allocatedUsd: 0, byInstanceType: {}, byCapacityType: {}, byWorkload: {} },
    carbon: { kgCo2e: 1, energyKwh: 2, operationalKgCo2e: 0.8, embodiedKgCo2e: 0.2, allocatedKgCo2e: 0.5, idleKgCo2e: 0.5, unestimatedNodeHours: 0, byPool: {}, byRegion: {}, byNamespace: {}, byWorkload: {} },
    utilization: { cpuRequestedPct: 50, cpuUsedPct: patch.cpuUsedPct ?? 20, memoryRequestedPct: 40, memoryUsedPct: 30 },
    nodes: { min: 1, max: 2, mean: 1.5, nodeHours: 1.5 },
    pods: { scheduled: 3, unschedulable: 0, oomKills: patch.oomKills ?? 0, evictions: 0, preemptions: 0, restarts: 0, pendingPodSeconds: 0, maxPending: 0 },
    demand: { servedPct: patch.servedPct === undefined ? 99 : patch.servedPct },
    autoscaling: { hpaScaleEvents: 0, nodeScaleUps: 0, nodeScaleDowns: 0 },
  };
}

test('compareFigures: a zero baseline has no %, each later run has its delta, better says which way is good', () => {
  const rows = compareFigures([
    { label: 'a', summary: summary({ totalUsd: 10, oomKills: 0, servedPct: 99, cpuUsedPct: 20 }) },
    { label: 'b', summary: summary({ totalUsd: 12.5, oomKills: 3, servedPct: 99.5, cpuUsedPct: 25 }) },
    { label: 'c', summary: summary({ totalUsd: 7.5, oomKills: 0, servedPct: null, cpuUsedPct: 20 }) },
  ]);
  const row = (key: string) => rows.find((r) => r.key === key)!;
  assert.equal(rows.length, 21); // FIGURES: 23 less Karpenter's two, which none of these runs had
  assert.equal(rows.find((r) => r.key.startsWith('autoscaling.karpenter.')), undefined);
  // A Karpenter run beside one without: its NodeClaims row, the other run's cell empty.
  const withKarpenter = summary({});
  withKarpenter.autoscaling.karpenter = { nodeClaimsLaunched: 8, nodeClaimsTerminated: 6 } as never;
  const launched = compareFigures([{ label: 'ca', summary: summary({}) }, { label: 'k', summary: withKarpenter }]).find((r) => r.key === 'autoscaling.karpenter.nodeClaimsLaunched')!;
  assert.deepEqual(launched.values, [null, 8]);
  assert.equal(launched.label, 'NodeClaims launched (Karpenter)');

  const cost = row('cost.totalUsd');
  assert.deepEqual(cost.values, [10, 12.5, 7.5]);
  assert.deepEqual(cost.deltas, [{ absolute: 2.5, pct: 25 }, { absolute: -2.5, pct: -25 }], 'three runs: two delta columns');
  assert.equal(cost.better, 'lower');
  assert.deepEqual([verdict(cost, cost.deltas[0]), verdict(cost, cost.deltas[1])], ['worse', 'better']);

  const oom = row('pods.oomKills');
  assert.deepEqual(oom.deltas, [{ absolute: 3, pct: null }, { absolute: 0, pct: null }], 'baseline 0: no %');
  assert.equal(oom.better, 'lower');
  assert.equal(verdict(oom, oom.deltas[1]), null, 'no change, no verdict');

  const served = row('demand.servedPct');
  assert.equal(served.better, 'higher');
  assert.deepEqual(served.values, [99, 99.5, null]);
  assert.equal(served.deltas[0].absolute, 0.5); // percentage points
  assert.ok(Math.abs(served.deltas[0].pct! - (0.5 / 99) * 100) < 1e-6);
  assert.deepEqual(served.deltas[1], { absolute: null, pct: null }, 'no demand in run c');
  assert.equal(verdict(served, served.deltas[0]), 'better');

  const cpu = row('utilization.cpuUsedPct');
  assert.equal(cpu.better, null, 'utilization is neither better nor worse in itself');
  assert.equal(verdict(cpu, cpu.deltas[0]), null);
  assert.equal(row('nodes.max').better, null);

  assert.equal(formatDelta('usd', cost.deltas[0]), '+$2.50 (+25.0%)');
  assert.equal(formatDelta('usd', { absolute: 0.384, pct: 23.188406 }, 3), '+$0.384 (+23.2%)');
  assert.equal(formatDelta('pct', cpu.deltas[0]), '+5.0 pp (+25.0%)');
  assert.equal(formatDelta('count', oom.deltas[0]), '+3');
  assert.equal(formatDelta('count', oom.deltas[1]), 'no change');
});

test('labels: directory names; their paths where two are alike; the default output directory is file-name safe', () => {
  const cwd = '/work/x';
  assert.deepEqual(runLabels(['reports/a', 'reports/b'], cwd), ['a', 'b']);
  assert.deepEqual(runLabels(['one/run', 'two/run', 'other'], cwd), ['one/run', 'two/run', 'other']);
  assert.deepEqual(runLabels(['reports/a', 'reports/a'], cwd), ['reports/a', 'reports/a (2)']);
  assert.equal(defaultCompareDir(['base', 'plus one', 'a<b>']), path.join('reports', 'compare-base-vs-plus_one-vs-a_b_'));
});
