// The big-month shortcuts in the scheduler (issue 18 item 4): each gives what the old path gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RandomStreams } from '../src/engine/random.ts';
import { SchedulingAlgorithm, fitErrorMessage } from '../src/scheduler/algorithm.ts';
import { DefaultPreemption } from '../src/scheduler/preemption.ts';
import { BoundPriorities } from '../src/scheduler/boundPriorities.ts';
import { SpreadCounts } from '../src/scheduler/spreadCounts.ts';
import { NodeResourcesFit } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import type { Pod } from '../src/model/pod.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { ApiServer } from '../src/api/apiServer.ts';
import { Kubelet, manifestTiming } from '../src/kubelet/kubelet.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { sameSchedulingInputs } from '../src/scheduler/failedAttempt.ts';
import { LABEL_HOSTNAME, LABEL_ZONE } from '../src/model/api.ts';
import { toResourceList } from '../src/model/resources.ts';
import { Phase } from '../src/phases.ts';
import type { PodSpec } from '../src/model/pod.ts';

const Gi = 1024 ** 3;

const Mi = 1024 * 1024;
const noBudgets = { splitByBudget: (pods: readonly Pod[]) => ({ violating: [], nonViolating: pods.slice() }) };

test('preemption told the lowest priority on the nodes gives the outcome of the full node scan (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.record({ cpu: fc.integer({ min: 100, max: 900 }), priority: fc.constantFrom(0, 10, 100) }), { maxLength: 3 }), { minLength: 1, maxLength: 6 }),
      fc.record({ cpu: fc.integer({ min: 200, max: 1000 }), priority: fc.constantFrom(0, 10, 100, 1000) }),
      fc.integer({ min: 1, max: 1000 }),
      (nodeSpecs, incoming, seed) => {
        const nodes = nodeSpecs.map((pods, i) => {
          const node = makeNode({ name: `n${i}`, cpu: '1', memory: '4Gi' });
          pods.forEach((p, j) => bind(makePod({ name: `p${i}-${j}`, cpuMilli: Math.min(p.cpu, 1000 - node.info.requested.cpuMilli), memoryBytes: Mi, priority: p.priority }), node));
          return node;
        });
        const priorities = new BoundPriorities();
        for (const node of nodes) for (const pod of node.info.pods) priorities.add(pod);
        const pod = makePod({ name: 'incoming', cpuMilli: incoming.cpu, memoryBytes: Mi, priority: incoming.priority });
        const snapshot = makeSnapshot(nodes);
        const cycle = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(seed).stream('t')).schedule(pod, snapshot, new Map());
        if (cycle.node) return;
        const oldStream = new RandomStreams(seed).stream('p');
        const newStream = new RandomStreams(seed).stream('p');
        const old = new DefaultPreemption(noBudgets, oldStream).preempt(pod, snapshot.nodeInfos, cycle.failures, cycle.activeFilters, cycle.state);
        const now = new DefaultPreemption(noBudgets, newStream).preempt(pod, snapshot.nodeInfos, cycle.unresolvable(), cycle.activeFilters, cycle.state, priorities.lowest());
        assert.deepEqual(describe(now), describe(old));
        assert.equal(newStream.int(1 << 30), oldStream.int(1 << 30), 'the same random draws');
      },
    ),
    { numRuns: 300 },
  );
});

function describe(outcome: ReturnType<DefaultPreemption['preempt']>): unknown {
  if (outcome.kind === 'failed') return outcome;
  return { node: outcome.candidate.nodeInfo.node.name, victims: outcome.candidate.victims.map((v) => v.name) };
}

test('three equal nodes, all priority 0: a priority-0 pod finds no victim without scanning them', () => {
  const nodes = ['a', 'b', 'c'].map((name) => makeNode({ name, cpu: '1', memory: '4Gi' }));
  const priorities = new BoundPriorities();
  for (const node of nodes) priorities.add(bind(makePod({ name: `full-${node.name}`, cpuMilli: 1000, memoryBytes: Mi }), node));
  assert.equal(priorities.lowest(), 0);
  const pod = makePod({ name: 'p', cpuMilli: 500, memoryBytes: Mi });
  const snapshot = makeSnapshot(nodes);
  const cycle = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t')).schedule(pod, snapshot, new Map());
  const outcome = new DefaultPreemption(noBudgets, new RandomStreams(1).stream('p')).preempt(pod, snapshot.nodeInfos, cycle.unresolvable(), cycle.activeFilters, cycle.state, priorities.lowest());
  assert.deepEqual(outcome, { kind: 'failed', message: 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' });
});

test('BoundPriorities: the lowest priority on nodes follows adds and removes; a second remove is ignored', () => {
  const priorities = new BoundPriorities();
  assert.equal(priorities.lowest(), Infinity);
  const low = makePod({ name: 'low', cpuMilli: 1, memoryBytes: 1, priority: -5 });
  const high = makePod({ name: 'high', cpuMilli: 1, memoryBytes: 1, priority: 100 });
  priorities.add(low);
  priorities.add(high);
  priorities.add(low);
  assert.equal(priorities.lowest(), -5);
  priorities.remove(low);
  priorities.remove(low);
  assert.equal(priorities.lowest(), 100);
  priorities.remove(high);
  assert.equal(priorities.lowest(), Infinity);
});

test('a failing pod: the verdicts of 3 full nodes are one shared object, counted 3 times in the message', () => {
  const nodes = ['a', 'b', 'c'].map((name) => makeNode({ name, cpu: '1', memory: '4Gi' }));
  for (const node of nodes) bind(makePod({ name: `full-${node.name}`, cpuMilli: 800, memoryBytes: Mi }), node);
  const pod = makePod({ name: 'p', cpuMilli: 500, memoryBytes: Mi });
  const cycle = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t')).schedule(pod, makeSnapshot(nodes), new Map());
  assert.equal(cycle.node, null);
  assert.deepEqual(cycle.failedNodes.map((n) => n.node.name).sort(), ['a', 'b', 'c']);
  assert.equal(new Set(cycle.failedVerdicts).size, 1);
  assert.deepEqual([...cycle.failures.keys()], cycle.failedNodes);
  assert.equal(cycle.unresolvable().size, 0); // 500m <= 1000m allocatable: preemption could help
  assert.equal(fitErrorMessage(3, cycle.failedVerdicts), '0/3 nodes are available: 3 Insufficient cpu.');
  // A pod larger than any node: unresolvable, a different shared verdict.
  const huge = makePod({ name: 'huge', cpuMilli: 1500, memoryBytes: Mi });
  const big = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t')).schedule(huge, makeSnapshot(nodes), new Map());
  assert.equal(big.unresolvable().size, 3);
  assert.notEqual(big.failedVerdicts[0], cycle.failedVerdicts[0]);
});

test('NodeResourcesFit verdicts (shared or not) equal the upstream reasons and resolvability (property)', () => {
  const fit = new NodeResourcesFit();
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 3 }),
      (usedCpu, cpu, usedGi, memGi, pods) => {
        const node = makeNode({ name: 'n', cpu: '2', memory: '4Gi', pods: 3 });
        for (let i = 0; i < pods; i++) bind(makePod({ name: `f${i}`, cpuMilli: i === 0 ? usedCpu : 0, memoryBytes: i === 0 ? usedGi * 256 * Mi : 0 }), node);
        const pod = makePod({ name: 'p', cpuMilli: cpu, memoryBytes: memGi * 512 * Mi });
        const verdict = fit.filter(new Map(), pod, node.info);
        const requested = node.info.requested;
        const reasons: string[] = [];
        let unresolvable = true;
        if (pods + 1 > 3) (reasons.push('Too many pods'), (unresolvable = false));
        if (cpu > 0 && cpu > 2000 - requested.cpuMilli) (reasons.push('Insufficient cpu'), cpu <= 2000 && (unresolvable = false));
        const mem = memGi * 512 * Mi;
        if (mem > 0 && mem > 4096 * Mi - requested.memoryBytes) (reasons.push('Insufficient memory'), mem <= 4096 * Mi && (unresolvable = false));
        if (reasons.length === 0) assert.equal(verdict, null);
        else assert.deepEqual({ ...verdict, reasons: [...verdict!.reasons] }, { plugin: 'NodeResourcesFit', reasons, unresolvable });
      },
    ),
    { numRuns: 500 },
  );
});

test('spread domain sums: a taint update keeps them, a label change rebuilds them', () => {
  const counts = new SpreadCounts(() => 1);
  const node = makeNode({ name: 'n', cpu: '1', memory: '1Gi', labels: { 'topology.kubernetes.io/zone': 'a' } });
  counts.nodeUpdated(node); // first sight: rebuild
  const epoch = counts.nodeEpoch;
  node.taints = [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }];
  counts.nodeUpdated(node);
  assert.equal(counts.nodeEpoch, epoch);
  node.labels['topology.kubernetes.io/zone'] = 'b';
  counts.nodeUpdated(node);
  assert.equal(counts.nodeEpoch, epoch + 1);
});

/** Pods of a few ReplicaSets (one spec object each, as the ReplicaSet controller creates them),
 *  arriving in bursts on too few nodes: returns every scheduling event, in order. */
function runBursts(rsPlans: readonly { cpu: number; prio: number }[], bursts: readonly { rs: number; count: number; atS: number }[], nodes: number, seed: number, reuse: boolean): string[] {
  const sim = new Simulation();
  const cluster = new ApiServer(sim, new RandomStreams(seed));
  new Kubelet(cluster, manifestTiming);
  new Scheduler(cluster, {
    profile: defaultProfile(),
    budgets: { splitByBudget: (victims) => ({ violating: [], nonViolating: victims.slice() }) },
    ownerSelector: (pod) => (pod.owner ? { matchLabels: { app: pod.labels.app } } : null),
    reuseFailedAttempts: reuse,
  });
  const events: string[] = [];
  cluster.onEvent((e) => {
    if (e.type === 'Scheduled' || e.type === 'FailedScheduling' || e.type === 'Preempted') events.push(`${e.type} ${e.object} ${e.node} ${e.message}`);
  });
  for (let i = 0; i < nodes; i++) {
    sim.schedule(i * 20_000, Phase.Node, () => {
      const node = cluster.addNode({
        name: `n${i}`,
        labels: { [LABEL_HOSTNAME]: `n${i}`, [LABEL_ZONE]: `z${i % 2}` },
        taints: [],
        capacity: toResourceList({ cpu: 2000, memory: 8 * Gi }),
        allocatable: toResourceList({ cpu: 2000, memory: 8 * Gi }),
        allocatablePods: 110,
        pool: null,
        zone: `z${i % 2}`,
        instanceType: null,
        capacityType: 'on-demand',
        priceUsdPerHour: 0,
      });
      cluster.markNodeReady(node);
    });
  }
  const specs: PodSpec[] = rsPlans.map((r) => ({
    containers: [{ name: 'c', requests: { cpu: r.cpu, memory: Gi }, limits: {} }],
    initContainers: [],
    tolerations: [],
    topologySpreadConstraints: [],
    terminationGracePeriodSeconds: 30,
    restartPolicy: 'Always',
    hasLocalStorage: false,
    priority: r.prio,
  }));
  let n = 0;
  for (const b of bursts) {
    sim.schedule(b.atS * 1000, Phase.Controller, () => {
      const rs = b.rs % rsPlans.length;
      for (let k = 0; k < b.count; k++) {
        cluster.createPod({ name: `rs${rs}-${n++}`, namespace: 'default', labels: { app: `app${rs}` }, annotations: {}, owner: { kind: 'ReplicaSet', name: `rs${rs}`, controller: true } as Pod['owner'], spec: specs[rs] });
      }
    });
  }
  sim.runUntil(600_000);
  return events;
}

test('property: an identical pod failing again takes over the last failure, with the same events as filtering afresh', () => {
  let reusedSomewhere = false;
  fc.assert(
    fc.property(
      fc.array(fc.record({ cpu: fc.integer({ min: 300, max: 1500 }), prio: fc.constantFrom(0, 0, 100) }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.record({ rs: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 1, max: 8 }), atS: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 1000 }),
      (rsPlans, bursts, nodes, seed) => {
        const afresh = runBursts(rsPlans, bursts, nodes, seed, false);
        const reused = runBursts(rsPlans, bursts, nodes, seed, true);
        assert.deepEqual(reused, afresh);
        if (afresh.some((e) => e.startsWith('FailedScheduling'))) reusedSomewhere = true;
      },
    ),
    { numRuns: 150 },
  );
  assert.ok(reusedSomewhere, 'some runs had pods failing');
});

test('sameSchedulingInputs: one ReplicaSet spec and labels alike; another priority or label is not', () => {
  const a = makePod({ name: 'a', cpuMilli: 100, memoryBytes: Mi, labels: { app: 'web' } });
  const b = { ...makePod({ name: 'b', cpuMilli: 100, memoryBytes: Mi, labels: { app: 'web' } }), spec: a.spec };
  assert.equal(sameSchedulingInputs(a, b), true);
  assert.equal(sameSchedulingInputs(a, { ...b, labels: { app: 'web', extra: '1' } }), false);
  assert.equal(sameSchedulingInputs(a, { ...b, spec: { ...a.spec } }), false); // another spec object: another template
  assert.equal(sameSchedulingInputs(a, { ...b, priority: 5 }), false);
  assert.equal(sameSchedulingInputs(a, { ...b, nominatedNodeName: 'n1' }), false);
});
