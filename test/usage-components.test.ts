// The kubelet's usage side one component at a time, each through its own narrow interface: the
// Service load balancer, the cgroup OOM killer's alarm, and the HPA's metrics client over a
// metrics API (CPU sharing is in kubelet-cpu.test.ts). Numbers are worked out by hand in the
// comments; the same behaviours end to end are in physics.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceLoadBalancer } from '../src/service/loadBalancer.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { OomKiller } from '../src/kubelet/oomKiller.ts';
import { DEFAULT_KUBELET_CONFIG } from '../src/kubelet/config.ts';
import { Group, NodeRun, Spec, WorkloadRun } from '../src/kubelet/podGroups.ts';
import type { PodRun } from '../src/kubelet/podGroups.ts';
import type { ContainerModel } from '../src/workload/usage.ts';
import type { Node } from '../src/model/node.ts';
import type { Pod } from '../src/model/pod.ts';
import { UsageMetrics } from '../src/controllers/hpa/metrics.ts';
import type { ResourceMetrics, WorkloadMetrics, WorkloadUsage } from '../src/metrics/metricsApi.ts';

const MI = 1024 * 1024;

function model(overrides: Partial<ContainerModel>): ContainerModel {
  return {
    name: 'app', cpuBaseMilli: 0, cpuPerUnitMilli: 0, memBaseBytes: 0, memPerUnitBytes: 0, leakBytesPerMs: 0, memNoise: 0,
    cpuRequestMilli: 0, cpuLimitMilli: Infinity, memRequestBytes: 0, memLimitBytes: Infinity, ...overrides,
  };
}

test('Service: 90 units/s over 3 Ready endpoints is 30 each; served is what they can serve, at most the demand', () => {
  const service = new ServiceLoadBalancer({ at: () => 90, constant: true });
  for (let i = 0; i < 3; i++) service.endpointsChanged(1);
  service.route(0);
  assert.equal(service.demandRate, 90);
  assert.equal(service.load, 30);
  // Two of them are throttled to 25 units/s each, the third serves nothing (its node is down).
  service.capacityChanged(25);
  service.capacityChanged(25);
  service.serve();
  assert.equal(service.servedRate, 50); // 40 units/s unserved
  service.integrate(1000);
  assert.equal(service.demandUnitMs, 90_000);
  assert.equal(service.servedUnitMs, 50_000);
  service.capacityChanged(60); // 110 units/s could be served: capped at the 90 offered
  service.serve();
  assert.equal(service.servedRate, 90);
  for (let i = 0; i < 3; i++) service.endpointsChanged(-1);
  service.route(0);
  assert.equal(service.load, 0, 'no endpoint: the demand reaches no pod');
  const none = new ServiceLoadBalancer(null);
  none.route(0);
  assert.equal(none.demandRate, 0);
});

test('OOM killer: 300Mi + 10Mi/h under a 400Mi limit is killed at 10 h exactly, once, and not after forget', () => {
  const sim = new Simulation();
  const kills: { atMs: number; message: string }[] = [];
  let changed = 0;
  const killer = new OomKiller(sim, {
    kill: (_run, _c, message) => kills.push({ atMs: sim.nowMs, message }),
    groupChanged: () => changed++,
    recompute: () => {},
    refresh: () => {},
    nodeChanged: () => {},
  });
  const leaky = (name: string) => {
    const w = new WorkloadRun(`Deployment/default/${name}`, { demand: null, usage: {}, noise: new RandomStreams(1).stream(name) });
    const node = new NodeRun({ name: 'n1', index: 0, allocatable: { cpuMilli: 4000, memoryBytes: 8192 * MI }, capacity: { cpuMilli: 4000, memoryBytes: 8192 * MI } } as Node, DEFAULT_KUBELET_CONFIG);
    const spec = new Spec(name, [model({ memBaseBytes: 300 * MI, leakBytesPerMs: (10 * MI) / 3_600_000, memLimitBytes: 400 * MI })], 'Burstable', 0);
    spec.update(0, 1, 0);
    const g = new Group(w, node, spec, 0);
    const run: PodRun = { pod: {} as Pod, group: g, starts: [0], cls: 'idle' };
    g.pods.add(run);
    g.running[0] = 1;
    g.idleRunning[0] = 1;
    g.minStart[0] = 0;
    return g;
  };
  const g = leaky('a');
  killer.watch(g, 0);
  killer.watch(g, 0); // a second look plans the same moment: no second alarm
  const forgotten = leaky('b');
  killer.watch(forgotten, 0);
  killer.forget(forgotten);
  sim.runUntil(24 * 3_600_000);
  assert.deepEqual(kills.map((k) => k.atMs), [36_000_000]);
  // 300Mi + 10Mi/h x 10 h: the limit exactly, reported in whole KiB as the kubelet does.
  assert.equal(kills[0].message, 'Memory cgroup out of memory: container app used 400Mi, limit 400Mi');
  assert.equal(changed, 1);
});

test('HPA metrics client: only what the metrics API reports, after one metrics window, rounded as metrics-server does', () => {
  const ref = 'Deployment/default/web';
  const web: WorkloadUsage = {
    demandRate: 50, servedRate: 50, load: 12.5, cpuUsedMilli: 1000, cpuWantMilli: 1000, cpuThrottledMilli: 0, cpuWantMilliMs: 0, cpuThrottledMilliMs: 0, memoryAt: () => 0,
    oomKills: 0, demandUnitMs: 0, servedUnitMs: 0, version: 1,
  };
  const api: ResourceMetrics & WorkloadMetrics = {
    podUsage: (_pod, resource) => (resource === 'cpu' ? 250.0001 : 100 * MI + 0.4),
    nodeUsage: () => ({ cpuMilli: 0, memoryBytes: 0 }),
    workload: (r) => (r === ref ? web : undefined),
  };
  let now = 20_000;
  const metrics = new UsageMetrics(api, () => now);
  const pod = { startedMs: 0, ready: true, workload: ref } as Pod;
  assert.equal(metrics.podResource(pod, 'cpu'), null, 'started 20 s ago: no 30-s window yet');
  now = 60_000;
  assert.equal(metrics.podResource(pod, 'cpu'), 251); // Quantity.MilliValue() rounds up
  assert.equal(metrics.podResource(pod, 'memory'), 100 * MI);
  assert.equal(metrics.podResource(pod, 'nvidia.com/gpu'), null);
  assert.equal(metrics.podDemand(pod), 12.5);
  assert.equal(metrics.podDemand({ ...pod, ready: false } as Pod), 0, 'a pod that is not Ready gets no demand');
  assert.equal(metrics.totalDemand(ref), 50);
  assert.equal(metrics.totalDemand('Deployment/default/other'), null);
});
