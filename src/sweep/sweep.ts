// capsim sweep (DESIGN §5): every run of the plan (or of this shard) that has no result yet, on
// a worker pool; then the study's files from all of them. Interrupted, it keeps what finished
// and the same command resumes; a run that fails is recorded with its error and the rest go on.
import fs from 'node:fs';
import path from 'node:path';
import type { ReportFormat } from '../report/formats.ts';
import { configSets, planIdentity, shardRuns, type PlanIdentity, type PlannedRun, type RunOutcome, type SweepPlan } from './plan.ts';
import { WorkerPool } from './pool.ts';
import { readOutcome, removeTemporaries, runDir, runRecord, writeRecord } from './runStore.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
import type { RunJob } from './worker.ts';
import { writeSweepResults } from './results.ts';
import type { Analysis, Study } from './study.ts';

export type { Study };

export interface Shard {
  index: number;
  count: number;
}

export interface SweepProgress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
}

export interface SweepOptions {
  out: string;
  parallel: number;
  keepAll: boolean;
  shard: Shard | null;
  study: Study;
  formats: readonly ReportFormat[];
  onProgress?: (progress: SweepProgress) => void;
  /** Aborted (Ctrl-C): no more runs start, those running are abandoned, finished ones stay. */
  signal?: AbortSignal;
}

export interface SweepResult {
  outDir: string;
  total: number;
  ran: number;
  skipped: number;
  failed: number;
  interrupted: boolean;
  analysis: Analysis | null;
}

/** sweep-plan.json: what identifies the sweep (merge checks every shard has the same), this
 *  directory's shard, and the study asked for. */
export interface PlanFile extends PlanIdentity {
  shard: string | null;
  runs: number;
  objective: string | null;
  constraints: string[];
}

export async function runSweep(plan: SweepPlan, options: SweepOptions): Promise<SweepResult> {
  const outDir = path.resolve(options.out);
  fs.mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  removeTemporaries(outDir);
  const runs = shardRuns(plan.runs, options.shard);
  writePlanFile(outDir, plan, options, runs.length);

  const outcomes = new Map<number, RunOutcome>();
  for (const run of runs) {
    const found = readOutcome(outDir, run);
    if (found) outcomes.set(run.index, found);
  }
  const progress: SweepProgress = { total: runs.length, done: outcomes.size, failed: [...outcomes.values()].filter((o) => o.status === 'failed').length, skipped: outcomes.size };
  options.onProgress?.({ ...progress });

  const scenarioFile = path.resolve(plan.scenarioFile);
  const jobs: (RunJob & { run: PlannedRun })[] = runs
    .filter((run) => !outcomes.has(run.index))
    .map((run) => ({ run, scenarioFile, sets: configSets(plan, plan.configs[run.config]), seed: run.seed, dir: runDir(outDir, run), keepAll: options.keepAll }));
  const pool = new WorkerPool(Math.max(1, options.parallel));
  let interrupted = options.signal?.aborted ?? false;
  const onAbort = () => {
    interrupted = true;
    void pool.stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!interrupted) {
      await pool.run(jobs, (job, reply) => {
        const status = reply.ok ? 'ok' : 'failed';
        const error = reply.ok ? null : reply.error;
        writeRecord(outDir, runRecord(plan, job.run, status, error));
        const outcome = readOutcome(outDir, job.run) ?? { run: job.run, status: 'failed', summary: null, error: error ?? 'no summary.json' };
        outcomes.set(job.run.index, outcome);
        progress.done++;
        if (outcome.status === 'failed') progress.failed++;
        options.onProgress?.({ ...progress });
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (interrupted) {
    removeTemporaries(outDir);
    return { outDir, total: runs.length, ran: progress.done - progress.skipped, skipped: progress.skipped, failed: progress.failed, interrupted: true, analysis: null };
  }
  const ordered = runs.map((run) => outcomes.get(run.index)!);
  const { analysis } = await writeSweepResults(outDir, plan, ordered, options.study, options.formats);
  return { outDir, total: runs.length, ran: progress.done - progress.skipped, skipped: progress.skipped, failed: progress.failed, interrupted: false, analysis };
}

function writePlanFile(outDir: string, plan: SweepPlan, options: SweepOptions, runs: number): void {
  const file: PlanFile = {
    ...planIdentity(plan),
    shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
    runs,
    objective: options.study.objective?.text ?? null,
    constraints: options.study.constraints.map((c) => c.text),
  };
  writeAtomically(path.join(outDir, 'sweep-plan.json'), JSON.stringify(file, null, 2) + '\n');
}
