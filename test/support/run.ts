// Runs a scenario (a file, or YAML text written to a scratch directory) end to end and reads
// back its outputs, for end-to-end tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import type { LoadOptions } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/run.ts';
import { World } from '../../src/world.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { InputError, type Problem } from '../../src/scenario/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

let built = false;

/** The command that runs the shipped CLI (bin/capsim.js on the compiled dist/), for spawning
 *  with process.execPath. dist/ is rebuilt first if src/ changed since the last build (`npm test`
 *  builds before the tests; this covers one test file run on its own after an edit). */
export function capsimCommand(...args: string[]): string[] {
  if (!built) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`scripts/build.js failed:\n${r.stdout}${r.stderr}`);
    built = true;
  }
  return [path.join(ROOT, 'bin/capsim.js'), ...args];
}

/** Runs the CLI from the checkout, as a user would: exit code, stdout, stderr. */
export function capsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, capsimCommand(...args), { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RunOutput {
  dir: string;
  summary: any;
  csv(name: string): Record<string, string>[];
  events(type?: string): Record<string, string>[];
}

export function scratchDir(prefix = 'capsim-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeScenario(yaml: string, dir = scratchDir()): string {
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

/** A scenario's world set up with its usage engine started, for stepping through `w.sim.runUntil`
 *  and reading the metrics API between steps. */
export async function startedWorld(yaml: string): Promise<World> {
  const w = new World(await loadScenario(writeScenario(yaml)));
  w.setup();
  w.usage.start(w.scenario.sampleEveryMs, w.scenario.durationMs);
  return w;
}

export async function runFile(file: string, options: LoadOptions = {}, outDir = path.join(scratchDir(), 'out')): Promise<RunOutput> {
  const scenario = await loadScenario(file, options);
  await runScenario(scenario, { outDir });
  return readRun(outDir);
}

export async function runYaml(yaml: string, options: LoadOptions = {}): Promise<RunOutput> {
  return runFile(writeScenario(yaml), options);
}

/** The problems loading `file` reports, asserted to be an InputError. */
/** Runs a scenario as run.ts does, with `during` called on the built world before the clock
 *  starts (to script what no scenario event does, or to listen), and reads its outputs back. */
export async function runWithWorld(yaml: string, during: (world: World) => void): Promise<RunOutput & { world: World }> {
  const scenario = await loadScenario(writeScenario(yaml));
  const dir = path.join(scratchDir(), 'out');
  fs.mkdirSync(dir, { recursive: true });
  const world = new World(scenario);
  const recorder = new Recorder(dir, world);
  world.setup();
  world.usage.start(scenario.sampleEveryMs, scenario.durationMs);
  recorder.start();
  during(world);
  world.sim.runUntil(scenario.durationMs);
  await recorder.finish();
  return { ...readRun(dir), world };
}

export async function loadProblems(file: string, options: LoadOptions = {}): Promise<Problem[]> {
  try {
    await loadScenario(file, options);
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
    return error.problems;
  }
  throw new Error(`${file} loaded without problems`);
}

export function readRun(dir: string): RunOutput {
  const csv = (name: string) => parseCsv(fs.readFileSync(path.join(dir, name), 'utf8'));
  return {
    dir,
    summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
    csv,
    events: (type) => csv('events.csv').filter((e) => !type || e.type === type),
  };
}

/** Minimal RFC 4180 reader for our own output (quoted fields with commas and "" escapes). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** The EC2NodeClass `default` as an item of a scenario's `manifests` (4-space indent), as
 *  Karpenter's getting-started guide writes it. */
export const EC2_NODE_CLASS = `    - apiVersion: karpenter.k8s.aws/v1
      kind: EC2NodeClass
      metadata: {name: default}
      spec:
        amiSelectorTerms: [{alias: al2023@latest}]
        role: KarpenterNodeRole
        subnetSelectorTerms: [{tags: {karpenter.sh/discovery: test}}]
        securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: test}}]
`;
