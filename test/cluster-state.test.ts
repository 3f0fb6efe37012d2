// A cluster's state in the manifests (issue 15, items 3-6): `kubectl get ... -A -o yaml` of a
// running cluster loads into a simulation that starts where the cluster is, counts nothing twice
// and says what it leaves out. The main fixture, test/fixtures/dumps/eks-shop-state.yaml, is built by
// hand in kubectl's exact shape (its header and test/fixtures/dumps/SOURCES.md say what it holds);
// the others are real API-server output from kubernetes/kubernetes (SOURCES.md), or the smallest
// kubectl-shaped fragment that shows one rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadScenario, type LoadOptions } from '../src/scenario/load.ts';
import { preflightWarnings } from '../src/preflight.ts';
import type { Scenario } from '../src/model/scenario.ts';
import { World } from '../src/world.ts';
import { capsim, runYaml, scratchDir, writeScenario } from './support/run.ts';

const DUMPS = path.resolve(import.meta.dirname, 'fixtures/dumps');
const EKS_SHOP = path.join(DUMPS, 'eks-shop-state.yaml');

async function load(yaml: string, options: LoadOptions = {}, dir = scratchDir('capsim-state-')): Promise<Scenario> {
  return loadScenario(writeScenario(yaml, dir), options);
}

/** The world of a scenario, set up and run to `untilMs`, as a run does. */
function simulate(s: Scenario, untilMs = 0): World {
  const w = new World(s);
  w.setup();
  w.usage.start(s.sampleEveryMs, s.durationMs);
  w.sim.runUntil(untilMs);
  return w;
}

/** Every live pod, "namespace/name" -> its node. */
function placement(w: World): Record<string, string | null> {
  return Object.fromEntries([...w.api.pods.values()].map((p) => [p.key, p.node?.name ?? null]));
}

const scenarioOf = (manifests: string, extra = '') => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: cluster}
spec:
  start: "2025-11-03T10:00:00Z"
  duration: 1h
  sampleEvery: 5m
  manifests: [${manifests}]
${extra}`;

const N1 = 'ip-10-0-1-10.ec2.internal';
const N2 = 'ip-10-0-2-20.ec2.internal';
const N3 = 'ip-10-0-1-30.ec2.internal';
const N4 = 'ip-10-0-2-40.ec2.internal';

/** Where eks-shop-state.yaml says its 11 Running pods run (its spec.nodeName of each). */
const EKS_PLACEMENT = {
  'shop/web-6d4cf56db6-x2k9p': N1, 'shop/web-6d4cf56db6-q7wz4': N2, 'shop/web-6d4cf56db6-m4d8v': N3,
  'shop/api-7b9f8c6d5-h5j2k': N1, 'shop/api-7b9f8c6d5-t9r3c': N3,
  'shop/db-0': N2, 'shop/db-1': N3,
  'kube-system/node-agent-4kq8z': N1, 'kube-system/node-agent-b7n2x': N2, 'kube-system/node-agent-d9w5r': N3, 'kube-system/node-agent-f3s6t': N4,
};

test('eks-shop-state.yaml holds what the test says: 11 Running pods with their nodes, 2 Succeeded, 2 finished Jobs', () => {
  const dump = YAML.parse(fs.readFileSync(EKS_SHOP, 'utf8')) as { items: { kind: string; metadata: { name: string; namespace?: string }; spec: { nodeName?: string }; status: { phase?: string } }[] };
  const running = dump.items.filter((o) => o.kind === 'Pod' && o.status.phase === 'Running');
  assert.deepEqual(Object.fromEntries(running.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.spec.nodeName])), EKS_PLACEMENT);
  assert.equal(dump.items.filter((o) => o.kind === 'Pod' && o.status.phase === 'Succeeded').length, 2);
  assert.equal(dump.items.filter((o) => o.kind === 'Job').length, 2);
});

test('a dump starts as the cluster is: the same pods on the same nodes, the same replicas, no duplicates, finished Jobs not run again', async () => {
  const s = await load(scenarioOf(EKS_SHOP));
  const w = simulate(s, 0);
  // Every Running pod of the dump, on its node, and no other pod (3 + 2 + 2 + 4 = 11).
  assert.deepEqual(placement(w), EKS_PLACEMENT);
  for (const pod of w.api.pods.values()) assert.ok(pod.phase === 'Running' && pod.ready, `${pod.key} Running and Ready at t = 0`);
  assert.equal(w.api.deployments.get('Deployment/shop/web')!.replicas, 3);
  assert.equal(w.api.deployments.get('Deployment/shop/api')!.replicas, 2);
  assert.equal(w.api.statefulSets.get('StatefulSet/shop/db')!.replicas, 2);
  // web's two ReplicaSets are adopted, the current one (revision 2, the Deployment's) at 3.
  assert.deepEqual(w.api.replicaSets.owned('Deployment/shop/web').map((rs) => [rs.name, rs.replicas]), [['web-5f8b9c7d4', 0], ['web-6d4cf56db6', 3]]);
  assert.equal(w.api.deployments.get('Deployment/shop/web')!.templateHash, '6d4cf56db6');
  // The two completed Jobs of the CronJob are history: no Job exists, none runs at t = 0.
  assert.equal(w.api.jobs.size, 0);
  assert.deepEqual(s.clusterState.entries.filter((e) => e.decision === 'history').map((e) => e.object), [
    'Job/shop/report-29367540', 'Job/shop/report-29368980', 'Pod/shop/report-29367540-7xk2m', 'Pod/shop/report-29368980-7xk2m',
  ]);
  // The cordoned spot node stays cordoned; its DaemonSet pod stays.
  assert.equal(w.api.node(N4)!.unschedulable, true);
  // An hour later nothing was created or moved: the controllers adopted what they found.
  const before = placement(w);
  w.sim.runUntil(s.durationMs);
  assert.deepEqual(placement(w), before);
});

test('a dump then runs as any scenario: a rollout replaces web\'s pods, a drain moves the spot node\'s, the CronJob runs at its next time', async () => {
  const events = `  events:
    - {at: 10m, rollout: {target: Deployment/shop/web}}
    - {at: 20m, drain: {node: ${N3}}}`;
  // spec.start is 2025-11-03T10:00Z: "0 3 * * *" next fires at 2025-11-04T03:00Z, 17 h in.
  const yaml = scenarioOf(EKS_SHOP, events).replace('duration: 1h', 'duration: 18h');
  const r = await runYaml(yaml);
  const scheduled = r.events('Scheduled');
  // At t = 0 the 11 pods are bound where they run, without a scheduler pass.
  assert.equal(scheduled.filter((e) => e.t === '0').length, 11);
  assert.ok(scheduled.filter((e) => e.t === '0').every((e) => e.message.startsWith("Running in the cluster's state")));
  assert.equal(r.summary.pods.scheduled, r.events('Scheduled').length - 11, 'the 11 pods of the dump were not scheduled by capsim');
  // The rollout at 10 minutes: a new ReplicaSet, 3 new web pods; the drain at 20 minutes moves
  // web's, api's and db-1 off the spot node (the DaemonSet pod stays).
  assert.ok(r.events('RolloutComplete').some((e) => e.object === 'Deployment/shop/web'));
  const last = r.csv('workloads.csv').filter((row) => row.t === String(18 * 3600));
  assert.deepEqual(last.map((row) => [row.workload, row.replicas_ready]), [
    ['Deployment/shop/web', '3'], ['Deployment/shop/api', '2'], ['StatefulSet/shop/db', '2'], ['DaemonSet/kube-system/node-agent', '4'], ['CronJob/shop/report', '0'],
  ]);
  assert.ok(r.events('Evicted').some((e) => e.object === 'Pod/shop/db-1'), 'db-1 was evicted by the drain');
  // The CronJob's history did not run again; its next time did, once.
  const created = r.events('SuccessfulCreate').filter((e) => e.object === 'CronJob/shop/report');
  assert.deepEqual(created.map((e) => [e.t, e.message]), [[String(17 * 3600), 'Created job report-29370420']]);
});

test('placement reschedule: the workloads make their pods afresh and the scheduler packs them; the counts are the dump\'s', async () => {
  const s = await load(scenarioOf(EKS_SHOP), { placement: 'reschedule' });
  assert.equal(s.placement, 'reschedule');
  assert.equal(s.objects.filter((o) => o.kind === 'Pod').length, 0, 'every pod of the dump has a controller: none is kept');
  const w = simulate(s, 60_000);
  const pods = [...w.api.pods.values()];
  assert.equal(pods.length, 11);
  assert.ok(pods.every((p) => p.node !== null && p.ready));
  // None is the dump's pod by name, but the StatefulSet's (db-0, db-1: stable names).
  assert.deepEqual(pods.filter((p) => p.key in EKS_PLACEMENT).map((p) => p.key).sort(), ['shop/db-0', 'shop/db-1']);
  // The cordoned node takes only the DaemonSet's pod (it tolerates unschedulable).
  assert.deepEqual(pods.filter((p) => p.node!.name === N4).map((p) => p.owner?.kind), ['DaemonSet']);
  // spec.placement in the file does the same; the flag overrides it.
  const fromFile = await load(scenarioOf(EKS_SHOP, '  placement: reschedule'));
  assert.equal(fromFile.placement, 'reschedule');
  assert.equal((await load(scenarioOf(EKS_SHOP, '  placement: reschedule'), { placement: 'asDumped' })).placement, 'asDumped');
});

test('`kubectl get -o json` of the same dump loads to the same decisions', async () => {
  const dir = scratchDir('capsim-state-');
  fs.writeFileSync(path.join(dir, 'dump.json'), JSON.stringify(YAML.parse(fs.readFileSync(EKS_SHOP, 'utf8')), null, 4));
  const fromJson = await load(scenarioOf('dump.json'), {}, dir);
  const fromYaml = await load(scenarioOf(EKS_SHOP));
  const brief = (s: Scenario) => s.clusterState.entries.map((e) => `${e.object} ${e.decision}: ${e.reason}`);
  assert.deepEqual(brief(fromJson), brief(fromYaml));
  assert.equal(fromJson.clusterState.runningPods, 11);
});

test('an HPA of the dump without a usage model holds its replicas and says so; with one, it scales', async () => {
  const s = await load(scenarioOf(EKS_SHOP));
  const hpa = s.objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  assert.ok(hpa.kind === 'HorizontalPodAutoscaler' && hpa.hold?.startsWith('holds Deployment/shop/web at its 3 replicas'), JSON.stringify(hpa));
  const held = preflightWarnings(s).filter((w) => w.code === 'hpa-held');
  assert.equal(held.length, 1);
  // Read from the requests, web's cpu is 100 % of them against a target of 70 %: maxReplicas 10.
  assert.match(held[0].message, /climb to maxReplicas \(10\)\. It holds Deployment\/shop\/web at its 3 replicas instead/);
  assert.ok(!preflightWarnings(s).some((w) => w.code === 'hpa-without-usage'), 'the held HPA is not also said to climb');
  const w = simulate(s, s.durationMs);
  assert.equal(w.api.deployments.get('Deployment/shop/web')!.replicas, 3, 'still 3 after an hour, not 10');

  // With a usage model (50m a pod, 10 % of the 500m request) the HPA reads it and scales down to
  // minReplicas 2: ceil(3 x 10 / 70) = 1, raised to minReplicas.
  const modelled = await load(scenarioOf(EKS_SHOP, '  behavior:\n    - {target: Deployment/shop/web, usage: {web: {cpu: {base: 50m}}}}'));
  const again = modelled.objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  assert.equal(again.kind === 'HorizontalPodAutoscaler' && again.hold, undefined);
  const w2 = simulate(modelled, modelled.durationMs);
  assert.equal(w2.api.deployments.get('Deployment/shop/web')!.replicas, 2);
});

test('capsim validate and run print the cluster state; --placement is a flag of both', () => {
  const file = writeScenario(scenarioOf(EKS_SHOP), scratchDir('capsim-state-'));
  const v = capsim('validate', file);
  assert.equal(v.code, 0, v.stderr);
  assert.ok(v.stdout.includes('note: cluster state (placement asDumped: 11 pods start on their nodes at t = 0): 3 ReplicaSets, 11 Pods adopted by their workloads; 2 Jobs, 2 Pods history (finished: counted, not run again)'), v.stdout);
  assert.ok(v.stdout.includes('warning: HPA held at its replicas: HorizontalPodAutoscaler/shop/web'), v.stdout);
  const r = capsim('validate', file, '--placement', 'reschedule');
  assert.ok(r.stdout.includes('note: cluster state (placement reschedule: the workloads create and schedule their pods afresh)'), r.stdout);
  const bad = capsim('validate', file, '--placement', 'elsewhere');
  assert.equal(bad.code, 2, bad.stderr);
  const help = capsim('run', '--help');
  assert.match(help.stdout, /--placement/);
  // The run's headline counts the 11 pods bound at t = 0 apart from those the scheduler placed.
  const run = capsim('run', file, '--out', path.join(scratchDir('capsim-state-'), 'out'), '--format', 'none', '--set', 'spec.duration=10m');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^pods scheduled +0 +11 pods started as dumped; 0 pending at the end$/m);
});

// --- ownership, one rule at a time ----------------------------------------------------------

const NODE = `    - apiVersion: v1
      kind: Node
      metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
      status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110"}, capacity: {cpu: "4", memory: 16Gi, pods: "110"}}`;

const pod = (name: string, owner: string | null, extra: { phase?: string; node?: string; labels?: string; annotations?: string; cpu?: string } = {}) => `    - apiVersion: v1
      kind: Pod
      metadata:
        name: ${name}
        namespace: default
        labels: {${extra.labels ?? 'app: web'}}
${extra.annotations ? `        annotations: {${extra.annotations}}\n` : ''}${owner ? `        ownerReferences: [{${owner}, controller: true, uid: 0b6a8f5e-1d1c-4c3a-9c61-000000000001}]\n` : ''}      spec:
        nodeName: ${extra.node ?? 'node-a'}
        containers: [{name: c, image: nginx, resources: {requests: {cpu: ${extra.cpu ?? '100m'}, memory: 128Mi}}}]
      status: {phase: ${extra.phase ?? 'Running'}}`;

const inline = (...items: string[]) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: fragment}
spec:
  duration: 10m
  sampleEvery: 1m
  manifests:
${items.join('\n')}
`;

const DEPLOYMENT = `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default, annotations: {deployment.kubernetes.io/revision: "1"}}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}`;

test('a pod whose ReplicaSet is not in the dump is an orphan: a bare pod, with a notice, and a warning when a Deployment would count it twice', async () => {
  const s = await load(inline(NODE, DEPLOYMENT, pod('web-abc12-x1', 'apiVersion: apps/v1, kind: ReplicaSet, name: web-abc12')));
  assert.deepEqual(s.clusterState.entries.find((e) => e.object === 'Pod/default/web-abc12-x1'), {
    object: 'Pod/default/web-abc12-x1', decision: 'orphan', reason: 'its controller ReplicaSet/default/web-abc12 is not in the manifests: it runs as a bare pod', source: s.clusterState.entries.find((e) => e.object === 'Pod/default/web-abc12-x1')!.source,
  });
  assert.ok(s.notices.some((n) => n.startsWith('Pod/default/web-abc12-x1: its controller is not in the manifests')), s.notices.join('\n'));
  const twice = preflightWarnings(s).find((w) => w.title === 'pods counted twice');
  assert.ok(twice && twice.objects[0] === 'Deployment/default/web', JSON.stringify(preflightWarnings(s)));
  // It runs, on its node, beside web's own 2 pods: 3 pods, as the warning says.
  const w = simulate(s, 1000);
  assert.equal(w.api.pods.size, 3);
  assert.equal(w.api.podByKey('default', 'web-abc12-x1')!.node!.name, 'node-a');
});

test('a pod whose controller capsim does not simulate (a ReplicationController, a custom resource) runs unmanaged, named in a warning', async () => {
  const s = await load(inline(NODE,
    pod('spark-driver', 'apiVersion: sparkoperator.k8s.io/v1beta2, kind: SparkApplication, name: nightly', { labels: 'app: spark' }),
    pod('legacy-x7', 'apiVersion: v1, kind: ReplicationController, name: legacy', { labels: 'app: legacy' }),
    `    - {apiVersion: v1, kind: ReplicationController, metadata: {name: legacy, namespace: default}, spec: {replicas: 1}}`));
  const unmanaged = preflightWarnings(s).filter((w) => w.code === 'pods-unmanaged');
  assert.deepEqual(unmanaged.map((w) => w.objects), [
    ['SparkApplication/default/nightly', 'Pod/default/spark-driver'],
    ['ReplicationController/default/legacy', 'Pod/default/legacy-x7'],
  ]);
  assert.match(unmanaged[0].message, /Pod\/default\/spark-driver is controlled by SparkApplication\/default\/nightly, a kind capsim does not simulate .*nothing replaces/);
  // Both run, bare, on their node.
  const w = simulate(s, 1000);
  assert.deepEqual(placement(w), { 'default/spark-driver': 'node-a', 'default/legacy-x7': 'node-a' });
  assert.ok([...w.api.pods.values()].every((p) => p.owner === null));
});

test('a Helm hook is not a workload: a test pod and a pre-install Job are skipped', async () => {
  const s = await load(inline(NODE,
    pod('web-test-connection', null, { annotations: '"helm.sh/hook": test', phase: 'Succeeded' }),
    `    - apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: default, annotations: {helm.sh/hook: pre-install, helm.sh/hook-weight: "-5"}}
      spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: migrate}]}}}`));
  assert.deepEqual(s.clusterState.entries.map((e) => [e.object, e.decision, e.reason]), [
    ['Pod/default/web-test-connection', 'skipped', 'a Helm hook (test): helm runs it at install, upgrade or test time; it is not a workload'],
    ['Job/default/migrate', 'skipped', 'a Helm hook (pre-install): helm runs it at install, upgrade or test time; it is not a workload'],
  ]);
  assert.equal(s.objects.filter((o) => o.kind === 'Pod' || o.kind === 'Job').length, 0);
});

test('a static pod (mirror) stays on its node whatever the placement, and kubectl drain leaves it there', async () => {
  const mirror = pod('kube-apiserver-node-a', 'apiVersion: v1, kind: Node, name: node-a', { annotations: 'kubernetes.io/config.mirror: 81cdabfc720501d9e81b425b15921b4d, kubernetes.io/config.source: file', labels: 'component: kube-apiserver' });
  for (const placementMode of ['asDumped', 'reschedule'] as const) {
    const s = await load(inline(NODE, mirror) + '  events:\n    - {at: 1m, drain: {node: node-a}}\n', { placement: placementMode });
    const w = simulate(s, 5 * 60_000);
    assert.deepEqual(placement(w), { 'default/kube-apiserver-node-a': 'node-a' }, placementMode);
    assert.equal(w.api.podByKey('default', 'kube-apiserver-node-a')!.owner?.kind, 'Node');
  }
});

test('a DaemonSet\'s pod on a node not in the dump is left out; the DaemonSet runs one on each node there is', async () => {
  const ds = `    - apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent, namespace: default}
      spec:
        selector: {matchLabels: {app: agent}}
        template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: a, image: agent, resources: {requests: {cpu: 50m}}}]}}`;
  const owner = 'apiVersion: apps/v1, kind: DaemonSet, name: agent';
  const s = await load(inline(NODE, ds,
    pod('agent-aaaaa', owner, { labels: 'app: agent, controller-revision-hash: 5d8f7c', node: 'node-a' }),
    pod('agent-bbbbb', owner, { labels: 'app: agent, controller-revision-hash: 5d8f7c', node: 'node-gone' })));
  assert.equal(s.clusterState.entries.find((e) => e.object === 'Pod/default/agent-bbbbb')!.reason, 'a pod of DaemonSet/default/agent on node node-gone, which is not in the manifests');
  const w = simulate(s, 60_000);
  assert.deepEqual(placement(w), { 'default/agent-aaaaa': 'node-a' }, 'the adopted pod, at the revision of its label: not rolled');
});

test('a Job of a CronJob that is still running is one of its active Jobs: with Forbid, no second one starts beside it', async () => {
  const yaml = inline(NODE,
    `    - apiVersion: batch/v1
      kind: CronJob
      metadata: {name: sync, namespace: default}
      spec:
        schedule: "*/5 * * * *"
        concurrencyPolicy: Forbid
        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: s, image: sync}]}}}}`,
    `    - apiVersion: batch/v1
      kind: Job
      metadata: {name: sync-29000000, namespace: default, ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: sync, controller: true, uid: 3f2a1c4e-7b8d-4e9f-a0b1-c2d3e4f50607}]}
      spec: {template: {spec: {restartPolicy: Never, containers: [{name: s, image: sync}]}}}
      status: {active: 1, startTime: "2026-01-04T23:58:00Z"}`,
    pod('sync-29000000-p4x7z', 'apiVersion: batch/v1, kind: Job, name: sync-29000000', { labels: 'job-name: sync-29000000' }))
    + '  behavior:\n    - {target: CronJob/default/sync, run: {duration: 7m}}\n';
  const s = await load(yaml);
  assert.equal(s.clusterState.entries.find((e) => e.object === 'Job/default/sync-29000000')!.decision, 'adopted');
  const r = await runYaml(yaml);
  // The dump's Job runs on (its pod, 7 minutes from t = 0): at 00:05 a second one would start
  // beside it, and Forbid skips it (JobAlreadyActive); the missed time starts late, at 7
  // minutes, when the dump's Job has finished (and, running 7 minutes, blocks the 00:10 time).
  assert.deepEqual(r.events('JobAlreadyActive').map((e) => e.t), ['300', '600']);
  assert.deepEqual(r.events('Completed').filter((e) => e.object === 'Pod/default/sync-29000000-p4x7z').map((e) => e.t), ['420']);
  assert.deepEqual(r.events('SuccessfulCreate').filter((e) => e.object === 'CronJob/default/sync').map((e) => [e.t, e.message]), [['420', 'Created job sync-29459525']]);
});

test('an unfinished Job goes on from its counts: 2 of 3 completions done, one more pod runs', async () => {
  const yaml = inline(NODE, `    - apiVersion: batch/v1
      kind: Job
      metadata: {name: backfill, namespace: default}
      spec: {completions: 3, parallelism: 1, template: {spec: {restartPolicy: Never, containers: [{name: b, image: backfill}]}}}
      status: {succeeded: 2, startTime: "2026-01-04T22:00:00Z"}`);
  const r = await runYaml(yaml);
  assert.equal(r.events('Scheduled').length, 1, 'one pod: completions 3 - succeeded 2');
  assert.equal(r.events('JobCompleted').length, 1);
});

test('a Deployment caught mid-rollout goes on from where the dump is: the old ReplicaSet scales down, the new one up', async () => {
  const rs = (name: string, hash: string, replicas: number, revision: number, image: string) => `    - apiVersion: apps/v1
      kind: ReplicaSet
      metadata:
        name: ${name}
        namespace: default
        labels: {app: web, pod-template-hash: ${hash}}
        annotations: {deployment.kubernetes.io/revision: "${revision}", deployment.kubernetes.io/desired-replicas: "4", deployment.kubernetes.io/max-replicas: "5"}
        ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: 6c1d7e2a-0f3b-4a5c-8d9e-0a1b2c3d4e5f}]
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: web, pod-template-hash: ${hash}}}
        template:
          metadata: {labels: {app: web, pod-template-hash: ${hash}}}
          spec: {containers: [{name: c, image: ${image}, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}`;
  const owned = (hash: string) => `apiVersion: apps/v1, kind: ReplicaSet, name: web-${hash}`;
  const s = await load(inline(NODE,
    DEPLOYMENT.replace('replicas: 2', 'replicas: 4').replace('revision: "1"', 'revision: "2"').replace('image: nginx', 'image: nginx:1.27'),
    rs('web-old11', 'old11', 3, 1, 'nginx:1.26'), rs('web-new22', 'new22', 2, 2, 'nginx:1.27'),
    ...['a', 'b', 'c'].map((x) => pod(`web-old11-${x}`, owned('old11'), { labels: 'app: web, pod-template-hash: old11' })),
    ...['d', 'e'].map((x) => pod(`web-new22-${x}`, owned('new22'), { labels: 'app: web, pod-template-hash: new22' }))));
  assert.match(s.clusterState.entries.find((e) => e.object === 'Deployment/default/web')!.reason, /a rollout in progress \(web-old11 at 3 still running\): it goes on from there/);
  const w = simulate(s, s.durationMs);
  const pods = [...w.api.pods.values()];
  assert.equal(pods.length, 4);
  assert.ok(pods.every((p) => p.owner?.name === 'web-new22'), pods.map((p) => p.key).join(', '));
  assert.deepEqual(w.api.replicaSets.owned('Deployment/default/web').map((r) => [r.name, r.replicas]), [['web-old11', 0], ['web-new22', 4]]);
});

test('a pod terminating in the dump (deletionTimestamp) is gone, not run: its replacement is in the dump already', async () => {
  const rs = `    - apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: web-5c9d8, namespace: default, annotations: {deployment.kubernetes.io/revision: "1"}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web, pod-template-hash: 5c9d8}}
        template:
          metadata: {labels: {app: web, pod-template-hash: 5c9d8}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}`;
  const owner = 'apiVersion: apps/v1, kind: ReplicaSet, name: web-5c9d8';
  const labels = 'app: web, pod-template-hash: 5c9d8';
  const terminating = pod('web-5c9d8-old', owner, { labels }).replace('        namespace: default\n', '        namespace: default\n        deletionTimestamp: "2026-01-04T23:59:50Z"\n');
  const s = await load(inline(NODE, DEPLOYMENT, rs, pod('web-5c9d8-a', owner, { labels }), pod('web-5c9d8-b', owner, { labels }), terminating));
  assert.equal(s.clusterState.entries.find((e) => e.object === 'Pod/default/web-5c9d8-old')!.reason, 'terminating since 2026-01-04T23:59:50Z: gone, not run');
  const w = simulate(s, s.durationMs);
  assert.deepEqual(placement(w), { 'default/web-5c9d8-a': 'node-a', 'default/web-5c9d8-b': 'node-a' });
});

test('a StatefulSet caught mid-rollout rolls its pods at the old revision; those at the update revision stay', async () => {
  const ss = `    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {app: db}}
        serviceName: db
        template: {metadata: {labels: {app: db}}, spec: {containers: [{name: pg, image: postgres, resources: {requests: {cpu: 100m}}}]}}
      status: {currentRevision: db-aaa, updateRevision: db-bbb, replicas: 2}`;
  const owner = 'apiVersion: apps/v1, kind: StatefulSet, name: db';
  const s = await load(inline(NODE, ss,
    pod('db-0', owner, { labels: 'app: db, controller-revision-hash: db-aaa' }),
    pod('db-1', owner, { labels: 'app: db, controller-revision-hash: db-bbb' })));
  const w = simulate(s, s.durationMs);
  const revisions = Object.fromEntries([...w.api.pods.values()].map((p) => [p.name, p.labels['controller-revision-hash']]));
  assert.deepEqual(revisions, { 'db-0': 'db-bbb', 'db-1': 'db-bbb' });
});

test('pods Running beyond their node\'s allocatable stay bound, with a warning', async () => {
  const s = await load(inline(NODE, pod('big-1', null, { cpu: '3' }), pod('big-2', null, { cpu: '2' })));
  const w = preflightWarnings(s).find((x) => x.code === 'node-overcommitted');
  assert.ok(w, JSON.stringify(preflightWarnings(s)));
  assert.match(w.message, /node node-a request 5 CPU of its 4 allocatable/);
  assert.deepEqual(placement(simulate(s, 1000)), { 'default/big-1': 'node-a', 'default/big-2': 'node-a' });
});

// --- kinds that hold pods but capsim does not simulate ------------------------------------------

test('an Argo Rollout runs as the Deployment it wraps: its ReplicaSet and pods adopted, its HPA retargeted, its canary steps reported', async () => {
  const s = await load(inline(NODE,
    `    - apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: web, namespace: default, annotations: {rollout.argoproj.io/revision: "3"}}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        strategy: {canary: {maxSurge: 1, maxUnavailable: 0, steps: [{setWeight: 20}, {pause: {duration: 10m}}, {setWeight: 50}]}}
        template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}}
      status: {phase: Healthy, stableRS: 7d9c8b6f5}`,
    `    - apiVersion: apps/v1
      kind: ReplicaSet
      metadata:
        name: web-7d9c8b6f5
        namespace: default
        labels: {app: web, rollouts-pod-template-hash: 7d9c8b6f5}
        annotations: {rollout.argoproj.io/revision: "3"}
        ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web, controller: true, uid: 1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b}]
      spec:
        replicas: 2
        selector: {matchLabels: {app: web, rollouts-pod-template-hash: 7d9c8b6f5}}
        template: {metadata: {labels: {app: web, rollouts-pod-template-hash: 7d9c8b6f5}}, spec: {containers: [{name: c, image: web, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}}`,
    ...['q1', 'q2'].map((x) => pod(`web-7d9c8b6f5-${x}`, 'apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c8b6f5', { labels: 'app: web, rollouts-pod-template-hash: 7d9c8b6f5' })),
    `    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web, namespace: default}
      spec: {scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web}, minReplicas: 2, maxReplicas: 6, metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]}
      status: {currentReplicas: 2, desiredReplicas: 2}`));
  assert.deepEqual(s.clusterState.entries.find((e) => e.object === 'Rollout/default/web'), {
    object: 'Rollout/default/web', decision: 'converted', source: s.clusterState.entries[0].source,
    reason: 'runs as Deployment/default/web; its canary steps (3), pauses, analysis and traffic weights are not simulated: a rollout rolls as a Deployment\'s RollingUpdate (maxSurge 1, maxUnavailable 0)',
  });
  assert.ok(s.notices.some((n) => n.includes('Rollout spec.strategy.canary.steps is accepted but not simulated')), s.notices.join('\n'));
  const hpa = s.objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  assert.equal(hpa.kind === 'HorizontalPodAutoscaler' && hpa.spec.scaleTargetRef.kind, 'Deployment');
  const w = simulate(s, s.durationMs);
  assert.deepEqual(placement(w), { 'default/web-7d9c8b6f5-q1': 'node-a', 'default/web-7d9c8b6f5-q2': 'node-a' });
});

test('a Rollout with workloadRef runs with its Deployment\'s template; without the Deployment it is not simulated, loudly', async () => {
  const rollout = `    - apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: api, namespace: default}
      spec: {replicas: 3, workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api-base}, strategy: {blueGreen: {activeService: api}}}`;
  const base = DEPLOYMENT.replace('name: web', 'name: api-base').replace('replicas: 2', 'replicas: 0');
  const s = await load(inline(NODE, rollout, base));
  const d = s.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
  assert.ok(d && d.kind === 'Deployment' && d.spec.replicas === 3 && d.spec.strategy.type === 'RollingUpdate' && d.spec.strategy.maxSurge === '100%');
  assert.equal(simulate(s, 60_000).api.pods.size, 3, '3 pods of the Rollout, 0 of the scaled-down Deployment');
  const alone = await load(inline(NODE, rollout));
  const warning = preflightWarnings(alone).find((w) => w.code === 'kind-not-simulated');
  assert.match(warning!.message, /Rollout\/default\/api is not simulated: its workloadRef names Deployment api-base, which is not in the manifests/);
});

test('a KEDA ScaledObject keeps the HPA KEDA generated; without it the workload runs unscaled, with a warning', async () => {
  const so = `    - apiVersion: keda.sh/v1alpha1
      kind: ScaledObject
      metadata: {name: worker, namespace: default}
      spec: {scaleTargetRef: {name: web}, minReplicaCount: 0, maxReplicaCount: 20, triggers: [{type: prometheus, metadata: {query: "sum(rate(jobs[1m]))", threshold: "10"}}]}
      status: {hpaName: keda-hpa-worker}`;
  const kedaHpa = `    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: keda-hpa-worker, namespace: default, labels: {scaledobject.keda.sh/name: worker}}
      spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 20, metrics: [{type: External, external: {metric: {name: s0-prometheus, selector: {matchLabels: {scaledobject.keda.sh/name: worker}}}, target: {type: AverageValue, averageValue: "10"}}}]}
      status: {currentReplicas: 2, desiredReplicas: 2}`;
  const s = await load(inline(NODE, DEPLOYMENT, so, kedaHpa));
  const entry = s.clusterState.entries.find((e) => e.object === 'ScaledObject/default/worker')!;
  assert.equal(entry.decision, 'converted');
  assert.match(entry.reason, /scales Deployment\/default\/web through HorizontalPodAutoscaler\/default\/keda-hpa-worker, which KEDA generated/);
  // Its External metric reads a demand the scenario does not give: held at 2, not fallen to 1.
  assert.ok(preflightWarnings(s).some((w) => w.code === 'hpa-held' && w.objects[0] === 'HorizontalPodAutoscaler/default/keda-hpa-worker'));
  const missing = await load(inline(NODE, DEPLOYMENT, so));
  const warning = preflightWarnings(missing).find((w) => w.code === 'kind-not-simulated')!;
  assert.match(warning.message, /keda-hpa-worker, which is not in the manifests: capsim simulates that HPA, not KEDA, so Deployment\/default\/web runs unscaled at its 2 replicas/);
});

test('Karpenter v1 NodePools and EC2NodeClasses are read and run Karpenter, not skipped; a v1beta1 NodePool is skipped with a warning', async () => {
  const s = await load(inline(NODE,
    '    - {apiVersion: karpenter.sh/v1, kind: NodePool, metadata: {name: default}, spec: {template: {spec: {requirements: [{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}], nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}}}',
    '    - {apiVersion: karpenter.k8s.aws/v1, kind: EC2NodeClass, metadata: {name: default}, spec: {amiFamily: AL2023}}'));
  assert.deepEqual(preflightWarnings(s).filter((w) => w.code === 'kind-not-simulated'), []);
  // checked: an on-demand NodePool over the whole AWS catalog has nothing to warn of
  assert.deepEqual(preflightWarnings(s).filter((w) => w.code === 'karpenter-nodepool').map((w) => w.title), []);
  assert.deepEqual([s.karpenter?.nodePools.map((n) => n.name), s.karpenter?.nodeClasses.map((c) => c.amiFamily)], [['default'], ['AL2023']]);
  const beta = await load(inline(NODE,
    '    - {apiVersion: karpenter.sh/v1beta1, kind: NodePool, metadata: {name: old}, spec: {template: {spec: {requirements: [], nodeClassRef: {name: default}}}}}'));
  const skipped = preflightWarnings(beta).filter((w) => w.code === 'kind-not-simulated');
  assert.deepEqual(skipped.map((w) => w.objects), [['NodePool/-/old']]);
  assert.match(skipped[0].message, /capsim runs Karpenter from karpenter.sh\/v1 NodePools only: a NodePool at another version is not read, and nothing launches from it/);
});

test('a ReplicaSet without its Deployment is not simulated: its pods run unmanaged, and a warning says so', async () => {
  const s = await load(inline(NODE,
    `    - apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: frontend, namespace: default}
      spec: {replicas: 1, selector: {matchLabels: {tier: frontend}}, template: {metadata: {labels: {tier: frontend}}, spec: {containers: [{name: php, image: gb-frontend}]}}}`,
    pod('frontend-gbgfx', 'apiVersion: apps/v1, kind: ReplicaSet, name: frontend', { labels: 'tier: frontend' })));
  const codes = preflightWarnings(s).map((w) => [w.code, w.objects[0]]);
  assert.deepEqual(codes.filter(([c]) => c === 'kind-not-simulated' || c === 'pods-unmanaged'), [
    ['kind-not-simulated', 'ReplicaSet/default/frontend'],
    ['pods-unmanaged', 'ReplicaSet/default/frontend'],
  ]);
  assert.deepEqual(placement(simulate(s, 1000)), { 'default/frontend-gbgfx': 'node-a' });
});

// --- real API-server output ---------------------------------------------------------------------

test('a Deployment as the API server returns it (kubernetes/kubernetes test fixtures, YAML and JSON) loads and runs its replicas', async () => {
  // test/fixtures/dumps/kubernetes/deploy-serverside.yaml: kubernetes/kubernetes
  // test/fixtures/pkg/kubectl/cmd/apply/deploy-serverside.yaml (1 replica, status, uid);
  // deployment-status.json: staging/src/k8s.io/kubectl/pkg/cmd/edit/testdata/
  // testcase-edit-subresource-status/0.response (3 replicas, `-o json`). Neither has its
  // ReplicaSets or pods: the Deployments make theirs, as in any scenario.
  const s = await load(scenarioOf(`${path.join(DUMPS, 'kubernetes/deploy-serverside.yaml')}, ${path.join(DUMPS, 'kubernetes/deployment-status.json')}`, '  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}'));
  assert.deepEqual(s.objects.filter((o) => o.kind === 'Deployment').map((o) => o.kind === 'Deployment' && [o.metadata.namespace, o.metadata.name, o.spec.replicas]), [['test', 'nginx-deployment', 1], ['edit-test', 'nginx', 3]]);
  const w = simulate(s, 60_000);
  assert.equal(w.api.pods.size, 4);
});
