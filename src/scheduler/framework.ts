// The scheduling framework's plugin contract, after kube-scheduler's framework/interface.go
// (reference/k8s-algorithms.md §4): PreFilter/Filter decide feasibility, PreScore/Score/
// NormalizeScore rank the feasible nodes. One plugin per file in plugins/, named as upstream.
import type { Pod } from '../model/pod.ts';
import type { NodeInfo } from '../model/node.ts';
import type { SpreadCounts } from './spreadCounts.ts';

/** A filter's verdict on one node. `unresolvable` mirrors UnschedulableAndUnresolvable: evicting
 *  pods (preemption) cannot help. Reasons are the upstream strings, e.g. "Insufficient cpu". */
export interface FilterFailure {
  plugin: string;
  reasons: string[];
  unresolvable: boolean;
}

/** What every plugin may read about the cluster for one scheduling cycle. */
export interface Snapshot {
  /** All nodes that exist (any state), in the scheduler's node-tree order. */
  readonly nodeInfos: readonly NodeInfo[];
  /** Labels of a namespace (for namespaceSelector); empty when the namespace has none. */
  namespaceLabels(namespace: string): Record<string, string>;
  /** True when some bound pod anywhere has required pod anti-affinity (skip work otherwise). */
  readonly anyRequiredAntiAffinity: boolean;
  /** True when some bound pod anywhere has any pod affinity/anti-affinity term. */
  readonly anyPodAffinity: boolean;
  /** Selector of the pod's controller (ReplicaSet/StatefulSet), used for the system-default
   *  topology spreading (upstream DefaultSelector); null for bare pods and other owners. */
  ownerSelector(pod: Pod): import('../model/api.ts').LabelSelector | null;
  /** Matching-pod counts kept between cycles (the scheduler's own snapshot); absent: count afresh. */
  readonly spreadCounts?: SpreadCounts;
}

/** Per-cycle state: plugins store what PreFilter/PreScore computed under their own name. */
export type CycleState = Map<string, unknown>;

export interface FilterPlugin {
  readonly name: string;
  /** Computes per-pod state once per cycle. Returns false when the plugin has nothing to check
   *  for this pod (upstream's Skip status): Filter is then not called. */
  preFilter?(state: CycleState, pod: Pod, snapshot: Snapshot): boolean;
  /** null when the pod fits on the node. */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null;
  /** Keep PreFilter state in step when preemption removes or re-adds a pod (AddPod/RemovePod). */
  removePod?(state: CycleState, pod: Pod, victim: Pod, nodeInfo: NodeInfo): void;
  addPod?(state: CycleState, pod: Pod, added: Pod, nodeInfo: NodeInfo): void;
}

export interface ScorePlugin {
  readonly name: string;
  /** Returns false to skip scoring for this pod (its scores would be equal on every node). */
  preScore?(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], snapshot: Snapshot): boolean;
  /** Raw score of one feasible node. Plugins without normalize must return 0..100. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** The same raw scores for every feasible node at once, into out[0..feasible.length): one call
   *  per plugin and cycle instead of one per node (a hot path). Must equal `score` node by node. */
  scoreAll?(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], out: number[]): void;
  /** Rewrites raw scores in place to 0..100 (NormalizeScore). */
  normalize?(state: CycleState, pod: Pod, scores: number[], feasible: readonly NodeInfo[]): void;
}

export const MAX_NODE_SCORE = 100;
