// What the loader refuses to hold (src/scenario/limits.ts INPUT_LIMITS): YAML aliases that
// would expand past 100,000 values or into a cycle, YAML past 64 MB or 200,000 objects, a
// trace past 64 MB or 1,000,000 rows. Each is a problem of the file that holds it, found before
// the big thing is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError, formatProblem } from '../src/scenario/errors.ts';
import { YamlSource } from '../src/scenario/source.ts';
import { readTrace } from '../src/workload/trace.ts';
import { displayPath } from '../src/scenario/paths.ts';
import { capsim, scratchDir, writeScenario } from './support/run.ts';

async function problems(file: string, options: Parameters<typeof loadScenario>[1] = {}): Promise<string[]> {
  try {
    await loadScenario(file, options);
  } catch (error) {
    if (error instanceof InputError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

/** The billion laughs: nine levels of nine aliases of the level below, 10^9 values in about
 *  800 bytes, here under a field that takes any labels. */
function billionLaughs(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const below = String.fromCharCode(96 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${below}`).join(',')}]`);
  }
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: laughs}
spec:
  duration: 1h
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]
  manifests:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: laughs}
      data:
${levels.map((l) => `        ${l}`).join('\n')}
`;
}

/** 1,000,001 one-second points (11.5 days, 13 MB, written in a few hundred milliseconds): one
 *  row over the limit. */
function writeLongTrace(dir: string): void {
  fs.writeFileSync(path.join(dir, 'long.csv'), `time,rps\n${Array.from({ length: 1_000_001 }, (_, i) => `${i},1`).join('\n')}\n`);
}

/** A scenario in `dir` whose one workload's demand is the trace `file`. */
function tracedScenario(dir: string, file: string): string {
  return writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: traced}
spec:
  duration: 1h
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]
  workloads:
    - {name: web, replicas: 1, containers: [{name: app}]}
  behavior:
    - target: Deployment/default/web
      demand: [{trace: {file: ${file}, time: time, value: rps}}]
`, dir);
}

test('a billion laughs is refused at the alias that goes past 100,000 values, in well under a second', async () => {
  const text = billionLaughs();
  assert.ok(text.length < 1000, `${text.length} bytes`);
  const started = performance.now();
  const found = await problems(writeScenario(text));
  const ms = performance.now() - started;
  // Level a is 10 values (the list and its 9 strings); each level is 1 + 9 x the one below: b 91,
  // c 820, d 7,381, e 66,430. An alias adds its anchor's values less itself: levels b to e add
  // 9 x 9 + 9 x 90 + 9 x 819 + 9 x 7,380 = 74,682; the first *e of level f (line 18) adds
  // 66,429 more, 141,111 in all.
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0], /^\S+scenario\.yaml:18:\d+: YAML aliases would add more than 100,000 values: \*e repeats 66,430 of them, 141,111 added so far\n {4}hint: anchors that repeat anchors grow exponentially/);
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

test('through the CLI: the alias bomb and a trace over 1,000,000 rows, exit 2 and nothing written', () => {
  const dir = scratchDir();
  const out = path.join(dir, 'out');
  const bomb = writeScenario(billionLaughs(), dir);
  const started = performance.now();
  const refused = capsim('run', bomb, '--out', out);
  // Node's start and the loader are most of it; the bomb itself is refused in a few milliseconds.
  assert.ok(performance.now() - started < 5000);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /^capsim: 1 problem in the input; nothing was run or written\.\n\S+scenario\.yaml:18:\d+: YAML aliases would add more than 100,000 values/);
  assert.equal(capsim('validate', bomb).code, 2);
  // The alias limit is no size: --allow-large does not lift it.
  assert.match(capsim('run', bomb, '--out', out, '--allow-large').stderr, /YAML aliases would add more than 100,000 values/);

  assert.deepEqual(fs.readdirSync(dir), ['scenario.yaml'], 'no output directory, temporary or lock');

  const traceDir = scratchDir();
  writeLongTrace(traceDir);
  const traced = tracedScenario(traceDir, 'long.csv');
  const trace = capsim('run', traced, '--out', path.join(traceDir, 'out'));
  assert.equal(trace.code, 2, trace.stderr);
  assert.match(trace.stderr, /long\.csv:1000002:1: spec\.behavior\[0\]\.demand\[0\]\.trace\.file: the trace has more than 1,000,000 rows \(1,000,002 lines\); the limit is 1,000,000\n {4}hint: .*pass --allow-large to read it anyway/);
  assert.deepEqual(fs.readdirSync(traceDir).sort(), ['long.csv', 'scenario.yaml'], 'no output directory, temporary or lock');
  // --allow-large reads it (an hour of it is used).
  assert.equal(capsim('validate', traced, '--allow-large').code, 0);
});

test('aliases that add a few values load as before, each use its own copy: --set changes one', async () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: shared}
spec:
  duration: 1h
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]
  workloads:
    - {name: web, replicas: 1, containers: [{name: app}]}
    - {name: api, replicas: 1, containers: [{name: app}]}
  behavior:
    - {target: Deployment/default/web, demand: &demand [{constant: 10}]}
    - {target: Deployment/default/api, demand: *demand}
`);
  const s = await loadScenario(file, { set: ['spec.behavior[1].demand[0].constant=99'] });
  // Before, both uses were one object: the --set changed web's demand too.
  assert.deepEqual(s.behavior.map((b) => b.demand), [[{ constant: 10 }], [{ constant: 99 }]]);
});

test('an alias inside the node it names (a cycle) is refused; so is a bomb in a --set value', async () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: cycle}
spec:
  duration: 1h
  manifests:
    - &d {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: *d}}
`);
  // Before, the run crashed writing scenario.resolved.yaml ("Converting circular structure to JSON").
  assert.deepEqual(await problems(file), [`${displayPath(file)}:7:75: alias *d refers to a node that contains it\n    hint: a value cannot contain itself: give the inner value its own content`]);

  const bomb = '[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]';
  const [flag] = await problems('scenarios/quickstart.yaml', { set: [`metadata.description=${bomb}`] });
  assert.match(flag, /^--set: metadata\.description: YAML aliases would add more than 100,000 values: \*d repeats 11,111 of them/);
});

test('YamlSource: a cron string or a glob with * is no alias; the documents and lines are the same either way', () => {
  const text = 'a: "0 2 * * *"\nb: k8s/*.yaml\n---\nc: &x {d: 1}\ne: *x\n';
  const source = new YamlSource('t.yaml', text);
  assert.equal(source.problem, null);
  assert.deepEqual(source.documents, [{ a: '0 2 * * *', b: 'k8s/*.yaml' }, { c: { d: 1 }, e: { d: 1 } }]);
  assert.equal(source.line(1), 4);
  assert.deepEqual(source.position(1, ['e']), { line: 5, column: 4 });
});

test('manifests: over 64 MB of YAML, or over 200,000 objects, refused at the manifests entry before they are read', async () => {
  const dir = scratchDir();
  // A sparse file: 65 MB on paper, nothing on disk; its size is all that is looked at.
  fs.writeFileSync(path.join(dir, 'dump.yaml'), '');
  fs.truncateSync(path.join(dir, 'dump.yaml'), 65e6);
  // 200,001 objects in one List, as `kubectl get -o yaml` writes them.
  fs.writeFileSync(path.join(dir, 'list.yaml'), `apiVersion: v1\nkind: List\nitems: [${Array(200_001).fill('{}').join(',')}]\n`);
  const scenario = (manifest: string) => writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: big}
spec:
  duration: 1h
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]
  manifests:
    - ${manifest}
`, dir);
  const file = scenario('dump.yaml');
  const shown = displayPath(file);
  assert.deepEqual(await problems(file), [
    `${shown}:9:7: spec.manifests[0]: ${displayPath(path.join(dir, 'dump.yaml'))} is 65 MB; the limit is 64 MB\n    hint: split the study, or pass --allow-large to read it anyway (YAML takes about 25 times its size in memory once parsed)`,
  ]);
  const list = await problems(scenario('list.yaml'));
  assert.deepEqual(list, [
    `${shown}:9:7: spec.manifests[0]: ${displayPath(path.join(dir, 'list.yaml'))} brings the objects to 200,001; the limit is 200,000\n    hint: split the study, or pass --allow-large to read them anyway (each object takes about 10 KB once checked)`,
  ]);
});

test('a trace of more than 1,000,000 rows or 64 MB is refused before it is parsed, at its file and line', async () => {
  const dir = scratchDir();
  writeLongTrace(dir);
  fs.writeFileSync(path.join(dir, 'huge.csv'), '');
  fs.truncateSync(path.join(dir, 'huge.csv'), 70e6);
  const scenario = (trace: string) => tracedScenario(dir, trace);
  const started = performance.now();
  const [long] = await problems(scenario('long.csv'));
  assert.ok(performance.now() - started < 3000, 'refused without parsing a million rows');
  const csv = (name: string) => displayPath(path.join(dir, name));
  assert.equal(long, `${csv('long.csv')}:1000002:1: spec.behavior[0].demand[0].trace.file: the trace has more than 1,000,000 rows (1,000,002 lines); the limit is 1,000,000\n    hint: capsim reads demand once per sampleEvery (and when pods change), so points closer together add little: keep about one per sampleEvery, or pass --allow-large to read it anyway`);
  const [huge] = await problems(scenario('huge.csv'));
  assert.match(huge, /huge\.csv: spec\.behavior\[0\]\.demand\[0\]\.trace\.file: the trace is 70 MB; the limit is 64 MB/);

  // The limits are readTrace's to apply; without them it reads everything.
  const limits = { maxBytes: 1e6, maxRows: 3, flag: '--allow-large' };
  fs.writeFileSync(path.join(dir, 'four.csv'), 'time,rps\n0,1\n60,2\n120,3\n180,4\n');
  const four = await readTrace(path.join(dir, 'four.csv'), { time: 'time', value: 'rps' }, 0, limits);
  assert.deepEqual(four.problems.map((p) => [p.line, p.message]), [[5, 'the trace has more than 3 rows (5 lines); the limit is 3']]);
  const three = await readTrace(path.join(dir, 'four.csv'), { time: 'time', value: 'rps' }, 0, { ...limits, maxRows: 4 });
  assert.deepEqual(three.points.values, [1, 2, 3, 4]);
  const all = await readTrace(path.join(dir, 'four.csv'), { time: 'time', value: 'rps' }, 0);
  assert.equal(all.points.values.length, 4);
});

test('capsim import cluster refuses more than 160 MB of kubectl output from the files\' sizes, before reading them', () => {
  const dir = scratchDir();
  // A sparse file: 170 MB on paper, nothing on disk; only its size is looked at.
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), '');
  fs.truncateSync(path.join(dir, 'cluster.yaml'), 170e6);
  const out = path.join(dir, 'imported');
  const r = capsim('import', 'cluster', path.join(dir, 'cluster.yaml'), '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cluster\.yaml: \S*cluster\.yaml is 170 MB; the limit is 160 MB\n {4}hint: import the namespaces or kinds in parts, or pass --allow-large to read it anyway/);
  assert.deepEqual(fs.readdirSync(dir), ['cluster.yaml'], 'nothing written');
  assert.match(capsim('import', 'cluster', '--help').stdout, /--allow-large\s+Read more than 160 MB of kubectl output/);
});
