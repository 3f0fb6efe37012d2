// Issue 14, inputs that used to crash where the promise is a clear message and exit 2: names that
// are Object.prototype's ("constructor", "toString", "__proto__"), amounts beyond what capsim
// counts exactly (2^53 - 1), and calendar times that do not exist. The command line's own
// mistakes (flags given twice) are in command-line.test.ts; the fuzz test (fuzz.test.ts) looks
// for the classes nobody has thought of yet.
import { NODES } from '../src/outputs/csvFiles.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { formatProblem, type Problem } from '../src/scenario/errors.ts';
import { readTrace } from '../src/workload/trace.ts';
import { calendarProblem, utcMs } from '../src/timestamp.ts';
import { InputError } from '../src/scenario/errors.ts';
import { loadRun } from '../src/report/runFiles.ts';
import { loadProblems, runYaml, scratchDir, writeScenario } from './support/run.ts';

/** A scenario around `body` (YAML lines under spec:, indented two spaces). */
function scenario(body: string, name = 'crash'): string {
  return [
    'apiVersion: capsim/v1',
    'kind: Scenario',
    `metadata: {name: ${name}}`,
    'spec:',
    '  duration: 10m',
    '  sampleEvery: 5m',
    body,
  ].join('\n');
}

const POOL = [
  '  cluster:',
  '    nodePools:',
  '      - {name: general, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1}',
].join('\n');

async function problemsOf(yaml: string, set: string[] = []): Promise<Problem[]> {
  return loadProblems(writeScenario(yaml), { set });
}

function at(problems: Problem[], path: string): Problem {
  const found = problems.filter((p) => p.path === path);
  assert.equal(found.length, 1, `one problem at ${path}; got:\n${problems.map(formatProblem).join('\n')}`);
  return found[0];
}

// ---- 1. names that are Object.prototype's ---------------------------------------------------

test('a manifest whose kind or apiVersion is an Object.prototype name is an unknown kind or version, not a crash', async () => {
  const problems = await problemsOf(scenario([
    POOL,
    '  manifests:',
    '    - {apiVersion: v1, kind: constructor, metadata: {name: a}}',
    '    - {apiVersion: v1, kind: toString, metadata: {name: b}}',
    '    - {apiVersion: v1, kind: __proto__, metadata: {name: c}}',
    '    - {apiVersion: __proto__, kind: Pod, metadata: {name: d}, spec: {containers: [{name: app}]}}',
    '    - {apiVersion: constructor, kind: Deployment, metadata: {name: e}}',
  ].join('\n')));
  assert.equal(at(problems, 'spec.manifests[0].kind').message, 'no kind "constructor" is registered for version "v1"');
  assert.equal(at(problems, 'spec.manifests[1].kind').message, 'no kind "toString" is registered for version "v1"');
  assert.equal(at(problems, 'spec.manifests[2].kind').message, 'no kind "__proto__" is registered for version "v1"');
  assert.equal(at(problems, 'spec.manifests[3].apiVersion').message, 'no kind "Pod" is registered for version "__proto__"');
  assert.equal(at(problems, 'spec.manifests[3].apiVersion').hint, 'Pod is served at apiVersion v1');
  assert.equal(at(problems, 'spec.manifests[4].apiVersion').message, 'no kind "Deployment" is registered for version "constructor"');
});

test('a container, namespace and pool named "constructor" run like any other name', async () => {
  // "constructor" is a valid DNS label. The container of that name has no usage, so it uses
  // exactly its requests, 500m and 1Gi (its name looked up in the usage map found
  // Object.prototype.constructor); the other uses 300m and 256Mi (behavior usage): 2 pods x 800m
  // = 1600m of CPU and 2 x 1280Mi of memory.
  const out = await runYaml(scenario([
    '  cluster:',
    '    nodePools:',
    '      - {name: constructor, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1}',
    '  workloads:',
    '    - name: web',
    '      namespace: constructor',
    '      replicas: 2',
    '      containers:',
    '        - {name: constructor, resources: {requests: {cpu: 500m, memory: 1Gi}}}',
    '        - {name: app, resources: {requests: {cpu: 100m, memory: 1Gi}}}',
    '  behavior:',
    '    - target: Deployment/constructor/web',
    '      usage:',
    '        app: {cpu: {base: 300m}, memory: {base: 256Mi}}',
  ].join('\n')));
  const rows = out.csv('workloads.csv');
  assert.deepEqual(rows.map((r) => [r.workload, r.cpu_used_m, r.memory_used_bytes]), [
    ['Deployment/constructor/web', '1600', String(2 * 1280 * 2 ** 20)],
    ['Deployment/constructor/web', '1600', String(2 * 1280 * 2 ** 20)],
    ['Deployment/constructor/web', '1600', String(2 * 1280 * 2 ** 20)],
  ]);
  // One node at $1/h for 10 minutes, all of it in the pool named constructor.
  assert.deepEqual(Object.keys(out.summary.cost.byPool), ['constructor']);
  assert.equal(out.summary.cost.byPool.constructor, 0.166667);
  assert.equal(typeof out.summary.cost.byNamespace.constructor, 'number');
});

test('a node selector or affinity on a label named "toString" or "hasOwnProperty" matches only a node that has it', async () => {
  // Pool "labelled" has toString=yes; pool "plain" has no such label. The first Deployment must
  // land on the labelled node; the second needs a label hasOwnProperty to exist, which no node
  // has (every object inherits a property of that name), so it stays Pending.
  const out = await runYaml(scenario([
    '  cluster:',
    '    nodePools:',
    '      - {name: plain, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1}',
    '      - {name: labelled, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1, labels: {toString: "yes"}}',
    '  workloads:',
    '    - {name: picky, replicas: 1, nodeSelector: {toString: "yes"}, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}',
    '    - name: nowhere',
    '      replicas: 1',
    '      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 64Mi}}}]',
    '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: hasOwnProperty, operator: Exists}]}]}}}',
  ].join('\n')));
  const scheduled = out.events('Scheduled');
  assert.equal(scheduled.length, 1);
  assert.match(scheduled[0].object, /picky/);
  assert.match(scheduled[0].message, /labelled/);
  assert.ok(out.events('FailedScheduling').some((e) => /nowhere/.test(e.object)));
});

test('--set __proto__.x=1 and --set constructor.prototype.x=1 are unknown fields of the flag; Object.prototype is untouched', async () => {
  const problems = await problemsOf(scenario(POOL), ['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'spec.__proto__.polluted=1']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  for (const [path, flag] of [['__proto__', '__proto__.polluted=1'], ['constructor', 'constructor.prototype.polluted=1'], ['spec.__proto__', 'spec.__proto__.polluted=1']]) {
    const p = at(problems, path);
    assert.equal(p.file, '--set');
    assert.equal(p.message, `unknown field "${path.split('.').pop()}" (from --set ${flag})`);
  }
});

// ---- 2. amounts beyond 2^53 - 1 -------------------------------------------------------------

test('a CPU amount over 2^53 - 1 millicores gets the same message in container resources, pool capacity and usage', async () => {
  // 9007199254741 cores = 9,007,199,254,741,000 millicores, 9 more than 2^53 - 1.
  const huge = '"9007199254741"';
  const problems = await problemsOf(scenario([
    '  cluster:',
    '    nodePools:',
    `      - {name: general, capacity: {cpu: ${huge}, memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1}`,
    '  workloads:',
    `    - {name: web, replicas: 1, containers: [{name: app, resources: {requests: {cpu: ${huge}}}}]}`,
    '  behavior:',
    `    - {target: Deployment/default/web, usage: {app: {cpu: {base: ${huge}, perUnit: ${huge}}}}}`,
  ].join('\n')));
  const message = 'invalid quantity "9007199254741": too large: 9007199254741000 milli-units is beyond what capsim can count exactly (9007199254740991)';
  for (const path of [
    'spec.cluster.nodePools[0].capacity.cpu',
    'spec.workloads[0].containers[0].resources.requests.cpu',
    'spec.behavior[0].usage.app.cpu.base',
    'spec.behavior[0].usage.app.cpu.perUnit',
  ]) assert.equal(at(problems, path).message, message, path);
});

test('memory of 8Pi (2^53 bytes) is refused wherever a quantity is read in bytes; 7Pi is fine', async () => {
  const problems = await problemsOf(scenario([
    '  cluster:',
    '    nodePools:',
    '      - {name: general, capacity: {cpu: "4", memory: 8Pi}, price: {onDemandPerHour: 1}, count: 1}',
    '  workloads:',
    '    - {name: web, replicas: 1, containers: [{name: app, resources: {requests: {memory: 7Pi}}}]}',
    '  behavior:',
    '    - {target: Deployment/default/web, usage: {app: {memory: {base: 8Pi, leakPerHour: 8Pi}}}}',
  ].join('\n')));
  const message = 'invalid quantity "8Pi": too large: 9007199254740992 units is beyond what capsim can count exactly (9007199254740991)';
  for (const path of ['spec.cluster.nodePools[0].capacity.memory', 'spec.behavior[0].usage.app.memory.base', 'spec.behavior[0].usage.app.memory.leakPerHour']) {
    assert.equal(at(problems, path).message, message, path);
  }
  assert.equal(problems.filter((p) => p.path.startsWith('spec.workloads')).length, 0);
});

test('a plain number beyond 2^53 - 1 (a price, a demand) is out of range, not a silently rounded value', async () => {
  const problems = await problemsOf(scenario([
    '  cluster:',
    '    nodePools:',
    '      - {name: general, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 9007199254740993}, count: 1}',
    '  workloads:',
    '    - {name: web, replicas: 1, containers: [{name: app}]}',
    '  behavior:',
    '    - {target: Deployment/default/web, demand: [{constant: 1e300}]}',
  ].join('\n')));
  const message = 'must be less than or equal to 9007199254740991';
  assert.equal(at(problems, 'spec.cluster.nodePools[0].price.onDemandPerHour').message, message);
  assert.equal(at(problems, 'spec.behavior[0].demand[0].constant').message, message);
});

// ---- 4. calendar times that do not exist ----------------------------------------------------

test('start: 2026-02-30 is refused (Date.UTC would make it 2 March), as are month 13, hour 24 and 2025-02-29', async () => {
  const cases: [string, string][] = [
    ['2026-02-30T00:00:00Z', 'February 2026 has 28 days, so there is no day 30'],
    ['2025-02-29T00:00:00Z', 'February 2025 has 28 days, so there is no day 29'],
    ['2026-04-31T12:00:00Z', 'April 2026 has 30 days, so there is no day 31'],
    ['2026-13-01T00:00:00Z', 'there is no month 13 (months go from 01 to 12)'],
    ['2026-01-05T24:00:00Z', 'there is no hour 24 (hours go from 00 to 23)'],
    ['2026-01-05T23:60:00Z', 'there is no minute 60 (minutes go from 00 to 59)'],
  ];
  for (const [start, why] of cases) {
    const [p] = await problemsOf(scenario(`  start: "${start}"\n${POOL}`));
    assert.equal(p.path, 'spec.start');
    assert.equal(p.message, `invalid start time "${start}": ${why}`);
  }
  // A leap day that exists loads.
  assert.equal(calendarProblem({ year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0 }), undefined);
  assert.equal(utcMs({ year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0 }), Date.UTC(2024, 1, 29));
  // Years 0-99 are those years, not 1900-1999 as Date.UTC would have it.
  assert.equal(new Date(utcMs({ year: 99, month: 6, day: 1, hour: 0, minute: 0, second: 0 })).getUTCFullYear(), 99);
});

test('a trace row at 2026-02-30 or at offset +25:00 is a problem of that row; the valid rows are kept', async () => {
  const dir = scratchDir();
  const file = path.join(dir, 'trace.csv');
  fs.writeFileSync(file, ['time,rps', '2026-01-05T00:00:00Z,10', '2026-02-30T00:00:00Z,20', '2026-01-05T01:00:00+25:00,30', '2026-01-05T02:00:00Z,40'].join('\n'));
  const { points, problems } = await readTrace(file, { time: 'time', value: 'rps' }, Date.UTC(2026, 0, 5));
  assert.deepEqual(problems.map((p) => [p.line, p.message]), [
    [3, 'time "2026-02-30T00:00:00Z" in column "time" does not exist: February 2026 has 28 days, so there is no day 30'],
    [4, 'time "2026-01-05T01:00:00+25:00" in column "time" has no valid UTC offset (+25:00)'],
  ]);
  assert.deepEqual(points, { timesMs: [0, 2 * 3600_000], values: [10, 40], gaps: 0 });
});

test('a CronJob timeZone that the time zone database lacks, or "Local", is refused as the API server does', async () => {
  const cron = (zone: string) => `    - {apiVersion: batch/v1, kind: CronJob, metadata: {name: c${zone.length}}, spec: {schedule: "0 * * * *", timeZone: ${JSON.stringify(zone)}, jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: app}]}}}}}}`;
  const problems = await problemsOf(scenario([POOL, '  manifests:', cron('Europe/Nowhere'), cron('Local'), cron('Europe/Paris')].join('\n')));
  assert.equal(at(problems, 'spec.manifests[0].spec.timeZone').message, 'invalid timeZone "Europe/Nowhere": unknown time zone Europe/Nowhere');
  assert.equal(at(problems, 'spec.manifests[1].spec.timeZone').message, 'invalid timeZone "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones');
  assert.equal(problems.length, 2);
});

// ---- a period of zero -----------------------------------------------------------------------

test('autoscaler scanInterval: 0s is refused: the autoscaler would scan again at the same instant forever', async () => {
  const problems = await problemsOf(scenario([
    '  cluster:',
    '    autoscaler: {scanInterval: 0s}',
    '    nodePools:',
    '      - {name: general, instanceType: aws/m5.xlarge, min: 1, max: 3}',
  ].join('\n')));
  assert.equal(at(problems, 'spec.cluster.autoscaler.scanInterval').message, 'must be greater than 0');
  assert.equal(problems.length, 1);
});

// ---- files read back: a run directory (capsim report, compare) ---------------------------------

/** The problems loadRun reports for a copy of `run` changed by `change`. */
async function runDirProblems(run: string, change: (dir: string) => void): Promise<Problem[]> {
  const dir = path.join(scratchDir(), 'damaged');
  fs.cpSync(run, dir, { recursive: true });
  change(dir);
  try {
    await loadRun(dir);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the damaged run loaded');
}

test('a run directory with a directory where a file belongs, or a cell that is not a number, is refused with the file and line', async () => {
  const { dir } = await runYaml(scenario(POOL, 'read-back'));
  const replaceLine = (file: string, line: number, f: (cells: string[]) => void) => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const cells = lines[line - 1].split(',');
    f(cells);
    lines[line - 1] = cells.join(',');
    fs.writeFileSync(file, lines.join('\n'));
  };
  const asDirectory = (name: string) => (d: string) => {
    fs.rmSync(path.join(d, name));
    fs.mkdirSync(path.join(d, name));
  };
  const cases: [change: (dir: string) => void, file: string, line: number, message: string][] = [
    [asDirectory('summary.json'), 'summary.json', 0, 'cannot be read: a directory, not a file'],
    [asDirectory('events.csv'), 'events.csv', 0, 'cannot be read: a directory, not a file'],
    [asDirectory('scenario.resolved.yaml'), 'scenario.resolved.yaml', 0, 'cannot be read: a directory, not a file'],
    // The time of an event read as NaN made the report's "First at" column throw RangeError.
    [(d) => replaceLine(path.join(d, 'events.csv'), 2, (c) => (c[0] = '*}')), 'events.csv', 2, 'unreadable CSV: "*}" where a number belongs'],
    [(d) => replaceLine(path.join(d, 'events.csv'), 2, (c) => (c[0] = '1e300')), 'events.csv', 2, 'unreadable CSV: time 1e+300 s is outside the run (0 to 600 s)'],
    [(d) => replaceLine(path.join(d, 'nodes.csv'), 2, (c) => (c[NODES.columns.indexOf('ready_seconds')] = 'NaN')), 'nodes.csv', 2, 'unreadable CSV: "NaN" where a number belongs'],
    [(d) => replaceLine(path.join(d, 'timeseries.csv'), 2, (c) => (c[1] = 'yesterday')), 'timeseries.csv', 2, 'unreadable CSV: the time of the first row, "yesterday", is no ISO-8601 time a run of 600 s can start at'],
  ];
  for (const [change, file, line, message] of cases) {
    const [p] = await runDirProblems(dir, change);
    assert.deepEqual([path.basename(p.file), p.line, p.message], [file, line, message]);
  }
});

test('a sweep shard whose run.json is a directory: merging names it as damaged, not EISDIR', async () => {
  const { inspectRun, runRecord, writeRecord, runDir } = await import('../src/sweep/runStore.ts');
  const { planFromIdentity } = await import('../src/sweep/plan.ts');
  const plan = planFromIdentity({ capsim: 'test', scenarioName: 's', scenarioSeed: 1, contentHash: 'x', sets: [], varies: [{ path: 'spec.seed', values: ['1'] }], seeds: 1 });
  const [run] = plan.runs;
  const out = scratchDir();
  writeRecord(out, runRecord(plan, run, 'ok', null));
  fs.mkdirSync(path.join(runDir(out, run), 'summary.json'));
  assert.deepEqual(inspectRun(out, plan, run), { state: 'damaged', file: 'summary.json', reason: 'a directory, not a file' });
  fs.rmSync(path.join(runDir(out, run), 'run.json'));
  fs.mkdirSync(path.join(runDir(out, run), 'run.json'));
  assert.deepEqual(inspectRun(out, plan, run), { state: 'damaged', file: 'run.json', reason: 'a directory, not a file' });
});

test('a shard whose sweep-plan.json was edited to 10^8 seeds is refused before its runs are laid out (it ran out of memory)', async () => {
  const { runRecord, writeRecord } = await import('../src/sweep/runStore.ts');
  const { planFromIdentity } = await import('../src/sweep/plan.ts');
  const { mergeShards } = await import('../src/sweep/merge.ts');
  const identity = { capsim: 'test', scenarioName: 's', scenarioSeed: 1, contentHash: 'x', sets: [], varies: [{ path: 'spec.seed', values: ['1', '2'] }], seeds: 1 };
  const shard = scratchDir();
  const plan = planFromIdentity(identity);
  for (const run of plan.runs) writeRecord(shard, runRecord(plan, run, 'failed', 'test'));
  // 2 values x 10^8 seeds = 2 x 10^8 runs; the shard holds the directories of 2, c001-s1 and
  // c002-s1: the first absent ones are c001-s2, c001-s3, ...
  fs.writeFileSync(path.join(shard, 'sweep-plan.json'), JSON.stringify({ ...identity, seeds: 1e8, shard: null, runs: 2, objective: null, constraints: [] }));
  await assert.rejects(mergeShards([shard], { out: path.join(scratchDir(), 'merged'), formats: [] }), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.problems[0].message, '199999998 of 200000000 runs have no result in these directories: c001-s2, c001-s3, c001-s4, c001-s5, c001-s6, c001-s7, c001-s8, c001-s9, c001-s10, c001-s11, ...');
    return true;
  });
});

// ---- capsim import cluster ---------------------------------------------------------------------

test('capsim import cluster: a dump object of kind "constructor" or "toString" is a kind capsim does not read (its status crashed the cleaning)', async () => {
  const { readDump } = await import('../src/import/readDump.ts');
  const { planImport } = await import('../src/import/plan.ts');
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - {apiVersion: v1, kind: Node, metadata: {name: n1, labels: {node.kubernetes.io/instance-type: m5.xlarge, toString: x}}, status: {capacity: {cpu: "4", memory: 16Gi, pods: "58"}, allocatable: {cpu: 3920m, memory: 15Gi, pods: "58"}}}',
    '  - {apiVersion: v1, kind: constructor, metadata: {name: c, namespace: default}, status: {phase: Running}}',
    '  - {apiVersion: v1, kind: toString, metadata: {name: t}}',
  ].join('\n');
  const plan = planImport(await readDump(['-'], async () => text), { name: 'proto', placement: 'asDumped', sources: ['(stdin)'] });
  const report = plan.files.get('import-report.md')!;
  assert.match(report, /\| constructor \| 1 \| a kind capsim does not read \| `default\/c` \|/);
  assert.match(report, /\| toString \| 1 \| a kind capsim does not read \| `t` \|/);
  // The node's own label named toString is kept like any other.
  assert.match(plan.files.get('manifests/nodes.yaml')!, /toString: x/);
});
