// How big a run will be, before it starts: nodes, pods, events, the rows and bytes of every file
// it writes, the memory it needs and the wall time it takes, as a pure function of the loaded
// Scenario. limits.ts refuses what is over the documented limits (docs/scenario.md "Limits").
//
// Counts follow the scenario: pools' counts (their max when the autoscaler may grow them), Node
// manifests that join no pool, replicas (a scripted scale; an HPA at what its metric asks for at
// the demand's highest, hpaSwing.ts), DaemonSets on every node, Jobs' completions, CronJob
// schedules and Job arrivals over the duration; a Pod of a cluster's state counts with its
// workload. What a run decides for itself (how far an HPA swings, what the autoscaler adds) is a
// rule of thumb, said where used, and errs high. Costs per pod, node, sample and row were
// measured on the bench scenarios (large-1000-nodes-30d, diurnal-100-nodes-30d,
// autoscaling-20-200-nodes-30d, the design-scale month, k8s-sims-big-1200) and on generated
// clusters of up to 16,000 nodes and 80,000 pods, on a 2-vCPU machine: the estimates came within
// 0.8-1.3 times the bytes and rows written, 0.7-1.5 times the memory and 0.65-1.3 times the CPU
// time (docs/scenario.md "Limits").
import type { Behavior, NodePool, Scenario, ScriptedEvent } from '../model/scenario.ts';
import type { CronJobObject, DeploymentObject, HpaObject, JobSpecModel, KubeObject, StatefulSetObject } from '../model/objects.ts';
import { controllerOf, objectRef } from '../model/objects.ts';
import { planManifestNode } from '../cloud/manifestNodes.ts';
import { CronSchedule } from '../workload/cron.ts';
import { DEFAULT_RUN_MS } from '../workload/runDuration.ts';
import { formatDuration } from '../duration.ts';
import { numFeasibleNodesToFind } from '../scheduler/algorithm.ts';
import { nodeSampleStride } from '../outputs/csvFiles.ts';
import { CHUNK_MS, RUN_FILES } from '../outputs/runDirectory.ts';
import { hpaSwing } from './hpaSwing.ts';
import type { TableFormat } from '../outputs/tables.ts';
import { formatBytes, formatCount } from '../scenario/limits.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const KB = 1024;
const MB = 1024 * KB;

/** Bytes per row of each file, measured on the bench runs (large-1000-nodes-30d: timeseries 123,
 *  workloads 84 + the workload's name, node-utilization 76, nodes 123, events 118). */
const ROW_BYTES = { timeseries: 120, workloadsBase: 85, nodeUtilization: 80, nodes: 125, events: 120, recommendations: 110, pods: 70 } as const;
/** report.html and charts/*.svg: 1.1 MB (e27) to 2.9 MB (autoscaling-20-200) on the bench runs. */
const REPORT_BYTES = 2 * MB;

/** Memory (resident), measured with --format none: Node and capsim's modules 95 MB; 6 KB a node
 *  (4,000 -> 16,000 nodes); 6 KB a pod (5,000 -> 80,000 replicas: 137 -> 514 MB), and 1 KB a
 *  pod deleted during the run (its accounting stays; the churn keeps the heap larger): the
 *  design-scale month (about 200,000 pods created, 14,000 at once) peaked at 556 MB, estimated
 *  845 MB; autoscaling-20-200 (14,940 created, 540 at once) at 321 MB, estimated 228; 8 KB a declared object held from the manifests (k8s-sims-big: 8,277 objects,
 *  224 MB); 0.4 KB a pod per simulated day (large-1000: 210 MB at 1 day, 294 MB at 30); 50 bytes
 *  a sample of a workload with demand (diurnal-100: 40 workloads x 43,201 samples, 235 MB). The
 *  report adds 80 MB (vega) and about half of workloads.csv, which it reads back (large-1000:
 *  +170 MB for 188 MB). The rows of a chunk of the run (CHUNK_MS: an hour) wait in memory until
 *  the chunk ends, 1.3 bytes a byte written (quickstart for an hour at sampleEvery 10ms: 229 MB
 *  written, 400 MB). */
export const MEMORY_BASE = 95 * MB;
const MEMORY = { perNode: 6 * KB, perPod: 6 * KB, perPodGone: 1 * KB, perObject: 8 * KB, perPodDay: 0.4 * KB, perDemandSample: 50, perBufferedByte: 1.3, report: 80 * MB, reportPerCsvByte: 0.5 } as const;

/** Wall time, measured on a 2-vCPU machine (user + system time where other work shared it):
 *  - the process: 0.5 s (Node, the modules, a small scenario: quickstart at --format none);
 *  - a node 80 us (16,000 nodes without pods: 1.6 s);
 *  - placing a pod: 0.15 us per node filtered (every node for a DaemonSet pod: 4,000 of them on
 *    4,000 nodes, 2.1 s); a Deployment or StatefulSet pod also 0.1 us per node for the default
 *    topology spreading's PreScore and 0.5 us per node scored (numFeasibleNodesToFind;
 *    large-1000-nodes-30d), and for the pods of its workload placed before it a cost per pair
 *    that grows with their number: 5,000, 10,000, 20,000 and 80,000 replicas of one Deployment
 *    on 500 to 8,000 nodes took 2.1, 5.9, 26 and 1,125 s, which 0.05 us x (pairs / 2e8)^0.68
 *    per pair fits within 1.3 times;
 *  - a pod's life (created, admitted, started, Ready, deleted) 50 us for a pod of the start and
 *    300 us for one created later (churn: autoscaling-20-200, where a new pod often waits for a
 *    node); an HPA sync 1 us (design-1000: 34.6 M syncs); an autoscaler scan 0.05 us a node;
 *  - a sample 15 us and 0.03 us a node (quickstart at sampleEvery 10ms, 10s and 5m; large-1000)
 *    and a CSV row 1 us; a pod 5 ns per simulated minute (the kubelet's and the VPA's per-minute
 *    work); a pod with demand 50 ns per sample (diurnal-100);
 *  - the report 0.6 s plus 12 ns per CSV byte it reads back (large-1000: 3.3 s for 200 MB). */
export const WALL_SETUP_MS = 500;
/** How often an HPA syncs: controllers/hpa/horizontal.ts HPA_SYNC_PERIOD_MS, which only the
 *  controller manager may import (test/run-size.test.ts checks they agree). */
export const HPA_SYNC_MS = 15_000;
const WALL = {
  perNodeUs: 80, perNodeFilteredUs: 0.15, perNodeSpreadUs: 0.1, perNodeScoredUs: 0.5, perSiblingUs: 0.05, siblingPairsAt: 2e8, siblingExponent: 0.68,
  perPodAtStartUs: 50, perPodLaterUs: 300, perHpaSyncUs: 1, perScanNodeUs: 0.05, perSampleUs: 15, perNodeSampleUs: 0.03, perRowUs: 1,
  perPodMinuteUs: 0.005, perDemandPodSampleUs: 0.05, reportMs: 600, reportPerCsvByteUs: 0.012,
  perFocusRowUs: 11,
} as const;

export interface FileEstimate {
  file: string;
  rows: number;
  bytes: number;
  /** How the rows come about, for messages: "289 samples x 5 workloads". */
  why: string;
}

/** One object's share of the pods, for messages. */
export interface PodSource {
  ref: string;
  /** Pods at once and created over the run. */
  peak: number;
  created: number;
  /** "10,000 replicas", "1,440 runs of a CronJob x 1 pod". */
  why: string;
}

export interface RunSize {
  durationMs: number;
  sampleEveryMs: number;
  /** Samples: t = 0, sampleEvery, ... up to the duration (rows of timeseries.csv). */
  samples: number;
  workloads: number;
  /** Nodes of the pools and manifests; `karpenter`: Karpenter's NodePools add nodes too, which
   *  are not estimated (they depend on the solve over the pods' requests). */
  nodes: { initial: number; peak: number; created: number; karpenter?: true };
  pods: { peak: number; created: number };
  /** The objects with the most pods at once and the most created. */
  largest: { peak: PodSource | null; created: PodSource | null };
  /** Rows of events.csv. */
  events: number;
  files: FileEstimate[];
  rows: number;
  bytes: number;
  memoryBytes: number;
  /** What memoryBytes adds up, above MEMORY_BASE. */
  memory: { nodes: number; pods: number; objects: number; podDays: number; demandSamples: number; buffered: number; report: number };
  /** The simulation, then the report when one is written. */
  wallMs: number;
  wall: { nodesMs: number; placementMs: number; podsMs: number; controllersMs: number; samplingMs: number; podTimeMs: number; demandMs: number; reportMs: number; focusMs: number };
}

export interface SizeOptions {
  /** False for a sweep's runs: summary.json and timeseries.csv only (run.ts `detail`). */
  detail?: boolean;
  /** focus.csv (run.ts `focus`): true, false, or absent for a detail run's default (written
   *  when its estimate is within FOCUS_AUTO_MAX_ROWS). */
  focus?: boolean;
  /** The tables' form (--tables): focus.parquet is far smaller than focus.csv. */
  tables?: TableFormat;
  /** Whether report.html and charts are drawn. */
  report?: boolean;
}

/** The size of a run of `s`: see the file comment for what each figure counts. */
export function estimateRunSize(s: Scenario, options: SizeOptions = {}): RunSize {
  const detail = options.detail ?? true;
  const report = detail && (options.report ?? true);
  const days = s.durationMs / DAY_MS;
  const samples = Math.floor(s.durationMs / s.sampleEveryMs) + 1;
  const nodes = countNodes(s);
  const pods = countPods(s, nodes);
  const workloads = s.objects.filter(isWorkload);

  // events.csv: Scheduled, Started and Ready for every pod; a pod created later also brings
  // about four more (FailedScheduling, TriggeredScaleUp, ScalingReplicaSet, Killed: large-1000
  // and autoscaling-20-200); NodeAdded and NodeReady; SuccessfulCreate, Completed and
  // JobCompleted for a Job; a few per scripted event.
  const events = Math.round(3 * pods.created + 4 * Math.max(0, pods.created - pods.initial) + 2 * nodes.created + 3 * pods.jobs + 4 * s.events.length);
  const refLength = workloads.length ? workloads.reduce((n, o) => n + objectRef(o).length, 0) / workloads.length : 0;
  const stride = nodeSampleStride(s.durationMs, s.sampleEveryMs);
  const nodeSamples = Math.ceil(samples / stride);
  const containers = workloads.reduce((n, o) => n + containerCount(o), 0);
  const traceRows = (s.traces ?? []).reduce((sum, t) => sum + t.rows, 0);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const files: FileEstimate[] = [
    { file: RUN_FILES.timeseries, rows: samples, bytes: samples * ROW_BYTES.timeseries, why: `${n(samples)} samples (every ${formatDuration(s.sampleEveryMs)} over ${formatDuration(s.durationMs)})` },
  ];
  if (detail) {
    files.push(
      { file: RUN_FILES.workloads, rows: samples * workloads.length, bytes: samples * workloads.length * (ROW_BYTES.workloadsBase + refLength), why: `${n(samples)} samples x ${n(workloads.length)} workloads` },
      { file: RUN_FILES.nodeUtilization, rows: nodeSamples * nodes.peak, bytes: nodeSamples * nodes.peak * ROW_BYTES.nodeUtilization, why: `${n(nodeSamples)} samples x ${n(nodes.peak)} nodes` },
      { file: RUN_FILES.nodes, rows: nodes.created, bytes: nodes.created * ROW_BYTES.nodes, why: `${n(nodes.created)} nodes` },
      { file: RUN_FILES.events, rows: events, bytes: events * ROW_BYTES.events, why: `3 events per pod created (${n(pods.created)}), 4 more per pod created after the start, 2 per node` },
      ...(traceRows > 0 ? [{ file: RUN_FILES.pods, rows: traceRows, bytes: traceRows * ROW_BYTES.pods, why: `${n(traceRows)} trace pods` }] : []),
      { file: RUN_FILES.recommendations, rows: containers, bytes: containers * ROW_BYTES.recommendations, why: `${n(containers)} containers` },
    );
  }
  let focusRows = 0;
  if (detail && options.focus !== false) {
    const focus = focusFile(s, nodes, pods, workloads.length, options.tables);
    if (options.focus === true || focus.rows <= FOCUS_AUTO_MAX_ROWS) {
      files.push(focus);
      focusRows = focus.rows;
    }
  }
  const csvBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const rows = files.reduce((sum, f) => sum + f.rows, 0);
  files.push({ file: report ? 'summary.json, scenario.resolved.yaml, report' : 'summary.json, scenario.resolved.yaml', rows: 0, bytes: 4 * KB + JSON.stringify(s.resolved).length + (report ? REPORT_BYTES : 0), why: 'one of each' });
  const workloadsCsv = files.find((f) => f.file === RUN_FILES.workloads)?.bytes ?? 0;

  const demandWorkloads = new Set(s.behavior.filter((b) => b.demand.length > 0).map((b) => b.target));
  const demandPods = pods.sources.filter((p) => demandWorkloads.has(p.ref)).reduce((sum, p) => sum + p.peak, 0);
  const historySamples = Math.min(samples, Math.ceil(s.durationMs / MINUTE_MS) + 1);
  const memory = {
    nodes: MEMORY.perNode * nodes.peak,
    pods: MEMORY.perPod * pods.held + MEMORY.perPodGone * Math.max(0, pods.created - pods.held),
    objects: MEMORY.perObject * s.objects.length,
    podDays: MEMORY.perPodDay * pods.peak * days,
    demandSamples: MEMORY.perDemandSample * demandWorkloads.size * historySamples,
    buffered: MEMORY.perBufferedByte * csvBytes * Math.min(1, CHUNK_MS / Math.max(1, s.durationMs)),
    report: report ? MEMORY.report + MEMORY.reportPerCsvByte * workloadsCsv : 0,
  };

  const scored = numFeasibleNodesToFind(nodes.peak, s.cluster.scheduler.percentageOfNodesToScore);
  const placementUs =
    (pods.spreadCreated + pods.otherCreated) * WALL.perNodeFilteredUs * nodes.peak +
    pods.spreadCreated * (WALL.perNodeSpreadUs * nodes.peak + WALL.perNodeScoredUs * scored) +
    pods.spreadPairs * WALL.perSiblingUs * (pods.spreadPairs / WALL.siblingPairsAt) ** WALL.siblingExponent;
  const hpas = s.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length;
  const scans = s.cluster.autoscaler ? s.durationMs / s.cluster.autoscaler.scanIntervalMs : 0;
  const wall = {
    nodesMs: (nodes.created * WALL.perNodeUs) / 1000,
    placementMs: placementUs / 1000,
    podsMs: (pods.initial * WALL.perPodAtStartUs + Math.max(0, pods.created - pods.initial) * WALL.perPodLaterUs) / 1000,
    controllersMs: ((hpas * s.durationMs) / HPA_SYNC_MS * WALL.perHpaSyncUs + scans * nodes.peak * WALL.perScanNodeUs) / 1000,
    samplingMs: (samples * (WALL.perSampleUs + WALL.perNodeSampleUs * nodes.peak) + rows * WALL.perRowUs) / 1000,
    podTimeMs: (pods.peak * (s.durationMs / MINUTE_MS) * WALL.perPodMinuteUs) / 1000,
    demandMs: (demandPods * samples * WALL.perDemandPodSampleUs) / 1000,
    reportMs: report ? WALL.reportMs + (csvBytes * WALL.reportPerCsvByteUs) / 1000 : 0,
    focusMs: (focusRows * WALL.perFocusRowUs) / 1000,
  };
  const wallMs = WALL_SETUP_MS + Object.values(wall).reduce((sum, ms) => sum + ms, 0);

  const byPeak = [...pods.sources].sort((a, b) => b.peak - a.peak)[0] ?? null;
  const byCreated = [...pods.sources].sort((a, b) => b.created - a.created)[0] ?? null;
  return {
    durationMs: s.durationMs,
    sampleEveryMs: s.sampleEveryMs,
    samples,
    workloads: workloads.length,
    nodes: { initial: nodes.initial, peak: nodes.peak, created: nodes.created, ...(s.karpenter?.nodePools.some((np) => np.replicas === null) ? { karpenter: true as const } : {}) },
    pods: { peak: Math.round(pods.peak), created: Math.round(pods.created) },
    largest: { peak: byPeak, created: byCreated },
    events,
    files,
    rows,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    memoryBytes: MEMORY_BASE + Object.values(memory).reduce((sum, b) => sum + b, 0),
    memory,
    wallMs,
    wall,
  };
}

/** focus.csv is written by default up to this many rows (about 240 MB of CSV, 3 s): a month of
 *  a 1,000-node fleet is 8.6 M rows (a row per workload per node-hour), 8.6 GB and 95 s more as
 *  CSV, 42 MB and 90 s more as Parquet. Such a run asks for it (--focus) or exports it later
 *  (capsim export focus). */
export const FOCUS_AUTO_MAX_ROWS = 250_000;
/** Bytes per focus.csv row, measured on fleet-cost (1,463 rows, 960 bytes each: the dimensions
 *  repeat on every row, and a workload's row carries its allocation details and tags as JSON)
 *  and large-1000-nodes-30d (8.6 GB, 1,000 bytes a row); focus.parquet 5 bytes a row there
 *  (42 MB: dictionaries). */
const FOCUS_ROW_BYTES = { csv: 960, parquet: 5 } as const;

/** focus.csv's rows: a row per node-hour (its idle cost) and per workload on the node in the
 *  hour, nodes at their peak count for the whole run (errs high for autoscaled pools: 2.1 times
 *  autoscaling-20-200's rows; 0.96 times large-1000's), workloads per node the pods per node at
 *  most. Karpenter's nodes are not counted (not estimated, as above). */
function focusFile(s: Scenario, nodes: NodeCounts, pods: PodCounts, workloads: number, tables: TableFormat = 'csv'): FileEstimate {
  const nodeHours = nodes.peak * Math.ceil(s.durationMs / HOUR_MS);
  const perNode = Math.min(workloads, Math.ceil(pods.peak / Math.max(1, nodes.peak)));
  const rows = nodeHours * (1 + perNode);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const name = tables === 'parquet' ? RUN_FILES.focus.replace(/\.csv$/, '.parquet') : RUN_FILES.focus;
  return { file: name, rows, bytes: rows * FOCUS_ROW_BYTES[tables], why: `${n(nodeHours)} node-hours x (1 + ${n(perNode)} workloads a node)` };
}

/** focus.csv's estimate for a detail run of `s`, whether or not the default writes it. */
export function focusEstimate(s: Scenario, tables: TableFormat = 'csv'): FileEstimate {
  const nodes = countNodes(s);
  return focusFile(s, nodes, countPods(s, nodes), s.objects.filter(isWorkload).length, tables);
}

/** Why a detail run of `s` leaves focus.csv out by default (over FOCUS_AUTO_MAX_ROWS), for the
 *  run's notes and validate's; null when the default writes it. */
export function focusLeftOut(s: Scenario, tables: TableFormat = 'csv'): string | null {
  const estimate = focusEstimate(s, tables);
  if (estimate.rows <= FOCUS_AUTO_MAX_ROWS) return null;
  return `${estimate.file} not written: about ${formatCount(estimate.rows)} rows, ${formatBytes(estimate.bytes)} (${estimate.why}), over the ${formatCount(FOCUS_AUTO_MAX_ROWS)} written by default, ` +
    `and about ${Math.round((estimate.rows * WALL.perFocusRowUs) / 1e6)} s more; capsim run --focus writes it anyway (--tables parquet: much smaller), or capsim export focus <runDir> later`;
}

function isWorkload(o: KubeObject): boolean {
  return o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'Job' || o.kind === 'CronJob';
}

function containerCount(o: KubeObject): number {
  switch (o.kind) {
    case 'CronJob':
      return o.spec.jobTemplate.spec.template.spec.containers.length;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return o.spec.template.spec.containers.length;
    default:
      return 0;
  }
}

interface NodeCounts {
  initial: number;
  peak: number;
  created: number;
  /** Zones the nodes are spread over (for a zone outage's share). */
  zones: number;
}

/** Pools' counts (their max when the autoscaler may grow them, within maxNodesTotal) and the
 *  Node manifests that join no pool (one that joins a pool is in its count: cloud/manifestNodes.ts);
 *  spot pools replace their interrupted nodes. */
function countNodes(s: Scenario): NodeCounts {
  const pools = s.cluster.nodePools;
  const manifests = s.objects.filter((o) => o.kind === 'Node' && (pools.length === 0 || planManifestNode(o, pools).pool === null)).length;
  const autoscaled = s.cluster.autoscaler !== null;
  const initial = s.cluster.nodePools.reduce((n, p) => n + p.count, 0) + manifests;
  let peak = s.cluster.nodePools.reduce((n, p) => n + (autoscaled ? Math.max(p.count, p.max) : p.count), 0);
  const cap = s.cluster.autoscaler?.maxNodesTotal ?? 0;
  if (cap > 0) peak = Math.min(peak, Math.max(cap, initial - manifests));
  peak += manifests;
  const days = s.durationMs / DAY_MS;
  const spot = s.cluster.nodePools.reduce((n, p: NodePool) => n + (p.spot ? p.spot.interruptionsPerNodeDay * p.count * days : 0), 0);
  const scripted = s.events.reduce((n, e) => n + (e.type === 'spotInterruption' ? e.spotInterruption.count : 0), 0);
  const zones = new Set(s.cluster.nodePools.flatMap((p) => p.zones)).size;
  return { initial, peak, created: Math.round(peak + spot + scripted), zones: Math.max(1, zones) };
}

interface PodCounts {
  /** At t = 0, at once at most, held in memory (finished Job pods stay), created over the run. */
  initial: number;
  peak: number;
  held: number;
  created: number;
  /** Jobs created (their own events). */
  jobs: number;
  /** Deployment and StatefulSet pods (default topology spreading) placed at the start and later;
   *  every other pod placed. */
  spreadCreated: number;
  /** Pairs of a placed Deployment or StatefulSet pod and a pod of the same workload placed before
   *  it: the spreading counts those (per node, indexed by the ReplicaSet's hash). */
  spreadPairs: number;
  otherCreated: number;
  sources: PodSource[];
}

interface PodContext {
  s: Scenario;
  nodes: NodeCounts;
  rollouts: Map<string, number>;
  scaledTo: Map<string, number>;
  hpas: Map<string, HpaObject>;
  behavior: Map<string, Behavior>;
  /** objectRef of every object: a Pod whose controller is one of them is counted with it. */
  declared: Set<string>;
}

function countPods(s: Scenario, nodes: NodeCounts): PodCounts {
  const ctx: PodContext = { s, nodes, rollouts: new Map(), scaledTo: new Map(), hpas: new Map(), behavior: new Map(s.behavior.map((b) => [b.target, b])), declared: new Set(s.objects.map(objectRef)) };
  for (const e of s.events) {
    if (e.type === 'rollout') ctx.rollouts.set(e.rollout.target, (ctx.rollouts.get(e.rollout.target) ?? 0) + 1);
    if (e.type === 'scale') ctx.scaledTo.set(e.scale.target, Math.max(ctx.scaledTo.get(e.scale.target) ?? 0, e.scale.replicas));
  }
  for (const o of s.objects) if (o.kind === 'HorizontalPodAutoscaler') ctx.hpas.set(`${o.spec.scaleTargetRef.kind}/${o.metadata.namespace}/${o.spec.scaleTargetRef.name}`, o);

  const counts: PodCounts = { initial: 0, peak: 0, held: 0, created: 0, jobs: 0, spreadCreated: 0, spreadPairs: 0, otherCreated: 0, sources: [] };
  for (const o of s.objects) {
    const p = podsOf(o, ctx);
    if (!p) continue;
    counts.initial += p.initial;
    counts.peak += p.peak;
    counts.held += p.held;
    counts.created += p.created;
    counts.jobs += p.jobs;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      counts.spreadCreated += p.created;
      counts.spreadPairs += (p.initial * p.initial) / 2 + (p.created - p.initial) * p.peak;
    } else counts.otherCreated += p.created;
    counts.sources.push({ ref: objectRef(o), peak: p.peak, created: p.created, why: p.why });
  }
  // A pod trace's rows are pods created during the run; how many live at once depends on their
  // times, which are not read here (peak 0: not estimated).
  for (const t of s.traces ?? []) {
    counts.created += t.rows;
    counts.otherCreated += t.rows;
    counts.sources.push({ ref: t.shown, peak: 0, created: t.rows, why: `${t.rows.toLocaleString('en-US')} rows of a pod trace` });
  }
  // Pods moved off nodes that scripted events take away: the nodes' share of the pods.
  const perNode = counts.peak / Math.max(1, nodes.initial);
  const moved = s.events.reduce((n, e) => n + perNode * nodesTaken(e, nodes), 0);
  counts.created += moved;
  counts.spreadCreated += moved;
  counts.spreadPairs += moved * (counts.peak / Math.max(1, counts.sources.length));
  return counts;
}

function nodesTaken(e: ScriptedEvent, nodes: NodeCounts): number {
  switch (e.type) {
    case 'drain':
      return e.drain.count;
    case 'nodeFailure':
      return e.nodeFailure.count;
    case 'spotInterruption':
      return e.spotInterruption.count;
    case 'zoneOutage':
      return nodes.initial / nodes.zones;
    default:
      return 0;
  }
}

interface ObjectPods {
  initial: number;
  peak: number;
  held: number;
  created: number;
  jobs: number;
  why: string;
}

function podsOf(o: KubeObject, ctx: PodContext): ObjectPods | null {
  const ref = objectRef(o);
  const days = ctx.s.durationMs / DAY_MS;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  switch (o.kind) {
    case 'Pod': {
      // A pod of a cluster's state whose controller is declared is that workload's: counted there.
      const owner = controllerOf(o.metadata);
      if (owner && ctx.declared.has(`${owner.kind}/${o.metadata.namespace}/${owner.name}`)) return null;
      return { initial: 1, peak: 1, held: 1, created: 1, jobs: 0, why: 'a Pod' };
    }
    case 'DaemonSet': {
      const rollouts = ctx.rollouts.get(ref) ?? 0;
      const { peak, created } = ctx.nodes;
      return { initial: ctx.nodes.initial, peak, held: peak, created: created + rollouts * peak, jobs: 0, why: `one pod on each of ${n(peak)} nodes` };
    }
    case 'Deployment':
    case 'StatefulSet':
      return replicated(o, ref, ctx);
    case 'Job': {
      const arrivals = ctx.behavior.get(ref)?.arrivals;
      if (!arrivals) {
        if (o.spec.suspend) return { initial: 0, peak: 0, held: 0, created: 0, jobs: 0, why: 'a suspended Job' };
        const job = jobPods(o.spec);
        return { initial: job.atOnce, peak: job.atOnce, held: job.total, created: job.total, jobs: 1, why: `a Job of ${n(job.total)} pods` };
      }
      const count = 'cron' in arrivals ? cronFires(arrivals.cron, null, ctx.s) : arrivals.poissonPerHour * (ctx.s.durationMs / HOUR_MS);
      return repeatedJobs(o.spec, count, runMs(ctx.behavior.get(ref)), ctx.s.durationMs, o.spec.ttlSecondsAfterFinished === null ? count : 0, `${n(count)} arrivals of a Job`);
    }
    case 'CronJob': {
      const spec = o.spec;
      if (spec.suspend) return { initial: 0, peak: 0, held: 0, created: 0, jobs: 0, why: 'a suspended CronJob' };
      const count = cronFires(spec.schedule, spec.timeZone, ctx.s);
      const kept = spec.successfulJobsHistoryLimit + spec.failedJobsHistoryLimit;
      return repeatedJobs(spec.jobTemplate.spec, count, runMs(ctx.behavior.get(ref)), ctx.s.durationMs, Math.min(count, kept), `${n(count)} runs of a CronJob`, spec.concurrencyPolicy);
    }
    default:
      return null;
  }
}

/** A Deployment or StatefulSet: its replicas (what an HPA asks for at the highest demand, a
 *  scripted scale when higher), a surge during rollouts, a new set of pods per rollout, and the
 *  pods an HPA creates each time it swings back up (runSizeHpa.ts). */
function replicated(o: DeploymentObject | StatefulSetObject, ref: string, ctx: PodContext): ObjectPods {
  const hpa = ctx.hpas.get(ref);
  const swing = hpa ? hpaSwing(hpa, o, ctx.behavior.get(ref), ctx.s.durationMs) : null;
  const initial = swing ? Math.min(Math.max(o.spec.replicas, hpa!.spec.minReplicas), hpa!.spec.maxReplicas) : o.spec.replicas;
  const replicas = Math.max(initial, swing?.high ?? 0, ctx.scaledTo.get(ref) ?? 0);
  const rollouts = ctx.rollouts.get(ref) ?? 0;
  const surge = o.kind === 'Deployment' && rollouts > 0 && o.spec.strategy.type === 'RollingUpdate' ? surgeOf(o.spec.strategy.maxSurge, replicas) : 0;
  const churn = swing ? (swing.high - swing.low) * swing.cycles : 0;
  const n = (x: number) => x.toLocaleString('en-US');
  const why = !swing ? `${n(replicas)} replica${replicas === 1 ? '' : 's'}` : swing.solved ? `an HPA between ${n(swing.low)} and ${n(swing.high)} replicas as the demand moves` : `an HPA's maxReplicas ${n(hpa!.spec.maxReplicas)}`;
  return { initial, peak: replicas + surge, held: replicas + surge, created: initial + Math.max(0, replicas - initial) + churn + rollouts * replicas, jobs: 0, why };
}

/** maxSurge of a RollingUpdate: a count, or a percentage of the replicas rounded up. */
function surgeOf(maxSurge: number | string, replicas: number): number {
  if (typeof maxSurge === 'number') return maxSurge;
  const pct = Number.parseFloat(maxSurge);
  return Number.isFinite(pct) ? Math.ceil((replicas * pct) / 100) : 0;
}

/** Pods a Job runs at once and in all: completions (parallelism for a work queue). */
function jobPods(spec: JobSpecModel): { atOnce: number; total: number } {
  const total = spec.completions ?? spec.parallelism;
  return { atOnce: Math.min(spec.parallelism, total), total };
}

/** Jobs started `count` times over the run, each running about `runMs`: at once, those started
 *  within one run time of each other (one at a time for Forbid and Replace); `kept` finished
 *  Jobs keep their pods. */
function repeatedJobs(spec: JobSpecModel, count: number, runMs: number, durationMs: number, kept: number, why: string, policy: CronJobObject['spec']['concurrencyPolicy'] = 'Allow'): ObjectPods {
  const job = jobPods(spec);
  const overlapping = count <= 0 ? 0 : policy === 'Allow' ? Math.min(count, Math.max(1, Math.ceil((count * runMs) / durationMs))) : 1;
  const peak = overlapping * job.atOnce;
  return { initial: 0, peak, held: peak + kept * job.total, created: count * job.total, jobs: count, why: `${why} x ${job.total.toLocaleString('en-US')} pod${job.total === 1 ? '' : 's'}` };
}

/** A Job pod's mean run time from `behavior.run` (lognormal: median x e^(sigma^2/2)); one minute
 *  without it (workload/runDuration.ts). */
function runMs(b: Behavior | undefined): number {
  const d = b?.run?.duration;
  if (!d) return DEFAULT_RUN_MS;
  if ('fixedMs' in d) return d.fixedMs;
  if ('exponential' in d) return d.exponential.meanMs;
  return d.lognormal.medianMs * Math.exp((d.lognormal.sigma * d.lognormal.sigma) / 2);
}

/** How many times a schedule fires in (start, start + duration]: counted up to 10,000 times, then
 *  extrapolated from the time those took. */
function cronFires(schedule: string, timeZone: string | null, s: Scenario): number {
  let cron: CronSchedule;
  try {
    cron = CronSchedule.parse(schedule, timeZone);
  } catch {
    return 0; // the loader has reported it
  }
  const end = s.startEpochMs + s.durationMs;
  let t = s.startEpochMs;
  for (let count = 0; ; ) {
    const next = cron.next(t);
    if (next === null || next > end) return count;
    count++;
    t = next;
    if (count >= 10_000) return (count * s.durationMs) / Math.max(1, t - s.startEpochMs);
  }
}
