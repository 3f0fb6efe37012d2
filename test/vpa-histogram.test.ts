// The VPA's decaying histogram against hand-computed buckets and percentiles
// (reference/k8s-algorithms.md §2.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU_BUCKETS, DecayingHistogram, Histogram, MEMORY_BUCKETS } from '../src/controllers/vpa/histogram.ts';

const DAY = 24 * 3_600_000;
const close = (actual: number, expected: number, tolerance = 1e-9) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);

test('bucket layout: 176 buckets for CPU (0.01 core .. 1000 cores) and memory (1e7 .. 1e12 bytes)', () => {
  // ceil(log(1000 × 0.05 / 0.01 + 1) / log 1.05) + 1 = ceil(174.57) + 1 = 176
  assert.equal(CPU_BUCKETS.numBuckets, 176);
  assert.equal(MEMORY_BUCKETS.numBuckets, 176);
  assert.equal(CPU_BUCKETS.bucketStart(0), 0);
  close(CPU_BUCKETS.bucketStart(1), 0.01);
  close(CPU_BUCKETS.bucketStart(2), 0.0205); // 0.01 × (1.05² − 1) / 0.05
  // 0.015: floor(log(1.075)/log(1.05)) = floor(1.48) = 1; below the first bucket size → 0.
  assert.equal(CPU_BUCKETS.findBucket(0.015), 1);
  assert.equal(CPU_BUCKETS.findBucket(0.005), 0);
  assert.equal(CPU_BUCKETS.findBucket(1e6), 175);
  // 0.5 core: floor(log(3.5)/log(1.05)) = floor(25.68) = 25; 1 core: floor(log(6)/log(1.05)) = 36.
  assert.equal(CPU_BUCKETS.findBucket(0.5), 25);
  assert.equal(CPU_BUCKETS.findBucket(1), 36);
});

test('percentile: the end of the bucket where the cumulative weight reaches p × total', () => {
  const h = new Histogram(CPU_BUCKETS);
  assert.equal(h.percentile(0.5), 0, 'an empty histogram');
  h.addSample(0.5, 1);
  h.addSample(1, 1);
  // End of bucket 25 = start of 26 = 0.2 × (1.05^26 − 1) ≈ 0.5111; of bucket 36 ≈ 1.0163.
  close(h.percentile(0.5), 0.2 * (1.05 ** 26 - 1));
  close(h.percentile(0.5), 0.51114, 1e-5);
  close(h.percentile(0.51), 0.2 * (1.05 ** 37 - 1));
  close(h.percentile(0.9), 1.01628, 1e-5);
  // The last bucket returns its own start.
  const top = new Histogram(CPU_BUCKETS);
  top.addSample(5000, 1);
  close(top.percentile(0.5), CPU_BUCKETS.bucketStart(175));
});

test('subtraction clamps at epsilon: a histogram emptied by subtraction is empty', () => {
  const h = new Histogram(MEMORY_BUCKETS);
  h.addSample(5e8, 1);
  h.addSample(1e9, 1);
  h.subtractSample(1e9, 1 - 5e-5); // leaves 5e-5 < epsilon 1e-4 → 0
  assert.equal(h.weights[MEMORY_BUCKETS.findBucket(1e9)], 0);
  close(h.percentile(0.99), MEMORY_BUCKETS.bucketStart(MEMORY_BUCKETS.findBucket(5e8) + 1));
  h.subtractSample(5e8, 1);
  assert.ok(h.isEmpty());
  assert.equal(h.totalWeight, 0);
  assert.equal(h.percentile(0.5), 0);
});

test('decay: a sample 24 h newer weighs twice as much (half-life 24 h)', () => {
  const h = new DecayingHistogram(CPU_BUCKETS);
  h.addSample(0.5, 1, 0);
  h.addSample(1, 1, DAY);
  // Weights 1 and 2: p50 threshold 1.5 is passed only in the 1-core bucket; p33 stays at 0.5.
  close(h.percentile(0.5), 0.2 * (1.05 ** 37 - 1));
  close(h.percentile(0.33), 0.2 * (1.05 ** 26 - 1));
  close(h.histogram.totalWeight, 3);
});

test('decay: the reference moves after 100 half-lives; weights rescale, percentiles do not change', () => {
  const h = new DecayingHistogram(CPU_BUCKETS);
  h.addSample(0.5, 1, 0);
  h.addSample(0.5, 1, 101 * DAY); // 2^101 relative to the first: the reference moves to day 101
  assert.equal(h.referenceMs, 101 * DAY);
  close(h.histogram.totalWeight, 1 + 2 ** -101);
  h.addSample(1, 1, 102 * DAY); // weight 2
  close(h.histogram.totalWeight, 3 + 2 ** -101);
  close(h.percentile(0.5), 0.2 * (1.05 ** 37 - 1));
  close(h.percentile(0.33), 0.2 * (1.05 ** 26 - 1));
});

test('histogram.go AddSample only adds weight: n samples of weight w are one sample of weight n × w', () => {
  // So `count` identical pods are one update of count × 0.1 (the feeder's per-group samples).
  const one = new Histogram(CPU_BUCKETS);
  const many = new Histogram(CPU_BUCKETS);
  one.addSample(0.3, 7 * 0.1);
  for (let i = 0; i < 7; i++) many.addSample(0.3, 0.1);
  close(one.totalWeight, many.totalWeight, 1e-15);
  for (let b = 0; b < one.weights.length; b++) close(one.weights[b], many.weights[b], 1e-15);
  assert.equal(one.minBucket, many.minBucket);
  assert.equal(one.maxBucket, many.maxBucket);
  // Below epsilon (1e-4) either way, the bucket stays empty in both.
  const tiny = new Histogram(CPU_BUCKETS);
  tiny.addSample(0.3, 3 * 2e-5);
  assert.equal(tiny.isEmpty(), true);
});

test('decaying addSamples: a run of samples a minute apart is their geometric sum, across a reference move too', () => {
  const MIN = 60_000;
  for (const from of [0, 99 * DAY + 23 * 3_600_000]) {
    // 1441 samples (a day of minutes) of 4 pods, one update vs one by one; the second run passes
    // 100 half-lives, where the reference moves.
    const batch = new DecayingHistogram(CPU_BUCKETS);
    const single = new DecayingHistogram(CPU_BUCKETS);
    batch.addSample(0.02, 1, from - DAY);
    single.addSample(0.02, 1, from - DAY);
    batch.addSamples(0.3, 4 * 0.1, from, MIN, 1441);
    for (let i = 0; i < 1441; i++) single.addSample(0.3, 4 * 0.1, from + i * MIN);
    assert.equal(batch.referenceMs, single.referenceMs);
    const scale = single.histogram.totalWeight;
    close(batch.histogram.totalWeight, scale, 1e-12 * scale);
    for (let b = 0; b < 176; b++) close(batch.histogram.weights[b], single.histogram.weights[b], 1e-12 * scale);
    for (const p of [0.5, 0.9, 0.95]) assert.equal(batch.percentile(p), single.percentile(p));
  }
});
