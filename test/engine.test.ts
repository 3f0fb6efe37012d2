// The engine: events run in (time, phase, insertion) order, cancellation, determinism, and the
// typed-array heap against a reference sort (property tests with fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventQueue } from '../src/engine/eventQueue.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';

test('equal times run by phase, then by insertion order', () => {
  const sim = new Simulation();
  const order: string[] = [];
  sim.schedule(10, 5, () => order.push('t10 p5 first'));
  sim.schedule(10, 1, () => order.push('t10 p1'));
  sim.schedule(5, 9, () => order.push('t5 p9'));
  sim.schedule(10, 5, () => order.push('t10 p5 second'));
  sim.runUntil(100);
  assert.deepEqual(order, ['t5 p9', 't10 p1', 't10 p5 first', 't10 p5 second']);
  assert.equal(sim.nowMs, 100);
  assert.equal(sim.eventsProcessed, 4);
});

test('an event may schedule another at the same instant; it runs in the same runUntil', () => {
  const sim = new Simulation();
  const seen: number[] = [];
  sim.schedule(0, 3, () => {
    seen.push(sim.nowMs);
    sim.schedule(sim.nowMs, 3, () => seen.push(-1));
  });
  sim.runUntil(0);
  assert.deepEqual(seen, [0, -1]);
});

test('cancelled events do not run, and a stale handle cannot cancel a reused slot', () => {
  const sim = new Simulation();
  const ran: string[] = [];
  const a = sim.schedule(1, 0, () => ran.push('a'));
  sim.cancel(a);
  sim.runUntil(1);
  const b = sim.schedule(2, 0, () => ran.push('b')); // reuses a's slot
  sim.cancel(a); // stale: must not cancel b
  sim.runUntil(2);
  assert.deepEqual(ran, ['b']);
  assert.notEqual(a, b);
});

test('scheduling in the past or at a fractional millisecond is refused', () => {
  const sim = new Simulation();
  sim.runUntil(50);
  assert.throws(() => sim.schedule(49, 0, () => {}), /cannot schedule at 49 ms/);
  assert.throws(() => sim.schedule(60.5, 0, () => {}), /integer milliseconds/);
});

test('property: the heap pops in (time, phase, insertion) order for any input', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 })), { maxLength: 300 }), (events) => {
      const q = new EventQueue(2);
      events.forEach(([t, p], i) => q.push(t, p, i));
      const expected = events.map(([t, p], i) => ({ t, p, i })).sort((x, y) => x.t - y.t || x.p - y.p || x.i - y.i).map((e) => e.i);
      const popped: number[] = [];
      while (q.size > 0) popped.push(q.pop());
      assert.deepEqual(popped, expected);
    }),
  );
});

test('property: interleaved push/pop keeps the order (the heap never loses or reorders events)', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(-1)), { maxLength: 400 }), (ops) => {
      const q = new EventQueue(1);
      const reference: { t: number; i: number }[] = [];
      ops.forEach((op, i) => {
        if (op >= 0) {
          q.push(op, 0, i);
          reference.push({ t: op, i });
        } else if (reference.length > 0) {
          reference.sort((a, b) => a.t - b.t || a.i - b.i);
          const want = reference.shift()!;
          assert.equal(q.pop(), want.i);
        }
      });
      assert.equal(q.size, reference.length);
    }),
  );
});

test('property: the same schedule gives the same trace (determinism)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 })), { maxLength: 100 }), (plan) => {
      const trace = () => {
        const sim = new Simulation();
        const out: string[] = [];
        plan.forEach(([t, p], i) => sim.schedule(t, p, () => out.push(`${sim.nowMs}:${p}:${i}`)));
        sim.runUntil(Infinity);
        return out.join(',');
      };
      assert.equal(trace(), trace());
    }),
  );
});

test('named random streams are reproducible and independent of each other', () => {
  const a = new RandomStreams(42);
  const b = new RandomStreams(42);
  const xs = Array.from({ length: 5 }, () => a.stream('scheduler').next());
  b.stream('noise').next(); // drawing from another stream must not shift this one
  const ys = Array.from({ length: 5 }, () => b.stream('scheduler').next());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => new RandomStreams(43).stream('scheduler').next()));
  // 53-bit draws: 10^5 draws without a single collision
  const seen = new Set<number>();
  const s = new RandomStreams(1).stream('collisions');
  for (let i = 0; i < 100_000; i++) seen.add(s.next());
  assert.equal(seen.size, 100_000);
});
