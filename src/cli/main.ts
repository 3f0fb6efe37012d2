#!/usr/bin/env node
// capsim's command line (DESIGN §1). Exit codes: 0 success, 1 simulation failed, 2 invalid input.
// Each command module imports only yargs' types and a few small helpers at the top; its handler
// imports what the command needs, so `capsim --version` or `validate` does not load vega, the
// simulator or the sweep's worker pool.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runCommand } from './run.ts';
import { validateCommand } from './validate.ts';
import { initCommand } from './init.ts';
import { catalogCommand } from './catalog.ts';
import { schemaCommand } from './schema.ts';
import { reportCommand } from './report.ts';
import { compareCommand } from './compare.ts';
import { sweepCommand } from './sweep.ts';
import { importCommand } from './import.ts';
import { exportCommand } from './export.ts';
import { VERSION } from '../version.ts';
import { EXIT_INPUT } from './exit.ts';

await yargs(hideBin(process.argv))
  .scriptName('capsim')
  .usage('$0 <command> [options]\n\nDeterministic discrete-event capacity-planning simulator for Kubernetes.')
  .command(runCommand)
  .command(reportCommand)
  .command(compareCommand)
  .command(sweepCommand)
  .command(importCommand)
  .command(exportCommand)
  .command(validateCommand)
  .command(initCommand)
  .command(catalogCommand)
  .command(schemaCommand)
  .demandCommand(1, 'Name a command: run, report, compare, sweep, import, export, validate, init or catalog.')
  .strict()
  .recommendCommands()
  .version(VERSION)
  .alias('h', 'help')
  .epilogue('Scenario format: docs/scenario.md. Outputs: docs/outputs.md. Examples: README.md and scenarios/.')
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((message, error, y) => {
    if (error) throw error;
    process.stderr.write(`capsim: ${message}\n\nRun 'capsim --help' or 'capsim <command> --help' for usage.\n`);
    process.exit(EXIT_INPUT);
    return y;
  })
  .parseAsync();
