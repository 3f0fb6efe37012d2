// The kubelet's stats (its Summary API, fed by cAdvisor, which metrics-server scrapes): what each
// pod's containers and each node's pods use now, read from the groups without changing them;
// and the per-container history the VPA recommender reads.
import type { Pod } from '../model/pod.ts';
import { formatBytes } from '../quantity.ts';
import type { Group, PodRun, WorkloadRun } from './podGroups.ts';
import { containerMemory } from './podGroups.ts';

/** CPU a running container gets now (millicores). */
function containerCpu(run: PodRun, c: number): number {
  const g = run.group;
  const ready = run.cls === 'ready';
  // A quiet group is never contended: its pods get what they want, capped at the limit.
  if (g.quiet) return ready ? g.spec.cappedReady[c] : g.spec.cappedIdle[c];
  return ready ? g.readyGot[c] : g.idleGot[c];
}

/** CPU (millicores) or memory (bytes) of the pod's running containers, or of the one named; null
 *  when it runs on no live node. */
export function podUsage(run: PodRun | undefined, resource: 'cpu' | 'memory', container: string | undefined, t: number): number | null {
  if (!run || run.cls === 'dead') return null;
  const g = run.group;
  let total = 0;
  for (let c = 0; c < g.models.length; c++) {
    if (run.starts[c] < 0 || (container !== undefined && g.models[c].name !== container)) continue;
    total += resource === 'memory' ? containerMemory(run, c, t) : containerCpu(run, c);
  }
  return total;
}

/** podUsage summed over a node's pods, one lookup per pod. */
export function nodeUsage(pods: readonly Pod[], runs: ReadonlyMap<number, PodRun>, t: number): { cpuMilli: number; memoryBytes: number } {
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const pod of pods) {
    const run = runs.get(pod.uid);
    if (!run || run.cls === 'dead') continue;
    for (let c = 0; c < run.group.models.length; c++) {
      if (run.starts[c] < 0) continue;
      memoryBytes += containerMemory(run, c, t);
      cpuMilli += containerCpu(run, c);
    }
  }
  return { cpuMilli, memoryBytes };
}

/** Appends one entry per container to the workload's history: mean CPU per running pod and the
 *  memory of its biggest pod. */
export function recordHistory(w: WorkloadRun, t: number): void {
  const h = w.history;
  h.tMs.push(t);
  const models = w.groups[0]?.models ?? [];
  models.forEach((m, c) => {
    (h.cpuMilli[c] ??= []).push(perPodCpu(w, c));
    (h.memoryBytes[c] ??= []).push(peakPodMemory(w, c, t));
  });
}

function perPodCpu(w: WorkloadRun, c: number): number {
  const pods = w.runningByContainer[c] ?? 0;
  return pods > 0 ? (w.cpuByContainer[c] ?? 0) / pods : 0;
}

function peakPodMemory(w: WorkloadRun, c: number, t: number): number {
  let peak = 0;
  // Quiet groups without a leak are all alike: their spec's virtual group stands for them.
  const groups = w.loudGroups === 0 && !w.leaky ? [] : w.groups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g.quiet && !(g.models[c]?.leakBytesPerMs > 0)) continue;
    peak = Math.max(peak, groupPeakMemory(g, c, t));
  }
  for (const spec of w.specs.values()) {
    if (spec.virtual && c < spec.models.length && !(spec.models[c].leakBytesPerMs > 0)) peak = Math.max(peak, groupPeakMemory(spec.virtual, c, t));
  }
  return peak;
}

/** Memory of the group's biggest pod for container c: the one that started first, if it leaks. */
function groupPeakMemory(g: Group, c: number, t: number): number {
  if (c >= g.models.length || g.running[c] === 0) return 0;
  const base = Math.max(g.ready > 0 ? g.spec.memReady[c] : 0, g.idleRunning[c] > 0 ? g.spec.memIdle[c] : 0);
  const leak = g.models[c].leakBytesPerMs;
  return base + (leak > 0 ? leak * (t - g.earliestStart(c)) : 0);
}

/** Memory as the kubelet reports it: whole KiB (its stats are Ki-precise), e.g. "102399Ki". */
export function kib(bytes: number): string {
  return formatBytes(Math.max(0, Math.floor(bytes / 1024)) * 1024);
}
