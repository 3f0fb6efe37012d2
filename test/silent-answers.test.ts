// Silent wrong answers (issue 14): scenarios a new user writes that gave believable numbers with
// no warning. Each test is the scenario fragment, the number the run gives, and where it comes
// from; and the warning that now goes with it (src/scenario/warnings.ts, src/preflight.ts,
// src/record/runFlags.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { preflightWarnings } from '../src/preflight.ts';
import { readTrace } from '../src/workload/trace.ts';
import type { RunWarning } from '../src/outputs/summary.ts';
import { capsim, runYaml, scratchDir, writeScenario } from './support/run.ts';

const MI = 1024 ** 2;

async function warningsOf(yaml: string): Promise<RunWarning[]> {
  return preflightWarnings(await loadScenario(writeScenario(yaml)));
}

function only(warnings: readonly RunWarning[], code: RunWarning['code']): RunWarning {
  const found = warnings.filter((w) => w.code === code);
  assert.equal(found.length, 1, `one ${code} among: ${warnings.map((w) => w.code).join(', ')}`);
  return found[0];
}

// --- 1. an HPA on CPU of a workload without a usage model ------------------------------------

/** A Helm chart's web tier as it comes: 2 replicas of 250m, an HPA at 80 % CPU, 2-10 replicas,
 *  and no `behavior:`. */
const HELM_WEB = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: helm-web}
spec:
  duration: 10m
  sampleEvery: 15s
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 4}
  manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: web
                image: nginx
                resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}
    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web, namespace: shop}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 2
        maxReplicas: 10
        metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
`;

test('a CPU HPA on a workload without a usage model: 2 -> 10 replicas in 3 minutes, and validate says why', async () => {
  const warning = only(await warningsOf(HELM_WEB), 'hpa-without-usage');
  assert.deepEqual(warning.objects, ['HorizontalPodAutoscaler/shop/web', 'Deployment/shop/web']);
  assert.equal(
    warning.message,
    'HorizontalPodAutoscaler/shop/web scales Deployment/shop/web on cpu, but its container web has no cpu usage model: capsim uses exactly the requests whatever the load, ' +
      'a utilization of 100% against a target of 80%, so it climbs to maxReplicas (10) and stays there. ' +
      'To size it by load, give Deployment/shop/web a usage model (behavior[].usage.web.cpu with base and perUnit, and a demand).',
  );

  // The run does what the warning says: usage = requests = 100 % of requests, 1.25 x the target,
  // every 30 s (a new pod has no sample for its first 30 s) until maxReplicas.
  const run = await runYaml(HELM_WEB);
  assert.deepEqual(run.events('ScaledUp').map((e) => `${e.t} ${e.message}`), [
    '30 HPA web from 2 to 3', '60 HPA web from 3 to 4', '90 HPA web from 4 to 5', '120 HPA web from 5 to 7', '150 HPA web from 7 to 9', '180 HPA web from 9 to 10',
  ]);
  // At 10 replicas from 180 s to 600 s: samples 180, 195, ..., 600 are 29 of the 41.
  const atMax = only(run.summary.warnings, 'hpa-at-max');
  assert.match(atMax.message, /^HorizontalPodAutoscaler\/shop\/web held Deployment\/shop\/web at its maxReplicas \(10\) in 71% of the samples/);
  assert.deepEqual(run.summary.warnings.map((w: RunWarning) => w.code), ['hpa-without-usage', 'usage-from-requests', 'hpa-at-max']);
});

test('the HPA warning follows the target: above 100 % it falls to minReplicas; an AverageValue compares the requests', async () => {
  const at = (target: string) => HELM_WEB.replace('{type: Utilization, averageUtilization: 80}', target);
  assert.match(only(await warningsOf(at('{type: Utilization, averageUtilization: 150}')), 'hpa-without-usage').message, /a utilization of 100% against a target of 150%, so it falls to minReplicas \(2\)/);
  assert.match(only(await warningsOf(at('{type: Utilization, averageUtilization: 95}')), 'hpa-without-usage').message, /against a target of 95%, so it never scales/);
  // 250m a pod against 100m: 2.5 x the target.
  assert.match(only(await warningsOf(at('{type: AverageValue, averageValue: 100m}')), 'hpa-without-usage').message, /250m a pod against a target of 100m, so it climbs to maxReplicas \(10\)/);
  // With a usage model for cpu there is nothing to say about the HPA.
  const modelled = `${HELM_WEB}  behavior:\n    - {target: Deployment/shop/web, demand: [{constant: 50}], usage: {web: {cpu: {base: 20m, perUnit: 2m}, memory: {base: 200Mi}}}}\n`;
  assert.deepEqual((await warningsOf(modelled)).map((w) => w.code), []);
});

test('an External-metric HPA on a workload without demand, a VPA without a usage model, demand that drives nothing', async () => {
  const external = HELM_WEB.replace(
    '- type: Resource\n            resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}',
    '- type: External\n            external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "30"}}',
  );
  assert.equal(
    only(await warningsOf(external), 'hpa-without-demand').message,
    'HorizontalPodAutoscaler/shop/web scales Deployment/shop/web on the External metric "queue_depth", which capsim reads as the workload\'s demand; Deployment/shop/web has no demand (behavior[].demand), so the metric is 0 and the HPA falls to minReplicas (2) and stays there. Add a demand for Deployment/shop/web.',
  );

  const vpa = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: vpa}
spec:
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 2}]}
  workloads:
    - {name: api, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 512Mi}}}], vpa: {updateMode: Auto}}
    - {name: echo, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
  behavior:
    - {target: Deployment/default/echo, demand: [{constant: 10}], usage: {app: {memory: {base: 50Mi}}}}
`;
  const warnings = await warningsOf(vpa);
  assert.match(only(warnings, 'vpa-without-usage').message, /^VerticalPodAutoscaler\/default\/api sizes Deployment\/default\/api, but app \(cpu, memory\) has no usage model: .* In Auto mode each pod it recreates gets the recommendation as its requests and then uses exactly that, so the requests grow with every round of evictions\./);
  assert.deepEqual(only(warnings, 'usage-from-requests').objects, ['Deployment/default/api', 'Deployment/default/echo']);
  assert.deepEqual(only(warnings, 'demand-without-usage').objects, ['Deployment/default/echo']);
});

// --- 2. a usage model for one resource: the other is its request -----------------------------

test('usage with cpu only: memory is the memory request (512Mi a pod), not 0, and the row of recommendations.csv is filled', async () => {
  const run = await runYaml(`
apiVersion: capsim/v1
kind: Scenario
metadata: {name: cpu-only}
spec:
  duration: 1h
  sampleEvery: 10m
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  workloads:
    - {name: web, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 250m, memory: 512Mi}}}]}
  behavior:
    - {target: Deployment/default/web, demand: [{constant: 10}], usage: {app: {cpu: {base: 50m, perUnit: 5m}}}}
`);
  // Two pods at load 5: cpu 50m + 5m x 5 = 75m each; memory 512Mi each (the request).
  const last = run.csv('workloads.csv').at(-1)!;
  assert.equal(last.cpu_used_m, '150');
  assert.equal(Number(last.memory_used_bytes), 2 * 512 * MI);
  const row = run.csv('recommendations.csv').find((r) => r.workload === 'Deployment/default/web')!;
  assert.notEqual(row.memory_target_bytes, '', 'a memory recommendation');
  assert.ok(Number(row.memory_target_bytes) >= 512 * MI, row.memory_target_bytes);
  // The container's memory still comes from its request: said once, with the other unmodelled ones.
  assert.deepEqual(only(run.summary.warnings, 'usage-from-requests').objects, ['Deployment/default/web']);
});

// --- 3. pods that fit no node -------------------------------------------------------------------

const FIT = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: fit}
spec:
  duration: 10m
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 3}
      - {name: gpu, instanceType: aws/g4dn.xlarge, count: 1, taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]}
  workloads:
    - {name: big, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "4", memory: 64Gi}}}]}
    - {name: wide, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 3600m, memory: 1Gi}}}]}
    - {name: small, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
    - {name: picky, replicas: 1, nodeSelector: {disktype: ssd}, containers: [{name: app, resources: {requests: {cpu: 100m}}}]}
    - {kind: DaemonSet, name: log-agent, namespace: kube-system, containers: [{name: agent, resources: {requests: {cpu: 500m, memory: 200Mi}}}]}
  behavior:
    - {target: Deployment/default/small, usage: {app: {cpu: {base: 50m}, memory: {base: 100Mi}}}}
`;

test('a 4 CPU / 64Gi pod on 4-CPU nodes, one that fits only without the DaemonSet, one whose selector no pool matches: each named with the reason per pool', async () => {
  const warnings = (await warningsOf(FIT)).filter((w) => w.code === 'pod-fits-no-node');
  // m5.xlarge: 4 vCPU - 80m EKS reserve = 3920m allocatable; 16Gi less reserved and eviction = 15Gi; the
  // log-agent DaemonSet pod (500m, 200Mi) runs on every general node, not on the tainted gpu pool.
  assert.deepEqual(warnings.map((w) => w.message), [
    'Deployment/default/big: its pods (4 CPU, 64Gi memory) fit no node the cluster has or can add: ' +
      'pool general (m5.xlarge): Insufficient cpu (requests 4 CPU; a node has 3920m CPU allocatable, 3420m CPU of it free beside 1 DaemonSet pod), Insufficient memory (requests 64Gi; a node has 15Gi allocatable, 14.8Gi of it free beside 1 DaemonSet pod); ' +
      'pool gpu (g4dn.xlarge): node(s) had untolerated taint {nvidia.com/gpu: present}, Insufficient cpu (requests 4 CPU; a node has 3920m CPU allocatable), Insufficient memory (requests 64Gi; a node has 15.3Gi allocatable). ' +
      'They will stay Pending; lower their requests, or add a pool whose nodes fit them.',
    'Deployment/default/wide: its pods (3600m CPU, 1Gi memory) fit no node the cluster has or can add: ' +
      'pool general (m5.xlarge): Insufficient cpu (requests 3600m CPU; a node has 3920m CPU allocatable, 3420m CPU of it free beside 1 DaemonSet pod); ' +
      'pool gpu (g4dn.xlarge): node(s) had untolerated taint {nvidia.com/gpu: present}. They will stay Pending; lower their requests, or add a pool whose nodes fit them.',
    'Deployment/default/picky: its pods (100m CPU, no memory) fit no node the cluster has or can add: ' +
      'pool general (m5.xlarge): node(s) didn\'t match Pod\'s node affinity/selector (nodeSelector {"disktype":"ssd"}); ' +
      'pool gpu (g4dn.xlarge): node(s) had untolerated taint {nvidia.com/gpu: present}, node(s) didn\'t match Pod\'s node affinity/selector (nodeSelector {"disktype":"ssd"}). ' +
      'They will stay Pending; add a pool whose nodes they select and tolerate, or change their nodeSelector, affinity or tolerations.',
  ]);

  // The run: the three stay Pending, each reported with the scheduler's last FailedScheduling.
  const run = await runYaml(FIT);
  assert.equal(run.summary.pods.unschedulable, 3);
  const pending = run.summary.warnings.filter((w: RunWarning) => w.code === 'pods-pending').map((w: RunWarning) => w.message);
  assert.equal(pending.length, 3);
  assert.equal(
    pending[0],
    '1 pod of Deployment/default/big was still pending at the end: the scheduler\'s last word: "0/4 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."',
  );
});

test('Node manifests: a pod is checked against each node; one that fits some node is not named', async () => {
  const yaml = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: nodes}
spec:
  manifests:
    - {apiVersion: v1, kind: Node, metadata: {name: n1}, status: {capacity: {cpu: "2", memory: 8Gi, pods: "110"}}}
    - {apiVersion: v1, kind: Node, metadata: {name: n2, labels: {size: large}}, status: {capacity: {cpu: "8", memory: 32Gi, pods: "110"}}}
  workloads:
    - {name: fits-n2, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "4", memory: 4Gi}}}]}
    - {name: too-big, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "16", memory: 4Gi}}}]}
`;
  const warning = only(await warningsOf(yaml), 'pod-fits-no-node');
  assert.equal(
    warning.message,
    'Deployment/default/too-big: its pods (16 CPU, 4Gi memory) fit no node the cluster has or can add: node n1: Insufficient cpu (requests 16 CPU; a node has 2 CPU allocatable); node n2: Insufficient cpu (requests 16 CPU; a node has 8 CPU allocatable). They will stay Pending; lower their requests, or add a pool whose nodes fit them.',
  );
});

test('bare pods alike are one warning; a DaemonSet too big for its nodes is named, and holds no room on them', async () => {
  const yaml = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: bare}
spec:
  duration: 5m
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  manifests:
    - {apiVersion: v1, kind: Pod, metadata: {name: p1}, spec: {containers: [{name: a, image: x, resources: {requests: {cpu: "8"}}}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: p2}, spec: {containers: [{name: a, image: x, resources: {requests: {cpu: "8"}}}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: ok}, spec: {containers: [{name: a, image: x, resources: {requests: {cpu: "3"}}}]}}
  workloads:
    - {kind: DaemonSet, name: huge-agent, namespace: kube-system, containers: [{name: agent, resources: {requests: {cpu: "6"}}}]}
`;
  assert.deepEqual((await warningsOf(yaml)).filter((w) => w.code === 'pod-fits-no-node').map((w) => w.message), [
    'DaemonSet/kube-system/huge-agent: its pod (6 CPU, no memory) does not fit on the nodes it should run on, even alone: pool general (m5.xlarge): Insufficient cpu (requests 6 CPU; a node has 3920m CPU allocatable). Those pods will stay Pending.',
    // Pod/default/ok (3 CPU) fits: the DaemonSet pod that cannot run there takes none of the 3920m.
    '2 pods alike (Pod/default/p1, Pod/default/p2): they (8 CPU, no memory) fit no node the cluster has or can add: pool general (m5.xlarge): Insufficient cpu (requests 8 CPU; a node has 3920m CPU allocatable). They will stay Pending; lower their requests, or add a pool whose nodes fit them.',
  ]);
  // At the end: the bare pods are one line under their namespace's record, the DaemonSet's another.
  const run = await runYaml(yaml);
  assert.deepEqual(run.summary.warnings.filter((w: RunWarning) => w.code === 'pods-pending').map((w: RunWarning) => w.message.replace(/: the scheduler's.*/, '')), [
    '2 pods of Pod/default/* (p1, p2) were still pending at the end',
    '1 pod of DaemonSet/kube-system/huge-agent was still pending at the end',
  ]);
});

test('pods admission refuses: a LimitRange max below the request', async () => {
  const yaml = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: refused}
spec:
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  manifests:
    - {apiVersion: v1, kind: LimitRange, metadata: {name: caps, namespace: default}, spec: {limits: [{type: Container, max: {cpu: "1"}}]}}
  workloads:
    - {name: api, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "2"}, limits: {cpu: "2"}}}]}
`;
  assert.match(only(await warningsOf(yaml), 'pod-refused').message, /^Deployment\/default\/api: its pods are refused when created \(pods ".*" is forbidden: maximum cpu usage per Container is 1, but limit is 2\), so none of them will ever run\.$/);
});

// --- 4. traces: epoch times, and coverage ---------------------------------------------------------

const START_S = Date.parse('2026-01-05T00:00:00Z') / 1000; // 1767571200

function traceFile(dir: string, name: string, rows: string[]): string {
  fs.writeFileSync(path.join(dir, name), ['time,rps', ...rows].join('\n') + '\n');
  return name;
}

test('trace times: Unix seconds and milliseconds (a Prometheus export) and ISO times land on the same instants; small numbers stay seconds since the start', async () => {
  const dir = scratchDir();
  const start = START_S * 1000;
  const read = async (times: string[]) => (await readTrace(path.join(dir, traceFile(dir, 't.csv', times.map((t) => `${t},1`))), { time: 'time', value: 'rps' }, start)).points.timesMs;
  assert.deepEqual(await read([`${START_S}`, `${START_S + 1800}.5`, `${START_S + 3600}`]), [0, 1_800_500, 3_600_000]);
  assert.deepEqual(await read([`${START_S}000`, `${START_S + 3600}000`]), [0, 3_600_000]);
  assert.deepEqual(await read(['2026-01-05T00:00:00Z', '2026-01-05T01:00:00Z']), [0, 3_600_000]);
  assert.deepEqual(await read(['0', '3600', '999999999']), [0, 3_600_000, 999_999_999_000]);
});

test('an epoch-second trace replays as demand: 100 at the start, 200 an hour in, 150 at 30 minutes; no warning', async () => {
  const dir = scratchDir();
  traceFile(dir, 'prom.csv', [`${START_S - 60},100`, `${START_S},100`, `${START_S + 3600},200`, `${START_S + 7200},200`]);
  const yaml = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: prom}
spec:
  duration: 2h
  sampleEvery: 30m
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  workloads:
    - {name: web, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
  behavior:
    - {target: Deployment/default/web, demand: [{trace: {file: prom.csv, time: time, value: rps}}], usage: {app: {cpu: {perUnit: 1m}, memory: {base: 64Mi}}}}
`;
  const file = writeScenario(yaml, dir);
  assert.deepEqual(preflightWarnings(await loadScenario(file)).map((w) => w.code), []);
  const run = await runYaml(yaml.replace('file: prom.csv', `file: ${path.join(dir, 'prom.csv')}`));
  assert.deepEqual(run.csv('workloads.csv').map((r) => Number(r.demand)), [100, 150, 200, 200, 200]);
});

test('a trace that does not cover the run: starts late and ends early by more than its step, or has no point inside the run', async () => {
  const dir = scratchDir();
  // Hourly points from 2h to 4h of a 6h run.
  traceFile(dir, 'late.csv', [`${START_S + 7200},10`, `${START_S + 10800},20`, `${START_S + 14400},30`]);
  // December 2025, before a run that starts on 2026-01-05.
  traceFile(dir, 'old.csv', ['2025-12-01T00:00:00Z,5', '2025-12-01T01:00:00Z,7']);
  const yaml = `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: coverage}
spec:
  duration: 6h
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  workloads:
    - {name: a, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
    - {name: b, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
  behavior:
    - {target: Deployment/default/a, demand: [{trace: {file: late.csv, time: time, value: rps}}], usage: {app: {cpu: {perUnit: 1m}, memory: {base: 64Mi}}}}
    - {target: Deployment/default/b, demand: [{trace: {file: old.csv, time: time, value: rps}}], usage: {app: {cpu: {perUnit: 1m}, memory: {base: 64Mi}}}}
`;
  const warnings = preflightWarnings(await loadScenario(writeScenario(yaml, dir))).filter((w) => w.code === 'trace-coverage');
  assert.deepEqual(warnings.map((w) => w.objects), [['Deployment/default/a'], ['Deployment/default/b']]);
  assert.equal(
    warnings[0].message,
    `The demand trace of Deployment/default/a starts 2h after the run's start: until then the demand it gives is its first value (10), and ends 2h before the run's end: from then on it gives its last value (30) (late.csv covers 2026-01-05T02:00:00Z to 2026-01-05T04:00:00Z; the run is 2026-01-05T00:00:00Z to 2026-01-05T06:00:00Z). Shorten spec.duration or move spec.start to fit the trace, or extend it.`,
  );
  assert.match(warnings[1].message, /has no point inside the run, so the demand it gives is its last value \(7\) all along .* Set spec\.start to 2025-12-01T00:00:00Z to replay it from its beginning\.$/);
});

// --- 5. what a run's headline figures hide ----------------------------------------------------------

test('flags of a run: throttled a third of its CPU, 14 OOM kills in 2 hours, half the demand unserved', async () => {
  const run = await runYaml(`
apiVersion: capsim/v1
kind: Scenario
metadata: {name: flags}
spec:
  duration: 2h
  sampleEvery: 1m
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 2}]}
  workloads:
    - {name: busy, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 200m, memory: 256Mi}, limits: {cpu: 200m, memory: 512Mi}}}]}
    - {name: leaky, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: 500m, memory: 256Mi}}}]}
    - {name: slow, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}}]}
  behavior:
    - {target: Deployment/default/busy, usage: {app: {cpu: {base: 300m}, memory: {base: 200Mi}}}}
    - {target: Deployment/default/leaky, usage: {app: {cpu: {base: 50m}, memory: {base: 200Mi, leakPerHour: 600Mi}}}}
    - {target: Deployment/default/slow, demand: [{constant: 100}], usage: {app: {cpu: {perUnit: 10m}, memory: {base: 200Mi}}}}
`);
  const by = (code: string) => run.summary.warnings.filter((w: RunWarning) => w.code === code).map((w: RunWarning) => `${w.objects[0]}: ${w.message.split(':')[0]}`);
  // busy wants 300m under a 200m limit: 100/300 = 33 % not got. slow wants 10m x 100 = 1000m under
  // 500m: 50 % not got, and it serves 500m / 10m = 50 of 100 units/s.
  assert.deepEqual(by('cpu-throttled'), [
    'Deployment/default/busy: Deployment/default/busy did not get 33% of the CPU its containers wanted over the run (held at their CPU limits, or short on a busy node)',
    'Deployment/default/slow: Deployment/default/slow did not get 50% of the CPU its containers wanted over the run (held at their CPU limits, or short on a busy node)',
  ]);
  // leaky grows 600Mi/h from 200Mi to its 256Mi limit: killed every 336 s of running, restarted after
  // 0, 10, 20, 40, 80, 160, 300, 300, ... s: kills at 336, 672, 1018, 1374, 1750, 2166, 2662, 3298,
  // 3934, 4570, 5206, 5842, 6478 and 7114 s, 14 in 2 hours.
  assert.equal(run.summary.pods.oomKills, 14);
  assert.match(only(run.summary.warnings, 'oom-kills').message, /^Deployment\/default\/leaky had 14 OOM kills in 2 hours \(7\.0 per hour\)/);
  assert.equal(only(run.summary.warnings, 'demand-unserved').message, 'Deployment/default/slow served 50% of its demand over the run: its Ready pods did not have the CPU (or were not Ready) for the rest.');
});

test('a run without warnings writes no warnings key: summary.json keeps its bytes', async () => {
  const run = await runYaml(`
apiVersion: capsim/v1
kind: Scenario
metadata: {name: clean}
spec:
  duration: 1h
  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 1}]}
  workloads:
    - {name: web, replicas: 2, containers: [{name: app, resources: {requests: {cpu: 250m, memory: 256Mi}}}]}
  behavior:
    - {target: Deployment/default/web, demand: [{constant: 20}], usage: {app: {cpu: {base: 20m, perUnit: 5m}, memory: {base: 200Mi}}}}
`);
  assert.equal('warnings' in run.summary, false);
  // carbon: every run's estimate beside cost (issue 19); no pool here lacks what it needs, so no carbon warning either.
  // advice: what to do (issue 21), last, in every run with its detail files.
  assert.deepEqual(Object.keys(run.summary), ['scenario', 'seed', 'durationSeconds', 'cost', 'carbon', 'utilization', 'nodes', 'pods', 'demand', 'autoscaling', 'advice']);
});

// --- the command line and the report ---------------------------------------------------------------

test('validate prints the warnings (exit 0); run prints them, names them on its summary line, and the report shows them', () => {
  const dir = scratchDir();
  const file = writeScenario(HELM_WEB, dir);
  const v = capsim('validate', file);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^warning: HPA reads requests, not usage: HorizontalPodAutoscaler\/shop\/web scales Deployment\/shop\/web on cpu/m);

  const out = path.join(dir, 'out');
  const r = capsim('run', file, '--out', out, '--format', 'html');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nwarnings +3 +HPA reads requests, not usage \(HorizontalPodAutoscaler\/shop\/web\)\n +usage = requests \(Deployment\/shop\/web\)\n +HPA at maxReplicas \(HorizontalPodAutoscaler\/shop\/web\)\n/);
  assert.match(r.stderr, /^capsim: warning: HPA at maxReplicas: HorizontalPodAutoscaler\/shop\/web held Deployment\/shop\/web at its maxReplicas \(10\)/m);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<div class="warnings" id="warnings"[^>]*><p[^>]*><strong>3 warnings<\/strong>/);
  assert.match(html, /<li><strong>HPA at maxReplicas<\/strong>: HorizontalPodAutoscaler\/shop\/web held/);
  assert.match(html, /<td[^>]*>no usage model \(for cpu or memory\): that target is the request plus margin, not a measurement<\/td>/);
});
