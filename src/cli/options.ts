// Options shared by the commands that read a scenario, and the rule for flags given twice.
import { TABLE_FORMATS, type TableFormat } from '../outputs/tables.ts';
import type { Options } from 'yargs';
import { InputError } from '../scenario/errors.ts';
import { REPORT_FORMATS, type ReportFormat } from '../report/formats.ts';
import { excerpt, quote } from '../excerpt.ts';

export const scenarioOptions = {
  set: {
    type: 'string',
    array: true,
    describe: 'Override a scenario field: --set spec.cluster.nodePools[0].count=5 (repeatable)',
  },
  seed: { type: 'number', describe: 'Override spec.seed' },
} satisfies Record<string, Options>;

/** --allow-large: run (or read) what goes past the limits of size/limits.ts and scenario/limits.ts. */
export const allowLargeOption = {
  'allow-large': {
    type: 'boolean',
    default: false,
    describe: 'Run it even when it would write more than 2 GB, need more than 4 GB of memory or take more than 2 hours (a sweep: 2 GB, 4 GB at once, 12 hours in all), and read inputs over the input limits (docs/scenario.md "Limits")',
  },
} satisfies Record<string, Options>;

/** --placement: where the pods of a cluster's state start (run and validate; a sweep varies
 *  spec.placement like any field). */
export const placementOption = {
  placement: {
    type: 'string',
    choices: ['asDumped', 'reschedule'],
    describe: "Where the pods of a cluster's state (kubectl get -o yaml) start, overriding spec.placement: asDumped (the default) on the nodes they run on, adopted by their workloads; reschedule: the workloads make new pods and the scheduler packs them",
  },
} satisfies Record<string, Options>;

/** --format html,svg,png: which report files to write ("none": CSV and JSON only). */
export const formatOption = {
  format: {
    type: 'string',
    default: 'html,svg',
    describe: 'Report files: html (report.html), svg and png (charts/); comma-separated, or none',
  },
} satisfies Record<string, Options>;

/** --tables (run and sweep): the form of the run's tables (outputs/tables.ts). */
export const tablesOption = {
  tables: {
    type: 'string',
    default: 'csv',
    describe: 'The tables (timeseries, workloads, nodes, node-utilization, events, recommendations): csv, or parquet (compressed columnar files, e.g. workloads.parquet; docs/outputs.md)',
  },
} satisfies Record<string, Options>;

/** The form named by --tables, or an input error. */
export function parseTables(text: string): TableFormat {
  const name = text.trim().toLowerCase();
  if ((TABLE_FORMATS as readonly string[]).includes(name)) return name as TableFormat;
  throw new InputError([{ file: '--tables', line: 0, column: 0, path: '', message: `unknown table format "${text}"`, hint: `use ${TABLE_FORMATS.join(' or ')}` }]);
}

/** The formats named by --format, or an input error naming the one not known. */
export function parseFormats(text: string): ReportFormat[] {
  const names = text.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  const bad = names.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || names.length === 0) {
    throw new InputError([{ file: '--format', line: 0, column: 0, path: '', message: `unknown report format ${bad.map((b) => `"${b}"`).join(', ') || '(empty)'}`, hint: `use any of ${REPORT_FORMATS.join(', ')} separated by commas, or none` }]);
  }
  return [...new Set(names)] as ReportFormat[];
}

/** What yargs knows of the command's options, as it hands them to a check. */
export interface DeclaredOptions {
  /** Every option's name as declared (kebab-case). */
  key: Record<string, unknown>;
  /** The repeatable ones (array: true). */
  array: string[];
  /** Values per occurrence (nargs), e.g. --emit k8s-job DIR. */
  narg: Record<string, number>;
  string: string[];
  number: string[];
}

/** How to ask for several values of a flag that takes one. */
const SEVERAL: ReadonlyMap<string, string> = new Map([['format', 'several formats go in one comma-separated value: --format html,svg,png']]);

/** Whether `--name` (or `--name=...`, or its camelCase spelling) is among the raw arguments,
 *  before a `--` that ends the flags. */
function given(raw: readonly string[], name: string): boolean {
  const spellings = new Set([name, name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]);
  for (const arg of raw) {
    if (arg === '--') return false;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (spellings.has(arg.slice(2, eq < 0 ? undefined : eq))) return true;
  }
  return false;
}

/**
 * The rule for flags given more than once: the repeatable ones (--set, --vary, --constraint,
 * --merge) add up; any other flag takes one value, and a second one is a usage error rather
 * than a silent choice between them (a boolean such as --quiet may repeat: it only says yes or
 * no). A flag given also needs its value: `--out` or `--set` with nothing after it, or `--seed`
 * with no number, is an error, not a flag quietly ignored. Returns the message for the first
 * problem, or undefined.
 */
export function flagProblem(argv: Record<string, unknown>, options: DeclaredOptions, raw: readonly string[]): string | undefined {
  for (const name of Object.keys(options.key)) {
    const isNumber = options.number.includes(name);
    const isText = options.string.includes(name);
    if (!Object.hasOwn(argv, name) || argv[name] === undefined) {
      // yargs drops a number flag with nothing after it.
      if (isNumber && given(raw, name)) return `--${name} needs a number`;
      continue;
    }
    const value = argv[name];
    const perUse = Object.hasOwn(options.narg, name) ? options.narg[name] : 1;
    const repeatable = options.array.includes(name) && perUse === 1;
    if (Array.isArray(value) && !repeatable && value.length > perUse) {
      const uses = [];
      for (let i = 0; i < value.length; i += perUse) uses.push(value.slice(i, i + perUse).join(' '));
      const several = SEVERAL.has(name) ? `; ${SEVERAL.get(name)}` : '';
      return `--${name} was given ${uses.length} times (${uses.map((u) => excerpt(u)).join(', ')}); give it once${several}`;
    }
    const values = Array.isArray(value) ? value : [value];
    const flag = given(raw, name);
    if (Array.isArray(value) && value.length === 0 && flag) return `--${name} needs a value`;
    // yargs reads `--seed abc` as NaN and `--seed=` as 0.
    const text = rawValue(raw, name);
    if (isNumber && (values.some((v) => typeof v !== 'number' || Number.isNaN(v)) || text?.trim() === '')) {
      return `--${name} needs a number${text ? `, got ${quote(text)}` : ''}`;
    }
    if (isText && values.some((t) => typeof t === 'string' && t.trim() === '')) {
      return `${flag ? `--${name}` : `<${name}>`} needs a value, and got an empty one`;
    }
  }
  return undefined;
}

/** The text after `--name` (or `--name=`) in the raw arguments, for a message. */
function rawValue(raw: readonly string[], name: string): string | undefined {
  const at = raw.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return raw[at].includes('=') ? raw[at].slice(raw[at].indexOf('=') + 1) : raw[at + 1];
}
