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
import { setScale } from '../src/api/scale.ts';
import { preflightWarnings } from '../src/preflight.ts';

interface Opts {
  nodePools?: string;
  workloads?: string;
  /** Lines under spec.karpenter before nodePools. */
  extra?: string;
  /** Sections of spec after the workloads (manifests:, events:). */
  extraSpec?: string;
  duration?: string;
}

const deployment = (name: string, replicas: number, cpu: string, memory = '1Gi') => `
    - name: ${name}
      replicas: ${replicas}
      labels: {app: ${name}}
      containers:
        - name: ${name}
          resources: {requests: {cpu: "${cpu}", memory: ${memory}}}`;
const WEB = (replicas: number, cpu = '1') => deployment('web', replicas, cpu, cpu === '500m' ? '512Mi' : '1Gi');
const API = (replicas: number, cpu = '500m') => deployment('api', replicas, cpu, '512Mi');

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
  workloads:${o.workloads ?? WEB(1)}
${o.extraSpec ?? ''}
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
  assert.deepEqual([s.nodeClaimsLaunched, s.podsProvisionable, s.podsBound, s.meanPendingSeconds, s.usdPerHourAtEnd], [1, 1, 1, 91, 0.085]);
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

// ---- the batcher (provisioning/batcher.go; suite_test.go "Batcher") --------------------------

test('Batcher: "should provision single pod if no other pod is received within the batch idle duration"', async () => {
  // Covered above with times: the pod triggers at 0, the batch closes at 1s (BatchIdleDuration).
  const { world: w } = await world({});
  w.sim.runUntil(999);
  assert.equal(karpenter(w).nodeClaims.list().length, 0);
  w.sim.runUntil(1_000);
  assert.equal(karpenter(w).nodeClaims.list().length, 1);
});

test('Batcher: "should not extend the timeout if we receive the same pod within the batch idle duration"', async () => {
  // Nothing pending (0 replicas): the test triggers by hand. The same element at 0 and 500 ms
  // leaves the idle timer where the first put it: the batch closes at 1,000 ms.
  const { world: w } = await world({ workloads: WEB(0) });
  const p = karpenter(w).provisioner;
  for (const at of [0, 500]) w.sim.schedule(at, Phase.Controller, () => p.trigger('pod/x'));
  w.sim.runUntil(999);
  assert.equal(p.batching, true);
  w.sim.runUntil(1_000);
  assert.equal(p.batching, false);
  assert.equal(p.stats.batches, 1);
});

test('Batcher: "should extend the timeout if we receive a new pod within the batch idle duration"', async () => {
  // A new element at 800 ms restarts the 1s idle timer: the batch closes at 1,800 ms.
  const { world: w } = await world({ workloads: WEB(0) });
  const p = karpenter(w).provisioner;
  w.sim.schedule(0, Phase.Controller, () => p.trigger('pod/a'));
  w.sim.schedule(800, Phase.Controller, () => p.trigger('pod/b'));
  w.sim.runUntil(1_799);
  assert.equal(p.batching, true);
  w.sim.runUntil(1_800);
  assert.equal(p.batching, false);
});

test('Batcher: new elements every 900 ms keep the batch open until BatchMaxDuration, 10s after it opened', async () => {
  const { world: w } = await world({ workloads: WEB(0) });
  const p = karpenter(w).provisioner;
  for (let i = 0; i < 20; i++) w.sim.schedule(i * 900, Phase.Controller, () => p.trigger(`pod/${i}`));
  w.sim.runUntil(9_999);
  assert.equal(p.stats.batches, 0);
  w.sim.runUntil(10_000);
  assert.equal(p.stats.batches, 1);
});

test('two Deployments created 800 ms apart go into one batch and one NodeClaim at 1,800 ms', async () => {
  // web (1 CPU) at 0; api (500m) scaled up at 800 ms: one batch, one c5.large (1930m holds 1.5 CPU).
  const { world: w } = await world({ workloads: WEB(1) + API(0), duration: '5m' });
  w.sim.schedule(800, Phase.Script, () => setScale(w.api, 'Deployment/default/api', 1, { source: 'kubectl', message: 'test' }));
  w.sim.runUntil(300_000);
  const claims = karpenter(w).nodeClaims.list();
  assert.deepEqual(claims.map((c) => [c.instanceType, c.createdMs, c.initializedMs]), [['c5.large', 1_800, 91_800]]);
  assert.equal([...w.api.pods.values()].filter((p) => p.node === claims[0]!.node).length, 2);
});

// ---- in-flight NodeClaims ("In-Flight Nodes" in scheduling/suite_test.go) ----------------------

test('"should not launch a second node if there is an in-flight node that can support the pod"', async () => {
  // web (1 CPU) launches a c5.large at 1s (allocatable 1930m). api (500m) comes at 30s, while the
  // NodeClaim is still launching (Ready at 91s): the 31s batch puts it on the in-flight
  // NodeClaim (930m free) and launches nothing; web's own 10s requeues launch nothing either.
  const { world: w, events } = await world({ workloads: WEB(1) + API(0), duration: '5m' });
  w.sim.schedule(30_000, Phase.Script, () => setScale(w.api, 'Deployment/default/api', 1, { source: 'kubectl', message: 'test' }));
  w.sim.runUntil(300_000);
  const k = karpenter(w);
  assert.equal(k.summary().nodeClaimsLaunched, 1);
  const claim = k.nodeClaims.list()[0]!;
  const api = [...w.api.pods.values()].find((p) => p.name.startsWith('api-'))!;
  // (and again at 91s, its 10s requeue's batch closing as the node turns Ready)
  assert.deepEqual(events.filter((e) => e.type === 'Nominated' && e.object === `Pod/default/${api.name}`).map((e) => [e.tMs, e.message]),
    [[31_000, `Pod should schedule on: nodeclaim/${claim.name}`], [91_000, `Pod should schedule on: nodeclaim/${claim.name}, node/${claim.name}`]]);
  assert.equal(api.node, claim.node);
});

test('"should launch a second node if a pod won\'t fit on the existingNodes node"', async () => {
  // api asks 1500m at 30s: the in-flight c5.large has 930m free, so the 31s batch launches another.
  const { world: w } = await world({ workloads: WEB(1) + API(0, '1500m'), duration: '5m' });
  w.sim.schedule(30_000, Phase.Script, () => setScale(w.api, 'Deployment/default/api', 1, { source: 'kubectl', message: 'test' }));
  w.sim.runUntil(300_000);
  assert.deepEqual(karpenter(w).nodeClaims.list().map((c) => [c.instanceType, c.createdMs]), [['c5.large', 1_000], ['c5.large', 31_000]]);
});

// ---- DaemonSets ("Daemonsets" in suite_test.go) ----------------------------------------------

test('"should account for daemonsets": the DaemonSet pod\'s 1 CPU is counted on the NodeClaim, so a 4-vCPU type launches', async () => {
  // The DaemonSet asks 1 CPU, 1Gi; web 1 CPU, 1Gi: 2000m > c5.large's 1930m and m5.large's
  // 1930m, so the cheapest that holds both is m5.xlarge ($0.192/h, 3920m). Its in-flight room
  // counts the DaemonSet pod it will run, so web's requeues launch nothing more.
  const ds = `
    - name: agent
      kind: DaemonSet
      containers:
        - name: agent
          resources: {requests: {cpu: "1", memory: 1Gi}}`;
  const { world: w } = await world({ workloads: WEB(1) + ds, duration: '5m' });
  w.sim.runUntil(300_000);
  const claims = karpenter(w).nodeClaims.list();
  assert.deepEqual(claims.map((c) => [c.instanceType, c.priceUsdPerHour]), [['m5.xlarge', 0.192]]);
  assert.deepEqual([...w.api.pods.values()].map((p) => [p.owner?.kind, p.node?.name]).sort(), [['DaemonSet', claims[0]!.name], ['ReplicaSet', claims[0]!.name]]);
});

// ---- limits ("Resource Limits" in suite_test.go) ---------------------------------------------

test('"should not schedule to a nodepool after a scheduling round if limits would be exceeded"', async () => {
  // limits cpu: 2. web (1750m) gets a c5.large (2 vCPU: 2 of 2). A second pod at 30s would need
  // another node: every type exceeds what is left (0), so Karpenter reports it and launches nothing.
  const pool = `${DEFAULT_POOL}
        limits: {cpu: "2"}`;
  const { world: w, events } = await world({ nodePools: pool, workloads: WEB(1, '1750m') + API(0, '1750m'), duration: '5m' });
  w.sim.schedule(30_000, Phase.Script, () => setScale(w.api, 'Deployment/default/api', 1, { source: 'kubectl', message: 'test' }));
  w.sim.runUntil(300_000);
  assert.deepEqual(karpenter(w).nodeClaims.list().map((c) => c.instanceType), ['c5.large']);
  const failed = events.filter((e) => e.type === 'FailedScheduling' && e.source === 'karpenter');
  assert.deepEqual(failed.map((e) => [e.tMs, e.message]), [[31_000, 'Failed to schedule pod, all available instance types exceed limits for nodepool: "default"']]);
  assert.equal(karpenter(w).summary().podsFailedToSchedule, 1);
});

test('"should partially schedule if limits would be exceeded": limits cpu 3, two 1500m pods -> one NodeClaim, one pod pending', async () => {
  // Upstream keeps the pods apart with anti-affinity; here 3000m fits no 2-vCPU type, and a
  // 4-vCPU type exceeds the limit, so the first NodeClaim (2 vCPU, 1 left) takes one pod and
  // the second finds every type over the limit.
  const pool = `${DEFAULT_POOL}
        limits: {cpu: "3"}`;
  const { world: w } = await world({ nodePools: pool, workloads: WEB(2, '1500m'), duration: '5m' });
  w.sim.runUntil(300_000);
  assert.deepEqual(karpenter(w).nodeClaims.list().map((c) => c.instanceType), ['c5.large']);
  assert.deepEqual([...w.api.pods.values()].map((p) => p.node !== null).sort(), [false, true]);
});

// ---- termination, deleting nodes, PDBs --------------------------------------------------------

test('a NodeClaim being deleted: its pods are provisioned for at once, its drain waits on the PDB until terminationGracePeriod', async () => {
  // web ×3 (500m) on one c5.large from 1s; a PDB (minAvailable 3) forbids every eviction. At
  // 120s the NodeClaim is deleted: tainted, the drain refused (FailedDraining at 120s, again 2
  // minutes later as the recorder dedupes), and the provisioner, triggered by the disrupted
  // taint, launches a NodeClaim for the 3 pods at 121s ("should schedule all pods on one inflight
  // node when node is in deleting state"). terminationGracePeriod 5m ends at 420s: a pod whose
  // 30s grace would outlast it is deleted from 391s (the first 1s look past 390s) with 29s of
  // grace, bypassing the PDB; gone at 420s, and the instance with them.
  const pool = `${DEFAULT_POOL}
        terminationGracePeriod: 5m`;
  const pdb = `
  manifests:
    - apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}`;
  const { world: w, events } = await world({ nodePools: pool, workloads: WEB(3, '500m'), extraSpec: pdb, duration: '10m' });
  const k = karpenter(w);
  w.sim.schedule(120_000, Phase.Script, () => k.nodeClaims.terminate(k.nodeClaims.list()[0]!, 'Drifted'));
  w.sim.runUntil(600_000);
  const old = w.api.nodes[0]!;
  assert.deepEqual(events.filter((e) => e.type === 'FailedDraining').map((e) => e.tMs), [120_000, 240_000, 360_000]);
  assert.deepEqual(events.filter((e) => e.type === 'Launched').map((e) => e.tMs), [1_000, 121_000]);
  assert.match(events.find((e) => e.type === 'Launched' && e.tMs === 121_000)!.message, /; 3 pods$/);
  assert.deepEqual(events.filter((e) => e.type === 'TerminationGracePeriodExpiring').map((e) => [e.tMs, e.message]), [[120_000, 'All pods will be deleted by 2026-01-05T00:07:00Z']]);
  const disrupted = events.filter((e) => e.type === 'Disrupted');
  assert.deepEqual(disrupted.map((e) => e.tMs), [391_000, 391_000, 391_000]);
  assert.match(disrupted[0]!.message, /granted 29 seconds of grace-period of its 30 terminationGracePeriodSeconds/);
  assert.equal(old.removedMs, 420_000);
  assert.deepEqual(k.summary().terminatedByReason, { Drifted: 1 });
});

// ---- spot interruption and expiration ---------------------------------------------------------

const SPOT_POOL = `
      - name: default
        requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}
          - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, c5.large]}`;

test('a spot interruption goes through Karpenter: tainted, drained, the replacement Ready before the notice ends', async () => {
  // spot at 35% of on-demand: c5.large spot $0.02975/h in us-east-1a (zones tie, a first). The
  // notice at 300s (2 minutes): SpotInterrupted on the NodeClaim, c5.large/us-east-1a/spot
  // unavailable for 3 minutes, the NodeClaim deleted: its 3 pods evicted at 300s; the
  // ReplicaSet's replacements and the disrupted taint trigger a batch that launches c5.large spot
  // in us-east-1b at 301s, Ready at 391s, before the notice ends at 420s. The old node is empty
  // at 330s (30s grace) and terminated by Karpenter then.
  const { world: w, events } = await world({
    nodePools: SPOT_POOL, extra: '    spot: {priceRatio: 0.35}\n', workloads: WEB(3, '500m'), duration: '10m',
    extraSpec: '  events:\n    - {at: 5m, spotInterruption: {pool: default, count: 1}}',
  });
  w.sim.runUntil(600_000);
  const k = karpenter(w);
  const [old, replacement] = w.api.nodes;
  assert.deepEqual([old!.instanceType, old!.capacityType, old!.zone, old!.priceUsdPerHour], ['c5.large', 'spot', 'us-east-1a', 0.02975]);
  assert.deepEqual(events.filter((e) => e.type === 'SpotInterrupted').map((e) => [e.tMs, e.object]), [[300_000, `Node/-/${old!.name}`], [300_000, `NodeClaim/-/${old!.name}`]]);
  assert.deepEqual([replacement!.instanceType, replacement!.capacityType, replacement!.zone, replacement!.createdMs, replacement!.readyMs], ['c5.large', 'spot', 'us-east-1b', 301_000, 391_000]);
  assert.equal(old!.removedMs, 330_000);
  assert.ok(replacement!.readyMs < 300_000 + 120_000, 'Ready before the notice ends');
  assert.deepEqual([...w.api.pods.values()].map((p) => p.node?.name), [replacement!.name, replacement!.name, replacement!.name]);
  const s = k.summary();
  assert.deepEqual([s.spotInterruptions, s.terminatedByReason, s.nodeClaimsLaunched], [1, { Interrupted: 1 }, 2]);
});

test('spot.interruptionsPerNodeDay arms Karpenter\'s spot nodes with the cloud\'s Poisson interruptions', async () => {
  // 48 a node-day: a mean of 30 minutes to the notice; over 6 hours the nodes are interrupted and
  // replaced again and again, each replacement by Karpenter; the pods end on a live node.
  const { world: w } = await world({
    nodePools: SPOT_POOL, extra: '    spot: {priceRatio: 0.35, interruptionsPerNodeDay: 48}\n', workloads: WEB(3, '500m'), duration: '6h',
  });
  w.sim.runUntil(6 * 3_600_000);
  const s = karpenter(w).summary();
  assert.ok(s.spotInterruptions >= 3, `${s.spotInterruptions} interruptions`);
  assert.equal(s.terminatedByReason.Interrupted, s.spotInterruptions);
  assert.equal(s.nodeClaimsLaunched, s.spotInterruptions + 1);
  assert.ok([...w.api.pods.values()].every((p) => p.node !== null && p.node.state === 'Ready'));
});

test('expireAfter: the NodeClaim is deleted 5m after launch, its pods provisioned for as it drains', async () => {
  // Launched at 1s, expired at 301s: Expired, tainted, pods evicted; the replacement NodeClaim at
  // 302s (a batch after the pods' replacements), and itself expires at 602s.
  const pool = `${DEFAULT_POOL}
        expireAfter: 5m`;
  const { world: w, events } = await world({ nodePools: pool, duration: '10m' });
  w.sim.runUntil(600_000);
  assert.deepEqual(events.filter((e) => e.type === 'Expired').map((e) => [e.tMs, e.message]), [[301_000, 'deleting expired nodeclaim (expireAfter 5m)']]);
  assert.deepEqual(events.filter((e) => e.type === 'Launched').map((e) => e.tMs), [1_000, 302_000]);
  const s = karpenter(w).summary();
  assert.deepEqual([s.expired, s.terminatedByReason], [1, { Expired: 1 }]);
});

// ---- names, pools and the cluster autoscaler ---------------------------------------------------

test('a NodePool named as a cluster node pool: a warning, and the cluster autoscaler leaves Karpenter\'s nodes alone', async () => {
  // The pool "default" (one m5.large, autoscaled 1-3) is full with web's 1 CPU; api (1500m)
  // comes at 30s: Karpenter (batch at 31s) launches a c5.large; its node is not counted in the
  // pool's node group, so the cluster autoscaler never scales it down.
  const yaml = scenario({ workloads: WEB(1) + API(0, '1500m'), duration: '10m' }).replace('  karpenter:\n', [
    '  cluster:',
    '    nodePools: [{name: default, instanceType: aws/m5.large, count: 1, min: 1, max: 3}]',
    '    autoscaler: {scaleDownUnneededTime: 1m}',
    '  karpenter:', '',
  ].join('\n'));
  const s = await loadScenario(writeScenario(yaml));
  assert.deepEqual(s.clusterState.warnings.filter((x) => x.code === 'karpenter-nodepool').map((x) => x.title), ['NodePool named as a node pool']);
  const w = new World(s);
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  w.sim.schedule(30_000, Phase.Script, () => setScale(w.api, 'Deployment/default/api', 1, { source: 'kubectl', message: 'test' }));
  w.sim.runUntil(600_000);
  const karpenterNodes = w.api.nodes.filter((n) => n.nodeClaim !== undefined);
  assert.equal(karpenterNodes.length, 1);
  // Not scaled down by the cluster autoscaler: if the node goes, Karpenter's disruption removed it
  // (api's pod can move to the group's second m5.large, and Karpenter consolidates its own node).
  const removals = events.filter((e) => e.type === 'NodeScaleDown' || e.type === 'ScaleDown').map((e) => e.node);
  assert.ok(!removals.includes(karpenterNodes[0]!.name), 'not scaled down by the cluster autoscaler');
  assert.deepEqual(Object.keys(karpenter(w).summary().terminatedByReason).filter((r) => !['Empty', 'Underutilized'].includes(r)), []);
  // Both autoscalers answer the pending pod (as two would on one cluster): the group holds its
  // own m5.large and its scale-up's, not Karpenter's node.
  assert.deepEqual(w.controllers.get('cluster-autoscaler')!.groups[0]!.nodes.map((n) => [n.instanceType, n.nodeClaim]), [['aws/m5.large', undefined], ['aws/m5.large', undefined]]);
});

test('validate\'s fit check asks Karpenter: a pod a NodePool can hold earns no warning; one none can names the NodePool\'s reason', async () => {
  // Karpenter-only: web (1 CPU) fits c5.large; huge (64 CPU) fits none of m5.large..m5.2xlarge, c5.large.
  const s = await loadScenario(writeScenario(scenario({ workloads: WEB(1) + deployment('huge', 1, '64') })));
  const fit = preflightWarnings(s).filter((x) => x.code === 'pod-fits-no-node');
  assert.deepEqual(fit.map((x) => x.objects), [['Deployment/default/huge']]);
  assert.match(fit[0]!.message, /Karpenter: incompatible with nodepool "default", daemonset overhead=\{\}, no instance type satisfied resources \{"cpu":64000m,"memory":1073741824,"pods":1\}/);
});

test('a static NodePool (replicas) is not simulated: a warning says its nodes are not in the run, and Karpenter does not run for it alone', async () => {
  const yaml = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: static}
spec:
  duration: 10m
  cluster:
    nodePools: [{name: base, instanceType: aws/m5.large, count: 1}]
  manifests:
    - apiVersion: karpenter.sh/v1
      kind: NodePool
      metadata: {name: fixed}
      spec:
        replicas: 2
        template:
          spec:
            nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
            requirements: [{key: node.kubernetes.io/instance-type, operator: In, values: [m5.large]}]
    - {apiVersion: karpenter.k8s.aws/v1, kind: EC2NodeClass, metadata: {name: default}, spec: {amiFamily: AL2023}}
`;
  const s = await loadScenario(writeScenario(yaml));
  const w = preflightWarnings(s).filter((x) => x.code === 'karpenter-nodepool');
  assert.deepEqual(w.map((x) => [x.title, x.objects]), [['static NodePool not simulated', ['NodePool/-/fixed']]]);
  assert.match(w[0]!.message, /capsim does not launch or keep its 2 nodes/);
  const world = new World(s);
  assert.equal(world.controllers.get('karpenter'), null);
});

test('a stock-out on a NodePool: InsufficientCapacityError, the offerings cached unavailable 3 minutes, then the launch', async () => {
  // capacityUnavailable for 2m from 0. The 1s batch tries spot (c5.large, m5.large): ICE, spot
  // cached unavailable until 181s; the 11s batch (the pod's 10s requeue) tries on-demand: ICE,
  // cached until 191s; later batches find no offering left (Karpenter's own FailedScheduling).
  // At 181s spot is offered again and the stock-out is over: c5.large spot, Ready at 271s.
  const { world: w, events } = await world({
    nodePools: SPOT_POOL, extra: '    spot: {priceRatio: 0.35}\n', duration: '10m',
    extraSpec: '  events:\n    - {at: 0s, capacityUnavailable: {pool: default, duration: 2m}}',
  });
  w.sim.runUntil(600_000);
  assert.deepEqual(events.filter((e) => e.type === 'InsufficientCapacityError').map((e) => [e.tMs, e.message.replace(/.*\((.*)\)$/, '$1')]), [[1_000, '2 spot types'], [11_000, '2 on-demand types']]);
  assert.match(events.find((e) => e.type === 'FailedScheduling' && e.source === 'karpenter')!.message, /0 have an allowed offering/);
  const claims = karpenter(w).nodeClaims.list();
  assert.deepEqual(claims.map((c) => [c.instanceType, c.capacityType, c.createdMs, c.initializedMs]), [['c5.large', 'spot', 181_000, 271_000]]);
  assert.equal(karpenter(w).summary().launchFailures, 2);
});
