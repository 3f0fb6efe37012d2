// Scale-down (core/scaledown/{eligibility,planner,unneeded,budgets,actuation}; reference/
// k8s-algorithms.md §3.6-3.8): nodes whose requests are at most the utilization threshold of
// their allocatable, and whose pods all fit elsewhere (filters only, first fit, PDBs consumed),
// are unneeded; once unneeded for scale-down-unneeded-time, and outside the cooldowns, they are
// deleted: empty ones in bulk after a short taint delay, others drained one at a time through
// the Eviction API.
import { matchingPdbs, pdbStatus } from '../../api/eviction.ts';
import { Phase } from '../../phases.ts';
import type { Node } from '../../model/node.ts';
import type { PdbObject } from '../../model/objects.ts';
import type { Pod } from '../../model/pod.ts';
import { isActive } from '../../model/pod.ts';
import type { AutoscalingContext } from './context.ts';
import type { ClusterSnapshot } from './clusterSnapshot.ts';
import type { DrainPlan, PdbBudget } from './drainability.ts';
import { podsToMove } from './drainability.ts';
import type { NodeGroup } from './nodeGroups.ts';
import { groupRef, targetSize } from './nodeGroups.ts';
import { clusterNodes, coresAndMemory, scaleDownResourcesLeft, totalOf, tryDecrementBy } from './resourceLimits.ts';

export const TAINT_TO_BE_DELETED = 'ToBeDeletedByClusterAutoscaler';
/** eligibility.ScaleDownDisabledKey: a node annotated "true" is never scaled down. */
export const SCALE_DOWN_DISABLED = 'cluster-autoscaler.kubernetes.io/scale-down-disabled';
const GPU = 'nvidia.com/gpu';
/** Failed evictions are retried this often, up to --max-pod-eviction-time. */
const EVICTION_RETRY_MS = 10_000;
/** Headroom after the longest grace period before the node is deleted anyway. */
const POD_EVICTION_HEADROOM_MS = 30_000;
const POD_GONE_POLL_MS = 5_000;

interface Unneeded {
  sinceMs: number;
  plan: DrainPlan;
  utilization: number;
}

export class ScaleDown {
  private unneeded = new Map<Node, Unneeded>();
  private readonly unremovableUntil = new Map<Node, number>();
  private seenChange = -1;
  private drainsInProgress = 0;

  constructor(private readonly ca: AutoscalingContext) {}

  run(now: number): void {
    this.updateUnneeded(now);
    if (this.inCooldown(now)) return;
    this.deleteUnneeded(now);
  }

  /** Number of nodes being deleted now. */
  get deletionsInProgress(): number {
    return this.ca.groups.reduce((n, g) => n + g.deleting.size, 0);
  }

  forget(node: Node): void {
    this.unneeded.delete(node);
    this.unremovableUntil.delete(node);
  }

  // ---- planning ------------------------------------------------------------------------------

  /** Recomputes the unneeded nodes; skipped when nothing in the cluster changed since the last
   *  loop and no unremovable node is due a re-check (the result would be the same). */
  private updateUnneeded(now: number): void {
    const api = this.ca.api;
    let recheckDue = false;
    for (const [node, until] of this.unremovableUntil) {
      if (until <= now) {
        this.unremovableUntil.delete(node);
        recheckDue = true;
      }
    }
    if (api.placementChangeCount === this.seenChange && !recheckDue) return;
    this.seenChange = api.placementChangeCount;

    const candidates = this.candidates();
    const next = new Map<Node, Unneeded>();
    if (candidates.length > 0) {
      let snapshot = this.ca.snapshot();
      for (const group of this.ca.groups) for (const node of group.deleting) snapshot.close(node);
      const budget = new PdbTracker(this.ca);
      for (const { node, utilization } of candidates) {
        const plan = podsToMove(node, this.ca.spec, budget, now);
        if (plan.blocking) {
          this.markUnremovable(node, now);
          continue;
        }
        const moved = simulateRemoval(snapshot, node, plan);
        if (!moved) {
          this.markUnremovable(node, now);
          continue;
        }
        snapshot = moved;
        budget.consume(plan.toMove);
        next.set(node, { sinceMs: this.unneeded.get(node)?.sinceMs ?? now, plan, utilization });
      }
    }
    this.unneeded = next;
  }

  /** Nodes of groups that can shrink, under the utilization threshold: the ones already unneeded
   *  first (so their timers keep running), then the least utilized. */
  private candidates(): { node: Node; utilization: number }[] {
    const spec = this.ca.spec;
    const list: { node: Node; utilization: number; since: number }[] = [];
    for (const group of this.ca.groups) {
      if (group.pool.min >= group.pool.max) continue; // a fixed-size group never shrinks
      for (const node of group.nodes) {
        if ((node.state !== 'Ready' && node.state !== 'NotReady') || group.deleting.has(node) || this.unremovableUntil.has(node)) continue;
        if (node.annotations[SCALE_DOWN_DISABLED] === 'true') continue; // HasNoScaleDownAnnotation (eligibility.go)
        const { utilization, threshold } = nodeUtilization(node, spec.ignoreDaemonsetsUtilization, spec.scaleDownUtilizationThreshold, spec.scaleDownGpuUtilizationThreshold);
        if (utilization > threshold) continue;
        list.push({ node, utilization, since: this.unneeded.get(node)?.sinceMs ?? Infinity });
      }
    }
    return list.sort((a, b) => a.since - b.since || a.utilization - b.utilization || a.node.index - b.node.index);
  }

  private markUnremovable(node: Node, now: number): void {
    this.unremovableUntil.set(node, now + this.ca.spec.unremovableNodeRecheckTimeoutMs);
  }

  // ---- deleting ------------------------------------------------------------------------------

  private inCooldown(now: number): boolean {
    const spec = this.ca.spec;
    return (
      now < this.ca.lastScaleUpMs + spec.scaleDownDelayAfterAddMs ||
      now < this.ca.lastScaleDownDeleteMs + spec.scaleDownDelayAfterDeleteMs ||
      now < this.ca.lastScaleDownFailMs + spec.scaleDownDelayAfterFailureMs
    );
  }

  /** Budgets (budgets.go): empty nodes first up to the parallelism, then at most
   *  max-drain-parallelism nodes that need draining; never below a group's minimum, nor the
   *  cluster below --cores-total / --memory-total min (unneeded/nodes.go RemovableAt). */
  private deleteUnneeded(now: number): void {
    const spec = this.ca.spec;
    let parallelism = spec.maxScaleDownParallelism - this.deletionsInProgress;
    let drainBudget = Math.min(parallelism, spec.maxDrainParallelism - this.drainsInProgress);
    if (parallelism <= 0) return;
    const due = [...this.unneeded].filter(([node, u]) => now - u.sinceMs >= (node.state === 'NotReady' ? spec.scaleDownUnreadyTimeMs : spec.scaleDownUnneededTimeMs));
    if (due.length === 0) return;
    const empty = due.filter(([, u]) => u.plan.toMove.length === 0);
    const drain = due.filter(([, u]) => u.plan.toMove.length > 0);
    // LimitsLeft (only a min above 0 limits): nodes being deleted no longer count.
    const limited = spec.coresTotal.min > 0 || spec.memoryTotalBytes.min > 0;
    const resourcesLeft = limited ? scaleDownResourcesLeft(spec, totalOf(clusterNodes(this.ca).filter((n) => !this.ca.group(n.pool)?.deleting.has(n)))) : {};
    const removable = (group: NodeGroup, node: Node) => aboveMin(group) && tryDecrementBy(resourcesLeft, coresAndMemory(node));
    let started = false;
    for (const [node, u] of empty) {
      if (parallelism <= 0) break;
      const group = this.ca.group(node.pool)!;
      if (!removable(group, node)) continue;
      parallelism--;
      this.deleteEmpty(group, node, u);
      started = true;
    }
    for (const [node, u] of drain) {
      if (parallelism <= 0 || drainBudget <= 0) break;
      const group = this.ca.group(node.pool)!;
      if (!removable(group, node)) continue;
      parallelism--;
      drainBudget--;
      this.deleteWithDrain(group, node, u);
      started = true;
    }
    if (started) this.ca.lastScaleDownDeleteMs = now;
  }

  private deleteEmpty(group: NodeGroup, node: Node, u: Unneeded): void {
    const api = this.ca.api;
    this.startDeletion(group, node, `Scale-down: removing empty node ${node.name} (utilization ${u.utilization.toFixed(3)})`);
    this.ca.clock.after(this.ca.spec.nodeDeleteDelayAfterTaintMs, Phase.Controller, () => {
      api.removeNode(node, 'Removed by the cluster autoscaler: empty node');
    });
  }

  /** Taint, evict through the Eviction API (retrying refused evictions every 10 s for up to
   *  max-pod-eviction-time), wait for the pods to go, delete the node. */
  private deleteWithDrain(group: NodeGroup, node: Node, u: Unneeded): void {
    const api = this.ca.api;
    const spec = this.ca.spec;
    const names = u.plan.toMove.map((p) => p.key).join(', ');
    this.startDeletion(group, node, `Scale-down: removing node ${node.name}, utilization ${u.utilization.toFixed(3)}, pods to reschedule: ${names}`);
    this.drainsInProgress++;
    const startedMs = api.nowMs;
    const grace = (pod: Pod) => Math.min(pod.spec.terminationGracePeriodSeconds, spec.maxGracefulTerminationSec);
    const evictStep = () => {
      if (node.state === 'Removed') return this.drainEnded();
      let refused: string | null = null;
      let longestGraceS = 0;
      for (const pod of node.info.pods.slice()) {
        if (!isActive(pod)) continue;
        const result = this.ca.api.evict(pod, `Evicted by the cluster autoscaler: scale-down of node ${node.name}`);
        if (result.ok) {
          pod.deletionGraceSeconds = grace(pod);
          longestGraceS = Math.max(longestGraceS, grace(pod));
        } else refused ??= `${pod.key}: ${result.message}`;
      }
      if (refused === null) return waitForPods(api.nowMs + longestGraceS * 1000 + POD_EVICTION_HEADROOM_MS);
      if (api.nowMs - startedMs >= spec.maxPodEvictionTimeMs) return this.abort(group, node, `Failed to drain node ${node.name}: ${refused}`);
      this.ca.clock.after(EVICTION_RETRY_MS, Phase.Controller, evictStep);
    };
    const waitForPods = (deadlineMs: number) => {
      if (node.state === 'Removed') return this.drainEnded();
      const left = node.info.pods.some((p) => p.owner?.kind !== 'DaemonSet');
      if (!left || api.nowMs >= deadlineMs) {
        this.drainEnded();
        api.removeNode(node, 'Removed by the cluster autoscaler: drained');
        return;
      }
      this.ca.clock.after(Math.min(POD_GONE_POLL_MS, deadlineMs - api.nowMs), Phase.Controller, () => waitForPods(deadlineMs));
    };
    evictStep();
  }

  private startDeletion(group: NodeGroup, node: Node, message: string): void {
    const api = this.ca.api;
    group.deleting.add(node);
    this.unneeded.delete(node);
    api.addTaint(node, { key: TAINT_TO_BE_DELETED, value: String(Math.floor(api.nowMs / 1000)), effect: 'NoSchedule' });
    api.emit('NodeScaleDown', `Node/-/${node.name}`, node.name, message);
  }

  private drainEnded(): void {
    this.drainsInProgress--;
  }

  private abort(group: NodeGroup, node: Node, message: string): void {
    const api = this.ca.api;
    this.drainEnded();
    group.deleting.delete(node);
    api.removeTaint(node, TAINT_TO_BE_DELETED);
    this.ca.lastScaleDownFailMs = api.nowMs;
    api.emit('ScaleDownFailed', groupRef(group), node.name, message);
  }
}

/** max(requested/allocatable) over CPU and memory, or GPU alone on a GPU node (§3.6). */
export function nodeUtilization(node: Node, ignoreDaemonSets: boolean, threshold: number, gpuThreshold: number): { utilization: number; threshold: number } {
  const info = node.info;
  const gpus = node.allocatable.scalar[GPU] ?? 0;
  if (gpus > 0) return { utilization: (info.requested.scalar[GPU] ?? 0) / gpus, threshold: gpuThreshold };
  let cpu = info.requested.cpuMilli;
  let memory = info.requested.memoryBytes;
  let cpuAlloc = node.allocatable.cpuMilli;
  let memoryAlloc = node.allocatable.memoryBytes;
  if (ignoreDaemonSets) {
    for (const pod of info.pods) {
      if (pod.owner?.kind !== 'DaemonSet') continue;
      cpu -= pod.requests.cpuMilli;
      memory -= pod.requests.memoryBytes;
      cpuAlloc -= pod.requests.cpuMilli;
      memoryAlloc -= pod.requests.memoryBytes;
    }
  }
  const cpuUtil = cpuAlloc > 0 ? cpu / cpuAlloc : 0;
  const memoryUtil = memoryAlloc > 0 ? memory / memoryAlloc : 0;
  return { utilization: Math.max(cpuUtil, memoryUtil), threshold };
}

/** The drain simulation for one node: its pods leave, the node takes no more, and each pod to
 *  move must fit on another node. Returns the snapshot with the move done, or null. */
function simulateRemoval(snapshot: ClusterSnapshot, node: Node, plan: DrainPlan): ClusterSnapshot | null {
  const fork = snapshot.fork();
  fork.close(node);
  for (const pod of plan.toMove) fork.remove(pod, node);
  for (const pod of plan.daemonSet) fork.remove(pod, node);
  let hint = 0;
  for (const pod of plan.toMove) {
    if (isTerminalOrGone(pod)) continue;
    const i = fork.firstFit(pod, fork.nodeInfos, hint);
    if (i < 0) return null;
    fork.place(pod, fork.nodeInfos[i]);
    hint = i;
  }
  return fork;
}

function isTerminalOrGone(pod: Pod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed' || pod.removedMs >= 0;
}

function aboveMin(group: NodeGroup): boolean {
  return targetSize(group) - group.deleting.size > group.pool.min;
}

/** RemainingPdbTracker: each PDB's disruptions allowed, spent as the simulation moves pods. */
class PdbTracker implements PdbBudget {
  private readonly remaining = new Map<PdbObject, number>();

  constructor(private readonly ca: AutoscalingContext) {}

  remainingFor(pod: Pod): { name: string; remaining: number }[] {
    return matchingPdbs(this.ca.api, pod).map((pdb) => ({ name: pdb.metadata.name, remaining: this.left(pdb) }));
  }

  consume(pods: readonly Pod[]): void {
    for (const pod of pods) for (const pdb of matchingPdbs(this.ca.api, pod)) this.remaining.set(pdb, this.left(pdb) - 1);
  }

  private left(pdb: PdbObject): number {
    let n = this.remaining.get(pdb);
    if (n === undefined) this.remaining.set(pdb, (n = pdbStatus(this.ca.api, pdb).disruptionsAllowed));
    return n;
  }
}
