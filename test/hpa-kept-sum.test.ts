// The kubelet's kept CPU sum (PodUsageGroups.podCpuSum, stats.ts keepReadySums): the HPA's grouped
// read of a CPU Utilization metric is Σ over the target's pods of metrics-server's reading
// (podUsage rounded up to a millicore) and how many pods have one. The usage engine keeps that sum
// for the Ready pods as their CPU and counts change, so the read walks nothing; it must equal the
// sum pod by pod at every instant, through scale-ups and -downs, rollouts, node failures,
// contended nodes (water-filling; hog has no limits and wants 2 CPU a pod) and quiet nodes (every
// pod limited and the limits fit: web with limits alone on a node; spec.virtual). Exact
// integers: no tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { World } from '../src/world.ts';

async function world(yaml: string): Promise<World> {
  const { startedWorld } = await import('./support/run.ts');
  return startedWorld(yaml);
}

/** Σ ceil(podUsage) over the workload's pods with a reading, and how many: the per-pod read. */
function perPod(w: World, ref: string, container?: string): { pods: number; milli: number } {
  let pods = 0;
  let milli = 0;
  for (const pod of w.api.workloads.get(ref)!.pods) {
    const u = w.usage.podUsage(pod, 'cpu', container);
    if (u === null) continue;
    pods++;
    milli += Math.ceil(u - 1e-9);
  }
  return { pods, milli };
}

interface Case {
  nodes: number;
  nodeCpu: number;
  replicas: number;
  hogs: number;
  limit: boolean;
  perUnitMilli: number;
  events: { atMin: number; kind: 'scale' | 'failure' | 'rollout'; replicas: number }[];
}

function yaml(c: Case): string {
  const events = c.events.map((e) =>
    e.kind === 'scale'
      ? `    - {at: ${e.atMin}m, scale: {target: Deployment/default/web, replicas: ${e.replicas}}}`
      : e.kind === 'failure'
        ? `    - {at: ${e.atMin}m, nodeFailure: {pool: p, count: 1, duration: 20m}}`
        : `    - {at: ${e.atMin}m, rollout: {target: Deployment/default/web}}`,
  );
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: kept-sum}
spec:
  duration: 3h
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "${c.nodeCpu}", memory: 16Gi}, price: {onDemandPerHour: 0.1}, count: ${c.nodes}}]
  workloads:
    - name: web
      replicas: ${c.replicas}
      containers:
        - {name: app, resources: {requests: {cpu: 200m, memory: 256Mi}${c.limit ? ', limits: {cpu: 700m, memory: 1Gi}' : ''}}}
        - {name: side, resources: {requests: {cpu: 50m, memory: 64Mi}${c.limit ? ', limits: {cpu: 100m, memory: 256Mi}' : ''}}}
    - {name: hog, replicas: ${c.hogs}, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}]}
  behavior:
    - target: Deployment/default/web
      demand: [{constant: 40}, {daily: {amplitude: 0.8, peakAt: "01:00"}}, {noise: {cv: 0.2}}]
      usage:
        app: {cpu: {base: 30m, perUnit: ${c.perUnitMilli}m}, memory: {base: 100Mi, perUnit: 1Mi}}
        side: {cpu: {base: 7m, perUnit: 0.3m}, memory: {base: 50Mi, perUnit: 0Mi}}
    - {target: Deployment/default/hog, usage: {app: {cpu: {base: "2", perUnit: 0m}, memory: {base: 200Mi, perUnit: 0Mi}}}}
${events.length > 0 ? `  events:\n${events.join('\n')}\n` : ''}`;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  nodes: fc.integer({ min: 1, max: 4 }),
  nodeCpu: fc.integer({ min: 2, max: 6 }),
  replicas: fc.integer({ min: 1, max: 12 }),
  hogs: fc.integer({ min: 0, max: 3 }),
  limit: fc.boolean(),
  perUnitMilli: fc.integer({ min: 1, max: 40 }),
  events: fc.array(
    fc.record({ atMin: fc.integer({ min: 1, max: 170 }), kind: fc.constantFrom('scale' as const, 'failure' as const, 'rollout' as const), replicas: fc.integer({ min: 0, max: 14 }) }),
    { maxLength: 5 },
  ),
});

test('podCpuSum: the kept sum equals Σ ceil(podUsage) pod by pod at every instant (random clusters, scaling, rollouts, failures)', async () => {
  let fast = 0;
  let walked = 0;
  let quiet = 0;
  let contended = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const w = await world(yaml(c));
      for (let t = 0; t <= 3 * 3_600_000; t += 20_000) {
        w.sim.runUntil(t);
        for (const ref of ['Deployment/default/web', 'Deployment/default/hog']) {
          for (const container of [undefined, 'app']) {
            const kept = w.usage.podCpuSum(ref, container);
            assert.deepEqual({ ...kept }, perPod(w, ref, container), `${ref} ${container ?? ''} at ${t} ms in ${JSON.stringify(c)}`);
          }
          const run = (w.usage as unknown as { pods: { workloads: Map<string, { keptIdle: number; groups: { quiet: boolean; node: { contended: boolean } }[] }> } }).pods.workloads.get(ref);
          if (!run) continue;
          if (run.keptIdle === 0) fast++;
          else walked++;
          if (run.groups.some((g) => g.quiet)) quiet++;
          if (run.groups.some((g) => g.node.contended)) contended++;
        }
      }
    }),
    { numRuns: 12, seed: 18 },
  );
  // The cases reach both paths and both kinds of node.
  assert.ok(fast > 0 && walked > 0, `kept ${fast}, walked ${walked}`);
  assert.ok(quiet > 0 && contended > 0, `quiet ${quiet}, contended ${contended}`);
});
