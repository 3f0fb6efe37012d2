// What capsim refuses before it starts, and why (docs/scenario.md "Limits"). A run or a sweep
// over a limit stops with exit 2 before anything is written, saying what goes past it and the
// flag that runs it anyway; inputs over a limit are problems of the file that holds them.
import { InputError, type Problem } from './errors.ts';
import { estimateRunSize, type RunSize, type SizeOptions } from './runSize.ts';
import type { Scenario } from '../model/scenario.ts';
import { formatDuration } from '../duration.ts';

/** The flag that lifts every limit below except the YAML alias limit. */
export const ALLOW_LARGE = '--allow-large';

const GB = 1e9;
const MB = 1e6;
const HOUR_MS = 3_600_000;

export interface Limits {
  /** Bytes written (CSV, JSON, report). */
  writtenBytes: number;
  /** Resident memory at the peak. */
  memoryBytes: number;
  /** Wall time on a machine like the one the costs were measured on (2 vCPU). */
  wallMs: number;
}

/**
 * One run: 2 GB written (ten times the largest bench month, 200 MB; the report reads
 * workloads.csv back, about 12 s and 1 GB of memory at that size), 4 GB of memory (Node's
 * default heap limit on a 64-bit machine with 16 GB or more is about 4 GB, and a laptop of 8-16
 * GB has that to give), 2 hours (a run one waits for; the design-scale month takes 5 minutes).
 */
export const RUN_LIMITS: Limits = { writtenBytes: 2 * GB, memoryBytes: 4 * GB, wallMs: 2 * HOUR_MS };

/**
 * A sweep, all its runs together: 2 GB written (a run keeps summary.json and a 200-row series,
 * about 30 KB, or everything with --keep-all), 4 GB of memory for the runs that run at once
 * (each worker holds a whole run), 12 hours (a study left overnight). Each run also keeps
 * within RUN_LIMITS.
 */
export const SWEEP_LIMITS: Limits = { writtenBytes: 2 * GB, memoryBytes: 4 * GB, wallMs: 12 * HOUR_MS };

/**
 * What the loader holds. YAML: 64 MB of scenario and manifest files together (the k8s-sims
 * cluster of 1,213 nodes and 7,064 pods is 3.8 MB; parsed and checked, YAML takes about 25 times
 * its size in memory and 5 s per 10 MB) and 200,000 objects (Kubernetes' tested limits are
 * 150,000 pods on 5,000 nodes); aliases may add at most 100,000 values to a file (anchors that
 * refer to anchors grow exponentially: 800 bytes can stand for 10^9 values). A trace: 64 MB and
 * 1,000,000 rows (a year of one-minute points is 525,600; reading a million takes about 3 s and
 * 500 MB).
 */
export const INPUT_LIMITS = { yamlBytes: 64 * MB, objects: 200_000, aliasValues: 100_000, traceBytes: 64 * MB, traceRows: 1_000_000 } as const;

/** What goes past a limit, as a problem of the scenario file (or of the sweep). */
export interface Excess {
  what: 'written' | 'memory' | 'wall';
  estimate: number;
  limit: number;
  message: string;
  hint: string;
}

/** Every limit `size` goes past, with what drives it and what to change. `scope` names it in
 *  messages ("this run", "run c004-s42 of the sweep"). */
export function excesses(size: RunSize, limits: Limits = RUN_LIMITS, scope = 'this run'): Excess[] {
  const out: Excess[] = [];
  const anyway = `or pass ${ALLOW_LARGE} to run it anyway`;
  if (size.bytes > limits.writtenBytes) {
    const top = [...size.files].sort((a, b) => b.bytes - a.bytes)[0];
    const fix =
      top.file === 'workloads.csv' || top.file === 'timeseries.csv' ? 'raise spec.sampleEvery or shorten spec.duration (every sample writes a row, and one per workload)'
      : top.file === 'node-utilization.csv' || top.file === 'nodes.csv' ? 'use fewer nodes'
      : 'create fewer pods (replicas, Job arrivals, CronJob schedules) or shorten spec.duration';
    out.push({
      what: 'written', estimate: size.bytes, limit: limits.writtenBytes,
      message: `${scope} would write about ${formatBytes(size.bytes)} (${top.file}${top.rows > 0 ? `: ${formatCount(top.rows)} rows, ${top.why}` : ''}); the limit is ${formatBytes(limits.writtenBytes)}`,
      hint: `${fix}, ${anyway}`,
    });
  }
  if (size.memoryBytes > limits.memoryBytes) {
    out.push({
      what: 'memory', estimate: size.memoryBytes, limit: limits.memoryBytes,
      message: `${scope} would need about ${formatBytes(size.memoryBytes)} of memory (${memoryDriver(size)}); the limit is ${formatBytes(limits.memoryBytes)}`,
      hint: `use fewer pods or nodes, ${anyway} (Node may then need a larger heap: NODE_OPTIONS=--max-old-space-size=${Math.ceil((size.memoryBytes * 1.25) / 2 ** 20)})`,
    });
  }
  if (size.wallMs > limits.wallMs) {
    out.push({
      what: 'wall', estimate: size.wallMs, limit: limits.wallMs,
      message: `${scope} would take about ${formatWall(size.wallMs)} (${wallDriver(size)}); the limit is ${formatWall(limits.wallMs)}`,
      hint: `shorten spec.duration, use fewer pods or nodes, ${anyway}`,
    });
  }
  return out;
}

/** What takes most of the memory, in words. */
function memoryDriver(size: RunSize): string {
  const [name] = Object.entries(size.memory).sort((a, b) => b[1] - a[1])[0];
  const largest = size.largest.peak;
  switch (name) {
    case 'nodes':
      return `${formatCount(size.nodes.peak)} nodes`;
    case 'objects':
      return 'the objects of the manifests';
    case 'report':
      return `reading workloads.csv back for the report`;
    case 'demandSamples':
      return `the usage history of the workloads with demand, at ${formatCount(size.samples)} samples`;
    default:
      return `${plural(size.pods.peak, 'pod')} at once${largest ? `, ${formatCount(largest.peak)} of them from ${largest.ref}: ${largest.why}` : ''}`;
  }
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}

/** What takes most of the time, in words. */
function wallDriver(size: RunSize): string {
  const [name] = Object.entries(size.wall).sort((a, b) => b[1] - a[1])[0];
  const created = size.largest.created;
  const from = created && created.created > 0 ? `, ${formatCount(created.created)} from ${created.ref}: ${created.why}` : '';
  switch (name) {
    case 'placementMs':
      return `placing ${plural(size.pods.created, 'pod')} on up to ${plural(size.nodes.peak, 'node')}${from}`;
    case 'podsMs':
      return `${plural(size.pods.created, 'pod')} created over the run${from}`;
    case 'controllersMs':
      return `the HPAs' and the cluster autoscaler's loops over ${formatCount(size.durationMs / HOUR_MS)} hours`;
    case 'samplingMs':
      return `${formatCount(size.samples)} samples (every ${formatDuration(size.sampleEveryMs)} over ${formatDuration(size.durationMs)}) and ${formatCount(size.rows)} CSV rows`;
    case 'podTimeMs':
      return `${plural(size.pods.peak, 'pod')} for ${formatCount(size.durationMs / HOUR_MS)} hours`;
    case 'demandMs':
      return `the demand of the pods at ${formatCount(size.samples)} samples`;
    default:
      return `reading ${formatBytes(size.bytes)} back for the report`;
  }
}

/** The problems that stop a run of `file`. */
export function limitProblems(file: string, list: readonly Excess[]): Problem[] {
  return list.map((e) => ({ file, line: 0, column: 0, path: '', message: e.message, hint: e.hint }));
}

/** The size of a run of `s`; an InputError (exit 2, nothing written) when it goes past
 *  RUN_LIMITS and `allowLarge` is not set. */
export function checkRunSize(s: Scenario, options: SizeOptions & { allowLarge?: boolean } = {}): RunSize {
  const size = estimateRunSize(s, options);
  const over = options.allowLarge ? [] : excesses(size);
  if (over.length > 0) throw new InputError(limitProblems(s.file, over));
  return size;
}

/** One line for `capsim validate`: nodes, pods, events, rows, bytes, memory, wall time. */
export function sizeLine(size: RunSize): string {
  return (
    `size: up to ${plural(size.nodes.peak, 'node')} and ${plural(size.pods.peak, 'pod')} at once (${formatCount(size.pods.created)} created), ` +
    `~${formatCount(size.events)} events, ${formatCount(size.rows)} rows and ${formatBytes(size.bytes)} written, ` +
    `~${formatBytes(size.memoryBytes)} of memory, ~${formatWall(size.wallMs)} (estimates)`
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 10 * GB) return `${Math.round(bytes / GB).toLocaleString('en-US')} GB`;
  if (bytes >= GB) return `${Number((bytes / GB).toFixed(1))} GB`;
  if (bytes >= 10 * MB) return `${Math.round(bytes / MB)} MB`;
  if (bytes >= 0.1 * MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

export function formatWall(ms: number): string {
  if (ms >= 2 * HOUR_MS) return `${ms >= 48 * HOUR_MS ? Math.round(ms / (24 * HOUR_MS)).toLocaleString('en-US') + ' days' : `${Math.round(ms / HOUR_MS)} hours`}`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} minutes`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** 1,234 below a million, then 3.2 M, 41 G. */
export function formatCount(n: number): string {
  if (n >= 1e10) return `${Math.round(n / 1e9).toLocaleString('en-US')} G`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e7) return `${Math.round(n / 1e6)} M`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return Math.round(n).toLocaleString('en-US');
}
