// Charge periods (src/cost/chargePeriod.ts): every node over every UTC clock hour, with what it
// cost at list, contracted and effective prices and what each workload on it was charged. They
// are what carbon and FOCUS read, so their sums must be the run's own cost figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runWithWorld, type RunOutput } from './support/run.ts';
import type { World } from '../src/world.ts';
import { Phase } from '../src/phases.ts';
import { nodeRates } from '../src/cost/allocation.ts';
import { nextPeriodBoundaryMs, type NodeCharge } from '../src/cost/chargePeriod.ts';

const M = 60_000;
const H = 60 * M;

/** Runs `yaml` as run.ts does, keeping a copy of every charge period; `during` scripts what no
 *  scenario event does (a price change) before the clock starts. */
async function runCharged(yaml: string, during: (world: World) => void = () => {}): Promise<RunOutput & { charges: NodeCharge[] }> {
  const charges: NodeCharge[] = [];
  const run = await runWithWorld(yaml, (world) => {
    world.accounting.allocation.addListener({ nodeCharge: (c) => charges.push({ ...c, workloads: c.workloads.map((w) => ({ ...w })) }) });
    during(world);
  });
  return { ...run, charges };
}

const total = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const near = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} (±${tolerance})`);

test('the next clock hour after an instant of a run', () => {
  const start = Date.parse('2026-01-05T09:30:00Z');
  assert.equal(nextPeriodBoundaryMs(start, 0), 30 * M);
  assert.equal(nextPeriodBoundaryMs(start, 30 * M), 90 * M); // on a boundary: the next one
  assert.equal(nextPeriodBoundaryMs(Date.parse('2026-01-05T09:00:00Z'), 0), H);
});

test('a run starting at 09:30 is charged by clock hour: 09:00-10:00 (half of it), 10:00-11:00, 11:00-11:45', async () => {
  // One node at $0.60/h for 2 h 15 min from 09:30: $0.30 + $0.60 + $0.45 = $1.35. The pod
  // requests 1 of its 2 cores and 2 of its 8 GiB and uses nothing more.
  const run = await runCharged(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: clock-hours}
spec:
  start: "2026-01-05T09:30:00Z"
  duration: 2h15m
  sampleEvery: 5m
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "2", memory: 8Gi}, price: {onDemandPerHour: 0.6}, count: 1}
  workloads:
    - {name: api, replicas: 1, containers: [{name: c, resources: {requests: {cpu: "1", memory: 2Gi}}}]}
`);
  assert.deepEqual(run.charges.map((c) => [c.periodStartMs / M, c.periodEndMs / M, c.aliveMs / M]), [[-30, 30, 30], [30, 90, 60], [90, 150, 45]]);
  near(run.charges[0].effectiveUsd, 0.3);
  near(run.charges[1].effectiveUsd, 0.6);
  near(run.charges[2].effectiveUsd, 0.45);
  // Without a discount the three prices are one.
  for (const c of run.charges) assert.equal(c.listUsd, c.effectiveUsd), assert.equal(c.contractedUsd, c.effectiveUsd);
  assert.equal(run.summary.cost.totalUsd, 1.35);
  near(total(run.charges.map((c) => c.effectiveUsd)), run.summary.cost.totalUsd, 5e-7);
  near(total(run.charges.map((c) => c.allocatedUsd)), run.summary.cost.allocatedUsd, 5e-7);
  // The pod holds half the CPU and a quarter of the memory (at OpenCost's default weights) all along.
  const rates = nodeRates(0.6, 2000, 8 * 1024 ** 3);
  near(run.charges[1].workloads[0].usd, rates.usdPerCoreHour + 2 * rates.usdPerGbHour);
  assert.equal(run.charges[1].workloads[0].ref, 'Deployment/default/api');
  assert.equal(run.charges[1].cpuRequestedMilliMs, 1000 * H);
  // hourly.csv: the same three hours of pool p, the first from 09:00 (t = -1800 s).
  const hourly = run.csv('hourly.csv');
  assert.deepEqual(hourly.map((h) => [h.t, h.time, h.pool, h.node_hours, h.cost_usd]), [
    ['-1800', '2026-01-05T09:00:00.000Z', 'p', '0.5', '0.3'],
    ['1800', '2026-01-05T10:00:00.000Z', 'p', '1', '0.6'],
    ['5400', '2026-01-05T11:00:00.000Z', 'p', '0.75', '0.45'],
  ]);
  near(total(hourly.map((h) => Number(h.allocated_usd))), run.summary.cost.allocatedUsd, 2e-6);
  // A pool of an explicit capacity has no instance type: no carbon estimate, an empty cell, never 0.
  assert.deepEqual(hourly.map((h) => h.kgco2e), ['', '', '']);
});

test('a price that changes mid-hour: each price for the time it held, the hour allocated at its mean', async () => {
  // $1/h until 00:30, then list $3/h, contracted $2.70 (10 % negotiated), effective $2/h:
  //   hour 1: effective 0.5 + 1.0 = $1.50, list 0.5 + 1.5 = $2.00, contracted 0.5 + 1.35 = $1.85
  //   hour 2: effective $2.00, list $3.00, contracted $2.70.   Run: $3.50.
  const run = await runCharged(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: price-change}
spec:
  start: "2026-01-05T00:00:00Z"
  duration: 2h
  sampleEvery: 5m
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 1}, count: 1}
  workloads:
    - {name: api, replicas: 1, containers: [{name: c, resources: {requests: {cpu: "2", memory: 4Gi}}}]}
`, (world) => {
    world.sim.schedule(30 * M, Phase.Node, () => world.api.setNodePrice(world.api.nodes[0], { listUsdPerHour: 3, contractedUsdPerHour: 2.7, usdPerHour: 2 }));
  });
  const [h1, h2] = run.charges;
  near(h1.effectiveUsd, 1.5);
  near(h1.listUsd, 2);
  near(h1.contractedUsd, 1.85);
  near(h2.effectiveUsd, 2);
  near(h2.listUsd, 3);
  near(h2.contractedUsd, 2.7);
  assert.equal(run.summary.cost.totalUsd, 3.5);
  assert.equal(run.csv('nodes.csv')[0].cost_usd, '3.5');
  // The pod holds half the node: hour 1 at the mean $1.50/h, hour 2 at $2/h.
  const half = (price: number) => { const r = nodeRates(price, 4000, 16 * 1024 ** 3); return 2 * r.usdPerCoreHour + 4 * r.usdPerGbHour; };
  near(h1.workloads[0].usd, half(1.5));
  near(h2.workloads[0].usd, half(2));
  near(run.summary.cost.allocatedUsd, half(1.5) + half(2), 5e-7);
});

test('property: charge periods add up to the run\'s cost and allocation, whatever the prices and start', async () => {
  const change = fc.record({ atMinute: fc.integer({ min: 0, max: 179 }), node: fc.integer({ min: 0, max: 2 }), cents: fc.integer({ min: 0, max: 400 }) });
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 20, max: 180 }), fc.array(change, { maxLength: 5 }), fc.integer({ min: 1, max: 3 }), async (startMinute, minutes, changes, count) => {
      const run = await runCharged(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: charge-property}
spec:
  start: "2026-01-05T07:${String(startMinute).padStart(2, '0')}:00Z"
  duration: ${minutes}m
  sampleEvery: 5m
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.4}, count: ${count}}
  workloads:
    - {name: api, replicas: 3, containers: [{name: c, resources: {requests: {cpu: 700m, memory: 3Gi}}}]}
  behavior:
    - {target: Deployment/default/api, usage: {c: {cpu: {base: 1200m, perUnit: 0m}, memory: {base: 1Gi, perUnit: 0Mi}}}}
  events:
    - {at: ${Math.floor(minutes / 2)}m, nodeFailure: {node: p-001}}
`, (world) => {
        for (const c of changes) {
          world.sim.schedule(c.atMinute * M, Phase.Node, () => {
            const node = world.api.nodes[c.node];
            if (node) world.api.setNodePrice(node, { listUsdPerHour: c.cents / 50, contractedUsdPerHour: c.cents / 75, usdPerHour: c.cents / 100 });
          });
        }
      });
      const cost = run.summary.cost;
      near(total(run.charges.map((c) => c.effectiveUsd)), cost.totalUsd, 1e-6);
      near(total(run.charges.map((c) => c.allocatedUsd)), cost.allocatedUsd, 1e-6);
      near(total(run.csv('nodes.csv').map((n) => Number(n.cost_usd))), cost.totalUsd, 4e-6);
      for (const c of run.charges) {
        // Aligned to the clock hour, inside it, at most an hour alive.
        assert.equal((Date.parse('2026-01-05T07:00:00Z') + startMinute * M + c.periodStartMs) % H, 0);
        assert.equal(c.periodEndMs - c.periodStartMs, H);
        assert.ok(c.aliveMs >= 0 && c.aliveMs <= H);
        near(total(c.workloads.map((w) => w.usd)), c.allocatedUsd);
      }
      near(total(run.charges.map((c) => c.aliveMs)) / H, run.summary.nodes.nodeHours, 1e-4);
    }),
    { numRuns: 20, seed: 20261205 },
  );
});
