// The kubelet's resource side: what every running container uses, what it gets, and what that
// does to it (reference §5.2-5.6). Demand reaches a workload's Ready pods evenly (Service
// semantics); each container's CPU is capped by its limit (throttling) and, when its node is
// short, shared by cpu.shares; memory over the limit is an OOM kill at the exact crossing time,
// and a node running out of memory evicts pods in the kubelet's order, then the kernel kills by
// oom_score. What a pod cannot serve for lack of CPU, and demand that finds no Ready pod, is
// unserved.
//
// Pods of one workload on one node with the same containers form a group: they see the same load
// and differ only in when their containers started, so every quantity is computed per group
// (memory as a linear function of time), never per pod per sample.
import type { Demand } from '../workload/demand.ts';
import type { RandomStream } from '../engine/random.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { podObjectRef } from '../model/pod.ts';
import type { ContainerUsage } from '../model/scenario.ts';
import type { ContainerModel } from '../workload/usage.ts';
import { containerModel, cpuWant } from '../workload/usage.ts';
import { formatBytes } from '../quantity.ts';
import type { CpuClass } from './cpu.ts';
import { shareCpu } from './cpu.ts';
import type { Kubelet } from './kubelet.ts';
import { oomBadness, oomScoreAdj } from './oomScore.ts';
import { Phase } from '../phases.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';

/** A per-container array of zeros. */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** The kubelet's eviction manager monitoring period. */
const EVICTION_PERIOD_MS = 10_000;
const DEFAULT_EVICTION_THRESHOLD = 100 * 1024 * 1024;

export interface WorkloadInputs {
  demand: Demand | null;
  usage: Record<string, ContainerUsage>;
  noise: RandomStream;
}

/** ∫ CPU used (millicore-ms) and ∫ memory used (byte-ms) of one workload's pods on one node. */
export interface UsageIntegral {
  cpuUsedMilliMs: number;
  memoryByteMs: number;
}

/** A workload's usage on one node since it was opened there: what its groups have added, and
 *  the groups still adding. */
export interface UsageAccount extends UsageIntegral {
  readonly groups: Group[];
}

interface PodRun {
  pod: Pod;
  group: Group;
  /** Container start times (ms); -1 while the container is not running. */
  starts: number[];
  cls: 'ready' | 'idle' | 'dead';
}

/** The per-pod values shared by every group of a workload with the same containers, computed
 *  once per load (and memory-noise draw) instead of once per group. */
class Spec {
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
  /** The pods of this spec on quiet nodes, counted together (see UsageEngine: quiet nodes). */
  virtual: Group | null = null;
  /** ∫ per-pod CPU got and load memory since t = 0, per container, for settling quiet groups. */
  readonly cumCpuReady: number[];
  readonly cumCpuIdle: number[];
  readonly cumMemReady: number[];
  readonly cumMemIdle: number[];
  /** Up to when the cumulative integrals above are summed. */
  advancedMs = 0;
  private load = NaN;
  private noise = NaN;

  constructor(
    readonly key: string,
    readonly models: ContainerModel[],
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

  update(load: number, noiseFactor: number, nowMs: number): void {
    if (load === this.load && noiseFactor === this.noise) return;
    this.advance(nowMs);
    this.load = load;
    this.noise = noiseFactor;
    let perPod = load;
    for (let c = 0; c < this.models.length; c++) {
      const m = this.models[c];
      const wantReady = m.cpuBaseMilli + m.cpuPerUnitMilli * load;
      const cappedReady = wantReady < m.cpuLimitMilli ? wantReady : m.cpuLimitMilli;
      this.wantReady[c] = wantReady;
      this.cappedReady[c] = cappedReady;
      this.wantIdle[c] = m.cpuBaseMilli;
      this.cappedIdle[c] = m.cpuBaseMilli < m.cpuLimitMilli ? m.cpuBaseMilli : m.cpuLimitMilli;
      if (m.cpuPerUnitMilli > 0) {
        const capacity = (cappedReady - m.cpuBaseMilli) / m.cpuPerUnitMilli;
        if (capacity < perPod) perPod = capacity > 0 ? capacity : 0;
      }
      const noise = m.memNoise > 0 ? noiseFactor : 1;
      const memReady = (m.memBaseBytes + m.memPerUnitBytes * load) * noise;
      this.memReady[c] = memReady > 0 ? memReady : 0;
      const memIdle = m.memBaseBytes * noise;
      this.memIdle[c] = memIdle > 0 ? memIdle : 0;
    }
    this.servedPerPod = perPod;
    let mayOom = false;
    for (let c = 0; c < this.models.length; c++) {
      const m = this.models[c];
      if (m.memLimitBytes === Infinity) continue;
      if (m.leakBytesPerMs > 0 || this.memReady[c] > m.memLimitBytes || this.memIdle[c] > m.memLimitBytes) mayOom = true;
    }
    this.mayOom = mayOom;
  }
}

class Group {
  readonly pods = new Set<PodRun>();
  ready = 0;
  dead = 0;
  /** Per container: idle pods whose container runs, running containers, Σ their start times. */
  readonly idleRunning: number[];
  readonly running: number[];
  readonly sumStart: number[];
  readonly readyGot: number[];
  readonly idleGot: number[];
  /** CPU classes reused at every recomputation: ready and idle containers per container index. */
  readonly readyCls: CpuClass[];
  readonly idleCls: CpuClass[];
  /** Memory of the whole group as a linear function of time, memA + memB x t (bytes, ms). */
  memA = 0;
  memB = 0;
  /** Earliest running container start per container index (NaN: recompute from the pods). */
  readonly minStart: number[];
  oomHandle: EventHandle | null = null;
  oomAt = Infinity;
  /** What this group last contributed to its workload's and node's totals (for deltas). */
  cpuUsed = 0;
  cpuWantCapped = 0;
  cpuWantRaw = 0;
  cpuThrottled = 0;
  served = 0;
  /** CPU its containers got, per container index, as last added to the workload's totals. */
  readonly lastCpu: number[];
  /** Whether any container has a memory limit (only then can it be OOM-killed). */
  readonly limited: boolean;
  /** The flush that last recomputed this group. */
  epoch = 0;
  /** On a quiet node its counts are mirrored into spec.virtual and it contributes nothing itself;
   *  its node's integrals are settled from the spec's cumulative integrals. */
  quiet = false;
  readonly ckCpuReady: number[];
  readonly ckCpuIdle: number[];
  readonly ckMemReady: number[];
  readonly ckMemIdle: number[];
  settledMs = 0;
  /** Where its usage is summed (shared by the groups of its workload on its node), and up to
   *  when a loud group's current CPU and memory have been added there. */
  readonly usage: UsageAccount;
  usageMs = 0;

  readonly models: ContainerModel[];

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
    this.readyCls = models.map((m) => ({ count: 0, wantMilli: 0, shares: m.shares, gotMilli: 0 }));
    this.idleCls = models.map((m) => ({ count: 0, wantMilli: 0, shares: m.shares, gotMilli: 0 }));
    this.minStart = new Array(n).fill(Infinity);
    this.limited = models.some((m) => m.memLimitBytes !== Infinity);
    this.lastCpu = zeros(n);
    this.ckCpuReady = zeros(n);
    this.ckCpuIdle = zeros(n);
    this.ckMemReady = zeros(n);
    this.ckMemIdle = zeros(n);
    this.usage = node.usageOf(w.ref);
    this.usage.groups.push(this);
    this.usageMs = nowMs;
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

export class WorkloadRun {
  /** An array, not a Set: it is walked every sample, and arrays iterate several times faster. */
  readonly groups: Group[] = [];
  /** Distinct container sets among its pods (usually one). */
  readonly specs = new Map<string, Spec>();
  /** Groups by "node index:spec id". */
  readonly groupIndex = new Map<string, Group>();
  /** Groups not on a quiet node, and whether any container of any spec leaks. */
  loudGroups = 0;
  leaky = false;
  /** Pods the Service would route to: Ready in the API (those on a dead node included). */
  endpoints = 0;
  load = 0;
  demandRate = 0;
  servedRate = 0;
  cpuUsedMilli = 0;
  cpuWantMilli = 0;
  cpuThrottledMilli = 0;
  epoch = 0;
  /** Σ over groups of what their Ready pods could serve (before capping at the demand). */
  servedRaw = 0;
  memA = 0;
  memB = 0;
  lastMemory = 0;
  /** Bumped whenever any of its groups is recomputed (metrics readers cache against it). */
  version = 0;
  /** Per container: Σ CPU got and number of running containers (for the history). */
  readonly cpuByContainer: number[] = [];
  readonly runningByContainer: number[] = [];
  noiseFactor = 1;
  oomKills = 0;
  // Integrals since t = 0 (units x ms, millicores x ms).
  demandUnitMs = 0;
  servedUnitMs = 0;
  cpuWantMilliMs = 0;
  cpuThrottledMilliMs = 0;
  /** Per container: mean CPU per running pod and peak memory per pod at each sample (for HPA/VPA). */
  readonly history: { tMs: number[]; cpuMilli: number[][]; memoryBytes: number[][] } = { tMs: [], cpuMilli: [], memoryBytes: [] };

  /** The largest memory noise of its containers (one draw per sample serves them all). */
  readonly noiseCv: number;

  constructor(
    readonly ref: string,
    readonly inputs: WorkloadInputs,
  ) {
    this.noiseCv = Math.max(0, ...Object.values(inputs.usage).map((u) => u.memory.noise));
  }

  memoryAt(t: number): number {
    return this.memA + this.memB * t;
  }
}

class NodeRun {
  readonly groups = new Set<Group>();
  cpuUsedMilli = 0;
  cpuUsedMilliMs = 0;
  memoryByteMs = 0;
  lastMemory = 0;
  pressureHandle: EventHandle | null = null;
  pressureAt = Infinity;
  underPressure = false;
  memA = 0;
  memB = 0;
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
  /** Scratch list of the node's CPU classes. */
  readonly classes: CpuClass[] = [];
  /** Usage accounts by workload ref, kept after the workload's pods leave until closed. */
  readonly usageByRef = new Map<string, UsageAccount>();

  constructor(readonly node: Node) {}

  usageOf(ref: string): UsageAccount {
    let u = this.usageByRef.get(ref);
    if (!u) this.usageByRef.set(ref, (u = { cpuUsedMilliMs: 0, memoryByteMs: 0, groups: [] }));
    return u;
  }

  get cpuCapacityMilli(): number {
    return this.node.allocatable.cpuMilli;
  }

  /** Physical memory: capacity, or allocatable plus the default threshold for bare Node manifests. */
  get memoryCapacityBytes(): number {
    return this.node.capacity.memoryBytes > 0 ? this.node.capacity.memoryBytes : this.node.allocatable.memoryBytes + DEFAULT_EVICTION_THRESHOLD;
  }

  get evictionThresholdBytes(): number {
    const reserved = this.node.capacity.memoryBytes - this.node.allocatable.memoryBytes;
    return this.node.capacity.memoryBytes > 0 && reserved >= 0 ? Math.min(reserved, DEFAULT_EVICTION_THRESHOLD) || DEFAULT_EVICTION_THRESHOLD : DEFAULT_EVICTION_THRESHOLD;
  }

  memoryAt(t: number): number {
    return this.memA + this.memB * t;
  }
}

export class UsageEngine implements ClusterListener {
  private readonly workloads = new Map<string, WorkloadRun>();
  private readonly nodes: NodeRun[] = [];
  private readonly runs = new Map<number, PodRun>();
  private readonly dirtyWorkloads = new Set<WorkloadRun>();
  private readonly dirtyNodes = new Set<NodeRun>();
  private readonly dirtyGroups = new Set<Group>();
  private epoch = 0;
  /** Where virtual groups live: never contended, never pressured, not counted as a node. */
  private readonly virtualNode = new NodeRun({
    name: '(virtual)', index: -1, state: 'Ready', capacity: { cpuMilli: Infinity, memoryBytes: Infinity, ephemeralStorageBytes: 0, scalar: {} },
    allocatable: { cpuMilli: Infinity, memoryBytes: Infinity, ephemeralStorageBytes: 0, scalar: {} },
  } as unknown as Node);
  /** Off only to check the quiet-node path against the general one (CAPSIM_NO_QUIET=1). */
  private readonly quietEnabled = process.env.CAPSIM_NO_QUIET !== '1';
  private readonly touchedNodes: NodeRun[] = [];
  private readonly touchedWorkloads: WorkloadRun[] = [];
  private flushHandle: EventHandle | null = null;
  private lastIntegratedMs = 0;
  /** Cluster totals: used CPU (piecewise constant) and its integral; memory integral. */
  cpuUsedMilliMs = 0;
  memoryUsedByteMs = 0;
  oomKills = 0;

  constructor(
    private readonly cluster: ApiServer,
    private readonly kubelet: Kubelet,
    /** Demand and usage of a workload ref ("Kind/ns/name"), or of a bare pod ("Pod/ns/name"). */
    private readonly inputsOf: (ref: string) => WorkloadInputs,
    private readonly evictionThresholdOf: (node: Node) => number,
    /** Refs that have a `behavior:` entry. */
    private readonly behaviorTargets: ReadonlySet<string> = new Set(),
  ) {
    cluster.addListener(this);
    kubelet.onContainerStarted = (pod, index) => this.containerStarted(pod, index);
    kubelet.onNodeDown = (node) => this.nodeDown(node);
  }

  /** Sample ticks: time-varying demand and memory noise move at sampleEvery resolution. */
  start(sampleEveryMs: number, durationMs: number): void {
    const sim = this.cluster.sim;
    const tick = () => {
      for (const w of this.workloads.values()) {
        let changed = w.inputs.demand !== null && !w.inputs.demand.constant;
        if (w.noiseCv > 0) {
          w.noiseFactor = 1 + w.inputs.noise.normal() * w.noiseCv;
          changed = true;
        }
        if (changed) this.markWorkload(w);
      }
      this.flush();
      if (sim.nowMs + sampleEveryMs <= durationMs) sim.after(sampleEveryMs, Phase.Physics, tick);
    };
    sim.schedule(0, Phase.Physics, tick);
  }

  workload(ref: string): WorkloadRun | undefined {
    return this.workloads.get(ref);
  }

  /** Current cluster CPU use (millicores) and memory use (bytes). */
  totals(): { cpuUsedMilli: number; memoryUsedBytes: number } {
    const t = this.cluster.nowMs;
    let cpu = 0;
    let memory = 0;
    for (const w of this.workloads.values()) {
      cpu += w.cpuUsedMilli;
      memory += w.memoryAt(t);
    }
    return { cpuUsedMilli: cpu, memoryUsedBytes: memory };
  }

  nodeIntegrals(node: Node): { cpuUsedMilliMs: number; memoryByteMs: number } {
    const n = this.nodes[node.index];
    return n ? { cpuUsedMilliMs: n.cpuUsedMilliMs, memoryByteMs: n.memoryByteMs } : { cpuUsedMilliMs: 0, memoryByteMs: 0 };
  }

  // ---- usage by workload and node, for the cost allocation ------------------------------------

  /** The account of a workload (or bare-pod record, see refOf) on a node: opened by its reader
   *  when the first pod is bound there (the groups of its pods add to it), closed by closeUsage. */
  openUsage(node: Node, ref: string): UsageAccount {
    return (this.nodes[node.index] ??= new NodeRun(node)).usageOf(ref);
  }

  /** ∫ CPU used and ∫ memory used on the account up to now. Read-only; the object returned is
   *  reused by the next call. */
  usageUpToNow(u: UsageAccount): Readonly<UsageIntegral> {
    const out = this.integralOut;
    out.cpuUsedMilliMs = u.cpuUsedMilliMs;
    out.memoryByteMs = u.memoryByteMs;
    const now = this.cluster.nowMs;
    for (let i = 0; i < u.groups.length; i++) {
      const g = u.groups[i];
      this.loudPending(g, now);
      out.cpuUsedMilliMs += this.pendingCpu;
      out.memoryByteMs += this.pendingMemory;
      if (!g.quiet) continue;
      this.quietPending(g, now);
      out.cpuUsedMilliMs += this.pendingCpu;
      out.memoryByteMs += this.pendingMemory;
    }
    return out;
  }

  private readonly integralOut: UsageIntegral = { cpuUsedMilliMs: 0, memoryByteMs: 0 };

  /** Closes a workload's account on a node once none of its pods run there (a later pod opens a
   *  new one from zero). False, and nothing closed, while some still run. */
  closeUsage(node: Node, ref: string): boolean {
    const n = this.nodes[node.index];
    const u = n?.usageByRef.get(ref);
    if (!u) return true;
    if (u.groups.length > 0) return false;
    n!.usageByRef.delete(ref);
    return true;
  }

  /** What metrics-server would report for one pod now: CPU (millicores) or memory (bytes) of its
   *  containers, or of the one named. Null when the pod runs on no live node. Read-only; for the
   *  HPA's metrics source. */
  podUsage(pod: Pod, resource: 'cpu' | 'memory', container?: string): number | null {
    const run = this.runs.get(pod.uid);
    if (!run || run.cls === 'dead') return null;
    const g = run.group;
    const t = this.cluster.nowMs;
    let total = 0;
    for (let c = 0; c < g.models.length; c++) {
      if (run.starts[c] < 0 || (container !== undefined && g.models[c].name !== container)) continue;
      total += resource === 'memory' ? this.containerMemory(run, c, t) : this.containerCpu(run, c);
    }
    return total;
  }

  /** CPU a running container gets now (millicores). */
  private containerCpu(run: PodRun, c: number): number {
    const g = run.group;
    const ready = run.cls === 'ready';
    // A quiet group is never contended: its pods get what they want, capped at the limit.
    if (g.quiet) return ready ? g.spec.cappedReady[c] : g.spec.cappedIdle[c];
    return ready ? g.readyGot[c] : g.idleGot[c];
  }

  /** What the node's pods use now, CPU (millicores) and memory (bytes): podUsage summed, one
   *  lookup per pod, for the recorder's per-node samples. */
  nodeUsage(node: Node): { cpuMilli: number; memoryBytes: number } {
    const t = this.cluster.nowMs;
    let cpuMilli = 0;
    let memoryBytes = 0;
    for (const pod of node.info.pods) {
      const run = this.runs.get(pod.uid);
      if (!run || run.cls === 'dead') continue;
      for (let c = 0; c < run.group.models.length; c++) {
        if (run.starts[c] < 0) continue;
        memoryBytes += this.containerMemory(run, c, t);
        cpuMilli += this.containerCpu(run, c);
      }
    }
    return { cpuMilli, memoryBytes };
  }

  private historyEnabled = false;

  /** Keeps a per-container usage history from now on. Its reader (the VPA recommender) consumes
   *  the entries it has taken in, so the arrays hold only what is not read yet. */
  enableHistory(): void {
    this.historyEnabled = true;
  }

  /** Records the per-container history of every workload (called at each sample). */
  recordHistory(): void {
    if (!this.historyEnabled) return;
    const t = this.cluster.nowMs;
    for (const w of this.workloads.values()) {
      const h = w.history;
      h.tMs.push(t);
      const models = [...w.groups][0]?.models ?? [];
      models.forEach((m, c) => {
        (h.cpuMilli[c] ??= []).push(this.perPodCpu(w, c));
        (h.memoryBytes[c] ??= []).push(this.peakPodMemory(w, c, t));
      });
    }
  }

  // ---- pod notifications ---------------------------------------------------------------------

  podStarted(pod: Pod): void {
    if (!pod.node || this.runs.has(pod.uid)) return;
    const group = this.groupFor(pod, pod.node);
    const run: PodRun = { pod, group, starts: group.models.map(() => this.cluster.nowMs), cls: 'idle' };
    this.runs.set(pod.uid, run);
    group.pods.add(run);
    for (let c = 0; c < group.models.length; c++) this.addContainer(group, c, run.starts[c], 'idle', 1);
    this.markGroup(group);
    this.reclassify(run);
  }

  podReadyChanged(pod: Pod): void {
    const run = this.runs.get(pod.uid);
    if (run) this.reclassify(run);
  }

  podFinished(pod: Pod): void {
    this.drop(pod);
  }

  podRemoved(pod: Pod): void {
    this.drop(pod);
  }

  nodeUpdated(node: Node): void {
    if (node.state !== 'Ready' || node.down) return;
    // A machine back from an outage starts its pods' containers afresh.
    for (const run of this.runs.values()) {
      if (run.group.node.node !== node || run.cls !== 'dead') continue;
      for (let c = 0; c < run.starts.length; c++) if (run.starts[c] < 0) this.containerStarted(run.pod, c);
      this.reclassify(run);
    }
  }

  private nodeDown(node: Node): void {
    for (const run of this.runs.values()) {
      if (run.group.node.node !== node) continue;
      for (let c = 0; c < run.starts.length; c++) this.stopContainer(run, c);
      this.reclassify(run);
    }
  }

  private containerStarted(pod: Pod, index: number): void {
    const run = this.runs.get(pod.uid);
    if (!run || run.starts[index] >= 0) return;
    run.starts[index] = this.cluster.nowMs;
    this.addContainer(run.group, index, run.starts[index], run.cls === 'ready' ? 'ready' : 'idle', 1);
    this.markGroup(run.group);
  }

  private drop(pod: Pod): void {
    const run = this.runs.get(pod.uid);
    if (!run) return;
    this.integrate();
    this.setClass(run, 'idle');
    for (let c = 0; c < run.starts.length; c++) this.stopContainer(run, c);
    run.group.pods.delete(run);
    this.runs.delete(pod.uid);
    if (run.group.pods.size === 0) this.removeGroup(run.group);
    else this.markGroup(run.group);
  }

  // ---- groups and classes --------------------------------------------------------------------

  private groupFor(pod: Pod, node: Node): Group {
    const ref = this.refOf(pod);
    let w = this.workloads.get(ref);
    if (!w) {
      w = new WorkloadRun(ref, this.inputsOf(ref));
      this.workloads.set(ref, w);
    }
    const n = (this.nodes[node.index] ??= new NodeRun(node));
    const models = pod.spec.containers.map((c) => containerModel(c, w!.inputs.usage[c.name]));
    const key = JSON.stringify(models);
    let spec = w.specs.get(key);
    if (!spec) {
      w.specs.set(key, (spec = new Spec(key, models)));
      if (models.some((m) => m.leakBytesPerMs > 0)) w.leaky = true;
    }
    const groupKey = `${node.index}:${spec.id}`;
    const existing = w.groupIndex.get(groupKey);
    if (existing) return existing;
    const g = new Group(w, n, spec, this.cluster.nowMs);
    w.loudGroups++;
    w.groups.push(g);
    w.groupIndex.set(groupKey, g);
    n.groups.add(g);
    return g;
  }

  private removeGroup(g: Group): void {
    // Its pods are gone: a quiet group settles its last stretch; a loud one recomputes to zero.
    if (g.quiet) this.settle(g);
    else {
      this.recomputeGroup(g);
      g.w.loudGroups--;
    }
    this.cluster.sim.cancel(g.oomHandle);
    g.oomAt = Infinity;
    this.dirtyGroups.delete(g);
    const list = g.w.groups;
    const i = list.indexOf(g);
    if (i >= 0) list.splice(i, 1);
    const sharing = g.usage.groups;
    sharing.splice(sharing.indexOf(g), 1);
    g.w.groupIndex.delete(`${g.node.node.index}:${g.spec.id}`);
    g.node.groups.delete(g);
    this.markWorkload(g.w);
    this.markNode(g.node);
  }

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

  /** ready: Ready in the API with every container running; dead: Ready in the API on a machine
   *  that is down (gets traffic, serves nothing); idle: running without traffic. */
  private reclassify(run: PodRun): void {
    const allRunning = run.starts.every((s) => s >= 0);
    const cls = run.pod.ready ? (run.group.node.node.down ? 'dead' : allRunning ? 'ready' : 'idle') : 'idle';
    this.setClass(run, cls);
  }

  private setClass(run: PodRun, cls: PodRun['cls']): void {
    if (run.cls === cls) return;
    this.integrate();
    const g = run.group;
    if (g.quiet) this.settle(g);
    for (const target of this.countTargets(g)) {
      for (let c = 0; c < run.starts.length; c++) {
        if (run.starts[c] < 0) continue;
        if (run.cls === 'idle') target.idleRunning[c]--;
        if (cls === 'idle') target.idleRunning[c]++;
      }
      if (run.cls === 'ready') target.ready--;
      if (run.cls === 'dead') target.dead--;
      if (cls === 'ready') target.ready++;
      if (cls === 'dead') target.dead++;
    }
    g.w.endpoints += (cls === 'idle' ? 0 : 1) - (run.cls === 'idle' ? 0 : 1);
    run.cls = cls;
    this.markGroup(g);
  }

  /** The group's own counts, and its spec's virtual group's when it is on a quiet node. */
  private countTargets(g: Group): Group[] {
    return g.quiet ? [g, this.virtualOf(g.spec, g.w)] : [g];
  }

  private virtualOf(spec: Spec, w: WorkloadRun): Group {
    return (spec.virtual ??= new Group(w, this.virtualNode, spec, this.cluster.nowMs));
  }

  private addContainer(g: Group, c: number, start: number, cls: 'ready' | 'idle', sign: 1 | -1): void {
    this.integrate();
    if (g.quiet) this.settle(g);
    for (const target of this.countTargets(g)) {
      target.running[c] += sign;
      target.sumStart[c] += sign * start;
      if (cls === 'idle') target.idleRunning[c] += sign;
    }
    g.w.runningByContainer[c] = (g.w.runningByContainer[c] ?? 0) + sign;
    const m = g.models[c];
    const n = g.node;
    if (m.cpuLimitMilli === Infinity) n.cpuUnlimited += sign;
    else n.cpuLimitSum += sign * m.cpuLimitMilli;
    if (m.memLimitBytes === Infinity) n.memUnlimited += sign;
    else n.memLimitSum += sign * m.memLimitBytes;
    if (sign > 0 && !Number.isNaN(g.minStart[c])) g.minStart[c] = Math.min(g.minStart[c], start);
    if (sign < 0 && start <= g.minStart[c]) g.minStart[c] = NaN;
  }

  private stopContainer(run: PodRun, c: number): void {
    if (run.starts[c] < 0) return;
    this.addContainer(run.group, c, run.starts[c], run.cls === 'idle' ? 'idle' : 'ready', -1);
    run.starts[c] = -1;
    this.markGroup(run.group);
  }

  // ---- quiet nodes ---------------------------------------------------------------------------

  /** Could this node's containers ever want more CPU or memory than it has? */
  private isQuiet(n: NodeRun): boolean {
    if (!this.quietEnabled || n.node.down || n.node.state === 'Removed') return false;
    if (n.cpuUnlimited > 0 || n.memUnlimited > 0) return false;
    return n.cpuLimitSum <= n.cpuCapacityMilli && n.memLimitSum <= n.memoryCapacityBytes - this.evictionThresholdOf(n.node);
  }

  /** Adds what a quiet group's pods used since it was last settled to its node's integrals. */
  private settle(g: Group): void {
    const now = this.cluster.nowMs;
    const sp = g.spec;
    sp.advance(now);
    this.quietPending(g, now);
    for (let c = 0; c < g.models.length; c++) {
      g.ckCpuReady[c] = sp.cumCpuReady[c];
      g.ckCpuIdle[c] = sp.cumCpuIdle[c];
      g.ckMemReady[c] = sp.cumMemReady[c];
      g.ckMemIdle[c] = sp.cumMemIdle[c];
    }
    g.node.cpuUsedMilliMs += this.pendingCpu;
    g.node.memoryByteMs += this.pendingMemory;
    g.usage.cpuUsedMilliMs += this.pendingCpu;
    g.usage.memoryByteMs += this.pendingMemory;
    g.settledMs = now;
  }

  /** ∫ CPU and ∫ memory of a quiet group's pods since it was last settled, into pendingCpu and
   *  pendingMemory; reads the spec's integrals forward to `now` without advancing them. */
  private quietPending(g: Group, now: number): void {
    const sp = g.spec;
    const ahead = now - sp.advancedMs;
    const dt = now - g.settledMs;
    let cpu = 0;
    let memory = 0;
    for (let c = 0; c < g.models.length; c++) {
      cpu += g.ready * (sp.cumCpuReady[c] + sp.cappedReady[c] * ahead - g.ckCpuReady[c]) + g.idleRunning[c] * (sp.cumCpuIdle[c] + sp.cappedIdle[c] * ahead - g.ckCpuIdle[c]);
      memory += g.ready * (sp.cumMemReady[c] + sp.memReady[c] * ahead - g.ckMemReady[c]) + g.idleRunning[c] * (sp.cumMemIdle[c] + sp.memIdle[c] * ahead - g.ckMemIdle[c]);
      const leak = g.models[c].leakBytesPerMs;
      if (leak > 0 && dt > 0) memory += leak * dt * (g.running[c] * (g.settledMs + now) / 2 - g.sumStart[c]);
    }
    this.pendingCpu = cpu;
    this.pendingMemory = memory;
  }

  /** ∫ CPU and ∫ memory of what a group contributes itself (constant CPU, memory linear in time)
   *  since usageMs, into pendingCpu and pendingMemory. */
  private loudPending(g: Group, now: number): void {
    const dt = now - g.usageMs;
    this.pendingCpu = g.cpuUsed * dt;
    this.pendingMemory = (g.memA + (g.memB * (g.usageMs + now)) / 2) * dt;
  }

  /** Scratch results of quietPending and loudPending. */
  private pendingCpu = 0;
  private pendingMemory = 0;

  /** Adds a group's own contribution since it was last accrued to its workload-on-node integral;
   *  called before that contribution changes. */
  private accrue(g: Group): void {
    const now = this.cluster.nowMs;
    if (now <= g.usageMs) return;
    this.loudPending(g, now);
    g.usage.cpuUsedMilliMs += this.pendingCpu;
    g.usage.memoryByteMs += this.pendingMemory;
    g.usageMs = now;
  }

  /** Moves every group of a node between its own accounting and its spec's virtual group. */
  private setQuiet(n: NodeRun, quiet: boolean): void {
    n.quiet = quiet;
    for (const g of n.groups) {
      if (g.quiet === quiet) continue;
      const vg = this.virtualOf(g.spec, g.w);
      if (quiet) {
        this.zeroContribution(g);
        this.moveCounts(g, vg, 1);
        g.spec.advance(this.cluster.nowMs);
        for (let c = 0; c < g.models.length; c++) {
          g.ckCpuReady[c] = g.spec.cumCpuReady[c];
          g.ckCpuIdle[c] = g.spec.cumCpuIdle[c];
          g.ckMemReady[c] = g.spec.cumMemReady[c];
          g.ckMemIdle[c] = g.spec.cumMemIdle[c];
        }
        g.settledMs = this.cluster.nowMs;
        g.quiet = true;
        g.w.loudGroups--;
      } else {
        this.settle(g);
        this.moveCounts(g, vg, -1);
        g.quiet = false;
        g.w.loudGroups++;
        this.dirtyGroups.add(g);
      }
      this.dirtyGroups.add(vg);
    }
  }

  private moveCounts(from: Group, to: Group, sign: 1 | -1): void {
    to.ready += sign * from.ready;
    to.dead += sign * from.dead;
    for (let c = 0; c < from.models.length; c++) {
      to.idleRunning[c] += sign * from.idleRunning[c];
      to.running[c] += sign * from.running[c];
      to.sumStart[c] += sign * from.sumStart[c];
    }
  }

  /** Takes a group's contributions out of its workload's and node's totals. */
  private zeroContribution(g: Group): void {
    this.accrue(g);
    const w = g.w;
    const n = g.node;
    w.cpuUsedMilli -= g.cpuUsed;
    w.cpuWantMilli -= g.cpuWantRaw;
    w.cpuThrottledMilli -= g.cpuThrottled;
    w.servedRaw -= g.served;
    w.memA -= g.memA;
    w.memB -= g.memB;
    n.cpuUsedMilli -= g.cpuUsed;
    n.cpuWantCapped -= g.cpuWantCapped;
    n.memA -= g.memA;
    n.memB -= g.memB;
    for (let c = 0; c < g.models.length; c++) {
      w.cpuByContainer[c] = (w.cpuByContainer[c] || 0) - g.lastCpu[c];
      g.lastCpu[c] = 0;
    }
    g.cpuUsed = g.cpuWantCapped = g.cpuWantRaw = g.cpuThrottled = g.served = g.memA = g.memB = 0;
  }

  // ---- recomputation -------------------------------------------------------------------------

  /** A group changed. Its workload's load (demand / Ready pods) may have moved too, which matters
   *  only when the workload has demand; otherwise the group alone is recomputed. */
  private markGroup(g: Group): void {
    this.dirtyGroups.add(g);
    if (g.w.inputs.demand !== null) this.markWorkload(g.w);
    this.markNode(g.node);
  }

  private markWorkload(w: WorkloadRun): void {
    this.dirtyWorkloads.add(w);
    this.requestFlush();
  }

  private markNode(n: NodeRun): void {
    this.dirtyNodes.add(n);
    this.requestFlush();
  }

  private requestFlush(): void {
    if (this.flushHandle === null) this.flushHandle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Physics, () => this.flush());
  }

  /** Brings every integral up to now at the rates that held since the last change. */
  private integrate(): void {
    const now = this.cluster.nowMs;
    const dt = now - this.lastIntegratedMs;
    if (dt <= 0) return;
    for (const w of this.workloads.values()) {
      w.demandUnitMs += w.demandRate * dt;
      w.servedUnitMs += w.servedRate * dt;
      w.cpuWantMilliMs += w.cpuWantMilli * dt;
      w.cpuThrottledMilliMs += w.cpuThrottledMilli * dt;
      this.cpuUsedMilliMs += w.cpuUsedMilli * dt;
      // Memory is linear between changes: the trapezoid is exact.
      const memoryNow = w.memoryAt(now);
      this.memoryUsedByteMs += ((w.lastMemory + memoryNow) / 2) * dt;
      w.lastMemory = memoryNow;
    }
    // Loud nodes integrate here; quiet ones settle per group (their own totals stay 0).
    for (const n of this.nodes) {
      if (!n) continue;
      n.cpuUsedMilliMs += n.cpuUsedMilli * dt;
      const memoryNow = n.memoryAt(now);
      n.memoryByteMs += ((n.lastMemory + memoryNow) / 2) * dt;
      n.lastMemory = memoryNow;
    }
    this.lastIntegratedMs = now;
  }

  /** Ends the run: integrals up to the end. */
  finish(): void {
    this.integrate();
    for (const w of this.workloads.values()) for (const g of w.groups) if (g.quiet) this.settle(g);
  }

  /** One pass over what changed: loads of dirty workloads, then their groups (CPU as wanted where
   *  the node is not contended), then water-filling on the nodes that are, then timers. Totals of
   *  workloads and nodes move by deltas, so nothing is summed from scratch. */
  private flush(): void {
    this.flushHandle = null;
    this.integrate();
    const now = this.cluster.nowMs;
    const epoch = ++this.epoch;
    const nodes = this.touchedNodes;
    const workloads = this.touchedWorkloads;
    nodes.length = 0;
    workloads.length = 0;
    for (const n of this.dirtyNodes) {
      const quiet = this.isQuiet(n);
      if (quiet !== n.quiet) this.setQuiet(n, quiet);
    }
    for (const w of this.dirtyWorkloads) {
      w.demandRate = w.inputs.demand ? w.inputs.demand.at(now) : 0;
      w.load = w.endpoints > 0 ? w.demandRate / w.endpoints : 0;
      if (w.epoch !== epoch) {
        w.epoch = epoch;
        workloads.push(w);
      }
      const groups = w.groups;
      for (let j = 0; j < groups.length; j++) if (!groups[j].quiet) this.recomputeOnce(groups[j], epoch);
      for (const spec of w.specs.values()) if (spec.virtual) this.recomputeOnce(spec.virtual, epoch);
    }
    for (const g of this.dirtyGroups) this.recomputeOnce(g.quiet ? this.virtualOf(g.spec, g.w) : g, epoch);
    for (const n of this.dirtyNodes) {
      if (n.epoch !== epoch) {
        n.epoch = epoch;
        nodes.push(n);
      }
    }
    this.dirtyWorkloads.clear();
    this.dirtyGroups.clear();
    this.dirtyNodes.clear();
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const capacity = n.node.down ? 0 : n.cpuCapacityMilli;
      const contended = n.cpuWantCapped > capacity + 1e-9;
      if (!contended && !n.contended) continue;
      n.contended = contended;
      if (contended) this.shareNodeCpu(n, capacity);
      for (const g of n.groups) {
        this.recomputeGroup(g);
        if (g.spec.mayOom || g.oomAt < Infinity) this.scheduleOom(g, now);
        if (g.w.epoch !== epoch) {
          g.w.epoch = epoch;
          workloads.push(g.w);
        }
      }
    }
    for (let i = 0; i < workloads.length; i++) {
      const w = workloads[i];
      w.servedRate = Math.min(w.servedRaw, w.demandRate);
      const groups = w.groups;
      for (let j = 0; j < groups.length; j++) {
        const g = groups[j];
        const recomputed = g.quiet ? g.spec.virtual!.epoch === epoch : g.epoch === epoch;
        if (recomputed && (g.spec.mayOom || g.oomAt < Infinity)) this.scheduleOom(g, now);
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      n.lastMemory = n.memoryAt(now);
      this.watchNodeMemory(n, now);
    }
  }

  /** Recomputes a group once per flush and notes its node and workload as touched. */
  private recomputeOnce(g: Group, epoch: number): void {
    if (g.epoch === epoch) return;
    g.epoch = epoch;
    this.recomputeGroup(g);
    const n = g.node;
    if (n.epoch !== epoch) {
      n.epoch = epoch;
      this.touchedNodes.push(n);
    }
    if (g.w.epoch !== epoch) {
      g.w.epoch = epoch;
      this.touchedWorkloads.push(g.w);
    }
  }

  /** A group's CPU, served demand and memory at its workload's current load; contributions to the
   *  workload's and node's totals are replaced by difference. */
  private recomputeGroup(g: Group): void {
    this.accrue(g);
    const w = g.w;
    w.version++;
    const n = g.node;
    const sp = g.spec;
    sp.update(w.load, w.noiseFactor, this.cluster.nowMs);
    const models = g.models;
    const ready = g.ready;
    const contended = n.contended;
    let wantCapped = 0;
    let wantRaw = 0;
    let throttled = 0;
    let used = 0;
    let perPod = contended ? w.load : sp.servedPerPod;
    let memA = 0;
    let memB = 0;
    for (let c = 0; c < models.length; c++) {
      const idle = g.idleRunning[c];
      const cappedReady = sp.cappedReady[c];
      const cappedIdle = sp.cappedIdle[c];
      if (!contended) {
        g.readyGot[c] = cappedReady;
        g.idleGot[c] = cappedIdle;
      } else {
        const m = models[c];
        if (m.cpuPerUnitMilli > 0) {
          const capacity = (g.readyGot[c] - m.cpuBaseMilli) / m.cpuPerUnitMilli;
          if (capacity < perPod) perPod = capacity > 0 ? capacity : 0;
        }
      }
      wantCapped += ready * cappedReady + idle * cappedIdle;
      wantRaw += ready * sp.wantReady[c] + idle * sp.wantIdle[c];
      throttled += ready * (sp.wantReady[c] - cappedReady) + idle * (sp.wantIdle[c] - cappedIdle);
      const got = ready * g.readyGot[c] + idle * g.idleGot[c];
      used += got;
      w.cpuByContainer[c] = (w.cpuByContainer[c] || 0) + got - g.lastCpu[c];
      g.lastCpu[c] = got;
      memA += ready * sp.memReady[c] + idle * sp.memIdle[c];
      const leak = models[c].leakBytesPerMs;
      if (leak > 0) {
        memA -= leak * g.sumStart[c];
        memB += leak * g.running[c];
      }
    }
    const served = ready * perPod;
    w.cpuUsedMilli += used - g.cpuUsed;
    w.cpuWantMilli += wantRaw - g.cpuWantRaw;
    w.cpuThrottledMilli += throttled - g.cpuThrottled;
    w.servedRaw += served - g.served;
    w.memA += memA - g.memA;
    w.memB += memB - g.memB;
    n.cpuUsedMilli += used - g.cpuUsed;
    n.cpuWantCapped += wantCapped - g.cpuWantCapped;
    n.memA += memA - g.memA;
    n.memB += memB - g.memB;
    g.cpuUsed = used;
    g.cpuWantCapped = wantCapped;
    g.cpuWantRaw = wantRaw;
    g.cpuThrottled = throttled;
    g.served = served;
    g.memA = memA;
    g.memB = memB;
  }

  /** Water-filling on a contended node; sets every group's per-pod CPU. */
  private shareNodeCpu(n: NodeRun, capacity: number): void {
    const classes = n.classes;
    classes.length = 0;
    for (const g of n.groups) {
      for (let c = 0; c < g.models.length; c++) {
        const m = g.models[c];
        const ready = g.readyCls[c];
        ready.count = g.ready;
        ready.wantMilli = Math.min(cpuWant(m, g.w.load), m.cpuLimitMilli);
        const idle = g.idleCls[c];
        idle.count = g.idleRunning[c];
        idle.wantMilli = Math.min(cpuWant(m, 0), m.cpuLimitMilli);
        classes.push(ready, idle);
      }
    }
    shareCpu(classes, capacity);
    for (const g of n.groups) {
      for (let c = 0; c < g.models.length; c++) {
        g.readyGot[c] = g.readyCls[c].gotMilli;
        g.idleGot[c] = g.idleCls[c].gotMilli;
      }
    }
  }

  // ---- memory: limits, node pressure, the kernel ---------------------------------------------

  /** The earliest moment a container of the group reaches its memory limit. Only an earlier alarm
   *  replaces the one set: a later one fires early, finds nothing, and plans again, so cancelled
   *  events never pile up in the queue. */
  private scheduleOom(g: Group, now: number): void {
    let at = Infinity;
    for (let c = 0; c < g.models.length; c++) {
      const m = g.models[c];
      if (m.memLimitBytes === Infinity || g.running[c] === 0) continue;
      // Ready pods carry load, so they cross first; idle ones matter when none is ready.
      const base = g.ready > 0 ? Math.max(g.spec.memReady[c], g.spec.memIdle[c]) : g.spec.memIdle[c];
      if (base > m.memLimitBytes) at = now;
      else if (m.leakBytesPerMs > 0) {
        // The first whole millisecond at or after the crossing (a hair of slack absorbs float noise).
        const crossing = g.earliestStart(c) + Math.ceil((m.memLimitBytes - base) / m.leakBytesPerMs - 1e-6);
        at = Math.min(at, Math.max(now, crossing));
      }
    }
    if (at >= g.oomAt) return;
    this.cluster.sim.cancel(g.oomHandle);
    g.oomAt = at;
    g.oomHandle = this.cluster.sim.schedule(at, Phase.Kubelet, () => this.killOverLimit(g));
  }

  /** Kills every container of the group at or above its memory limit now (cgroup OOM). */
  private killOverLimit(g: Group): void {
    g.oomHandle = null;
    g.oomAt = Infinity;
    const now = this.cluster.nowMs;
    for (const run of [...g.pods]) {
      for (let c = 0; c < g.models.length; c++) {
        const m = g.models[c];
        if (run.starts[c] < 0 || run.cls === 'dead' || m.memLimitBytes === Infinity) continue;
        const used = this.containerMemory(run, c, now);
        const over = m.leakBytesPerMs > 0 ? used >= m.memLimitBytes - 1 : used > m.memLimitBytes;
        if (over) this.oomKill(run, c, `Memory cgroup out of memory: container ${m.name} used ${kib(used)}, limit ${formatBytes(m.memLimitBytes)}`);
      }
    }
    this.markGroup(g);
  }

  private containerMemory(run: PodRun, c: number, t: number): number {
    const g = run.group;
    if (run.starts[c] < 0) return 0;
    const base = run.cls === 'ready' ? g.spec.memReady[c] : g.spec.memIdle[c];
    return base + g.models[c].leakBytesPerMs * (t - run.starts[c]);
  }

  private podMemory(run: PodRun, t: number): number {
    let total = 0;
    for (let c = 0; c < run.starts.length; c++) total += this.containerMemory(run, c, t);
    return total;
  }

  private oomKill(run: PodRun, c: number, message: string): void {
    const name = run.group.models[c].name;
    this.stopContainer(run, c);
    this.oomKills++;
    run.group.w.oomKills++;
    this.cluster.emit('OOMKilled', podObjectRef(run.pod), run.pod.node?.name ?? '', message);
    this.kubelet.containerExited(run.pod, c, name, 'OOMKilled');
    this.reclassify(run);
  }

  /** memory.available = capacity - working set; below evictionHard the kubelet evicts one pod per
   *  pass (§5.2); above capacity the kernel kills (§5.4). Both crossings are scheduled exactly. */
  private watchNodeMemory(n: NodeRun, now: number): void {
    if (n.groups.size === 0 || n.node.state === 'Removed') return;
    const capacity = n.memoryCapacityBytes;
    const threshold = this.evictionThresholdOf(n.node);
    const used = n.memoryAt(now);
    if (used > capacity) return this.setPressureAlarm(n, now, () => this.kernelOom(n));
    if (capacity - used < threshold) return this.setPressureAlarm(n, now, () => this.evictionPass(n));
    // Memory grows linearly until the next change: find when available falls below the threshold.
    if (n.memB <= 0) return;
    const at = Math.ceil((capacity - threshold - n.memA) / n.memB - 1e-6);
    this.setPressureAlarm(n, Math.max(now, at), () => this.evictionPass(n));
  }

  /** Pods may have come or gone at this instant before the flush: count them now. */
  private refreshNodeMemory(n: NodeRun): void {
    for (const g of n.groups) this.recomputeGroup(g);
  }

  /** Sets the node's memory alarm if it is earlier than the one already set (see scheduleOom). */
  private setPressureAlarm(n: NodeRun, at: number, action: () => void): void {
    if (at >= n.pressureAt) return;
    this.cluster.sim.cancel(n.pressureHandle);
    n.pressureAt = at;
    n.pressureHandle = this.cluster.sim.schedule(at, Phase.Kubelet, () => {
      n.pressureHandle = null;
      n.pressureAt = Infinity;
      action();
    });
  }

  /** One pass of the eviction manager: rank (over request first, priority, usage above request)
   *  and evict at most one pod, then look again after the monitoring period. */
  private evictionPass(n: NodeRun): void {
    this.refreshNodeMemory(n);
    const now = this.cluster.nowMs;
    const capacity = n.memoryCapacityBytes;
    const threshold = this.evictionThresholdOf(n.node);
    const available = capacity - n.memoryAt(now);
    if (available >= threshold || n.node.state === 'Removed') {
      if (n.underPressure) this.cluster.emit('NodeHasNoMemoryPressure', `Node/-/${n.node.name}`, n.node.name, 'Memory pressure is gone');
      n.underPressure = false;
      this.markNode(n);
      return;
    }
    if (!n.underPressure) this.cluster.emit('EvictionThresholdMet', `Node/-/${n.node.name}`, n.node.name, 'Attempting to reclaim memory');
    n.underPressure = true;
    const candidates: { run: PodRun; usage: number; request: number }[] = [];
    for (const g of n.groups) {
      for (const run of g.pods) {
        const pod = run.pod;
        if (pod.deletionMs >= 0 || pod.priority >= 2_000_000_000) continue; // critical pods are never evicted
        candidates.push({ run, usage: this.podMemory(run, now), request: pod.requests.memoryBytes });
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
    this.setPressureAlarm(n, now + EVICTION_PERIOD_MS, () => this.evictionPass(n));
  }

  /** The node is out of physical memory: the kernel kills the container with the highest badness. */
  private kernelOom(n: NodeRun): void {
    this.refreshNodeMemory(n);
    const now = this.cluster.nowMs;
    const capacity = n.memoryCapacityBytes;
    while (n.memoryAt(now) > capacity) {
      let worst: { run: PodRun; c: number; score: number } | null = null;
      for (const g of n.groups) {
        for (const run of g.pods) {
          for (let c = 0; c < g.models.length; c++) {
            if (run.starts[c] < 0) continue;
            const usage = this.containerMemory(run, c, now);
            const adj = oomScoreAdj(run.pod.qos, g.models[c].memRequestBytes, capacity, run.pod.priority >= 2_000_001_000);
            const score = oomBadness(usage, capacity, adj);
            if (!worst || score > worst.score) worst = { run, c, score };
          }
        }
      }
      if (!worst) break;
      this.oomKill(worst.run, worst.c, `System out of memory: the kernel killed container ${worst.run.group.models[worst.c].name} (oom score ${Math.round(worst.score)})`);
      this.recomputeGroup(worst.run.group);
    }
    this.markNode(n);
  }

  // ---- per-pod views for the history ---------------------------------------------------------

  private perPodCpu(w: WorkloadRun, c: number): number {
    const pods = w.runningByContainer[c] ?? 0;
    return pods > 0 ? (w.cpuByContainer[c] ?? 0) / pods : 0;
  }

  private peakPodMemory(w: WorkloadRun, c: number, t: number): number {
    let peak = 0;
    // Quiet groups without a leak are all alike: their spec's virtual group stands for them.
    const groups = w.loudGroups === 0 && !w.leaky ? [] : w.groups;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (g.quiet && !(g.models[c]?.leakBytesPerMs > 0)) continue;
      peak = Math.max(peak, this.groupPeakMemory(g, c, t));
    }
    for (const spec of w.specs.values()) {
      if (spec.virtual && c < spec.models.length && !(spec.models[c].leakBytesPerMs > 0)) peak = Math.max(peak, this.groupPeakMemory(spec.virtual, c, t));
    }
    return peak;
  }

  /** Memory of the group's biggest pod for container c: the one that started first, if it leaks. */
  private groupPeakMemory(g: Group, c: number, t: number): number {
    if (c >= g.models.length || g.running[c] === 0) return 0;
    const base = Math.max(g.ready > 0 ? g.spec.memReady[c] : 0, g.idleRunning[c] > 0 ? g.spec.memIdle[c] : 0);
    const leak = g.models[c].leakBytesPerMs;
    return base + (leak > 0 ? leak * (t - g.earliestStart(c)) : 0);
  }


}

/** Memory as the kubelet reports it: whole KiB (its stats are Ki-precise), e.g. "102399Ki". */
function kib(bytes: number): string {
  return formatBytes(Math.max(0, Math.floor(bytes / 1024)) * 1024);
}
