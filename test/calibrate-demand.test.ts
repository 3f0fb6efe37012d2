// Calibration, the demand fit for --forecast (issue 16 item 6): a series that capsim's own
// demand (src/workload/demand.ts) generates with known patterns is fitted back to them; a window
// too short for a pattern leaves it out and says so; a poor fit warns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDemand } from '../src/workload/demand.ts';
import { RandomStream } from '../src/engine/random.ts';
import { fitDemand, weekendWeight } from '../src/calibrate/demandFit.ts';
import type { DemandPattern } from '../src/model/scenario.ts';

const D = 86_400_000;

/** Steps of `stepMs` over [start, start + durationMs] of capsim's demand for `patterns`. */
function generated(patterns: DemandPattern[], startMs: number, durationMs: number, stepMs = 60_000) {
  const demand = buildDemand(patterns, { startEpochMs: startMs, durationMs, noise: new RandomStream('demand/test', 3) });
  const times: number[] = [];
  const values: number[] = [];
  for (let t = 0; t <= durationMs; t += stepMs) {
    times.push((startMs + t) / 1000);
    values.push(demand.at(t));
  }
  return { times, values, start: startMs / 1000, end: (startMs + durationMs) / 1000 };
}

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

test('demand fit: two weeks at 1 minute of constant 200 × daily(0.6, 14:00) × weekly(0.5) × growth(1%/day) × noise(0.05) are recovered', () => {
  // From Wednesday 2026-01-07 09:00Z: the window starts mid-week and mid-morning.
  const start = Date.UTC(2026, 0, 7, 9);
  const g = generated([{ constant: 200 }, { daily: { amplitude: 0.6, peakAt: '14:00' } }, { weekly: { weekendFactor: 0.5 } }, { growth: { perDay: 0.01 } }, { noise: { cv: 0.05 } }], start, 14 * D);
  const m = fitDemand('Deployment/shop/web', g.times, g.values, g.start, g.end);
  // The constant is the level at the window's end: 200 × 1.01^14 = 229.89.
  near(m.constant, 200 * 1.01 ** 14, 0.02 * 229.89, 'constant at the end');
  near(m.daily!.amplitude, 0.6, 0.01, 'amplitude');
  assert.equal(m.daily!.peakAt, '14:00');
  near(m.weekly!.weekendFactor, 0.5, 0.01, 'weekendFactor');
  near(m.growth!.perDay, 0.01, 0.0005, 'growth per day');
  near(m.noise!.cv, 0.05, 0.005, 'noise cv');
  assert.ok(m.goodness.r2! > 0.98, `R² ${m.goodness.r2}`); // what is left is the 5% noise
  assert.ok(m.goodness.mapePct! < 5, `MAPE ${m.goodness.mapePct}`);
  assert.deepEqual([m.notFitted, m.warnings], [[], []]);
});

test('demand fit: a missing step (null) is skipped; a window of 36 h on weekdays fits the daily cycle only, and says why not the rest', () => {
  const start = Date.UTC(2026, 0, 6); // Tuesday
  const g = generated([{ constant: 50 }, { daily: { amplitude: 0.3, peakAt: '09:30' } }], start, 36 * 3600_000);
  const values: (number | null)[] = [...g.values];
  values[10] = null;
  const m = fitDemand('Deployment/shop/web', g.times, values, g.start, g.end);
  near(m.daily!.amplitude, 0.3, 0.001, 'amplitude');
  assert.equal(m.daily!.peakAt, '09:30');
  near(m.constant, 50, 0.01, 'constant');
  assert.equal(m.weekly, null);
  assert.equal(m.growth, null);
  assert.deepEqual(m.notFitted, [
    'weekly: not fitted, the window holds no weekend hours (a weekend factor needs both)',
    'growth: not fitted, the window is 1.5 days (a trend needs at least 7: a shorter one compounds a day\'s noise into the forecast)',
  ]);
  assert.equal(m.goodness.n, g.values.length - 1);
});

test('demand fit: a flash sale (4x for an hour a day) bends nothing much (Huber weights) but the fit warns, naming the workload', () => {
  const start = Date.UTC(2026, 0, 5);
  const base = generated([{ constant: 100 }, { daily: { amplitude: 0.5, peakAt: '12:00' } }], start, 7 * D);
  // Every day 20:00-23:00 at 4x: 12% of the steps.
  const values = base.values.map((v, i) => ((base.times[i] / 3600) % 24 >= 20 && (base.times[i] / 3600) % 24 < 23 ? 4 * v : v));
  const m = fitDemand('Deployment/shop/web', base.times, values, base.start, base.end);
  near(m.daily!.amplitude, 0.5, 0.1, 'amplitude under the sales');
  assert.ok(m.goodness.r2! < 0.8 || m.goodness.mapePct! > 20);
  assert.match(m.warnings[0], /^Deployment\/shop\/web: the demand does not follow capsim's patterns well/);
});

test('demand fit: no demand at all is a constant 0, not a crash', () => {
  const m = fitDemand('Deployment/batch/indexer', [0, 60, 120, 180], [0, 0, 0, 0], 0, 180);
  assert.equal(m.constant, 0);
  assert.deepEqual(m.notFitted, ['the demand is 0 throughout: a constant only']);
});

test('weekend weight follows demand.ts: 0 on Friday noon, 0.5 at Saturday 00:00, 1 on Sunday noon, 0.75 at Sunday 23:45', () => {
  const friday = Date.UTC(2026, 0, 9, 12);
  assert.equal(weekendWeight(friday), 0);
  assert.equal(weekendWeight(Date.UTC(2026, 0, 10)), 0.5);
  assert.equal(weekendWeight(Date.UTC(2026, 0, 11, 12)), 1);
  assert.equal(weekendWeight(Date.UTC(2026, 0, 11, 23, 45)), 0.75);
});
