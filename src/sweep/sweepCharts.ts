// The charts of `capsim sweep`: the Pareto front of cost against served demand and against OOM
// kills (each run a grey dot, each configuration's mean a coloured point, the front of the
// means joined by a line), and one effect chart per varied path (the objective's mean over all
// runs with each value, p5 to p95 as a bar). Read from the study only (study.ts).
import { CONFIG, SCHEMA, WIDTH, emptyChart, type Chart } from '../report/charts/chart.ts';
import type { RunOutcome, SweepPlan } from './plan.ts';
import type { Analysis, ConfigResult } from './study.ts';
import { COST, OOM, SERVED, stats } from './study.ts';
import { variedLabels } from './variedLabels.ts';

/** d3 format of a figure by its unit, read from its name (summary.json keys end in their unit). */
export function figureFormat(key: string): string {
  if (/Usd$/.test(key)) return '$,.4~f';
  if (/Pct$/.test(key)) return ',.4~f';
  return ',.4~f';
}

function axisFormat(key: string): string | undefined {
  return /Usd$/.test(key) ? '$,.2f' : undefined;
}

/** A figure's name with its unit, as axis titles. */
export function figureTitle(key: string): string {
  if (/Usd$/.test(key)) return `${key} ($)`;
  if (/Pct$/.test(key)) return `${key} (%)`;
  if (/Co2e$/.test(key)) return `${key} (kg CO2e)`;
  if (/Kwh$/.test(key)) return `${key} (kWh)`;
  return key;
}

const GREY = '#7b7b7b';
const FRONT = '#1565c0';
const RULE = '#c62828';
const STATUS_COLOURS = { meets: '#2e7d32', misses: '#c62828', plain: '#1565c0' } as const;
const COLOUR_ORDER: string[] = [STATUS_COLOURS.plain, STATUS_COLOURS.meets, STATUS_COLOURS.misses];

/** The label of a configuration's point in the legend, and its colour. */
function statusOf(analysis: Analysis, c: ConfigResult): { label: string; colour: string } {
  const anyFailed = analysis.failedRuns > 0;
  if (analysis.constraints.length === 0 && !anyFailed) return { label: 'configuration mean', colour: STATUS_COLOURS.plain };
  if (c.meetsAll) return { label: analysis.constraints.length > 0 ? 'meets every constraint' : 'every seed finished', colour: STATUS_COLOURS.meets };
  return { label: analysis.constraints.length > 0 ? (anyFailed ? 'misses a constraint or a run failed' : 'misses a constraint') : 'a run failed', colour: STATUS_COLOURS.misses };
}

interface Axis {
  key: string;
  /** Which way is better on this axis. */
  better: 'min' | 'max';
}

function paretoChart(plan: SweepPlan, analysis: Analysis, name: string, title: string, y: Axis, front: 'paretoCostServed' | 'paretoCostOom'): Chart {
  const limits = analysis.constraints.filter((c) => c.key === y.key && c.op !== '!=');
  const caption =
    `Each grey dot is a run, each coloured point a configuration's mean over its seeds; the line joins the configurations on the Pareto front ` +
    `(no other is both cheaper and ${y.better === 'max' ? 'serves more' : 'has fewer'}), lower cost to the left${y.better === 'max' ? ', more served demand up' : ', fewer OOM kills down'}.` +
    (limits.length > 0 ? ` The dashed red line is the constraint ${limits.map((c) => c.text).join(' and ')}.` : '');
  const runs = analysis.runs.flatMap((r) => {
    const cost = r.figures.get(COST) ?? null;
    const value = r.figures.get(y.key) ?? null;
    return cost === null || value === null ? [] : [{ run: r.outcome.run.id, config: plan.configs[r.outcome.run.config].id, cost, y: value }];
  });
  const best = analysis.best;
  const configs = analysis.configs.flatMap((c) => {
    const cost = c.figures.get(COST)?.mean ?? null;
    const value = c.figures.get(y.key)?.mean ?? null;
    if (cost === null || value === null) return [];
    const status = statusOf(analysis, c);
    const label = c === best ? `${c.config.id} (best)` : c.config.id;
    return [{ config: c.config.id, values: labelledValues(plan, c.config.values), cost, y: value, status: status.label, colour: status.colour, onFront: c[front] === true, best: c === best, label, seeds: c.runs - c.failed }];
  });
  if (runs.length === 0 || configs.length === 0) return emptyChart(name, title, caption, `No finished run has both ${COST} and ${y.key}.`);

  // Legend in a fixed order: meeting first.
  const statuses = [...new Map(configs.map((c) => [c.status, c.colour])).entries()].sort(([, a], [, b]) => COLOUR_ORDER.indexOf(a) - COLOUR_ORDER.indexOf(b));
  const line = configs.filter((c) => c.onFront).sort((a, b) => a.cost - b.cost || a.y - b.y);
  const labelled = configs.filter((c) => c.onFront || c.best);
  const rules = limits.map((c) => ({ y: c.value, label: c.text }));
  const x = { field: 'cost', type: 'quantitative' as const, title: figureTitle(COST), scale: scaleAround(runs.map((r) => r.cost)), axis: { format: axisFormat(COST) } };
  const yValues = [...runs.map((r) => r.y), ...rules.map((r) => r.y)];
  const yEncoding = { field: 'y', type: 'quantitative' as const, title: figureTitle(y.key), scale: scaleAround(yValues, y.better === 'min'), ...(axisFormat(y.key) ? { axis: { format: axisFormat(y.key) } } : {}) };
  const costTip = { field: 'cost', type: 'quantitative' as const, title: COST, format: figureFormat(COST) };
  const yTip = { field: 'y', type: 'quantitative' as const, title: y.key, format: figureFormat(y.key) };
  return {
    name,
    title,
    caption,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      width: WIDTH,
      height: 320,
      layer: [
        ...(rules.length > 0
          ? [{
              data: { values: rules },
              mark: { type: 'rule' as const, color: RULE, strokeDash: [4, 3], opacity: 0.7 },
              encoding: { y: yEncoding, tooltip: [{ field: 'label', type: 'nominal' as const, title: 'constraint' }] },
            }]
          : []),
        {
          data: { values: runs },
          mark: { type: 'point' as const, filled: true, size: 40, color: GREY, opacity: 0.5 },
          encoding: { x, y: yEncoding, tooltip: [{ field: 'run', type: 'nominal' as const }, { field: 'config', type: 'nominal' as const }, costTip, yTip] },
        },
        {
          data: { values: line },
          mark: { type: 'line' as const, color: FRONT, strokeWidth: 1.6 },
          encoding: { x, y: yEncoding, order: { field: 'cost', type: 'quantitative' as const } },
        },
        {
          data: { values: configs },
          mark: { type: 'point' as const, filled: true, size: 110, stroke: 'white', strokeWidth: 1 },
          encoding: {
            x,
            y: yEncoding,
            color: { field: 'status', type: 'nominal' as const, title: null, scale: { domain: statuses.map(([s]) => s), range: statuses.map(([, c]) => c) } },
            tooltip: [
              { field: 'config', type: 'nominal' as const },
              { field: 'values', type: 'nominal' as const, title: 'values' },
              { ...costTip, title: `${COST} mean` },
              { ...yTip, title: `${y.key} mean` },
              { field: 'seeds', type: 'quantitative' as const, title: 'finished seeds' },
              { field: 'status', type: 'nominal' as const, title: 'constraints' },
            ],
          },
        },
        ...(best && configs.some((c) => c.best)
          ? [{
              data: { values: configs.filter((c) => c.best) },
              mark: { type: 'point' as const, filled: false, size: 340, color: '#1f2328', strokeWidth: 1.5 },
              encoding: { x, y: yEncoding },
            }]
          : []),
        {
          data: { values: labelled },
          mark: { type: 'text' as const, align: 'left' as const, dx: 8, dy: -8, fontSize: 11, color: '#1f2328' },
          encoding: { x, y: yEncoding, text: { field: 'label', type: 'nominal' as const } },
        },
      ],
    },
  };
}

/** A configuration's values by their short labels, for tooltips: "instance type=m5.large, count=3". */
function labelledValues(plan: SweepPlan, values: readonly string[]): string {
  const labels = variedLabels(plan.varies.map((v) => v.path));
  return values.map((value, i) => `${labels[i]}=${value}`).join(', ');
}

/** A scale around the values: not from zero (costs and served demand sit in a narrow band;
 *  counts such as OOM kills do start at zero), and never an empty range, which would draw one
 *  label and no axis when every run has the same value. */
function scaleAround(values: readonly number[], fromZero = false): { zero: false } | { domainMin: number; domainMax?: number } | { domain: number[] } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (fromZero) return hi > 0 ? { domainMin: 0 } : { domainMin: 0, domainMax: 1 };
  if (lo !== hi) return { zero: false };
  const pad = Math.abs(lo) * 0.01 || 1;
  return { domain: [lo - pad, lo + pad] };
}

/** The figure an effect chart shows: the objective's, or the cost without one. */
function effectKeys(analysis: Analysis): { key: string; better: 'min' | 'max' }[] {
  const first = analysis.objective ? { key: analysis.objective.key, better: analysis.objective.direction } : { key: COST, better: 'min' as const };
  const served = analysis.runs.some((r) => typeof r.figures.get(SERVED) === 'number');
  return first.key !== SERVED && served ? [first, { key: SERVED, better: 'max' }] : [first];
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function effectChart(plan: SweepPlan, analysis: Analysis, varyIndex: number): Chart {
  const vary = plan.varies[varyIndex];
  const name = `effect-${varyIndex + 1}-${slug(vary.path)}`;
  const metrics = effectKeys(analysis);
  const label = variedLabels(plan.varies.map((v) => v.path))[varyIndex];
  const title = `Effect of ${label}`;
  const caption =
    `The mean of ${metrics.map((m) => `${m.key} (${m.better === 'min' ? 'lower' : 'higher'} is better)`).join(' and ')} over every finished run with each value of ${label === vary.path ? vary.path : `${label} (${vary.path})`}, ` +
    `whatever the other parameters; the bar spans p5 to p95 of those runs.`;
  const values = [...new Set(vary.values)];
  // Room for each value's label; the panels side by side when two fit across.
  const step = Math.min(160, Math.max(56, 7 * Math.max(...values.map((v) => v.length)) + 16));
  const width = Math.min(WIDTH, Math.max(220, step * values.length));
  const panels = metrics.flatMap((m) => {
    const rows = values.flatMap((value) => {
      const xs = analysis.runs.filter((r) => r.outcome.status === 'ok' && plan.configs[r.outcome.run.config].values[varyIndex] === value).map((r) => r.figures.get(m.key));
      const s = stats(xs);
      return s.mean === null ? [] : [{ value, path: vary.path, mean: s.mean, p5: s.p5, p95: s.p95, runs: s.n }];
    });
    if (rows.length === 0) return [];
    const x = { field: 'value', type: 'ordinal' as const, title: label, sort: values, axis: { labelAngle: 0, labelLimit: 160 } };
    const y = { field: 'mean', type: 'quantitative' as const, title: `${figureTitle(m.key)}, mean`, scale: scaleAround(rows.flatMap((r) => [r.p5!, r.p95!])), ...(axisFormat(m.key) ? { axis: { format: axisFormat(m.key) } } : {}) };
    const tip = (field: string, title: string) => ({ field, type: 'quantitative' as const, title, format: figureFormat(m.key) });
    return [{
      width,
      height: 160,
      data: { values: rows },
      layer: [
        { mark: { type: 'rule' as const, color: '#90a4ae', strokeWidth: 6, opacity: 0.6 }, encoding: { x, y: { ...y, field: 'p5' }, y2: { field: 'p95' } } },
        { mark: { type: 'line' as const, color: '#90a4ae', strokeWidth: 1, strokeDash: [3, 3] }, encoding: { x, y } },
        {
          mark: { type: 'point' as const, filled: true, size: 80, color: FRONT },
          encoding: { x, y, tooltip: [{ field: 'value', type: 'nominal' as const, title: label }, { field: 'path', type: 'nominal' as const }, tip('mean', `${m.key} mean`), tip('p5', 'p5'), tip('p95', 'p95'), { field: 'runs', type: 'quantitative' as const }] },
        },
      ],
    }];
  });
  if (panels.length === 0) return emptyChart(name, title, caption, `No finished run has ${metrics[0].key}.`);
  const across = panels.length * (width + 90) <= WIDTH + 90;
  return { name, title, caption, spec: { $schema: SCHEMA, config: CONFIG, ...(across ? { hconcat: panels } : { vconcat: panels }) } };
}

export function sweepCharts(plan: SweepPlan, _outcomes: readonly RunOutcome[], analysis: Analysis): Chart[] {
  return [
    paretoChart(plan, analysis, 'pareto-cost-served', 'Cost against served demand', { key: SERVED, better: 'max' }, 'paretoCostServed'),
    paretoChart(plan, analysis, 'pareto-cost-oom', 'Cost against OOM kills', { key: OOM, better: 'min' }, 'paretoCostOom'),
    ...plan.varies.map((_, i) => effectChart(plan, analysis, i)),
  ];
}
