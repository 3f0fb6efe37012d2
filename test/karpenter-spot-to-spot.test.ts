// The SpotToSpotConsolidation feature gate in a run (spec.karpenter.featureGates): a spot node left
// with one small pod is replaced by a cheaper spot node only with the gate on, and only when at
// least 15 cheaper spot types are offered (kubernetes-sigs/karpenter@2266468104f3
// pkg/controllers/disruption/consolidation.go computeSpotToSpotConsolidation,
// MinInstanceTypesForSpotToSpotConsolidation). AWS prices (capsim's catalog, us-east-1) with
// spot.priceRatio 0.3 (the catalog has no AWS spot price).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { writeScenario } from './support/run.ts';

function yaml(gate: boolean | null, extraRequirement: string): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: spot-to-spot}
spec:
  seed: 1
  duration: 1h
  karpenter:
${gate === null ? '' : `    featureGates: {spotToSpotConsolidation: ${gate}}\n`}    spot: {priceRatio: 0.3}
    nodePools:
      - name: spot
        requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}
          - {key: kubernetes.io/arch, operator: In, values: [amd64]}
${extraRequirement}        disruption: {consolidationPolicy: WhenEmptyOrUnderutilized, consolidateAfter: 1m}
  workloads:
    - name: big
      replicas: 1
      containers:
        - name: big
          resources: {requests: {cpu: "6", memory: 1Gi}}
    - name: small
      replicas: 1
      containers:
        - name: small
          resources: {requests: {cpu: 250m, memory: 256Mi}}
  events:
    - {at: 10m, scale: {target: Deployment/default/big, replicas: 0}}
`;
}

async function run(text: string): Promise<ClusterEvent[]> {
  const w = new World(await loadScenario(writeScenario(text)));
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  w.sim.runUntil(3_600_000);
  return events;
}

const launchedTypes = (events: ClusterEvent[]) => events.filter((e) => e.type === 'Launched').map((e) => e.message);
const unconsolidatable = (events: ClusterEvent[]) => [...new Set(events.filter((e) => e.type === 'Unconsolidatable').map((e) => e.message))];

test('spotToSpotConsolidation on: the t3a.2xlarge spot node (6.25 CPU at first) is replaced by the cheapest spot type for the 250m pod, and deleted', async () => {
  // 22 amd64 types are cheaper than t3a.2xlarge ($0.3008 on-demand, so 0.3 x that spot): >= 15.
  const events = await run(yaml(true, ''));
  const launched = launchedTypes(events);
  assert.equal(launched.length, 2, launched.join('\n'));
  assert.match(launched[0]!, /t3a\.2xlarge/);
  assert.match(launched[1]!, /t3a\.large/); // $0.0752 x 0.3, the cheapest amd64 type
  assert.ok(events.some((e) => e.type === 'DisruptionTerminating' && e.message === 'Disrupting Node: Underutilized'));
});

test('spotToSpotConsolidation off (the default, and explicitly): the spot node stays, Unconsolidatable with upstream\'s message', async () => {
  for (const gate of [null, false]) {
    const events = await run(yaml(gate, ''));
    assert.equal(launchedTypes(events).length, 1);
    assert.ok(!events.some((e) => e.type === 'DisruptionTerminating'));
    assert.deepEqual(unconsolidatable(events), ["SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node"]);
  }
});

test('spotToSpotConsolidation on, but only 12 cheaper spot types (categories c and m): no replacement, "requires 15 ... got 12"', async () => {
  // The first node is c5.2xlarge ($0.34; c6i.2xlarge costs the same, not less). Cheaper c/m amd64
  // types: c5, c6i, c7i, m5, m6i, m7i in large and xlarge = 12.
  const events = await run(yaml(true, '          - {key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m]}\n'));
  const launched = launchedTypes(events);
  assert.equal(launched.length, 1);
  assert.match(launched[0]!, /c5\.2xlarge|c6i\.2xlarge/);
  // Before 10m the 6-CPU pod holds it: no cheaper type fits both pods; after, 12 cheaper types do.
  assert.deepEqual(unconsolidatable(events), ["Can't replace with a cheaper node", 'SpotToSpotConsolidation requires 15 cheaper instance type options than the current candidate to consolidate, got 12']);
});
