// sweep.html: the study's answer (the best configuration, or why there is none), the objective
// and constraints, the Pareto and effect charts, a sortable table of configurations and the
// runs that failed. Built from the plan and the analysis only, like the CSVs beside it.
import type { Chart } from '../report/charts/chart.ts';
import { moneyDecimals } from '../report/comparePage.ts';
import { cards, escapeHtml, figure, page, table, type Card, type Column } from '../report/html.ts';
import { count, kgCo2e, kwh, percent, servedPercent, usd } from '../report/units.ts';
import type { RunOutcome, SweepPlan } from './plan.ts';
import { variedLabels } from './variedLabels.ts';
import { CARBON, COST, OOM, SERVED, bestLine, type Analysis, type ConfigResult } from './study.ts';

/** Failed runs listed on the page; sweep.csv has them all. */
const FAILED_ROWS = 200;

/** A figure as the page writes it, by the unit its name ends in; `decimals` for money. */
export function figureText(key: string, value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined) return '–';
  if (/Usd$/.test(key)) return usd(value, decimals);
  if (key === SERVED) return servedPercent(value);
  if (/Pct$/.test(key)) return percent(value, 2);
  if (/Co2e$/.test(key)) return kgCo2e(value);
  if (/Kwh$/.test(key)) return kwh(value);
  return count(value);
}

export function sweepPage(plan: SweepPlan, outcomes: readonly RunOutcome[], analysis: Analysis, charts: readonly Chart[], svgs: readonly string[], version: string): string {
  const a = analysis;
  const failed = outcomes.filter((o) => o.status === 'failed');
  const body = [
    `<header><h1>${escapeHtml(`Sweep: ${plan.scenarioName}`)}</h1>`,
    `<p>${escapeHtml(description(plan, outcomes.length))}</p></header>`,
    cards(headlineCards(plan, a, outcomes.length)),
    `<h2 id="answer">The answer</h2>`,
    `<p>${escapeHtml(bestLine(a, plan))}</p>`,
    answerValues(plan, a),
    `<h3>The study</h3>`,
    `<ul class="glance">${studyLines(a).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    `<nav>${charts.map((c) => `<a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a>`).join('')}<a href="#configurations">Configurations</a><a href="#failed">Failed runs</a></nav>`,
    `<h2 id="charts">Charts</h2>`,
    charts.map((c, i) => figure(c, svgs[i])).join('\n'),
    `<h2 id="configurations">Configurations</h2>`,
    `<p class="muted">${escapeHtml('Means over the finished seeds of each configuration; click a header to sort. Every figure with its p5 and p95 is in sweep-summary.csv, every run in sweep.csv.')}</p>`,
    table(a.configs, configColumns(plan, a), 'configurations'),
    `<h2 id="failed">Failed runs</h2>`,
    failedRuns(plan, failed),
    `<footer>capsim ${escapeHtml(version)} · files beside this page: sweep.csv, sweep-summary.csv, sweep.json, sweep-plan.json, runs/, charts/</footer>`,
  ].join('\n');
  return page({ title: `capsim sweep: ${plan.scenarioName}`, body, charts });
}

function description(plan: SweepPlan, runs: number): string {
  const labels = variedLabels(plan.varies.map((v) => v.path));
  const varied = plan.varies.map((v, i) => `${labels[i] === v.path ? v.path : `${labels[i]} (${v.path})`} in ${v.values.join(', ')}`).join('; ');
  const sets = plan.sets.length > 0 ? ` Fixed for every run: ${plan.sets.join(', ')}.` : '';
  const planned = plan.configs.length * plan.seeds;
  const shown = runs === planned ? `${runs} runs` : `${runs} of the ${planned} runs`;
  return `${plan.configs.length} configurations × ${plan.seeds} seed${plan.seeds === 1 ? '' : 's'} (from ${plan.scenarioSeed}): ${shown}. Varied: ${varied}.${sets}`;
}

function headlineCards(plan: SweepPlan, a: Analysis, runs: number): Card[] {
  const best = a.best;
  const objective = a.objective;
  const list: Card[] = [
    { label: 'Configurations', value: count(a.configs.length), note: `${plan.varies.length} parameter${plan.varies.length === 1 ? '' : 's'} varied` },
    { label: 'Runs', value: count(runs), note: `${plan.seeds} seed${plan.seeds === 1 ? '' : 's'} each` },
    { label: 'Failed runs', value: count(a.failedRuns), tone: a.failedRuns > 0 ? 'bad' : 'good' },
    {
      label: 'Feasible',
      value: `${a.feasible.length} of ${a.configs.length}`,
      note: a.constraints.length > 0 ? 'meet every constraint in every seed' : 'every seed finished (no constraints)',
      tone: a.feasible.length === 0 ? 'bad' : undefined,
    },
  ];
  if (objective) {
    list.push(
      best
        ? { label: 'Best configuration', value: best.config.id, note: `${objective.direction === 'min' ? 'lowest' : 'highest'} ${objective.key}`, tone: 'good' }
        : { label: 'Best configuration', value: '–', note: a.feasible.length === 0 ? 'none meets every constraint' : `none has ${objective.key}`, tone: 'bad' },
      { label: `${objective.key} (mean)`, value: best ? figureText(objective.key, best.objective?.mean) : '–', note: best && best.objective && best.objective.p5 !== best.objective.p95 ? `p5 ${figureText(objective.key, best.objective.p5)}, p95 ${figureText(objective.key, best.objective.p95)}` : undefined },
    );
  }
  return list;
}

/** The chosen (or closest) configuration's values, one per line. */
function answerValues(plan: SweepPlan, a: Analysis): string {
  const c = a.best ?? a.closest;
  if (!c) return '';
  const what = a.best ? `${c.config.id}, the best configuration` : `${c.config.id}, the closest to meeting every constraint`;
  const labels = variedLabels(plan.varies.map((v) => v.path));
  const items = plan.varies.map((v, i) => `<li><span title="${escapeHtml(v.path)}">${escapeHtml(labels[i])}</span> = <code>${escapeHtml(c.config.values[i])}</code></li>`).join('');
  return `<p class="muted">${escapeHtml(what)}:</p><ul class="glance">${items}</ul>`;
}

function studyLines(a: Analysis): string[] {
  const lines: string[] = [];
  const o = a.objective;
  lines.push(o ? `Objective: ${o.direction === 'min' ? 'minimize' : 'maximize'} the mean of ${o.key} over the seeds.` : 'No objective: configurations are not ranked (give one with --objective cost.totalUsd).');
  if (a.byConstraint.length === 0) lines.push('No constraints: every configuration whose runs all finished is feasible.');
  for (const c of a.byConstraint) {
    lines.push(`Constraint ${c.constraint.text}: broken in ${c.violatingRuns} of ${c.okRuns} finished run${c.okRuns === 1 ? '' : 's'}.`);
  }
  lines.push(a.failedRuns > 0 ? `${a.failedRuns} run${a.failedRuns === 1 ? '' : 's'} stopped with an error; a configuration with a failed run is not feasible.` : 'Every run finished.');
  const front = a.configs.filter((c) => c.paretoCostServed).map((c) => c.config.id);
  if (front.length > 0) lines.push(`On the front of ${COST} against ${SERVED} (no configuration is both cheaper and serves more): ${front.join(', ')}.`);
  const oomFront = a.configs.filter((c) => c.paretoCostOom).map((c) => c.config.id);
  if (oomFront.length > 0) lines.push(`On the front of ${COST} against ${OOM}: ${oomFront.join(', ')}.`);
  return lines;
}

function configColumns(plan: SweepPlan, a: Analysis): Column<ConfigResult>[] {
  const mean = (c: ConfigResult, key: string) => c.figures.get(key)?.mean ?? null;
  const decimalsOf = (key: string) => moneyDecimals(a.configs.flatMap((c) => [mean(c, key), c.figures.get(key)?.p5 ?? null, c.figures.get(key)?.p95 ?? null]));
  const figureColumn = (key: string): Column<ConfigResult> => {
    const decimals = decimalsOf(key);
    return { header: `${key} mean`, cell: (c) => figureText(key, mean(c, key), decimals), numeric: true };
  };
  const o = a.objective;
  const objectiveColumns: Column<ConfigResult>[] = o
    ? (['mean', 'p5', 'p95'] as const).map((stat) => {
        const decimals = decimalsOf(o.key);
        return { header: `${o.key} ${stat}`, cell: (c) => figureText(o.key, c.objective?.[stat], decimals), numeric: true };
      })
    : [];
  const mark = (on: boolean | null) => (on === null ? '–' : on ? 'yes' : '');
  const labels = variedLabels(plan.varies.map((v) => v.path));
  return [
    { header: 'Config', cell: (c) => c.config.id },
    ...plan.varies.map((v, i): Column<ConfigResult> => ({ header: labels[i], headerTitle: v.path, cell: (c) => c.config.values[i] })),
    { header: 'Runs', cell: (c) => String(c.runs), numeric: true },
    { header: 'Failed', cell: (c) => String(c.failed), numeric: true },
    { header: 'Meets', cell: (c) => (c.meetsAll ? 'yes' : 'no') },
    ...objectiveColumns,
    ...[COST, CARBON, SERVED, OOM].filter((key) => key !== o?.key).map(figureColumn),
    { header: 'Front: cost/served', cell: (c) => mark(c.paretoCostServed) },
    { header: 'Front: cost/OOM', cell: (c) => mark(c.paretoCostOom) },
  ];
}

function failedRuns(plan: SweepPlan, failed: readonly RunOutcome[]): string {
  if (failed.length === 0) return `<p class="muted">None: every run finished.</p>`;
  const shown = failed.slice(0, FAILED_ROWS);
  const more = failed.length > shown.length ? ` The first ${shown.length} of ${failed.length}; sweep.csv has them all.` : '';
  return `<p class="muted">${escapeHtml(`A failed run is recorded with its error; the others went on.${more}`)}</p>
${table(shown, [
  { header: 'Run', cell: (o) => o.run.id },
  { header: 'Config', cell: (o) => plan.configs[o.run.config].id },
  { header: 'Seed', cell: (o) => String(o.run.seed), numeric: true },
  { header: 'Error', cell: (o) => o.error ?? '' },
])}`;
}
