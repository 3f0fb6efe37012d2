// The files of a sweep's study (issue 7): sweep.csv (one row per run), sweep-summary.csv (one row
// per configuration: mean, p5 and p95 over its seeds), sweep.json (the study's answer) and, on
// request, the charts and sweep.html. Everything is a function of the plan and the outcomes in
// plan order, with nothing from the machine (no path, no time): shards merged write the same
// bytes as one machine.
import fs from 'node:fs';
import path from 'node:path';
import { renderAll, writeOutputs } from '../report/report.ts';
import { DEFAULT_FORMATS, type ReportFormat } from '../report/formats.ts';
import type { RunOutcome, SweepPlan, Vary } from './plan.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
import { csvText } from '../outputs/csvCells.ts';
import { analyse, formatNumber, type Analysis, type Constraint, type Objective, type Stats, type Study } from './study.ts';
import { sweepCharts } from './sweepCharts.ts';
import { sweepPage } from './sweepPage.ts';

const mark = (on: boolean | null) => (on === null ? '' : on ? '1' : '0');

/** sweep.csv: run, config, the varied values, seed, status, error, every figure, the front marks.
 *  The varied values and the error are free text, neutralised like every text cell (csvText). */
export function sweepCsv(plan: SweepPlan, _outcomes: readonly RunOutcome[], analysis: Analysis): Promise<string> {
  const header = ['run', 'config', ...plan.varies.map((v) => v.path), 'seed', 'status', 'error', ...analysis.keys, 'pareto_cost_served', 'pareto_cost_oom'];
  const rows = analysis.runs.map((r) => {
    const { run, status, error } = r.outcome;
    const config = plan.configs[run.config];
    return [
      run.id, config.id, ...config.values, String(run.seed), status, error ?? '',
      ...analysis.keys.map((key) => formatNumber(r.figures.get(key) ?? null)),
      mark(r.paretoCostServed), mark(r.paretoCostOom),
    ];
  });
  return csvText([header, ...rows]);
}

/** sweep-summary.csv: one row per configuration, its figures as mean, p5 and p95 over its seeds. */
export function sweepSummaryCsv(plan: SweepPlan, _outcomes: readonly RunOutcome[], analysis: Analysis): Promise<string> {
  const objective = analysis.objective;
  const header = [
    'config', ...plan.varies.map((v) => v.path), 'runs', 'failed', 'meets_constraints',
    ...(objective ? ['objective_mean'] : []), 'pareto_cost_served', 'pareto_cost_oom',
    ...analysis.keys.flatMap((key) => [`${key}.mean`, `${key}.p5`, `${key}.p95`]),
  ];
  const rows = analysis.configs.map((c) => {
    const figure = (key: string): Stats => c.figures.get(key)!;
    return [
      c.config.id, ...c.config.values, String(c.runs), String(c.failed), c.meetsAll ? '1' : '0',
      ...(objective ? [formatNumber(c.objective?.mean ?? null)] : []), mark(c.paretoCostServed), mark(c.paretoCostOom),
      ...analysis.keys.flatMap((key) => [formatNumber(figure(key).mean), formatNumber(figure(key).p5), formatNumber(figure(key).p95)]),
    ];
  });
  return csvText([header, ...rows]);
}

/** sweep.json: the study's record, for tests and scripts; the figures are in the CSVs. */
export interface SweepJson {
  scenario: string;
  capsim: string;
  varies: Vary[];
  sets: string[];
  seeds: number;
  configs: number;
  runs: number;
  failedRuns: number;
  objective: Objective | null;
  constraints: (Constraint & { violatingRuns: number; okRuns: number })[];
  /** Configurations that meet every constraint in every seed, in plan order. */
  feasible: string[];
  best: ConfigJson | null;
  /** When no configuration is feasible: the constraint broken by the most runs, and the closest. */
  mostFailed: { constraint: string; violatingRuns: number; okRuns: number } | null;
  closest: ConfigJson | null;
  pareto: {
    costServed: { configs: string[]; runs: string[] };
    costOom: { configs: string[]; runs: string[] };
  };
  failed: { run: string; config: string; seed: number; error: string }[];
}

export interface ConfigJson {
  config: string;
  values: Record<string, string>;
  runs: number;
  failed: number;
  violatingRuns: number;
  objective: Stats | null;
}

export function sweepJson(plan: SweepPlan, outcomes: readonly RunOutcome[], analysis: Analysis): SweepJson {
  const a = analysis;
  const config = (c: Analysis['configs'][number] | null): ConfigJson | null =>
    c && {
      config: c.config.id,
      values: Object.fromEntries(plan.varies.map((v, i) => [v.path, c.config.values[i]])),
      runs: c.runs,
      failed: c.failed,
      violatingRuns: c.violatingRuns,
      objective: c.objective,
    };
  const front = (on: (x: { paretoCostServed: boolean | null; paretoCostOom: boolean | null }) => boolean | null) => ({
    configs: a.configs.filter((c) => on(c)).map((c) => c.config.id),
    runs: a.runs.filter((r) => on(r)).map((r) => r.outcome.run.id),
  });
  return {
    scenario: plan.scenarioName,
    capsim: plan.capsim,
    varies: plan.varies,
    sets: plan.sets,
    seeds: plan.seeds,
    configs: a.configs.length,
    runs: outcomes.length,
    failedRuns: a.failedRuns,
    objective: a.objective,
    constraints: a.byConstraint.map((c) => ({ ...c.constraint, violatingRuns: c.violatingRuns, okRuns: c.okRuns })),
    feasible: a.feasible.map((c) => c.config.id),
    best: config(a.best),
    mostFailed: a.mostFailed && { constraint: a.mostFailed.constraint.text, violatingRuns: a.mostFailed.violatingRuns, okRuns: a.mostFailed.okRuns },
    closest: config(a.closest),
    pareto: { costServed: front((x) => x.paretoCostServed), costOom: front((x) => x.paretoCostOom) },
    failed: outcomes.filter((o) => o.status === 'failed').map((o) => ({ run: o.run.id, config: plan.configs[o.run.config].id, seed: o.run.seed, error: o.error ?? '' })),
  };
}

export interface WrittenSweepResults {
  analysis: Analysis;
  /** Every file written, absolute. */
  files: string[];
}

/** Writes sweep.csv, sweep-summary.csv and sweep.json, and the charts and sweep.html as `formats`
 *  asks, each to a temporary name first so an interrupted write leaves the old file whole. */
export async function writeSweepResults(
  outDir: string,
  plan: SweepPlan,
  outcomes: readonly RunOutcome[],
  study: Study,
  formats: readonly ReportFormat[] = DEFAULT_FORMATS,
): Promise<WrittenSweepResults> {
  const analysis = analyse(plan, outcomes, study.objective, study.constraints);
  fs.mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    [path.join(outDir, 'sweep.csv'), await sweepCsv(plan, outcomes, analysis)],
    [path.join(outDir, 'sweep-summary.csv'), await sweepSummaryCsv(plan, outcomes, analysis)],
    [path.join(outDir, 'sweep.json'), JSON.stringify(sweepJson(plan, outcomes, analysis), null, 2) + '\n'],
  ];
  for (const [file, content] of files) writeAtomically(file, content);
  const written = files.map(([file]) => file);
  if (formats.length > 0) {
    const charts = sweepCharts(plan, outcomes, analysis);
    const svgs = await renderAll(charts);
    const html = formats.includes('html') ? sweepPage(plan, outcomes, analysis, charts, svgs, plan.capsim) : null;
    const report = await writeOutputs(outDir, 'sweep.html', html, charts, svgs, formats);
    written.push(...report.charts, ...(report.html ? [report.html] : []));
  }
  return { analysis, files: written };
}
