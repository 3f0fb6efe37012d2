// The headline figures `capsim compare` sets side by side: which numbers of summary.json, how
// each reads and which way is better, and each run's difference from the baseline (the first).
import type { Summary, SummaryFigure } from '../outputs/summary.ts';

/** Which way a figure should move: cost and trouble down, served demand up; null when neither
 *  is better in itself (utilization, node counts, scaling activity). */
export type Better = 'lower' | 'higher' | null;

/** How a figure reads: money, a percentage of allocatable, served demand (keeps its nines), a
 *  count, emissions (kg CO2e), energy (kWh). */
export type FigureUnit = 'usd' | 'pct' | 'served-pct' | 'count' | 'kg-co2e' | 'kwh';

export interface Figure {
  /** Dotted path in summary.json. */
  key: SummaryFigure | KarpenterFigure;
  label: string;
  unit: FigureUnit;
  better: Better;
}

/** Karpenter's own counts: a Karpenter run has no cluster-autoscaler scale-ups, and a row of 0
 *  scale-ups beside 8 launched NodeClaims would read as a fleet that never grew. */
type KarpenterFigure = 'autoscaling.karpenter.nodeClaimsLaunched' | 'autoscaling.karpenter.nodeClaimsTerminated';

export const FIGURES: readonly Figure[] = [
  { key: 'cost.totalUsd', label: 'Total cost', unit: 'usd', better: 'lower' },
  { key: 'cost.monthlyRunRateUsd', label: 'Monthly run-rate', unit: 'usd', better: 'lower' },
  { key: 'cost.idleUsd', label: 'Idle cost', unit: 'usd', better: 'lower' },
  { key: 'carbon.kgCo2e', label: 'Carbon', unit: 'kg-co2e', better: 'lower' },
  { key: 'carbon.energyKwh', label: 'Energy', unit: 'kwh', better: 'lower' },
  { key: 'utilization.cpuRequestedPct', label: 'CPU requested', unit: 'pct', better: null },
  { key: 'utilization.cpuUsedPct', label: 'CPU used', unit: 'pct', better: null },
  { key: 'utilization.memoryRequestedPct', label: 'Memory requested', unit: 'pct', better: null },
  { key: 'utilization.memoryUsedPct', label: 'Memory used', unit: 'pct', better: null },
  { key: 'nodes.max', label: 'Peak nodes', unit: 'count', better: null },
  { key: 'nodes.mean', label: 'Mean nodes', unit: 'count', better: null },
  { key: 'nodes.nodeHours', label: 'Node-hours', unit: 'count', better: null },
  { key: 'pods.oomKills', label: 'OOM kills', unit: 'count', better: 'lower' },
  { key: 'pods.evictions', label: 'Evictions', unit: 'count', better: 'lower' },
  { key: 'pods.preemptions', label: 'Preemptions', unit: 'count', better: 'lower' },
  { key: 'pods.pendingPodSeconds', label: 'Pending pod-seconds', unit: 'count', better: 'lower' },
  { key: 'pods.unschedulable', label: 'Pods pending at the end', unit: 'count', better: 'lower' },
  { key: 'demand.servedPct', label: 'Demand served', unit: 'served-pct', better: 'higher' },
  { key: 'autoscaling.hpaScaleEvents', label: 'HPA scale events', unit: 'count', better: null },
  { key: 'autoscaling.nodeScaleUps', label: 'Node scale-ups (cluster autoscaler)', unit: 'count', better: null },
  { key: 'autoscaling.nodeScaleDowns', label: 'Node scale-downs (cluster autoscaler)', unit: 'count', better: null },
  { key: 'autoscaling.karpenter.nodeClaimsLaunched', label: 'NodeClaims launched (Karpenter)', unit: 'count', better: null },
  { key: 'autoscaling.karpenter.nodeClaimsTerminated', label: 'NodeClaims terminated (Karpenter)', unit: 'count', better: null },
];

export interface Delta {
  /** Run minus baseline, in the figure's unit (percentage points for percentages). */
  absolute: number | null;
  /** The difference as a percentage of the baseline; null when the baseline is 0. */
  pct: number | null;
}

export interface FigureRow extends Figure {
  /** One per run, in the order given; null where the summary has no such number. */
  values: (number | null)[];
  /** One per run after the baseline (runs 2..n). */
  deltas: Delta[];
}

/** A figure's number in a summary, or null (absent, as in older summaries, or null like
 *  demand.servedPct without demand). */
export function figureValue(summary: unknown, key: string): number | null {
  let node: unknown = summary;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

/** Rounds away the float noise of a subtraction (1.656 - 2.04); summary figures have at most
 *  6 decimals, so 9 keep every digit that means something. */
function tidy(value: number, decimals: number): number {
  const r = Number(value.toFixed(decimals));
  return Object.is(r, -0) ? 0 : r;
}

export function delta(baseline: number | null, value: number | null): Delta {
  if (baseline === null || value === null) return { absolute: null, pct: null };
  const absolute = tidy(value - baseline, 9);
  return { absolute, pct: baseline === 0 ? null : tidy((100 * (value - baseline)) / Math.abs(baseline), 6) };
}

/** The headline figures of the runs, the first being the baseline. */
export function compareFigures(runs: readonly { label: string; summary: Summary }[]): FigureRow[] {
  return FIGURES.flatMap((figure) => {
    const values = runs.map((r) => figureValue(r.summary, figure.key));
    // Karpenter's rows only where a run had Karpenter: a row of dashes says nothing.
    if (figure.key.startsWith('autoscaling.karpenter.') && values.every((v) => v === null)) return [];
    return [{ ...figure, values, deltas: values.slice(1).map((v) => delta(values[0], v)) }];
  });
}
