// One sweep run in a worker process (workerProcess.ts): runs the scenario and keeps what the
// sweep keeps. A run that fails is reported with its error; the worker goes on.
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../scenario/load.ts';
import { InputError, formatProblem } from '../scenario/errors.ts';
import { boundedText } from '../excerpt.ts';
import { runScenario } from '../run.ts';
import { DEFAULT_FORMATS } from '../report/formats.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';
import type { TableFormat } from '../outputs/tables.ts';
import { KEPT_FILES, compactTimeseries } from './runStore.ts';

export interface RunJob {
  scenarioFile: string;
  sets: string[];
  seed: number;
  dir: string;
  keepAll: boolean;
  /** With keepAll: the tables' form; without it a run keeps a compact timeseries.csv only. */
  tables?: TableFormat;
}

export type RunReply = { ok: true } | { ok: false; error: string };

export async function runOne(job: RunJob): Promise<RunReply> {
  try {
    // The plan read every input of the sweep within the loader's limits (or --allow-large was
    // given) and checked each run's size: a run's own load need not refuse them again.
    const scenario = await loadScenario(job.scenarioFile, { set: job.sets, seed: job.seed, allowLarge: true });
    // The sweep holds its directory's lock while its workers write runs/.
    await runScenario(scenario, { outDir: job.dir, report: job.keepAll ? DEFAULT_FORMATS : [], detail: job.keepAll, tables: job.keepAll ? job.tables : 'csv', focus: false, lock: false });
    if (!job.keepAll) {
      for (const file of fs.readdirSync(job.dir)) if (!KEPT_FILES.has(file)) fs.rmSync(path.join(job.dir, file), { recursive: true, force: true });
      const series = path.join(job.dir, RUN_FILES.timeseries);
      fs.writeFileSync(series, compactTimeseries(fs.readFileSync(series, 'utf8'), scenario.durationMs / 1000));
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error, job.scenarioFile) };
  }
}

/** Input problems a run's error names; the rest are counted (`capsim validate` lists them all). */
const MAX_RECORDED_PROBLEMS = 5;

/** The error as one line a table can show; the scenario's path is cut to its file name, so the
 *  same failure reads the same wherever the sweep ran (a shard in a pod, a laptop). Bounded like
 *  a printed problem: a few problems, each quoting at most an excerpt of the input. */
function describe(error: unknown, scenarioFile: string): string {
  let text: string;
  if (error instanceof InputError) {
    const shown = error.problems.slice(0, MAX_RECORDED_PROBLEMS).map(formatProblem);
    const more = error.problems.length - shown.length;
    text = shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
  } else {
    text = boundedText(error instanceof Error ? error.message : String(error));
  }
  return text.split(scenarioFile).join(path.basename(scenarioFile)).replace(/\s*\n\s*/g, ' ');
}
