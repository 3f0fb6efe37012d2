// The study over a sweep's runs (issue 7): per configuration the mean, p5 and p95 of every figure
// over its seeds; which configurations meet every --constraint in every seed; the best of them by
// the --objective; and the Pareto fronts of cost against served demand and against OOM kills.
// Pure functions of (plan, outcomes): a merged set of shards gives the same analysis as one
// machine, so the same files.
import type { Summary, SummaryFigure } from '../outputs/summary.ts';
import { round } from '../outputs/format.ts';
import { usd } from '../outputs/money.ts';
import { SUMMARY_BREAKDOWNS } from '../outputs/summaryCheck.ts';
import { InputError, suggest, type Problem } from '../scenario/errors.ts';
import type { Config, RunOutcome, SweepPlan } from './plan.ts';

export interface Objective {
  /** A dotted figure of summary.json: cost.totalUsd. */
  key: string;
  direction: 'min' | 'max';
  /** As given: "max:demand.servedPct". */
  text: string;
}

export const OPERATORS = ['>=', '<=', '==', '!=', '>', '<'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Constraint {
  /** As given: "demand.servedPct>=99.9". */
  text: string;
  key: string;
  op: Operator;
  value: number;
}

export interface Study {
  objective: Objective | null;
  constraints: Constraint[];
}

/** The figures the fronts and the page are drawn from. */
export const COST: SummaryFigure = 'cost.totalUsd';
export const SERVED: SummaryFigure = 'demand.servedPct';
export const OOM: SummaryFigure = 'pods.oomKills';
export const CARBON: SummaryFigure = 'carbon.kgCo2e';

// ---------------------------------------------------------------------------------------------
// Parsing the flags

const KEY = /^[A-Za-z_][^\s<>=!:]*$/;

function flagProblem(flag: string, message: string, hint: string): Problem {
  return { file: flag, line: 0, column: 0, path: '', message, hint };
}

/** "cost.totalUsd" (minimize), "max:demand.servedPct", "min:cost.totalUsd". */
export function parseObjective(text: string): Objective {
  const m = /^\s*(?:(min|max)\s*:)?\s*(.*?)\s*$/.exec(text)!;
  const key = m[2];
  if (!KEY.test(key)) {
    const constraint = OPERATORS.some((op) => key.includes(op));
    throw new InputError([flagProblem('--objective', `"${text}" is not a figure to minimize or maximize`,
      constraint ? 'a limit goes in --constraint; the objective is a figure alone: --objective cost.totalUsd' : 'a dotted figure of summary.json, max: to maximize: --objective cost.totalUsd or --objective max:demand.servedPct')]);
  }
  return { key, direction: m[1] === 'max' ? 'max' : 'min', text: text.trim() };
}

/** "demand.servedPct>=99.9", "pods.oomKills == 0": a figure, an operator, a number. */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*(.+?)\s*(>=|<=|==|!=|>|<)\s*(.*?)\s*$/.exec(text);
  const hint = 'FIGURE OP NUMBER with OP one of >= <= == != > <: --constraint "demand.servedPct>=99.9"';
  if (!m) {
    const single = /^[^=<>!]+=[^=]/.test(text) ? 'use == for equality: pods.oomKills==0' : hint;
    throw new InputError([flagProblem('--constraint', `"${text}" is not FIGURE OP NUMBER`, single)]);
  }
  const [, key, op, valueText] = m;
  const value = Number(valueText);
  if (!KEY.test(key)) throw new InputError([flagProblem('--constraint', `"${text}": "${key}" is not a figure of summary.json`, hint)]);
  if (valueText === '' || !Number.isFinite(value)) throw new InputError([flagProblem('--constraint', `"${text}": "${valueText}" is not a number`, hint)]);
  return { text: text.trim(), key, op: op as Operator, value };
}

/** Every figure the study names must be a number (or empty, like demand.servedPct without demand)
 *  in the summaries: checked against one run's summary before the sweep, so a misspelt key is an
 *  input error naming its flag and the closest figure. */
export function checkKeys(study: Study, sample: Summary): void {
  const figures = flatten(sample);
  const named: [flag: string, key: string][] = [
    ...(study.objective ? [['--objective', study.objective.key] as [string, string]] : []),
    ...study.constraints.map((c): [string, string] => ['--constraint', c.key]),
  ];
  const problems: Problem[] = [];
  for (const [flag, key] of named) {
    if (figures.has(key)) continue;
    const close = suggest(key, figures.keys());
    const under = [...figures.keys()].filter((k) => k.startsWith(`${key}.`));
    const hint = close ? `did you mean ${close}?`
      : under.length > 0 ? `${key} holds several figures; name one: ${under.slice(0, 4).join(', ')}${under.length > 4 ? ', ...' : ''}`
      : `the figures are the dotted numbers of summary.json (the columns of sweep.csv), e.g. ${COST}, ${CARBON}, ${SERVED}, ${OOM}`;
    problems.push(flagProblem(flag, `${key} is not a number in summary.json`, hint));
  }
  if (problems.length > 0) throw new InputError(problems);
}

// ---------------------------------------------------------------------------------------------
// Figures of a summary

/** Every number of a summary under its dotted key (cost.byPool.general), in the summary's order;
 *  null where the summary has null (demand.servedPct without demand). The scenario's name and
 *  the seed are the run's identity, not figures, and are left out. */
export function flatten(summary: Summary): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const walk = (node: unknown, key: string) => {
    if (typeof node === 'number') out.set(key, Number.isFinite(node) ? node : null);
    else if (node === null) out.set(key, null);
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${key}[${i}]`));
    else if (typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, key ? `${key}.${k}` : k);
  };
  for (const [k, v] of Object.entries(summary)) if (k !== 'scenario' && k !== 'seed') walk(v, k);
  return out;
}

/** The union of the figures' keys in first-appearance order; a key first seen in a later run
 *  (a pool that only some configurations have) goes after its neighbour in that run, so that
 *  cost.byPool.spot sits beside cost.byPool.general rather than at the end. */
export function figureKeys(flats: readonly Map<string, number | null>[]): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const flat of flats) {
    let previous: string | null = null;
    for (const key of flat.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        const at = previous === null ? 0 : keys.indexOf(previous) + 1;
        // A whole run of new keys keeps its own order: each goes after the one before it.
        keys.splice(at, 0, key);
      }
      previous = key;
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The p-th quantile (p in [0, 1]) of ascending values by linear interpolation between the
 *  closest ranks, numpy's default ("linear", Hyndman & Fan type 7): h = (n-1)p, x[floor h] +
 *  (h - floor h)(x[floor h + 1] - x[floor h]). p5 and p95 of [1, 2, 3, 4] are 1.15 and 3.85. */
export function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Stats {
  /** Rounded to 6 decimals, as printed: the study decides on what the files show. Null when no
   *  finished seed has the figure. */
  mean: number | null;
  p5: number | null;
  p95: number | null;
  /** How many values they are over. */
  n: number;
}

const DECIMALS = 6;

export function stats(values: readonly (number | null | undefined)[]): Stats {
  const xs = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (xs.length === 0) return { mean: null, p5: null, p95: null, n: 0 };
  // Summed in plan order (not sorted) would differ in the last bit between orders; sorted is one order.
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean: round(mean, DECIMALS), p5: round(percentile(xs, 0.05), DECIMALS), p95: round(percentile(xs, 0.95), DECIMALS), n: xs.length };
}

const isBreakdownEntry = (key: string) => SUMMARY_BREAKDOWNS.some((map) => key.startsWith(`${map}.`));

/** A figure's value in each finished seed of a configuration, for its statistics. A breakdown
 *  entry (cost.byPool.spot) some seeds have and others lack is 0 in those (no spot node in that
 *  seed cost nothing), so the mean is over every seed, not over the seeds that had a spot node.
 *  An entry no seed has stays empty. */
export function seedValues(seeds: readonly Map<string, number | null>[], key: string): (number | null | undefined)[] {
  const values = seeds.map((figures) => figures.get(key));
  const partial = values.some((v) => v === undefined) && values.some((v) => v !== undefined);
  return partial && isBreakdownEntry(key) ? values.map((v) => v ?? 0) : values;
}

export function meets(value: number | null | undefined, c: Pick<Constraint, 'op' | 'value'>): boolean {
  // A run without the figure (null) cannot be shown to meet it.
  if (typeof value !== 'number') return false;
  switch (c.op) {
    case '>=': return value >= c.value;
    case '<=': return value <= c.value;
    case '==': return value === c.value;
    case '!=': return value !== c.value;
    case '>': return value > c.value;
    case '<': return value < c.value;
  }
}

// ---------------------------------------------------------------------------------------------
// Pareto fronts

/** Which points are on the Pareto front when both coordinates are to be minimized: a point is
 *  dominated when another is at least as good on both and strictly better on one; equal points
 *  do not dominate each other, so they are all on the front. Sorted by x, a point is on the front
 *  when its y is the least among points with its x and less than every y of a smaller x. */
export function paretoFront(points: readonly (readonly [number, number])[]): boolean[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1]);
  const on = points.map(() => false);
  let bestBefore = Infinity; // least y over strictly smaller x
  for (let i = 0; i < order.length; ) {
    const x = points[order[i]][0];
    let j = i;
    while (j < order.length && points[order[j]][0] === x) j++;
    const leastHere = points[order[i]][1];
    for (let k = i; k < j && points[order[k]][1] === leastHere; k++) on[order[k]] = leastHere < bestBefore;
    bestBefore = Math.min(bestBefore, leastHere);
    i = j;
  }
  return on;
}

/** Front marks for items with (cost, other) figures: true/false, null where a figure is missing. */
function markFront(items: readonly { cost: number | null; other: number | null }[], other: 'min' | 'max'): (boolean | null)[] {
  const present = items.flatMap((it, i) => (it.cost !== null && it.other !== null ? [i] : []));
  const front = paretoFront(present.map((i) => [items[i].cost!, other === 'max' ? -items[i].other! : items[i].other!] as const));
  const marks: (boolean | null)[] = items.map(() => null);
  present.forEach((i, k) => (marks[i] = front[k]));
  return marks;
}

// ---------------------------------------------------------------------------------------------
// The analysis

export interface RunResult {
  outcome: RunOutcome;
  figures: Map<string, number | null>;
  /** Texts of the constraints this run breaks (empty for failed runs: they are counted apart). */
  violates: string[];
  /** On the front of all finished runs; null for failed runs and runs without the figures. */
  paretoCostServed: boolean | null;
  paretoCostOom: boolean | null;
}

export interface ConfigResult {
  config: Config;
  runs: number;
  failed: number;
  /** Finished runs that break at least one constraint. */
  violatingRuns: number;
  /** No failed run, and every finished run meets every constraint. */
  meetsAll: boolean;
  /** Every figure (analysis.keys) over the finished seeds. */
  figures: Map<string, Stats>;
  /** The objective's figure, or null without an objective. */
  objective: Stats | null;
  paretoCostServed: boolean | null;
  paretoCostOom: boolean | null;
}

export interface ConstraintResult {
  constraint: Constraint;
  /** Finished runs that break it (failed runs are counted in analysis.failedRuns). */
  violatingRuns: number;
  okRuns: number;
}

export interface Analysis {
  objective: Objective | null;
  constraints: Constraint[];
  /** The figure columns, in order. */
  keys: string[];
  runs: RunResult[];
  /** Configurations with at least one outcome, in plan order. */
  configs: ConfigResult[];
  okRuns: number;
  failedRuns: number;
  byConstraint: ConstraintResult[];
  feasible: ConfigResult[];
  /** The feasible configuration with the best objective mean (ties: the first); null without an
   *  objective or when none is feasible. */
  best: ConfigResult | null;
  /** When none is feasible: the constraint broken by the most runs (null when none is broken,
   *  only runs failed), and the configuration with the fewest bad runs (failed or breaking a
   *  constraint; ties by objective, then plan order). */
  mostFailed: ConstraintResult | null;
  closest: ConfigResult | null;
}

/** Every configuration, best first (capsim sweep's table and -o json): those that meet every
 *  constraint in every seed by the objective, then the rest by how many runs miss or fail. */
export function rankConfigs(analysis: Analysis): ConfigResult[] {
  const bad = (c: ConfigResult) => c.failed + c.violatingRuns;
  const order = byObjective(analysis.objective);
  return [...analysis.configs].sort((a, b) => Number(b.meetsAll) - Number(a.meetsAll) || bad(a) - bad(b) || order(a, b));
}

/** Better objective first; configurations without a value last; then plan order. */
function byObjective(objective: Objective | null) {
  return (a: ConfigResult, b: ConfigResult): number => {
    const x = a.objective?.mean ?? null;
    const y = b.objective?.mean ?? null;
    if (objective && x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return objective.direction === 'min' ? x - y : y - x;
    }
    return a.config.index - b.config.index;
  };
}

export function analyse(plan: SweepPlan, outcomes: readonly RunOutcome[], objective: Objective | null, constraints: readonly Constraint[]): Analysis {
  const runs: RunResult[] = outcomes.map((outcome) => {
    const figures = outcome.status === 'ok' && outcome.summary ? flatten(outcome.summary) : new Map<string, number | null>();
    const violates = outcome.status === 'ok' ? constraints.filter((c) => !meets(figures.get(c.key), c)).map((c) => c.text) : [];
    return { outcome, figures, violates, paretoCostServed: null, paretoCostOom: null };
  });
  const ok = runs.filter((r) => r.outcome.status === 'ok');
  const keys = figureKeys(ok.map((r) => r.figures));

  const servedMarks = markFront(ok.map((r) => ({ cost: r.figures.get(COST) ?? null, other: r.figures.get(SERVED) ?? null })), 'max');
  const oomMarks = markFront(ok.map((r) => ({ cost: r.figures.get(COST) ?? null, other: r.figures.get(OOM) ?? null })), 'min');
  ok.forEach((r, i) => {
    r.paretoCostServed = servedMarks[i];
    r.paretoCostOom = oomMarks[i];
  });

  const byConfig = new Map<number, RunResult[]>();
  for (const r of runs) byConfig.set(r.outcome.run.config, [...(byConfig.get(r.outcome.run.config) ?? []), r]);
  const configs: ConfigResult[] = plan.configs.filter((c) => byConfig.has(c.index)).map((config) => {
    const mine = byConfig.get(config.index)!;
    const finished = mine.filter((r) => r.outcome.status === 'ok');
    const failed = mine.length - finished.length;
    const violatingRuns = finished.filter((r) => r.violates.length > 0).length;
    const figures = new Map(keys.map((key) => [key, stats(seedValues(finished.map((r) => r.figures), key))]));
    return {
      config,
      runs: mine.length,
      failed,
      violatingRuns,
      meetsAll: failed === 0 && violatingRuns === 0,
      figures,
      objective: objective ? (figures.get(objective.key) ?? stats([])) : null,
      paretoCostServed: null,
      paretoCostOom: null,
    };
  });
  const meanOf = (c: ConfigResult, key: string) => c.figures.get(key)?.mean ?? null;
  const configServed = markFront(configs.map((c) => ({ cost: meanOf(c, COST), other: meanOf(c, SERVED) })), 'max');
  const configOom = markFront(configs.map((c) => ({ cost: meanOf(c, COST), other: meanOf(c, OOM) })), 'min');
  configs.forEach((c, i) => {
    c.paretoCostServed = configServed[i];
    c.paretoCostOom = configOom[i];
  });

  const byConstraint = constraints.map((constraint) => ({
    constraint,
    violatingRuns: ok.filter((r) => r.violates.includes(constraint.text)).length,
    okRuns: ok.length,
  }));
  const feasible = configs.filter((c) => c.meetsAll);
  const ranked = [...feasible].sort(byObjective(objective));
  const best = objective && ranked.length > 0 && ranked[0].objective?.mean !== null ? ranked[0] : null;

  let mostFailed: ConstraintResult | null = null;
  let closest: ConfigResult | null = null;
  if (feasible.length === 0 && configs.length > 0) {
    for (const c of byConstraint) if (c.violatingRuns > 0 && (mostFailed === null || c.violatingRuns > mostFailed.violatingRuns)) mostFailed = c;
    const bad = (c: ConfigResult) => c.failed + c.violatingRuns;
    closest = [...configs].sort((a, b) => bad(a) - bad(b) || byObjective(objective)(a, b))[0];
  }
  return {
    objective,
    constraints: [...constraints],
    keys,
    runs,
    configs,
    okRuns: ok.length,
    failedRuns: runs.length - ok.length,
    byConstraint,
    feasible,
    best,
    mostFailed,
    closest,
  };
}

// ---------------------------------------------------------------------------------------------
// In words

/** A number as the files print it: at most 6 decimals, no float noise. */
export function formatNumber(value: number | null): string {
  return value === null ? '' : String(round(value, DECIMALS));
}

/** "spec.cluster.nodePools[0].count=4, spec.hpa.target=60". */
export function configValues(plan: Pick<SweepPlan, 'varies'>, config: Config): string {
  return plan.varies.map((v, i) => `${v.path}=${config.values[i]}`).join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function objectiveWords(analysis: Analysis, c: ConfigResult): string {
  const o = analysis.objective;
  if (!o || !c.objective || c.objective.mean === null) return '';
  // Money as people read it ($13.25); other figures with the digits the files have.
  const text = (v: number | null) => (v !== null && /Usd$/.test(o.key) ? usd(v) : formatNumber(v));
  const spread = c.objective.p5 !== c.objective.p95 ? ` (p5 ${text(c.objective.p5)}, p95 ${text(c.objective.p95)})` : '';
  return `${o.key} mean ${text(c.objective.mean)}${spread} over ${plural(c.objective.n, 'seed')}`;
}

/** The study's answer in one paragraph, as `capsim sweep` prints it and the page states it. */
export function bestLine(analysis: Analysis, plan: Pick<SweepPlan, 'varies'>): string {
  const a = analysis;
  const rules = a.constraints.map((c) => c.text).join(', ');
  if (a.configs.length === 0) return 'no runs to study';
  if (a.best) {
    const b = a.best;
    const meetsText = rules ? `; meets ${rules} in every seed` : '';
    return `best: ${b.config.id} (${configValues(plan, b.config)}): ${objectiveWords(a, b)}${meetsText}`;
  }
  if (a.feasible.length > 0) {
    const ids = a.feasible.slice(0, 10).map((c) => c.config.id).join(', ');
    const more = a.feasible.length > 10 ? `, and ${a.feasible.length - 10} more` : '';
    const what = rules ? `meet ${rules} in every seed` : 'finished every seed';
    const why = a.objective ? `none has a value of ${a.objective.key}` : 'no --objective to rank them';
    return `${a.feasible.length} of ${a.configs.length} configurations ${what} (${ids}${more}); ${why}`;
  }
  const parts: string[] = [];
  if (a.mostFailed) {
    const m = a.mostFailed;
    parts.push(`${m.constraint.text} failed in ${m.violatingRuns} of ${plural(m.okRuns, 'run')}${a.byConstraint.length > 1 ? ' (the most)' : ''}`);
  }
  if (a.failedRuns > 0) parts.push(`${plural(a.failedRuns, 'run')} stopped with an error`);
  const c = a.closest!;
  const bad = c.failed + c.violatingRuns;
  const objective = objectiveWords(a, c);
  const verb = bad === 1 ? ['misses', 'stops'] : ['miss', 'stop'];
  const how = `${verb[0]} a constraint${c.failed > 0 ? ` or ${verb[1]} with an error` : ''}`;
  const closest = `closest: ${c.config.id} (${configValues(plan, c.config)}), ${bad} of ${plural(c.runs, 'run')} ${how}${objective ? `; ${objective}` : ''}`;
  return `no configuration meets every constraint: ${parts.join('; ')}; ${closest}`;
}
