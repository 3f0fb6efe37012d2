// Which pods a node's removal must move, and which pods forbid it (simulator/drainability/rules,
// utils/drain/drain.go; reference/k8s-algorithms.md §3.7). The rules run in order; the first that
// decides wins.
import type { Node } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { isTerminal } from '../../model/pod.ts';

export const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
export const SAFE_TO_EVICT_LOCAL_VOLUMES = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';
/** --blocking-system-pod-distruption-timeout: a kube-system pod without a PDB blocks for 1 h. */
const SYSTEM_POD_BLOCKING_MS = 3_600_000;
/** A pod whose deletion is older than its grace period plus this is "long terminating". */
const LONG_TERMINATING_EXTRA_MS = 30_000;
/** Controllers whose pods may be moved (--skip-nodes-with-custom-controller-pods). */
const REPLICATED_KINDS = new Set(['ReplicaSet', 'StatefulSet', 'Job', 'ReplicationController']);

export interface DrainRules {
  skipNodesWithSystemPods: boolean;
  skipNodesWithLocalStorage: boolean;
  skipNodesWithCustomControllerPods: boolean;
}

/** drain.BlockingPodReason, as the autoscaler reports it. */
export type BlockingReason = 'NotReplicated' | 'UnmovableKubeSystemPod' | 'NotSafeToEvictAnnotation' | 'LocalStorageRequested' | 'NotEnoughPdb';

export interface DrainPlan {
  /** Pods to reschedule elsewhere before the node can go. */
  toMove: Pod[];
  /** DaemonSet pods: evicted with the node (not moved). */
  daemonSet: Pod[];
  blocking: { pod: Pod; reason: BlockingReason } | null;
}

export interface PdbBudget {
  /** Every PDB matching the pod with its disruptions still allowed in this simulation. */
  remainingFor(pod: Pod): { name: string; remaining: number }[];
}

/** GetPodsToMove: sorts the node's pods into moved, daemon and blocking. */
export function podsToMove(node: Node, rules: DrainRules, pdbs: PdbBudget, nowMs: number): DrainPlan {
  const plan: DrainPlan = { toMove: [], daemonSet: [], blocking: null };
  for (const pod of node.info.pods) {
    const verdict = drainability(pod, rules, pdbs, nowMs);
    if (verdict === 'skip') continue;
    if (verdict === 'daemon') plan.daemonSet.push(pod);
    else if (verdict === 'move') plan.toMove.push(pod);
    else {
      plan.blocking = { pod, reason: verdict };
      return plan;
    }
  }
  return plan;
}

type Verdict = 'skip' | 'daemon' | 'move' | BlockingReason;

function drainability(pod: Pod, rules: DrainRules, pdbs: PdbBudget, nowMs: number): Verdict {
  // 1-2: mirror pods (a static pod's, owned by its node) stay with the node; long-terminating pods are ignored.
  if (pod.owner?.kind === 'Node') return 'skip';
  if (pod.deletionMs >= 0 && nowMs > pod.deletionMs + (pod.deletionGraceSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000 + LONG_TERMINATING_EXTRA_MS) return 'skip';
  if (pod.owner?.kind === 'DaemonSet') return 'daemon';
  const safeToEvict = pod.annotations[SAFE_TO_EVICT];
  if (safeToEvict === 'true') return 'move';
  if (isTerminal(pod)) return 'move';
  if (!pod.owner || (rules.skipNodesWithCustomControllerPods && !REPLICATED_KINDS.has(pod.owner.kind))) return 'NotReplicated';
  const budgets = pdbs.remainingFor(pod);
  if (rules.skipNodesWithSystemPods && pod.namespace === 'kube-system' && budgets.length === 0 && nowMs - pod.createdMs < SYSTEM_POD_BLOCKING_MS) return 'UnmovableKubeSystemPod';
  if (safeToEvict === 'false') return 'NotSafeToEvictAnnotation';
  if (rules.skipNodesWithLocalStorage && pod.spec.hasLocalStorage && !pod.annotations[SAFE_TO_EVICT_LOCAL_VOLUMES]) return 'LocalStorageRequested';
  if (budgets.some((b) => b.remaining < 1)) return 'NotEnoughPdb';
  return 'move';
}
