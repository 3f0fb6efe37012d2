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
  utilization: UtilizationSummary;
  nodes: NodesSummary;
  pods: PodsSummary;
  demand: DemandSummary;
  autoscaling: AutoscalingSummary;
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
  /** Pods bound to a node (by the scheduler, or directly by spec.nodeName). */
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
}

/** The sections of summary.json: its keys whose values are objects. */
export type SummarySection = { [K in keyof Summary]: Summary[K] extends object ? K : never }[keyof Summary];

/** A dotted key of a number of summary.json (`cost.totalUsd`, `demand.servedPct`), as the compare
 *  table, --objective and --constraint name the figures. The maps' entries (`cost.byPool.general`)
 *  depend on the run and are not among them. */
export type SummaryFigure =
  | { [K in keyof Summary]: Summary[K] extends number ? K : never }[keyof Summary]
  | { [S in SummarySection]: { [K in keyof Summary[S] & string]: Summary[S][K] extends number | null ? `${S}.${K}` : never }[keyof Summary[S] & string] }[SummarySection];
