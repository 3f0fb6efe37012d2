// The scenario fuzzer (issue 14): mutated scenarios checked against the promise that bad input
// never crashes. A case must end in a successful load or in an InputError whose every problem
// names a file, a line and a message (fuzzChecks.ts); one that loads also goes through `capsim
// validate`, and half of those are run for 20 simulated minutes in a worker thread
// (fuzzRunWorker.ts), where a throw, a hang or running out of memory is a failure. Used by
// test/fuzz.test.ts (a bounded number of cases) and scripts/fuzz.ts (`npm run fuzz`).
//
// Cases start from the scenarios in scenarios/, the test fixtures and the k8s-sims manifests
// (a dozen objects of each file), with their manifest files inlined, and apply a few mutations:
// delete a key or an item, set a value from a palette of troublemakers (Object.prototype names,
// numbers beyond 2^53, non-finite numbers, quantities with odd suffixes, impossible dates,
// unknown kinds, deep nesting), tweak a value plausibly (a number scaled, a suffix changed, a name
// made "constructor"), add or rename keys (prototype names as keys), copy one part of the
// document over another, share a node (YAML anchors and aliases), duplicate an item, then
// optionally damage the text (lines dropped, duplicated (keys twice), swapped, tabs, truncation)
// and add --set overrides.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { dump, loadAll, CORE_SCHEMA } from 'js-yaml';
import { globSync } from 'tinyglobby';
import { loadScenario } from '../../src/scenario/load.ts';
import { InputError } from '../../src/scenario/errors.ts';
import { FuzzFailure, describeError, scratchDir, settle } from './fuzzChecks.ts';
import type { RunCase, RunOutcome, RunReply } from './fuzzRunWorker.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Json = unknown;
type Path = (string | number)[];

// ---- bases -------------------------------------------------------------------------------------

export interface Base {
  name: string;
  doc: Record<string, unknown>;
}

let bases: Base[] | undefined;

/** Every Scenario of scenarios/ and test/fixtures/scenario/ (errors/ included), with the manifest
 *  files it lists inlined and trace paths made absolute, so a case is one self-contained file. */
export function baseScenarios(): Base[] {
  if (bases) return bases;
  const files = globSync(['scenarios/*.yaml', 'test/fixtures/scenario/**/*.{yaml,json}', 'test/fixtures/traces/*.yaml'], { cwd: ROOT, absolute: true }).sort();
  bases = [];
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = loadAll(fs.readFileSync(file, 'utf8'), { schema: CORE_SCHEMA });
    } catch {
      continue; // the syntax-error fixtures
    }
    const doc = docs[0] as Record<string, unknown> | null;
    if (!doc || typeof doc !== 'object' || doc.kind !== 'Scenario') continue;
    bases.push({ name: path.relative(ROOT, file), doc: inlined(doc, path.dirname(file)) });
  }
  return bases;
}

/** Objects kept of each manifest file: the k8s-sims files hold thousands (Nodes in one file, Pods
 *  in another); a dozen of each make as good a base and keep a case small. */
const MAX_OBJECTS_PER_FILE = 12;

function inlined(doc: Record<string, unknown>, dir: string): Record<string, unknown> {
  const copy = structuredClone(doc);
  const spec = copy.spec as Record<string, unknown> | undefined;
  if (spec && Array.isArray(spec.manifests)) {
    spec.manifests = spec.manifests.flatMap((entry) => {
      if (typeof entry !== 'string') return [entry];
      const files = globSync(entry, { cwd: dir, absolute: true, onlyFiles: true }).sort();
      const found = files.length > 0 ? files : fs.existsSync(path.resolve(dir, entry)) && fs.statSync(path.resolve(dir, entry)).isDirectory()
        ? globSync('*.{yaml,yml,json}', { cwd: path.resolve(dir, entry), absolute: true })
        : [];
      if (found.length === 0) return [entry];
      return found.flatMap((f) => {
        try {
          return loadAll(fs.readFileSync(f, 'utf8'), { schema: CORE_SCHEMA }).filter((d) => d !== null && d !== undefined).slice(0, MAX_OBJECTS_PER_FILE);
        } catch {
          return [];
        }
      });
    });
  }
  // Trace files: relative to the scenario's directory, which the case file does not share.
  walk(copy, [], (value, at, parent) => {
    if (at[at.length - 1] === 'file' && typeof value === 'string' && parent && at.includes('trace')) (parent as Record<string, unknown>).file = path.resolve(dir, value);
  });
  return copy;
}

function walk(value: Json, at: Path, visit: (value: Json, at: Path, parent: Json) => void, parent: Json = null, seen = new Set<unknown>()): void {
  visit(value, at, parent);
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i], visit, value, seen));
  else for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], [...at, k], visit, value, seen);
}

/** Every path of a document (the root included), in document order. */
export function pathsOf(doc: Json): Path[] {
  const out: Path[] = [];
  walk(doc, [], (_v, at) => out.push(at));
  return out;
}

// ---- palettes ----------------------------------------------------------------------------------

export const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__', 'toLocaleString', 'propertyIsEnumerable'];

const HUGE_NUMBERS = [2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN, -1, -0.5, 0, 0.1, 1e-12, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 1e15, 123456789.123];
const QUANTITIES = ['9007199254740993', '1e30', '8Ei', '16Ei', '1e1000', '1e-1000', '99999999999999999999Gi', '0.0000000001m', '-1', '1.5.5', '1,5', '100 m', '1e', 'Infinity', 'NaN', '9223372036854775807', '1e15m', '1e13', '9e15', '1Pi', '100Ti', '1E', '0'];
const DURATIONS = ['99999999999w', '1e20s', '9007199254740993ms', '104249991374w', '1.5.5h', '-1s', '0s', '0', '0.0001ms', '1h1h', 'P1D', '30 seconds', '1y', '5000000w', '10m', '1ms'];
const DATES = ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-05T24:00:00Z', '2026-01-05T23:60:00Z', '2026-04-31T00:00:00Z', '2025-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '0000-01-01T00:00:00Z', '0099-06-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-01-05', '2026-01-05T00:00:00+02:00', '1969-12-31T23:59:59Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-05T00:00:60Z', '2026-1-5T00:00:00Z'];
const ODD_STRINGS = ['', ' ', '\t', '~', 'null', 'true', '0x10', '0o7', '.inf', '-.inf', '.nan', 'é', '日本', '\u0000', '\u202e', 'x'.repeat(300), '../../../../etc/passwd', '/', '*', '**/*', '%', '{{x}}', '${HOME}', 'a,b', '"', "'", '\\', 'Deployment/default/web', 'Deployment//', '//', 'a b', '-', '-1', '1e3', '@daily', '*/0 * * * *', '61 * * * *', 'Europe/Nowhere', 'America/New_York', 'UTC', '13:99', '12:00', 'Exists', 'In', 'NoSchedule', 'spot', 'MostAllocated', 'price', 'priority,least-waste'];
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Node', 'Namespace', 'List', 'DeploymentList', 'FooList', 'Scenario', 'HorizontalPodAutoscaler', 'VerticalPodAutoscaler', 'PodDisruptionBudget', 'PriorityClass', 'ResourceQuota', 'LimitRange', 'Service', 'Foo', 'ReplicaSet'];
const API_VERSIONS = ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v2', 'autoscaling/v1', 'policy/v1', 'scheduling.k8s.io/v1', 'autoscaling.k8s.io/v1', 'apps/v1beta1', 'example.com/v1', 'capsim/v1', '/', 'constructor/v1', 'toString'];

function deep(depth: number, list: boolean): Json {
  let v: Json = 'leaf';
  for (let i = 0; i < depth; i++) v = list ? [v] : { a: v };
  return v;
}

const protoDict = fc.dictionary(fc.constantFrom(...PROTOTYPE_NAMES, 'app', 'cpu', 'memory'), fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.constant('1'), fc.constant(1)), { maxKeys: 3 });

/** A string where a string belongs: names, quantities, durations, dates, kinds, odd text. */
export const fuzzString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 4, arbitrary: fc.constantFrom(...QUANTITIES) },
  { weight: 3, arbitrary: fc.constantFrom(...DURATIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...DATES) },
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...KINDS) },
  { weight: 1, arbitrary: fc.constantFrom(...API_VERSIONS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** A number where a number belongs: beyond 2^53, non-finite, negative, fractional, zero. */
export const fuzzNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 40 }) },
  { weight: 1, arbitrary: fc.double() },
);

/** A value to put somewhere it may or may not belong. */
export const fuzzValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 12, arbitrary: fuzzString },
  { weight: 6, arbitrary: fuzzNumber },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom<Json>([], {}, [null], [[]], { '': '' }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean()).map(([d, l]) => deep(d, l)) },
  { weight: 2, arbitrary: protoDict },
  { weight: 1, arbitrary: fc.array(fc.constantFrom<Json>(...PROTOTYPE_NAMES, 1, '1', null), { maxLength: 3 }) },
);

/** A replacement: of the same type as what it replaces (a string for a string, a number for a
 *  number), mostly, or anything. Chosen when the mutation meets its target. */
export interface Replacement {
  sameType: boolean;
  string: string;
  number: number;
  any: Json;
}

export const replacement: fc.Arbitrary<Replacement> = fc.record({
  sameType: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  string: fuzzString,
  number: fuzzNumber,
  any: fuzzValue,
});

function pick(r: Replacement, target: Json): Json {
  if (r.sameType && typeof target === 'string') return r.string;
  if (r.sameType && typeof target === 'number') return r.number;
  return r.any;
}

/** Keys to add or rename to: prototype names, names the format uses, odd ones. */
export const fuzzKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 4, arbitrary: fc.constantFrom('name', 'kind', 'apiVersion', 'metadata', 'spec', 'replicas', 'containers', 'resources', 'requests', 'limits', 'cpu', 'memory', 'labels', 'usage', 'demand', 'count', 'max', 'min', 'capacity', 'price', 'hard', 'selector', 'matchLabels', 'template', 'at', 'duration', 'start', 'target', 'items', 'nvidia.com/gpu', 'pods', 'requests.cpu', 'priorities', 'timeZone', 'schedule', 'nodeSelector', 'topologyKey', '<<') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '1', 'a.b', 'a/b', 'x'.repeat(100)) },
);

// ---- mutations ---------------------------------------------------------------------------------

export type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: Replacement }
  | { op: 'add'; at: number; key: string; value: Json }
  | { op: 'rename'; at: number; key: string }
  | { op: 'copy'; at: number; from: number }
  | { op: 'alias'; at: number; from: number }
  | { op: 'duplicate'; at: number }
  | { op: 'wrap'; at: number; list: boolean }
  | { op: 'tweak'; at: number; how: number };

/** `at` and `from` pick a path: an index into the document's paths (taken modulo their number),
 *  so that a mutation applies to whatever document it meets and shrinks well. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: replacement }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fuzzKey, value: fuzzValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), at: fc.nat(), key: fuzzKey }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('copy' as const), at: fc.nat(), from: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('alias' as const), at: fc.nat(), from: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), list: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('tweak' as const), at: fc.nat(), how: fc.nat() }) },
);

const SCALES = [0, 2, 10, 1000, 1e6, 1e9, -1, 0.5, 0.001];
const SUFFIXES = ['', 'm', 'n', 'u', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'e3', 'e15'];
const UNITS = ['ms', 's', 'm', 'h', 'd', 'w'];

/** A plausible change of a value, of the kind that still loads more often than not: a number
 *  scaled, a quantity's or a duration's number scaled or its suffix changed, a name made
 *  "constructor" (a valid DNS label) or another prototype name. */
export function tweak(value: Json, how: number): Json {
  if (typeof value === 'number') return how % 3 === 0 ? value + 1 : value * SCALES[how % SCALES.length];
  if (typeof value !== 'string') return value;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(value);
  if (m) {
    const n = Number(m[1]);
    if (how % 2 === 0) return `${n * Math.abs(SCALES[how % SCALES.length])}${m[2]}`;
    const units = /^(ms|s|m|h|d|w)$/.test(m[2]) && how % 4 === 1 ? UNITS : SUFFIXES;
    return `${m[1]}${units[how % units.length]}`;
  }
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) return how % 4 === 0 ? 'constructor' : PROTOTYPE_NAMES[how % PROTOTYPE_NAMES.length];
  return value;
}

function get(doc: Json, at: Path): Json {
  let v = doc;
  for (const part of at) v = (v as Record<string | number, Json>)[part];
  return v;
}

function setAt(doc: { root: Json }, at: Path, value: Json): void {
  if (at.length === 0) {
    doc.root = value;
    return;
  }
  const parent = get(doc.root, at.slice(0, -1)) as Record<string | number, Json>;
  const last = at[at.length - 1];
  // defineProperty, so that "__proto__" becomes a key as it would from YAML, not a prototype.
  Object.defineProperty(parent, last, { value, writable: true, enumerable: true, configurable: true });
}

function clone(v: Json): Json {
  return v === null || typeof v !== 'object' ? v : structuredClone(v);
}

/** Applies one mutation to the document held in `doc.root` (mutated). */
export function applyMutation(doc: { root: Json }, m: Mutation): void {
  const paths = pathsOf(doc.root);
  const at = paths[m.at % paths.length];
  const target = get(doc.root, at);
  switch (m.op) {
    case 'delete': {
      if (at.length === 0) return;
      const parent = get(doc.root, at.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(at[at.length - 1] as number, 1);
      else delete (parent as Record<string, Json>)[at[at.length - 1]];
      return;
    }
    case 'set':
      setAt(doc, at, clone(pick(m.value, target)));
      return;
    case 'add':
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) setAt(doc, [...at, m.key], clone(m.value));
      else if (Array.isArray(target)) target.push(clone(m.value));
      return;
    case 'rename': {
      if (at.length === 0) return;
      const parent = get(doc.root, at.slice(0, -1));
      if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return;
      const key = at[at.length - 1] as string;
      const entries = Object.entries(parent as Record<string, Json>);
      for (const k of Object.keys(parent as object)) delete (parent as Record<string, Json>)[k];
      for (const [k, v] of entries) Object.defineProperty(parent, k === key ? m.key : k, { value: v, writable: true, enumerable: true, configurable: true });
      return;
    }
    case 'copy':
    case 'alias': {
      // An alias may point at an ancestor: YAML can write a node that contains itself.
      const source = get(doc.root, paths[m.from % paths.length]);
      if (m.op === 'alias' && (source === null || typeof source !== 'object')) return;
      setAt(doc, at, m.op === 'alias' ? source : clone(source));
      return;
    }
    case 'duplicate':
      if (Array.isArray(target) && target.length > 0) target.push(clone(target[0]));
      else if (at.length > 0 && Array.isArray(get(doc.root, at.slice(0, -1)))) (get(doc.root, at.slice(0, -1)) as Json[]).push(clone(target));
      return;
    case 'wrap':
      setAt(doc, at, m.list ? [clone(target)] : { value: clone(target) });
      return;
    case 'tweak':
      setAt(doc, at, tweak(target, m.how));
      return;
  }
}

// ---- text --------------------------------------------------------------------------------------

export type TextDamage =
  | { op: 'none' }
  | { op: 'dropLine' | 'duplicateLine' | 'tab' | 'indent'; line: number }
  | { op: 'swapLines'; line: number; other: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; text: string };

export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ op: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('dropLine' as const, 'duplicateLine' as const, 'tab' as const, 'indent' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('&a ', '*a', '<<: *a\n', '!!js/function x', '!!binary x', '? ', '--- \n', '%YAML 1.2\n', '{', ']', '\uFEFF', '#', ': ', '|\n', '\r\n') }) },
);

export function damage(text: string, d: TextDamage): string {
  const lines = text.split('\n');
  const n = lines.length;
  switch (d.op) {
    case 'none':
      return text;
    case 'dropLine':
      lines.splice(d.line % n, 1);
      return lines.join('\n');
    case 'duplicateLine':
      lines.splice(d.line % n, 0, lines[d.line % n]);
      return lines.join('\n');
    case 'tab':
      lines[d.line % n] = `\t${lines[d.line % n]}`;
      return lines.join('\n');
    case 'indent':
      lines[d.line % n] = ` ${lines[d.line % n]}`;
      return lines.join('\n');
    case 'swapLines': {
      const [a, b] = [d.line % n, d.other % n];
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, d.at % (text.length + 1));
    case 'insert': {
      const at = d.at % (text.length + 1);
      return text.slice(0, at) + d.text + text.slice(at);
    }
  }
}

// ---- --set -------------------------------------------------------------------------------------

export type SetFlag = { path: number | string; value: string };

const SET_PATHS = ['__proto__.polluted', 'constructor.prototype.polluted', 'spec.__proto__.polluted', 'spec["__proto__"].polluted', 'spec.workloads[0].__proto__.polluted', 'spec.workloads[0].constructor', 'spec.constructor.name', 'toString', 'spec.cluster.nodePools[0].labels.constructor', 'spec.behavior[0].usage.constructor.cpu.base', 'a..b', '[0]', 'spec.workloads[999].name', 'spec.seed', 'spec.start', 'spec.duration', 'spec["a', 'spec[x]', 'spec.workloads[-1]', 'spec.workloads[1e3]'];
const SET_VALUES = ['1', '-1', '1e400', '9007199254740993', '{a: b}', '[1', '__proto__', 'constructor', '{__proto__: {polluted: 1}}', '{constructor: {prototype: {polluted: 1}}}', '&a [*a]', '[]', '{}', 'null', '~', '', '"2026-02-30T00:00:00Z"', '8Ei', '99999999999w', '!!js/undefined', '? a', 'a: b: c', '"\\u0000"'];

export const setFlag: fc.Arbitrary<SetFlag> = fc.record({
  path: fc.oneof(fc.nat(), fc.constantFrom(...SET_PATHS)),
  value: fc.oneof(fc.constantFrom(...SET_VALUES), fuzzValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null'))),
});

/** `spec.workloads[0]["a.b"]` for a path, as --set writes it. */
export function formatSetPath(at: Path): string {
  let out = '';
  for (const part of at) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

// ---- cases -------------------------------------------------------------------------------------

export interface ScenarioCase {
  base: number;
  mutations: Mutation[];
  format: 'yaml' | 'json';
  damage: TextDamage;
  sets: SetFlag[];
  /** Also run it (briefly) when it loads. */
  run: boolean;
  /** And write report.html (its charts' specs) after the run. */
  report: boolean;
}

export const scenarioCase: fc.Arbitrary<ScenarioCase> = fc.record({
  base: fc.nat(),
  mutations: fc.oneof({ weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 4 }) }),
  format: fc.constantFrom('yaml' as const, 'yaml' as const, 'yaml' as const, 'json' as const),
  damage: textDamage,
  sets: fc.oneof({ weight: 4, arbitrary: fc.constant<SetFlag[]>([]) }, { weight: 1, arbitrary: fc.array(setFlag, { minLength: 1, maxLength: 3 }) }),
  run: fc.boolean(),
  report: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** The text and flags of a case. */
export function render(c: ScenarioCase): { text: string; sets: string[]; doc: Json } {
  const all = baseScenarios();
  const doc = { root: structuredClone(all[c.base % all.length].doc) as Json };
  for (const m of c.mutations) applyMutation(doc, m);
  let text: string;
  let json: string | undefined;
  try {
    json = c.format === 'json' ? (JSON.stringify(doc.root, null, 1) ?? 'null') : undefined;
  } catch {
    json = undefined; // an alias made it contain itself: YAML can write that, JSON cannot
  }
  text = json ?? dump(doc.root, { schema: CORE_SCHEMA, noRefs: false, lineWidth: -1, skipInvalid: true });
  text = damage(text, c.damage);
  const paths = pathsOf(doc.root);
  const sets = c.sets.map((s) => `${typeof s.path === 'number' ? formatSetPath(paths[s.path % paths.length]) : s.path}=${s.value}`);
  return { text, sets, doc: doc.root };
}

// ---- checks ------------------------------------------------------------------------------------

export type Outcome = 'refused' | 'loaded' | RunOutcome;

/** Simulated time a run of a fuzz case is cut to. */
const RUN_MINUTES = 20;

/** --set flags that cut a scenario to a few minutes: duration, sampling, and every `at` moved
 *  into the window (events, demand spikes). */
export function cappingSets(doc: Json): string[] {
  const sets = [`spec.duration=${RUN_MINUTES}m`, 'spec.sampleEvery=1m'];
  for (const at of pathsOf(doc)) {
    if (at[at.length - 1] === 'at' && at[0] === 'spec' && (at[1] === 'events' || at[1] === 'behavior')) sets.push(`${formatSetPath(at)}=${(at.length * 7) % RUN_MINUTES}m`);
  }
  return sets;
}

/** How long a run of a case cut to RUN_MINUTES may take before it counts as a hang. */
const RUN_TIMEOUT_MS = 120_000;

/** The worker thread that runs cases (fuzzRunWorker.ts), restarted after a hang or a crash. */
class RunThread {
  private worker: Worker | undefined;

  run(job: RunCase): Promise<RunReply> {
    const worker = (this.worker ??= new Worker(new URL('./fuzzRunEntry.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 1536 } }));
    worker.unref();
    return new Promise((resolve) => {
      const done = (reply: RunReply, restart: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (restart) {
          this.worker = undefined;
          void worker.terminate();
        }
        resolve(reply);
      };
      const onMessage = (reply: RunReply) => done(reply, false);
      const onError = (error: Error) => done({ failure: `the run's worker crashed: ${describeError(error)}` }, true);
      const onExit = (code: number) => done({ failure: `the run's worker exited with code ${code}` }, true);
      const timer = setTimeout(() => done({ failure: `the run did not finish in ${RUN_TIMEOUT_MS / 1000} s (${RUN_MINUTES} simulated minutes): a hang` }, true), RUN_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(job);
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

const runThread = new RunThread();

/** Ends the run worker (at the end of a test or a fuzz run). */
export function stopRuns(): Promise<void> {
  return runThread.stop();
}

/** `capsim validate` on the case, in this process, through the real command line: exit code,
 *  stdout and stderr. */
async function validateCommand(file: string, sets: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { commandLine } = await import('../../src/cli/commandLine.ts');
  const saved = { out: process.stdout.write, err: process.stderr.write, code: process.exitCode };
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    process.exitCode = undefined;
    await commandLine(['validate', file, ...sets.map((s) => `--set=${s}`)], { exitProcess: false }).parseAsync();
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exitCode = saved.code;
  }
}

/** Loads a case; when it loads, runs `capsim validate` on it and, if asked, runs it cut to a few
 *  minutes in the run worker. Throws FuzzFailure (with the case's text and flags) when the
 *  promise is broken. */
export async function checkCase(c: ScenarioCase): Promise<Outcome> {
  const { text, sets, doc } = render(c);
  const dir = scratchDir();
  const file = path.join(dir, c.format === 'json' ? 'case.json' : 'case.yaml');
  fs.writeFileSync(file, text);
  try {
    const loaded = await settle('loadScenario', () => loadScenario(file, { set: sets }));
    if (loaded instanceof InputError) return 'refused';
    // validate's later stages (the ok line, notices, warnings) on what loaded.
    const v = await validateCommand(file, sets);
    if (v.code === 1 || /the simulation failed/.test(v.stderr) || (v.code === 0 && !v.stdout.startsWith('ok: '))) {
      throw new FuzzFailure(`capsim validate exited ${v.code}: ${v.stderr.slice(0, 3000)}`);
    }
    if (!c.run) return 'loaded';
    const reply = await runThread.run({ file, sets: [...sets, ...cappingSets(doc)], outDir: path.join(dir, 'out'), report: c.report });
    if ('failure' in reply) throw new FuzzFailure(reply.failure);
    return reply.outcome;
  } catch (error) {
    if (error instanceof FuzzFailure) throw new FuzzFailure(`${error.message}\n--- case (${baseScenarios()[c.base % baseScenarios().length].name}; --set ${JSON.stringify(sets)}):\n${text.length > 4000 ? `${text.slice(0, 4000)}...` : text}`);
    throw error;
  }
}
