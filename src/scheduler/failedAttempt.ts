// A failed scheduling attempt, kept for the next pod in the same scheduling loop. Upstream runs
// findNodesThatFitPod for every pod (schedule_one.go); its outcome depends only on the snapshot
// and on what the filters read of the pod. When a ReplicaSet's pods wait for nodes, hundreds of
// identical pods each fail on every node in turn: while nothing in the cluster changed since the
// last failure (the scheduler counts every watch notification and nomination), an identical pod
// fails the same way, and its verdicts are taken over instead of filtering thousands of nodes
// again. A failure leaves no trace in the algorithm (nextStartNodeIndex moves by all nodes).
import type { Pod } from '../model/pod.ts';
import type { CycleResult } from './algorithm.ts';

export interface FailedAttempt {
  pod: Pod;
  /** The scheduler's change counter when the attempt failed. */
  changes: number;
  result: CycleResult;
  message: string;
  plugins: ReadonlySet<string>;
}

/** True when every filter sees the two pending pods alike: the same spec object (so tolerations,
 *  node selector, affinity, spread constraints and host ports), namespace, owner (the selector
 *  of default spreading), labels (selectors that match the pod itself), priority and requests, and
 *  neither nominated to a node (a nominated pod is tried there first and excluded from the
 *  nominated pods it would otherwise count). */
export function sameSchedulingInputs(a: Pod, b: Pod): boolean {
  if (a.spec !== b.spec || a.namespace !== b.namespace || a.priority !== b.priority || a.preemptionPolicy !== b.preemptionPolicy) return false;
  if (a.nominatedNodeName !== null || b.nominatedNodeName !== null) return false;
  if (a.owner?.kind !== b.owner?.kind || a.owner?.name !== b.owner?.name) return false;
  const ra = a.requests;
  const rb = b.requests;
  if (ra.cpuMilli !== rb.cpuMilli || ra.memoryBytes !== rb.memoryBytes || ra.ephemeralStorageBytes !== rb.ephemeralStorageBytes) return false;
  if (a.nonZeroCpuMilli !== b.nonZeroCpuMilli || a.nonZeroMemoryBytes !== b.nonZeroMemoryBytes) return false;
  return sameRecord(ra.scalar, rb.scalar) && sameRecord(a.labels, b.labels);
}

function sameRecord<T>(a: Record<string, T>, b: Record<string, T>): boolean {
  let n = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
