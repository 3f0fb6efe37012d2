#!/usr/bin/env node
// capsim's command line (DESIGN §1). Exit codes: 0 success, 1 simulation failed, 2 invalid input.
// Each command module imports only yargs' types and a few small helpers at the top; its handler
// imports what the command needs, so `capsim --version` or `validate` does not load vega, the
// simulator or the sweep's worker pool.
import { hideBin } from 'yargs/helpers';
import { EXIT_INPUT } from './exit.ts';
import { commandLine, UsageError } from './commandLine.ts';

try {
  await commandLine(hideBin(process.argv)).parseAsync();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`capsim: ${error.message}\n\nRun 'capsim --help' or 'capsim <command> --help' for usage.\n`);
  process.exitCode = EXIT_INPUT;
}
