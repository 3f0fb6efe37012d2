// capsim export openmetrics: a finished run's series as OpenMetrics text, under the metric names
// and labels that cAdvisor, kube-state-metrics and OpenCost expose, so a simulated period can be
// backfilled into Prometheus (`promtool tsdb create-blocks-from openmetrics`) and looked at in a
// team's dashboards, and so the tests can make realistic input for `capsim import metrics`.
//
// Format: OpenMetrics 1.0 (github.com/OpenObservability/OpenMetrics, specification/OpenMetrics.md):
// each family's `# TYPE` and `# HELP` (and `# UNIT` where the name ends with its unit), its samples
// together, each series' samples in increasing time, timestamps in seconds, counters named
// `<family>_total`, the text ending with `# EOF`.
//
// Only what the run's files hold is written (they are read back with report/runFiles.ts):
// - A run records each workload's totals, not its pods: each workload is one pod,
//   `<workload>-capsim` (for a Deployment owned by the ReplicaSet `<workload>-capsim`, for a
//   CronJob by the Job `<workload>-capsim`), whose container series carry the whole workload's
//   usage and requests. `container` is the container's name when the workload has one, else
//   `all-containers`. Sums by namespace or by owner are the run's figures; per-pod figures
//   (averages over replicas, a pod's node) are not in a run's files and are not written.
// - Demand and served (units/s) are written as the counters an application would expose,
//   `capsim_workload_demand_units_total` and `capsim_workload_served_units_total` (the integral of
//   the rate, as container_cpu_usage_seconds_total is of CPU), for workloads with demand.
// - CFS periods and throttled periods are an approximation: capsim records the share of the CPU
//   the containers wanted that they did not get (cpu_throttled_pct), not periods. The synthetic
//   pod has 10 periods a second (the 100 ms CFS period) per Ready replica, and that share of them
//   throttled: rate(throttled) / rate(periods) gives cpu_throttled_pct back (weighted by Ready
//   replicas), but a real kernel's throttled periods count periods where the quota ran out at
//   all, not the share of CPU wanted.
// - Not written (no honest source in a run's files): a container's last terminated reason (OOM
//   kills are written as cAdvisor's container_oom_events_total), a Deployment's available
//   replicas (capsim models minReadySeconds; its files record Ready).
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TIMESERIES, WORKLOADS } from '../outputs/csvFiles.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { cell, num, readCsv, readNodes, readRecommendations, readSummary, type NodeRow, type Recommendation } from '../report/runFiles.ts';

type Labels = Record<string, string>;

/** One workload's rows of workloads.csv, in time order. */
interface WorkloadRows {
  kind: string;
  namespace: string;
  name: string;
  t: number[];
  cpuUsedMilli: number[];
  memoryUsedBytes: number[];
  cpuRequestedMilli: number[];
  memoryRequestedBytes: number[];
  replicasDesired: number[];
  replicasReady: number[];
  oomKills: number[];
  demand: number[];
  served: number[];
  cpuThrottledPct: number[];
}

interface Hpa {
  namespace: string;
  name: string;
  /** Kind/namespace/name of its scale target, as workloads.csv names workloads. */
  target: string;
}

export interface ExportSummary {
  families: number;
  series: number;
  samples: number;
  /** What could not be written, for the command to print. */
  notes: string[];
}

/** Labels of the job that would have scraped each source (kubernetes-mixin selects on them). */
const CADVISOR = { job: 'cadvisor' };
const KSM = { job: 'kube-state-metrics' };
const OPENCOST = { job: 'opencost' };
/** cAdvisor's `image` label: kubernetes-mixin's rules keep only series with an image. */
const SIMULATED_IMAGE = 'capsim/simulated';

function damaged(dir: string, file: string, line: number, message: string): InputError {
  return new InputError([{ file: displayPath(path.join(dir, file)), line, column: 0, path: '', message, hint: 'the file is damaged: run the scenario again (capsim run) to write it whole' }]);
}

/** A number cell that must be finite and not negative: else the file is damaged. */
function count(dir: string, file: string, line: number, column: string, text: string | undefined): number {
  const v = num(text);
  if (!Number.isFinite(v) || v < 0) throw damaged(dir, file, line, `${column} is ${JSON.stringify(text ?? '')}, not a number >= 0`);
  return v;
}

async function readStartEpochMs(dir: string): Promise<{ startEpochMs: number; sampleTimes: number[] }> {
  let startEpochMs: number | null = null;
  const sampleTimes: number[] = [];
  let line = 1;
  await readCsv(dir, TIMESERIES, (f, at) => {
    line++;
    const t = count(dir, TIMESERIES.name, line, 't', f[at.t]);
    if (sampleTimes.length > 0 && t <= sampleTimes[sampleTimes.length - 1]) throw damaged(dir, TIMESERIES.name, line, `t = ${t} does not follow the previous row's ${sampleTimes[sampleTimes.length - 1]}`);
    if (startEpochMs === null) {
      const ms = Date.parse(cell(f[at.time]));
      if (!Number.isFinite(ms)) throw damaged(dir, TIMESERIES.name, line, `time is ${JSON.stringify(cell(f[at.time]))}, not an ISO 8601 time`);
      startEpochMs = ms - t * 1000;
    }
    sampleTimes.push(t);
  }, { plain: true });
  if (startEpochMs === null) throw damaged(dir, TIMESERIES.name, 1, 'no rows: the run recorded no sample');
  return { startEpochMs, sampleTimes };
}

async function readWorkloadRows(dir: string, notes: string[]): Promise<WorkloadRows[]> {
  const byRef = new Map<string, WorkloadRows>();
  let line = 1;
  const found = await readCsv(dir, WORKLOADS, (f, at) => {
    line++;
    const ref = cell(f[at.workload]);
    const parts = ref.split('/');
    if (parts.length !== 3 || parts.some((p) => p === '')) throw damaged(dir, WORKLOADS.name, line, `workload is ${JSON.stringify(ref)}, not Kind/namespace/name`);
    let w = byRef.get(ref);
    if (!w) {
      byRef.set(ref, (w = { kind: parts[0], namespace: parts[1], name: parts[2], t: [], cpuUsedMilli: [], memoryUsedBytes: [], cpuRequestedMilli: [], memoryRequestedBytes: [], replicasDesired: [], replicasReady: [], oomKills: [], demand: [], served: [], cpuThrottledPct: [] }));
    }
    const n = (column: keyof typeof at & string) => count(dir, WORKLOADS.name, line, column, f[at[column]]);
    const t = n('t');
    if (w.t.length > 0 && t <= w.t[w.t.length - 1]) throw damaged(dir, WORKLOADS.name, line, `t = ${t} for ${ref} does not follow its previous row's ${w.t[w.t.length - 1]}`);
    w.t.push(t);
    w.cpuUsedMilli.push(n('cpu_used_m'));
    w.memoryUsedBytes.push(n('memory_used_bytes'));
    w.cpuRequestedMilli.push(n('cpu_requested_m'));
    w.memoryRequestedBytes.push(n('memory_requested_bytes'));
    w.replicasDesired.push(n('replicas_desired'));
    w.replicasReady.push(n('replicas_ready'));
    w.oomKills.push(n('oom_kills'));
    w.demand.push(n('demand'));
    w.served.push(n('served'));
    w.cpuThrottledPct.push(n('cpu_throttled_pct'));
  }, { plain: true, required: false });
  if (!found) notes.push(`${RUN_FILES.workloads} not found: no workload, pod or HPA series written (only nodes)`);
  return [...byRef.values()].sort((a, b) => cmp(`${a.kind}/${a.namespace}/${a.name}`, `${b.kind}/${b.namespace}/${b.name}`));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The HPAs of the run and their targets, from scenario.resolved.yaml: a workload's `hpa:`
 *  (named after the workload, scenario/shorthand.ts) and every HorizontalPodAutoscaler manifest. */
function readHpas(dir: string, notes: string[]): Hpa[] {
  const file = path.join(dir, RUN_FILES.resolvedScenario);
  if (!fs.existsSync(file)) {
    notes.push(`${RUN_FILES.resolvedScenario} not found: kube_horizontalpodautoscaler_* left out (the HPAs are named there)`);
    return [];
  }
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    notes.push(`${RUN_FILES.resolvedScenario} does not parse (${(error as Error).message.split('\n')[0]}): kube_horizontalpodautoscaler_* left out`);
    return [];
  }
  const hpas = new Map<string, Hpa>();
  const add = (h: Hpa) => hpas.set(`${h.namespace}/${h.name}`, h);
  const str = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const spec = (doc as { spec?: { workloads?: unknown } } | null)?.spec;
  if (Array.isArray(spec?.workloads)) {
    for (const w of spec.workloads as Record<string, unknown>[]) {
      if (!w || typeof w !== 'object' || !w.hpa || typeof w.name !== 'string') continue;
      const namespace = str(w.namespace, 'default');
      add({ namespace, name: w.name, target: `${str(w.kind, 'Deployment')}/${namespace}/${w.name}` });
    }
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: { scaleTargetRef?: { kind?: unknown; name?: unknown } } };
      const ref = o.spec?.scaleTargetRef;
      if (o.kind === 'HorizontalPodAutoscaler' && typeof o.metadata?.name === 'string' && typeof ref?.kind === 'string' && typeof ref.name === 'string') {
        const namespace = str(o.metadata.namespace, 'default');
        add({ namespace, name: o.metadata.name, target: `${ref.kind}/${namespace}/${ref.name}` });
      } else for (const child of Object.values(o)) walk(child);
    }
  };
  walk(doc);
  return [...hpas.values()].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

/** A label value escaped as OpenMetrics requires: backslash, double quote, line feed. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

/** A label name from a Kubernetes label key, as kube-state-metrics writes kube_node_labels:
 *  `label_` and the key with every character not allowed in a label name turned to `_`. */
function labelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** Streams families to `write`, buffering about a megabyte at a time. */
class Writer {
  private buffer: string[] = [];
  private size = 0;
  families = 0;
  series = 0;
  samples = 0;
  constructor(private readonly out: (chunk: string) => void, private readonly startEpochMs: number) {}

  family(name: string, type: 'gauge' | 'counter', help: string, unit?: string): void {
    this.families++;
    this.line(`# TYPE ${name} ${type}`);
    if (unit) this.line(`# UNIT ${name} ${unit}`);
    this.line(`# HELP ${name} ${help}`);
  }

  /** One series: its samples at the run's times `t` (seconds since the start). */
  seriesOf(name: string, labels: Labels, t: readonly number[], value: (i: number) => number): void {
    const prefix = `${name}${labelText(labels)} `;
    this.series++;
    for (let i = 0; i < t.length; i++) {
      this.line(`${prefix}${value(i)} ${(this.startEpochMs + t[i] * 1000) / 1000}`);
      this.samples++;
    }
  }

  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    this.out(this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.size = 0;
  }
}

/** CFS periods per second: the kernel's default cpu.cfs_period_us of 100 ms. */
const CFS_PERIODS_PER_SECOND = 10;

/** A counter from a rate sampled at `t`: each sample's rate held until the next sample (the
 *  recorder samples rates), so the counter at t[i] is the exact integral up to it. */
function integral(t: readonly number[], rate: (i: number) => number): number[] {
  let sum = 0;
  return t.map((ti, i) => {
    if (i > 0) sum += rate(i - 1) * (ti - t[i - 1]);
    return sum;
  });
}

/** The synthetic pod that stands for a workload's pods, and what owns it. */
function podOf(w: WorkloadRows): { pod: string; ownerKind: string; ownerName: string } {
  const pod = `${w.name}-capsim`;
  if (w.kind === 'Deployment') return { pod, ownerKind: 'ReplicaSet', ownerName: pod };
  if (w.kind === 'CronJob') return { pod, ownerKind: 'Job', ownerName: pod };
  return { pod, ownerKind: w.kind, ownerName: w.name };
}

/** The value of `container` on the workload's container series (see the file's head). */
function containerOf(w: WorkloadRows, containers: Recommendation[]): string {
  return containers.length === 1 ? containers[0].container : 'all-containers';
}

/** Replica families per workload kind (kube-state-metrics docs/metrics/workload/*-metrics.md). */
const REPLICAS: Record<string, { label: string; desired: [string, string]; ready: [string, string] }> = {
  Deployment: {
    label: 'deployment',
    desired: ['kube_deployment_spec_replicas', 'Number of desired pods for a deployment.'],
    ready: ['kube_deployment_status_replicas_ready', 'The number of ready replicas per deployment.'],
  },
  StatefulSet: {
    label: 'statefulset',
    desired: ['kube_statefulset_replicas', 'Number of desired pods for a StatefulSet.'],
    ready: ['kube_statefulset_status_replicas_ready', 'The number of ready replicas per StatefulSet.'],
  },
  DaemonSet: {
    label: 'daemonset',
    desired: ['kube_daemonset_status_desired_number_scheduled', 'The number of nodes that should be running the daemon pod.'],
    ready: ['kube_daemonset_status_number_ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'],
  },
};

/** Writes the run in `dir` as OpenMetrics text to `write`. Reads every file first: a damaged
 *  run is an InputError before anything is written. */
export async function exportOpenMetrics(dir: string, write: (chunk: string) => void): Promise<ExportSummary> {
  const abs = path.resolve(dir);
  const summary = readSummary(abs);
  const notes: string[] = [];
  const { startEpochMs, sampleTimes } = await readStartEpochMs(abs);
  const workloads = await readWorkloadRows(abs, notes);
  const nodes = await readNodes(abs, summary.durationSeconds);
  const recommendations = await readRecommendations(abs);
  const hpas = readHpas(abs, notes);
  const containersOf = new Map<string, Recommendation[]>();
  for (const r of recommendations) containersOf.set(r.workload, [...(containersOf.get(r.workload) ?? []), r]);
  const refOf = (w: WorkloadRows) => `${w.kind}/${w.namespace}/${w.name}`;
  const byRef = new Map(workloads.map((w) => [refOf(w), w]));
  const out = new Writer(write, startEpochMs);
  const one = () => 1;
  const podLabels = (w: WorkloadRows) => ({ namespace: w.namespace, pod: podOf(w).pod });
  const containerLabels = (w: WorkloadRows) => ({ ...podLabels(w), container: containerOf(w, containersOf.get(refOf(w)) ?? []) });

  // cAdvisor (github.com/google/cadvisor docs/storage/prometheus.md): usage counters and gauges.
  out.family('container_cpu_usage_seconds', 'counter', 'Cumulative cpu time consumed in seconds.', 'seconds');
  for (const w of workloads) {
    // The recorder samples usage as a rate at each t; held until the next sample, its integral is
    // exact in millicore-seconds: rate(...[5m]) at t is the mean of the samples t-5m .. t-1m.
    const total = integral(w.t, (i) => w.cpuUsedMilli[i]).map((milliSeconds) => milliSeconds / 1000);
    out.seriesOf('container_cpu_usage_seconds_total', { ...CADVISOR, ...containerLabels(w), image: SIMULATED_IMAGE }, w.t, (i) => total[i]);
  }
  out.family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', 'bytes');
  for (const w of workloads) out.seriesOf('container_memory_working_set_bytes', { ...CADVISOR, ...containerLabels(w), image: SIMULATED_IMAGE }, w.t, (i) => w.memoryUsedBytes[i]);
  // CFS (cAdvisor): 10 periods a second per Ready replica (the 100 ms period), cpu_throttled_pct
  // of them throttled; each sample's values held until the next, as for CPU (see the file's head).
  const periods = workloads.map((w) => integral(w.t, (i) => CFS_PERIODS_PER_SECOND * w.replicasReady[i]));
  out.family('container_cpu_cfs_periods', 'counter', 'Number of elapsed enforcement period intervals.');
  workloads.forEach((w, k) => out.seriesOf('container_cpu_cfs_periods_total', { ...CADVISOR, ...containerLabels(w), image: SIMULATED_IMAGE }, w.t, (i) => periods[k][i]));
  out.family('container_cpu_cfs_throttled_periods', 'counter', 'Number of throttled period intervals.');
  for (const w of workloads) {
    const throttled = integral(w.t, (i) => (CFS_PERIODS_PER_SECOND * w.replicasReady[i] * w.cpuThrottledPct[i]) / 100);
    out.seriesOf('container_cpu_cfs_throttled_periods_total', { ...CADVISOR, ...containerLabels(w), image: SIMULATED_IMAGE }, w.t, (i) => throttled[i]);
  }
  out.family('container_oom_events', 'counter', 'Count of out of memory events observed for the container');
  for (const w of workloads) {
    let kills = 0;
    out.seriesOf('container_oom_events_total', { ...CADVISOR, ...containerLabels(w), image: SIMULATED_IMAGE }, w.t, (i) => (kills += w.oomKills[i]));
  }

  // kube-state-metrics (docs/metrics/workload/pod-metrics.md): the pods, their owners, requests, limits.
  out.family('kube_pod_info', 'gauge', 'Information about pod.');
  for (const w of workloads) {
    const p = podOf(w);
    out.seriesOf('kube_pod_info', { ...KSM, ...podLabels(w), node: '', created_by_kind: p.ownerKind, created_by_name: p.ownerName }, w.t, one);
  }
  out.family('kube_pod_owner', 'gauge', "Information about the Pod's owner.");
  for (const w of workloads) {
    const p = podOf(w);
    out.seriesOf('kube_pod_owner', { ...KSM, ...podLabels(w), owner_kind: p.ownerKind, owner_name: p.ownerName, owner_is_controller: 'true' }, w.t, one);
  }
  // docs/metrics/workload/replicaset-metrics.md and job-metrics.md: the owner of the pod's owner.
  out.family('kube_replicaset_owner', 'gauge', "Information about the ReplicaSet's owner.");
  for (const w of workloads.filter((x) => x.kind === 'Deployment')) {
    out.seriesOf('kube_replicaset_owner', { ...KSM, namespace: w.namespace, replicaset: podOf(w).ownerName, owner_kind: w.kind, owner_name: w.name, owner_is_controller: 'true' }, w.t, one);
  }
  out.family('kube_job_owner', 'gauge', "Information about the Job's owner.");
  for (const w of workloads.filter((x) => x.kind === 'CronJob')) {
    out.seriesOf('kube_job_owner', { ...KSM, namespace: w.namespace, job_name: podOf(w).ownerName, owner_kind: w.kind, owner_name: w.name, owner_is_controller: 'true' }, w.t, one);
  }
  out.family('kube_pod_container_resource_requests', 'gauge', 'The number of requested request resource by a container.');
  for (const w of workloads) {
    out.seriesOf('kube_pod_container_resource_requests', { ...KSM, ...containerLabels(w), node: '', resource: 'cpu', unit: 'core' }, w.t, (i) => w.cpuRequestedMilli[i] / 1000);
    out.seriesOf('kube_pod_container_resource_requests', { ...KSM, ...containerLabels(w), node: '', resource: 'memory', unit: 'byte' }, w.t, (i) => w.memoryRequestedBytes[i]);
  }
  // Limits: the run records requests over time and each container's request and limit
  // (recommendations.csv). With one container the limit is the request times their ratio (the
  // VPA keeps it); with several, the split of the workload's requests is not recorded.
  out.family('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.');
  const noLimits: string[] = [];
  for (const w of workloads) {
    const containers = containersOf.get(refOf(w)) ?? [];
    const c = containers.length === 1 ? containers[0] : null;
    if (containers.length > 1) noLimits.push(refOf(w));
    if (c && c.cpuLimitMilli !== null && c.cpuRequestMilli) {
      const ratio = c.cpuLimitMilli / c.cpuRequestMilli;
      out.seriesOf('kube_pod_container_resource_limits', { ...KSM, ...containerLabels(w), node: '', resource: 'cpu', unit: 'core' }, w.t, (i) => Math.round(w.cpuRequestedMilli[i] * ratio) / 1000);
    }
    if (c && c.memoryLimitBytes !== null && c.memoryRequestBytes) {
      const ratio = c.memoryLimitBytes / c.memoryRequestBytes;
      out.seriesOf('kube_pod_container_resource_limits', { ...KSM, ...containerLabels(w), node: '', resource: 'memory', unit: 'byte' }, w.t, (i) => Math.round(w.memoryRequestedBytes[i] * ratio));
    }
  }
  if (noLimits.length > 0) notes.push(`limits left out for ${noLimits.length} workload${noLimits.length === 1 ? '' : 's'} with several containers (the run records their requests summed): ${noLimits.slice(0, 5).join(', ')}${noLimits.length > 5 ? ', ...' : ''}`);

  // Replicas per workload kind; other kinds (Jobs, CronJobs) have none in kube-state-metrics' sense.
  for (const kind of Object.keys(REPLICAS)) {
    const r = REPLICAS[kind];
    const ofKind = workloads.filter((w) => w.kind === kind);
    for (const [[name, help], values] of [[r.desired, 'replicasDesired'], [r.ready, 'replicasReady']] as const) {
      out.family(name, 'gauge', help);
      for (const w of ofKind) out.seriesOf(name, { ...KSM, namespace: w.namespace, [r.label]: w.name }, w.t, (i) => w[values][i]);
    }
  }

  // docs/metrics/workload/horizontalpodautoscaler-metrics.md: desired replicas, what the HPA
  // wrote to its target's scale (the target's desired replicas in workloads.csv).
  out.family('kube_horizontalpodautoscaler_status_desired_replicas', 'gauge', 'Desired number of replicas of pods managed by this autoscaler.');
  for (const h of hpas) {
    const w = byRef.get(h.target);
    if (!w) {
      notes.push(`HPA ${h.namespace}/${h.name}: its target ${h.target} has no rows in ${RUN_FILES.workloads}; left out`);
      continue;
    }
    out.seriesOf('kube_horizontalpodautoscaler_status_desired_replicas', { ...KSM, namespace: h.namespace, horizontalpodautoscaler: h.name }, w.t, (i) => w.replicasDesired[i]);
  }

  // Nodes (docs/metrics/cluster/node-metrics.md), at every sample of the run while they exist.
  const end = summary.durationSeconds;
  const lifeOf = (n: NodeRow) => sampleTimes.filter((t) => t >= n.createdSeconds && (n.removedSeconds === null ? true : t < n.removedSeconds));
  const sorted = [...nodes].sort((a, b) => cmp(a.node, b.node));
  const lives = new Map(sorted.map((n) => [n.node, lifeOf(n)]));
  out.family('kube_node_info', 'gauge', 'Information about a cluster node.');
  for (const n of sorted) out.seriesOf('kube_node_info', { ...KSM, node: n.node, provider_id: '', internal_ip: '' }, lives.get(n.node)!, one);
  out.family('kube_node_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.');
  for (const n of sorted) {
    const labels: Labels = { ...KSM, node: n.node };
    // The well-known labels; the type without capsim's provider prefix ("aws/m5.xlarge" -> "m5.xlarge").
    if (n.instanceType) labels[labelName('node.kubernetes.io/instance-type')] = n.instanceType.slice(n.instanceType.indexOf('/') + 1);
    if (n.zone) labels[labelName('topology.kubernetes.io/zone')] = n.zone;
    if (n.pool) labels[labelName('capsim.io/pool')] = n.pool;
    if (n.capacityType) labels[labelName('capsim.io/capacity-type')] = n.capacityType;
    out.seriesOf('kube_node_labels', labels, lives.get(n.node)!, one);
  }
  out.family('kube_node_status_allocatable', 'gauge', 'The allocatable for different resources of a node that are available for scheduling.');
  for (const n of sorted) {
    if (n.cpuAllocatableMilli > 0) out.seriesOf('kube_node_status_allocatable', { ...KSM, node: n.node, resource: 'cpu', unit: 'core' }, lives.get(n.node)!, () => n.cpuAllocatableMilli / 1000);
    if (n.memoryAllocatableBytes > 0) out.seriesOf('kube_node_status_allocatable', { ...KSM, node: n.node, resource: 'memory', unit: 'byte' }, lives.get(n.node)!, () => n.memoryAllocatableBytes);
  }
  // OpenCost's node price (opencost docs, "Prometheus metrics": node_total_hourly_cost): the
  // node's cost over its life in nodes.csv, provisioning included, is price x life.
  out.family('node_total_hourly_cost', 'gauge', 'Total node cost per hour');
  for (const n of sorted) {
    const lifeSeconds = (n.removedSeconds ?? end) - n.createdSeconds;
    if (lifeSeconds <= 0) continue;
    const price = Math.round((n.costUsd / (lifeSeconds / 3600)) * 1e6) / 1e6;
    out.seriesOf('node_total_hourly_cost', { ...OPENCOST, node: n.node, instance_type: n.instanceType.slice(n.instanceType.indexOf('/') + 1) }, lives.get(n.node)!, () => price);
  }
  // The application's own counters (no standard name): requests or other units offered and served.
  const withDemand = workloads.filter((w) => w.demand.some((v) => v > 0));
  const appLabels = (w: WorkloadRows) => ({ job: 'capsim', namespace: w.namespace, workload: w.name, kind: w.kind });
  out.family('capsim_workload_demand_units', 'counter', 'Units of demand offered to the workload (requests, messages), the integral of workloads.csv demand.');
  for (const w of withDemand) {
    const total = integral(w.t, (i) => w.demand[i]);
    out.seriesOf('capsim_workload_demand_units_total', appLabels(w), w.t, (i) => total[i]);
  }
  out.family('capsim_workload_served_units', 'counter', 'Units of demand the workload\'s Ready pods served, the integral of workloads.csv served.');
  for (const w of withDemand) {
    const total = integral(w.t, (i) => w.served[i]);
    out.seriesOf('capsim_workload_served_units_total', appLabels(w), w.t, (i) => total[i]);
  }
  out.line('# EOF');
  out.flush();
  return { families: out.families, series: out.series, samples: out.samples, notes };
}
