// The HPA's grouped read (issue 18): a CPU Utilization metric read a group of identical pods at a
// time from the metrics API (PodUsageGroups) must give exactly what the per-pod loop gives. Two
// halves: the usage engine's groups against its own per-pod readings (a real run with contended
// and quiet nodes, a sidecar that is OOM-killed and restarts, an outage), and the controller's
// grouped path against its per-pod path on random pod sets (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../src/model/pod.ts';
import type { HpaObject } from '../src/model/objects.ts';
import type { World } from '../src/world.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { Store } from '../src/api/store.ts';
import { objectRef } from '../src/model/objects.ts';
import { HorizontalController } from '../src/controllers/hpa/horizontal.ts';
import type { InputVersions, MetricsSource } from '../src/controllers/hpa/metrics.ts';
import type { CalcContext, PodSample } from '../src/controllers/hpa/replicaCalculator.ts';
import { resourceUtilizationReplicas, utilizationReplicasFromSums } from '../src/controllers/hpa/replicaCalculator.ts';

// ---- the usage engine: groups against pods -----------------------------------------------------

async function world(yaml: string): Promise<World> {
  const { startedWorld } = await import('./support/run.ts');
  return startedWorld(yaml);
}

/** reading -> how many pods read it, pod by pod and by groups. */
function perPod(w: World, ref: string, resource: 'cpu' | 'memory', container?: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pod of w.api.workloads.get(ref)!.pods) {
    const u = w.usage.podUsage(pod, resource, container);
    if (u !== null) out.set(u, (out.get(u) ?? 0) + 1);
  }
  return out;
}

function grouped(w: World, ref: string, resource: 'cpu' | 'memory', container?: string): Map<number, number> {
  const out = new Map<number, number>();
  w.usage.podUsageGroups(ref, resource, container, (count, u) => out.set(u, (out.get(u) ?? 0) + count));
  return out;
}

test('podUsageGroups: the same readings, as many times, as podUsage pod by pod (contended and quiet nodes, a restarting sidecar, an outage)', async () => {
  // api: 6 pods with a leaking sidecar OOM-killed every 5 min, restarted after a growing back-off (pods with one of
  // two containers running meanwhile are read alone); hog wants 3 CPU per pod and has no limit, so nodes with
  // a hog are contended (Ready pods of one group read the same CPU, different per node); batch
  // has limits everywhere and sits alone on quiet nodes. A node fails from 2h to 3h (its
  // pods' readings vanish: dead).
  const w = await world(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: grouped-readings}
spec:
  duration: 4h
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.1}, count: 4}]
  workloads:
    - name: api
      replicas: 6
      containers:
        - {name: app, resources: {requests: {cpu: 300m, memory: 256Mi}}}
        - {name: sidecar, resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 150Mi}}}
    - {name: hog, replicas: 2, containers: [{name: app, resources: {requests: {cpu: "1", memory: 256Mi}}}]}
    - {name: batch, replicas: 3, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 200m, memory: 256Mi}}}]}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 60}, {daily: {amplitude: 0.5, peakAt: "02:00"}}]
      usage:
        app: {cpu: {base: 20m, perUnit: 7m}, memory: {base: 100Mi, perUnit: 1Mi}}
        sidecar: {cpu: {base: 5m, perUnit: 0.3m}, memory: {base: 100Mi, perUnit: 0Mi, leakPerHour: 600Mi}}
    - {target: Deployment/default/hog, usage: {app: {cpu: {base: "3", perUnit: 0m}, memory: {base: 200Mi, perUnit: 0Mi}}}}
    - {target: Deployment/default/batch, usage: {app: {cpu: {base: 150m, perUnit: 0m}, memory: {base: 100Mi, perUnit: 0Mi}}}}
  events:
    - {at: 2h, nodeFailure: {pool: p, count: 1, duration: 1h}}
`);
  const refs = ['Deployment/default/api', 'Deployment/default/hog', 'Deployment/default/batch'];
  let partial = 0;
  let unread = 0;
  let readings = 0;
  for (let t = 0; t <= 4 * 3_600_000; t += 5_000) {
    w.sim.runUntil(t);
    for (const ref of refs) {
      for (const [resource, container] of [['cpu', undefined], ['cpu', 'app'], ['cpu', 'sidecar'], ['memory', undefined]] as const) {
        const want = perPod(w, ref, resource, container);
        assert.deepEqual(grouped(w, ref, resource, container), want, `${ref} ${resource} ${container ?? ''} at ${t} ms`);
        for (const n of want.values()) readings += n;
      }
    }
    for (const pod of w.api.workloads.get(refs[0])!.pods) {
      if (w.usage.podUsage(pod, 'cpu', 'sidecar') === 0 && w.usage.podUsage(pod, 'cpu', 'app')! > 0) partial++;
      if (pod.phase === 'Running' && w.usage.podUsage(pod, 'cpu') === null) unread++;
    }
  }
  assert.ok(readings > 10_000, `${readings} readings compared`);
  assert.ok(partial > 0, 'some api pod ran with its sidecar down (read alone)');
  assert.ok(unread > 0, 'some Running api pod had no reading (its node was down)');
});

// ---- the controller: grouped path against per-pod path -----------------------------------------

interface PodState {
  phase: 'Running' | 'Pending' | 'Failed';
  ready: boolean;
  deleting: boolean;
  startedMs: number;
  readyTransitionMs: number;
  /** Which usage group it reads from, and its class there ('none': no reading). */
  group: number;
  cls: 'ready' | 'idle' | 'dead' | 'none';
  idleMilli: number;
  requests: (number | undefined)[];
}

const NOW = 3_600_000;

function pod(i: number, s: PodState): Pod {
  return {
    uid: i, name: `p${i}`, namespace: 'default', key: `default/p${i}`, workload: 'Deployment/default/web',
    phase: s.phase, ready: s.ready, startedMs: s.startedMs, readyMs: -1, readyTransitionMs: s.readyTransitionMs, deletionMs: s.deleting ? 0 : -1, removedMs: -1,
    spec: { containers: s.requests.map((r, c) => ({ name: c === 0 ? 'app' : `side${c}`, requests: r === undefined ? {} : { cpu: r }, limits: {} })), initContainers: [] },
  } as unknown as Pod;
}

/** A metrics API over the pod states: per pod, and grouped as the usage engine groups (Ready
 *  pods of a group together, idle pods alone). CPU readings of a group are arbitrary doubles. */
function metricsOf(states: PodState[], groupMilli: number[], withGroups: boolean, calls: { grouped: number }, nowMs = () => NOW): MetricsSource {
  const reading = (s: PodState) => (s.cls === 'ready' ? groupMilli[s.group] : s.cls === 'idle' ? s.idleMilli : null);
  const byPod = new Map<string, PodState>(states.map((s, i) => [`p${i}`, s]));
  const source: MetricsSource = {
    windowMs: 30_000,
    podResource: (p) => {
      if (p.startedMs < 0 || nowMs() - p.startedMs < 30_000) return null;
      const u = reading(byPod.get(p.name)!);
      return u === null ? null : Math.ceil(u - 1e-9);
    },
    podDemand: () => null,
    totalDemand: () => null,
  };
  if (withGroups) {
    source.podCpuGroups = (_ref, _container, visit) => {
      calls.grouped++;
      groupMilli.forEach((u, g) => {
        const n = states.filter((s) => s.group === g && s.cls === 'ready').length;
        if (n > 0) visit(n, Math.ceil(u - 1e-9));
      });
      for (const s of states) if (s.cls === 'idle') visit(1, Math.ceil(s.idleMilli - 1e-9));
    };
  }
  return source;
}

/** Scale decisions of one HPA over three syncs (the usage version moves at each). */
function decisions(states: PodState[], groupMilli: number[], metric: HpaObject['spec']['metrics'][number], withGroups: boolean, calls: { grouped: number }): number[] {
  const sim = new Simulation();
  const pods = states.map((s, i) => pod(i, s));
  let replicas = pods.length;
  const out: number[] = [];
  const hpas = new Store<HpaObject>('HorizontalPodAutoscaler', objectRef);
  let usage = 0;
  const hpa = new HorizontalController(sim, {
    target: () => ({ get replicas() { return replicas; }, scale: (n) => { replicas = n; out.push(n); } }),
    pods: () => pods,
    metrics: metricsOf(states, groupMilli, withGroups, calls, () => sim.nowMs),
    version: (_ref, into: InputVersions) => {
      into.pods = 1;
      into.usage = usage++;
      into.demand = 0;
      return true;
    },
  }, hpas, NOW + 30_000);
  hpas.add({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: { name: 'h', namespace: 'default', labels: {}, annotations: {} }, source: { file: '', line: 0 },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 100, metrics: [metric], behavior: null } });
  sim.runUntil(NOW);
  hpa.start();
  sim.runUntil(NOW + 30_000);
  return out;
}

const plainPod = fc.record({
  phase: fc.constant('Running' as const),
  ready: fc.constant(true),
  deleting: fc.constant(false),
  // Started before the CPU initialization period (5 min), inside it, inside the metrics window;
  // Ready since then, for a while, for less than a metrics window.
  startedMs: fc.constantFrom(0, NOW - 600_000, NOW - 100_000, NOW - 10_000),
  readyTransitionMs: fc.constantFrom(0, NOW - 300_000, NOW - 60_000, NOW - 20_000),
  group: fc.integer({ min: 0, max: 3 }),
  cls: fc.constantFrom('ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'idle', 'dead', 'none'),
  idleMilli: fc.double({ min: 0, max: 500, noNaN: true }),
  requests: fc.constant([]),
});
const anyPod = fc.record({
  phase: fc.constantFrom('Running', 'Running', 'Pending', 'Failed'),
  ready: fc.boolean(),
  deleting: fc.boolean(),
  startedMs: fc.constantFrom(-1, 0, NOW - 100_000, NOW - 10_000),
  readyTransitionMs: fc.constantFrom(-1, 0, NOW - 20_000),
  group: fc.integer({ min: 0, max: 3 }),
  cls: fc.constantFrom('ready', 'idle', 'dead', 'none'),
  idleMilli: fc.double({ min: 0, max: 500, noNaN: true }),
  requests: fc.constant([]),
});
/** Requests per container: mostly one shared set; sometimes per pod, a fraction, or missing. */
const requestSets = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 3 }).map((r) => () => r),
  fc.constant(() => [100.5]),
  fc.constant((i: number) => (i === 0 ? [200, undefined] : [200, 50])),
  fc.constant((i: number) => [100 + (i % 2) * 100]),
);
/** Plain pods (the grouped path's case) with up to two of them changed in one field each, so that
 *  the sets sit on the boundary of the grouped path (one pod unready, starting, missing, ...); or
 *  any pods at all. */
type Base = Omit<PodState, 'requests'>;
const nearPlain = fc
  .tuple(fc.array(plainPod as fc.Arbitrary<Base>, { minLength: 1, maxLength: 12 }), fc.array(fc.tuple(fc.nat(), anyPod as fc.Arbitrary<Base>, fc.constantFrom<keyof Base>('phase', 'ready', 'deleting', 'startedMs', 'readyTransitionMs', 'cls')), { minLength: 1, maxLength: 2 }))
  .map(([pods, changes]) => {
    const out = pods.map((p) => ({ ...p }));
    for (const [i, other, field] of changes) Object.assign(out[i % out.length], { [field]: other[field] });
    return out;
  });
const stateArb = fc.record({
  pods: fc.oneof({ arbitrary: nearPlain, weight: 4 }, { arbitrary: fc.array(anyPod as fc.Arbitrary<Base>, { minLength: 0, maxLength: 12 }), weight: 1 }),
  requests: requestSets,
  groupMilli: fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { minLength: 4, maxLength: 4 }),
  target: fc.integer({ min: 10, max: 150 }),
  container: fc.boolean(),
}).map(({ pods, requests, ...rest }) => ({ ...rest, pods: pods.map((p, i): PodState => ({ ...p, requests: requests(i) })) }));

test('controller: the grouped read scales exactly as the per-pod read on random pod sets (ready, unready, missing, starting, several containers)', () => {
  const calls = { grouped: 0 };
  let scaled = 0;
  fc.assert(
    fc.property(stateArb, ({ pods, groupMilli, target, container }) => {
      const metric: HpaObject['spec']['metrics'][number] = container
        ? { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: target } } }
        : { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } };
      const perPodPath = decisions(pods, groupMilli, metric, false, calls);
      const groupedPath = decisions(pods, groupMilli, metric, true, calls);
      assert.deepEqual(groupedPath, perPodPath);
      scaled += perPodPath.length;
    }),
    { numRuns: 1000, seed: 18 },
  );
  assert.ok(calls.grouped > 50, `the grouped path ran (${calls.grouped} times)`);
  assert.ok(scaled > 50, `${scaled} scale decisions compared`);
});

test('calculator: the sums of a grouped read give the per-pod replicas and utilization whenever every pod counts', () => {
  const ctx = (current: number): CalcContext => ({ nowMs: NOW, currentReplicas: current, tolerances: { up: 0.1, down: 0.1 }, metricWindowMs: 30_000, metricTimestampMs: NOW });
  fc.assert(
    fc.property(fc.array(fc.record({ n: fc.integer({ min: 1, max: 40 }), u: fc.double({ min: 0, max: 4000, noNaN: true }) }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 200 }), (groups, request, target) => {
      const samples: PodSample[] = groups.flatMap(({ n, u }) => Array.from({ length: n }, (_, i) => ({
        name: `p${i}`, phase: 'Running' as const, deleting: false, ready: true, startMs: 0, readyTransitionMs: 0, valueMilli: Math.ceil(u - 1e-9), requestMilli: request,
      })));
      const pods = samples.length;
      const usage = groups.reduce((sum, { n, u }) => sum + n * Math.ceil(u - 1e-9), 0);
      for (const current of [1, pods, 3 * pods]) {
        assert.deepEqual(utilizationReplicasFromSums({ usage, requests: pods * request, pods }, target, ctx(current)), resourceUtilizationReplicas(samples, target, true, ctx(current)));
      }
    }),
    { numRuns: 500, seed: 18 },
  );
});

test('a group of n identical pods sums n x ceil(u), as metrics-server rounds each pod: 3 pods at 100.2m of 100m read 101 %, not 100 %', () => {
  const ctx: CalcContext = { nowMs: NOW, currentReplicas: 3, tolerances: { up: 0.1, down: 0.1 }, metricWindowMs: 30_000, metricTimestampMs: NOW };
  const states: PodState[] = Array.from({ length: 3 }, () => ({ phase: 'Running', ready: true, deleting: false, startedMs: 0, readyTransitionMs: 0, group: 0, cls: 'ready', idleMilli: 0, requests: [100] }));
  let usage = 0;
  let pods = 0;
  metricsOf(states, [100.2], true, { grouped: 0 }).podCpuGroups!('Deployment/default/web', undefined, (n, milli) => {
    pods += n;
    usage += n * milli;
  });
  assert.equal(usage, 303); // 3 x ceil(100.2), where ceil(3 x 100.2) would be 301
  assert.deepEqual(utilizationReplicasFromSums({ usage, requests: 300, pods }, 10, ctx), { replicas: 31, usage: 101 }); // ceil(10.1 x 3)
});

test('controller: an unready pod (NotReady since its start) leaves the grouped path to the per-pod rules: 2 of 3 pods at 160 % -> 4, not 5', () => {
  // Per pod: the NotReady pod is unready (§1.3); 2 Ready pods at 80m of 100m = 80 % of a 50 %
  // target -> ratio 1.6 > 1 with an unready pod: it counts at 0, 160/300 = 53 % -> ratio 1.06,
  // within the tolerance: no change. Summing all three pods' readings would say 80 % -> 5.
  const base: PodState = { phase: 'Running', ready: true, deleting: false, startedMs: 0, readyTransitionMs: 0, group: 0, cls: 'ready', idleMilli: 0, requests: [100] };
  const pods = [base, { ...base }, { ...base, ready: false }];
  const metric: HpaObject['spec']['metrics'][number] = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } };
  const calls = { grouped: 0 };
  assert.deepEqual(decisions(pods, [80], metric, true, calls), []);
  assert.deepEqual(decisions(pods, [80], metric, false, calls), []);
  assert.deepEqual(decisions([base, { ...base }, { ...base }], [80], metric, true, calls), [5]);
  assert.equal(calls.grouped, 3, 'read grouped only when every pod is Ready');
});
