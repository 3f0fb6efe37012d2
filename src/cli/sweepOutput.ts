// What `capsim sweep` prints: the study's answer (bestLine), then its configurations ranked, best
// first, as a table for people or, with -o json|yaml, as data for programs.
import type { TerminalTable } from '../outputs/terminalTable.ts';
import { usd } from '../outputs/money.ts';
import { count, percent, servedPercent } from '../report/units.ts';
import type { SweepPlan } from '../sweep/plan.ts';
import { bestLine, rankConfigs, type Analysis, type ConfigResult, type Stats } from '../sweep/study.ts';

/** Rows shown in the terminal; sweep-summary.csv has them all. */
const SHOWN = 10;

/** Figures every run has, shown beside the objective (means only, to keep the table narrow). */
const HEADLINE: readonly (readonly [key: string, header: string])[] = [['cost.monthlyRunRateUsd', 'monthly'], ['demand.servedPct', 'served'], ['nodes.max', 'peak nodes']];

/** A figure of summary.json as people read it: money as $, percentages with %. */
export function figureText(key: string, value: number | null): string {
  if (value === null) return '–';
  if (/Usd$/.test(key)) return usd(value);
  if (key === 'demand.servedPct') return servedPercent(value);
  if (/Pct$/.test(key)) return percent(value);
  return count(value);
}

function statsText(key: string, s: Stats | undefined | null): string {
  if (!s || s.mean === null) return '–';
  return s.p5 !== s.p95 ? `${figureText(key, s.mean)} (${figureText(key, s.p5)}–${figureText(key, s.p95)})` : figureText(key, s.mean);
}

/** The last words of a --set path, for a column header: spec.cluster.nodePools[0].instanceType -> nodePools[0].instanceType. */
function shortPath(p: string): string {
  return p.split('.').slice(-2).join('.');
}

function verdictText(c: ConfigResult): string {
  if (c.meetsAll) return 'yes';
  const parts = [c.violatingRuns > 0 ? `${c.violatingRuns} of ${c.runs} miss` : '', c.failed > 0 ? `${c.failed} failed` : ''].filter(Boolean);
  return `no: ${parts.join(', ')}`;
}

export function sweepTables(analysis: Analysis, plan: Pick<SweepPlan, 'varies'>): TerminalTable[] {
  const ranked = rankConfigs(analysis);
  const objective = analysis.objective;
  const others = HEADLINE.filter(([k]) => k !== objective?.key && analysis.keys.includes(k));
  const table: TerminalTable = {
    title: bestLine(analysis, plan),
    columns: [
      { header: 'rank', align: 'right' }, { header: 'config' },
      ...plan.varies.map((v) => ({ header: shortPath(v.path) })),
      ...(objective ? [{ header: `${objective.key} (${objective.direction})`, align: 'right' as const }] : []),
      ...others.map(([, header]) => ({ header, align: 'right' as const })),
      { header: 'seeds', align: 'right' },
      ...(analysis.constraints.length > 0 ? [{ header: 'meets constraints' }] : []),
    ],
    cells: ranked.slice(0, SHOWN).map((c, i) => [
      String(i + 1), c.config.id, ...c.config.values,
      ...(objective ? [statsText(objective.key, c.objective)] : []),
      ...others.map(([k]) => figureText(k, c.figures.get(k)?.mean ?? null)),
      String(c.runs - c.failed),
      ...(analysis.constraints.length > 0 ? [verdictText(c)] : []),
    ]),
    notes: [
      ...(ranked.length > SHOWN ? [`${ranked.length - SHOWN} more configurations in sweep-summary.csv (-o json lists them all).`] : []),
      `Figures: means over the seeds${objective ? ` (the objective's p5–p95 when they differ)` : ''}; monthly = cost.monthlyRunRateUsd, served = demand.servedPct, peak nodes = nodes.max.`,
    ],
  };
  return [table];
}

/** -o json|yaml: the configurations ranked, best first, with every figure's mean, p5 and p95. */
export function sweepData(analysis: Analysis, plan: Pick<SweepPlan, 'varies'>): unknown {
  return {
    answer: bestLine(analysis, plan),
    objective: analysis.objective,
    constraints: analysis.constraints.map((c) => c.text),
    best: analysis.best?.config.id ?? null,
    configs: rankConfigs(analysis).map((c, i) => ({
      rank: i + 1,
      config: c.config.id,
      values: Object.fromEntries(plan.varies.map((v, k) => [v.path, c.config.values[k]])),
      runs: c.runs,
      failed: c.failed,
      violatingRuns: c.violatingRuns,
      meetsAll: c.meetsAll,
      objective: c.objective,
      figures: Object.fromEntries(analysis.keys.map((k) => [k, c.figures.get(k) ?? null])),
    })),
  };
}
