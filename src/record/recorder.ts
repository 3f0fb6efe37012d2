// Listens to the cluster and samples it: events.csv as events happen, timeseries.csv and
// workloads.csv every sampleEvery, then nodes.csv and summary.json at the end (DESIGN §4).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClusterEvent, ApiServer } from '../api/apiServer.ts';
import { Phase } from '../phases.ts';
import type { Workloads } from '../api/workloadIndex.ts';
import type { Scenario } from '../model/scenario.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Accounting } from './accounting.ts';
import type { MetricsApi } from '../metrics/metricsApi.ts';
import type { Kubelet } from '../kubelet/kubelet.ts';
import { CsvSink, NULL_SINK, SeriesCsvSink, needsQuoting, type LineSink, type RowSink } from './csvSink.ts';
import { isoTime, money, pct, round, seconds } from './format.ts';

export const TIMESERIES_HEADERS = [
  't', 'time', 'nodes', 'pods_running', 'pods_pending', 'cpu_allocatable_m', 'cpu_requested_m', 'cpu_used_m',
  'memory_allocatable_bytes', 'memory_requested_bytes', 'memory_used_bytes', 'cost_usd_per_hour', 'cost_usd_cumulative',
] as const;
export const WORKLOAD_HEADERS = [
  't', 'time', 'workload', 'demand', 'served', 'replicas_desired', 'replicas_ready', 'cpu_requested_m', 'cpu_used_m',
  'memory_requested_bytes', 'memory_used_bytes', 'cpu_throttled_pct', 'oom_kills',
] as const;
export const NODE_HEADERS = [
  'node', 'pool', 'instance_type', 'capacity_type', 'zone', 'created_t', 'removed_t', 'cost_usd',
  'cpu_requested_mean_pct', 'cpu_used_mean_pct', 'memory_requested_mean_pct', 'memory_used_mean_pct',
  'cpu_allocatable_m', 'memory_allocatable_bytes', 'ready_seconds',
] as const;
export const NODE_UTILIZATION_HEADERS = [
  't', 'time', 'node', 'cpu_requested_pct', 'cpu_used_pct', 'memory_requested_pct', 'memory_used_pct',
] as const;
/** node-utilization.csv holds about this many samples per node whatever the run's length: every
 *  node at every sample would be millions of rows on a month of a large fleet (and sampling 1,000
 *  nodes costs ~5 ms), and the report's heatmap shows no more columns than this. */
const NODE_UTILIZATION_SAMPLES = 120;
export const EVENT_HEADERS = ['t', 'time', 'type', 'object', 'node', 'message'] as const;

export interface RecorderParts {
  scenario: Scenario;
  cluster: ApiServer;
  scheduler: Scheduler;
  workloads: Workloads;
  accounting: Accounting;
  usage: MetricsApi;
  kubelet: Kubelet;
}

export class Recorder {
  private readonly timeseries: SeriesCsvSink;
  private readonly workloadRows: LineSink;
  private readonly events: RowSink;
  private readonly nodeUtilization: LineSink;
  /** node-utilization.csv takes every this-many-th sample. */
  private readonly nodeSampleStride: number;
  private samples = 0;
  readonly eventCounts = new Map<string, number>();
  private hpaScaleEvents = 0;
  /** OOM kills per workload already reported, so each row shows the kills since the last. */
  private readonly oomReported = new Map<string, number>();

  /** `detail` false: summary.json and timeseries.csv only (a sweep's runs), no per-workload,
   *  per-node or per-event files. */
  constructor(
    private readonly dir: string,
    private readonly parts: RecorderParts,
    private readonly detail = true,
  ) {
    this.timeseries = new SeriesCsvSink(path.join(dir, 'timeseries.csv'), TIMESERIES_HEADERS);
    this.workloadRows = detail ? new SeriesCsvSink(path.join(dir, 'workloads.csv'), WORKLOAD_HEADERS) : NULL_SINK;
    this.events = detail ? new CsvSink(path.join(dir, 'events.csv'), EVENT_HEADERS) : NULL_SINK;
    this.nodeUtilization = detail ? new SeriesCsvSink(path.join(dir, 'node-utilization.csv'), NODE_UTILIZATION_HEADERS) : NULL_SINK;
    const { sampleEveryMs, durationMs } = parts.scenario;
    this.nodeSampleStride = Math.max(1, Math.ceil(durationMs / sampleEveryMs / NODE_UTILIZATION_SAMPLES));
    parts.cluster.onEvent((e) => this.onEvent(e));
    parts.accounting.allocateWith(parts.usage, parts.cluster.sim, parts.scenario.durationMs);
  }

  /** Samples at t = 0, sampleEvery, ... up to and including the duration. */
  start(): void {
    // Workload refs are validated Kubernetes names; the series writer relies on that.
    for (const w of this.parts.workloads.all()) if (needsQuoting(w.ref)) throw new Error(`workload name needs CSV quoting: ${w.ref}`);
    for (const n of this.parts.cluster.nodes) if (needsQuoting(n.name)) throw new Error(`node name needs CSV quoting: ${n.name}`);
    const { sampleEveryMs, durationMs } = this.parts.scenario;
    const sim = this.parts.cluster.sim;
    const tick = () => {
      this.sample();
      if (sim.nowMs + sampleEveryMs <= durationMs) sim.after(sampleEveryMs, Phase.Sample, tick);
    };
    sim.schedule(0, Phase.Sample, tick);
  }

  async drain(): Promise<void> {
    await Promise.all([this.timeseries.drain(), this.workloadRows.drain(), this.events.drain(), this.nodeUtilization.drain()]);
  }

  private onEvent(e: ClusterEvent): void {
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    if ((e.type === 'ScaledUp' || e.type === 'ScaledDown') && e.message.startsWith('HPA')) this.hpaScaleEvents++;
    if (this.detail) this.events.write([seconds(e.tMs), isoTime(this.parts.scenario.startEpochMs, e.tMs), e.type, e.object, e.node, e.message]);
  }

  private sample(): void {
    const { cluster, scenario, accounting: a, usage } = this.parts;
    a.integrate();
    const t = cluster.nowMs;
    const time = isoTime(scenario.startEpochMs, t);
    const used = usage.totals();
    this.timeseries.write([
      seconds(t), time, a.liveNodes, a.running, a.pending,
      a.cpuAllocatableMilli, a.cpuRequestedMilli, Math.round(used.cpuUsedMilli),
      a.memoryAllocatableBytes, a.memoryRequestedBytes, Math.round(used.memoryUsedBytes),
      money(a.costUsdPerHour), money(a.costUsd),
    ]);
    usage.recordHistory();
    if (!this.detail) return;
    for (const w of this.parts.workloads.all()) {
      const run = usage.workload(w.ref);
      const oom = run ? run.oomKills - (this.oomReported.get(w.ref) ?? 0) : 0;
      if (run) this.oomReported.set(w.ref, run.oomKills);
      const demand = round(run?.demandRate ?? 0, 4);
      const served = round(run?.servedRate ?? 0, 4);
      const cpuUsed = Math.round(run?.cpuUsedMilli ?? 0);
      const memoryUsed = Math.round(run ? run.memoryAt(t) : 0);
      const throttled = run && run.cpuWantMilli > 0 ? pct(run.cpuThrottledMilli / run.cpuWantMilli) : 0;
      this.workloadRows.writeLine(
        `${seconds(t)},${time},${w.ref},${demand},${served},${w.desiredReplicas()},${w.readyPods},${w.cpuRequestedMilli},${cpuUsed},${w.memoryRequestedBytes},${memoryUsed},${throttled},${oom}`,
      );
    }
    if (this.samples++ % this.nodeSampleStride === 0) this.sampleNodes(seconds(t), time);
  }

  /** Requests and usage of every node not yet removed, as a share of its allocatable, at this instant. */
  private sampleNodes(t: number, time: string): void {
    const { accounting, usage } = this.parts;
    for (const account of accounting.nodeAccounts) {
      if (!account || account.node.state === 'Removed') continue;
      const node = account.node;
      const used = usage.nodeUsage(node);
      const share = (amount: number, allocatable: number) => (allocatable > 0 ? pct(amount / allocatable) : 0);
      const { cpuMilli, memoryBytes } = node.allocatable;
      this.nodeUtilization.writeLine(
        `${t},${time},${node.name},${share(account.cpuRequestedMilli, cpuMilli)},${share(used.cpuMilli, cpuMilli)},${share(account.memoryRequestedBytes, memoryBytes)},${share(used.memoryBytes, memoryBytes)}`,
      );
    }
  }

  /** Writes nodes.csv and summary.json and closes every stream. */
  async finish(): Promise<Summary> {
    const { cluster, scenario, accounting: a, scheduler, usage, kubelet } = this.parts;
    a.finish();
    usage.finish();
    const endMs = cluster.nowMs;
    const nodes: RowSink = this.detail ? new CsvSink(path.join(this.dir, 'nodes.csv'), NODE_HEADERS) : NULL_SINK;
    for (const account of a.nodeAccounts) {
      const node = account.node;
      const meanOf = (integral: number, allocatable: number) => (account.readyMs > 0 && allocatable > 0 ? pct(integral / (allocatable * account.readyMs)) : 0);
      nodes.write([
        node.name, node.pool ?? '', node.instanceType ?? '', node.capacityType, node.zone ?? '',
        seconds(node.createdMs), node.removedMs >= 0 ? seconds(node.removedMs) : '',
        money(a.nodeCostUsd(node, endMs)),
        meanOf(account.cpuRequestedMilliMs, node.allocatable.cpuMilli), meanOf(usage.nodeIntegrals(node).cpuUsedMilliMs, node.allocatable.cpuMilli),
        meanOf(account.memoryRequestedByteMs, node.allocatable.memoryBytes), meanOf(usage.nodeIntegrals(node).memoryByteMs, node.allocatable.memoryBytes),
        node.allocatable.cpuMilli, node.allocatable.memoryBytes, seconds(account.readyMs),
      ]);
    }
    await Promise.all([nodes.close(), this.timeseries.close(), this.workloadRows.close(), this.events.close(), this.nodeUtilization.close()]);

    const summary = buildSummary(scenario, a, scheduler, usage, kubelet.restarts, this.parts.workloads, this.eventCounts, this.hpaScaleEvents, endMs);
    await fs.writeFile(path.join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  }
}

export type Summary = ReturnType<typeof buildSummary>;

function buildSummary(
  scenario: Scenario,
  a: Accounting,
  scheduler: Scheduler,
  usage: MetricsApi,
  restarts: number,
  workloads: Workloads,
  counts: Map<string, number>,
  hpaScaleEvents: number,
  endMs: number,
) {
  let demand = 0;
  let served = 0;
  for (const w of workloads.all()) {
    const run = usage.workload(w.ref);
    demand += run?.demandUnitMs ?? 0;
    served += run?.servedUnitMs ?? 0;
  }
  const totalUsd = a.costUsd;
  const hours = endMs / 3_600_000;
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, money(v)]));
  const ratio = (num: number, den: number) => (den > 0 ? pct(num / den) : 0);
  const count = (type: string) => counts.get(type) ?? 0;
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    durationSeconds: seconds(endMs),
    /** Node cost (price x life, provisioning included) and its OpenCost allocation: max(request,
     *  usage) per workload per node per hour; idle = total - allocated (negative when bursting
     *  pods are charged more than the requests left free). */
    cost: {
      totalUsd: money(totalUsd),
      byPool: sorted(a.costByPool),
      byNamespace: sorted(a.costByNamespace),
      idleUsd: money(totalUsd - a.allocatedUsd),
      monthlyRunRateUsd: hours > 0 ? round((totalUsd / hours) * 730, 2) : 0,
      allocatedUsd: money(a.allocatedUsd),
      byInstanceType: sorted(a.costByInstanceType),
      byCapacityType: sorted(a.costByCapacityType),
      byWorkload: sorted(a.costByWorkload),
    },
    utilization: {
      cpuRequestedPct: ratio(a.cpuRequestedMilliMs, a.cpuAllocatableMilliMs),
      cpuUsedPct: ratio(usage.cpuUsedMilliMs, a.cpuAllocatableMilliMs),
      memoryRequestedPct: ratio(a.memoryRequestedByteMs, a.memoryAllocatableByteMs),
      memoryUsedPct: ratio(usage.memoryUsedByteMs, a.memoryAllocatableByteMs),
    },
    nodes: {
      min: a.minNodes === Infinity ? 0 : a.minNodes,
      max: a.maxNodes,
      mean: endMs > 0 ? round(a.nodeMs / endMs, 4) : a.liveNodes,
      nodeHours: round(a.nodeMs / 3_600_000, 4),
    },
    pods: {
      scheduled: scheduler.scheduledCount,
      unschedulable: scheduler.pendingCount,
      oomKills: usage.oomKills,
      evictions: count('Evicted'),
      preemptions: count('Preempted'),
      restarts,
      pendingPodSeconds: round(a.pendingPodMs / 1000, 3),
      maxPending: a.maxPending,
    },
    /** Served share of all demand offered (null when no workload has demand). */
    demand: { servedPct: demand > 0 ? round((100 * served) / demand, 4) : (null as number | null) },
    autoscaling: {
      hpaScaleEvents,
      nodeScaleUps: count('NodeScaleUp'),
      nodeScaleDowns: count('NodeScaleDown'),
    },
  };
}
