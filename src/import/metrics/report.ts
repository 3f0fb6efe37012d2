// metrics-report.md: what `capsim import metrics` read (window, queries, series), how it mapped
// them (workloads, their demand source, nodes), where the gaps are, its warnings, then the
// calibration's own section (src/calibrate/).
import { excerpt } from '../../excerpt.ts';
import type { ImportMetricsOptions, MetricsImport } from './importMetrics.ts';
import { chunksOf } from './prometheus.ts';
import { cpuWindowSeconds } from './queries.ts';

/** Pods without an owner named in the report; the rest are counted. */
const NAMED = 20;

const isoTime = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
const cell = (text: string) => text.replace(/\|/g, '\\|');

export function metricsReport(options: ImportMetricsOptions, r: Omit<MetricsImport, 'dir'>, importWarnings: readonly string[]): string {
  const { window } = options;
  const agg = r.aggregate;
  const lines: string[] = [];
  lines.push('# Metrics import', '');
  lines.push(`Source: ${options.prometheus !== null ? `Prometheus at ${options.prometheus}` : `saved query_range answers (${options.files.join(', ')})`}.`);
  lines.push(`Window: ${isoTime(window.startSeconds)} to ${isoTime(window.endSeconds)}, step ${window.stepSeconds} s: ${agg.times.length} steps` +
    `${chunksOf(window, options.maxPoints).length > 1 ? `, read in ${chunksOf(window, options.maxPoints).length} chunks per query (at most ${options.maxPoints ?? 11_000} points per series each)` : ''}.`);
  lines.push(`CPU and throttling are the mean over the ${cpuWindowSeconds(window.stepSeconds)} s before each step (rate window), not the values at the step; memory, requests, limits, replicas and nodes are the values at the step.`, '');
  lines.push('The series are read and mapped to workloads (below), then calibrated: the usage models fitted against demand, and the scenarios the backtest and the forecast run (the Calibration section at the end). The scenario.yaml of the directory is not changed.', '');
  lines.push('## Queries', '', '| id | series | ' + (options.prometheus !== null ? 'requests' : 'files') + ' | PromQL |', '|---|---|---|---|');
  for (const q of r.queries) lines.push(`| ${q.id} | ${q.given ? q.series : 'not given'} | ${q.parts} | \`${cell(q.promql)}\` |`);
  lines.push('');
  if (r.skippedValues > 0) lines.push(`${r.skippedValues} sample${r.skippedValues === 1 ? '' : 's'} not a finite number (NaN, Inf) skipped.`, '');
  lines.push('## Workloads', '');
  lines.push(`${agg.podsMapped} pod${agg.podsMapped === 1 ? '' : 's'} mapped to ${agg.workloads.length} workload${agg.workloads.length === 1 ? '' : 's'} through kube_pod_owner, kube_replicaset_owner and kube_job_owner.`);
  if (agg.podsUnmapped.length > 0) {
    lines.push(`${agg.podsUnmapped.length} pod${agg.podsUnmapped.length === 1 ? '' : 's'} with usage but no owner in kube_pod_owner, not counted in any workload${agg.podsUnmapped.length > NAMED ? ` (the first ${NAMED})` : ''}: ${agg.podsUnmapped.slice(0, NAMED).map((p) => excerpt(p)).join(', ')}.`);
  }
  lines.push('The `demand` column of each file is the --demand query named (units/s), else the CPU used in cores.');
  lines.push('', '| workload | pods seen | HPA | steps without CPU | demand | file |', '|---|---|---|---|---|---|');
  agg.workloads.forEach((w, i) => {
    const gaps = w.columns.cpu_used_m.filter((v) => v === null).length;
    lines.push(`| ${cell(excerpt(`${w.kind}/${w.namespace}/${w.name}`))} | ${w.pods.size} | ${w.hpa ?? ''} | ${gaps} | ${cell(r.demand[i].label)} | ${cell(r.files[i])} |`);
  });
  lines.push('');
  if (agg.hpasByName.length > 0) lines.push(`HPAs matched to the workload of their own name (kube_horizontalpodautoscaler_info not read): ${agg.hpasByName.slice(0, NAMED).join(', ')}.`);
  if (agg.hpasUnmatched.length > 0) lines.push(`HPAs whose target is not a workload seen, left out: ${agg.hpasUnmatched.slice(0, NAMED).map((h) => excerpt(h)).join(', ')}.`);
  lines.push('', '## Nodes', '');
  if (agg.pools.size === 0) lines.push('No kube_node_labels series: metrics/nodes.csv has no rows.');
  for (const [pool, counts] of agg.pools) lines.push(`- ${excerpt(pool)}: ${Math.min(...counts)} to ${Math.max(...counts)} nodes`);
  lines.push('', '## Gaps', '');
  const gaps = [...agg.emptySteps].filter(([, n]) => n > 0);
  if (gaps.length === 0 && r.demand.every((d) => d.query === null || d.values.every((v) => v !== null))) lines.push('Every query with series has a sample at every step.');
  lines.push('An empty cell in a CSV is a step where nothing was observed.');
  for (const [id, n] of gaps) lines.push(`- ${id}: no sample at ${n} of ${agg.times.length} steps`);
  agg.workloads.forEach((w, i) => {
    const d = r.demand[i];
    const n = d.query === null ? 0 : d.values.filter((v) => v === null).length;
    if (n > 0) lines.push(`- ${d.label} (${excerpt(`${w.kind}/${w.namespace}/${w.name}`)}): no sample at ${n} of ${agg.times.length} steps`);
  });
  for (const q of r.queries.filter((x) => x.given && x.series === 0)) lines.push(`- ${q.id}: no series (the cluster has none, or they are not scraped)`);
  for (const q of r.queries.filter((x) => !x.given)) lines.push(`- ${q.id}: not given (its columns are empty)`);
  if (agg.offGrid > 0) lines.push(`- ${agg.offGrid} sample${agg.offGrid === 1 ? '' : 's'} outside the window or off its step grid, ignored`);
  lines.push('- Not read: DaemonSet and Job replicas.');
  // The import's warnings, and calibrate()'s that its section does not already list.
  const warnings = [...importWarnings, ...r.calibration.warnings.filter((w) => !r.calibration.report.includes(w))];
  lines.push('', '## Warnings', '');
  if (warnings.length === 0) lines.push('None.');
  for (const w of warnings) lines.push(`- ${w}`);
  lines.push('');
  const section = r.calibration.report.endsWith('\n') ? r.calibration.report : `${r.calibration.report}\n`;
  return `${lines.join('\n')}\n${section}`;
}

