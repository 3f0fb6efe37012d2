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
import type { ResourceMetrics, WorkloadMetrics } from '../../metrics/metricsApi.ts';
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
}

export class UsageMetrics implements MetricsSource {
  readonly windowMs = METRICS_WINDOW_MS;

  constructor(private readonly usage: ResourceMetrics & WorkloadMetrics, private readonly nowMs: () => number) {}

  private hasSample(pod: Pod): boolean {
    return pod.startedMs >= 0 && this.nowMs() - pod.startedMs >= this.windowMs;
  }

  podResource(pod: Pod, resource: string, container?: string): number | null {
    if (!this.hasSample(pod) || (resource !== 'cpu' && resource !== 'memory')) return null;
    const usage = this.usage.podUsage(pod, resource, container);
    if (usage === null) return null;
    // metrics-server reports whole bytes; Quantity.MilliValue() rounds CPU up to a millicore.
    return resource === 'cpu' ? Math.ceil(usage - 1e-9) : Math.round(usage);
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

  /** Changes whenever the workload's usage or demand does (the controller's cache key). */
  version(workloadRef: string): string {
    const w = this.usage.workload(workloadRef);
    return `${w?.version ?? -1}:${w?.demandRate ?? -1}`;
  }
}
