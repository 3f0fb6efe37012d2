// Which pods belong to which workload, and how many each wants: what the recorder samples per
// workload and what PDBs and the scheduler's default spreading ask of controllers.
import type { ClusterListener } from './apiServer.ts';
import type { LabelSelector } from '../model/api.ts';
import type { Pod } from '../model/pod.ts';

export interface WorkloadEntry {
  /** "Kind/namespace/name" */
  ref: string;
  kind: string;
  desiredReplicas: () => number;
  pods: Set<Pod>;
  /** Kept current from pod notifications, so sampling never walks the pods. */
  readyPods: number;
  /** Requests of the workload's pods that hold a node. */
  cpuRequestedMilli: number;
  memoryRequestedBytes: number;
  /** Bumped on any change of any of its pods (readers cache against it). */
  version: number;
}

export class Workloads implements ClusterListener {
  private readonly entries = new Map<string, WorkloadEntry>();
  /** Selector of a pod's direct owner (ReplicaSet or StatefulSet), for default spreading. */
  readonly ownerSelectors = new Map<string, LabelSelector>();

  register(ref: string, kind: string, desiredReplicas: () => number): WorkloadEntry {
    const entry: WorkloadEntry = { ref, kind, desiredReplicas, pods: new Set(), readyPods: 0, cpuRequestedMilli: 0, memoryRequestedBytes: 0, version: 0 };
    this.entries.set(ref, entry);
    return entry;
  }

  get(ref: string): WorkloadEntry | undefined {
    return this.entries.get(ref);
  }

  /** In declaration order. */
  all(): WorkloadEntry[] {
    return [...this.entries.values()];
  }

  podCreated(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (!entry) return;
    entry.pods.add(pod);
    entry.version++;
  }

  podStarted(pod: Pod): void {
    this.bump(pod);
  }

  podTerminating(pod: Pod): void {
    this.bump(pod);
  }

  podRestarted(pod: Pod): void {
    this.bump(pod);
  }

  private bump(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (entry) entry.version++;
  }

  podBound(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (!entry) return;
    entry.version++;
    entry.cpuRequestedMilli += pod.requests.cpuMilli;
    entry.memoryRequestedBytes += pod.requests.memoryBytes;
  }

  podReadyChanged(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (!entry) return;
    entry.readyPods += pod.ready ? 1 : -1;
    entry.version++;
  }

  podFinished(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (entry) entry.version++;
    if (!entry || !pod.node) return;
    entry.cpuRequestedMilli -= pod.requests.cpuMilli;
    entry.memoryRequestedBytes -= pod.requests.memoryBytes;
  }

  podRemoved(pod: Pod): void {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    if (!entry) return;
    entry.pods.delete(pod);
    entry.version++;
    if (pod.node && pod.phase !== 'Succeeded' && pod.phase !== 'Failed') {
      entry.cpuRequestedMilli -= pod.requests.cpuMilli;
      entry.memoryRequestedBytes -= pod.requests.memoryBytes;
    }
  }

  ownerSelector(pod: Pod): LabelSelector | null {
    if (!pod.owner || (pod.owner.kind !== 'ReplicaSet' && pod.owner.kind !== 'StatefulSet')) return null;
    return this.ownerSelectors.get(`${pod.owner.kind}/${pod.namespace}/${pod.owner.name}`) ?? null;
  }

  replicasOf(pod: Pod): number | null {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    return entry ? entry.desiredReplicas() : null;
  }
}
