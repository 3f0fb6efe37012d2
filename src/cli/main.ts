#!/usr/bin/env node
// capsim's command line (DESIGN §1). Exit codes: 0 success, 1 simulation failed, 2 invalid input.
// Each command module imports only yargs' types and a few small helpers at the top; its handler
// imports what the command needs, so `capsim --version` or `validate` does not load vega, the
// simulator or the sweep's worker pool. `capsim --version` alone loads not even yargs.
import { VERSION } from '../version.ts';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // What yargs' .version() prints, without loading the parser and every command's options.
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ hideBin }, { EXIT_INPUT }, { commandLine, UsageError }] = await Promise.all([import('yargs/helpers'), import('./exit.ts'), import('./commandLine.ts')]);
  try {
    await commandLine(hideBin(process.argv)).parseAsync();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`capsim: ${error.message}\n\nRun 'capsim --help' or 'capsim <command> --help' for usage.\n`);
    process.exitCode = EXIT_INPUT;
  }
}
