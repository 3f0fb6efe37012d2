// Pods by workload: which pods belong to which workload, with the counts kube-state-metrics would
// show (Ready pods, requests of bound pods) kept current from pod notifications, and how many
// replicas each workload wants (its scale, read from the API objects). The recorder samples it,
// PodDisruptionBudgets count expected pods with it, the HPA and VPA find a target's pods in it.
// A workload is registered by the run that declares it (a Job with `arrivals` is a template that
// never exists in the API itself, yet its copies' pods aggregate under it).
import type { Pod } from '../model/pod.ts';
import type { ApiServer } from './apiServer.ts';
import type { ClusterListener } from './watch.ts';
import { desiredNumberScheduled, jobDesiredActive } from './workloads.ts';

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

export class WorkloadIndex implements ClusterListener {
  private readonly entries = new Map<string, WorkloadEntry>();

  constructor(private readonly api: ApiServer) {}

  register(ref: string, kind: string): WorkloadEntry {
    const entry: WorkloadEntry = { ref, kind, desiredReplicas: () => this.desiredReplicas(ref, kind), pods: new Set(), readyPods: 0, cpuRequestedMilli: 0, memoryRequestedBytes: 0, version: 0 };
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

  /** spec.replicas of the workload owning a pod (its scale), or null for bare pods. */
  replicasOf(pod: Pod): number | null {
    const entry = pod.workload ? this.entries.get(pod.workload) : undefined;
    return entry ? entry.desiredReplicas() : null;
  }

  /** What the workload wants running: spec.replicas of a Deployment or StatefulSet, a
   *  DaemonSet's desiredNumberScheduled, what its unfinished Jobs want active (Job, CronJob). */
  private desiredReplicas(ref: string, kind: string): number {
    const api = this.api;
    switch (kind) {
      case 'Deployment':
        return api.deployments.get(ref)?.replicas ?? 0;
      case 'StatefulSet':
        return api.statefulSets.get(ref)?.replicas ?? 0;
      case 'DaemonSet': {
        const ds = api.daemonSets.get(ref);
        return ds ? desiredNumberScheduled(ds, api.nodes) : 0;
      }
      default: {
        let total = 0;
        for (const job of api.jobs.list()) if (job.workload === ref) total += jobDesiredActive(job, api.podsOwnedBy(job.ref));
        return total;
      }
    }
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
}
