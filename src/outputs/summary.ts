// summary.json (DESIGN §4): the headline figures of a run, the same bytes for the same input and
// seed. The recorder builds it (record/recorder.ts buildSummary); the report, compare, sweep and
// the CLI read it through this type only, never through the simulation's objects, and check what
// they read back against it (summaryCheck.ts).
//
// The key order of the file is the order of the object the recorder builds, which is the order
// below; it is part of the bytes. Money is rounded to 6 decimals, percentages to 4, once, when
// the file is written (format.ts).

export interface Summary {
  /** metadata.name of the scenario. */
  scenario: string;
  /** The seed the run used (spec.seed, or --seed / the sweep's seed). */
  seed: number;
  /** Simulated time from t = 0 to the end of the run, in seconds. */
  durationSeconds: number;
  cost: CostSummary;
  carbon: CarbonSummary;
  utilization: UtilizationSummary;
  nodes: NodesSummary;
  pods: PodsSummary;
  demand: DemandSummary;
  autoscaling: AutoscalingSummary;
  /** spec.traces' pods (record/tracePods.ts); left out of a run without traces. */
  traces?: TracesSummary;
  /** GPU allocation and fragmentation (record/gpu.ts; gpu.csv over time): only in a run whose
   *  nodes had GPUs, so a run without writes the bytes it always did. */
  gpu?: GpuSummary;
  /** What the figures above should not be trusted for, or show went wrong (RunWarning); the key
   *  is left out when there is none, so a run without warnings writes the bytes it always did. */
  warnings?: RunWarning[];
  /** What to do about the run (src/advice/): right-sizing the fleet, HPAs pinned at a bound,
   *  throttled or OOM-killed workloads, pods that fit no pool, cost per workload and copy-paste
   *  `resources:` per container. Only in a run with its detail files (not a sweep's runs), so a
   *  sweep's figures are what they were. docs/outputs.md "Advice". */
  advice?: AdviceSummary;
}

/** summary.json `advice` (src/advice/advice.ts builds it at the end of a run). */
export interface AdviceSummary {
  /** Most severe first, then in the order found. */
  items: AdviceItem[];
  fleet: FleetAdvice;
  /** Cost per workload (cost.byWorkload) with its mean requests and usage over the run, most expensive first. */
  workloads: WorkloadCostRow[];
  /** Copy-paste `resources:` per container from the recommender's targets (recommendations.csv). */
  resources: ResourcesAdvice[];
}

export type AdviceSeverity = 'high' | 'medium' | 'low';

export interface AdviceItem {
  severity: AdviceSeverity;
  /** fleet-oversized, hpa-at-max, hpa-at-min, cpu-throttled, oom-killed, pods-fit-no-pool. */
  code: string;
  /** What, in a few words: "HPA pinned at maxReplicas". */
  what: string;
  objects: string[];
  /** The number that says how much, for people: "78% of the run", "$412.50/month". */
  figure: string;
  /** What to do about it, in a sentence. */
  action: string;
}

/** The fleet that would have served the pods of the run's peak of requests (advice/binPack.ts). */
export interface FleetAdvice {
  /** True when the proposal saves more than FLEET_SAVING_SHARE of the run's monthly cost. */
  advised: boolean;
  /** Why there is no proposal, or what it is, in a sentence. */
  summary: string;
  /** The run's monthly run-rate (cost.monthlyRunRateUsd) and the proposal's, at 730 h a month. */
  currentMonthlyUsd: number;
  proposedMonthlyUsd: number | null;
  savingMonthlyUsd: number | null;
  /** When the pods' requests peaked (seconds from t = 0), how many pods and nodes there were. */
  peakSeconds: number | null;
  peakPods: number;
  peakNodes: number;
  /** The packed fleet: one instance type per group of pools (GPU pools apart), on-demand list price. */
  proposal: { instanceType: string; nodes: number; monthlyUsd: number; pools: string[] }[];
  /** Pools left as they are (their pods have selectors, affinity or tolerations the packing does not honour), at their run cost. */
  kept: { pool: string; reason: string; monthlyUsd: number }[];
  /** What the proposal ignores. */
  ignores: string[];
}

export interface WorkloadCostRow {
  workload: string;
  costUsd: number;
  /** Share of cost.allocatedUsd, percent. */
  sharePct: number;
  /** Time-mean over the run of the workload's requests and usage (all its pods together). */
  cpuRequestedMilli: number;
  cpuUsedMilli: number;
  memoryRequestedBytes: number;
  memoryUsedBytes: number;
}

export interface ResourcesAdvice {
  workload: string;
  container: string;
  /** The `resources:` block to paste (YAML), or '' when the recommender had no usage of it. */
  yaml: string;
  /** The recommender's confidence, in days of history (estimator.go getConfidence). */
  historyDays: number;
  /** Under a day of history: the upper bound is the 95th percentile × (1 + 1/days) and means nothing. */
  shortHistory: boolean;
  /** The container has no usage model: its target is its request plus margin. */
  fromRequests: boolean;
}

/**
 * A result that looks plausible and is not what was meant: the scenario lacks what a figure
 * depends on (checked before the run: src/scenario/warnings.ts, src/preflight.ts), or the run
 * shows a workload or pod in trouble most of the time (src/record/runFlags.ts). docs/outputs.md
 * "Warnings" lists the codes and thresholds. Strings only: a sweep flattens a summary's numbers
 * into figures, and these are not figures.
 */
export interface RunWarning {
  code: WarningCode;
  /** A few words for the summary line and the report: "HPA at maxReplicas". */
  title: string;
  /** What it is about, as Kind/namespace/name (a node pool: NodePool/-/name). */
  objects: string[];
  /** What happens, why, and what to do about it, in a sentence or three. */
  message: string;
}

/** Before the run, from the scenario: */
export const SCENARIO_WARNING_CODES = [
  /** An HPA scales on cpu or memory of containers without a usage model for it (they use their requests). */
  'hpa-without-usage',
  /** An HPA scales on a Pods or External metric (read from demand) of a workload without demand. */
  'hpa-without-demand',
  /** A VPA sizes containers without a usage model (its recommendations follow their requests). */
  'vpa-without-usage',
  /** Workloads with containers that use exactly their requests (no usage model for cpu or memory). */
  'usage-from-requests',
  /** A workload with demand whose usage does not depend on load (no cpu.perUnit): it serves any load. */
  'demand-without-usage',
  /** A usage model with perUnit on a workload without demand: the load is 0. */
  'usage-without-demand',
  /** A demand trace that does not cover the run (held flat at its first or last value). */
  'trace-coverage',
  /** A workload's pods fit no node the cluster has or can add (resources, taints, selectors, affinity). */
  'pod-fits-no-node',
  /** A workload's pods are refused by admission (LimitRange, PriorityClass): none is ever created. */
  'pod-refused',
  /** Node manifests that cost $0: no instance-type label, a type not in the catalog, or a name two clouds share. */
  'node-price-unknown',
  /** Node manifests priced approximately: a spot node at the on-demand price, a pool of another type, another region's prices. */
  'node-price-approximate',
  /** Node pools whose nodes cost $0 an hour (an import from a trace without prices): the cost figures leave them out. */
  'pool-price-zero',
  /** An HPA of a cluster's state reads only what the scenario does not model: it holds its replicas. */
  'hpa-held',
  /** Pods of a cluster's state whose controller capsim does not simulate (or that would count twice). */
  'pods-unmanaged',
  /** An object of a cluster's state that changes capacity and is not simulated (Karpenter, a
   *  ScaledObject without its HPA, a ReplicaSet without its Deployment, a Rollout). */
  'kind-not-simulated',
  /** A Karpenter NodePool whose menu is not what Karpenter would have: its NodeClass missing, no
   *  type or instance types the catalog lacks, spot without a price, minValues not met, labels not modelled. */
  'karpenter-nodepool',
  /** Pods of a cluster's state that exceed their node's allocatable at the start. */
  'node-overcommitted',
  /** A pod trace replayed with the cluster autoscaler: its pods are bare, and block scale-down. */
  'trace-pods-bare',
] as const;

/** From the run: */
export const RUN_WARNING_CODES = [
  /** An HPA at its maxReplicas for more than half of the run's samples. */
  'hpa-at-max',
  /** A workload throttled for more than a quarter of the CPU it wanted. */
  'cpu-throttled',
  /** A workload OOM-killed more than once per hour of the run. */
  'oom-kills',
  /** A workload that served less than 95 % of its demand. */
  'demand-unserved',
  /** Pods still pending at the end of the run, with the scheduler's last reason. */
  'pods-pending',
  /** Nodes whose carbon is not estimated (no instance type the catalog knows): left out of carbon.kgCo2e. */
  'carbon-unknown',
  /** Nodes whose carbon is estimated from defaults: region, microarchitecture, embodied emissions or GPUs unknown. */
  'carbon-approximate',
] as const;

export type WarningCode = (typeof SCENARIO_WARNING_CODES)[number] | (typeof RUN_WARNING_CODES)[number];

/** Warnings whose `objects` are peers (workloads or nodes alike), not an actor and what it acts
 *  on: what they are, for a brief naming how many. */
const LISTS: ReadonlyMap<WarningCode, string> = new Map([
  ['usage-from-requests', 'workloads'], ['demand-without-usage', 'workloads'], ['usage-without-demand', 'workloads'],
  ['node-price-unknown', 'nodes'], ['node-price-approximate', 'nodes'], ['pool-price-zero', 'node pools'], ['carbon-unknown', 'pools or nodes'], ['carbon-approximate', 'pools or nodes'],
]);

/** A warning in a few words, for a summary line: "HPA at maxReplicas (HorizontalPodAutoscaler/shop/web)". */
export function warningBrief(w: RunWarning): string {
  const subject = LISTS.has(w.code) && w.objects.length > 1 ? `${w.objects.length} ${LISTS.get(w.code)}` : w.objects[0];
  return subject ? `${w.title} (${subject})` : w.title;
}

/** Node cost (price x life, provisioning included) and its OpenCost allocation: max(request,
 *  usage) per workload per node per hour (cost/allocationWindows.ts); idle = total - allocated.
 *  The `by*` maps are sorted by key. */
export interface CostSummary {
  /** What every node cost, in USD: its price per hour for every millisecond from creation to
   *  removal (or the end of the run). */
  totalUsd: number;
  /** totalUsd by node pool; nodes from Node manifests under "(manifest nodes)". */
  byPool: Record<string, number>;
  /** What the nodes would have cost at list prices (before spec.pricing's discounts; the spot
   *  price of the moment for spot nodes): totalUsd when no discount applies. */
  listUsd: number;
  /** allocatedUsd by namespace of the charged workloads. */
  byNamespace: Record<string, number>;
  /** totalUsd - allocatedUsd: what no workload was charged. Negative when pods bursting above
   *  their requests are charged more of a node than the requests left free (OpenCost's idle). */
  idleUsd: number;
  /** totalUsd per hour of the run x 730 hours, in USD rounded to cents; 0 for a run of no time. */
  monthlyRunRateUsd: number;
  /** Node cost charged to workloads, in USD: max(∫request, ∫usage) of CPU and of memory per
   *  workload per node per hour, at the node's per-core and per-GB rates. */
  allocatedUsd: number;
  /** totalUsd by instance type (aws/m5.xlarge); "(none)" for nodes without one. */
  byInstanceType: Record<string, number>;
  /** totalUsd by capacity type: on-demand, spot. */
  byCapacityType: Record<string, number>;
  /** allocatedUsd by workload, Kind/namespace/name (Pod/namespace/name for a bare pod). */
  byWorkload: Record<string, number>;
}

/** Energy and emissions of the nodes by the Cloud Carbon Footprint method (src/carbon/), allocated
 *  to workloads like cost: per node-hour, a workload's max(∫request, ∫usage) share of the CPU
 *  and memory energy and its cost share of the host's embodied emissions; idle = kgCo2e -
 *  allocatedKgCo2e. kg CO2e and kWh, 6 decimals. The `by*` maps are sorted by key. */
export interface CarbonSummary {
  /** Operational + embodied emissions of every node, kg CO2e. */
  kgCo2e: number;
  /** Energy the nodes drew at the wall (PUE included), kWh. */
  energyKwh: number;
  /** energyKwh x each node's grid intensity. */
  operationalKgCo2e: number;
  /** The nodes' share of their hosts' manufacturing emissions. */
  embodiedKgCo2e: number;
  /** kgCo2e charged to workloads. */
  allocatedKgCo2e: number;
  /** kgCo2e - allocatedKgCo2e (negative when bursting pods are charged more than requests left free, as idleUsd). */
  idleKgCo2e: number;
  /** Node-hours left out of the figures above: nodes without an instance type the catalog knows (warning carbon-unknown). */
  unestimatedNodeHours: number;
  /** kgCo2e by node pool ("(manifest nodes)" for Node manifests), by grid region, and allocatedKgCo2e by namespace and workload. */
  byPool: Record<string, number>;
  byRegion: Record<string, number>;
  byNamespace: Record<string, number>;
  byWorkload: Record<string, number>;
}

/** Time-weighted shares of the allocatable of Ready nodes, in percent: ∫amount dt / ∫allocatable dt. */
export interface UtilizationSummary {
  /** CPU requested by the pods bound to nodes. */
  cpuRequestedPct: number;
  /** CPU the containers used (after throttling and contention). */
  cpuUsedPct: number;
  /** Memory requested by the pods bound to nodes. */
  memoryRequestedPct: number;
  /** Memory the containers used (working set). */
  memoryUsedPct: number;
}

/** Nodes that exist (provisioning, Ready, cordoned or draining); the extremes count only states
 *  that lasted, not a burst of changes at one instant. */
export interface NodesSummary {
  /** Fewest nodes at any time. */
  min: number;
  /** Most nodes at any time. */
  max: number;
  /** Time-weighted mean number of nodes (node-hours over the run's hours). */
  mean: number;
  /** ∫nodes dt, in node-hours. */
  nodeHours: number;
}

export interface PodsSummary {
  /** Pods bound to a node (by the scheduler, or directly by spec.nodeName); not the pods of a
   *  cluster's state that start on their nodes at t = 0. */
  scheduled: number;
  /** Pods created but not bound at the end of the run. */
  unschedulable: number;
  /** Containers killed for going over their memory limit. */
  oomKills: number;
  /** Pods evicted (Evicted events: through the eviction API, by node pressure or by taints). */
  evictions: number;
  /** Pods preempted by higher-priority pods (Preempted events). */
  preemptions: number;
  /** Containers restarted by the kubelet. */
  restarts: number;
  /** ∫pending pods dt, in pod-seconds. */
  pendingPodSeconds: number;
  /** Most pods pending at any time. */
  maxPending: number;
}

export interface DemandSummary {
  /** Served share of all demand offered, in percent: 100 x ∫served / ∫demand over every
   *  workload; null when no workload has demand. */
  servedPct: number | null;
}

export interface AutoscalingSummary {
  /** Replica changes the HPAs made (ScaledUp and ScaledDown events from an HPA). */
  hpaScaleEvents: number;
  /** Scale-ups the cluster autoscaler decided (NodeScaleUp events; one may add several nodes). */
  nodeScaleUps: number;
  /** Nodes the cluster autoscaler removed as unneeded (NodeScaleDown events). */
  nodeScaleDowns: number;
  /** What Karpenter did, when it ran (the scenario has NodePools that provision). */
  karpenter?: KarpenterSummary;
}

/** summary.autoscaling.karpenter (controllers/karpenter/karpenter.ts). */
export interface KarpenterSummary {
  nodeClaimsLaunched: number;
  launchedByNodePool: Record<string, number>;
  nodeClaimsTerminated: number;
  terminatedByReason: Record<string, number>;
  nodeClaimsAtEnd: number;
  /** What the NodeClaims left at the end cost an hour together (their offerings' prices). */
  usdPerHourAtEnd: number;
  launchFailures: number;
  provisioningBatches: number;
  podsNominated: number;
  /** Pods Karpenter saw provisionable (marked Unschedulable by kube-scheduler). */
  podsProvisionable: number;
  /** Of them, bound by the end; mean and max time from first provisionable to bound. */
  podsBound: number;
  meanPendingSeconds: number | null;
  maxPendingSeconds: number | null;
  /** Pods Karpenter could not provision for at some point (a FailedScheduling of its own). */
  podsFailedToSchedule: number;
  /** NodeClaims deleted because they reached expireAfter; spot interruption warnings handled. */
  expired: number;
  spotInterruptions: number;
  startupDelaySeconds: number;
  /** Disruption (controllers/karpenter/disruption.ts). */
  disruption: KarpenterDisruptionSummary;
}

/** summary.autoscaling.karpenter.disruption. */
export interface KarpenterDisruptionSummary {
  /** Commands started, by method and decision ("single/replace", "drift/delete", ...). */
  commands: Record<string, number>;
  /** Nodes whose deletion a command started, by reason (Empty, Drifted, Underutilized). */
  nodesDisrupted: Record<string, number>;
  replacementsLaunched: number;
  /** Consolidation commands that failed validation after the 15 s wait, by why (churn, budget, scheduling). */
  validationFailures: Record<string, number>;
  /** Commands abandoned: a replacement could not launch or did not initialize in 10 minutes. */
  commandsFailed: number;
  /** Sum of the estimated savings of the consolidation commands started, $/h. */
  estimatedSavingsUsdPerHour: number;
  /** NodeClaims found drifted, by drift reason (NodePoolDrifted, RequirementsDrifted, AMIDrift, NodeClassDrift). */
  drifted: Record<string, number>;
}


/** summary.traces: the pods of spec.traces and how long they queued. Delays are scheduled -
 *  created in seconds over the pods that were bound, percentiles by nearest rank; null when no
 *  pod was bound (or, for the trace's own, none had a scheduled time). */
export interface TracesSummary {
  /** Rows replayed: pods created, and rows whose create failed (a name already taken). */
  pods: number;
  failedCreates: number;
  scheduled: number;
  /** Created and never bound. */
  neverScheduled: number;
  queueingDelayP50Seconds: number | null;
  queueingDelayP95Seconds: number | null;
  queueingDelayMaxSeconds: number | null;
  /** The same figures from the trace's own scheduled times, for comparison. */
  traceQueueingDelayP50Seconds: number | null;
  traceQueueingDelayP95Seconds: number | null;
  traceQueueingDelayMaxSeconds: number | null;
  /** The replay against the trace, pod by pod: pods bound by the replay that the trace scheduled
   *  too, and the replay's scheduled time minus the trace's over them (positive: later). */
  comparedPods: number;
  scheduledDiffP50Seconds: number | null;
  scheduledDiffP95Seconds: number | null;
  scheduledDiffMaxSeconds: number | null;
  /** Pods the trace scheduled that the replay never bound, and of them those still pending at the
   *  end (the others were deleted before a node had room). */
  traceScheduledNeverBound: number;
  traceScheduledPendingAtEnd: number;
}

/** The sections of summary.json: its keys whose values are objects of figures (not the list of
 *  warnings, which a run may not have). */
export type SummarySection = { [K in Exclude<keyof Summary, 'warnings'>]: Summary[K] extends object ? K : never }[Exclude<keyof Summary, 'warnings'>];

/** A dotted key of a number of summary.json (`cost.totalUsd`, `demand.servedPct`), as the compare
 *  table, --objective and --constraint name the figures. The maps' entries (`cost.byPool.general`)
 *  depend on the run and are not among them. */
export type SummaryFigure =
  | { [K in keyof Summary]-?: Summary[K] extends number ? K : never }[keyof Summary]
  | { [S in SummarySection]: { [K in keyof Summary[S] & string]: Summary[S][K] extends number | null ? `${S}.${K}` : never }[keyof Summary[S] & string] }[SummarySection];

/** summary.json's gpu section. Percentages are means and maxima over the samples from the first
 *  at which a Ready node has a GPU (gpu.csv's gpu_allocated_pct and gpu_fragmented_pct). */
export interface GpuSummary {
  /** The most GPUs the Ready nodes had at a sample. */
  gpusMax: number;
  /** GPU milli given to pods (a whole GPU is 1000) / all GPU milli, mean and maximum. */
  allocatedMeanPct: number;
  allocatedMaxPct: number;
  /** Free milli on partly allocated GPUs / all free GPU milli ("Beware of Fragmentation", ATC'23,
   *  simple form), mean and maximum. */
  fragmentedMeanPct: number;
  fragmentedMaxPct: number;
  /** The same for the fragmentation the typical task mix sees (the paper's measure), mean and maximum. */
  fgdMeanPct: number;
  fgdMaxPct: number;
}
