// The API server as the one meeting point: typed stores with watches in registration order, the
// owner indexes, the scale subresource and its events, cascading deletion, kubectl's rollout
// restart, the scheduler's unschedulable condition, the controllers' work queue and registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../src/api/apiServer.ts';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { deleteJob } from '../src/api/garbageCollector.ts';
import { HPA_SOURCE, getScale, setScale } from '../src/api/scale.ts';
import { Store } from '../src/api/store.ts';
import { newDeployment, newJob, newStatefulSet } from '../src/api/workloads.ts';
import { CONTROLLERS } from '../src/controllers/manager.ts';
import { WorkQueue } from '../src/controllers/workqueue.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { rolloutRestart } from '../src/kubectl/rollout.ts';
import type { DeploymentObject, JobObject, StatefulSetObject } from '../src/model/objects.ts';
import type { PodSpec, PodTemplate } from '../src/model/pod.ts';
import { Phase } from '../src/phases.ts';

const meta = (name: string) => ({ name, namespace: 'shop', labels: {}, annotations: {} });
const source = { file: 'test', line: 1 };
const spec = (): PodSpec => ({
  containers: [{ name: 'app', requests: { cpu: 100 }, limits: {} }],
  initContainers: [], tolerations: [], topologySpreadConstraints: [], terminationGracePeriodSeconds: 30, restartPolicy: 'Always', hasLocalStorage: false,
});
const template = (): PodTemplate => ({ labels: { app: 'web' }, annotations: {}, spec: spec() });

function deploymentObject(name: string, replicas: number): DeploymentObject {
  return {
    kind: 'Deployment', apiVersion: 'apps/v1', metadata: meta(name), source,
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'Recreate' }, minReadySeconds: 0, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, paused: false },
  };
}

function api(): { api: ApiServer; sim: Simulation; events: ClusterEvent[] } {
  const sim = new Simulation();
  const server = new ApiServer(sim, new RandomStreams(1), Date.UTC(2026, 0, 5));
  const events: ClusterEvent[] = [];
  server.onEvent((e) => events.push(e));
  return { api: server, sim, events };
}

test('a store tells its watchers in registration order, lists in creation order, and indexes by owner', () => {
  const store = new Store<{ ref: string; owner: string | null }>('Thing', (t) => t.ref, (t) => t.owner);
  const seen: string[] = [];
  store.watch({ added: (t) => seen.push(`a1 ${t.ref}`), deleted: (t) => seen.push(`d1 ${t.ref}`) });
  store.watch({ added: (t) => seen.push(`a2 ${t.ref}`), updated: (t) => seen.push(`u2 ${t.ref}`) });
  const a = { ref: 'x/a', owner: 'o' };
  const b = { ref: 'x/b', owner: null };
  const c = { ref: 'x/c', owner: 'o' };
  assert.equal(store.add(a), true);
  assert.equal(store.add(b), true);
  assert.equal(store.add(c), true);
  assert.equal(store.add({ ref: 'x/a', owner: null }), false, 'a second object under one ref is refused');
  store.update(b);
  store.update({ ref: 'x/b', owner: null }); // not the stored object: nobody is told
  store.delete(a);
  assert.deepEqual(seen, ['a1 x/a', 'a2 x/a', 'a1 x/b', 'a2 x/b', 'a1 x/c', 'a2 x/c', 'u2 x/b', 'd1 x/a']);
  assert.deepEqual([...store.list()].map((t) => t.ref), ['x/b', 'x/c']);
  assert.deepEqual(store.owned('o').map((t) => t.ref), ['x/c']);
  assert.equal(store.delete(a), false);
});

test('the scale subresource: spec.replicas written, the controller told, the event names its source', () => {
  const { api: server, events } = api();
  const d = newDeployment(deploymentObject('web', 2));
  server.deployments.add(d);
  const s = newStatefulSet({ ...deploymentObject('db', 3), kind: 'StatefulSet', spec: { replicas: 3, selector: {}, template: template(), serviceName: 'db', podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'OnDelete' }, minReadySeconds: 0 } } as StatefulSetObject);
  server.statefulSets.add(s);
  const updated: number[] = [];
  server.deployments.watch({ updated: (x) => updated.push(x.replicas) });
  assert.equal(getScale(server, 'Deployment/shop/web'), 2);
  assert.equal(setScale(server, 'Deployment/shop/web', 5, { source: HPA_SOURCE, message: 'HPA web' }), true);
  assert.equal(setScale(server, 'Deployment/shop/web', 5, { source: HPA_SOURCE, message: 'HPA web' }), true, 'no change: no event');
  assert.equal(setScale(server, 'StatefulSet/shop/db', 1, { source: 'kubectl', message: 'Scaled by scenario event' }), true);
  assert.equal(setScale(server, 'DaemonSet/shop/agents', 1, { source: 'kubectl', message: 'x' }), false);
  assert.deepEqual(updated, [5]);
  assert.deepEqual(events.map((e) => [e.type, e.object, e.message, e.source]), [
    ['ScaledUp', 'Deployment/shop/web', 'HPA web from 2 to 5', HPA_SOURCE],
    ['ScaledDown', 'StatefulSet/shop/db', 'Scaled by scenario event from 3 to 1', 'kubectl'],
  ]);
});

test('pods are indexed by their controller, and a deleted Job takes its pods with it', () => {
  const { api: server, sim, events } = api();
  const jobObj: JobObject = {
    kind: 'Job', apiVersion: 'batch/v1', metadata: meta('etl'), source,
    spec: { parallelism: 2, completions: 2, completionMode: 'NonIndexed', backoffLimit: 6, activeDeadlineSeconds: null, ttlSecondsAfterFinished: null, suspend: false, template: template() },
  };
  const job = newJob(jobObj, {}, 0);
  server.jobs.add(job);
  const create = (name: string) => {
    const r = server.createPod({ name, namespace: 'shop', labels: {}, annotations: {}, owner: { kind: 'Job', name: 'etl' }, workload: job.workload, spec: spec() });
    assert.ok('pod' in r);
    return r.pod;
  };
  const [a, b] = [create('etl-a'), create('etl-b')];
  server.createPod({ name: 'bare', namespace: 'shop', labels: {}, annotations: {}, owner: null, spec: spec() });
  assert.deepEqual([...server.podsOwnedBy('Job/shop/etl')].map((p) => p.name), ['etl-a', 'etl-b']);
  const deleted: string[] = [];
  server.jobs.watch({ deleted: (j) => deleted.push(j.ref) });
  deleteJob(server, job, 'test');
  sim.runUntil(0);
  assert.equal(server.jobs.get('Job/shop/etl'), undefined);
  assert.deepEqual(deleted, ['Job/shop/etl']);
  // Never bound, so they go at once, each with the garbage collector's reason.
  assert.deepEqual([a.removedMs, b.removedMs], [0, 0]);
  assert.equal(server.podsOwnedBy('Job/shop/etl').size, 0);
  assert.deepEqual(events.filter((e) => e.type === 'Deleted').map((e) => e.message), [
    'Garbage-collected: Job etl was deleted (test)',
    'Garbage-collected: Job etl was deleted (test)',
  ]);
  deleteJob(server, job, 'again'); // deleting twice does nothing
  assert.equal(events.filter((e) => e.type === 'Deleted').length, 2);
});

test('kubectl rollout restart replaces the template with one carrying restartedAt, once per call', () => {
  const { api: server, sim } = api();
  const d = newDeployment(deploymentObject('web', 2));
  server.deployments.add(d);
  const before = d.template;
  sim.schedule(90_000, Phase.Script, () => assert.equal(rolloutRestart(server, 'Deployment/shop/web'), true));
  sim.runUntil(90_000);
  assert.notEqual(d.template, before);
  // kubectl's clock: spec.start (2026-01-05T00:00Z) + 90 s.
  assert.equal(d.template.annotations['kubectl.kubernetes.io/restartedAt'], '2026-01-05T00:01:30.000Z');
  assert.deepEqual(before.annotations, {}, 'the old template is left as it was');
  assert.equal(rolloutRestart(server, 'CronJob/shop/report'), false);
});

test('the scheduler parks pods as unschedulable; the list is oldest first and forgets removed pods', () => {
  const { api: server } = api();
  const pods = ['p1', 'p2', 'p3'].map((name) => {
    const r = server.createPod({ name, namespace: 'shop', labels: {}, annotations: {}, owner: null, spec: spec() });
    assert.ok('pod' in r);
    return r.pod;
  });
  server.setPodUnschedulable(pods[2], true);
  server.setPodUnschedulable(pods[0], true);
  server.setPodUnschedulable(pods[1], true);
  server.setPodUnschedulable(pods[1], false);
  assert.deepEqual(server.unschedulablePods().map((p) => p.name), ['p1', 'p3']);
  server.deletePod(pods[0], 'Killed', 'test');
  assert.deepEqual(server.unschedulablePods().map((p) => p.name), ['p3']);
});

test('the work queue syncs each key once per instant, in the controller phase, in its order', () => {
  const sim = new Simulation();
  const synced: string[] = [];
  const queue = new WorkQueue<string>(sim, (k) => synced.push(`${sim.nowMs}:${k}`), (a, b) => (a < b ? -1 : 1));
  sim.schedule(0, Phase.Scheduler, () => synced.push('scheduler'));
  sim.schedule(0, Phase.Node, () => {
    queue.add('b');
    queue.add('a');
    queue.add('b');
  });
  queue.addAfter('c', 5_000);
  const cancelled = queue.addAfter('d', 5_000);
  sim.cancel(cancelled);
  sim.runUntil(10_000);
  assert.deepEqual(synced, ['0:a', '0:b', 'scheduler', '5000:c']);
});

test('the controller manager: every controller by name, made in this order', () => {
  // The order is the order watches are registered in, which orders a single instant's syncs; a
  // new controller is one file and one line here.
  assert.deepEqual(Object.keys(CONTROLLERS), [
    'replicaset', 'deployment', 'daemonset', 'statefulset', 'job', 'cronjob', 'ttl-after-finished',
    'nodelifecycle', 'horizontalpodautoscaling', 'cluster-autoscaler', 'karpenter', 'vertical-pod-autoscaler',
  ]);
});
