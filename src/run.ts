// One run of a scenario: simulate, stream the outputs into a temporary directory beside the
// target, and move it into place only when everything is written (DESIGN §4). A failed or
// interrupted run leaves nothing half-written; `<out>.lock` keeps a second run from writing the
// same directory at once, and the temporaries of runs that were killed are removed.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { Scenario } from './model/scenario.ts';
import { Recorder } from './record/recorder.ts';
import { writeRecommendations } from './record/recommendations.ts';
import type { RunWarning, Summary } from './outputs/summary.ts';
import { preflightWarnings } from './preflight.ts';
import { World } from './world.ts';
import { VERSION } from './version.ts';
import type { ReportFormat } from './report/formats.ts';
import type { TableFormat } from './outputs/tables.ts';
import { lockOutput } from './outputs/outputLock.ts';
import { CHUNK_MS } from './outputs/runDirectory.ts';
import { focusLeftOut } from './size/runSize.ts';
import { removeTemporaries, temporaryName } from './outputs/leftovers.ts';
import { InputError } from './scenario/errors.ts';
import { displayPath } from './scenario/paths.ts';

export interface RunOptions {
  outDir: string;
  /** Called between chunks with simulated progress (ms done, ms total). */
  onProgress?: (doneMs: number, totalMs: number) => void;
  /** Report files to write from the run's outputs (report.html, charts/*.svg, charts/*.png);
   *  none when empty. */
  report?: readonly ReportFormat[];
  /** False for a sweep's runs: summary.json, timeseries.csv and run-info.json only (no
   *  workloads, nodes, events, node-utilization or recommendations files). Default true. */
  detail?: boolean;
  /** The tables' form (--tables): CSV files (the default) or Parquet (outputs/tables.ts). */
  tables?: TableFormat;
  /** Aborted (Ctrl-C): the run stops at the next hour of simulated time or the next output
   *  file, removes its temporary directory and throws the signal's reason; the target is left
   *  as it was. */
  signal?: AbortSignal;
  /** Write focus.csv (FOCUS cost rows, focus/): true or false (or the run id its rows carry, for
   *  a rerun that must write the rows of an earlier run: export/focus.ts); absent, a detail run writes it
   *  when its estimate is within FOCUS_AUTO_MAX_ROWS (size/runSize.ts) and says so when
   *  not. A sweep's runs never do. */
  focus?: boolean | { runId: string };
  /** False when the caller already holds the directory's lock (a sweep holds its --out's while
   *  its workers write runs/). Default true: `<outDir>.lock` is taken while the run writes. */
  lock?: boolean;
  /** Told what happens besides the simulation (waiting for another host's lock). */
  onNote?: (note: string) => void;
  /** Writes more files into the run's directory once the run's own are written, before the
   *  report (which may read them): `capsim backtest`'s comparison. It gets the temporary
   *  directory; what it writes moves into place with the rest, or goes with it. */
  addFiles?: (dir: string) => Promise<void>;
  /** Files or directories the run reads besides the scenario's own (scenario.inputFiles): a
   *  backtest's metrics/. outDir may hold none of them (checkOutDir). */
  inputs?: readonly string[];
}

export interface RunResult {
  outDir: string;
  summary: Summary;
  notices: string[];
  /** summary.json's warnings: what the figures should not be trusted for (empty when none). */
  warnings: RunWarning[];
  /** Simulation and its CSV/JSON outputs; the report's rendering is reportMs. */
  wallMs: number;
  reportMs: number;
  eventsProcessed: number;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const outDir = path.resolve(options.outDir);
  const { signal } = options;
  signal?.throwIfAborted();
  checkOutDir(outDir, [...scenario.inputFiles, ...(options.inputs ?? [])]);
  const lock = options.lock === false ? null : await lockOutput(outDir, 'capsim run', { onWait: options.onNote });
  try {
    // Leftovers of runs into this directory that were killed before they could clean up.
    removeTemporaries(path.dirname(outDir), { targets: [path.basename(outDir)], own: true });
    return await simulate(scenario, outDir, options, started);
  } finally {
    lock?.release();
  }
}

/** The run replaces its directory whole: one that is or holds an input of the run (the scenario
 *  file, its manifests and traces, a backtest's metrics) would be deleted with it. Refused. */
export function checkOutDir(outDir: string, inputs: readonly string[]): void {
  const real = (p: string) => {
    try {
      return fsSync.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const out = real(outDir);
  const held = inputs.find((input) => {
    const file = real(input);
    return file === out || file.startsWith(out.endsWith(path.sep) ? out : out + path.sep);
  });
  if (held === undefined) return;
  throw new InputError([{
    file: displayPath(outDir),
    line: 0,
    column: 0,
    path: '',
    message: `holds ${displayPath(path.resolve(held))}, which this run reads: the run replaces its output directory whole, and would delete it`,
    hint: 'choose another output directory (--out): a new one, or an earlier run\'s',
  }]);
}

async function simulate(scenario: Scenario, outDir: string, options: RunOptions, started: number): Promise<RunResult> {
  const { signal } = options;
  const tmpDir = temporaryName(outDir);
  await fs.mkdir(tmpDir, { recursive: true });
  try {
    const world = new World(scenario);
    const detail = options.detail ?? true;
    const focus = focusDecision(scenario, detail, options.focus, options.tables ?? 'csv');
    const recorder = new Recorder(tmpDir, world, detail, preflightWarnings(scenario), options.tables, focus.write && (typeof options.focus === 'object' ? options.focus : true));
    world.setup();
    world.usage.start(scenario.sampleEveryMs, scenario.durationMs);
    recorder.start();
    const { sim } = world;
    for (let untilMs = 0; ; untilMs = Math.min(untilMs + CHUNK_MS, scenario.durationMs)) {
      // A trace's pods up to untilMs are read now, not before: a chunk of simulated time at a time.
      await world.traces?.prefetch(untilMs);
      sim.runUntil(untilMs);
      await recorder.drain();
      options.onProgress?.(untilMs, scenario.durationMs);
      if (untilMs >= scenario.durationMs) break;
      signal?.throwIfAborted();
    }
    const summary = await recorder.finish();
    if (detail) await writeRecommendations(tmpDir, world.controllers.get('vertical-pod-autoscaler')!.rows(), options.tables);
    const wallMs = performance.now() - started;
    await writeResolvedScenario(tmpDir, scenario);
    if (options.addFiles) {
      signal?.throwIfAborted();
      await options.addFiles(tmpDir);
    }
    let reportMs = 0;
    if (options.report && options.report.length > 0) {
      signal?.throwIfAborted();
      const reportStarted = performance.now();
      // Loaded only when wanted: vega takes a few hundred milliseconds to import.
      await (await import('./report/report.ts')).writeReport(tmpDir, options.report);
      reportMs = performance.now() - reportStarted;
    }
    await writeRunInfo(tmpDir, scenario, world, wallMs, reportMs);
    signal?.throwIfAborted();
    // One synchronous step, so that no signal handler runs between the old directory going and
    // the new one arriving.
    fsSync.rmSync(outDir, { recursive: true, force: true });
    fsSync.renameSync(tmpDir, outDir);
    return { outDir, summary, notices: scenario.notices.concat(world.notices, focus.notice ?? []), warnings: summary.warnings ?? [], wallMs, reportMs, eventsProcessed: sim.eventsProcessed };
  } catch (error) {
    await fs.rm(tmpDir, { recursive: true, force: true });
    throw error;
  }
}

/** Whether the run writes focus.csv, and what to tell when a detail run leaves it out. */
function focusDecision(scenario: Scenario, detail: boolean, wanted: boolean | { runId: string } | undefined, tables: TableFormat): { write: boolean; notice?: string } {
  if (wanted !== undefined) return { write: wanted !== false };
  if (!detail) return { write: false };
  const notice = focusLeftOut(scenario, tables);
  return notice === null ? { write: true } : { write: false, notice };
}

async function writeResolvedScenario(dir: string, scenario: Scenario): Promise<void> {
  const header = `# ${scenario.name}: the scenario as run, every default filled in (capsim ${VERSION}).\n`;
  await fs.writeFile(path.join(dir, 'scenario.resolved.yaml'), header + YAML.stringify(scenario.resolved, { lineWidth: 0 }));
}

async function writeRunInfo(dir: string, scenario: Scenario, world: World, wallMs: number, reportMs: number): Promise<void> {
  const events = world.sim.eventsProcessed;
  const info = {
    capsim: VERSION,
    node: process.version,
    scenario: scenario.name,
    seed: scenario.seed,
    simulatedSeconds: scenario.durationMs / 1000,
    wallSeconds: Number((wallMs / 1000).toFixed(3)),
    reportSeconds: Number((reportMs / 1000).toFixed(3)),
    eventsProcessed: events,
    eventsPerSecond: Math.round(events / Math.max(wallMs / 1000, 1e-9)),
    simulatedHoursPerWallSecond: Number((scenario.durationMs / 3_600_000 / Math.max(wallMs / 1000, 1e-9)).toFixed(1)),
    podsScheduled: world.scheduler.scheduledCount,
    schedulingAttempts: world.scheduler.attempts,
    finishedAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(dir, 'run-info.json'), JSON.stringify(info, null, 2) + '\n');
}
