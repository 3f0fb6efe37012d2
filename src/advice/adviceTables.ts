// summary.json `advice` as terminal tables (src/outputs/terminalTable.ts; src/cli/output.ts draws
// them): what to do, cost per workload, and each container's `resources:` on one line, in YAML's
// flow form so that it pastes into a manifest as it is (as krr and Goldilocks print them).
import YAML from 'yaml';
import type { AdviceSummary, Summary } from '../outputs/summary.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import { usd } from '../outputs/money.ts';
import { displayObject } from '../outputs/objectRef.ts';

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

function costTable(advice: AdviceSummary): TerminalTable | null {
  if (advice.workloads.length === 0) return null;
  const shown = advice.workloads.slice(0, TERMINAL_COST_ROWS);
  const rest = advice.workloads.slice(TERMINAL_COST_ROWS);
  const used = (u: number, r: number) => (r > 0 ? ` (${Math.round((100 * u) / r)}%)` : '');
  const cells = shown.map((w) => [
    w.workload, usd(w.costUsd), `${w.sharePct.toFixed(1)}%`,
    cpuText(w.cpuRequestedMilli), `${cpuText(w.cpuUsedMilli)}${used(w.cpuUsedMilli, w.cpuRequestedMilli)}`,
    memoryText(w.memoryRequestedBytes), `${memoryText(w.memoryUsedBytes)}${used(w.memoryUsedBytes, w.memoryRequestedBytes)}`,
  ]);
  if (rest.length > 0) {
    const sum = (pick: (w: AdviceSummary['workloads'][number]) => number) => rest.reduce((s, w) => s + pick(w), 0);
    cells.push([`${rest.length} more`, usd(sum((w) => w.costUsd)), `${sum((w) => w.sharePct).toFixed(1)}%`, cpuText(sum((w) => w.cpuRequestedMilli)), cpuText(sum((w) => w.cpuUsedMilli)), memoryText(sum((w) => w.memoryRequestedBytes)), memoryText(sum((w) => w.memoryUsedBytes))]);
  }
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

/** `resources: {requests: {cpu: 379m, memory: 488Mi}, limits: {memory: 977Mi}}`. */
export function flow(yaml: string): string {
  const doc = YAML.parse(yaml) as { resources: Record<string, Record<string, string | number>> };
  const inner = (m: Record<string, string | number>) => `{${Object.entries(m).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
  return `resources: {${Object.entries(doc.resources).map(([k, m]) => `${k}: ${inner(m)}`).join(', ')}}`;
}

function cpuText(milli: number): string {
  return milli >= 1000 && milli % 100 === 0 ? `${milli / 1000}` : `${Math.round(milli)}m`;
}

function memoryText(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return gib >= 1 ? `${Number(gib.toFixed(2))}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}
