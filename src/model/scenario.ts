// A validated scenario: what the simulation reads. Produced by src/scenario/ from the YAML
// (DESIGN.md §2); durations are milliseconds, quantities integers, defaults filled in.
import type { Taint } from './api.ts';
import type { KubeObject, SourceRef } from './objects.ts';
import type { KarpenterChange, KarpenterInput } from './karpenter.ts';
import type { RunWarning } from '../outputs/summary.ts';
import type { ResourceMap } from './resources.ts';
import type { CapacityType, NodeDiscount } from './node.ts';
import type { PricingSpec } from './pricing.ts';
import type { CarbonSettings } from './carbonSettings.ts';

export interface Scenario {
  name: string;
  description: string;
  /** Path of the scenario file as given on the command line. */
  file: string;
  seed: number;
  /** spec.start as Unix epoch milliseconds (UTC). */
  startEpochMs: number;
  durationMs: number;
  sampleEveryMs: number;
  cluster: {
    nodePools: NodePool[];
    autoscaler: AutoscalerSpec | null;
    scheduler: SchedulerSpec;
  };
  /** Every object from manifests and the workloads shorthand, in declaration order (after the
   *  cluster state's decisions: owned pods attached to their workloads, history left out). */
  objects: KubeObject[];
  /** spec.placement (or --placement): where the pods of a cluster's state start. */
  placement: Placement;
  /** What the loader decided about each object of a cluster's state (empty for a scenario
   *  without one): `capsim validate`, a run and `capsim import` print it. */
  clusterState: ClusterStateReport;
  /** Karpenter's NodePools, NodeClaims and NodeClasses from the manifests: read and checked
   *  (scenario/karpenterChecks.ts), not simulated yet (issue 17). Absent in a scenario built by hand. */
  karpenter?: KarpenterInput;
  /** spec.pricing, read (absent: the pools' own and the catalog's prices). */
  pricing?: PricingSpec;
  behavior: Behavior[];
  events: ScriptedEvent[];
  /** spec.carbon: the carbon estimate's overrides (absent: Cloud Carbon Footprint's coefficients). */
  carbon?: CarbonSettings;
  /** spec.traces: pod trace files replayed during the run (kubectl/traceReplay.ts), checked at
   *  load; absolute `file`, `shown` for messages, and how many rows each has. Absent: none. */
  traces?: { file: string; shown: string; rows: number }[];
  /** One-line notices for the user (e.g. "skipped 3 objects of kinds Service, ConfigMap"). */
  notices: string[];
  /** The scenario document with every default filled in (written as scenario.resolved.yaml). */
  resolved: Record<string, unknown>;
  /** Every file the scenario was read from (absolute paths): itself, its manifests, its traces.
   *  A sweep hashes them to know a scenario's content, and ships them to a cluster. */
  inputFiles: string[];
}

/** asDumped: a pod of a cluster's state starts where it runs (spec.nodeName), adopted by its
 *  workload; reschedule: the workloads create their pods afresh and the scheduler places them. */
export type Placement = 'asDumped' | 'reschedule';
export const PLACEMENTS: readonly Placement[] = ['asDumped', 'reschedule'];

/**
 * What the loader did with an object of a cluster's state (src/scenario/clusterState.ts):
 * - kept: simulated as it is (a workload, with what it owns);
 * - adopted: belongs to a workload of the manifests (a Pod to its ReplicaSet, StatefulSet,
 *   DaemonSet or Job; a ReplicaSet to its Deployment; a Job to its CronJob), not a second copy;
 * - converted: simulated as another kind (an Argo Rollout as a Deployment);
 * - history: finished (a completed Job and its pods, a Succeeded or Failed pod): counted, not run;
 * - skipped: not simulated (a Helm hook, a kind capsim does not simulate), with why;
 * - orphan: its controller is not in the manifests: it runs as a bare pod;
 * - unmanaged: its controller is a kind capsim does not simulate: it runs as a bare pod that
 *   nothing replaces.
 */
export type StateDecision = 'kept' | 'adopted' | 'converted' | 'history' | 'skipped' | 'orphan' | 'unmanaged';
export const STATE_DECISIONS: readonly StateDecision[] = ['kept', 'adopted', 'converted', 'history', 'skipped', 'orphan', 'unmanaged'];

export interface StateEntry {
  /** "Kind/namespace/name" */
  object: string;
  decision: StateDecision;
  /** Why, in a few words: "owned by ReplicaSet web-5d8f (Deployment/shop/web)". */
  reason: string;
  source: SourceRef;
}

export interface ClusterStateReport {
  placement: Placement;
  /** One entry per object of the cluster's state, in the order the decisions were made. */
  entries: StateEntry[];
  /** What the decisions leave the results unable to say (pods nothing manages, kinds not
   *  simulated, HPAs held, nodes overcommitted): part of the scenario's warnings. */
  warnings: RunWarning[];
  /** Pods that start Running on their node at t = 0. */
  runningPods: number;
}

export interface NodePool {
  name: string;
  /** "aws/m5.xlarge" when taken from the catalog, else null. */
  instanceType: string | null;
  /** Node capacity: cpu (milli), memory (bytes), pods, and any extended resources. */
  capacity: ResourceMap;
  capacityType: CapacityType;
  /** Price of one node-hour at this pool's capacity type (the spot price for spot pools). */
  priceUsdPerHour: number;
  /** The region of the catalog price it was given ("us-east-1"); absent when the scenario gave
   *  the price, or the catalog's price names no region (GCE). */
  catalogPriceRegion?: string;
  /** Under spec.pricing: the list price before discounts (a spot pool's at the start, in its
   *  first zone), the contracted price, the discounts applied, and the region. */
  listPriceUsdPerHour?: number;
  contractedPriceUsdPerHour?: number;
  discounts?: readonly NodeDiscount[];
  region?: string;
  /** Where the list price comes from, in words (validate prints it). */
  priceSource?: string;
  /** A spot pool priced by spec.pricing.spotPriceHistory: each node at its zone's price in effect. */
  spotPriceFromHistory?: boolean;
  spot: { interruptionsPerNodeDay: number; noticeSeconds: number } | null;
  kubeReserved: ResourceMap;
  systemReserved: ResourceMap;
  /** evictionHard memory.available, resolved to bytes against the capacity. */
  evictionHardMemoryBytes: number;
  /** kubelet --eviction-pressure-transition-period: how long MemoryPressure stays True after the
   *  signal was last below the threshold. */
  evictionPressureTransitionPeriodMs: number;
  /** The nodes' cgroup hierarchy: v1 weighs CPU by cpu.shares, v2 by cpu.weight. */
  cgroupVersion: CgroupVersion;
  labels: Record<string, string>;
  /** Annotations of the pool's nodes (e.g. cluster-autoscaler.kubernetes.io/scale-down-disabled). */
  annotations: Record<string, string>;
  taints: Taint[];
  zones: string[];
  count: number;
  min: number;
  max: number;
  provisioningDelayMs: number;
}

export type CgroupVersion = 'v1' | 'v2';

export interface SchedulerSpec {
  scoringStrategy: 'LeastAllocated' | 'MostAllocated';
  /** 0 = adaptive (numFeasibleNodesToFind). */
  percentageOfNodesToScore: number;
}

/** cluster-autoscaler's expanders (--expander; reference/k8s-algorithms.md §3.4): the names the
 *  scenario accepts and the strategies controllers/clusterAutoscaler/expanders/ implements. */
export const EXPANDER_NAMES = ['random', 'most-pods', 'least-nodes', 'least-waste', 'price', 'priority'] as const;
export type ExpanderName = (typeof EXPANDER_NAMES)[number];

/** cluster-autoscaler flags (reference/k8s-algorithms.md §3); durations in milliseconds. */
export interface AutoscalerSpec {
  /** The --expander chain, e.g. ["priority", "least-waste"]. */
  expander: ExpanderName[];
  scanIntervalMs: number;
  scaleDownEnabled: boolean;
  scaleDownUtilizationThreshold: number;
  scaleDownGpuUtilizationThreshold: number;
  scaleDownUnneededTimeMs: number;
  scaleDownUnreadyTimeMs: number;
  scaleDownDelayAfterAddMs: number;
  scaleDownDelayAfterDeleteMs: number;
  scaleDownDelayAfterFailureMs: number;
  /** 0 = no limit. */
  maxNodesTotal: number;
  /** --balance-similar-node-groups. */
  balanceSimilarNodeGroups: boolean;
  /** --cores-total: the cluster's cores (capacity, rounded up per node); a max of 0 = no limit. */
  coresTotal: { min: number; max: number };
  /** --memory-total, converted from GiB: the cluster's memory capacity; a max of 0 = no limit. */
  memoryTotalBytes: { min: number; max: number };
  maxNodeProvisionTimeMs: number;
  ignoreDaemonsetsUtilization: boolean;
  skipNodesWithLocalStorage: boolean;
  skipNodesWithSystemPods: boolean;
  skipNodesWithCustomControllerPods: boolean;
  expendablePodsPriorityCutoff: number;
  newPodScaleUpDelayMs: number;
  maxNodesPerScaleUp: number;
  maxScaleDownParallelism: number;
  maxDrainParallelism: number;
  maxGracefulTerminationSec: number;
  maxPodEvictionTimeMs: number;
  nodeDeleteDelayAfterTaintMs: number;
  unremovableNodeRecheckTimeoutMs: number;
  initialNodeGroupBackoffDurationMs: number;
  maxNodeGroupBackoffDurationMs: number;
  nodeGroupBackoffResetTimeoutMs: number;
  okTotalUnreadyCount: number;
  maxTotalUnreadyPercentage: number;
  /** The priority expander's ConfigMap: tiers of node-pool-name regexes, highest priority first. */
  priorities: { priority: number; patterns: RegExp[] }[];
}

/** How a workload is loaded and uses resources (DESIGN §2 `behavior:`). Demand and usage are
 *  validated now and simulated by the resource-physics work. */
export interface Behavior {
  /** "Kind/namespace/name" of a declared workload. */
  target: string;
  demand: DemandPattern[];
  usage: Record<string, ContainerUsage>;
  startup: { delayMs: number | null };
  shutdown: { delayMs: number | null };
  arrivals: { cron: string } | { poissonPerHour: number } | null;
  run: { duration: RunDuration } | null;
}

export type DemandPattern =
  | { constant: number }
  | { daily: { amplitude: number; peakAt: string } }
  | { weekly: { weekendFactor: number } }
  | { growth: { perDay: number } }
  | { spike: { atMs: number; durationMs: number; factor: number } }
  | { noise: { cv: number } }
  /** A measured series, read from the CSV when the scenario is loaded: times in ms since spec.start,
   *  increasing; values >= 0. `file` (as shown to the user) is kept for messages. */
  | { trace: { file: string; timesMs: number[]; values: number[] } };

/** A container's usage model; a resource that is null is used at exactly its request. */
export interface ContainerUsage {
  cpu: { baseMilli: number; perUnitMilli: number } | null;
  memory: { baseBytes: number; perUnitBytes: number; leakBytesPerHour: number; noise: number } | null;
}

export type RunDuration =
  | { fixedMs: number }
  | { exponential: { meanMs: number } }
  | { lognormal: { medianMs: number; sigma: number } };

/** Which nodes a scripted event acts on. `count` picks the first nodes in creation order that
 *  match and are not already gone. */
export interface NodeSelection {
  node?: string;
  pool?: string;
  zone?: string;
  count: number;
}

export type ScriptedEvent =
  | { atMs: number; type: 'drain'; drain: NodeSelection & { gracePeriodSeconds: number | null; timeoutMs: number | null; deleteNodes: boolean } }
  | { atMs: number; type: 'cordon'; cordon: NodeSelection }
  | { atMs: number; type: 'uncordon'; uncordon: NodeSelection }
  | { atMs: number; type: 'nodeFailure'; nodeFailure: NodeSelection & { durationMs: number | null } }
  | { atMs: number; type: 'zoneOutage'; zoneOutage: { zone: string; durationMs: number } }
  | { atMs: number; type: 'spotInterruption'; spotInterruption: { pool: string; count: number } }
  | { atMs: number; type: 'capacityUnavailable'; capacityUnavailable: { pool: string; durationMs: number } }
  | { atMs: number; type: 'rollout'; rollout: { target: string } }
  | { atMs: number; type: 'scale'; scale: { target: string; replicas: number } }
  /** Karpenter's: played by the Karpenter controller (scenario.karpenter.changes), not ScriptedEvents. */
  | { atMs: number; type: 'nodePoolUpdate'; nodePoolUpdate: NonNullable<KarpenterChange['nodePool']> }
  | { atMs: number; type: 'nodeClassUpdate'; nodeClassUpdate: NonNullable<KarpenterChange['nodeClass']> };
