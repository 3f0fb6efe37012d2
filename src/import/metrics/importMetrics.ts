// capsim import metrics: what a cluster's Prometheus recorded over a window -> per-workload series
// beside the scenario `capsim import cluster` wrote (or in a new directory):
//   metrics/<namespace>/<workload>.csv  time + WORKLOAD_COLUMNS, one row per step
//   metrics/nodes.csv                   time, pool, nodes
//   metrics/workloads.csv               workload (Kind/namespace/name), file
//   calibration.json, backtest.yaml, forecast.yaml: what calibrate() (src/calibrate/) returns
//   metrics-report.md                   window, step, queries, series read, mapping, gaps, warnings,
//                                       then calibrate()'s section
// Each workload CSV ends with `demand` (the --demand PromQL's value, else the CPU in cores) and
// `cpu_throttled_pct`. Times are ISO 8601 UTC, as capsim's trace reader reads them, so a
// calibration or backtest can take a column as a trace. Written whole or not at all: under
// `<dir>.lock`, into temporaries renamed into place (the earlier report removed first, the new one
// renamed last: metrics/ or calibration files without a report are an interrupted import, replaced
// by the next one with --force); an earlier metrics import is replaced only with --force.
import fs from 'node:fs';
import path from 'node:path';
import { removeTemporaries, temporaryName } from '../../outputs/leftovers.ts';
import { lockOutput } from '../../outputs/outputLock.ts';
import { InputError } from '../../scenario/errors.ts';
import { displayPath } from '../../scenario/paths.ts';
import { calibrate, type Calibration, type ObservedWorkload } from '../../calibrate/calibrate.ts';
import { aggregate, WORKLOAD_COLUMNS, type Aggregate, type WorkloadSeries } from './aggregate.ts';
import { cpuDemand, demandId, demandValues, parseDemandSpecs, resolveDemandSpecs, type DemandSource } from './demand.ts';
import { mergeSeries, queryRange, readSavedResponse, type Series, type Window } from './prometheus.ts';
import { QUERIES } from './queries.ts';
import { metricsReport } from './report.ts';
import { checkScenarioPools } from './scenarioCheck.ts';

export const METRICS_DIR = 'metrics';
export const METRICS_REPORT = 'metrics-report.md';
/** metrics/workloads.csv: `workload` (Kind/namespace/name), `file` (relative to the directory). */
export const WORKLOAD_INDEX = 'workloads.csv';
/** The columns of a workload CSV after `time`: the aggregate's, then the demand and throttling. */
export const CSV_COLUMNS = [...WORKLOAD_COLUMNS, 'demand', 'cpu_throttled_pct'] as const;
/** The files a calibration writes beside metrics/ (calibrate() returns them): an earlier import's
 *  are replaced with --force, a stale one removed. */
export const CALIBRATION_FILES = ['calibration.json', 'backtest.yaml', 'forecast.yaml'] as const;

export interface ImportMetricsOptions {
  /** Prometheus base URL, or null with `files`. */
  prometheus: string | null;
  /** Saved query_range answers (files or directories of `<query id>[.<n>].json`). */
  files: string[];
  window: Window;
  intoDir: string;
  force: boolean;
  /** --demand: `namespace/workload=PROMQL` or `Kind/namespace/name=PROMQL`, in order. */
  demand?: string[];
  /** --forecast, in seconds, or null. */
  forecastSeconds?: number | null;
  /** --forecast as the user wrote it ("12w"). */
  forecastWritten?: string;
  /** The calibration to run (src/calibrate/'s unless a test gives another). */
  calibrate?: typeof calibrate;
  /** Points per series per request (Prometheus's 11,000 unless a test lowers it). */
  maxPoints?: number;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

export interface QueryRead {
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
  /** Per workload (the aggregate's order), where its demand column comes from. */
  demand: DemandSource[];
  /** Per workload, its CSV relative to the directory. */
  files: string[];
  calibration: Calibration;
  /** The import's own warnings (demand, the scenario's pools), then calibrate()'s. */
  warnings: string[];
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

/** The saved answers named on the command line, by query id (`demand.<n>` for the n-th --demand). */
function readFiles(inputs: string[], demands: number, onSkipped: (n: number) => void): Map<string, { series: Series[]; parts: number }> {
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
    const shown = displayPath(path.resolve(file));
    // <query>.json, <query>.<part>.json; demand.<n>.json, demand.<n>.<part>.json.
    const m = /^([a-z_]+)((?:\.\d+){0,2})\.json$/.exec(path.basename(file));
    const numbers = m && m[2] !== '' ? m[2].slice(1).split('.').map(Number) : [];
    let id: string | null = null;
    if (m && m[1] === 'demand' && numbers.length >= 1) {
      if (numbers[0] < 1 || numbers[0] > demands) {
        throw inputProblem(shown, `answers --demand ${numbers[0]}, but ${demands === 0 ? 'no --demand is given' : `only ${demands} --demand ${demands === 1 ? 'is' : 'are'} given`}`, 'demand.<n>.json answers the n-th --demand (1 for the first); give the --demand flags in that order, or move the file away');
      }
      id = demandId(numbers[0]);
    } else if (m && ids.has(m[1]) && numbers.length <= 1) id = m[1];
    if (id === null) {
      throw inputProblem(shown, `the name does not say which query it answers`, `name each saved answer <query>.json or <query>.<n>.json, <query> one of: ${[...ids].join(', ')} (capsim import metrics --help lists their PromQL); the n-th --demand's answer demand.<n>.json or demand.<n>.<part>.json`);
    }
    const into = out.get(id) ?? { series: [], parts: 0 };
    into.series.push(...readSavedResponse(path.resolve(file), onSkipped));
    into.parts++;
    out.set(id, into);
  }
  return out;
}

export async function importMetrics(options: ImportMetricsOptions): Promise<MetricsImport> {
  const { window } = options;
  checkWindow(window);
  const specs = parseDemandSpecs(options.demand ?? []);
  let skippedValues = 0;
  const onSkipped = (n: number) => (skippedValues += n);
  const results = new Map<string, Series[]>();
  const queries: QueryRead[] = [];
  const saved = options.prometheus === null ? readFiles(options.files, specs.length, onSkipped) : null;
  if (options.prometheus !== null) {
    for (const q of QUERIES) {
      options.signal?.throwIfAborted();
      const promql = q.promql(window.stepSeconds);
      const { series, requests } = await queryRange(options.prometheus, promql, window, { maxPoints: options.maxPoints, signal: options.signal, onSkipped });
      results.set(q.id, series);
      queries.push({ id: q.id, promql, series: series.length, parts: requests, given: true });
    }
  } else {
    const missing = [...QUERIES.filter((q) => q.required && !saved!.has(q.id)).map((q) => `${q.id}: ${q.promql(window.stepSeconds)}`), ...specs.filter((d) => !saved!.has(demandId(d.index))).map((d) => `${demandId(d.index)}: ${d.promql}`)];
    if (missing.length > 0) {
      throw inputProblem('--from-files', `no saved answer for ${missing.map((m) => m.slice(0, m.indexOf(':'))).join(', ')}`, `save the answer of each as <query>.json: ${missing.join('; ')}`);
    }
    for (const q of QUERIES) {
      const f = saved!.get(q.id);
      // Each answer's parts dropped once merged: a week of 600 pods is gigabytes of samples.
      saved!.delete(q.id);
      if (f) results.set(q.id, mergeSeries(f.series));
      queries.push({ id: q.id, promql: q.promql(window.stepSeconds), series: results.get(q.id)?.length ?? 0, parts: f?.parts ?? 0, given: f !== undefined });
    }
  }
  const agg = aggregate(window, results);
  // The aggregate holds its own arrays: the samples can go before the demand, the calibration and the files.
  results.clear();
  if (agg.workloads.length === 0) {
    throw inputProblem(options.prometheus !== null ? `--prometheus ${options.prometheus}` : '--from-files', 'no pod with CPU or memory usage and an owner in the window', 'check --start and --end (the window), and that cAdvisor and kube-state-metrics are scraped (container_cpu_usage_seconds_total, kube_pod_owner)');
  }

  // Demand: the workloads named are checked before their queries run (a typo costs no query).
  const warnings: string[] = [];
  const bySpec = resolveDemandSpecs(specs, agg.workloads);
  const demandOf = new Map<WorkloadSeries, DemandSource>();
  for (const [w, spec] of [...bySpec].sort(([, a], [, b]) => a.index - b.index)) {
    options.signal?.throwIfAborted();
    let series: Series[];
    let parts: number;
    if (options.prometheus !== null) {
      const r = await queryRange(options.prometheus, spec.promql, window, { maxPoints: options.maxPoints, signal: options.signal, onSkipped });
      [series, parts] = [r.series, r.requests];
    } else {
      const f = saved!.get(demandId(spec.index))!;
      [series, parts] = [mergeSeries(f.series), f.parts];
    }
    queries.push({ id: demandId(spec.index), promql: spec.promql, series: series.length, parts, given: true });
    const values = demandValues(spec, series, window, agg.times.length, warnings);
    if (values) demandOf.set(w, { query: spec.promql, label: `--demand ${spec.index}`, values });
    else demandOf.set(w, { ...cpuDemand(w), label: `CPU (cores): --demand ${spec.index} found no series` });
  }
  const demand = agg.workloads.map((w) => demandOf.get(w) ?? cpuDemand(w));
  const files = fileNames(agg);
  const dir = path.resolve(options.intoDir);
  warnings.push(...checkScenarioPools(dir, agg.pools));

  const observed: ObservedWorkload[] = agg.workloads.map((w, i) => ({
    workload: `${w.kind}/${w.namespace}/${w.name}`,
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    file: files[i],
    columns: { ...w.columns, demand: demand[i].values, cpu_throttled_pct: w.cpuThrottledPct },
    demandQuery: demand[i].query,
  }));
  options.signal?.throwIfAborted();
  const calibration = await (options.calibrate ?? calibrate)({ dir, window, times: agg.times, workloads: observed, pools: agg.pools, forecastSeconds: options.forecastSeconds ?? null, forecastWritten: options.forecastWritten });
  checkCalibrationFiles(calibration);
  const result = { aggregate: agg, queries, skippedValues, demand, files, calibration, warnings: [...warnings, ...calibration.warnings] };
  await writeImport(options, result, observed, warnings);
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

/** Each workload's CSV, relative to the directory (`/`-separated), in the aggregate's order. */
function fileNames(agg: Aggregate): string[] {
  const names = new Set<string>();
  return agg.workloads.map((w) => {
    let name = path.posix.join(METRICS_DIR, safePart(w.namespace), `${safePart(w.name)}.csv`);
    if (names.has(name)) name = path.posix.join(METRICS_DIR, safePart(w.namespace), `${safePart(w.name)}.${w.kind.toLowerCase()}.csv`);
    names.add(name);
    return name;
  });
}

function metricsFiles(agg: Aggregate, observed: readonly ObservedWorkload[]): Map<string, string> {
  const files = new Map<string, string>();
  // Each step's time written once for every file (a week at 1m is 10,081 steps, 200 workloads).
  const stamps = agg.times.map(isoTime);
  for (const w of observed) {
    const columns = CSV_COLUMNS.map((c) => w.columns[c]);
    const cells: string[] = new Array(columns.length + 1);
    const rows = stamps.map((stamp, i) => {
      cells[0] = stamp;
      for (let c = 0; c < columns.length; c++) cells[c + 1] = cellOf(columns[c][i]);
      return cells.join(',');
    });
    files.set(w.file, `time,${CSV_COLUMNS.join(',')}\n${rows.join('\n')}\n`);
  }
  // Which file holds which workload (`Kind/namespace/name`, as a run's workloads.csv names it):
  // a file name alone loses the kind, and a namespace or name that is not a Kubernetes name.
  const index = observed.map((w) => `${csvCell(w.workload)},${csvCell(w.file)}`);
  const nodeRows: string[] = [];
  const pools = [...agg.pools].map(([pool, counts]) => [csvCell(pool), counts] as const);
  stamps.forEach((stamp, i) => {
    for (const [pool, counts] of pools) nodeRows.push(`${stamp},${pool},${counts[i]}`);
  });
  files.set(path.posix.join(METRICS_DIR, 'nodes.csv'), `time,pool,nodes\n${nodeRows.map((r) => `${r}\n`).join('')}`);
  files.set(path.posix.join(METRICS_DIR, WORKLOAD_INDEX), `workload,file\n${index.map((r) => `${r}\n`).join('')}`);
  return files;
}

/** calibrate()'s files must land beside metrics/, not in it, not over the report nor outside. */
function checkCalibrationFiles(calibration: Calibration): void {
  for (const name of calibration.files.keys()) {
    const normal = path.posix.normalize(name);
    if (normal !== name || path.posix.isAbsolute(name) || name.startsWith('../') || name.split('/')[0] === METRICS_DIR || name === METRICS_REPORT || name.includes('\\')) {
      throw new Error(`calibrate() returned the file ${JSON.stringify(name)}: not a plain path beside ${METRICS_DIR}/ and ${METRICS_REPORT}`);
    }
  }
}

async function writeImport(options: ImportMetricsOptions, r: Omit<MetricsImport, 'dir'>, observed: readonly ObservedWorkload[], importWarnings: readonly string[]): Promise<void> {
  const target = path.resolve(options.intoDir);
  const files = metricsFiles(r.aggregate, observed);
  const reportText = metricsReport(options, r, importWarnings);
  const lock = await lockOutput(target, 'capsim import metrics', { onWait: options.onNote });
  const metricsDir = path.join(target, METRICS_DIR);
  const reportFile = path.join(target, METRICS_REPORT);
  const tmpDir = temporaryName(metricsDir);
  const tmpReport = temporaryName(reportFile);
  // calibrate()'s files, and every name a calibration writes: an earlier one's are replaced.
  const calibrationNames = [...new Set([...CALIBRATION_FILES, ...r.calibration.files.keys()])];
  const tmpCalibration = [...r.calibration.files.keys()].map((name) => temporaryName(path.join(target, name)));
  try {
    if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw inputProblem('--into', `${displayPath(target)} exists and is not a directory`, 'name the directory capsim import cluster wrote, or a new one');
    const earlier = fs.existsSync(reportFile);
    if (earlier && !options.force) {
      throw inputProblem('--into', `${displayPath(target)} holds an earlier metrics import (${METRICS_REPORT})`, `capsim does not overwrite it: choose another --into, or add --force to replace metrics/, the calibration (${CALIBRATION_FILES.join(', ')}) and the report`);
    }
    if (!earlier && !options.force) {
      const leftover = [...(fs.existsSync(metricsDir) && fs.readdirSync(metricsDir).length > 0 ? [METRICS_DIR] : []), ...calibrationNames.filter((n) => fs.existsSync(path.join(target, n)))];
      if (leftover.length > 0) {
        throw inputProblem('--into', `${displayPath(target)} holds ${leftover.join(', ')} without ${METRICS_REPORT} (an interrupted import, or not capsim's)`, 'remove them, or add --force to replace them');
      }
    }
    fs.mkdirSync(target, { recursive: true });
    removeTemporaries(target, { targets: [METRICS_DIR, METRICS_REPORT, ...calibrationNames], own: true });
    for (const [name, content] of files) {
      options.signal?.throwIfAborted();
      const file = path.join(tmpDir, path.relative(METRICS_DIR, name));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    [...r.calibration.files.values()].forEach((content, i) => {
      fs.mkdirSync(path.dirname(tmpCalibration[i]), { recursive: true });
      fs.writeFileSync(tmpCalibration[i], content);
    });
    fs.writeFileSync(tmpReport, reportText);
    options.signal?.throwIfAborted();
    // The report goes first and comes back last: in between, the directory reads as an interrupted import.
    fs.rmSync(reportFile, { force: true });
    for (const name of calibrationNames) fs.rmSync(path.join(target, name), { force: true });
    fs.rmSync(metricsDir, { recursive: true, force: true });
    fs.renameSync(tmpDir, metricsDir);
    [...r.calibration.files.keys()].forEach((name, i) => fs.renameSync(tmpCalibration[i], path.join(target, name)));
    fs.renameSync(tmpReport, reportFile);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    fs.rmSync(tmpReport, { force: true });
    for (const tmp of tmpCalibration) fs.rmSync(tmp, { force: true });
    lock.release();
  }
}
