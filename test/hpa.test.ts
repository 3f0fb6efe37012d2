// HPA: the replica calculator, the normalisation (legacy and behavior) and the controller's
// metric combination, against upstream's own test tables. Each case names the upstream test it
// comes from: kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
// ("RC:") and horizontal_test.go ("H:"); the others are worked out by hand from
// reference/k8s-algorithms.md §1.
//
// Upstream's replica-calculator tests give each pod two containers with the same level and
// request; the ratios are per pod sums, so one value per pod gives the same numbers. "cool" pods
// started 10 min ago (past the 5 min CPU initialization period); "hot" pods start now, so no full
// metric window has passed since they became Ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../src/engine/simulation.ts';
import type { HpaObject } from '../src/model/objects.ts';
import type { Pod } from '../src/model/pod.ts';
import type { CalcContext, PodSample } from '../src/controllers/hpa/replicaCalculator.ts';
import {
  averageValueMetricReplicas,
  groupPods,
  plainMetricReplicas,
  resourceUtilizationReplicas,
  valueMetricReplicas,
} from '../src/controllers/hpa/replicaCalculator.ts';
import type { HpaHistory } from '../src/controllers/hpa/normalize.ts';
import { newHistory, normalizeLegacy, normalizeWithBehavior, recordScaleEvent, resolveBehavior, scaleDownLimit, scaleUpLimit } from '../src/controllers/hpa/normalize.ts';
import { HorizontalController } from '../src/controllers/hpa/horizontal.ts';
import { Store } from '../src/api/store.ts';
import { objectRef } from '../src/model/objects.ts';
import type { MetricsSource } from '../src/controllers/hpa/metrics.ts';

const NOW = 3_600_000;
const COOL = NOW - 10 * 60_000;
const HOT = NOW;
const MIN = 60_000;

interface PodOpts {
  levels: (number | undefined)[];
  count?: number;
  requests?: number[];
  ready?: boolean[];
  phase?: PodSample['phase'][];
  start?: number[];
  deleting?: boolean[];
}

/** Pods as upstream's test fixtures build them: Running, Ready, cool, request 1 CPU. */
function pods(o: PodOpts): PodSample[] {
  const n = o.count ?? o.levels.length;
  return Array.from({ length: n }, (_, i) => {
    const start = o.start?.[i] ?? COOL;
    return {
      name: `test-pod-${i}`,
      phase: o.phase?.[i] ?? 'Running',
      deleting: o.deleting?.[i] ?? false,
      ready: o.ready?.[i] ?? true,
      startMs: start,
      readyTransitionMs: start,
      valueMilli: o.levels[i] ?? null,
      requestMilli: o.requests ? o.requests[i] ?? null : 1000,
    };
  });
}

function ctx(currentReplicas: number, tolerance = 0.1): CalcContext {
  return { nowMs: NOW, currentReplicas, tolerances: { down: tolerance, up: tolerance }, metricWindowMs: 60_000, metricTimestampMs: NOW };
}

const cpu = (current: number, target: number, o: PodOpts) => resourceUtilizationReplicas(pods(o), target, true, ctx(current));
const replicas = (r: ReturnType<typeof cpu>) => ('error' in r ? r.error : r.replicas);

// ---- Resource utilization (CPU) ------------------------------------------------------------

test('RC: scale-up, unready and hot pods (TestReplicaCalcScaleUp*)', () => {
  // 300+500+700 of 3000m = 50% vs 30%: ratio 1.667, ceil(1.667 x 3) = 5.
  assert.equal(replicas(cpu(3, 30, { levels: [300, 500, 700] })), 5); // TestReplicaCalcScaleUp
  // An unready pod on scale-up counts at 0: (500+700)/2000 = 60% -> 2.0; + unready at 0: 1200/3000 = 40% -> 1.333 x 3 -> 4.
  assert.equal(replicas(cpu(3, 30, { levels: [300, 500, 700], ready: [false, true, true] })), 4); // ...ScaleUpUnreadyLessScale
  assert.equal(replicas(cpu(3, 30, { levels: [300, 500, 700], start: [HOT, COOL, COOL] })), 4); // ...ScaleUpHotCpuLessScale
  // Only one ready pod at 40% (1.333); two unready at 0: 400/3000 = 13% -> 0.433 < 1 -> keep 3.
  assert.equal(replicas(cpu(3, 30, { levels: [400, 500, 700], ready: [true, false, false] })), 3); // ...ScaleUpUnreadyNoScale
  assert.equal(replicas(cpu(3, 30, { levels: [400, 500, 700], ready: [true, false, false], start: [COOL, HOT, HOT] })), 3); // ...ScaleHotCpuNoScale
});

test('RC: failed and terminating pods are ignored entirely (TestReplicaCalcScaleUpIgnores*, ScaleDownIgnores*)', () => {
  const failed: PodSample['phase'][] = ['Running', 'Running', 'Failed', 'Failed'];
  assert.equal(replicas(cpu(2, 30, { levels: [500, 700], count: 4, ready: [true, true, false, false], phase: failed })), 4);
  assert.equal(replicas(cpu(2, 30, { levels: [500, 700], count: 4, ready: [true, true, false, false], deleting: [false, false, true, true] })), 4);
  // 1400/5000 = 28% vs 50% -> 0.56 x 5 = 2.8 -> 3, the two failed pods counting for nothing.
  const phase7: PodSample['phase'][] = ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'];
  assert.equal(replicas(cpu(5, 50, { levels: [100, 300, 500, 250, 250], count: 7, ready: [true, true, true, true, true, false, false], phase: phase7 })), 3);
  assert.equal(replicas(cpu(5, 50, { levels: [100, 300, 500, 250, 250], count: 7, deleting: [false, false, false, false, false, true, true] })), 3);
});

test('RC: scale-down with unready, unscheduled and hot pods (TestReplicaCalcScaleDown*)', () => {
  assert.equal(replicas(cpu(5, 50, { levels: [100, 300, 500, 250, 250] })), 3); // TestReplicaCalcScaleDown
  // Unready pods are left out on scale-down: 900/3000 = 30% -> 0.6 x 3 ready = 1.8 -> 2.
  assert.equal(replicas(cpu(5, 50, { levels: [100, 300, 500, 250, 250], ready: [true, true, true, false, false] })), 2); // ...IncludeUnreadyPods
  // Pending pods are unready: 100/1000 = 10% -> 0.2 x 1 -> 1.
  const pending: PodSample['phase'][] = ['Running', 'Pending', 'Pending', 'Pending', 'Pending'];
  assert.equal(replicas(cpu(5, 50, { levels: [100], count: 5, ready: [true, false, false, false, false], phase: pending })), 1); // ...ExcludeUnscheduledPods
  assert.equal(replicas(cpu(5, 50, { levels: [100, 300, 500, 250, 250], start: [COOL, COOL, COOL, HOT, HOT] })), 2); // ...IgnoreHotCpuPods
});

test('RC: tolerance, integer truncation and missing requests', () => {
  // 3060/3000 = 102% vs 100%: within 10% (TestReplicaCalcTolerance).
  assert.equal(replicas(cpu(3, 100, { levels: [1010, 1030, 1020], requests: [900, 1000, 1100] })), 3);
  // Both ends of the band are inclusive: 55% vs 50% is exactly 1.1 -> keep; 56% -> 1.12 -> ceil(1.12) = 2.
  assert.equal(replicas(cpu(1, 50, { levels: [550] })), 1);
  assert.equal(replicas(cpu(1, 50, { levels: [560] })), 2);
  assert.equal(replicas(cpu(10, 50, { levels: Array(10).fill(450) })), 10); // 45% -> exactly 0.9 -> keep
  // The percentage is truncated before dividing: 449m x 10 of 10 CPU is 44.9% -> 44 -> 0.88 -> 8.8 -> 9
  // (an untruncated 0.898 would have been within tolerance).
  assert.equal(replicas(cpu(10, 50, { levels: Array(10).fill(449) })), 9);
  // TestReplicaCalcEmptyCPURequest: a pod without a request fails the metric.
  assert.match(replicas(cpu(1, 100, { levels: [200], requests: [] })) as string, /missing request/);
  // No metric at all: upstream reports "did not receive metrics for targeted pods".
  assert.match(replicas(cpu(3, 50, { levels: [], count: 3 })) as string, /did not receive metrics/);
});

test('RC: readiness is checked only for CPU: memory counts unready pods that have a sample', () => {
  // Hand: memory 300Mi, 300Mi, 900Mi of 512Mi requests (bytes), pod 2 not Ready: 1500/1536 = 97%
  // vs 60% -> 1.617 x 3 = 4.85 -> 5. For CPU the unready pod would be dropped.
  const mi = 1024 * 1024;
  const samples = pods({ levels: [300 * mi, 300 * mi, 900 * mi], requests: [512 * mi, 512 * mi, 512 * mi], ready: [true, true, false] });
  assert.equal(replicas(resourceUtilizationReplicas(samples, 60, false, ctx(3))), 5);
});

test('RC: CPU initialization period: a Ready pod counts once a full metric window follows its readiness', () => {
  // Hand (§1.3 step A.4): started 2 min ago, Ready since 90 s ago; window 60 s: the sample (now)
  // is not before ready + window -> ready. With a 2 min window it is -> unready, and on scale-up it counts at 0.
  const p = pods({ levels: [900, 900], start: [NOW - 120_000, COOL] });
  p[0].readyTransitionMs = NOW - 90_000;
  assert.equal(replicas(resourceUtilizationReplicas(p, 50, true, ctx(2))), 4); // 90% -> 1.8 x 2 = 3.6 -> 4
  const longWindow = { ...ctx(2), metricWindowMs: 120_000 };
  // Unready pod 0 at 0: 900/2000 = 45% -> 0.9, within tolerance: keep 2.
  assert.equal(replicas(resourceUtilizationReplicas(p, 50, true, longWindow)), 2);
  // Past the initialization period an unready pod that was Ready 40 s after start (later than the
  // 30 s initial readiness delay) still counts: upstream only drops pods never Ready since start.
  const late = pods({ levels: [900, 900], ready: [false, true] });
  late[0].readyTransitionMs = late[0].startMs + 40_000;
  assert.equal(replicas(resourceUtilizationReplicas(late, 50, true, ctx(2))), 4);
});

// ---- Pods, Resource AverageValue, External ----------------------------------------------------

test('RC: Pods metrics (TestReplicaCalcScaleUpCM*, ScaleDownCM, ToleranceCM)', () => {
  const plain = (current: number, target: number, o: PodOpts) => replicas(plainMetricReplicas(pods(o), target, false, ctx(current)));
  assert.equal(plain(3, 15000, { levels: [20000, 10000, 30000] }), 4); // avg 20000 / 15000 = 1.333 x 3 -> 4
  // Readiness is not checked for custom metrics: avg 30000 -> 2.0 x 3 = 6.
  assert.equal(plain(3, 15000, { levels: [50000, 10000, 30000], ready: [true, true, false], start: [COOL, COOL, HOT] }), 6);
  assert.equal(plain(5, 20000, { levels: [12000, 12000, 12000, 12000, 12000] }), 3);
  assert.equal(plain(3, 20000, { levels: [20000, 21000, 21000] }), 3); // avg 20666 -> 1.033
});

test('RC: External metrics, Value and AverageValue (TestReplicaCalc*CMExternal*)', () => {
  const t = { down: 0.1, up: 0.1 };
  // Value: ratio x Ready pods. 8600/4400 = 1.95 x 1 Ready pod -> 2 (would be 6 counting unready pods).
  assert.equal(replicas(valueMetricReplicas(8600, 4400, 1, { currentReplicas: 3, tolerances: t })), 2);
  assert.equal(replicas(valueMetricReplicas(8600, 14334, 5, { currentReplicas: 5, tolerances: t })), 3);
  assert.equal(replicas(valueMetricReplicas(8600, 8888, 3, { currentReplicas: 3, tolerances: t })), 3);
  // AverageValue: ceil(total / per-pod target) once outside tolerance of status.replicas.
  assert.deepEqual(averageValueMetricReplicas(8600, 2150, 3, t), { replicas: 4, usage: 2867 });
  assert.deepEqual(averageValueMetricReplicas(8600, 2867, 5, t), { replicas: 3, usage: 1720 });
  assert.deepEqual(averageValueMetricReplicas(8600, 2900, 3, t), { replicas: 3, usage: 2867 });
});

// ---- Missing metrics -----------------------------------------------------------------------------
// A pod without a sample counts at 100% of its request (max(100, target) percent, or the target
// of a plain metric) when the others would scale down, at 0 when they would scale up, and is left
// out at a ratio of exactly 1 (replica_calculator.go GetResourceReplicas, calcPlainMetricReplicas).
// Upstream's fixtures list one level per pod that has metrics; the pods after them are missing.

const missingCases: { test: string; current: number; target: number; o: PodOpts; expected: number; why: string }[] = [
  { test: 'TestReplicaCalcMissingMetrics', current: 4, target: 100, o: { levels: [400, 95], count: 4 }, expected: 3,
    why: '495/2000 = 24% -> 0.24; two missing at 100%: 2495/4000 = 62% -> 0.62 x 4 = 2.48 -> 3' },
  { test: 'TestReplicaCalcMissingMetricsNoChangeEq', current: 2, target: 100, o: { levels: [1000], count: 2 }, expected: 2,
    why: '100% -> exactly 1: the missing pod is left out, the ratio stays 1' },
  { test: 'TestReplicaCalcMissingMetricsNoChangeGt', current: 2, target: 100, o: { levels: [1900], count: 2 }, expected: 2,
    why: '190% -> 1.9; missing at 0: 1900/2000 = 95% -> within tolerance' },
  { test: 'TestReplicaCalcMissingMetricsNoChangeLt', current: 2, target: 100, o: { levels: [600], count: 2 }, expected: 2,
    why: '60% -> 0.6; missing at 100%: 1600/2000 = 80% -> 0.8 x 2 = 1.6 -> 2' },
  { test: 'TestReplicaCalcMissingMetricsUnreadyChange', current: 3, target: 50, o: { levels: [100, 450], count: 3, ready: [false, true, true] }, expected: 3,
    why: '450/1000 = 45% -> 0.9; missing at 100%: 1450/2000 = 72% -> 1.45, the direction flips' },
  { test: 'TestReplicaCalcMissingMetricsHotCpuNoChange', current: 3, target: 50, o: { levels: [100, 450], count: 3, start: [HOT, COOL, COOL] }, expected: 3,
    why: 'the hot pod is unready: as UnreadyChange' },
  { test: 'TestReplicaCalcMissingMetricsUnreadyScaleUp', current: 3, target: 50, o: { levels: [100, 2000], count: 3, ready: [false, true, true] }, expected: 4,
    why: '200% -> 4; unready and missing at 0: 2000/3000 = 66% -> 1.32 x 3 = 3.96 -> 4' },
  { test: 'TestReplicaCalcMissingMetricsHotCpuScaleUp', current: 3, target: 50, o: { levels: [100, 2000], count: 3, ready: [false, true, true], start: [HOT, COOL, COOL] }, expected: 4,
    why: 'as UnreadyScaleUp' },
  { test: 'TestReplicaCalcMissingMetricsUnreadyScaleDown', current: 4, target: 50, o: { levels: [100, 100, 100], count: 4, ready: [false, true, true, true] }, expected: 3,
    why: '200/2000 = 10% -> 0.2; the unready pod left out, missing at 100%: 1200/3000 = 40% -> 0.8 x 3 = 2.4 -> 3' },
  { test: 'TestReplicaCalcMissingMetricsScaleDownTargetOver100', current: 4, target: 300, o: { levels: [200, 100, 100], count: 4, ready: [false, true, true, true], requests: [1000, 1000, 2000, 2000] }, expected: 2,
    why: '200/3000 = 6% -> 0.02; missing at max(100, 300)% of 2000m = 6000m: 6200/5000 = 124% -> 0.413 x 3 = 1.24 -> 2' },
  { test: 'TestReplicaCalcDuringRollingUpdateWithMaxSurge', current: 2, target: 50, o: { levels: [100, 100], count: 3 }, expected: 2,
    why: '10% -> 0.2; the surge pod at 100%: 1200/3000 = 40% -> 0.8 x 3 = 2.4 -> 3 > 2 on a scale-down: keep 2' },
];

test('RC: missing metrics, resource utilization (replica_calculator_test.go TestReplicaCalcMissingMetrics*, DuringRollingUpdateWithMaxSurge)', () => {
  for (const c of missingCases) assert.equal(replicas(cpu(c.current, c.target, c.o)), c.expected, `${c.test}: ${c.why}`);
});

test('RC: missing metrics, plain metrics (TestPlainMetricReplicaCalcMissingMetricsNoChangeEq, DuringRollingUpdateWithMaxSurgeCM)', () => {
  const plain = (current: number, target: number, o: PodOpts, isCpu = false) => replicas(plainMetricReplicas(pods(o), target, isCpu, ctx(current)));
  // TestPlainMetricReplicaCalcMissingMetricsNoChangeEq: 5 pods, 3 with qps: average 20000 = target
  // -> exactly 1, the 2 missing pods are left out: keep 5. (Filled at 0 they would give
  // 60000/5 = 12000 -> 0.6 x 5 = 3.)
  assert.equal(plain(5, 20000, { levels: [20000, 19000, 21000], count: 5 }), 5);
  // TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM: 10000 -> 0.588; the surge pod at the target:
  // 37000/3 = 12333 -> 0.725 x 3 = 2.18 -> 3 > 2 on a scale-down: keep 2.
  assert.equal(plain(2, 17000, { levels: [10000, 10000], count: 3 }), 2);
  // Hand, Resource AverageValue 500m (GetRawResourceReplicas, the same plain path with CPU
  // readiness): one pod at 500m, one without a sample: exactly 1 -> keep 2 (filled at 0: 1).
  assert.equal(plain(2, 500, { levels: [500], count: 2 }, true), 2);
  // Hand: on a scale-up the missing pod counts at 0: 1500m -> 3.0; (1500 + 0)/2 = 750 -> 1.5 x 2 = 3.
  assert.equal(plain(2, 500, { levels: [1500], count: 2 }, true), 3);
  // Hand: on a scale-down at the target: (10000 + 20000)/2 = 15000 -> 0.75 x 2 = 1.5 -> 2.
  assert.equal(plain(2, 20000, { levels: [10000], count: 2 }), 2);
});

// ---- groupPods ----------------------------------------------------------------------------------
// replica_calculator_test.go TestGroupPods, every case, with upstream's testing flags (CPU
// initialization period 2 min, initial readiness delay 10 s). Times are relative to "now";
// a metric without Timestamp and Window is Go's zero time. "No condition" is a pod without a
// Ready condition (readyTransitionMs -1), "no start" one without status.startTime.

const SEC = 1000;
const TESTING_READINESS = { cpuInitializationPeriodMs: 2 * 60 * SEC, initialReadinessDelayMs: 10 * SEC };

interface GroupPod {
  name: string;
  phase?: PodSample['phase'];
  deleting?: boolean;
  /** status.startTime, ago (ms); absent: no start time. */
  startAgo?: number;
  /** The Ready condition: status and lastTransitionTime ago; absent: no condition. */
  ready?: [boolean, number];
  hasMetric?: boolean;
}

function groupCase(list: GroupPod[]): PodSample[] {
  return list.map((p) => ({
    name: p.name,
    phase: p.phase ?? 'Succeeded',
    deleting: p.deleting ?? false,
    ready: p.ready?.[0] ?? false,
    startMs: p.startAgo === undefined ? -1 : NOW - p.startAgo,
    readyTransitionMs: p.ready === undefined ? -1 : NOW - p.ready[1],
    valueMilli: p.hasMetric === false ? null : 1,
  }));
}

test('groupPods: readiness, missing and ignored pods (replica_calculator_test.go TestGroupPods)', () => {
  const cases: { name: string; pods: GroupPod[]; cpu?: boolean; metric?: { agoMs: number; windowMs: number }; ready: number; unready?: string[]; missing?: string[]; ignored?: string[] }[] = [
    { name: 'void', pods: [], ready: 0 },
    { name: 'count in a ready pod - memory', pods: [{ name: 'bentham' }], cpu: false, metric: { agoMs: 0, windowMs: 60 * SEC }, ready: 1 },
    { name: 'unready a pod without ready condition - CPU', pods: [{ name: 'lucretius', startAgo: 0 }], ready: 0, unready: ['lucretius'] },
    { name: 'count in a ready pod with fresh metrics during initialization period - CPU',
      pods: [{ name: 'bentham', startAgo: 60 * SEC, ready: [true, 30 * SEC] }], metric: { agoMs: 0, windowMs: 30 * SEC }, ready: 1 },
    { name: 'unready a ready pod without fresh metrics during initialization period - CPU',
      pods: [{ name: 'bentham', startAgo: 60 * SEC, ready: [true, 30 * SEC] }], metric: { agoMs: 0, windowMs: 60 * SEC }, ready: 0, unready: ['bentham'] },
    { name: 'unready an unready pod during initialization period - CPU',
      pods: [{ name: 'lucretius', startAgo: 10 * MIN, ready: [false, 9 * MIN + 54 * SEC] }], ready: 0, unready: ['lucretius'] },
    { name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      pods: [{ name: 'bentham', startAgo: 3 * MIN, ready: [true, 3 * MIN] }], metric: { agoMs: 2 * MIN, windowMs: 60 * SEC }, ready: 1 },
    { name: 'count in an unready pod that was ready after initialization period - CPU',
      pods: [{ name: 'lucretius', startAgo: 10 * MIN, ready: [false, 9 * MIN] }], ready: 1 },
    { name: 'unready pod that has never been ready after initialization period - CPU',
      pods: [{ name: 'lucretius', startAgo: 10 * MIN, ready: [false, 9 * MIN + 50 * SEC] }], ready: 1 },
    { name: 'a missing pod', pods: [{ name: 'epicurus', startAgo: 3 * MIN, hasMetric: false }], ready: 0, missing: ['epicurus'] },
    { name: 'several pods', pods: [
      { name: 'lucretius', startAgo: 0 },
      { name: 'niccolo', startAgo: 3 * MIN, ready: [true, 3 * MIN] },
      { name: 'epicurus', startAgo: 3 * MIN, hasMetric: false },
    ], ready: 1, unready: ['lucretius'], missing: ['epicurus'] },
    { name: 'pending pods are unreadied', pods: [{ name: 'unscheduled', phase: 'Pending', hasMetric: false }], ready: 0, unready: ['unscheduled'] },
    { name: 'ignore pods with deletion timestamps', pods: [{ name: 'deleted', phase: 'Pending', deleting: true }], ready: 0, ignored: ['deleted'] },
    { name: 'ignore pods in a failed state', pods: [{ name: 'failed', phase: 'Failed' }], ready: 0, ignored: ['failed'] },
  ];
  const names = (ps: PodSample[]) => ps.map((p) => p.name).sort();
  for (const c of cases) {
    // Go's zero time: far before every start above.
    const metric = c.metric ? { metricTimestampMs: NOW - c.metric.agoMs, metricWindowMs: c.metric.windowMs } : { metricTimestampMs: -NOW, metricWindowMs: 0 };
    const g = groupPods(groupCase(c.pods), c.cpu ?? true, { nowMs: NOW, ...metric, readiness: TESTING_READINESS });
    assert.equal(g.readyPodCount, c.ready, `${c.name}: readyPodCount`);
    assert.deepEqual(names(g.unready), (c.unready ?? []).sort(), `${c.name}: unready`);
    assert.deepEqual(names(g.missing), (c.missing ?? []).sort(), `${c.name}: missing`);
    assert.deepEqual(names(g.ignored), (c.ignored ?? []).sort(), `${c.name}: ignored`);
  }
});

test('groupPods: a pod NotReady after a restart long after start counts; one never Ready since start does not', () => {
  // Production flags (5 min, 30 s). Started 10 min ago, Ready 20 s after start, OOM-killed and
  // restarted 10 s ago: the Ready condition is False since 10 s ago, later than start + 30 s, so
  // the pod counts with its sample ("count in an unready pod that was ready after initialization
  // period"). Taking the time it last became Ready (start + 20 s) would call it never Ready.
  const restarted = groupCase([{ name: 'restarted', startAgo: 10 * MIN, ready: [false, 10 * SEC] }]);
  assert.equal(groupPods(restarted, true, { nowMs: NOW, metricTimestampMs: NOW, metricWindowMs: 30 * SEC }).readyPodCount, 1);
  // Never Ready: the condition was written False at start and never flipped -> unready.
  const never = groupCase([{ name: 'never', startAgo: 10 * MIN, ready: [false, 10 * MIN] }]);
  assert.deepEqual(groupPods(never, true, { nowMs: NOW, metricTimestampMs: NOW, metricWindowMs: 30 * SEC }).unready.map((p) => p.name), ['never']);
});

// ---- Normalisation: legacy ----------------------------------------------------------------------

const hist = (recs: [number, number][]): HpaHistory => ({ ...newHistory(), recommendations: recs.map(([replicas, agoMs]) => ({ replicas, atMs: NOW - agoMs })) });

test('H: legacy stabilization keeps the largest recommendation of the last 5 min (TestNormalizeDesiredReplicas)', () => {
  const cases: { recs: [number, number][]; desired: number; expected: number; log: number }[] = [
    { recs: [], desired: 5, expected: 5, log: 1 }, // empty log
    { recs: [[4, 2 * MIN], [5, 1 * MIN]], desired: 3, expected: 5, log: 3 }, // stabilize
    { recs: [[1, 2 * MIN], [2, 1 * MIN]], desired: 3, expected: 3, log: 3 }, // no stabilize
    { recs: [[10, 10 * MIN], [9, 9 * MIN]], desired: 3, expected: 3, log: 2 }, // old recommendations
    { recs: [[10, 10 * MIN], [4, 1 * MIN], [5, 2 * MIN], [9, 9 * MIN]], desired: 3, expected: 5, log: 4 },
  ];
  for (const c of cases) {
    const h = hist(c.recs);
    assert.equal(normalizeLegacy(h, { nowMs: NOW, current: 10, desired: c.desired, minReplicas: 1, maxReplicas: 100 }), c.expected);
    assert.equal(h.recommendations.length, c.log);
  }
  // Hand: a recommendation exactly 5 min old is still in the window (time.Before is strict).
  assert.equal(normalizeLegacy(hist([[12, 5 * MIN]]), { nowMs: NOW, current: 12, desired: 3, minReplicas: 1, maxReplicas: 100 }), 12);
});

test('H: legacy limits: min, max and the scale-up cap max(2 x current, 4) (TestConvertDesiredReplicasWithRules)', () => {
  const legacy = (current: number, desired: number, minReplicas: number, maxReplicas: number) =>
    normalizeLegacy(newHistory(), { nowMs: NOW, current, desired, minReplicas, maxReplicas });
  assert.equal(legacy(5, 7, 3, 8), 7);
  assert.equal(legacy(3, 1, 2, 8), 2);
  assert.equal(legacy(20, 1000, 1, 10), 10);
  assert.equal(legacy(3, 1000, 1, 2000), 6); // calculateScaleUpLimit(3) with the production factor 2
  assert.equal(legacy(1, 1000, 1, 2000), 4); // ... and the minimum of 4
});

// ---- Normalisation: behavior ------------------------------------------------------------------

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, window) from horizontal_test.go. */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number) {
  const policies = [];
  if (pods) policies.push({ type: 'Pods' as const, value: pods, periodSeconds: podsPeriod });
  if (percent) policies.push({ type: 'Percent' as const, value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max' as const, policies };
}

/** generateEventsUniformDistribution: events spread over the last `period` s, at segment centres. */
function uniformEvents(changes: number[], periodSeconds: number) {
  const segment = periodSeconds / changes.length;
  return changes.map((change, i) => ({ change, atMs: NOW - Math.trunc(periodSeconds - segment * (i + 1) + segment / 2) * 1000, outdated: false }));
}

test('H: behavior rate limits (TestScalingWithRules)', () => {
  type Case = { name: string; current: number; desired: number; min: number; max: number; up?: ReturnType<typeof rules>; down?: ReturnType<typeof rules>; upEvents?: ReturnType<typeof uniformEvents>; expected: number };
  const cases: Case[] = [
    { name: 'within range', current: 5, desired: 7, min: 3, max: 8, expected: 7 },
    { name: 'below min', current: 3, desired: 1, min: 2, max: 8, expected: 2 },
    { name: 'above max', current: 20, desired: 1000, min: 1, max: 10, expected: 10 },
    { name: '1% up rounds up: ceil(3 x 1.01) = 4', current: 3, desired: 1000, min: 1, max: 2000, up: rules(0, 0, 1, 60, 0), expected: 4 },
    { name: '20 pods down', current: 1000, desired: 3, min: 3, max: 2000, down: rules(20, 60, 0, 0, 0), expected: 980 },
    { name: 'default up: max(10 + 4, 10 x 200%)', current: 10, desired: 50, min: 1, max: 1000, expected: 20 },
    { name: 'pods policy larger', current: 10, desired: 500, min: 1, max: 1000, up: rules(100, 60, 100, 60, 0), expected: 110 },
    { name: 'percent policy larger', current: 10, desired: 500, min: 1, max: 1000, up: rules(2, 60, 100, 60, 0), expected: 20 },
    { name: 'pod policy limit', current: 10, desired: 50, min: 1, max: 1000, up: rules(30, 60, 0, 0, 0), expected: 40 },
    { name: 'percent policy limit', current: 10, desired: 50, min: 1, max: 1000, up: rules(0, 0, 200, 60, 0), expected: 30 },
    { name: 'down: percent larger than pods', current: 100, desired: 2, min: 1, max: 1000, down: rules(20, 60, 1, 60, 300), expected: 80 },
    { name: 'down: pods larger than percent', current: 100, desired: 2, min: 1, max: 1000, down: rules(2, 60, 1, 60, 300), expected: 98 },
    { name: 'down: min replicas', current: 10, desired: 2, min: 5, max: 1000, down: rules(0, 0, 100, 60, 300), expected: 5 },
    { name: 'down: pod policy limit', current: 10, desired: 2, min: 1, max: 1000, down: rules(5, 60, 0, 0, 300), expected: 5 },
    { name: 'down: 50% of 10', current: 10, desired: 5, min: 1, max: 1000, down: rules(0, 0, 50, 60, 300), expected: 5 },
    // Events 1, 5, 9 at -100 s, -60 s, -20 s: all 15 inside 120 s, so the period started at 85.
    { name: 'events: 100 - 15 + 150', current: 100, desired: 500, min: 1, max: 1000, up: rules(150, 120, 0, 0, 0), upEvents: uniformEvents([1, 5, 9], 120), expected: 235 },
    { name: 'events: never below current', current: 100, desired: 500, min: 1, max: 1000, up: rules(5, 120, 0, 0, 0), upEvents: uniformEvents([1, 5, 9], 120), expected: 100 },
    { name: 'events: max replicas', current: 100, desired: 500, min: 1, max: 200, up: rules(300, 60, 0, 0, 0), upEvents: uniformEvents([1, 5, 9], 120), expected: 200 },
  ];
  for (const c of cases) {
    const behavior = resolveBehavior({ scaleUp: c.up, scaleDown: c.down });
    const h: HpaHistory = { ...newHistory(), scaleUpEvents: c.upEvents ?? [] };
    assert.equal(normalizeWithBehavior(h, behavior, { nowMs: NOW, current: c.current, desired: c.desired, minReplicas: c.min, maxReplicas: c.max }), c.expected, c.name);
  }
});

test('H: selectPolicy Min and percent truncation on scale-down (TestCalculateScale{Up,Down}Limit*)', () => {
  const min = (current: number) => ({ nowMs: NOW, current, desired: 0, minReplicas: 1, maxReplicas: 100 });
  const policies = [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }, { type: 'Percent' as const, value: 50, periodSeconds: 60 }];
  const r = { stabilizationWindowSeconds: 300, selectPolicy: 'Min' as const, policies };
  assert.equal(scaleUpLimit(newHistory(), r, min(1)), 2); // min(1 + 2, ceil(1.5))
  assert.equal(scaleDownLimit(newHistory(), r, min(5)), 3); // max(5 - 2, trunc(2.5))
  assert.equal(scaleDownLimit(newHistory(), { ...r, selectPolicy: 'Max' }, min(5)), 2); // Max: the larger change
  assert.equal(scaleUpLimit(newHistory(), { ...r, selectPolicy: 'Disabled' }, min(5)), 5);
});

test('H: behavior stabilization: scale-down held for 5 min by default, a rec exactly 5 min old no longer counts', () => {
  const behavior = resolveBehavior({});
  const args = { nowMs: NOW, current: 10, desired: 3, minReplicas: 1, maxReplicas: 20 };
  // Recommendations 8 (1 min ago) and 10 (299 s ago) hold the scale-down at 10.
  assert.equal(normalizeWithBehavior(hist([[8, MIN], [10, 299_000]]), behavior, args), 10);
  // Only 12 at exactly -300 s: not strictly after the cutoff, so desired 3 goes through (100% per 15 s allows it).
  assert.equal(normalizeWithBehavior(hist([[12, 300_000]]), behavior, args), 3);
  // A scale-up window of 60 s keeps the lowest recent recommendation: 6 -> 6 instead of 9.
  const upWindow = resolveBehavior({ scaleUp: { stabilizationWindowSeconds: 60 } });
  assert.equal(normalizeWithBehavior(hist([[6, 30_000]]), upWindow, { ...args, current: 4, desired: 9 }), 6);
});

test('H: scale events: 4 pods or 100% per 15 s, and outdated slots are reused (storeScaleEvent)', () => {
  const behavior = resolveBehavior({});
  const h = newHistory();
  // 2 -> wants 40: limit max(2 + 4, 2 x 2) = 6.
  const first = normalizeWithBehavior(h, behavior, { nowMs: NOW, current: 2, desired: 40, minReplicas: 1, maxReplicas: 50 });
  assert.equal(first, 6);
  recordScaleEvent(h, behavior, 2, first, NOW);
  // 5 s later the period still started at 2: nothing more.
  assert.equal(normalizeWithBehavior(h, behavior, { nowMs: NOW + 5000, current: 6, desired: 40, minReplicas: 1, maxReplicas: 50 }), 6);
  // 15 s later the event is exactly one period old, no longer strictly inside it: max(6 + 4, 12) = 12.
  assert.equal(normalizeWithBehavior(h, behavior, { nowMs: NOW + 15_000, current: 6, desired: 40, minReplicas: 1, maxReplicas: 50 }), 12);
  recordScaleEvent(h, behavior, 6, 12, NOW + 16_000); // the first event is outdated (older than 15 s): its slot is reused
  assert.deepEqual(h.scaleUpEvents, [{ change: 6, atMs: NOW + 16_000, outdated: false }]);
});

// ---- The controller: several metrics -----------------------------------------------------------

function fakePod(i: number): Pod {
  return { uid: i, name: `p${i}`, namespace: 'default', key: `default/p${i}`, phase: 'Running', ready: true, startedMs: 0, readyMs: 0, readyTransitionMs: 0, deletionMs: -1, removedMs: -1, spec: { containers: [{ name: 'app', requests: { cpu: 1000 }, limits: {} }], initContainers: [] } } as unknown as Pod;
}

function controllerRun(metrics: HpaObject['spec']['metrics'], source: Partial<MetricsSource>, current = 4): number {
  const sim = new Simulation();
  let replicas = current;
  const podList = Array.from({ length: current }, (_, i) => fakePod(i));
  const hpas = new Store<HpaObject>('HorizontalPodAutoscaler', objectRef);
  const hpa = new HorizontalController(sim, {
    target: () => ({ get replicas() { return replicas; }, scale: (n) => { replicas = n; } }),
    pods: () => podList,
    metrics: { windowMs: 30_000, podResource: () => null, podDemand: () => null, totalDemand: () => null, ...source },
  }, hpas, 600_000);
  hpas.add({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: { name: 'h', namespace: 'default', labels: {}, annotations: {} }, source: { file: '', line: 0 },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 20, metrics, behavior: null } });
  sim.runUntil(600_000); // so that pods are past their CPU initialization period
  hpa.start();
  sim.runUntil(600_000);
  return replicas;
}

test('controller: several metrics take the maximum; a failed metric blocks a scale-down, not a scale-up (§1.5)', () => {
  const cpu50 = { type: 'Resource' as const, resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization: 50 } } };
  const rps = { type: 'External' as const, external: { metric: { name: 'rps' }, target: { type: 'AverageValue' as const, averageValueMilli: 10_000 } } };
  // CPU 250m of 1000m = 25% -> 0.5 x 4 = 2; External 70 rps / 10 per pod -> 7: max 7 (legacy cap 8).
  assert.equal(controllerRun([cpu50, rps], { podResource: () => 250, totalDemand: () => 70 }), 7);
  // External unavailable: CPU alone would scale down to 2 -> nothing happens.
  assert.equal(controllerRun([cpu50, rps], { podResource: () => 250 }), 4);
  // CPU at 150% -> 3 x 4 = 12, capped by the legacy rule at max(2 x 4, 4) = 8, even with External failing.
  assert.equal(controllerRun([cpu50, rps], { podResource: () => 1500 }), 8);
  // Every metric failing: no change.
  assert.equal(controllerRun([cpu50], {}), 4);
});
