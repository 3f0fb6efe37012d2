// The HPA replica calculator, pure: pod samples and a target in, a replica count out.
// HPA replica formula: reference/k8s-algorithms.md §1.3-1.4 (replica_calculator.go,
// metrics/utilization.go). All metric values and requests are integer milli-units, as upstream
// compares MilliValue() of quantities.

/** One pod of the target as the calculator sees it. */
export interface PodSample {
  name: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** deletionTimestamp is set. */
  deleting: boolean;
  /** Ready condition status (false also when the pod has no Ready condition yet). */
  ready: boolean;
  /** status.startTime (ms); -1 when unset. */
  startMs: number;
  /** Ready condition lastTransitionTime (ms); -1 when there is no Ready condition. */
  readyTransitionMs: number;
  /** Metric value in milli-units, or null when metrics-server has no sample for the pod. */
  valueMilli: number | null;
  /** Request of the resource in milli-units (Resource metrics only); null when a container lacks one. */
  requestMilli?: number | null;
}

export interface Tolerances {
  down: number;
  up: number;
}

export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period and -initial-readiness-delay. */
export const CPU_INITIALIZATION_PERIOD_MS = 300_000;
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** The two kube-controller-manager flags of the CPU readiness rule. */
export interface ReadinessPeriods {
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export const DEFAULT_READINESS_PERIODS: ReadinessPeriods = {
  cpuInitializationPeriodMs: CPU_INITIALIZATION_PERIOD_MS,
  initialReadinessDelayMs: INITIAL_READINESS_DELAY_MS,
};

export interface CalcContext {
  nowMs: number;
  currentReplicas: number;
  tolerances: Tolerances;
  /** metric.Window of the samples (metrics-server), for the CPU readiness rule. */
  metricWindowMs: number;
  /** Timestamp of the samples (ms). */
  metricTimestampMs: number;
  /** The flags' defaults when absent. */
  readiness?: ReadinessPeriods;
}

export type CalcResult = { replicas: number; usage: number } | { error: string };

/** Tolerances.isWithin: both ends inclusive. */
export function isWithin(t: Tolerances, ratio: number): boolean {
  return 1 - t.down <= ratio && ratio <= 1 + t.up;
}

export interface Groups {
  readyPodCount: number;
  unready: PodSample[];
  missing: PodSample[];
  /** Deleting and Failed pods: left out of everything. */
  ignored: PodSample[];
  /** Ready pods with a metric: the ones whose values count. */
  withMetric: PodSample[];
}

/** groupPods (§1.3 step A). Readiness is checked only for CPU; it reads the Ready condition's
 *  lastTransitionTime, which for a pod that went NotReady is when it did. */
export function groupPods(pods: readonly PodSample[], cpu: boolean, ctx: Pick<CalcContext, 'nowMs' | 'metricWindowMs' | 'metricTimestampMs' | 'readiness'>): Groups {
  const out: Groups = { readyPodCount: 0, unready: [], missing: [], ignored: [], withMetric: [] };
  const { cpuInitializationPeriodMs, initialReadinessDelayMs } = ctx.readiness ?? DEFAULT_READINESS_PERIODS;
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      out.ignored.push(pod);
      continue;
    }
    if (pod.phase === 'Pending') {
      out.unready.push(pod);
      continue;
    }
    if (pod.valueMilli === null) {
      out.missing.push(pod);
      continue;
    }
    if (cpu) {
      let unready: boolean;
      if (pod.readyTransitionMs < 0 || pod.startMs < 0) unready = true;
      else if (pod.startMs + cpuInitializationPeriodMs > ctx.nowMs) {
        unready = !pod.ready || ctx.metricTimestampMs < pod.readyTransitionMs + ctx.metricWindowMs;
      } else {
        // "never been Ready": NotReady since a transition within the delay after start. A pod that
        // went NotReady later (a restart, a NotReady node) keeps counting with its metric.
        unready = !pod.ready && pod.startMs + initialReadinessDelayMs > pod.readyTransitionMs;
      }
      if (unready) {
        out.unready.push(pod);
        continue;
      }
    }
    out.readyPodCount++;
    out.withMetric.push(pod);
  }
  return out;
}

/** GetResourceUtilizationRatio: a ratio of sums with the percentage truncated to an integer. */
function utilizationRatio(values: readonly { value: number; request: number }[], targetUtilization: number): { ratio: number; utilization: number } | null {
  let usage = 0;
  let requests = 0;
  for (const v of values) {
    usage += v.value;
    requests += v.request;
  }
  if (requests === 0) return null;
  const utilization = Math.trunc((usage * 100) / requests);
  return { ratio: utilization / targetUtilization, utilization };
}

/** Both calculators when no pod is missing and none unready: within the tolerance the replicas
 *  stay, else ceil(ratio x ready pods). */
function scaleByRatio(usageRatio: number, readyPodCount: number, ctx: CalcContext, usage: number): CalcResult {
  if (isWithin(ctx.tolerances, usageRatio)) return { replicas: ctx.currentReplicas, usage };
  return { replicas: Math.ceil(usageRatio * readyPodCount), usage };
}

/** What the metrics of a target's pods sum to when every one is Ready and counts with its metric
 *  (none missing, unready or ignored): Σ values (milli-units, each an integer, so the sum is exact
 *  in any order), Σ requests and how many pods. */
export interface UtilizationSums {
  usage: number;
  requests: number;
  pods: number;
}

/** resourceUtilizationReplicas for a target whose pods all count with their metric, from the sums
 *  alone (the grouped read, see horizontal.ts): the same answer as the per-pod path. */
export function utilizationReplicasFromSums(sums: UtilizationSums, targetUtilization: number, ctx: CalcContext): CalcResult {
  if (sums.pods === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const first = utilizationRatio([{ value: sums.usage, request: sums.requests }], targetUtilization);
  if (!first) return { error: 'no metrics returned matched known pods' };
  return scaleByRatio(first.ratio, sums.pods, ctx, first.utilization);
}

/** Resource metric with a Utilization target (GetResourceReplicas, §1.3). */
export function resourceUtilizationReplicas(pods: readonly PodSample[], targetUtilization: number, cpu: boolean, ctx: CalcContext): CalcResult {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const g = groupPods(pods, cpu, ctx);
  if (g.withMetric.length === 0) return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  // calculatePodRequests: every pod of the target needs a request.
  for (const pod of pods) if (pod.requestMilli === null || pod.requestMilli === undefined) return { error: `missing request for ${cpu ? 'cpu' : 'resource'} in pod ${pod.name}` };
  const entries = g.withMetric.map((p) => ({ value: p.valueMilli!, request: p.requestMilli! }));
  const first = utilizationRatio(entries, targetUtilization);
  if (!first) return { error: 'no metrics returned matched known pods' };
  const usageRatio = first.ratio;
  const scaleUpWithUnready = g.unready.length > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missing.length === 0) return scaleByRatio(usageRatio, g.readyPodCount, ctx, first.utilization);
  if (g.missing.length > 0) {
    // Recent master: a missing pod on scale-down counts at max(100, target) percent of its request.
    if (usageRatio < 1) {
      const fallback = Math.max(100, targetUtilization);
      for (const p of g.missing) entries.push({ value: Math.trunc((p.requestMilli! * fallback) / 100), request: p.requestMilli! });
    } else if (usageRatio > 1) {
      for (const p of g.missing) entries.push({ value: 0, request: p.requestMilli! });
    }
  }
  if (scaleUpWithUnready) for (const p of g.unready) entries.push({ value: 0, request: p.requestMilli! });
  const newRatio = utilizationRatio(entries, targetUtilization)!.ratio;
  return finishWithFill(usageRatio, newRatio, entries.length, ctx, first.utilization);
}

/** Resource AverageValue and Pods metrics (calcPlainMetricReplicas, §1.4). */
export function plainMetricReplicas(pods: readonly PodSample[], targetUsageMilli: number, cpu: boolean, ctx: CalcContext): CalcResult {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const g = groupPods(pods, cpu, ctx);
  if (g.withMetric.length === 0) return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const values = g.withMetric.map((p) => p.valueMilli!);
  const ratioOf = (vs: number[]) => {
    const usage = Math.trunc(vs.reduce((a, b) => a + b, 0) / vs.length); // int64 division
    return { ratio: usage / targetUsageMilli, usage };
  };
  const first = ratioOf(values);
  const usageRatio = first.ratio;
  const scaleUpWithUnready = g.unready.length > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missing.length === 0) return scaleByRatio(usageRatio, g.readyPodCount, ctx, first.usage);
  // calcPlainMetricReplicas, as for resource utilization: at a ratio of exactly 1 missing pods are
  // left out, so the ratio stays 1 and so do the replicas (replica_calculator_test.go
  // TestPlainMetricReplicaCalcMissingMetricsNoChangeEq).
  if (usageRatio < 1) for (const _ of g.missing) values.push(targetUsageMilli);
  else if (usageRatio > 1) for (const _ of g.missing) values.push(0);
  if (scaleUpWithUnready) for (const _ of g.unready) values.push(0);
  return finishWithFill(usageRatio, ratioOf(values).ratio, values.length, ctx, first.usage);
}

/** The common tail of both calculators after missing and unready pods were filled in. */
function finishWithFill(usageRatio: number, newRatio: number, count: number, ctx: CalcContext, usage: number): CalcResult {
  const current = ctx.currentReplicas;
  if (isWithin(ctx.tolerances, newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return { replicas: current, usage };
  const replicas = Math.ceil(newRatio * count);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return { replicas: current, usage };
  return { replicas, usage };
}

/** External (or Object) metric with a Value target: getUsageRatioReplicaCount (§1.4). */
export function valueMetricReplicas(valueMilli: number, targetMilli: number, readyPods: number, ctx: Pick<CalcContext, 'currentReplicas' | 'tolerances'>): CalcResult {
  const ratio = valueMilli / targetMilli;
  if (ctx.currentReplicas === 0) return { replicas: Math.ceil(ratio), usage: valueMilli };
  if (isWithin(ctx.tolerances, ratio)) return { replicas: ctx.currentReplicas, usage: valueMilli };
  return { replicas: Math.ceil(ratio * readyPods), usage: valueMilli };
}

/** External (or Object) metric with an AverageValue target: GetExternalPerPodMetricReplicas (§1.4);
 *  statusReplicas is scale.status.replicas. */
export function averageValueMetricReplicas(valueMilli: number, targetAverageMilli: number, statusReplicas: number, tolerances: Tolerances): CalcResult {
  const ratio = valueMilli / (targetAverageMilli * statusReplicas);
  const replicas = isWithin(tolerances, ratio) ? statusReplicas : Math.ceil(valueMilli / targetAverageMilli);
  return { replicas, usage: statusReplicas > 0 ? Math.ceil(valueMilli / statusReplicas) : 0 };
}
