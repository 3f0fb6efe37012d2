// StatefulSets against upstream's updateStatefulSet (pkg/controller/statefulset/
// stateful_set_control.go) and seed notes §1.11 (E11, E34): stable names, ordered start-up and
// scale-down, same-name replacement, rolling updates from the highest ordinal down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Phase } from '../src/phases.ts';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { runYaml, writeScenario } from './support/run.ts';

/** A 3-replica StatefulSet `web` (E34's mongo shape: replicas 3, terminationGracePeriodSeconds 10)
 *  whose pods are Ready 20 s after they start. */
const scenario = (spec: string, events = '', behavior = '') => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: sts}
spec:
  duration: 30m
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 3}]
  manifests:
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: web}
      spec:
        serviceName: web
        replicas: 3
        selector: {matchLabels: {app: web}}
${spec.trim().split('\n').map((l) => `        ${l.trim()}`).join('\n')}
        template:
          metadata: {labels: {app: web}}
          spec:
            terminationGracePeriodSeconds: 10
            containers: [{name: mongo, image: mongo:3.4, resources: {requests: {cpu: 500m, memory: 1Gi}}}]
  behavior:
    - {target: StatefulSet/default/web, startup: {delay: 20s}${behavior}}
  events:
${events || '    []'}
`;

const t = (e: Record<string, string>) => Number(e.t);
const pods = (rows: Record<string, string>[]) => rows.map((e) => [t(e), e.object.replace('Pod/default/', '')]);

test('OrderedReady: web-0, web-1, web-2 each created once the one before is Running and Ready', async () => {
  // web-0 created and started at 0, Ready at 20; only then web-1 (Ready 40), then web-2 (60).
  const run = await runYaml(scenario('podManagementPolicy: OrderedReady'));
  assert.deepEqual(pods(run.events('Scheduled')), [[0, 'web-0'], [20, 'web-1'], [40, 'web-2']]);
  assert.deepEqual(pods(run.events('Ready')), [[20, 'web-0'], [40, 'web-1'], [60, 'web-2']]);
  const rows = run.csv('workloads.csv').filter((r) => r.workload === 'StatefulSet/default/web');
  assert.deepEqual([rows[0].replicas_desired, rows[1].replicas_ready], ['3', '3']);
});

test('Parallel: all ordinals at once', async () => {
  const run = await runYaml(scenario('podManagementPolicy: Parallel'));
  assert.deepEqual(pods(run.events('Ready')), [[20, 'web-0'], [20, 'web-1'], [20, 'web-2']]);
});

test('scale 3 -> 1: web-2 deleted first, web-1 only once web-2 is gone', async () => {
  // At 300 s the condemned ordinals are 2 and 1: web-2 goes (10 s grace); web-1 waits for it
  // and is deleted at 310, gone at 320.
  const run = await runYaml(scenario('podManagementPolicy: OrderedReady', '    - {at: 5m, scale: {target: StatefulSet/default/web, replicas: 1}}'));
  assert.deepEqual(run.events('ScaledDown').map((e) => [t(e), e.object, e.message]), [[300, 'StatefulSet/default/web', 'Scaled by scenario event from 3 to 1']]);
  assert.deepEqual(pods(run.events('Killed')), [[300, 'web-2'], [310, 'web-1']]);
  for (const e of run.events('Killed')) assert.equal(e.message, 'Deleted by StatefulSet web (scale down)');
  assert.equal(run.csv('workloads.csv').filter((r) => r.workload === 'StatefulSet/default/web').at(-1)?.replicas_ready, '1');
});

test('scale 3 -> 1 with Parallel: the condemned pods all go at once', async () => {
  const run = await runYaml(scenario('podManagementPolicy: Parallel', '    - {at: 5m, scale: {target: StatefulSet/default/web, replicas: 1}}'));
  assert.deepEqual(pods(run.events('Killed')), [[300, 'web-2'], [300, 'web-1']]);
});

test('a deleted web-1 comes back as web-1, a new pod under the same name', async () => {
  // kubectl delete pod web-1 at 120 s: terminating for its 10 s grace; OrderedReady waits for
  // it, creates web-1 again at 130 s, Ready at 150 s.
  const scenarioFile = writeScenario(scenario('podManagementPolicy: OrderedReady'));
  const world = new World(await loadScenario(scenarioFile));
  const events: ClusterEvent[] = [];
  world.api.onEvent((e) => events.push(e));
  world.setup();
  let oldUid = -1;
  world.sim.schedule(120_000, Phase.Script, () => {
    const pod = world.api.podByKey('default', 'web-1')!;
    oldUid = pod.uid;
    world.api.deletePod(pod, 'Killed', 'kubectl delete pod web-1');
  });
  world.sim.runUntil(30 * 60_000);
  const web1 = world.api.podByKey('default', 'web-1')!;
  assert.notEqual(web1.uid, oldUid);
  assert.deepEqual([web1.createdMs, web1.readyMs], [130_000, 150_000]);
  assert.deepEqual(events.filter((e) => e.type === 'Scheduled' && e.object === 'Pod/default/web-1').map((e) => e.tMs), [20_000, 130_000]);
  assert.deepEqual([...world.api.pods.values()].map((p) => p.name).sort(), ['web-0', 'web-1', 'web-2']);
});

test('rolling update: web-2, web-1, web-0 in turn, each after the previous replacement is Ready', async () => {
  // rollout at 300 s: web-2 deleted (gone 310), recreated at 310, Ready 330; web-1 deleted at
  // 330 (gone 340, Ready 360); web-0 deleted at 360 (gone 370, Ready 390): complete at 390.
  const run = await runYaml(scenario('podManagementPolicy: OrderedReady', '    - {at: 5m, rollout: {target: StatefulSet/default/web}}'));
  assert.deepEqual(pods(run.events('Killed')), [[300, 'web-2'], [330, 'web-1'], [360, 'web-0']]);
  for (const e of run.events('Killed')) assert.equal(e.message, 'Deleted by StatefulSet web (rolling update)');
  assert.deepEqual(pods(run.events('Ready')).slice(3), [[330, 'web-2'], [360, 'web-1'], [390, 'web-0']]);
  assert.deepEqual(run.events('RolloutComplete').map(t), [390]);
});

test('rolling update with partition 1: ordinals below the partition keep the old revision', async () => {
  const run = await runYaml(scenario('updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}', '    - {at: 5m, rollout: {target: StatefulSet/default/web}}'));
  assert.deepEqual(pods(run.events('Killed')), [[300, 'web-2'], [330, 'web-1']]);
  assert.equal(run.events('RolloutComplete').length, 0);
});

test('OnDelete: a rollout replaces nothing by itself', async () => {
  const run = await runYaml(scenario('updateStrategy: {type: OnDelete}', '    - {at: 5m, rollout: {target: StatefulSet/default/web}}'));
  assert.equal(run.events('Killed').length, 0);
  assert.equal(run.events('RolloutStarted').length, 1);
});

test('E11 mysql (replicas 1) via the workloads shorthand; a lost node brings mysql-0 back elsewhere', async () => {
  // p-002 is cordoned until 5 min, so mysql-0 starts on p-001. That node fails at 10 min and is
  // deleted 50 s later (cloud node controller): mysql-0 goes with it and is recreated under its
  // name at once, on p-002.
  const run = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: e11}
spec:
  duration: 30m
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 2}]
  workloads:
    - {name: mysql, kind: StatefulSet, replicas: 1, containers: [{name: mysql, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}
  events:
    - {at: 0s, cordon: {node: p-002}}
    - {at: 5m, uncordon: {node: p-002}}
    - {at: 10m, nodeFailure: {node: p-001}}
`);
  const scheduled = run.events('Scheduled').filter((e) => e.object === 'Pod/default/mysql-0');
  assert.deepEqual(scheduled.map((e) => [t(e), e.node]), [[0, 'p-001'], [650, 'p-002']]);
});

test('StatefulSet pods carry upstream labels and are registered for default spreading and workloads.csv', async () => {
  const world = new World(await loadScenario(writeScenario(scenario('podManagementPolicy: Parallel'))));
  world.setup();
  world.sim.runUntil(60_000);
  const pod = world.api.podByKey('default', 'web-2')!;
  assert.equal(pod.labels['statefulset.kubernetes.io/pod-name'], 'web-2');
  assert.equal(pod.labels['apps.kubernetes.io/pod-index'], '2');
  assert.match(pod.labels['controller-revision-hash'], /^web-[a-z0-9]+$/);
  assert.equal(pod.workload, 'StatefulSet/default/web');
  // The scheduler's default PodTopologySpread reads the owner's selector from here.
  assert.deepEqual(world.api.ownerSelector(pod), { matchLabels: { app: 'web' } });
  assert.equal(world.api.workloads.replicasOf(pod), 3);
});
