// The fuzz test of the Parquet reader (outputs/parquetTable.ts through report/runFiles.ts): the
// tables of a real run written with --tables parquet, damaged many ways, seeded: cut short at any
// byte, bytes overwritten with zeros, 0xff or random values (in the data pages, the footer, the
// footer's length, the magic bytes), bytes inserted or dropped, junk appended, another table's
// bytes in its place. Each damaged directory must load (the damage hit values only: an edited
// file reads as what it now says, as an edited CSV does) or fail with an InputError naming the
// file (support/fuzzChecks.ts), never another exception; then a dozen go through `capsim report`,
// which must exit 0 or 2, print no stack trace and leave no report.html behind when it exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadRun } from '../src/report/runFiles.ts';
import { InputError } from '../src/scenario/errors.ts';
import { FuzzFailure, settle } from './support/fuzzChecks.ts';
import { capsim, scratchDir } from './support/run.ts';

const TABLES = ['workloads.parquet', 'timeseries.parquet', 'nodes.parquet', 'events.parquet', 'node-utilization.parquet', 'recommendations.parquet'];

let base: string | undefined;
/** A run of the cluster-autoscaler example written as Parquet (nodes come and go, events of many types). */
function baseRun(): string {
  if (base) return base;
  base = path.join(scratchDir(), 'base');
  const r = capsim('run', 'scenarios/e29-cluster-autoscaler.yaml', '--tables', 'parquet', '--format', 'none', '--out', base, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  return base;
}

type Damage =
  | { kind: 'cut'; at: number }
  | { kind: 'fill'; at: number; length: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'drop'; at: number; length: number }
  | { kind: 'footer length'; value: number }
  | { kind: 'append'; bytes: number[] }
  | { kind: 'swap'; with: string };

/** Positions are fractions of the file, so that they land in every part of each table. */
const where = fc.double({ min: 0, max: 1, noNaN: true });
const damage: fc.Arbitrary<{ table: string; at: number; damage: Damage }> = fc.record({
  table: fc.constantFrom(...TABLES),
  at: where,
  damage: fc.oneof(
    fc.record({ kind: fc.constant('cut' as const), at: fc.constant(0) }),
    fc.record({ kind: fc.constant('fill' as const), at: fc.constant(0), length: fc.integer({ min: 1, max: 64 }), byte: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x15, 0x19) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.constant(0), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.constant(0), length: fc.integer({ min: 1, max: 32 }) }),
    fc.record({ kind: fc.constant('footer length' as const), value: fc.oneof(fc.constantFrom(0, 1, 8, 0x7fffffff, 0xffffffff), fc.integer({ min: 0, max: 4096 })) }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('swap' as const), with: fc.constantFrom(...TABLES) }),
  ),
});

function damaged(bytes: Buffer, at: number, d: Damage, dir: string): Buffer {
  const i = Math.min(bytes.length - 1, Math.floor(at * bytes.length));
  switch (d.kind) {
    case 'cut': return bytes.subarray(0, i);
    case 'fill': return Buffer.concat([bytes.subarray(0, i), Buffer.alloc(Math.min(d.length, bytes.length - i), d.byte), bytes.subarray(i + d.length)]);
    case 'insert': return Buffer.concat([bytes.subarray(0, i), Buffer.from(d.bytes), bytes.subarray(i)]);
    case 'drop': return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + d.length)]);
    case 'footer length': {
      const copy = Buffer.from(bytes);
      copy.writeUInt32LE(d.value >>> 0, copy.length - 8);
      return copy;
    }
    case 'append': return Buffer.concat([bytes, Buffer.from(d.bytes)]);
    case 'swap': return fs.readFileSync(path.join(dir, d.with));
  }
}

test('damaged Parquet tables load or fail with an InputError naming the file, never another error', async () => {
  const source = baseRun();
  const dir = path.join(scratchDir(), 'run');
  fs.cpSync(source, dir, { recursive: true });
  let failures = 0;
  await fc.assert(
    fc.asyncProperty(damage, async ({ table, at, damage: d }) => {
      const file = path.join(dir, table);
      const whole = fs.readFileSync(path.join(source, table));
      fs.writeFileSync(file, damaged(whole, at, d, source));
      try {
        const result = await settle(`loadRun with ${table} damaged (${JSON.stringify(d)} at ${at})`, () => loadRun(dir));
        if (result instanceof InputError) {
          failures++;
          if (!result.problems.some((p) => p.file.endsWith(table) || p.file.endsWith(table.replace('.parquet', '.csv')))) throw new FuzzFailure(`the error names no ${table}: ${result.message}`);
        }
      } finally {
        fs.writeFileSync(file, whole);
      }
    }),
    { numRuns: 300, seed: 18_6 },
  );
  // The fuzzer damages: most cases must be refused (a test whose damage never bites cannot fail).
  assert.ok(failures > 150, `${failures} of 300 refused`);
});

test('through the command line: exit 0 or 2, no stack trace, no report.html left when refused', () => {
  const source = baseRun();
  const cases = fc.sample(damage, { numRuns: 12, seed: 18_7 });
  for (const { table, at, damage: d } of cases) {
    const dir = path.join(scratchDir(), 'run');
    fs.cpSync(source, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, table), damaged(fs.readFileSync(path.join(source, table)), at, d, source));
    const r = capsim('report', dir, '--format', 'html');
    const what = `${table} ${JSON.stringify(d)} at ${at}`;
    assert.ok(r.code === 0 || r.code === 2, `${what}: exit ${r.code}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at \S+ \(/, `${what}: a stack trace`);
    if (r.code === 2) {
      assert.match(r.stderr, /hint: /, what);
      assert.ok(!fs.existsSync(path.join(dir, 'report.html')), `${what}: report.html left`);
    }
  }
});
