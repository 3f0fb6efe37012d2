// capsim report <runDir>: redraws report.html and charts/ from a finished run's files, holding
// the run directory's lock (the one `capsim run` takes) while it writes.
import path from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { displayPath } from '../scenario/paths.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { formatOption, parseFormats } from './options.ts';
import { guardedWrite, lockedAsInput } from './outputGuard.ts';

interface ReportArgs {
  runDir: string;
  format: string;
  quiet?: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <runDir>',
  describe: "Re-render report.html and charts/ from a run's files",
  builder: (y) =>
    y
      .positional('runDir', { type: 'string', demandOption: true, describe: 'A directory written by capsim run' })
      .options({ ...formatOption, quiet: { type: 'boolean', default: false, describe: 'Print only errors' } })
      .example('$0 report reports/quickstart', 'Redraw the quickstart report')
      .example('$0 report reports/quickstart --format png', 'Only charts/*.png') as never,
  handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
    try {
      const formats = parseFormats(args.format);
      // vega and vega-lite take a few hundred milliseconds to import: only this command pays it.
      (await import('../report/chartThread.ts')).startChartThread();
      const { writeReport } = await import('../report/report.ts');
      const written = await guardedWrite(args.runDir, { command: 'capsim report', create: false }, () => writeReport(args.runDir, formats));
      if (!args.quiet) {
        const charts = written.charts.length > 0 ? `${written.charts.length} chart files in ${displayPath(path.resolve(args.runDir, 'charts'))}/` : '';
        process.stdout.write([charts, written.html ? `Report: ${displayPath(written.html)}` : ''].filter(Boolean).join('\n') + '\n');
      }
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.exitCode = reportError(lockedAsInput(error));
    }
  },
};
