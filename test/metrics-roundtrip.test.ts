// Issue 16's Done-when, on real parts: test/fixtures/roundtrip/shop.yaml (daily demand with 5%
// noise, two HPAs, the cluster autoscaler; 2 days at 1m) is run, exported as OpenMetrics,
// backfilled with promtool and served by a real Prometheus on 127.0.0.1; its cluster at t = 0
// (dump.yaml) is imported, the autoscaler added as import-report.md asks, and `capsim import
// metrics --demand ... --forecast 30d` reads the window back and calibrates. Then:
// - the fitted usage parameters are within 5% of shop.yaml's;
// - `capsim backtest` with the calibrated models reproduces the run: node-hours and cost within
//   2%, HPA replicas and CPU used within 5% MAPE;
// - forecast.yaml runs the next 30 days, and a what-if (--set) on it answers "what if".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { capsim, scratchDir } from './support/run.ts';
import { ok, prometheusOrSkip } from './support/prometheus.ts';
import { demandFlag, importCluster, importMetrics, runAndExport, serve } from './support/roundTrip.ts';
import type { BacktestJson } from '../src/outputs/backtestFiles.ts';

const SHOP = 'test/fixtures/roundtrip/shop.yaml';
const DUMP = 'test/fixtures/roundtrip/dump.yaml';
const WINDOW = { start: '2026-01-05T00:00:00Z', end: '2026-01-07T00:00:00Z', step: '1m' };
const MI = 2 ** 20;

const within = (actual: number, expected: number, pct: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= (pct / 100) * Math.abs(expected), `${what}: ${actual} is not within ${pct}% of ${expected}`);

test('round trip with calibration: the fitted models are shop.yaml\'s, the backtest reproduces the run, the forecast runs', { timeout: 300_000 }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const dir = scratchDir('capsim-metrics-rt-');
  const { om, run } = runAndExport(SHOP, dir);
  const prometheus = await serve(om, dir);
  const into = path.join(dir, 'shop');
  let imported: { stdout: string; stderr: string };
  try {
    importCluster(DUMP, into, { pools: { general: { min: 2, max: 8 } } });
    imported = importMetrics(prometheus, WINDOW, into, ...demandFlag('shop', 'web'), ...demandFlag('shop', 'api'), '--forecast', '30d');
  } finally {
    await prometheus.stop();
  }
  // Nothing about this data is outside the model: no warning.
  assert.doesNotMatch(imported.stderr, /warning/, imported.stderr);

  // The fits, against shop.yaml: web CPU 20m + 4m/unit, memory 150Mi + 2Mi/unit (noise 0.01);
  // api CPU 50m + 2m/unit, memory 250Mi + 1Mi/unit (noise 0.01).
  const calibration = JSON.parse(fs.readFileSync(path.join(into, 'calibration.json'), 'utf8'));
  const fit = (w: string) => calibration.workloads.find((x: { workload: string }) => x.workload === w).usagePerPod;
  const web = fit('Deployment/shop/web');
  const api = fit('Deployment/shop/api');
  within(web.cpu.baseMilli, 20, 5, 'web CPU base');
  within(web.cpu.perUnitMilli, 4, 5, 'web CPU perUnit');
  within(web.memory.baseBytes, 150 * MI, 5, 'web memory base');
  within(web.memory.perUnitBytes, 2 * MI, 5, 'web memory perUnit');
  within(api.cpu.baseMilli, 50, 5, 'api CPU base');
  within(api.cpu.perUnitMilli, 2, 5, 'api CPU perUnit');
  within(api.memory.baseBytes, 250 * MI, 5, 'api memory base');
  within(api.memory.perUnitBytes, MI, 5, 'api memory perUnit');
  // The noise is a smaller number measured from fewer degrees of freedom: within 15%.
  within(web.memory.noise, 0.01, 15, 'web memory noise');
  within(api.memory.noise, 0.01, 15, 'api memory noise');
  // backtest.yaml carries them as capsim writes quantities.
  const backtestYaml = YAML.parse(fs.readFileSync(path.join(into, 'backtest.yaml'), 'utf8'));
  const webBehavior = backtestYaml.spec.behavior.find((b: { target: string }) => b.target === 'Deployment/shop/web');
  assert.deepEqual(webBehavior.usage.web.cpu, { base: '20m', perUnit: '4m' });
  assert.deepEqual(webBehavior.demand, [{ trace: { file: 'metrics/shop/web.csv', time: 'time', value: 'demand' } }]);

  // The backtest: simulated against observed.
  const r = capsim('backtest', into, '--format', 'html');
  ok(r, 'capsim backtest');
  const json: BacktestJson = JSON.parse(fs.readFileSync(path.join(into, 'backtest', 'backtest.json'), 'utf8'));
  const mape = (prefix: string) => json.series.filter((s) => s.series.startsWith(prefix)).map((s) => s.mape_pct!);
  assert.ok(Math.abs(json.nodeHoursErrorPct!) <= 2, `node-hours ${json.nodeHoursErrorPct}%`);
  assert.ok(Math.abs(json.costErrorPct!) <= 2, `cost ${json.costErrorPct}%`);
  assert.equal(mape('replicas/').length, 2);
  assert.equal(mape('cpu_used/').length, 2);
  for (const m of [...mape('replicas/'), ...mape('cpu_used/')]) assert.ok(m <= 5, `MAPE ${m}% (replicas, CPU used)`);
  assert.equal(json.verdictLevel, 'good');
  t.diagnostic(`backtest: node-hours ${json.nodeHoursErrorPct?.toFixed(2)}%, cost ${json.costErrorPct?.toFixed(2)}%, replicas MAPE ${mape('replicas/').map((m) => m.toFixed(2)).join('/')}%, CPU MAPE ${mape('cpu_used/').map((m) => m.toFixed(2)).join('/')}%`);

  // The forecast: 30 days from the window's end with the fitted daily demand (no growth or
  // weekly pattern fitted from 2 weekdays) costs what the observed days cost, about.
  const forecast = path.join(dir, 'forecast');
  ok(capsim('run', path.join(into, 'forecast.yaml'), '--out', forecast, '--format', 'none', '--quiet'), 'capsim run forecast.yaml');
  const observedPerDay = json.observed.costUsd / 2;
  const summary = JSON.parse(fs.readFileSync(path.join(forecast, 'summary.json'), 'utf8'));
  within(summary.cost.totalUsd / 30, observedPerDay, 10, 'forecast cost per day');
  // What if the pool were m5.xlarge (twice the CPU, twice the price)? A different answer, from
  // the same calibrated models.
  const bigger = path.join(dir, 'forecast-xlarge');
  ok(capsim('run', path.join(into, 'forecast.yaml'), '--out', bigger, '--format', 'none', '--quiet', '--set', 'spec.cluster.nodePools[0].instanceType=aws/m5.xlarge'), 'capsim run forecast.yaml --set');
  const whatIf = JSON.parse(fs.readFileSync(path.join(bigger, 'summary.json'), 'utf8'));
  assert.notEqual(whatIf.cost.totalUsd, summary.cost.totalUsd);
  t.diagnostic(`forecast: $${summary.cost.totalUsd.toFixed(2)} for 30 days (observed $${observedPerDay.toFixed(2)}/day); on m5.xlarge $${whatIf.cost.totalUsd.toFixed(2)}`);
  void run;
});

test('a deploy that makes each request 50% costlier mid-window: calibration warns, and the backtest error is larger and not called good', { timeout: 300_000 }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const dir = scratchDir('capsim-metrics-deploy-');
  const { om } = runAndExport(SHOP, dir);
  // From 2026-01-06T00:00Z on, web's CPU counter climbs 1.5 times as fast: the observed CPU
  // after the "deploy" is 50% above what the run used (its replicas and nodes are the run's).
  const mid = Date.parse('2026-01-06T00:00:00Z') / 1000;
  let atMid = 0;
  const edited = fs.readFileSync(om, 'utf8').split('\n').map((line) => {
    if (!line.startsWith('container_cpu_usage_seconds_total{') || !line.includes('pod="web-capsim"')) return line;
    const [series, value, time] = line.split(' ');
    const v = Number(value);
    if (Number(time) <= mid) {
      atMid = v;
      return line;
    }
    return `${series} ${atMid + 1.5 * (v - atMid)} ${time}`;
  });
  fs.writeFileSync(om, edited.join('\n'));
  const prometheus = await serve(om, dir);
  const into = path.join(dir, 'shop');
  let imported: { stdout: string; stderr: string };
  try {
    importCluster(DUMP, into, { pools: { general: { min: 2, max: 8 } } });
    imported = importMetrics(prometheus, WINDOW, into, ...demandFlag('shop', 'web'), ...demandFlag('shop', 'api'));
  } finally {
    await prometheus.stop();
  }
  // The change is found, near its time, with the costs before (4m) and after (6m) per unit.
  assert.match(imported.stderr, /warning: Deployment\/shop\/web: CPU per-unit cost changed around 2026-01-0[56]T\d\d:\d\d:\d\dZ \(4\.0\dm before, [56]\.\d\dm after per unit\/s/);
  const report = fs.readFileSync(path.join(into, 'metrics-report.md'), 'utf8');
  assert.match(report, /\*\*changed mid-window\*\*/);
  ok(capsim('backtest', into, '--format', 'none'), 'capsim backtest');
  const json: BacktestJson = JSON.parse(fs.readFileSync(path.join(into, 'backtest', 'backtest.json'), 'utf8'));
  const webCpu = json.series.find((s) => s.series === 'cpu_used/Deployment/shop/web')!;
  // One model for both halves is off by about a fifth on each side.
  assert.ok(webCpu.mape_pct! > 10, `web CPU MAPE ${webCpu.mape_pct}%`);
  assert.notEqual(json.verdictLevel, 'good');
  t.diagnostic(`deploy mid-window: web CPU MAPE ${webCpu.mape_pct?.toFixed(1)}%, verdict ${json.verdictLevel}`);
});
