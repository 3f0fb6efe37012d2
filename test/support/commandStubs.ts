// capsim's commands with every handler replaced, nested ones too (capsim import cluster, import
// metrics, export openmetrics are commands of a command): tests and the fuzz test run the real
// parser on any arguments without importing, querying or writing anything.
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from '../../src/cli/commandLine.ts';

type Command = CommandModule<object, any>;

function stub(command: Command, onHandled: (args: Record<string, unknown>) => void): Command {
  const builder = command.builder;
  return {
    ...command,
    builder:
      typeof builder === 'function'
        ? (y: Argv) => {
            const add = y.command.bind(y) as (m: Command) => Argv;
            (y as unknown as { command: (m: Command) => Argv }).command = (m) => add(stub(m, onHandled));
            return builder(y) as Argv;
          }
        : builder,
    handler: (args: Record<string, unknown>) => onHandled(args),
  };
}

/** Every command, its handler (and its nested commands' handlers) replaced by `onHandled`. */
export function stubbedCommands(onHandled: (args: Record<string, unknown>) => void): Command[] {
  return COMMANDS.map((c) => stub(c, onHandled));
}
