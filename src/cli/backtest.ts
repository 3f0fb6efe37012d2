// capsim backtest DIR: simulate the window DIR's metrics cover from the imported cluster with the
// calibrated models (DIR/backtest.yaml), and say how far the simulation was from what was
// observed (docs/backtest.md). The run is `capsim run`'s: the same lock, whole-or-nothing
// directory, progress, warnings and exit codes.
import path from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { displayPath } from '../scenario/paths.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { allowLargeOption, formatOption, parseFormats } from './options.ts';
import { EXIT_INTERRUPTED, listenForInterrupt, lockedAsInput } from './outputGuard.ts';
import { progressBar } from './run.ts';
import type { BacktestJson } from '../outputs/backtestFiles.ts';
import { usd } from '../outputs/money.ts';
import { outputOption, renderData, renderTable, type Output } from './output.ts';

interface BacktestArgs {
  dir: string;
  out?: string;
  seed?: number;
  output: Output;
  format: string;
  quiet?: boolean;
  allowLarge?: boolean;
}

export const backtestCommand: CommandModule<object, BacktestArgs> = {
  command: 'backtest <dir>',
  describe: 'Simulate the observed window (DIR/backtest.yaml) and compare with DIR/metrics/: backtest.csv, backtest.json, backtest-series.csv and report.html in DIR/backtest/',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'The directory capsim import cluster and capsim import metrics wrote (scenario.yaml, metrics/, backtest.yaml)' })
      .options({
        out: { type: 'string', describe: 'Output directory (default: DIR/backtest/): a run directory plus the backtest files' },
        seed: { type: 'number', describe: "Override backtest.yaml's spec.seed" },
        output: { ...outputOption.output, describe: "What is printed on stdout: a table of the series (for people), or backtest.json's data as json or yaml (for programs)" },
        ...formatOption,
        ...allowLargeOption,
        quiet: { type: 'boolean', default: false, describe: 'Print only errors' },
      })
      .example('$0 backtest shop', 'Run shop/backtest.yaml into shop/backtest/ and compare with shop/metrics/')
      .example('$0 backtest shop --out /tmp/bt -o json', 'Elsewhere, printing backtest.json')
      .epilogue(
        'Series: nodes and cost (cluster totals), nodes/<pool>, and per workload replicas (the HPA\'s desired replicas when it has one), cpu_used, memory_used, cpu_requests, memory_requests, oom_kills, cpu_throttled (when observed). ' +
          'Per series: mape_pct (over the steps where observed is not 0), max_error and bias (simulated - observed) in its unit; costErrorPct and nodeHoursErrorPct are signed, (simulated - observed) / observed x 100. ' +
          'The verdict is "good" when cost and node-hours are within 5% and nodes per pool, HPA replicas and CPU used within 10% MAPE. ' +
          'Exit 2 when DIR has no backtest.yaml or metrics/ (run capsim import metrics --into DIR first), or when backtest.yaml does not cover the observed window. Details: docs/backtest.md',
      ) as never,
  handler: async (args: ArgumentsCamelCase<BacktestArgs>) => {
    process.exitCode = await runBacktest(args);
  },
};

const fixed = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));
const signed = (v: number | null) => (v === null ? '-' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);

/** The report's unit helpers (report/backtestSection.ts, imported when a table is printed: that
 *  module brings zod and the CSV reader, which `capsim --version` should not load). */
interface Units {
  inUnit: (v: number, unit: string) => string;
  shownUnit: (unit: string) => string;
}

/** The printed table: one line per series, the headline errors and the verdict. */
export function backtestTable(json: BacktestJson, { inUnit, shownUnit }: Units): string {
  // As the report reads them (bytes in MiB); backtest.csv keeps the series' own units.
  const rows = json.series.map((s) => [s.series, fixed(s.mape_pct), inUnit(s.max_error, s.unit), inUnit(Number(s.bias.toPrecision(4)), s.unit), shownUnit(s.unit), String(s.points)]);
  const right = 'right' as const;
  return renderTable({
    columns: [{ header: 'series' }, { header: 'mape_pct', align: right }, { header: 'max_error', align: right }, { header: 'bias', align: right }, { header: 'unit' }, { header: 'points', align: right }],
    cells: rows,
    notes: [
      '',
      `Window ${json.window.start} to ${json.window.end}, step ${json.window.stepSeconds} s (${json.window.steps} steps).`,
      `Cost: simulated ${usd(json.simulated.costUsd)}, observed ${usd(json.observed.costUsd)} (${signed(json.costErrorPct)}); node-hours: simulated ${json.simulated.nodeHours.toFixed(1)}, observed ${json.observed.nodeHours.toFixed(1)} (${signed(json.nodeHoursErrorPct)}).`,
      ...json.notes.map((n) => `Note: ${n}`),
      `Verdict: ${json.verdict}`,
    ],
  });
}

async function runBacktest(args: BacktestArgs): Promise<number> {
  try {
    const report = parseFormats(args.format);
    const { backtest, DEFAULT_OUT } = await import('../backtest/backtest.ts');
    const outDir = args.out ?? path.join(args.dir, DEFAULT_OUT);
    const progress = await progressBar(args.quiet ?? false);
    const interrupt = listenForInterrupt();
    let result: Awaited<ReturnType<typeof backtest>>;
    try {
      const onNote = (note: string) => process.stderr.write(`capsim: note: ${note}\n`);
      result = await backtest({ dir: args.dir, outDir, seed: args.seed, report, allowLarge: args.allowLarge, signal: interrupt.signal, onProgress: progress.update, onNote });
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      progress.stop();
      process.stderr.write(`capsim: backtest interrupted (${interrupt.received()}): nothing was written to ${displayPath(path.resolve(outDir))}/ (what was there is unchanged).\n`);
      return EXIT_INTERRUPTED;
    } finally {
      interrupt.dispose();
    }
    progress.stop();
    const { run, comparison } = result;
    if (args.output !== 'table') process.stdout.write(await renderData(comparison.json, args.output));
    if (!args.quiet) {
      for (const notice of run.notices) process.stderr.write(`capsim: note: ${notice}\n`);
      for (const w of run.warnings) process.stderr.write(`capsim: warning: ${w.title}: ${w.message}\n`);
      if (args.output === 'table') process.stdout.write(backtestTable(comparison.json, await import('../report/backtestSection.ts')));
      const shown = displayPath(run.outDir);
      (args.output !== 'table' ? process.stderr : process.stdout).write(
        `Results: ${shown}/ (backtest.csv, backtest.json, backtest-series.csv and the run's files)\n` +
          (report.includes('html') ? `Report:  ${displayPath(path.join(run.outDir, 'report.html'))}\n` : ''),
      );
    }
    return EXIT_OK;
  } catch (error) {
    return reportError(lockedAsInput(error));
  }
}
