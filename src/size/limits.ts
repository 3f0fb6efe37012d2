// What capsim refuses before it starts, and why (docs/scenario.md "Limits"). A run or a sweep
// over a limit stops with exit 2 before anything is written, saying what goes past it and the
// flag that runs it anyway.
import { InputError, type Problem } from '../scenario/errors.ts';
import { ALLOW_LARGE, formatBytes, formatCount, formatWall } from '../scenario/limits.ts';
import { estimateRunSize, type RunSize, type SizeOptions } from './runSize.ts';
import type { Scenario } from '../model/scenario.ts';
import { formatDuration } from '../duration.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';

const GB = 1e9;
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
      top.file === RUN_FILES.workloads || top.file === RUN_FILES.timeseries ? 'raise spec.sampleEvery or shorten spec.duration (every sample writes a row, and one per workload)'
      : top.file === RUN_FILES.nodeUtilization || top.file === RUN_FILES.nodes ? 'use fewer nodes'
      : top.file === RUN_FILES.focus ? `leave out --focus (${RUN_FILES.focus} is then not written; capsim export focus can write it later), add --tables parquet (much smaller)`
      : 'create fewer pods (replicas, Job arrivals, CronJob schedules) or shorten spec.duration';
    out.push({
      what: 'written', estimate: size.bytes, limit: limits.writtenBytes,
      message: `${scope} would write about ${formatBytes(size.bytes)} (${top.file}${top.rows > 0 ? `: ${formatCount(top.rows)} rows, ${top.why}` : ''}); the limit is ${formatBytes(limits.writtenBytes)}`,
      hint: `${fix}, ${anyway}`,
    });
  }
  if (size.memoryBytes > limits.memoryBytes) {
    const driver = memoryDriver(size);
    out.push({
      what: 'memory', estimate: size.memoryBytes, limit: limits.memoryBytes,
      message: `${scope} would need about ${formatBytes(size.memoryBytes)} of memory (${driver.words}); the limit is ${formatBytes(limits.memoryBytes)}`,
      hint: `${driver.fix}, ${anyway} (Node may then need a larger heap: NODE_OPTIONS=--max-old-space-size=${Math.ceil((size.memoryBytes * 1.25) / 2 ** 20)})`,
    });
  }
  if (size.wallMs > limits.wallMs) {
    const driver = wallDriver(size);
    out.push({
      what: 'wall', estimate: size.wallMs, limit: limits.wallMs,
      message: `${scope} would take about ${formatWall(size.wallMs)} (${driver.words}); the limit is ${formatWall(limits.wallMs)}`,
      hint: `${driver.fix}, ${anyway}`,
    });
  }
  return out;
}

/** What takes most of the memory, in words, and what lowers it. */
function memoryDriver(size: RunSize): { words: string; fix: string } {
  const [name] = Object.entries(size.memory).sort((a, b) => b[1] - a[1])[0];
  const largest = size.largest.peak;
  switch (name) {
    case 'nodes':
      return { words: `${plural(size.nodes.peak, 'node')}`, fix: 'use fewer nodes (or a lower max for an autoscaled pool)' };
    case 'objects':
      return { words: 'the objects of the manifests', fix: 'read fewer manifests' };
    case 'report':
      return { words: `the report, which reads ${RUN_FILES.workloads} back`, fix: 'write no report (--format none; `capsim report` can draw it later), raise spec.sampleEvery or shorten spec.duration' };
    case 'demandSamples':
      return { words: `the usage history of the workloads with demand, a sample a minute over ${formatDuration(size.durationMs)}`, fix: 'shorten spec.duration' };
    case 'buffered':
      return { words: `the rows of each simulated hour, held until the hour is written (a sample every ${formatDuration(size.sampleEveryMs)})`, fix: 'raise spec.sampleEvery' };
    case 'podDays':
      return { words: `${plural(size.pods.peak, 'pod')} over ${formatDuration(size.durationMs)}`, fix: 'use fewer pods or shorten spec.duration' };
    default:
      return { words: `${plural(size.pods.peak, 'pod')} at once${largest ? `, ${formatCount(largest.peak)} of them from ${largest.ref}: ${largest.why}` : ''}`, fix: 'use fewer pods' };
  }
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}

/** What takes most of the time, in words, and what shortens it. */
function wallDriver(size: RunSize): { words: string; fix: string } {
  const [name] = Object.entries(size.wall).sort((a, b) => b[1] - a[1])[0];
  const created = size.largest.created;
  const from = created && created.created > 0 ? `, ${formatCount(created.created)} from ${created.ref}: ${created.why}` : '';
  const hours = formatCount(size.durationMs / HOUR_MS);
  switch (name) {
    case 'placementMs':
      return { words: `placing ${plural(size.pods.created, 'pod')} on up to ${plural(size.nodes.peak, 'node')}${from}`, fix: 'use fewer pods or nodes' };
    case 'podsMs':
      return { words: `${plural(size.pods.created, 'pod')} created over the run${from}`, fix: 'create fewer pods or shorten spec.duration' };
    case 'nodesMs':
      return { words: `${plural(size.nodes.created, 'node')}`, fix: 'use fewer nodes (or a lower max for an autoscaled pool)' };
    case 'controllersMs':
      return { words: `the HPAs' and the cluster autoscaler's loops over ${hours} hours`, fix: 'shorten spec.duration' };
    case 'samplingMs':
      return { words: `${formatCount(size.samples)} samples (every ${formatDuration(size.sampleEveryMs)} over ${formatDuration(size.durationMs)}) and ${formatCount(size.rows)} CSV rows`, fix: 'raise spec.sampleEvery or shorten spec.duration' };
    case 'podTimeMs':
      return { words: `${plural(size.pods.peak, 'pod')} for ${hours} hours`, fix: 'use fewer pods or shorten spec.duration' };
    case 'focusMs':
      return { words: `${RUN_FILES.focus}'s rows, one per workload per node-hour`, fix: `leave out --focus (${RUN_FILES.focus} is then not written; capsim export focus can write it later)` };
    case 'demandMs':
      return { words: `the demand of the pods at ${formatCount(size.samples)} samples`, fix: 'raise spec.sampleEvery or shorten spec.duration' };
    default:
      return { words: `reading ${formatBytes(size.bytes)} back for the report`, fix: 'write no report (--format none), raise spec.sampleEvery or shorten spec.duration' };
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
    `size: up to ${plural(size.nodes.peak, 'node')}${size.nodes.karpenter ? ' (and those Karpenter launches, not estimated)' : ''} and ${plural(size.pods.peak, 'pod')} at once (${formatCount(size.pods.created)} created), ` +
    `~${formatCount(size.events)} events, ${formatCount(size.rows)} rows and ${formatBytes(size.bytes)} written, ` +
    `~${formatBytes(size.memoryBytes)} of memory, ~${formatWall(size.wallMs)} (estimates)`
  );
}

