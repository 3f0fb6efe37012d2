// The cluster autoscaler (reference/k8s-algorithms.md §3) end to end and its expanders alone,
// against numbers worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFile, runYaml, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { InputError } from '../src/scenario/errors.ts';
import type { Option } from '../src/controllers/clusterAutoscaler/expanders/strategy.ts';
import { expand } from '../src/controllers/clusterAutoscaler/expanders/expander.ts';
import { wasteScore } from '../src/controllers/clusterAutoscaler/expanders/leastWaste.ts';
import { priceScore } from '../src/controllers/clusterAutoscaler/expanders/price.ts';
import { templateNode } from '../src/controllers/clusterAutoscaler/nodeGroups.ts';
import type { NodePool } from '../src/model/scenario.ts';
import { EXPANDER_NAMES } from '../src/model/scenario.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { makePod } from './support/cluster.ts';

const GI = 1024 ** 3;
const MI = 1024 ** 2;
const seconds = (e: Record<string, string>) => Number(e.t);

test('E29: the 4,000Mi pod waits for one scan plus the provisioning delay, then the empty node goes after the unneeded time', async () => {
  const run = await runFile('scenarios/e29-cluster-autoscaler.yaml');
  // scaled to 1 at 60s; kube-scheduler fails it at once; the next scan at 70s scales up.
  const up = run.events('NodeScaleUp');
  assert.equal(up.length, 1);
  assert.equal(seconds(up[0]), 70);
  assert.match(up[0].message, /setting group general size to 2 instead of 1 \(max: 3\)/);
  const report = run.events('Scheduled').find((e) => e.object.startsWith('Pod/default/report-'))!;
  assert.equal(seconds(report), 70 + 90, 'scan at 70s + 90s provisioning delay');
  assert.equal(report.node, 'general-002');
  // The report pod holds exactly 50% of general-002's memory (4000Mi of 8000Mi): eligible, as the
  // threshold test is "> 0.5", but it fits nowhere else, so the node is unremovable and re-checked
  // every 5 min: at 170s, 470s, ... 170 + 300k. Scaled to 0 at 7200s, the pod is gone at 7230s
  // (30s grace); the first re-check after that is at 170 + 300 x 24 = 7370s. Empty from then,
  // unneeded for 600s -> deleted at 7970s, 5s after the taint.
  const down = run.events('NodeScaleDown');
  assert.equal(down.length, 1);
  assert.equal(seconds(down[0]), 7970);
  assert.match(down[0].message, /removing empty node general-002/);
  const removed = run.events('NodeRemoved');
  assert.deepEqual(removed.map((e) => [seconds(e), e.node]), [[7975, 'general-002']]);
  assert.equal(run.summary.autoscaling.nodeScaleUps, 1);
  assert.equal(run.summary.autoscaling.nodeScaleDowns, 1);
  // Cost to the cent: general-001 for 4h, general-002 from 70s to 7975s, at $0.20/h.
  const expected = 0.2 * 4 + (0.2 * (7975 - 70)) / 3600;
  assert.equal(Math.round(run.summary.cost.totalUsd * 100), Math.round(expected * 100));
});

/** A scenario with one autoscaled pool and one Deployment, for the cases below. */
function scenario(opts: { pools: string; autoscaler?: string; workloads: string; events?: string; duration?: string; manifests?: string }): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ca-test}
spec:
  duration: ${opts.duration ?? '2h'}
  sampleEvery: 1m
  cluster:
    nodePools:
${opts.pools}
    autoscaler: {${opts.autoscaler ?? ''}}
${opts.manifests ?? ''}
  workloads:
${opts.workloads}
${opts.events ? `  events:\n${opts.events}` : ''}
`;
}

test('scale-up picks the pool each expander prefers and grows it by the binpacked node count', async () => {
  // 6 pods of 1 CPU / 2Gi. "big": 8 CPU / 16Gi holds all 6 -> 1 node. "small": 2 CPU / 4196Mi
  // (4096Mi allocatable after the 100Mi eviction threshold) holds 2 -> 3 nodes.
  const pools = `      - {name: big, capacity: {cpu: "8", memory: 16Gi}, price: {onDemandPerHour: 0.40}, count: 0, max: 5, provisioningDelay: 60s}
      - {name: small, capacity: {cpu: "2", memory: 4196Mi}, price: {onDemandPerHour: 0.09}, count: 0, max: 10, provisioningDelay: 60s}`;
  const workloads = `    - {name: web, replicas: 6, containers: [{name: app, resources: {requests: {cpu: "1", memory: 2Gi}}}]}`;
  // least-waste: big (1 node): cpu 2/8 + memory 4/16 = 0.5. small: 4096Mi allocatable takes 2
  // pods -> 3 nodes: cpu 0/6 + memory (3 x 4196 - 6 x 2048)/(3 x 4196) = 300/12588 = 0.0238.
  const leastWaste = await runYaml(scenario({ pools, workloads, autoscaler: 'expander: least-waste' }));
  const upLW = leastWaste.events('NodeScaleUp');
  assert.match(upLW[0].message, /group small size to 3 instead of 0/);
  assert.equal(seconds(upLW[0]), 10, 'pods fail at 0s; the scan at 0s ran before the scheduler; the next is at 10s');
  // most-pods: both options place all 6 pods -> tie; least-nodes breaks it: big (1 node).
  const mostPods = await runYaml(scenario({ pools, workloads, autoscaler: 'expander: "most-pods,least-nodes"' }));
  assert.match(mostPods.events('NodeScaleUp')[0].message, /group big size to 1 instead of 0/);
  // price: 0 nodes in the cluster -> preferred 1 CPU. big: unfit 8, suppressed 8 (1 node);
  // price sub = (0.40 + s)/(P + s). small: unfit 2, suppressed (2-1)(1-tanh(2/15))+1 = 1.8674;
  // sub = (0.27 + s)/(P + s). small's score is lower on both factors.
  const price = await runYaml(scenario({ pools, workloads, autoscaler: 'expander: price' }));
  assert.match(price.events('NodeScaleUp')[0].message, /group small size to 3 instead of 0/);
  // priority: big matches the higher tier.
  const priority = await runYaml(scenario({ pools, workloads, autoscaler: 'expander: priority, priorities: {"10": ["^big$"], "1": [".*"]}' }));
  assert.match(priority.events('NodeScaleUp')[0].message, /group big size to 1 instead of 0/);
  for (const run of [leastWaste, mostPods, price, priority]) assert.equal(run.summary.pods.unschedulable, 0);
});

test('a group at its max size is skipped and the pod says why', async () => {
  const pools = `      - {name: tiny, capacity: {cpu: "1", memory: 1Gi}, price: {onDemandPerHour: 0.05}, count: 0, max: 2}`;
  const workloads = `    - {name: big, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "2"}}}]}`;
  const run = await runYaml(scenario({ pools, workloads, duration: '10m' }));
  assert.equal(run.summary.autoscaling.nodeScaleUps, 0);
  const why = run.events('NotTriggerScaleUp');
  assert.equal(why.length, 1, 'folded while the message stays the same');
  assert.equal(why[0].message, "pod didn't trigger scale-up: 1 Insufficient cpu");
});

test('scale-down waits for the unneeded time, never breaks a PDB, and removes empty nodes in bulk', async () => {
  // 4 nodes of 4 CPU; 2 pods of 1 CPU each on their own nodes (anti-affinity-free, so spread by
  // LeastAllocated). With minAvailable 2 the PDB allows no disruption: nodes with a pod stay;
  // the 2 empty nodes go together after 10 min (+ the 5s taint delay).
  const pools = `      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 4, min: 1, max: 6}`;
  const workloads = `    - {name: web, replicas: 2, containers: [{name: app, resources: {requests: {cpu: "1", memory: 1Gi}}}], pdb: {minAvailable: 2}}`;
  const strict = await runYaml(scenario({ pools, workloads, duration: '1h' }));
  const down = strict.events('NodeScaleDown');
  assert.equal(down.length, 2);
  // At 0s both pods are placed; the first scan at 0s (before the scheduler) sees 4 empty nodes;
  // they become unneeded at 0s, the two that got pods drop out at 10s; the other two are due at 600s.
  assert.deepEqual(down.map(seconds), [600, 600]);
  assert.ok(down.every((e) => /removing empty node/.test(e.message)));
  assert.deepEqual(strict.events('NodeRemoved').map(seconds), [605, 605]);
  assert.equal(strict.summary.pods.evictions, 0);

  // maxUnavailable 1: one pod may move, so one loaded node is drained (one drain at a time,
  // max-drain-parallelism 1) and the pods end on one node: 1 node left (min 1 allows it).
  const relaxed = await runYaml(scenario({ pools, workloads: workloads.replace('minAvailable: 2', 'maxUnavailable: 1'), duration: '1h' }));
  assert.equal(relaxed.events('NodeRemoved').length, 3);
  assert.ok(relaxed.events('NodeScaleDown').some((e) => /pods to reschedule: default\/web-/.test(e.message)));
  assert.equal(relaxed.summary.pods.unschedulable, 0);
  assert.equal(relaxed.summary.pods.evictions, 1);
});

test('a pod without a controller, or marked safe-to-evict: "false", keeps its node', async () => {
  const pools = `      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 2, min: 0, max: 3}`;
  const manifests = `  manifests:
    - {apiVersion: v1, kind: Pod, metadata: {name: lonely}, spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]}}`;
  const workloads = `    - {name: web, replicas: 1, annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}, containers: [{name: app, resources: {requests: {cpu: 100m}}}]}`;
  const run = await runYaml(scenario({ pools, workloads, manifests, duration: '1h' }));
  assert.equal(run.events('NodeScaleDown').length, 0, run.events('NodeScaleDown').map((e) => e.message).join('\n'));
});

test('a scale-up that never becomes Ready times out, backs the group off, and the next group is used', async () => {
  // "spot" is preferred (priority) but has no capacity: its node stays provisioning; after 15 min
  // (max-node-provision-time) it is removed and spot is backed off for 5 min; the next scan picks
  // on-demand.
  const pools = `      - {name: spot, capacityType: spot, capacity: {cpu: "4", memory: 8Gi}, spot: {pricePerHour: 0.06}, count: 0, max: 5, provisioningDelay: 60s}
      - {name: ondemand, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 0, max: 5, provisioningDelay: 60s}`;
  const workloads = `    - {name: web, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "1"}}}]}`;
  const events = `    - {at: 0s, capacityUnavailable: {pool: spot, duration: 1h}}`;
  const run = await runYaml(scenario({ pools, workloads, events, autoscaler: 'expander: priority, priorities: {"10": [spot], "1": [ondemand]}', duration: '1h' }));
  const ups = run.events('NodeScaleUp');
  assert.equal(seconds(ups[0]), 10);
  assert.match(ups[0].message, /group spot size to 1/);
  const timeout = run.events('ScaleUpTimedOut');
  assert.equal(seconds(timeout[0]), 10 + 900);
  assert.match(timeout[0].message, /backed off for 300s/);
  // The time-out runs first in the loop at 910s; the same loop scales on-demand up.
  assert.equal(seconds(ups[1]), 910);
  assert.match(ups[1].message, /group ondemand size to 1/);
  const scheduled = run.events('Scheduled').find((e) => e.object.startsWith('Pod/default/web-'))!;
  assert.equal(seconds(scheduled), 910 + 60);
});

test('max-nodes-total caps a scale-up', async () => {
  const pools = `      - {name: general, capacity: {cpu: "1", memory: 4Gi}, price: {onDemandPerHour: 0.05}, count: 1, max: 20}`;
  const workloads = `    - {name: web, replicas: 8, containers: [{name: app, resources: {requests: {cpu: 900m}}}]}`;
  const run = await runYaml(scenario({ pools, workloads, autoscaler: 'maxNodesTotal: 5', duration: '30m' }));
  // 1 pod per node; 7 pending; 5 - 1 = 4 nodes may be added.
  assert.match(run.events('NodeScaleUp')[0].message, /size to 5 instead of 1/);
  assert.equal(run.summary.nodes.max, 5);
  assert.equal(run.summary.pods.unschedulable, 3);
});

test('spot interruptions: Poisson per node, the notice drains the node and the pods move before it goes', async () => {
  const pools = `      - {name: spot, capacityType: spot, capacity: {cpu: "4", memory: 8Gi}, spot: {pricePerHour: 0.06, interruptionsPerNodeDay: 2, noticeSeconds: 120}, count: 3, min: 0, max: 6, provisioningDelay: 60s}`;
  const workloads = `    - {name: web, replicas: 6, containers: [{name: app, resources: {requests: {cpu: "1", memory: 1Gi}}}], pdb: {maxUnavailable: 2}}`;
  const run = await runYaml(scenario({ pools, workloads, duration: '1d' }));
  const interrupted = run.events('SpotInterrupted');
  // 3+ nodes at 2 interruptions per node-day: several in a day (seeded, so exactly reproducible).
  assert.ok(interrupted.length >= 3, `${interrupted.length} interruptions`);
  for (const e of interrupted) {
    const gone = run.events('NodeRemoved').find((r) => r.node === e.node)!;
    assert.ok(seconds(gone) - seconds(e) <= 120, 'removed at the latest when the notice ends');
  }
  // Replacements come from the autoscaler, and the workload ends whole.
  assert.ok(run.summary.autoscaling.nodeScaleUps >= 1);
  assert.equal(run.summary.pods.unschedulable, 0);
  const again = await runYaml(scenario({ pools, workloads, duration: '1d' }));
  assert.deepEqual(again.events('SpotInterrupted'), interrupted, 'same seed, same interruptions');
});

// ---- expanders alone --------------------------------------------------------------------------

function pool(name: string, cpu: number, memoryGi: number, price: number, extra: Partial<NodePool> = {}): NodePool {
  return {
    name, instanceType: null, capacity: { cpu: cpu * 1000, memory: memoryGi * GI, pods: 110 }, capacityType: 'on-demand', priceUsdPerHour: price, spot: null,
    kubeReserved: {}, systemReserved: {}, evictionHardMemoryBytes: 100 * MI, evictionPressureTransitionPeriodMs: 300_000, cgroupVersion: 'v2', labels: {}, annotations: {}, taints: [], zones: ['a'], count: 0, min: 0, max: 10, provisioningDelayMs: 0, ...extra,
  };
}

function option(p: NodePool, nodeCount: number, pods: number, cpuMilli = 1000, memoryBytes = 2 * GI): Option {
  return { pool: p, nodeCount, pods: Array.from({ length: pods }, (_, i) => makePod({ name: `p${i}`, cpuMilli, memoryBytes })), template: templateNode(p, 'a', `t-${p.name}`) };
}

const context = (extra: Partial<Parameters<typeof expand>[2]> = {}) => ({ random: new RandomStreams(1).stream('x'), clusterNodes: 10, priorities: [], ...extra });

test('least-waste scores by capacity, not allocatable', () => {
  // 3 pods of 1 CPU / 2Gi. m5.xlarge-like 4/16: (4-3)/4 + (16-6)/16 = 0.25 + 0.625 = 0.875.
  // c5.xlarge-like 4/8: 0.25 + (8-6)/8 = 0.5 -> the c5 wins.
  const m5 = option(pool('m5', 4, 16, 0.192), 1, 3);
  const c5 = option(pool('c5', 4, 8, 0.17), 1, 3);
  assert.equal(wasteScore(m5), 0.875);
  assert.equal(wasteScore(c5), 0.5);
  assert.equal(expand(['least-waste'], [m5, c5], context())!.pool.name, 'c5');
});

test('price: node price over pod price, with the preferred-size unfitness', () => {
  // 10 nodes in the cluster -> preferred 4 CPU. Pods 3 x (1 CPU, 2Gi) at 0.031611 $/core-h and
  // 0.004237 $/GB-h: 3 x (0.031611 + 2 x 0.004237) = 0.120255; stabilisation pod 500m/500Mi:
  // 0.0158055 + 0.00206885 = 0.01787435.
  const stab = 0.5 * 0.031611 + (500 / 1024) * 0.004237;
  const pods = 3 * (0.031611 + 2 * 0.004237);
  // a: 4 CPU at $0.192, 1 node: unfit 1 -> score (0.192 + stab)/(pods + stab)
  const a = option(pool('a', 4, 16, 0.192), 1, 3);
  assert.ok(Math.abs(priceScore(a, 10) - (0.192 + stab) / (pods + stab)) < 1e-12);
  // b: 16 CPU at $0.5, 1 node: unfit 16/4 = 4 -> 4 x (0.5 + stab)/(pods + stab)
  const b = option(pool('b', 16, 64, 0.5), 1, 3);
  assert.ok(Math.abs(priceScore(b, 10) - (4 * (0.5 + stab)) / (pods + stab)) < 1e-12);
  // 2 nodes of 2 CPU at $0.08: unfit 2, suppressed (2-1)(1-tanh(1/15))+1
  const c = option(pool('c', 2, 8, 0.08), 2, 3);
  const suppressed = (2 - 1) * (1 - Math.tanh(1 / 15)) + 1;
  assert.ok(Math.abs(priceScore(c, 10) - (suppressed * (0.16 + stab)) / (pods + stab)) < 1e-12);
  // a = 0.20987/0.13813 = 1.519; b = 4 x 0.51787/0.13813 = 15.0; c = 1.9335 x 0.17787/0.13813
  // = 2.490: the 4-CPU node of the preferred size wins although two 2-CPU nodes cost less.
  assert.equal(expand(['price'], [a, b, c], context())!.pool.name, 'a');
});

test('priority keeps the highest matching tier, passes everything when nothing matches, and chains', () => {
  const spot = option(pool('spot-a', 4, 16, 0.06), 1, 3);
  const spotBig = option(pool('spot-b', 8, 32, 0.1), 1, 3);
  const od = option(pool('ondemand', 4, 16, 0.192), 1, 3);
  const priorities = [{ priority: 50, patterns: [/^spot-/] }, { priority: 10, patterns: [/ondemand/] }];
  // Both spot pools are in the top tier; least-waste then prefers the smaller (less waste).
  assert.equal(expand(['priority', 'least-waste'], [spot, spotBig, od], context({ priorities }))!.pool.name, 'spot-a');
  // Without spot options, the next tier.
  assert.equal(expand(['priority'], [od, option(pool('gpu', 4, 16, 1), 1, 3)], context({ priorities }))!.pool.name, 'ondemand');
  // Nothing matches: all pass to the next filter (most-pods picks the one with more pods).
  const x = option(pool('x', 4, 16, 0.1), 1, 2);
  const y = option(pool('y', 4, 16, 0.1), 1, 3);
  assert.equal(expand(['priority', 'most-pods'], [x, y], context({ priorities }))!.pool.name, 'y');
});

test('every expander name the scenario accepts picks one of the options', () => {
  const opts = [option(pool('small', 2, 8, 0.1), 2, 3), option(pool('big', 8, 32, 0.4), 1, 4)];
  for (const name of EXPANDER_NAMES) {
    const picked = expand([name], opts, context());
    assert.ok(picked && opts.includes(picked), name);
  }
});

test('random is seeded: the same stream picks the same options', () => {
  const opts = ['a', 'b', 'c', 'd'].map((n) => option(pool(n, 4, 16, 0.1), 1, 1));
  const picks = (seed: number) => Array.from({ length: 8 }, () => expand(['random'], opts, context({ random: new RandomStreams(seed).stream('e') }))!.pool.name);
  assert.deepEqual(picks(3), picks(3));
  const one = new RandomStreams(3).stream('e');
  const sequence = Array.from({ length: 20 }, () => expand(['random'], opts, context({ random: one }))!.pool.name);
  assert.ok(new Set(sequence).size > 1, 'not always the same option');
});

test('E30: at least 5 typical pods per node keeps the waste low (the autoscaler sizes each pool)', async () => {
  // Allocatable under GKE's reservations: n2-standard-2 1930m (1 pod of 1 CPU per node),
  // n2-standard-8 7910m (7 per node -> 9 nodes), n2-standard-32 31850m (31 per node -> 2 nodes).
  const at = (type: string) => runFile('scenarios/e30-node-size.yaml', { set: [`spec.cluster.nodePools[0].instanceType=gce/${type}`] });
  const small = await at('n2-standard-2');
  const medium = await at('n2-standard-8');
  const large = await at('n2-standard-32');
  assert.deepEqual([small.summary.nodes.max, medium.summary.nodes.max, large.summary.nodes.max], [60, 9, 2]);
  // CPU requested over allocatable while all pods run: 1000/1930, 60000/(9 x 7910), 60000/(2 x 31850);
  // the run-wide figure also counts the first minutes when nodes are still coming.
  assert.ok(Math.abs(small.summary.utilization.cpuRequestedPct - (100 * 1000) / 1930) < 0.01);
  assert.ok(Math.abs(medium.summary.utilization.cpuRequestedPct - (100 * 60000) / (9 * 7910)) < 0.01);
  assert.ok(Math.abs(large.summary.utilization.cpuRequestedPct - (100 * 60000) / (2 * 31850)) < 0.01);
  // Cost follows: 60 x $0.0971, 9 x $0.3885, 2 x $1.5539 per hour, minus the first minute or so.
  assert.ok(small.summary.cost.totalUsd > medium.summary.cost.totalUsd && medium.summary.cost.totalUsd > large.summary.cost.totalUsd);
  assert.ok(Math.abs(large.summary.cost.totalUsd - 2 * 1.5539 * 24) < 2 * 1.5539 * (3 / 60));
});

// ---- balancing similar pools, cluster resource limits, scale-down-disabled -------------------

test('balanceSimilarNodeGroups splits a scale-up over the pools alike to the chosen one, smallest first', async () => {
  // 6 pods of 1 CPU / 2Gi; a 2 CPU / 4196Mi node (4096Mi allocatable) takes 2 -> 3 nodes.
  // "b" is "a" in another zone: similar. "tainted" is too, but the pods do not tolerate its taint
  // (matchingSchedulablePodGroups), and "bigger" has another capacity.
  const node = `capacity: {cpu: "2", memory: 4196Mi}, price: {onDemandPerHour: 0.1}, count: 0, max: 10, provisioningDelay: 60s`;
  const pools = `      - {name: a, zones: [zone-a], ${node}}
      - {name: b, zones: [zone-b], ${node}}
      - {name: tainted, zones: [zone-c], taints: [{key: dedicated, value: batch, effect: NoSchedule}], ${node}}
      - {name: bigger, capacity: {cpu: "4", memory: 8292Mi}, price: {onDemandPerHour: 0.2}, count: 0, max: 10}`;
  const workloads = `    - {name: web, replicas: 6, containers: [{name: app, resources: {requests: {cpu: "1", memory: 2Gi}}}]}`;
  const autoscaler = 'expander: priority, priorities: {"10": ["^a$"]}';
  const balanced = await runYaml(scenario({ pools, workloads, autoscaler: `${autoscaler}, balanceSimilarNodeGroups: true`, duration: '30m' }));
  // BalanceScaleUpBetweenGroups([a 0, b 0], 3): a 1, b 1, then a again (the chosen group first).
  const up = balanced.events('NodeScaleUp');
  assert.deepEqual(up.map((e) => [seconds(e), e.message]), [
    [10, 'Scale-up: setting group a size to 2 instead of 0 (max: 10) for 6 pod(s)'],
    [10, 'Scale-up: setting group b size to 1 instead of 0 (max: 10) for 6 pod(s)'],
  ]);
  const triggered = balanced.events('TriggeredScaleUp');
  assert.equal(triggered.length, 6);
  assert.equal(triggered[0].message, 'pod triggered scale-up: [{a 0->2 (max: 10)} {b 0->1 (max: 10)}]');
  assert.equal(balanced.summary.pods.unschedulable, 0);
  assert.deepEqual(new Set(balanced.events('Scheduled').map((e) => e.node)), new Set(['a-001', 'a-002', 'b-001']));
  // The same scenario without balancing grows "a" alone.
  const single = await runYaml(scenario({ pools, workloads, autoscaler, duration: '30m' }));
  assert.deepEqual(single.events('NodeScaleUp').map((e) => e.message), ['Scale-up: setting group a size to 3 instead of 0 (max: 10) for 6 pod(s)']);
});

test('balanceSimilarNodeGroups: the similar pools\' room counts for the estimate, and the smaller pool fills first', async () => {
  // 1 pod per node (3 CPU of 4). "a" has 1 node (its pod) and max 2, "b" none and max 5: 5 pods
  // pending. Alone, "a" could add 1 node; with "b" the estimate may use 1 + 5 = 6
  // (sng_capacity_threshold.go) -> 5 nodes. Balanced over [b 0, a 1] (by size): b 1, b 2, a 2,
  // b 3; a is full and swapped to the front; b 4. The plan lists a first, as upstream's slice ends.
  const pools = `      - {name: a, zones: [zone-a], capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 1, max: 2}
      - {name: b, zones: [zone-b], capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 0, max: 5}`;
  const workloads = `    - {name: batch, replicas: 6, containers: [{name: app, resources: {requests: {cpu: "3"}}}]}`;
  const run = await runYaml(scenario({ pools, workloads, autoscaler: 'expander: priority, priorities: {"10": ["^a$"]}, balanceSimilarNodeGroups: true', duration: '30m' }));
  assert.equal(run.events('TriggeredScaleUp')[0].message, 'pod triggered scale-up: [{a 1->2 (max: 2)} {b 0->4 (max: 5)}]');
  assert.equal(run.summary.pods.unschedulable, 0);
});

test('coresTotal / memoryTotal max: a scale-up is cut to what fits, then the pools are skipped', async () => {
  // 1 pod of 3 CPU per 4-CPU / 8Gi node; 1 node, 4 pods: 3 pending -> 3 nodes estimated.
  const pools = `      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 1, max: 10, provisioningDelay: 60s}`;
  const workloads = `    - {name: batch, replicas: 4, containers: [{name: app, resources: {requests: {cpu: "3"}}}]}`;
  // cores: 10 - 4 = 6 left -> ApplyLimits: floor(6 / 4) = 1 node. memory: 20 - 8 = 12 GiB left
  // -> floor(12 / 8) = 1 node.
  for (const [limit, resource] of [['coresTotal: {max: 10}', 'cpu'], ['memoryTotal: {max: 20}', 'memory']]) {
    const run = await runYaml(scenario({ pools, workloads, autoscaler: limit, duration: '30m' }));
    const up = run.events('NodeScaleUp');
    assert.deepEqual(up.map((e) => [seconds(e), e.message]), [[10, 'Scale-up: setting group general size to 2 instead of 1 (max: 10) for 3 pod(s)']], limit);
    // At 20s one pod waits for the upcoming node; for the other two the pool's next node would pass
    // the limit (8 + 4 > 10 cores; 16 + 8 > 20 GiB): IsNodeGroupResourceExceeded.
    const why = run.events('NotTriggerScaleUp');
    assert.equal(why.length, 2, limit);
    assert.equal(why[0].message, `pod didn't trigger scale-up: 1 max cluster ${resource} limit reached`);
    assert.equal(seconds(why[0]), 20);
    assert.equal(run.summary.pods.unschedulable, 2);
  }
  // Without a limit (the defaults, 320000 cores and 6400000 GiB) all three nodes come at once.
  const free = await runYaml(scenario({ pools, workloads, duration: '30m' }));
  assert.match(free.events('NodeScaleUp')[0].message, /size to 4 instead of 1/);
});

test('coresTotal min: scale-down stops where the cluster would go below it', async () => {
  // 3 empty 4-core nodes = 12 cores; min 8 leaves room for one removal (TryDecrementBy: 4 <= 4,
  // then 4 > 0). Unneeded from the scan at 0s, due at 600s.
  const pools = `      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 3, min: 0, max: 5}`;
  const limited = await runYaml(scenario({ pools, workloads: '    []', autoscaler: 'coresTotal: {min: 8}', duration: '1h' }));
  assert.deepEqual(limited.events('NodeRemoved').map((e) => [seconds(e), e.node]), [[605, 'general-001']]);
  assert.equal(limited.summary.nodes.min, 2);
  // memoryTotal min 9 (GiB) over 24 GiB: 15 GiB may go, one 8Gi node fits it, two do not.
  const memory = await runYaml(scenario({ pools, workloads: '    []', autoscaler: 'memoryTotal: {min: 9}', duration: '1h' }));
  assert.equal(memory.events('NodeRemoved').length, 1);
  // Without a min every empty node goes at once.
  const free = await runYaml(scenario({ pools, workloads: '    []', duration: '1h' }));
  assert.deepEqual(free.events('NodeRemoved').map(seconds), [605, 605, 605]);
});

test('eligibility_test.go TestFilterOutUnremovable "marked no scale down is filtered out": the annotation keeps a node', async () => {
  // Two empty pools; "pinned" nodes carry scale-down-disabled "true", "off" nodes carry "false"
  // (only "true" counts, HasNoScaleDownAnnotation).
  const pools = `      - {name: pinned, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 2, min: 0, max: 3, annotations: {cluster-autoscaler.kubernetes.io/scale-down-disabled: "true"}}
      - {name: off, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 2, min: 0, max: 3, annotations: {cluster-autoscaler.kubernetes.io/scale-down-disabled: "false"}}`;
  const run = await runYaml(scenario({ pools, workloads: '    []', duration: '2h' }));
  assert.deepEqual(run.events('NodeRemoved').map((e) => e.node).sort(), ['off-001', 'off-002']);
});

test('coresTotal with max below min is an input error naming the field', async () => {
  const file = writeScenario(scenario({ pools: '      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}}', workloads: '    []', autoscaler: 'coresTotal: {min: 10, max: 5}' }));
  await assert.rejects(loadScenario(file), (error: InputError) => {
    const p = error.problems.find((x) => x.path === 'spec.cluster.autoscaler.coresTotal.max');
    assert.ok(p, error.problems.map((x) => `${x.path}: ${x.message}`).join('\n'));
    assert.equal(p.message, 'max (5) is below min (10)');
    assert.equal(p.line, 10, 'the autoscaler: line of the scenario');
    return true;
  });
});
