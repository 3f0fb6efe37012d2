// Calibration, the usage fit (issue 16 item 4): synthetic series with known parameters
// (test/support/calibrateSeries.ts) are fitted back; the steps left out are counted with their
// reasons; bursts, heavy-tailed noise and a change of per-request cost mid-window lower the fit's
// goodness and warn, naming the workload (and the time of the change), never crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demandWindowSeconds } from '../src/calibrate/steps.ts';
import { fitUsage } from '../src/calibrate/usageFit.ts';
import { goodness, poorFit } from '../src/calibrate/goodness.ts';
import { robustLine } from '../src/calibrate/robustLine.ts';
import { signTest } from '../src/calibrate/leak.ts';
import { MI, series } from './support/calibrateSeries.ts';
import { RandomStream } from '../src/engine/random.ts';

const near = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} is not within ${relative * 100}% of ${expected}`);

test('goodness: R² and MAPE by hand; an observed ~0 is left out of the MAPE, a flat series has no R²', () => {
  // observed 10, 20, 30, 40 (mean 25, Σ(y−ȳ)² = 500); fitted 12, 18, 30, 44: Σe² = 4+4+0+16 = 24
  // R² = 1 − 24/500 = 0.952; MAPE = (2/10 + 2/20 + 0 + 4/40) / 4 = 0.4 / 4 = 10%
  const g = goodness([10, 20, 30, 40], [12, 18, 30, 44]);
  assert.equal(g.r2!.toFixed(3), '0.952');
  assert.equal(g.mapePct!.toFixed(6), '10.000000');
  // 0.1 is under 1% of the mean |y| (25.025): out of the MAPE, not of R²
  const z = goodness([0.1, 20, 30, 50], [5, 20, 30, 50]);
  assert.equal(z.mapeLeftOut, 1);
  assert.equal(z.mapePct, 0);
  assert.equal(goodness([7, 7, 7], [7, 7, 7]).r2, null);
  assert.equal(poorFit({ r2: 0.79, mapePct: 5.1, n: 10, mapeLeftOut: 0 }), 'R² 0.79 < 0.8');
  // Memory (a model with noise) that hardly follows the load, fitted within 5% everywhere: a low
  // R² alone is not poor there; for CPU (no noise term: bursts) it is.
  assert.equal(poorFit({ r2: 0.1, mapePct: 4, n: 10, mapeLeftOut: 0 }, true), null);
  assert.equal(poorFit({ r2: 0.1, mapePct: 4, n: 10, mapeLeftOut: 0 }), 'R² 0.10 < 0.8');
  assert.equal(poorFit({ r2: 0.95, mapePct: 20.5, n: 10, mapeLeftOut: 0 }), 'MAPE 20.5% > 20%');
  assert.equal(poorFit({ r2: 0.95, mapePct: 3, n: 10, mapeLeftOut: 0 }), null);
});

test('robust line: one wild point in ten does not move Theil–Sen, and x that does not vary leaves the slope unknown', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const y = x.map((v) => 5 + 2 * v);
  y[6] = 1000;
  const line = robustLine(x, y);
  assert.deepEqual([line.intercept, line.slope, line.identified], [5, 2, true]);
  const flat = robustLine([3, 3, 3, 3], [1, 2, 3, 10]);
  assert.deepEqual([flat.slope, flat.intercept, flat.identified], [0, 2.5, false]);
});

test('usage fit: a week at 1 minute with known parameters (CPU 20m + 4m/unit; memory 300Mi + 1Mi/unit, noise 0.05) is recovered, in well under a second', () => {
  const { times, workload } = series(); // 10,080 steps, replicas following the demand (2..5)
  const t0 = performance.now();
  const fit = fitUsage(workload, times, 60);
  const ms = performance.now() - t0;
  near(fit.cpu.base, 20, 0.02, 'CPU base');
  near(fit.cpu.perUnit, 4, 0.01, 'CPU perUnit');
  near(fit.memory.base, 300 * MI, 0.01, 'memory base');
  near(fit.memory.perUnit, MI, 0.05, 'memory perUnit');
  near(fit.memory.noise, 0.05, 0.05, 'memory noise');
  assert.equal(fit.memory.leakPerHour, 0);
  assert.match(fit.memory.leak!.note, /^not significant/);
  assert.ok(fit.cpu.goodness!.r2! > 0.999, `CPU R² ${fit.cpu.goodness!.r2}`);
  assert.ok(fit.cpu.goodness!.mapePct! < 0.5);
  assert.deepEqual([fit.cpu.warnings, fit.memory.warnings, fit.cpu.shift, fit.memory.shift], [[], [], null, null]);
  // Both fits and the search for a change mid-window: ~100 ms on the development machine; the
  // bound leaves room for a loaded CI machine.
  assert.ok(ms < 1000, `fit took ${ms.toFixed(0)} ms`);
});

test('usage fit: steps left out and counted — no replicas, not observed, replicas changed in the CPU rate window, throttled — and the fit does not see them', () => {
  // 1,000 steps at 1m; replicas 4 except 0 at steps 100-109 and 6 from step 500 on; CPU not
  // observed at 200-204; throttled 30% at 700-719 with the CPU there cut to half (what a
  // throttled pod gets), which would drag perUnit down if it were used.
  const { times, workload } = series({
    steps: 1000,
    replicas: (i) => (i >= 100 && i < 110 ? 0 : i >= 500 ? 6 : 4),
    throttledPct: (i) => (i >= 700 && i < 720 ? 30 : 0),
    cpuFactor: (i) => (i >= 700 && i < 720 ? 0.5 : 1),
  });
  for (let i = 200; i < 205; i++) workload.columns.cpu_used_m[i] = null;
  const fit = fitUsage(workload, times, 60);
  // The CPU rate window at a 1m step is 5m: the 5 steps after each change of replicas see it
  // (4 -> 0 at 100, 0 -> 4 at 110: steps 110-114 (110's replicas are 4, its window held 0);
  // 4 -> 6 at 500: 500-504). Steps 100-109 have no replicas.
  // Not observed: 200-204, and 0-3, whose 5-minute window reaches before the series (the demand,
  // a gauge here, is averaged over the CPU's window to pair with it).
  assert.deepEqual(fit.cpu.leftOut, { 'no Ready replicas': 10, 'not observed': 9, 'replicas changed in the CPU rate window': 10, 'CPU throttled > 1%': 20 });
  assert.equal(fit.cpu.used, 1000 - 49);
  assert.deepEqual(fit.memory.leftOut, { 'no Ready replicas': 10 }); // memory is the value at the step
  near(fit.cpu.perUnit, 4, 0.01, 'CPU perUnit');
  near(fit.cpu.base, 20, 0.02, 'CPU base');
});

test('usage fit: steps with more pods than Ready replicas are left out (the others\' base is in the total, their load is not), fewer are used, and replicas_ready empty falls back to pods', () => {
  const { times, workload } = series({ steps: 600 });
  for (let i = 300; i < 310; i++) workload.columns.pods[i] = (workload.columns.replicas_ready[i] as number) + 1;
  // Fewer pods than Ready replicas (capsim export openmetrics writes a workload as one pod with
  // its totals; a missed scrape) says nothing of readiness: used.
  for (let i = 400; i < 450; i++) workload.columns.pods[i] = 1;
  const fit = fitUsage(workload, times, 60);
  // 300-309, and 310-314 whose 5-minute CPU window still held one of them.
  assert.equal(fit.cpu.leftOut['not all pods Ready'], 15);
  const fallback = series({ steps: 600 });
  fallback.workload.columns.replicas_ready = fallback.workload.columns.replicas_ready.map(() => null);
  const f2 = fitUsage(fallback.workload, fallback.times, 60);
  near(f2.cpu.perUnit, 4, 0.01, 'perUnit with pods as N');
});

test('usage fit: without a --demand query the CPU model is the identity (base 0, 1000m per unit), not a fit, with no R²', () => {
  const { times, workload } = series({ steps: 600, demandQuery: null });
  workload.columns.demand = workload.columns.cpu_used_m.map((m) => (m === null ? null : m / 1000));
  const fit = fitUsage(workload, times, 60);
  assert.deepEqual([fit.cpu.identity, fit.cpu.base, fit.cpu.perUnit, fit.cpu.goodness], [true, 0, 1000, null]);
  assert.ok(fit.memory.goodness !== null); // memory is still fitted against the cores per pod
});

test('usage fit: a deploy that raises the per-request cost from 4m to 6m on day 4 is found, named with its time, and warned about', async () => {
  // 7 days at 1m from Monday 00:00; the change at step 5,760 = Friday 00:00 (day 4).
  const { times, workload } = series({ cpuPerUnitMilli: (i) => (i < 5760 ? 4 : 6) });
  const fit = fitUsage(workload, times, 60);
  assert.ok(fit.cpu.shift, 'a change is reported');
  near(fit.cpu.shift!.perUnitBefore, 4, 0.03, 'before');
  near(fit.cpu.shift!.perUnitAfter, 6, 0.03, 'after');
  // The split is searched at 0.5% steps of the points near the best 5% step: 0.5% of a week is
  // 50 minutes.
  const hoursOff = Math.abs(Date.parse(fit.cpu.shift!.time) - Date.UTC(2026, 0, 9)) / 3.6e6;
  assert.ok(hoursOff <= 1, `change found at ${fit.cpu.shift!.time}`);
  const warning = fit.cpu.warnings.find((w) => w.includes('per-unit cost changed'));
  assert.match(warning!, /^Deployment\/shop\/web: CPU per-unit cost changed around 2026-01-(08T23|09T00):\d\d:00Z \(4\.\d+m before, 6\.\d+m after per unit\/s, 3\d% apart; a deploy\?\)/);
  // The report's table says it in the cell of the fit, beside its R².
  const { calibrationReport } = await import('../src/calibrate/calibrationReport.ts');
  const report = calibrationReport({ input: { dir: '', window: { startSeconds: times[0], endSeconds: times.at(-1)!, stepSeconds: 60 }, times, workloads: [workload], pools: new Map(), forecastSeconds: null }, workloads: [{ observed: workload, usage: fit, containers: null, demand: null, warnings: fit.cpu.warnings }], scenarioProblem: null, replaced: [], notInScenario: [], fileWarnings: [], files: ['calibration.json', 'backtest.yaml'] });
  assert.match(report, /\| 2\d\.\d\dm \+ \d\.\d\dm\/unit \(R² -?\d\.\d{3}, MAPE \d+\.\d%, n \d+\); \*\*changed mid-window\*\* at 2026-01-(08T23|09T00):\d\d:00Z \(3\d%\) \|/);
  // One line for all of the window (R² below 0: never a good fit) and one for the change.
  assert.match(report, /### Warnings\n\n- Deployment\/shop\/web: poor CPU fit \(R² -0\.\d\d < 0\.8\)[^\n]*\n- Deployment\/shop\/web: CPU per-unit cost changed around/);
  // Unchanged costs are not flagged: the same week at 4m throughout.
  assert.equal(fitUsage(series().workload, times, 60).cpu.shift, null);
});

test('usage fit: bursts (5% of the steps at 5x) leave the robust fit near the truth but lower R², raise MAPE and warn', () => {
  const { times, workload } = series({ cpuFactor: (i, r) => (r.next() < 0.05 ? 5 : 1) });
  const fit = fitUsage(workload, times, 60);
  near(fit.cpu.perUnit, 4, 0.1, 'perUnit under bursts');
  assert.ok(fit.cpu.goodness!.r2! < 0.8, `R² ${fit.cpu.goodness!.r2}`);
  assert.match(fit.cpu.warnings.join('\n'), /^Deployment\/shop\/web: poor CPU fit \(R² -?\d\.\d\d < 0\.8/m);
});

test('usage fit: heavy-tailed noise (Cauchy, scale 0.2) raises MAPE over 20% and warns, without a crash or a negative model', () => {
  const { times, workload } = series({ cpuFactor: (i, r) => Math.max(0.05, 1 + 0.2 * Math.tan(Math.PI * (r.next() - 0.5))) });
  const fit = fitUsage(workload, times, 60);
  assert.ok(fit.cpu.perUnit > 0 && fit.cpu.base >= 0);
  near(fit.cpu.perUnit, 4, 0.15, 'perUnit under Cauchy noise');
  assert.ok(fit.cpu.goodness!.mapePct! > 20, `MAPE ${fit.cpu.goodness!.mapePct}`);
  assert.match(fit.cpu.warnings.join('\n'), /poor CPU fit .*MAPE \d+\.\d% > 20%/);
});

test('memory leak: 20Mi/h per pod within stretches of constant replicas is found (sign test) and kept; none is not', () => {
  // Replicas change once a day (3 on even days, 4 on odd): stretches of 24 h, cut into 6 h chunks.
  const replicas = (i: number) => (Math.floor(i / 1440) % 2 === 0 ? 3 : 4);
  const leaky = series({ replicas, leakBytesPerHour: 20 * MI, memNoise: 0.02 });
  const fit = fitUsage(leaky.workload, leaky.times, 60);
  assert.equal(fit.memory.leak!.fitted, true);
  near(fit.memory.leakPerHour, 20 * MI, 0.05, 'leak per hour');
  assert.match(fit.memory.leak!.note, /^fitted: the per-pod memory residual rises 19\.\d\dMi\/h|^fitted: the per-pod memory residual rises 20\.\d\dMi\/h/);
  // The noise is relative to the fitted level, whose base holds the pods' mean leak (about
  // 20Mi/h × 12 h): what must match is the spread in bytes, 2% of 300Mi + ~30Mi = ~6.6Mi.
  near(fit.memory.noise * (fit.memory.base + fit.memory.perUnit * 30), 0.02 * 330 * MI, 0.15, 'noise around the leak, in bytes');
  const clean = series({ replicas, memNoise: 0.02 });
  const none = fitUsage(clean.workload, clean.times, 60);
  assert.equal(none.memory.leakPerHour, 0);
  // The sign test: 7 of 7 chunks rising has p = 1/128 = 0.0078; 6 of 7 has p = 8/128 = 0.0625.
  assert.equal(signTest(7, 7), 1 / 128);
  assert.equal(signTest(6, 7), 8 / 128);
});

test('usage fit: a demand that never varies cannot tell perUnit from base: perUnit 0, base the median, and a warning', () => {
  const { times, workload } = series({ steps: 600, demand: () => 50, replicas: () => 2 });
  const fit = fitUsage(workload, times, 60);
  assert.equal(fit.cpu.identified, false);
  assert.equal(fit.cpu.perUnit, 0);
  near(fit.cpu.base, 20 + 4 * 25, 0.001, 'base = the CPU per pod');
  assert.match(fit.cpu.warnings[0], /^Deployment\/shop\/web: CPU perUnit not fitted: the load per pod hardly varied/);
});

test('usage fit: too few usable steps is a warning, not a crash', () => {
  const { times, workload } = series({ steps: 10, replicas: () => 0 });
  const fit = fitUsage(workload, times, 60);
  assert.equal(fit.cpu.goodness, null);
  assert.match(fit.cpu.warnings[0], /^Deployment\/shop\/web: CPU not fitted: 0 of 10 steps usable \(10 no Ready replicas\)/);
});

test('usage and demand fits never throw: random series with gaps, zeros, spikes and constant stretches', async () => {
  const { fitDemand } = await import('../src/calibrate/demandFit.ts');
  const { RandomStream } = await import('../src/engine/random.ts');
  const r = new RandomStream('calibrate-fuzz', 5);
  for (let round = 0; round < 30; round++) {
    const steps = 1 + r.int(400);
    const pick = () => {
      const u = r.next();
      return u < 0.1 ? null : u < 0.2 ? 0 : u < 0.25 ? 1e12 * r.next() : u < 0.5 ? 7 : 1000 * r.next();
    };
    const { times, workload } = series({ steps });
    for (const c of ['pods', 'replicas_ready', 'cpu_used_m', 'memory_used_bytes', 'demand', 'cpu_throttled_pct', 'oom_kills']) workload.columns[c] = Array.from({ length: steps }, pick);
    const fit = fitUsage(workload, times, 60);
    for (const f of [fit.cpu, fit.memory]) assert.ok(Number.isFinite(f.base) && Number.isFinite(f.perUnit) && f.base >= 0 && f.perUnit >= 0, JSON.stringify(f));
    const d = fitDemand('w', times, workload.columns.demand, times[0], times.at(-1)!);
    assert.ok(Number.isFinite(d.constant) && d.constant >= 0);
  }
});

test('usage fit: CPU and demand as Prometheus gives them (means over the 5 minutes before each step) with replicas changing often still give the parameters', () => {
  // A day at 1m, replicas following the demand (2..5); the CPU is the mean over the 5 steps up to
  // each one (series() writes it so), and so is the demand here: a request counter's
  // rate(...[5m]), as the query says. Replicas and memory are values at the step.
  const { times, workload } = series({ steps: 1440, memNoise: 0, demandQuery: 'sum(rate(http_requests_total{service="web"}[5m]))' });
  const mean5 = (v: (number | null)[]) => v.map((_, i) => (i < 4 ? null : (v.slice(i - 4, i + 1) as number[]).reduce((a, b) => a + b, 0) / 5));
  workload.columns.demand = mean5(workload.columns.demand);
  const fit = fitUsage(workload, times, 60);
  // Steps whose window saw the replicas change are the ones that would mix two loads per pod.
  assert.ok(fit.cpu.leftOut['replicas changed in the CPU rate window']! > 0);
  near(fit.cpu.perUnit, 4, 0.01, 'CPU perUnit');
  near(fit.cpu.base, 20, 0.03, 'CPU base');
  // Those steps are the only misfits: with them left out R² is 0.99999; kept, they would bring
  // it to 0.998 (the robust line itself moves little either way).
  assert.ok(fit.cpu.goodness!.r2! > 0.9999, `R² ${fit.cpu.goodness!.r2}`);
});

test('the demand query says over what window each value is a mean: its longest range selector, none for a gauge, the CPU window without a query', () => {
  assert.equal(demandWindowSeconds('sum(rate(http_requests_total{service="web"}[5m]))', 60), 300);
  assert.equal(demandWindowSeconds('sum(rate(a[1m])) + sum(increase(b[1h30m])) / 5400', 60), 5400);
  assert.equal(demandWindowSeconds('max_over_time(sum(rate(a[2m]))[10m:1m])', 60), 600);
  assert.equal(demandWindowSeconds('sum(http_requests_in_flight)', 60), 0);
  assert.equal(demandWindowSeconds(null, 60), 300);
  assert.equal(demandWindowSeconds(null, 900), 900);
});

test('memory per unit against a rate[5m] demand: the memory is averaged over the same 5 minutes, so the line is not flattened', () => {
  // A day at 1m, noisy demand (10% white noise at each step) and memory 300Mi + 2Mi/unit with no
  // noise of its own. The demand column is what rate(...[5m]) gives, the mean of the 5 steps up
  // to each one; the memory is the value at the step. Paired as they are, the demand's noise
  // would sit in x only and flatten the slope; averaged alike, the slope comes back.
  const wobble = new RandomStream('demand-wobble', 7);
  const { times, workload } = series({ steps: 1440, memNoise: 0, memPerUnitBytes: 2 * MI, demandQuery: 'sum(rate(http_requests_total[5m]))', demand: (i) => 100 * (1 + 0.5 * Math.cos((2 * Math.PI * (i * 60 - 14 * 3600)) / 86_400)) * (1 + 0.1 * wobble.normal()) });
  const d = workload.columns.demand as number[];
  workload.columns.demand = d.map((_, i) => (i < 4 ? null : d.slice(i - 4, i + 1).reduce((a, b) => a + b, 0) / 5));
  const fit = fitUsage(workload, times, 60);
  near(fit.memory.perUnit, 2 * MI, 0.02, 'memory perUnit');
  near(fit.memory.base, 300 * MI, 0.01, 'memory base');
  // The same columns with the query read as a gauge: memory at the step against a 5-minute mean.
  const asGauge = fitUsage({ ...workload, demandQuery: 'sum(http_requests_per_second)' }, times, 60);
  assert.ok(Math.abs(asGauge.memory.perUnit - 2 * MI) > Math.abs(fit.memory.perUnit - 2 * MI), `gauge ${asGauge.memory.perUnit / MI}Mi, rate ${fit.memory.perUnit / MI}Mi`);
});

test('a per-unit cost the load per pod barely moves is flagged uncertain, with its 95% interval and the loads seen', () => {
  // Replicas follow the demand closely (30 units/s a pod), so the load per pod stays 25-30 and a
  // memory cost of 0.2Mi/unit (6Mi a pod) hides in 5% noise (15Mi a pod).
  const { times, workload } = series({ steps: 2880, memPerUnitBytes: 0.2 * MI, memNoise: 0.05 });
  const fit = fitUsage(workload, times, 60);
  const [lo, hi] = fit.memory.perUnitInterval!;
  assert.ok(lo < 0.2 * MI && 0.2 * MI < hi, `interval ${lo / MI}..${hi / MI}Mi`);
  assert.ok(fit.memory.warnings.some((w) => /^Deployment\/shop\/web: memory perUnit uncertain: .* 95% interval .* because the load per pod only varied from [\d.]+ to [\d.]+ units\/s/.test(w)), fit.memory.warnings.join('\n'));
  // CPU, 4m/unit with no noise: a tight interval, no such warning.
  const [clo, chi] = fit.cpu.perUnitInterval!;
  assert.ok(chi - clo < 0.05 * 4, `CPU interval ${clo}..${chi}`);
  assert.ok(!fit.cpu.warnings.some((w) => w.includes('uncertain')));
});

test('a base below 0 is set to 0, and said only when it matters: a hair below 0 (rounding) is not, a line crossing 0 well above no load is', () => {
  // CPU all per unit (0m + 4m/unit): the fitted base lands within a rounding of 0, no warning.
  const plain = series({ steps: 1440, cpuBaseMilli: 0, memNoise: 0 });
  const fit = fitUsage(plain.workload, plain.times, 60);
  assert.equal(fit.cpu.base, 0);
  assert.deepEqual(fit.cpu.warnings, []);
  // -60m + 4m/unit at 25-35 units/s a pod (40-80m a pod): the line crosses 0 at 15 units/s.
  const crossing = series({ steps: 1440, cpuBaseMilli: -60, memNoise: 0 });
  const f2 = fitUsage(crossing.workload, crossing.times, 60);
  assert.equal(f2.cpu.base, 0);
  assert.ok(f2.cpu.warnings.some((w) => /^Deployment\/shop\/web: CPU base -\d+(\.\d+)?m < 0 set to 0/.test(w)), f2.cpu.warnings.join('\n'));
});
