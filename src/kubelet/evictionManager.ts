// The kubelet's eviction manager under node memory pressure (reference §5.2, pkg/kubelet/eviction):
// memory.available = capacity - working set; below the evictionHard threshold it evicts one pod
// per monitoring pass (10 s), ranked by usage over request, priority, then usage above request;
// critical pods never. Memory grows linearly between changes, so the crossing is scheduled
// exactly rather than found at the next 10-s tick. Past capacity it is too late: the kernel's OOM
// killer acts (oomKiller.ts). One alarm per node serves both.
import type { ApiServer } from '../api/apiServer.ts';
import type { Node } from '../model/node.ts';
import { formatBytes } from '../quantity.ts';
import { Phase } from '../phases.ts';
import type { OomKiller } from './oomKiller.ts';
import type { NodeRun, PodRun } from './podGroups.ts';
import { podMemory } from './podGroups.ts';
import { kib } from './stats.ts';

/** The kubelet's eviction manager monitoring period. */
const EVICTION_PERIOD_MS = 10_000;

/** What the eviction manager needs of the kubelet around it. */
export interface EvictionManagerHost {
  /** Pods may have come or gone at this instant before the flush: count them now. */
  refresh(n: NodeRun): void;
  /** The node's pods changed: look at it again at the next flush. */
  nodeChanged(n: NodeRun): void;
}

export class EvictionManager {
  constructor(
    private readonly cluster: Pick<ApiServer, 'sim' | 'nowMs' | 'emit' | 'deletePod'>,
    private readonly evictionThresholdOf: (node: Node) => number,
    private readonly oomKiller: OomKiller,
    private readonly host: EvictionManagerHost,
  ) {}

  /** Sets the node's alarm for when memory.available falls below the threshold (or at once when
   *  it is, or when memory is past capacity). */
  watch(n: NodeRun, now: number): void {
    if (n.groups.size === 0 || n.node.state === 'Removed') return;
    const capacity = n.memoryCapacityBytes;
    const threshold = this.evictionThresholdOf(n.node);
    const used = n.memoryAt(now);
    if (used > capacity) return this.setAlarm(n, now, () => this.oomKiller.killForNode(n));
    if (capacity - used < threshold) return this.setAlarm(n, now, () => this.evictionPass(n));
    // Memory grows linearly until the next change: find when available falls below the threshold.
    if (n.memB <= 0) return;
    const at = Math.ceil((capacity - threshold - n.memA) / n.memB - 1e-6);
    this.setAlarm(n, Math.max(now, at), () => this.evictionPass(n));
  }

  /** Sets the node's memory alarm if it is earlier than the one already set (see OomKiller.watch). */
  private setAlarm(n: NodeRun, at: number, action: () => void): void {
    if (at >= n.pressureAt) return;
    this.cluster.sim.cancel(n.pressureHandle);
    n.pressureAt = at;
    n.pressureHandle = this.cluster.sim.schedule(at, Phase.Kubelet, () => {
      n.pressureHandle = null;
      n.pressureAt = Infinity;
      action();
    });
  }

  /** One pass: rank (over request first, priority, usage above request) and evict at most one
   *  pod, then look again after the monitoring period. */
  private evictionPass(n: NodeRun): void {
    this.host.refresh(n);
    const now = this.cluster.nowMs;
    const capacity = n.memoryCapacityBytes;
    const threshold = this.evictionThresholdOf(n.node);
    const available = capacity - n.memoryAt(now);
    if (available >= threshold || n.node.state === 'Removed') {
      if (n.underPressure) this.cluster.emit('NodeHasNoMemoryPressure', `Node/-/${n.node.name}`, n.node.name, 'Memory pressure is gone');
      n.underPressure = false;
      this.host.nodeChanged(n);
      return;
    }
    if (!n.underPressure) this.cluster.emit('EvictionThresholdMet', `Node/-/${n.node.name}`, n.node.name, 'Attempting to reclaim memory');
    n.underPressure = true;
    const candidates: { run: PodRun; usage: number; request: number }[] = [];
    for (const g of n.groups) {
      for (const run of g.pods) {
        const pod = run.pod;
        if (pod.deletionMs >= 0 || pod.priority >= 2_000_000_000) continue; // critical pods are never evicted
        candidates.push({ run, usage: podMemory(run, now), request: pod.requests.memoryBytes });
      }
    }
    candidates.sort((a, b) => {
      const overA = a.usage > a.request ? 0 : 1;
      const overB = b.usage > b.request ? 0 : 1;
      if (overA !== overB) return overA - overB;
      if (a.run.pod.priority !== b.run.pod.priority) return a.run.pod.priority - b.run.pod.priority;
      return b.usage - b.request - (a.usage - a.request) || a.run.pod.uid - b.run.pod.uid;
    });
    const victim = candidates[0];
    if (victim) {
      const container = victim.run.group.models[0]?.name ?? '';
      this.cluster.deletePod(
        victim.run.pod,
        'Evicted',
        `The node was low on resource: memory. Threshold quantity: ${formatBytes(threshold)}, available: ${kib(available)}. ` +
          `Container ${container} was using ${kib(victim.usage)}, request is ${formatBytes(victim.request)}, has larger consumption of memory.`,
        1,
      );
    }
    this.setAlarm(n, now + EVICTION_PERIOD_MS, () => this.evictionPass(n));
  }
}
