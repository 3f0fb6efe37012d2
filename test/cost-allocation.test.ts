// Cost: node-seconds x price, and its allocation to workloads by OpenCost's rule, max(request,
// usage) x time x the node's per-core and per-GB rates, with idle cost apart (DESIGN §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runWithWorld, runYaml } from './support/run.ts';
import type { RunOutput } from './support/run.ts';
import type { World } from '../src/world.ts';
import { Phase } from '../src/phases.ts';
import { nodeRates } from '../src/cost/allocation.ts';
import { CostAllocation, idleCostUsd, type UsageSource } from '../src/cost/allocationWindows.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { makeNode, makePod } from './support/cluster.ts';

const header = (name: string, duration: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  duration: ${duration}
  sampleEvery: 1m
`;

const runWith = runWithWorld;

const sum = (o: Record<string, number>) => Object.values(o).reduce((s, v) => s + v, 0);
const near = (actual: number, expected: number, tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} (±${tolerance})`);

test('the cost of a run is Σ node-seconds x price, to the cent: a node removed and one added mid-run', async () => {
  // p-001 fails at 30m and is deleted 50 s later (1,850 s of life); p-002 lives 2 h; p-003 is
  // created at 45m, Ready 90 s later, and billed from creation (provisioning included): 4,500 s.
  // spot-001 lives 2 h at its spot price.
  const run = await runWith(`${header('node-seconds', '2h')}
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.5}, count: 2}
      - {name: s, capacity: {cpu: "2", memory: 4Gi}, capacityType: spot, spot: {pricePerHour: 0.06}, count: 1}
  workloads:
    - {name: api, replicas: 2, containers: [{name: api, resources: {requests: {cpu: 500m, memory: 512Mi}}}]}
  events:
    - {at: 30m, nodeFailure: {node: p-001}}
`, (world) => {
    const pool = world.scenario.cluster.nodePools.find((p) => p.name === 'p')!;
    world.sim.schedule(45 * 60_000, Phase.Node, () => world.cloud.createNode(pool, 90_000));
  });
  const nodes = run.csv('nodes.csv');
  assert.deepEqual(nodes.map((n) => [n.node, n.created_t, n.removed_t]), [
    ['p-001', '0', '1850'], ['p-002', '0', ''], ['s-001', '0', ''], ['p-003', '2700', ''],
  ]);
  // Hand computation: (1850 + 7200 + 4500) s x $0.50/h + 7200 s x $0.06/h
  //   = 13,550 / 3,600 x 0.5 + 0.12 = 1.881944 + 0.12 = $2.001944
  const cost = run.summary.cost;
  assert.equal(cost.totalUsd, 2.001944);
  assert.deepEqual(cost.byPool, { p: 1.881944, s: 0.12 });
  assert.deepEqual(cost.byCapacityType, { 'on-demand': 1.881944, spot: 0.12 });
  assert.deepEqual(cost.byInstanceType, { '(none)': 2.001944 });
  // Per node in nodes.csv: 1850/3600 x 0.5, 7200/3600 x 0.5, 0.12, 4500/3600 x 0.5.
  assert.deepEqual(nodes.map((n) => n.cost_usd), ['0.256944', '1', '0.12', '0.625']);
  near(nodes.reduce((s, n) => s + Number(n.cost_usd), 0), cost.totalUsd, 2e-6);
  // $1.000972/h on average x 730 h.
  assert.equal(cost.monthlyRunRateUsd, 730.71);
});

// A node priced at exactly OpenCost's default rates for its capacity (4 cores, 16 GiB):
// 4 x 0.031611 + 16 x 0.004237 = $0.194236/h, so its rates are the defaults themselves.
const DEFAULT_PRICED_POOL = `{name: p, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.194236}, count: 1}`;

test('a node at the default price splits into the default per-core and per-GB rates (OpenCost GetNodeCost)', () => {
  const rates = nodeRates(0.194236, 4000, 16 * 1024 ** 3);
  near(rates.usdPerCoreHour, 0.031611, 1e-12);
  near(rates.usdPerGbHour, 0.004237, 1e-12);
});

test('the allocation alone: hourly windows of max(∫request, ∫usage), settled at each hour and at the end; idle apart', () => {
  // A node at the default rates ($0.031611/core-h, $0.004237/GiB-h; see DEFAULT_PRICED_POOL) for
  // 2 h. One pod of shop/web requesting 1 core and 1 GiB is bound from 0 to 90 min; it uses
  // 2 cores in the first hour, 250m for the next half hour and no memory:
  //   hour 1: max(1, 2) core-h x 0.031611 + max(1, 0) GiB-h x 0.004237         = 0.067459
  //   hour 2: max(0.5, 0.125) core-h x 0.031611 + max(0.5, 0) GiB-h x 0.004237 = 0.017924
  // The node cost 2 h x $0.194236 = $0.388472; idle is the rest: 0.388472 - 0.085383 = 0.303089.
  const H = 3_600_000;
  const sim = new Simulation();
  const allocation = new CostAllocation(() => sim.nowMs);
  const node = makeNode({ name: 'n', cpu: 4, memory: '16Gi', priceUsdPerHour: 0.194236 });
  const pod = makePod({ name: 'web-1', namespace: 'shop', cpuMilli: 1000, memoryBytes: 1024 ** 3 });
  pod.node = node;
  pod.workload = 'Deployment/shop/web';
  const cpuUsedMilliMs = (t: number) => 2000 * Math.min(t, H) + 250 * Math.max(0, Math.min(t, 1.5 * H) - H);
  const usage: UsageSource<string> = {
    refOf: (p) => p.workload!,
    openUsage: (_node, ref) => ref,
    usageUpToNow: () => ({ cpuUsedMilliMs: cpuUsedMilliMs(sim.nowMs), memoryByteMs: 0 }),
    closeUsage: () => true,
  };
  allocation.allocateWith(usage, sim, 2 * H);
  allocation.nodeAdded(node);
  allocation.holdRequests(pod, 1);
  sim.schedule(1.5 * H, Phase.Controller, () => allocation.holdRequests(pod, -1));
  sim.runUntil(H);
  near(allocation.allocatedUsd, 0.067459, 1e-12);
  assert.equal(allocation.costByWorkload.size, 0, 'a workload still on its node is added to the breakdowns when it leaves');
  sim.runUntil(2 * H);
  allocation.finish();
  near(allocation.allocatedUsd, 0.085383, 1e-12);
  assert.deepEqual([...allocation.costByWorkload.keys()], ['Deployment/shop/web']);
  near(allocation.costByWorkload.get('Deployment/shop/web')!, 0.085383, 1e-12);
  near(allocation.costByNamespace.get('shop')!, 0.085383, 1e-12);
  near(idleCostUsd(0.388472, allocation.allocatedUsd), 0.303089, 1e-12);
});

const MAX_RULE = (name: string) => `${header(name, '1h')}
  cluster:
    nodePools: [${DEFAULT_PRICED_POOL}]
  workloads:
    - {name: hot, namespace: a, replicas: 1, containers: [{name: c, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: "2", memory: 3Gi}}}]}
    - {name: mixed, namespace: a, replicas: 1, containers: [{name: c, resources: {requests: {cpu: 250m, memory: 4Gi}, limits: {cpu: "1", memory: 5Gi}}}]}
    - {name: cold, namespace: b, replicas: 1, containers: [{name: c, resources: {requests: {cpu: 1, memory: 4Gi}, limits: {cpu: 1, memory: 4Gi}}}]}
  behavior:
    - target: Deployment/a/hot
      usage: {c: {cpu: {base: 1500m, perUnit: 0m}, memory: {base: 2Gi, perUnit: 0Mi}}}
    - target: Deployment/a/mixed
      usage: {c: {cpu: {base: 750m, perUnit: 0m}, memory: {base: 512Mi, perUnit: 0Mi}}}
    - target: Deployment/b/cold
      usage: {c: {cpu: {base: 200m, perUnit: 0m}, memory: {base: 1Gi, perUnit: 0Mi}}}
`;

async function checkMaxRule(run: RunOutput & { world: World }): Promise<void> {
  // One hour, one window, every pod bound and running from t = 0. At $0.031611/core-h and
  // $0.004237/GiB-h:
  //   hot   uses more than it requests: 1.5 cores x 0.031611 + 2 GiB x 0.004237 = 0.0558905
  //   mixed CPU by usage, memory by request: 0.75 x 0.031611 + 4 x 0.004237   = 0.04065625
  //   cold  uses less than it requests: 1 core x 0.031611 + 4 GiB x 0.004237   = 0.048559
  const cost = run.summary.cost;
  near(cost.byWorkload['Deployment/a/hot'], 0.0558905);
  near(cost.byWorkload['Deployment/a/mixed'], 0.04065625);
  near(cost.byWorkload['Deployment/b/cold'], 0.048559);
  near(cost.byNamespace.a, 0.0558905 + 0.04065625);
  near(cost.byNamespace.b, 0.048559);
  // allocated 0.14510575 of the node's 0.194236; idle is the rest, 0.04913025.
  near(cost.allocatedUsd, 0.14510575);
  near(cost.idleUsd, 0.04913025);
  assert.equal(cost.totalUsd, 0.194236);
  // The engine's per-workload integrals add up to the node's own (nodes.csv) integrals.
  const node = run.world.api.nodes[0];
  const whole = run.world.usage.nodeIntegrals(node);
  let cpu = 0;
  let memory = 0;
  for (const ref of ['Deployment/a/hot', 'Deployment/a/mixed', 'Deployment/b/cold']) {
    const used = run.world.usage.usageUpToNow(run.world.usage.openUsage(node, ref));
    cpu += used.cpuUsedMilliMs;
    memory += used.memoryByteMs;
  }
  near(cpu, whole.cpuUsedMilliMs, 1e-3);
  near(memory, whole.memoryByteMs, 1);
  // (1500 + 750 + 200) m for 1 h
  near(whole.cpuUsedMilliMs, 2450 * 3_600_000, 1e-3);
}

test('max(request, usage): usage above the request is charged, below it the request is (quiet node)', async () => {
  // Every container has limits within the node: the engine settles it on its quiet path.
  await checkMaxRule(await runWith(MAX_RULE('max-rule'), () => {}));
});

test('max(request, usage) gives the same money on the general path (CAPSIM_NO_QUIET=1)', async () => {
  process.env.CAPSIM_NO_QUIET = '1';
  try {
    await checkMaxRule(await runWith(MAX_RULE('max-rule-loud'), () => {}));
  } finally {
    delete process.env.CAPSIM_NO_QUIET;
  }
});

test('the max is taken per hour: a busy hour is not offset by a quiet one', async () => {
  // Request 500m and 1Gi; CPU use 100m + 4m per request/s. Hour 1: 50/s -> 300m (under the
  // request); hour 2: a x4 spike, 200/s -> 900m (over). Memory 512Mi, under its request.
  //   hour 1: 0.5 core-h x 0.031611 + 1 GiB-h x 0.004237 = 0.0200425
  //   hour 2: 0.9 core-h x 0.031611 + 1 GiB-h x 0.004237 = 0.0326869
  //   total 0.0527294 (one 2 h window would charge max(0.5, 0.6) x 2 = 1.2 core-h, not 1.4)
  const run = await runYaml(`${header('hourly', '2h')}
  cluster:
    nodePools: [${DEFAULT_PRICED_POOL}]
  workloads:
    - {name: web, replicas: 1, containers: [{name: c, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}
  behavior:
    - target: Deployment/default/web
      demand: [{constant: 50}, {spike: {at: 1h, duration: 1h, factor: 4}}]
      usage: {c: {cpu: {base: 100m, perUnit: 4m}, memory: {base: 512Mi, perUnit: 0Mi}}}
`);
  const cost = run.summary.cost;
  near(cost.byWorkload['Deployment/default/web'], 0.0527294);
  near(cost.allocatedUsd + cost.idleUsd, cost.totalUsd, 1e-6);
  assert.equal(cost.totalUsd, 0.388472);
});

test('property: namespaces, workloads and allocated agree; allocated + idle = total = Σ pools', async () => {
  const pool = fc.record({
    cpu: fc.integer({ min: 2, max: 8 }),
    memoryGi: fc.integer({ min: 4, max: 32 }),
    price: fc.integer({ min: 1, max: 500 }).map((c) => c / 1000),
    count: fc.integer({ min: 1, max: 3 }),
    spot: fc.boolean(),
  });
  const workload = fc.record({
    namespace: fc.constantFrom('a', 'b', 'c'),
    replicas: fc.integer({ min: 1, max: 4 }),
    cpuRequestMilli: fc.integer({ min: 0, max: 1500 }),
    memoryRequestMi: fc.integer({ min: 0, max: 3000 }),
    cpuUseMilli: fc.integer({ min: 0, max: 2500 }),
    memoryUseMi: fc.integer({ min: 1, max: 3000 }),
    limited: fc.boolean(),
  });
  const scenario = fc.record({
    pools: fc.array(pool, { minLength: 1, maxLength: 2 }),
    workloads: fc.array(workload, { minLength: 1, maxLength: 3 }),
    minutes: fc.integer({ min: 10, max: 150 }),
    failAtMinute: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const pools = s.pools.map((p, i) =>
        p.spot
          ? `      - {name: p${i}, capacity: {cpu: "${p.cpu}", memory: ${p.memoryGi}Gi}, capacityType: spot, spot: {pricePerHour: ${p.price}}, count: ${p.count}}`
          : `      - {name: p${i}, capacity: {cpu: "${p.cpu}", memory: ${p.memoryGi}Gi}, price: {onDemandPerHour: ${p.price}}, count: ${p.count}}`,
      );
      const workloads = s.workloads.map((w, i) => {
        const limits = w.limited ? `, limits: {cpu: ${Math.max(w.cpuRequestMilli, w.cpuUseMilli) + 100}m, memory: ${Math.max(w.memoryRequestMi, w.memoryUseMi) + 100}Mi}` : '';
        return `    - {name: w${i}, namespace: ${w.namespace}, replicas: ${w.replicas}, containers: [{name: c, resources: {requests: {cpu: ${w.cpuRequestMilli}m, memory: ${w.memoryRequestMi}Mi}${limits}}}]}`;
      });
      const behavior = s.workloads.map((w, i) =>
        `    - {target: Deployment/${w.namespace}/w${i}, usage: {c: {cpu: {base: ${w.cpuUseMilli}m, perUnit: 0m}, memory: {base: ${w.memoryUseMi}Mi, perUnit: 0Mi}}}}`,
      );
      const events = s.failAtMinute !== null && s.failAtMinute < s.minutes ? `  events:\n    - {at: ${s.failAtMinute}m, nodeFailure: {node: p0-001}}\n` : '';
      const run = await runYaml(`${header('money-property', `${s.minutes}m`)}  cluster:
    nodePools:
${pools.join('\n')}
  workloads:
${workloads.join('\n')}
  behavior:
${behavior.join('\n')}
${events}`);
      const cost = run.summary.cost;
      // Each figure is rounded to 6 places once: sums agree to half a micro-dollar per term.
      const slack = (o: Record<string, number>) => (Object.keys(o).length + 2) * 5e-7;
      near(sum(cost.byNamespace), cost.allocatedUsd, slack(cost.byNamespace));
      near(sum(cost.byWorkload), cost.allocatedUsd, slack(cost.byWorkload));
      near(cost.allocatedUsd + cost.idleUsd, cost.totalUsd, 2e-6);
      near(sum(cost.byPool), cost.totalUsd, slack(cost.byPool));
      near(sum(cost.byInstanceType), cost.totalUsd, slack(cost.byInstanceType));
      near(sum(cost.byCapacityType), cost.totalUsd, slack(cost.byCapacityType));
      const nodes = run.csv('nodes.csv');
      near(nodes.reduce((t, n) => t + Number(n.cost_usd), 0), cost.totalUsd, (nodes.length + 1) * 5e-7);
      for (const [ref, usd] of Object.entries(cost.byWorkload as Record<string, number>)) assert.ok(usd >= 0, `${ref} charged ${usd}`);
    }),
    { numRuns: 25, seed: 20261122 },
  );
});
