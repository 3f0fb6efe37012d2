// A finished run as the report sees it: only the files in its directory (DESIGN §4), never the
// simulation's objects, so `capsim report <runDir>` redraws exactly what the run drew. Long
// series are folded into time buckets while the CSVs stream past (see buckets.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseFile } from 'fast-csv';
import { EVENTS, HOURLY, NODES, NODE_UTILIZATION, RECOMMENDATIONS, TIMESERIES, WORKLOADS, columnIndex, type ColumnIndex, type ColumnOf, type CsvFile } from '../outputs/csvFiles.ts';
import { RUN_FILES, readRunFile, runFileState } from '../outputs/runDirectory.ts';
import { readTextCell } from '../outputs/csvCells.ts';
import { tableFileName } from '../outputs/tables.ts';
import { ParquetTableError, readParquetTable } from '../outputs/parquetTable.ts';
import type { Summary } from '../outputs/summary.ts';
import { OLDER_SUMMARY, parseSummary } from '../outputs/summaryCheck.ts';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { quote } from '../excerpt.ts';
import { BucketAggregator, bucketSecondsFor } from './buckets.ts';
import { own } from '../model/records.ts';
import { NodeStateSpans, type NodeStateSpan } from './nodeStates.ts';

export interface ClusterPoint {
  t: number;
  nodes: number;
  podsRunning: number;
  podsPending: number;
  cpuAllocatableMilli: number;
  cpuRequestedMilli: number;
  cpuUsedMilli: number;
  memoryAllocatableBytes: number;
  memoryRequestedBytes: number;
  memoryUsedBytes: number;
  costUsdPerHour: number;
  costUsdCumulative: number;
}

export interface WorkloadPoint {
  t: number;
  demand: number;
  served: number;
  replicasDesired: number;
  replicasReady: number;
  cpuThrottledPct: number;
  oomKills: number;
}

export interface WorkloadSeries {
  ref: string;
  /** ∫demand and ∫served over the run (units × samples), to rank workloads. */
  demandTotal: number;
  servedTotal: number;
  oomKills: number;
  points: WorkloadPoint[];
}

export interface NodeRow {
  node: string;
  pool: string;
  instanceType: string;
  capacityType: string;
  zone: string;
  createdSeconds: number;
  /** null while the node lived to the end of the run. */
  removedSeconds: number | null;
  costUsd: number;
  cpuRequestedMeanPct: number;
  cpuUsedMeanPct: number;
  memoryRequestedMeanPct: number;
  memoryUsedMeanPct: number;
  /** Absent (0) in runs from capsim versions before these columns. */
  cpuAllocatableMilli: number;
  memoryAllocatableBytes: number;
  readySeconds: number;
}

export interface NodeUtilizationPoint {
  t: number;
  node: string;
  cpuRequestedPct: number;
  cpuUsedPct: number;
  memoryRequestedPct: number;
  memoryUsedPct: number;
}

export interface EventRow {
  t: number;
  type: string;
  object: string;
  node: string;
  message: string;
}

export interface EventTypeCount {
  type: string;
  count: number;
  firstSeconds: number;
  example: EventRow;
}

export interface EventDigest {
  total: number;
  byType: EventTypeCount[];
  /** Counts per timeline category per bucket. */
  timeline: { t: number; category: string; count: number }[];
  /** The first events of the kinds that mean trouble, in order. */
  notable: EventRow[];
  notableTotal: number;
  /** When nodes were NotReady or cordoned (nodeStates.ts). */
  nodeStates: NodeStateSpan[];
}

export interface Recommendation {
  workload: string;
  container: string;
  cpuRequestMilli: number | null;
  cpuLimitMilli: number | null;
  memoryRequestBytes: number | null;
  memoryLimitBytes: number | null;
  cpuTargetMilli: number | null;
  cpuLowerMilli: number | null;
  cpuUpperMilli: number | null;
  memoryTargetBytes: number | null;
  memoryLowerBytes: number | null;
  memoryUpperBytes: number | null;
  monthlySavingUsd: number | null;
}

/** One UTC hour of one node pool (hourly.csv). */
export interface HourlyPoint {
  t: number;
  pool: string;
  costUsd: number;
  /** null where no node of the pool could be estimated. */
  kgCo2e: number | null;
}

export interface RunData {
  dir: string;
  /** The run directory's name, used as its label in comparisons. */
  label: string;
  summary: Summary;
  /** Wall-clock time of t = 0 (the scenario's start), for chart axes. */
  startEpochMs: number;
  sampleSeconds: number;
  bucketSeconds: number;
  cluster: ClusterPoint[];
  workloads: WorkloadSeries[];
  nodes: NodeRow[];
  nodeUtilization: NodeUtilizationPoint[];
  /** null for a run directory without hourly.csv (made before capsim wrote it). */
  hourly: HourlyPoint[] | null;
  events: EventDigest;
  recommendations: Recommendation[];
  scenarioYaml: string;
}

/** Timeline categories: what the issue of a run is told by (kills, evictions, preemptions,
 *  scaling) and what caused it (node disruptions, rollouts). */
export const TIMELINE_CATEGORIES: Record<string, string> = {
  OOMKilled: 'OOM kill',
  Evicted: 'Eviction',
  VPAEvicted: 'Eviction',
  Preempted: 'Preemption',
  ScaledUp: 'Replicas up',
  ScaledDown: 'Replicas down',
  NodeScaleUp: 'Node scale-up',
  NodeScaleDown: 'Node scale-down',
  // Karpenter: a NodeClaim launched; one deleted by disruption (consolidation, drift) or at its expireAfter.
  Launched: 'Node scale-up',
  DisruptionTerminating: 'Node scale-down',
  Expired: 'Node disruption',
  SpotInterrupted: 'Node disruption',
  NodeFailed: 'Node disruption',
  NodeCordoned: 'Node disruption',
  RolloutStarted: 'Rollout',
};

/** Event types a reader of the report should see one by one. */
const NOTABLE_TYPES = new Set([
  'OOMKilled', 'Evicted', 'VPAEvicted', 'Preempted', 'FailedScheduling', 'BackOff', 'SpotInterrupted', 'NodeFailed',
  'NodeNotReady', 'NodeCordoned', 'RolloutStarted', 'ScaleDownFailed', 'ScaleUpTimedOut', 'NotTriggerScaleUp', 'EvictionBlocked',
  'DrainTimeout', 'CapacityUnavailable', 'FailedCreate', 'JobFailed',
  'FailedDraining', 'InsufficientCapacityError', 'Expired',
]);
const NOTABLE_KEPT = 200;

export async function loadRun(dir: string): Promise<RunData> {
  const abs = path.resolve(dir);
  const summary = readSummary(abs);
  const run = summary.durationSeconds;
  const clusterRaw = await readTimeseries(abs, run);
  const sampleSeconds = clusterRaw.length > 1 ? clusterRaw[1].row.t - clusterRaw[0].row.t : summary.durationSeconds || 60;
  const bucketSeconds = bucketSecondsFor(summary.durationSeconds, sampleSeconds);
  const startEpochMs = clusterRaw.length > 0 ? Date.parse(clusterRaw[0].time) - clusterRaw[0].row.t * 1000 : 0;
  // Every time the report prints is startEpochMs + seconds: the run must lie within what a Date holds.
  if (!(Math.abs(startEpochMs) <= MAX_DATE_MS && Math.abs(startEpochMs + run * 1000) <= MAX_DATE_MS)) {
    const first = clusterRaw[0];
    throw new InputError([first
      ? { file: displayPath(path.join(abs, TIMESERIES.name)), line: 2, column: 0, path: '', message: `unreadable CSV: the time of the first row, ${quote(first.time)}, is no ISO-8601 time a run of ${run} s can start at`, hint: DAMAGED_HINT }
      : { file: displayPath(path.join(abs, RUN_FILES.summary)), line: 0, column: 0, path: 'durationSeconds', message: `${run} s is longer than any run`, hint: DAMAGED_HINT }]);
  }
  return {
    dir: abs,
    label: path.basename(abs),
    summary,
    startEpochMs,
    sampleSeconds,
    bucketSeconds,
    cluster: foldCluster(clusterRaw.map((r) => r.row), bucketSeconds),
    workloads: await readWorkloads(abs, bucketSeconds, run),
    nodes: await readNodes(abs, run),
    nodeUtilization: await readNodeUtilization(abs, run),
    hourly: await readHourly(abs, run),
    events: await readEvents(abs, bucketSeconds, run),
    recommendations: await readRecommendations(abs),
    scenarioYaml: readOptional(abs, RUN_FILES.resolvedScenario) ?? '',
  };
}

function missing(dir: string, file: string): InputError {
  return new InputError([
    {
      file: displayPath(path.join(dir, file)),
      line: 0,
      column: 0,
      path: '',
      message: 'not found: is this the directory of a finished run?',
      hint: 'a run directory is what `capsim run` writes, e.g. reports/quickstart/',
    },
  ]);
}

/** The largest |milliseconds| a Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;
const DAMAGED_HINT = 'the file is damaged: run the scenario again (capsim run) to write it whole';

/** A file of the run that is there but cannot be read as one (a directory in its place). */
function unreadableFile(file: string, reason: string): InputError {
  return new InputError([{ file: displayPath(file), line: 0, column: 0, path: '', message: `cannot be read: ${reason}`, hint: DAMAGED_HINT }]);
}

export function readSummary(dir: string): Summary {
  const file = path.join(dir, RUN_FILES.summary);
  const read = readRunFile(file);
  if ('absent' in read) throw missing(dir, RUN_FILES.summary);
  if ('unreadable' in read) throw unreadableFile(file, read.unreadable);
  const { summary, problems } = parseSummary(read.text);
  if (summary) return summary;
  throw new InputError(problems.slice(0, 5).map((p) => ({
    file: displayPath(file),
    line: 0,
    column: 0,
    path: p.path,
    message: p.message,
    hint: p.message === OLDER_SUMMARY ? 'capsim run <its scenario.resolved.yaml> writes the run again with carbon' : 'the file is damaged or not a capsim summary: run the scenario again (capsim run) to write it whole',
  })));
}

function readOptional(dir: string, file: string): string | null {
  const p = path.join(dir, file);
  const read = readRunFile(p);
  if ('unreadable' in read) throw unreadableFile(p, read.unreadable);
  return 'text' in read ? read.text : null;
}

/** A cell that is not what its column holds; readCsv reports it with its file and line. */
class CellError extends Error {}

/** Streams a CSV's rows with where each of its columns is (outputs/csvFiles.ts): a column the
 *  file lacks is at -1 and reads as undefined (`cell`), so runs of older versions still load.
 *  Free-text files (events.csv, recommendations.csv) go through fast-csv; the series files are
 *  read as plain comma-separated lines, the counterpart of the recorder's SeriesCsvSink: a month
 *  of a large fleet is millions of workloads.csv rows, which fast-csv parses at about 10 µs each.
 *  Also what `capsim export openmetrics` reads the run with (export/openMetrics.ts). */
export function readCsv<C extends string>(
  dir: string,
  file: CsvFile<C>,
  onRow: (fields: readonly string[], at: ColumnIndex<C>) => void,
  options: { required?: boolean; plain?: boolean } = {},
): Promise<boolean> {
  // The table as CSV, or else as Parquet (--tables parquet: outputs/tables.ts).
  let p = path.join(dir, file.name);
  let state = runFileState(p);
  let parquet = false;
  if (state === 'absent') {
    const other = path.join(dir, tableFileName(file, 'parquet'));
    const otherState = runFileState(other);
    if (otherState !== 'absent') [p, state, parquet] = [other, otherState, true];
  }
  if (state === 'absent') {
    if (options.required ?? true) return Promise.reject(missing(dir, file.name));
    return Promise.resolve(false);
  }
  if (state !== 'file') return Promise.reject(unreadableFile(p, state.unreadable));
  let at: ColumnIndex<C> | null = null;
  let columns = 0;
  let line = 0;
  const unreadable = (message: string, lineNo = line + 1) =>
    new InputError([{ file: displayPath(p), line: lineNo, column: 0, path: '', message: `unreadable ${parquet ? 'Parquet' : 'CSV'}: ${message}`, hint: DAMAGED_HINT }]);
  // A row with another number of cells than the header is a file cut short or edited: read on,
  // it would give zeros for the cells it lacks.
  let short: unknown = null;
  const onFields = (fields: string[]) => {
    line++;
    if (short !== null) return;
    if (at === null) {
      at = columnIndex(file, fields);
      columns = fields.length;
    } else if (fields.length !== columns) short = unreadable(`${fields.length} cells where the header has ${columns}`, line);
    else {
      // A reader that finds a cell it cannot use throws: the promise rejects with it (thrown
      // from a stream's handler, it would escape as an uncaught exception); a cell that is not
      // what its column holds is named with this file and line.
      try {
        onRow(fields, at);
      } catch (error) {
        short = error instanceof CellError ? unreadable(error.message, line) : error;
      }
    }
  };
  if (parquet) {
    // Lines are rows here (the header is line 1, as in the CSV); a file cut short fails on its
    // footer, before any row is read.
    return readParquetTable(p, onFields).then(
      () => (short ? Promise.reject(short) : true),
      (error: unknown) => Promise.reject(error instanceof ParquetTableError ? unreadable(error.message, 0) : error),
    );
  }
  let last: string;
  try {
    last = lastByte(p);
  } catch (error) {
    return Promise.reject(unreadableFile(p, (error as Error).message));
  }
  const cutShort = last !== '\n' ? unreadable('the file does not end with a newline, as capsim ends every row: cut short?', 0) : null;
  if (cutShort) return Promise.reject(cutShort);
  const settle = (resolve: (v: boolean) => void, reject: (e: unknown) => void) => (short ? reject(short) : resolve(true));
  return new Promise((resolve, reject) => {
    if (options.plain) {
      let rest = '';
      const stream = fs.createReadStream(p, { encoding: 'utf8', highWaterMark: 1 << 20 });
      stream
        .on('error', (error) => reject(unreadable(error.message)))
        .on('data', (chunk: string | Buffer) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop()!;
          for (const text of lines) {
            if (text.includes('"')) {
              stream.destroy();
              reject(unreadable('a quoted field in a series file capsim writes without quotes; was it edited?'));
              return;
            }
            if (text !== '') onFields(text.split(','));
          }
        })
        .on('end', () => {
          if (rest !== '') onFields(rest.split(','));
          settle(resolve, reject);
        });
      return;
    }
    parseFile<string[], string[]>(p, { headers: false })
      .on('error', (error) => reject(unreadable(error.message)))
      .on('data', onFields)
      .on('end', () => settle(resolve, reject));
  });
}

/** The last byte of a file as a character; '\n' for an empty file (fast-csv writes no header
 *  row without rows: nothing to cut short). */
function lastByte(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return '\n';
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, size - 1);
    return byte.toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
}

/** A text cell as it was before writing (a zone "=x" is written '=x: outputs/csvCells.ts);
 *  '' where the column is missing. */
export const cell = (text: string | undefined) => (text === undefined ? '' : readTextCell(text));
/** A number cell; empty (a column an older version did not write) reads as 0. One that is not a
 *  number is a CellError, which readCsv reports with the file and line. */
export const num = (text: string | undefined): number => {
  if (text === undefined || text === '') return 0;
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  throw new CellError(`${quote(text)} where a number belongs`);
};
export const optionalNum = (text: string | undefined): number | null => (text === undefined || text === '' ? null : num(text));
/** Seconds since the start of the run: within the run (0 to its duration). */
const seconds = (text: string | undefined, runSeconds: number, earliest = 0): number => {
  const t = num(text);
  if (t >= earliest && t <= runSeconds) return t;
  throw new CellError(`time ${t} s is outside the run (${earliest} to ${runSeconds} s)`);
};

async function readTimeseries(dir: string, runSeconds: number): Promise<{ row: ClusterPoint; time: string }[]> {
  const rows: { row: ClusterPoint; time: string }[] = [];
  await readCsv(dir, TIMESERIES, (f, at) => {
    rows.push({
      time: cell(f[at.time]),
      row: {
        t: seconds(f[at.t], runSeconds),
        nodes: num(f[at.nodes]),
        podsRunning: num(f[at.pods_running]),
        podsPending: num(f[at.pods_pending]),
        cpuAllocatableMilli: num(f[at.cpu_allocatable_m]),
        cpuRequestedMilli: num(f[at.cpu_requested_m]),
        cpuUsedMilli: num(f[at.cpu_used_m]),
        memoryAllocatableBytes: num(f[at.memory_allocatable_bytes]),
        memoryRequestedBytes: num(f[at.memory_requested_bytes]),
        memoryUsedBytes: num(f[at.memory_used_bytes]),
        costUsdPerHour: num(f[at.cost_usd_per_hour]),
        costUsdCumulative: num(f[at.cost_usd_cumulative]),
      },
    });
  }, { plain: true });
  return rows;
}

const CLUSTER_FIELDS = [
  'nodes', 'podsRunning', 'podsPending', 'cpuAllocatableMilli', 'cpuRequestedMilli', 'cpuUsedMilli',
  'memoryAllocatableBytes', 'memoryRequestedBytes', 'memoryUsedBytes', 'costUsdPerHour', 'costUsdCumulative',
] as const;

function foldCluster(rows: ClusterPoint[], bucketSeconds: number): ClusterPoint[] {
  const fold = new BucketAggregator(CLUSTER_FIELDS.map((f) => (f === 'costUsdCumulative' ? 'max' : 'mean')), bucketSeconds);
  for (const r of rows) fold.add(r.t, CLUSTER_FIELDS.map((f) => r[f]));
  return fold.rows().map(({ t, values }) => {
    const point = { t } as ClusterPoint;
    CLUSTER_FIELDS.forEach((f, i) => (point[f] = values[i]));
    return point;
  });
}

async function readWorkloads(dir: string, bucketSeconds: number, runSeconds: number): Promise<WorkloadSeries[]> {
  const folds = new Map<string, { fold: BucketAggregator; demand: number; served: number; oom: number }>();
  // The hot loop of a large run's report: columns are looked up once, not per row.
  let c: number[] = [];
  const values = [0, 0, 0, 0, 0, 0];
  await readCsv(dir, WORKLOADS, (fields, at) => {
    if (c.length === 0) c = [at.demand, at.served, at.replicas_desired, at.replicas_ready, at.cpu_throttled_pct, at.oom_kills];
    const ref = cell(fields[at.workload]);
    let w = folds.get(ref);
    if (!w) folds.set(ref, (w = { fold: new BucketAggregator(['mean', 'mean', 'mean', 'mean', 'mean', 'sum'], bucketSeconds), demand: 0, served: 0, oom: 0 }));
    for (let i = 0; i < 6; i++) values[i] = num(fields[c[i]]);
    w.demand += values[0];
    w.served += values[1];
    w.oom += values[5];
    w.fold.add(seconds(fields[at.t], runSeconds), values);
  }, { plain: true });
  return [...folds].map(([ref, w]) => ({
    ref,
    demandTotal: w.demand,
    servedTotal: w.served,
    oomKills: w.oom,
    points: w.fold.rows().map(({ t, values: [demand, served, replicasDesired, replicasReady, cpuThrottledPct, oomKills] }) => ({
      t, demand, served, replicasDesired, replicasReady, cpuThrottledPct, oomKills,
    })),
  }));
}

/** The run's nodes; their times must lie within the run (`runSeconds`, its duration). */
export async function readNodes(dir: string, runSeconds: number): Promise<NodeRow[]> {
  const rows: NodeRow[] = [];
  await readCsv(dir, NODES, (f, at) => {
    rows.push({
      node: cell(f[at.node]),
      pool: cell(f[at.pool]),
      instanceType: cell(f[at.instance_type]),
      capacityType: cell(f[at.capacity_type]),
      zone: cell(f[at.zone]),
      createdSeconds: seconds(f[at.created_t], runSeconds),
      removedSeconds: f[at.removed_t] ? seconds(f[at.removed_t], runSeconds) : null,
      costUsd: num(f[at.cost_usd]),
      cpuRequestedMeanPct: num(f[at.cpu_requested_mean_pct]),
      cpuUsedMeanPct: num(f[at.cpu_used_mean_pct]),
      memoryRequestedMeanPct: num(f[at.memory_requested_mean_pct]),
      memoryUsedMeanPct: num(f[at.memory_used_mean_pct]),
      cpuAllocatableMilli: num(f[at.cpu_allocatable_m]),
      memoryAllocatableBytes: num(f[at.memory_allocatable_bytes]),
      readySeconds: num(f[at.ready_seconds]),
    });
  });
  return rows;
}

async function readNodeUtilization(dir: string, runSeconds: number): Promise<NodeUtilizationPoint[]> {
  const rows: NodeUtilizationPoint[] = [];
  await readCsv(
    dir,
    NODE_UTILIZATION,
    (f, at) => {
      rows.push({
        t: seconds(f[at.t], runSeconds),
        node: cell(f[at.node]),
        cpuRequestedPct: num(f[at.cpu_requested_pct]),
        cpuUsedPct: num(f[at.cpu_used_pct]),
        memoryRequestedPct: num(f[at.memory_requested_pct]),
        memoryUsedPct: num(f[at.memory_used_pct]),
      });
    },
    { required: false, plain: true },
  );
  return rows;
}

async function readHourly(dir: string, runSeconds: number): Promise<HourlyPoint[] | null> {
  const rows: HourlyPoint[] = [];
  const found = await readCsv(
    dir,
    HOURLY,
    (f, at) => {
      const kg = cell(f[at.kgco2e]);
      // t is the hour's start: up to an hour before the run's (a run starting at 09:30).
      rows.push({ t: seconds(f[at.t], runSeconds, -3600), pool: cell(f[at.pool]), costUsd: num(f[at.cost_usd]), kgCo2e: kg === '' ? null : num(kg) });
    },
    { required: false, plain: true },
  );
  return found ? rows : null;
}

async function readEvents(dir: string, bucketSeconds: number, runSeconds: number): Promise<EventDigest> {
  const byType = new Map<string, EventTypeCount>();
  const timeline = new Map<string, { t: number; category: string; count: number }>();
  const notable: EventRow[] = [];
  let notableTotal = 0;
  let total = 0;
  const nodeStates = new NodeStateSpans();
  await readCsv(dir, EVENTS, (f, at) => {
    total++;
    const type = cell(f[at.type]);
    const t = seconds(f[at.t], runSeconds);
    nodeStates.event(type, cell(f[at.node]), t);
    const seen = byType.get(type);
    if (seen) seen.count++;
    else byType.set(type, { type, count: 1, firstSeconds: t, example: eventRow(f, at, t) });
    const category = own(TIMELINE_CATEGORIES, type);
    if (category) {
      const bucket = Math.floor(t / bucketSeconds) * bucketSeconds;
      const key = `${bucket}|${category}`;
      const cell = timeline.get(key);
      if (cell) cell.count++;
      else timeline.set(key, { t: bucket, category, count: 1 });
    }
    if (NOTABLE_TYPES.has(type)) {
      notableTotal++;
      if (notable.length < NOTABLE_KEPT) notable.push(eventRow(f, at, t));
    }
  });
  return {
    total,
    byType: [...byType.values()].sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1)),
    timeline: [...timeline.values()].sort((a, b) => a.t - b.t || (a.category < b.category ? -1 : 1)),
    notable,
    notableTotal,
    nodeStates: nodeStates.finish(runSeconds),
  };
}

function eventRow(f: readonly string[], at: ColumnIndex<ColumnOf<typeof EVENTS>>, t: number): EventRow {
  return { t, type: cell(f[at.type]), object: cell(f[at.object]), node: cell(f[at.node]), message: cell(f[at.message]) };
}

export async function readRecommendations(dir: string): Promise<Recommendation[]> {
  const rows: Recommendation[] = [];
  await readCsv(
    dir,
    RECOMMENDATIONS,
    (f, at) => {
      rows.push({
        workload: cell(f[at.workload]),
        container: cell(f[at.container]),
        cpuRequestMilli: optionalNum(f[at.cpu_request_m]),
        cpuLimitMilli: optionalNum(f[at.cpu_limit_m]),
        memoryRequestBytes: optionalNum(f[at.memory_request_bytes]),
        memoryLimitBytes: optionalNum(f[at.memory_limit_bytes]),
        cpuTargetMilli: optionalNum(f[at.cpu_target_m]),
        cpuLowerMilli: optionalNum(f[at.cpu_lower_m]),
        cpuUpperMilli: optionalNum(f[at.cpu_upper_m]),
        memoryTargetBytes: optionalNum(f[at.memory_target_bytes]),
        memoryLowerBytes: optionalNum(f[at.memory_lower_bytes]),
        memoryUpperBytes: optionalNum(f[at.memory_upper_bytes]),
        monthlySavingUsd: optionalNum(f[at.monthly_saving_usd]),
      });
    },
    { required: false },
  );
  return rows;
}
