// HPA normalisation, pure apart from the history it is handed: the legacy path when
// spec.behavior is nil (reference/k8s-algorithms.md §1.6, horizontal.go normalizeDesiredReplicas)
// and the behavior path (§1.7, normalizeDesiredReplicasWithBehaviors). Timestamps compare
// strictly, as upstream's time.Before / time.After.
import type { HpaScalingPolicy, HpaScalingRules } from '../../model/objects.ts';

export interface Recommendation {
  replicas: number;
  atMs: number;
}
export interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

/** Per-HPA memory of the controller: recommendations and scale events. */
export interface HpaHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export function newHistory(): HpaHistory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DOWNSCALE_STABILIZATION_MS = 300_000;

/** Scaling rules with every default filled in (pkg/apis/autoscaling/v2/defaults.go). */
export interface ResolvedRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HpaScalingPolicy[];
}
export interface ResolvedBehavior {
  scaleUp: ResolvedRules;
  scaleDown: ResolvedRules;
}

/** Defaults: up {window 0, Max, [4 Pods / 15 s, 100 % / 15 s]}; down {window = the controller's
 *  downscale stabilization (300 s), Max, [100 % / 15 s]}. */
export function resolveBehavior(behavior: { scaleUp?: HpaScalingRules; scaleDown?: HpaScalingRules }, downscaleStabilizationMs = DOWNSCALE_STABILIZATION_MS): ResolvedBehavior {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? 'Max',
      policies: up.policies ?? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleStabilizationMs / 1000,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

export interface NormalizeArgs {
  nowMs: number;
  current: number;
  desired: number;
  minReplicas: number;
  maxReplicas: number;
}

/** Stores a recommendation in the slot of one old entry (the last found), else appends. The old
 *  entry is overwritten in place (no allocation: this runs at every sync of every HPA); entries
 *  are the history's own, never shared. */
function store(recs: Recommendation[], oldIndex: number, replicas: number, atMs: number): void {
  if (oldIndex >= 0) {
    const rec = recs[oldIndex];
    rec.replicas = replicas;
    rec.atMs = atMs;
  } else recs.push({ replicas, atMs });
}

/** Legacy path (§1.6): scale-down held at the max over the stabilization window, scale-up capped
 *  at max(2 x current, 4) per sync. */
export function normalizeLegacy(history: HpaHistory, a: NormalizeArgs, downscaleStabilizationMs = DOWNSCALE_STABILIZATION_MS): number {
  // stabilizeRecommendation
  const cutoff = a.nowMs - downscaleStabilizationMs;
  let stabilized = a.desired;
  let oldIndex = -1;
  const recs = history.recommendations;
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i];
    if (rec.atMs < cutoff) oldIndex = i;
    else if (rec.replicas > stabilized) stabilized = rec.replicas;
  }
  store(recs, oldIndex, a.desired, a.nowMs);
  // convertDesiredReplicasWithRules
  const scaleUpLimit = Math.max(2 * a.current, 4);
  const maximumAllowed = Math.min(a.maxReplicas, scaleUpLimit);
  if (stabilized < a.minReplicas) return a.minReplicas;
  if (stabilized > maximumAllowed) return maximumAllowed;
  return stabilized;
}

/** Behavior path (§1.7): stabilization windows, then the rate limits of the policies. */
export function normalizeWithBehavior(history: HpaHistory, behavior: ResolvedBehavior, a: NormalizeArgs): number {
  const stabilized = stabilizeWithBehaviors(history, behavior, a);
  return limitRate(history, behavior, { ...a, desired: stabilized });
}

function stabilizeWithBehaviors(history: HpaHistory, behavior: ResolvedBehavior, a: NormalizeArgs): number {
  const upCutoff = a.nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = a.nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = a.desired;
  let downRecommendation = a.desired;
  let oldIndex = -1;
  history.recommendations.forEach((rec, i) => {
    if (rec.atMs > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.atMs > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.atMs < upCutoff && rec.atMs < downCutoff) oldIndex = i;
  });
  let recommendation = a.current;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  store(history.recommendations, oldIndex, a.desired, a.nowMs);
  return recommendation;
}

/** convertDesiredReplicasWithBehaviorRate. */
function limitRate(history: HpaHistory, behavior: ResolvedBehavior, a: NormalizeArgs): number {
  if (a.desired > a.current) {
    const limit = Math.max(scaleUpLimit(history, behavior.scaleUp, a), a.current);
    const maximumAllowed = Math.min(a.maxReplicas, limit);
    return Math.min(a.desired, maximumAllowed);
  }
  if (a.desired < a.current) {
    const limit = Math.min(scaleDownLimit(history, behavior.scaleDown, a), a.current);
    const minimumAllowed = Math.max(a.minReplicas, limit);
    return Math.max(a.desired, minimumAllowed);
  }
  return a.desired;
}

/** getReplicasChangePerPeriod: events strictly after now - period. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.atMs > cutoff) replicas += e.change;
  return replicas;
}

function periodStart(history: HpaHistory, policy: HpaScalingPolicy, a: NormalizeArgs): number {
  return a.current - changeInPeriod(history.scaleUpEvents, policy.periodSeconds, a.nowMs) + changeInPeriod(history.scaleDownEvents, policy.periodSeconds, a.nowMs);
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(history: HpaHistory, rules: ResolvedRules, a: NormalizeArgs): number {
  if (rules.selectPolicy === 'Disabled') return a.current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    const start = periodStart(history, policy, a);
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors: Percent truncates (int32 conversion). */
export function scaleDownLimit(history: HpaHistory, rules: ResolvedRules, a: NormalizeArgs): number {
  if (rules.selectPolicy === 'Disabled') return a.current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const start = periodStart(history, policy, a);
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** storeScaleEvent: events older than the longest policy period are outdated and their slot reused. */
export function recordScaleEvent(history: HpaHistory, behavior: ResolvedBehavior, prev: number, next: number, nowMs: number): void {
  if (next === prev) return;
  const up = next > prev;
  const rules = up ? behavior.scaleUp : behavior.scaleDown;
  const events = up ? history.scaleUpEvents : history.scaleDownEvents;
  const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  const cutoff = nowMs - longest * 1000;
  for (const e of events) if (e.atMs < cutoff) e.outdated = true;
  const event: ScaleEvent = { change: Math.abs(next - prev), atMs: nowMs, outdated: false };
  const slot = events.findIndex((e) => e.outdated);
  if (slot >= 0) events[slot] = event;
  else events.push(event);
}
