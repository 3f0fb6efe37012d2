// What Karpenter's disruption decisions are made from and what they produce: a snapshot of its
// cluster state (kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/state: StateNode with its
// NodeClaim, Node and pods) and the Candidate / Command / Replacement of
// pkg/controllers/disruption/types.go. The controller (src/controllers/karpenter/disruption.ts)
// builds a snapshot each poll; the modules in this folder are pure functions of it.
import type { Taint } from '../../model/api.ts';
import type { Pod } from '../../model/pod.ts';
import type { DisruptionReason } from '../budgets.ts';
import type { PdbLimit } from '../disruptionCost.ts';
import type { CapacityType, KarpenterInstanceType } from '../instanceTypes.ts';
import type { ResolvedNodePool } from '../nodePools.ts';
import type { ResourceVector } from '../podRequirements.ts';
import type { ExistingNode, NodeClaimPlan } from '../scheduler.ts';

/** A Karpenter NodeClaim with its Node, as cluster state holds it. */
export interface ClaimState {
  /** The NodeClaim's name. */
  name: string;
  /** The Node's name (the name in events and in the simulation). */
  nodeName: string;
  nodePool: string;
  /** The instance type as the NodePool's menu offers it; null when the catalog lacks it. */
  instanceType: KarpenterInstanceType | null;
  capacityType: CapacityType;
  zone: string;
  /** resolveNodePrice: the offering's price for the node's zone and capacity type. */
  priceUsdPerHour: number;
  /** The Node's labels (karpenter.sh/nodepool, instance type, zone, capacity type, the NodePool's labels). */
  labels: Readonly<Record<string, string>>;
  /** The Node's annotations (karpenter.sh/do-not-disrupt). */
  annotations: Readonly<Record<string, string>>;
  taints: readonly Taint[];
  /** The Node's allocatable. */
  allocatable: ResourceVector;
  /** Its capacity (counted against NodePool limits). */
  capacity: ResourceVector;
  /** Pods bound to the node and not yet removed (terminal ones included; they are filtered here). */
  pods: readonly Pod[];
  createdMs: number;
  /** When the NodeClaim became Initialized; null before. */
  initializedMs: number | null;
  /** status.lastPodEventTime (pkg/controllers/nodeclaim/podevents); null when no pod event yet. */
  lastPodEventMs: number | null;
  /** The Node's Ready condition. */
  ready: boolean;
  /** Deleting, marked for deletion, or in the orchestration queue (state MarkedForDeletion / queue.HasAny). */
  deleting: boolean;
  /** Nominated by a recent provisioning pass for a pending pod. */
  nominated: boolean;
  /** NodeClaim spec.expireAfter and terminationGracePeriod (copied from the NodePool at launch). */
  expireAfter: string;
  terminationGracePeriod: string | null;
  /** The karpenter.sh/nodepool-hash of the NodePool and the NodeClass hash when it launched (drift.ts). */
  nodePoolHash: string;
  nodeClassHash: string;
  /** The image it launched with (drift.ts resolvedImage of its NodeClass then). */
  image: string;
  /** The Drifted condition's lastTransitionTime, or null when not drifted. */
  driftedSinceMs: number | null;
  /** The Drifted condition's reason ("NodePoolDrifted", "RequirementsDrifted", "AMIDrift", ...). */
  driftReason: string | null;
}

export interface DisruptionSnapshot {
  nowMs: number;
  /** resolveNodePools: every NodePool, by weight then name. */
  nodePools: readonly ResolvedNodePool[];
  claims: readonly ClaimState[];
  /** Nodes Karpenter does not own (a managed node group): capacity pods may move to. */
  otherNodes: readonly ExistingNode[];
  /** Pods pending now (the provisioner's GetPendingPods): simulated too, but their failing to fit does not block. */
  pendingPods: readonly Pod[];
  pdbs: readonly PdbLimit[];
  /** One pod per DaemonSet (its template). */
  daemonSetPods: readonly Pod[];
  /** Feature gate SpotToSpotConsolidation (upstream default false). */
  spotToSpotConsolidation: boolean;
}

/** pkg/controllers/disruption/types.go Candidate. */
export interface Candidate {
  claim: ClaimState;
  nodePool: ResolvedNodePool;
  /** The node name (sortCandidates' tie-break, the name in messages). */
  name: string;
  instanceType: KarpenterInstanceType | null;
  capacityType: CapacityType;
  zone: string;
  price: number;
  /** Pods that must move: active, not DaemonSet, not mirror (pod.IsReschedulable). */
  reschedulablePods: Pod[];
  disruptionCost: number;
  rescheduleDisruptionCost: number;
  savingsRatio: number;
}

/** A replacement NodeClaim: the simulation's plan narrowed to the cheaper types. */
export interface Replacement {
  plan: NodeClaimPlan;
  /** The types it may launch as, cheapest first (what the orchestration launches from). */
  instanceTypes: KarpenterInstanceType[];
}

export type Decision = 'delete' | 'replace' | 'noop';

export interface Command {
  reason: DisruptionReason;
  /** "empty", "multi", "single", or "" for drift (ConsolidationType()). */
  consolidationType: string;
  candidates: Candidate[];
  replacements: Replacement[];
}

export function decision(cmd: Command): Decision {
  if (cmd.candidates.length > 0 && cmd.replacements.length > 0) return 'replace';
  if (cmd.candidates.length > 0) return 'delete';
  return 'noop';
}

/** An event Karpenter would publish, on the node (and its NodeClaim) or on a NodePool. */
export interface DisruptionEvent {
  /** "Node/<name>" or "NodePool/<name>". */
  object: string;
  reason: 'DisruptionBlocked' | 'Unconsolidatable' | 'ConsolidationApproved' | 'DisruptionLaunching' | 'DisruptionTerminating' | 'DisruptionWaitingReadiness' | 'ConsolidationCandidate' | 'ConsolidationRejected';
  message: string;
}

/** The outcome of one method: the commands it would start and the events it published. */
export interface MethodResult {
  commands: Command[];
  events: DisruptionEvent[];
  /** The method left the cluster "consolidated" (markConsolidated): nothing to do until state changes. */
  markConsolidated: boolean;
}
