// Listens to the cluster and samples it: events.csv as events happen, timeseries.csv and
// workloads.csv every sampleEvery, then nodes.csv and summary.json at the end (DESIGN §4).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClusterEvent, ApiServer } from '../api/apiServer.ts';
import { Phase } from '../phases.ts';
import type { WorkloadIndex } from '../api/workloadIndex.ts';
import { HPA_SOURCE } from '../api/scale.ts';
import type { Scenario } from '../model/scenario.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Accounting } from '../cost/accounting.ts';
import { idleCostUsd } from '../cost/allocationWindows.ts';
import type { MetricsApi } from '../metrics/metricsApi.ts';
import type { Kubelet } from '../kubelet/kubelet.ts';
import type { ControllerManager } from '../controllers/manager.ts';
import { CsvSink, NULL_SINK, SeriesCsvSink, type LineSink, type RowSink } from './csvSink.ts';
import { ParquetSink } from '../outputs/parquetSink.ts';
import type { TableFormat } from '../outputs/tables.ts';
import { isPlainCell } from '../outputs/csvCells.ts';
import { isoTime, money, pct, round, seconds } from '../outputs/format.ts';
import { EVENTS, GPU, HOURLY, NODES, NODE_UTILIZATION, TIMESERIES, WORKLOADS, nodeSampleStride, type ColumnOf, type CsvFile } from '../outputs/csvFiles.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';
import type { GpuSummary, RunWarning, Summary } from '../outputs/summary.ts';
import { RunFlags } from './runFlags.ts';
import { FocusWriter } from '../focus/focusWriter.ts';
import { focusRunId } from '../focus/runId.ts';
import { CarbonAccount } from '../carbon/carbonAccount.ts';
import { HourlyRecorder } from './hourly.ts';
import { GpuRecorder } from './gpu.ts';
import type { CarbonOf } from '../cost/chargePeriod.ts';
import type { TraceReplay } from '../kubectl/traceReplay.ts';
import { TracePodsRecorder } from './tracePods.ts';
import { PeakRequests, WorkloadTotals } from '../advice/collect.ts';
import { buildAdvice } from '../advice/advice.ts';

export interface RecorderParts {
  scenario: Scenario;
  /** The controllers (summary.autoscaling.karpenter reads Karpenter's figures). */
  controllers?: ControllerManager;
  api: ApiServer;
  scheduler: Scheduler;
  accounting: Accounting;
  usage: MetricsApi;
  kubelet: Kubelet;
  /** spec.traces' replay (null or absent: the scenario has no traces). */
  traces?: TraceReplay | null;
}

export class Recorder {
  private readonly timeseries: LineSink<ColumnOf<typeof TIMESERIES>>;
  private readonly workloadRows: LineSink<ColumnOf<typeof WORKLOADS>>;
  private readonly events: RowSink<ColumnOf<typeof EVENTS>>;
  private readonly nodeUtilization: LineSink<ColumnOf<typeof NODE_UTILIZATION>>;
  /** hourly.csv: cost and carbon per UTC hour and pool (hourly.ts). */
  private readonly hourly: LineSink<ColumnOf<typeof HOURLY>>;
  /** node-utilization.csv takes every this-many-th sample. */
  private readonly nodeSampleStride: number;
  private samples = 0;
  readonly eventCounts = new Map<string, number>();
  private hpaScaleEvents = 0;
  /** OOM kills per workload already reported, so each row shows the kills since the last. */
  private readonly oomReported = new Map<string, number>();
  private readonly flags: RunFlags;
  /** focus.csv's writer (focus/), for runs that write it. */
  private readonly focus: FocusWriter | null;
  /** Every node-hour's carbon (src/carbon/), for summary.json's carbon section: always, a
   *  sweep's runs included. */
  private readonly carbon: CarbonAccount;
  /** pods.csv and summary.traces, for a run with traces. */
  private readonly tracePods: TracePodsRecorder | null;
  /** gpu.csv and summary.json's gpu section, for runs whose nodes have GPUs (gpu.ts). */
  private readonly gpu: GpuRecorder;
  /** summary.json `advice` (src/advice/): the pods at the peak of requests and each workload's
   *  requests and usage over the run; detail runs only (a sweep's figures stay as they were). */
  private readonly peak: PeakRequests | null;
  private readonly workloadTotals: WorkloadTotals | null;

  /** `detail` false: summary.json and timeseries.csv only (a sweep's runs), no per-workload,
   *  per-node or per-event files. `preflight`: the warnings found before the run
   *  (src/preflight.ts), written into summary.json ahead of the run's own. */
  constructor(
    private readonly dir: string,
    private readonly parts: RecorderParts,
    private readonly detail = true,
    private readonly preflight: readonly RunWarning[] = [],
    /** The tables' form (--tables): CSV, or Parquet (outputs/parquetSink.ts). */
    private readonly tables: TableFormat = 'csv',
    /** Write focus.csv (FOCUS rows of every node-hour): run.ts decides, by its size; `runId`
     *  replaces x_CapsimRunId's (a rerun writing an earlier run's rows: export/focus.ts). */
    focus: boolean | { runId: string } = detail,
  ) {
    this.flags = new RunFlags(parts.scenario);
    const series = <C extends string>(file: CsvFile<C>): LineSink<C> => (tables === 'parquet' ? new ParquetSink(dir, file) : new SeriesCsvSink(dir, file));
    this.timeseries = series(TIMESERIES);
    this.workloadRows = detail ? series(WORKLOADS) : NULL_SINK;
    this.events = detail ? (tables === 'parquet' ? new ParquetSink(dir, EVENTS) : new CsvSink(dir, EVENTS)) : NULL_SINK;
    this.nodeUtilization = detail ? series(NODE_UTILIZATION) : NULL_SINK;
    this.hourly = detail ? series(HOURLY) : NULL_SINK;
    this.tracePods = parts.traces ? new TracePodsRecorder(dir, parts.traces, detail, tables) : null;
    this.gpu = new GpuRecorder(parts.api, parts.scenario.startEpochMs, parts.scenario.sampleEveryMs, detail ? () => series(GPU) : null);
    const { sampleEveryMs, durationMs } = parts.scenario;
    this.nodeSampleStride = nodeSampleStride(durationMs, sampleEveryMs);
    parts.api.onEvent((e) => this.onEvent(e));
    const { scenario } = parts;
    // Carbon first: the FOCUS writer reads the same node-hour's estimate for its x_ columns.
    this.carbon = new CarbonAccount(scenario.carbon);
    parts.accounting.allocation.addListener(this.carbon);
    if (detail) parts.accounting.allocation.addListener(new HourlyRecorder(this.hourly, this.carbon.carbonOf, scenario.startEpochMs));
    this.peak = detail ? new PeakRequests() : null;
    this.workloadTotals = detail ? new WorkloadTotals() : null;
    if (this.workloadTotals) parts.accounting.allocation.addListener(this.workloadTotals);
    this.focus = focus
      ? new FocusWriter(dir, { scenario: scenario.name, seed: scenario.seed, runId: typeof focus === 'object' ? focus.runId : focusRunId(scenario.resolved, scenario.seed), startEpochMs: scenario.startEpochMs },
        this.carbon.carbonOf, tables)
      : null;
    if (this.focus) parts.accounting.allocation.addListener(this.focus);
    parts.accounting.allocateWith(parts.usage, parts.api.sim, parts.scenario.durationMs, parts.scenario.startEpochMs);
  }

  /** A node-hour's carbon, as summary.json counts it (for the FOCUS writer's x_ columns). */
  get carbonOf(): CarbonOf {
    return this.carbon.carbonOf;
  }

  /** Samples at t = 0, sampleEvery, ... up to and including the duration. */
  start(): void {
    // Workload refs (Kind/namespace/name) and node names are validated Kubernetes names: never a
    // comma, a quote or a formula's first character. The series writers join them into rows
    // unchecked, so they are checked here once rather than on each of millions of rows; nodes the
    // autoscaler adds later are named <pool>-<ordinal>, and pool names are DNS labels.
    for (const w of this.parts.api.workloads.all()) if (!isPlainCell(w.ref)) throw new Error(`workload name needs CSV quoting or neutralising: ${w.ref}`);
    for (const n of this.parts.api.nodes) if (!isPlainCell(n.name)) throw new Error(`node name needs CSV quoting or neutralising: ${n.name}`);
    const { sampleEveryMs, durationMs } = this.parts.scenario;
    const sim = this.parts.api.sim;
    const tick = () => {
      this.sample();
      if (sim.nowMs + sampleEveryMs <= durationMs) sim.after(sampleEveryMs, Phase.Sample, tick);
    };
    sim.schedule(0, Phase.Sample, tick);
  }

  async drain(): Promise<void> {
    await Promise.all([this.timeseries.drain(), this.workloadRows.drain(), this.events.drain(), this.nodeUtilization.drain(), this.hourly.drain(), this.gpu.drain(), this.focus?.drain(), this.tracePods?.drain()]);
  }

  private onEvent(e: ClusterEvent): void {
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    this.flags.onEvent(e);
    if ((e.type === 'ScaledUp' || e.type === 'ScaledDown') && e.source === HPA_SOURCE) this.hpaScaleEvents++;
    if (this.detail) this.events.write({ t: seconds(e.tMs), time: isoTime(this.parts.scenario.startEpochMs, e.tMs), type: e.type, object: e.object, node: e.node, message: e.message });
  }

  private sample(): void {
    const { api, scenario, accounting: a, usage } = this.parts;
    a.integrate();
    const t = api.nowMs;
    const time = isoTime(scenario.startEpochMs, t);
    const used = usage.totals();
    this.timeseries.write({
      t: seconds(t), time, nodes: a.liveNodes, pods_running: a.running, pods_pending: a.pending,
      cpu_allocatable_m: a.cpuAllocatableMilli, cpu_requested_m: a.cpuRequestedMilli, cpu_used_m: Math.round(used.cpuUsedMilli),
      memory_allocatable_bytes: a.memoryAllocatableBytes, memory_requested_bytes: a.memoryRequestedBytes, memory_used_bytes: Math.round(used.memoryUsedBytes),
      cost_usd_per_hour: money(a.costUsdPerHour), cost_usd_cumulative: money(a.costUsd),
    });
    this.flags.sample(api);
    this.gpu.sample(t);
    if (!this.detail) return;
    this.peak?.sample(api, a.cpuRequestedMilli, a.memoryRequestedBytes);
    // The first two columns, the same on every row of the instant.
    const prefix = `${seconds(t)},${time},`;
    for (const w of this.parts.api.workloads.all()) {
      const run = usage.workload(w.ref);
      const oom = run ? run.oomKills - (this.oomReported.get(w.ref) ?? 0) : 0;
      if (oom !== 0) this.oomReported.set(w.ref, run!.oomKills);
      const demand = round(run?.demandRate ?? 0, 4);
      const served = round(run?.servedRate ?? 0, 4);
      const cpuUsed = Math.round(run?.cpuUsedMilli ?? 0);
      const memoryUsed = Math.round(run ? run.memoryAt(t) : 0);
      const throttled = run && run.cpuWantMilli > 0 ? pct(run.cpuThrottledMilli / run.cpuWantMilli) : 0;
      // The WORKLOADS columns, in order.
      this.workloadRows.writeLine(
        `${prefix}${w.ref},${demand},${served},${w.desiredReplicas()},${w.readyPods},${w.cpuRequestedMilli},${cpuUsed},${w.memoryRequestedBytes},${memoryUsed},${throttled},${oom}`,
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
      // The NODE_UTILIZATION columns, in order.
      this.nodeUtilization.writeLine(
        `${t},${time},${node.name},${share(account.cpuRequestedMilli, cpuMilli)},${share(used.cpuMilli, cpuMilli)},${share(account.memoryRequestedBytes, memoryBytes)},${share(used.memoryBytes, memoryBytes)}`,
      );
    }
  }

  /** Writes nodes.csv and summary.json and closes every stream. */
  async finish(): Promise<Summary> {
    const { api, scenario, accounting: a, scheduler, usage, kubelet } = this.parts;
    a.finish();
    usage.finish();
    if (this.focus) checkFocusTotals(this.focus.rows, a);
    const endMs = api.nowMs;
    const nodes: RowSink<ColumnOf<typeof NODES>> = !this.detail ? NULL_SINK : this.tables === 'parquet' ? new ParquetSink(this.dir, NODES) : new CsvSink(this.dir, NODES);
    for (const account of a.nodeAccounts) {
      const node = account.node;
      const meanOf = (integral: number, allocatable: number) => (account.readyMs > 0 && allocatable > 0 ? pct(integral / (allocatable * account.readyMs)) : 0);
      nodes.write({
        node: node.name, pool: node.pool ?? '', instance_type: node.instanceType ?? '', capacity_type: node.capacityType, zone: node.zone ?? '',
        created_t: seconds(node.createdMs), removed_t: node.removedMs >= 0 ? seconds(node.removedMs) : '',
        cost_usd: money(a.nodeCostUsd(node, endMs)),
        cpu_requested_mean_pct: meanOf(account.cpuRequestedMilliMs, node.allocatable.cpuMilli),
        cpu_used_mean_pct: meanOf(usage.nodeIntegrals(node).cpuUsedMilliMs, node.allocatable.cpuMilli),
        memory_requested_mean_pct: meanOf(account.memoryRequestedByteMs, node.allocatable.memoryBytes),
        memory_used_mean_pct: meanOf(usage.nodeIntegrals(node).memoryByteMs, node.allocatable.memoryBytes),
        cpu_allocatable_m: node.allocatable.cpuMilli, memory_allocatable_bytes: node.allocatable.memoryBytes, ready_seconds: seconds(account.readyMs),
        nodepool: node.labels['karpenter.sh/nodepool'] ?? '', nodeclaim: node.nodeClaim ?? '', price_usd_per_hour: node.priceUsdPerHour,
      });
    }
    await Promise.all([nodes.close(), this.timeseries.close(), this.workloadRows.close(), this.events.close(), this.nodeUtilization.close(), this.hourly.close(), this.gpu.close(), this.focus?.close()]);

    // The carbon gaps found before the run (carbon/carbonPreflight.ts) are found again, on the
    // nodes the run had: those replace them.
    const before = this.preflight.filter((w) => w.code !== 'carbon-unknown' && w.code !== 'carbon-approximate');
    const warnings = [...before, ...this.flags.warnings(api, usage, endMs), ...this.carbon.warnings()];
    const summary = buildSummary(scenario, a, this.carbon, scheduler, usage, kubelet.restarts, api.workloads, this.eventCounts, this.hpaScaleEvents, endMs, warnings);
    const karpenter = this.parts.controllers?.get('karpenter');
    if (karpenter) summary.autoscaling.karpenter = karpenter.summary();
    if (this.tracePods) {
      // Before the warnings, in the order of outputs/summary.ts.
      const warningList = summary.warnings;
      delete summary.warnings;
      summary.traces = await this.tracePods.finish();
      if (warningList) summary.warnings = warningList;
    }
    const gpu = this.gpu.summary();
    if (gpu) withGpu(summary, gpu);
    if (this.peak && this.workloadTotals) summary.advice = this.advice(summary);
    await fs.writeFile(path.join(this.dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  }

  private advice(summary: Summary): Summary['advice'] {
    const { api, usage, controllers } = this.parts;
    const trouble = api.workloads.all().flatMap((w) => {
      const run = usage.workload(w.ref);
      return run ? [{ ref: w.ref, throttledShare: run.cpuWantMilliMs > 0 ? run.cpuThrottledMilliMs / run.cpuWantMilliMs : 0, oomKills: run.oomKills }] : [];
    });
    return buildAdvice({
      summary, peak: this.peak!.snapshot, hpas: this.flags.hpaBounds(controllers?.get('horizontalpodautoscaling')?.limitCounts()), trouble, totals: this.workloadTotals!.byWorkload,
      recommendations: controllers?.get('vertical-pod-autoscaler')?.rows() ?? [],
      fromRequests: new Set((summary.warnings ?? []).filter((w) => w.code === 'usage-from-requests').flatMap((w) => w.objects)),
    });
  }
}

/** focus.csv's rows sum to the run's cost and allocation (the promise of docs/outputs.md
 *  "focus.csv"): a file that did not would be a plausible wrong bill, so the run stops instead. */
function checkFocusTotals(rows: { billedUsd: number; allocatedUsd: number }, a: Accounting): void {
  const off = (x: number, y: number) => Math.abs(x - y) >= 0.005;
  if (off(rows.billedUsd, a.costUsd) || off(rows.allocatedUsd, a.allocation.allocatedUsd)) {
    throw new Error(
      `internal error: focus.csv's rows sum to $${money(rows.billedUsd)} ($${money(rows.allocatedUsd)} allocated) where the run's cost is ` +
        `$${money(a.costUsd)} ($${money(a.allocation.allocatedUsd)} allocated); please report it with the scenario (--no-focus runs without the file)`,
    );
  }
}

/** summary.json, its keys in the order of outputs/summary.ts. */
function buildSummary(
  scenario: Scenario,
  a: Accounting,
  carbon: CarbonAccount,
  scheduler: Scheduler,
  usage: MetricsApi,
  restarts: number,
  workloads: WorkloadIndex,
  counts: Map<string, number>,
  hpaScaleEvents: number,
  endMs: number,
  warnings: RunWarning[],
): Summary {
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
    cost: {
      totalUsd: money(totalUsd),
      byPool: sorted(a.costByPool),
      listUsd: money(a.listUsd),
      byNamespace: sorted(a.allocation.costByNamespace),
      idleUsd: money(idleCostUsd(totalUsd, a.allocation.allocatedUsd)),
      monthlyRunRateUsd: hours > 0 ? round((totalUsd / hours) * 730, 2) : 0,
      allocatedUsd: money(a.allocation.allocatedUsd),
      byInstanceType: sorted(a.costByInstanceType),
      byCapacityType: sorted(a.costByCapacityType),
      byWorkload: sorted(a.allocation.costByWorkload),
    },
    carbon: carbon.summary(),
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
    demand: { servedPct: demand > 0 ? round((100 * served) / demand, 4) : null },
    autoscaling: {
      hpaScaleEvents,
      nodeScaleUps: count('NodeScaleUp'),
      nodeScaleDowns: count('NodeScaleDown'),
    },
    // Only when there are any: a run without warnings writes the bytes it always did.
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** The gpu section after autoscaling and before warnings (the order of outputs/summary.ts). */
function withGpu(summary: Summary, gpu: GpuSummary): void {
  const warnings = summary.warnings;
  delete summary.warnings;
  summary.gpu = gpu;
  if (warnings) summary.warnings = warnings;
}
