// summary.json `advice` as terminal tables (src/outputs/terminalTable.ts; src/cli/output.ts draws
// them): what to do, cost per workload, and each container's `resources:` on one line, in YAML's
// flow form so that it pastes into a manifest as it is (as krr and Goldilocks print them).
import YAML from 'yaml';
import type { AdviceSummary, Summary, WorkloadCostRow } from '../outputs/summary.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import { usd } from '../outputs/money.ts';
import { displayObject } from '../outputs/objectRef.ts';
import { cpu, memory } from '../outputs/resourceText.ts';

/** Workloads in the terminal's cost table; the rest summed in one row. */
export const TERMINAL_COST_ROWS = 10;

/** The advice of a run as tables; none for a summary without advice (a sweep's run, an old run). */
export function adviceTables(summary: Summary): TerminalTable[] {
  const advice = summary.advice;
  if (!advice) return [];
  return [itemsTable(advice), costTable(advice), resourcesTable(advice)].filter((t): t is TerminalTable => t !== null);
}

function itemsTable(advice: AdviceSummary): TerminalTable {
  const f = advice.fleet;
  return {
    title: 'Advice',
    columns: [{ header: 'severity' }, { header: 'what' }, { header: 'object' }, { header: 'how much', align: 'right' }, { header: 'what to do' }],
    cells: advice.items.map((a) => [a.severity, a.what, displayObject(a.objects[0] ?? '') + (a.objects.length > 1 ? ` +${a.objects.length - 1} more` : ''), a.figure, displayObject(a.action)]),
    notes: [
      ...(advice.items.length === 0 ? ['Nothing to act on: no HPA pinned at a bound, no throttling or OOM kills, every pod placed.'] : []),
      `Fleet: ${f.summary}`,
      ...(f.kept.length > 0 ? [`Left as they are: ${f.kept.map((k) => `${k.pool} (${k.reason})`).join(', ')}.`] : []),
    ],
  };
}

/** The `n` most expensive workloads, then the rest summed in one row ("12 more workloads"): the
 *  report's and the terminal's cost tables alike. */
export function topWorkloads(rows: readonly WorkloadCostRow[], n: number): WorkloadCostRow[] {
  const rest = rows.slice(n);
  if (rest.length === 0) return rows.slice();
  const sum = (pick: (w: WorkloadCostRow) => number) => rest.reduce((s, w) => s + pick(w), 0);
  return [...rows.slice(0, n), {
    workload: `${rest.length} more workloads`, costUsd: sum((w) => w.costUsd), sharePct: sum((w) => w.sharePct),
    cpuRequestedMilli: sum((w) => w.cpuRequestedMilli), cpuUsedMilli: sum((w) => w.cpuUsedMilli),
    memoryRequestedBytes: sum((w) => w.memoryRequestedBytes), memoryUsedBytes: sum((w) => w.memoryUsedBytes),
  }];
}

/** " (44%)": usage as a share of requests, after the usage. */
export function usedShare(used: number, requested: number): string {
  return requested > 0 ? ` (${Math.round((100 * used) / requested)}%)` : '';
}

function costTable(advice: AdviceSummary): TerminalTable | null {
  if (advice.workloads.length === 0) return null;
  const cells = topWorkloads(advice.workloads, TERMINAL_COST_ROWS).map((w) => [
    w.workload, usd(w.costUsd), `${w.sharePct.toFixed(1)}%`,
    cpu(w.cpuRequestedMilli), `${cpu(w.cpuUsedMilli)}${usedShare(w.cpuUsedMilli, w.cpuRequestedMilli)}`,
    memory(w.memoryRequestedBytes), `${memory(w.memoryUsedBytes)}${usedShare(w.memoryUsedBytes, w.memoryRequestedBytes)}`,
  ]);
  return {
    title: 'Cost per workload',
    columns: [{ header: 'workload' }, { header: 'cost', align: 'right' }, { header: 'share', align: 'right' }, { header: 'cpu req', align: 'right' }, { header: 'cpu used', align: 'right' }, { header: 'mem req', align: 'right' }, { header: 'mem used', align: 'right' }],
    cells,
    notes: ['Requests and usage are means over the run; cost is max(requests, usage) per node-hour, as OpenCost charges.'],
  };
}

function resourcesTable(advice: AdviceSummary): TerminalTable | null {
  const rows = advice.resources.filter((r) => r.yaml !== '');
  if (rows.length === 0) return null;
  const notes: string[] = [];
  if (rows.some((r) => r.shortHistory)) notes.push('short history: the recommender saw it for under a day; its target is a first guess, and its upper bound (95th percentile × (1 + 1/days)) is noise.');
  if (rows.some((r) => r.fromRequests)) notes.push('no usage model: the container uses its requests, so the target is the request plus margin, not a measurement.');
  return {
    title: 'Resources to paste (requests at the recommender\'s target, limits scaled with them)',
    columns: [{ header: 'workload' }, { header: 'container' }, { header: 'resources' }, { header: 'note' }],
    cells: rows.map((r) => [r.workload, r.container, flow(r.yaml), [r.shortHistory ? 'short history' : '', r.fromRequests ? 'no usage model' : ''].filter(Boolean).join(', ')]),
    notes,
  };
}

/** `resources: {requests: {cpu: 379m, memory: 488Mi}, limits: {memory: 977Mi}}`: the block in
 *  YAML's flow form, one line, as it pastes into a manifest. */
export function flow(yaml: string): string {
  const { resources } = YAML.parse(yaml) as { resources: unknown };
  return `resources: ${YAML.stringify(resources, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim()}`;
}
