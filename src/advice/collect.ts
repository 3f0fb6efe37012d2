// What the advice needs that summary.json does not keep, gathered while the run goes, cheaply:
// the pods and nodes at the sample where the pods' requests peaked (copied only when a new peak
// is reached, from the recorder's sample), and each workload's requests and usage integrated
// over the run (from the cost allocation's settled node-hours, as hourly.csv is).
import type { ApiServer } from '../api/apiServer.ts';
import type { ChargeListener, NodeCharge } from '../cost/chargePeriod.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';

/** Node labels a pod may select on and still be packed anywhere (every node of the arch has them). */
const HONOURED_SELECTORS = new Set(['kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch']);

/** Taints the platform puts on and takes off a node (not-ready, cordoned, being disrupted or
 *  scaled down): a state of the node, not a pool reserved for some pods. */
const TRANSIENT_TAINT = /^(node\.kubernetes\.io\/|node\.cloudprovider\.kubernetes\.io\/|karpenter\.sh\/|ToBeDeletedByClusterAutoscaler$|DeletionCandidateOfClusterAutoscaler$)/;

export interface PeakPod {
  workload: string;
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
  daemon: boolean;
  /** The pool of its node ("(manifest nodes)" for Node manifests). */
  pool: string;
  /** Why the packing cannot move it (a node selector, node affinity, a name); null when it can. */
  pinned: string | null;
}

export interface PeakNode {
  pool: string;
  zone: string | null;
  instanceType: string | null;
  /** Its NoSchedule / NoExecute taints, as key=value:effect. */
  taints: string[];
}

export interface PeakSnapshot {
  tMs: number;
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  pods: PeakPod[];
  nodes: PeakNode[];
}

export function poolOf(node: Node): string {
  return node.pool ?? '(manifest nodes)';
}

export function gpusOf(pod: Pod): number {
  let n = 0;
  for (const [name, amount] of Object.entries(pod.requests.scalar)) if (name.endsWith('/gpu')) n += amount;
  return n;
}

function pinnedBy(pod: Pod): string | null {
  const selector = Object.keys(pod.spec.nodeSelector ?? {}).filter((k) => !HONOURED_SELECTORS.has(k));
  if (selector.length > 0) return `node selector ${selector.join(', ')}`;
  if (pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return 'required node affinity';
  if (pod.spec.nodeName) return 'spec.nodeName';
  return null;
}

/** The pods and nodes at the run's peak of requested CPU (memory breaks a tie). */
export class PeakRequests {
  snapshot: PeakSnapshot | null = null;

  /** At a sample, with the cluster's requests now (the accounting's, as timeseries.csv writes them). */
  sample(api: ApiServer, cpuRequestedMilli: number, memoryRequestedBytes: number): void {
    const s = this.snapshot;
    if (s && (cpuRequestedMilli < s.cpuRequestedMilli || (cpuRequestedMilli === s.cpuRequestedMilli && memoryRequestedBytes <= s.memoryRequestedBytes))) return;
    const pods: PeakPod[] = [];
    for (const pod of api.pods.values()) {
      if (!pod.node || pod.deletionMs >= 0 || (pod.phase !== 'Running' && pod.phase !== 'Pending')) continue;
      pods.push({
        workload: pod.workload ?? `Pod/${pod.namespace}/${pod.name}`,
        cpuMilli: pod.requests.cpuMilli, memoryBytes: pod.requests.memoryBytes, gpu: gpusOf(pod),
        daemon: pod.owner?.kind === 'DaemonSet', pool: poolOf(pod.node), pinned: pinnedBy(pod),
      });
    }
    const nodes: PeakNode[] = [];
    for (const node of api.nodes) {
      if (node.state === 'Removed') continue;
      nodes.push({ pool: poolOf(node), zone: node.zone, instanceType: node.instanceType, taints: node.taints.filter((t) => t.effect !== 'PreferNoSchedule' && !TRANSIENT_TAINT.test(t.key)).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`) });
    }
    this.snapshot = { tMs: api.nowMs, cpuRequestedMilli, memoryRequestedBytes, pods, nodes };
  }
}

/** ∫ requests and ∫ usage of one workload over the run (millicore-ms, byte-ms). */
export interface WorkloadIntegrals {
  cpuRequestedMilliMs: number;
  cpuUsedMilliMs: number;
  memoryRequestedByteMs: number;
  memoryUsedByteMs: number;
}

/** Sums each workload's node-hours as the allocation settles them (the figures it charged by). */
export class WorkloadTotals implements ChargeListener {
  readonly byWorkload = new Map<string, WorkloadIntegrals>();

  nodeCharge(charge: NodeCharge): void {
    for (const w of charge.workloads) {
      let t = this.byWorkload.get(w.ref);
      if (!t) this.byWorkload.set(w.ref, (t = { cpuRequestedMilliMs: 0, cpuUsedMilliMs: 0, memoryRequestedByteMs: 0, memoryUsedByteMs: 0 }));
      t.cpuRequestedMilliMs += w.cpuRequestedMilliMs;
      t.cpuUsedMilliMs += w.cpuUsedMilliMs;
      t.memoryRequestedByteMs += w.memoryRequestedByteMs;
      t.memoryUsedByteMs += w.memoryUsedByteMs;
    }
  }
}
