// The NodeClaim registration timeout (kubernetes-sigs/karpenter@2266468104f3
// pkg/controllers/nodeclaim/lifecycle/liveness.go: registrationTimeout = 15m): with a startup
// delay of 20 minutes no node registers in time, so each NodeClaim is deleted 15 minutes after its
// launch and the provisioner launches another for the pending pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { writeScenario } from './support/run.ts';
import { karpenterWarnings } from '../src/scenario/karpenterChecks.ts';

const yaml = (delay: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: registration-timeout}
spec:
  seed: 1
  duration: 40m
  karpenter:
    startupDelay: ${delay}
    nodePools:
      - name: general
        requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
          - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.xlarge]}
  workloads:
    - name: web
      replicas: 1
      containers:
        - name: web
          resources: {requests: {cpu: "1", memory: 1Gi}}
`;

async function run(delay: string) {
  const scenario = await loadScenario(writeScenario(yaml(delay)));
  const w = new World(scenario);
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  w.sim.runUntil(40 * 60_000);
  return { events, scenario };
}

test('startupDelay 20m: the NodeClaim launched at 1 s is deleted at 15m01s (RegistrationTimeout), another is launched, and so on; the pod never runs', async () => {
  const { events, scenario } = await run('20m');
  const launched = events.filter((e) => e.type === 'Launched').map((e) => e.tMs);
  const timeouts = events.filter((e) => e.type === 'RegistrationTimeout').map((e) => e.tMs);
  assert.equal(launched[0], 1_000);
  assert.deepEqual(timeouts, [901_000, launched[1]! + 900_000]);
  assert.ok(launched[1]! >= 901_000 && launched[1]! <= 912_000, `relaunch at ${launched[1]}`); // the next batch after the pod is pending again
  assert.equal(events.filter((e) => e.type === 'Registered').length, 0);
  const warning = karpenterWarnings(scenario.karpenter!).find((x) => x.title === 'startup delay reaches the registration timeout');
  assert.ok(warning);
  assert.match(warning.message, /startupDelay is 20 minutes/);
});

test('startupDelay 14m: the node registers in time, no RegistrationTimeout, no warning', async () => {
  const { events, scenario } = await run('14m');
  assert.equal(events.filter((e) => e.type === 'RegistrationTimeout').length, 0);
  assert.deepEqual(events.filter((e) => e.type === 'Registered').map((e) => e.tMs), [1_000 + 14 * 60_000]);
  assert.equal(karpenterWarnings(scenario.karpenter!).length, 0);
});
