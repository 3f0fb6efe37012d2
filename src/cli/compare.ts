// capsim compare <runDir> <runDir> [...]: finished runs side by side, the first as the baseline.
import fs from 'node:fs';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { displayPath } from '../scenario/paths.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { formatOption, parseFormats } from './options.ts';
import { guardedWrite, lockedAsInput } from './outputGuard.ts';

interface CompareArgs {
  runDirs: string[];
  out?: string;
  format: string;
  quiet?: boolean;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  // Optional in yargs' eyes so that one directory, or none, gets capsim's own message and hint.
  command: 'compare [runDirs..]',
  describe: 'Compare finished runs: headline figures with deltas, overlaid charts, compare.html',
  builder: (y) =>
    y
      .positional('runDirs', { type: 'string', array: true, default: [], describe: 'Two or more directories written by capsim run; the first is the baseline' })
      .options({
        format: { ...formatOption.format, describe: 'Files: html (compare.html), svg and png (charts/); comma-separated, or none' },
        out: { type: 'string', describe: 'Output directory (default: reports/compare-<run1>-vs-<run2>/)' },
        quiet: { type: 'boolean', default: false, describe: 'Print only errors' },
      })
      .example('$0 compare reports/quickstart reports/web-hpa', 'Two runs, quickstart the baseline')
      .example('$0 compare base big small --format html,png', 'Three runs; charts also as PNG') as never,
  handler: async (args: ArgumentsCamelCase<CompareArgs>) => {
    try {
      const formats = parseFormats(args.format);
      // vega and vega-lite take a few hundred milliseconds to import: only this command pays it.
      const { defaultCompareDir, runLabels, writeComparison } = await import('../report/compare.ts');
      const out = args.out ?? defaultCompareDir(runLabels(args.runDirs));
      const compare = () => writeComparison(args.runDirs, { out, formats });
      // Runs to compare, all there: then the output directory is locked while it is written
      // (otherwise writeComparison stops with its message before writing anything).
      const runsThere = args.runDirs.length >= 2 && args.runDirs.every((d) => fs.existsSync(d) && fs.statSync(d).isDirectory());
      const written = runsThere ? await guardedWrite(out, { command: 'capsim compare', create: true }, compare) : await compare();
      if (!args.quiet) {
        const where = written.html ? displayPath(written.html) : `${displayPath(written.dir)}/ (compare.csv, compare.json${written.charts.length > 0 ? ', charts/' : ''})`;
        process.stdout.write(`Compared ${written.runs} runs: ${where}\n`);
      }
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.exitCode = reportError(lockedAsInput(error));
    }
  },
};
