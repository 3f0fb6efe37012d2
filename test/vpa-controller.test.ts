// The VPA admission controller and updater against a small cluster (reference/k8s-algorithms.md
// §2.6-§2.8): requests set to the target with proportional limits, and the updater's eviction
// rules (min replicas 2, eviction tolerance 0.5, 12 h lifetime, quick OOM, PDBs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { ApiServer } from '../src/api/apiServer.ts';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import type { UsageHistorySource } from '../src/metrics/metricsApi.ts';
import type { Deployment } from '../src/api/workloads.ts';
import { VpaController, applyRecommendation, proportionalLimit } from '../src/controllers/vpa/controller.ts';
import type { PdbObject, VpaObject } from '../src/model/objects.ts';
import type { PodSpec } from '../src/model/pod.ts';
import type { ProcessedRecommendation } from '../src/controllers/vpa/recommender.ts';

const MI = 1024 * 1024;
const HOUR = 3_600_000;
const REF = 'Deployment/default/web';

function vpaObject(updateMode: VpaObject['spec']['updatePolicy']['updateMode'], minReplicas?: number): VpaObject {
  return {
    kind: 'VerticalPodAutoscaler', apiVersion: 'autoscaling.k8s.io/v1',
    metadata: { name: 'web', namespace: 'default', labels: {}, annotations: {} }, source: { file: 'test', line: 1 },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, updatePolicy: { updateMode, ...(minReplicas ? { minReplicas } : {}) }, resourcePolicy: { containerPolicies: [] } },
  };
}

function template(): PodSpec {
  return {
    containers: [{ name: 'app', requests: { cpu: 500, memory: 1024 * MI }, limits: { cpu: 1000, memory: 1024 * MI } }],
    initContainers: [], tolerations: [], topologySpreadConstraints: [], terminationGracePeriodSeconds: 30, restartPolicy: 'Always', hasLocalStorage: false,
  };
}

/** target 126m / 600Mi, lower 100m / 500Mi, upper 300m / 800Mi. */
const REC: ProcessedRecommendation = {
  target: { cpuMilli: 126, memoryBytes: 600 * MI },
  lower: { cpuMilli: 100, memoryBytes: 500 * MI },
  upper: { cpuMilli: 300, memoryBytes: 800 * MI },
  uncappedTarget: { cpuMilli: 126, memoryBytes: 600 * MI },
};

function setup(opts: { replicas: number; mode?: VpaObject['spec']['updatePolicy']['updateMode']; pdb?: Partial<PdbObject['spec']>; minReplicas?: number }) {
  const sim = new Simulation();
  const cluster = new ApiServer(sim, new RandomStreams(1));
  cluster.workloads.register(REF, 'Deployment');
  cluster.deployments.add({ kind: 'Deployment', ref: REF, namespace: 'default', name: 'web', replicas: opts.replicas } as Deployment);
  if (opts.pdb) {
    cluster.podDisruptionBudgets.add({
      kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: { name: 'web', namespace: 'default', labels: {}, annotations: {} }, source: { file: 'test', line: 1 },
      spec: { selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'IfHealthyBudget', ...opts.pdb },
    });
  }
  const noHistory: UsageHistorySource = {
    workload: () => undefined,
    enableHistory: (stepMs) => ({ stepMs, lastSampleMs: -1, takeCpu: () => {}, takeEndedCpu: () => {}, memoryPeak: () => null, discardBefore: () => {} }),
  };
  const vpa = new VpaController(cluster, sim, noHistory);
  cluster.verticalPodAutoscalers.add(vpaObject(opts.mode ?? 'Auto', opts.minReplicas));
  const events: ClusterEvent[] = [];
  cluster.onEvent((e) => events.push(e));
  const node = cluster.addNode({
    name: 'n1', labels: {}, taints: [], capacity: { cpuMilli: 16000, memoryBytes: 64 * 1024 * MI, ephemeralStorageBytes: 0, scalar: {} },
    allocatable: { cpuMilli: 16000, memoryBytes: 64 * 1024 * MI, ephemeralStorageBytes: 0, scalar: {} }, allocatablePods: 110,
    pool: null, zone: null, instanceType: null, capacityType: 'on-demand', priceUsdPerHour: 0,
  });
  cluster.markNodeReady(node);
  const spec = template();
  const createPods = (n: number) => {
    const pods = [];
    for (let i = 0; i < n; i++) {
      const result = cluster.createPod({ generateName: 'web-', namespace: 'default', labels: { app: 'web' }, annotations: {}, owner: { kind: 'ReplicaSet', name: 'web-1' }, workload: REF, spec });
      if ('error' in result) throw new Error(result.error);
      cluster.bindPod(result.pod, node);
      cluster.markPodStarted(result.pod);
      cluster.setPodReady(result.pod, true);
      pods.push(result.pod);
    }
    return pods;
  };
  return { sim, cluster, vpa, events, spec, createPods, evictions: () => events.filter((e) => e.type === 'VPAEvicted') };
}

test('admission: requests := target; limits in proportion (CPU 1000m × 126/500 = 252m), equal limit follows the request', () => {
  const { vpa, createPods, spec } = setup({ replicas: 1 });
  vpa.vpas[0].recommendation.set('app', REC);
  const [pod] = createPods(1);
  assert.deepEqual(pod.spec.containers[0].requests, { cpu: 126, memory: 600 * MI });
  assert.deepEqual(pod.spec.containers[0].limits, { cpu: 252, memory: 600 * MI });
  assert.equal(pod.requests.cpuMilli, 126, 'the scheduler sees the admitted requests');
  assert.deepEqual(spec.containers[0].requests, { cpu: 500, memory: 1024 * MI }, 'the template is not mutated');
});

test('admission: mode Off and no recommendation leave the pod as written', () => {
  const off = setup({ replicas: 1, mode: 'Off' });
  off.vpa.vpas[0].recommendation.set('app', REC);
  assert.equal(off.createPods(1)[0].spec, off.spec);
  const none = setup({ replicas: 1, mode: 'Auto' });
  assert.equal(none.createPods(1)[0].spec, none.spec);
});

test('proportional limit (GetProportionalLimit): none without a limit, = request when no request, floored ratio', () => {
  assert.equal(proportionalLimit('cpu', undefined, 500, 126), null);
  assert.equal(proportionalLimit('cpu', 1000, undefined, 126), 126);
  assert.equal(proportionalLimit('cpu', 1000, 1000, 126), 126);
  assert.equal(proportionalLimit('cpu', 1000, 300, 126), 420);
  assert.equal(proportionalLimit('memory', 3, 2, 5), 7); // floor(15 / 2)
  // 4Gi × 3Gi / 2Gi stays exact past 2^53 in the intermediate product.
  assert.equal(proportionalLimit('memory', 4 * 1024 * MI, 2 * 1024 * MI, 3 * 1024 * MI), 6 * 1024 * MI);
});

test('RequestsOnly: limits untouched and the target capped at the limit', () => {
  const up = { ...REC, target: { cpuMilli: 2000, memoryBytes: 600 * MI } };
  const c = applyRecommendation(template().containers[0], up, 'RequestsOnly');
  assert.deepEqual(c.requests, { cpu: 1000, memory: 600 * MI });
  assert.deepEqual(c.limits, { cpu: 1000, memory: 1024 * MI });
});

test('updater: no eviction when the group has fewer than minReplicas (2) live pods', () => {
  const { vpa, createPods, evictions } = setup({ replicas: 1 });
  createPods(1);
  vpa.vpas[0].recommendation.set('app', REC); // request 500m > upper 300m: outside the range
  vpa.update();
  assert.equal(evictions().length, 0);
});

test('updater: eviction tolerance 0.5 — 2 replicas lose 1 per pass, 4 replicas lose 2', () => {
  // configured 2: tolerance floor(1) = 1; evict while running − evicted > 2 − 1.
  const two = setup({ replicas: 2 });
  two.createPods(2);
  two.vpa.vpas[0].recommendation.set('app', REC);
  two.vpa.update();
  assert.equal(two.evictions().length, 1);
  assert.equal(two.events.filter((e) => e.type === 'Evicted').length, 1, 'through the Eviction API');
  // configured 4: tolerance 2; evict while running − evicted > 2.
  const four = setup({ replicas: 4 });
  four.createPods(4);
  four.vpa.vpas[0].recommendation.set('app', REC);
  four.vpa.update();
  assert.equal(four.evictions().length, 2);
  // A per-VPA minReplicas above the live count stops it.
  const strict = setup({ replicas: 4, minReplicas: 5 });
  strict.createPods(4);
  strict.vpa.vpas[0].recommendation.set('app', REC);
  strict.vpa.update();
  assert.equal(strict.evictions().length, 0);
});

test('updater: a PDB stops the eviction (maxUnavailable 0), and Initial / Off never evict', () => {
  const guarded = setup({ replicas: 4, pdb: { maxUnavailable: 0 } });
  guarded.createPods(4);
  guarded.vpa.vpas[0].recommendation.set('app', REC);
  guarded.vpa.update();
  assert.equal(guarded.evictions().length, 0);
  assert.equal(guarded.events.filter((e) => e.type === 'Evicted').length, 0);
  // maxUnavailable 1 lets exactly one go even though the tolerance would allow two.
  const one = setup({ replicas: 4, pdb: { maxUnavailable: 1 } });
  one.createPods(4);
  one.vpa.vpas[0].recommendation.set('app', REC);
  one.vpa.update();
  assert.equal(one.evictions().length, 1);
  for (const mode of ['Initial', 'Off'] as const) {
    const s = setup({ replicas: 4, mode });
    s.createPods(4);
    s.vpa.vpas[0].recommendation.set('app', REC);
    s.vpa.update();
    assert.equal(s.evictions().length, 0, mode);
  }
});

test('updater: inside the bounds, a pod is evicted only after 12 h and with ResourceDiff ≥ 0.1', () => {
  // requests 500m / 1Gi inside [100m, 600m] and [500Mi, 2Gi]; target 450m / 1Gi:
  // ResourceDiff = |500 − 450| / 500 + 0 = 0.1.
  const inRange: ProcessedRecommendation = {
    target: { cpuMilli: 450, memoryBytes: 1024 * MI }, lower: { cpuMilli: 100, memoryBytes: 500 * MI },
    upper: { cpuMilli: 600, memoryBytes: 2048 * MI }, uncappedTarget: { cpuMilli: 450, memoryBytes: 1024 * MI },
  };
  const s = setup({ replicas: 4 });
  s.createPods(4);
  s.vpa.vpas[0].recommendation.set('app', inRange);
  s.sim.runUntil(12 * HOUR - 1);
  s.vpa.update();
  assert.equal(s.evictions().length, 0, 'younger than 12 h');
  s.sim.runUntil(12 * HOUR);
  s.vpa.update();
  assert.equal(s.evictions().length, 2);
  // 460m: ResourceDiff 0.08 < 0.1 → never.
  const small = setup({ replicas: 4 });
  small.createPods(4);
  small.vpa.vpas[0].recommendation.set('app', { ...inRange, target: { cpuMilli: 460, memoryBytes: 1024 * MI } });
  small.sim.runUntil(48 * HOUR);
  small.vpa.update();
  assert.equal(small.evictions().length, 0);
});

test('updater: a quick OOM (killed < 10 min after start) is evicted at once when ResourceDiff > 0', () => {
  const inRange: ProcessedRecommendation = {
    target: { cpuMilli: 500, memoryBytes: 1200 * MI }, lower: { cpuMilli: 100, memoryBytes: 500 * MI },
    upper: { cpuMilli: 600, memoryBytes: 2048 * MI }, uncappedTarget: { cpuMilli: 500, memoryBytes: 1200 * MI },
  };
  const s = setup({ replicas: 4 });
  const pods = s.createPods(4);
  s.vpa.vpas[0].recommendation.set('app', inRange);
  s.sim.runUntil(5 * 60_000);
  s.vpa.onEvent({ tMs: s.sim.nowMs, type: 'OOMKilled', object: `Pod/default/${pods[2].name}`, node: 'n1', message: 'Memory cgroup out of memory: container app used 1048576Ki, limit 1Gi' });
  s.vpa.update();
  assert.deepEqual(s.evictions().map((e) => e.object), [`Pod/default/${pods[2].name}`]);
});

test('VPA admission keeps the recommendation within the namespace LimitRange (capping.go)', async () => {
  const { capToLimitRanges } = await import('../src/controllers/vpa/controller.ts');
  const Mi = 2 ** 20;
  const container = { name: 'app', requests: { cpu: 900, memory: 800 * Mi }, limits: { cpu: 1800, memory: 1600 * Mi } };
  const range = {
    kind: 'LimitRange' as const, apiVersion: 'v1', source: { file: 't', line: 1 },
    metadata: { name: 'lr', namespace: 'shop', labels: {}, annotations: {} },
    spec: { limits: [{ type: 'Container' as const, max: { memory: 1024 * Mi, cpu: 1000 }, min: { cpu: 100 } }] },
  };
  const capped = capToLimitRanges(container, [range]);
  // memory: request 800Mi stays, limit 1600Mi capped at the 1Gi max; cpu: limit 1800m capped at 1000m.
  assert.deepEqual(capped.requests, { cpu: 900, memory: 800 * Mi });
  assert.deepEqual(capped.limits, { cpu: 1000, memory: 1024 * Mi });
  const small = capToLimitRanges({ name: 'app', requests: { cpu: 20 }, limits: {} }, [range]);
  assert.deepEqual(small.requests, { cpu: 100 });
});
