// Listens to the cluster and samples it: events.csv as events happen, timeseries.csv and
// workloads.csv every sampleEvery, then nodes.csv and summary.json at the end (DESIGN §4).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClusterEvent, ClusterState } from '../cluster/state.ts';
import { Phase } from '../cluster/phases.ts';
import type { Workloads } from '../controllers/workloads.ts';
import type { Scenario } from '../model/scenario.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Accounting } from './accounting.ts';
import { CsvSink } from './csvSink.ts';
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
] as const;
export const EVENT_HEADERS = ['t', 'time', 'type', 'object', 'node', 'message'] as const;

export interface RecorderParts {
  scenario: Scenario;
  cluster: ClusterState;
  scheduler: Scheduler;
  workloads: Workloads;
  accounting: Accounting;
}

export class Recorder {
  private readonly timeseries: CsvSink;
  private readonly workloadRows: CsvSink;
  private readonly events: CsvSink;
  readonly eventCounts = new Map<string, number>();
  private hpaScaleEvents = 0;

  constructor(
    private readonly dir: string,
    private readonly parts: RecorderParts,
  ) {
    this.timeseries = new CsvSink(path.join(dir, 'timeseries.csv'), TIMESERIES_HEADERS);
    this.workloadRows = new CsvSink(path.join(dir, 'workloads.csv'), WORKLOAD_HEADERS);
    this.events = new CsvSink(path.join(dir, 'events.csv'), EVENT_HEADERS);
    parts.cluster.onEvent((e) => this.onEvent(e));
  }

  /** Samples at t = 0, sampleEvery, ... up to and including the duration. */
  start(): void {
    const { sampleEveryMs, durationMs } = this.parts.scenario;
    const sim = this.parts.cluster.sim;
    const tick = () => {
      this.sample();
      if (sim.nowMs + sampleEveryMs <= durationMs) sim.after(sampleEveryMs, Phase.Sample, tick);
    };
    sim.schedule(0, Phase.Sample, tick);
  }

  async drain(): Promise<void> {
    await Promise.all([this.timeseries.drain(), this.workloadRows.drain(), this.events.drain()]);
  }

  private onEvent(e: ClusterEvent): void {
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    if ((e.type === 'ScaledUp' || e.type === 'ScaledDown') && e.message.startsWith('HPA')) this.hpaScaleEvents++;
    this.events.write([seconds(e.tMs), isoTime(this.parts.scenario.startEpochMs, e.tMs), e.type, e.object, e.node, e.message]);
  }

  private sample(): void {
    const { cluster, scenario, accounting: a } = this.parts;
    a.integrate();
    const t = cluster.nowMs;
    const time = isoTime(scenario.startEpochMs, t);
    this.timeseries.write([
      seconds(t), time, a.liveNodes, a.running, a.pending,
      a.cpuAllocatableMilli, a.cpuRequestedMilli, 0,
      a.memoryAllocatableBytes, a.memoryRequestedBytes, 0,
      money(a.costUsdPerHour), money(a.costUsd),
    ]);
    for (const w of this.parts.workloads.all()) {
      this.workloadRows.write([seconds(t), time, w.ref, 0, 0, w.desiredReplicas(), w.readyPods, w.cpuRequestedMilli, 0, w.memoryRequestedBytes, 0, 0, 0]);
    }
  }

  /** Writes nodes.csv and summary.json and closes every stream. */
  async finish(): Promise<Summary> {
    const { cluster, scenario, accounting: a, scheduler } = this.parts;
    a.finish(cluster.pods.values());
    const endMs = cluster.nowMs;
    const nodes = new CsvSink(path.join(this.dir, 'nodes.csv'), NODE_HEADERS);
    for (const account of a.nodeAccounts) {
      const node = account.node;
      const meanOf = (integral: number, allocatable: number) => (account.readyMs > 0 && allocatable > 0 ? pct(integral / (allocatable * account.readyMs)) : 0);
      nodes.write([
        node.name, node.pool ?? '', node.instanceType ?? '', node.capacityType, node.zone ?? '',
        seconds(node.createdMs), node.removedMs >= 0 ? seconds(node.removedMs) : '',
        money(a.nodeCostUsd(node, endMs)),
        meanOf(account.cpuRequestedMilliMs, node.allocatable.cpuMilli), 0,
        meanOf(account.memoryRequestedByteMs, node.allocatable.memoryBytes), 0,
      ]);
    }
    await Promise.all([nodes.close(), this.timeseries.close(), this.workloadRows.close(), this.events.close()]);

    const summary = buildSummary(scenario, a, scheduler, this.eventCounts, this.hpaScaleEvents, endMs);
    await fs.writeFile(path.join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  }
}

export type Summary = ReturnType<typeof buildSummary>;

function buildSummary(scenario: Scenario, a: Accounting, scheduler: Scheduler, counts: Map<string, number>, hpaScaleEvents: number, endMs: number) {
  const totalUsd = a.costUsd;
  const allocated = [...a.costByNamespace.values()].reduce((s, v) => s + v, 0);
  const hours = endMs / 3_600_000;
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, money(v)]));
  const ratio = (num: number, den: number) => (den > 0 ? pct(num / den) : 0);
  const count = (type: string) => counts.get(type) ?? 0;
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    durationSeconds: seconds(endMs),
    cost: {
      totalUsd: money(totalUsd),
      byPool: sorted(a.costByPool),
      byNamespace: sorted(a.costByNamespace),
      idleUsd: money(totalUsd - allocated),
      monthlyRunRateUsd: hours > 0 ? round((totalUsd / hours) * 730, 2) : 0,
    },
    utilization: {
      cpuRequestedPct: ratio(a.cpuRequestedMilliMs, a.cpuAllocatableMilliMs),
      cpuUsedPct: 0,
      memoryRequestedPct: ratio(a.memoryRequestedByteMs, a.memoryAllocatableByteMs),
      memoryUsedPct: 0,
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
      oomKills: count('OOMKilled'),
      evictions: count('Evicted'),
      preemptions: count('Preempted'),
      restarts: 0,
      pendingPodSeconds: round(a.pendingPodMs / 1000, 3),
      maxPending: a.maxPending,
    },
    demand: { servedPct: null as number | null },
    autoscaling: {
      hpaScaleEvents,
      nodeScaleUps: count('NodeScaleUp'),
      nodeScaleDowns: count('NodeScaleDown'),
    },
  };
}
