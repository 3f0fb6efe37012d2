// capsim sweep as a user runs it: the same results on one worker or two, sharded and merged
// or not, resumed after an interruption, with failing configurations recorded and the others run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, capsimCommand, scratchDir } from './support/run.ts';
import { makePlan, parseVary, crossProduct } from '../src/sweep/plan.ts';
import { compactTimeseries } from '../src/sweep/runStore.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** 2 node types x 2 CPU requests x 2 seeds = 8 runs of three hours each (about 0.1 s apiece). */
const STUDY = [
  'scenarios/study-web.yaml',
  '--set', 'spec.duration=3h',
  '--vary', 'spec.cluster.nodePools[0].instanceType=aws/m5.large,aws/c5.xlarge',
  '--vary', 'spec.workloads[0].containers[0].resources.requests.cpu=250m,500m',
  '--seeds', '2',
  '--objective', 'cost.totalUsd',
  '--constraint', 'demand.servedPct>=99',
];
const RESULT_FILES = ['sweep.csv', 'sweep-summary.csv', 'sweep.json', 'sweep.html', 'sweep-plan.json'];

function sweep(...args: string[]) {
  const r = capsim('sweep', ...args, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  return r;
}

function sameFiles(a: string, b: string, files: readonly string[]): void {
  for (const f of files) assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), `${f} differs between ${a} and ${b}`);
}

let reference: string | null = null;
/** The study on two workers, shared by the tests that compare against it. */
function referenceSweep(): string {
  if (reference) return reference;
  const out = path.join(scratchDir(), 'two');
  const r = sweep(...STUDY, '--parallel', '2', '--out', out);
  assert.match(r.stderr, /study-web: 8 runs: 8 ran, 0 already done, 0 failed, in [\d.]+ s on 2 workers/);
  assert.match(r.stdout, /^best: c00\d \(/);
  return (reference = out);
}

test('plan: --vary values split on top-level commas; the cross product changes the first --vary slowest', () => {
  assert.deepEqual(parseVary('spec.cluster.nodePools[0].count=3,4, 5'), { path: 'spec.cluster.nodePools[0].count', values: ['3', '4', '5'] });
  assert.deepEqual(parseVary('spec.cluster.nodePools[0].zones=[a, b],[c]').values, ['[a, b]', '[c]']);
  assert.deepEqual(
    crossProduct([parseVary('a=1,2'), parseVary('b=x,y,z')]).map((c) => `${c.id}:${c.values.join('/')}`),
    ['c001:1/x', 'c002:1/y', 'c003:1/z', 'c004:2/x', 'c005:2/y', 'c006:2/z'],
  );
});

test('plan: seeds follow the scenario seed; keys change with the content, the values and the seed', async () => {
  const plan = await makePlan(path.join(ROOT, 'scenarios/study-web.yaml'), { varies: ['spec.workloads[0].hpa.metrics[0].averageUtilization=50,90'], seeds: 3 });
  // study-web.yaml has seed 11.
  assert.deepEqual(plan.runs.map((r) => r.id), ['c001-s11', 'c001-s12', 'c001-s13', 'c002-s11', 'c002-s12', 'c002-s13']);
  assert.equal(new Set(plan.runs.map((r) => r.key)).size, 6);
  const again = await makePlan(path.join(ROOT, 'scenarios/study-web.yaml'), { varies: ['spec.workloads[0].hpa.metrics[0].averageUtilization=50,90'], seeds: 3 });
  assert.deepEqual(again.runs.map((r) => r.key), plan.runs.map((r) => r.key));
  assert.deepEqual(plan.inputFiles, [path.join(ROOT, 'scenarios/study-web.yaml')]);
  // The same values on another path are other runs (issue 14): minReplicas=2 is not maxReplicas=2.
  const other = await makePlan(path.join(ROOT, 'scenarios/study-web.yaml'), { varies: ['spec.workloads[0].hpa.minReplicas=2,3'], seeds: 1 });
  const same = await makePlan(path.join(ROOT, 'scenarios/study-web.yaml'), { varies: ['spec.workloads[0].hpa.maxReplicas=2,3'], seeds: 1 });
  assert.deepEqual(other.runs.map((r) => r.id), same.runs.map((r) => r.id));
  for (const [i, run] of other.runs.entries()) assert.notEqual(run.key, same.runs[i].key);
});

test('a second sweep into the same --out, varying another field with the same values, runs everything again (issue 14)', () => {
  const out = path.join(scratchDir(), 'shared-out');
  const common = ['scenarios/study-web.yaml', '--set', 'spec.duration=3h', '--out', out, '--format', 'none'];
  // Three nodes or four, then three replicas or four: the same run ids c001-s11 and c002-s11.
  sweep(...common, '--vary', 'spec.cluster.nodePools[0].count=3,4');
  const nodes = fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8');
  const second = sweep(...common, '--vary', 'spec.workloads[0].replicas=3,4');
  assert.match(second.stderr, /capsim: note: 2 runs in runs\/ are of another sweep \(other varied paths or values, [^)]*\): running them again\n/);
  assert.match(second.stderr, /2 runs: 2 ran, 0 already done, 0 failed/);
  // Its results are its own: the same bytes as the sweep alone in a fresh directory, and not the
  // first sweep's costs (0.736 and 0.882133 for three and four nodes).
  const alone = path.join(scratchDir(), 'alone');
  sweep(...common.map((a) => (a === out ? alone : a)), '--vary', 'spec.workloads[0].replicas=3,4');
  sameFiles(out, alone, ['sweep.csv', 'sweep-summary.csv', 'sweep.json']);
  const cost = (csv: string, row: number) => csv.trim().split('\n')[row].split(',')[7];
  assert.deepEqual([cost(nodes, 1), cost(nodes, 2)], ['0.736', '0.882133']);
  const replicas = fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8');
  assert.notEqual(cost(replicas, 1), cost(nodes, 1));
});

test('one worker or two: byte-identical results', () => {
  const two = referenceSweep();
  const one = path.join(scratchDir(), 'one');
  sweep(...STUDY, '--parallel', '1', '--out', one);
  sameFiles(one, two, RESULT_FILES);
  const runs = fs.readdirSync(path.join(one, 'runs')).sort();
  assert.equal(runs.length, 8);
  for (const run of runs) sameFiles(path.join(one, 'runs', run), path.join(two, 'runs', run), ['summary.json', 'timeseries.csv', 'run.json']);
  // Each run keeps its summary, a compact series and its record, nothing else (no --keep-all).
  assert.deepEqual(fs.readdirSync(path.join(one, 'runs', 'c001-s11')).sort(), ['run.json', 'summary.json', 'timeseries.csv']);
  const csv = fs.readFileSync(path.join(one, 'sweep.csv'), 'utf8').split('\n');
  assert.match(csv[0], /^run,config,spec\.cluster\.nodePools\[0\]\.instanceType,spec\.workloads\[0\]\.containers\[0\]\.resources\.requests\.cpu,seed,status,error,/);
  assert.match(csv[1], /^c001-s11,c001,aws\/m5\.large,250m,11,ok,,/);
  assert.equal(csv.filter(Boolean).length, 9);
});

test('three shards run apart and merged give the unsharded results byte for byte', () => {
  const two = referenceSweep();
  const dir = scratchDir();
  const shards = [0, 1, 2].map((i) => path.join(dir, `shard-${i}`));
  shards.forEach((out, i) => {
    const r = sweep(...STUDY, '--shard', `${i}/3`, '--parallel', '1', '--out', out);
    assert.equal(fs.readdirSync(path.join(out, 'runs')).length, [3, 3, 2][i], r.stderr);
  });
  const merged = path.join(dir, 'merged');
  const r = capsim('sweep', '--merge', ...shards, '--out', merged);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /merged 3 shard directories: 8 runs, 0 failed/);
  sameFiles(merged, two, RESULT_FILES);
  // A shard missing: the merge names the runs it lacks (shard 2/3 holds runs 2 and 5 of 0..7).
  const partial = capsim('sweep', '--merge', shards[0], shards[1], '--out', path.join(dir, 'partial'));
  assert.equal(partial.code, 2);
  assert.match(partial.stderr, /2 of 8 runs have no result in these directories: c002-s11, c003-s12/);
});

test('resume: a second run skips what is done; runs with a changed scenario are run again', () => {
  const out = path.join(scratchDir(), 'resume');
  fs.cpSync(referenceSweep(), out, { recursive: true });
  fs.rmSync(path.join(out, 'runs', 'c002-s11'), { recursive: true });
  fs.rmSync(path.join(out, 'runs', 'c003-s12'), { recursive: true });
  const r = capsim('sweep', ...STUDY, '--parallel', '2', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /8 runs: 2 ran, 6 already done, 0 failed/);
  sameFiles(out, referenceSweep(), RESULT_FILES);
  // Another duration is another scenario content: nothing is reused.
  const changed = capsim('sweep', ...STUDY.map((a) => (a === 'spec.duration=3h' ? 'spec.duration=2h' : a)), '--parallel', '2', '--out', out);
  assert.match(changed.stderr, /8 runs: 8 ran, 0 already done/);
});

/** Changes a run's file in place. */
function edit(file: string, change: (text: string) => string): void {
  fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
}

/** The reference sweep copied, with four runs damaged in four ways. */
function damagedCopy(name: string): string {
  const out = path.join(scratchDir(), name);
  fs.cpSync(referenceSweep(), out, { recursive: true });
  const file = (run: string, f: string) => path.join(out, 'runs', run, f);
  // Cut short; a figure gone; another seed's summary; run.json cut short.
  edit(file('c001-s11', 'summary.json'), (t) => t.slice(0, 300));
  edit(file('c002-s12', 'summary.json'), (t) => JSON.stringify({ ...JSON.parse(t), utilization: {} }));
  fs.copyFileSync(file('c003-s12', 'summary.json'), file('c003-s11', 'summary.json'));
  edit(file('c004-s12', 'run.json'), (t) => t.slice(0, 20));
  return out;
}

test('a run that failed because its worker died (out of memory, say) is run again on resume; a failure of the run is kept', () => {
  const out = path.join(scratchDir(), 'died');
  fs.cpSync(referenceSweep(), out, { recursive: true });
  const fail = (run: string, error: string) => edit(path.join(out, 'runs', run, 'run.json'), (t) => JSON.stringify({ ...JSON.parse(t), status: 'failed', error }));
  fail('c002-s11', 'worker exited (code 134)');
  fail('c003-s12', 'simulation failed: boom');
  const r = capsim('sweep', ...STUDY, '--parallel', '1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: 1 run in runs\/ failed when its worker died \(out of memory\?\): running it again/);
  assert.match(r.stderr, /8 runs: 1 ran, 7 already done, 1 failed/);
  assert.match(fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8'), /\nc003-s12,c003,aws\/c5\.xlarge,250m,12,failed,simulation failed: boom,/);
});

test('damaged results are found, named and run again; the study covers every seed as planned', () => {
  const out = damagedCopy('damaged');
  const r = capsim('sweep', ...STUDY, '--parallel', '2', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('capsim: note: ')).map((l) => l.slice('capsim: note: '.length));
  // JSON.parse's own words (after "edited?") vary with the Node version.
  const expected = [
    // (where the cut falls in the text decides which of its two complaints JSON.parse makes)
    /^runs\/c001-s11\/summary\.json is damaged \(not valid JSON, cut short or edited\? \((.+ position 300.*|Unexpected end of JSON input)\)\): running c001-s11 again$/,
    /^runs\/c002-s12\/summary\.json is damaged \(utilization\.cpuRequestedPct: missing, a number expected; utilization\.cpuUsedPct: missing, a number expected; utilization\.memoryRequestedPct: missing, a number expected; and 1 more\): running c002-s12 again$/,
    /^runs\/c003-s11\/summary\.json is damaged \(a summary of study-web seed 12, not of study-web seed 11\): running c003-s11 again$/,
    /^runs\/c004-s12\/run\.json is damaged \(not valid JSON, cut short or edited\? \(.+ position 20.*\)\): running c004-s12 again$/,
  ];
  assert.equal(notes.length, expected.length, r.stderr);
  notes.forEach((note, i) => assert.match(note, expected[i]));
  assert.match(r.stderr, /8 runs: 4 ran, 4 already done, 0 failed/);
  sameFiles(out, referenceSweep(), RESULT_FILES);
});

test('merge: a run whose only copy is damaged is named (exit 2); a good copy in another shard is used', () => {
  const damaged = damagedCopy('damaged-shard');
  const out = path.join(scratchDir(), 'merged');
  const r = capsim('sweep', '--merge', damaged, '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /capsim: 4 problems in the input; nothing was run or written\./);
  assert.ok(r.stderr.includes(`${path.join(damaged, 'runs/c001-s11/summary.json')}: damaged (not valid JSON, cut short or edited?`), r.stderr);
  assert.ok(r.stderr.includes(`${path.join(damaged, 'runs/c002-s12/summary.json')}: damaged (utilization.cpuRequestedPct: missing`), r.stderr);
  assert.ok(r.stderr.includes(`${path.join(damaged, 'runs/c004-s12/run.json')}: damaged (not valid JSON`), r.stderr);
  assert.ok(!fs.existsSync(out), 'nothing written');
  const good = capsim('sweep', '--merge', damaged, referenceSweep(), '--out', out);
  assert.equal(good.code, 0, good.stderr);
  sameFiles(out, referenceSweep(), RESULT_FILES.filter((f) => f !== 'sweep.html'));
  // A shard's sweep-plan.json cut short is named too.
  edit(path.join(damaged, 'sweep-plan.json'), (t) => t.slice(0, 40));
  const plan = capsim('sweep', '--merge', damaged, referenceSweep(), '--out', out);
  assert.equal(plan.code, 2);
  assert.ok(plan.stderr.includes(`${path.join(damaged, 'sweep-plan.json')}: damaged: not valid JSON`), plan.stderr);
});

test('--keep-all after a sweep without it runs again the runs that kept only the summary', () => {
  const out = path.join(scratchDir(), 'keep');
  const args = ['scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--vary', 'spec.cluster.nodePools[0].count=3,4', '--out', out, '--format', 'none'];
  sweep(...args);
  const all = sweep(...args, '--keep-all');
  assert.match(all.stderr, /note: 2 runs in runs\/ kept only the sweep's files: running them again to keep every file \(--keep-all\)/);
  assert.ok(fs.existsSync(path.join(out, 'runs', 'c001-s11', 'events.csv')));
  // Kept, they serve a sweep without --keep-all as they are.
  assert.match(sweep(...args).stderr, /2 runs: 0 ran, 2 already done/);
});

test('a configuration that fails is recorded with its error; the others run', () => {
  const out = path.join(scratchDir(), 'failing');
  // Each value is valid with the others' first values, but 1h with 2-hour samples is not.
  const r = capsim('sweep', 'scenarios/study-web.yaml', '--vary', 'spec.duration=3h,1h', '--vary', 'spec.sampleEvery=5m,2h', '--out', out, '--format', 'none', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /4 runs: 4 ran, 0 already done, 1 failed/);
  const rows = fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8').trim().split('\n');
  // The error starts with "-", which a spreadsheet would run as a formula: written with a quote
  // in front (outputs/csvCells.ts).
  assert.match(rows[4], /^c004-s11,c004,1h,2h,11,failed,'--set: spec\.sampleEvery: is longer than the scenario \(1h\) \(from --set spec\.sampleEvery=2h\)/);
  for (const row of rows.slice(1, 4)) assert.match(row, /,ok,,/);
  assert.ok(!fs.existsSync(path.join(out, 'sweep.html')), '--format none writes no page');
});

test('Ctrl-C keeps the finished runs, leaves nothing half-written, and the same command resumes', async () => {
  const out = path.join(scratchDir(), 'interrupted');
  const args = capsimCommand('sweep', ...STUDY.map((a) => (a === 'spec.duration=3h' ? 'spec.duration=1d' : a)), '--parallel', '1', '--out', out, '--format', 'none');
  const child = spawn(process.execPath, args, { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const finished = () => (fs.existsSync(path.join(out, 'runs')) ? fs.readdirSync(path.join(out, 'runs')).filter((r) => fs.existsSync(path.join(out, 'runs', r, 'run.json'))).length : 0);
  while (finished() < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /sweep interrupted: \d of 8 runs finished and kept in .*runs\/; run the same command again to resume/);
  const kept = finished();
  assert.ok(kept >= 2 && kept < 8, `${kept} runs kept`);
  const leftovers = (fs.readdirSync(path.join(out, 'runs'), { recursive: true }) as string[]).filter((f) => f.includes('.tmp-'));
  assert.deepEqual(leftovers, []);
  assert.ok(!fs.existsSync(path.join(out, 'sweep.csv')));
  assert.ok(!fs.existsSync(`${out}.lock`), 'the lock is released');
  const again = capsim('sweep', ...args.slice(args.indexOf('sweep') + 1));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`8 runs: ${8 - kept} ran, ${kept} already done`));
});

test('two sweeps into one --out at once: the second is refused, naming the first, and so is a run there', async () => {
  const out = path.join(scratchDir(), 'busy');
  // Two runs of a simulated year on one worker: the sweep is busy for minutes.
  const args = capsimCommand('sweep', 'scenarios/study-web.yaml', '--set', 'spec.duration=365d', '--vary', 'spec.cluster.nodePools[0].count=3,4', '--parallel', '1', '--out', out, '--format', 'none');
  const child = spawn(process.execPath, args, { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const running = () => fs.existsSync(`${out}.lock`) && fs.existsSync(path.join(out, 'runs')) && fs.readdirSync(path.join(out, 'runs')).some((r) => r.includes('.tmp-'));
  while (!running()) await new Promise((resolve) => setTimeout(resolve, 20));
  // Another sweep would remove the first one's runs in progress as leftovers and overwrite its
  // results; a run would replace the directory.
  const others = [
    capsim('sweep', 'scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--vary', 'spec.workloads[0].replicas=3,4', '--out', out, '--format', 'none'),
    capsim('run', 'scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--out', out),
  ];
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  for (const other of others) {
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, new RegExp(`busy: is being written by capsim sweep \\(pid ${child.pid} on this machine, since \\d{4}-`));
  }
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ['busy'], 'the lock is released');
  // The run in progress is removed; one that finished meanwhile is kept.
  for (const run of fs.readdirSync(path.join(out, 'runs'))) assert.ok(fs.existsSync(path.join(out, 'runs', run, 'run.json')), run);
});

test('sweep input errors: no --vary, a bad shard, a misspelt objective; exit 2 with a hint', () => {
  const noVary = capsim('sweep', 'scenarios/study-web.yaml');
  assert.equal(noVary.code, 2);
  assert.match(noVary.stderr, /--vary: a sweep needs at least one --vary PATH=v1,v2,\.\.\.\n    hint: /);
  const badShard = capsim('sweep', ...STUDY, '--shard', '3/3');
  assert.equal(badShard.code, 2);
  assert.match(badShard.stderr, /--shard: "3\/3" is not i\/N with 0 <= i < N/);
  const typo = capsim('sweep', 'scenarios/study-web.yaml', '--vary', 'spec.seed=1,2', '--objective', 'cost.totalUSD');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /cost\.totalUSD[^\n]*\n    hint: [^\n]*cost\.totalUsd/);
  const badPath = capsim('sweep', 'scenarios/study-web.yaml', '--vary', 'spec.cluster.nodePools[0].cuont=1,2');
  assert.equal(badPath.code, 2);
  assert.match(badPath.stderr, /cuont/);
});

test('compact series: a month sampled every minute keeps at most 200 rows, means per bucket', () => {
  const header = 't,time,nodes,cost_usd_cumulative';
  const rows = Array.from({ length: 43_201 }, (_, i) => `${i * 60},${new Date(Date.UTC(2026, 0, 5) + i * 60_000).toISOString()},${i % 2 === 0 ? 4 : 6},${i}`);
  const out = compactTimeseries([header, ...rows].join('\n') + '\n', 30 * 86_400).trim().split('\n');
  assert.ok(out.length - 1 <= 200, `${out.length - 1} rows`);
  assert.equal(out[0], header);
  // 4-hour buckets (2 h would give 361): 240 samples alternating 4 and 6 nodes -> mean 5; the
  // cumulative column keeps its largest value in the bucket (sample 239).
  assert.equal(out[1], '0,2026-01-05T00:00:00.000Z,5,239');
  assert.equal(out[2], '14400,2026-01-05T04:00:00.000Z,5,479');
});

test("a sweep's runs write only the summary and the cluster series, and the summary is the full run's", async () => {
  for (const file of ['scenarios/fleet-cost.yaml', 'scenarios/vpa-leak.yaml', 'scenarios/quickstart.yaml']) {
    const full = path.join(scratchDir(), 'full');
    const light = path.join(scratchDir(), 'light');
    await runScenario(await loadScenario(path.join(ROOT, file)), { outDir: full });
    await runScenario(await loadScenario(path.join(ROOT, file)), { outDir: light, detail: false });
    assert.deepEqual(fs.readdirSync(light).sort(), ['run-info.json', 'scenario.resolved.yaml', 'summary.json', 'timeseries.csv']);
    sameFiles(light, full, ['timeseries.csv']);
    // The same summary but for the advice, which only a run with its detail files writes (it
    // would add figures to the sweep's tables): the full run's file, advice left out, byte for byte.
    const { advice, ...rest } = JSON.parse(fs.readFileSync(path.join(full, 'summary.json'), 'utf8'));
    assert.ok(advice, `${file}: the full run has advice`);
    assert.equal(fs.readFileSync(path.join(light, 'summary.json'), 'utf8'), JSON.stringify(rest, null, 2) + '\n');
  }
});
