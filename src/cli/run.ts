// capsim run: simulate a scenario and write its outputs. The loader, the simulator and the
// progress bar are imported when the command runs, so that other commands start without them.
import fs from 'node:fs';
import path from 'node:path';
import type { SingleBar } from 'cli-progress';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { durationAsWritten } from '../duration.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import type { Scenario } from '../model/scenario.ts';
import { outputOption, renderData, renderTables, type Output } from './output.ts';
import { adviceTables } from '../advice/adviceTables.ts';
import { displayPath } from '../scenario/paths.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { allowLargeOption, formatOption, parseFormats, parseTables, placementOption, scenarioOptions, tablesOption } from './options.ts';
import type { Placement } from '../model/scenario.ts';
import { EXIT_INTERRUPTED, listenForInterrupt, lockedAsInput } from './outputGuard.ts';

interface RunArgs {
  scenario: string;
  out?: string;
  seed?: number;
  set?: string[];
  quiet?: boolean;
  format: string;
  tables: string;
  allowLarge?: boolean;
  placement?: Placement;
  focus?: boolean;
  output: Output;
}

/** spec.duration as the scenario file wrote it ("30d", "2w"), if it did. */
function writtenDuration(scenario: Scenario): unknown {
  const spec = scenario.resolved.spec;
  return spec && typeof spec === 'object' ? (spec as Record<string, unknown>).duration : undefined;
}

/** A progress bar appears only for runs that take longer than this, and only on a terminal. */
const PROGRESS_AFTER_MS = 1000;

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Simulate a scenario and write summary.json, CSV time series, charts and report.html',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' })
      .options({
        ...scenarioOptions,
        ...placementOption,
        ...formatOption,
        ...tablesOption,
        ...allowLargeOption,
        out: { type: 'string', describe: 'Output directory (default: reports/<scenario name>/)' },
        focus: {
          type: 'boolean',
          describe: 'Write focus.csv, FOCUS 1.3 cost rows per node-hour and workload (--no-focus: leave it out). Default: written when estimated at 250,000 rows or fewer (a month of a 1,000-node fleet is 8.6 M rows, 8.6 GB; docs/outputs.md)',
        },
        ...outputOption,
        quiet: { type: 'boolean', default: false, describe: 'Print only errors (with -o json|yaml: and the data asked for)' },
      })
      .example('$0 run scenarios/quickstart.yaml', 'Run the built-in quickstart')
      .example('$0 run scenarios/quickstart.yaml -o json | jq .cost', 'The summary (summary.json) on stdout, for a program')
      .example('$0 run scenarios/quickstart.yaml --seed 7 --out /tmp/qs7', 'Another seed, elsewhere')
      .example('$0 run scenarios/quickstart.yaml --format html,svg,png', 'Also write charts/*.png')
      .example('$0 run big.yaml --tables parquet', 'Tables as Parquet (workloads.parquet, ...): much smaller for long runs')
      .example('$0 run big.yaml --focus --tables parquet', 'FOCUS rows even for a large run (focus.parquet)')
      .example("$0 run my.yaml --set 'spec.cluster.nodePools[0].count=6'", 'Try six nodes')
      .example('$0 run cluster/scenario.yaml --placement reschedule', "A cluster's state, its pods packed afresh") as never,
  handler: async (args: ArgumentsCamelCase<RunArgs>) => {
    process.exitCode = await run(args);
  },
};

async function run(args: RunArgs): Promise<number> {
  try {
    const report = parseFormats(args.format);
    const tables = parseTables(args.tables ?? 'csv');
    // vega loads on a second thread while this one reads and simulates (report/chartThread.ts).
    if (report.length > 0) (await import('../report/chartThread.ts')).startChartThread();
    const { loadScenario } = await import('../scenario/load.ts');
    const scenario = await loadScenario(args.scenario, { set: args.set, seed: args.seed, placement: args.placement, allowLarge: args.allowLarge });
    // Refused before anything is written when it would go past the limits (size/limits.ts).
    (await import('../size/limits.ts')).checkRunSize(scenario, { report: report.length > 0, allowLarge: args.allowLarge, focus: args.focus, tables });
    const outDir = args.out ?? path.join('reports', scenario.name);
    const { runScenario } = await import('../run.ts');
    const progress = await progressBar(args.quiet ?? false);
    const interrupt = listenForInterrupt();
    let result: Awaited<ReturnType<typeof runScenario>>;
    try {
      const onNote = (note: string) => process.stderr.write(`capsim: note: ${note}\n`);
      result = await runScenario(scenario, { outDir, onProgress: progress.update, report, tables, focus: args.focus, signal: interrupt.signal, onNote });
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      progress.stop();
      process.stderr.write(`capsim: run interrupted (${interrupt.received()}): nothing was written to ${displayPath(path.resolve(outDir))}/ (what was there is unchanged).\n`);
      return EXIT_INTERRUPTED;
    } finally {
      interrupt.dispose();
    }
    progress.stop();
    if (!args.quiet) {
      for (const notice of result.notices) process.stderr.write(`capsim: note: ${notice}\n`);
      for (const w of result.warnings) process.stderr.write(`capsim: warning: ${w.title}: ${w.message}\n`);
      const s = result.summary;
      const seconds = result.wallMs / 1000;
      process.stderr.write(
        `capsim: ${scenario.name}: ${durationAsWritten(scenario.durationMs, writtenDuration(scenario), { spaced: true })} simulated in ${seconds.toFixed(2)} s ` +
          `(${result.eventsProcessed.toLocaleString('en-US')} events, ${Math.round(result.eventsProcessed / Math.max(seconds, 1e-6)).toLocaleString('en-US')} events/s)${result.reportMs > 0 ? `, report in ${(result.reportMs / 1000).toFixed(2)} s` : ''}\n`,
      );
      // Pods of a cluster's state start bound (pods.scheduled leaves them out: no scheduler ran).
      const dumped = scenario.clusterState.placement === 'asDumped' ? scenario.clusterState.runningPods : 0;
      const files = ['timeseries', 'workloads', 'nodes', 'hourly', 'events', 'recommendations', 'pods', 'focus'].map((t) => `${t}.${tables}`).filter((f) => fs.existsSync(path.join(result.outDir, f)));
      const results = {
        dir: displayPath(result.outDir),
        files: ['summary.json', ...files, ...(report.includes('svg') || report.includes('png') ? ['charts/'] : [])],
        report: report.includes('html') ? displayPath(path.join(result.outDir, 'report.html')) : null,
      };
      const { headlineTable, resultsTable } = await import('./runOutput.ts');
      const facts = { duration: durationAsWritten(scenario.durationMs, writtenDuration(scenario), { spaced: true }), startedAsDumped: dumped };
      // The advice's tables (src/advice/adviceTables.ts) go between the headline and the results.
      const people: TerminalTable[] = [headlineTable(s, facts), ...adviceTables(s), resultsTable(results)];
      if (args.output === 'table') process.stdout.write(renderTables(people));
    }
    // -o json|yaml: summary.json itself, the same data (what the recorder rounded and wrote).
    if (args.output !== 'table') process.stdout.write(await renderData(JSON.parse(fs.readFileSync(path.join(result.outDir, 'summary.json'), 'utf8')), args.output));
    return EXIT_OK;
  } catch (error) {
    return reportError(lockedAsInput(error));
  }
}

/** A progress bar on a terminal for runs over PROGRESS_AFTER_MS (capsim backtest's run too). */
export async function progressBar(quiet: boolean): Promise<{ update: (done: number, total: number) => void; stop: () => void }> {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const { default: cliProgress } = await import('cli-progress');
  const started = performance.now();
  let bar: SingleBar | null = null;
  return {
    update: (done, total) => {
      if (!bar && performance.now() - started < PROGRESS_AFTER_MS) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: 'simulating [{bar}] {percentage}% | ETA {eta}s', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
