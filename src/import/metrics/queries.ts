// The PromQL `capsim import metrics` runs (docs/import-metrics.md lists them, and --help).
// Each has an id: the name of its saved answer for --from-files (`<id>.json`, or `<id>.<n>.json`
// for the chunks of a long window).
//
// CPU: `rate(...[W])` with W = max(5m, step). At a 1-minute step, 5m is kubernetes-mixin's window
// (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m): it spans several
// scrapes, so a missed scrape does not drop the point. At a step over 5m, W is the step itself, so
// the values together cover every second of the window once (no usage between two steps unseen).
// The value at t is then the mean use over (t - W, t], not the use at t: a trace of it lags a
// ramp by W / 2.
// Throttling: the CFS counters' rates over the same window W as CPU, summed per pod; a workload's
// cpu_throttled_pct at a step is 100 x its pods' throttled periods / their periods.
// OOM kills: `increase(container_oom_events_total[step])`, each kill counted at the first step
// after it, rounded to a whole number (increase extrapolates at the window's edges).

export interface MetricQuery {
  id: string;
  /** What it gives, for the report and --help. */
  what: string;
  /** Without it the import has nothing to map or aggregate: its absence is an error. */
  required: boolean;
  promql(stepSeconds: number): string;
}

/** The rate window for CPU at `stepSeconds` (see the head of the file). */
export function cpuWindowSeconds(stepSeconds: number): number {
  return Math.max(300, stepSeconds);
}

/** A Prometheus duration in whole seconds ("300s"): exact whatever the step. */
const seconds = (s: number) => `${Math.round(s)}s`;

export const QUERIES: readonly MetricQuery[] = [
  {
    id: 'cpu',
    what: 'CPU used per pod, cores (cAdvisor)',
    required: true,
    promql: (step) => `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!="",image!=""}[${seconds(cpuWindowSeconds(step))}]))`,
  },
  {
    id: 'memory',
    what: 'memory working set per pod, bytes (cAdvisor)',
    required: true,
    promql: () => 'sum by (namespace, pod) (container_memory_working_set_bytes{container!="",image!=""})',
  },
  {
    id: 'cfs_periods',
    what: 'CFS enforcement periods per pod, per second (cAdvisor; containers with a CPU limit)',
    required: false,
    promql: (step) => `sum by (namespace, pod) (rate(container_cpu_cfs_periods_total{container!=""}[${seconds(cpuWindowSeconds(step))}]))`,
  },
  {
    id: 'cfs_throttled',
    what: 'CFS periods throttled per pod, per second (cAdvisor)',
    required: false,
    promql: (step) => `sum by (namespace, pod) (rate(container_cpu_cfs_throttled_periods_total{container!=""}[${seconds(cpuWindowSeconds(step))}]))`,
  },
  {
    id: 'oom',
    what: 'OOM kills per pod in each step (cAdvisor)',
    required: false,
    promql: (step) => `sum by (namespace, pod) (increase(container_oom_events_total{container!=""}[${seconds(step)}]))`,
  },
  {
    id: 'requests',
    what: 'CPU (cores) and memory (bytes) requested per pod (kube-state-metrics)',
    required: false,
    promql: () => 'sum by (namespace, pod, resource) (kube_pod_container_resource_requests{resource=~"cpu|memory"})',
  },
  {
    id: 'limits',
    what: 'CPU (cores) and memory (bytes) limits per pod (kube-state-metrics)',
    required: false,
    promql: () => 'sum by (namespace, pod, resource) (kube_pod_container_resource_limits{resource=~"cpu|memory"})',
  },
  {
    id: 'pod_owner',
    what: 'the owner of each pod (kube-state-metrics)',
    required: true,
    promql: () => 'max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner)',
  },
  {
    id: 'replicaset_owner',
    what: 'the Deployment owning each ReplicaSet (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, replicaset, owner_kind, owner_name) (kube_replicaset_owner)',
  },
  {
    id: 'job_owner',
    what: 'the CronJob owning each Job (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, job_name, owner_kind, owner_name) (kube_job_owner)',
  },
  {
    id: 'deployment_replicas',
    what: 'desired replicas per Deployment (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, deployment) (kube_deployment_spec_replicas)',
  },
  {
    id: 'deployment_ready',
    what: 'ready replicas per Deployment (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, deployment) (kube_deployment_status_replicas_ready)',
  },
  {
    id: 'statefulset_replicas',
    what: 'desired replicas per StatefulSet (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, statefulset) (kube_statefulset_replicas)',
  },
  {
    id: 'statefulset_ready',
    what: 'ready replicas per StatefulSet (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, statefulset) (kube_statefulset_status_replicas_ready)',
  },
  {
    id: 'hpa_desired',
    what: 'desired replicas per HPA (kube-state-metrics)',
    required: false,
    promql: () => 'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas)',
  },
  {
    id: 'hpa_target',
    what: 'the scale target of each HPA (kube-state-metrics; without it an HPA is matched to the workload of its own name)',
    required: false,
    promql: () => 'max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (kube_horizontalpodautoscaler_info)',
  },
  {
    id: 'nodes',
    what: 'the nodes and their labels, for the count per pool (kube-state-metrics)',
    required: false,
    promql: () => 'kube_node_labels',
  },
];
