// capsim sweep --emit k8s-job (issue 7 item 6): the quickstart sweep as a ConfigMap, an Indexed
// Job, a PVC and a fetch pod. Every file parses; the Job and the pod pass capsim's own
// Kubernetes schemas; the pods run exactly the planned sweep, one shard per completion index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { makePlan } from '../src/sweep/plan.ts';
import { configMapKey, dnsLabel, emitKubernetesJob } from '../src/sweep/kubernetesJob.ts';
import { InputError } from '../src/scenario/errors.ts';
import { jobSchema } from '../src/scenario/kube/batch.ts';
import { podSchema } from '../src/scenario/kube/core.ts';
import { kubeObject } from '../src/scenario/kube/meta.ts';
import { stringMap } from '../src/scenario/fields.ts';
import { VERSION } from '../src/version.ts';

// Kubernetes has no ConfigMap schema in capsim (it skips the kind); its shape: ObjectMeta and
// string data under keys matching [-._a-zA-Z0-9]+ (validation.IsConfigMapKey).
const configMapSchema = kubeObject({ data: stringMap, immutable: z.boolean().optional() });
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const VARIES = ['spec.cluster.nodePools[0].count=3,4', 'spec.cluster.nodePools[1].instanceType=aws/r5.large,aws/r5.xlarge'];

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'capsim-k8s-job-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function read(dir: string, file: string): any {
  return parse(readFileSync(path.join(dir, file), 'utf8'));
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected an InputError matching ${pattern}`);
}

test('the quickstart sweep: 8 runs in 8 shards, every file parsed and checked field by field', async (t) => {
  const dir = tempDir(t);
  // 2 x 2 configurations x 2 seeds = 8 runs: default shards min(8, 20) = 8, parallelism min(8, 10) = 8.
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: VARIES, seeds: 2, sets: ['spec.sampleEvery=10m'] });
  const written = await emitKubernetesJob(plan, { dir, objective: 'cost.totalUsd', constraints: ['demand.servedPct>=99.9', 'pods.oomKills==0'], keepAll: true });
  assert.deepEqual(written, ['configmap.yaml', 'job.yaml', 'pvc.yaml', 'fetch-pod.yaml'].map((f) => path.join(dir, f)));

  for (const file of written) {
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# /, `${file} starts with a comment`);
    assert.match(text, new RegExp(`Written by capsim ${VERSION.replaceAll('.', '\\.')} \\(--emit k8s-job\\)`));
    assert.match(text, /capsim sweep scenarios\/quickstart\.yaml --set spec\.sampleEvery=10m --vary/);
  }

  // ConfigMap: the scenario and both manifests, byte for byte.
  const configMap = read(dir, 'configmap.yaml');
  assert.equal(configMapSchema.safeParse(configMap).success, true);
  assert.equal(configMap.apiVersion, 'v1');
  assert.equal(configMap.kind, 'ConfigMap');
  assert.equal(configMap.metadata.name, 'capsim-sweep-quickstart-scenario');
  assert.deepEqual(configMap.data, {
    'quickstart.yaml': readFileSync('scenarios/quickstart.yaml', 'utf8'),
    'quickstart__namespaces.yaml': readFileSync('scenarios/quickstart/namespaces.yaml', 'utf8'),
    'quickstart__workloads.yaml': readFileSync('scenarios/quickstart/workloads.yaml', 'utf8'),
  });
  for (const key of Object.keys(configMap.data)) assert.match(key, CONFIGMAP_KEY);

  // Job: passes capsim's batch/v1 Job schema, then every field the pods depend on.
  const job = read(dir, 'job.yaml');
  const parsed = jobSchema.safeParse(job);
  assert.equal(parsed.success, true, parsed.error?.message);
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.metadata.name, 'capsim-sweep-quickstart');
  assert.equal(job.metadata.namespace, undefined);
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.completions, 8);
  assert.equal(job.spec.parallelism, 8);
  assert.equal(job.spec.backoffLimitPerIndex, 1);
  assert.equal(job.spec.maxFailedIndexes, undefined);
  assert.equal(job.spec.podReplacementPolicy, 'Failed');
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.containers.length, 1);
  const [container] = pod.containers;
  assert.equal(container.name, 'capsim');
  assert.equal(container.image, `capsim:${VERSION}`);
  assert.deepEqual(container.args, [
    'sweep', '/scenario/quickstart.yaml',
    '--set', 'spec.sampleEvery=10m',
    '--vary', 'spec.cluster.nodePools[0].count=3,4',
    '--vary', 'spec.cluster.nodePools[1].instanceType=aws/r5.large,aws/r5.xlarge',
    '--seeds', '2',
    '--parallel', '2', // cpu "2" -> 2 workers
    '--shard', '$(JOB_COMPLETION_INDEX)/8',
    '--out', '/results/shard-$(JOB_COMPLETION_INDEX)',
    '--objective', 'cost.totalUsd',
    '--constraint', 'demand.servedPct>=99.9',
    '--constraint', 'pods.oomKills==0',
    '--keep-all',
  ]);
  assert.deepEqual(container.env[0], {
    name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
  });
  // Memory limit = request; no CPU limit (a CPU limit throttles).
  assert.deepEqual(container.resources, { requests: { cpu: '2', memory: '2Gi' }, limits: { memory: '2Gi' } });
  assert.deepEqual(container.volumeMounts, [
    { name: 'scenario', mountPath: '/scenario', readOnly: true },
    { name: 'results', mountPath: '/results', subPath: 'capsim-sweep-quickstart' },
    { name: 'tmp', mountPath: '/tmp' },
  ]);
  assert.deepEqual(pod.volumes, [
    {
      name: 'scenario',
      configMap: {
        name: 'capsim-sweep-quickstart-scenario',
        items: [
          { key: 'quickstart.yaml', path: 'quickstart.yaml' },
          { key: 'quickstart__namespaces.yaml', path: 'quickstart/namespaces.yaml' },
          { key: 'quickstart__workloads.yaml', path: 'quickstart/workloads.yaml' },
        ],
      },
    },
    { name: 'results', persistentVolumeClaim: { claimName: 'capsim-results' } },
    { name: 'tmp', emptyDir: {} },
  ]);

  // The follow-up commands, in job.yaml's header.
  const jobText = readFileSync(path.join(dir, 'job.yaml'), 'utf8');
  assert.match(jobText, /kubectl apply -f pvc\.yaml -f configmap\.yaml -f job\.yaml/);
  assert.match(jobText, /kubectl wait --for=condition=complete --timeout=24h job\/capsim-sweep-quickstart/);
  assert.match(jobText, /kubectl cp capsim-sweep-quickstart-fetch:\/results\/capsim-sweep-quickstart capsim-sweep-quickstart/);
  assert.match(jobText, /capsim sweep --merge capsim-sweep-quickstart\/shard-\* --out reports\/quickstart-sweep/);

  const pvc = read(dir, 'pvc.yaml');
  assert.equal(pvc.apiVersion, 'v1');
  assert.equal(pvc.kind, 'PersistentVolumeClaim');
  assert.equal(pvc.metadata.name, 'capsim-results');
  assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } });

  const fetch = read(dir, 'fetch-pod.yaml');
  const fetchParsed = podSchema.safeParse(fetch);
  assert.equal(fetchParsed.success, true, fetchParsed.error?.message);
  assert.equal(fetch.metadata.name, 'capsim-sweep-quickstart-fetch');
  assert.deepEqual(fetch.spec.volumes, [{ name: 'results', persistentVolumeClaim: { claimName: 'capsim-results', readOnly: true } }]);
});

test('the pods read the same sweep: the ConfigMap laid out as the kubelet mounts it plans the same runs', async (t) => {
  const dir = tempDir(t);
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: VARIES, seeds: 2 });
  await emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') });
  const data: Record<string, string> = read(path.join(dir, 'k8s'), 'configmap.yaml').data;
  const items: { key: string; path: string }[] = read(path.join(dir, 'k8s'), 'job.yaml').spec.template.spec.volumes[0].configMap.items;
  // The kubelet's AtomicWriter layout: the files in a timestamped directory, ..data pointing at
  // it, and a symlink into ..data for each top-level name (pkg/volume/util/atomic_writer.go).
  const mount = path.join(dir, 'scenario');
  for (const item of items) {
    mkdirSync(path.dirname(path.join(mount, '..2026_01_05', item.path)), { recursive: true });
    writeFileSync(path.join(mount, '..2026_01_05', item.path), data[item.key]);
  }
  symlinkSync('..2026_01_05', path.join(mount, '..data'));
  for (const top of new Set(items.map((item) => item.path.split('/')[0]))) symlinkSync(`..data/${top}`, path.join(mount, top));

  const args: string[] = read(path.join(dir, 'k8s'), 'job.yaml').spec.template.spec.containers[0].args;
  const inPod = await makePlan(args[1].replace('/scenario', mount), { varies: VARIES, seeds: 2 });
  assert.deepEqual(inPod.inputFiles.map((f) => path.relative(mount, f)), ['quickstart.yaml', 'quickstart/namespaces.yaml', 'quickstart/workloads.yaml']);
  assert.equal(inPod.contentHash, plan.contentHash);
  assert.deepEqual(inPod.runs.map((r) => r.key), plan.runs.map((r) => r.key)); // so merge joins the shards with a local sweep's keys
});

test('the same plan and options write the same bytes', async (t) => {
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: VARIES, seeds: 2 });
  const [a, b] = [tempDir(t), tempDir(t)];
  const options = { namespace: 'studies', shards: 3, image: 'registry.example.com/capsim:1' };
  await emitKubernetesJob(plan, { dir: a, ...options });
  await emitKubernetesJob(await makePlan('scenarios/quickstart.yaml', { varies: VARIES, seeds: 2 }), { dir: b, ...options });
  for (const file of ['configmap.yaml', 'job.yaml', 'pvc.yaml', 'fetch-pod.yaml']) {
    assert.ok(readFileSync(path.join(a, file)).equals(readFileSync(path.join(b, file))), file);
  }
  // The options show: namespace on every object and in the kubectl commands, 3 shards.
  const job = read(a, 'job.yaml');
  assert.equal(job.metadata.namespace, 'studies');
  assert.equal(read(a, 'configmap.yaml').metadata.namespace, 'studies');
  assert.equal(read(a, 'pvc.yaml').metadata.namespace, 'studies');
  assert.equal(job.spec.completions, 3);
  assert.equal(job.spec.parallelism, 3);
  assert.equal(job.spec.template.spec.containers[0].image, 'registry.example.com/capsim:1');
  assert.match(readFileSync(path.join(a, 'job.yaml'), 'utf8'), /kubectl -n studies wait --for=condition=complete/);
});

test('defaults: min(runs, 20) shards, min(shards, 10) pods at a time, one worker per whole core', async (t) => {
  const dir = tempDir(t);
  // 3 x 3 configurations x 3 seeds = 27 runs.
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: ['spec.cluster.nodePools[0].count=3,4,5', 'spec.cluster.nodePools[1].count=1,2,3'], seeds: 3 });
  await emitKubernetesJob(plan, { dir, cpu: '3500m', memory: '3Gi' });
  const job = read(dir, 'job.yaml');
  assert.equal(job.spec.completions, 20);
  assert.equal(job.spec.parallelism, 10);
  const container = job.spec.template.spec.containers[0];
  assert.deepEqual(container.args.slice(container.args.indexOf('--parallel'), container.args.indexOf('--parallel') + 4), ['--parallel', '3', '--shard', '$(JOB_COMPLETION_INDEX)/20']);
  assert.deepEqual(container.resources, { requests: { cpu: '3500m', memory: '3Gi' }, limits: { memory: '3Gi' } });
});

test('options out of range are input errors, each named by its flag', async (t) => {
  const dir = tempDir(t);
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: VARIES, seeds: 1 }); // 4 runs
  await rejects(emitKubernetesJob(plan, { dir, shards: 5 }), /--shards: 5 is more than the sweep's 4 runs: a shard would have none/);
  await rejects(emitKubernetesJob(plan, { dir, shards: 2, parallelism: 3 }), /--job-parallelism: 3 is more than the 2 shards/);
  await rejects(emitKubernetesJob(plan, { dir, cpu: '2 cores' }), /--cpu: invalid quantity "2 cores"/);
  await rejects(emitKubernetesJob(plan, { dir, name: 'My_Sweep' }), /--name: "My_Sweep" is not a valid Job name/);
  const error = await rejects(emitKubernetesJob(plan, { dir, shards: 0, memory: '0' }), /--shards/);
  assert.equal(error.problems.length, 2); // every problem at once
});

test('a "$" in a flag reaches capsim as written: Kubernetes would expand $(VAR) and turn $$ into $', async (t) => {
  const dir = tempDir(t);
  const plan = await makePlan('scenarios/quickstart.yaml', { varies: VARIES, sets: ['metadata.description=costs $(HOME) and $$5'] });
  await emitKubernetesJob(plan, { dir });
  const args: string[] = read(dir, 'job.yaml').spec.template.spec.containers[0].args;
  assert.equal(args[args.indexOf('--set') + 1], 'metadata.description=costs $$(HOME) and $$$$5');
});

function minimalScenario(name: string, manifests: string[]): string {
  return [
    'apiVersion: capsim/v1',
    'kind: Scenario',
    `metadata: {name: ${JSON.stringify(name)}}`,
    'spec:',
    '  cluster:',
    '    nodePools:',
    '      - {name: general, instanceType: aws/m5.xlarge}',
    `  manifests: ${JSON.stringify(manifests)}`,
    '',
  ].join('\n');
}

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

test('the Job name is a DNS-1123 label of at most 63 characters, whatever the scenario is called', async (t) => {
  const dir = tempDir(t);
  const scenario = path.join(dir, 'long.yaml');
  writeFileSync(scenario, minimalScenario('Cost_Study.For-the-Web-Shop_nodes_HPA-targets_and_requests_2026-edition', []));
  const plan = await makePlan(scenario, { varies: ['spec.cluster.nodePools[0].count=3,4'] });
  await emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') });
  const name: string = read(path.join(dir, 'k8s'), 'job.yaml').metadata.name;
  assert.match(name, DNS_LABEL);
  assert.ok(name.length <= 63, `${name} has ${name.length} characters`);
  assert.equal(name, 'capsim-sweep-cost-study-for-the-web-shop-nodes-hpa-targets-and');
  assert.equal(dnsLabel('capsim-sweep-Web_Shop.v2'), 'capsim-sweep-web-shop-v2');
  assert.equal(dnsLabel('capsim-sweep-' + 'x'.repeat(49) + '--y'), 'capsim-sweep-' + 'x'.repeat(49)); // cut at 63, then the dash trimmed
});

test('ConfigMap keys: "/" as "__", other characters outside [-._a-zA-Z0-9] as "_"', () => {
  assert.equal(configMapKey('quickstart/namespaces.yaml'), 'quickstart__namespaces.yaml');
  assert.equal(configMapKey('traces/web shop (v2).csv'), 'traces__web_shop__v2_.csv');
});

test('a scenario reading a file outside its directory is refused, naming the file', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'study'));
  mkdirSync(path.join(dir, 'x'));
  writeFileSync(path.join(dir, 'x', 'namespaces.yaml'), NAMESPACE);
  writeFileSync(path.join(dir, 'study', 'scenario.yaml'), minimalScenario('outside', ['../x/*.yaml']));
  const plan = await makePlan(path.join(dir, 'study', 'scenario.yaml'), { varies: ['spec.cluster.nodePools[0].count=3,4'] });
  const error = await rejects(emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') }), /reads .*x\/namespaces\.yaml, outside the scenario's directory/);
  assert.match(error.problems[0].hint ?? '', /copy namespaces\.yaml beside the scenario/);
});

test('inputs over the ConfigMap limit of 1 MiB are refused, the largest named', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'm'));
  writeFileSync(path.join(dir, 'm', 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n${NAMESPACE}`);
  writeFileSync(path.join(dir, 'scenario.yaml'), minimalScenario('big', ['m/big.yaml']));
  const plan = await makePlan(path.join(dir, 'scenario.yaml'), { varies: ['spec.cluster.nodePools[0].count=3,4'] });
  const error = await rejects(emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') }), /add up to 1025 KiB, more than a ConfigMap holds \(1 MiB\)/);
  assert.match(error.problems[0].hint ?? '', /the largest: m\/big\.yaml \(1025 KiB\)/);
});

// Symbolic links: the pods see only the scenario's directory, and what is in the ConfigMap goes
// to the cluster. A link inside the directory to a file outside it passes the path check (its
// path is inside) but not the real-path check; `capsim run` on this machine follows it.

/** A study directory beside an "outside" directory holding a Namespace manifest and a trace. */
function studyWithOutside(t: { after(fn: () => void): void }): { dir: string; study: string; outside: string } {
  const dir = tempDir(t);
  const study = path.join(dir, 'study');
  const outside = path.join(dir, 'outside');
  mkdirSync(study);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'namespaces.yaml'), NAMESPACE);
  writeFileSync(path.join(outside, 'rps.csv'), 'time,rps\n0,10\n3600,20\n');
  return { dir, study, outside };
}

const COUNTS = ['spec.cluster.nodePools[0].count=3,4'];

test('a manifest that is a symbolic link to a file outside the scenario\'s directory is refused; a local run reads it', async (t) => {
  const { dir, study, outside } = studyWithOutside(t);
  mkdirSync(path.join(study, 'm'));
  symlinkSync(path.join(outside, 'namespaces.yaml'), path.join(study, 'm', 'namespaces.yaml'));
  writeFileSync(path.join(study, 'scenario.yaml'), minimalScenario('linked', ['m/*.yaml']));
  const plan = await makePlan(path.join(study, 'scenario.yaml'), { varies: COUNTS }); // loads: the link is followed
  assert.deepEqual(plan.inputFiles.map((f) => path.relative(study, f)), ['scenario.yaml', 'm/namespaces.yaml']);
  const error = await rejects(emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') }), /reads \S*m\/namespaces\.yaml, a symbolic link \(or under one\) to \S*outside\/namespaces\.yaml, outside the scenario's directory/);
  assert.equal(error.problems.length, 1);
  assert.match(error.problems[0].hint ?? '', /copy namespaces\.yaml beside the scenario/);
  assert.throws(() => readFileSync(path.join(dir, 'k8s', 'configmap.yaml')), /ENOENT/); // nothing written
});

test('a manifest glob through a linked directory, and a trace file linked outside, are refused one problem each', async (t) => {
  const { dir, study, outside } = studyWithOutside(t);
  symlinkSync(outside, path.join(study, 'shared')); // study/shared -> ../outside
  writeFileSync(path.join(study, 'scenario.yaml'), minimalScenario('linked-dir', ['shared/*.yaml']) + [
    '  workloads:',
    '    - {name: web, containers: [{name: web, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}',
    '  behavior:',
    '    - {target: Deployment/default/web, demand: [{trace: {file: shared/rps.csv, time: time, value: rps}}]}',
    '',
  ].join('\n'));
  const plan = await makePlan(path.join(study, 'scenario.yaml'), { varies: COUNTS });
  const error = await rejects(emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') }), /shared\/namespaces\.yaml, a symbolic link/);
  assert.deepEqual(error.problems.map((p) => /reads (\S+),/.exec(p.message)?.[1]).map((f) => path.basename(f ?? '')), ['namespaces.yaml', 'rps.csv']);
});

test('a link from inside the directory to inside it is embedded under the link\'s path; the directory itself may be reached through a link', async (t) => {
  const { dir, study } = studyWithOutside(t);
  mkdirSync(path.join(study, 'base'));
  mkdirSync(path.join(study, 'm'));
  writeFileSync(path.join(study, 'base', 'namespaces.yaml'), NAMESPACE);
  symlinkSync('../base/namespaces.yaml', path.join(study, 'm', 'ns.yaml'));
  writeFileSync(path.join(study, 'scenario.yaml'), minimalScenario('inside', ['m/*.yaml']));
  symlinkSync(study, path.join(dir, 'study-link')); // the user's path to the study is itself a link
  const plan = await makePlan(path.join(dir, 'study-link', 'scenario.yaml'), { varies: COUNTS });
  await emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') });
  const data: Record<string, string> = read(path.join(dir, 'k8s'), 'configmap.yaml').data;
  assert.deepEqual(Object.keys(data), ['scenario.yaml', 'm__ns.yaml']);
  assert.equal(data['m__ns.yaml'], NAMESPACE); // the file's content: the pods get a plain file
});

test('a scenario file that is a link to a file outside its directory is refused', async (t) => {
  const { dir, study, outside } = studyWithOutside(t);
  writeFileSync(path.join(outside, 'scenario.yaml'), minimalScenario('elsewhere', []));
  symlinkSync(path.join(outside, 'scenario.yaml'), path.join(study, 'scenario.yaml'));
  const plan = await makePlan(path.join(study, 'scenario.yaml'), { varies: COUNTS });
  await rejects(emitKubernetesJob(plan, { dir: path.join(dir, 'k8s') }), /reads \S*study\/scenario\.yaml, a symbolic link \(or under one\) to \S*outside\/scenario\.yaml/);
});
