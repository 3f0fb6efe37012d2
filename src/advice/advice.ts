// summary.json `advice` (issue 21, "a report that advises"): computed once at the end of a run
// from what the run already holds, never from the simulation's hot path. Each item says how bad
// (severity), what, the number, and what to do; docs/outputs.md "Advice" lists the codes and
// thresholds.
import type { RecommendationRow } from '../controllers/vpa/controller.ts';
import type { AdviceItem, AdviceSeverity, AdviceSummary, ResourcesAdvice, Summary, WorkloadCostRow } from '../outputs/summary.ts';
import type { HpaBoundShare } from '../record/runFlags.ts';
import type { PeakSnapshot, WorkloadIntegrals } from './collect.ts';
import { fleetAdvice } from './fleet.ts';
import { usd } from '../outputs/money.ts';
import { resourcesYaml } from './resourcesYaml.ts';

/** An HPA at maxReplicas in at least this share of the samples is advice (more than half is also a warning). */
export const HPA_AT_MAX_ADVICE = 0.25;
/** An HPA with minReplicas > 1 at minReplicas in at least this share of the samples. */
export const HPA_AT_MIN_ADVICE = 0.9;
/** A workload throttled for at least this share of the CPU it wanted. */
export const THROTTLED_ADVICE = 0.05;
/** Under this much history (days) the recommender's upper bound is its 95th percentile × more than 2. */
export const SHORT_HISTORY_DAYS = 1;

export interface WorkloadTrouble {
  ref: string;
  /** ∫ throttled / ∫ wanted CPU over the run. */
  throttledShare: number;
  oomKills: number;
}

export interface AdviceInputs {
  summary: Summary;
  peak: PeakSnapshot | null;
  hpas: readonly HpaBoundShare[];
  trouble: readonly WorkloadTrouble[];
  totals: ReadonlyMap<string, WorkloadIntegrals>;
  recommendations: readonly RecommendationRow[];
  /** Workloads whose containers use their requests (warning usage-from-requests). */
  fromRequests: ReadonlySet<string>;
}

const RANK: Record<AdviceSeverity, number> = { high: 0, medium: 1, low: 2 };
const pct = (share: number) => `${Math.round(share * 100)}%`;

export function buildAdvice(input: AdviceInputs): AdviceSummary {
  const { summary } = input;
  const fleet = fleetAdvice(summary, input.peak);
  const items: AdviceItem[] = [];
  if (fleet.advised) {
    const share = fleet.savingMonthlyUsd! / fleet.currentMonthlyUsd;
    items.push({
      severity: share >= 0.3 ? 'high' : 'medium', code: 'fleet-oversized', what: 'cluster larger than its pods need',
      objects: fleet.proposal.flatMap((f) => f.pools.map((p) => `NodePool/-/${p}`)),
      figure: `${usd(fleet.savingMonthlyUsd!)}/month (${pct(share)})`,
      action: `Run ${fleet.proposal.map((f) => `${f.nodes} × ${f.instanceType}`).join(' + ')} instead of ${fleet.proposal[0].pools.join(', ')} (Fleet, below), with a node or two spare: the packing ignores zones, spread and surge headroom.`,
    });
  }
  for (const h of input.hpas) {
    // At maxReplicas while its metrics asked for more (upstream's ScalingLimited/TooManyReplicas):
    // the cap, not the load, set the replicas. At max and content is not advice.
    const wantedMore = h.wantedMoreShare === null ? '' : `; its metrics asked for more in ${pct(h.wantedMoreShare)} of its syncs`;
    if (h.atMaxShare >= HPA_AT_MAX_ADVICE && (h.wantedMoreShare ?? 1) > 0) {
      items.push({
        severity: h.atMaxShare > 0.5 || (h.wantedMoreShare ?? 0) >= 0.25 ? 'high' : 'medium', code: 'hpa-at-max', what: 'HPA pinned at maxReplicas', objects: [h.hpa, h.target],
        figure: `${pct(h.atMaxShare)} of the run at ${h.maxReplicas}${wantedMore}`,
        action: `Raise maxReplicas of ${h.hpa} (the cap, not the load, set the replicas), or check that the load model is what you meant.`,
      });
    } else if (h.minReplicas > 1 && h.atMinShare >= HPA_AT_MIN_ADVICE) {
      const wantedLess = h.wantedLessShare === null ? '' : `; its metrics asked for fewer in ${pct(h.wantedLessShare)} of its syncs`;
      items.push({
        severity: 'low', code: 'hpa-at-min', what: 'HPA pinned at minReplicas', objects: [h.hpa, h.target],
        figure: `${pct(h.atMinShare)} of the run at ${h.minReplicas}${wantedLess}`,
        action: `The load never asked for more than minReplicas: lower minReplicas of ${h.hpa} if ${h.minReplicas} replicas are not needed for availability.`,
      });
    }
  }
  const targets = new Map(input.recommendations.map((r) => [r.workload, r]));
  for (const t of input.trouble) {
    if (t.throttledShare >= THROTTLED_ADVICE) {
      items.push({
        severity: t.throttledShare > 0.25 ? 'high' : 'medium', code: 'cpu-throttled', what: 'CPU throttled', objects: [t.ref],
        figure: `${pct(t.throttledShare)} of the CPU it wanted`,
        action: `Raise the CPU limits of ${t.ref} (or remove them), or its requests so that it lands on nodes with room.`,
      });
    }
    if (t.oomKills > 0) {
      const rec = targets.get(t.ref)?.recommendation?.target.memoryBytes;
      items.push({
        severity: 'high', code: 'oom-killed', what: 'OOM-killed', objects: [t.ref],
        figure: `${t.oomKills} OOM kill${t.oomKills === 1 ? '' : 's'}`,
        action: `Raise the memory limit of ${t.ref}${rec ? ` above the recommender's target of ${mebibytes(rec)}` : ''}; the Rightsizing section has a resources block.`,
      });
    }
  }
  // A workload whose pods fit no node is also pending at the end: said once, with the reason.
  const fitsNoNode = new Set((summary.warnings ?? []).filter((w) => w.code === 'pod-fits-no-node').flatMap((w) => w.objects));
  for (const w of summary.warnings ?? []) {
    if (w.code !== 'pod-fits-no-node' && w.code !== 'pods-pending') continue;
    if (w.code === 'pods-pending' && w.objects.every((o) => fitsNoNode.has(o))) continue;
    items.push({
      severity: 'high', code: 'pods-fit-no-pool', what: w.code === 'pods-pending' ? 'pods pending at the end' : 'pods fit no pool', objects: w.objects,
      figure: /^(\d+) pods?/.exec(w.message)?.[0] ?? 'never scheduled',
      // The preflight's message says what to do; the scheduler's last word does not.
      action: w.code === 'pod-fits-no-node' ? w.message : `${w.message} Add a pool whose nodes fit them, or lower their requests.`,
    });
  }
  items.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  return { items, fleet, workloads: workloadCosts(summary, input.totals), resources: resources(input.recommendations, input.fromRequests) };
}

function workloadCosts(summary: Summary, totals: ReadonlyMap<string, WorkloadIntegrals>): WorkloadCostRow[] {
  const ms = summary.durationSeconds * 1000;
  const allocated = summary.cost.allocatedUsd;
  const mean = (x: number | undefined) => (ms > 0 && x ? Math.round(x / ms) : 0);
  return Object.entries(summary.cost.byWorkload)
    .map(([workload, costUsd]) => {
      const t = totals.get(workload);
      return {
        workload, costUsd, sharePct: allocated > 0 ? Math.round((10000 * costUsd) / allocated) / 100 : 0,
        cpuRequestedMilli: mean(t?.cpuRequestedMilliMs), cpuUsedMilli: mean(t?.cpuUsedMilliMs),
        memoryRequestedBytes: mean(t?.memoryRequestedByteMs), memoryUsedBytes: mean(t?.memoryUsedByteMs),
      };
    })
    .sort((a, b) => b.costUsd - a.costUsd || (a.workload < b.workload ? -1 : 1));
}

function resources(rows: readonly RecommendationRow[], fromRequests: ReadonlySet<string>): ResourcesAdvice[] {
  return rows.map((row) => {
    const historyDays = Math.round((row.historyDays ?? 0) * 10000) / 10000;
    const shortHistory = historyDays < SHORT_HISTORY_DAYS;
    return { workload: row.workload, container: row.container, yaml: resourcesYaml(row), historyDays, shortHistory, fromRequests: fromRequests.has(row.workload) };
  });
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
