// The VPA recommender's estimation per container (reference/k8s-algorithms.md §2.2, §2.4, §2.5),
// against hand-computed numbers and upstream's tests (vertical-pod-autoscaler/pkg/recommender/
// logic/{estimator_test.go, recommender_test.go}, model/aggregate_container_state_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerState } from '../src/controllers/vpa/containerState.ts';
import { CPU_BUCKETS, DecayingHistogram, Histogram, MEMORY_BUCKETS } from '../src/controllers/vpa/histogram.ts';
import { ContainerAggregate, applyPolicy, estimate, scaleResource, withConfidence, withMargin } from '../src/controllers/vpa/recommender.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MI = 1024 * 1024;

/** One container sampled every minute from t = 0 to t = `hours` inclusive. */
function steady(hours: number, cpuMilli: number, memoryBytes: number): ContainerAggregate {
  const agg = new ContainerAggregate();
  const container = new ContainerState(agg);
  for (let t = 0; t <= hours * HOUR; t += MIN) {
    agg.addCpuSample(cpuMilli, t);
    container.addMemorySample(memoryBytes, t);
  }
  return agg;
}

// 100m: bucket floor(log(0.1×5 + 1)/log 1.05) = 8, whose end is 0.2 × (1.05^9 − 1) = 0.11027 core
// → 110m; +15 % margin truncated: 110 + trunc(16.5) = 126m.
// 500Mi = 524288000 B: bucket floor(log(524288000×0.05/1e7 + 1)/log 1.05) = 26, whose end is
// 2e8 × (1.05^27 − 1) ≈ 546691260 B; + trunc(15 %) ≈ 628694949 B (≈ 599.6Mi).
const MEM_END = Math.trunc(2e8 * (1.05 ** 27 - 1));
const MEM_TARGET = MEM_END + Math.trunc(MEM_END * 0.15);

test('target: p90 + 15 % margin with int truncation', () => {
  const rec = estimate(steady(24, 100, 500 * MI), 1);
  assert.equal(rec.target.cpuMilli, 126);
  assert.ok(Math.abs(MEM_END - 546_691_260) < 10);
  assert.equal(rec.target.memoryBytes, MEM_TARGET);
});

test('bounds scale with history: upper ×3 at 12 h and ×2 at 24 h, lower ×(1 + 0.001/conf)^-2', () => {
  // 721 samples over 12 h: confidence = min(0.5 day, 721/1440) = 0.5 → upper × (1 + 1/0.5) = 3.
  const half = steady(12, 100, 500 * MI);
  assert.equal(half.confidence(), 0.5);
  const r12 = estimate(half, 1);
  assert.equal(r12.upper.cpuMilli, 378); // 126 × 3
  assert.equal(r12.upper.memoryBytes, MEM_TARGET * 3);
  assert.equal(r12.lower.cpuMilli, 125); // trunc(126 / 1.002²) = trunc(125.497)
  // 1441 samples over 24 h: confidence = min(1, 1441/1440) = 1 → upper × 2.
  const day = steady(24, 100, 500 * MI);
  assert.equal(day.confidence(), 1);
  const r24 = estimate(day, 1);
  assert.equal(r24.upper.cpuMilli, 252);
  assert.equal(r24.upper.memoryBytes, MEM_TARGET * 2);
  assert.equal(r24.lower.cpuMilli, 125); // trunc(126 / 1.001²) = trunc(125.748)
  // Few samples limit the confidence too: 60 samples an hour apart span 59 h but count 60/1440.
  const sparse = new ContainerAggregate();
  for (let i = 0; i < 60; i++) sparse.addCpuSample(100, i * HOUR);
  assert.equal(sparse.confidence(), 60 / 1440);
  assert.equal(estimate(sparse, 1).upper.cpuMilli, 126 * 25); // 1 + 1440/60 = 25
});

test('confidence counts the samples of every pod: 3 pods a minute for 12 h is still 0.5 (the span binds), 1 pod every 5 min is 0.1', () => {
  // getConfidence = min(span in days, samples / 1440): pods add samples, not span.
  const pods = new ContainerAggregate();
  pods.addCpuSamples(100, 3, 0, MIN, 721);
  assert.equal(pods.totalSamples, 2163);
  assert.equal(pods.confidence(), 0.5);
  // One sample per 5 minutes (a workload's mean, as capsim fed before): 145 / 1440 ≈ 0.1, so the
  // upper bound is ×(1 + 1/0.1) ≈ 11 instead of ×3.
  const sparse = new ContainerAggregate();
  sparse.addCpuSamples(100, 1, 0, 5 * MIN, 145);
  assert.equal(sparse.confidence(), 145 / 1440);
  assert.equal(estimate(sparse, 1).upper.cpuMilli, Math.trunc(126 * (1 + 1440 / 145)));
});

test('no history span: the upper bound is capped at 1e14, the lower bound is the minimum', () => {
  const agg = new ContainerAggregate();
  agg.addCpuSample(100, 0);
  agg.addMemoryPeak(500 * MI, DAY);
  const rec = estimate(agg, 1);
  assert.equal(rec.upper.cpuMilli, 1e14);
  assert.equal(rec.lower.cpuMilli, 25);
  assert.equal(rec.lower.memoryBytes, 250 * MI);
});

test('minimums: 25m and 250Mi per pod, split evenly over its containers (truncated)', () => {
  // 5m lands in bucket 0, whose end is 10m; + trunc(1.5) = 11m < 25m / 2 = trunc(12.5) = 12m.
  // 50Mi is below 250Mi / 2 = 125Mi = 131072000 B.
  const rec = estimate(steady(24, 5, 50 * MI), 2);
  assert.equal(rec.target.cpuMilli, 12);
  assert.equal(rec.target.memoryBytes, 125 * MI);
  assert.equal(estimate(steady(24, 5, 50 * MI), 1).target.cpuMilli, 25);
});

test('policy: minAllowed / maxAllowed cap target and bounds; uncontrolled resources are null', () => {
  const rec = estimate(steady(24, 100, 500 * MI), 1);
  const capped = applyPolicy(rec, { minAllowed: { cpu: 200 }, maxAllowed: { memory: 512 * MI } });
  assert.deepEqual(capped.target, { cpuMilli: 200, memoryBytes: 512 * MI });
  assert.equal(capped.upper.cpuMilli, 252);
  assert.equal(capped.lower.cpuMilli, 200);
  assert.equal(capped.uncappedTarget.cpuMilli, 126);
  const cpuOnly = applyPolicy(rec, { controlledResources: ['cpu'] });
  assert.equal(cpuOnly.target.memoryBytes, null);
  assert.equal(cpuOnly.target.cpuMilli, 126);
});

// ---- upstream: logic/estimator_test.go ------------------------------------------------------

test('estimator_test.go TestPercentileEstimator: p20 of CPU {1, 2, 3} ≈ 1 core, p50 of memory {1e9, 2e9, 3e9} ≈ 2e9 (5 %)', () => {
  const cpu = new Histogram(CPU_BUCKETS);
  const memory = new Histogram(MEMORY_BUCKETS);
  for (const v of [1, 2, 3]) cpu.addSample(v, 1);
  for (const v of [1e9, 2e9, 3e9]) memory.addSample(v, 1);
  assert.ok(Math.abs(cpu.percentile(0.2) - 1) <= 0.05);
  assert.ok(Math.abs(memory.percentile(0.5) - 2e9) <= 0.05 * 2e9);
});

test('estimator_test.go TestConfidenceMultiplier: none → 1e14 or 0; 9 samples 2 min apart → 0.00625, 3.14 × (1 + 0.1/0.00625)² = 907.46', () => {
  const empty = new ContainerAggregate();
  assert.equal(withConfidence(3140, 1, 1, empty.confidence()), 1e14); // CPU in millicores
  assert.equal(withConfidence(3140, 1, -1, empty.confidence()), 0);
  const s = new ContainerAggregate();
  for (let i = 0; i < 9; i++) s.addCpuSample(1000, i * 2 * MIN);
  assert.equal(s.confidence(), 0.00625);
  assert.equal(withConfidence(3140, 0.1, 2, s.confidence()), 907_460); // 907.46 cores
  assert.equal(withConfidence(3.14e9, 0.1, 2, s.confidence()), 9.0746e11);
});

test('estimator_test.go TestConfidenceMultiplierWithCustomInterval: 9 samples over an 18-minute interval → 0.5, 3.14 × 1.2² = 4.521 cores', () => {
  const s = new ContainerAggregate();
  for (let i = 0; i < 9; i++) s.addCpuSample(1000, i * 2 * MIN);
  assert.equal(s.confidence(18 * MIN), 0.5);
  assert.equal(withConfidence(3140, 0.1, 2, s.confidence(18 * MIN)), 4521);
  assert.equal(withConfidence(3.14e9, 0.1, 2, s.confidence(18 * MIN)), 4.5216e9);
});

test('estimator_test.go TestConfidenceMultiplierNoHistory: multiplier 0.1, exponent 2, no samples → 1e14', () => {
  assert.equal(withConfidence(3140, 0.1, 2, new ContainerAggregate().confidence()), 1e14);
});

test('estimator_test.go TestMarginEstimator: 10 % on 3.14 cores and 3.14e9 bytes → 3.454 and 3.454e9', () => {
  assert.equal(withMargin(3140, 0.1), 3454);
  assert.equal(withMargin(3.14e9, 0.1), 3.454e9);
});

// ---- upstream: logic/recommender_test.go ----------------------------------------------------

test('recommender_test.go TestMinResourcesApplied / TestMinResourcesSplitAcrossContainers: 25m and 250Mi, halved over 2 containers', () => {
  // Estimates of 1m and ~1MB are below both minimums.
  const tiny = () => {
    const agg = new ContainerAggregate();
    agg.addCpuSample(1, 0);
    agg.addMemoryPeak(1e6, DAY);
    return agg;
  };
  const one = estimate(tiny(), 1);
  assert.deepEqual(one.target, { cpuMilli: 25, memoryBytes: 250 * MI });
  const two = estimate(tiny(), 2);
  assert.deepEqual(two.target, { cpuMilli: 12, memoryBytes: 125 * MI }); // ScaleResource(25m, 0.5) truncates
});

test('recommender_test.go TestControlledResourcesFiltered / TestControlledResourcesFilteredDefault', () => {
  const rec = estimate(steady(24, 100, 500 * MI), 1);
  for (const bounds of ['target', 'lower', 'upper'] as const) {
    assert.equal(applyPolicy(rec, { controlledResources: ['memory'] })[bounds].cpuMilli, null);
    assert.notEqual(applyPolicy(rec, { controlledResources: ['memory'] })[bounds].memoryBytes, null);
    assert.notEqual(applyPolicy(rec, { controlledResources: ['memory', 'cpu'] })[bounds].cpuMilli, null);
    assert.notEqual(applyPolicy(rec, {})[bounds].memoryBytes, null);
  }
});

// ---- upstream: model/aggregate_container_state_test.go --------------------------------------

test('aggregate_container_state_test.go TestAggregateStateByContainerName: app-A of two pods is one aggregate of both pods\' samples and peaks', () => {
  // pod-1 and pod-2 both run app-A: CPU 1 and 3 cores, memory 2e9 and 4e9, one sample each.
  const t = Date.UTC(2017, 3, 18, 17, 35, 5);
  const appA = new ContainerAggregate();
  const pod1 = new ContainerState(appA);
  const pod2 = new ContainerState(appA);
  appA.addCpuSample(1000, t);
  appA.addCpuSample(3000, t);
  pod1.addMemorySample(2e9, t);
  pod2.addMemorySample(4e9, t);
  assert.equal(appA.totalSamples, 2);
  const cpu = new DecayingHistogram(CPU_BUCKETS);
  cpu.addSample(1, 0.1, t);
  cpu.addSample(3, 0.1, t);
  const memory = new DecayingHistogram(MEMORY_BUCKETS);
  memory.addSample(2e9, 1, pod1.windowEndMs);
  memory.addSample(4e9, 1, pod2.windowEndMs);
  assert.deepEqual([...appA.cpuCores.histogram.weights], [...cpu.histogram.weights]);
  assert.deepEqual([...appA.memoryPeaks.histogram.weights], [...memory.histogram.weights]);
});

test('scaleResource truncates like ScaleResource: 1Gi × 1.2 = 1288490188', () => {
  assert.equal(scaleResource(1024 * MI, 1.2), 1288490188);
});
