// Karpenter's provisioning in a run (src/controllers/karpenter/): batching, the solve over
// existing and in-flight nodes, launch, limits, events, termination. Cases ported from
// kubernetes-sigs/karpenter@22664681 pkg/controllers/provisioning/suite_test.go and
// scheduling/suite_test.go (titles quoted), with capsim's catalog prices and the 90s default
// startup delay; times are simulated milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { Phase } from '../src/phases.ts';
import { writeScenario } from './support/run.ts';

interface Opts {
  nodePools?: string;
  workloads?: string;
  extra?: string;
  duration?: string;
}

const DEFAULT_POOL = `
      - name: default
        requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
          - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, m5.xlarge, m5.2xlarge, c5.large]}`;

function scenario(o: Opts): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: karpenter-test}
spec:
  seed: 1
  duration: ${o.duration ?? '10m'}
  karpenter:
${o.extra ?? ''}    nodePools:${o.nodePools ?? DEFAULT_POOL}
  workloads:${o.workloads ?? `
    - name: web
      replicas: 1
      containers:
        - name: web
          resources: {requests: {cpu: "1", memory: 1Gi}}`}
`;
}

async function world(o: Opts): Promise<{ world: World; events: ClusterEvent[] }> {
  const w = new World(await loadScenario(writeScenario(scenario(o))));
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  return { world: w, events };
}

function karpenter(w: World) {
  const k = w.controllers.get('karpenter');
  assert.ok(k, 'Karpenter runs');
  return k;
}

test('one pending pod -> one NodeClaim of the cheapest type that fits, Ready 1s + 90s later', async () => {
  // The pod (1 CPU, 1Gi) is marked Unschedulable at 0; the batch closes after 1s idle; of
  // m5.large ($0.096/h), m5.xlarge, m5.2xlarge and c5.large ($0.085/h) the cheapest that fits is
  // c5.large (2 vCPU, allocatable 1930m after kube-reserved 70m). Ready at 1,000 + 90,000 ms.
  const { world: w, events } = await world({});
  w.sim.runUntil(600_000);
  const k = karpenter(w);
  assert.equal(k.nodeClaims.list().length, 1);
  const claim = k.nodeClaims.list()[0]!;
  assert.deepEqual([claim.instanceType, claim.capacityType, claim.priceUsdPerHour, claim.createdMs, claim.initializedMs], ['c5.large', 'on-demand', 0.085, 1_000, 91_000]);
  assert.match(claim.name, /^default-[a-z0-9]{5}$/);
  assert.equal(claim.node.readyMs, 91_000);
  const pod = [...w.api.pods.values()][0]!;
  assert.equal(pod.node, claim.node);
  assert.deepEqual(events.filter((e) => e.type === 'Launched').map((e) => e.tMs), [1_000]);
  // Nominated at launch; and again at 91s: the pod's 10s requeue at 90s opened a batch that
  // closed at 91s, the instant the node became Ready but before kube-scheduler bound the pod.
  assert.deepEqual(events.filter((e) => e.type === 'Nominated').map((e) => [e.tMs, e.message]), [
    [1_000, `Pod should schedule on: nodeclaim/${claim.name}`],
    [91_000, `Pod should schedule on: nodeclaim/${claim.name}, node/${claim.name}`],
  ]);
  const s = k.summary();
  assert.deepEqual([s.nodeClaimsLaunched, s.podsProvisionable, s.podsBound, s.meanPendingSeconds], [1, 1, 1, 91]);
});

test('NodeClaims.terminate drains through the Eviction API, then the instance and Node go', async () => {
  const { world: w, events } = await world({});
  const k = karpenter(w);
  w.sim.schedule(120_000, Phase.Script, () => k.nodeClaims.terminate(k.nodeClaims.list()[0]!, 'Underutilized'));
  w.sim.runUntil(121_000);
  const node = w.api.nodes[0]!;
  // Tainted karpenter.sh/disrupted:NoSchedule at 120s, the pod evicted at once; its 30s grace
  // runs out at 150s, the drain's next look (every 1s) sees no pod left and terminates.
  assert.ok(node.taints.some((t) => t.key === 'karpenter.sh/disrupted' && t.effect === 'NoSchedule'));
  assert.deepEqual(events.filter((e) => e.type === 'Evicted').map((e) => e.tMs), [120_000]);
  w.sim.runUntil(600_000);
  assert.equal(node.state, 'Removed');
  assert.equal(node.removedMs, 150_000);
  assert.deepEqual(k.summary().terminatedByReason, { Underutilized: 1 });
});
