// The kubelet's stats (its Summary API, fed by cAdvisor, which metrics-server scrapes): what each
// pod's containers and each node's pods use now, read from the groups without changing them
// (usageHistory.ts keeps what they showed at each sample instant, for the VPA recommender).
import type { PodCpuSum } from '../metrics/metricsApi.ts';
import { cpuMilli } from '../metrics/metricsApi.ts';
import type { Pod } from '../model/pod.ts';
import { formatBytes } from '../quantity.ts';
import type { Group, PodRun, WorkloadRun } from './podGroups.ts';
import { containerMemory } from './podGroups.ts';

/** CPU a running container of a Ready (else idle) pod of the group gets now (millicores). */
export function containerCpu(g: Group, c: number, ready: boolean): number {
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
    total += resource === 'memory' ? containerMemory(run, c, t) : containerCpu(g, c, run.cls === 'ready');
  }
  return total;
}

/** PodUsageGroups.podUsageGroups (metricsApi.ts) from a workload's groups: a group's Ready pods
 *  (every container running, by their class) read the same CPU, summed once in podUsage's order,
 *  so the same double; its idle pods, and memory, are read one pod at a time. */
export function podUsageGroups(w: WorkloadRun | undefined, resource: 'cpu' | 'memory', container: string | undefined, t: number, visit: (count: number, usage: number) => void): void {
  if (!w) return;
  for (const g of w.groups) {
    const cpu = resource === 'cpu';
    if (cpu && g.ready > 0) visit(g.ready, readyPodCpu(g, container));
    if (cpu && g.pods.size === g.ready + g.dead) continue;
    for (const run of g.pods) if (run.cls !== 'dead' && !(cpu && run.cls === 'ready')) visit(1, podUsage(run, resource, container, t)!);
  }
}

/** Replaces what the group adds to its workload's kept sums (PodUsageGroups.podCpuSum): its Ready
 *  pods, its pods with a reading that are not Ready, and (a loud group) its Ready pods' rounded
 *  readings. Called wherever one of those moves: its counts or pods (usageEngine.ts), its Ready
 *  CPU (recomputeGroup, withdrawGroup), its quiet flag (quietNodes.ts). A quiet group's Ready pods
 *  read their spec's values, counted through spec.virtual at the read. */
export function keepReadySums(g: Group, readyCpu?: number): void {
  if (g.spec.virtual === g) return;
  const ready = g.ready;
  const idle = g.pods.size - ready - g.dead;
  const milli = g.quiet || ready === 0 ? 0 : ready * cpuMilli(readyCpu ?? readyPodCpu(g, undefined));
  const w = g.w;
  if (ready !== g.keptReady) {
    w.keptReady += ready - g.keptReady;
    g.keptReady = ready;
  }
  if (idle !== g.keptIdle) {
    w.keptIdle += idle - g.keptIdle;
    g.keptIdle = idle;
  }
  if (milli !== g.keptReadyMilli) {
    w.keptReadyMilli += milli - g.keptReadyMilli;
    g.keptReadyMilli = milli;
  }
}

/** Compares the kept sums with the walk at every read (CAPSIM_CHECK_HPA_SUMS=1, for tests). */
const checkSums = process.env.CAPSIM_CHECK_HPA_SUMS === '1';

/** PodUsageGroups.podCpuSum: from the kept sums when every pod with a reading is Ready and the
 *  whole pod is read, else by walking podUsageGroups. */
export function podCpuSum(w: WorkloadRun | undefined, container: string | undefined, t: number, out: PodCpuSum): PodCpuSum {
  if (!w || container !== undefined || w.keptIdle !== 0) return walkCpuSum(w, container, t, out);
  let milli = w.keptReadyMilli;
  for (const spec of w.specs.values()) {
    const v = spec.virtual;
    if (v !== null && v.ready > 0) milli += v.ready * cpuMilli(readyPodCpu(v, undefined, true));
  }
  out.pods = w.keptReady;
  out.milli = milli;
  if (checkSums) {
    const walked = walkCpuSum(w, container, t, { pods: 0, milli: 0 });
    if (walked.pods !== out.pods || walked.milli !== out.milli) {
      throw new Error(`kept CPU sum of ${w.groups[0]?.pods.values().next().value?.pod.workload ?? '?'} at ${t}: ${out.pods} pods ${out.milli}m, walked ${walked.pods} pods ${walked.milli}m`);
    }
  }
  return out;
}

function walkCpuSum(w: WorkloadRun | undefined, container: string | undefined, t: number, out: PodCpuSum): PodCpuSum {
  let pods = 0;
  let milli = 0;
  podUsageGroups(w, 'cpu', container, t, (count, usage) => {
    pods += count;
    milli += count * cpuMilli(usage);
  });
  out.pods = pods;
  out.milli = milli;
  return out;
}

/** podUsage's CPU of a Ready pod of the group (all its containers run). */
function readyPodCpu(g: Group, container: string | undefined, quiet = g.quiet): number {
  let total = 0;
  for (let c = 0; c < g.models.length; c++) {
    if (container === undefined || g.models[c].name === container) total += quiet ? g.spec.cappedReady[c] : g.readyGot[c];
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
      cpuMilli += containerCpu(run.group, c, run.cls === 'ready');
    }
  }
  return { cpuMilli, memoryBytes };
}

/** Memory as the kubelet reports it: whole KiB (its stats are Ki-precise), e.g. "102399Ki". */
export function kib(bytes: number): string {
  return formatBytes(Math.max(0, Math.floor(bytes / 1024)) * 1024);
}
