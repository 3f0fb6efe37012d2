// capsim backtest without Prometheus: the comparison's arithmetic on hand-made series, the
// verdict's rule, the command's errors (exit 2, nothing written), and a whole backtest of a
// directory whose metrics/ were written from a run by hand the way `capsim import metrics` reads
// Prometheus (CPU as the mean of the 5 minutes before each step): every series then matches, and a
// metric made to differ is named. The round trip on a real Prometheus is backtest-roundtrip.test.ts.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim } from './support/run.ts';
import { ok } from './support/prometheus.ts';
import { CHROMIUM, INSTALL_HINT, checkReportInBrowser, chromiumAvailable } from './browser.ts';
import { compare, errors, judge } from '../src/backtest/compare.ts';
import type { Observed } from '../src/backtest/observed.ts';
import type { Simulated } from '../src/backtest/simulated.ts';
import type { BacktestJson, BacktestSeries } from '../src/outputs/backtestFiles.ts';
import { csvText, splitCsvLine } from '../src/outputs/csvCells.ts';
import { importedDir } from './support/backtestDir.ts';

test('errors: MAPE over the steps observed ≠ 0, max |sim − obs|, mean sim − obs', () => {
  // |110−100|/100 = 10%, |180−200|/200 = 10%, observed 0 left out of MAPE, |50−50|/50 = 0%: 20/3 %.
  const e = errors([100, 200, 0, 50], [110, 180, 5, 50]);
  assert.ok(Math.abs(e.mape! - 20 / 3) < 1e-12);
  assert.equal(e.maxError, 20);
  assert.equal(e.bias, (10 - 20 + 5 + 0) / 4);
  // Observed 0 throughout: no MAPE (null), the error still said by max_error and bias.
  assert.deepEqual(errors([0, 0], [0, 2]), { mape: null, maxError: 2, bias: 1 });
});

const series = (name: string, mape: number | null, points = 10): BacktestSeries => ({ series: name, mape_pct: mape, max_error: 0, bias: 0, unit: 'u', points, headline: true });

test('verdict: good only when every headline figure is within its threshold; incomplete when one is missing', () => {
  const fine = [series('nodes/general', 1), series('replicas/Deployment/a/web', 4), series('cpu_used/Deployment/a/web', 9.9)];
  const good = judge(fine, -1.2, 0.8, true);
  assert.equal(good.level, 'good');
  assert.match(good.text, /cost -1.2% and node-hours \+0.8%, within 5%.*worst: cpu_used\/Deployment\/a\/web, 9.9%/);
  // One series at 10.1% MAPE: fair, never good, and named.
  const fair = judge([...fine, series('replicas/Deployment/a/api', 10.1)], -1.2, 0.8, true);
  assert.equal(fair.level, 'fair');
  assert.match(fair.text, /^fair: replicas\/Deployment\/a\/api 10.1% MAPE/);
  // Cost 20% off: poor.
  assert.equal(judge(fine, 20, 0.8, true).level, 'poor');
  // A headline series with no point, or no nodes observed: incomplete.
  assert.equal(judge([...fine, series('cpu_used/Deployment/a/api', null, 0)], 1, 1, true).level, 'incomplete');
  assert.match(judge(fine, null, null, false).text, /^incomplete: not compared: nodes and cost/);
});

test('compare: CPU against the mean of the samples in [t − W, t), OOM kills summed over (t − step, t], nodes from NodeReady', () => {
  // The run samples every 30 s for 10 minutes; the metrics are at 1m steps with a 5m CPU window.
  const t = Array.from({ length: 21 }, (_, k) => k * 30);
  const cpu = t.map((s) => s); // the CPU used at sample s is s millicores
  const kills = t.map((s) => (s === 330 || s === 360 ? 1 : 0));
  const simulated: Simulated = {
    durationSeconds: 600,
    t,
    costUsdPerHour: t.map(() => 0.2),
    costUsdCumulative: t.map((s) => (0.2 * s) / 3600),
    workloads: new Map([['Deployment/a/web', {
      t,
      columns: { replicas_desired: t.map(() => 2), cpu_used_m: cpu, memory_used_bytes: t.map(() => 1), cpu_requested_m: t.map(() => 500), memory_requested_bytes: t.map(() => 1), oom_kills: kills, cpu_throttled_pct: t.map(() => 0) },
    }]]),
    // Ready at 90 s, removed at 200 s: counted at 120 and 180 only. The other lives throughout.
    nodes: [{ pool: 'p', fromSeconds: 0, toSeconds: null }, { pool: 'p', fromSeconds: 90, toSeconds: 200 }],
  };
  const start = 1_767_571_200;
  const times = Array.from({ length: 11 }, (_, i) => start + i * 60);
  const col = (f: (r: number) => number | null) => times.map((x) => f(x - start));
  const observed: Observed = {
    times,
    stepSeconds: 60,
    workloads: [{
      workload: 'Deployment/a/web',
      file: 'metrics/a/web.csv',
      columns: new Map<string, (number | null)[]>([
        ['replicas', col(() => 2)],
        ['hpa_desired_replicas', col(() => null)],
        // Mean of the samples in [r − 300, r): 30 s apart, 10 of them, r − 300 .. r − 30: r − 165.
        ['cpu_used_m', col((r) => r - 165)],
        ['oom_kills', col((r) => (r === 360 ? 2 : 0))],
      ]),
    }],
    pools: new Map([['p', times.map((x) => (x - start >= 120 && x - start < 200 ? 2 : 1))]]),
  };
  const { json, points } = compare({ observed, simulated, startSeconds: start, sampleEverySeconds: 30, cpuWindowSeconds: 300, prices: new Map([['p', 0.1]]) });
  const row = (name: string) => json.series.find((s) => s.series === name)!;
  // CPU: compared from r = 300 on (within W of the start the window reaches before the run): 6 points, all equal.
  assert.deepEqual([row('cpu_used/Deployment/a/web').points, row('cpu_used/Deployment/a/web').max_error], [6, 0]);
  assert.deepEqual(points.find((p) => p.series === 'cpu_used/Deployment/a/web')!.simulated, [135, 195, 255, 315, 375, 435]);
  // Kills: the rows at 330 and 360 fall in (300, 360]: 2, as observed.
  assert.deepEqual([row('oom_kills/Deployment/a/web').observedTotal, row('oom_kills/Deployment/a/web').simulatedTotal, row('oom_kills/Deployment/a/web').max_error], [2, 2, 0]);
  // Replicas without an HPA's series: the replicas column.
  assert.equal(row('replicas/Deployment/a/web').mape_pct, 0);
  assert.deepEqual([row('nodes/p').max_error, row('nodes').max_error], [0, 0]);
  // Node-hours: 10 steps of a minute (the last time ends the window), 2 nodes at 120 and 180:
  // 12 node-minutes = 0.2 h on both sides. Observed cost 0.2 h × $0.1; simulated: the run's $0.2/h
  // × 600 s = $0.033333, so the cost error is the price's, not the count's.
  assert.deepEqual([json.observed.nodeHours, json.simulated.nodeHours, json.nodeHoursErrorPct], [0.2, 0.2, 0]);
  assert.deepEqual([json.observed.costUsd, json.simulated.costUsd], [0.02, 0.033333]);
  assert.ok(json.notes.some((n) => /memory_used\/Deployment\/a\/web: memory_used_bytes never observed/.test(n)));
});

test('capsim backtest of a run against its own series: every series matches, verdict good, the report has the section', async (t) => {
  const { dir } = importedDir();
  const r = capsim('backtest', dir, '--format', 'html');
  ok(r, 'capsim backtest');
  const out = path.join(dir, 'backtest');
  const json = JSON.parse(fs.readFileSync(path.join(out, 'backtest.json'), 'utf8')) as BacktestJson;
  assert.equal(json.verdictLevel, 'good', json.verdict);
  assert.deepEqual([json.costErrorPct, json.nodeHoursErrorPct], [0, 0]);
  for (const s of json.series) assert.equal(s.max_error <= 0.5, true, `${s.series}: max_error ${s.max_error}`);
  // 121 minutes; CPU from 5m on (116 points); OOM kills 0 throughout: no MAPE.
  assert.equal(json.window.steps, 121);
  const csv = fs.readFileSync(path.join(out, 'backtest.csv'), 'utf8').split('\n');
  assert.equal(csv[0], 'series,mape_pct,max_error,bias,unit,points');
  assert.ok(csv.includes('nodes/web,0,0,0,nodes,121'), csv.join('\n'));
  assert.ok(csv.includes('oom_kills/Deployment/shop/storefront,,0,0,kills,121'), csv.join('\n'));
  assert.match(csv.find((l) => l.startsWith('cpu_used/'))!, /,millicores,116$/);
  const seriesCsv = fs.readFileSync(path.join(out, 'backtest-series.csv'), 'utf8').split('\n');
  assert.equal(seriesCsv[0], 'time,series,observed,simulated');
  assert.equal(seriesCsv[1], '2026-01-05T00:00:00Z,nodes,3,3');
  assert.match(r.stdout, /Verdict: good/);
  // The terminal's table (cli-table3, as every command's): the header, then nodes/web matching exactly.
  assert.match(r.stdout, /^series +mape_pct +max_error +bias +unit +points$/m);
  assert.match(r.stdout, /^nodes\/web +0\.0 +0 +0 +nodes +121$/m);
  // The run's own files are there too, and the report has the section; capsim report draws it again.
  for (const f of ['summary.json', 'workloads.csv', 'report.html']) assert.ok(fs.existsSync(path.join(out, f)), f);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('<h2 id="backtest">Simulated vs observed</h2>'));
  fs.rmSync(path.join(out, 'report.html'));
  ok(capsim('report', out, '--format', 'html'), 'capsim report');
  assert.equal(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), html);
  if (!chromiumAvailable()) {
    if (process.env.CAPSIM_REQUIRE_BROWSER === '1') assert.fail(`CAPSIM_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing; ${INSTALL_HINT}`);
    t.diagnostic(`${CHROMIUM} not found: the page is not opened in a browser`);
    return;
  }
  // In Chromium: every chart (the section's three: nodes/web, replicas and cpu_used of storefront) embeds, no console error.
  const { charts, bodyText } = await checkReportInBrowser(path.join(out, 'report.html'), path.join(dir, 'backtest-report.png'));
  assert.ok(charts >= 13, `${charts} charts`);
  assert.match(bodyText, /Simulated vs observed/);
});

test('capsim backtest names the series that misses: observed replicas doubled -> poor, never good', () => {
  const { dir } = importedDir();
  const copy = path.join(path.dirname(dir), 'doubled');
  fs.cpSync(dir, copy, { recursive: true });
  fs.rmSync(path.join(copy, 'backtest'), { recursive: true, force: true });
  const file = path.join(copy, 'metrics/shop/storefront.csv');
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  // hpa_desired_replicas is the 5th column: double it.
  fs.writeFileSync(file, [header, ...rows.map((r) => r.split(',').map((v, i) => (i === 4 ? String(2 * Number(v)) : v)).join(','))].join('\n') + '\n');
  const r = capsim('backtest', copy, '--format', 'none', '-o', 'json', '--quiet');
  ok(r, 'capsim backtest');
  const json = JSON.parse(r.stdout) as BacktestJson;
  assert.equal(json.verdictLevel, 'poor');
  assert.match(json.verdict, /^poor: replicas\/Deployment\/shop\/storefront 50.0% MAPE/);
  // bias: simulated − observed = −replicas on average.
  assert.ok(json.series.find((s) => s.series === 'replicas/Deployment/shop/storefront')!.bias < 0);
});

test('capsim backtest: no backtest.yaml, no metrics, a window that does not match, an --out holding the inputs: exit 2, nothing written', () => {
  const { dir } = importedDir();
  const root = path.dirname(dir);
  const cases: [string, (d: string) => void, RegExp, string[]?][] = [
    ['no-scenario', (d) => fs.rmSync(path.join(d, 'backtest.yaml')), /backtest.yaml: not found: DIR has no backtest scenario\n    hint: run `capsim import metrics --prometheus URL/],
    ['no-metrics', (d) => fs.rmSync(path.join(d, 'metrics'), { recursive: true }), /metrics\/workloads.csv: not found: DIR has no imported metrics\n    hint: run `capsim import metrics/],
    ['late-start', (d) => fs.writeFileSync(path.join(d, 'backtest.yaml'), fs.readFileSync(path.join(d, 'backtest.yaml'), 'utf8').replace('2026-01-05T00:00:00Z', '2026-01-05T01:00:00Z')),
      /spec.start: 2026-01-05T01:00:00Z is not the start of the observed window, 2026-01-05T00:00:00Z\n    hint: backtest.yaml must cover the window of DIR\/metrics\/: spec.start: "2026-01-05T00:00:00Z", spec.duration: 2h/],
    ['short', (d) => fs.writeFileSync(path.join(d, 'backtest.yaml'), fs.readFileSync(path.join(d, 'backtest.yaml'), 'utf8').replace('duration: 2h', 'duration: 1h')), /spec.duration: 1h is not the length of the observed window, 2h/],
    ['out-is-dir', () => {}, /holds .*backtest.yaml, which this run reads: the run replaces its output directory whole/, ['--out', '.']],
  ];
  for (const [name, spoil, message, extra] of cases) {
    const d = path.join(root, name);
    fs.cpSync(dir, d, { recursive: true });
    fs.rmSync(path.join(d, 'backtest'), { recursive: true, force: true });
    spoil(d);
    const before = fs.readdirSync(d).sort();
    const args = extra ? extra.map((a) => (a === '.' ? d : a)) : [];
    const r = capsim('backtest', d, '--format', 'none', ...args);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.deepEqual(fs.readdirSync(d).sort(), before, `${name}: nothing written`);
  }
});

test('splitCsvLine undoes RFC 4180 quoting as the CSV writer does it (a pool or name with a comma or quote)', async () => {
  assert.deepEqual(splitCsvLine('a,"b,c","d""e",'), ['a', 'b,c', 'd"e', '']);
  const row = ['nodes/pool,one', 'say "hi"', '', '=cmd'];
  const line = (await csvText([row])).trimEnd();
  // The formula-like cell keeps its quote (textCell); readTextCell takes it off.
  assert.deepEqual(splitCsvLine(line), ['nodes/pool,one', 'say "hi"', '', "'=cmd"]);
  assert.throws(() => splitCsvLine('"open'), /not closed/);
});

test('capsim report of a backtest whose backtest.json or backtest-series.csv is damaged: exit 2 naming the file, never a blank section', () => {
  const { dir } = importedDir();
  const out = path.join(path.dirname(dir), 'damaged-out');
  ok(capsim('backtest', dir, '--out', out, '--format', 'none', '--quiet'), 'capsim backtest');
  const json = path.join(out, 'backtest.json');
  const text = fs.readFileSync(json, 'utf8');
  fs.writeFileSync(json, text.slice(0, 100));
  let r = capsim('report', out, '--format', 'html');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /backtest.json: not JSON/);
  fs.writeFileSync(json, text);
  fs.appendFileSync(path.join(out, 'backtest-series.csv'), '2026-01-05T00:00:00Z,nodes/web,three,3\n');
  r = capsim('report', out, '--format', 'html');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /backtest-series.csv: line 1\d\d\d is not time,series,observed,simulated/);
  assert.ok(!fs.existsSync(path.join(out, 'report.html')), 'no page written');
});
