// Turning what went wrong into Problems: where (file:line:column from the YAML source), which
// field, what was expected and a hint. zod issues are translated here, so every schema reports
// in the same words (upstream kubectl/apiserver phrasing where there is one).
import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { formatPath, suggest, type Problem } from './errors.ts';
import { excerpt, quote, quoteValue } from '../excerpt.ts';
import type { PathPart, YamlSource } from './source.ts';
import { fastCheck } from './fastCheck.ts';
import { quantityFieldOf, quantityHint } from '../quantity.ts';

/** Custom issue params a schema check may set. */
export interface IssueParams {
  hint?: string;
  /** The problem is about a mapping key (point at the key, not its value). */
  key?: boolean;
  /** The quantity the problem is about: its hint is fitted to the field (fields.ts). */
  quantity?: unknown;
}

/** A value set on the command line: problems under `path` are reported against the flag. */
export interface Override {
  path: PathPart[];
  /** "--set" or "--seed": the Problem's file. */
  file: string;
  /** The flag as given, e.g. "--set spec.seed=7". */
  flag: string;
}

/** Where a value lives: a YAML document (or a generated object standing for a source entry). */
export interface Site {
  /** The YAML the value came from; null when there is no text (generated, --set). */
  source: YamlSource | null;
  /** Name for messages. */
  file: string;
  doc: number;
  /** Path of the value inside its document, e.g. ["items", 3] or ["spec", "manifests", 0]. */
  prefix: PathPart[];
  /** Set for objects generated from the workloads shorthand (`prefix` is the shorthand entry):
   *  the generated kind, and where a path of the generated object comes from in the entry. */
  generated?: { kind: string; mapPath(path: readonly PathPart[]): PathPart[] | undefined };
  overrides?: Override[];
  /** The Scenario document itself (not a manifest file): an unknown field's hint points at the
   *  section of docs/scenario.md that lists the fields there. */
  scenario?: boolean;
}

/** Collects problems for one site (or several); the loader merges them. */
export class Problems {
  readonly list: Problem[] = [];

  add(site: Site, path: readonly PathPart[], message: string, hint?: string, options: { key?: boolean } = {}): void {
    this.list.push(problemAt(site, path, message, hint, options));
  }

  get length(): number {
    return this.list.length;
  }
}

export function problemAt(site: Site, path: readonly PathPart[], message: string, hint?: string, options: { key?: boolean } = {}): Problem {
  if (site.generated) {
    const mapped = site.generated.mapPath(path);
    if (mapped) return problemAt({ ...site, generated: undefined }, mapped, message, hint, options);
    const where = path.length ? `${formatPath(path)}: ` : '';
    const pos = site.source ? site.source.position(site.doc, site.prefix) : { line: 0, column: 0 };
    return { file: site.file, line: pos.line, column: pos.column, path: formatPath(site.prefix), message: `in the generated ${site.generated.kind}, ${where}${message}`, hint };
  }
  const full = [...site.prefix, ...path];
  const override = site.overrides?.find((o) => startsWith(full, o.path));
  if (override) return { file: override.file, line: 0, column: 0, path: formatPath(full), message: `${message} (from ${override.flag})`, hint };
  const pos = site.source ? site.source.position(site.doc, full, { key: options.key }) : { line: 0, column: 0 };
  return { file: site.file, line: pos.line, column: pos.column, path: formatPath(full), message, hint };
}

function startsWith(path: readonly PathPart[], prefix: readonly PathPart[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (String(path[i]) !== String(prefix[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// zod issues -> Problems

const KNOWN_KEYS = '\u0000known:';

interface ZodLike { _zod: { def: { type: string; innerType?: ZodLike } } }

/** A field whose schema is `undefined` (optional or not) is a marker that must be absent (the
 *  short `hpa.metrics` item's `type`): not one to offer. */
function mustBeAbsent(schema: ZodLike): boolean {
  const def = schema._zod.def;
  return def.type === 'undefined' || (def.type === 'optional' && def.innerType !== undefined && mustBeAbsent(def.innerType));
}

/** Parse options for every schema: keeps the input on issues and names the valid keys of a
 *  strict object so an unknown key can be matched to the closest one. */
export const PARSE_OPTIONS = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue): string | undefined => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, ZodLike> } } } | undefined)?._zod?.def?.shape;
    return KNOWN_KEYS + JSON.stringify(shape ? Object.keys(shape).filter((k) => !mustBeAbsent(shape[k])) : []);
  },
};

/** Validates `value` with `schema`, adding a Problem for every issue. Returns the parsed value
 *  or undefined when there was any issue. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, site: Site, problems: Problems): z.output<S> | undefined {
  const fast = fastCheck(schema);
  if (fast && fast(value)) return value as z.output<S>;
  const result = schema.safeParse(value, PARSE_OPTIONS);
  if (result.success) return result.data;
  const issues = result.error.issues as z.core.$ZodIssue[];
  const misspelt = misspeltFields(issues);
  for (const issue of issues) {
    // `targt` is reported as unknown, with "did you mean target?": not `target` as missing too.
    if (issue.code === 'invalid_type' && issue.input === undefined && misspelt.has(pathKey(issue.path))) continue;
    translateIssue(issue, site, problems);
  }
  return undefined;
}

const pathKey = (path: readonly PropertyKey[]) => JSON.stringify(path.map(String));

/** The fields an unknown key was probably meant to be (its closest valid name), by path. */
function misspeltFields(issues: readonly z.core.$ZodIssue[]): Set<string> {
  const out = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys' || !issue.message.startsWith(KNOWN_KEYS)) continue;
    const known: string[] = JSON.parse(issue.message.slice(KNOWN_KEYS.length));
    for (const key of issue.keys) {
      const meant = suggest(key, known);
      if (meant !== undefined) out.add(pathKey([...issue.path, meant]));
    }
  }
  return out;
}

export function translateIssue(issue: z.core.$ZodIssue, site: Site, problems: Problems): void {
  const path = issue.path as PathPart[];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known: string[] = issue.message.startsWith(KNOWN_KEYS) ? JSON.parse(issue.message.slice(KNOWN_KEYS.length)) : [];
      for (const key of issue.keys) {
        problems.add(site, [...path, key], `unknown field ${quote(key)}`, unknownFieldHint(key, known, docsSection(site, path)), { key: true });
      }
      return;
    }
    case 'invalid_type': {
      const last = path[path.length - 1];
      if (issue.input === undefined && typeof last === 'string') {
        problems.add(site, path, `missing required field "${last}"`);
        return;
      }
      problems.add(site, path, `expected ${article(issue.expected)}, got ${describe(issue.input)}`, typeHint(issue.expected, issue.input));
      return;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const got = quoteValue(issue.input);
      if (issue.input === undefined) {
        problems.add(site, path, `missing required field "${String(path[path.length - 1])}"`, `supported values: ${values.join(', ')}`);
        return;
      }
      const close = typeof issue.input === 'string' ? suggest(issue.input, issue.values.map(String)) : undefined;
      const supported = values.length === 1 ? `expected ${values[0]}` : `supported values: ${values.join(', ')}`;
      problems.add(site, path, `unsupported value ${got}`, close ? `did you mean "${close}"? ${supported}` : supported);
      return;
    }
    case 'too_small': {
      if (issue.origin === 'array') problems.add(site, path, `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`);
      else if (issue.origin === 'string') problems.add(site, path, issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`);
      else problems.add(site, path, `must be greater than ${issue.inclusive ? 'or equal to ' : ''}${issue.minimum}`);
      return;
    }
    case 'too_big': {
      if (issue.origin === 'array') problems.add(site, path, `must have at most ${issue.maximum} items`);
      else if (issue.origin === 'string') problems.add(site, path, `must be no more than ${issue.maximum} characters`);
      else problems.add(site, path, `must be less than ${issue.inclusive ? 'or equal to ' : ''}${issue.maximum}`);
      return;
    }
    case 'invalid_union': {
      translateUnion(issue, site, problems);
      return;
    }
    case 'invalid_key': {
      const key = path[path.length - 1];
      const why = issue.issues.map((i) => i.message).join('; ');
      problems.add(site, path, `invalid key ${quote(String(key))}: ${why}`, undefined, { key: true });
      return;
    }
    case 'custom': {
      const params = (issue.params ?? {}) as IssueParams;
      // A quantity's hint, fitted to the field it is in (no "250Mi?" on a CPU amount).
      const field = params.quantity !== undefined ? quantityFieldOf(path) : undefined;
      const hint = field ? quantityHint(params.quantity as string | number, field) ?? params.hint : params.hint;
      problems.add(site, path, issue.message, hint, { key: params.key });
      return;
    }
    default:
      problems.add(site, path, issue.message);
  }
}

/** A union failed: if every branch failed on the value's type, say which types are accepted;
 *  otherwise report the issues of the branch that got furthest. */
function translateUnion(issue: z.core.$ZodIssueInvalidUnion, site: Site, problems: Problems): void {
  const path = issue.path as PathPart[];
  const branches = issue.errors;
  const discriminated = issue as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
  if (discriminated.discriminator !== undefined && branches.length === 0) {
    // A discriminated union (an `hpa.metrics` item's `type`): the value is not one of the types.
    const values = (discriminated.options ?? []).filter((o) => o !== null && o !== undefined).map(String);
    const input = issue.input;
    const got = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[discriminated.discriminator] : input;
    const close = typeof got === 'string' ? didYouMean(got, values) : undefined;
    const supported = `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    problems.add(site, path, `unsupported value ${quoteValue(got)}`, close ? `${close} ${supported}` : supported);
    return;
  }
  const typeOnly = branches.every((b) => b.length === 1 && b[0].code === 'invalid_type' && b[0].path.length === 0);
  if (typeOnly || branches.length === 0) {
    if (issue.input === undefined) {
      problems.add(site, path, `missing required field "${String(path[path.length - 1])}"`);
      return;
    }
    const expected = [...new Set(branches.map((b) => (b[0] as z.core.$ZodIssueInvalidType).expected))];
    problems.add(site, path, `expected ${expected.map(article).join(' or ')}, got ${describe(issue.input)}`);
    return;
  }
  // The branch whose issues are deepest matched the value's shape best.
  const depth = (b: z.core.$ZodIssue[]) => Math.max(...b.map((i) => i.path.length)) - b.length / 1000;
  const best = branches.filter((b) => !(b.length === 1 && b[0].code === 'invalid_type' && b[0].path.length === 0)).sort((a, b) => depth(b) - depth(a))[0];
  for (const inner of best) translateIssue({ ...inner, path: [...path, ...inner.path] } as z.core.$ZodIssue, site, problems);
}

/** Up to this many valid fields are all listed after an unknown one; past it, the closest few. */
const ALL_FIELDS_UP_TO = 12;
const CLOSEST_FIELDS = 5;

/** An unknown field's hint: the closest valid name, then the valid fields at that place, all of
 *  them when they are few, else the closest few and where the rest are documented. */
export function unknownFieldHint(key: string, known: readonly string[], section: string): string | undefined {
  if (known.length === 0) return undefined;
  const close = didYouMean(key, known);
  const lower = key.toLowerCase();
  if (known.length <= ALL_FIELDS_UP_TO) return `${close ? `${close} ` : ''}fields here: ${known.join(', ')}`;
  if (close) return `${close} (${known.length} fields here: ${section})`;
  const closest = [...known].sort((a, b) => distance(lower, a.toLowerCase()) - distance(lower, b.toLowerCase()) || a.localeCompare(b)).slice(0, CLOSEST_FIELDS);
  return `closest fields here: ${closest.join(', ')}, ... (${known.length} in all: ${section})`;
}

/** docs/scenario.md's sections, by the scenario path they document (longest prefix first); `*`
 *  stands for any list index. */
const DOC_SECTIONS: readonly [string[], string][] = [
  [['spec', 'cluster', 'nodePools'], 'specclusternodepools'],
  [['spec', 'cluster', 'autoscaler'], 'specclusterautoscaler'],
  [['spec', 'cluster', 'scheduler'], 'specclusterscheduler'],
  [['spec', 'cluster'], 'speccluster'],
  [['spec', 'pricing'], 'specpricing'],
  [['spec', 'karpenter'], 'karpenter'],
  [['spec', 'workloads'], 'specworkloads-the-shorthand'],
  [['spec', 'behavior', '*', 'demand'], 'demand-patterns'],
  [['spec', 'behavior', '*', 'usage'], 'usage'],
  [['spec', 'behavior', '*', 'disruption'], 'karpenter-disruption'],
  [['spec', 'behavior'], 'specbehavior'],
  [['spec', 'events'], 'specevents'],
  [['spec', 'traces'], 'spectraces'],
  [['spec', 'carbon'], 'speccarbon'],
  [['spec'], 'spec-time-and-randomness'],
  [[], 'the-document'],
];
export const DOC_ANCHORS: readonly string[] = [...DOC_SECTIONS.map(([, anchor]) => anchor), 'kinds-capsim-reads'];

/** Where the fields at `path` (inside `site`) are documented: `see docs/scenario.md#...`. */
export function docsSection(site: Site, path: readonly PathPart[]): string {
  const full = site.generated ? site.generated.mapPath(path) : [...site.prefix, ...path];
  const inScenario = site.scenario && full !== undefined && !(full[0] === 'spec' && full[1] === 'manifests');
  const anchor = inScenario
    ? DOC_SECTIONS.find(([prefix]) => prefix.length <= full.length && prefix.every((p, i) => p === '*' ? typeof full[i] === 'number' : full[i] === p))![1]
    : 'kinds-capsim-reads';
  return `see docs/scenario.md#${anchor}`;
}

/** `did you mean "requests"?`, naming both candidates when two are equally close
 *  (`maxAvailable` -> `maxUnavailable` or `minAvailable`). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const best = suggest(word, candidates);
  if (!best) return undefined;
  const lower = word.toLowerCase();
  const d = distance(lower, best.toLowerCase());
  const tie = candidates.find((c) => c !== best && distance(lower, c.toLowerCase()) === d);
  return tie ? `did you mean "${best}" or "${tie}"?` : `did you mean "${best}"?`;
}

const ARTICLES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'null',
};

function article(expected: string): string {
  return ARTICLES[expected] ?? expected;
}

/** "number 1", "a list", "a mapping", "null", "string \"abc\"": a string quoted to at most
 *  EXCERPT_CHARS (a CSV or /etc/passwd given as a manifest reads as one long string). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${quote(value)}`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `number ${value}`;
  return `${typeof value} ${String(value)}`;
}

function typeHint(expected: string, input: unknown): string | undefined {
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    return `YAML reads ${String(input)} as a ${typeof input}; quote it: "${String(input)}"`;
  }
  if (expected === 'string' && input === null) return 'an empty value is null in YAML; write "" for an empty string';
  if ((expected === 'object' || expected === 'record') && Array.isArray(input)) return 'remove the "- " list markers to make a mapping';
  if (expected === 'array' && input !== null && typeof input === 'object') return 'start each item with "- " to make a list';
  if (expected === 'int' && typeof input === 'number') return 'use a whole number';
  if ((expected === 'int' || expected === 'number') && typeof input === 'string' && input.trim() !== '' && !Number.isNaN(Number(input))) {
    return `write the number without quotes: ${excerpt(input)}`;
  }
  return undefined;
}
