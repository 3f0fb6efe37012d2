// Pod and node lifecycle end to end: rolling updates (E21), drains with PDBs, zone outages,
// DaemonSets on new and cordoned nodes, preemption, and money computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runYaml } from './support/run.ts';

const header = (name: string, duration = '1h') => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  duration: ${duration}
  sampleEvery: 1m
`;

test('E21 rolling update, maxSurge 1 / maxUnavailable 1 over 3 replicas, step by step (§6.2)', async () => {
  const run = await runYaml(`${header('e21')}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 2}]
  manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: frontend}
      spec:
        replicas: 3
        selector: {matchLabels: {app: frontend}}
        strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
        template:
          metadata: {labels: {app: frontend}}
          spec:
            terminationGracePeriodSeconds: 5
            containers: [{name: web, image: brendanburns/frontend:v1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
  behavior:
    - {target: Deployment/default/frontend, startup: {delay: 10s}}
  events:
    - {at: 10m, rollout: {target: Deployment/default/frontend}}
`);
  const steps = run.events('ScalingReplicaSet').map((e) => `${e.t} ${e.message.replace(/frontend-[a-z0-9]+/, (m) => (m === run.events('ScalingReplicaSet')[0].message.match(/frontend-[a-z0-9]+/)![0] ? 'old' : 'new'))}`);
  // t=600: new 0->1 (3+1 surge), old 3->2 (allowed down to 3-1=2 available); new 1->2 (total back to 4).
  // t=610: two new pods Ready: old 2->0 ... bounded by minAvailable 2 and by what is available.
  assert.deepEqual(steps, [
    '0 Scaled up replica set old from 0 to 3',
    '600 Scaled up replica set new from 0 to 1',
    '600 Scaled down replica set old from 3 to 2',
    '600 Scaled up replica set new from 1 to 2',
    '610 Scaled down replica set old from 2 to 0',
    '610 Scaled up replica set new from 2 to 3',
  ]);
  assert.equal(run.events('RolloutComplete')[0].t, '620');
});

test('a drain respects a PodDisruptionBudget: each further eviction waits for a Ready replacement', async () => {
  // Three replicas, one per "old" node (required anti-affinity), PDB minAvailable 2. At t=0 the
  // "new" pool is cordoned so the pods land on "old"; at 10m it opens and all of "old" drains.
  // t=600: evict A (3 healthy, 2 needed); B and C are refused (429) and retried every 5 s.
  // A's replacement is Ready at 630; the 630 retry runs before the kubelet (phase order), so B
  // goes at 635; B's replacement is Ready at 665, C goes at 670.
  const run = await runYaml(`${header('drain-pdb')}
  cluster:
    nodePools:
      - {name: old, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 3}
      - {name: new, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 3}
  workloads:
    - name: api
      replicas: 3
      containers: [{name: api, resources: {requests: {cpu: 1, memory: 1Gi}}}]
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: api}}}
      pdb: {minAvailable: 2}
  behavior:
    - {target: Deployment/default/api, startup: {delay: 30s}, shutdown: {delay: 2s}}
  events:
    - {at: 0s, cordon: {pool: new, count: 3}}
    - {at: 10m, uncordon: {pool: new, count: 3}}
    - {at: 10m, drain: {pool: old, count: 3}}
`);
  assert.deepEqual(run.events('Evicted').map((e) => [e.t, e.node]), [['600', 'old-001'], ['635', 'old-002'], ['670', 'old-003']]);
  const blocked = run.events('EvictionBlocked');
  assert.ok(blocked.length > 0);
  for (const b of blocked) assert.equal(b.message, "Cannot evict pod as it would violate the pod's disruption budget api.");
  assert.deepEqual(run.events('NodeDrained').map((e) => e.node), ['old-001', 'old-002', 'old-003']);
  assert.equal(run.summary.pods.evictions, 3);
});

test('zone outage: NotReady after 50 s, pods evicted 300 s later, replacements start elsewhere', async () => {
  const run = await runYaml(`${header('outage')}
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 2, zones: [zone-a, zone-b]}
  workloads:
    - name: api
      replicas: 2
      containers: [{name: api, resources: {requests: {cpu: 500m, memory: 512Mi}}}]
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: api}}}
  events:
    - {at: 10m, zoneOutage: {zone: zone-a, duration: 20m}}
`);
  assert.equal(run.events('NodeNotReady')[0].t, String(600 + 50));
  const evicted = run.events('Evicted');
  assert.equal(evicted.length, 1);
  assert.equal(evicted[0].t, String(600 + 50 + 300));
  assert.match(evicted[0].message, /unreachable for 300s/);
  const replacement = run.events('Scheduled').filter((e) => Number(e.t) === 950);
  assert.equal(replacement.length, 1);
  assert.equal(replacement[0].node, 'p-002');
  assert.equal(run.events('NodeReady').filter((e) => e.t === String(600 + 1200)).length, 1);
});

test('a lost machine is deleted by the cloud node controller; its pods are replaced at once', async () => {
  const run = await runYaml(`${header('lost')}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.5}, count: 2}]
  workloads:
    - {name: api, replicas: 2, containers: [{name: api, resources: {requests: {cpu: 500m, memory: 512Mi}}}]}
  events:
    - {at: 30m, nodeFailure: {node: p-001}}
`);
  const removed = run.events('NodeRemoved');
  assert.equal(removed.length, 1);
  assert.equal(removed[0].t, String(1800 + 50));
  // Cost: p-001 lived 1,850 s, p-002 3,600 s at $0.50/h: (1850 + 3600) / 3600 * 0.5 = 0.756944
  assert.equal(run.summary.cost.totalUsd, 0.756944);
  assert.equal(run.summary.nodes.min, 1);
  assert.equal(run.summary.nodes.max, 2);
  // node-hours: (1850 + 3600) / 3600 = 1.5139
  assert.equal(run.summary.nodes.nodeHours, 1.5139);
  const nodes = run.csv('nodes.csv');
  assert.deepEqual(nodes.map((n) => [n.node, n.removed_t, n.cost_usd]), [['p-001', '1850', '0.256944'], ['p-002', '', '0.5']]);
  assert.equal(run.summary.pods.unschedulable, 0);
});

test('money adds up: total = pools = namespaces + idle; monthly run-rate from the hourly rate', async () => {
  const run = await runYaml(`${header('money', '2h')}
  cluster:
    nodePools:
      - {name: a, capacity: {cpu: "2", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 2}
      - {name: b, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.25}, count: 1}
  workloads:
    - {name: x, namespace: one, replicas: 2, containers: [{name: c, resources: {requests: {cpu: 1, memory: 2Gi}}}]}
    - {name: y, namespace: two, replicas: 1, containers: [{name: c, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}
`);
  const cost = run.summary.cost;
  // 2 x $0.10 x 2 h + $0.25 x 2 h = $0.90; run-rate $0.45/h x 730 h = $328.50
  assert.equal(cost.totalUsd, 0.9);
  assert.deepEqual(cost.byPool, { a: 0.4, b: 0.5 });
  assert.equal(cost.monthlyRunRateUsd, 328.5);
  const allocated = Object.values(cost.byNamespace as Record<string, number>).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(allocated + cost.idleUsd - cost.totalUsd) < 1e-5);
  assert.ok(cost.byNamespace.one > cost.byNamespace.two);
});

test('a DaemonSet runs on every node, cordoned ones included, and follows nodes that leave', async () => {
  const run = await runYaml(`${header('ds')}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "2", memory: 4Gi}, price: {onDemandPerHour: 0.1}, count: 3}]
  manifests:
    - apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent, namespace: kube-system}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec:
            containers: [{name: a, image: agent, resources: {requests: {cpu: 100m, memory: 100Mi}}}]
  events:
    - {at: 5m, cordon: {node: p-001}}
    - {at: 10m, nodeFailure: {node: p-002}}
`);
  const rows = run.csv('workloads.csv').filter((r) => r.workload === 'DaemonSet/kube-system/agent');
  assert.equal(rows.find((r) => r.t === '240')?.replicas_ready, '3');
  assert.equal(rows.find((r) => r.t === '540')?.replicas_desired, '3'); // cordoned node keeps its daemon
  assert.equal(rows.at(-1)?.replicas_desired, '2'); // p-002 is gone
  assert.equal(rows.at(-1)?.replicas_ready, '2');
});

test('a high-priority pod preempts a lower one; it is placed once the victim has terminated', async () => {
  // batch (1500m, priority 0) fills the 2-CPU node. At 5m checkout (priority 1000, 1500m) is
  // scaled up: no node fits, preemption picks batch, which terminates over its 30 s grace
  // period; checkout, nominated to p-001, is placed at 330 s. batch is a bare pod: gone for good.
  const run = await runYaml(`${header('preempt')}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "2", memory: 4Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  manifests:
    - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}
    - apiVersion: v1
      kind: Pod
      metadata: {name: batch}
      spec: {containers: [{name: c, image: b, resources: {requests: {cpu: 1500m, memory: 1Gi}}}]}
  workloads:
    - {name: checkout, replicas: 0, priorityClassName: high, containers: [{name: c, resources: {requests: {cpu: 1500m, memory: 1Gi}}}]}
  events:
    - {at: 5m, scale: {target: Deployment/default/checkout, replicas: 1}}
`);
  const preempted = run.events('Preempted');
  assert.equal(preempted.length, 1);
  assert.equal(preempted[0].t, '300');
  assert.equal(preempted[0].object, 'Pod/default/batch');
  assert.match(preempted[0].message, /^Preempted by pod default\/checkout-[a-z0-9]+-[a-z0-9]{5} on node p-001$/);
  const placed = run.events('Scheduled').filter((e) => e.object.startsWith('Pod/default/checkout'));
  assert.deepEqual(placed.map((e) => [e.t, e.node]), [['330', 'p-001']]);
  assert.equal(run.summary.pods.preemptions, 1);
  assert.equal(run.events('ScaledUp')[0].message, 'Scaled by scenario event from 0 to 1');
});

test('a spot interruption: notice, cordon and drain, then the node is gone at the end of the notice', async () => {
  const run = await runYaml(`${header('spot')}
  cluster:
    nodePools:
      - {name: od, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 1}
      - {name: spot, capacity: {cpu: "4", memory: 8Gi}, capacityType: spot, spot: {pricePerHour: 0.06, noticeSeconds: 120}, count: 1}
  workloads:
    - name: web
      replicas: 2
      containers: [{name: web, resources: {requests: {cpu: 1, memory: 1Gi}}}]
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
  events:
    - {at: 10m, spotInterruption: {pool: spot, count: 1}}
`);
  assert.deepEqual(run.events('SpotInterrupted').map((e) => [e.t, e.node]), [['600', 'spot-001']]);
  assert.equal(run.events('NodeCordoned')[0].t, '600');
  assert.deepEqual(run.events('Evicted').map((e) => [e.t, e.node]), [['600', 'spot-001']]);
  // Evicted at 600 with a 30 s grace: the pod is gone at 630. The drain polls every 5 s and its
  // 630 poll runs before the kubelet's (node phase first), so the drain completes at 635.
  assert.deepEqual(run.events('NodeRemoved').map((e) => [e.t, e.node, e.message]), [['635', 'spot-001', 'Removed after drain (spot interruption notice)']]);
  const removed = run.events('NodeRemoved')[0];
  // The replacement cannot join its sibling on od-001 (anti-affinity): it waits, Pending.
  assert.equal(run.summary.pods.unschedulable, 1);
  // Spot node billed at the spot price for its life: $0.06 x t/3600.
  const spot = run.csv('nodes.csv').find((n) => n.node === 'spot-001')!;
  assert.equal(spot.capacity_type, 'spot');
  assert.equal(Number(spot.cost_usd), Number(((0.06 * Number(removed.t)) / 3600).toFixed(6)));
});

test('traffic to a dead machine is lost until the node is NotReady, then the survivor takes it all', async () => {
  // 100 rps over two pods in two zones. zone-a fails at 600 s; until the node controller marks
  // it NotReady at 650 s its pod stays an endpoint: it gets 50 rps and serves none.
  const run = await runYaml(`${header('dead-endpoints')}
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 2, zones: [zone-a, zone-b]}
  workloads:
    - name: api
      replicas: 2
      containers: [{name: api, resources: {requests: {cpu: 500m, memory: 512Mi}}}]
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: api}}}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 100}]
      usage: {api: {cpu: {base: 10m, perUnit: 1m}, memory: {base: 100Mi, perUnit: 0Mi}}}
  events:
    - {at: 10m, zoneOutage: {zone: zone-a, duration: 20m}}
`);
  const row = (t: number) => run.csv('workloads.csv').find((r) => r.t === String(t))!;
  assert.deepEqual([row(540).demand, row(540).served], ['100', '100']);
  assert.deepEqual([row(600).demand, row(600).served], ['100', '50']);
  assert.deepEqual([row(660).demand, row(660).served, row(660).replicas_ready], ['100', '100', '1']);
  // Served over the hour: 50 rps lost for 50 s out of 3,600 s of 100 rps = 1 - 2500/360000.
  assert.equal(run.summary.demand.servedPct, 99.3056);
});

test('minReadySeconds paces a rolling update: each step waits startup 10 s + 60 s available', async () => {
  // maxSurge 1, maxUnavailable 0 over 4 replicas: one new pod at a time, and an old one goes only
  // when the new one has been Ready for minReadySeconds: steps at 300, 370, 440, 510, done at 580.
  const run = await runYaml(`${header('min-ready')}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 2}]
  manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 4
        minReadySeconds: 60
        selector: {matchLabels: {app: web}}
        strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
        template:
          metadata: {labels: {app: web}}
          spec:
            terminationGracePeriodSeconds: 5
            containers: [{name: web, image: web, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
  behavior:
    - {target: Deployment/default/web, startup: {delay: 10s}}
  events:
    - {at: 5m, rollout: {target: Deployment/default/web}}
`);
  const downs = run.events('ScalingReplicaSet').filter((e) => e.message.startsWith('Scaled down')).map((e) => e.t);
  assert.deepEqual(downs, ['370', '440', '510', '580']);
  assert.equal(run.events('RolloutComplete')[0].t, '580');
});
