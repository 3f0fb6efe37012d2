// Quiet nodes: a node whose running containers all have CPU and memory limits summing under its
// capacity (minus the eviction threshold) can be neither CPU-contended nor memory-pressured, so
// its pods get what they want (capped at their limits) and nothing about the node needs
// computing. Its groups contribute nothing themselves: their counts are mirrored into one
// virtual group per spec (spec.virtual, on a virtual node that is never contended), which is
// recomputed once for all of them, and their usage integrals are settled from the spec's
// cumulative per-pod integrals when their counts change, instead of at every change of load.
// CAPSIM_NO_QUIET=1 turns the path off, to check it against the general one.
import type { Node } from '../model/node.ts';
import type { UsageIntegral } from '../metrics/metricsApi.ts';
import { DEFAULT_KUBELET_CONFIG } from './config.ts';
import { withdrawGroup } from './groupUsage.ts';
import { keepReadySums } from './stats.ts';
import type { Counts, Spec, WorkloadRun } from './podGroups.ts';
import { Group, NodeRun } from './podGroups.ts';

export class QuietNodes {
  /** Off only to check the quiet-node path against the general one (CAPSIM_NO_QUIET=1). */
  private readonly enabled = process.env.CAPSIM_NO_QUIET !== '1';
  /** Where virtual groups live: never contended, never pressured, not counted as a node. */
  private readonly virtualNode = new NodeRun({
    name: '(virtual)', index: -1, state: 'Ready', capacity: { cpuMilli: Infinity, memoryBytes: Infinity, ephemeralStorageBytes: 0, scalar: {} },
    allocatable: { cpuMilli: Infinity, memoryBytes: Infinity, ephemeralStorageBytes: 0, scalar: {} },
  } as unknown as Node, DEFAULT_KUBELET_CONFIG);
  /** Scratch result of pending, for settle. */
  private readonly settling: UsageIntegral = { cpuUsedMilliMs: 0, memoryByteMs: 0 };

  /** Could this node's containers ever want more CPU or memory than it has? */
  isQuiet(n: NodeRun): boolean {
    if (!this.enabled || n.node.down || n.node.state === 'Removed') return false;
    if (n.cpuUnlimited > 0 || n.memUnlimited > 0) return false;
    return n.cpuLimitSum <= n.cpuCapacityMilli && n.memLimitSum <= n.memoryCapacityBytes - n.config.evictionHardMemoryBytes;
  }

  /** The virtual group standing for the spec's pods on quiet nodes. */
  virtualOf(spec: Spec, w: WorkloadRun, nowMs: number): Group {
    return (spec.virtual ??= new Group(w, this.virtualNode, spec, nowMs));
  }

  /** The counts a change of the group's pods moves: its own, and its spec's virtual group's
   *  while it is quiet, else its spec's loud ones. */
  countTargets(g: Group, nowMs: number): Counts[] {
    return g.quiet ? [g, this.virtualOf(g.spec, g.w, nowMs)] : [g, g.spec.loud];
  }

  /** Moves every group of a node between its own accounting and its spec's virtual group; the
   *  groups to recompute at this flush go into `dirty`. */
  setQuiet(n: NodeRun, quiet: boolean, nowMs: number, dirty: Set<Group>): void {
    n.quiet = quiet;
    for (const g of n.groups) {
      if (g.quiet === quiet) continue;
      const vg = this.virtualOf(g.spec, g.w, nowMs);
      if (quiet) {
        withdrawGroup(g, nowMs);
        moveCounts(g, g.spec.loud, -1);
        moveCounts(g, vg, 1);
        g.spec.advance(nowMs);
        checkpoint(g);
        g.settledMs = nowMs;
        g.quiet = true;
        keepReadySums(g);
        g.w.loudGroups--;
      } else {
        this.settle(g, nowMs);
        moveCounts(g, vg, -1);
        moveCounts(g, g.spec.loud, 1);
        g.quiet = false;
        keepReadySums(g);
        g.w.loudGroups++;
        dirty.add(g);
      }
      dirty.add(vg);
    }
  }

  /** Adds what a quiet group's pods used since it was last settled to its node's integrals and
   *  its workload-on-node account. */
  settle(g: Group, nowMs: number): void {
    const sp = g.spec;
    sp.advance(nowMs);
    const used = this.settling;
    this.pending(g, nowMs, used);
    checkpoint(g);
    g.node.cpuUsedMilliMs += used.cpuUsedMilliMs;
    g.node.memoryByteMs += used.memoryByteMs;
    g.usage.cpuUsedMilliMs += used.cpuUsedMilliMs;
    g.usage.memoryByteMs += used.memoryByteMs;
    g.settledMs = nowMs;
  }

  /** ∫ CPU and ∫ memory of a quiet group's pods since it was last settled, into `out`; reads the
   *  spec's integrals forward to `nowMs` without advancing them. */
  pending(g: Group, nowMs: number, out: UsageIntegral): void {
    const sp = g.spec;
    const ahead = nowMs - sp.advancedMs;
    const dt = nowMs - g.settledMs;
    let cpu = 0;
    let memory = 0;
    for (let c = 0; c < g.models.length; c++) {
      cpu += g.ready * (sp.cumCpuReady[c] + sp.cappedReady[c] * ahead - g.ckCpuReady[c]) + g.idleRunning[c] * (sp.cumCpuIdle[c] + sp.cappedIdle[c] * ahead - g.ckCpuIdle[c]);
      memory += g.ready * (sp.cumMemReady[c] + sp.memReady[c] * ahead - g.ckMemReady[c]) + g.idleRunning[c] * (sp.cumMemIdle[c] + sp.memIdle[c] * ahead - g.ckMemIdle[c]);
      const leak = g.models[c].leakBytesPerMs;
      if (leak > 0 && dt > 0) memory += leak * dt * (g.running[c] * (g.settledMs + nowMs) / 2 - g.sumStart[c]);
    }
    out.cpuUsedMilliMs = cpu;
    out.memoryByteMs = memory;
  }
}

/** Marks where the spec's cumulative integrals stood when the group was last settled. */
function checkpoint(g: Group): void {
  const sp = g.spec;
  for (let c = 0; c < g.models.length; c++) {
    g.ckCpuReady[c] = sp.cumCpuReady[c];
    g.ckCpuIdle[c] = sp.cumCpuIdle[c];
    g.ckMemReady[c] = sp.cumMemReady[c];
    g.ckMemIdle[c] = sp.cumMemIdle[c];
  }
}

function moveCounts(from: Counts, to: Counts, sign: 1 | -1): void {
  to.ready += sign * from.ready;
  to.dead += sign * from.dead;
  for (let c = 0; c < from.idleRunning.length; c++) {
    to.idleRunning[c] += sign * from.idleRunning[c];
    to.running[c] += sign * from.running[c];
    to.sumStart[c] += sign * from.sumStart[c];
  }
}
