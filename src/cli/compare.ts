// capsim compare <runDir> <runDir> [...]: finished runs side by side, the first as the baseline.
import fs from 'node:fs';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { EXIT_OK, reportError } from './exit.ts';
import { formatOption, parseFormats } from './options.ts';
import { guardedWrite, lockedAsInput } from './outputGuard.ts';
import { outputOption, renderData, renderTables, type Output } from './output.ts';

interface CompareArgs {
  runDirs: string[];
  out?: string;
  format: string;
  quiet?: boolean;
  output: Output;
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
        ...outputOption,
        quiet: { type: 'boolean', default: false, describe: 'Print only errors (with -o json|yaml: and the data asked for)' },
      })
      .example('$0 compare reports/quickstart reports/web-hpa', 'Two runs, quickstart the baseline: figures and deltas, compare.html')
      .example('$0 compare base big small --format html,png', 'Three runs; charts also as PNG')
      .example("$0 compare base big -o json | jq '.figures[0]'", 'The figures and deltas (compare.json) on stdout, for a program') as never,
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
      if (args.output !== 'table') process.stdout.write(await renderData(written.comparison, args.output));
      else if (!args.quiet) {
        const { compareTables } = await import('./compareOutput.ts');
        process.stdout.write(renderTables(compareTables(written)));
      }
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.exitCode = reportError(lockedAsInput(error));
    }
  },
};
