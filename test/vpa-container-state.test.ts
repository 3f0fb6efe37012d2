// One pod's container in the VPA recommender (containerState.ts), against upstream's tests
// (vertical-pod-autoscaler/pkg/recommender/model/container_test.go): the memory peak per 24 h
// window and RecordOOM, with a mock aggregator that records the peaks added and subtracted, as
// upstream's MockHistogram expectations do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerState } from '../src/controllers/vpa/containerState.ts';
import type { MemoryPeakAggregator } from '../src/controllers/vpa/containerState.ts';

const MB = 1024 * 1024;
const HOUR = 3_600_000;
const INTERVAL = 24 * HOUR;
/** testTimestamp: 2017-04-18 17:35:05. */
const T = Date.UTC(2017, 3, 18, 17, 35, 5);

function container() {
  const calls: string[] = [];
  const aggregator: MemoryPeakAggregator = {
    addMemoryPeak: (bytes, windowEndMs) => calls.push(`add ${bytes / MB}Mi @${(windowEndMs - T) / HOUR}h`),
    subtractMemoryPeak: (bytes, windowEndMs) => calls.push(`subtract ${bytes / MB}Mi @${(windowEndMs - T) / HOUR}h`),
  };
  return { c: new ContainerState(aggregator), calls };
}

test('container_test.go TestAggregateContainerUsageSamples (memory): peaks 5 then 10 in one window, 2 in the next; out-of-order and negative dropped', () => {
  const { c, calls } = container();
  const step = INTERVAL / 2;
  assert.equal(c.addMemorySample(5 * MB, T), true);
  assert.equal(c.addMemorySample(10 * MB, T + step), true);
  assert.equal(c.addMemorySample(2 * MB, T + 2 * step), true);
  assert.equal(c.addMemorySample(2 * MB, T + step), false, 'out of order');
  assert.equal(c.addMemorySample(-1000, T + 4 * step), false, 'negative');
  assert.deepEqual(calls, ['add 5Mi @24h', 'subtract 5Mi @24h', 'add 10Mi @24h', 'add 2Mi @48h']);
});

test('container_test.go TestRecordOOMIncreasedByBumpUp: request 1000Mi → 1200Mi (×1.2)', () => {
  const { c, calls } = container();
  assert.equal(c.recordOom(T, 1000 * MB), true);
  assert.deepEqual(calls, ['add 1200Mi @24h']);
});

test('container_test.go TestRecordOOMDontRunAway: repeated OOMs do not compound; a larger request still raises the peak', () => {
  const { c, calls } = container();
  assert.equal(c.recordOom(T, 1000 * MB), true);
  // New smaller OOMs don't influence the sample value (oomPeak): max(999Mi + 100Mi, 1198.8Mi) < 1200Mi.
  assert.equal(c.recordOom(T, 999 * MB), true);
  assert.equal(c.recordOom(T, 999 * MB), true);
  assert.deepEqual(calls, ['add 1200Mi @24h']);
  // A larger OOM should increase the sample value.
  assert.equal(c.recordOom(T, 2000 * MB), true);
  assert.deepEqual(calls, ['add 1200Mi @24h', 'subtract 1200Mi @24h', 'add 2400Mi @24h']);
});

test('three OOM kills of one container at one request keep the peak at the first bump (capsim used to multiply by 1.2 each time)', () => {
  const { c, calls } = container();
  c.addMemorySample(900 * MB, T);
  for (let i = 1; i <= 3; i++) c.recordOom(T + i * HOUR, 1000 * MB);
  assert.equal(c.maxMemoryPeak(), 1200 * MB);
  assert.deepEqual(calls, ['add 900Mi @24h', 'subtract 900Mi @24h', 'add 1200Mi @24h']);
});

test('container_test.go TestRecordOOMIncreasedByMin: request 1Mi → 101Mi (+100Mi)', () => {
  const { c, calls } = container();
  assert.equal(c.recordOom(T, 1 * MB), true);
  assert.deepEqual(calls, ['add 101Mi @24h']);
});

test('container_test.go TestRecordOOMMaxedWithKnownSample: a 3000Mi sample over a 1000Mi request → 3600Mi', () => {
  const { c, calls } = container();
  assert.equal(c.addMemorySample(3000 * MB, T), true);
  assert.equal(c.recordOom(T, 1000 * MB), true);
  assert.deepEqual(calls, ['add 3000Mi @24h', 'subtract 3000Mi @24h', 'add 3600Mi @24h']);
});

test('container_test.go TestRecordOOMDiscardsOldSample: an OOM 30 h before the last sample is stale', () => {
  const { c, calls } = container();
  assert.equal(c.addMemorySample(1000 * MB, T), true);
  assert.equal(c.recordOom(T - 30 * HOUR, 1000 * MB), false);
  assert.deepEqual(calls, ['add 1000Mi @24h']);
});

test('container_test.go TestRecordOOMInNewWindow: an OOM two windows later opens its own window (2400Mi at +72h)', () => {
  const { c, calls } = container();
  assert.equal(c.addMemorySample(2000 * MB, T), true);
  assert.equal(c.recordOom(T + 2 * INTERVAL, 1000 * MB), true);
  // used = max(1000Mi request, 2000Mi usage peak): RecordOOM reads the peak before the OOM sample
  // shifts the window, so 2000Mi × 1.2 = 2400Mi lands in the new window.
  assert.deepEqual(calls, ['add 2000Mi @24h', 'add 2400Mi @72h']);
});

test('container_test.go TestRecordOOMFreshOOMNearWindowBoundaryIsNotDiscarded (#8548): an OOM 1 s before the boundary sample is kept', () => {
  const { c, calls } = container();
  assert.equal(c.addMemorySample(100 * MB, T), true);
  // A second sample exactly on the boundary moves WindowEnd to T + 2 intervals.
  assert.equal(c.addMemorySample(2000 * MB, T + INTERVAL), true);
  // Fresh (1 s before the latest sample), though more than an interval before WindowEnd.
  assert.equal(c.recordOom(T + INTERVAL - 1000, 1000 * MB), true);
  assert.deepEqual(calls, ['add 100Mi @24h', 'add 2000Mi @48h', 'subtract 2000Mi @48h', 'add 2400Mi @48h']);
});
