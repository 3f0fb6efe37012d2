// Controllers against upstream arithmetic: ReplicaSet deletion order (§6.3), rolling-update
// fenceposts (§6.2), PDB budgets (§6.4, seed E13-E15), admission (seed E16, E17).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { ApiServer } from '../src/api/apiServer.ts';
import { compareForDeletion, relatedOnSameNode } from '../src/controllers/replicaSet.ts';
import { resolveFenceposts } from '../src/controllers/deployment.ts';
import { evict, pdbStatus } from '../src/api/eviction.ts';
import type { Deployment } from '../src/api/workloads.ts';
import type { LimitRangeObject, PdbObject, ResourceQuotaObject } from '../src/model/objects.ts';
import type { Pod, PodSpec } from '../src/model/pod.ts';
import { bind, makeNode, makePod } from './support/cluster.ts';

const Mi = 1024 * 1024;
const source = { file: 'test', line: 1 };
const meta = (name: string, namespace = 'demo') => ({ name, namespace, labels: {}, annotations: {} });

test('ReplicaSet scale-down order follows ActivePodsWithRanks', () => {
  const now = 3_600_000;
  const node = makeNode({ name: 'n' });
  const other = makeNode({ name: 'm' });
  const unassigned = makePod({ name: 'unassigned' });
  const notReady = bind(makePod({ name: 'not-ready' }), node);
  notReady.phase = 'Running';
  const readyOld = bind(makePod({ name: 'ready-old' }), other);
  Object.assign(readyOld, { phase: 'Running', ready: true, readyMs: 0 });
  const readyNew = bind(makePod({ name: 'ready-new' }), other);
  Object.assign(readyNew, { phase: 'Running', ready: true, readyMs: now - 1000 }); // ready 1 s: log bucket much lower
  const costly = bind(makePod({ name: 'costly', annotations: { 'controller.kubernetes.io/pod-deletion-cost': '100' } }), node);
  Object.assign(costly, { phase: 'Running', ready: true, readyMs: now - 1000 });
  const pods: Pod[] = [costly, readyOld, readyNew, notReady, unassigned];
  const ranks = relatedOnSameNode(pods);
  const order = pods.slice().sort((a, b) => compareForDeletion(a, b, now, ranks)).map((p) => p.name);
  // 1 unassigned first; 3 not-ready before ready; 4 deletion cost 100 goes last among ready;
  // 6 ready for a shorter time first (1 s vs 1 h are in different log2 buckets).
  assert.deepEqual(order, ['unassigned', 'not-ready', 'ready-new', 'ready-old', 'costly']);
});

test('rolling-update fenceposts: surge rounds up, unavailable down, never both zero (§6.2)', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts(1, 1, 3), { surge: 1, unavailable: 1 }); // seed E21
  assert.deepEqual(resolveFenceposts('0%', '10%', 5), { surge: 0, unavailable: 1 }); // floor(0.5)=0 -> 1
  assert.deepEqual(resolveFenceposts(2, 3, 2), { surge: 2, unavailable: 2 }); // E22's 3 capped at replicas
});

function readyPods(cluster: ApiServer, n: number, labels: Record<string, string>): Pod[] {
  const node = makeNode({ name: `node-${n}`, cpu: '64', memory: '256Gi' });
  return Array.from({ length: n }, (_, i) => {
    const pod = bind(makePod({ name: `demo-${i}`, namespace: 'demo', labels }), node);
    Object.assign(pod, { phase: 'Running', ready: true, readyMs: 0, startedMs: 0 });
    cluster.pods.set(pod.uid, pod);
    return pod;
  });
}

function pdb(spec: Partial<PdbObject['spec']>): PdbObject {
  return {
    kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: meta('demo-pdb'), source,
    spec: { selector: { matchLabels: { app: 'demo' } }, unhealthyPodEvictionPolicy: 'IfHealthyBudget', ...spec },
  };
}

/** A Deployment of `replicas` in the API, for the PDB's expected count (its scale). */
function deployment(cluster: ApiServer, replicas: number): void {
  cluster.workloads.register('Deployment/demo/demo', 'Deployment');
  cluster.deployments.add({ kind: 'Deployment', ref: 'Deployment/demo/demo', namespace: 'demo', name: 'demo', replicas } as Deployment);
}

test('PDB budgets: minAvailable 3 (E13), maxUnavailable 10% (E14), 50% of 7 rounds up to 4 (E15)', () => {
  const cluster = new ApiServer(new Simulation(), new RandomStreams(1));
  const pods = readyPods(cluster, 7, { app: 'demo' });
  pods.forEach((p) => (p.workload = 'Deployment/demo/demo'));
  deployment(cluster, 7);
  // E13: minAvailable 3 of 7 healthy -> 4 disruptions allowed
  assert.deepEqual(pdbStatus(cluster, pdb({ minAvailable: 3 })), { expectedCount: 7, desiredHealthy: 3, currentHealthy: 7, disruptionsAllowed: 4 });
  // E14: maxUnavailable 10% of 7 = ceil(0.7) = 1 -> desired 6, one disruption allowed
  assert.equal(pdbStatus(cluster, pdb({ maxUnavailable: '10%' })).disruptionsAllowed, 1);
  // E15: 50% of 7 pods "rounds to 4" (upstream rounds percentages up): minAvailable 50% -> 4 must stay
  assert.equal(pdbStatus(cluster, pdb({ minAvailable: '50%' })).desiredHealthy, 4);
  // The expected count is the owner's scale, not the pods that exist: scaled to 10, 10% is one.
  cluster.deployments.get('Deployment/demo/demo')!.replicas = 10;
  assert.deepEqual(pdbStatus(cluster, pdb({ maxUnavailable: '10%' })), { expectedCount: 10, desiredHealthy: 9, currentHealthy: 7, disruptionsAllowed: 0 });
});

test('the Eviction API refuses what a PDB forbids (429) and allows the rest', () => {
  const cluster = new ApiServer(new Simulation(), new RandomStreams(1));
  const pods = readyPods(cluster, 3, { app: 'demo' });
  cluster.podDisruptionBudgets.add(pdb({ minAvailable: 2 }));
  assert.deepEqual(evict(cluster, pods[0], 'drain'), { ok: true });
  assert.equal(pods[0].deletionMs, 0);
  const refused = cluster.evict(pods[1], 'drain');
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.status === 429 && /disruption budget demo-pdb/.test(refused.message));
});

function spec(resources: PodSpec['containers'][0]['requests'] = {}, limits: PodSpec['containers'][0]['limits'] = {}): PodSpec {
  return {
    containers: [{ name: 'demo', requests: resources, limits }],
    initContainers: [], tolerations: [], topologySpreadConstraints: [],
    terminationGracePeriodSeconds: 30, restartPolicy: 'Always', hasLocalStorage: false,
  };
}

test('E16: the 101st pod is refused with the upstream quota message', () => {
  const cluster = new ApiServer(new Simulation(), new RandomStreams(1));
  const quota: ResourceQuotaObject = { kind: 'ResourceQuota', apiVersion: 'v1', metadata: meta('demo-resourcequota'), source, spec: { hard: { pods: 100 }, scopes: [] } };
  cluster.addResourceQuota(quota);
  for (let i = 0; i < 100; i++) {
    const result = cluster.createPod({ name: `demo-${i}`, namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec() });
    assert.ok('pod' in result);
  }
  const refused = cluster.createPod({ name: 'demo', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec() });
  assert.deepEqual(refused, { error: 'pods "demo" is forbidden: exceeded quota: demo-resourcequota, requested: pods=1, used: pods=100, limited: pods=100' });
  // A deleted pod frees its share of the quota.
  cluster.deletePod(cluster.podByKey('demo', 'demo-0')!, 'Killed', 'test');
  assert.ok('pod' in cluster.createPod({ name: 'demo', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec() }));
});

test('quota on compute resources: requests must be given, and sums are shown as quantities', () => {
  const cluster = new ApiServer(new Simulation(), new RandomStreams(1));
  cluster.addResourceQuota({ kind: 'ResourceQuota', apiVersion: 'v1', metadata: meta('compute'), source, spec: { hard: { 'requests.cpu': 1000, 'requests.memory': 1024 * Mi }, scopes: [] } });
  const none = cluster.createPod({ name: 'bare', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec() });
  assert.deepEqual(none, { error: 'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu,requests.memory' });
  assert.ok('pod' in cluster.createPod({ name: 'a', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec({ cpu: 800, memory: 512 * Mi }) }));
  const over = cluster.createPod({ name: 'b', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec({ cpu: 500, memory: 256 * Mi }) });
  assert.deepEqual(over, { error: 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1' });
});

test('E17: LimitRange defaults fill missing requests and limits; max is enforced', () => {
  const cluster = new ApiServer(new Simulation(), new RandomStreams(1));
  const range: LimitRangeObject = {
    kind: 'LimitRange', apiVersion: 'v1', metadata: meta('demo-limitrange'), source,
    spec: { limits: [{ type: 'Container', default: { cpu: 500, memory: 256 * Mi }, defaultRequest: { cpu: 200, memory: 128 * Mi }, max: { cpu: 2000 } }] },
  };
  cluster.addLimitRange(range);
  const result = cluster.createPod({ name: 'demo', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec() });
  assert.ok('pod' in result);
  assert.deepEqual(result.pod.spec.containers[0].requests, { cpu: 200, memory: 128 * Mi });
  assert.deepEqual(result.pod.spec.containers[0].limits, { cpu: 500, memory: 256 * Mi });
  assert.equal(result.pod.requests.cpuMilli, 200);
  assert.equal(result.pod.qos, 'Burstable');
  const greedy = cluster.createPod({ name: 'greedy', namespace: 'demo', labels: {}, annotations: {}, owner: null, spec: spec({ cpu: 3000 }, { cpu: 4000 }) });
  assert.deepEqual(greedy, { error: 'pods "greedy" is forbidden: maximum cpu usage per Container is 2, but limit is 4' });
});
