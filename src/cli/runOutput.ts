// What `capsim run` prints on stdout for people: the headline figures of summary.json as a table
// (replacing the one long line of before issue 21), then where the results are. A list of
// TerminalTable, so that more tables (the advice) slot in between as one more element.
import { usd } from '../outputs/money.ts';
import { warningBrief, type Summary } from '../outputs/summary.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import { count, kgCo2e, kwh, percent, servedPercent } from '../report/units.ts';

export interface RunFacts {
  /** The run's length as the user wrote it (durationAsWritten). */
  duration: string;
  /** Pods of a cluster's state that started bound, as dumped (pods.scheduled leaves them out). */
  startedAsDumped: number;
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** The headline: cost, monthly, nodes, utilization, demand served, pods, trouble, warnings. */
export function headlineTable(s: Summary, facts: RunFacts): TerminalTable {
  const rows: string[][] = [
    ['cost', usd(s.cost.totalUsd), `over ${facts.duration}${Math.abs(s.cost.listUsd - s.cost.totalUsd) >= 0.005 ? `; ${usd(s.cost.listUsd)} at list prices` : ''}`],
    ['monthly run-rate', usd(s.cost.monthlyRunRateUsd), 'average $/hour × 730'],
    ['nodes at peak', count(s.nodes.max), `min ${count(s.nodes.min)}, mean ${count(Number(s.nodes.mean.toFixed(1)))}; ${count(Number(s.nodes.nodeHours.toFixed(1)))} node-hours`],
    ['cpu requested', percent(s.utilization.cpuRequestedPct), `used ${percent(s.utilization.cpuUsedPct)} of allocatable`],
    ['memory requested', percent(s.utilization.memoryRequestedPct), `used ${percent(s.utilization.memoryUsedPct)} of allocatable`],
  ];
  if (s.demand.servedPct !== null) rows.push(['demand served', servedPercent(s.demand.servedPct), 'of all demand offered']);
  const dumped = facts.startedAsDumped > 0 ? `${plural(facts.startedAsDumped, 'pod')} started as dumped; ` : '';
  rows.push(['pods scheduled', count(s.pods.scheduled), `${dumped}${count(s.pods.unschedulable)} pending at the end`]);
  const trouble = [
    s.pods.oomKills > 0 && plural(s.pods.oomKills, 'OOM kill'),
    s.pods.evictions > 0 && plural(s.pods.evictions, 'eviction'),
    s.pods.preemptions > 0 && plural(s.pods.preemptions, 'preemption'),
  ].filter((t): t is string => typeof t === 'string');
  rows.push(['trouble', trouble.length === 0 ? 'none' : String(s.pods.oomKills + s.pods.evictions + s.pods.preemptions), trouble.join(', ') || 'no OOM kills, evictions or preemptions']);
  if (s.carbon.kgCo2e > 0) rows.push(['carbon', kgCo2e(s.carbon.kgCo2e), kwh(s.carbon.energyKwh)]);
  const warnings = s.warnings ?? [];
  // One warning a line: the details are on stderr, in summary.json and in the report.
  warnings.forEach((w, i) => rows.push([i === 0 ? 'warnings' : '', i === 0 ? count(warnings.length) : '', warningBrief(w)]));
  return { title: `${s.scenario}: ${facts.duration}, seed ${s.seed}`, columns: [{ header: 'figure' }, { header: 'value', align: 'right' }, { header: 'detail' }], cells: rows };
}

/** Where the results are: the directory with the files written, the report. */
export function resultsTable(results: { dir: string; files: string[]; report: string | null }): TerminalTable {
  const cells = [['results', `${results.dir}/ (${results.files.join(', ')})`]];
  if (results.report) cells.push(['report', results.report]);
  return { columns: [{ header: 'output' }, { header: 'path' }], cells };
}
