// The VPA recommender's estimation per container (reference/k8s-algorithms.md §2.2, §2.4, §2.5),
// against hand-computed numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerAggregate, applyPolicy, estimate, scaleResource } from '../src/controllers/vpa/recommender.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const MI = 1024 * 1024;

/** One CPU and one memory sample per minute from t = 0 to t = `hours` inclusive. */
function steady(hours: number, cpuMilli: number, memoryBytes: number): ContainerAggregate {
  const agg = new ContainerAggregate();
  for (let t = 0; t <= hours * HOUR; t += MIN) {
    agg.addCpuSample(cpuMilli, t);
    agg.addMemorySample(memoryBytes, t);
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

test('no history span: the upper bound is capped at 1e14, the lower bound is the minimum', () => {
  const agg = new ContainerAggregate();
  agg.addCpuSample(100, 0);
  agg.addMemorySample(500 * MI, 0);
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

test('memory: one peak per 24 h window, a larger sample replacing the window peak', () => {
  const agg = new ContainerAggregate();
  agg.addCpuSample(100, 0);
  agg.addMemorySample(300 * MI, 0); // window [0, 24h): peak 300Mi
  agg.addMemorySample(500 * MI, HOUR); // replaces it
  agg.addMemorySample(400 * MI, 2 * HOUR); // smaller: ignored
  assert.equal(agg.maxMemoryPeak(), 500 * MI);
  assert.ok(Math.abs(agg.memoryPeaks.histogram.totalWeight - 2) < 1e-12, 'one peak at weight 1 × 2^(24h/24h)');
  assert.equal(estimate(agg, 1).target.memoryBytes, MEM_TARGET);
  agg.addMemorySample(100 * MI, 25 * HOUR); // next window: a new peak starts
  assert.equal(agg.maxMemoryPeak(), 100 * MI);
  assert.equal(agg.addMemorySample(100 * MI, 24 * HOUR), false, 'out of order');
});

test('OOM bump: max(+100Mi, ×1.2) of max(request, window peak), fed as the window peak', () => {
  const agg = new ContainerAggregate();
  agg.addCpuSample(100, 0);
  agg.addMemorySample(300 * MI, 0);
  // request 400Mi > peak 300Mi: max(400Mi + 100Mi, 480Mi) = 500Mi, replacing the 300Mi peak.
  assert.ok(agg.recordOom(10 * MIN, 400 * MI));
  assert.equal(agg.maxMemoryPeak(), 500 * MI);
  assert.equal(estimate(agg, 1).target.memoryBytes, MEM_TARGET);
  // peak 1Gi > request: max(1Gi + 100Mi, trunc(1.2 × 1Gi)) = 1288490188 B.
  const big = new ContainerAggregate();
  big.addMemorySample(1024 * MI, 0);
  big.recordOom(MIN, 400 * MI);
  assert.equal(big.maxMemoryPeak(), 1288490188);
  assert.equal(scaleResource(1024 * MI, 1.2), 1288490188);
  // An OOM older than one window before the window end is discarded.
  big.addMemorySample(1024 * MI, 50 * HOUR);
  assert.equal(big.recordOom(HOUR, 400 * MI), false);
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
