// The CSV files of a run (DESIGN §4): each file's name and its columns, in order. The recorder
// writes these header rows; the report, compare and sweep find their columns by these names, so
// every column is named here once and a reader cannot name one that does not exist.
//
// Every file has a header row. Timed rows start with t (seconds since the start: an integer, or
// a decimal for a time between seconds) and time (ISO 8601, UTC). Units are in the names: _m
// millicores, _bytes bytes, _pct percent, _usd US dollars, _t seconds since the start.
// Objects are named Kind/namespace/name (Node/-/name for nodes).
import { RUN_FILES } from './runDirectory.ts';

/** One CSV file of a run directory. */
export interface CsvFile<C extends string = string> {
  /** File name in the run directory. */
  readonly name: string;
  /** The header row. */
  readonly columns: readonly C[];
  /** Columns of text (names, times, messages); every other column holds numbers, or is empty
   *  where a value does not exist. A Parquet table (tables.ts) types its columns by this. */
  readonly text: ReadonlySet<string>;
}

export type ColumnOf<F extends CsvFile> = F['columns'][number];

function csvFile<const C extends string>(name: string, columns: readonly C[], text: readonly NoInfer<C>[]): CsvFile<C> {
  return { name, columns, text: new Set(text) };
}

/** One row per sampleEvery: the cluster's totals at that instant. */
export const TIMESERIES = csvFile(RUN_FILES.timeseries, [
  't', 'time',
  'nodes', // nodes that exist: provisioning, Ready, cordoned or draining
  'pods_running', 'pods_pending', // pending: created and not bound
  'cpu_allocatable_m', 'cpu_requested_m', 'cpu_used_m', // allocatable of Ready nodes; requests of bound pods
  'memory_allocatable_bytes', 'memory_requested_bytes', 'memory_used_bytes',
  'cost_usd_per_hour', // the price of every node that exists
  'cost_usd_cumulative', // node cost from t = 0 to t: a running total
], ['time']);

/** Columns that are running totals: a series folded into buckets keeps their last value, not a mean. */
export const CUMULATIVE_COLUMNS: ReadonlySet<string> = new Set<ColumnOf<typeof TIMESERIES>>(['cost_usd_cumulative']);

/** One row per sample and workload. */
export const WORKLOADS = csvFile(RUN_FILES.workloads, [
  't', 'time',
  'workload', // Kind/namespace/name
  'demand', 'served', // units/s offered to the workload, and what its Ready pods served
  'replicas_desired', 'replicas_ready',
  'cpu_requested_m', 'cpu_used_m', 'memory_requested_bytes', 'memory_used_bytes',
  'cpu_throttled_pct', // share of the CPU the containers wanted that they did not get
  'oom_kills', // OOM kills since the previous row
], ['time', 'workload']);

/** One row per node that ever existed, written at the end of the run. */
export const NODES = csvFile(RUN_FILES.nodes, [
  'node', 'pool', 'instance_type', 'capacity_type', 'zone', // empty where a manifest node has none
  'created_t', 'removed_t', // removed_t empty for a node that lived to the end
  'cost_usd', // price x life, provisioning included
  // Time-weighted means over the node's Ready time, as a share of its allocatable:
  'cpu_requested_mean_pct', 'cpu_used_mean_pct', 'memory_requested_mean_pct', 'memory_used_mean_pct',
  'cpu_allocatable_m', 'memory_allocatable_bytes',
  'ready_seconds', // time the node was Ready
  'nodepool', 'nodeclaim', // Karpenter's NodePool (its karpenter.sh/nodepool label) and NodeClaim; empty for other nodes
  'price_usd_per_hour', // its price (the offering Karpenter launched, the pool's, or the catalog's)
], ['node', 'pool', 'instance_type', 'capacity_type', 'zone', 'nodepool', 'nodeclaim']);

/** node-utilization.csv holds about this many samples per node whatever the run's length: every
 *  node at every sample would be millions of rows on a month of a large fleet (and sampling 1,000
 *  nodes costs ~5 ms), and the report's heatmap shows no more columns than this. */
export const NODE_UTILIZATION_SAMPLES = 120;

/** node-utilization.csv takes every stride-th sample (t = 0 included). */
export function nodeSampleStride(durationMs: number, sampleEveryMs: number): number {
  return Math.max(1, Math.ceil(durationMs / sampleEveryMs / NODE_UTILIZATION_SAMPLES));
}

/** Requests and usage of every node not yet removed, as a share of its allocatable, at about
 *  NODE_UTILIZATION_SAMPLES samples per run whatever its length (nodeSampleStride). */
export const NODE_UTILIZATION = csvFile(RUN_FILES.nodeUtilization, [
  't', 'time', 'node',
  'cpu_requested_pct', 'cpu_used_pct', 'memory_requested_pct', 'memory_used_pct',
], ['time', 'node']);

/** One row per UTC clock hour (a charge period: cost/chargePeriod.ts) and node pool: what its
 *  nodes cost and emitted in the hour. t is the hour's start, negative for the hour a run
 *  starting at 09:30 begins in; the first and last hours hold only the part the run covers. */
export const HOURLY = csvFile(RUN_FILES.hourly, [
  't', 'time',
  'pool', // node pool or Karpenter NodePool; "(manifest nodes)" for nodes from manifests
  'node_hours', // how long its nodes existed in the hour, together
  'list_usd', 'cost_usd', // at list prices, and charged (after discounts: cost.totalUsd)
  'allocated_usd', // charged to workloads by OpenCost's rule; the rest is idle
  'energy_kwh', 'kgco2e', // carbon/ (empty when no node of the pool could be estimated)
], ['time', 'pool']);

/** Every notable event, in simulation order (types: DESIGN §4). */
export const EVENTS = csvFile(RUN_FILES.events, [
  't', 'time',
  'type', // Scheduled, OOMKilled, NodeScaleUp, ...
  'object', // Kind/namespace/name
  'node', // the node it happened on, or empty
  'message',
], ['time', 'type', 'object', 'node', 'message']);

/** One row per pod of spec.traces (a run with traces only), in the order the pods went (then
 *  those still there at the end, in order of creation): when the replay created, bound and ended
 *  it, beside the trace's own scheduled time. Empty cells where a time does not exist. */
export const PODS = csvFile(RUN_FILES.pods, [
  'pod', // namespace/name
  'created_t', 'scheduled_t', 'node', // scheduled_t and node empty for a pod never bound
  'queueing_delay_s', // scheduled_t - created_t
  'finished_t', // completed after its trace duration
  'deleted_t', // deleted: at its trace's deletion time, or by the cluster (eviction, preemption)
  'trace_scheduled_t', 'trace_queueing_delay_s', // the trace's own scheduled time, and its delay
  'outcome', // Completed, Failed, Deleted; Running or Pending at the end of the run
], ['pod', 'node', 'outcome']);

/** Per container of every workload: its requests and limits, the VPA recommender's target,
 *  lower and upper bounds, and the monthly saving of setting requests to the target. An empty
 *  cell where a value does not exist (no limit, no recommendation). */
export const RECOMMENDATIONS = csvFile(RUN_FILES.recommendations, [
  'workload', 'container',
  'cpu_request_m', 'cpu_limit_m', 'memory_request_bytes', 'memory_limit_bytes',
  'cpu_target_m', 'cpu_lower_m', 'cpu_upper_m', 'memory_target_bytes', 'memory_lower_bytes', 'memory_upper_bytes',
  'monthly_saving_usd',
], ['workload', 'container']);

/** One row per sample, only in a run whose nodes have GPUs (record/gpu.ts): the GPUs of Ready
 *  nodes, one by one as the GpuShare filter places pods on them (a whole GPU is 1000 milli). */
export const GPU = csvFile(RUN_FILES.gpu, [
  't', 'time',
  'gpus', 'gpu_milli_total', // GPUs of Ready nodes, and 1000 x that
  'gpu_milli_allocated', // given to pods: 1000 for each whole GPU, the share asked for a shared one
  'gpu_milli_fragmented', // free on GPUs that are partly allocated (a pod needing a whole GPU cannot use it)
  'gpu_milli_fragmented_fgd', // free milli the typical task mix cannot use (ATC'23 FGD measure; record/gpuFragmentation.ts)
  'gpu_allocated_pct', // allocated / total
  'gpu_fragmented_pct', // fragmented / free (total - allocated); 0 when nothing is free
  'gpu_fragmented_fgd_pct', // fragmented_fgd / free
], ['time']);

/** Every CSV file a run writes whatever its cluster (and GPU, when its nodes have GPUs). */
export const CSV_FILES: readonly CsvFile[] = [TIMESERIES, WORKLOADS, NODES, NODE_UTILIZATION, HOURLY, EVENTS, RECOMMENDATIONS];

export type Cell = string | number;

/** A row by column name: every column, no other. */
export type Row<C extends string> = { readonly [K in C]: Cell };

/** A row's cells in the file's column order. */
export function rowCells<C extends string>(file: CsvFile<C>, row: Row<NoInfer<C>>): Cell[] {
  return file.columns.map((c) => row[c]);
}

/** Where each column is in a header row: its position (the last, should a name repeat), or -1
 *  when the file lacks it (a run of an older capsim), so that `fields[at.cpu_used_m]` reads
 *  undefined. */
export type ColumnIndex<C extends string> = { readonly [K in C]: number };

export function columnIndex<C extends string>(file: CsvFile<C>, header: readonly string[]): ColumnIndex<C> {
  const index = {} as Record<C, number>;
  for (const column of file.columns) index[column] = header.lastIndexOf(column);
  return index;
}
