// capsim sweep --merge: the shards of a sweep (each a directory written by `capsim sweep --shard
// i/N`, e.g. copied back from a cluster) joined into the directory one machine would have
// written: every run under runs/, and sweep.csv, sweep-summary.csv, sweep.json and sweep.html
// computed from all of them, byte for byte as an unsharded sweep.
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import type { ReportFormat } from '../report/formats.ts';
import { planFromIdentity, planIdentity, type PlanIdentity, type RunOutcome, type SweepPlan, type Vary } from './plan.ts';
import { inspectRun, removeSweepTemporaries, runDir } from './runStore.ts';
import { lockOutput } from '../outputs/outputLock.ts';
import { temporaryName } from '../outputs/leftovers.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
import { writeSweepResults } from './results.ts';
import { parseConstraint, parseObjective, type Analysis } from './study.ts';
import type { PlanFile, Study } from './sweep.ts';

export interface MergeOptions {
  out: string;
  /** The study to compute; by default the one the shards were run with. */
  objective?: string;
  constraints?: string[];
  formats: readonly ReportFormat[];
  /** Told what happens besides the merge (waiting for another host's lock). */
  onNote?: (note: string) => void;
}

export interface MergeResult {
  outDir: string;
  plan: SweepPlan;
  runs: number;
  failed: number;
  analysis: Analysis;
  study: Study;
}

const problem = (file: string, message: string, hint?: string): Problem => ({ file, line: 0, column: 0, path: '', message, hint });

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A shard's sweep-plan.json, checked field by field: a file cut short or edited is named. */
function readPlanFile(dir: string): PlanFile {
  const file = path.join(dir, 'sweep-plan.json');
  if (!fs.existsSync(file)) throw new InputError([problem(displayPath(file), 'not found: is this a directory written by capsim sweep?', 'merge the --out directories of the shards, e.g. shard-0 shard-1 ...')]);
  const damaged = (what: string) => new InputError([problem(displayPath(file), `damaged: ${what}`, 'run this shard again (the same capsim sweep --shard command) to write it whole')]);
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw damaged(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw damaged('not an object');
  const wrong: string[] = [];
  for (const key of ['capsim', 'scenarioName', 'contentHash'] as const) if (typeof p[key] !== 'string') wrong.push(key);
  for (const key of ['scenarioSeed', 'runs'] as const) if (typeof p[key] !== 'number') wrong.push(key);
  if (!Number.isInteger(p.seeds) || (p.seeds as number) < 1) wrong.push('seeds');
  if (!isStrings(p.sets)) wrong.push('sets');
  const varies = p.varies;
  if (!Array.isArray(varies) || varies.length === 0 || !varies.every((v: unknown) => typeof v === 'object' && v !== null && typeof (v as Vary).path === 'string' && isStrings((v as Vary).values) && (v as Vary).values.length > 0)) wrong.push('varies');
  if (p.shard !== null && typeof p.shard !== 'string') wrong.push('shard');
  if (p.objective !== null && typeof p.objective !== 'string') wrong.push('objective');
  if (!isStrings(p.constraints)) wrong.push('constraints');
  if (wrong.length > 0) throw damaged(`${wrong.join(', ')} missing or of the wrong type`);
  return p as unknown as PlanFile;
}

const IDENTITY_KEYS = ['capsim', 'scenarioName', 'scenarioSeed', 'contentHash', 'sets', 'varies', 'seeds'] as const;

export async function mergeShards(dirs: readonly string[], options: MergeOptions): Promise<MergeResult> {
  if (dirs.length === 0) throw new InputError([problem('--merge', 'names no shard directories', 'capsim sweep --merge shard-0 shard-1 ... --out DIR')]);
  const plans = dirs.map((d) => readPlanFile(path.resolve(d)));
  const first = plans[0];
  const problems: Problem[] = [];
  plans.forEach((p, i) => {
    for (const key of IDENTITY_KEYS) {
      if (JSON.stringify(p[key]) !== JSON.stringify(first[key])) {
        problems.push(problem(displayPath(path.resolve(dirs[i], 'sweep-plan.json')), `${key} differs from ${displayPath(path.resolve(dirs[0]))}'s`, 'every shard must come from the same sweep command on the same scenario and capsim version'));
      }
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  const identity: PlanIdentity = Object.fromEntries(IDENTITY_KEYS.map((k) => [k, first[k]])) as unknown as PlanIdentity;
  const plan = planFromIdentity(identity);

  const found = new Map<number, { outcome: RunOutcome; dir: string }>();
  const damaged = new Map<number, Problem[]>();
  for (const dir of dirs.map((d) => path.resolve(d))) {
    for (const run of plan.runs) {
      if (found.has(run.index)) continue;
      const stored = inspectRun(dir, plan, run);
      if (stored.state === 'done') found.set(run.index, { outcome: stored.outcome, dir });
      else if (stored.state === 'damaged') {
        const file = displayPath(path.join(runDir(dir, run), stored.file));
        damaged.set(run.index, [...(damaged.get(run.index) ?? []), problem(file, `damaged (${stored.reason})`, 'run its shard again (the same capsim sweep --shard command, which reruns damaged runs), then merge')]);
      }
    }
  }
  const missing = plan.runs.filter((r) => !found.has(r.index));
  if (missing.length > 0) {
    // A run whose only copies are damaged is named with its files; the others are missing.
    const broken = missing.flatMap((r) => damaged.get(r.index) ?? []);
    const absent = missing.filter((r) => !damaged.has(r.index));
    const shown = absent.slice(0, 10).map((r) => r.id).join(', ');
    throw new InputError([
      ...broken,
      ...(absent.length > 0 ? [problem('--merge', `${absent.length} of ${plan.runs.length} runs have no result in these directories: ${shown}${absent.length > 10 ? ', ...' : ''}`, 'merge every shard (shard-0 ... shard-<N-1>), or rerun the missing ones with the same sweep command')] : []),
    ]);
  }

  const study: Study = {
    objective: options.objective !== undefined ? parseObjective(options.objective) : first.objective ? parseObjective(first.objective) : null,
    constraints: (options.constraints ?? first.constraints).map(parseConstraint),
  };
  const outDir = path.resolve(options.out);
  const lock = await lockOutput(outDir, 'capsim sweep --merge', { onWait: options.onNote });
  try {
    return await writeMerged(outDir, plan, found, study, options);
  } finally {
    lock.release();
  }
}

async function writeMerged(outDir: string, plan: SweepPlan, found: Map<number, { outcome: RunOutcome; dir: string }>, study: Study, options: MergeOptions): Promise<MergeResult> {
  fs.mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  removeSweepTemporaries(outDir, false);
  for (const run of plan.runs) {
    const { dir } = found.get(run.index)!;
    const from = runDir(dir, run);
    const to = runDir(outDir, run);
    if (path.resolve(from) !== path.resolve(to)) {
      // Copied whole under a temporary name, then renamed: a merge cut short leaves no run
      // directory with half its files.
      const temporary = temporaryName(to);
      fs.rmSync(temporary, { recursive: true, force: true });
      fs.cpSync(from, temporary, { recursive: true });
      fs.rmSync(to, { recursive: true, force: true });
      fs.renameSync(temporary, to);
    }
  }
  const planFile: PlanFile = {
    ...planIdentity(plan),
    shard: null,
    runs: plan.runs.length,
    objective: study.objective?.text ?? null,
    constraints: study.constraints.map((c) => c.text),
  };
  writeAtomically(path.join(outDir, 'sweep-plan.json'), JSON.stringify(planFile, null, 2) + '\n');
  const outcomes = plan.runs.map((r) => found.get(r.index)!.outcome);
  const { analysis } = await writeSweepResults(outDir, plan, outcomes, study, options.formats);
  return { outDir, plan, runs: outcomes.length, failed: outcomes.filter((o) => o.status === 'failed').length, analysis, study };
}
