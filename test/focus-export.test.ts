// When focus.csv is written, and capsim export focus: a run's focus.csv as it is, its
// focus.parquet as the same CSV, and a run that left it out simulated again to the same bytes; a
// month of a 1,000-node fleet leaves it out by default and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';
import { estimateRunSize, focusEstimate, FOCUS_AUTO_MAX_ROWS } from '../src/size/runSize.ts';
import { capsim, scratchDir, writeScenario } from './support/run.ts';
import { writeLargeScenario } from '../bench/large.ts';

test('capsim export focus: the run\'s focus.csv, its focus.parquet as the same CSV, or a rerun to the same bytes', async () => {
  const dir = scratchDir('capsim-focus-export-');
  const scenario = await loadScenario('scenarios/fleet-cost.yaml', { set: ['spec.duration=12h', 'spec.events=[]'] });
  const csvRun = path.join(dir, 'csv');
  const parquetRun = path.join(dir, 'parquet');
  const leftOut = path.join(dir, 'left-out');
  await runScenario(scenario, { outDir: csvRun });
  await runScenario(scenario, { outDir: parquetRun, tables: 'parquet' });
  const without = await runScenario(scenario, { outDir: leftOut, focus: false });
  assert.ok(!fs.existsSync(path.join(leftOut, 'focus.csv')));
  assert.deepEqual(without.notices.filter((n) => n.includes('focus')), []); // asked for: no notice
  assert.ok(fs.existsSync(path.join(parquetRun, 'focus.parquet')) && !fs.existsSync(path.join(parquetRun, 'focus.csv')));
  const expected = fs.readFileSync(path.join(csvRun, 'focus.csv'), 'utf8');
  const rows = expected.split('\n').length - 2;
  for (const [run, note] of [[csvRun, null], [parquetRun, null], [leftOut, /simulated again from its scenario\.resolved\.yaml \(seed 7\), same total cost/]] as const) {
    const out = path.join(dir, `${path.basename(run)}.focus.csv`);
    const r = capsim('export', 'focus', run, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), expected, run);
    assert.match(r.stderr, new RegExp(`Wrote .*: ${rows.toLocaleString('en-US')} FOCUS rows`));
    if (note) assert.match(r.stderr, note);
  }
  // To standard output without --out.
  const stdout = capsim('export', 'focus', csvRun);
  assert.equal(stdout.code, 0, stdout.stderr);
  assert.equal(stdout.stdout, expected);
});

test('capsim export focus refuses what is not a whole run, and writes nothing', () => {
  const dir = scratchDir('capsim-focus-export-bad-');
  const out = path.join(dir, 'out.csv');
  const none = capsim('export', 'focus', dir, '--out', out);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /summary\.json/);
  assert.ok(!fs.existsSync(out));
  // A focus.csv cut short (no newline at its end) or of other columns.
  const run = path.join(dir, 'run');
  const r = capsim('run', 'scenarios/e31-gpu-training-job.yaml', '--out', run, '--format', 'none', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(run, 'focus.csv');
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.slice(0, -10));
  const cut = capsim('export', 'focus', run, '--out', out);
  assert.equal(cut.code, 2);
  assert.match(cut.stderr, /focus\.csv.*cut short/);
  fs.writeFileSync(file, text.replace('ChargePeriodStart', 'Start'));
  const other = capsim('export', 'focus', run, '--out', out);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /header is not the 60 FOCUS columns/);
  assert.ok(!fs.existsSync(out));
});

test('a month of 1,000 nodes: focus.csv left out by default (8.6 M rows), with a notice; --focus asks for it', async () => {
  const dir = scratchDir('capsim-focus-large-');
  const s = await loadScenario(await writeLargeScenario(dir), { allowLarge: true });
  // 1,000 nodes x 720 hours, a row for each node-hour's idle cost and one per workload on the node:
  // min(200 Deployments, ceil(10,000 pods and a rollout's surge / 1,000 nodes) = 11): 720,000 x 12
  // = 8.64 M rows (the run writes 8.6 GB of them: 8.6 M rows of 1,000 bytes).
  assert.ok(estimateRunSize(s).pods.peak > 10_000);
  const estimate = focusEstimate(s);
  assert.equal(estimate.rows, 720_000 * 12);
  assert.ok(estimate.rows > FOCUS_AUTO_MAX_ROWS);
  assert.equal(estimate.bytes, 720_000 * 12 * 960); // 8.3 GB as CSV
  assert.equal(focusEstimate(s, 'parquet').bytes, 720_000 * 12 * 5); // 43 MB as Parquet (42 MB written)
  assert.equal(estimateRunSize(s).files.find((f) => f.file.startsWith('focus')), undefined);
  assert.equal(estimateRunSize(s, { focus: true }).files.find((f) => f.file === 'focus.csv')?.rows, 8_640_000);
  assert.equal(estimateRunSize(s, { focus: true, tables: 'parquet' }).files.find((f) => f.file === 'focus.parquet')?.rows, 8_640_000);
  // --focus on it is refused by the run's limits (2 GB written) with the flag to drop.
  const refused = capsim('run', path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.yaml'))!), '--focus', '--out', path.join(dir, 'out'));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /focus\.csv: 8\.6 M rows/);
  assert.match(refused.stderr, /leave out --focus/);
  // validate says it before the run does.
  const validate = capsim('validate', path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.yaml'))!), '--allow-large');
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /^note: focus\.csv not written: about 8\.6 M rows, 8\.3 GB \(720,000 node-hours x \(1 \+ 11 workloads a node\)\), over the 250,000 written by default, and about 95 s more; capsim run --focus writes it anyway/m);
});

test('a run over 250,000 estimated rows leaves focus.csv out and says why; a sweep\'s runs never write it', async () => {
  // 120 nodes for 30 days: 86,400 node-hours x (1 + min(3 workloads, 120 pods / 120 nodes)) =
  // 172,800 rows; 90 days: 259,200 node-hours, 518,400 rows, over the default.
  const yaml = (days: number) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: focus-auto}
spec:
  duration: ${days}d
  sampleEvery: 6h
  cluster:
    nodePools: [{name: p, instanceType: aws/m5.large, zones: [us-east-1a], count: 120}]
  workloads:
    - {name: a, replicas: 40, containers: [{name: c, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
    - {name: b, replicas: 40, containers: [{name: c, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
    - {name: c, replicas: 40, containers: [{name: c, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
`;
  const small = await loadScenario(writeScenario(yaml(30)));
  assert.equal(focusEstimate(small).rows, 172_800);
  const big = await loadScenario(writeScenario(yaml(90)));
  assert.equal(focusEstimate(big).rows, 518_400);
  const out = path.join(scratchDir('capsim-focus-auto-'), 'run');
  const result = await runScenario(big, { outDir: out });
  assert.ok(!fs.existsSync(path.join(out, 'focus.csv')));
  const notice = result.notices.find((n) => n.startsWith('focus.csv not written'));
  assert.ok(notice, result.notices.join('\n'));
  assert.match(notice, /about 518,400 rows, 498 MB \(259,200 node-hours x \(1 \+ 1 workloads a node\)\), over the 250,000 written by default/);
  assert.match(notice, /capsim run --focus writes it anyway/);
  // A sweep's run (detail false) writes neither the file nor the notice.
  const sweepRun = await runScenario(small, { outDir: path.join(out, '..', 'sweep-run'), detail: false });
  assert.ok(!fs.existsSync(path.join(out, '..', 'sweep-run', 'focus.csv')));
  assert.ok(!sweepRun.notices.some((n) => n.includes('focus')));
});
