// A sweep's plan (DESIGN §5): the scenario, the values each varied path takes, the cross product
// of them (configurations, the first --vary changing slowest), and each configuration run with
// --seeds seeds. Every run has a key: a hash of everything that decides its result (capsim's
// version, the content of the scenario and of every file it or any varied value reads, the fixed
// --set flags, the varied paths with their values, and the seed), so a sweep run again skips
// the runs whose results it already has, and never takes another sweep's run for its own.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { VERSION } from '../version.ts';
import type { Summary } from '../outputs/summary.ts';
import type { Scenario } from '../model/scenario.ts';

export interface Vary {
  /** A --set path: spec.cluster.nodePools[0].instanceType */
  path: string;
  /** Its values as written, each read as --set would read it. */
  values: string[];
}

export interface Config {
  /** 0-based position in the cross product. */
  index: number;
  /** "c001", "c002", ...: stable names for directories and tables. */
  id: string;
  /** One value per vary, in the order of the --vary flags. */
  values: string[];
}

export interface PlannedRun {
  /** 0-based position over all runs: configuration-major, then seed. */
  index: number;
  config: number;
  /** 0-based seed position and the seed itself (the scenario's seed + seedIndex). */
  seedIndex: number;
  seed: number;
  /** "c001-s42": the run's directory under runs/. */
  id: string;
  /** sha256 over what decides the run's result (see the file comment). */
  key: string;
}

export interface SweepPlan {
  capsim: string;
  /** The scenario file as given, its name (metadata.name) and its own seed. */
  scenarioFile: string;
  scenarioName: string;
  scenarioSeed: number;
  /** Every file the scenario reads, absolute, scenario first; and their content's hash. */
  inputFiles: string[];
  contentHash: string;
  /** --set flags applied to every run. */
  sets: string[];
  varies: Vary[];
  seeds: number;
  configs: Config[];
  runs: PlannedRun[];
}

/** How the plan is written to sweep-plan.json: what identifies a sweep wherever it ran (a shard
 *  in a cluster reads the scenario from another path, so paths are left out). */
export interface PlanIdentity {
  capsim: string;
  scenarioName: string;
  scenarioSeed: number;
  contentHash: string;
  sets: string[];
  varies: Vary[];
  seeds: number;
}

export function planIdentity(plan: SweepPlan): PlanIdentity {
  const { capsim, scenarioName, scenarioSeed, contentHash, sets, varies, seeds } = plan;
  return { capsim, scenarioName, scenarioSeed, contentHash, sets, varies, seeds };
}

const FLAG = '--vary';

function flagProblem(message: string, hint?: string): Problem {
  return { file: FLAG, line: 0, column: 0, path: '', message, hint };
}

/** "PATH=v1,v2,..." -> {path, values}. Commas inside [], {} or quotes do not split values, so a
 *  value can be a flow list or map: --vary 'spec.cluster.nodePools[0].zones=[a, b],[c]'. */
export function parseVary(text: string): Vary {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError([flagProblem(`"${text}" is not PATH=v1,v2,...`, 'for example --vary spec.cluster.nodePools[0].count=3,4,5')]);
  const values = splitValues(text.slice(eq + 1));
  if (values.length === 0 || values.some((v) => v.trim() === '')) {
    throw new InputError([flagProblem(`"${text}" has an empty value`, 'list the values separated by commas: PATH=v1,v2')]);
  }
  return { path: text.slice(0, eq).trim(), values: values.map((v) => v.trim()) };
}

function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** c001, c002, ...: a configuration's id, from its 0-based index. */
export function configId(index: number): string {
  return `c${String(index + 1).padStart(3, '0')}`;
}

/** c001-s11: a run's id (its directory under runs/). */
export function runId(configIndex: number, seed: number): string {
  return `${configId(configIndex)}-s${seed}`;
}

/** Every combination of the varied values, the first --vary changing slowest. */
export function crossProduct(varies: readonly Vary[]): Config[] {
  let combos: string[][] = [[]];
  for (const v of varies) combos = combos.flatMap((combo) => v.values.map((value) => [...combo, value]));
  return combos.map((values, index) => ({ index, id: configId(index), values }));
}

/** The --set flags of one configuration: the fixed ones, then its varied values. */
export function configSets(plan: Pick<SweepPlan, 'sets' | 'varies'>, config: Config): string[] {
  return [...plan.sets, ...plan.varies.map((v, i) => `${v.path}=${config.values[i]}`)];
}

export function hashFiles(files: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of files) {
    hash.update(path.basename(file)).update('\0');
    hash.update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The run's key: sha256 over capsim's version, the content hash of every file read, the fixed
 *  --set flags, each varied path with its value, and the seed. The paths count as much as the
 *  values: `count=3` and `replicas=3` are different runs. Options that change which files a run
 *  keeps but not its figures (--keep-all, --format) are not in it. */
export function runKey(identity: Pick<PlanIdentity, 'capsim' | 'contentHash' | 'sets' | 'varies'>, values: readonly string[], seed: number): string {
  const varied = identity.varies.map((v, i) => [v.path, values[i]]);
  return crypto.createHash('sha256').update(JSON.stringify({ capsim: identity.capsim, contentHash: identity.contentHash, sets: identity.sets, varied, seed })).digest('hex');
}

export interface PlanOptions {
  varies: string[];
  sets?: string[];
  seeds?: number;
  /** --allow-large: inputs over the loader's limits are read. */
  allowLarge?: boolean;
  /** Sees each scenario the plan loads: the base (trial null), then each varied value with the
   *  other varied paths at their first values (sweepSize.ts estimates the runs from them). */
  onScenario?: (scenario: Scenario, trial: { vary: number; value: number } | null) => void;
}

/** Reads the scenario (every problem in it, or in a varied path or value, is an input error:
 *  exit 2 before anything runs) and lays out the runs. Each varied value is tried once with the
 *  others at their first value, so a misspelt path or an impossible value is caught here. */
export async function makePlan(scenarioFile: string, options: PlanOptions): Promise<SweepPlan> {
  const varies = options.varies.map(parseVary);
  const sets = options.sets ?? [];
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) throw new InputError([{ file: '--seeds', line: 0, column: 0, path: '', message: `must be a whole number of at least 1, not ${seeds}` }]);
  if (varies.length === 0) throw new InputError([flagProblem('a sweep needs at least one --vary PATH=v1,v2,...', 'for example --vary spec.cluster.nodePools[0].count=3,4,5')]);
  const duplicate = varies.find((v, i) => varies.findIndex((w) => w.path === v.path) !== i);
  if (duplicate) throw new InputError([flagProblem(`${duplicate.path} is varied twice`, 'give all its values in one --vary')]);

  const allowLarge = options.allowLarge;
  const base = await loadScenario(scenarioFile, { set: sets, allowLarge });
  options.onScenario?.(base, null);
  // A varied value may name another file (a trace, a manifest): what every trial reads is hashed.
  const inputFiles = new Set(base.inputFiles);
  const firsts = varies.map((v) => `${v.path}=${v.values[0]}`);
  for (const [i, v] of varies.entries()) {
    for (const [k, value] of v.values.entries()) {
      const trial = [...sets, ...firsts.filter((_, j) => j !== i), `${v.path}=${value}`];
      const scenario = await loadScenario(scenarioFile, { set: trial, allowLarge });
      options.onScenario?.(scenario, { vary: i, value: k });
      for (const file of scenario.inputFiles) inputFiles.add(file);
    }
  }

  const identity: PlanIdentity = { capsim: VERSION, scenarioName: base.name, scenarioSeed: base.seed, contentHash: hashFiles([...inputFiles]), sets, varies, seeds };
  return { ...planFromIdentity(identity), scenarioFile, inputFiles: [...inputFiles] };
}

/** The plan laid out again from what sweep-plan.json records (merging shards needs no scenario
 *  file): the same configurations, seeds and keys. */
export function planFromIdentity(identity: PlanIdentity): SweepPlan {
  const configs = crossProduct(identity.varies);
  const runs: PlannedRun[] = [];
  for (const config of configs) {
    for (let s = 0; s < identity.seeds; s++) {
      const seed = identity.scenarioSeed + s;
      runs.push({ index: runs.length, config: config.index, seedIndex: s, seed, id: runId(config.index, seed), key: runKey(identity, config.values, seed) });
    }
  }
  return { ...identity, scenarioFile: '', inputFiles: [], configs, runs };
}

/** "i/N": this shard's runs are those whose index is i modulo N. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new InputError([{ file: '--shard', line: 0, column: 0, path: '', message: `"${text}" is not i/N with 0 <= i < N`, hint: 'for example --shard 0/4 ... --shard 3/4' }]);
  }
  return { index, count };
}

export function shardRuns(runs: readonly PlannedRun[], shard: { index: number; count: number } | null): PlannedRun[] {
  return shard ? runs.filter((r) => r.index % shard.count === shard.index) : [...runs];
}

/** What became of a run: its summary.json, or the error that stopped it. */
export interface RunOutcome {
  run: PlannedRun;
  status: 'ok' | 'failed';
  summary: Summary | null;
  error: string | null;
}
