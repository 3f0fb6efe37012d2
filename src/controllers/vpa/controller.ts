// The Vertical Pod Autoscaler's three parts against the one cluster state
// (reference/k8s-algorithms.md §2.1, §2.6-§2.8):
// - recommender, every 1 min: feeds each (workload, container) aggregate from the usage history
//   (one sample per container of every pod each minute, feeder.ts) and the OOMKilled events, and
//   estimates target / lower / upper for every workload (with a VPA object or not, for
//   recommendations.csv); a VPA's status changes are `VPAUpdated` events;
// - admission: a mutating admission hook setting requests to the capped target and limits in
//   proportion (modes Initial, Recreate, Auto);
// - updater, every 1 min (modes Recreate, Auto): evicts pods whose requests are off the
//   recommendation, through the Eviction API (so PDBs apply), as `VPAEvicted` events.
//
// LimitRange capping keeps admitted requests and limits within the namespace's Container min/max.
// Simplifications (stated, not hidden): a LimitRange default limit is not used in the
// proportional-limit rule, and maxLimitRequestRatio is not capped; an InPlaceOrRecreate VPA
// behaves as Recreate (capsim has no in-place resize); a sample is what the kubelet's stats show at
// the minute (after everything at that instant), read at the next pass, not metrics-server's
// average over its scrape window.
import type { AdmissionRequest, ClusterEvent, ClusterListener, ApiServer } from '../../api/apiServer.ts';
import type { Simulation } from '../../engine/simulation.ts';
import type { UsageHistorySource } from '../../metrics/metricsApi.ts';
import { Phase } from '../../phases.ts';
import type { ControllerContext } from '../context.ts';
import { nodeRates } from '../../cost/allocation.ts';
import type { NodeRates } from '../../cost/allocation.ts';
import type { LimitRangeObject, VpaContainerPolicy, VpaObject } from '../../model/objects.ts';
import type { Container, Pod, PodSpec } from '../../model/pod.ts';
import { isActive, podObjectRef } from '../../model/pod.ts';
import { ClusterFeeder } from './feeder.ts';
import { applyPolicy, estimate } from './recommender.ts';
import type { ContainerAggregate } from './recommender.ts';
import type { ContainerPolicyLimits, ProcessedRecommendation } from './recommender.ts';

/** `--recommender-interval` and `--updater-interval`. */
export const VPA_INTERVAL_MS = 60_000;
/** Updater flag defaults (updater/config/config.go). */
export const UPDATER_MIN_REPLICAS = 2;
export const EVICTION_TOLERANCE = 0.5;
export const POD_UPDATE_THRESHOLD = 0.1;
export const POD_LIFETIME_UPDATE_THRESHOLD_MS = 12 * 3_600_000;
export const EVICT_AFTER_OOM_THRESHOLD_MS = 10 * 60_000;
/** A VPA target moving by more than this fraction is reported as `VPAUpdated`. */
export const VPA_UPDATED_CHANGE = 0.1;

export interface VpaState {
  vpa: VpaObject;
  /** "Kind/namespace/name" of the target. */
  target: string;
  /** Processed recommendation per container name (the VPA status), once there is one. */
  recommendation: Map<string, ProcessedRecommendation>;
  /** Target last reported in a VPAUpdated event, per container. */
  reported: Map<string, { cpuMilli: number | null; memoryBytes: number | null }>;
}

interface WorkloadModel {
  /** The last admitted spec of its pods: current requests, limits, container names. */
  spec: PodSpec | null;
  /** Rates of the last node one of its pods was bound to. */
  lastRates: NodeRates | null;
}

/** One row of recommendations.csv, before formatting (see record/recommendations.ts). */
export interface RecommendationRow {
  workload: string;
  container: string;
  cpuRequestMilli: number | null;
  cpuLimitMilli: number | null;
  memoryRequestBytes: number | null;
  memoryLimitBytes: number | null;
  recommendation: ProcessedRecommendation | null;
  /** Desired replicas at the end of the run. */
  replicas: number;
  /** Mean per-core and per-GB rates of the nodes its pods run on; null when none ever ran. */
  rates: NodeRates | null;
  /** The recommender's confidence in days of history (ContainerAggregate.confidence,
   *  estimator.go getConfidence); null without samples. */
  historyDays: number | null;
}

export class VpaController implements ClusterListener {
  readonly vpas: VpaState[] = [];
  private readonly models = new Map<string, WorkloadModel>();
  private readonly feeder: ClusterFeeder;
  /** Per pod uid: when its containers last (re)started, and whether the last exit was a quick OOM. */
  private readonly containerStartMs = new Map<number, number>();
  private readonly quickOom = new Set<number>();

  /** The VPA's recommender, admission hook and updater against the API. Every workload gets
   *  recommendations, VPA object or not. */
  constructor(
    private readonly cluster: ApiServer,
    private readonly clock: Simulation,
    usage: UsageHistorySource,
  ) {
    this.feeder = new ClusterFeeder(usage.enableHistory(VPA_INTERVAL_MS));
    cluster.verticalPodAutoscalers.watch({
      added: (vpa) =>
        this.vpas.push({
          vpa,
          target: `${vpa.spec.targetRef.kind}/${vpa.metadata.namespace}/${vpa.spec.targetRef.name}`,
          recommendation: new Map(),
          reported: new Map(),
        }),
    });
    cluster.addListener(this);
    cluster.onEvent((e) => this.onEvent(e));
    cluster.addAdmissionHook((request) => this.admit(request));
  }

  /** The manager makes the VPA before the scenario's objects exist, so its admission hook sees
   *  every pod, and starts its 1-min loop then, so the loop's first pass comes first at t = 0. */
  static fromContext({ api, clock, metrics, run }: ControllerContext): VpaController {
    const vpa = new VpaController(api, clock, metrics);
    vpa.loop(run.durationMs);
    return vpa;
  }

  /** recommend() then update() now and every minute, up to `durationMs`. */
  loop(durationMs: number): void {
    const clock = this.clock;
    const tick = () => {
      this.recommend();
      this.update();
      if (clock.nowMs + VPA_INTERVAL_MS <= durationMs) clock.after(VPA_INTERVAL_MS, Phase.Controller, tick);
    };
    clock.schedule(clock.nowMs, Phase.Controller, tick);
  }

  // ---- watching the cluster --------------------------------------------------------------------

  podCreated(pod: Pod): void {
    if (pod.workload) this.model(pod.workload).spec = pod.spec;
  }

  podBound(pod: Pod): void {
    if (pod.workload && pod.node) this.model(pod.workload).lastRates = ratesOf(pod.node);
  }

  podStarted(pod: Pod): void {
    this.containerStartMs.set(pod.uid, this.clock.nowMs);
    this.feeder.podStarted(pod);
  }

  podRestarted(pod: Pod): void {
    this.containerStartMs.set(pod.uid, this.clock.nowMs);
  }

  podRemoved(pod: Pod): void {
    this.feeder.podRemoved(pod);
    this.containerStartMs.delete(pod.uid);
    this.quickOom.delete(pod.uid);
  }

  onEvent(event: ClusterEvent): void {
    if (event.type !== 'OOMKilled') return;
    const [, namespace, name] = event.object.split('/');
    const pod = this.cluster.podByKey(namespace, name);
    if (!pod?.workload) return;
    const containerName = /container (\S+)/.exec(event.message)?.[1];
    const index = pod.spec.containers.findIndex((c) => c.name === containerName);
    if (index < 0) return;
    const started = this.containerStartMs.get(pod.uid) ?? pod.startedMs;
    // Updater "quick OOM" (§2.8 3b): the container ran less than 10 min before it was killed.
    if (event.tMs - started < EVICT_AFTER_OOM_THRESHOLD_MS) this.quickOom.add(pod.uid);
    else this.quickOom.delete(pod.uid);
    const container = pod.spec.containers[index];
    this.feeder.oomKilled(pod, container.name, event.tMs, container.requests.memory ?? 0);
  }

  private model(ref: string): WorkloadModel {
    let m = this.models.get(ref);
    if (!m) this.models.set(ref, (m = { spec: null, lastRates: null }));
    return m;
  }

  // ---- recommender -----------------------------------------------------------------------------

  /** One recommender pass: new samples and OOMs in, VPA statuses out. */
  recommend(): void {
    this.feeder.pass(this.clock.nowMs);
    for (const state of this.vpas) this.updateStatus(state);
  }

  /** The aggregate behind a workload's container's recommendation, with every sample so far. */
  aggregateOf(ref: string, containerName: string): ContainerAggregate | undefined {
    return this.feeder.current(ref)?.get(containerName);
  }

  /** The processed recommendation of one container of a workload, under a VPA's policy. */
  recommendation(ref: string, containerName: string, policy?: VpaContainerPolicy): ProcessedRecommendation | null {
    const spec = this.models.get(ref)?.spec;
    const agg = spec?.containers.some((c) => c.name === containerName) ? this.feeder.current(ref)?.get(containerName) : undefined;
    if (!spec || !agg || agg.totalSamples === 0) return null;
    return applyPolicy(estimate(agg, spec.containers.length), policyLimits(policy));
  }

  private updateStatus(state: VpaState): void {
    const spec = this.models.get(state.target)?.spec;
    if (!spec) return;
    const changes: string[] = [];
    for (const container of spec.containers) {
      const policy = containerPolicy(state.vpa, container.name);
      if (policy?.mode === 'Off') continue;
      const rec = this.recommendation(state.target, container.name, policy);
      if (!rec) continue;
      state.recommendation.set(container.name, rec);
      const before = state.reported.get(container.name);
      if (!before || moved(before.cpuMilli, rec.target.cpuMilli) || moved(before.memoryBytes, rec.target.memoryBytes)) {
        state.reported.set(container.name, { ...rec.target });
        changes.push(`${container.name}: ${describe(rec.target.cpuMilli, rec.target.memoryBytes)}`);
      }
    }
    if (changes.length > 0) {
      this.cluster.emit('VPAUpdated', `VerticalPodAutoscaler/${state.vpa.metadata.namespace}/${state.vpa.metadata.name}`, '', `target ${changes.join('; ')}`);
    }
  }

  // ---- admission controller --------------------------------------------------------------------

  /** Requests set to the capped target, limits in proportion (§2.6); nothing for mode Off. */
  admit(request: AdmissionRequest): PodSpec | undefined {
    if (!request.workload) return undefined;
    const state = this.vpas.find((s) => s.target === request.workload);
    if (!state || !appliesAtAdmission(state.vpa) || state.recommendation.size === 0) return undefined;
    let spec: PodSpec | undefined;
    request.spec.containers.forEach((original, i) => {
      const rec = state.recommendation.get(original.name);
      const policy = containerPolicy(state.vpa, original.name);
      if (!rec || policy?.mode === 'Off') return;
      spec ??= { ...request.spec, containers: request.spec.containers.slice() };
      const applied = applyRecommendation(original, rec, policy?.controlledValues ?? 'RequestsAndLimits');
      spec.containers[i] = capToLimitRanges(applied, this.cluster.limitRangesIn(request.namespace));
    });
    return spec;
  }

  // ---- updater ---------------------------------------------------------------------------------

  /** One updater pass over every VPA in Recreate / Auto mode (§2.8). */
  update(): void {
    for (const state of this.vpas) {
      if (!evicts(state.vpa) || state.recommendation.size === 0) continue;
      const entry = this.cluster.workloads.get(state.target);
      if (!entry) continue;
      const groups = new Map<string, Pod[]>();
      for (const pod of entry.pods) {
        if (!isActive(pod)) continue;
        const key = pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : `Pod/${pod.name}`;
        const list = groups.get(key) ?? [];
        list.push(pod);
        groups.set(key, list);
      }
      const minReplicas = state.vpa.spec.updatePolicy.minReplicas ?? UPDATER_MIN_REPLICAS;
      for (const pods of groups.values()) {
        if (pods.length < minReplicas) continue;
        this.evictGroup(state, pods);
      }
    }
  }

  private evictGroup(state: VpaState, pods: Pod[]): void {
    const now = this.clock.nowMs;
    const configured = pods[0].owner?.kind === 'Job' ? pods.length : (this.cluster.workloads.replicasOf(pods[0]) ?? pods.length);
    const tolerance = Math.floor(configured * EVICTION_TOLERANCE);
    const running = pods.filter((p) => p.phase === 'Running').length;
    const candidates: { pod: Pod; priority: UpdatePriority }[] = [];
    for (const pod of pods) {
      const priority = updatePriority(pod, state);
      if (!priority) continue;
      const quickOom = this.quickOom.has(pod.uid) && priority.resourceDiff > 0;
      const old = pod.startedMs >= 0 && now >= pod.startedMs + POD_LIFETIME_UPDATE_THRESHOLD_MS && priority.resourceDiff >= POD_UPDATE_THRESHOLD;
      if (!priority.outsideRange && quickOom) priority.reason = `quick OOM (killed less than 10 min after start), ${priority.reason}`;
      if (priority.outsideRange || quickOom || old) candidates.push({ pod, priority });
    }
    // ScaleUp first, then the largest ResourceDiff (byPriorityDesc); creation order breaks ties.
    candidates.sort((a, b) => Number(b.priority.scaleUp) - Number(a.priority.scaleUp) || b.priority.resourceDiff - a.priority.resourceDiff || a.pod.uid - b.pod.uid);
    let evicted = 0;
    for (const { pod, priority } of candidates) {
      const canEvict =
        pod.phase === 'Pending' ||
        running - evicted > configured - tolerance ||
        (tolerance === 0 && running === configured && evicted === 0);
      if (!canEvict) continue;
      const result = this.cluster.evict(pod, `Evicted by VerticalPodAutoscaler ${state.vpa.metadata.name}`);
      if (!result.ok) continue;
      evicted++;
      this.cluster.emit('VPAEvicted', podObjectRef(pod), pod.node?.name ?? '', `${priority.reason}; evicted to apply ${state.vpa.metadata.name}'s recommendation`);
    }
  }

  // ---- recommendations.csv ---------------------------------------------------------------------

  /** One row per container of every workload, in declaration order. */
  rows(): RecommendationRow[] {
    const rows: RecommendationRow[] = [];
    for (const entry of this.cluster.workloads.all()) {
      const m = this.models.get(entry.ref);
      if (!m?.spec) continue;
      const state = this.vpas.find((s) => s.target === entry.ref);
      const rates = meanRates([...entry.pods].filter((p) => p.node && isActive(p)).map((p) => ratesOf(p.node!))) ?? m.lastRates;
      for (const container of m.spec.containers) {
        rows.push({
          workload: entry.ref,
          container: container.name,
          cpuRequestMilli: container.requests.cpu ?? null,
          cpuLimitMilli: container.limits.cpu ?? null,
          memoryRequestBytes: container.requests.memory ?? null,
          memoryLimitBytes: container.limits.memory ?? null,
          recommendation: this.recommendation(entry.ref, container.name, state ? containerPolicy(state.vpa, container.name) : undefined),
          replicas: entry.desiredReplicas(),
          rates,
          historyDays: this.feeder.current(entry.ref)?.get(container.name)?.confidence() ?? null,
        });
      }
    }
    return rows;
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** LimitRange capping (capping.go, reference §2.6 step 1): requests and limits set from a
 *  recommendation stay within the namespace's Container min/max, so admission never refuses them. */
export function capToLimitRanges(container: Container, ranges: readonly LimitRangeObject[]): Container {
  const requests = { ...container.requests };
  const limits = { ...container.limits };
  for (const range of ranges) {
    for (const item of range.spec.limits) {
      if (item.type !== 'Container') continue;
      for (const name of ['cpu', 'memory'] as const) {
        const max = item.max?.[name];
        const min = item.min?.[name];
        if (max !== undefined) {
          if (requests[name] !== undefined && requests[name] > max) requests[name] = max;
          if (limits[name] !== undefined && limits[name] > max) limits[name] = max;
        }
        if (min !== undefined) {
          if (requests[name] !== undefined && requests[name] < min) requests[name] = min;
          if (limits[name] !== undefined && limits[name] < min) limits[name] = min;
        }
      }
    }
  }
  return { ...container, requests, limits };
}

function containerPolicy(vpa: VpaObject, name: string): VpaContainerPolicy | undefined {
  const policies = vpa.spec.resourcePolicy.containerPolicies;
  return policies.find((p) => p.containerName === name) ?? policies.find((p) => p.containerName === '*');
}

function policyLimits(policy: VpaContainerPolicy | undefined): ContainerPolicyLimits {
  if (!policy) return {};
  const pick = (m: Record<string, number> | undefined) => (m ? { cpu: m.cpu, memory: m.memory } : undefined);
  return { minAllowed: pick(policy.minAllowed), maxAllowed: pick(policy.maxAllowed), controlledResources: policy.controlledResources };
}

function appliesAtAdmission(vpa: VpaObject): boolean {
  return vpa.spec.updatePolicy.updateMode !== 'Off';
}

function evicts(vpa: VpaObject): boolean {
  const mode = vpa.spec.updatePolicy.updateMode;
  return mode === 'Recreate' || mode === 'Auto' || mode === 'InPlaceOrRecreate';
}

function moved(before: number | null, after: number | null): boolean {
  if (before === null || after === null) return before !== after;
  return Math.abs(after - before) > VPA_UPDATED_CHANGE * Math.max(before, 1);
}

function describe(cpuMilli: number | null, memoryBytes: number | null): string {
  const parts: string[] = [];
  if (cpuMilli !== null) parts.push(`cpu ${cpuMilli}m`);
  if (memoryBytes !== null) parts.push(`memory ${memoryBytes}`);
  return parts.join(', ');
}

function ratesOf(node: { priceUsdPerHour: number; allocatable: { cpuMilli: number; memoryBytes: number } }): NodeRates {
  return nodeRates(node.priceUsdPerHour, node.allocatable.cpuMilli, node.allocatable.memoryBytes);
}

function meanRates(list: NodeRates[]): NodeRates | null {
  if (list.length === 0) return null;
  return {
    usdPerCoreHour: list.reduce((s, r) => s + r.usdPerCoreHour, 0) / list.length,
    usdPerGbHour: list.reduce((s, r) => s + r.usdPerGbHour, 0) / list.length,
  };
}

/** A container with its requests set to the capped target; limits per controlledValues. */
export function applyRecommendation(original: Container, rec: ProcessedRecommendation, controlledValues: 'RequestsAndLimits' | 'RequestsOnly'): Container {
  const requests = { ...original.requests };
  const limits = { ...original.limits };
  const set = (name: 'cpu' | 'memory', target: number | null) => {
    if (target === null) return;
    // RequestsOnly: the recommendation is capped at the container's limit (capping.go).
    if (controlledValues === 'RequestsOnly' && original.limits[name] !== undefined) target = Math.min(target, original.limits[name]);
    if (controlledValues === 'RequestsAndLimits') {
      const limit = proportionalLimit(name, original.limits[name], original.requests[name], target);
      if (limit !== null) limits[name] = limit;
    }
    requests[name] = target;
  };
  set('cpu', rec.target.cpuMilli);
  set('memory', rec.target.memoryBytes);
  return { ...original, requests, limits };
}

/** GetProportionalLimit (limit_and_request_scaling.go): no original limit → none; no original
 *  request, or limit == request → the new request; else limit × newRequest / request, floored
 *  (CPU in millicores, memory in bytes), capped at MaxInt64. */
export function proportionalLimit(_name: string, originalLimit: number | undefined, originalRequest: number | undefined, newRequest: number): number | null {
  if (!originalLimit) return null;
  if (!newRequest) return null;
  if (!originalRequest) return newRequest;
  if (originalLimit === originalRequest) return newRequest;
  const scaled = (BigInt(originalLimit) * BigInt(newRequest)) / BigInt(originalRequest);
  const maxInt64 = 2n ** 63n - 1n;
  return Number(scaled > maxInt64 ? maxInt64 : scaled);
}

interface UpdatePriority {
  outsideRange: boolean;
  scaleUp: boolean;
  resourceDiff: number;
  reason: string;
}

/** update_priority_calculator.go over the containers the VPA manages; null when none has a
 *  recommendation. */
export function updatePriority(pod: Pod, state: VpaState): UpdatePriority | null {
  let outsideRange = false;
  let scaleUp = false;
  let any = false;
  const requested = { cpu: 0, memory: 0 };
  const recommended = { cpu: 0, memory: 0 };
  const reasons: string[] = [];
  for (const container of pod.spec.containers) {
    const rec = state.recommendation.get(container.name);
    if (!rec || containerPolicy(state.vpa, container.name)?.mode === 'Off') continue;
    any = true;
    for (const [name, key] of [['cpu', 'cpuMilli'], ['memory', 'memoryBytes']] as const) {
      const target = rec.target[key];
      if (target === null) continue;
      const request = container.requests[name];
      recommended[name] += target;
      if (request === undefined) {
        outsideRange = scaleUp = true;
        reasons.push(`${container.name} has no ${name} request`);
        continue;
      }
      requested[name] += request;
      const lower = rec.lower[key];
      const upper = rec.upper[key];
      if ((lower !== null && request < lower) || (upper !== null && request > upper)) {
        outsideRange = true;
        reasons.push(`${container.name} ${name} request ${request} outside [${lower}, ${upper}]`);
      }
      if (target > request) scaleUp = true;
    }
  }
  if (!any) return null;
  let resourceDiff = 0;
  for (const name of ['cpu', 'memory'] as const) {
    if (recommended[name] === 0 && requested[name] === 0) continue;
    const total = Math.max(requested[name], 1);
    resourceDiff += Math.abs(total - recommended[name]) / total;
  }
  if (reasons.length === 0) reasons.push(`requests differ from target by ${Math.round(resourceDiff * 100)}%`);
  return { outsideRange, scaleUp, resourceDiff, reason: reasons.join(', ') };
}
