// The VPA recommender's input against a sample-by-sample reference: every minute, one CPU and one
// memory sample per running container of every pod, read from the metrics API as metrics-server
// would, fed to upstream's model one by one (a ContainerState per pod's container, OOMs after the
// pass's samples, cluster_feeder.go LoadRealTimeMetrics). capsim's history keeps those samples
// compressed (runs of identical CPU samples, memory as per-spec and per-pod change points) and its
// feeder reads them lazily: the aggregates must come out the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { Phase } from '../src/phases.ts';
import type { Pod } from '../src/model/pod.ts';
import { ContainerState } from '../src/controllers/vpa/containerState.ts';
import { ContainerAggregate, estimate } from '../src/controllers/vpa/recommender.ts';
import type { VpaController } from '../src/controllers/vpa/controller.ts';
import type { Histogram } from '../src/controllers/vpa/histogram.ts';
import { runFile, writeScenario } from './support/run.ts';

const MIN = 60_000;

// Three small nodes; demand moves every 7 minutes (sampleEvery), not at the recommender's minute;
// api has two containers, a 90 s startup (idle samples) and memory noise; hog has no limit and
// contends its node's CPU; leaky is OOM-killed every 15 h; a rollout, a scale-up and a node
// failure move pods around; 50 h cross two memory windows and a daily read-everything pass.
const YAML = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: vpa-history}
spec:
  seed: 3
  duration: 50h
  sampleEvery: 7m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "2", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 3}]
  workloads:
    - name: api
      replicas: 4
      containers:
        - {name: app, resources: {requests: {cpu: 200m, memory: 256Mi}, limits: {cpu: 600m, memory: 1Gi}}}
        - {name: side, resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 100m, memory: 128Mi}}}
    - {name: hog, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}]}
    - {name: leaky, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 300Mi}, limits: {memory: 400Mi}}}]}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 40}, {daily: {amplitude: 0.5, peakAt: "14:00"}}, {noise: {cv: 0.1}}]
      usage:
        app: {cpu: {base: 20m, perUnit: 10m}, memory: {base: 150Mi, perUnit: 1Mi, noise: 0.05}}
        side: {cpu: {base: 5m}, memory: {base: 30Mi}}
      startup: {delay: 90s}
    - {target: Deployment/default/hog, usage: {app: {cpu: {base: "3"}, memory: {base: 200Mi}}}}
    - {target: Deployment/default/leaky, usage: {app: {cpu: {base: 50m}, memory: {base: 250Mi, leakPerHour: 10Mi}}}}
  events:
    - {at: 5h, rollout: {target: Deployment/default/api}}
    - {at: 20h, scale: {target: Deployment/default/api, replicas: 6}}
    - {at: 30h, nodeFailure: {pool: p, count: 1, duration: 20m}}
`;

interface Reference {
  aggregates: Map<string, ContainerAggregate>;
  ooms: number;
  /** Instants × running containers whose memory the history read back as the stats showed it,
   *  and those it did not. */
  memoryAgreed: number;
  memoryDiffered: string[];
}

/** Runs the scenario with the reference fed alongside the VPA; both read at the end. */
async function runWithReference() {
  const scenario = await loadScenario(writeScenario(YAML));
  const world = new World(scenario);
  const vpa = world.controllers.get('vertical-pod-autoscaler') as VpaController;
  const ref: Reference = { aggregates: new Map(), ooms: 0, memoryAgreed: 0, memoryDiffered: [] };
  const history = world.usage.enableHistory(MIN);
  const aggregate = (workload: string, container: string) => {
    const key = `${workload} ${container}`;
    if (!ref.aggregates.has(key)) ref.aggregates.set(key, new ContainerAggregate());
    return ref.aggregates.get(key)!;
  };
  const states = new Map<string, ContainerState>();
  const state = (pod: Pod, container: string) => {
    const key = `${pod.uid} ${container}`;
    if (!states.has(key)) states.set(key, new ContainerState(aggregate(pod.workload!, container)));
    return states.get(key)!;
  };
  const pendingOoms: { pod: Pod; container: string; tMs: number; requestBytes: number }[] = [];
  world.api.onEvent((e) => {
    if (e.type !== 'OOMKilled') return;
    const [, namespace, name] = e.object.split('/');
    const pod = world.api.podByKey(namespace, name)!;
    const container = /container (\S+)/.exec(e.message)![1];
    pendingOoms.push({ pod, container, tMs: e.tMs, requestBytes: pod.spec.containers.find((c) => c.name === container)!.requests.memory! });
  });
  world.setup();
  world.usage.start(scenario.sampleEveryMs, scenario.durationMs);
  const sim = world.sim;
  // Every minute, after everything at that instant: each running container's usage.
  const sample = () => {
    for (const pod of world.api.pods.values()) {
      if (!pod.workload) continue;
      for (const c of pod.spec.containers) {
        const memory = world.usage.podUsage(pod, 'memory', c.name);
        const read = history.memoryPeak(pod, c.name, sim.nowMs, sim.nowMs);
        const shown = memory === null || memory === 0 ? null : memory;
        if ((read?.bytes ?? null) === shown) ref.memoryAgreed++;
        else ref.memoryDiffered.push(`${pod.name} ${c.name} at ${sim.nowMs}: ${read?.bytes} vs ${shown}`);
        if (shown === null) continue;
        aggregate(pod.workload, c.name).addCpuSample(world.usage.podUsage(pod, 'cpu', c.name)!, sim.nowMs);
        state(pod, c.name).addMemorySample(shown, sim.nowMs);
      }
    }
    if (sim.nowMs + MIN <= scenario.durationMs) sim.after(MIN, Phase.Sample, sample);
  };
  sim.schedule(0, Phase.Sample, sample);
  // Every recommender pass: the OOMs since the last one, after the samples read so far.
  const pass = () => {
    for (const oom of pendingOoms.splice(0)) {
      if (world.api.pods.get(oom.pod.uid) !== oom.pod) continue;
      if (state(oom.pod, oom.container).recordOom(oom.tMs, oom.requestBytes)) ref.ooms++;
    }
    if (sim.nowMs + MIN <= scenario.durationMs) sim.after(MIN, Phase.Controller, pass);
  };
  sim.schedule(0, Phase.Controller, pass);
  sim.runUntil(scenario.durationMs);
  return { world, vpa, ref };
}

function assertSameHistogram(actual: Histogram, expected: Histogram, what: string): void {
  const scale = Math.max(expected.totalWeight, 1e-300);
  assert.ok(Math.abs(actual.totalWeight - expected.totalWeight) <= 1e-9 * scale, `${what}: total ${actual.totalWeight} vs ${expected.totalWeight}`);
  for (let b = 0; b < expected.weights.length; b++) {
    assert.ok(Math.abs(actual.weights[b] - expected.weights[b]) <= 1e-9 * scale, `${what}: bucket ${b} ${actual.weights[b]} vs ${expected.weights[b]}`);
  }
}

test('the compressed history and lazy feeder give the aggregates of feeding every sample one by one', async () => {
  const { vpa, ref } = await runWithReference();
  // Every minute, the history reads back each pod's container memory exactly as the stats show it.
  assert.deepEqual(ref.memoryDiffered.slice(0, 5), []);
  assert.ok(ref.memoryAgreed > 3000 * 10, `${ref.memoryAgreed} instants × containers`);
  assert.ok(ref.ooms >= 4, `the reference recorded ${ref.ooms} OOMs`);
  assert.equal(ref.aggregates.size, 4);
  for (const [key, expected] of ref.aggregates) {
    const [workload, container] = key.split(' ');
    const actual = vpa.aggregateOf(workload, container)!;
    assert.ok(actual, key);
    assert.equal(actual.totalSamples, expected.totalSamples, `${key}: samples`);
    assert.equal(actual.firstSampleMs, expected.firstSampleMs, `${key}: first sample`);
    assert.equal(actual.lastSampleMs, expected.lastSampleMs, `${key}: last sample`);
    assertSameHistogram(actual.cpuCores.histogram, expected.cpuCores.histogram, `${key} cpu`);
    assertSameHistogram(actual.memoryPeaks.histogram, expected.memoryPeaks.histogram, `${key} memory`);
    assert.deepEqual(estimate(actual, 2), estimate(expected, 2), key);
  }
});

test('end to end: 4 pods at a constant 300m / 500Mi for 3 days give upstream\'s bounds, whatever sampleEvery (1 h here)', async () => {
  const run = await runFile(writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: vpa-bounds}
spec:
  duration: 3d
  sampleEvery: 1h
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.2}, count: 1}]
  workloads:
    - {name: api, replicas: 4, containers: [{name: app, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
  behavior:
    - {target: Deployment/default/api, usage: {app: {cpu: {base: 300m}, memory: {base: 500Mi}}}}
`));
  const [row] = run.csv('recommendations.csv');
  // Samples: 4 pods × 4321 minutes (t = 0 .. 3 d): confidence = min(3 days, 17284 / 1440 = 12.0) = 3,
  // so upper × (1 + 1/3) and lower × (1 + 0.001/3)^-2 (logic/recommender.go). One sample an hour of
  // one mean (capsim before) gave 73 / 1440 = 0.051: upper × 20.7 (7254m), lower × 0.96.
  // CPU: 0.3 core is bucket floor(ln(0.3 × 5 + 1) / ln 1.05) = 18, whose end is
  // 0.2 × (1.05^19 − 1) = 0.30539 core → 305m; + trunc(15 %) = 350m; upper trunc(350 × 4/3) = 466m;
  // lower trunc(350 / 1.000333²) = 349m.
  assert.deepEqual([row.cpu_target_m, row.cpu_upper_m, row.cpu_lower_m], ['350', '466', '349']);
  // Memory: one peak per pod per 24 h window, all 500Mi: bucket 26, end 2e8 × (1.05^27 − 1) =
  // 546691264 B; + 15 % = 628694953; upper trunc(× 4/3) = 838259937; lower = 628276032.
  assert.deepEqual([row.memory_target_bytes, row.memory_upper_bytes, row.memory_lower_bytes], ['628694953', '838259937', '628276032']);
});
