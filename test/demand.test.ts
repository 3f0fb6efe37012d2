// Demand patterns (src/workload/demand.ts) and traces (src/workload/trace.ts): each test is a
// `demand:` fragment, the time asked for, and the number worked out by hand in the comment.
//   demand(t) = max(0, (Σ constant + Σ trace(t)) × Π factors(t))
// The default start, 2026-01-05T00:00:00Z, is a Monday; 2026-01-10 is a Saturday.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDemand, NOISE_KNOT_MS, type Demand } from '../src/workload/demand.ts';
import { RandomStream } from '../src/engine/random.ts';
import type { DemandPattern } from '../src/model/scenario.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { readTrace, traceSeries } from '../src/workload/trace.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, formatProblem, type Problem } from '../src/scenario/errors.ts';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const MONDAY = Date.parse('2026-01-05T00:00:00Z');
const TRACES = 'test/fixtures/traces';

function demandOf(patterns: DemandPattern[], options: { seed?: number; durationMs?: number } = {}): Demand {
  const noise = new RandomStream('demand/Deployment/shop/web', options.seed ?? 42);
  return buildDemand(patterns, { startEpochMs: MONDAY, durationMs: options.durationMs ?? 7 * D, noise });
}

function close(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

test('constant: 100 rps at every time, and the caller may skip re-evaluation', () => {
  const d = demandOf([{ constant: 100 }]);
  assert.equal(d.constant, true);
  for (const t of [0, 14 * H, 5 * D + 12 * H, 7 * D]) assert.equal(d.at(t), 100);
  // Two constants add: 100 + 20.
  assert.equal(demandOf([{ constant: 100 }, { constant: 20 }]).at(3 * H), 120);
});

test('no constant and no trace: no demand, whatever multiplies it', () => {
  const d = demandOf([{ daily: { amplitude: 0.6, peakAt: '14:00' } }, { noise: { cv: 0.2 } }]);
  assert.equal(d.constant, true);
  assert.equal(d.at(14 * H), 0);
  assert.equal(demandOf([]).at(0), 0);
  assert.equal(demandOf([{ constant: 100 }, { growth: { perDay: 0.01 } }]).constant, false);
});

test('daily {amplitude: 0.6, peakAt: "14:00"}: x1.6 at 14:00, x0.4 at 02:00, x1 at 08:00 and 20:00', () => {
  const d = demandOf([{ constant: 100 }, { daily: { amplitude: 0.6, peakAt: '14:00' } }]);
  close(d.at(14 * H), 160); // 1 + 0.6·cos(0)
  close(d.at(2 * H), 40); // 1 + 0.6·cos(2π·(2 − 14)/24) = 1 + 0.6·cos(−π) = 0.4
  close(d.at(8 * H), 100); // cos(−π/2) = 0
  close(d.at(20 * H), 100); // cos(π/2) = 0
  close(d.at(3 * D + 14 * H), 160); // every day
  close(d.at(17 * H), 100 * (1 + 0.6 * Math.cos((2 * Math.PI * 3) / 24))); // 14:00 + 3h: 1 + 0.6·cos(π/4) = 1.424264
});

test('daily is anchored to the UTC clock of spec.start, not to t = 0', () => {
  // Start at 12:00 UTC: t = 2h is 14:00, the peak.
  const noon = Date.parse('2026-01-05T12:00:00Z');
  const d = buildDemand([{ constant: 10 }, { daily: { amplitude: 0.5, peakAt: '14:00' } }], { startEpochMs: noon, durationMs: D, noise: new RandomStream('x', 1) });
  close(d.at(2 * H), 15); // 10·(1 + 0.5)
});

test('weekly {weekendFactor: 0.5}: x0.5 on Saturday 2026-01-10, x1 on weekdays, a one-hour ramp at midnight', () => {
  const d = demandOf([{ constant: 100 }, { weekly: { weekendFactor: 0.5 } }], { durationMs: 14 * D });
  assert.equal(d.at(12 * H), 100); // Monday 2026-01-05 12:00
  assert.equal(d.at(4 * D + 12 * H), 100); // Friday 12:00
  assert.equal(d.at(5 * D + 12 * H), 50); // Saturday 2026-01-10 12:00
  assert.equal(d.at(6 * D + 12 * H), 50); // Sunday 12:00
  // Friday 23:30 -> Saturday 00:30 goes linearly from 1 to 0.5: 1, 0.875, 0.75, 0.5.
  assert.equal(d.at(5 * D - 30 * MIN), 100);
  assert.equal(d.at(5 * D - 15 * MIN), 87.5);
  assert.equal(d.at(5 * D), 75); // Saturday 00:00: (1 + 0.5)/2
  assert.equal(d.at(5 * D + 30 * MIN), 50);
  // Sunday 23:30 -> Monday 00:30 goes back from 0.5 to 1.
  assert.equal(d.at(7 * D - 30 * MIN), 50);
  assert.equal(d.at(7 * D), 75); // Monday 2026-01-12 00:00
  assert.equal(d.at(7 * D + 15 * MIN), 87.5);
  assert.equal(d.at(7 * D + 30 * MIN), 100);
  assert.equal(d.at(12 * D + 12 * H), 50); // Saturday 2026-01-17
});

test('growth {perDay: 0.01}: after 10 days x1.01^10 = 1.1046221254', () => {
  const d = demandOf([{ constant: 100 }, { growth: { perDay: 0.01 } }], { durationMs: 30 * D });
  assert.equal(d.at(0), 100);
  close(d.at(10 * D), 110.46221254112045); // 100·1.01^10
  close(d.at(12 * H), 100 * Math.sqrt(1.01)); // half a day: 1.01^0.5 = 1.004987562
});

test('spike {at: 3d12h, duration: 30m, factor: 4}: from the start (inclusive) to the end (exclusive)', () => {
  const at = 3 * D + 12 * H;
  const d = demandOf([{ constant: 100 }, { spike: { atMs: at, durationMs: 30 * MIN, factor: 4 } }]);
  assert.equal(d.at(at - 1), 100);
  assert.equal(d.at(at), 400);
  assert.equal(d.at(at + 30 * MIN - 1), 400);
  assert.equal(d.at(at + 30 * MIN), 100);
});

test('composition: the base times every factor', () => {
  // constant 100, daily 0.6 at 14:00, weekend x0.5, growth 1%/day, spike x2 from 5d13h for 2h.
  const d = demandOf(
    [
      { constant: 100 },
      { daily: { amplitude: 0.6, peakAt: '14:00' } },
      { weekly: { weekendFactor: 0.5 } },
      { growth: { perDay: 0.01 } },
      { spike: { atMs: 5 * D + 13 * H, durationMs: 2 * H, factor: 2 } },
    ],
    { durationMs: 7 * D },
  );
  assert.equal(d.constant, false);
  // Saturday 14:00 (t = 5d14h): 100 × 1.6 × 0.5 × 1.01^(5 + 14/24) × 2 = 160 × 1.0571282293 = 169.1405167
  close(d.at(5 * D + 14 * H), 169.14051669134233);
  // Monday 02:00 (t = 2h): 100 × 0.4 × 1 × 1.01^(2/24) × 1 = 40 × 1.000829538 = 40.0331815
  close(d.at(2 * H), 40 * 1.01 ** (1 / 12));
  // Two spikes that overlap multiply: 100 × 2 × 3.
  const twice = demandOf([{ constant: 100 }, { spike: { atMs: 0, durationMs: H, factor: 2 } }, { spike: { atMs: 0, durationMs: H, factor: 3 } }]);
  assert.equal(twice.at(MIN), 600);
});

const SERIES = { file: 'inline', timesMs: [0, 30_000, 90_000], values: [10, 20.5, 0] };

test('trace: linear between points, held flat before the first and after the last', () => {
  const d = demandOf([{ trace: SERIES }]);
  assert.equal(d.constant, false);
  assert.equal(d.at(-5_000), 10); // before the first point: its value
  assert.equal(d.at(0), 10);
  assert.equal(d.at(15_000), 15.25); // 10 + (20.5 − 10)·15/30
  assert.equal(d.at(30_000), 20.5);
  assert.equal(d.at(60_000), 10.25); // 20.5 + (0 − 20.5)·30/60
  assert.equal(d.at(90_000), 0);
  assert.equal(d.at(D), 0); // after the last point: its value
});

test('trace: adds to constants and is multiplied by the factors; any order of lookups gives the same values', () => {
  // (5 + trace) × spike x2 during the first minute: at 15s (5 + 15.25)·2 = 40.5; at 60s 5 + 10.25.
  const d = demandOf([{ constant: 5 }, { trace: SERIES }, { spike: { atMs: 0, durationMs: MIN, factor: 2 } }]);
  assert.equal(d.at(15_000), 40.5);
  assert.equal(d.at(60_000), 15.25);
  const times = Array.from({ length: 200 }, (_, i) => i * 500 - 1_000);
  const forward = times.map((t) => demandOf([{ trace: SERIES }]).at(t));
  const one = demandOf([{ trace: SERIES }]);
  const reversed = [...times].reverse().map((t) => one.at(t)).reverse();
  assert.deepEqual(reversed, forward);
});

test('trace CSV: timestamps (with offsets) and seconds since the start become points; blank lines are skipped', async () => {
  const scenario = await loadScenario(`${TRACES}/replay.yaml`);
  assert.deepEqual(scenario.behavior[0].demand, [
    // 2026-01-05T02:00:00+01:00 is 01:00 UTC, one hour after the start.
    { trace: { file: `${TRACES}/web.csv`, timesMs: [0, 60_000, 120_000, 3_600_000], values: [100, 200, 50, 80] } },
    { trace: { file: `${TRACES}/seconds.csv`, timesMs: [0, 30_000, 90_000], values: [10, 20.5, 0] } },
  ]);
  // Both traces summed: at 30s (100 + 200)/2 + 20.5 = 170.5; at 30m 50 + (80 − 50)·28/58 plus 0.
  const d = buildDemand(scenario.behavior[0].demand, { startEpochMs: scenario.startEpochMs, durationMs: scenario.durationMs, noise: new RandomStream('x', 1) });
  assert.equal(d.at(30_000), 170.5);
  close(d.at(30 * MIN), 50 + (30 * 28) / 58);
});

test('trace CSV: a time without a value is a gap the replay goes straight across (import metrics writes them); no value at all is a problem', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-trace-'));
  const file = path.join(dir, 'gaps.csv');
  fs.writeFileSync(file, 'time,demand\n2026-01-05T00:00:00Z,\n2026-01-05T00:01:00Z,10\n2026-01-05T00:02:00Z,\n2026-01-05T00:03:00Z,30\n');
  const start = Date.UTC(2026, 0, 5);
  const { points, problems } = await readTrace(file, { time: 'time', value: 'demand' }, start);
  assert.deepEqual(problems, []);
  assert.deepEqual(points, { timesMs: [60_000, 180_000], values: [10, 30], gaps: 2 });
  // At 2 min, halfway between 10 (1 min) and 30 (3 min); before the first value, held at it.
  assert.equal(traceSeries(points)(120_000), 20);
  assert.equal(traceSeries(points)(0), 10);
  fs.writeFileSync(file, 'time,demand\n0,\n60,\n');
  const none = await readTrace(file, { time: 'time', value: 'demand' }, start);
  assert.deepEqual(none.problems.map((p) => p.message), ['no row has a value in column "demand" (2 rows with a time only)']);
});

async function problemsOf(file: string): Promise<Problem[]> {
  try {
    await loadScenario(file);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`${file} loaded without problems`);
}

test('trace CSV mistakes are reported at the CSV file and row, with the scenario field they concern', async () => {
  const problems = await problemsOf(`${TRACES}/bad-traces.yaml`);
  const lines = problems.map(formatProblem);
  assert.equal(problems.length, 5, lines.join('\n'));
  const of = (csv: string) => {
    const found = problems.filter((p) => p.file === `${TRACES}/${csv}`);
    assert.equal(found.length, 1, lines.join('\n'));
    return found[0];
  };

  // unsorted.csv: times 0, 60, 120, 90 — line 5 (the header is line 1) is the first out of order.
  const unsorted = of('unsorted.csv');
  assert.equal(`${unsorted.line}:${unsorted.column}`, '5:1');
  assert.equal(unsorted.path, 'spec.behavior[0].demand[0].trace.time');
  assert.equal(unsorted.message, 'time "90" is earlier than "120" on line 4');
  assert.equal(unsorted.hint, 'sort the rows by time');

  // non-numeric.csv line 3 is "60,n/a": the value starts at column 4.
  const nonNumeric = of('non-numeric.csv');
  assert.equal(`${nonNumeric.line}:${nonNumeric.column}`, '3:4');
  assert.equal(nonNumeric.path, 'spec.behavior[0].demand[1].trace.value');
  assert.equal(nonNumeric.message, 'value "n/a" in column "rps" is not a number');

  // value: rsp, but web.csv's header is timestamp,rps,note.
  const missing = of('web.csv');
  assert.equal(missing.line, 1);
  assert.equal(missing.path, 'spec.behavior[0].demand[2].trace.value');
  assert.equal(missing.message, 'the trace has no column "rsp"');
  assert.equal(missing.hint, 'did you mean "rps"? the columns are "timestamp", "rps", "note"');

  const empty = of('empty.csv');
  assert.equal(empty.message, 'the trace file is empty');

  // duplicate.csv: 0, 60, 60 — line 4 repeats line 3.
  const duplicate = of('duplicate.csv');
  assert.equal(`${duplicate.line}:${duplicate.column}`, '4:1');
  assert.equal(duplicate.message, 'time "60" repeats the time of line 3');
});

// --- noise -------------------------------------------------------------------------------------

/** Samples every minute over `days` days. */
function samples(d: Demand, days: number, stepMs = MIN): number[] {
  const out: number[] = [];
  for (let t = 0; t < days * D; t += stepMs) out.push(d.at(t));
  return out;
}

function meanAndStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance) };
}

test('noise: the same seed gives the same series, another seed another one', () => {
  const patterns: DemandPattern[] = [{ constant: 100 }, { noise: { cv: 0.1 } }];
  const a = samples(demandOf(patterns, { seed: 7, durationMs: D }), 1);
  const b = samples(demandOf(patterns, { seed: 7, durationMs: D }), 1);
  const c = samples(demandOf(patterns, { seed: 8, durationMs: D }), 1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.some((x) => x !== 100));
});

test('noise: values do not depend on which times are asked for, or in which order', () => {
  const patterns: DemandPattern[] = [{ constant: 100 }, { noise: { cv: 0.1 } }];
  const every = demandOf(patterns, { durationMs: D });
  const sparse = demandOf(patterns, { durationMs: D });
  const times = [17 * H + 123, 3 * H, 23 * H + 59 * MIN, 0, 3 * H + 2 * MIN + 30_000];
  samples(every, 1); // ask for everything first
  for (const t of times) assert.equal(sparse.at(t), every.at(t));
});

test('noise: smooth between the 5-minute knots', () => {
  // Between two samples 1 s apart the factor moves far less than between independent draws.
  const d = demandOf([{ constant: 1 }, { noise: { cv: 0.1 } }], { durationMs: D });
  for (let t = 0; t < D; t += 7 * MIN + 13_000) assert.ok(Math.abs(d.at(t + 1_000) - d.at(t)) < 0.01);
});

test('property: noise {cv} over 30 days has mean ≈ 1 and std ≈ cv, at knots and halfway between', () => {
  // 30 days = 8640 independent knots: the sample mean of z is within ±0.011 (1σ) of 0 and the
  // sample std within ±0.8% (1σ) of 1; the tolerances below are more than 5σ.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.constantFrom(0.05, 0.1, 0.2), (seed, cv) => {
      const d = demandOf([{ constant: 1 }, { noise: { cv } }], { seed, durationMs: 30 * D });
      const all = meanAndStd(samples(d, 30));
      assert.ok(Math.abs(all.mean - 1) < 0.06 * cv, `mean ${all.mean}`);
      assert.ok(Math.abs(all.std / cv - 1) < 0.05, `std ${all.std} for cv ${cv}`);
      // Halfway between knots the interpolation is rescaled, so the spread is cv there too.
      const halfway = meanAndStd(samples({ at: (t) => d.at(t + NOISE_KNOT_MS / 2), constant: false }, 30, NOISE_KNOT_MS));
      assert.ok(Math.abs(halfway.std / cv - 1) < 0.06, `std halfway ${halfway.std} for cv ${cv}`);
    }),
    { numRuns: 12, seed: 1 },
  );
});

test('property: demand is never negative, whatever the patterns and the time', () => {
  const pattern: fc.Arbitrary<DemandPattern> = fc.oneof(
    fc.double({ min: 0, max: 1e4, noNaN: true }).map((constant) => ({ constant })),
    fc.record({ amplitude: fc.double({ min: 0, max: 1, noNaN: true }), peakAt: fc.constantFrom('00:00', '09:30', '14:00', '23:59') }).map((daily) => ({ daily })),
    fc.double({ min: 0, max: 3, noNaN: true }).map((weekendFactor) => ({ weekly: { weekendFactor } })),
    fc.double({ min: -0.5, max: 0.5, noNaN: true }).map((perDay) => ({ growth: { perDay } })),
    fc.record({ atMs: fc.integer({ min: 0, max: 7 * D }), durationMs: fc.integer({ min: 0, max: D }), factor: fc.double({ min: 0, max: 10, noNaN: true }) }).map((spike) => ({ spike })),
    fc.double({ min: 0, max: 3, noNaN: true }).map((cv) => ({ noise: { cv } })),
    fc.constant({ trace: SERIES }),
  );
  fc.assert(
    fc.property(fc.array(pattern, { maxLength: 6 }), fc.integer({ min: 0 }), fc.array(fc.integer({ min: -D, max: 8 * D }), { minLength: 1, maxLength: 20 }), (patterns, seed, times) => {
      const d = demandOf(patterns, { seed });
      for (const t of times) {
        const v = d.at(t);
        assert.ok(Number.isFinite(v) && v >= 0, `demand ${v} at ${t}`);
      }
    }),
    { numRuns: 200, seed: 2 },
  );
});

test('noise with a large cv is cut at 0, never negative', () => {
  const xs = samples(demandOf([{ constant: 100 }, { noise: { cv: 1.5 } }], { durationMs: 2 * D }), 2);
  assert.ok(xs.every((x) => x >= 0));
  assert.ok(xs.some((x) => x === 0)); // P(1 + 1.5·z < 0) = P(z < −0.67) = 25%
});
