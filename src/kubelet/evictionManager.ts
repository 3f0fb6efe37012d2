// The kubelet's eviction manager under node memory pressure (reference §5.2, pkg/kubelet/eviction):
// memory.available = capacity - working set; below the evictionHard threshold it evicts one pod
// per pass (synchronize), ranked by usage over request, priority, then usage above request;
// critical pods never. After an eviction the next pass comes once the pod is cleaned up (the
// 1-s grace period, polled every second: waitForPodsCleanup), else after the 10-s monitoring
// interval. Memory grows linearly between changes, so the first crossing is scheduled exactly
// rather than found at the next 10-s tick. Past capacity it is too late: the kernel's OOM killer
// acts (oomKiller.ts). One alarm per node serves both.
//
// The node's MemoryPressure condition is True from the first pass that sees the threshold met
// until --eviction-pressure-transition-period after the last one did (nodeConditionsObservedSince);
// the kubelet posts it and the node lifecycle controller taints the node with it (the API server's
// setNodeMemoryPressure), and while it holds the manager's admission handler refuses BestEffort
// pods (Admit). capsim posts the condition at once; upstream it reaches the API at the kubelet's
// next node status update (nodeStatusUpdateFrequency, 10 s).
import type { ApiServer } from '../api/apiServer.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { TAINT_MEMORY_PRESSURE } from '../model/api.ts';
import { toleratesTaint } from '../model/taints.ts';
import { formatBytes } from '../quantity.ts';
import { Phase } from '../phases.ts';
import type { PodAdmitHandler, PodAdmitResult } from './kubelet.ts';
import type { OomKiller } from './oomKiller.ts';
import type { NodeRun, PodRun } from './podGroups.ts';
import { podMemory } from './podGroups.ts';
import { kib } from './stats.ts';

/** The kubelet's eviction monitoring interval (housekeeping), and podCleanupPollFreq: how soon
 *  after an eviction (grace period 1 s) the next pass runs. */
const EVICTION_PERIOD_MS = 10_000;
const POD_CLEANUP_POLL_MS = 1_000;
/** SystemCriticalPriority: IsCriticalPod admits and never evicts pods at or above it. */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
const MEMORY_PRESSURE_TAINT = { key: TAINT_MEMORY_PRESSURE, effect: 'NoSchedule' as const };
const ADMITTED: PodAdmitResult = { admit: true };
/** Admit's refusal under MemoryPressure alone: reason Reason, message nodeConditionMessageFmt
 *  (pkg/kubelet/eviction/helpers.go; upstream ends it with a space). */
const REFUSED: PodAdmitResult = { admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure].' };

/** What the eviction manager needs of the kubelet around it. */
export interface EvictionManagerHost {
  /** Pods may have come or gone at this instant before the flush: count them now. */
  refresh(n: NodeRun): void;
  /** The node's pods changed: look at it again at the next flush. */
  nodeChanged(n: NodeRun): void;
  /** The node's usage side, if any pod ran there. */
  nodeRun(node: Node): NodeRun | undefined;
}

export class EvictionManager implements PodAdmitHandler {
  constructor(
    private readonly cluster: Pick<ApiServer, 'sim' | 'nowMs' | 'emit' | 'deletePod' | 'setNodeMemoryPressure'>,
    private readonly oomKiller: OomKiller,
    private readonly host: EvictionManagerHost,
  ) {}

  /** Admit (eviction_manager.go): under MemoryPressure, critical pods and pods that are not
   *  BestEffort are admitted, and BestEffort pods only if they tolerate the memory-pressure taint. */
  admit(pod: Pod, node: Node): PodAdmitResult {
    if (!this.host.nodeRun(node)?.memoryPressure) return ADMITTED;
    if (pod.priority >= SYSTEM_CRITICAL_PRIORITY || pod.qos !== 'BestEffort') return ADMITTED;
    return toleratesTaint(pod.spec.tolerations, MEMORY_PRESSURE_TAINT) ? ADMITTED : REFUSED;
  }

  /** Sets the node's alarm for when memory.available falls below the threshold (or at once when
   *  it is, or when memory is past capacity). */
  watch(n: NodeRun, now: number): void {
    if (n.groups.size === 0 || n.node.state === 'Removed') return;
    const capacity = n.memoryCapacityBytes;
    const threshold = n.config.evictionHardMemoryBytes;
    const used = n.memoryAt(now);
    if (used > capacity) return this.setAlarm(n, now, () => this.oomKiller.killForNode(n));
    // While passes run, the next one comes when it is due, whatever memory did meanwhile.
    const earliest = n.underPressure ? Math.max(now, n.passDueMs) : now;
    if (capacity - used < threshold) return this.setAlarm(n, earliest, () => this.evictionPass(n));
    // Memory grows linearly until the next change: find when available falls below the threshold.
    if (n.memB <= 0) return;
    const at = Math.ceil((capacity - threshold - n.memA) / n.memB - 1e-6);
    this.setAlarm(n, Math.max(earliest, at), () => this.evictionPass(n));
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

  /** One pass (synchronize): the condition, then rank (over request first, priority, usage above
   *  request) and evict at most one pod, then look again after the monitoring period. */
  private evictionPass(n: NodeRun): void {
    this.host.refresh(n);
    const now = this.cluster.nowMs;
    const capacity = n.memoryCapacityBytes;
    const threshold = n.config.evictionHardMemoryBytes;
    const available = capacity - n.memoryAt(now);
    if (available >= threshold || n.node.state === 'Removed') {
      n.underPressure = false;
      this.host.nodeChanged(n);
      this.endConditionLater(n);
      return;
    }
    n.pressureObservedMs = now;
    this.setCondition(n, true);
    if (!n.underPressure) this.cluster.emit('EvictionThresholdMet', `Node/-/${n.node.name}`, n.node.name, 'Attempting to reclaim memory');
    n.underPressure = true;
    const candidates: { run: PodRun; usage: number; request: number }[] = [];
    for (const g of n.groups) {
      for (const run of g.pods) {
        const pod = run.pod;
        if (pod.deletionMs >= 0 || pod.priority >= SYSTEM_CRITICAL_PRIORITY) continue; // critical pods are never evicted
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
    n.passDueMs = now + (victim ? POD_CLEANUP_POLL_MS : EVICTION_PERIOD_MS);
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
    this.setAlarm(n, n.passDueMs, () => this.evictionPass(n));
  }

  /** The signal is gone: the condition ends a transition period after it was last observed,
   *  unless a pass sees the threshold met again first. */
  private endConditionLater(n: NodeRun): void {
    if (!n.memoryPressure) return;
    this.cluster.sim.cancel(n.conditionHandle);
    const at = Math.max(this.cluster.nowMs, n.pressureObservedMs + n.config.evictionPressureTransitionPeriodMs);
    n.conditionHandle = this.cluster.sim.schedule(at, Phase.Kubelet, () => {
      n.conditionHandle = null;
      this.setCondition(n, false);
    });
  }

  /** The MemoryPressure condition as the kubelet's node status setter posts it, with its event
   *  (nodestatus.MemoryPressureCondition: NodeHasInsufficientMemory / NodeHasSufficientMemory). */
  private setCondition(n: NodeRun, pressure: boolean): void {
    if (pressure) {
      this.cluster.sim.cancel(n.conditionHandle);
      n.conditionHandle = null;
    }
    if (n.memoryPressure === pressure) return;
    n.memoryPressure = pressure;
    if (n.node.state === 'Removed') return; // no kubelet, no Node object left to post to
    const name = n.node.name;
    const event = pressure ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory';
    this.cluster.emit(event, `Node/-/${name}`, name, `Node ${name} status is now: ${event}`);
    this.cluster.setNodeMemoryPressure(n.node, pressure);
  }
}
