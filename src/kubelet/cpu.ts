// CPU on a node (reference §5.5): a container never gets more than its limit (CFS quota), and
// when the containers on a node want more than the node has, CPU is shared in proportion to
// cpu.shares derived from requests (BestEffort and request-less containers get the minimum, 2).
// Sharing is work-conserving: what one class does not use goes to the others by weight.
import type { ContainerModel } from '../workload/usage.ts';
import { cpuWant } from '../workload/usage.ts';

/** cpu.shares for a request (MilliCPUToShares). */
export function cpuShares(requestMilli: number): number {
  if (requestMilli <= 0) return 2;
  return Math.max(2, Math.min(262144, Math.trunc((requestMilli * 1024) / 1000)));
}

/** What a container wanting `wantMilli` gets under its CFS quota (its limit; Infinity: none):
 *  the rest is throttled. */
export function cfsQuota(wantMilli: number, limitMilli: number): number {
  return wantMilli < limitMilli ? wantMilli : limitMilli;
}

/** A set of identical containers on one node: `count` of them, each wanting `wantMilli`
 *  (already capped at its limit) with weight `shares`. */
export interface CpuClass {
  count: number;
  wantMilli: number;
  shares: number;
  /** Output: what each container of the class gets. */
  gotMilli: number;
}

/** Weighted max-min fair sharing (water-filling) of `capacityMilli` among the classes. Allocates
 *  nothing unless the node is contended. */
export function shareCpu(classes: readonly CpuClass[], capacityMilli: number): void {
  let totalWant = 0;
  for (let i = 0; i < classes.length; i++) totalWant += classes[i].count * classes[i].wantMilli;
  if (totalWant <= capacityMilli) {
    for (let i = 0; i < classes.length; i++) classes[i].gotMilli = classes[i].wantMilli;
    return;
  }
  // Classes satisfied first are those wanting least per unit of weight.
  const order = classes.filter((c) => c.count > 0).sort((a, b) => a.wantMilli / a.shares - b.wantMilli / b.shares);
  let left = capacityMilli;
  let weight = 0;
  for (const c of order) weight += c.count * c.shares;
  for (const c of order) {
    const fair = (left * c.shares) / weight;
    c.gotMilli = Math.min(c.wantMilli, fair);
    left -= c.count * c.gotMilli;
    weight -= c.count * c.shares;
  }
  for (const c of classes) if (c.count === 0) c.gotMilli = Math.min(c.wantMilli, 0);
}

/** Identical pods on one node as CPU sharing sees them: per container, what a Ready pod (at its
 *  load) and an idle one want, their classes (reused at every sharing, so nothing is allocated),
 *  and where what each gets is written. */
export interface CpuSharingGroup {
  readonly models: readonly ContainerModel[];
  /** Ready pods, and per container the idle pods whose container runs. */
  readonly ready: number;
  readonly idleRunning: readonly number[];
  /** Each Ready pod's load (units/s). */
  readonly load: number;
  readonly readyCls: readonly CpuClass[];
  readonly idleCls: readonly CpuClass[];
  readonly readyGot: number[];
  readonly idleGot: number[];
}

/** Water-filling on a contended node: every group's per-pod CPU, through the `classes` scratch. */
export function shareNodeCpu(groups: Iterable<CpuSharingGroup>, classes: CpuClass[], capacityMilli: number): void {
  classes.length = 0;
  for (const g of groups) {
    for (let c = 0; c < g.models.length; c++) {
      const m = g.models[c];
      const ready = g.readyCls[c];
      ready.count = g.ready;
      ready.wantMilli = Math.min(cpuWant(m, g.load), m.cpuLimitMilli);
      const idle = g.idleCls[c];
      idle.count = g.idleRunning[c];
      idle.wantMilli = Math.min(cpuWant(m, 0), m.cpuLimitMilli);
      classes.push(ready, idle);
    }
  }
  shareCpu(classes, capacityMilli);
  for (const g of groups) {
    for (let c = 0; c < g.models.length; c++) {
      g.readyGot[c] = g.readyCls[c].gotMilli;
      g.idleGot[c] = g.idleCls[c].gotMilli;
    }
  }
}
