// capsim backtest DIR: runs DIR/backtest.yaml (the imported cluster with the calibrated models,
// over the window the metrics cover) exactly as `capsim run` would, into OUT (DIR/backtest by
// default), and compares the run with DIR/metrics/ (compare.ts). The comparison's files are
// written into the run's temporary directory before the report, so they arrive with the run or
// not at all, and report.html has its "Simulated vs observed" section.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import type { Scenario } from '../model/scenario.ts';
import type { ReportFormat } from '../report/formats.ts';
import { runScenario, type RunResult } from '../run.ts';
import { cpuWindowSeconds } from '../import/metrics/queries.ts';
import { formatDuration } from '../duration.ts';
import { lockOutput } from '../outputs/outputLock.ts';
import { IMPORT_HINT, readObserved, type Observed } from './observed.ts';
import { readSimulated } from './simulated.ts';
import { compare, isoSeconds as iso, type Comparison } from './compare.ts';
import { writeBacktestFiles } from './backtestFiles.ts';

export const BACKTEST_SCENARIO = 'backtest.yaml';
/** OUT when --out is not given: DIR/backtest. */
export const DEFAULT_OUT = 'backtest';

export interface BacktestOptions {
  dir: string;
  outDir?: string;
  seed?: number;
  report: readonly ReportFormat[];
  allowLarge?: boolean;
  signal?: AbortSignal;
  onProgress?: (doneMs: number, totalMs: number) => void;
  onNote?: (note: string) => void;
}

export interface BacktestResult {
  scenario: Scenario;
  run: RunResult;
  comparison: Comparison;
}

/** The run must cover the observed window: start at its first time, last to its last (within a step). */
export function checkWindow(scenario: Scenario, observed: Observed, file: string): void {
  const start = scenario.startEpochMs / 1000;
  const first = observed.times[0];
  const last = observed.times[observed.times.length - 1];
  const length = last - first;
  const hint = `backtest.yaml must cover the window of DIR/metrics/: spec.start: "${iso(first)}", spec.duration: ${formatDuration(length * 1000)} (import metrics writes it so; regenerate it, or edit these fields)`;
  const problems = [];
  if (start !== first) problems.push({ file: displayPath(file), line: 0, column: 0, path: 'spec.start', message: `${iso(start)} is not the start of the observed window, ${iso(first)}`, hint });
  const seconds = scenario.durationMs / 1000;
  if (seconds < length || seconds >= length + observed.stepSeconds) {
    problems.push({ file: displayPath(file), line: 0, column: 0, path: 'spec.duration', message: `${formatDuration(scenario.durationMs)} is not the length of the observed window, ${formatDuration(length * 1000)} (${iso(first)} to ${iso(last)})`, hint });
  }
  if (problems.length > 0) throw new InputError(problems);
}

export async function backtest(options: BacktestOptions): Promise<BacktestResult> {
  const dir = path.resolve(options.dir);
  const file = path.join(dir, BACKTEST_SCENARIO);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new InputError([{ file: displayPath(dir), line: 0, column: 0, path: '', message: 'not a directory', hint: `name the directory capsim import cluster and import metrics wrote; ${IMPORT_HINT}` }]);
  }
  if (!fs.existsSync(file)) {
    throw new InputError([{ file: displayPath(file), line: 0, column: 0, path: '', message: 'not found: DIR has no backtest scenario', hint: `${IMPORT_HINT}: it writes backtest.yaml from DIR/scenario.yaml (capsim import cluster) and the calibrated models` }]);
  }
  // DIR's lock while its files are read: a `capsim import metrics` replacing them meanwhile is
  // refused, or refuses this, rather than the backtest reading half of each.
  const lock = await lockOutput(dir, 'capsim backtest', { onWait: options.onNote });
  let observed: Observed;
  let scenario: Scenario;
  try {
    observed = readObserved(dir);
    const { loadScenario } = await import('../scenario/load.ts');
    scenario = await loadScenario(file, { seed: options.seed, allowLarge: options.allowLarge });
  } finally {
    lock.release();
  }
  checkWindow(scenario, observed, file);
  (await import('../size/limits.ts')).checkRunSize(scenario, { report: options.report.length > 0, allowLarge: options.allowLarge });
  const prices = new Map(scenario.cluster.nodePools.map((p) => [p.name, p.priceUsdPerHour]));
  let comparison: Comparison | null = null;
  const run = await runScenario(scenario, {
    outDir: options.outDir ?? path.join(dir, DEFAULT_OUT),
    report: options.report,
    signal: options.signal,
    onProgress: options.onProgress,
    onNote: options.onNote,
    inputs: [path.join(dir, 'metrics')],
    addFiles: async (runDir) => {
      const simulated = await readSimulated(runDir);
      comparison = compare({
        observed,
        simulated,
        startSeconds: scenario.startEpochMs / 1000,
        sampleEverySeconds: scenario.sampleEveryMs / 1000,
        cpuWindowSeconds: cpuWindowSeconds(observed.stepSeconds),
        prices,
      });
      await writeBacktestFiles(runDir, comparison);
    },
  });
  return { scenario, run, comparison: comparison! };
}
