// Pod groups: pods of one workload on one node with the same containers see the same load and
// differ only in when their containers started, so the kubelet's usage side computes everything
// per group (memory as a linear function of time), never per pod per sample. This module holds
// the groups, the per-spec values they share, the workload and node aggregates they add to, and
// the index that finds a pod's group. The components that read and change them: cpu.ts (CFS
// shares), groupUsage.ts (a group's usage and its totals), quietNodes.ts, oomKiller.ts,
// evictionManager.ts, stats.ts (the read side), wired by usageEngine.ts.
import type { Demand } from '../workload/demand.ts';
import type { RandomStream } from '../engine/random.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod, QosClass } from '../model/pod.ts';
import type { ContainerUsage } from '../model/scenario.ts';
import { own } from '../model/records.ts';
import type { ContainerModel } from '../workload/usage.ts';
import { containerModel, cpuWant, memoryAtLoad, servingCapacity } from '../workload/usage.ts';
import type { UsageAccount, UsageIntegral, WorkloadUsage } from '../metrics/metricsApi.ts';
import { ServiceLoadBalancer } from '../service/loadBalancer.ts';
import type { CpuClass } from './cpu.ts';
import { CpuTree, cfsQuota, cgroupWeights } from './cpu.ts';
import type { KubeletConfig } from './config.ts';

/** A per-container array of zeros. */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

export interface WorkloadInputs {
  demand: Demand | null;
  usage: Record<string, ContainerUsage>;
  noise: RandomStream;
}

/** A workload's usage on one node since it was opened: what its groups have added, and the
 *  groups still adding. */
export interface WorkloadAccount extends UsageAccount, UsageIntegral {
  readonly groups: Group[];
}

export interface PodRun {
  pod: Pod;
  group: Group;
  /** Container start times (ms); -1 while the container is not running. */
  starts: number[];
  /** ready: Ready in the API with every container running; dead: Ready in the API on a machine
   *  that is down (gets traffic, serves nothing); idle: running without traffic. */
  cls: 'ready' | 'idle' | 'dead';
}

/** How many pods of a group are Ready, dead or idle, and per container how many run and since
 *  when (usageEngine.ts keeps them). */
export interface Counts {
  ready: number;
  dead: number;
  /** Per container: idle pods whose container runs, running containers, Σ their start times. */
  readonly idleRunning: number[];
  readonly running: number[];
  readonly sumStart: number[];
}

/** A distinct set of containers among a workload's pods, and the per-pod values every group of it
 *  shares, computed once per load (and memory-noise draw) instead of once per group. */
export class Spec {
  private static nextId = 0;
  readonly id = Spec.nextId++;
  readonly wantReady: number[];
  readonly cappedReady: number[];
  readonly wantIdle: number[];
  readonly cappedIdle: number[];
  readonly memReady: number[];
  readonly memIdle: number[];
  /** Units/s one Ready pod serves when it gets the CPU it wants (capped at the load). */
  servedPerPod = 0;
  /** Whether a container could reach its memory limit (it leaks, or its load memory is over). */
  mayOom = false;
  /** The pods of this spec on quiet nodes, counted together (see quietNodes.ts). */
  virtual: Group | null = null;
  /** ∫ per-pod CPU got and load memory since t = 0, per container, for settling quiet groups. */
  readonly cumCpuReady: number[];
  readonly cumCpuIdle: number[];
  readonly cumMemReady: number[];
  readonly cumMemIdle: number[];
  /** Up to when the cumulative integrals above are summed. */
  advancedMs = 0;
  /** The counts of its groups on nodes that are not quiet, summed (exact integers) as the pods
   *  change (quietNodes.ts countTargets): the usage history's CPU samples are counted from them
   *  while no node is contended. */
  readonly loud: Counts;
  /** Where its per-pod memory is kept for the usage history (usageHistory.ts), once it is on. */
  memoryTimeline: { record(nowMs: number, memReady: readonly number[], memIdle: readonly number[]): void } | null = null;
  private load = NaN;
  private noise = NaN;

  constructor(
    readonly key: string,
    readonly models: ContainerModel[],
    /** Its pods' QoS class and CPU request (where their cgroups sit, and their weight). */
    readonly qos: QosClass,
    readonly podRequestMilli: number,
  ) {
    const n = models.length;
    this.wantReady = zeros(n);
    this.cappedReady = zeros(n);
    this.wantIdle = zeros(n);
    this.cappedIdle = zeros(n);
    this.memReady = zeros(n);
    this.memIdle = zeros(n);
    this.cumCpuReady = zeros(n);
    this.cumCpuIdle = zeros(n);
    this.cumMemReady = zeros(n);
    this.cumMemIdle = zeros(n);
    this.loud = { ready: 0, dead: 0, idleRunning: zeros(n), running: zeros(n), sumStart: zeros(n) };
  }

  /** Accumulates the per-pod values that held since the last call up to `nowMs`. */
  advance(nowMs: number): void {
    const dt = nowMs - this.advancedMs;
    if (dt <= 0) return;
    for (let c = 0; c < this.models.length; c++) {
      this.cumCpuReady[c] += this.cappedReady[c] * dt;
      this.cumCpuIdle[c] += this.cappedIdle[c] * dt;
      this.cumMemReady[c] += this.memReady[c] * dt;
      this.cumMemIdle[c] += this.memIdle[c] * dt;
    }
    this.advancedMs = nowMs;
  }

  /** The per-pod values at a Ready pod's load: CPU wanted and capped at the limit (CFS quota,
   *  reference §5.5), what that CPU serves, memory before the leak. */
  update(load: number, noiseFactor: number, nowMs: number): void {
    if (load === this.load && noiseFactor === this.noise) return;
    this.advance(nowMs);
    this.load = load;
    this.noise = noiseFactor;
    let perPod = load;
    for (let c = 0; c < this.models.length; c++) {
      const m = this.models[c];
      const wantReady = cpuWant(m, load);
      const cappedReady = cfsQuota(wantReady, m.cpuLimitMilli);
      this.wantReady[c] = wantReady;
      this.cappedReady[c] = cappedReady;
      this.wantIdle[c] = m.cpuBaseMilli;
      this.cappedIdle[c] = cfsQuota(m.cpuBaseMilli, m.cpuLimitMilli);
      perPod = Math.min(perPod, servingCapacity(m, cappedReady));
      this.memReady[c] = memoryAtLoad(m, load, noiseFactor);
      this.memIdle[c] = memoryAtLoad(m, 0, noiseFactor);
    }
    this.servedPerPod = perPod;
    this.memoryTimeline?.record(nowMs, this.memReady, this.memIdle);
    let mayOom = false;
    for (let c = 0; c < this.models.length; c++) {
      const m = this.models[c];
      if (m.memLimitBytes === Infinity) continue;
      if (m.leakBytesPerMs > 0 || this.memReady[c] > m.memLimitBytes || this.memIdle[c] > m.memLimitBytes) mayOom = true;
    }
    this.mayOom = mayOom;
  }
}

/** Pods of one workload on one node with the same spec. Its fields are grouped by the component
 *  that keeps them. */
export class Group implements Counts {
  readonly pods = new Set<PodRun>();
  readonly models: ContainerModel[];
  // Counts (usageEngine.ts), mirrored into spec.virtual while the group is quiet.
  ready = 0;
  dead = 0;
  /** Per container: idle pods whose container runs, running containers, Σ their start times. */
  readonly idleRunning: number[];
  readonly running: number[];
  readonly sumStart: number[];
  /** Earliest running container start per container index (NaN: recompute from the pods). */
  readonly minStart: number[];
  // CPU (cpu.ts): what a Ready and an idle pod's containers get, and the cgroup classes (a pod's,
  // its containers') reused at every water-filling.
  readonly readyGot: number[];
  readonly idleGot: number[];
  readonly readyPod: CpuClass;
  readonly idlePod: CpuClass;
  readonly readyCls: CpuClass[];
  readonly idleCls: CpuClass[];
  // What this group last contributed to its workload's and node's totals (groupUsage.ts).
  /** Memory of the whole group as a linear function of time, memA + memB x t (bytes, ms). */
  memA = 0;
  memB = 0;
  cpuUsed = 0;
  cpuWantCapped = 0;
  cpuWantRaw = 0;
  cpuThrottled = 0;
  served = 0;
  /** Where its usage is summed (shared by the groups of its workload on its node), and up to
   *  when a loud group's current CPU and memory have been added there. */
  readonly usage: WorkloadAccount;
  usageMs = 0;
  // The cgroup OOM alarm (oomKiller.ts).
  oomHandle: EventHandle | null = null;
  oomAt = Infinity;
  /** The flush that last recomputed this group (usageEngine.ts). */
  epoch = 0;
  // Quiet nodes (quietNodes.ts): on a quiet node its counts are mirrored into spec.virtual and it
  // contributes nothing itself; its node's integrals are settled from the spec's cumulative
  // integrals, checkpointed here when it was last settled.
  quiet = false;
  /** What it last added to its workload's kept sums (keepReadySums, stats.ts). */
  keptReady = 0;
  keptIdle = 0;
  keptReadyMilli = 0;
  readonly ckCpuReady: number[];
  readonly ckCpuIdle: number[];
  readonly ckMemReady: number[];
  readonly ckMemIdle: number[];
  settledMs = 0;

  constructor(
    readonly w: WorkloadRun,
    readonly node: NodeRun,
    readonly spec: Spec,
    nowMs: number,
  ) {
    const models = spec.models;
    this.models = models;
    const n = models.length;
    this.idleRunning = zeros(n);
    this.running = zeros(n);
    this.sumStart = zeros(n);
    this.readyGot = zeros(n);
    this.idleGot = zeros(n);
    const tree = node.cpuTree;
    const podWeight = tree.podWeight(spec.qos, spec.podRequestMilli);
    this.readyPod = { count: 0, wantMilli: 0, weight: podWeight, gotMilli: 0 };
    this.idlePod = { count: 0, wantMilli: 0, weight: podWeight, gotMilli: 0 };
    this.readyCls = models.map((m) => ({ count: 0, wantMilli: 0, weight: tree.containerWeight(m.cpuRequestMilli), gotMilli: 0 }));
    this.idleCls = models.map((m) => ({ count: 0, wantMilli: 0, weight: tree.containerWeight(m.cpuRequestMilli), gotMilli: 0 }));
    this.minStart = new Array(n).fill(Infinity);
    this.ckCpuReady = zeros(n);
    this.ckCpuIdle = zeros(n);
    this.ckMemReady = zeros(n);
    this.ckMemIdle = zeros(n);
    this.usage = node.usageOf(w.ref);
    this.usage.groups.push(this);
    this.usageMs = nowMs;
  }

  /** Each Ready pod's share of its workload's demand (units/s). */
  get load(): number {
    return this.w.service.load;
  }

  get qos(): QosClass {
    return this.spec.qos;
  }

  get podRequestMilli(): number {
    return this.spec.podRequestMilli;
  }

  /** Memory of the whole group: Σ per-pod load memory + leak x (running x t - Σ starts). */
  memoryAt(t: number): number {
    return this.memA + this.memB * t;
  }

  earliestStart(c: number): number {
    if (Number.isNaN(this.minStart[c])) {
      let min = Infinity;
      for (const run of this.pods) if (run.starts[c] >= 0 && run.starts[c] < min) min = run.starts[c];
      this.minStart[c] = min;
    }
    return this.minStart[c];
  }
}

/** Memory of one of the pod's containers at `t` (bytes; 0 while it does not run). */
export function containerMemory(run: PodRun, c: number, t: number): number {
  const g = run.group;
  if (run.starts[c] < 0) return 0;
  const base = run.cls === 'ready' ? g.spec.memReady[c] : g.spec.memIdle[c];
  return base + g.models[c].leakBytesPerMs * (t - run.starts[c]);
}

export function podMemory(run: PodRun, t: number): number {
  let total = 0;
  for (let c = 0; c < run.starts.length; c++) total += containerMemory(run, c, t);
  return total;
}

/** One workload's (or bare-pod record's) pods, as the metrics API shows them. */
export class WorkloadRun implements WorkloadUsage {
  /** An array, not a Set: it is walked every sample, and arrays iterate several times faster. */
  readonly groups: Group[] = [];
  /** Distinct container sets among its pods (usually one). */
  readonly specs = new Map<string, Spec>();
  /** Groups by "node index:spec id". */
  readonly groupIndex = new Map<string, Group>();
  /** Groups not on a quiet node, and whether any container of any spec leaks. */
  loudGroups = 0;
  leaky = false;
  /** Its groups (virtual ones included) with a cgroup OOM alarm set (oomKiller.ts). */
  oomAlarms = 0;
  /** Its Service: demand, endpoints, served. */
  readonly service: ServiceLoadBalancer;
  cpuUsedMilli = 0;
  cpuWantMilli = 0;
  cpuThrottledMilli = 0;
  epoch = 0;
  memA = 0;
  memB = 0;
  lastMemory = 0;
  /** Bumped whenever any of its groups is recomputed (metrics readers cache against it). */
  version = 0;
  /** Σ over its groups of what keepReadySums (stats.ts) last counted: Ready pods, pods with a
   *  reading that are not Ready, and the loud groups' Ready pods' CPU readings (whole millicores). */
  keptReady = 0;
  keptIdle = 0;
  keptReadyMilli = 0;
  noiseFactor = 1;
  oomKills = 0;
  // Integrals since t = 0 (millicores x ms).
  cpuWantMilliMs = 0;
  cpuThrottledMilliMs = 0;

  /** The largest memory noise of its containers (one draw per sample serves them all). */
  readonly noiseCv: number;

  constructor(
    readonly ref: string,
    readonly inputs: WorkloadInputs,
  ) {
    this.noiseCv = Math.max(0, ...Object.values(inputs.usage).map((u) => u.memory?.noise ?? 0));
    this.service = new ServiceLoadBalancer(inputs.demand);
  }

  get demandRate(): number {
    return this.service.demandRate;
  }

  get servedRate(): number {
    return this.service.servedRate;
  }

  get load(): number {
    return this.service.load;
  }

  get demandUnitMs(): number {
    return this.service.demandUnitMs;
  }

  get servedUnitMs(): number {
    return this.service.servedUnitMs;
  }

  memoryAt(t: number): number {
    return this.memA + this.memB * t;
  }
}

/** The usage side of one node: its groups, its totals and integrals, its cost accounts. */
export class NodeRun {
  readonly groups = new Set<Group>();
  cpuUsedMilli = 0;
  cpuUsedMilliMs = 0;
  memoryByteMs = 0;
  lastMemory = 0;
  memA = 0;
  memB = 0;
  /** The memory alarm (evictionManager.ts). */
  pressureHandle: EventHandle | null = null;
  pressureAt = Infinity;
  /** memory.available was below the threshold at the last eviction pass (passes run), and when
   *  the next pass is due. */
  underPressure = false;
  passDueMs = 0;
  /** The MemoryPressure condition, when the signal was last seen below the threshold, and the
   *  timer that ends the condition a transition period after that. */
  memoryPressure = false;
  pressureObservedMs = -Infinity;
  conditionHandle: EventHandle | null = null;
  /** Σ CPU its containers want, each capped at its limit; above the allocatable it is contended. */
  cpuWantCapped = 0;
  contended = false;
  epoch = 0;
  /** Σ limits of its running containers, and how many have none: a node whose containers all
   *  have limits summing under its capacity can be neither CPU-contended nor memory-pressured. */
  cpuLimitSum = 0;
  cpuUnlimited = 0;
  memLimitSum = 0;
  memUnlimited = 0;
  quiet = false;
  /** The node's cgroups above the pods (cpu.ts). */
  readonly cpuTree: CpuTree;
  /** Usage accounts by workload ref, kept after the workload's pods leave until closed. */
  readonly usageByRef = new Map<string, WorkloadAccount>();

  constructor(
    readonly node: Node,
    readonly config: KubeletConfig,
  ) {
    this.cpuTree = new CpuTree(cgroupWeights(config.cgroupVersion));
  }

  usageOf(ref: string): WorkloadAccount {
    let u = this.usageByRef.get(ref);
    if (!u) this.usageByRef.set(ref, (u = { ref, cpuUsedMilliMs: 0, memoryByteMs: 0, groups: [] }));
    return u;
  }

  get cpuCapacityMilli(): number {
    return this.node.allocatable.cpuMilli;
  }

  /** Physical memory: capacity, or allocatable plus the eviction threshold for bare Node manifests. */
  get memoryCapacityBytes(): number {
    return this.node.capacity.memoryBytes > 0 ? this.node.capacity.memoryBytes : this.node.allocatable.memoryBytes + this.config.evictionHardMemoryBytes;
  }

  memoryAt(t: number): number {
    return this.memA + this.memB * t;
  }
}

/** Finds and keeps the groups: workloads by ref, nodes by index, pods by uid. */
export class PodGroups {
  /** In the order their first pod started: the order totals are summed in. */
  readonly workloads = new Map<string, WorkloadRun>();
  /** By node index; empty where no pod ran and no account was opened. */
  readonly nodes: NodeRun[] = [];
  readonly runs = new Map<number, PodRun>();
  /** Nodes whose CPU is contended now (NodeRun.contended), kept by the usage engine's flush. */
  contendedNodes = 0;

  constructor(
    /** Demand and usage of a workload ref ("Kind/ns/name"), or of a bare pod ("Pod/ns/name"). */
    private readonly inputsOf: (ref: string) => WorkloadInputs,
    /** Refs that have a `behavior:` entry. */
    private readonly behaviorTargets: ReadonlySet<string>,
    private readonly kubeletConfigOf: (node: Node) => KubeletConfig,
  ) {}

  /** The record a pod's usage is kept under: its workload's ref, or its bare-pod record. */
  refOf(pod: Pod): string {
    return pod.workload ?? this.barePodRef(pod);
  }

  /** A bare pod is its own workload when a `behavior:` names it; the others of a namespace share
   *  one record (no demand, usage = requests), which keeps a snapshot of thousands of pods light. */
  private barePodRef(pod: Pod): string {
    const own = `Pod/${pod.namespace}/${pod.name}`;
    return this.behaviorTargets.has(own) ? own : `Pod/${pod.namespace}/*`;
  }

  nodeRun(node: Node): NodeRun {
    return (this.nodes[node.index] ??= new NodeRun(node, this.kubeletConfigOf(node)));
  }

  /** The group a pod starting on a node joins, created (with its workload and spec) if new. */
  groupFor(pod: Pod, node: Node, nowMs: number): Group {
    const ref = this.refOf(pod);
    let w = this.workloads.get(ref);
    if (!w) {
      w = new WorkloadRun(ref, this.inputsOf(ref));
      this.workloads.set(ref, w);
    }
    const n = this.nodeRun(node);
    const models = pod.spec.containers.map((c) => containerModel(c, own(w!.inputs.usage, c.name)));
    const podRequestMilli = pod.requests.cpuMilli;
    const key = `${pod.qos}:${podRequestMilli}:${JSON.stringify(models)}`;
    let spec = w.specs.get(key);
    if (!spec) {
      w.specs.set(key, (spec = new Spec(key, models, pod.qos, podRequestMilli)));
      if (models.some((m) => m.leakBytesPerMs > 0)) w.leaky = true;
    }
    const groupKey = `${node.index}:${spec.id}`;
    const existing = w.groupIndex.get(groupKey);
    if (existing) return existing;
    const g = new Group(w, n, spec, nowMs);
    w.loudGroups++;
    w.groups.push(g);
    w.groupIndex.set(groupKey, g);
    n.groups.add(g);
    return g;
  }

  /** Forgets a group whose pods are all gone. */
  remove(g: Group): void {
    const list = g.w.groups;
    const i = list.indexOf(g);
    if (i >= 0) list.splice(i, 1);
    const sharing = g.usage.groups;
    sharing.splice(sharing.indexOf(g), 1);
    g.w.groupIndex.delete(`${g.node.node.index}:${g.spec.id}`);
    g.node.groups.delete(g);
  }
}
