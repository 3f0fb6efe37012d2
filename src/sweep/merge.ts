// capsim sweep --merge: the shards of a sweep (each a directory written by `capsim sweep --shard
// i/N`, e.g. copied back from a cluster) joined into the directory one machine would have
// written: every run under runs/, and sweep.csv, sweep-summary.csv, sweep.json and sweep.html
// computed from all of them, byte for byte as an unsharded sweep.
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import type { ReportFormat } from '../report/formats.ts';
import { planFromIdentity, planIdentity, type PlanIdentity, type RunOutcome, type SweepPlan } from './plan.ts';
import { readOutcome, runDir } from './runStore.ts';
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

function readPlanFile(dir: string): PlanFile {
  const file = path.join(dir, 'sweep-plan.json');
  if (!fs.existsSync(file)) throw new InputError([problem(displayPath(file), 'not found: is this a directory written by capsim sweep?', 'merge the --out directories of the shards, e.g. shard-0 shard-1 ...')]);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PlanFile;
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
  for (const dir of dirs.map((d) => path.resolve(d))) {
    for (const run of plan.runs) {
      if (found.has(run.index)) continue;
      const outcome = readOutcome(dir, run);
      if (outcome) found.set(run.index, { outcome, dir });
    }
  }
  const missing = plan.runs.filter((r) => !found.has(r.index));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((r) => r.id).join(', ');
    throw new InputError([problem('--merge', `${missing.length} of ${plan.runs.length} runs have no result in these directories: ${shown}${missing.length > 10 ? ', ...' : ''}`, 'merge every shard (shard-0 ... shard-<N-1>), or rerun the missing ones with the same sweep command')]);
  }

  const study: Study = {
    objective: options.objective !== undefined ? parseObjective(options.objective) : first.objective ? parseObjective(first.objective) : null,
    constraints: (options.constraints ?? first.constraints).map(parseConstraint),
  };
  const outDir = path.resolve(options.out);
  fs.mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  for (const run of plan.runs) {
    const { dir } = found.get(run.index)!;
    const from = runDir(dir, run);
    const to = runDir(outDir, run);
    if (path.resolve(from) !== path.resolve(to)) {
      fs.rmSync(to, { recursive: true, force: true });
      fs.cpSync(from, to, { recursive: true });
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
