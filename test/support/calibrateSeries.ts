// Synthetic workload series for the calibration tests (issue 16 item 4): what `capsim import
// metrics` would read from a workload whose usage follows capsim's model with known parameters.
import { RandomStream } from '../../src/engine/random.ts';
import type { ObservedWorkload } from '../../src/calibrate/calibrate.ts';

export const MONDAY = Date.UTC(2026, 0, 5) / 1000; // 2026-01-05T00:00Z, a Monday
export const MI = 2 ** 20;

export interface SeriesSpec {
  workload?: string;
  steps?: number;
  stepSeconds?: number;
  start?: number;
  /** Units/s at step i (the value at the step: the default query is a gauge). CPU is written as
   *  the import reads it, the mean over its 5-minute rate window; memory at the step. */
  demand?: (i: number) => number;
  /** Ready replicas at step i. */
  replicas?: (i: number, demand: number) => number;
  cpuBaseMilli?: number;
  /** Per unit/s per pod; a function of the step for a change mid-window. */
  cpuPerUnitMilli?: number | ((i: number) => number);
  memBaseBytes?: number;
  memPerUnitBytes?: number;
  memNoise?: number;
  leakBytesPerHour?: number;
  /** Multiplies the CPU per pod at step i (bursts, heavy-tailed noise). */
  cpuFactor?: (i: number, random: RandomStream) => number;
  /** cpu_throttled_pct at step i (null: not scraped). */
  throttledPct?: (i: number) => number | null;
  demandQuery?: string | null;
  seed?: number;
}

export function series(spec: SeriesSpec = {}): { times: number[]; workload: ObservedWorkload } {
  const steps = spec.steps ?? 10_080;
  const stepSeconds = spec.stepSeconds ?? 60;
  const start = spec.start ?? MONDAY;
  const random = new RandomStream('calibrate-test', spec.seed ?? 1);
  const demandAt = spec.demand ?? ((i: number) => 100 * (1 + 0.5 * Math.cos((2 * Math.PI * (i * stepSeconds - 14 * 3600)) / 86_400)));
  const replicasAt = spec.replicas ?? ((_: number, d: number) => Math.max(2, Math.ceil(d / 30)));
  const ref = spec.workload ?? 'Deployment/shop/web';
  const [kind, namespace, name] = ref.split('/');
  const cols = ['pods', 'replicas', 'replicas_ready', 'hpa_desired_replicas', 'cpu_used_m', 'memory_used_bytes', 'cpu_requests_m', 'memory_requests_bytes', 'cpu_limits_m', 'memory_limits_bytes', 'oom_kills', 'demand', 'cpu_throttled_pct'];
  const columns: Record<string, (number | null)[]> = Object.fromEntries(cols.map((c) => [c, []]));
  const times: number[] = [];
  const cpuAt: number[] = [];
  const cpuSteps = Math.ceil(Math.max(300, stepSeconds) / stepSeconds);
  let runStart = 0;
  let lastN = -1;
  for (let i = 0; i < steps; i++) {
    times.push(start + i * stepSeconds);
    const d = demandAt(i);
    const n = replicasAt(i, d);
    if (n !== lastN) runStart = i;
    lastN = n;
    const load = d / n;
    const perUnit = typeof spec.cpuPerUnitMilli === 'function' ? spec.cpuPerUnitMilli(i) : spec.cpuPerUnitMilli ?? 4;
    const cpuPod = ((spec.cpuBaseMilli ?? 20) + perUnit * load) * (spec.cpuFactor ? spec.cpuFactor(i, random) : 1);
    const hours = ((i - runStart) * stepSeconds) / 3600;
    const memPod = ((spec.memBaseBytes ?? 300 * MI) + (spec.memPerUnitBytes ?? MI) * load) * (1 + (spec.memNoise ?? 0.05) * random.normal()) + (spec.leakBytesPerHour ?? 0) * hours;
    const put = (c: string, v: number | null) => columns[c].push(v);
    put('pods', n);
    put('replicas', n);
    put('replicas_ready', n);
    put('hpa_desired_replicas', null);
    cpuAt.push(n * cpuPod);
    // As the import reads it: rate() over the CPU window, the mean of the steps inside it.
    const inWindow = cpuAt.slice(-cpuSteps);
    put('cpu_used_m', Math.round(inWindow.reduce((a, b) => a + b, 0) / inWindow.length));
    put('memory_used_bytes', Math.round(n * memPod));
    put('cpu_requests_m', n * 250);
    put('memory_requests_bytes', n * 512 * MI);
    put('cpu_limits_m', n * 500);
    put('memory_limits_bytes', n * 1024 * MI);
    put('oom_kills', 0);
    put('demand', d);
    put('cpu_throttled_pct', spec.throttledPct ? spec.throttledPct(i) : null);
  }
  return {
    times,
    workload: { workload: ref, kind, namespace, name, file: `metrics/${namespace}/${name}.csv`, columns, demandQuery: spec.demandQuery === undefined ? `sum(http_requests_per_second{service="${name}"})` : spec.demandQuery },
  };
}

/** The series as metrics/<ns>/<name>.csv (time, the columns), as the import writes it. */
export function seriesCsv(times: readonly number[], w: ObservedWorkload): string {
  const cols = Object.keys(w.columns);
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  const rows = times.map((t, i) => [iso(t), ...cols.map((c) => (w.columns[c][i] === null ? '' : String(w.columns[c][i])))].join(','));
  return `time,${cols.join(',')}\n${rows.join('\n')}\n`;
}
