// The command line's rule for flags (issue 14): a flag that takes one value, given twice
// (`--format html --format pdf`, `--out a --out b`), is a usage error naming the flag, exit 2;
// the repeatable flags (--set, --vary, --constraint, --merge) add up; a flag given without its
// value is an error too. Checked for every command and every flag through the real parser
// (src/cli/commandLine.ts), with the handlers replaced by one that records what they got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { COMMANDS, UsageError, commandLine } from '../src/cli/commandLine.ts';
import type { DeclaredOptions } from '../src/cli/options.ts';
import { capsim } from './support/run.ts';
import { stubbedCommands } from './support/commandStubs.ts';

type Args = Record<string, unknown>;

/** Parses `args` with every command's handler replaced: what a handler got, or the usage error,
 *  or the text --help / --version printed. */
async function parse(args: string[]): Promise<{ handled?: Args; usage?: string; output?: string }> {
  let handled: Args | undefined;
  const commands = stubbedCommands((a) => void (handled = a));
  let output = '';
  try {
    await commandLine(args, { commands, exitProcess: false }).parseAsync(args, {}, (_error: unknown, _argv: unknown, out: string) => {
      output = out;
    });
  } catch (error) {
    if (error instanceof UsageError) return { usage: error.message };
    throw error;
  }
  return { handled, output };
}

interface Flag {
  name: string;
  kind: 'boolean' | 'number' | 'string';
  array: boolean;
  nargs: number;
  choices?: readonly string[];
}

interface Described {
  /** The words that name it: ['run'], ['import', 'cluster']. */
  words: string[];
  name: string;
  /** Values for the positionals it needs. */
  positionals: string[];
  flags: Flag[];
  /** Its required flags (import cluster --out). */
  required: string[];
}

type Declared = DeclaredOptions & { boolean: string[]; choices: Record<string, string[]>; demandedOptions: Record<string, unknown>; alias: Record<string, string[]>; hiddenOptions: string[] };

/** A command and the commands it nests (capsim import cluster): their names, the positionals
 *  they need, and their flags as their builders declare them. */
function describeCommand(command: CommandModule<object, any>, prefix: string[] = []): Described[] {
  const [word, ...params] = (command.command as string).split(' ');
  const words = [...prefix, word];
  const y = yargs([]);
  const nested: CommandModule<object, any>[] = [];
  (y as unknown as { command: (m: CommandModule<object, any>) => Argv }).command = (m) => (nested.push(m), y);
  const options = ((command.builder as ((y: Argv) => Argv) | undefined)?.(y) as unknown as { getOptions(): Declared } | undefined)?.getOptions();
  const positionalNames = params.map((p) => p.replace(/[<>[\].]/g, ''));
  const flags: Flag[] = [];
  // A flag's other names (-o for --output) are the same flag; a hidden flag (catalog's old
  // --format, which now only says where it went) is not in --help.
  const aliases = new Set(Object.values(options?.alias ?? {}).flat());
  for (const key of Object.keys(options?.key ?? {})) {
    if (positionalNames.includes(key) || key === 'help' || key === 'version' || aliases.has(key) || options!.hiddenOptions.includes(key)) continue;
    const kind = options!.boolean.includes(key) ? 'boolean' : options!.number.includes(key) ? 'number' : 'string';
    flags.push({ name: key, kind, array: options!.array.includes(key), nargs: options!.narg[key] ?? 1, choices: options!.choices[key] });
  }
  // A required positional gets a value; an optional one is left out.
  const positionals = params.filter((p) => p.startsWith('<')).map((p) => `${p.replace(/[<>.]/g, '')}.yaml`);
  const required = Object.keys(options?.demandedOptions ?? {}).filter((k) => !positionalNames.includes(k));
  const self = nested.length > 0 ? [] : [{ words, name: words.join(' '), positionals, flags, required }];
  return [...self, ...nested.flatMap((m) => describeCommand(m, words))];
}

/** The command's words, positionals and required flags (but `flag`): what a use of `flag` follows. */
function base(c: Described, flag: Flag): string[] {
  return [...c.words, ...c.positionals, ...c.required.filter((r) => r !== flag.name).flatMap((r) => [`--${r}`, 'required'])];
}

/** One use of a flag: its values (choices when it has them). */
function use(flag: Flag, i: number): string[] {
  if (flag.choices) return [flag.choices[i % flag.choices.length]];
  if (flag.kind === 'number') return [String(i + 2)];
  if (flag.nargs === 2) return ['k8s-job', `dir${i}`];
  return [`value${i}`];
}

const described = COMMANDS.flatMap((c) => describeCommand(c));

test('every command and every flag is covered: the commands and their flags are as --help lists them', () => {
  assert.deepEqual(described.map((c) => c.name), ['run', 'report', 'compare', 'sweep', 'import cluster', 'import metrics', 'import alibaba-gpu-2023', 'import kubereplay', 'backtest', 'export openmetrics', 'export focus', 'validate', 'init', 'catalog', 'schema', 'completion']);
  const sweep = described.find((c) => c.name === 'sweep')!;
  assert.deepEqual(sweep.flags.filter((f) => f.array).map((f) => f.name).sort(), ['constraint', 'emit', 'merge', 'set', 'vary']);
  assert.equal(sweep.flags.find((f) => f.name === 'emit')!.nargs, 2);
});

test('a flag that takes one value, given twice, is a usage error naming it, for every command', async () => {
  let checked = 0;
  for (const c of described) {
    const { name, flags } = c;
    for (const flag of flags) {
      if (flag.kind === 'boolean' || (flag.array && flag.nargs === 1)) continue;
      const [first, second] = [use(flag, 0), use(flag, 1)];
      const r = await parse([...base(c, flag), `--${flag.name}`, ...first, `--${flag.name}`, ...second]);
      assert.equal(r.handled, undefined, `${name} --${flag.name} twice reached the handler`);
      assert.equal(r.usage?.startsWith(`--${flag.name} was given 2 times (${first.join(' ')}, ${second.join(' ')}); give it once`), true, `${name} --${flag.name}: ${r.usage}`);
      checked++;
    }
  }
  // run: format, tables, out, seed, placement, output; report: format; compare: format, out, output; sweep: 17 (emit
  // among them); import cluster: out, placement; import metrics: prometheus, start, end, step,
  // into, forecast; import alibaba-gpu-2023: out, pods; import kubereplay: out,
  // job-run, tail; backtest: out, seed, output, format; export openmetrics: out; export focus:
  // out; validate: seed, placement; init: example; catalog: provider, region, filter, output.
  assert.equal(checked, 53);
});

test('--format html --format pdf says how to ask for several formats; --out a --out b names both', async () => {
  assert.equal((await parse(['run', 's.yaml', '--format', 'html', '--format', 'pdf'])).usage,
    '--format was given 2 times (html, pdf); give it once; several formats go in one comma-separated value: --format html,svg,png');
  assert.equal((await parse(['compare', 'a', 'b', '--out', 'a', '--out', 'b'])).usage, '--out was given 2 times (a, b); give it once');
  // --out=a and --out b are the same flag.
  assert.equal((await parse(['run', 's.yaml', '--out=a', '--out', 'b'])).usage, '--out was given 2 times (a, b); give it once');
});

test('the repeatable flags add up, in order, for every command that has them', async () => {
  let checked = 0;
  for (const c of described) {
    const { name, flags } = c;
    for (const flag of flags.filter((f) => f.array && f.nargs === 1)) {
      const r = await parse([...base(c, flag), `--${flag.name}`, 'a=1', `--${flag.name}`, 'b=2']);
      assert.equal(r.usage, undefined, `${name} --${flag.name}: ${r.usage}`);
      assert.deepEqual(r.handled?.[flag.name], ['a=1', 'b=2'], `${name} --${flag.name}`);
      checked++;
    }
  }
  // run, validate: set; sweep: vary, set, constraint, merge; import metrics: from-files, demand.
  assert.equal(checked, 8);
});

test('a yes-or-no flag may repeat: --quiet --quiet is quiet', async () => {
  const r = await parse(['run', 's.yaml', '--quiet', '--quiet']);
  assert.equal(r.handled?.quiet, true);
});

test('a flag without its value is a usage error, not a flag quietly ignored or read as 0', async () => {
  const cases: [string[], string][] = [
    [['run', 's.yaml', '--out'], '--out needs a value, and got an empty one'],
    [['validate', 's.yaml', '--set'], '--set needs a value'],
    [['validate', 's.yaml', '--seed'], '--seed needs a number'],
    // yargs reads --seed= as 0 and --seed abc as NaN.
    [['validate', 's.yaml', '--seed='], '--seed needs a number'],
    [['validate', 's.yaml', '--seed', 'abc'], '--seed needs a number, got "abc"'],
    [['sweep', 's.yaml', '--parallel'], '--parallel needs a number'],
    [['sweep', '--merge'], '--merge needs a value'],
  ];
  for (const [args, message] of cases) assert.equal((await parse(args)).usage, message, args.join(' '));
});

test('a repeatable flag before the scenario takes it as a value: the missing scenario is explained', async () => {
  assert.equal((await parse(['validate', '--set', 'a=1', 's.yaml'])).usage,
    'Not enough non-option arguments: got 0, need at least 1 (--set takes every value after it up to the next flag: put the file or directory first, as in capsim validate <file> --set ...)');
  assert.deepEqual((await parse(['validate', 's.yaml', '--set', 'a=1'])).handled?.set, ['a=1']);
});

test('a flag named after an Object.prototype property, or in dot notation, is an unknown argument', async () => {
  assert.equal((await parse(['validate', 's.yaml', '--constructor', '1'])).usage, 'Unknown argument: constructor');
  assert.equal((await parse(['validate', 's.yaml', '--toString'])).usage, 'Unknown argument: toString');
  assert.equal((await parse(['validate', 's.yaml', '--__proto__.x', '1'])).usage, 'Unknown argument: __proto__.x');
  // --set.x=1 would have made --set an object the loader then iterates.
  assert.equal((await parse(['validate', 's.yaml', '--set.x', '1'])).usage, 'Unknown argument: set.x');
  assert.equal(Object.hasOwn(Object.prototype, 'x'), false);
});

test('--help works for every command, and given twice', async () => {
  const top = await parse(['--help']);
  assert.match(top.output!, /capsim run <scenario>/);
  for (const { words, name, flags } of described) {
    for (const args of [[...words, '--help'], [...words, '--help', '--help'], [...words, '-h']]) {
      const r = await parse(args);
      assert.equal(r.usage, undefined, `${args.join(' ')}: ${r.usage}`);
      assert.equal(r.handled, undefined);
      assert.match(r.output!, new RegExp(`^capsim ${name}`), args.join(' '));
      for (const flag of flags) assert.match(r.output!, new RegExp(`--${flag.name}\\b`), `${name} --help lists --${flag.name}`);
    }
  }
});

test('the shipped CLI: a flag given twice exits 2 with the message and a pointer to --help', () => {
  const r = capsim('validate', 'scenarios/quickstart.yaml', '--seed', '1', '--seed', '2');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "capsim: --seed was given 2 times (1, 2); give it once\n\nRun 'capsim --help' or 'capsim <command> --help' for usage.\n");
  assert.equal(r.stdout, '');
});
