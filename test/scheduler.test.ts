// The scheduling cycle: scores from the upstream formulas computed by hand, node sampling,
// FailedScheduling messages, preemption, and the invariant that no node is over-committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { ApiServer } from '../src/api/apiServer.ts';
import { Kubelet, manifestTiming } from '../src/kubelet/kubelet.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { SchedulingAlgorithm, fitErrorMessage, numFeasibleNodesToFind } from '../src/scheduler/algorithm.ts';
import { DefaultPreemption } from '../src/scheduler/preemption.ts';
import { leastAllocated, mostAllocated, NodeResourcesFit } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { balancedScore } from '../src/scheduler/plugins/nodeResourcesBalancedAllocation.ts';
import { toResourceList } from '../src/model/resources.ts';
import type { PodSpec } from '../src/model/pod.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

test('E27: a 600m pod goes to the node with 1,800m free, with the scores computed by hand', () => {
  // Seed notes E27. Both nodes: 2 CPU, 4Gi. node-a holds 1100m/1Gi (900m free), node-b 200m/1Gi.
  const a = makeNode({ name: 'node-a', cpu: '2', memory: '4Gi' });
  const b = makeNode({ name: 'node-b', cpu: '2', memory: '4Gi' });
  bind(makePod({ name: 'filler-a', cpuMilli: 1100, memoryBytes: Gi }), a);
  bind(makePod({ name: 'filler-b', cpuMilli: 200, memoryBytes: Gi }), b);
  const web = makePod({ name: 'web', cpuMilli: 600, memoryBytes: 512 * Mi });
  // LeastAllocated: a: cpu (2000-1700)*100/2000 = 15, mem (4096-1536)*100/4096 = 62 -> (15+62)/2 = 38
  //                 b: cpu (2000-800)*100/2000 = 60, mem 62 -> (60+62)/2 = 61
  // BalancedAllocation: a: |0.85-0.375|/2 = 0.2375 -> 76; b: |0.4-0.375|/2 = 0.0125 -> 98
  // TaintToleration: no taints -> 100 on both, weight 3 -> 300.  Totals: a 414, b 459.
  const algorithm = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t'));
  const snapshot = makeSnapshot([a, b]);
  assert.deepEqual(algorithm.prioritize(web, [a.info, b.info], snapshot, new Map()), [414, 459]);
  assert.equal(algorithm.schedule(web, snapshot, new Map()).node?.node.name, 'node-b');
});

test('LeastAllocated, MostAllocated and BalancedAllocation formulas (int64 truncation)', () => {
  assert.equal(leastAllocated(1700, 2000), 15);
  assert.equal(leastAllocated(1536 * Mi, 4096 * Mi), 62); // 62.5 truncated
  assert.equal(leastAllocated(2100, 2000), 0); // over-requested scores 0
  assert.equal(mostAllocated(1700, 2000), 85);
  assert.equal(mostAllocated(2500, 2000), 100); // capped at allocatable
  assert.equal(balancedScore([0.85, 0.375]), 76);
  assert.equal(balancedScore([0.5, 0.5]), 100);
  assert.equal(balancedScore([1, 0]), 50);
});

test('MostAllocated packs: the fuller node wins', () => {
  const a = makeNode({ name: 'a', cpu: '2', memory: '4Gi' });
  const b = makeNode({ name: 'b', cpu: '2', memory: '4Gi' });
  bind(makePod({ name: 'x', cpuMilli: 1100, memoryBytes: Gi }), a);
  const pod = makePod({ name: 'p', cpuMilli: 600, memoryBytes: 512 * Mi });
  const algorithm = new SchedulingAlgorithm(defaultProfile({ scoringStrategy: 'MostAllocated' }), new RandomStreams(1).stream('t'));
  assert.equal(algorithm.schedule(pod, makeSnapshot([a, b]), new Map()).node?.node.name, 'a');
});

test('numFeasibleNodesToFind: adaptive percentage (reference §4.3)', () => {
  assert.equal(numFeasibleNodesToFind(50, 0), 50); // under 100 nodes: all
  assert.equal(numFeasibleNodesToFind(100, 0), 100); // 50% = 50 < 100 -> 100
  assert.equal(numFeasibleNodesToFind(1213, 0), 497); // pct = 50 - 9 = 41 -> 497
  assert.equal(numFeasibleNodesToFind(5000, 0), 500); // pct 10
  assert.equal(numFeasibleNodesToFind(6000, 0), 300); // pct floors at 5
  assert.equal(numFeasibleNodesToFind(1000, 20), 200); // fixed percentage
});

test('FailedScheduling message in the upstream form', () => {
  const nodes = [1, 2, 3].map((i) => makeNode({ name: `n${i}`, cpu: '4', memory: '1Gi' }));
  const pod = makePod({ name: 'big', cpuMilli: 100, memoryBytes: 2 * Gi });
  const algorithm = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t'));
  const result = algorithm.schedule(pod, makeSnapshot(nodes), new Map());
  assert.equal(result.node, null);
  assert.equal(fitErrorMessage(3, result.failures.values()), '0/3 nodes are available: 3 Insufficient memory.');
  // Mixed reasons are counted and sorted as strings.
  nodes[0].unschedulable = true;
  const mixed = algorithm.schedule(pod, makeSnapshot(nodes), new Map());
  assert.equal(fitErrorMessage(3, mixed.failures.values()), '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory.');
});

test('NodeResourcesFit: pods count, extended resources, and requests beyond allocatable are unresolvable', () => {
  const fit = new NodeResourcesFit();
  const node = makeNode({ name: 'gpu', cpu: '8', memory: '32Gi', pods: 1, extra: { 'nvidia.com/gpu': 2 } });
  const gpuPod = makePod({ name: 'train', cpuMilli: 1000, memoryBytes: Gi, extraRequests: { 'nvidia.com/gpu': 4 } });
  const failure = fit.filter(new Map(), gpuPod, node.info);
  assert.deepEqual(failure?.reasons, ['Insufficient nvidia.com/gpu']);
  assert.equal(failure?.unresolvable, true); // 4 GPUs will never fit on a 2-GPU node
  bind(makePod({ name: 'first', cpuMilli: 100, memoryBytes: Mi }), node);
  const second = makePod({ name: 'second', cpuMilli: 100, memoryBytes: Mi });
  assert.deepEqual(fit.filter(new Map(), second, node.info), { plugin: 'NodeResourcesFit', reasons: ['Too many pods'], unresolvable: false });
});

test('preemption evicts the fewest, least important pods and prefers the node with the lowest victims', () => {
  // n1 holds low (prio 0, 500m) and low10 (prio 10, 500m); n2 holds mid (prio 100, 1000m).
  // A 500m pod of prio 1000: on n1, remove both, reprieve low10 (fits), low is the victim;
  // on n2, mid is the victim. Lowest highest-victim priority: n1 with [low].
  const n1 = makeNode({ name: 'n1', cpu: '1', memory: '4Gi' });
  const n2 = makeNode({ name: 'n2', cpu: '1', memory: '4Gi' });
  bind(makePod({ name: 'low', cpuMilli: 500, memoryBytes: Mi, priority: 0 }), n1);
  bind(makePod({ name: 'low10', cpuMilli: 500, memoryBytes: Mi, priority: 10 }), n1);
  bind(makePod({ name: 'mid', cpuMilli: 1000, memoryBytes: Mi, priority: 100 }), n2);
  const high = makePod({ name: 'high', cpuMilli: 500, memoryBytes: Mi, priority: 1000 });
  const profile = defaultProfile();
  const algorithm = new SchedulingAlgorithm(profile, new RandomStreams(1).stream('t'));
  const snapshot = makeSnapshot([n1, n2]);
  const cycle = algorithm.schedule(high, snapshot, new Map());
  assert.equal(cycle.node, null);
  const noBudgets = { splitByBudget: (pods: readonly import('../src/model/pod.ts').Pod[]) => ({ violating: [], nonViolating: pods.slice() }) };
  const outcome = new DefaultPreemption(noBudgets, new RandomStreams(1).stream('p')).preempt(high, snapshot.nodeInfos, cycle.failures, cycle.activeFilters, cycle.state);
  assert.equal(outcome.kind, 'nominated');
  if (outcome.kind === 'nominated') {
    assert.equal(outcome.candidate.nodeInfo.node.name, 'n1');
    assert.deepEqual(outcome.candidate.victims.map((v) => v.name), ['low']);
  }
  // A pod that may not preempt says why.
  const polite = makePod({ name: 'polite', cpuMilli: 500, memoryBytes: Mi, priority: 1000, preemptionPolicy: 'Never' });
  const again = algorithm.schedule(polite, snapshot, new Map());
  const refused = new DefaultPreemption(noBudgets, new RandomStreams(1).stream('p')).preempt(polite, snapshot.nodeInfos, again.failures, again.activeFilters, again.state);
  assert.deepEqual(refused, { kind: 'failed', message: 'preemption: not eligible due to preemptionPolicy=Never.' });
});

test('preemption is not helpful when nodes fail for unresolvable reasons', () => {
  const node = makeNode({ name: 'tainted', cpu: '4', memory: '4Gi', taints: [{ key: 'gpu', effect: 'NoSchedule' }] });
  const pod = makePod({ name: 'p', cpuMilli: 100, memoryBytes: Mi, priority: 1000 });
  const algorithm = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t'));
  const snapshot = makeSnapshot([node]);
  const cycle = algorithm.schedule(pod, snapshot, new Map());
  const message = fitErrorMessage(1, cycle.failures.values());
  assert.equal(message, "0/1 nodes are available: 1 node(s) had untolerated taint {gpu: }.");
  const noBudgets = { splitByBudget: () => ({ violating: [], nonViolating: [] }) };
  const outcome = new DefaultPreemption(noBudgets, new RandomStreams(1).stream('p')).preempt(pod, snapshot.nodeInfos, cycle.failures, cycle.activeFilters, cycle.state);
  assert.deepEqual(outcome, { kind: 'failed', message: 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.' });
});

/** A cluster with the real scheduler and kubelets, for end-to-end scheduling checks. */
function liveCluster(seed: number) {
  const sim = new Simulation();
  const cluster = new ApiServer(sim, new RandomStreams(seed));
  new Kubelet(cluster, manifestTiming);
  const scheduler = new Scheduler(cluster, {
    profile: defaultProfile(),
    budgets: { splitByBudget: (pods) => ({ violating: [], nonViolating: pods.slice() }) },
    ownerSelector: () => null,
  });
  return { sim, cluster, scheduler };
}

function podSpec(cpuMilli: number, memoryBytes: number): PodSpec {
  return {
    containers: [{ name: 'c', requests: { cpu: cpuMilli, memory: memoryBytes }, limits: {} }],
    initContainers: [],
    tolerations: [],
    topologySpreadConstraints: [],
    terminationGracePeriodSeconds: 30,
    restartPolicy: 'Always',
    hasLocalStorage: false,
  };
}

test('property: whatever the pods and nodes, no node is ever over-committed on requests', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ cpu: fc.integer({ min: 500, max: 8000 }), mem: fc.integer({ min: 1, max: 32 }), pods: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 3000 }), mem: fc.integer({ min: 0, max: 8192 }), prio: fc.integer({ min: 0, max: 3 }) }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 1000 }),
      (nodeSpecs, podSpecs, seed) => {
        const { sim, cluster } = liveCluster(seed);
        nodeSpecs.forEach((n, i) => {
          const node = cluster.addNode({
            name: `n${i}`,
            labels: { 'kubernetes.io/hostname': `n${i}` },
            taints: [],
            capacity: toResourceList({ cpu: n.cpu, memory: n.mem * Gi }),
            allocatable: toResourceList({ cpu: n.cpu, memory: n.mem * Gi }),
            allocatablePods: n.pods,
            pool: null,
            zone: null,
            instanceType: null,
            capacityType: 'on-demand',
            priceUsdPerHour: 0,
          });
          cluster.markNodeReady(node);
        });
        podSpecs.forEach((p, i) => {
          const spec = podSpec(p.cpu, p.mem * Mi);
          spec.priority = p.prio * 100;
          cluster.createPod({ name: `p${i}`, namespace: 'default', labels: {}, annotations: {}, owner: null, spec });
        });
        sim.runUntil(60_000);
        for (const node of cluster.nodes) {
          const info = node.info;
          assert.ok(info.requested.cpuMilli <= node.allocatable.cpuMilli, `${node.name} cpu over-committed`);
          assert.ok(info.requested.memoryBytes <= node.allocatable.memoryBytes, `${node.name} memory over-committed`);
          assert.ok(info.pods.length <= node.allocatablePods, `${node.name} has too many pods`);
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('an unschedulable pod is retried and placed when a node joins', () => {
  const { sim, cluster, scheduler } = liveCluster(1);
  const events: string[] = [];
  cluster.onEvent((e) => events.push(`${e.tMs} ${e.type} ${e.message}`));
  cluster.createPod({ name: 'waiting', namespace: 'default', labels: {}, annotations: {}, owner: null, spec: podSpec(1000, Gi) });
  sim.runUntil(10_000);
  assert.equal(scheduler.pendingCount, 1);
  assert.ok(events.includes('0 FailedScheduling no nodes available to schedule pods'));
  sim.schedule(20_000, 1, () => {
    const node = cluster.addNode({
      name: 'late', labels: {}, taints: [], capacity: toResourceList({ cpu: 2000, memory: 4 * Gi }), allocatable: toResourceList({ cpu: 2000, memory: 4 * Gi }),
      allocatablePods: 110, pool: null, zone: null, instanceType: null, capacityType: 'on-demand', priceUsdPerHour: 0,
    });
    cluster.markNodeReady(node);
  });
  sim.runUntil(30_000);
  assert.equal(scheduler.pendingCount, 0);
  assert.ok(events.includes('20000 Scheduled Successfully assigned default/waiting to late'), events.join('\n'));
});

test('deleting a pod that was only nominated requeues the pods its reservation kept out (NodeResourcesFit and NodePorts hints)', () => {
  // "low" (priority 0) holds the node; "high" (100) preempts it and is nominated while low
  // terminates (30 s grace); "mid" (50) then fails: low still holds the room, and high's
  // nomination reserves it for pods of higher priority. Deleting high at 5 s must retry mid at
  // once (fit.go isSchedulableAfterPodEvent and node_ports.go isSchedulableAfterPodDeleted queue
  // for a deleted pod with a NominatedNodeName), not at low's removal at 30 s.
  const cases: [string, (spec: PodSpec) => void, number][] = [
    ['NodeResourcesFit', () => {}, 1500],
    ['NodePorts', (spec) => (spec.containers[0].hostPorts = [{ hostPort: 80, protocol: 'TCP' }]), 100],
  ];
  for (const [plugin, withPort, cpuMilli] of cases) {
    const { sim, cluster, scheduler } = liveCluster(1);
    const node = cluster.addNode({
      name: 'n', labels: {}, taints: [], capacity: toResourceList({ cpu: 2000, memory: 4 * Gi }), allocatable: toResourceList({ cpu: 2000, memory: 4 * Gi }),
      allocatablePods: 110, pool: null, zone: null, instanceType: null, capacityType: 'on-demand', priceUsdPerHour: 0,
    });
    cluster.markNodeReady(node);
    const create = (name: string, priority: number, cpu: number) => {
      const spec = podSpec(cpu, Mi);
      spec.priority = priority;
      withPort(spec);
      return cluster.createPod({ name, namespace: 'default', labels: {}, annotations: {}, owner: null, spec });
    };
    create('low', 0, cpuMilli);
    sim.runUntil(0);
    const high = create('high', 100, cpuMilli);
    sim.runUntil(500);
    assert.ok('pod' in high && high.pod.nominatedNodeName === 'n', `${plugin}: high is nominated`);
    sim.schedule(1000, 1, () => create('mid', 50, 1000));
    sim.runUntil(4000);
    const before = scheduler.attempts;
    sim.schedule(5000, 1, () => 'pod' in high && cluster.deletePod(high.pod, 'Killing', 'deleted by the test'));
    sim.runUntil(6000);
    assert.equal(scheduler.attempts, before + 1, `${plugin}: mid is retried when high goes`);
  }
});
