// A NodePool's spec.template.spec.startupTaints in a run (src/controllers/karpenter/nodeClaims.ts):
// on the Node from its creation, removed when it is Ready (capsim's assumption: the daemon that
// owns them removes them then), and tolerated by Karpenter's provisioner: it launches for pods that
// do not tolerate them (kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/nodeclaim/lifecycle
// registration.go and initialization.go; provisioning/scheduling/nodeclaim.go and existingnode.go
// treat startup taints as tolerated). m5.xlarge on-demand, 90 s startup delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { EC2_NODE_CLASS, writeScenario } from './support/run.ts';

const TAINT = '{key: node.cilium.io/agent-not-ready, value: "true", effect: NoExecute}';

function yaml(taintsField: 'startupTaints' | 'taints' | null): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: startup-taints}
spec:
  seed: 1
  duration: 10m
  manifests:
    - apiVersion: karpenter.sh/v1
      kind: NodePool
      metadata: {name: default}
      spec:
        template:
          spec:
            nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
            requirements:
              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
              - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.xlarge]}
${taintsField ? `            ${taintsField}: [${TAINT}]\n` : ''}${EC2_NODE_CLASS}  workloads:
    - name: web
      replicas: 3
      containers:
        - name: web
          resources: {requests: {cpu: "1", memory: 1Gi}}
`;
}

async function run(taintsField: 'startupTaints' | 'taints' | null) {
  const file = writeScenario(yaml(taintsField));
  const scenario = await loadScenario(file);
  const w = new World(scenario);
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  const seen: { tMs: number; taints: string[] }[] = [];
  // The Node's taints just after launch (1 s batch) and once it is Ready.
  w.sim.runUntil(2_000);
  const node = () => w.api.nodes.find((n) => n.labels['karpenter.sh/nodepool'] === 'default');
  seen.push({ tMs: 2_000, taints: node()?.taints.map((t) => t.key) ?? [] });
  w.sim.runUntil(600_000);
  seen.push({ tMs: 600_000, taints: node()?.taints.map((t) => t.key) ?? [] });
  const pods = [...w.api.pods.values()].filter((p) => p.owner?.kind === 'ReplicaSet');
  return { events, seen, bound: pods.map((p) => p.boundMs), scenario };
}

test('startupTaints: on the Node while it starts, gone once Ready; pods that do not tolerate them bind at Ready (91 s), as without them', async () => {
  const withStartup = await run('startupTaints');
  const without = await run(null);
  assert.deepEqual(withStartup.seen, [{ tMs: 2_000, taints: ['node.cilium.io/agent-not-ready'] }, { tMs: 600_000, taints: [] }]);
  assert.deepEqual(withStartup.events.filter((e) => e.type === 'Launched').length, 1);
  assert.deepEqual(withStartup.bound, [91_000, 91_000, 91_000]);
  assert.deepEqual(withStartup.bound, without.bound);
  // The kube-scheduler's FailedScheduling before the node exists, the same with and without.
  const failed = (evs: ClusterEvent[]) => evs.filter((e) => e.type === 'FailedScheduling').map((e) => `${e.tMs} ${e.message}`);
  assert.deepEqual(failed(withStartup.events), failed(without.events));
  assert.ok(!failed(withStartup.events).some((m) => m.includes('agent-not-ready')));
});

test('the same taint as a regular template taint: Karpenter launches nothing for pods that do not tolerate it', async () => {
  const r = await run('taints');
  assert.equal(r.events.filter((e) => e.type === 'Launched').length, 0);
  assert.deepEqual(r.bound, [-1, -1, -1]);
});

test('startupTaints are simulated: no "not simulated" notice for them', async () => {
  const { scenario } = await run('startupTaints');
  assert.ok(!scenario.notices.some((n) => n.includes('startupTaints')), scenario.notices.join('\n'));
});
