// The HPA's metrics source: what metrics-server (resource metrics) and a custom/external metrics
// adapter would return, read from the metrics API.
//
// Window and latency: a pod has no sample until it has run for one metrics window,
// METRICS_WINDOW_MS = 30 s (metrics-server scrapes every 15 s and needs two scrapes for a CPU
// rate, so a new pod shows up 15-30 s after it starts; we take the late end). A sample is the
// usage the usage model reports at the HPA's sync, stamped with that time and with a 30 s
// window: the usage model is piecewise constant between demand samples, so an average over the
// last window equals the current value except right after a step. The HPA runs in the
// controller phase, before the instant's physics, so a demand step at t is first seen at the
// next sync after t. That is the only latency.
import type { PodCpuSum, PodUsageGroups, ResourceMetrics, WorkloadMetrics } from '../../metrics/metricsApi.ts';
import { cpuMilli } from '../../metrics/metricsApi.ts';
import type { Pod } from '../../model/pod.ts';

export const METRICS_WINDOW_MS = 30_000;

export interface MetricsSource {
  readonly windowMs: number;
  /** A pod's usage of a resource (cpu: millicores, memory: bytes), one container's when named;
   *  null when metrics-server has no sample for it. */
  podResource(pod: Pod, resource: string, container?: string): number | null;
  /** A pod's share of its workload's demand (units/s): the Pods metric fed from demand. */
  podDemand(pod: Pod): number | null;
  /** The workload's total demand (units/s): the External metric fed from demand. */
  totalDemand(workloadRef: string): number | null;
  /** podResource(pod, 'cpu', container) of the workload's pods, a group of pods with the same
   *  reading at a time: `count` pods read `milli` each (metrics-server rounds each pod up to a
   *  millicore, so a group of n pods sums n x ceil(u), not ceil(n x u)); pods without a reading
   *  are counted nowhere. Unlike podResource it does not check the metrics window: the caller
   *  reads this way only when every pod is past it. Optional: without it the controller reads pod
   *  by pod. */
  podCpuGroups?(workloadRef: string, container: string | undefined, visit: (count: number, milli: number) => void): void;
  /** What podCpuGroups visits, summed: how many pods, and Σ count x milli. Optional: without it
   *  the controller sums podCpuGroups' visits. */
  podCpuSum?(workloadRef: string, container: string | undefined): Readonly<PodCpuSum>;
}

/** What a proposal is computed from, besides the replicas and time: the version of the target's
 *  pods in the API, of their usage, and the demand rate. */
export interface InputVersions {
  pods: number;
  usage: number;
  demand: number;
}

export class UsageMetrics implements MetricsSource {
  readonly windowMs = METRICS_WINDOW_MS;

  constructor(private readonly usage: ResourceMetrics & WorkloadMetrics & Partial<PodUsageGroups>, private readonly nowMs: () => number) {
    const groups = usage.podUsageGroups?.bind(usage);
    if (groups) {
      this.podCpuGroups = (ref, container, visit) => {
        groups(ref, 'cpu', container, (count, usage) => visit(count, cpuMilli(usage)));
      };
    }
    const sum = usage.podCpuSum?.bind(usage);
    if (sum) this.podCpuSum = sum;
  }

  readonly podCpuGroups?: MetricsSource['podCpuGroups'];
  readonly podCpuSum?: MetricsSource['podCpuSum'];

  private hasSample(pod: Pod): boolean {
    return pod.startedMs >= 0 && this.nowMs() - pod.startedMs >= this.windowMs;
  }

  podResource(pod: Pod, resource: string, container?: string): number | null {
    if (!this.hasSample(pod) || (resource !== 'cpu' && resource !== 'memory')) return null;
    const usage = this.usage.podUsage(pod, resource, container);
    if (usage === null) return null;
    // metrics-server reports whole bytes; Quantity.MilliValue() rounds CPU up to a millicore.
    return resource === 'cpu' ? cpuMilli(usage) : Math.round(usage);
  }

  podDemand(pod: Pod): number | null {
    if (!this.hasSample(pod) || !pod.workload || this.usage.podUsage(pod, 'cpu') === null) return null;
    const w = this.usage.workload(pod.workload);
    if (!w) return null;
    return pod.ready ? w.load : 0;
  }

  totalDemand(workloadRef: string): number | null {
    const w = this.usage.workload(workloadRef);
    return w ? w.demandRate : null;
  }

  /** Copies the workload's usage version and demand rate (the controller's cache key) into
   *  `into`; true when either moved. */
  version(workloadRef: string, into: Pick<InputVersions, 'usage' | 'demand'>): boolean {
    const w = this.usage.workload(workloadRef);
    const usage = w?.version ?? -1;
    const demand = w?.demandRate ?? -1;
    if (usage === into.usage && demand === into.demand) return false;
    into.usage = usage;
    into.demand = demand;
    return true;
  }
}
