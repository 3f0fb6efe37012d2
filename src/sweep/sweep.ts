// capsim sweep (DESIGN §5): every run of the plan (or of this shard) that has no result yet, on
// a worker pool; then the study's files from all of them. Interrupted, it keeps what finished
// and the same command resumes; a run that fails is recorded with its error and the rest go on.
import fs from 'node:fs';
import path from 'node:path';
import type { ReportFormat } from '../report/formats.ts';
import type { TableFormat } from '../outputs/tables.ts';
import { configSets, planIdentity, shardRuns, type PlanIdentity, type PlannedRun, type RunOutcome, type SweepPlan } from './plan.ts';
import { WorkerPool } from './pool.ts';
import { damageNote, inspectRun, recordRun, removeSweepTemporaries, runDir, type OtherRun } from './runStore.ts';
import { lockOutput } from '../outputs/outputLock.ts';
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
  /** With keepAll: the form of each run's tables (outputs/tables.ts); CSV when absent. */
  tables?: TableFormat;
  shard: Shard | null;
  study: Study;
  formats: readonly ReportFormat[];
  onProgress?: (progress: SweepProgress) => void;
  /** Told, before anything runs, what in the directory is run again and why (SweepResult.notes). */
  onNote?: (note: string) => void;
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
  /** What was found in the directory and run again: damaged files, runs of another sweep. */
  notes: string[];
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
  const lock = await lockOutput(outDir, 'capsim sweep', { onWait: options.onNote });
  try {
    return await sweepLocked(plan, options, outDir);
  } finally {
    lock.release();
  }
}

async function sweepLocked(plan: SweepPlan, options: SweepOptions, outDir: string): Promise<SweepResult> {
  fs.mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  removeSweepTemporaries(outDir, false);
  const runs = shardRuns(plan.runs, options.shard);
  writePlanFile(outDir, plan, options, runs.length);

  const outcomes = new Map<number, RunOutcome>();
  const notes: string[] = [];
  const others = new Map<OtherRun, number>();
  for (const run of runs) {
    const stored = inspectRun(outDir, plan, run, { keepAll: options.keepAll, retryDied: true });
    if (stored.state === 'done') outcomes.set(run.index, stored.outcome);
    else if (stored.state === 'damaged') notes.push(`${damageNote(run, stored)}: running ${run.id} again`);
    else if (stored.state === 'other') others.set(stored.reason, (others.get(stored.reason) ?? 0) + 1);
  }
  for (const [reason, n] of others) notes.push(otherRunsNote(reason, n));
  for (const note of notes) options.onNote?.(note);
  const progress: SweepProgress = { total: runs.length, done: outcomes.size, failed: [...outcomes.values()].filter((o) => o.status === 'failed').length, skipped: outcomes.size };
  options.onProgress?.({ ...progress });

  const scenarioFile = path.resolve(plan.scenarioFile);
  const jobs: (RunJob & { run: PlannedRun })[] = runs
    .filter((run) => !outcomes.has(run.index))
    .map((run) => ({ run, scenarioFile, sets: configSets(plan, plan.configs[run.config]), seed: run.seed, dir: runDir(outDir, run), keepAll: options.keepAll, tables: options.tables ?? 'csv' }));
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
        const outcome = recordRun(outDir, plan, job.run, reply);
        outcomes.set(job.run.index, outcome);
        progress.done++;
        if (outcome.status === 'failed') progress.failed++;
        options.onProgress?.({ ...progress });
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const counts = { outDir, total: runs.length, ran: progress.done - progress.skipped, skipped: progress.skipped, failed: progress.failed, notes };
  if (interrupted) {
    // The workers are stopped: what they were writing is this process's to remove.
    removeSweepTemporaries(outDir, true);
    return { ...counts, interrupted: true, analysis: null };
  }
  const ordered = runs.map((run) => outcomes.get(run.index)!);
  const { analysis } = await writeSweepResults(outDir, plan, ordered, options.study, options.formats);
  return { ...counts, interrupted: false, analysis };
}

function otherRunsNote(reason: OtherRun, n: number): string {
  const runs = `${n} run${n === 1 ? '' : 's'} in runs/`;
  const them = n === 1 ? 'it' : 'them';
  switch (reason) {
    case 'another key':
      return `${runs} ${n === 1 ? 'is' : 'are'} of another sweep (other varied paths or values, --set flags, scenario files, seeds or capsim version): running ${them} again`;
    case 'kept without --keep-all':
      return `${runs} kept only the sweep's files: running ${them} again to keep every file (--keep-all)`;
    case 'worker died':
      return `${runs} failed when ${n === 1 ? 'its worker' : 'their workers'} died (out of memory?): running ${them} again`;
  }
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
