// The study over a sweep's runs, on hand-made plans and summaries: the flags parsed, percentiles
// as numpy computes them, the best configuration and the Pareto fronts as worked out by hand,
// sweep.csv to the byte, a failed run recorded beside the others, the same files twice, an
// escaped page, and charts that validate, compile without warnings and render in Chromium.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { crossProduct, type PlannedRun, type RunOutcome, type SweepPlan, type Vary } from '../src/sweep/plan.ts';
import type { Summary } from '../src/outputs/summary.ts';
import { InputError } from '../src/scenario/errors.ts';
import {
  analyse, bestLine, checkKeys, figureKeys, flatten, paretoFront, parseConstraint, parseObjective, percentile, seedValues, stats,
} from '../src/sweep/study.ts';
import { sweepCsv, sweepJson, sweepSummaryCsv, writeSweepResults } from '../src/sweep/results.ts';
import { sweepCharts } from '../src/sweep/sweepCharts.ts';
import { sweepPage } from '../src/sweep/sweepPage.ts';
import { compileChart, svgToPng } from '../src/report/render.ts';
import { renderAll } from '../src/report/report.ts';
import { checkReportInBrowser, chromiumAvailable } from './browser.ts';
import { scratchDir } from './support/run.ts';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Hand-made sweeps

const COUNT = 'spec.cluster.nodePools[0].count';
const TARGET = 'spec.workloads[0].hpa.targetCPUUtilizationPercentage';

function makePlan(varies: Vary[], seeds: number): SweepPlan {
  const configs = crossProduct(varies);
  const runs: PlannedRun[] = [];
  for (const config of configs) {
    for (let s = 0; s < seeds; s++) {
      runs.push({ index: runs.length, config: config.index, seedIndex: s, seed: 42 + s, id: `${config.id}-s${42 + s}`, key: `k${runs.length}` });
    }
  }
  return {
    capsim: '0.1.0', scenarioFile: '/somewhere/study.yaml', scenarioName: 'study', scenarioSeed: 42, inputFiles: ['/somewhere/study.yaml'],
    contentHash: 'h', sets: [], varies, seeds, configs, runs,
  };
}

interface Figures {
  cost: number;
  served: number | null;
  oom: number;
  nodes?: number;
}

function summary(f: Figures, seed = 42): Summary {
  return {
    scenario: 'study',
    seed,
    durationSeconds: 3600,
    cost: { totalUsd: f.cost, byPool: { general: f.cost } },
    demand: { servedPct: f.served },
    pods: { oomKills: f.oom },
    nodes: { max: f.nodes ?? 3 },
  } as unknown as Summary;
}

const ok = (run: PlannedRun, f: Figures): RunOutcome => ({ run, status: 'ok', summary: summary(f, run.seed), error: null });
const failed = (run: PlannedRun, error: string): RunOutcome => ({ run, status: 'failed', summary: null, error });

/** 2 varies x 2 values x 2 seeds. Per configuration (seed 42, seed 43):
 *  c001 (3, 60): cost 10, 12       served 99.5, 99.7     oom 0, 0   -> breaks served>=99.9 twice
 *  c002 (3, 80): cost 9, 11        served 99.95, 99.92   oom 0, 1   -> breaks oom==0 once
 *  c003 (4, 60): cost 14, 16       served 100, 99.99     oom 0, 0   -> feasible, mean cost 15
 *  c004 (4, 80): cost 13, 13.5     served 99.95, 99.9    oom 0, 0   -> feasible, mean cost 13.25 */
const FIGURES: Figures[] = [
  { cost: 10, served: 99.5, oom: 0 }, { cost: 12, served: 99.7, oom: 0 },
  { cost: 9, served: 99.95, oom: 0 }, { cost: 11, served: 99.92, oom: 1 },
  { cost: 14, served: 100, oom: 0 }, { cost: 16, served: 99.99, oom: 0 },
  { cost: 13, served: 99.95, oom: 0 }, { cost: 13.5, served: 99.9, oom: 0 },
];

function study(): { plan: SweepPlan; outcomes: RunOutcome[] } {
  const plan = makePlan([{ path: COUNT, values: ['3', '4'] }, { path: TARGET, values: ['60', '80'] }], 2);
  return { plan, outcomes: plan.runs.map((run, i) => ok(run, FIGURES[i])) };
}

const SERVED_999 = parseConstraint('demand.servedPct>=99.9');
const NO_OOM = parseConstraint('pods.oomKills==0');

function inputError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InputError && pattern.test(e.message), String(pattern));
}

// ---------------------------------------------------------------------------------------------
// Flags

test('objective: a figure is minimized, max: maximizes it, a limit is not an objective', () => {
  assert.deepEqual(parseObjective('cost.totalUsd'), { key: 'cost.totalUsd', direction: 'min', text: 'cost.totalUsd' });
  assert.deepEqual(parseObjective('max:demand.servedPct'), { key: 'demand.servedPct', direction: 'max', text: 'max:demand.servedPct' });
  assert.deepEqual(parseObjective(' min: cost.idleUsd '), { key: 'cost.idleUsd', direction: 'min', text: 'min: cost.idleUsd' });
  inputError(() => parseObjective(''), /^--objective: "" is not a figure[^]*hint: a dotted figure/);
  inputError(() => parseObjective('cost.totalUsd<10'), /hint: a limit goes in --constraint/);
});

test('constraint: FIGURE OP NUMBER with the six operators, spaces allowed; anything else is an input error', () => {
  assert.deepEqual(parseConstraint('demand.servedPct>=99.9'), { text: 'demand.servedPct>=99.9', key: 'demand.servedPct', op: '>=', value: 99.9 });
  assert.deepEqual(parseConstraint(' pods.oomKills == 0 '), { text: 'pods.oomKills == 0', key: 'pods.oomKills', op: '==', value: 0 });
  for (const op of ['>=', '<=', '==', '!=', '>', '<']) assert.equal(parseConstraint(`nodes.max ${op} 5`).op, op);
  assert.equal(parseConstraint('cost.totalUsd<-1.5e1').value, -15);
  inputError(() => parseConstraint('pods.oomKills=0'), /^--constraint: "pods.oomKills=0" is not FIGURE OP NUMBER\n    hint: use == for equality/);
  inputError(() => parseConstraint('demand.servedPct>=lots'), /"lots" is not a number/);
  inputError(() => parseConstraint('demand.servedPct>='), /"" is not a number/);
  inputError(() => parseConstraint('>= 3'), /is not FIGURE OP NUMBER/);
  inputError(() => parseConstraint('99.9 <= demand.servedPct'), /"99.9" is not a figure/);
});

test('checkKeys: a misspelt figure names the closest one; a group names its figures; every problem at once', () => {
  const sample = summary({ cost: 1, served: null, oom: 0 });
  checkKeys({ objective: parseObjective('cost.totalUsd'), constraints: [SERVED_999, NO_OOM] }, sample); // null served is a figure
  checkKeys({ objective: parseObjective('cost.byPool.general'), constraints: [] }, sample);
  assert.throws(
    () => checkKeys({ objective: parseObjective('cost.total'), constraints: [parseConstraint('pods.oomkill==0'), parseConstraint('cost.byPool<3')] }, sample),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.problems.length, 3);
      assert.equal(e.message, [
        '--objective: cost.total is not a number in summary.json\n    hint: did you mean cost.totalUsd?',
        '--constraint: pods.oomkill is not a number in summary.json\n    hint: did you mean pods.oomKills?',
        '--constraint: cost.byPool is not a number in summary.json\n    hint: cost.byPool holds several figures; name one: cost.byPool.general',
      ].join('\n'));
      return true;
    },
  );
  inputError(() => checkKeys({ objective: parseObjective('zzz'), constraints: [] }, sample), /^--objective: zzz is not a number[^]*e\.g\. cost\.totalUsd/);
});

// ---------------------------------------------------------------------------------------------
// Figures and statistics

test('flatten: every number under its dotted key, null kept, scenario and seed left out', () => {
  const flat = flatten(summary({ cost: 1.5, served: null, oom: 2 }));
  assert.deepEqual([...flat], [
    ['durationSeconds', 3600], ['cost.totalUsd', 1.5], ['cost.byPool.general', 1.5], ['demand.servedPct', null], ['pods.oomKills', 2], ['nodes.max', 3],
  ]);
});

test('figure columns: first appearance order, a key new in a later run beside its neighbour', () => {
  const a = new Map([['cost.totalUsd', 1], ['cost.byPool.general', 1], ['pods.oomKills', 0]]);
  const b = new Map([['cost.totalUsd', 1], ['cost.byPool.general', 1], ['cost.byPool.spot', 1], ['cost.byPool.zz', 1], ['pods.oomKills', 0]]);
  assert.deepEqual(figureKeys([a, b]), ['cost.totalUsd', 'cost.byPool.general', 'cost.byPool.spot', 'cost.byPool.zz', 'pods.oomKills']);
});

test('percentiles by linear interpolation between closest ranks (numpy default)', () => {
  // h = (n-1)p: p5 of [1,2,3,4] -> h = 0.15 -> 1 + 0.15 = 1.15; p95 -> h = 2.85 -> 3 + 0.85 = 3.85.
  // (numpy too gives 3.8499999999999996: h = 3 x 0.95 is not exact; stats() rounds to 6 decimals.)
  assert.ok(Math.abs(percentile([1, 2, 3, 4], 0.05) - 1.15) < 1e-12);
  assert.ok(Math.abs(percentile([1, 2, 3, 4], 0.95) - 3.85) < 1e-12);
  assert.equal(percentile([7], 0.95), 7);
  // Unsorted, with nulls skipped; rounded to 6 decimals: numpy.percentile([10, 12], 5) = 10.1.
  assert.deepEqual(stats([4, null, 1, 3, 2]), { mean: 2.5, p5: 1.15, p95: 3.85, n: 4 });
  assert.deepEqual(stats([12, 10]), { mean: 11, p5: 10.1, p95: 11.9, n: 2 });
  assert.deepEqual(stats([null]), { mean: null, p5: null, p95: null, n: 0 });
  // 0.1 + 0.2 noise rounded away.
  assert.equal(stats([0.1, 0.2]).mean, 0.15);
});

// ---------------------------------------------------------------------------------------------
// The study

test('best: the cheapest configuration meeting every constraint in every seed (c004, mean 13.25)', () => {
  const { plan, outcomes } = study();
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [SERVED_999, NO_OOM]);
  assert.deepEqual(a.configs.map((c) => [c.config.id, c.meetsAll, c.violatingRuns, c.objective?.mean]), [
    ['c001', false, 2, 11],
    ['c002', false, 1, 10],
    ['c003', true, 0, 15],
    ['c004', true, 0, 13.25],
  ]);
  assert.deepEqual(a.byConstraint.map((c) => [c.constraint.text, c.violatingRuns, c.okRuns]), [['demand.servedPct>=99.9', 2, 8], ['pods.oomKills==0', 1, 8]]);
  assert.deepEqual(a.feasible.map((c) => c.config.id), ['c003', 'c004']);
  assert.equal(a.best?.config.id, 'c004');
  // cost [13, 13.5]: p5 = 13 + 0.05 x 0.5 = 13.025, p95 = 13.475.
  assert.deepEqual(a.best?.objective, { mean: 13.25, p5: 13.025, p95: 13.475, n: 2 });
  assert.equal(a.mostFailed, null);
  assert.equal(
    bestLine(a, plan),
    `best: c004 (${COUNT}=4, ${TARGET}=80): cost.totalUsd mean $13.25 (p5 $13.03, p95 $13.48) over 2 seeds; meets demand.servedPct>=99.9, pods.oomKills==0 in every seed`,
  );
});

test('max: the configuration serving the most demand (c003, mean 99.995), not the cheapest', () => {
  const { plan, outcomes } = study();
  const a = analyse(plan, outcomes, parseObjective('max:demand.servedPct'), [SERVED_999, NO_OOM]);
  assert.equal(a.best?.config.id, 'c003');
  assert.equal(a.best?.objective?.mean, 99.995);
  // Without constraints every configuration is feasible: c003 still serves the most.
  assert.equal(analyse(plan, outcomes, parseObjective('max:demand.servedPct'), []).best?.config.id, 'c003');
  // Without an objective no best, but the feasible ones are still listed.
  const none = analyse(plan, outcomes, null, [SERVED_999, NO_OOM]);
  assert.equal(none.best, null);
  assert.deepEqual(none.feasible.map((c) => c.config.id), ['c003', 'c004']);
  assert.equal(bestLine(none, plan), '2 of 4 configurations meet demand.servedPct>=99.9, pods.oomKills==0 in every seed (c003, c004); no --objective to rank them');
});

test('ties on the objective go to the first configuration', () => {
  const plan = makePlan([{ path: COUNT, values: ['3', '4'] }], 1);
  const outcomes = plan.runs.map((run) => ok(run, { cost: 5, served: 100, oom: 0 }));
  assert.equal(analyse(plan, outcomes, parseObjective('cost.totalUsd'), []).best?.config.id, 'c001');
});

test('none meets: the constraint broken by the most runs, with its count, and the closest configuration', () => {
  const { plan, outcomes } = study();
  // served >= 99.995 holds only for c003's seed 42 (100): broken by 2 + 2 + 1 + 2 = 7 of 8 runs.
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [parseConstraint('demand.servedPct>=99.995'), NO_OOM]);
  assert.equal(a.best, null);
  assert.deepEqual(a.feasible, []);
  assert.equal(a.mostFailed?.constraint.text, 'demand.servedPct>=99.995');
  assert.equal(a.mostFailed?.violatingRuns, 7);
  // c003 has one bad run, every other configuration two.
  assert.equal(a.closest?.config.id, 'c003');
  assert.equal(
    bestLine(a, plan),
    `no configuration meets every constraint: demand.servedPct>=99.995 failed in 7 of 8 runs (the most); closest: c003 (${COUNT}=4, ${TARGET}=60), 1 of 2 runs misses a constraint; cost.totalUsd mean $15.00 (p5 $14.10, p95 $15.90) over 2 seeds`,
  );
  // Every run has 3 nodes, so nodes.max!=3 is broken by all 8 and every configuration has 2 bad
  // runs: the closest is then the cheapest, c002 (mean 10).
  const b = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [parseConstraint('demand.servedPct>99.99'), parseConstraint('nodes.max!=3')]);
  assert.equal(b.mostFailed?.constraint.text, 'nodes.max!=3');
  assert.equal(b.mostFailed?.violatingRuns, 8);
  assert.equal(b.closest?.config.id, 'c002');
});

test('a failed run is recorded with its error, the rest go on, and its configuration is not feasible', async () => {
  const { plan, outcomes } = study();
  outcomes[6] = failed(plan.runs[6], 'simulation failed: boom, at 3h');
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [SERVED_999, NO_OOM]);
  assert.equal(a.failedRuns, 1);
  assert.equal(a.okRuns, 7);
  const c004 = a.configs[3];
  assert.deepEqual([c004.runs, c004.failed, c004.meetsAll, c004.objective?.mean, c004.objective?.n], [2, 1, false, 13.5, 1]);
  assert.equal(a.best?.config.id, 'c003');
  assert.deepEqual(a.byConstraint.map((c) => c.okRuns), [7, 7]);
  const csv = await sweepCsv(plan, outcomes, a);
  const row = csv.split('\n').find((line) => line.startsWith('c004-s42,'));
  assert.equal(row, `c004-s42,c004,4,80,42,failed,"simulation failed: boom, at 3h",,,,,,,,`);
  assert.deepEqual(sweepJson(plan, outcomes, a).failed, [{ run: 'c004-s42', config: 'c004', seed: 42, error: 'simulation failed: boom, at 3h' }]);
  // Every configuration failing: none meets, and the line says why.
  const all = plan.runs.map((run) => failed(run, 'x'));
  const none = analyse(plan, all, parseObjective('cost.totalUsd'), [SERVED_999]);
  assert.equal(none.mostFailed, null);
  assert.match(bestLine(none, plan), /^no configuration meets every constraint: 8 runs stopped with an error; closest: c001 .*, 2 of 2 runs miss a constraint or stop with an error$/);
});

test('a pool some seeds lack costs $0 in them: its mean is over every seed, not over those that had it', () => {
  // c001: seed 42 had a spot node ($4 of $10), seed 43 none ($12, all on general). c002: no spot
  // at all. Spot mean of c001 = (4 + 0) / 2 = 2 over 2 seeds; c002 has no spot figure.
  const plan = makePlan([{ path: COUNT, values: ['3', '4'] }], 2);
  const withPools = (run: PlannedRun, byPool: Record<string, number>): RunOutcome => {
    const s = summary({ cost: Object.values(byPool).reduce((a, b) => a + b, 0), served: 100, oom: 0 }, run.seed);
    return { run, status: 'ok', summary: { ...s, cost: { ...s.cost, byPool } }, error: null };
  };
  const outcomes = [
    withPools(plan.runs[0], { general: 6, spot: 4 }), withPools(plan.runs[1], { general: 12 }),
    withPools(plan.runs[2], { general: 9 }), withPools(plan.runs[3], { general: 11 }),
  ];
  const a = analyse(plan, outcomes, null, []);
  assert.deepEqual(a.configs[0].figures.get('cost.byPool.spot'), { mean: 2, p5: 0.2, p95: 3.8, n: 2 });
  assert.deepEqual(a.configs[0].figures.get('cost.byPool.general'), { mean: 9, p5: 6.3, p95: 11.7, n: 2 });
  assert.deepEqual(a.configs[1].figures.get('cost.byPool.spot'), { mean: null, p5: null, p95: null, n: 0 });
  // Not a breakdown: a figure a seed lacks is not made up (a summary lacking one is damaged and
  // run again before it gets here; runStore.ts).
  assert.deepEqual(seedValues([new Map([['nodes.max', 3]]), new Map()], 'nodes.max'), [3, undefined]);
});

// ---------------------------------------------------------------------------------------------
// Pareto fronts

test('Pareto front: dominated points off, equal points both on', () => {
  // Both minimized. A(1,5) B(2,3) C(2,3) = B, D(3,4) dominated by B, F(2,6) dominated by A and B,
  // G(4,1) the least y, H(1,6) same x as A but worse y.
  const points: [number, number][] = [[1, 5], [2, 3], [2, 3], [3, 4], [2, 6], [4, 1], [1, 6]];
  assert.deepEqual(paretoFront(points), [true, true, true, false, false, true, false]);
  assert.deepEqual(paretoFront([]), []);
  assert.deepEqual(paretoFront([[1, 1], [1, 1]]), [true, true]);
});

test('Pareto marks of the hand-made sweep: configurations by their means, runs by their own figures', () => {
  const { plan, outcomes } = study();
  const a = analyse(plan, outcomes, null, []);
  // Means (cost, served): c001 (11, 99.6), c002 (10, 99.935), c003 (15, 99.995), c004 (13.25, 99.925).
  // c002 is cheaper and serves more than c001 and c004; c003 serves the most.
  assert.deepEqual(a.configs.map((c) => c.paretoCostServed), [false, true, true, false]);
  // (cost, oom): c001 (11, 0), c002 (10, 0.5), c003 (15, 0), c004 (13.25, 0): c001 beats c003 and c004.
  assert.deepEqual(a.configs.map((c) => c.paretoCostOom), [true, true, false, false]);
  // Runs (cost, served): 9/99.95 (c002 s42) beats all with cost >= 9 and served <= 99.95; then
  // 14/100 (c003 s42) is the only one serving more. (cost, oom): 9/0 beats every other run.
  assert.deepEqual(a.runs.map((r) => r.paretoCostServed), [false, false, true, false, true, false, false, false]);
  assert.deepEqual(a.runs.map((r) => r.paretoCostOom), [false, false, true, false, false, false, false, false]);
  const json = sweepJson(plan, outcomes, a);
  assert.deepEqual(json.pareto, {
    costServed: { configs: ['c002', 'c003'], runs: ['c002-s42', 'c003-s42'] },
    costOom: { configs: ['c001', 'c002'], runs: ['c002-s42'] },
  });
});

// ---------------------------------------------------------------------------------------------
// Files

test('sweep.csv of two runs, to the byte; served null and failed figures are empty cells', async () => {
  const plan = makePlan([{ path: COUNT, values: ['3', '4'] }], 1);
  const outcomes = [ok(plan.runs[0], { cost: 1.5, served: null, oom: 0 }), failed(plan.runs[1], 'boom, at 3h')];
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [NO_OOM]);
  assert.equal(await sweepCsv(plan, outcomes, a), [
    `run,config,${COUNT},seed,status,error,durationSeconds,cost.totalUsd,cost.byPool.general,demand.servedPct,pods.oomKills,nodes.max,pareto_cost_served,pareto_cost_oom`,
    'c001-s42,c001,3,42,ok,,3600,1.5,1.5,,0,3,,1',
    'c002-s42,c002,4,42,failed,"boom, at 3h",,,,,,,,',
    '',
  ].join('\n'));
  assert.equal(await sweepSummaryCsv(plan, outcomes, a), [
    `config,${COUNT},runs,failed,meets_constraints,objective_mean,pareto_cost_served,pareto_cost_oom,` +
      'durationSeconds.mean,durationSeconds.p5,durationSeconds.p95,cost.totalUsd.mean,cost.totalUsd.p5,cost.totalUsd.p95,' +
      'cost.byPool.general.mean,cost.byPool.general.p5,cost.byPool.general.p95,demand.servedPct.mean,demand.servedPct.p5,demand.servedPct.p95,' +
      'pods.oomKills.mean,pods.oomKills.p5,pods.oomKills.p95,nodes.max.mean,nodes.max.p5,nodes.max.p95',
    'c001,3,1,0,1,1.5,,1,3600,3600,3600,1.5,1.5,1.5,1.5,1.5,1.5,,,,0,0,0,3,3,3',
    'c002,4,1,1,0,,,,,,,,,,,,,,,,,,,,,',
    '',
  ].join('\n'));
});

test('sweep.csv and sweep-summary.csv: a varied value or an error a spreadsheet would run is written as text; negative figures stay numbers', async () => {
  const plan = makePlan([{ path: 'spec.cluster.nodePools[0].zones[0]', values: ['=HYPERLINK("https://example.com/x","open")', 'us-east-1a'] }], 1);
  const outcomes = [ok(plan.runs[0], { cost: -0.12, served: null, oom: 0 }), failed(plan.runs[1], '@SUM(1+1)*cmd|\' /C calc\'!A0')];
  const a = analyse(plan, outcomes, null, []);
  const csv = (await sweepCsv(plan, outcomes, a)).split('\n');
  assert.equal(csv[1], `c001-s42,c001,"'=HYPERLINK(""https://example.com/x"",""open"")",42,ok,,3600,-0.12,-0.12,,0,3,,1`);
  assert.equal(csv[2], `c002-s42,c002,us-east-1a,42,failed,"'@SUM(1+1)*cmd|' /C calc'!A0",,,,,,,,`); // fast-csv quotes a "|"
  const summary = (await sweepSummaryCsv(plan, outcomes, a)).split('\n');
  assert.equal(summary[1], `c001,"'=HYPERLINK(""https://example.com/x"",""open"")",1,0,1,,1,3600,3600,3600,-0.12,-0.12,-0.12,-0.12,-0.12,-0.12,,,,0,0,0,3,3,3`);
  // sweep.json keeps the text as it was: JSON is not run by a spreadsheet.
  assert.equal(sweepJson(plan, outcomes, a).failed[0].error, '@SUM(1+1)*cmd|\' /C calc\'!A0');
});

test('sweep-summary.csv of the hand-made sweep: means, p5 and p95 over the seeds', async () => {
  const { plan, outcomes } = study();
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [SERVED_999, NO_OOM]);
  const [header, ...rows] = (await sweepSummaryCsv(plan, outcomes, a)).trimEnd().split('\n');
  const cols = header.split(',');
  const cell = (row: number, col: string) => rows[row].split(',')[cols.indexOf(col)];
  // c001 cost [10, 12]: mean 11, p5 10.1, p95 11.9; served [99.5, 99.7]: p95 99.5 + 0.95 x 0.2 = 99.69.
  assert.deepEqual(['cost.totalUsd.mean', 'cost.totalUsd.p5', 'cost.totalUsd.p95', 'demand.servedPct.p95', 'meets_constraints'].map((c) => cell(0, c)), ['11', '10.1', '11.9', '99.69', '0']);
  assert.deepEqual(['objective_mean', 'meets_constraints', 'pareto_cost_served', 'pareto_cost_oom'].map((c) => cell(3, c)), ['13.25', '1', '0', '0']);
});

test('writeSweepResults: the same bytes twice, and for a run order given by shards merged', async () => {
  const { plan, outcomes } = study();
  outcomes[5] = failed(plan.runs[5], 'out of <memory>');
  const s = { objective: parseObjective('cost.totalUsd'), constraints: [SERVED_999, NO_OOM] };
  const dir = scratchDir('capsim-sweep-results-');
  const one = await writeSweepResults(path.join(dir, 'one'), plan, outcomes, s, ['html', 'svg']);
  const two = await writeSweepResults(path.join(dir, 'two'), plan, outcomes, s, ['html', 'svg']);
  const names = (files: string[], root: string) => files.map((f) => path.relative(root, f)).sort();
  assert.deepEqual(names(one.files, path.join(dir, 'one')), names(two.files, path.join(dir, 'two')));
  assert.deepEqual(names(one.files, path.join(dir, 'one')), [
    'charts/effect-1-spec-cluster-nodepools-0-count.svg', 'charts/effect-2-spec-workloads-0-hpa-targetcpuutilizationpercentage.svg',
    'charts/pareto-cost-oom.svg', 'charts/pareto-cost-served.svg', 'sweep-summary.csv', 'sweep.csv', 'sweep.html', 'sweep.json',
  ]);
  for (const file of names(one.files, path.join(dir, 'one'))) {
    assert.ok(fs.readFileSync(path.join(dir, 'one', file)).equals(fs.readFileSync(path.join(dir, 'two', file))), file);
  }
  // Nothing from the machine: not the scenario's path, not the output directory.
  for (const file of ['sweep.csv', 'sweep-summary.csv', 'sweep.json', 'sweep.html']) {
    const text = fs.readFileSync(path.join(dir, 'one', file), 'utf8');
    assert.ok(!text.includes('/somewhere') && !text.includes(dir), file);
  }
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'one', 'sweep.json'), 'utf8'));
  assert.equal(json.best.config, 'c004');
  assert.deepEqual(json.feasible, ['c004']);
  // No formats: only the three study files.
  const bare = await writeSweepResults(path.join(dir, 'two'), plan, outcomes, s, []);
  assert.equal(bare.files.length, 3);
});

test('the page escapes a varied value like <b> and a hostile error; it states the answer', async () => {
  const plan = makePlan([{ path: COUNT, values: ['<b>', '4'] }, { path: TARGET, values: ['60', '80'] }], 2);
  const outcomes = plan.runs.map((run, i) => ok(run, FIGURES[i]));
  outcomes[1] = failed(plan.runs[1], '<script>alert(1)</script>');
  const a = analyse(plan, outcomes, parseObjective('cost.totalUsd'), [SERVED_999, NO_OOM]);
  const charts = sweepCharts(plan, outcomes, a);
  const html = sweepPage(plan, outcomes, a, charts, await renderAll(charts), '0.1.0');
  const body = html.slice(0, html.indexOf('<script>'));
  assert.ok(!body.includes('<b>') && !body.includes('<script>alert'), 'unescaped value in the page body');
  assert.ok(body.includes('&lt;b&gt;') && body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!html.includes('<script>alert('));
  assert.match(html, /<title>capsim sweep: study<\/title>/);
  assert.ok(body.includes(`best: c004 (${COUNT}=4, ${TARGET}=80): cost.totalUsd mean $13.25`));
});

// ---------------------------------------------------------------------------------------------
// Charts

function schemaValidator() {
  const ajv = new Ajv({ strict: false, validateFormats: false, logger: false });
  const schema = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('vega-lite')), 'vega-lite-schema.json'), 'utf8'));
  return ajv.compile(schema);
}

test('every sweep chart validates, compiles without warnings and renders; also when empty or without served demand', async () => {
  const validate = schemaValidator();
  const { plan, outcomes } = study();
  const cases: [string, SweepPlan, RunOutcome[], ReturnType<typeof analyse>][] = [
    ['objective and constraints', plan, outcomes, analyse(plan, outcomes, parseObjective('cost.totalUsd'), [SERVED_999, NO_OOM])],
    ['no study', plan, outcomes, analyse(plan, outcomes, null, [])],
    ['max served', plan, outcomes, analyse(plan, outcomes, parseObjective('max:demand.servedPct'), [parseConstraint('pods.oomKills<1')])],
  ];
  const noDemand = plan.runs.map((run, i) => ok(run, { ...FIGURES[i], served: null }));
  cases.push(['no demand', plan, noDemand, analyse(plan, noDemand, parseObjective('cost.totalUsd'), [])]);
  const same = plan.runs.map((run) => ok(run, { cost: 5, served: 100, oom: 0 }));
  cases.push(['every run the same', plan, same, analyse(plan, same, parseObjective('cost.totalUsd'), [NO_OOM])]);
  const allFailed = plan.runs.map((run) => failed(run, 'x'));
  cases.push(['all failed', plan, allFailed, analyse(plan, allFailed, parseObjective('cost.totalUsd'), [NO_OOM])]);
  for (const [what, p, o, a] of cases) {
    const charts = sweepCharts(p, o, a);
    assert.deepEqual(charts.map((c) => c.name.replace(/^(effect-\d).*/, '$1')), ['pareto-cost-served', 'pareto-cost-oom', 'effect-1', 'effect-2'], what);
    const svgs = await renderAll(charts);
    charts.forEach((chart, i) => {
      assert.ok(validate(chart.spec), `${what} ${chart.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      assert.deepEqual(compileChart(chart.spec).warnings, [], `${what} ${chart.name}: vega-lite warnings`);
      assert.ok(svgs[i].includes('</svg>') && svgs[i].length > 500, `${what} ${chart.name}`);
    });
  }
});

test('sweep.html renders every chart in Chromium, offline, without errors (skipped without Chromium)', { timeout: 180_000 }, async (t: TestContext) => {
  const { plan, outcomes } = study();
  outcomes[5] = failed(plan.runs[5], 'simulation failed: node pool "general" has no instance type');
  const dir = path.join(scratchDir('capsim-sweep-page-'), 'sweep');
  fs.mkdirSync(dir, { recursive: true });
  const written = await writeSweepResults(dir, plan, outcomes, { objective: parseObjective('cost.totalUsd'), constraints: [SERVED_999, NO_OOM] }, ['html', 'svg']);
  fs.writeFileSync(path.join(dir, 'pareto-cost-served.png'), svgToPng(fs.readFileSync(path.join(dir, 'charts', 'pareto-cost-served.svg'), 'utf8')));
  assert.ok(written.files.some((f) => f.endsWith('sweep.html')));
  if (!chromiumAvailable()) {
    t.skip('no Chromium: the page was written but not opened');
    return;
  }
  const shot = path.join(dir, 'sweep-screenshot.png');
  const { charts, bodyText, layout } = await checkReportInBrowser(path.join(dir, 'sweep.html'), shot);
  t.diagnostic(`${charts} charts; screenshot: ${shot}`);
  assert.equal(charts, 4);
  assert.match(bodyText, /best: c004/);
  // Laid out like the report: charts across the column, no word broken, no labels colliding.
  assert.deepEqual(layout.charts.filter((c) => c.width < 0.85 * layout.columnWidth), [], `charts narrower than 85 % of the ${layout.columnWidth} px column`);
  assert.deepEqual(layout.brokenWords, []);
  assert.deepEqual(layout.collidingLabels, []);
  // Varied paths read as short labels, the full path on hover.
  const html = fs.readFileSync(path.join(dir, 'sweep.html'), 'utf8');
  assert.match(html, new RegExp(`<th title="${COUNT.replace(/[[\].]/g, '\\$&')}">count</th>`));
  assert.match(html, /<th title="spec\.workloads\[0\]\.hpa\.targetCPUUtilizationPercentage">target cpu utilization percentage<\/th>/);
  assert.ok(layout.chartText['effect-1-spec-cluster-nodepools-0-count']?.includes('count'), 'the effect chart of the pool count has no "count" axis title');
});
