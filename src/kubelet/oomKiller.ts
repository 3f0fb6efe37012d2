// The kernel's OOM killer, the two ways a container meets it (reference §5.4): its cgroup reaches
// its memory limit and the kernel kills inside that container whatever its oom_score_adj, at the
// exact moment it crosses; or the node runs out of physical memory and the kernel kills the
// container with the highest badness (oomScore.ts) until the rest fits. It decides whom and when;
// the kubelet around it (usageEngine.ts) carries the kill out.
import type { Simulation } from '../engine/simulation.ts';
import { formatBytes } from '../quantity.ts';
import { Phase } from '../phases.ts';
import { oomBadness, oomScoreAdj } from './oomScore.ts';
import type { Group, NodeRun, PodRun } from './podGroups.ts';
import { containerMemory } from './podGroups.ts';
import { kib } from './stats.ts';

/** What the OOM killer needs of the kubelet around it. */
export interface OomKillerHost {
  /** Kills container `c` of the pod now: it exits OOMKilled. */
  kill(run: PodRun, c: number, message: string): void;
  /** The group's containers changed: recompute it at the next flush. */
  groupChanged(g: Group): void;
  /** Brings a group's memory up to now at once. */
  recompute(g: Group): void;
  /** Pods may have come or gone at this instant before the flush: count them now. */
  refresh(n: NodeRun): void;
  /** The node's pods changed: look at it again at the next flush. */
  nodeChanged(n: NodeRun): void;
}

export class OomKiller {
  constructor(
    private readonly sim: Simulation,
    private readonly host: OomKillerHost,
  ) {}

  /** Sets the group's alarm at the earliest moment a container of it reaches its memory limit.
   *  Only an earlier alarm replaces the one set: a later one fires early, finds nothing, and plans
   *  again, so cancelled events never pile up in the queue. */
  watch(g: Group, now: number): void {
    let at = Infinity;
    for (let c = 0; c < g.models.length; c++) {
      const m = g.models[c];
      if (m.memLimitBytes === Infinity || g.running[c] === 0) continue;
      // Ready pods carry load, so they cross first; idle ones matter when none is ready.
      const base = g.ready > 0 ? Math.max(g.spec.memReady[c], g.spec.memIdle[c]) : g.spec.memIdle[c];
      if (base > m.memLimitBytes) at = now;
      else if (m.leakBytesPerMs > 0) {
        // The first whole millisecond at or after the crossing (a hair of slack absorbs float noise).
        const crossing = g.earliestStart(c) + Math.ceil((m.memLimitBytes - base) / m.leakBytesPerMs - 1e-6);
        at = Math.min(at, Math.max(now, crossing));
      }
    }
    if (at >= g.oomAt) return;
    this.sim.cancel(g.oomHandle);
    setOomAt(g, at);
    g.oomHandle = this.sim.schedule(at, Phase.Kubelet, () => this.killOverLimit(g));
  }

  /** The group is gone: its alarm with it. */
  forget(g: Group): void {
    this.sim.cancel(g.oomHandle);
    setOomAt(g, Infinity);
  }

  /** Kills every container of the group at or above its memory limit now (cgroup OOM). */
  private killOverLimit(g: Group): void {
    g.oomHandle = null;
    setOomAt(g, Infinity);
    const now = this.sim.nowMs;
    for (const run of [...g.pods]) {
      for (let c = 0; c < g.models.length; c++) {
        const m = g.models[c];
        if (run.starts[c] < 0 || run.cls === 'dead' || m.memLimitBytes === Infinity) continue;
        const used = containerMemory(run, c, now);
        const over = m.leakBytesPerMs > 0 ? used >= m.memLimitBytes - 1 : used > m.memLimitBytes;
        if (over) this.host.kill(run, c, `Memory cgroup out of memory: container ${m.name} used ${kib(used)}, limit ${formatBytes(m.memLimitBytes)}`);
      }
    }
    this.host.groupChanged(g);
  }

  /** The node is out of physical memory: the kernel kills the container with the highest badness
   *  until the rest fits. */
  killForNode(n: NodeRun): void {
    this.host.refresh(n);
    const now = this.sim.nowMs;
    const capacity = n.memoryCapacityBytes;
    while (n.memoryAt(now) > capacity) {
      let worst: { run: PodRun; c: number; score: number } | null = null;
      for (const g of n.groups) {
        for (const run of g.pods) {
          for (let c = 0; c < g.models.length; c++) {
            if (run.starts[c] < 0) continue;
            const usage = containerMemory(run, c, now);
            const adj = oomScoreAdj(run.pod.qos, g.models[c].memRequestBytes, capacity, run.pod.priority >= 2_000_001_000);
            const score = oomBadness(usage, capacity, adj);
            if (!worst || score > worst.score) worst = { run, c, score };
          }
        }
      }
      if (!worst) break;
      this.host.kill(worst.run, worst.c, `System out of memory: the kernel killed container ${worst.run.group.models[worst.c].name} (oom score ${Math.round(worst.score)})`);
      this.host.recompute(worst.run.group);
    }
    this.host.nodeChanged(n);
  }
}

/** Sets the group's alarm time, counting its workload's groups that have one. */
function setOomAt(g: Group, at: number): void {
  g.w.oomAlarms += (at < Infinity ? 1 : 0) - (g.oomAt < Infinity ? 1 : 0);
  g.oomAt = at;
}
