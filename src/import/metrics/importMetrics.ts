// capsim import metrics: what a cluster's Prometheus recorded over a window -> per-workload series
// beside the scenario `capsim import cluster` wrote (or in a new directory):
//   metrics/<namespace>/<workload>.csv  time + WORKLOAD_COLUMNS, one row per step
//   metrics/nodes.csv                   time, pool, nodes
//   metrics/workloads.csv               workload (Kind/namespace/name), file
//   metrics-report.md                   window, step, queries, series read, mapping, gaps
// Times are ISO 8601 UTC, as capsim's trace reader reads them, so a later calibration or backtest
// can take a column as a trace. Written whole or not at all: under `<dir>.lock`, into temporaries
// renamed into place (metrics/ first, the report last: a metrics/ without its report is an
// interrupted import, replaced by the next one); an earlier metrics import is replaced only with --force.
import fs from 'node:fs';
import path from 'node:path';
import { removeTemporaries, temporaryName } from '../../outputs/leftovers.ts';
import { lockOutput } from '../../outputs/outputLock.ts';
import { InputError } from '../../scenario/errors.ts';
import { displayPath } from '../../scenario/paths.ts';
import { excerpt } from '../../excerpt.ts';
import { aggregate, WORKLOAD_COLUMNS, type Aggregate } from './aggregate.ts';
import { chunksOf, mergeSeries, queryRange, readSavedResponse, type Series, type Window } from './prometheus.ts';
import { cpuWindowSeconds, QUERIES } from './queries.ts';

export const METRICS_DIR = 'metrics';
export const METRICS_REPORT = 'metrics-report.md';
/** metrics/workloads.csv: `workload` (Kind/namespace/name), `file` (relative to the directory). */
export const WORKLOAD_INDEX = 'workloads.csv';
/** Pods without an owner named in the report; the rest are counted. */
const NAMED = 20;

export interface ImportMetricsOptions {
  /** Prometheus base URL, or null with `files`. */
  prometheus: string | null;
  /** Saved query_range answers (files or directories of `<query id>[.<n>].json`). */
  files: string[];
  window: Window;
  intoDir: string;
  force: boolean;
  /** Points per series per request (Prometheus's 11,000 unless a test lowers it). */
  maxPoints?: number;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

interface QueryRead {
  id: string;
  promql: string;
  series: number;
  /** Requests made, or files read. */
  parts: number;
  given: boolean;
}

export interface MetricsImport {
  dir: string;
  aggregate: Aggregate;
  queries: QueryRead[];
  skippedValues: number;
}

function inputProblem(file: string, message: string, hint: string): InputError {
  return new InputError([{ file, line: 0, column: 0, path: '', message, hint }]);
}

export function checkWindow(window: Window): void {
  const { startSeconds, endSeconds, stepSeconds } = window;
  if (!(stepSeconds > 0) || !Number.isFinite(stepSeconds)) throw inputProblem('--step', `${stepSeconds} s is not a step`, 'give a duration above zero: 1m, 30s, 1h');
  if (!(endSeconds >= startSeconds)) throw inputProblem('--end', `is before --start`, 'give an --end after --start');
  const points = Math.floor((endSeconds - startSeconds) / stepSeconds) + 1;
  if (points > 1_000_000) throw inputProblem('--step', `the window holds ${points} steps, over 1,000,000`, 'use a larger --step or a shorter window');
}

/** The saved answers named on the command line, by query id. */
function readFiles(inputs: string[], onSkipped: (n: number) => void): Map<string, { series: Series[]; parts: number }> {
  const files: string[] = [];
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw inputProblem(displayPath(path.resolve(input)), 'not found', 'name saved /api/v1/query_range answers, or a directory of them');
    }
    if (stat.isDirectory()) files.push(...fs.readdirSync(input).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(input, f)));
    else files.push(input);
  }
  const ids = new Set(QUERIES.map((q) => q.id));
  const out = new Map<string, { series: Series[]; parts: number }>();
  for (const file of files) {
    const m = /^([a-z_]+)(\.\d+)?\.json$/.exec(path.basename(file));
    if (!m || !ids.has(m[1])) {
      throw inputProblem(displayPath(path.resolve(file)), `the name does not say which query it answers`, `name each saved answer <query>.json or <query>.<n>.json, <query> one of: ${[...ids].join(', ')} (capsim import metrics --help lists their PromQL)`);
    }
    const into = out.get(m[1]) ?? { series: [], parts: 0 };
    into.series.push(...readSavedResponse(path.resolve(file), onSkipped));
    into.parts++;
    out.set(m[1], into);
  }
  return out;
}

export async function importMetrics(options: ImportMetricsOptions): Promise<MetricsImport> {
  const { window } = options;
  checkWindow(window);
  let skippedValues = 0;
  const onSkipped = (n: number) => (skippedValues += n);
  const results = new Map<string, Series[]>();
  const queries: QueryRead[] = [];
  if (options.prometheus !== null) {
    for (const q of QUERIES) {
      options.signal?.throwIfAborted();
      const promql = q.promql(window.stepSeconds);
      const { series, requests } = await queryRange(options.prometheus, promql, window, { maxPoints: options.maxPoints, signal: options.signal, onSkipped });
      results.set(q.id, series);
      queries.push({ id: q.id, promql, series: series.length, parts: requests, given: true });
    }
  } else {
    const saved = readFiles(options.files, onSkipped);
    const missing = QUERIES.filter((q) => q.required && !saved.has(q.id));
    if (missing.length > 0) {
      throw inputProblem('--from-files', `no saved answer for ${missing.map((q) => q.id).join(', ')}`, `save the answer of each as <query>.json: ${missing.map((q) => `${q.id}: ${q.promql(window.stepSeconds)}`).join('; ')}`);
    }
    for (const q of QUERIES) {
      const s = saved.get(q.id);
      if (s) results.set(q.id, mergeSeries(s.series));
      queries.push({ id: q.id, promql: q.promql(window.stepSeconds), series: results.get(q.id)?.length ?? 0, parts: s?.parts ?? 0, given: s !== undefined });
    }
  }
  const agg = aggregate(window, results);
  if (agg.workloads.length === 0) {
    throw inputProblem(options.prometheus !== null ? `--prometheus ${options.prometheus}` : '--from-files', 'no pod with CPU or memory usage and an owner in the window', 'check --start and --end (the window), and that cAdvisor and kube-state-metrics are scraped (container_cpu_usage_seconds_total, kube_pod_owner)');
  }
  const result = { aggregate: agg, queries, skippedValues };
  const dir = await writeMetrics(options, result);
  return { dir, ...result };
}

const isoTime = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
const cellOf = (v: number | null) => (v === null ? '' : String(v));
/** A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A path part from a namespace or name: Kubernetes names pass unchanged; anything else (from a
 *  saved file) has the characters a file name may not hold replaced. */
function safePart(text: string): string {
  const s = text.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 200);
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

function metricsFiles(agg: Aggregate): Map<string, string> {
  const files = new Map<string, string>();
  for (const w of agg.workloads) {
    let name = path.join(METRICS_DIR, safePart(w.namespace), `${safePart(w.name)}.csv`);
    if (files.has(name)) name = path.join(METRICS_DIR, safePart(w.namespace), `${safePart(w.name)}.${w.kind.toLowerCase()}.csv`);
    const rows = agg.times.map((t, i) => [isoTime(t), ...WORKLOAD_COLUMNS.map((c) => cellOf(w.columns[c][i]))].join(','));
    files.set(name, `time,${WORKLOAD_COLUMNS.join(',')}\n${rows.join('\n')}\n`);
  }
  // Which file holds which workload (`Kind/namespace/name`, as a run's workloads.csv names it):
  // a file name alone loses the kind, and a namespace or name that is not a Kubernetes name.
  const index = agg.workloads.map((w, i) => `${csvCell(`${w.kind}/${w.namespace}/${w.name}`)},${csvCell([...files.keys()][i])}`);
  const nodeRows: string[] = [];
  agg.times.forEach((t, i) => {
    for (const [pool, counts] of agg.pools) nodeRows.push(`${isoTime(t)},${pool.includes(',') ? JSON.stringify(pool) : pool},${counts[i]}`);
  });
  files.set(path.join(METRICS_DIR, 'nodes.csv'), `time,pool,nodes\n${nodeRows.map((r) => `${r}\n`).join('')}`);
  files.set(path.join(METRICS_DIR, WORKLOAD_INDEX), `workload,file\n${index.map((r) => `${r}\n`).join('')}`);
  return files;
}

function report(options: ImportMetricsOptions, r: Omit<MetricsImport, 'dir'>, files: Map<string, string>): string {
  const { window } = options;
  const agg = r.aggregate;
  const lines: string[] = [];
  lines.push('# Metrics import', '');
  lines.push(`Source: ${options.prometheus !== null ? `Prometheus at ${options.prometheus}` : `saved query_range answers (${options.files.join(', ')})`}.`);
  lines.push(`Window: ${isoTime(window.startSeconds)} to ${isoTime(window.endSeconds)}, step ${window.stepSeconds} s: ${agg.times.length} steps` +
    `${chunksOf(window, options.maxPoints).length > 1 ? `, read in ${chunksOf(window, options.maxPoints).length} chunks per query (at most ${options.maxPoints ?? 11_000} points per series each)` : ''}.`);
  lines.push(`CPU is the mean over the ${cpuWindowSeconds(window.stepSeconds)} s before each step (rate window), not the use at the step; memory, requests, limits, replicas and nodes are the values at the step.`, '');
  lines.push('This is the first step of "bring your metrics": the series are read and mapped to workloads. Calibrating the usage models, the backtest and the forecast come later; nothing here changes the scenario.', '');
  lines.push('## Queries', '', '| id | series | ' + (options.prometheus !== null ? 'requests' : 'files') + ' | PromQL |', '|---|---|---|---|');
  for (const q of r.queries) lines.push(`| ${q.id} | ${q.given ? q.series : 'not given'} | ${q.parts} | \`${q.promql.replace(/\|/g, '\\|')}\` |`);
  lines.push('');
  if (r.skippedValues > 0) lines.push(`${r.skippedValues} sample${r.skippedValues === 1 ? '' : 's'} not a finite number (NaN, Inf) skipped.`, '');
  lines.push('## Workloads', '');
  lines.push(`${agg.podsMapped} pod${agg.podsMapped === 1 ? '' : 's'} mapped to ${agg.workloads.length} workload${agg.workloads.length === 1 ? '' : 's'} through kube_pod_owner, kube_replicaset_owner and kube_job_owner.`);
  if (agg.podsUnmapped.length > 0) {
    lines.push(`${agg.podsUnmapped.length} pod${agg.podsUnmapped.length === 1 ? '' : 's'} with usage but no owner in kube_pod_owner, not counted in any workload${agg.podsUnmapped.length > NAMED ? ` (the first ${NAMED})` : ''}: ${agg.podsUnmapped.slice(0, NAMED).map((p) => excerpt(p)).join(', ')}.`);
  }
  lines.push('', '| workload | pods seen | HPA | steps without CPU | file |', '|---|---|---|---|---|');
  const names = [...files.keys()].filter((f) => f !== path.join(METRICS_DIR, 'nodes.csv') && f !== path.join(METRICS_DIR, WORKLOAD_INDEX));
  agg.workloads.forEach((w, i) => {
    const gaps = w.columns.cpu_used_m.filter((v) => v === null).length;
    lines.push(`| ${excerpt(`${w.kind}/${w.namespace}/${w.name}`)} | ${w.pods.size} | ${w.hpa ?? ''} | ${gaps} | ${names[i]} |`);
  });
  lines.push('');
  if (agg.hpasByName.length > 0) lines.push(`HPAs matched to the workload of their own name (kube_horizontalpodautoscaler_info not read): ${agg.hpasByName.slice(0, NAMED).join(', ')}.`);
  if (agg.hpasUnmatched.length > 0) lines.push(`HPAs whose target is not a workload seen, left out: ${agg.hpasUnmatched.slice(0, NAMED).map((h) => excerpt(h)).join(', ')}.`);
  lines.push('', '## Nodes', '');
  if (agg.pools.size === 0) lines.push('No kube_node_labels series: metrics/nodes.csv has no rows.');
  for (const [pool, counts] of agg.pools) lines.push(`- ${excerpt(pool)}: ${Math.min(...counts)} to ${Math.max(...counts)} nodes`);
  lines.push('', '## Gaps', '');
  const gaps = [...agg.emptySteps].filter(([, n]) => n > 0);
  if (gaps.length === 0) lines.push('Every query with series has a sample at every step.');
  lines.push('An empty cell in a CSV is a step where nothing was observed.');
  for (const [id, n] of gaps) lines.push(`- ${id}: no sample at ${n} of ${agg.times.length} steps`);
  for (const q of r.queries.filter((x) => x.given && x.series === 0)) lines.push(`- ${q.id}: no series (the cluster has none, or they are not scraped)`);
  for (const q of r.queries.filter((x) => !x.given)) lines.push(`- ${q.id}: not given (its columns are empty)`);
  if (agg.offGrid > 0) lines.push(`- ${agg.offGrid} sample${agg.offGrid === 1 ? '' : 's'} outside the window or off its step grid, ignored`);
  lines.push('- Not read: CPU throttling (container_cpu_cfs_*), DaemonSet and Job replicas.');
  return `${lines.join('\n')}\n`;
}

async function writeMetrics(options: ImportMetricsOptions, r: Omit<MetricsImport, 'dir'>): Promise<string> {
  const target = path.resolve(options.intoDir);
  const files = metricsFiles(r.aggregate);
  const reportText = report(options, r, files);
  const lock = await lockOutput(target, 'capsim import metrics', { onWait: options.onNote });
  const metricsDir = path.join(target, METRICS_DIR);
  const reportFile = path.join(target, METRICS_REPORT);
  const tmpDir = temporaryName(metricsDir);
  const tmpReport = temporaryName(reportFile);
  try {
    if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw inputProblem('--into', `${displayPath(target)} exists and is not a directory`, 'name the directory capsim import cluster wrote, or a new one');
    const earlier = fs.existsSync(reportFile);
    if (earlier && !options.force) {
      throw inputProblem('--into', `${displayPath(target)} holds an earlier metrics import (${METRICS_REPORT})`, 'capsim does not overwrite it: choose another --into, or add --force to replace metrics/ and the report');
    }
    if (!earlier && fs.existsSync(metricsDir) && fs.readdirSync(metricsDir).length > 0 && !options.force) {
      throw inputProblem('--into', `${displayPath(metricsDir)} exists without ${METRICS_REPORT} (an interrupted import, or not capsim's)`, 'remove it, or add --force to replace it');
    }
    fs.mkdirSync(target, { recursive: true });
    removeTemporaries(target, { targets: [METRICS_DIR, METRICS_REPORT], own: true });
    for (const [name, content] of files) {
      options.signal?.throwIfAborted();
      const file = path.join(tmpDir, path.relative(METRICS_DIR, name));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    fs.writeFileSync(tmpReport, reportText);
    options.signal?.throwIfAborted();
    fs.rmSync(reportFile, { force: true });
    fs.rmSync(metricsDir, { recursive: true, force: true });
    fs.renameSync(tmpDir, metricsDir);
    fs.renameSync(tmpReport, reportFile);
    return target;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    fs.rmSync(tmpReport, { force: true });
    lock.release();
  }
}
