// Exact time integrals of the cluster's totals: updated at every change, not at samples, so
// node-hours, cost, utilization and pending pod-seconds are exact whatever sampleEvery is.
//
// Cost: a node costs its price for every millisecond from creation to removal, provisioning
// included. That cost is allocated to workloads by OpenCost's model, in hourly windows
// (cost/allocationWindows.ts), fed from here as pods bind to nodes and leave them.
import type { ClusterListener } from '../api/apiServer.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { CostAllocation, addCost, type UsageSource } from './allocationWindows.ts';

export interface NodeAccount {
  node: Node;
  /** Ready time and ∫requested dt over it, for nodes.csv means. */
  readyMs: number;
  cpuRequestedMilliMs: number;
  memoryRequestedByteMs: number;
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  countedReady: boolean;
  lastMs: number;
  /** The prices it is integrated at (copied, so a change integrates the old ones first). */
  usdPerHour: number;
  listUsdPerHour: number;
  contractedUsdPerHour: number;
  /** Its price has changed since creation: its cost is the integrals below, not price x life. */
  priceChanged: boolean;
  costUsd: number;
  listUsd: number;
  contractedUsd: number;
  priceLastMs: number;
}

export class Accounting implements ClusterListener {
  // Current totals.
  liveNodes = 0;
  readyNodes = 0;
  costUsdPerHour = 0;
  cpuAllocatableMilli = 0;
  memoryAllocatableBytes = 0;
  cpuRequestedMilli = 0;
  memoryRequestedBytes = 0;
  pending = 0;
  maxPending = 0;
  running = 0;
  // Integrals up to lastMs.
  nodeMs = 0;
  /** What the nodes cost (after every discount), at list prices, after negotiated discounts. */
  costUsd = 0;
  listUsd = 0;
  contractedUsd = 0;
  listUsdPerHour = 0;
  contractedUsdPerHour = 0;
  cpuAllocatableMilliMs = 0;
  memoryAllocatableByteMs = 0;
  cpuRequestedMilliMs = 0;
  memoryRequestedByteMs = 0;
  pendingPodMs = 0;
  minNodes = Infinity;
  maxNodes = 0;
  /** Node cost allocated to workloads (OpenCost), in all, by namespace and by workload. */
  readonly allocation: CostAllocation;
  /** Node cost by pool, instance type and capacity type (added when a node goes or at the end). */
  readonly costByPool = new Map<string, number>();
  readonly costByInstanceType = new Map<string, number>();
  readonly costByCapacityType = new Map<string, number>();
  readonly nodeAccounts: NodeAccount[] = [];
  private lastMs = 0;

  constructor(private readonly now: () => number) {
    this.allocation = new CostAllocation(now);
  }

  /** Allocates by usage as well as requests from now on (before any pod is bound), settling a
   *  window every hour until the end of the run; without it, usage counts as zero. */
  allocateWith(usage: UsageSource, sim: Simulation, durationMs: number, startEpochMs = 0): void {
    this.allocation.allocateWith(usage, sim, durationMs, startEpochMs);
  }

  /** Brings every integral up to now; call before any total changes. */
  integrate(): void {
    const now = this.now();
    const dt = now - this.lastMs;
    if (dt <= 0) return;
    // Extremes count only states that lasted: a burst of creations at one instant is not a peak.
    this.minNodes = Math.min(this.minNodes, this.liveNodes);
    this.maxNodes = Math.max(this.maxNodes, this.liveNodes);
    this.maxPending = Math.max(this.maxPending, this.pending);
    this.nodeMs += this.liveNodes * dt;
    this.costUsd += (this.costUsdPerHour * dt) / 3_600_000;
    this.listUsd += (this.listUsdPerHour * dt) / 3_600_000;
    this.contractedUsd += (this.contractedUsdPerHour * dt) / 3_600_000;
    this.cpuAllocatableMilliMs += this.cpuAllocatableMilli * dt;
    this.memoryAllocatableByteMs += this.memoryAllocatableBytes * dt;
    this.cpuRequestedMilliMs += this.cpuRequestedMilli * dt;
    this.memoryRequestedByteMs += this.memoryRequestedBytes * dt;
    this.pendingPodMs += this.pending * dt;
    this.lastMs = now;
  }

  nodeAdded(node: Node): void {
    this.integrate();
    this.liveNodes++;
    const listUsdPerHour = node.listPriceUsdPerHour ?? node.priceUsdPerHour;
    const contractedUsdPerHour = node.contractedPriceUsdPerHour ?? node.priceUsdPerHour;
    this.costUsdPerHour += node.priceUsdPerHour;
    this.listUsdPerHour += listUsdPerHour;
    this.contractedUsdPerHour += contractedUsdPerHour;
    this.nodeAccounts[node.index] = {
      node,
      readyMs: 0,
      cpuRequestedMilliMs: 0,
      memoryRequestedByteMs: 0,
      cpuRequestedMilli: 0,
      memoryRequestedBytes: 0,
      countedReady: false,
      lastMs: this.now(),
      usdPerHour: node.priceUsdPerHour,
      listUsdPerHour,
      contractedUsdPerHour,
      priceChanged: false,
      costUsd: 0,
      listUsd: 0,
      contractedUsd: 0,
      priceLastMs: this.now(),
    };
    this.allocation.nodeAdded(node);
  }

  nodeUpdated(node: Node): void {
    const account = this.nodeAccounts[node.index];
    const ready = node.state === 'Ready';
    if (account.countedReady === ready) return;
    this.integrate();
    this.integrateNode(account);
    const sign = ready ? 1 : -1;
    this.readyNodes += sign;
    this.cpuAllocatableMilli += sign * node.allocatable.cpuMilli;
    this.memoryAllocatableBytes += sign * node.allocatable.memoryBytes;
    account.countedReady = ready;
  }

  nodeRemoved(node: Node): void {
    this.nodeUpdated(node);
    this.integrate();
    const account = this.nodeAccounts[node.index];
    this.integratePrice(account);
    this.liveNodes--;
    this.costUsdPerHour -= account.usdPerHour;
    this.listUsdPerHour -= account.listUsdPerHour;
    this.contractedUsdPerHour -= account.contractedUsdPerHour;
    this.addNodeCost(node, this.now());
  }

  nodePriceChanged(node: Node): void {
    this.integrate();
    const account = this.nodeAccounts[node.index];
    this.integratePrice(account);
    const listUsdPerHour = node.listPriceUsdPerHour ?? node.priceUsdPerHour;
    const contractedUsdPerHour = node.contractedPriceUsdPerHour ?? node.priceUsdPerHour;
    this.costUsdPerHour += node.priceUsdPerHour - account.usdPerHour;
    this.listUsdPerHour += listUsdPerHour - account.listUsdPerHour;
    this.contractedUsdPerHour += contractedUsdPerHour - account.contractedUsdPerHour;
    account.usdPerHour = node.priceUsdPerHour;
    account.listUsdPerHour = listUsdPerHour;
    account.contractedUsdPerHour = contractedUsdPerHour;
    account.priceChanged = true;
    this.allocation.nodePriceChanged(node);
  }

  podCreated(pod: Pod): void {
    if (pod.node) return;
    this.integrate();
    this.pending++;
  }

  podBound(pod: Pod): void {
    this.integrate();
    this.pending--;
    this.holdRequests(pod, 1);
  }

  podStarted(): void {
    this.running++;
  }

  podTerminating(pod: Pod): void {
    if (pod.startedMs >= 0 && pod.phase === 'Running') this.running--;
  }

  podFinished(pod: Pod): void {
    this.integrate();
    if (pod.deletionMs < 0 && pod.startedMs >= 0) this.running--;
    if (!pod.node) return;
    this.holdRequests(pod, -1);
  }

  podRemoved(pod: Pod): void {
    this.integrate();
    if (!pod.node) {
      this.pending--;
      return;
    }
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return; // released when it finished
    this.holdRequests(pod, -1);
  }

  /** At the end of the run: settle the last allocation window and add up the live nodes. */
  finish(): void {
    this.integrate();
    if (this.minNodes === Infinity) {
      // A run of zero duration: the state at its only instant is all there is.
      this.minNodes = this.maxNodes = this.liveNodes;
      this.maxPending = this.pending;
    }
    const now = this.now();
    for (const account of this.nodeAccounts) if (account) this.integrateNode(account);
    this.allocation.finish();
    for (const account of this.nodeAccounts) if (account && account.node.state !== 'Removed') this.addNodeCost(account.node, now);
  }

  /** What a node cost over its life (up to `endMs` if it is still there). */
  nodeCostUsd(node: Node, endMs: number): number {
    const until = node.removedMs >= 0 ? node.removedMs : endMs;
    const account = this.nodeAccounts[node.index];
    if (!account?.priceChanged) return (node.priceUsdPerHour * (until - node.createdMs)) / 3_600_000;
    return account.costUsd + (account.usdPerHour * (until - account.priceLastMs)) / 3_600_000;
  }

  /** Brings a node's price integrals up to now (only a node whose price changes needs them). */
  private integratePrice(account: NodeAccount): void {
    const now = this.now();
    const dt = now - account.priceLastMs;
    if (dt <= 0) return;
    account.costUsd += (account.usdPerHour * dt) / 3_600_000;
    account.listUsd += (account.listUsdPerHour * dt) / 3_600_000;
    account.contractedUsd += (account.contractedUsdPerHour * dt) / 3_600_000;
    account.priceLastMs = now;
  }

  private addNodeCost(node: Node, endMs: number): void {
    const cost = this.nodeCostUsd(node, endMs);
    addCost(this.costByPool, node.pool ?? '(manifest nodes)', cost);
    addCost(this.costByInstanceType, node.instanceType ?? '(none)', cost);
    addCost(this.costByCapacityType, node.capacityType, cost);
  }

  private holdRequests(pod: Pod, sign: 1 | -1): void {
    this.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    this.memoryRequestedBytes += sign * pod.requests.memoryBytes;
    const account = this.nodeAccounts[pod.node!.index];
    this.integrateNode(account);
    account.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    account.memoryRequestedBytes += sign * pod.requests.memoryBytes;
    this.allocation.holdRequests(pod, sign);
  }

  private integrateNode(account: NodeAccount): void {
    const now = this.now();
    const dt = now - account.lastMs;
    if (dt > 0 && account.countedReady) {
      account.readyMs += dt;
      account.cpuRequestedMilliMs += account.cpuRequestedMilli * dt;
      account.memoryRequestedByteMs += account.memoryRequestedBytes * dt;
    }
    account.lastMs = now;
  }
}
