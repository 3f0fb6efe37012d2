// Exact time integrals of the cluster's totals: updated at every change, not at samples, so
// node-hours, cost, utilization and pending pod-seconds are exact whatever sampleEvery is.
//
// Cost: a node costs its price for every millisecond from creation to removal, provisioning
// included. It is allocated by OpenCost's rule (src/cost/allocation.ts): each workload on each
// node is charged max(∫request, ∫usage) of CPU and of memory over a window, at that node's rates;
// what is not charged is idle. Idle is total minus allocated, per resource as in OpenCost
// (opencost/opencost@pkg/kubecost/allocation.go, ComputeIdleAllocations: asset cost minus
// allocation cost, not clamped), so it goes negative when pods bursting above their requests
// are charged more of a node than the pods' requests left free.
//
// The window is one hour from the start of the run, settled at each hour and at the end. OpenCost
// takes max(request, usage) at each scrape and averages over the query window, then raises it to
// the request average (see allocation.ts); capsim keeps exact integrals instead of scrapes and
// takes the max per hour per workload and node, so a burst is charged in the hour it happens and
// an idle hour does not pay for a busy one; the hour is the unit OpenCost prices in
// (CPUCoreHours, RAMByteHours). Usage is the kubelet's (the usage engine's) per workload per node,
// not per container: replicas of one workload on one node are one line, like a Deployment row of
// OpenCost aggregated by node.
import type { ClusterListener } from '../api/apiServer.ts';
import type { UsageAccount, UsageIntegral } from '../metrics/metricsApi.ts';
import { Phase } from '../phases.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import type { NodeRates } from '../cost/allocation.ts';
import { allocatedCostUsd, nodeRatesOf } from '../cost/allocation.ts';

/** The allocation window: one hour, aligned to the start of the run. */
export const ALLOCATION_WINDOW_MS = 3_600_000;

/** What the accountant reads from the kubelet's side (the UsageEngine). */
export interface UsageSource {
  /** The workload (or bare-pod record) a pod's usage is kept under. */
  refOf(pod: Pod): string;
  /** Opens the account of a ref's usage on a node (when its first pod is bound there). */
  openUsage(node: Node, ref: string): UsageAccount;
  /** ∫ usage on the account up to now. */
  usageUpToNow(account: UsageAccount): Readonly<UsageIntegral>;
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
  usage: UsageAccount | null;
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  lastMs: number;
  cpuRequestedMilliMs: number;
  memoryRequestedByteMs: number;
  cpuUsedMilliMsBefore: number;
  memoryUsedByteMsBefore: number;
}

export interface NodeAccount {
  node: Node;
  rates: NodeRates;
  /** Ready time and ∫requested dt over it, for nodes.csv means. */
  readyMs: number;
  cpuRequestedMilliMs: number;
  memoryRequestedByteMs: number;
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  countedReady: boolean;
  lastMs: number;
  /** Workloads holding requests or running here (or until the window they left is settled). */
  workloads: Map<string, WorkloadOnNode>;
  /** Removed and settled: nothing more to allocate. */
  closed: boolean;
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
  costUsd = 0;
  cpuAllocatableMilliMs = 0;
  memoryAllocatableByteMs = 0;
  cpuRequestedMilliMs = 0;
  memoryRequestedByteMs = 0;
  pendingPodMs = 0;
  minNodes = Infinity;
  maxNodes = 0;
  /** Node cost allocated to workloads, in all, by namespace and by workload ref. */
  allocatedUsd = 0;
  readonly costByNamespace = new Map<string, number>();
  readonly costByWorkload = new Map<string, number>();
  /** Node cost by pool, instance type and capacity type (added when a node goes or at the end). */
  readonly costByPool = new Map<string, number>();
  readonly costByInstanceType = new Map<string, number>();
  readonly costByCapacityType = new Map<string, number>();
  readonly nodeAccounts: NodeAccount[] = [];
  private lastMs = 0;
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
    this.costUsdPerHour += node.priceUsdPerHour;
    this.nodeAccounts[node.index] = {
      node,
      rates: nodeRatesOf(node),
      readyMs: 0,
      cpuRequestedMilliMs: 0,
      memoryRequestedByteMs: 0,
      cpuRequestedMilli: 0,
      memoryRequestedBytes: 0,
      countedReady: false,
      lastMs: this.now(),
      workloads: new Map(),
      closed: false,
    };
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
    this.liveNodes--;
    this.costUsdPerHour -= node.priceUsdPerHour;
    this.addNodeCost(node, this.now());
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

  /** At the end of the run: settle the last window and add up the live nodes. */
  finish(): void {
    this.integrate();
    if (this.minNodes === Infinity) {
      // A run of zero duration: the state at its only instant is all there is.
      this.minNodes = this.maxNodes = this.liveNodes;
      this.maxPending = this.pending;
    }
    const now = this.now();
    for (const account of this.nodeAccounts) if (account) this.integrateNode(account);
    this.settleWindow();
    for (const account of this.nodeAccounts) if (account) for (const w of account.workloads.values()) this.close(account, w);
    for (const account of this.nodeAccounts) if (account && account.node.state !== 'Removed') this.addNodeCost(account.node, now);
  }

  /** Ends the current window: every workload on every node is charged max(∫request, ∫usage) of
   *  each resource since the window began, at that node's rates. A workload that has left a node
   *  is then forgotten there, so a window costs only what is on the nodes. */
  settleWindow(): void {
    const now = this.now();
    for (const account of this.nodeAccounts) {
      if (!account || account.closed) continue;
      const node = account.node;
      for (const w of account.workloads.values()) {
        this.integrateRequests(w, now);
        const used = w.usage ? this.usage!.usageUpToNow(w.usage) : null;
        const cpuUsedMilliMs = used ? used.cpuUsedMilliMs : 0;
        const memoryUsedByteMs = used ? used.memoryByteMs : 0;
        const cost = allocatedCostUsd(
          account.rates,
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
        if (w.pods === 0 && (this.usage?.closeUsage(node, w.ref) ?? true)) this.close(account, w);
      }
      if (node.state === 'Removed') {
        for (const w of account.workloads.values()) this.close(account, w);
        account.closed = true;
      }
    }
  }

  /** Adds a workload-on-node's charges to the namespace and workload totals and forgets it. */
  private close(account: NodeAccount, w: WorkloadOnNode): void {
    addTo(this.costByNamespace, w.namespace, w.usd);
    addTo(this.costByWorkload, w.ref, w.usd);
    account.workloads.delete(w.ref);
  }

  nodeCostUsd(node: Node, endMs: number): number {
    const until = node.removedMs >= 0 ? node.removedMs : endMs;
    return (node.priceUsdPerHour * (until - node.createdMs)) / 3_600_000;
  }

  private addNodeCost(node: Node, endMs: number): void {
    const cost = this.nodeCostUsd(node, endMs);
    addTo(this.costByPool, node.pool ?? '(manifest nodes)', cost);
    addTo(this.costByInstanceType, node.instanceType ?? '(none)', cost);
    addTo(this.costByCapacityType, node.capacityType, cost);
  }

  private holdRequests(pod: Pod, sign: 1 | -1): void {
    this.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    this.memoryRequestedBytes += sign * pod.requests.memoryBytes;
    const account = this.nodeAccounts[pod.node!.index];
    this.integrateNode(account);
    account.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    account.memoryRequestedBytes += sign * pod.requests.memoryBytes;
    const ref = this.usage ? this.usage.refOf(pod) : (pod.workload ?? `Pod/${pod.namespace}/${pod.name}`);
    const w = this.workloadOn(account, ref, pod.namespace);
    this.integrateRequests(w, this.now());
    w.pods += sign;
    w.cpuRequestedMilli += sign * pod.requests.cpuMilli;
    w.memoryRequestedBytes += sign * pod.requests.memoryBytes;
  }

  private workloadOn(account: NodeAccount, ref: string, namespace: string): WorkloadOnNode {
    let w = account.workloads.get(ref);
    if (!w) {
      w = {
        ref, namespace, usd: 0, pods: 0, usage: this.usage ? this.usage.openUsage(account.node, ref) : null, cpuRequestedMilli: 0, memoryRequestedBytes: 0, lastMs: this.now(),
        cpuRequestedMilliMs: 0, memoryRequestedByteMs: 0, cpuUsedMilliMsBefore: 0, memoryUsedByteMsBefore: 0,
      };
      account.workloads.set(ref, w);
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

function addTo(map: Map<string, number>, key: string, usd: number): void {
  map.set(key, (map.get(key) ?? 0) + usd);
}
