// OpenCost's allocation of node cost over time: each workload on each node is charged
// max(∫request, ∫usage) of CPU and of memory over a window, at that node's rates
// (allocation.ts); what is not charged is idle. Idle is total minus allocated, per resource as in
// OpenCost (opencost/opencost@pkg/kubecost/allocation.go, ComputeIdleAllocations: asset cost
// minus allocation cost, not clamped), so it goes negative when pods bursting above their
// requests are charged more of a node than the pods' requests left free.
//
// The window is a UTC clock hour (a charge period, chargePeriod.ts), settled at each hour and at
// the end; each settled node-hour goes to the listeners (carbon, FOCUS). OpenCost
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
import { allocatedCostUsd, nodeRates, nodeRatesOf } from './allocation.ts';
import { CHARGE_PERIOD_MS, nextPeriodBoundaryMs, type ChargeListener, type NodeCharge, type WorkloadCharge } from './chargePeriod.ts';

/** The allocation window: one UTC clock hour (the first and last clipped to the run). */
export const ALLOCATION_WINDOW_MS = CHARGE_PERIOD_MS;

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
  /** At its current price; the window in which the price changed uses the window's mean. */
  rates: NodeRates;
  /** The prices integrated over the current window since priceLastMs (copied from the node). */
  usdPerHour: number;
  listUsdPerHour: number;
  contractedUsdPerHour: number;
  priceLastMs: number;
  /** ∫ price dt over the current window so far, in USD-ms per hour (divide by 3.6e6 for USD). */
  windowUsdMs: number;
  windowListUsdMs: number;
  windowContractedUsdMs: number;
  /** The price changed during the current window. */
  priceChangedInWindow: boolean;
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
  private readonly listeners: ChargeListener[] = [];
  /** Start of the current charge period (a clock hour), in simulated ms. */
  private periodStartMs = 0;
  private periodEndMs = CHARGE_PERIOD_MS;

  constructor(private readonly now: () => number) {}

  /** Tells `listener` of every node-hour settled from now on. */
  addListener(listener: ChargeListener): void {
    this.listeners.push(listener);
  }

  /** Allocates by usage as well as requests from now on (before any pod is bound), settling a
   *  window every hour until the end of the run; without it, usage counts as zero. */
  allocateWith(usage: UsageSource, sim: Simulation, durationMs: number, startEpochMs = 0): void {
    this.usage = usage;
    const first = nextPeriodBoundaryMs(startEpochMs, 0);
    this.periodStartMs = first - CHARGE_PERIOD_MS;
    this.periodEndMs = first;
    const tick = () => {
      this.settleWindow();
      if (sim.nowMs + ALLOCATION_WINDOW_MS < durationMs) sim.after(ALLOCATION_WINDOW_MS, Phase.Sample, tick);
    };
    if (first < durationMs) sim.schedule(first, Phase.Sample, tick);
  }

  nodeAdded(node: Node): void {
    const now = this.now();
    this.nodes[node.index] = {
      node, rates: nodeRatesOf(node), workloads: new Map(), closed: false,
      usdPerHour: node.priceUsdPerHour, listUsdPerHour: node.listPriceUsdPerHour ?? node.priceUsdPerHour, contractedUsdPerHour: node.contractedPriceUsdPerHour ?? node.priceUsdPerHour,
      priceLastMs: now, windowUsdMs: 0, windowListUsdMs: 0, windowContractedUsdMs: 0, priceChangedInWindow: false,
    };
  }

  /** The node's price changed: what it cost so far in this window is kept at the old price. */
  nodePriceChanged(node: Node): void {
    const charges = this.nodes[node.index];
    integratePrice(charges, this.now());
    charges.usdPerHour = node.priceUsdPerHour;
    charges.listUsdPerHour = node.listPriceUsdPerHour ?? node.priceUsdPerHour;
    charges.contractedUsdPerHour = node.contractedPriceUsdPerHour ?? node.priceUsdPerHour;
    charges.priceChangedInWindow = true;
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
    for (const l of this.listeners) l.finish?.();
  }

  /** Ends the current window: every workload on every node is charged max(∫request, ∫usage) of
   *  each resource since the window began, at that node's rates. A workload that has left a node
   *  is then forgotten there, so a window costs only what is on the nodes. Each node's hour goes
   *  to the listeners. */
  settleWindow(): void {
    const now = this.now();
    const report = this.listeners.length > 0;
    for (const charges of this.nodes) {
      if (!charges || charges.closed) continue;
      const node = charges.node;
      integratePrice(charges, now);
      const aliveFromMs = Math.max(this.periodStartMs, node.createdMs);
      const aliveMs = Math.max(0, (node.removedMs >= 0 ? Math.min(node.removedMs, now) : now) - aliveFromMs);
      // A price that changed in the window: its workloads are charged at the window's mean price.
      const rates = charges.priceChangedInWindow && aliveMs > 0 ? windowRates(charges, aliveMs) : charges.rates;
      const workloads: WorkloadCharge[] | null = report ? [] : null;
      let allocatedUsd = 0;
      let cpuUsed = 0, memoryUsed = 0, cpuRequested = 0, memoryRequested = 0;
      for (const w of charges.workloads.values()) {
        this.integrateRequests(w, now);
        const used = w.usage ? this.usage!.usageUpToNow(w.usage) : null;
        const cpuUsedMilliMs = used ? used.cpuUsedMilliMs : 0;
        const memoryUsedByteMs = used ? used.memoryByteMs : 0;
        const cpuUsedInWindow = cpuUsedMilliMs - w.cpuUsedMilliMsBefore;
        const memoryUsedInWindow = memoryUsedByteMs - w.memoryUsedByteMsBefore;
        const cost = allocatedCostUsd(rates, w.cpuRequestedMilliMs, cpuUsedInWindow, w.memoryRequestedByteMs, memoryUsedInWindow);
        w.usd += cost;
        this.allocatedUsd += cost;
        if (workloads) {
          workloads.push({
            ref: w.ref, namespace: w.namespace, usd: cost,
            cpuRequestedMilliMs: w.cpuRequestedMilliMs, cpuUsedMilliMs: cpuUsedInWindow,
            memoryRequestedByteMs: w.memoryRequestedByteMs, memoryUsedByteMs: memoryUsedInWindow,
          });
          allocatedUsd += cost;
          cpuUsed += cpuUsedInWindow;
          memoryUsed += memoryUsedInWindow;
          cpuRequested += w.cpuRequestedMilliMs;
          memoryRequested += w.memoryRequestedByteMs;
        }
        w.cpuRequestedMilliMs = w.memoryRequestedByteMs = 0;
        w.cpuUsedMilliMsBefore = cpuUsedMilliMs;
        w.memoryUsedByteMsBefore = memoryUsedByteMs;
        if (w.pods === 0 && (this.usage?.closeUsage(node, w.ref) ?? true)) this.close(charges, w);
      }
      if (workloads && (aliveMs > 0 || workloads.length > 0)) {
        const charge: NodeCharge = {
          node, periodStartMs: this.periodStartMs, periodEndMs: this.periodEndMs, aliveMs,
          listUsd: charges.windowListUsdMs / MS_PER_HOUR, contractedUsd: charges.windowContractedUsdMs / MS_PER_HOUR, effectiveUsd: charges.windowUsdMs / MS_PER_HOUR,
          cpuUsedMilliMs: cpuUsed, memoryUsedByteMs: memoryUsed, cpuRequestedMilliMs: cpuRequested, memoryRequestedByteMs: memoryRequested,
          rates, workloads, allocatedUsd,
        };
        for (const l of this.listeners) l.nodeCharge(charge);
      }
      charges.windowUsdMs = charges.windowListUsdMs = charges.windowContractedUsdMs = 0;
      if (charges.priceChangedInWindow) {
        charges.priceChangedInWindow = false;
        charges.rates = nodeRatesOf(node);
      }
      if (node.state === 'Removed') {
        for (const w of charges.workloads.values()) this.close(charges, w);
        charges.closed = true;
      }
    }
    this.periodStartMs = this.periodEndMs;
    this.periodEndMs += CHARGE_PERIOD_MS;
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

const MS_PER_HOUR = 3_600_000;

/** Brings a node's window price integrals up to `now` (never past its removal). */
function integratePrice(charges: NodeCharges, now: number): void {
  const node = charges.node;
  const until = node.removedMs >= 0 ? Math.min(node.removedMs, now) : now;
  const dt = until - charges.priceLastMs;
  if (dt <= 0) return;
  charges.windowUsdMs += charges.usdPerHour * dt;
  charges.windowListUsdMs += charges.listUsdPerHour * dt;
  charges.windowContractedUsdMs += charges.contractedUsdPerHour * dt;
  charges.priceLastMs = until;
}

/** The rates of the window's mean price: a node whose price changed mid-hour is charged to its
 *  workloads at what the hour cost it, as OpenCost prices a window at the asset's cost over it. */
function windowRates(charges: NodeCharges, aliveMs: number): NodeRates {
  const { node } = charges;
  const cpuMilli = node.capacity.cpuMilli > 0 ? node.capacity.cpuMilli : node.allocatable.cpuMilli;
  const memoryBytes = node.capacity.memoryBytes > 0 ? node.capacity.memoryBytes : node.allocatable.memoryBytes;
  return nodeRates(charges.windowUsdMs / aliveMs, cpuMilli, memoryBytes);
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
