// capsim init: writes a commented starter scenario that validates and runs as it is.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { EXIT_INPUT, EXIT_OK } from './exit.ts';

interface InitArgs {
  dir: string;
  force?: boolean;
}

export const STARTER_FILE = 'scenario.yaml';

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [dir]',
  describe: 'Write a commented starter scenario (DIR/scenario.yaml)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Directory to write into' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing scenario.yaml' })
      .example('$0 init my-study && $0 run my-study/scenario.yaml', '') as never,
  handler: async (args: ArgumentsCamelCase<InitArgs>) => {
    const target = path.join(args.dir, STARTER_FILE);
    const exists = await fs.stat(target).then(() => true, () => false);
    if (exists && !args.force) {
      process.stderr.write(`capsim: ${target} already exists; use --force to overwrite it\n`);
      process.exitCode = EXIT_INPUT;
      return;
    }
    const starter = await fs.readFile(new URL('./starter.yaml', import.meta.url), 'utf8');
    await fs.mkdir(args.dir, { recursive: true });
    await fs.writeFile(target, starter);
    process.stdout.write(`Wrote ${target}. Next: capsim run ${target}\n`);
    process.exitCode = EXIT_OK;
  },
};
