// The fuzz test of `capsim backtest`'s reader of DIR/metrics/ (readObserved, src/backtest/observed.ts):
// a real, valid metrics directory (support/backtestDir.ts: a run of scenarios/web-hpa.yaml written
// as `capsim import metrics` writes it) damaged many ways, seeded: files cut short, columns
// deleted, added, duplicated or renamed, lines dropped, duplicated or swapped, times out of order,
// repeated or on another step, cells non-numeric, NaN, Infinity, negative or huge, names with
// quotes, commas, newlines or Object.prototype's names, an index naming files outside metrics/ or
// missing ones, BOMs, CRLF, empty files, binary junk. Each directory must read to a sane result
// or to an InputError naming a file and a line (support/fuzzChecks.ts), never another exception;
// then twenty of them go through the real command line, which must exit 0 or 2, never print a
// stack trace, and leave nothing in --out when it exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { readObserved, type Observed } from '../src/backtest/observed.ts';
import { PROTOTYPE_NAMES, applyMutation, mutation } from './support/fuzz.ts';
import { backtestSection, loadBacktest } from '../src/report/backtestSection.ts';
import { FuzzFailure, checkPrototypes, describeError, expectInputError } from './support/fuzzChecks.ts';
import { capsim, scratchDir } from './support/run.ts';
import { importedDir } from './support/backtestDir.ts';

const INDEX = 'metrics/workloads.csv';
const WORKLOAD = 'metrics/shop/storefront.csv';
const NODES = 'metrics/nodes.csv';
const FILES = [INDEX, WORKLOAD, NODES] as const;

/** The valid directory's three files, as text. */
function baseFiles(): Map<string, string> {
  const { dir } = importedDir();
  return new Map(FILES.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

// ---- palettes ----------------------------------------------------------------------------------

const CELLS = ['', 'NaN', 'Infinity', '-Infinity', '-1', '-0', '-0.5', '1e400', '1e308', '9007199254740993', '1e15', '0x10', '0b1', ' 3 ', '3 ', '1,5', '"1,5"', '"', '""', 'abc', 'null', 'true', '1e', '.5', '5.', '+7', '1_000', '١٢', '\u0000', '2026-01-05T00:00:00Z'];
const TIMES = ['2026-02-30T00:00:00Z', '2026-01-05T24:00:00Z', '2026-01-05T00:60:00Z', '2026-01-05T00:00:00', '2026-01-05', '2026-01-05 00:00:00Z', '2026-01-05T00:00:00+02:00', '2026-01-05T00:00:00.5Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '1767571200', '', 'NaN', '2026-01-05T00:00:00Z'];
const NAMES = [...PROTOTYPE_NAMES, '', ' ', 'time', 'pool', 'nodes', 'workload', 'file', 'replicas', 'cpu_used_m', '"a,b"', '"say ""hi"""', '"a\nb"', 'a\rb', '\uFEFFtime', 'x'.repeat(300), 'Deployment/shop/storefront', 'Deployment/shop/__proto__', 'é日本', '=cmd'];
const FILE_CELLS = ['../backtest.yaml', '/etc/passwd', 'metrics/../backtest.yaml', 'metrics/../../x.csv', 'metrics/none.csv', 'metrics/shop', 'metrics', 'metrics/', 'metrics/nodes.csv', 'metrics/workloads.csv', '', 'metrics/shop/storefront.csv\u0000', 'metrics/shop/../shop/storefront.csv', '"metrics/shop/storefront.csv"', 'metrics/__proto__.csv'];
const JUNK = ['\u0000\u0001\u0002\u00ff', '\uFEFF', '"', ',', '\n', '\r', '\r\n', '\n\n', '""', ',,,', '\uFFFD\uD800', 'PK\u0003\u0004'];

// ---- damages -----------------------------------------------------------------------------------

type Damage =
  | { op: 'truncate'; file: number; at: number }
  | { op: 'dropLine' | 'duplicateLine'; file: number; line: number }
  | { op: 'swapLines'; file: number; line: number; other: number }
  | { op: 'reverse' | 'bom' | 'crlf' | 'empty' | 'noNewline'; file: number }
  | { op: 'dropColumn' | 'duplicateColumn'; file: number; column: number }
  | { op: 'addColumn'; file: number; name: string; cell: string }
  | { op: 'rename'; file: number; column: number; name: string }
  | { op: 'cell'; file: number; line: number; column: number; value: string }
  | { op: 'time'; file: number; line: number; how: 'repeat' | 'shift' | 'set'; value: string }
  | { op: 'step'; file: number; seconds: number }
  | { op: 'insert'; file: number; at: number; text: string }
  | { op: 'indexFile'; line: number; value: string }
  | { op: 'indexName'; line: number; value: string }
  | { op: 'secondWorkload'; name: string; copy: boolean }
  | { op: 'pool'; line: number; all: boolean; name: string }
  | { op: 'remove'; what: 'index' | 'workload' | 'nodes' | 'metrics' | 'shop' }
  | { op: 'directory'; file: number };

const file = fc.nat({ max: 2 });
const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('truncate' as const), file, at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('dropLine' as const, 'duplicateLine' as const), file, line: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swapLines' as const), file, line: fc.nat(), other: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('reverse' as const, 'bom' as const, 'crlf' as const, 'empty' as const, 'noNewline' as const), file }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('dropColumn' as const, 'duplicateColumn' as const), file, column: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addColumn' as const), file, name: fc.constantFrom(...NAMES), cell: fc.constantFrom(...CELLS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), file, column: fc.nat(), name: fc.constantFrom(...NAMES) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('cell' as const), file: fc.constantFrom(1, 2), line: fc.nat(), column: fc.nat(), value: fc.oneof(fc.constantFrom(...CELLS), fc.string({ maxLength: 5 })) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('time' as const), file: fc.constantFrom(1, 2), line: fc.nat(), how: fc.constantFrom('repeat' as const, 'shift' as const, 'set' as const), value: fc.constantFrom(...TIMES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('step' as const), file: fc.constantFrom(1, 2), seconds: fc.constantFrom(0, 1, 30, 59, 61, 90, 3600, -60, 0.5, 1e9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), file, at: fc.nat(), text: fc.oneof(fc.constantFrom(...JUNK), fc.string({ maxLength: 4 })) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('indexFile' as const), line: fc.nat(), value: fc.constantFrom(...FILE_CELLS) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('indexName' as const), line: fc.nat(), value: fc.constantFrom(...NAMES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('secondWorkload' as const), name: fc.constantFrom(...NAMES), copy: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pool' as const), line: fc.nat(), all: fc.boolean(), name: fc.constantFrom(...NAMES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), what: fc.constantFrom('index' as const, 'workload' as const, 'nodes' as const, 'metrics' as const, 'shop' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('directory' as const), file }) },
);

const damages = fc.array(damage, { minLength: 1, maxLength: 3 });

const lines = (text: string) => text.split('\n');
/** A CSV line's cells, split on commas (the valid files quote nothing). */
const cellsOf = (line: string) => line.split(',');
/** The data lines of a file (the header and the trailing empty line excluded), by index. */
const dataLine = (ls: string[], n: number) => 1 + (n % Math.max(1, ls.length - 2));
const isoAt = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function mapLines(text: string, f: (cells: string[], i: number) => string[]): string {
  return lines(text).map((l, i) => (l === '' ? l : f(cellsOf(l), i).join(','))).join('\n');
}

/** The directory's files after the damages: text per path, null for a path removed, 'dir' for a
 *  path that became a directory. */
function damaged(base: Map<string, string>, list: Damage[]): Map<string, string | null | { dir: true }> {
  const files = new Map<string, string | null | { dir: true }>(base);
  const text = (f: string) => {
    const t = files.get(f);
    return typeof t === 'string' ? t : '';
  };
  for (const d of list) {
    const name = 'file' in d && typeof d.file === 'number' ? FILES[d.file] : '';
    const t = text(name);
    const ls = lines(t);
    switch (d.op) {
      case 'truncate':
        files.set(name, t.slice(0, d.at % (t.length + 1)));
        break;
      case 'dropLine':
        ls.splice(d.line % ls.length, 1);
        files.set(name, ls.join('\n'));
        break;
      case 'duplicateLine':
        ls.splice(d.line % ls.length, 0, ls[d.line % ls.length]);
        files.set(name, ls.join('\n'));
        break;
      case 'swapLines': {
        const [a, b] = [d.line % ls.length, d.other % ls.length];
        [ls[a], ls[b]] = [ls[b], ls[a]];
        files.set(name, ls.join('\n'));
        break;
      }
      case 'reverse':
        files.set(name, [ls[0], ...ls.slice(1, -1).reverse(), ''].join('\n'));
        break;
      case 'bom':
        files.set(name, `\uFEFF${t}`);
        break;
      case 'crlf':
        files.set(name, t.replace(/\n/g, '\r\n'));
        break;
      case 'empty':
        files.set(name, '');
        break;
      case 'noNewline':
        files.set(name, t.replace(/\n$/, ''));
        break;
      case 'dropColumn':
        files.set(name, mapLines(t, (c) => c.filter((_, i) => i !== d.column % c.length)));
        break;
      case 'duplicateColumn':
        files.set(name, mapLines(t, (c) => [...c.slice(0, (d.column % c.length) + 1), c[d.column % c.length], ...c.slice((d.column % c.length) + 1)]));
        break;
      case 'addColumn':
        files.set(name, mapLines(t, (c, i) => [...c, i === 0 ? d.name : d.cell]));
        break;
      case 'rename':
        files.set(name, mapLines(t, (c, i) => (i === 0 ? c.map((x, j) => (j === d.column % c.length ? d.name : x)) : c)));
        break;
      case 'cell': {
        const at = dataLine(ls, d.line);
        files.set(name, mapLines(t, (c, i) => (i === at ? c.map((x, j) => (j === d.column % c.length ? d.value : x)) : c)));
        break;
      }
      case 'time': {
        const at = dataLine(ls, d.line);
        const previous = cellsOf(ls[Math.max(1, at - 1)] ?? '')[0];
        files.set(name, mapLines(t, (c, i) => {
          if (i !== at) return c;
          const shifted = Date.parse(c[0]);
          const value = d.how === 'repeat' ? previous : d.how === 'shift' && Number.isFinite(shifted) ? isoAt(shifted / 1000 + 30) : d.value;
          return [value, ...c.slice(1)];
        }));
        break;
      }
      case 'step': {
        // Every time rewritten on another grid from the same start.
        const first = Date.parse(cellsOf(ls[1] ?? '')[0]) / 1000;
        const distinct: string[] = [];
        files.set(name, mapLines(t, (c, i) => {
          if (i === 0 || !Number.isFinite(first)) return c;
          if (!distinct.includes(c[0])) distinct.push(c[0]);
          const s = first + (distinct.indexOf(c[0])) * d.seconds;
          return [Math.abs(s) < 8.64e12 ? isoAt(s) : String(s), ...c.slice(1)];
        }));
        break;
      }
      case 'insert': {
        const at = d.at % (t.length + 1);
        files.set(name, t.slice(0, at) + d.text + t.slice(at));
        break;
      }
      case 'indexFile':
      case 'indexName': {
        const idx = lines(text(INDEX));
        const at = dataLine(idx, d.line);
        files.set(INDEX, mapLines(text(INDEX), (c, i) => (i === at ? (d.op === 'indexFile' ? [c[0], d.value] : [d.value, ...c.slice(1)]) : c)));
        break;
      }
      case 'secondWorkload': {
        const rel = d.copy ? 'metrics/shop/second.csv' : WORKLOAD;
        if (d.copy) files.set(rel, text(WORKLOAD));
        files.set(INDEX, `${text(INDEX)}${d.name},${rel}\n`);
        break;
      }
      case 'pool': {
        const nodes = lines(text(NODES));
        const at = dataLine(nodes, d.line);
        files.set(NODES, mapLines(text(NODES), (c, i) => (i > 0 && (d.all || i === at) ? [c[0], d.name, ...c.slice(2)] : c)));
        break;
      }
      case 'remove':
        if (d.what === 'metrics' || d.what === 'shop') {
          for (const f of [...files.keys()]) if (f.startsWith(d.what === 'metrics' ? 'metrics/' : 'metrics/shop/')) files.set(f, null);
        } else files.set(d.what === 'index' ? INDEX : d.what === 'workload' ? WORKLOAD : NODES, null);
        break;
      case 'directory':
        files.set(name, { dir: true });
        break;
    }
  }
  return files;
}

function writeDir(dir: string, files: Map<string, string | null | { dir: true }>): void {
  fs.rmSync(path.join(dir, 'metrics'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'metrics'), { recursive: true });
  for (const [rel, content] of files) {
    const p = path.join(dir, rel);
    if (content === null) continue;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(p, content);
    else fs.mkdirSync(p, { recursive: true });
  }
  // `remove metrics`: no metrics/ at all.
  if ([...files].every(([rel, c]) => !rel.startsWith('metrics/') || c === null)) fs.rmSync(path.join(dir, 'metrics'), { recursive: true, force: true });
}

/** What readObserved promises of what it returns. */
function checkSane(o: Observed): void {
  const fail = (what: string) => {
    throw new FuzzFailure(`readObserved returned ${what}`);
  };
  if (o.times.length < 2) fail(`${o.times.length} times`);
  o.times.forEach((t, i) => {
    if (!Number.isFinite(t)) fail(`time ${t}`);
    if (i > 0 && !(t > o.times[i - 1])) fail(`times not increasing at ${i}: ${o.times[i - 1]}, ${t}`);
    if (i > 0 && Math.abs(t - o.times[i - 1] - o.stepSeconds) > 1e-6) fail(`times not on the step ${o.stepSeconds} at ${i}`);
  });
  if (!(o.stepSeconds > 0) || !Number.isFinite(o.stepSeconds)) fail(`step ${o.stepSeconds}`);
  const names = new Set<string>();
  for (const w of o.workloads) {
    if (names.has(w.workload)) fail(`workload ${w.workload} twice`);
    names.add(w.workload);
    for (const [column, values] of w.columns) {
      if (values.length !== o.times.length) fail(`${w.workload} ${column}: ${values.length} values for ${o.times.length} times`);
      for (const v of values) if (v !== null && (!Number.isFinite(v) || v < 0)) fail(`${w.workload} ${column}: ${v}`);
    }
  }
  for (const [pool, counts] of o.pools) {
    if (counts.length !== o.times.length) fail(`pool ${pool}: ${counts.length} counts for ${o.times.length} times`);
    for (const v of counts) if (!Number.isFinite(v) || v < 0) fail(`pool ${pool}: ${v}`);
  }
}

/** readObserved on a directory: 'read' or 'refused'; a FuzzFailure for anything else. */
function readCase(dir: string): 'read' | 'refused' {
  try {
    checkSane(readObserved(dir));
    return 'read';
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    expectInputError(error, 'readObserved');
    return 'refused';
  } finally {
    checkPrototypes();
  }
}

// ---- regressions: one per class of damage the fuzz found read wrongly or crashing ----------------

/** The valid directory with `edit` applied to its files' text (path -> text); readObserved's result. */
function readEdited(edit: (files: Map<string, string | null | { dir: true }>) => void): Observed {
  const files = new Map<string, string | null | { dir: true }>(baseFiles());
  edit(files);
  const dir = path.join(scratchDir('capsim-btreg-'), 'case');
  writeDir(dir, files);
  return readObserved(dir);
}
const replace = (rel: string, from: string | RegExp, to: string) => (files: Map<string, string | null | { dir: true }>) => files.set(rel, (files.get(rel) as string).replace(from, to));
/** Asserts readObserved refuses with an InputError whose problem says `message` at `file`:`line`. */
function refused(edit: (files: Map<string, string | null | { dir: true }>) => void, file: string, line: number, message: RegExp): void {
  assert.throws(() => readEdited(edit), (e: unknown) => {
    const p = expectInputError(e, 'readObserved').problems[0];
    assert.ok(p.file.endsWith(file), p.file);
    assert.equal(p.line, line, p.message);
    assert.match(p.message, message);
    return true;
  });
}

test('regression: a nodes.csv row with fewer cells than its header is refused naming the line (was a TypeError)', () => {
  // Line 2 is the first data row, 2026-01-05T00:00:00Z,web,3: its count cut off.
  refused(replace(NODES, '2026-01-05T00:00:00Z,web,3\n', '2026-01-05T00:00:00Z,web\n'), NODES, 2, /^2 cells, the header has 3$/);
  // And one cell too many in a workload's file (an unquoted comma in a name shifts every cell after it).
  refused(replace(WORKLOAD, /\n2026-01-05T00:01:00Z,/, '\n2026-01-05T00:01:00Z,1,'), WORKLOAD, 3, /^13 cells, the header has 12$/);
});

test('regression: a workload listed twice in workloads.csv is refused (was two series of one name)', () => {
  refused((f) => f.set(INDEX, `${f.get(INDEX)}Deployment/shop/storefront,metrics/shop/storefront.csv\n`), INDEX, 3, /workload Deployment\/shop\/storefront is listed twice/);
  refused((f) => f.set(INDEX, `${f.get(INDEX)},metrics/shop/storefront.csv\n`), INDEX, 3, /a file without its workload/);
});

test('regression: times in reverse order or repeated are refused at their line (reverse order was read as a step of -60 s)', () => {
  refused((f) => {
    const [head, ...rows] = (f.get(WORKLOAD) as string).trimEnd().split('\n');
    f.set(WORKLOAD, `${[head, ...rows.reverse()].join('\n')}\n`);
  }, WORKLOAD, 3, /time 2026-01-05T01:59:00Z is not after the one before \(2026-01-05T02:00:00Z\): the times must increase/);
  refused(replace(WORKLOAD, '2026-01-05T00:01:00Z', '2026-01-05T00:00:00Z'), WORKLOAD, 3, /is not after the one before/);
});

test('regression: negative, beyond 2^53, hexadecimal or blank-but-not-empty values are refused (were read as numbers)', () => {
  // Line 2's cpu_requests_m is 1500: each replacement is refused naming the column.
  for (const [cell, message] of [['-1500', /cpu_requests_m: -1500 is negative/], ['1e300', /cpu_requests_m: 1e300 is beyond 2\^53/], ['0x10', /cpu_requests_m: 0x10 is not a number/], [' ', /cpu_requests_m:   is not a number/]] as const) {
    refused(replace(WORKLOAD, /^(2026-01-05T00:00:00Z,0,6,0,6,,\d+,)1500,/m, `$1${cell},`), WORKLOAD, 2, message);
  }
  refused(replace(NODES, '2026-01-05T00:00:00Z,web,3', '2026-01-05T00:00:00Z,web,-3'), NODES, 2, /nodes: -3 is negative/);
  // 2^53 itself still reads; so do 1e3 and 0.5.
  const o = readEdited(replace(WORKLOAD, /^(2026-01-05T00:00:00Z,0,6,0,6,,\d+,)1500,/m, '$19007199254740991,'));
  assert.equal(o.workloads[0].columns.get('cpu_requests_m')![0], 2 ** 53 - 1);
});

test('regression: a file cut short (its last line without a newline) is refused, not read with a cut number', () => {
  // The last row of nodes.csv is 2026-01-05T02:00:00Z,web,3: cut after "web," -> one cell short; cut
  // within a number of storefront.csv -> a smaller number, which only the missing newline betrays.
  const cut = (rel: string, chars: number) => (f: Map<string, string | null | { dir: true }>) => f.set(rel, (f.get(rel) as string).slice(0, -chars));
  refused(cut(WORKLOAD, 3), WORKLOAD, 122, /the last line does not end with a newline: the file was cut short/);
  refused(cut(NODES, 1), NODES, 122, /the file was cut short/);
});

test('regression: a time that does not exist or has no zone is refused (February 30th rolled over to March 2nd; no zone read as local time)', () => {
  for (const t of ['2026-02-30T00:00:00Z', '2026-01-05T24:00:00Z', '2026-01-05T00:00:00', '2026-01-05']) {
    refused(replace(NODES, '2026-01-05T00:00:00Z,web,3', `${t},web,3`), NODES, 2, /is not an ISO 8601 time with its zone/);
  }
  // An offset names the same instant: read.
  const o = readEdited(replace(NODES, '2026-01-05T00:00:00Z,web,3', '2026-01-05T02:00:00+02:00,web,3'));
  assert.equal(o.pools.get('web')![0], 3);
});

test('regression: nodes.csv with a pool missing at a time, counted twice, or unnamed is refused (a missing row was read as 0 nodes)', () => {
  refused(replace(NODES, '2026-01-05T00:01:00Z,web,3\n', ''), NODES, 0, /pool web has no count at 2026-01-05T00:01:00Z \(the import writes every pool at every time\)/);
  refused(replace(NODES, '2026-01-05T00:01:00Z,web,3\n', '2026-01-05T00:01:00Z,web,3\n2026-01-05T00:01:00Z,web,4\n'), NODES, 4, /pool web has two counts at 2026-01-05T00:01:00Z/);
  refused(replace(NODES, '2026-01-05T00:01:00Z,web,3', '2026-01-05T00:01:00Z,,3'), NODES, 3, /a count without its pool/);
  refused(replace(NODES, '2026-01-05T00:01:00Z,web,3', '2026-01-05T00:01:00Z,web,'), NODES, 3, /pool web has no count at/);
  // A pool named like an Object.prototype property is a pool like any other.
  assert.deepEqual([...readEdited(replace(NODES, /,web,/g, ',__proto__,')).pools.keys()], ['__proto__']);
});

test('regression: a header naming a column twice or a column without a name is refused (the last column of a name won)', () => {
  refused(replace(WORKLOAD, 'time,pods,replicas,', 'time,pods,pods,'), WORKLOAD, 1, /column pods is in the header twice/);
  refused(replace(WORKLOAD, 'time,pods,replicas,', 'time,,replicas,'), WORKLOAD, 1, /column 2 of the header has no name/);
});

test('regression: a byte-order mark and CRLF line ends read as the file without them (a BOM made `time` unrecognised)', () => {
  const plain = readEdited(() => {});
  for (const rel of FILES) {
    assert.deepEqual(readEdited((f) => f.set(rel, `\uFEFF${f.get(rel)}`)), plain, `${rel} with a BOM`);
    assert.deepEqual(readEdited(replace(rel, /\n/g, '\r\n')), plain, `${rel} with CRLF`);
  }
});

test('regression: a line number counts the blank lines before it', () => {
  refused(replace(NODES, '2026-01-05T00:00:00Z,web,3\n', '\n\n2026-01-05T00:00:00Z,web,x\n'), NODES, 4, /nodes: x is not a number/);
});

const RUNS = 1500;

test(`fuzz: ${RUNS} damaged metrics directories read to a sane Observed or an InputError naming the file, never another exception`, () => {
  const base = baseFiles();
  const dir = path.join(scratchDir('capsim-btfuzz-'), 'case');
  fs.mkdirSync(dir);
  // The undamaged directory reads, and every damage is applied to a copy of the same files.
  writeDir(dir, base);
  assert.equal(readCase(dir), 'read');
  const outcomes = { read: 0, refused: 0 };
  const started = Date.now();
  fc.assert(
    fc.property(damages, (list) => {
      writeDir(dir, damaged(base, list));
      try {
        outcomes[readCase(dir)]++;
      } catch (error) {
        throw new Error(`${JSON.stringify(list)}: ${describeError(error)}`);
      }
    }),
    { numRuns: RUNS, seed: 16_5 },
  );
  // Both ends reached: a damage that is harmless (CRLF, a BOM, a renamed extra column) reads; most do not.
  assert.ok(outcomes.read > RUNS / 20 && outcomes.refused > RUNS / 2, JSON.stringify(outcomes));
  console.log(`# ${RUNS} damaged directories: ${outcomes.read} read, ${outcomes.refused} refused, in ${Date.now() - started} ms`);
});

test('fuzz: 20 damaged directories through `capsim backtest DIR --out X`: exit 0 or 2, no stack trace, nothing in X on exit 2', () => {
  const { dir: valid } = importedDir();
  const base = baseFiles();
  const root = scratchDir('capsim-btfuzz-cli-');
  const codes: number[] = [];
  const cases = fc.sample(damages, { numRuns: 20, seed: 16_7 });
  // Two damages that read (the same series, CRLF; a BOM), so that the exit-0 path is taken too.
  cases[0] = [{ op: 'crlf', file: 1 }];
  cases[1] = [{ op: 'bom', file: 2 }, { op: 'pool', line: 0, all: true, name: '__proto__' }];
  cases.forEach((list, k) => {
    const dir = path.join(root, `case-${k}`);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(valid, 'backtest.yaml'), path.join(dir, 'backtest.yaml'));
    writeDir(dir, damaged(base, list));
    const out = path.join(root, `out-${k}`);
    const r = capsim('backtest', dir, '--out', out, '--format', 'none');
    const what = `case ${k} ${JSON.stringify(list)}: exit ${r.code}\n${r.stderr}`;
    assert.ok(r.code === 0 || r.code === 2, what);
    assert.doesNotMatch(r.stderr, /\n\s+at |Error:|\.ts:\d+|\.js:\d+/, what);
    if (r.code === 2) {
      assert.match(r.stderr, /nothing was run or written/, what);
      assert.ok(!fs.existsSync(out), `${what}: ${out} was written`);
    } else {
      for (const f of ['summary.json', 'backtest.json', 'backtest.csv', 'backtest-series.csv']) assert.ok(fs.existsSync(path.join(out, f)), `${what}: ${f}`);
    }
    codes.push(r.code!);
  });
  assert.ok(codes.includes(0) && codes.includes(2), codes.join(' '));
});


test('fuzz: backtest.json mutated 250 ways (the scenarios\' palette) is read by `capsim report` to a section or an InputError, never a throw', async () => {
  const { dir } = importedDir();
  const out = path.join(scratchDir('capsim-btfuzz-report-'), 'out');
  const r = capsim('backtest', dir, '--out', out, '--format', 'none', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const jsonFile = path.join(out, 'backtest.json');
  const good = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as unknown;
  const outcomes = { read: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (list) => {
      const doc = { root: structuredClone(good) };
      for (const m of list) applyMutation(doc, m);
      fs.writeFileSync(jsonFile, JSON.stringify(doc.root) ?? 'null');
      try {
        const view = await loadBacktest(out);
        if (view) backtestSection(view, view.charts.map(() => '<svg></svg>'));
        outcomes.read++;
      } catch (error) {
        expectInputError(error, `loadBacktest ${JSON.stringify(list).slice(0, 500)}`);
        outcomes.refused++;
      } finally {
        checkPrototypes();
      }
    }),
    { numRuns: 250, seed: 16_9 },
  );
  assert.ok(outcomes.read > 10 && outcomes.refused > 60, JSON.stringify(outcomes));
});

test('regression: `capsim report` of a backtest.json whose series name is a number: exit 2 naming the field (was a TypeError, exit 1)', () => {
  const { dir } = importedDir();
  const out = path.join(scratchDir('capsim-btreg-report-'), 'out');
  assert.equal(capsim('backtest', dir, '--out', out, '--format', 'none', '--quiet').code, 0);
  const jsonFile = path.join(out, 'backtest.json');
  const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  json.series[0].series = 1;
  fs.writeFileSync(jsonFile, JSON.stringify(json));
  const r = capsim('report', out, '--format', 'html');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /backtest.json: not a backtest.json: series.0.series: .*string/);
  assert.doesNotMatch(r.stderr, /TypeError|\n\s+at /);
});
