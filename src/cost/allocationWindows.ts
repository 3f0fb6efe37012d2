// OpenCost's allocation of node cost over time: each workload on each node is charged
// max(∫request, ∫usage) of CPU and of memory over a window, at that node's rates
// (allocation.ts); what is not charged is idle. Idle is total minus allocated, per resource as in
// OpenCost (opencost/opencost@pkg/kubecost/allocation.go, ComputeIdleAllocations: asset cost
// minus allocation cost, not clamped), so it goes negative when pods bursting above their
// requests are charged more of a node than the pods' requests left free.
//
// The window is one hour from the start of the run, settled at each hour and at the end. OpenCost
// takes max(request, usage) at each scrape and averages over the query window, then raises it to
// the request average (see allocation.ts); capsim keeps exact integrals instead of scrapes and
// takes the max per hour per workload and node, so a burst is charged in the hour it happens and
// an idle hour does not pay for a busy one; the hour is the unit OpenCost prices in
// (CPUCoreHours, RAMByteHours). Usage is the kubelet's (the usage engine's) per workload per node,
// not per container: replicas of one workload on one node are one line, like a Deployment row of
// OpenCost aggregated by node.
import { Phase } from '../phases.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import type { NodeRates } from './allocation.ts';
import { allocatedCostUsd, nodeRatesOf } from './allocation.ts';

/** The allocation window: one hour, aligned to the start of the run. */
export const ALLOCATION_WINDOW_MS = 3_600_000;

/** What the allocation reads of usage (the metrics API's usage accounts, kept by the kubelets).
 *  `Account` is its handle on one workload's usage on one node. */
export interface UsageSource<Account = unknown> {
  /** The workload (or bare-pod record) a pod's usage is kept under. */
  refOf(pod: Pod): string;
  /** Opens the account of a ref's usage on a node (when its first pod is bound there). */
  openUsage(node: Node, ref: string): Account;
  /** ∫ usage on the account up to now: CPU in millicore-ms, memory in byte-ms. */
  usageUpToNow(account: Account): Readonly<{ cpuUsedMilliMs: number; memoryByteMs: number }>;
  /** Closes the account if none of the ref's pods run on the node (false if some do). */
  closeUsage(node: Node, ref: string): boolean;
}

/** One workload on one node: its requests now, their integral over the current window since
 *  lastMs, its usage integral when the window began, and what it has been charged. */
interface WorkloadOnNode {
  ref: string;
  namespace: string;
  usd: number;
  /** Pods of it bound here and holding resources. */
  pods: number;
  /** Its usage, as the kubelet's side sums it (null without a usage source). */
  usage: unknown;
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  lastMs: number;
  cpuRequestedMilliMs: number;
  memoryRequestedByteMs: number;
  cpuUsedMilliMsBefore: number;
  memoryUsedByteMsBefore: number;
}

/** A node's rates and the workloads charged on it. */
interface NodeCharges {
  node: Node;
  rates: NodeRates;
  /** Workloads holding requests or running here (or until the window they left is settled). */
  workloads: Map<string, WorkloadOnNode>;
  /** Removed and settled: nothing more to allocate. */
  closed: boolean;
}

export class CostAllocation {
  /** Node cost allocated to workloads, in all, by namespace and by workload ref. */
  allocatedUsd = 0;
  readonly costByNamespace = new Map<string, number>();
  readonly costByWorkload = new Map<string, number>();
  /** By node index. */
  private readonly nodes: NodeCharges[] = [];
  private usage: UsageSource | null = null;

  constructor(private readonly now: () => number) {}

  /** Allocates by usage as well as requests from now on (before any pod is bound), settling a
   *  window every hour until the end of the run; without it, usage counts as zero. */
  allocateWith(usage: UsageSource, sim: Simulation, durationMs: number): void {
    this.usage = usage;
    const tick = () => {
      this.settleWindow();
      if (sim.nowMs + ALLOCATION_WINDOW_MS < durationMs) sim.after(ALLOCATION_WINDOW_MS, Phase.Sample, tick);
    };
    if (ALLOCATION_WINDOW_MS < durationMs) sim.schedule(ALLOCATION_WINDOW_MS, Phase.Sample, tick);
  }

  nodeAdded(node: Node): void {
    this.nodes[node.index] = { node, rates: nodeRatesOf(node), workloads: new Map(), closed: false };
  }

  /** A pod bound to its node starts (+1) or stops (-1) holding its requests there. */
  holdRequests(pod: Pod, sign: 1 | -1): void {
    const charges = this.nodes[pod.node!.index];
    const ref = this.usage ? this.usage.refOf(pod) : (pod.workload ?? `Pod/${pod.namespace}/${pod.name}`);
    const w = this.workloadOn(charges, ref, pod.namespace);
    this.integrateRequests(w, this.now());
    w.pods += sign;
    w.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    w.memoryRequestedBytes += sign * pod.requests.memoryBytes;
  }

  /** At the end of the run: settles the last window and charges every workload still on a node. */
  finish(): void {
    this.settleWindow();
    for (const charges of this.nodes) if (charges) for (const w of charges.workloads.values()) this.close(charges, w);
  }

  /** Ends the current window: every workload on every node is charged max(∫request, ∫usage) of
   *  each resource since the window began, at that node's rates. A workload that has left a node
   *  is then forgotten there, so a window costs only what is on the nodes. */
  settleWindow(): void {
    const now = this.now();
    for (const charges of this.nodes) {
      if (!charges || charges.closed) continue;
      const node = charges.node;
      for (const w of charges.workloads.values()) {
        this.integrateRequests(w, now);
        const used = w.usage ? this.usage!.usageUpToNow(w.usage) : null;
        const cpuUsedMilliMs = used ? used.cpuUsedMilliMs : 0;
        const memoryUsedByteMs = used ? used.memoryByteMs : 0;
        const cost = allocatedCostUsd(
          charges.rates,
          w.cpuRequestedMilliMs,
          cpuUsedMilliMs - w.cpuUsedMilliMsBefore,
          w.memoryRequestedByteMs,
          memoryUsedByteMs - w.memoryUsedByteMsBefore,
        );
        w.usd += cost;
        this.allocatedUsd += cost;
        w.cpuRequestedMilliMs = w.memoryRequestedByteMs = 0;
        w.cpuUsedMilliMsBefore = cpuUsedMilliMs;
        w.memoryUsedByteMsBefore = memoryUsedByteMs;
        if (w.pods === 0 && (this.usage?.closeUsage(node, w.ref) ?? true)) this.close(charges, w);
      }
      if (node.state === 'Removed') {
        for (const w of charges.workloads.values()) this.close(charges, w);
        charges.closed = true;
      }
    }
  }

  /** Adds a workload-on-node's charges to the namespace and workload totals and forgets it. */
  private close(charges: NodeCharges, w: WorkloadOnNode): void {
    addCost(this.costByNamespace, w.namespace, w.usd);
    addCost(this.costByWorkload, w.ref, w.usd);
    charges.workloads.delete(w.ref);
  }

  private workloadOn(charges: NodeCharges, ref: string, namespace: string): WorkloadOnNode {
    let w = charges.workloads.get(ref);
    if (!w) {
      w = {
        ref, namespace, usd: 0, pods: 0, usage: this.usage ? this.usage.openUsage(charges.node, ref) : null, cpuRequestedMilli: 0, memoryRequestedBytes: 0, lastMs: this.now(),
        cpuRequestedMilliMs: 0, memoryRequestedByteMs: 0, cpuUsedMilliMsBefore: 0, memoryUsedByteMsBefore: 0,
      };
      charges.workloads.set(ref, w);
    }
    return w;
  }

  private integrateRequests(w: WorkloadOnNode, now: number): void {
    const dt = now - w.lastMs;
    if (dt <= 0) return;
    w.cpuRequestedMilliMs += w.cpuRequestedMilli * dt;
    w.memoryRequestedByteMs += w.memoryRequestedBytes * dt;
    w.lastMs = now;
  }
}

/** OpenCost's idle cost: what the nodes cost that no workload was charged; negative when bursting
 *  workloads were charged more than the nodes' free requests. */
export function idleCostUsd(totalUsd: number, allocatedUsd: number): number {
  return totalUsd - allocatedUsd;
}

/** Adds money to one entry of a breakdown (by namespace, by pool, ...). */
export function addCost(map: Map<string, number>, key: string, usd: number): void {
  map.set(key, (map.get(key) ?? 0) + usd);
}
