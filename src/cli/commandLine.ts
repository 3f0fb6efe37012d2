// capsim's command line as one yargs parser: the commands, the rule for flags given twice, and
// what a usage problem becomes. main.ts runs it on process.argv; tests run the same parser on
// their own arguments, with the handlers replaced.
import yargs, { type Argv, type CommandModule } from 'yargs';
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
import { backtestCommand } from './backtest.ts';
import { completionCommand } from './completion.ts';
import { VERSION } from '../version.ts';
import { flagProblem, type DeclaredOptions } from './options.ts';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly CommandModule<object, any>[] = [runCommand, reportCommand, compareCommand, sweepCommand, importCommand, backtestCommand, exportCommand, validateCommand, initCommand, catalogCommand, schemaCommand, completionCommand];

/** A mistake in the command line itself (an unknown flag, a missing argument, a flag given twice
 *  or without its value): main.ts prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandLineOptions {
  /** The commands (tests pass them with their handlers replaced). */
  commands?: readonly CommandModule<object, any>[];
  /** false in tests: --help and --version return instead of ending the process. */
  exitProcess?: boolean;
}

/** The parser for `args`. parseAsync() rejects with a UsageError for a usage problem; anything
 *  else it rejects with is a bug and keeps its stack. */
export function commandLine(args: readonly string[], options: CommandLineOptions = {}): Argv {
  let parser = yargs([...args])
    .scriptName('capsim')
    .usage('$0 <command> [options]\n\nDeterministic discrete-event capacity-planning simulator for Kubernetes.')
    // --set.x=1 would turn --set into an object; a flag's name is the whole word after "--".
    .parserConfiguration({ 'dot-notation': false });
  for (const command of options.commands ?? COMMANDS) parser = parser.command(command);
  return parser
    .demandCommand(1, `Name a command: ${(options.commands ?? COMMANDS).map((c) => String(c.command).split(' ')[0]).join(', ')}.`)
    // yargs hands a check the command's declared options (typed as its aliases).
    .check((argv, declared) => flagProblem(argv, declared as unknown as DeclaredOptions, args) ?? true)
    .strict()
    .recommendCommands()
    .version(VERSION)
    .alias('h', 'help')
    .epilogue('A flag that takes one value is given once; --set, --vary, --constraint and --merge repeat.\n-o table|json|yaml (run, compare, sweep, catalog): tables for people, or the data alone on stdout for a program; --format names report files.\nShell completion: capsim completion bash|zsh. Scenario format: docs/scenario.md. Outputs: docs/outputs.md. Examples: README.md and scenarios/.')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(options.exitProcess ?? true)
    .fail((message, error) => {
      // A usage problem comes as a message, or as yargs' own YError, or as the check's text.
      if (error && !(typeof error === 'string' || error.name === 'YError')) throw error;
      throw new UsageError(withHint(message ?? String(error), args));
    });
}

/** Flags that take every value after them, up to the next flag. */
const REPEATABLE = ['--set', '--vary', '--constraint', '--merge'];

/** `capsim validate --set a=1 s.yaml` reads s.yaml as a second value of --set, and yargs says
 *  only that the scenario is missing: say why. */
function withHint(message: string, args: readonly string[]): string {
  const greedy = args.find((a) => REPEATABLE.includes(a));
  if (!greedy || !message.startsWith('Not enough non-option arguments')) return message;
  const command = args.find((a) => !a.startsWith('-')) ?? '<command>';
  return `${message} (${greedy} takes every value after it up to the next flag: put the file or directory first, as in capsim ${command} <file> ${greedy} ...)`;
}
