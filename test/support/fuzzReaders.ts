// The fuzz tests of every input reader besides the scenario loader (fuzz.ts): a demand trace
// (CSV), --set, the sweep's flags (--vary, --objective, --constraint, --shard), the command line
// itself, a run directory read back by `capsim report` and `capsim compare`, a sweep's shard
// directories read by `capsim sweep --merge`, and the kubectl dumps `capsim import cluster` reads
// (mutated with the scenarios' palette; test/import-fuzz.test.ts has its own cases). Each case must end in a result or an InputError
// whose every problem names a file, a line and a message (fuzzChecks.ts). The catalog and its
// prices are built in (src/cost/catalogData.ts), not read from the user: nothing to fuzz there.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, dump, loadAll } from 'js-yaml';
import { readTrace, type TracePoints } from '../../src/workload/trace.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { applyOverrides } from '../../src/scenario/overrides.ts';
import { scenarioFieldNames } from '../../src/scenario/jsonSchema.ts';
import type { Problem } from '../../src/scenario/errors.ts';
import { InputError } from '../../src/scenario/errors.ts';
import { parseShard, parseVary, planFromIdentity, type PlanIdentity } from '../../src/sweep/plan.ts';
import { checkKeys, parseConstraint, parseObjective } from '../../src/sweep/study.ts';
import { RUN_FILES } from '../../src/outputs/runDirectory.ts';
import { COMMANDS, UsageError, commandLine } from '../../src/cli/commandLine.ts';
import { stubbedCommands } from './commandStubs.ts';
import { PROTOTYPE_NAMES, applyMutation, baseScenarios, damage, fuzzNumber, fuzzString, fuzzValue, mutation, textDamage, type Mutation, type TextDamage } from './fuzz.ts';
import { FuzzFailure, checkProblem, checkPrototypes, scratchDir, settle } from './fuzzChecks.ts';

type Json = unknown;

function fail(what: string, detail: string): never {
  throw new FuzzFailure(`${what}\n--- case:\n${detail.length > 4000 ? `${detail.slice(0, 4000)}...` : detail}`);
}

// ---- demand traces (CSV) -----------------------------------------------------------------------

const START_MS = Date.UTC(2026, 0, 5);

const traceTime: fc.Arbitrary<(row: number) => string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant((row: number) => String(row * 60)) },
  { weight: 4, arbitrary: fc.constant((row: number) => new Date(START_MS + row * 60_000).toISOString()) },
  { weight: 2, arbitrary: fc.constant((row: number) => String(START_MS / 1000 + row * 60)) },
  { weight: 1, arbitrary: fc.constant((row: number) => String(START_MS + row * 60_000)) },
  { weight: 2, arbitrary: fc.constantFrom('2026-02-30T00:00:00Z', '2026-01-05T00:00:00+25:00', '2026-01-05 01:00', '2026-01-05', '2026-01-05T01:00:00.123456789Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '-1', '1e400', '9007199254740993', '1e20', '', ' ', '"1,2"', 'NaN', 'Infinity', '0x10').map((t) => () => t) },
  { weight: 2, arbitrary: fuzzString.map((t) => () => t) },
  { weight: 1, arbitrary: fuzzNumber.map((n) => () => String(n)) },
);

const traceValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1000 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('', '-1', '1e400', '9007199254740993', '1e300', 'NaN', 'Infinity', '-0', '0.5', '1,5', '"2"', ' 3 ', '1e-400') },
  { weight: 2, arbitrary: fuzzString },
  { weight: 1, arbitrary: fuzzNumber.map(String) },
);

export interface TraceCase {
  header: string;
  rows: { time: (row: number) => string; value: string; extra: string | null }[];
  eol: string;
  columns: { time: string; value: string };
  damage: TextDamage;
}

export const traceCase: fc.Arbitrary<TraceCase> = fc.record({
  header: fc.oneof(
    { weight: 8, arbitrary: fc.constant('time,rps') },
    { weight: 3, arbitrary: fc.constantFrom('rps,time', 'time;rps', 'time,rps,time', 'time', '', '\uFEFFtime,rps', 'Time,RPS', 'time,rps,extra', '"time","rps"', 'constructor,__proto__', 'time,,rps') },
  ),
  rows: fc.array(fc.record({ time: traceTime, value: traceValue, extra: fc.option(fuzzString, { freq: 8 }) }), { maxLength: 20 }),
  eol: fc.constantFrom('\n', '\n', '\r\n', '\r'),
  columns: fc.oneof(
    { weight: 8, arbitrary: fc.constant({ time: 'time', value: 'rps' }) },
    { weight: 1, arbitrary: fc.record({ time: fc.constantFrom('time', 'rps', 'constructor', 'toString', '__proto__'), value: fc.constantFrom('rps', 'time', 'constructor', 'hasOwnProperty', '__proto__') }) },
  ),
  damage: textDamage,
});

export function traceText(c: TraceCase): string {
  const lines = [c.header, ...c.rows.map((r, i) => [r.time(i), r.value, ...(r.extra === null ? [] : [r.extra])].join(','))];
  return damage(lines.join(c.eol), c.damage);
}

/** Points a trace reader may return: as long as each other, finite, times increasing, values
 *  at least 0 and at most 2^53 - 1. */
function checkPoints(points: TracePoints, text: string): void {
  const { timesMs, values } = points;
  if (timesMs.length !== values.length) fail('trace points of different lengths', text);
  for (let i = 0; i < timesMs.length; i++) {
    if (!Number.isSafeInteger(timesMs[i]) || (i > 0 && timesMs[i] <= timesMs[i - 1])) fail(`trace time ${timesMs[i]} at point ${i}`, text);
    if (!(values[i] >= 0 && values[i] <= Number.MAX_SAFE_INTEGER)) fail(`trace value ${values[i]} at point ${i}`, text);
  }
}

/** readTrace on the case, then the same file as a workload's demand trace through the loader. */
export async function checkTrace(c: TraceCase): Promise<'read' | 'problems' | 'refused'> {
  const text = traceText(c);
  const dir = scratchDir();
  const file = path.join(dir, 'trace.csv');
  fs.writeFileSync(file, text);
  let read: Awaited<ReturnType<typeof readTrace>>;
  try {
    read = await readTrace(file, c.columns, START_MS);
  } catch (error) {
    fail(`readTrace threw ${error instanceof Error ? error.stack : String(error)}`, text);
  }
  for (const p of read.problems) {
    if (!Number.isInteger(p.line) || p.line < 0 || !Number.isInteger(p.column) || p.column < 0 || typeof p.message !== 'string' || p.message === '') fail(`a malformed trace problem ${JSON.stringify(p)}`, text);
  }
  // A file with problems is refused as a whole; its points are only for the message.
  if (read.problems.length === 0) checkPoints(read.points, text);
  const scenarioFile = path.join(dir, 'trace-scenario.yaml');
  fs.writeFileSync(scenarioFile, dump({
    apiVersion: 'capsim/v1', kind: 'Scenario', metadata: { name: 'trace' },
    spec: {
      duration: '1h',
      cluster: { nodePools: [{ name: 'general', instanceType: 'aws/m5.xlarge', count: 1 }] },
      workloads: [{ name: 'web', replicas: 1, containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }] }],
      behavior: [{ target: 'Deployment/default/web', demand: [{ trace: { file: 'trace.csv', ...c.columns } }] }],
    },
  }, { schema: CORE_SCHEMA }));
  const loaded = await settle('loadScenario with a trace', () => loadScenario(scenarioFile));
  if (loaded instanceof InputError) return 'refused';
  return read.problems.length > 0 ? 'problems' : 'read';
}

// ---- --set --------------------------------------------------------------------------------------

const setSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('spec', 'metadata', 'cluster', 'nodePools', 'workloads', 'containers', 'resources', 'requests', 'cpu', 'name', 'labels', 'count', 'autoscaler', 'events', 'behavior', 'usage') },
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES, 'prototype') },
  { weight: 2, arbitrary: fc.nat({ max: 5 }).map((n) => `[${n}]`) },
  { weight: 1, arbitrary: fc.constantFrom('[-1]', '[1e3]', '[x]', '["a.b"]', "['__proto__']", '["constructor"]', '[', ']', '[]', '[""]', '""', '.', '..', ' ', '=', '"', '[0', '9007199254740993', '[9007199254740993]') },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

export const setText: fc.Arbitrary<string> = fc.tuple(
  fc.array(setSegment, { minLength: 0, maxLength: 6 }),
  fc.constantFrom('.', '.', '.', ''),
  fc.oneof(fc.constantFrom('=', '=', '=', '==', ''), fc.constant('= ')),
  fc.oneof(
    fc.constantFrom('1', '-1', '1e400', '{a: b}', '[1', '&a [*a]', '{__proto__: {polluted: 1}}', '{constructor: {prototype: {polluted: 1}}}', '!!js/function f', 'null', '', '8Ei', '2026-02-30T00:00:00Z', '"\\u0000"', 'a: b: c', '? x', '*a'),
    fuzzValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null')),
  ),
).map(([segments, dot, eq, value]) => `${segments.reduce((path, s) => (s.startsWith('[') || path === '' ? path + s : path + dot + s), '')}${eq}${value}`);

export interface SetCase {
  base: number;
  sets: string[];
}

export const setCase: fc.Arbitrary<SetCase> = fc.record({ base: fc.nat(), sets: fc.array(setText, { minLength: 1, maxLength: 4 }) });

/** applyOverrides on a copy of a base scenario: every flag applied or a problem of it. */
export function checkSet(c: SetCase): 'applied' | 'problems' {
  const bases = baseScenarios();
  const doc = structuredClone(bases[c.base % bases.length].doc);
  const problems: Problem[] = [];
  try {
    applyOverrides(doc, c.sets, problems, scenarioFieldNames);
    checkPrototypes();
    problems.forEach(checkProblem);
  } catch (error) {
    fail(error instanceof FuzzFailure ? error.message : `applyOverrides threw ${error instanceof Error ? error.stack : String(error)}`, JSON.stringify(c.sets));
  }
  return problems.length > 0 ? 'problems' : 'applied';
}

// ---- the sweep's flags ---------------------------------------------------------------------------

const FIGURES = ['cost.totalUsd', 'demand.servedPct', 'pods.oomKills', 'cost.byPool.general', 'cost.byNamespace.constructor', 'constructor', '__proto__', 'toString', 'cost.constructor', 'cost.__proto__.x', 'nodes', 'cost', ''];

export const sweepFlag: fc.Arbitrary<{ flag: 'vary' | 'objective' | 'constraint' | 'shard'; text: string }> = fc.oneof(
  fc.record({
    flag: fc.constant('vary' as const),
    text: fc.tuple(fc.oneof(setText.map((t) => t.split('=')[0]), fc.constantFrom(...FIGURES)), fc.constantFrom('=', '=', ''), fc.array(fc.oneof(fuzzString, fc.constantFrom('[a, b]', '{a: b}', '"x,y"', "'", '[', '}')), { maxLength: 4 })).map(([p, eq, values]) => `${p}${eq}${values.join(',')}`),
  }),
  fc.record({ flag: fc.constant('objective' as const), text: fc.tuple(fc.constantFrom('', 'max:', 'min:', 'max: ', 'avg:', ':'), fc.oneof(fc.constantFrom(...FIGURES), fuzzString)).map(([a, b]) => a + b) }),
  fc.record({
    flag: fc.constant('constraint' as const),
    text: fc.tuple(fc.oneof(fc.constantFrom(...FIGURES), fuzzString), fc.constantFrom('>=', '<=', '==', '!=', '>', '<', '=', '=>', '', ' >= '), fc.oneof(fuzzNumber.map(String), fuzzString)).map(([a, b, c]) => a + b + c),
  }),
  fc.record({ flag: fc.constant('shard' as const), text: fc.oneof(fc.tuple(fc.integer({ min: -2, max: 5 }), fc.integer({ min: -1, max: 5 })).map(([i, n]) => `${i}/${n}`), fuzzString, fc.constantFrom('9007199254740993/9007199254740994', '0/1e3', '1/', '/2', ' 0/2 ', '0/0')) }),
);

/** A sweep's flags parsed, and the objective and constraint keys checked against a real run's
 *  summary (as `capsim sweep` does before it starts). */
export async function checkSweepFlag(c: { flag: string; text: string }, sample: unknown): Promise<'parsed' | 'refused'> {
  const parse = {
    vary: () => parseVary(c.text),
    shard: () => parseShard(c.text),
    objective: () => checkKeys({ objective: parseObjective(c.text), constraints: [] }, sample as never),
    constraint: () => checkKeys({ objective: null, constraints: [parseConstraint(c.text)] }, sample as never),
  }[c.flag as 'vary']!;
  try {
    return (await settle(`--${c.flag}`, parse)) instanceof InputError ? 'refused' : 'parsed';
  } catch (error) {
    fail((error as Error).message, `--${c.flag} ${JSON.stringify(c.text)}`);
  }
}

// ---- the command line -----------------------------------------------------------------------------

const argToken: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...COMMANDS.map((c) => String(c.command).split(' ')[0])).map((t) => [t]) },
  { weight: 6, arbitrary: fc.constantFrom('--set', '--seed', '--out', '--format', '--quiet', '--no-quiet', '--vary', '--seeds', '--parallel', '--objective', '--constraint', '--shard', '--merge', '--emit', '--shards', '--job-parallelism', '--jobParallelism', '--image', '--cpu', '--memory', '--pvc', '--namespace', '--keep-all', '--provider', '--filter', '--force', '--help', '-h', '--version', '--', '-', '--=', '--set=', '--seed=', '--out=', '--format=html,svg', '--no-set').map((t) => [t]) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES).map((n) => [`--${n}`]) },
  { weight: 5, arbitrary: fc.oneof(fuzzString, fuzzNumber.map(String), fc.constantFrom('s.yaml', 'k8s-job', 'html', 'aws', 'a=1', '0/2', '-1', '1e400')).map((t) => [t]) },
  { weight: 1, arbitrary: fc.constantFrom('--set.x', '--seed.x', '--__proto__.polluted', '--constructor.prototype.polluted', '-abc', '---x').map((t) => [t, '1']) },
);

export const commandArgs: fc.Arbitrary<string[]> = fc.array(argToken, { maxLength: 8 }).map((tokens) => tokens.flat());

/** The real parser with the handlers replaced: a usage error, or a handler reached, or --help or
 *  --version printed; nothing else. */
export async function checkCommandLine(args: string[]): Promise<'usage error' | 'handled' | 'help'> {
  let handled = false;
  const commands = stubbedCommands(() => void (handled = true));
  try {
    await commandLine(args, { commands, exitProcess: false }).parseAsync(args, {}, () => {});
    checkPrototypes();
  } catch (error) {
    if (error instanceof UsageError) return 'usage error';
    fail(`the command line threw ${error instanceof Error ? error.stack : String(error)}`, JSON.stringify(args));
  }
  return handled ? 'handled' : 'help';
}

// ---- a run directory (capsim report, capsim compare) -------------------------------------------------

export type FileDamage =
  | { op: 'delete' | 'empty' | 'directory'; file: number }
  | { op: 'text'; file: number; damage: TextDamage }
  | { op: 'cell'; file: number; row: number; column: number; value: string }
  | { op: 'header'; file: number; column: number; name: string }
  | { op: 'json'; file: number; mutations: Mutation[] }
  | { op: 'binary'; file: number; at: number };

export const fileDamage: fc.Arbitrary<FileDamage> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'empty' as const, 'directory' as const), file: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('text' as const), file: fc.nat(), damage: textDamage }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('cell' as const), file: fc.nat(), row: fc.nat(), column: fc.nat(), value: fc.oneof(fuzzString, fuzzNumber.map(String), fc.constantFrom('', '"', '"a,b"', '=1+1', '1e400', '-1', 'NaN', 'constructor')) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('header' as const), file: fc.nat(), column: fc.nat(), name: fc.oneof(fuzzString, fc.constantFrom('', 't', 'time', 'type', 'constructor', '__proto__')) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('json' as const), file: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('binary' as const), file: fc.nat(), at: fc.nat() }) },
);

/** Applies a damage to one of `files` (relative to `dir`). */
export function damageFile(dir: string, files: readonly string[], d: FileDamage): void {
  const name = files[d.file % files.length];
  const file = path.join(dir, name);
  const isFile = fs.existsSync(file) && fs.statSync(file).isFile();
  if (!isFile && d.op !== 'delete' && d.op !== 'directory') return;
  const text = isFile ? fs.readFileSync(file, 'utf8') : '';
  switch (d.op) {
    case 'delete':
      fs.rmSync(file, { recursive: true, force: true });
      return;
    case 'empty':
      fs.writeFileSync(file, '');
      return;
    case 'directory':
      fs.rmSync(file, { recursive: true, force: true });
      fs.mkdirSync(file, { recursive: true });
      return;
    case 'text':
      fs.writeFileSync(file, damage(text, d.damage));
      return;
    case 'binary': {
      const bytes = Buffer.from(text);
      const garbage = Buffer.from([0, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0xc3, 0x28, 0x0a]);
      const at = d.at % (bytes.length + 1);
      fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, at), garbage, bytes.subarray(at)]));
      return;
    }
    case 'cell':
    case 'header': {
      const lines = text.split('\n');
      const row = d.op === 'header' ? 0 : 1 + (d.row % Math.max(1, lines.length - 1));
      const cells = (lines[row] ?? '').split(',');
      cells[d.column % Math.max(1, cells.length)] = d.op === 'header' ? d.name : d.value;
      lines[row] = cells.join(',');
      fs.writeFileSync(file, lines.join('\n'));
      return;
    }
    case 'json': {
      let doc: { root: Json };
      try {
        doc = { root: JSON.parse(text) };
      } catch {
        return;
      }
      for (const m of d.mutations) applyMutation(doc, m);
      let json: string | undefined;
      try {
        json = JSON.stringify(doc.root);
      } catch {
        return; // an alias made it a cycle, which JSON cannot write
      }
      fs.writeFileSync(file, json ?? '');
    }
  }
}

/** A finished run to damage: a small scenario with a namespace and a pool named like
 *  Object.prototype's properties, an HPA, a drain and OOM kills, run once per process. */
let baseRun: Promise<string> | undefined;

export function baseRunDir(): Promise<string> {
  baseRun ??= (async () => {
    const dir = path.join(scratchDir(), 'base-run');
    const file = path.join(scratchDir(), 'base-run.yaml');
    fs.writeFileSync(file, [
      'apiVersion: capsim/v1',
      'kind: Scenario',
      'metadata: {name: base-run}',
      'spec:',
      '  duration: 2h',
      '  sampleEvery: 5m',
      '  cluster:',
      '    nodePools:',
      '      - {name: constructor, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 2}',
      '      - {name: general, instanceType: aws/m5.large, count: 1}',
      '  workloads:',
      '    - {name: web, namespace: constructor, replicas: 3, containers: [{name: constructor, resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {memory: 600Mi}}}],',
      '       hpa: {minReplicas: 2, maxReplicas: 6, metrics: [{resource: cpu, averageUtilization: 60}]}}',
      '  behavior:',
      '    - target: Deployment/constructor/web',
      '      demand: [{constant: 40}, {spike: {at: 30m, duration: 20m, factor: 3}}]',
      '      usage: {constructor: {cpu: {base: 50m, perUnit: 20m}, memory: {base: 300Mi, leakPerHour: 200Mi}}}',
      '  events:',
      '    - {at: 1h, drain: {pool: general, count: 1}}',
    ].join('\n'));
    const { runScenario } = await import('../../src/run.ts');
    await runScenario(await loadScenario(file), { outDir: dir, report: [] });
    return dir;
  })();
  return baseRun;
}

const RUN_DIR_FILES = [...Object.values(RUN_FILES), 'run-info.json'];

/** A damaged copy of the base run read back: loadRun, every chart's spec compiled by vega-lite and
 *  the report page; with `render`, the whole `capsim report` (charts drawn) and `capsim compare`
 *  against the undamaged run. */
export async function checkRunDir(damages: FileDamage[], render: boolean): Promise<'read' | 'refused'> {
  const base = await baseRunDir();
  const dir = path.join(scratchDir(), 'damaged-run');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(base, dir, { recursive: true });
  for (const d of damages) damageFile(dir, RUN_DIR_FILES, d);
  const what = JSON.stringify(damages);
  try {
    const [{ loadRun }, { runCharts }, { compileChart }, { reportPage }] = await Promise.all([
      import('../../src/report/runFiles.ts'), import('../../src/report/charts/index.ts'), import('../../src/report/render.ts'), import('../../src/report/reportPage.ts'),
    ]);
    const run = await settle('loadRun', () => loadRun(dir));
    if (run instanceof InputError) return 'refused';
    const charts = runCharts(run);
    for (const chart of charts) compileChart(chart.spec);
    reportPage(run, charts, charts.map(() => ''), 'fuzz');
    if (render) {
      const { writeReport } = await import('../../src/report/report.ts');
      await writeReport(dir, ['html']);
      const { writeComparison } = await import('../../src/report/compare.ts');
      await settle('writeComparison', () => writeComparison([base, dir], { out: path.join(scratchDir(), 'compare'), formats: ['html'] }));
    }
    return 'read';
  } catch (error) {
    fail(error instanceof FuzzFailure ? error.message : `reading the run threw ${error instanceof Error ? error.stack : String(error)}`, what);
  }
}

// ---- a sweep's shard directories (capsim sweep --merge) ---------------------------------------------

/** A shard directory as `capsim sweep --shard 0/1` leaves it: sweep-plan.json and, per run,
 *  run.json, summary.json and timeseries.csv (the base run's), written by the sweep's own code. */
async function shardDir(): Promise<string> {
  const { runRecord, writeRecord, runDir } = await import('../../src/sweep/runStore.ts');
  const base = await baseRunDir();
  const dir = path.join(scratchDir(), 'shard');
  fs.rmSync(dir, { recursive: true, force: true });
  const identity: PlanIdentity = { capsim: 'fuzz', scenarioName: 'base-run', scenarioSeed: 1, contentHash: 'x', sets: [], varies: [{ path: 'spec.seed', values: ['1', '2'] }], seeds: 1 };
  const plan = planFromIdentity(identity);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'sweep-plan.json'), JSON.stringify({ ...identity, shard: null, runs: plan.runs.length, objective: 'cost.totalUsd', constraints: ['pods.oomKills==0'] }, null, 2));
  for (const run of plan.runs) {
    writeRecord(dir, runRecord(plan, run, 'ok', null));
    for (const f of [RUN_FILES.summary, RUN_FILES.timeseries]) fs.copyFileSync(path.join(base, f), path.join(runDir(dir, run), f));
  }
  return dir;
}

const SHARD_FILES = ['sweep-plan.json', 'runs/c001-s1/run.json', 'runs/c001-s1/summary.json', 'runs/c001-s1/timeseries.csv', 'runs/c002-s1/run.json', 'runs/c002-s1/summary.json', 'runs'];

/** A damaged shard merged: the sweep's results, or an InputError. */
export async function checkShard(damages: FileDamage[]): Promise<'merged' | 'refused'> {
  const dir = await shardDir();
  for (const d of damages) damageFile(dir, SHARD_FILES, d);
  const { mergeShards } = await import('../../src/sweep/merge.ts');
  try {
    const merged = await settle('mergeShards', () => mergeShards([dir], { out: path.join(scratchDir(), 'merged'), formats: [] }));
    return merged instanceof InputError ? 'refused' : 'merged';
  } catch (error) {
    fail((error as Error).message, JSON.stringify(damages));
  }
}

// ---- kubectl dumps (capsim import cluster) ---------------------------------------------------------

const DUMPS = ['eks-shop.yaml', 'kubectl-rc-managedfields.yaml', 'kwok-pod-running-with-job.yaml', 'helm-minecraft.yaml'];
let dumps: Json[] | undefined;

function baseDumps(): Json[] {
  dumps ??= DUMPS.map((f) => {
    const docs = loadAll(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/dumps', f), 'utf8'), { schema: CORE_SCHEMA }).filter((d) => d !== null && d !== undefined);
    // One List of the file's objects: a dozen are as good a base as its hundreds, and keep a case small.
    const items = docs.flatMap((d) => (Array.isArray((d as { items?: unknown[] }).items) ? (d as { items: unknown[] }).items : [d]));
    return { apiVersion: 'v1', kind: 'List', items: items.slice(0, 12) };
  });
  return dumps;
}

export interface DumpCase {
  base: number;
  mutations: Mutation[];
  damage: TextDamage;
}

export const dumpCase: fc.Arbitrary<DumpCase> = fc.record({ base: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }), damage: textDamage });

/** A mutated dump read and planned as `capsim import cluster` does: the files it would write, or
 *  an InputError. */
export async function checkDump(c: DumpCase): Promise<'planned' | 'refused'> {
  const all = baseDumps();
  const doc = { root: structuredClone(all[c.base % all.length]) };
  for (const m of c.mutations) applyMutation(doc, m);
  const text = damage(dump(doc.root, { schema: CORE_SCHEMA, noRefs: false, lineWidth: -1, skipInvalid: true }), c.damage);
  const [{ readDump }, { planImport }] = await Promise.all([import('../../src/import/readDump.ts'), import('../../src/import/plan.ts')]);
  try {
    const planned = await settle('capsim import cluster', async () => planImport(await readDump(['-'], async () => text), { name: 'fuzz', placement: 'asDumped', sources: ['(stdin)'] }));
    return planned instanceof InputError ? 'refused' : 'planned';
  } catch (error) {
    fail((error as Error).message, text);
  }
}
