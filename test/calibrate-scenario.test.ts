// Calibration end to end (issue 16 items 4 and 6): the usage of a real capsim run is fitted back
// to the scenario's own parameters; and on an imported cluster (test/fixtures/dumps/eks-shop.yaml)
// the files calibrate() returns — calibration.json, backtest.yaml, forecast.yaml — load with the
// real loader and the backtest runs, the user's comments and behavior keys kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { importCluster } from '../src/import/importCluster.ts';
import { calibrate, type CalibrationInput } from '../src/calibrate/calibrate.ts';
import { fitUsage } from '../src/calibrate/usageFit.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';
import { MI, series, seriesCsv } from './support/calibrateSeries.ts';
import { readRun, runFile, scratchDir } from './support/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

test('a real run: scenarios/web-hpa.yaml for a day (storefront: CPU 0m + 4m/unit, memory 300Mi + 1Mi/unit) is fitted back within 2%', async () => {
  const run = await runFile(path.join(ROOT, 'scenarios/web-hpa.yaml'), { set: ['spec.duration=1d'] });
  // workloads.csv has the columns the import produces: demand, replicas_ready, cpu_used_m,
  // memory_used_bytes, all at the step; the import's CPU is the mean over the 5 minutes before
  // it (rate), so it is made so here, and the demand is a gauge ('rps', no range).
  const rows = run.csv('workloads.csv').filter((r) => r.workload === 'Deployment/shop/storefront');
  const col = (name: string) => rows.map((r) => (r[name] === '' ? null : Number(r[name])));
  const rate5m = (c: (number | null)[]) => c.map((_, i) => {
    const inWindow = c.slice(Math.max(0, i - 4), i + 1) as number[];
    return inWindow.reduce((a, b) => a + b, 0) / inWindow.length;
  });
  const times = rows.map((r) => Date.parse(r.time) / 1000);
  const fit = fitUsage({ workload: 'Deployment/shop/storefront', demandQuery: 'rps', columns: { demand: col('demand'), replicas_ready: col('replicas_ready'), cpu_used_m: rate5m(col('cpu_used_m')), memory_used_bytes: col('memory_used_bytes'), cpu_throttled_pct: col('cpu_throttled_pct') } }, times, 60);
  near(fit.cpu.base, 0, 1, 'CPU base (m)');
  near(fit.cpu.perUnit, 4, 0.08, 'CPU perUnit (m)');
  near(fit.memory.base, 300 * MI, 6 * MI, 'memory base');
  near(fit.memory.perUnit, MI, 0.02 * MI, 'memory perUnit');
  assert.equal(fit.memory.leakPerHour, 0);
  assert.ok(fit.cpu.goodness!.r2! > 0.99 && fit.cpu.goodness!.mapePct! < 2);
  assert.deepEqual([...fit.cpu.warnings, ...fit.memory.warnings], []);
  // The HPA moves the replicas: the steps right after a change are left out of the CPU fit.
  assert.ok((fit.cpu.leftOut['replicas changed in the CPU rate window'] ?? 0) > 0);
});

/** eks-shop imported into a scratch directory, its spot price set, and a behavior of the user's
 *  own for Deployment/shop/web (a comment, a startup delay and a demand that calibration replaces). */
async function importedShop(): Promise<string> {
  const dir = path.join(scratchDir('capsim-calibrate-'), 'shop');
  await importCluster({ inputs: [path.join(ROOT, 'test/fixtures/dumps/eks-shop.yaml')], outDir: dir, placement: 'asDumped' });
  const file = path.join(dir, 'scenario.yaml');
  let text = fs.readFileSync(file, 'utf8');
  text = text.replace(/# spot: \{pricePerHour: 0\.0\}.*$/m, 'spot: {pricePerHour: 0.04}');
  text += '  # my own behavior for web: its startup delay stays\n  behavior:\n    - target: Deployment/shop/web\n      startup: {delay: 30s}\n      demand: [{constant: 5}]\n';
  fs.writeFileSync(file, text);
  await loadScenario(file); // the edited scenario loads, as the workflow asks before importing metrics
  return dir;
}

function inputFor(dir: string): CalibrationInput {
  const start = Date.UTC(2026, 2, 2) / 1000; // Monday 2026-03-02, two days at 1m
  const steps = 2 * 1440 + 1;
  const web = series({ workload: 'Deployment/shop/web', start, steps, cpuBaseMilli: 20, cpuPerUnitMilli: 4 });
  const db = series({ workload: 'StatefulSet/shop/db', start, steps, demandQuery: null, replicas: () => 1, memBaseBytes: 1500 * MI, memPerUnitBytes: 0 });
  db.workload.columns.demand = db.workload.columns.cpu_used_m.map((m) => (m === null ? null : m / 1000));
  const ghost = series({ workload: 'Deployment/shop/ghost', start, steps });
  return {
    dir,
    window: { startSeconds: start, endSeconds: start + (steps - 1) * 60, stepSeconds: 60 },
    times: web.times,
    workloads: [web.workload, db.workload, ghost.workload],
    pools: new Map([['general', web.times.map(() => 2)]]),
    forecastSeconds: 7 * 86_400,
    // --forecast 1w: the files say 1w as written (computed, it would read 7d).
    forecastWritten: '1w',
  };
}

/** Writes the files as the import would: the metrics CSVs and what calibrate() returned. */
function writeAll(input: CalibrationInput, files: Map<string, string>): void {
  for (const w of input.workloads) {
    fs.mkdirSync(path.join(input.dir, path.dirname(w.file)), { recursive: true });
    fs.writeFileSync(path.join(input.dir, w.file), seriesCsv(input.times, w));
  }
  for (const [name, text] of files) fs.writeFileSync(path.join(input.dir, name), text);
}

test('eks-shop: backtest.yaml and forecast.yaml load with the real loader, keep the user\'s comments and keys, and the backtest runs', async () => {
  const dir = await importedShop();
  const input = inputFor(dir);
  const result = await calibrate(input);
  assert.deepEqual([...result.files.keys()].sort(), ['backtest.yaml', 'calibration.json', 'forecast.yaml']);
  writeAll(input, result.files);

  const backtestText = result.files.get('backtest.yaml')!;
  assert.match(backtestText, /^# Generated by capsim import metrics from scenario\.yaml and the metrics of 2026-03-02T00:00:00Z to 2026-03-04T00:00:00Z \(step 60 s\)\./);
  assert.match(backtestText, /re-run the import with --force/);
  assert.match(backtestText, /# Imported by `capsim import cluster`/); // scenario.yaml's own header stays
  assert.match(backtestText, /# my own behavior for web: its startup delay stays/);
  const doc = YAML.parse(backtestText);
  assert.deepEqual([doc.spec.start, doc.spec.duration, doc.spec.sampleEvery], ['2026-03-02T00:00:00Z', '2d', '1m']);
  const web = doc.spec.behavior.find((b: any) => b.target === 'Deployment/shop/web');
  assert.deepEqual(web, {
    target: 'Deployment/shop/web',
    startup: { delay: '30s' },
    demand: [{ trace: { file: 'metrics/shop/web.csv', time: 'time', value: 'demand' } }],
    // One container: all of the pod's model, CPU in whole millicores.
    usage: { web: { cpu: { base: '20m', perUnit: '4m' }, memory: web.usage.web.memory } },
  });
  // Memory 300Mi + 1Mi/unit with 5% noise, over two days: in whole Mi from 100Mi, Ki below.
  const bytes = (q: string) => Number(q.replace(/Mi$/, '')) * (q.endsWith('Mi') ? MI : 1) || Number(q.replace(/Ki$/, '')) * 1024;
  assert.match(web.usage.web.memory.base, /^\d{3}Mi$/);
  near(bytes(web.usage.web.memory.base), 300 * MI, 3 * MI, 'memory base');
  // perUnit is the weak part: the load per pod spans ~25-40 units/s, 15Mi of memory against a
  // noise of 5% × ~330Mi = 16Mi per step, over two days.
  near(bytes(web.usage.web.memory.perUnit), MI, 0.1 * MI, 'memory perUnit');
  near(web.usage.web.memory.noise, 0.05, 0.003, 'memory noise');
  // The db's demand is its CPU: the identity model, 1000m per unit (one container, postgres).
  const db = doc.spec.behavior.find((b: any) => b.target === 'StatefulSet/shop/db');
  assert.deepEqual(db.usage.postgres.cpu, { base: '0', perUnit: '1' });
  assert.equal(doc.spec.behavior.some((b: any) => b.target === 'Deployment/shop/ghost'), false);

  const backtest = await loadScenario(path.join(dir, 'backtest.yaml'), { set: ['spec.duration=30m'] });
  const out = path.join(scratchDir(), 'backtest');
  await runScenario(backtest, { outDir: out });
  const runOut = readRun(out);
  const storefront = runOut.csv('workloads.csv').filter((r) => r.workload === 'Deployment/shop/web');
  assert.ok(storefront.length > 0);
  // The trace's first value is the demand at 00:00 (100 × (1 + 0.5 cos(−14 h))) = 56.7.
  near(Number(storefront[0].demand), 100 * (1 + 0.5 * Math.cos((2 * Math.PI * -14) / 24)), 0.01, 'demand at t = 0');

  const forecastText = result.files.get('forecast.yaml')!;
  assert.match(forecastText, /starts from the state the cluster dump recorded/);
  assert.match(forecastText, /^# The forecast: 1w from the window's end, .*\(Deployment\/shop\/web R² 1\.000, StatefulSet\/shop\/db R² \d\.\d{3};/m);
  const forecast = YAML.parse(forecastText);
  assert.deepEqual([forecast.spec.start, forecast.spec.duration], ['2026-03-04T00:00:00Z', '1w']);
  const fweb = forecast.spec.behavior.find((b: any) => b.target === 'Deployment/shop/web');
  assert.equal(fweb.startup.delay, '30s');
  // The synthetic demand is 100 × (1 + 0.5 cos(2π(h − 14)/24)), no weekend in a Monday-Tuesday
  // window, no growth.
  assert.equal(fweb.demand[1].daily.peakAt, '14:00');
  near(fweb.demand[0].constant, 100, 0.5, 'constant');
  near(fweb.demand[1].daily.amplitude, 0.5, 0.005, 'amplitude');
  assert.equal(fweb.demand.some((p: any) => 'weekly' in p), false);
  near(fweb.demand.find((p: any) => 'growth' in p)?.growth.perDay ?? 0, 0, 0.001, 'growth');
  await loadScenario(path.join(dir, 'forecast.yaml'), { set: ['spec.duration=10m'] });

  const json = JSON.parse(result.files.get('calibration.json')!);
  assert.deepEqual(json.window, { start: '2026-03-02T00:00:00Z', end: '2026-03-04T00:00:00Z', stepSeconds: 60, steps: 2881 });
  assert.deepEqual(json.scenario, { written: true, replacedBehavior: ['Deployment/shop/web'] });
  const jweb = json.workloads.find((w: any) => w.workload === 'Deployment/shop/web');
  near(jweb.usagePerPod.cpu.perUnitMilli, 4, 0.04, 'calibration.json perUnit');
  assert.equal(jweb.demand.source, 'query');
  assert.equal(json.workloads.find((w: any) => w.workload === 'StatefulSet/shop/db').usagePerPod.cpu.identity, true);
  assert.equal(json.workloads.find((w: any) => w.workload === 'Deployment/shop/ghost').inScenario, false);

  assert.match(result.report, /^## Calibration\n/);
  assert.match(result.report, /\| Deployment\/shop\/web \| `sum\(http_requests_per_second\{service="web"\}\)` \| 20\.\d\dm \+ 4\.\d\dm\/unit \(R² (0\.9\d\d|1\.000), MAPE \d\.\d%, n \d+\) \| 30\dMi \+ [01]\.\d\dMi\/unit( \*\*uncertain\*\*: 95% [\d.]+Mi to [\d.]+Mi \(load per pod [\d.]+ to [\d.]+\))?, noise 0\.0\d\d, leak 0/);
  assert.match(result.report, /\| Deployment\/shop\/ghost \(not in scenario\.yaml\) \|/);
  assert.match(result.report, /StatefulSet\/shop\/db: no --demand query, so the demand is the observed CPU in cores and the CPU model is the identity \(base 0, 1000m per unit\): not a fit, no R² claimed/);
  assert.match(result.report, /had their demand and usage replaced \(their other keys kept\)/);
  assert.ok(result.warnings.includes('Deployment/shop/ghost: calibrated (calibration.json) but not in scenario.yaml, so not in backtest.yaml or forecast.yaml'));
  // The synthetic web starts the window at 2 replicas (57 units/s at midnight, 30 a pod), the
  // dump (eks-shop.yaml) at 3: the backtest starts from the dump, and says so.
  assert.deepEqual(result.warnings.filter((w) => w.includes("at the window's start")), ["Deployment/shop/web: 2 replicas at the window's start in metrics/shop/web.csv, but 3 in scenario.yaml (the dump's): the backtest starts from the dump, so its first minutes differ; import a dump taken at the window's start"]);
  const same = inputFor(dir);
  same.workloads[0].columns.replicas[0] = 3;
  const again = await calibrate(same);
  assert.deepEqual(again.warnings.filter((w) => w.includes("at the window's start")), []);
});

test('a multi-container pod: base and perUnit split by requests (CPU by CPU, memory by memory)', async () => {
  const dir = path.join(scratchDir('capsim-calibrate-'), 'two');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'scenario.yaml'), [
    'apiVersion: capsim/v1', 'kind: Scenario', 'metadata: {name: two}', 'spec:',
    '  cluster: {nodePools: [{name: p, instanceType: aws/m5.xlarge, count: 2}]}',
    '  workloads:', '    - name: web', '      namespace: shop', '      replicas: 2', '      containers:',
    '        - {name: app, resources: {requests: {cpu: 300m, memory: 768Mi}}}',
    '        - {name: proxy, resources: {requests: {cpu: 100m, memory: 256Mi}}}', '',
  ].join('\n'));
  const start = Date.UTC(2026, 0, 5) / 1000;
  const web = series({ start, steps: 1441, cpuBaseMilli: 40, cpuPerUnitMilli: 8, memNoise: 0 });
  const input: CalibrationInput = { dir, window: { startSeconds: start, endSeconds: start + 1440 * 60, stepSeconds: 60 }, times: web.times, workloads: [web.workload], pools: new Map(), forecastSeconds: null };
  const result = await calibrate(input);
  assert.deepEqual([...result.files.keys()].sort(), ['backtest.yaml', 'calibration.json']);
  const usage = YAML.parse(result.files.get('backtest.yaml')!).spec.behavior[0].usage;
  // CPU 300m : 100m = 3/4 : 1/4 of 40m + 8m/unit; memory 768Mi : 256Mi = 3/4 : 1/4 of 300Mi + 1Mi/unit.
  assert.deepEqual(usage, {
    app: { cpu: { base: '30m', perUnit: '6m' }, memory: { base: '225Mi', perUnit: '768Ki' } },
    proxy: { cpu: { base: '10m', perUnit: '2m' }, memory: { base: '75Mi', perUnit: '256Ki' } },
  });
  assert.match(result.report, /- Deployment\/shop\/web: app: CPU 75%, memory 75%; proxy: CPU 25%, memory 25%/);
});

test('a scenario.yaml that does not load: calibration.json only, and the warning says why', async () => {
  const dir = path.join(scratchDir('capsim-calibrate-'), 'broken');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'scenario.yaml'), 'apiVersion: capsim/v1\nkind: Scenario\nspec: {duration: -1}\n');
  const start = Date.UTC(2026, 0, 5) / 1000;
  const web = series({ start, steps: 100 });
  const result = await calibrate({ dir, window: { startSeconds: start, endSeconds: start + 99 * 60, stepSeconds: 60 }, times: web.times, workloads: [web.workload], pools: new Map(), forecastSeconds: 3600 });
  assert.deepEqual([...result.files.keys()], ['calibration.json']);
  assert.match(result.warnings.at(-1)!, /^backtest\.yaml and forecast\.yaml not written: scenario\.yaml does not load \(\d+ problems?; the first: /);
  const none = await calibrate({ dir: scratchDir(), window: { startSeconds: start, endSeconds: start + 99 * 60, stepSeconds: 60 }, times: web.times, workloads: [web.workload], pools: new Map(), forecastSeconds: null });
  assert.match(none.report, /backtest\.yaml was not written: there is no scenario\.yaml in the directory/);
});

test('a demand with empty cells: a few go unsaid (the trace goes across them), many or all are warned about', async () => {
  const dir = await importedShop();
  const input = inputFor(dir);
  const demand = input.workloads[0].columns.demand;
  demand[0] = null; // the first step of a rate window, as every import has
  const few = await calibrate(input);
  assert.equal(few.warnings.filter((w) => w.includes('no demand') || w.includes('have no demand')).length, 0);
  // 2,881 steps: 300 empty is over 5%.
  for (let i = 0; i < 300; i++) demand[i * 9] = null;
  const many = await calibrate(input);
  assert.ok(many.warnings.includes("Deployment/shop/web: 300 of 2881 steps of metrics/shop/web.csv have no demand; backtest.yaml's trace goes straight across each gap"), many.warnings.join('\n'));
  demand.fill(null);
  const none = await calibrate(input);
  assert.ok(none.warnings.includes('Deployment/shop/web: no step of metrics/shop/web.csv has a demand, and its trace in backtest.yaml needs at least one: give --demand a query with data in the window'));
});
