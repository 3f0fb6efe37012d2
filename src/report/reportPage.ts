// report.html of one run: headline cards and the run's story in a few sentences, the charts,
// the rightsizing table, the top events, and the scenario as run.
import YAML from 'yaml';
import type { Chart } from './charts/chart.ts';
import type { EventRow, Recommendation, RunData } from './runFiles.ts';
import type { CarbonSummary, RunWarning, KarpenterSummary, TracesSummary } from '../outputs/summary.ts';
import { cards, displayObject, escapeHtml, figure, page, table, type Card } from './html.ts';
import { filesBeside } from './filesBeside.ts';
import { backtestSection, type BacktestView } from './backtestSection.ts';
import { count, cpu, duration, kg, kgCo2e, kwh, memory, percent, runDuration, servedPercent, usd, usdPerHour, utcTime } from './units.ts';
import { adviceSection, historyNote, resourcesBlocks, workloadCostSection } from './adviceSection.ts';
import type { ResourcesAdvice } from '../outputs/summary.ts';

/** Rows of the rightsizing and event tables; the CSVs have the rest. */
const TABLE_ROWS = 50;
/** The scenario is shown up to this size (a k8s-sims snapshot resolves to megabytes). */
const SCENARIO_SHOWN_BYTES = 200_000;

/** `backtest`: the "Simulated vs observed" section of a backtest's run (backtestSection.ts). */
export function reportPage(run: RunData, charts: readonly Chart[], svgs: readonly string[], version: string, backtest?: { view: BacktestView; svgs: readonly string[] }): string {
  const s = run.summary;
  const meta = scenarioMeta(run.scenarioYaml);
  const body = [
    `<header><h1>${escapeHtml(s.scenario)}</h1>`,
    meta.description ? `<p>${escapeHtml(meta.description)}</p>` : '',
    `<p>${escapeHtml(`${runDuration(run)} from ${utcTime(run.startEpochMs)}, seed ${s.seed}`)}</p></header>`,
    cards(headlineCards(run)),
    // A backtest's run: the comparison first (a page without one keeps its bytes: no empty line).
    ...(backtest ? [backtestSection(backtest.view, backtest.svgs)] : []),
    `<h2 id="glance">At a glance</h2>${warnings(s.warnings ?? [])}`,
    `<ul class="glance">${glance(run, meta.events).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    // Advice first after the glance: what to do. A run written before advice has none.
    ...(s.advice ? [adviceSection(s.advice)] : []),
    `<nav>${s.advice ? `<a href="#advice">Advice</a><a href="#workload-cost">Cost per workload</a>` : ''}${charts.map((c) => `<a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a>`).join('')}<a href="#rightsizing">Rightsizing</a><a href="#events">Events</a><a href="#scenario">Scenario</a></nav>`,
    `<h2 id="charts">Charts</h2>`,
    charts.map((c, i) => figure(c, svgs[i])).join('\n'),
    ...(s.advice ? [workloadCostSection(s.advice, s.cost.allocatedUsd)] : []),
    rightsizing(run.recommendations, fromRequests(s.warnings ?? []), s.advice?.resources ?? []),
    events(run),
    scenarioSection(run.scenarioYaml),
    `<footer>capsim ${escapeHtml(version)} · files beside this page: ${escapeHtml(filesBeside(run.dir))}</footer>`,
  ].join('\n');
  return page({ title: `capsim · ${s.scenario}`, body, charts: backtest ? [...backtest.view.charts, ...charts] : charts });
}

interface ScenarioMeta {
  description: string;
  /** The scripted events, as "rollout at 6h". */
  events: string[];
}

function scenarioMeta(yamlText: string): ScenarioMeta {
  try {
    // A damaged file is read as far as it goes, without warnings on the terminal (an unknown tag).
    const doc = YAML.parse(yamlText, { logLevel: 'error' }) as { metadata?: { description?: unknown }; spec?: { events?: unknown } } | null;
    const description = doc?.metadata?.description;
    const events = Array.isArray(doc?.spec?.events) ? (doc.spec.events as Record<string, unknown>[]) : [];
    return {
      description: typeof description === 'string' ? description : '',
      events: events.map((e) => `${Object.keys(e).find((k) => k !== 'at') ?? 'event'} at ${String(e.at)}`),
    };
  } catch {
    return { description: '', events: [] };
  }
}

export function headlineCards(run: RunData): Card[] {
  const s = run.summary;
  const served = s.demand.servedPct;
  return [
    { label: 'Monthly run-rate', value: usd(s.cost.monthlyRunRateUsd), note: 'average $/hour × 730' },
    { label: 'Total cost', value: usd(s.cost.totalUsd), note: `over ${runDuration(run)}` },
    ...carbonCards(s.carbon),
    { label: 'CPU requested', value: percent(s.utilization.cpuRequestedPct), note: 'of allocatable, time-weighted' },
    { label: 'CPU used', value: percent(s.utilization.cpuUsedPct), note: 'of allocatable' },
    { label: 'Memory requested', value: percent(s.utilization.memoryRequestedPct), note: 'of allocatable' },
    { label: 'Memory used', value: percent(s.utilization.memoryUsedPct), note: 'of allocatable' },
    { label: 'OOM kills', value: count(s.pods.oomKills), tone: s.pods.oomKills > 0 ? 'bad' : 'good' },
    { label: 'Evictions', value: count(s.pods.evictions), tone: s.pods.evictions > 0 ? 'bad' : undefined, note: `${count(s.pods.preemptions)} preemptions` },
    served === null
      ? { label: 'Demand served', value: '–', note: 'no workload has demand' }
      : { label: 'Demand served', value: servedPercent(served), tone: served < 99.9 ? 'bad' : 'good' },
    { label: 'Peak nodes', value: count(s.nodes.max), note: `mean ${count(s.nodes.mean)}, min ${count(s.nodes.min)}` },
  ];
}

/** "The nodes drew 14.6 kWh and emitted 8.047 kg CO2e (6.644 kg operational, 1.403 kg embodied,
 *  by the Cloud Carbon Footprint method); the largest workload: ...". */
function carbonLine(c: CarbonSummary): string {
  const top = Object.entries(c.byWorkload).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0];
  const missing = c.unestimatedNodeHours > 0 ? ` ${count(c.unestimatedNodeHours)} node-hours of nodes without a known instance type are not counted.` : '';
  return `The nodes drew ${kwh(c.energyKwh)} and emitted ${kgCo2e(c.kgCo2e)} (${kgCo2e(c.operationalKgCo2e)} from that energy, ${kgCo2e(c.embodiedKgCo2e)} embodied in the hosts; Cloud Carbon Footprint method)` +
    (top ? `; the largest share went to ${top[0]} (${kgCo2e(top[1])}).` : '.') + missing;
}

/** Carbon beside cost: the total (operational and embodied), and its idle share as cost's. A run
 *  with nodes whose carbon could not be estimated says so on the card, in red. */
function carbonCards(c: CarbonSummary): Card[] {
  const missing = c.unestimatedNodeHours > 0;
  return [
    {
      label: 'Carbon, kg CO2e',
      value: kg(c.kgCo2e),
      note: missing ? `${count(c.unestimatedNodeHours)} node-hours not estimated` : `${kwh(c.energyKwh)}, ${kgCo2e(c.embodiedKgCo2e)} embodied`,
      tone: missing ? 'bad' : undefined,
    },
    { label: 'Idle carbon, kg CO2e', value: kg(c.idleKgCo2e), note: c.kgCo2e > 0 ? `${percent((100 * c.idleKgCo2e) / c.kgCo2e, 0)} of it, as idle cost` : 'no workload charged' },
  ];
}

/** The run's story in plain sentences, from its figures. */
export function glance(run: RunData, scripted: readonly string[] = []): string[] {
  const s = run.summary;
  const lines: string[] = [];
  if (scripted.length > 0) {
    const shown = scripted.slice(0, 12).join(', ');
    lines.push(`Scripted events: ${shown}${scripted.length > 12 ? `, and ${scripted.length - 12} more` : ''} (see the events timeline).`);
  }
  const pools = Object.entries(s.cost.byPool).map(([pool, cost]) => `${pool} ${usd(cost)}`);
  lines.push(
    `${count(s.nodes.nodeHours)} node-hours cost ${usd(s.cost.totalUsd)} over ${runDuration(run)} (${usd(s.cost.monthlyRunRateUsd)} a month at this rate)${pools.length > 0 ? `: ${pools.join(', ')}` : ''}` +
      (Math.abs(s.cost.listUsd - s.cost.totalUsd) >= 0.005 ? `; ${usd(s.cost.listUsd)} at list prices, before spec.pricing's discounts.` : '.'),
  );
  if (s.cost.totalUsd > 0) {
    const idleShare = (100 * s.cost.idleUsd) / s.cost.totalUsd;
    lines.push(`${usd(s.cost.idleUsd)} (${percent(idleShare, 0)}) of it is idle: capacity that no workload requested or used.`);
  }
  lines.push(carbonLine(s.carbon));
  lines.push(
    `Pods requested ${percent(s.utilization.cpuRequestedPct)} of the CPU and used ${percent(s.utilization.cpuUsedPct)}; ` +
      `they requested ${percent(s.utilization.memoryRequestedPct)} of the memory and used ${percent(s.utilization.memoryUsedPct)}.`,
  );
  // Containers without a usage model use their requests: their targets are not findings.
  const unmodelled = fromRequests(s.warnings ?? []);
  const measured = run.recommendations.filter((r) => !unmodelled.has(r.workload));
  const saving = measured.reduce((sum, r) => sum + Math.max(0, r.monthlySavingUsd ?? 0), 0);
  const under = measured.filter((r) => (r.monthlySavingUsd ?? 0) < 0).length;
  const left = run.recommendations.length - measured.length;
  const leftOut = left > 0 ? ` (${left} container${left === 1 ? '' : 's'} without a usage model left out)` : '';
  if (run.recommendations.length > 0) {
    lines.push(
      `Rightsizing requests to the recommended targets would save ${usd(saving)} a month${leftOut}` +
        (under > 0 ? `; ${under} container${under === 1 ? '' : 's'} ask${under === 1 ? 's' : ''} for less than ${under === 1 ? 'it uses' : 'they use'} and would cost more.` : '.'),
    );
  }
  if (s.demand.servedPct !== null) lines.push(`${servedPercent(s.demand.servedPct)} of the demand was served.`);
  const trouble = [
    [s.pods.oomKills, 'OOM kill'],
    [s.pods.evictions, 'eviction'],
    [s.pods.preemptions, 'preemption'],
    [s.pods.restarts, 'container restart'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${count(n as number)} ${what}${n === 1 ? '' : 's'}`);
  const waited = s.pods.maxPending === 1 ? 'at most 1 pod waited' : `at most ${count(s.pods.maxPending)} pods waited`;
  lines.push(trouble.length > 0 ? `Trouble: ${trouble.join(', ')}; ${waited} for a node at once.` : `No OOM kills, evictions or preemptions; ${waited} for a node at once.`);
  if (s.pods.unschedulable > 0) lines.push(s.pods.unschedulable === 1 ? '1 pod was still pending at the end.' : `${count(s.pods.unschedulable)} pods were still pending at the end.`);
  const times = (n: number, what: string) => (n > 0 ? `${count(n)} ${what}${n === 1 ? '' : 's'}` : '');
  const scaling = [
    times(s.autoscaling.hpaScaleEvents, 'HPA scale event'),
    times(s.autoscaling.nodeScaleUps, 'node scale-up'),
    times(s.autoscaling.nodeScaleDowns, 'node scale-down'),
  ].filter(Boolean);
  if (scaling.length > 0) lines.push(`Autoscaling: ${scaling.join(', ')}; nodes ranged from ${s.nodes.min} to ${s.nodes.max}.`);
  const k = s.autoscaling.karpenter;
  if (k) lines.push(karpenterLine(k));
  if (s.traces) lines.push(...tracesLines(s.traces));
  return lines;
}

/** A replay's pods beside the trace's own times (summary.json traces; docs/outputs.md). */
export function tracesLines(t: TracesSummary): string[] {
  const secs = (v: number | null) => (v === null ? '–' : `${v} s`);
  const trio = (a: number | null, b: number | null, c: number | null) => `${secs(a)} / ${secs(b)} / ${secs(c)}`;
  const lines = [
    `Trace pods: ${count(t.pods)} created, ${count(t.scheduled)} bound (${count(t.neverScheduled)} never); queueing delay p50 / p95 / max ${trio(t.queueingDelayP50Seconds, t.queueingDelayP95Seconds, t.queueingDelayMaxSeconds)}, ` +
      `the trace's own ${trio(t.traceQueueingDelayP50Seconds, t.traceQueueingDelayP95Seconds, t.traceQueueingDelayMaxSeconds)} (pods.csv has each pod).`,
  ];
  if (t.comparedPods > 0 || t.traceScheduledNeverBound > 0) {
    lines.push(
      `Against the trace: of ${count(t.comparedPods)} pods both scheduled, the replay bound them ${secs(t.scheduledDiffP50Seconds)} (p50) and ${secs(t.scheduledDiffP95Seconds)} (p95) after the trace did (negative: earlier); ` +
        `${count(t.traceScheduledNeverBound)} the trace scheduled were never bound here${t.traceScheduledPendingAtEnd > 0 ? `, ${count(t.traceScheduledPendingAtEnd)} still pending at the end` : ''}.`,
    );
  }
  return lines;
}

/** What the run's figures should not be trusted for (summary.json `warnings`), first thing under
 *  the headline figures; nothing when there is none. */
function warnings(list: readonly RunWarning[]): string {
  if (list.length === 0) return '';
  const items = list.map((w) => `<li><strong>${escapeHtml(w.title)}</strong>: ${escapeHtml(displayObject(w.message))}</li>`).join('');
  // Styled in place: the shared style sheet is in every page, and a run without warnings keeps
  // the bytes it had.
  return `<div class="warnings" id="warnings" style="border: 1px solid var(--bad); border-left-width: 4px; border-radius: 6px; padding: 2px 14px; margin: 12px 0">` +
    `<p style="color: var(--bad)"><strong>${list.length} warning${list.length === 1 ? '' : 's'}</strong>: figures on this page that depend on something the scenario lacks, or that hide trouble (docs/outputs.md "Warnings").</p><ul>${items}</ul></div>`;
}

/** Workloads whose containers use their requests (no usage model): their targets are the
 *  requests plus the recommender's margin, not a finding. */
function fromRequests(list: readonly RunWarning[]): ReadonlySet<string> {
  return new Set(list.filter((w) => w.code === 'usage-from-requests').flatMap((w) => w.objects));
}

/** What a recommendation means for the container, in a few words. */
function verdict(r: Recommendation, unmodelled: ReadonlySet<string>): string {
  if (unmodelled.has(r.workload)) return 'no usage model (for cpu or memory): that target is the request plus margin, not a measurement';
  const notes: string[] = [];
  if (r.memoryTargetBytes !== null && r.memoryLimitBytes !== null && r.memoryTargetBytes > r.memoryLimitBytes) notes.push('OOM risk: needs more than its memory limit');
  else if (r.memoryTargetBytes !== null && r.memoryRequestBytes !== null && r.memoryTargetBytes > r.memoryRequestBytes * 1.1) notes.push('memory under-requested');
  if (r.cpuTargetMilli !== null && r.cpuRequestMilli !== null && r.cpuTargetMilli > r.cpuRequestMilli * 1.1) notes.push('CPU under-requested');
  if (notes.length === 0 && (r.monthlySavingUsd ?? 0) > 0) notes.push('over-requested');
  return notes.join('; ');
}

function rightsizing(recommendations: readonly Recommendation[], unmodelled: ReadonlySet<string>, resources: readonly ResourcesAdvice[]): string {
  // Containers the recommender saw for under a day: their upper bound is the 95th percentile
  // × (1 + 1/days), noise rather than a bound (estimator.go's confidence multiplier).
  const short = new Map(resources.filter((r) => r.shortHistory).map((r) => [`${r.workload}\u0000${r.container}`, r]));
  const shortOf = (r: Recommendation) => short.get(`${r.workload}\u0000${r.container}`);
  const upper = (r: Recommendation, text: string) => (shortOf(r) ? '?' : text);
  const head = `<h2 id="rightsizing">Rightsizing</h2>`;
  if (recommendations.length === 0) return `${head}<p class="muted">No recommendations in this run.</p>`;
  const rows = [...recommendations].sort((a, b) => (b.monthlySavingUsd ?? 0) - (a.monthlySavingUsd ?? 0) || (a.workload < b.workload ? -1 : 1));
  const total = rows.reduce((sum, r) => sum + (unmodelled.has(r.workload) ? 0 : Math.max(0, r.monthlySavingUsd ?? 0)), 0);
  const shown = rows.slice(0, TABLE_ROWS);
  const more = rows.length > shown.length ? ` The ${shown.length} largest of ${rows.length}; all are in recommendations.csv.` : '';
  return `${head}
<p class="muted">VPA-style targets from each container's usage (lower and upper bounds in brackets; ? where under a day of history makes the upper bound noise), and what setting requests to the target would save a month at this cluster's prices; negative means the container asks for less than it uses. Over-requested containers would save ${escapeHtml(usd(total))} a month.${escapeHtml(more)}</p>
${table(shown, [
  { header: 'Workload', cell: (r) => r.workload },
  { header: 'Container', cell: (r) => r.container },
  { header: 'CPU request → target', cell: (r) => `${cpu(r.cpuRequestMilli)} → ${cpu(r.cpuTargetMilli)} [${cpu(r.cpuLowerMilli)}–${upper(r, cpu(r.cpuUpperMilli))}]` },
  { header: 'CPU limit', cell: (r) => cpu(r.cpuLimitMilli) },
  { header: 'Memory request → target', cell: (r) => `${memory(r.memoryRequestBytes)} → ${memory(r.memoryTargetBytes)} [${memory(r.memoryLowerBytes)}–${upper(r, memory(r.memoryUpperBytes))}]` },
  { header: 'Memory limit', cell: (r) => memory(r.memoryLimitBytes) },
  { header: 'Saving / month', cell: (r) => (r.monthlySavingUsd === null ? '–' : usd(r.monthlySavingUsd)), numeric: true },
  // Without a usage model the whole recommendation is the request plus margin: that says it all.
  { header: 'Note', cell: (r) => [verdict(r, unmodelled), shortOf(r) && !unmodelled.has(r.workload) ? historyNote(shortOf(r)!) : ''].filter(Boolean).join('; ') },
])}
${resourcesBlocks(resources)}`;
}

function events(run: RunData): string {
  const e = run.events;
  const at = (t: number) => `${utcTime(run.startEpochMs + t * 1000)} (+${duration(t)})`;
  const more = e.notableTotal > Math.min(e.notable.length, TABLE_ROWS) ? ` The first ${Math.min(e.notable.length, TABLE_ROWS)} of ${count(e.notableTotal)}; every event is in events.csv.` : '';
  return `<h2 id="events">Events</h2>
<p class="muted">${escapeHtml(`${count(e.total)} events in all. By type, most frequent first:`)}</p>
${table(e.byType.slice(0, 25), [
  { header: 'Type', cell: (c) => c.type },
  { header: 'Count', cell: (c) => count(c.count), numeric: true },
  { header: 'First at', cell: (c) => at(c.firstSeconds), short: true },
  { header: 'First example', cell: (c) => exampleText(c.example) },
])}
<h3>Trouble and disruptions, in order</h3>
<p class="muted">${escapeHtml(e.notableTotal === 0 ? 'None: no kills, evictions, failed scheduling, disruptions or rollouts.' : `OOM kills, evictions, failed scheduling, node disruptions, rollouts and autoscaler trouble.${more}`)}</p>
${e.notableTotal === 0 ? '' : table(e.notable.slice(0, TABLE_ROWS), [
  { header: 'Time', cell: (r) => at(r.t), short: true },
  { header: 'Type', cell: (r) => r.type },
  { header: 'Object', cell: (r) => displayObject(r.object) },
  { header: 'Node', cell: (r) => r.node },
  { header: 'Message', cell: (r) => displayObject(r.message) },
])}`;
}

/** "Pod/shop/cart-1 on general-001: ...", "Node/general-001: ..." (a node is not on itself). */
function exampleText(e: EventRow): string {
  const object = displayObject(e.object);
  const on = e.node && object !== `Node/${e.node}` ? ` on ${e.node}` : '';
  return `${object}${on}: ${displayObject(e.message)}`;
}

function scenarioSection(yamlText: string): string {
  const shown = yamlText.length > SCENARIO_SHOWN_BYTES ? `${yamlText.slice(0, SCENARIO_SHOWN_BYTES)}\n# ... (${count(yamlText.length)} characters in all: see scenario.resolved.yaml)` : yamlText;
  return `<h2 id="scenario">Scenario as run</h2>
<details><summary>scenario.resolved.yaml: every default filled in, to rerun exactly</summary>
<pre>${escapeHtml(shown)}</pre></details>`;
}

/** What Karpenter did, in one line: launches, disruptions by reason, what pods waited. */
function karpenterLine(k: KarpenterSummary): string {
  const byReason = (m: Record<string, number>) => Object.entries(m).filter(([, n]) => n > 0).map(([why, n]) => `${why} ${count(n)}`).join(', ');
  const plural = (n: number, what: string) => `${count(n)} ${what}${n === 1 ? '' : 's'}`;
  const parts = [`${plural(k.nodeClaimsLaunched, 'NodeClaim')} launched`];
  if (k.nodeClaimsTerminated > 0) parts.push(`${count(k.nodeClaimsTerminated)} terminated (${byReason(k.terminatedByReason)})`);
  if (k.disruption.replacementsLaunched > 0) parts.push(`${plural(k.disruption.replacementsLaunched, 'replacement')} launched by disruption`);
  if (k.launchFailures > 0) parts.push(`${plural(k.launchFailures, 'launch')} failed`);
  const waited = k.meanPendingSeconds === null ? '' : `; pods waited ${Math.round(k.meanPendingSeconds)} s on average for a node (at most ${k.maxPendingSeconds} s)`;
  return `Karpenter: ${parts.join(', ')}${waited}; ${plural(k.nodeClaimsAtEnd, 'NodeClaim')} at the end, ${usdPerHour(k.usdPerHourAtEnd)}.`;
}
