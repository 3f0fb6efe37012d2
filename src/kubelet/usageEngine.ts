// The kubelet's resource side: what every running container uses, what it gets, and what that
// does to it (reference §5.2-5.6). Demand reaches a workload's Ready pods evenly through its
// Service (src/service/loadBalancer.ts); each container's CPU is capped by its limit (throttling)
// and, when its node is short, shared by cpu.shares (cpu.ts); memory over the limit is an OOM kill
// at the exact crossing time (oomKiller.ts), and a node running out of memory evicts pods in the
// kubelet's order (evictionManager.ts), then the kernel kills by oom_score. What a pod cannot
// serve for lack of CPU, and demand that finds no Ready pod, is unserved.
//
// Everything is computed per group of identical pods (podGroups.ts, groupUsage.ts), nodes whose
// limits cannot contend are accounted per spec (quietNodes.ts), and totals move by deltas. This
// module wires those parts to the cluster's notifications: it keeps the counts of each group,
// marks what changed, and at one flush per instant recomputes it, shares CPU on contended nodes,
// sets the memory alarms and keeps every integral exact. It serves the metrics API
// (src/metrics/metricsApi.ts) through stats.ts.
import type { EventHandle } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { podObjectRef } from '../model/pod.ts';
import { Phase } from '../phases.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';
import type { MetricsApi, PodCpuSum, UsageHistory, UsageIntegral, WorkloadUsage } from '../metrics/metricsApi.ts';
import { DEFAULT_KUBELET_CONFIG } from './config.ts';
import type { KubeletConfig } from './config.ts';
import { shareNodeCpu } from './cpu.ts';
import { EvictionManager } from './evictionManager.ts';
import { loudPending, recomputeGroup } from './groupUsage.ts';
import type { Kubelet } from './kubelet.ts';
import { OomKiller } from './oomKiller.ts';
import { PodGroups } from './podGroups.ts';
import type { Group, NodeRun, PodRun, WorkloadAccount, WorkloadInputs, WorkloadRun } from './podGroups.ts';
import { QuietNodes } from './quietNodes.ts';
import { keepReadySums, nodeUsage, podCpuSum, podUsage, podUsageGroups } from './stats.ts';
import { UsageHistoryRecorder } from './usageHistory.ts';

export type { WorkloadInputs } from './podGroups.ts';

/** What the engine needs of the API server: its notifications, the clock, events; and the
 *  eviction manager deletes pods and posts the MemoryPressure condition through it. */
export type UsageCluster = Pick<ApiServer, 'addListener' | 'sim' | 'nowMs' | 'emit' | 'deletePod' | 'setNodeMemoryPressure'>;

/** What the engine needs of the kubelet's pod lifecycle: to hear of container (re)starts and
 *  machines going down, to tell it a container was OOM-killed, and to admit pods through the
 *  eviction manager. */
export type UsageKubelet = Pick<Kubelet, 'onContainerStarted' | 'onNodeDown' | 'containerExited' | 'addAdmitHandler'>;

export class UsageEngine implements ClusterListener, MetricsApi {
  private readonly pods: PodGroups;
  private readonly quiet: QuietNodes;
  private readonly oomKiller: OomKiller;
  private readonly evictionManager: EvictionManager;
  private readonly dirtyWorkloads = new Set<WorkloadRun>();
  private readonly dirtyNodes = new Set<NodeRun>();
  private readonly dirtyGroups = new Set<Group>();
  private epoch = 0;
  private readonly touchedNodes: NodeRun[] = [];
  private readonly touchedWorkloads: WorkloadRun[] = [];
  private flushHandle: EventHandle | null = null;
  private lastIntegratedMs = 0;
  /** Kept once a reader asked for it (the VPA recommender). */
  private history: UsageHistoryRecorder | null = null;
  /** Cluster totals: used CPU (piecewise constant) and its integral; memory integral. */
  cpuUsedMilliMs = 0;
  memoryUsedByteMs = 0;
  oomKills = 0;

  constructor(
    private readonly cluster: UsageCluster,
    private readonly kubelet: UsageKubelet,
    /** Demand and usage of a workload ref ("Kind/ns/name"), or of a bare pod ("Pod/ns/name"). */
    inputsOf: (ref: string) => WorkloadInputs,
    /** Each node's kubelet flags (eviction threshold, transition period, cgroup version). */
    kubeletConfigOf: (node: Node) => KubeletConfig = () => DEFAULT_KUBELET_CONFIG,
    /** Refs that have a `behavior:` entry. */
    behaviorTargets: ReadonlySet<string> = new Set(),
  ) {
    this.pods = new PodGroups(inputsOf, behaviorTargets, kubeletConfigOf);
    this.quiet = new QuietNodes();
    const host = {
      kill: (run: PodRun, c: number, message: string) => this.oomKill(run, c, message),
      groupChanged: (g: Group) => this.markGroup(g),
      recompute: (g: Group) => recomputeGroup(g, this.cluster.nowMs),
      refresh: (n: NodeRun) => {
        for (const g of n.groups) recomputeGroup(g, this.cluster.nowMs);
      },
      nodeChanged: (n: NodeRun) => this.markNode(n),
      nodeRun: (node: Node) => this.pods.nodes[node.index],
    };
    this.oomKiller = new OomKiller(cluster.sim, host);
    this.evictionManager = new EvictionManager(cluster, this.oomKiller, host);
    kubelet.addAdmitHandler(this.evictionManager);
    cluster.addListener(this);
    kubelet.onContainerStarted = (pod, index) => this.containerStarted(pod, index);
    kubelet.onNodeDown = (node) => this.nodeDown(node);
  }

  /** Sample ticks: time-varying demand and memory noise move at sampleEvery resolution. */
  start(sampleEveryMs: number, durationMs: number): void {
    const sim = this.cluster.sim;
    const tick = () => {
      for (const w of this.pods.workloads.values()) {
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
    // The history's instants follow its reader's cadence, not the recorder's sampleEvery.
    const history = this.history;
    if (!history) return;
    const sampleHistory = () => {
      history.sample(sim.nowMs);
      if (sim.nowMs + history.stepMs <= durationMs) sim.after(history.stepMs, Phase.Sample, sampleHistory);
    };
    sim.schedule(Math.ceil(sim.nowMs / history.stepMs) * history.stepMs, Phase.Sample, sampleHistory);
  }

  // ---- the metrics API -----------------------------------------------------------------------

  workload(ref: string): WorkloadUsage | undefined {
    return this.pods.workloads.get(ref);
  }

  totals(): { cpuUsedMilli: number; memoryUsedBytes: number } {
    const t = this.cluster.nowMs;
    let cpu = 0;
    let memory = 0;
    for (const w of this.pods.workloads.values()) {
      cpu += w.cpuUsedMilli;
      memory += w.memoryAt(t);
    }
    return { cpuUsedMilli: cpu, memoryUsedBytes: memory };
  }

  nodeIntegrals(node: Node): UsageIntegral {
    const n = this.pods.nodes[node.index];
    return n ? { cpuUsedMilliMs: n.cpuUsedMilliMs, memoryByteMs: n.memoryByteMs } : { cpuUsedMilliMs: 0, memoryByteMs: 0 };
  }

  podUsage(pod: Pod, resource: 'cpu' | 'memory', container?: string): number | null {
    return podUsage(this.pods.runs.get(pod.uid), resource, container, this.cluster.nowMs);
  }

  podUsageGroups(ref: string, resource: 'cpu' | 'memory', container: string | undefined, visit: (count: number, usage: number) => void): void {
    podUsageGroups(this.pods.workloads.get(ref), resource, container, this.cluster.nowMs, visit);
  }

  podCpuSum(ref: string, container: string | undefined): Readonly<PodCpuSum> {
    return podCpuSum(this.pods.workloads.get(ref), container, this.cluster.nowMs, this.cpuSum);
  }

  private readonly cpuSum: PodCpuSum = { pods: 0, milli: 0 };

  nodeUsage(node: Node): { cpuMilli: number; memoryBytes: number } {
    return nodeUsage(node.info.pods, this.pods.runs, this.cluster.nowMs);
  }

  refOf(pod: Pod): string {
    return this.pods.refOf(pod);
  }

  /** The account of a workload on a node: opened by its reader when the first pod is bound there
   *  (the groups of its pods add to it), closed by closeUsage. */
  openUsage(node: Node, ref: string): WorkloadAccount {
    return this.pods.nodeRun(node).usageOf(ref);
  }

  usageUpToNow(u: WorkloadAccount): Readonly<UsageIntegral> {
    const out = this.integralOut;
    const pending = this.pending;
    out.cpuUsedMilliMs = u.cpuUsedMilliMs;
    out.memoryByteMs = u.memoryByteMs;
    const now = this.cluster.nowMs;
    for (let i = 0; i < u.groups.length; i++) {
      const g = u.groups[i];
      loudPending(g, now, pending);
      out.cpuUsedMilliMs += pending.cpuUsedMilliMs;
      out.memoryByteMs += pending.memoryByteMs;
      if (!g.quiet) continue;
      this.quiet.pending(g, now, pending);
      out.cpuUsedMilliMs += pending.cpuUsedMilliMs;
      out.memoryByteMs += pending.memoryByteMs;
    }
    return out;
  }

  private readonly integralOut: UsageIntegral = { cpuUsedMilliMs: 0, memoryByteMs: 0 };
  private readonly pending: UsageIntegral = { cpuUsedMilliMs: 0, memoryByteMs: 0 };

  closeUsage(node: Node, ref: string): boolean {
    const n = this.pods.nodes[node.index];
    const u = n?.usageByRef.get(ref);
    if (!u) return true;
    if (u.groups.length > 0) return false;
    n!.usageByRef.delete(ref);
    return true;
  }

  /** Called before start(), which puts its sample instants on the clock. */
  enableHistory(stepMs: number): UsageHistory {
    // Between flushes every loud group's counts and CPU are as recomputed (see cpuSamples).
    this.history ??= new UsageHistoryRecorder(this.pods, stepMs, () => this.flushHandle === null);
    return this.history;
  }

  finish(): void {
    this.integrate();
    const now = this.cluster.nowMs;
    for (const w of this.pods.workloads.values()) for (const g of w.groups) if (g.quiet) this.quiet.settle(g, now);
  }

  // ---- pod notifications ---------------------------------------------------------------------

  podStarted(pod: Pod): void {
    if (!pod.node || this.pods.runs.has(pod.uid)) return;
    const group = this.pods.groupFor(pod, pod.node, this.cluster.nowMs);
    const run: PodRun = { pod, group, starts: group.models.map(() => this.cluster.nowMs), cls: 'idle' };
    this.pods.runs.set(pod.uid, run);
    group.pods.add(run);
    keepReadySums(group);
    for (let c = 0; c < group.models.length; c++) this.addContainer(group, c, run.starts[c], 'idle', 1);
    this.markGroup(group);
    this.reclassify(run);
    this.history?.podChanged(run, this.cluster.nowMs);
  }

  podReadyChanged(pod: Pod): void {
    const run = this.pods.runs.get(pod.uid);
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
    // Most updates (taints, cordons) find no dead pod: a run lives from podStarted to podFinished/
    // podRemoved, while its pod is on node.info, so looking there first skips the scan of every run.
    if (!node.info.pods.some((p) => this.pods.runs.get(p.uid)?.cls === 'dead')) return;
    // A machine back from an outage starts its pods' containers afresh.
    for (const run of this.pods.runs.values()) {
      if (run.group.node.node !== node || run.cls !== 'dead') continue;
      for (let c = 0; c < run.starts.length; c++) if (run.starts[c] < 0) this.containerStarted(run.pod, c);
      this.reclassify(run);
    }
  }

  private nodeDown(node: Node): void {
    for (const run of this.pods.runs.values()) {
      if (run.group.node.node !== node) continue;
      for (let c = 0; c < run.starts.length; c++) this.stopContainer(run, c);
      this.reclassify(run);
    }
  }

  private containerStarted(pod: Pod, index: number): void {
    const run = this.pods.runs.get(pod.uid);
    if (!run || run.starts[index] >= 0) return;
    run.starts[index] = this.cluster.nowMs;
    this.addContainer(run.group, index, run.starts[index], run.cls === 'ready' ? 'ready' : 'idle', 1);
    this.markGroup(run.group);
    this.history?.podChanged(run, this.cluster.nowMs);
  }

  private drop(pod: Pod): void {
    const run = this.pods.runs.get(pod.uid);
    if (!run) return;
    this.integrate();
    this.setClass(run, 'idle');
    for (let c = 0; c < run.starts.length; c++) this.stopContainer(run, c);
    run.group.pods.delete(run);
    keepReadySums(run.group);
    this.pods.runs.delete(pod.uid);
    this.history?.podGone(run, this.cluster.nowMs);
    if (run.group.pods.size === 0) this.removeGroup(run.group);
    else this.markGroup(run.group);
  }

  /** The OOM killer's verdict carried out: the container stops and the kubelet sees it exit. */
  private oomKill(run: PodRun, c: number, message: string): void {
    const name = run.group.models[c].name;
    this.stopContainer(run, c);
    this.oomKills++;
    run.group.w.oomKills++;
    this.cluster.emit('OOMKilled', podObjectRef(run.pod), run.pod.node?.name ?? '', message);
    this.kubelet.containerExited(run.pod, c, name, 'OOMKilled');
    this.reclassify(run);
  }

  // ---- group counts --------------------------------------------------------------------------

  private removeGroup(g: Group): void {
    // Its pods are gone: a quiet group settles its last stretch; a loud one recomputes to zero.
    const now = this.cluster.nowMs;
    if (g.quiet) this.quiet.settle(g, now);
    else {
      recomputeGroup(g, now);
      g.w.loudGroups--;
    }
    this.oomKiller.forget(g);
    this.dirtyGroups.delete(g);
    this.pods.remove(g);
    this.markWorkload(g.w);
    this.markNode(g.node);
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
    const now = this.cluster.nowMs;
    if (g.quiet) this.quiet.settle(g, now);
    for (const target of this.quiet.countTargets(g, now)) {
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
    g.w.service.endpointsChanged((cls === 'idle' ? 0 : 1) - (run.cls === 'idle' ? 0 : 1));
    run.cls = cls;
    keepReadySums(g);
    this.markGroup(g);
    this.history?.podChanged(run, now);
  }

  private addContainer(g: Group, c: number, start: number, cls: 'ready' | 'idle', sign: 1 | -1): void {
    this.integrate();
    const now = this.cluster.nowMs;
    if (g.quiet) this.quiet.settle(g, now);
    for (const target of this.quiet.countTargets(g, now)) {
      target.running[c] += sign;
      target.sumStart[c] += sign * start;
      if (cls === 'idle') target.idleRunning[c] += sign;
    }
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
    this.history?.podChanged(run, this.cluster.nowMs);
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
    for (const w of this.pods.workloads.values()) {
      w.service.integrate(dt);
      w.cpuWantMilliMs += w.cpuWantMilli * dt;
      w.cpuThrottledMilliMs += w.cpuThrottledMilli * dt;
      this.cpuUsedMilliMs += w.cpuUsedMilli * dt;
      // Memory is linear between changes: the trapezoid is exact.
      const memoryNow = w.memoryAt(now);
      this.memoryUsedByteMs += ((w.lastMemory + memoryNow) / 2) * dt;
      w.lastMemory = memoryNow;
    }
    // Loud nodes integrate here; quiet ones settle per group (their own totals stay 0).
    for (const n of this.pods.nodes) {
      if (!n) continue;
      n.cpuUsedMilliMs += n.cpuUsedMilli * dt;
      const memoryNow = n.memoryAt(now);
      n.memoryByteMs += ((n.lastMemory + memoryNow) / 2) * dt;
      n.lastMemory = memoryNow;
    }
    this.lastIntegratedMs = now;
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
      const quiet = this.quiet.isQuiet(n);
      if (quiet !== n.quiet) this.quiet.setQuiet(n, quiet, now, this.dirtyGroups);
    }
    for (const w of this.dirtyWorkloads) {
      w.service.route(now);
      if (w.epoch !== epoch) {
        w.epoch = epoch;
        workloads.push(w);
      }
      const groups = w.groups;
      // Groups on quiet nodes are recomputed as their spec's virtual group, below.
      if (w.loudGroups > 0) for (let j = 0; j < groups.length; j++) if (!groups[j].quiet) this.recomputeOnce(groups[j], epoch);
      for (const spec of w.specs.values()) if (spec.virtual) this.recomputeOnce(spec.virtual, epoch);
    }
    for (const g of this.dirtyGroups) this.recomputeOnce(g.quiet ? this.quiet.virtualOf(g.spec, g.w, now) : g, epoch);
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
      if (contended !== n.contended) this.pods.contendedNodes += contended ? 1 : -1;
      n.contended = contended;
      if (contended) shareNodeCpu(n.groups, n.cpuTree, capacity);
      for (const g of n.groups) {
        recomputeGroup(g, now);
        if (g.spec.mayOom || g.oomAt < Infinity) this.oomKiller.watch(g, now);
        if (g.w.epoch !== epoch) {
          g.w.epoch = epoch;
          workloads.push(g.w);
        }
      }
    }
    for (let i = 0; i < workloads.length; i++) {
      const w = workloads[i];
      w.service.serve();
      if (w.oomAlarms === 0 && !mayOom(w)) continue;
      const groups = w.groups;
      for (let j = 0; j < groups.length; j++) {
        const g = groups[j];
        const recomputed = g.quiet ? g.spec.virtual!.epoch === epoch : g.epoch === epoch;
        if (recomputed && (g.spec.mayOom || g.oomAt < Infinity)) this.oomKiller.watch(g, now);
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      n.lastMemory = n.memoryAt(now);
      this.evictionManager.watch(n, now);
    }
  }

  /** Recomputes a group once per flush and notes its node and workload as touched. */
  private recomputeOnce(g: Group, epoch: number): void {
    if (g.epoch === epoch) return;
    g.epoch = epoch;
    recomputeGroup(g, this.cluster.nowMs);
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
}

/** Whether a container of any of the workload's specs could reach its memory limit. */
function mayOom(w: WorkloadRun): boolean {
  for (const spec of w.specs.values()) if (spec.mayOom) return true;
  return false;
}
