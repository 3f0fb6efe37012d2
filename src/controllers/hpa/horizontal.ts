// The HorizontalPodAutoscaler controller (autoscaling/v2): every HPA is reconciled on a 15 s
// tick (reference/k8s-algorithms.md §1.1-1.2, horizontal.go reconcileAutoscaler). It reads its
// target's scale, asks the replica calculator for a proposal per metric, takes the maximum
// (§1.5), normalises it (legacy §1.6 or behavior §1.7) and writes the scale subresource.
import type { ApiServer } from '../../api/apiServer.ts';
import { HPA_SOURCE, getScale, setScale } from '../../api/scale.ts';
import type { Simulation } from '../../engine/simulation.ts';
import { Phase } from '../../phases.ts';
import type { ControllerContext } from '../context.ts';
import type { HpaMetric, HpaMetricTarget, HpaObject } from '../../model/objects.ts';
import type { Pod } from '../../model/pod.ts';
import { isActive } from '../../model/pod.ts';
import type { InputVersions, MetricsSource } from './metrics.ts';
import { UsageMetrics } from './metrics.ts';
import type { HpaHistory, ResolvedBehavior } from './normalize.ts';
import { newHistory, normalizeLegacy, normalizeWithBehavior, recordScaleEvent, resolveBehavior } from './normalize.ts';
import type { CalcContext, CalcResult, PodSample, Tolerances } from './replicaCalculator.ts';
import { own } from '../../model/records.ts';
import {
  CPU_INITIALIZATION_PERIOD_MS,
  averageValueMetricReplicas,
  DEFAULT_TOLERANCE,
  plainMetricReplicas,
  resourceUtilizationReplicas,
  utilizationReplicasFromSums,
  valueMetricReplicas,
} from './replicaCalculator.ts';

/** --horizontal-pod-autoscaler-sync-period. */
export const HPA_SYNC_PERIOD_MS = 15_000;

/** The scale subresource of a Deployment or StatefulSet. */
export interface ScaleTarget {
  readonly replicas: number;
  scale(replicas: number, cause: string): void;
}

export interface HpaDeps {
  /** The scale subresource of "Kind/namespace/name", or undefined when there is no such workload
   *  (yet). The controller keeps the first one it gets: `replicas` must read the target live. */
  target(ref: string): ScaleTarget | undefined;
  /** Every pod the target's selector selects. */
  pods(ref: string): Iterable<Pod>;
  metrics: MetricsSource;
  /** Copies the versions of what the target's proposal depends on into `into`, true when any
   *  moved; when given, a proposal is reused until one does (see replicasForMetrics). */
  version?(ref: string, into: InputVersions): boolean;
}

interface HpaState {
  hpa: HpaObject;
  name: string;
  targetRef: string;
  behavior: ResolvedBehavior | null;
  tolerances: Tolerances;
  history: HpaHistory;
  seen: boolean;
  /** The last proposal and what it was computed from (with `versions`). */
  cache: { current: number; proposal: number | null; timeIndependentFromMs: number } | null;
  /** The versions of the target's inputs at the last sync (see HpaDeps.version). */
  versions: InputVersions;
  /** What the grouped read needs of the target's pods, as of the pods' version `podsVersion`. */
  podsView: PodsView | null;
  /** Memory metrics move with leaks between recomputations: never cached. */
  cacheable: boolean;
  /** Syncs that computed a proposal, and of them those whose proposal was above maxReplicas or
   *  below minReplicas (upstream's ScalingLimited condition: TooManyReplicas, TooFewReplicas). */
  limits: HpaLimitCounts;
  /** deps.target(targetRef) once it exists (the scale subresource reads the target at each use). */
  target: ScaleTarget | undefined;
}

/** The target's pods as the grouped read sees them, derived once per version of the pods. */
interface PodsView {
  podsVersion: number;
  pods: readonly Pod[];
  /** timeIndependentFrom of these pods. */
  timeIndependentFromMs: number;
  /** Whether every pod is Running, Ready, not deleting, with a Ready condition: from
   *  countedFromMs on, each counts with its metric if it has one (groupPods). */
  plain: boolean;
  /** When every pod has been running for a metrics window and Ready for one: a Ready pod inside
   *  its CPU initialization period counts once a window has passed since it became Ready, and
   *  after the period it counts regardless. */
  countedFromMs: number;
  /** Per container name ('' for the whole pod): the CPU request every pod has, or null when they
   *  differ, one lacks it or it is not a whole number of millicores. */
  cpuRequests: Map<string, number | null>;
}

/** What the controller reads through the API server: the scale subresource, the target's pods
 *  from the workload index, the metrics API, and the change versions of both. */
export function apiDeps(api: ApiServer, metrics: MetricsSource & { version(ref: string, into: Pick<InputVersions, 'usage' | 'demand'>): boolean }): HpaDeps {
  const targets = new Map<string, ScaleTarget>();
  return {
    target: (ref) => {
      let target = targets.get(ref);
      if (target) return target;
      if (getScale(api, ref) === undefined) return undefined;
      target = {
        get replicas() {
          return getScale(api, ref)!;
        },
        scale: (replicas, cause) => setScale(api, ref, replicas, { source: HPA_SOURCE, message: cause }),
      };
      targets.set(ref, target);
      return target;
    },
    pods: (ref) => api.workloads.get(ref)?.pods ?? [],
    metrics,
    version: (ref, into) => {
      const pods = api.workloads.get(ref)?.version ?? -1;
      const moved = pods !== into.pods;
      into.pods = pods;
      return metrics.version(ref, into) || moved;
    },
  };
}

export interface HpaLimitCounts {
  syncs: number;
  aboveMax: number;
  belowMin: number;
}

export class HorizontalController {
  private readonly hpas: HpaState[] = [];

  /** Per HPA (HorizontalPodAutoscaler/namespace/name): how often its metrics wanted more than
   *  maxReplicas or fewer than minReplicas (the run's advice reads it at the end). */
  limitCounts(): Map<string, HpaLimitCounts> {
    return new Map(this.hpas.map((s) => [`HorizontalPodAutoscaler/${s.hpa.metadata.namespace}/${s.name}`, { ...s.limits }]));
  }
  private readonly durationMs: number;

  constructor(
    private readonly clock: Simulation,
    private readonly deps: HpaDeps,
    /** Where HorizontalPodAutoscaler objects appear; every one is reconciled from then on. */
    hpas: { watch(w: { added?(hpa: HpaObject): void }): void },
    durationMs: number,
  ) {
    this.durationMs = durationMs;
    hpas.watch({ added: (hpa) => this.add(hpa) });
  }

  static fromContext({ api, clock, metrics, run }: ControllerContext): HorizontalController {
    return new HorizontalController(clock, apiDeps(api, new UsageMetrics(metrics, () => clock.nowMs)), api.horizontalPodAutoscalers, run.durationMs);
  }

  private add(hpa: HpaObject): void {
    const { scaleTargetRef } = hpa.spec;
    const behavior = hpa.spec.behavior;
    this.hpas.push({
      hpa,
      name: hpa.metadata.name,
      targetRef: `${scaleTargetRef.kind}/${hpa.metadata.namespace}/${scaleTargetRef.name}`,
      behavior: behavior ? resolveBehavior(behavior) : null,
      tolerances: { down: behavior?.scaleDown?.tolerance ?? DEFAULT_TOLERANCE, up: behavior?.scaleUp?.tolerance ?? DEFAULT_TOLERANCE },
      history: newHistory(),
      seen: false,
      cache: null,
      versions: { pods: NaN, usage: NaN, demand: NaN },
      podsView: null,
      cacheable: hpa.spec.metrics.every((m) => !(m.type === 'Resource' && m.resource.name === 'memory') && !(m.type === 'ContainerResource' && m.containerResource.name === 'memory')),
      target: undefined,
      limits: { syncs: 0, aboveMax: 0, belowMin: 0 },
    });
  }

  /** Reconciles every HPA at t = 0 (upstream syncs a new HPA at once) and every sync period
   *  after, up to the end of the run. */
  start(): void {
    const sim = this.clock;
    const durationMs = this.durationMs;
    const tick = () => {
      for (const state of this.hpas) this.reconcile(state);
      if (sim.nowMs + HPA_SYNC_PERIOD_MS <= durationMs) sim.after(HPA_SYNC_PERIOD_MS, Phase.Controller, tick);
    };
    if (this.hpas.length > 0) sim.schedule(sim.nowMs, Phase.Controller, tick);
  }

  /** reconcileAutoscaler (§1.2). An HPA the loader holds (scenario/hpaHold.ts) leaves its
   *  target's replicas as they are. */
  private reconcile(s: HpaState): void {
    if (s.hpa.hold) return;
    const target = (s.target ??= this.deps.target(s.targetRef));
    if (!target) return;
    const now = this.clock.nowMs;
    const current = target.replicas;
    const { minReplicas, maxReplicas } = s.hpa.spec;
    if (!s.seen) {
      s.seen = true;
      s.history.recommendations.push({ replicas: current, atMs: now });
    }
    if (current === 0 && minReplicas !== 0) return; // autoscaling disabled
    let desired: number;
    if (current > maxReplicas) desired = maxReplicas;
    else if (current < minReplicas) desired = minReplicas;
    else {
      const proposal = this.replicasForMetrics(s, current);
      if (proposal === null) return;
      s.limits.syncs++;
      if (proposal > maxReplicas) s.limits.aboveMax++;
      else if (proposal < minReplicas) s.limits.belowMin++;
      const args = { nowMs: now, current, desired: proposal, minReplicas, maxReplicas };
      desired = s.behavior ? normalizeWithBehavior(s.history, s.behavior, args) : normalizeLegacy(s.history, args);
    }
    if (desired === current) return;
    target.scale(desired, `HPA ${s.name}`);
    if (s.behavior) recordScaleEvent(s.history, s.behavior, current, desired, now);
  }

  /** computeReplicasForMetrics (§1.5): the largest proposal; null when every metric failed, or
   *  when some failed and the rest would scale down. */
  private replicasForMetrics(s: HpaState, current: number): number | null {
    // The proposal is a function of the pods, their usage and the replica count, and of time only
    // while a pod is inside a readiness or metrics window: reuse it when none of that moved.
    const now = this.clock.nowMs;
    const versioned = s.cacheable && this.deps.version !== undefined;
    const moved = versioned && this.deps.version!(s.targetRef, s.versions);
    const c = s.cache;
    if (versioned && !moved && c && c.current === current && now >= c.timeIndependentFromMs) return c.proposal;
    const proposal = this.computeReplicasForMetrics(s, current);
    if (versioned) s.cache = { current, proposal, timeIndependentFromMs: this.podsView(s).timeIndependentFromMs };
    return proposal;
  }

  /** The target's pods as of s.versions.pods (current when the HPA is versioned). */
  private podsView(s: HpaState): PodsView {
    const v = s.podsView;
    if (v && v.podsVersion === s.versions.pods) return v;
    const pods = [...this.deps.pods(s.targetRef)];
    let plain = true;
    let countedFromMs = 0;
    const window = this.deps.metrics.windowMs;
    for (const pod of pods) {
      if (pod.phase !== 'Running' || !pod.ready || pod.deletionMs >= 0 || pod.readyTransitionMs < 0 || pod.startedMs < 0) plain = false;
      countedFromMs = Math.max(countedFromMs, pod.startedMs + window, pod.readyTransitionMs + window);
    }
    return (s.podsView = { podsVersion: s.versions.pods, pods, timeIndependentFromMs: this.timeIndependentFrom(pods), plain, countedFromMs, cpuRequests: new Map() });
  }

  /** The CPU request every pod of the view has (of the named container), or null. */
  private static commonCpuRequest(view: PodsView, container: string | undefined): number | null {
    const key = container ?? '';
    if (view.cpuRequests.has(key)) return view.cpuRequests.get(key)!;
    let common: number | null | undefined;
    for (const pod of view.pods) {
      const request = podRequest(pod, 'cpu', container);
      if (request === null || !Number.isInteger(request) || (common !== undefined && request !== common)) {
        common = null;
        break;
      }
      common = request;
    }
    view.cpuRequests.set(key, common ?? null);
    return common ?? null;
  }

  /** The grouped read of a CPU Utilization metric: when every pod of the target is plain (see
   *  PodsView), counted (countedFromMs), with the same request, the
   *  calculator needs only Σ readings and how many pods have one; the metrics API hands the
   *  readings a group of identical pods at a time. Undefined when that does not hold (or a pod
   *  has no reading): the caller reads pod by pod. */
  private groupedCpuUtilization(s: HpaState, container: string | undefined, targetUtilization: number, ctx: CalcContext): CalcResult | undefined {
    const metrics = this.deps.metrics;
    const read = metrics.podCpuGroups;
    if ((!read && !metrics.podCpuSum) || !s.cacheable || this.deps.version === undefined) return undefined;
    const view = this.podsView(s);
    if (!view.plain || ctx.nowMs < view.countedFromMs || view.pods.length === 0) return undefined;
    const request = HorizontalController.commonCpuRequest(view, container);
    if (request === null) return undefined;
    let counted = 0;
    let usage = 0;
    if (metrics.podCpuSum) {
      const sum = metrics.podCpuSum(s.targetRef, container);
      counted = sum.pods;
      usage = sum.milli;
    } else {
      read!.call(metrics, s.targetRef, container, (count, milli) => {
        counted += count;
        usage += count * milli;
      });
    }
    // The pods counted are pods of the target (PodUsageGroups): as many as it has means each has a
    // reading; fewer, and the missing-pod rules apply.
    if (counted !== view.pods.length) return undefined;
    return utilizationReplicasFromSums({ usage, requests: counted * request, pods: counted }, targetUtilization, ctx);
  }

  /** From when the calculator's time-dependent rules no longer apply to any current pod: the CPU
   *  initialization period and readiness delay after start, one metrics window after start and
   *  after the Ready condition's last transition. */
  private timeIndependentFrom(pods: Iterable<Pod>): number {
    let from = 0;
    const window = this.deps.metrics.windowMs;
    for (const pod of pods) {
      if (pod.startedMs >= 0) from = Math.max(from, pod.startedMs + CPU_INITIALIZATION_PERIOD_MS, pod.startedMs + window);
      if (pod.readyTransitionMs >= 0) from = Math.max(from, pod.readyTransitionMs + window);
      if (pod.startedMs < 0) return Infinity; // not started: its sample appears later
    }
    return from;
  }

  private computeReplicasForMetrics(s: HpaState, current: number): number | null {
    let list: Pod[] | undefined;
    const pods = () => (list ??= [...this.deps.pods(s.targetRef)]);
    let replicas = 0;
    let invalid = 0;
    for (const metric of s.hpa.spec.metrics) {
      const result = this.replicasForMetric(s, metric, pods, current);
      if ('error' in result) {
        invalid++;
        continue;
      }
      if (result.replicas > replicas) replicas = result.replicas;
    }
    const metrics = s.hpa.spec.metrics.length;
    if (invalid >= metrics || (invalid > 0 && replicas < current)) return null;
    return replicas;
  }

  private replicasForMetric(s: HpaState, metric: HpaMetric, pods: () => Pod[], current: number): CalcResult {
    const now = this.clock.nowMs;
    const metrics = this.deps.metrics;
    const ctx: CalcContext = { nowMs: now, currentReplicas: current, tolerances: s.tolerances, metricWindowMs: metrics.windowMs, metricTimestampMs: now };
    switch (metric.type) {
      case 'Resource':
      case 'ContainerResource': {
        const { name, target } = metric.type === 'Resource' ? metric.resource : metric.containerResource;
        const container = metric.type === 'ContainerResource' ? metric.containerResource.container : undefined;
        if (name === 'cpu' && target.type === 'Utilization') {
          const grouped = this.groupedCpuUtilization(s, container, target.averageUtilization ?? 0, ctx);
          if (grouped) return grouped;
        }
        return this.resourceReplicas(pods(), name, container, target, ctx);
      }
      case 'Pods': {
        const samples = pods().map((pod) => sample(pod, milli(metrics.podDemand(pod))));
        return plainMetricReplicas(samples, metric.pods.target.averageValueMilli ?? 0, false, ctx);
      }
      case 'External': {
        const value = milli(metrics.totalDemand(s.targetRef));
        if (value === null) return { error: `unable to get external metric ${metric.external.metric.name}` };
        return this.externalReplicas(value, metric.external.target, pods(), ctx);
      }
      case 'Object':
        return { error: 'Object metrics are not simulated' };
    }
  }

  private resourceReplicas(pods: Pod[], resource: string, container: string | undefined, target: HpaMetricTarget, ctx: CalcContext): CalcResult {
    const cpu = resource === 'cpu';
    const metrics = this.deps.metrics;
    if (target.type === 'Utilization') {
      // A ratio of sums: cpu in millicores, memory in bytes (the factor 1000 of milli-units cancels).
      const samples = pods.map((pod) => sample(pod, metrics.podResource(pod, resource, container), podRequest(pod, resource, container)));
      return resourceUtilizationReplicas(samples, target.averageUtilization ?? 0, cpu, ctx);
    }
    const toMilli = (v: number | null) => (v === null ? null : cpu ? v : v * 1000);
    const samples = pods.map((pod) => sample(pod, toMilli(metrics.podResource(pod, resource, container))));
    return plainMetricReplicas(samples, target.averageValueMilli ?? 0, cpu, ctx);
  }

  private externalReplicas(valueMilli: number, target: HpaMetricTarget, pods: Pod[], ctx: CalcContext): CalcResult {
    if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
    if (target.type === 'Value') {
      const readyPods = pods.filter((p) => p.phase === 'Running' && p.ready).length;
      return valueMetricReplicas(valueMilli, target.valueMilli ?? 0, readyPods, ctx);
    }
    const statusReplicas = pods.filter(isActive).length;
    return averageValueMetricReplicas(valueMilli, target.averageValueMilli ?? 0, statusReplicas, ctx.tolerances);
  }
}

/** Units/s -> milli-units, as an adapter would report a quantity. */
function milli(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000);
}

/** The calculator's view of a pod. */
function sample(pod: Pod, valueMilli: number | null, requestMilli: number | null = null): PodSample {
  return {
    name: pod.name,
    phase: pod.phase,
    deleting: pod.deletionMs >= 0,
    ready: pod.ready,
    startMs: pod.startedMs,
    readyTransitionMs: pod.readyTransitionMs,
    valueMilli,
    requestMilli,
  };
}

/** calculatePodRequests: Σ requests of the containers (one container's when named) and of
 *  restartable init containers; null when a container has none. CPU in millicores, memory in
 *  bytes. */
export function podRequest(pod: Pod, resource: string, container?: string): number | null {
  let total = 0;
  for (const list of [pod.spec.containers, pod.spec.initContainers]) {
    for (const c of list) {
      if ((list === pod.spec.initContainers && c.restartPolicy !== 'Always') || (container !== undefined && c.name !== container)) continue;
      const request = own(c.requests, resource);
      if (request === undefined) return null;
      total += request;
    }
  }
  return total;
}
