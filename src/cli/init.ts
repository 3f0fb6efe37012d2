// capsim init: writes a commented starter scenario, or one of the examples, that validates and
// runs as it is.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { EXIT_INPUT, EXIT_OK } from './exit.ts';

interface InitArgs {
  dir: string;
  force?: boolean;
  example?: string;
  list?: boolean;
}

export const STARTER_FILE = 'scenario.yaml';

/** The examples `init --example NAME` writes: src/cli/examples/NAME.yaml (dist/examples/ once
 *  built), each commented, valid and quick to run (test/init-examples.test.ts runs them). */
export const EXAMPLES: Readonly<Record<string, string>> = {
  microservices: 'A web shop\'s day: Deployments with HPAs on a daily cycle, a StatefulSet, a CronJob, Karpenter launching spot and on-demand m5.xlarge/m5.2xlarge',
  batch: 'A batch fleet: a nightly ETL Job by cron and random report Jobs on a pool the cluster autoscaler grows and shrinks',
  gpu: 'A GPU pool: an inference service and random training Jobs on g4dn.xlarge (1 T4 each), autoscaled from zero',
};

export function exampleList(): string {
  const width = Math.max(...Object.keys(EXAMPLES).map((name) => name.length));
  return Object.entries(EXAMPLES).map(([name, what]) => `  ${name.padEnd(width)}  ${what}\n`).join('');
}

export async function readExample(name: string | undefined): Promise<string> {
  const url = name === undefined ? new URL('./starter.yaml', import.meta.url) : new URL(`./examples/${name}.yaml`, import.meta.url);
  return fs.readFile(url, 'utf8');
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [dir]',
  describe: 'Write a commented starter scenario, or an example (DIR/scenario.yaml)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Directory to write into' })
      .option('example', { type: 'string', choices: Object.keys(EXAMPLES), describe: 'Write this example instead of the starter (--list describes them)' })
      .option('list', { type: 'boolean', default: false, describe: 'List the examples and write nothing' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing scenario.yaml' })
      .example('$0 init my-study && $0 run my-study/scenario.yaml', 'The starter: one pool, one Deployment, two events')
      .example('$0 init shop --example microservices', 'HPAs, a StatefulSet, a CronJob, Karpenter with spot')
      .example('$0 init nightly --example batch', 'Jobs by cron and at random on an autoscaled pool')
      .example('$0 init ml --example gpu', 'Inference and training Jobs on an autoscaled GPU pool')
      .example('$0 init --list', 'What each example holds') as never,
  handler: async (args: ArgumentsCamelCase<InitArgs>) => {
    if (args.list) {
      process.stdout.write(`Examples (capsim init DIR --example NAME):\n${exampleList()}`);
      process.exitCode = EXIT_OK;
      return;
    }
    const target = path.join(args.dir, STARTER_FILE);
    const exists = await fs.stat(target).then(() => true, () => false);
    if (exists && !args.force) {
      process.stderr.write(`capsim: ${target} already exists; use --force to overwrite it\n`);
      process.exitCode = EXIT_INPUT;
      return;
    }
    const text = await readExample(args.example);
    await fs.mkdir(args.dir, { recursive: true });
    await fs.writeFile(target, text);
    process.stdout.write(`Wrote ${target}${args.example === undefined ? '' : ` (example ${args.example})`}. Next: capsim run ${target}\n`);
    process.exitCode = EXIT_OK;
  },
};
