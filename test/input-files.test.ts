// Files from outside (issue 14): whatever a scenario points at (a CSV, /etc/passwd, a binary, a
// 1 MB line) an error quotes at most a short excerpt of it, on one line, with control characters
// escaped; and a local run follows symbolic links (emitting a cluster Job does not:
// sweep-k8s-job.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { formatProblem } from '../src/scenario/errors.ts';
import { displayPath } from '../src/scenario/paths.ts';
import { EXCERPT_CHARS, MAX_MESSAGE_CHARS, boundedText, excerpt, quote, quoteValue } from '../src/excerpt.ts';
import { runOne } from '../src/sweep/worker.ts';
import { loadProblems, scratchDir } from './support/run.ts';

/** A scenario that lists `manifest` (relative to its directory) under spec.manifests. */
function scenarioWith(dir: string, manifest: string, extra = ''): string {
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, [
    'apiVersion: capsim/v1',
    'kind: Scenario',
    'metadata: {name: outside}',
    'spec:',
    '  duration: 1h',
    '  cluster:',
    '    nodePools:',
    '      - {name: general, instanceType: aws/m5.xlarge, count: 1}',
    `  manifests: [${JSON.stringify(manifest)}]`,
    extra,
  ].join('\n'));
  return file;
}

const problemsOf = loadProblems;

/** The quoted string in a printed problem: "..." after `got string `. */
function quoted(line: string): string {
  const m = /got string ("(?:[^"\\]|\\.)*")/.exec(line);
  assert.ok(m, line);
  return JSON.parse(m[1]) as string;
}

// A CSV of 200 rows (about 6 KB) given as a manifest: YAML reads it as one long string.
const CSV = ['name,value,comment', ...Array.from({ length: 200 }, (_, i) => `row${i},${i},"secret ${i}"`)].join('\n') + '\n';

test('a CSV given as a manifest: the error quotes its first 120 characters and "…", not the file', async () => {
  const dir = scratchDir();
  fs.writeFileSync(path.join(dir, 'data.csv'), CSV);
  const problems = await problemsOf(scenarioWith(dir, 'data.csv'));
  assert.equal(problems.length, 1);
  const line = formatProblem(problems[0]);
  assert.match(line, /^\S*data\.csv:1:1: expected a Kubernetes object \(a mapping with apiVersion and kind\), got string "name,value,comment row0,0,/);
  const shown = quoted(line);
  assert.equal(shown.length, EXCERPT_CHARS + 1); // 120 characters and the ellipsis
  assert.ok(shown.endsWith('…'));
  assert.ok(!line.includes('row199'), 'the end of the file is not in the message');
});

test('/etc/passwd given as a manifest: one line of it at most', async (t) => {
  if (!fs.existsSync('/etc/passwd')) return t.skip('no /etc/passwd here');
  const dir = scratchDir();
  const problems = await problemsOf(scenarioWith(dir, '/etc/passwd'));
  const line = formatProblem(problems[0]);
  const text = fs.readFileSync('/etc/passwd', 'utf8');
  const shown = quoted(line);
  assert.ok(shown.length <= EXCERPT_CHARS + 1, `${shown.length} characters quoted`);
  if (text.length > EXCERPT_CHARS) assert.ok(!line.includes(text.trimEnd().split('\n').at(-1)!), 'the last account is not in the message');
});

test('a 1 MB single-line file: the printed problem stays under 300 characters', async () => {
  const dir = scratchDir();
  fs.writeFileSync(path.join(dir, 'long.txt'), 'x'.repeat(1024 * 1024));
  const problems = await problemsOf(scenarioWith(dir, 'long.txt'));
  const line = formatProblem(problems[0]);
  assert.ok(line.length < 300, `${line.length} characters`);
  assert.equal(quoted(line), 'x'.repeat(EXCERPT_CHARS) + '…');
});

test('a binary file: "not text", and no byte of it in the message', async () => {
  const dir = scratchDir();
  // With a NUL byte (js-yaml: "null byte is not allowed") and without one, but with an escape
  // sequence and other control bytes ("non-printable characters": not the tabs hint).
  const bytes = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0x00, 0x9c, 0xff]);
  fs.writeFileSync(path.join(dir, 'a.out'), bytes);
  fs.writeFileSync(path.join(dir, 'b.out'), bytes.subarray(0, 11));
  for (const [file, reason] of [['a.out', /null byte is not allowed/], ['b.out', /non-printable characters/]] as const) {
    const [problem] = await problemsOf(scenarioWith(dir, file));
    const line = formatProblem(problem);
    assert.match(problem.message, reason);
    assert.equal(problem.hint, 'this is not text: is it a binary file? Scenarios and manifests are YAML or JSON');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(line), JSON.stringify(line));
  }
});

test('a terminal escape sequence or a bidirectional override in a value is printed escaped', async () => {
  const dir = scratchDir();
  fs.writeFileSync(path.join(dir, 'm.yaml'), 'apiVersion: v1\nkind: "\\e[2J\\e[31mPod\\u202e"\nmetadata: {name: a}\n');
  const [problem] = await problemsOf(scenarioWith(dir, 'm.yaml'));
  const line = formatProblem(problem);
  assert.match(line, /no kind "\\u001b\[2J\\u001b\[31mPod\\u202e" is registered for version "v1"/);
  assert.ok(!line.includes('\u001b') && !line.includes('\u202e'));
});

test('a 1 MB key and a 1 MB quantity: the field path and the messages quote excerpts', async () => {
  const dir = scratchDir();
  const big = 'y'.repeat(1024 * 1024);
  fs.writeFileSync(path.join(dir, 'pod.yaml'), [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: a}', `${big}: 1`,
    'spec: {containers: [{name: c, image: x, resources: {requests: {cpu: "' + big + '"}}}]}', '',
  ].join('\n'));
  const problems = await problemsOf(scenarioWith(dir, 'pod.yaml'));
  const lines = problems.map(formatProblem);
  assert.equal(lines.length, 2);
  const cut = 'y'.repeat(EXCERPT_CHARS) + '…';
  assert.ok(lines[0].includes(`: ${cut}: unknown field "${cut}"`), lines[0].slice(0, 400));
  assert.ok(lines[1].includes(`invalid quantity "${cut}": quantities must match`), lines[1].slice(0, 400));
  for (const l of lines) assert.ok(l.length < 2 * EXCERPT_CHARS + 250, `${l.length} characters`);
});

test('a trace that is not a trace (/etc/passwd-like, a 1 MB header, a 1 MB value): excerpts only', async () => {
  const dir = scratchDir();
  const big = 'z'.repeat(1024 * 1024);
  fs.writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
  fs.writeFileSync(path.join(dir, 'header.csv'), `time,${big}\n0,1\n`);
  fs.writeFileSync(path.join(dir, 'value.csv'), `time,rps\n0,${big}\n`);
  fs.writeFileSync(path.join(dir, 'wide.csv'), `${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n`);
  fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  const withTrace = (file: string) => scenarioWith(dir, 'ns.yaml', [
    '  workloads: [{name: web, containers: [{name: web, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}]',
    `  behavior: [{target: Deployment/default/web, demand: [{trace: {file: ${file}, time: time, value: rps}}]}]`,
  ].join('\n'));
  const lines = async (file: string) => (await problemsOf(withTrace(file))).map(formatProblem);
  const passwd = displayPath(path.join(dir, 'passwd'));
  assert.deepEqual(await lines('passwd'), [
    `${passwd}:1:1: spec.behavior[0].demand[0].trace.time: the trace has no column "time"\n    hint: the columns are "root:x:0:0:root:/root:/bin/bash"`,
    `${passwd}:1:1: spec.behavior[0].demand[0].trace.value: the trace has no column "rps"\n    hint: the columns are "root:x:0:0:root:/root:/bin/bash"`,
  ]);
  const cut = `"${'z'.repeat(EXCERPT_CHARS)}…"`;
  const [header] = await lines('header.csv');
  assert.ok(header.endsWith(`hint: the columns are "time", ${cut}`), header.slice(-300));
  const [value] = await lines('value.csv');
  assert.match(value, new RegExp(`trace\\.value: value ${cut} in column "rps" is not a number`));
  // 5,000 columns: the first 12 named, the rest counted.
  const [wide] = await lines('wide.csv');
  assert.ok(wide.endsWith('hint: the columns are "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", ... (5000 columns)'), wide);
});

test('the backstop: any part of a printed problem is at most 400 characters, its start and its end kept', () => {
  const value = 'v'.repeat(100_000);
  const line = formatProblem({ file: 'x.yaml', line: 3, column: 7, path: 'spec.target', message: `no Deployment "${value}" is declared`, hint: `did you mean "${value}"?` });
  const [first, second] = line.split('\n');
  const message = first.slice('x.yaml:3:7: spec.target: '.length);
  assert.equal(message.length, MAX_MESSAGE_CHARS + ' … '.length);
  assert.ok(message.startsWith('no Deployment "vvv') && message.endsWith('vvv" is declared'), 'what was expected still shows');
  assert.ok(second.length <= '    hint: '.length + MAX_MESSAGE_CHARS + 3);
  // Short parts are untouched; a newline in a value cannot start a line of its own.
  assert.equal(formatProblem({ file: 'x.yaml', line: 0, column: 0, path: '', message: 'a\nhint: fake' }), 'x.yaml: a\\nhint: fake');
});

test('excerpt, quote, quoteValue, boundedText: cut with "…", never inside a surrogate pair', () => {
  assert.equal(quote('web'), '"web"');
  assert.equal(quote('a "b"'), '"a \\"b\\""');
  assert.equal(quote('x'.repeat(121)), `"${'x'.repeat(120)}…"`);
  assert.equal(quote('x'.repeat(120)), `"${'x'.repeat(120)}"`);
  // 119 x and a 2-unit emoji: cutting at 120 units would split the emoji; it is left out whole.
  assert.equal(excerpt('x'.repeat(119) + '😀' + 'y'), 'x'.repeat(119) + '…');
  assert.equal(excerpt('tab\there\u0007'), 'tab\\there\\u0007');
  assert.equal(quoteValue({ a: 'x'.repeat(200) }), `{"a":"${'x'.repeat(114)}…`);
  assert.equal(quoteValue(3), '3');
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.equal(quoteValue(cyclic), '');
  assert.equal(boundedText('short'), 'short');
  assert.equal(boundedText('a'.repeat(50) + 'b'.repeat(50), 40), `${'a'.repeat(30)} … ${'b'.repeat(10)}`);
});

test('a sweep run that fails records a short error: excerpts, and at most five problems', async () => {
  const dir = scratchDir();
  fs.writeFileSync(path.join(dir, 'data.csv'), CSV);
  const file = scenarioWith(dir, 'data.csv');
  const reply = await runOne({ scenarioFile: file, sets: [], seed: 1, dir: path.join(dir, 'run'), keepAll: false });
  assert.equal(reply.ok, false);
  const error = (reply as { error: string }).error;
  assert.ok(error.length < 300, `${error.length} characters`);
  assert.ok(!error.includes('\n') && !error.includes('row199'));
  // Seven bad fields: five named, two counted.
  const sets = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => `spec.${k}=1`);
  const many = await runOne({ scenarioFile: scenarioWith(dir, 'ns.yaml'), sets, seed: 1, dir: path.join(dir, 'run2'), keepAll: false });
  const text = (many as { error: string }).error;
  assert.equal(text.match(/unknown field/g)?.length, 5, text);
  assert.match(text, /; and \d+ more problems$/);
});

// ---------------------------------------------------------------------------------------------
// Symbolic links on a local run

test('a local run follows a link out of the scenario\'s directory: the user pointed at it', async () => {
  const dir = scratchDir();
  const outside = scratchDir();
  fs.writeFileSync(path.join(outside, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  fs.mkdirSync(path.join(dir, 'm'));
  fs.symlinkSync(path.join(outside, 'ns.yaml'), path.join(dir, 'm', 'ns.yaml'));
  const scenario = await loadScenario(scenarioWith(dir, 'm/*.yaml'));
  assert.deepEqual(scenario.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), ['shop']);
});

test('a link loop under a ** glob ends: the file met again through it is a duplicate, named with its path', async () => {
  const dir = scratchDir();
  fs.mkdirSync(path.join(dir, 'm'));
  fs.writeFileSync(path.join(dir, 'm', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  fs.symlinkSync('.', path.join(dir, 'm', 'self')); // m/self -> m
  const problems = await problemsOf(scenarioWith(dir, 'm/**/*.yaml'));
  // The pods of --emit k8s-job would read the same files (both paths are inside the directory),
  // so the same duplicate is reported there: the run and the Job agree.
  assert.ok(problems.length >= 1);
  for (const p of problems) assert.match(formatProblem(p), /m\/self\/.*ns\.yaml:3:\d+: metadata\.name: duplicate Namespace "shop"/);
});
