// The recommender's cluster feeder (recommender/input/cluster_feeder.go, model/cluster.go): the
// usage history into one aggregate per (workload, container name), and a ContainerState per
// container of every running pod that keeps its memory peak per window and takes its OOM kills.
//
// Upstream, each pass (every minute) adds one CPU sample and one memory sample per container of
// every pod from metrics-server, then the OOMs seen since the last pass. capsim's history keeps
// the same samples compressed (kubelet/usageHistory.ts), and this feeder takes them in lazily
// with the same result:
// - CPU: a run of instants where `count` containers used the same CPU is count × instants
//   samples, one histogram update (exact up to float rounding: the histogram only adds weights).
// - Memory: a pod's samples within one window change only the window's peak (the larger replaces
//   the smaller), so reading the largest sample of the instants not read yet, window by window,
//   leaves the ContainerState and the histogram as sample-by-sample feeding would. Pods are read
//   when their workload's recommendation is wanted (a VPA's every pass; recommendations.csv at
//   the end), before their OOM kill is recorded (upstream records it after that pass's samples),
//   when they go, and all of them once a day, after which the history forgets what came before.
import type { CpuSampleRun, UsageHistory } from '../../metrics/metricsApi.ts';
import type { Pod } from '../../model/pod.ts';
import { ContainerState, MEMORY_AGGREGATION_INTERVAL_MS } from './containerState.ts';
import { ContainerAggregate } from './recommender.ts';

const DAY_MS = 24 * 3_600_000;

interface PodEntry {
  pod: Pod;
  ref: string;
  /** In the pod spec's container order. */
  containers: ContainerState[];
  /** The first sample instant not read yet. */
  nextMs: number;
}

interface PendingOom {
  tMs: number;
  uid: number;
  container: string;
  memoryRequestBytes: number;
}

export class ClusterFeeder {
  /** By workload ref, then container name. */
  private readonly aggregates = new Map<string, Map<string, ContainerAggregate>>();
  private readonly pods = new Map<number, PodEntry>();
  private readonly podsByRef = new Map<string, Set<PodEntry>>();
  private pendingOoms: PendingOom[] = [];

  constructor(private readonly history: UsageHistory) {}

  /** A pod of a workload runs: its containers get a ContainerState (cluster.go AddOrUpdateContainer). */
  podStarted(pod: Pod): void {
    if (!pod.workload || this.pods.has(pod.uid)) return;
    const ref = pod.workload;
    const containers = pod.spec.containers.map((c) => new ContainerState(this.aggregateFor(ref, c.name)));
    const entry: PodEntry = { pod, ref, containers, nextMs: 0 };
    this.pods.set(pod.uid, entry);
    let list = this.podsByRef.get(ref);
    if (!list) this.podsByRef.set(ref, (list = new Set()));
    list.add(entry);
  }

  /** The pod is gone: its samples are read, its last peaks stay in the aggregates. */
  podRemoved(pod: Pod): void {
    const entry = this.pods.get(pod.uid);
    if (!entry) return;
    this.catchUp(entry);
    this.pods.delete(pod.uid);
    this.podsByRef.get(entry.ref)?.delete(entry);
  }

  /** An OOM kill, recorded at the next pass (upstream's OOM observer channel). */
  oomKilled(pod: Pod, container: string, tMs: number, memoryRequestBytes: number): void {
    this.pendingOoms.push({ tMs, uid: pod.uid, container, memoryRequestBytes });
  }

  /** One pass (LoadRealTimeMetrics): CPU runs that ended, then the OOMs; once a day every pod's
   *  memory, so that the history can let go of what is read. */
  pass(nowMs: number): void {
    this.history.takeEndedCpu(this.addCpu);
    const ooms = this.pendingOoms;
    this.pendingOoms = [];
    for (const oom of ooms) {
      // An OOM of a pod that is gone is dropped (cluster.go RecordOOM: KeyError).
      const entry = this.pods.get(oom.uid);
      const state = entry?.containers[entry.pod.spec.containers.findIndex((c) => c.name === oom.container)];
      if (!entry || !state) continue;
      this.catchUp(entry);
      state.recordOom(oom.tMs, oom.memoryRequestBytes);
    }
    if (nowMs > 0 && nowMs % DAY_MS === 0) {
      for (const entry of this.pods.values()) this.catchUp(entry);
      this.history.discardBefore(this.history.lastSampleMs + this.history.stepMs);
    }
  }

  /** The workload's aggregates by container name, with every sample taken so far. */
  current(ref: string): ReadonlyMap<string, ContainerAggregate> | undefined {
    this.history.takeCpu(ref, (run) => this.addCpu(run, ref));
    for (const entry of this.podsByRef.get(ref) ?? []) this.catchUp(entry);
    return this.aggregates.get(ref);
  }

  private aggregateFor(ref: string, container: string): ContainerAggregate {
    let byName = this.aggregates.get(ref);
    if (!byName) this.aggregates.set(ref, (byName = new Map()));
    let agg = byName.get(container);
    if (!agg) byName.set(container, (agg = new ContainerAggregate()));
    return agg;
  }

  private readonly addCpu = (run: Readonly<CpuSampleRun>, ref: string): void => {
    this.aggregateFor(ref, run.container).addCpuSamples(run.cpuMilli, run.count, run.fromMs, this.history.stepMs, run.instants);
  };

  /** Feeds the pod's memory samples up to the last instant sampled: per container, the largest
   *  sample of each window's unread instants. */
  private catchUp(entry: PodEntry): void {
    const untilMs = this.history.lastSampleMs;
    if (untilMs < entry.nextMs) return;
    const interval = MEMORY_AGGREGATION_INTERVAL_MS;
    for (let c = 0; c < entry.containers.length; c++) {
      const state = entry.containers[c];
      const name = entry.pod.spec.containers[c].name;
      let from = entry.nextMs;
      while (from <= untilMs) {
        let to = untilMs;
        if (state.windowEndMs >= 0) {
          // The window a sample at `from` falls in: the current one, or the one the shift lands on.
          const end = from < state.windowEndMs ? state.windowEndMs : state.windowEndMs + (Math.floor((from - state.windowEndMs) / interval) + 1) * interval;
          to = Math.min(untilMs, end - 1);
        }
        const peak = this.history.memoryPeak(entry.pod, name, from, to);
        if (!peak) {
          from = to + 1;
          continue;
        }
        if (state.windowEndMs < 0) {
          // The first sample opens the first window (WindowEnd = its time, then shifted).
          state.windowEndMs = peak.firstMs;
          from = peak.firstMs;
          continue;
        }
        state.addMemorySample(peak.bytes, peak.lastMs);
        from = to + 1;
      }
    }
    entry.nextMs = untilMs + 1;
  }
}
