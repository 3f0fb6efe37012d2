// Loading valid scenarios: defaults, node pools from the catalog, manifests (glob, List,
// multi-document), the workloads shorthand, behavior and events, --set and --seed, the resolved
// document, the shipped JSON Schema, and the k8s-sims benchmark inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadScenario } from '../src/scenario/load.ts';
import { scenarioJsonSchema } from '../src/scenario/jsonSchema.ts';
import { findInstanceType, listInstanceTypes } from '../src/cost/catalog.ts';
import type { KubeObject } from '../src/model/objects.ts';

const FIXTURES = 'test/fixtures/scenario';
/** The k8s-sims benchmark inputs live beside the repository (../shared/data, README "Benchmark data"). */
const NO_K8S_SIMS = existsSync(path.resolve('..', 'shared', 'data', 'k8s-sims')) ? false : '../shared/data/k8s-sims is absent';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function find<K extends KubeObject['kind']>(objects: KubeObject[], kind: K, name: string): Extract<KubeObject, { kind: K }> {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} not found`);
  return o as Extract<KubeObject, { kind: K }>;
}

test('a minimal scenario gets every default (DESIGN §2)', async () => {
  const s = await loadScenario(`${FIXTURES}/minimal.yaml`);
  assert.equal(s.name, 'minimal'); // from the file name
  assert.equal(s.description, '');
  assert.equal(s.seed, 1);
  assert.equal(s.startEpochMs, Date.UTC(2026, 0, 5));
  assert.equal(s.durationMs, 24 * 3600_000);
  assert.equal(s.sampleEveryMs, 60_000);
  assert.equal(s.cluster.autoscaler, null);
  assert.deepEqual(s.objects, []);
  assert.deepEqual(s.notices, []);
  const [pool] = s.cluster.nodePools;
  // aws/m5.xlarge from instance-types.csv: 4 vCPU, 16384 MiB, 58 pods, $0.192/h; the EKS
  // kube-reserved formula: cpu 60 + 10 + 5 + 5 = 80m, memory 11 x 58 + 255 = 893 MiB.
  assert.deepEqual(pool, {
    name: 'general',
    instanceType: 'aws/m5.xlarge',
    capacity: { cpu: 4000, memory: 16384 * MiB, pods: 58 },
    capacityType: 'on-demand',
    priceUsdPerHour: 0.192,
    catalogPriceRegion: 'us-east-1', // the catalog's AWS prices are us-east-1's
    spot: null,
    kubeReserved: { cpu: 80, memory: 893 * MiB },
    systemReserved: {},
    evictionHardMemoryBytes: 100 * MiB,
    evictionPressureTransitionPeriodMs: 300_000, // kubelet default 5m
    cgroupVersion: 'v2',
    labels: {},
    annotations: {},
    taints: [],
    zones: ['zone-a'],
    count: 1,
    min: 1,
    max: 1,
    provisioningDelayMs: 90_000,
  });
});

test('the full example of DESIGN §2 loads: pools, autoscaler, manifests, shorthand, behavior, events', async () => {
  const s = await loadScenario(`${FIXTURES}/full.yaml`);
  assert.equal(s.name, 'web-diurnal');
  assert.equal(s.seed, 42);
  assert.equal(s.durationMs, 7 * 86_400_000);

  const [general, spot, custom] = s.cluster.nodePools;
  assert.equal(general.count, 3);
  assert.equal(general.min, 1);
  assert.equal(general.max, 20);
  assert.deepEqual(general.systemReserved, { cpu: 100, memory: 500 * MiB });
  // Spot pool from the catalog: GCE preemptible price 0.047 (instance-types.csv, n2-standard-4).
  assert.equal(spot.capacityType, 'spot');
  assert.equal(spot.priceUsdPerHour, 0.047);
  assert.deepEqual(spot.spot, { interruptionsPerNodeDay: 0.05, noticeSeconds: 120 });
  assert.equal(spot.count, 0); // only max given
  assert.equal(spot.max, 10);
  // Explicit capacity and price; 5% eviction threshold of 32Gi, truncated like upstream.
  assert.equal(custom.instanceType, null);
  assert.deepEqual(custom.capacity, { cpu: 8000, memory: 32 * GiB, pods: 110 });
  assert.equal(custom.priceUsdPerHour, 0.4);
  assert.equal(custom.evictionHardMemoryBytes, Math.floor(32 * GiB * 0.05));

  const ca = s.cluster.autoscaler!;
  assert.deepEqual(ca.expander, ['priority', 'least-waste']);
  assert.equal(ca.scanIntervalMs, 10_000);
  assert.equal(ca.scaleDownUtilizationThreshold, 0.5);
  assert.equal(ca.scaleDownUnneededTimeMs, 600_000);
  assert.equal(ca.scaleDownDelayAfterAddMs, 600_000);
  assert.equal(ca.scaleDownDelayAfterDeleteMs, 0);
  assert.equal(ca.scaleDownDelayAfterFailureMs, 180_000);
  assert.equal(ca.maxNodesTotal, 100);
  assert.equal(ca.maxNodeProvisionTimeMs, 900_000);
  assert.equal(ca.scaleDownUnreadyTimeMs, 1_200_000);

  // Manifests first (glob k8s/*.yaml in sorted order, then the inline Namespace), shorthand after.
  assert.deepEqual(
    s.objects.map((o) => `${o.kind}/${o.metadata.name}`),
    [
      'Deployment/api', 'PriorityClass/high', 'Pod/debug', 'ResourceQuota/limit-compute', 'LimitRange/demo-limitrange',
      'HorizontalPodAutoscaler/api', 'Namespace/shop',
      'Deployment/web', 'HorizontalPodAutoscaler/web', 'VerticalPodAutoscaler/web', 'PodDisruptionBudget/web', 'Job/etl',
    ],
  );
  assert.deepEqual(s.notices, [
    'skipped 3 objects capsim does not simulate: Service (2), ConfigMap (1)',
    // Fields set that capsim accepts but does not simulate (src/scenario/fieldSupport.ts).
    'test/fixtures/scenario/k8s/10-apps.yaml:28: Deployment spec.template.spec.containers[].readinessProbe.periodSeconds is accepted but not simulated (a container is Ready as soon as initialDelaySeconds have passed; upstream probes every periodSeconds, so Ready comes at the first probe after that)',
    'test/fixtures/scenario/k8s/30-policy.yaml:5: ResourceQuota spec.hard: only what pods use is counted (pods, count/pods, cpu, memory, ephemeral-storage, requests.* and limits.* of them and of extended resources); object counts and storage never fill up',
  ]);

  assert.equal(s.behavior.length, 2);
  assert.deepEqual(s.behavior[0].demand[4], { spike: { atMs: 3.5 * 86_400_000, durationMs: 1_800_000, factor: 4 } });
  assert.deepEqual(s.behavior[0].usage.app, {
    cpu: { baseMilli: 20, perUnitMilli: 4 },
    memory: { baseBytes: 300 * MiB, perUnitBytes: MiB, leakBytesPerHour: 0, noise: 0.05 },
  });
  assert.deepEqual(s.behavior[0].startup, { delayMs: 20_000 });
  assert.deepEqual(s.behavior[1].arrivals, { cron: '0 2 * * *' });
  assert.deepEqual(s.behavior[1].run, { duration: { lognormal: { medianMs: 1_200_000, sigma: 0.4 } } });

  assert.deepEqual(s.events, [
    { atMs: 2 * 86_400_000, type: 'drain', drain: { pool: 'general', count: 1, gracePeriodSeconds: null, timeoutMs: null, deleteNodes: false } },
    { atMs: 4 * 86_400_000, type: 'zoneOutage', zoneOutage: { zone: 'us-east-1a', durationMs: 3_600_000 } },
    { atMs: 5 * 86_400_000, type: 'spotInterruption', spotInterruption: { pool: 'spot', count: 2 } },
    { atMs: 6 * 86_400_000, type: 'rollout', rollout: { target: 'Deployment/shop/web' } },
    { atMs: 6 * 86_400_000 + 3_600_000, type: 'scale', scale: { target: 'Deployment/shop/web', replicas: 5 } },
  ]);
});

test('manifests: multi-document file, List items with their own lines, upstream defaults', async () => {
  const s = await loadScenario(`${FIXTURES}/full.yaml`);
  const api = find(s.objects, 'Deployment', 'api');
  assert.deepEqual(api.source, { file: 'test/fixtures/scenario/k8s/10-apps.yaml', line: 2 });
  // Deployment defaults (reference/k8s-algorithms.md §6.1).
  assert.deepEqual(api.spec.strategy, { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' });
  assert.equal(api.spec.revisionHistoryLimit, 10);
  assert.equal(api.spec.progressDeadlineSeconds, 600);
  assert.equal(api.spec.minReadySeconds, 0);
  const pod = api.spec.template.spec;
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.hasLocalStorage, true); // an emptyDir on disk
  assert.equal(pod.priorityClassName, 'high');
  assert.deepEqual(pod.containers[0], { name: 'api', requests: { cpu: 200, memory: 256 * MiB }, limits: { cpu: 500, memory: 512 * MiB }, readinessDelaySeconds: 10 });

  // kind: List items keep the line of the item.
  assert.deepEqual(find(s.objects, 'PriorityClass', 'high').source.line, 4);
  const debug = find(s.objects, 'Pod', 'debug');
  assert.equal(debug.source.line, 8);
  // Requests default to limits, per resource (SetDefaults_Pod).
  assert.deepEqual(debug.spec.containers[0].requests, { cpu: 100, memory: 64 * MiB });
  assert.equal(find(s.objects, 'PriorityClass', 'high').preemptionPolicy, 'PreemptLowerPriority');

  // ResourceQuota: cpu-valued names in millicores, the rest in base units.
  assert.deepEqual(find(s.objects, 'ResourceQuota', 'limit-compute').spec.hard, {
    'requests.cpu': 10_000, 'requests.memory': 100 * GiB, 'limits.cpu': 10_000, 'limits.memory': 100 * GiB,
    pods: 100, 'count/deployments.apps': 20, 'requests.nvidia.com/gpu': 4,
  });
  // autoscaling/v1 targetCPUUtilizationPercentage becomes a v2 Resource metric.
  assert.deepEqual(find(s.objects, 'HorizontalPodAutoscaler', 'api').spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
  ]);
  assert.equal(find(s.objects, 'Namespace', 'shop').metadata.namespace, '');
});

test('the workloads shorthand becomes a Deployment with its HPA, VPA and PDB', async () => {
  const s = await loadScenario(`${FIXTURES}/full.yaml`);
  const web = find(s.objects, 'Deployment', 'web');
  assert.equal(web.metadata.namespace, 'shop');
  assert.equal(web.spec.replicas, 3);
  assert.deepEqual(web.spec.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(web.spec.template.labels, { app: 'web' });
  assert.deepEqual(web.spec.template.spec.containers, [{ name: 'app', requests: { cpu: 250, memory: 512 * MiB }, limits: { memory: GiB } }]);
  // A generated object points at its shorthand entry.
  assert.deepEqual(web.source, { file: 'test/fixtures/scenario/full.yaml', line: 36 });

  const hpa = find(s.objects, 'HorizontalPodAutoscaler', 'web');
  assert.deepEqual(hpa.spec, {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 30,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
    behavior: null,
  });
  assert.equal(find(s.objects, 'VerticalPodAutoscaler', 'web').spec.updatePolicy.updateMode, 'Off');
  const pdb = find(s.objects, 'PodDisruptionBudget', 'web');
  assert.deepEqual(pdb.spec, { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 1, unhealthyPodEvictionPolicy: 'IfHealthyBudget' });

  // A Job shorthand: Job defaults, restartPolicy Never as `kubectl create job` writes it.
  const etl = find(s.objects, 'Job', 'etl');
  assert.equal(etl.metadata.namespace, 'batch');
  assert.equal(etl.spec.parallelism, 1);
  assert.equal(etl.spec.completions, 1);
  assert.equal(etl.spec.backoffLimit, 6);
  assert.equal(etl.spec.template.spec.restartPolicy, 'Never');
});

test('shorthand metrics of every kind map to autoscaling/v2 metric specs (milli-units)', async () => {
  const s = await loadFromText({
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    spec: {
      workloads: [
        {
          name: 'api',
          containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }],
          hpa: {
            maxReplicas: 10,
            metrics: [
              { resource: 'memory', averageValue: '1Gi' },
              { pods: { name: 'rps', averageValue: '250m' } },
              { external: { name: 'queue', value: 30 } },
            ],
          },
        },
      ],
    },
  });
  const hpa = find(s.objects, 'HorizontalPodAutoscaler', 'api');
  assert.equal(hpa.spec.minReplicas, 1);
  assert.deepEqual(hpa.spec.metrics, [
    { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValueMilli: GiB * 1000 } } },
    { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValueMilli: 250 } } },
    { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', valueMilli: 30_000 } } },
  ]);
});

test('Job and CronJob defaults follow upstream (completions stay unset for a work queue)', async () => {
  const s = await loadFromText(
    {
      apiVersion: 'capsim/v1',
      kind: 'Scenario',
      spec: {
        manifests: [
          { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'queue' }, spec: { parallelism: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'w' }] } } } },
          {
            apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hello' },
            spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox:1.28' }] } } } } },
          },
          {
            apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd', namespace: 'kube-system' },
            spec: {
              selector: { matchLabels: { name: 'fluentd' } },
              template: { metadata: { labels: { name: 'fluentd' } }, spec: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }], containers: [{ name: 'fluentd' }] } },
            },
          },
          {
            apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'mysql' },
            spec: { serviceName: 'mysql', selector: { matchLabels: { app: 'mysql' } }, template: { metadata: { labels: { app: 'mysql' } }, spec: { containers: [{ name: 'mysql' }] } } },
          },
        ],
      },
    },
  );
  const queue = find(s.objects, 'Job', 'queue');
  assert.equal(queue.spec.parallelism, 3);
  assert.equal(queue.spec.completions, null);
  const hello = find(s.objects, 'CronJob', 'hello');
  assert.equal(hello.spec.concurrencyPolicy, 'Allow');
  assert.equal(hello.spec.successfulJobsHistoryLimit, 3);
  assert.equal(hello.spec.failedJobsHistoryLimit, 1);
  assert.equal(hello.spec.jobTemplate.spec.completions, 1);
  const ds = find(s.objects, 'DaemonSet', 'fluentd');
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', maxUnavailable: 1, maxSurge: 0 });
  const sts = find(s.objects, 'StatefulSet', 'mysql');
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', partition: 0, maxUnavailable: 1 });
  assert.equal(sts.metadata.namespace, 'default');
});

test('JSON is YAML: a JSON scenario and a JSON manifest (E24 db-backup Job)', async () => {
  const s = await loadScenario(`${FIXTURES}/scenario.json`);
  assert.equal(s.name, 'from-json');
  assert.equal(s.durationMs, 2 * 3600_000);
  assert.deepEqual(s.cluster.nodePools[0].capacity, { cpu: 2000, memory: 8 * GiB, pods: 110 });
  const job = find(s.objects, 'Job', 'db-backup');
  assert.equal(job.spec.backoffLimit, 3);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  assert.deepEqual(job.source, { file: 'test/fixtures/scenario/k8s/40-batch.json', line: 1 });
});

test('--set overrides any field, parsed as YAML; --seed replaces spec.seed', async () => {
  const s = await loadScenario(`${FIXTURES}/full.yaml`, {
    set: ['spec.seed=7', 'spec.cluster.nodePools[0].instanceType=aws/c5.2xlarge', 'spec.cluster.nodePools[0].labels={a: b}', 'spec.cluster.autoscaler.maxNodesTotal=5'],
  });
  assert.equal(s.seed, 7);
  const [general] = s.cluster.nodePools;
  // aws/c5.2xlarge: 8 vCPU, 16384 MiB, 58 pods, $0.34/h (instance-types.csv).
  assert.equal(general.instanceType, 'aws/c5.2xlarge');
  assert.deepEqual(general.capacity, { cpu: 8000, memory: 16 * GiB, pods: 58 });
  assert.equal(general.priceUsdPerHour, 0.34);
  assert.deepEqual(general.labels, { a: 'b' });
  assert.equal(s.cluster.autoscaler!.maxNodesTotal, 5);
  assert.equal((s.resolved.spec as { seed: number }).seed, 7);

  const seeded = await loadScenario(`${FIXTURES}/full.yaml`, { set: ['spec.seed=7'], seed: 99 });
  assert.equal(seeded.seed, 99);
});

test('--set can create a missing section and quote keys with dots', async () => {
  const s = await loadScenario(`${FIXTURES}/minimal.yaml`, {
    set: ['spec.cluster.autoscaler.expander=price', 'spec.cluster.nodePools[0].labels["topology.kubernetes.io/zone"]=z1'],
  });
  assert.deepEqual(s.cluster.autoscaler!.expander, ['price']);
  assert.deepEqual(s.cluster.nodePools[0].labels, { 'topology.kubernetes.io/zone': 'z1' });
});

test('the resolved document has every default and loads back to the same scenario', async () => {
  const s = await loadScenario(`${FIXTURES}/full.yaml`);
  const spec = s.resolved.spec as Record<string, any>;
  assert.equal(spec.start, '2026-01-05T00:00:00Z');
  assert.equal(spec.sampleEvery, '1m');
  assert.deepEqual(spec.manifests, ['k8s/*.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  const general = spec.cluster.nodePools[0];
  assert.equal(general.provisioningDelay, '90s');
  assert.deepEqual(general.capacity, { cpu: '4', memory: '16Gi', pods: 58 });
  assert.deepEqual(general.price, { onDemandPerHour: 0.192 });
  assert.equal(spec.cluster.autoscaler.maxNodeProvisionTime, '15m');
  assert.equal(spec.workloads[1].namespace, 'batch');
  assert.equal(spec.events[0].drain.deleteNodes, false);

  // Written beside the original (manifest paths are relative to it), it gives the same model.
  const file = `${FIXTURES}/resolved.tmp-${process.pid}.yaml`;
  writeFileSync(file, stringify(s.resolved));
  try {
    const again = await loadScenario(file);
    // Only the places differ: inline and generated objects now come from the resolved file.
    const placeless = (x: typeof s) => ({ ...x, file: '', resolved: {}, inputFiles: x.inputFiles.slice(1), objects: x.objects.map((o) => ({ ...o, source: { file: '', line: 0 } })) });
    assert.deepEqual(placeless(again), placeless(s));
    assert.deepEqual(again.resolved, s.resolved);
  } finally {
    rmSync(file);
  }
});

test('the k8s-sims 100-node set loads: 100 Nodes and 1,067 Pods', { skip: NO_K8S_SIMS }, async () => {
  const s = await loadScenario(`${FIXTURES}/k8s-sims-small.yaml`);
  const nodes = s.objects.filter((o) => o.kind === 'Node');
  const pods = s.objects.filter((o) => o.kind === 'Pod');
  assert.equal(nodes.length, 100);
  assert.equal(pods.length, 1067);
  // First node of small-nodes-100.yaml: 64 cores, 262144Mi, 1001 pods, two extended resources.
  const node = nodes[0];
  assert.equal(node.kind, 'Node');
  if (node.kind === 'Node') {
    assert.equal(node.metadata.name, 'openb-node-0000');
    assert.equal(node.allocatable.cpu, 64_000);
    assert.equal(node.allocatable.memory, 262144 * MiB);
    assert.equal(node.allocatable.pods, 1001);
    assert.equal(node.allocatable['alibabacloud.com/gpu-milli'], 2000);
  }
  // Outside the working directory a source is shown by its absolute path.
  assert.equal(pods[0].source.file, path.resolve('..', 'shared', 'data', 'k8s-sims', 'small-pods-100.yaml'));
  assert.equal(pods[0].source.line, 1);
  assert.equal(pods[1].source.line, 24);
});

test('the k8s-sims 1,200-node set loads: 1,213 Nodes and 7,064 Pods', { skip: NO_K8S_SIMS }, async (t) => {
  const started = performance.now();
  const s = await loadScenario(`${FIXTURES}/k8s-sims-big.yaml`);
  const ms = performance.now() - started;
  assert.equal(s.objects.filter((o) => o.kind === 'Node').length, 1213);
  assert.equal(s.objects.filter((o) => o.kind === 'Pod').length, 7064);
  // Not a timed test (DESIGN §6: speed is measured by the bench); the time is only reported.
  t.diagnostic(`k8s-sims 1,200-node set loaded in ${ms.toFixed(0)} ms`);
});

test('schema/scenario.schema.json is the schema generated from the validator', () => {
  const committed = readFileSync('schema/scenario.schema.json', 'utf8');
  assert.equal(committed, JSON.stringify(scenarioJsonSchema(), null, 2) + '\n', 'run: npm run schema');
  const schema = scenarioJsonSchema() as { properties: Record<string, any> };
  const pool = schema.properties.spec.properties.cluster.properties.nodePools.items;
  assert.equal(pool.additionalProperties, false);
  assert.ok(pool.properties.instanceType.examples.includes('aws/m5.xlarge'));
});

test('the catalog holds the generated rows with their sources (more in catalog.test.ts)', () => {
  assert.equal(listInstanceTypes().length, 227);
  const m5 = findInstanceType('aws/m5.xlarge')!;
  assert.deepEqual(
    { vcpu: m5.vcpu, memoryMiB: m5.memoryMiB, maxPods: m5.maxPods, od: m5.onDemandUsdPerHour, spot: m5.spotUsdPerHour, date: m5.priceDate },
    { vcpu: 4, memoryMiB: 16384, maxPods: 58, od: 0.192, spot: null, date: '2026-07-20' },
  );
  assert.match(m5.source, /karpenter-provider-aws@1d927085/);
  assert.equal(findInstanceType('aws/g4dn.xlarge')!.gpu, 1);
  assert.equal(findInstanceType('gcp/e2-standard-4')!.spotUsdPerHour, 0.04021);
  assert.equal(findInstanceType('gce/n2-standard-8')!.onDemandUsdPerHour, 0.3885);
  assert.equal(findInstanceType('azure/Standard_E4s_v5')!.memoryMiB, 32768);
  assert.equal(findInstanceType('aws/m5.xlarg'), undefined);
});

/** Writes a scenario document to a temporary file and loads it. */
async function loadFromText(doc: unknown) {
  const dir = mkdtempSync(path.join(tmpdir(), 'capsim-scenario-'));
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(file, stringify(doc));
  try {
    return await loadScenario(file);
  } finally {
    rmSync(dir, { recursive: true });
  }
}
