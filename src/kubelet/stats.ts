// The kubelet's stats (its Summary API, fed by cAdvisor, which metrics-server scrapes): what each
// pod's containers and each node's pods use now, read from the groups without changing them
// (usageHistory.ts keeps what they showed at each sample instant, for the VPA recommender).
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

/** podUsage's CPU of a Ready pod of the group (all its containers run). */
function readyPodCpu(g: Group, container: string | undefined): number {
  let total = 0;
  for (let c = 0; c < g.models.length; c++) if (container === undefined || g.models[c].name === container) total += containerCpu(g, c, true);
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
