// From the answers of the queries (queries.ts) to per-workload, per-step rows: each pod is mapped
// to its workload (`Kind/namespace/name`) through kube_pod_owner, then a ReplicaSet's owner
// (kube_replicaset_owner: the Deployment) or a Job's (kube_job_owner: the CronJob), at each step;
// a step where the pod has no owner sample takes the owner seen nearest before it (else after
// it). A pod with no owner at all is not counted in any workload and is named in the report.
import { NODE_GROUP_LABELS, nodeGroupOf } from '../../cloud/nodeGroups.ts';
import type { Series, Window } from './prometheus.ts';

/** The columns of metrics/<namespace>/<workload>.csv after `time`. */
export const WORKLOAD_COLUMNS = [
  'pods', 'replicas', 'replicas_ready', 'hpa_desired_replicas', 'cpu_used_m', 'memory_used_bytes',
  'cpu_requests_m', 'memory_requests_bytes', 'cpu_limits_m', 'memory_limits_bytes', 'oom_kills',
] as const;
export type WorkloadColumn = (typeof WORKLOAD_COLUMNS)[number];
/** Summed per workload like the columns, for cpu_throttled_pct: CFS periods and throttled periods a second. */
type CfsColumn = 'cfs_periods' | 'cfs_throttled';

export interface WorkloadSeries {
  kind: string;
  namespace: string;
  name: string;
  /** Per column, per step index: the value, or null when nothing was observed. */
  columns: Record<WorkloadColumn, (number | null)[]>;
  /** 100 x throttled CFS periods / periods of its pods, per step; null where not scraped. */
  cpuThrottledPct: (number | null)[];
  /** The CFS rates summed over its pods, per step (cpuThrottledPct's terms). */
  cfs: Record<CfsColumn, (number | null)[]>;
  pods: Set<string>;
  hpa: string | null;
}

export interface Aggregate {
  times: number[];
  workloads: WorkloadSeries[];
  /** Per pool, nodes at each step. */
  pools: Map<string, number[]>;
  podsMapped: number;
  /** namespace/pod of the pods whose owner was never found, sorted. */
  podsUnmapped: string[];
  /** HPAs whose target is not a workload seen. */
  hpasUnmatched: string[];
  /** HPAs matched by name because kube_horizontalpodautoscaler_info was not read. */
  hpasByName: string[];
  /** Samples not on the step grid of the window, ignored. */
  offGrid: number;
  /** Per query id, the steps where no series has a sample. */
  emptySteps: Map<string, number>;
}

/** A column being summed: per step, the sum and whether anything was added. */
interface Sums {
  sum: Float64Array;
  seen: Uint8Array;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The grid's step index of `t`, or -1 off the grid or outside the window. */
function indexOf(window: Window, t: number): number {
  const i = (t - window.startSeconds) / window.stepSeconds;
  const r = Math.round(i);
  return Math.abs(i - r) < 1e-6 && r >= 0 && t <= window.endSeconds + 1e-6 ? r : -1;
}

/** Per step index, the values of a series on the grid. */
export function onGrid(window: Window, s: Series, steps: number, counter: { offGrid: number }): (number | null)[] {
  const out: (number | null)[] = new Array(steps).fill(null);
  for (let j = 0; j < s.times.length; j++) {
    const i = indexOf(window, s.times[j]);
    if (i < 0 || i >= steps) counter.offGrid++;
    else out[i] = s.values[j];
  }
  return out;
}

/** The step index of each sample of a series when they are on the grid and strictly increasing
 *  (each step at most once, as Prometheus answers), else null: onGrid's array is needed. */
function gridIndices(window: Window, s: Series, steps: number): Int32Array | null {
  const at = new Int32Array(s.times.length);
  let last = -1;
  for (let j = 0; j < s.times.length; j++) {
    const i = indexOf(window, s.times[j]);
    if (i >= steps) at[j] = -1;
    else if (i >= 0) {
      if (i <= last) return null;
      last = at[j] = i;
    } else at[j] = -1;
  }
  return at;
}

/** An owner over time: at each step, the owner's `Kind/name` (nearest-before, else nearest-after fill). */
function ownerTimeline(series: Series[], key: (l: Record<string, string>) => string, window: Window, steps: number, counter: { offGrid: number }): Map<string, string[]> {
  const raw = new Map<string, (string | null)[]>();
  for (const s of [...series].sort((a, b) => cmp(JSON.stringify(a.labels), JSON.stringify(b.labels)))) {
    const owner = `${s.labels.owner_kind ?? ''}/${s.labels.owner_name ?? ''}`;
    if (!s.labels.owner_kind || !s.labels.owner_name || s.labels.owner_kind === '<none>') continue;
    const k = key(s.labels);
    const at = raw.get(k) ?? new Array<string | null>(steps).fill(null);
    raw.set(k, at);
    onGrid(window, s, steps, counter).forEach((v, i) => {
      if (v !== null && v > 0 && at[i] === null) at[i] = owner;
    });
  }
  const filled = new Map<string, string[]>();
  for (const [k, at] of raw) {
    const first = at.find((o) => o !== null);
    if (!first) continue;
    let last = first;
    filled.set(k, at.map((o) => (last = o ?? last)));
  }
  return filled;
}

const podKey = (l: Record<string, string>) => `${l.namespace ?? ''}/${l.pod ?? ''}`;

/** kube_node_labels' label names back to Kubernetes label keys, for the keys a pool is read from. */
const POOL_KEYS = [
  ...NODE_GROUP_LABELS.map((l) => l.key),
  'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type',
  'karpenter.sh/capacity-type', 'eks.amazonaws.com/capacityType', 'kubernetes.azure.com/scalesetpriority', 'capsim.io/capacity-type',
];
const FROM_PROMETHEUS = new Map(POOL_KEYS.map((k) => [`label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, k]));

/** The pool of a node from its kube_node_labels series, as `capsim import cluster` names it. */
export function poolOfNode(labels: Record<string, string>): string {
  const kube: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    const key = FROM_PROMETHEUS.get(name);
    if (key && value) kube[key] = value;
  }
  return nodeGroupOf(kube).pool ?? '(none)';
}

export function aggregate(window: Window, results: ReadonlyMap<string, Series[]>): Aggregate {
  const steps = Math.floor((window.endSeconds - window.startSeconds) / window.stepSeconds) + 1;
  const times = Array.from({ length: steps }, (_, i) => window.startSeconds + i * window.stepSeconds);
  const counter = { offGrid: 0 };
  const get = (id: string) => results.get(id) ?? [];

  const podOwner = ownerTimeline(get('pod_owner'), podKey, window, steps, counter);
  const rsOwner = ownerTimeline(get('replicaset_owner'), (l) => `${l.namespace ?? ''}/${l.replicaset ?? ''}`, window, steps, counter);
  const jobOwner = ownerTimeline(get('job_owner'), (l) => `${l.namespace ?? ''}/${l.job_name ?? ''}`, window, steps, counter);

  /** The workload `Kind/namespace/name` of pod `ns/pod` at each step (null: no owner), computed
   *  once per pod and again only where its owner or its owner's owner changes. */
  const refsByPod = new Map<string, (string | null)[]>();
  const workloadsOf = (pod: string): (string | null)[] => {
    let refs = refsByPod.get(pod);
    if (refs) return refs;
    const owners = podOwner.get(pod);
    const namespace = pod.slice(0, pod.indexOf('/'));
    refs = new Array<string | null>(steps).fill(null);
    let lastOwner: string | undefined;
    let lastUp: string | undefined;
    let lastRef: string | null = null;
    // The owner's kind, name and owners' timeline split and looked up where the owner changes.
    let seen: string | undefined;
    let kind = '';
    let name = '';
    let ups: string[] | undefined;
    for (let i = 0; owners && i < steps; i++) {
      const owner = owners[i];
      if (owner !== seen) {
        seen = owner;
        kind = owner.slice(0, owner.indexOf('/'));
        name = owner.slice(owner.indexOf('/') + 1);
        ups = kind === 'ReplicaSet' ? rsOwner.get(`${namespace}/${name}`) : kind === 'Job' ? jobOwner.get(`${namespace}/${name}`) : undefined;
      }
      const up = ups?.[i];
      if (owner !== lastOwner || up !== lastUp) {
        lastRef = up ? `${up.slice(0, up.indexOf('/'))}/${namespace}/${up.slice(up.indexOf('/') + 1)}` : `${kind}/${namespace}/${name}`;
        lastOwner = owner;
        lastUp = up;
      }
      refs[i] = lastRef;
    }
    refsByPod.set(pod, refs);
    return refs;
  };

  const workloads = new Map<string, WorkloadSeries>();
  /** The per-pod sums of a workload's columns while they are added up: a double and whether any
   *  value was added, per step (a column of (number | null) would box each partial sum). */
  const sums = new Map<WorkloadSeries, Map<WorkloadColumn | CfsColumn, Sums>>();
  const workload = (ref: string): WorkloadSeries => {
    let w = workloads.get(ref);
    if (!w) {
      const [kind, namespace, ...rest] = ref.split('/');
      const columns = Object.fromEntries(WORKLOAD_COLUMNS.map((c) => [c, new Array<number | null>(steps).fill(null)])) as WorkloadSeries['columns'];
      const empty = () => new Array<number | null>(steps).fill(null);
      workloads.set(ref, (w = { kind, namespace, name: rest.join('/'), columns, cpuThrottledPct: empty(), cfs: { cfs_periods: empty(), cfs_throttled: empty() }, pods: new Set(), hpa: null }));
    }
    return w;
  };
  const sumsOf = (w: WorkloadSeries, column: WorkloadColumn | CfsColumn) => {
    let of = sums.get(w);
    if (!of) sums.set(w, (of = new Map()));
    let into = of.get(column);
    if (!into) of.set(column, (into = { sum: new Float64Array(steps), seen: new Uint8Array(steps) }));
    return into;
  };

  const unmapped = new Set<string>();
  const mapped = new Set<string>();
  /** Adds a per-pod query's values, scaled, into its workload's column. */
  const perPod = (id: string, column: (s: Series) => { column: WorkloadColumn | CfsColumn; scale: number } | null, countPods = false) => {
    for (const s of get(id)) {
      const into = column(s);
      if (!into) continue;
      const { column: c, scale } = into;
      const pod = podKey(s.labels);
      const refs = workloadsOf(pod);
      // The workload and its sums looked up again only where the pod's workload changes.
      let last: string | null = null;
      let sum: Sums = { sum: new Float64Array(0), seen: new Uint8Array(0) };
      let pods: Sums | null = null;
      const visit = (i: number, v: number) => {
        const ref = refs[i];
        if (!ref) {
          unmapped.add(pod);
          return;
        }
        if (ref !== last) {
          last = ref;
          mapped.add(pod);
          const w = workload(ref);
          w.pods.add(pod);
          sum = sumsOf(w, c);
          pods = countPods ? sumsOf(w, 'pods') : null;
        }
        // (null ?? 0) + v as a column of (number | null) added: the same additions in the same order.
        sum.sum[i] += v * scale;
        sum.seen[i] = 1;
        if (pods) {
          pods.sum[i] += 1;
          pods.seen[i] = 1;
        }
      };
      // The samples in step order, as onGrid's array would give them, without the array.
      const at = gridIndices(window, s, steps);
      if (at) {
        for (let j = 0; j < at.length; j++) {
          if (at[j] < 0) counter.offGrid++;
          else visit(at[j], s.values[j]);
        }
      } else {
        onGrid(window, s, steps, counter).forEach((v, i) => v !== null && visit(i, v));
      }
    }
  };
  // Prometheus's units are cores and bytes (kube-state-metrics: unit="core", unit="byte"); the
  // columns are millicores and bytes.
  const byResource = (cpu: WorkloadColumn, memory: WorkloadColumn) => (s: Series) =>
    s.labels.resource === 'cpu' ? { column: cpu, scale: 1000 } : s.labels.resource === 'memory' ? { column: memory, scale: 1 } : null;
  perPod('cpu', () => ({ column: 'cpu_used_m', scale: 1000 }), true);
  perPod('memory', () => ({ column: 'memory_used_bytes', scale: 1 }));
  perPod('oom', () => ({ column: 'oom_kills', scale: 1 }));
  perPod('requests', byResource('cpu_requests_m', 'memory_requests_bytes'));
  perPod('limits', byResource('cpu_limits_m', 'memory_limits_bytes'));
  perPod('cfs_periods', () => ({ column: 'cfs_periods', scale: 1 }));
  perPod('cfs_throttled', () => ({ column: 'cfs_throttled', scale: 1 }));
  for (const [w, of] of sums) {
    for (const [column, { sum, seen }] of of) {
      const into = column === 'cfs_periods' || column === 'cfs_throttled' ? w.cfs[column] : w.columns[column];
      for (let i = 0; i < steps; i++) into[i] = seen[i] ? sum[i] : null;
    }
  }
  sums.clear();
  // Rounded once, at the end: millicores and bytes are integers, OOM kills are whole.
  for (const w of workloads.values()) {
    for (const c of ['cpu_used_m', 'memory_used_bytes', 'cpu_requests_m', 'memory_requests_bytes', 'cpu_limits_m', 'memory_limits_bytes', 'oom_kills'] as const) {
      w.columns[c] = w.columns[c].map((v) => (v === null ? null : Math.round(v)));
    }
    // A share to 4 decimals, as a run's workloads.csv writes it; no periods at all is 0 % throttled.
    const { cfs_periods: periods, cfs_throttled: throttled } = w.cfs;
    w.cpuThrottledPct = periods.map((p, i) => {
      const t = throttled[i];
      if (p === null || t === null) return null;
      return p > 0 ? Math.round((1e6 * t) / p) / 1e4 : 0;
    });
  }

  // Replicas of the workloads seen (a workload with no pod in the window has no file).
  const replicas = (id: string, kind: string, label: string, column: WorkloadColumn) => {
    for (const s of get(id)) {
      const w = workloads.get(`${kind}/${s.labels.namespace ?? ''}/${s.labels[label] ?? ''}`);
      if (w) onGrid(window, s, steps, counter).forEach((v, i) => v !== null && (w.columns[column][i] = v));
    }
  };
  replicas('deployment_replicas', 'Deployment', 'deployment', 'replicas');
  replicas('deployment_ready', 'Deployment', 'deployment', 'replicas_ready');
  replicas('statefulset_replicas', 'StatefulSet', 'statefulset', 'replicas');
  replicas('statefulset_ready', 'StatefulSet', 'statefulset', 'replicas_ready');

  // HPAs: to the target named by kube_horizontalpodautoscaler_info, else to the workload of the
  // HPA's own name in its namespace (capsim's and many charts' convention), said in the report.
  const targets = new Map<string, string>();
  for (const s of get('hpa_target')) {
    const l = s.labels;
    if (l.scaletargetref_kind && l.scaletargetref_name) targets.set(`${l.namespace ?? ''}/${l.horizontalpodautoscaler ?? ''}`, `${l.scaletargetref_kind}/${l.namespace ?? ''}/${l.scaletargetref_name}`);
  }
  const hpasUnmatched: string[] = [];
  const hpasByName: string[] = [];
  for (const s of [...get('hpa_desired')].sort((a, b) => cmp(JSON.stringify(a.labels), JSON.stringify(b.labels)))) {
    const hpa = `${s.labels.namespace ?? ''}/${s.labels.horizontalpodautoscaler ?? ''}`;
    let target = targets.get(hpa);
    if (!target) {
      target = [...workloads.keys()].sort().find((ref) => ref.slice(ref.indexOf('/') + 1) === hpa);
      if (target) hpasByName.push(hpa);
    }
    const w = target ? workloads.get(target) : undefined;
    if (!w) {
      hpasUnmatched.push(hpa);
      continue;
    }
    w.hpa = hpa;
    onGrid(window, s, steps, counter).forEach((v, i) => v !== null && (w.columns.hpa_desired_replicas[i] = v));
  }

  // Nodes per pool: a node counts at a step where its kube_node_labels series has a sample (a
  // node whose labels changed has two series: it counts once a step, in the pool of the first).
  const pools = new Map<string, number[]>();
  const counted = new Map<string, Uint8Array>();
  for (const s of [...get('nodes')].sort((a, b) => cmp(JSON.stringify(a.labels), JSON.stringify(b.labels)))) {
    const node = s.labels.node ?? '';
    const at = counted.get(node) ?? new Uint8Array(steps);
    counted.set(node, at);
    const pool = poolOfNode(s.labels);
    const counts = pools.get(pool) ?? new Array<number>(steps).fill(0);
    pools.set(pool, counts);
    onGrid(window, s, steps, counter).forEach((v, i) => {
      if (v === null || at[i]) return;
      at[i] = 1;
      counts[i]++;
    });
  }

  const emptySteps = new Map<string, number>();
  for (const [id, series] of results) {
    if (series.length === 0) continue; // reported as no series at all
    const any = new Array<boolean>(steps).fill(false);
    for (const s of series) for (const t of s.times) {
      const i = indexOf(window, t);
      if (i >= 0 && i < steps) any[i] = true;
    }
    emptySteps.set(id, any.filter((x) => !x).length);
  }

  for (const pod of mapped) unmapped.delete(pod);
  return {
    times,
    workloads: [...workloads.entries()].sort(([a], [b]) => cmp(a, b)).map(([, w]) => w),
    pools: new Map([...pools].sort(([a], [b]) => cmp(a, b))),
    podsMapped: mapped.size,
    podsUnmapped: [...unmapped].sort(cmp),
    hpasUnmatched,
    hpasByName,
    offGrid: counter.offGrid,
    emptySteps,
  };
}
