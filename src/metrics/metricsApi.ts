// The metrics API: what the rest of capsim reads of the containers' usage. It stands for the
// kubelet's Summary API and cAdvisor (per pod, per container, per node, now), metrics-server's
// metrics.k8s.io (PodMetrics, NodeMetrics) and the Prometheus series a cost allocator or a VPA
// recommender would query (integrals, a workload's served demand, per-container history).
//
// Readers (the HPA's metrics client, the VPA recommender, the recorder, the cost accounting)
// see only these types; the kubelet's usage engine (src/kubelet/usageEngine.ts) implements them.
// Units are in the names: millicores, bytes, units/s of demand, and their integrals over
// milliseconds (millicore-ms, byte-ms, unit-ms).
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';

/** metrics.k8s.io: what metrics-server reports for a pod or a node now. */
export interface ResourceMetrics {
  /** CPU (millicores) or memory (bytes) of the pod's running containers, or of the one named.
   *  Null when the pod runs on no live node. */
  podUsage(pod: Pod, resource: 'cpu' | 'memory', container?: string): number | null;
  /** What the node's pods use now: podUsage summed over them. */
  nodeUsage(node: Node): { cpuMilli: number; memoryBytes: number };
}

/** metrics.k8s.io's PodMetricsList for a workload's pods, read a group of identical pods at a time:
 *  the Ready pods of one workload in one usage group (same node, same containers) report the same
 *  CPU, so a reader that sums per-pod readings (the HPA) does one step per group, touching no pod. */
export interface PodUsageGroups {
  /** Calls `visit(count, usage)` for groups of the workload's pods (`ref` as refOf names it) whose
   *  readings are equal: each of the `count` pods reads `usage`, exactly the double podUsage(pod,
   *  resource, container) gives. Every pod with a reading is counted once; pods without one
   *  (podUsage null) are not. The pods counted are pods the API has (the kubelet runs only those,
   *  and drops a pod when the API removes it or it finishes). Memory readings differ pod by pod
   *  (they grow from each container's start): memory comes one pod at a time. */
  podUsageGroups(ref: string, resource: 'cpu' | 'memory', container: string | undefined, visit: (count: number, usage: number) => void): void;
  /** Σ cpuMilli(podUsage(pod, 'cpu', container)) over the workload's pods with a reading, and how
   *  many they are: the readings podUsageGroups visits, rounded as metrics-server reports them and
   *  summed (exact integers, so in any order). The kubelet keeps the sum of the Ready pods' readings
   *  as their CPU changes, so the common case (every pod Ready, the whole pod) costs no walk. */
  podCpuSum(ref: string, container: string | undefined): Readonly<PodCpuSum>;
}

export interface PodCpuSum {
  pods: number;
  milli: number;
}

/** CPU as metrics-server reports it: Quantity.MilliValue() rounds up to a whole millicore. */
export function cpuMilli(usage: number): number {
  return Math.ceil(usage - 1e-9);
}

/** What the kubelet's stats showed at every sample instant (t = 0, stepMs, 2 stepMs, ..., each
 *  after everything that happened at that instant), for the VPA recommender, which upstream polls
 *  metrics-server once per `--recommender-interval` and gets one sample per container of every
 *  pod (recommender/input/cluster_feeder.go LoadRealTimeMetrics). Identical samples are kept
 *  together, so a month of minutes over thousands of pods is not thousands of millions of
 *  numbers: CPU as runs of instants with the same per-container values and counts; memory per
 *  pod as a range read (a Prometheus max_over_time), from the per-spec load memory and each
 *  pod's class and container start times. */
export interface UsageHistory {
  readonly stepMs: number;
  /** The last instant sampled so far (-1: none yet). */
  readonly lastSampleMs: number;
  /** The workload's CPU samples not taken yet, up to lastSampleMs (`run` is reused between calls). */
  takeCpu(ref: string, visit: (run: Readonly<CpuSampleRun>) => void): void;
  /** Of every workload, the samples of runs that ended (later instants saw other values): what a
   *  reader takes regularly so that nothing piles up. */
  takeEndedCpu(visit: (run: Readonly<CpuSampleRun>, ref: string) => void): void;
  /** The largest memory of the pod's container at the sample instants in [fromMs, toMs] at which
   *  it ran (metrics-server reports running containers only); null when it ran at none. */
  memoryPeak(pod: Pod, container: string, fromMs: number, toMs: number): MemoryPeak | null;
  /** The reader reads no instant before `ms` any more: what only they needed is forgotten. */
  discardBefore(ms: number): void;
}

/** `count` running containers named `container` used `cpuMilli` each at `instants` consecutive
 *  sample instants from `fromMs` (stepMs apart). */
export interface CpuSampleRun {
  readonly container: string;
  readonly fromMs: number;
  readonly instants: number;
  readonly cpuMilli: number;
  readonly count: number;
}

/** The largest memory sample of a container in a range, and its first and last sample instants. */
export interface MemoryPeak {
  readonly bytes: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** A workload's usage and served demand now, and their integrals since t = 0. */
export interface WorkloadUsage {
  /** Demand offered to the workload's Service (units/s), what its pods serve of it, and each
   *  Ready pod's share of it (the Service spreads demand evenly over its endpoints). */
  readonly demandRate: number;
  readonly servedRate: number;
  readonly load: number;
  /** CPU its containers get, want (before limits), and want above their limits (throttled). */
  readonly cpuUsedMilli: number;
  readonly cpuWantMilli: number;
  readonly cpuThrottledMilli: number;
  /** ∫ CPU wanted and ∫ CPU throttled since t = 0 (millicore-ms; up to the last change, or up to
   *  the end after finish()). */
  readonly cpuWantMilliMs: number;
  readonly cpuThrottledMilliMs: number;
  /** Memory of its containers at `tMs` (now or later until the next change: it grows linearly). */
  memoryAt(tMs: number): number;
  /** Containers of its pods OOM-killed since t = 0. */
  readonly oomKills: number;
  readonly demandUnitMs: number;
  readonly servedUnitMs: number;
  /** Changes whenever its pods' usage is recomputed: a reader caching what it derived from the
   *  usage (the HPA) can key on it, together with demandRate (which moves without pods). */
  readonly version: number;
}

export interface WorkloadMetrics {
  /** The workload's (or bare-pod record's, see refOf) usage; undefined until a pod of it ran. */
  workload(ref: string): WorkloadUsage | undefined;
}

/** ∫ CPU used (millicore-ms) and ∫ memory used (byte-ms). */
export interface UsageIntegral {
  cpuUsedMilliMs: number;
  memoryByteMs: number;
}

/** The cluster's usage now and since t = 0. */
export interface ClusterMetrics {
  totals(): { cpuUsedMilli: number; memoryUsedBytes: number };
  /** Up to the last change; finish() brings them up to now. */
  readonly cpuUsedMilliMs: number;
  readonly memoryUsedByteMs: number;
  readonly oomKills: number;
  /** What the node's pods used since t = 0 (up to the last change). */
  nodeIntegrals(node: Node): UsageIntegral;
  /** The run ends now: every integral is brought up to now. */
  finish(): void;
}

/** One workload's (or bare-pod record's) usage on one node since it was opened: a handle the
 *  reader gives back to usageUpToNow. */
export interface UsageAccount {
  readonly ref: string;
}

/** What the cost allocation reads (src/cost/allocationWindows.ts: UsageSource): usage per workload per
 *  node, exact, at any moment. */
export interface UsageAccounts {
  /** The record a pod's usage is kept under: its workload's ref, or its bare-pod record. */
  refOf(pod: Pod): string;
  /** Opens the account of a ref's usage on a node (when its first pod is bound there). */
  openUsage(node: Node, ref: string): UsageAccount;
  /** ∫ usage on the account up to now. Read-only; the object returned is reused by the next call. */
  usageUpToNow(account: UsageAccount): Readonly<UsageIntegral>;
  /** Closes the account once none of the ref's pods run on the node (a later pod opens a new one
   *  from zero). False, and nothing closed, while some still run. */
  closeUsage(node: Node, ref: string): boolean;
}

/** The per-container usage history, for the VPA recommender. */
export interface UsageHistorySource extends WorkloadMetrics {
  /** Keeps the history from now on, one sample instant every stepMs until the run's end. */
  enableHistory(stepMs: number): UsageHistory;
}

/** Everything above: what the recorder samples. */
export interface MetricsApi extends ResourceMetrics, PodUsageGroups, WorkloadMetrics, ClusterMetrics, UsageAccounts, UsageHistorySource {}
