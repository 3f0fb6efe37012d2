// HPA end to end: scenario YAML -> run -> the ScaledUp/ScaledDown sequence, computed by hand from
// reference/k8s-algorithms.md §1 and the metrics source's rules (src/controllers/hpa/metrics.ts):
// the HPA syncs at 0, 15, 30 s ...; a pod has a sample 30 s after it starts; a sync at t runs
// before the instant's physics, so a demand step at t is first seen at t + 15 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFile, runYaml, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';

const hpaEvents = (run: Awaited<ReturnType<typeof runYaml>>) =>
  run.events().filter((e) => (e.type === 'ScaledUp' || e.type === 'ScaledDown') && e.message.startsWith('HPA')).map((e) => `${e.t} ${e.message}`);

test('a step in demand: 2 -> 4 -> 8 replicas at 615 s and 630 s, back to 2 at 2115 s (legacy path)', async () => {
  // 500m requests, 5m per request/s, target 50% (250m = 50 rps per pod). 100 rps on 2 pods = 50%.
  // 10m: demand x4 = 400 rps. Sync 615 s: 1000m per pod = 200% -> ratio 4 x 2 = 8, capped at
  //   max(2 x 2, 4) = 4. The new pods are Ready at once: 100 rps each.
  // 630 s: the new pods have no sample yet (15 s old): old ones at 100% -> ratio 2, missing at 0 ->
  //   1000/2000 = 50% -> 1.0 -> keep 4. But the legacy stabilization takes the largest
  //   recommendation of the last 5 min, 8 (stored at 615 s before the cap): 4 -> 8 (cap 8).
  // 30m (1800 s): demand back to 100: 12.5 rps = 62.5m -> 63m per pod = 12% -> 0.24 x 8 -> 2 from
  //   1815 s; the 8 recommended at 1800 s holds until it is older than 5 min: 2115 s.
  const run = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: hpa-step}
spec:
  duration: 40m
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "16", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - name: web
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}]
      hpa: {minReplicas: 2, maxReplicas: 10, metrics: [{resource: cpu, averageUtilization: 50}]}
  behavior:
    - target: Deployment/default/web
      demand: [{constant: 100}, {spike: {at: 10m, duration: 20m, factor: 4}}]
      usage: {app: {cpu: {base: 0m, perUnit: 5m}, memory: {base: 100Mi, perUnit: 0Mi}}}
`);
  assert.deepEqual(hpaEvents(run), ['615 HPA web from 2 to 4', '630 HPA web from 4 to 8', '2115 HPA web from 8 to 2']);
  assert.equal(run.events('ScaledUp')[0].type, 'ScaledUp');
  assert.equal(run.summary.autoscaling.hpaScaleEvents, 3);
  const rows = run.csv('workloads.csv');
  assert.equal(rows.find((r) => r.t === '660')!.replicas_ready, '8');
  assert.equal(rows.find((r) => r.t === '660')!.cpu_used_m, '2000'); // 400 rps x 5m
  assert.equal(rows.find((r) => r.t === '2160')!.replicas_desired, '2');
});

test('demand metrics: External total demand and Pods demand per pod, the larger wins', async () => {
  // 100 rps. External AverageValue 25 per pod: 100 / (25 x 2) = 2 -> ceil(100/25) = 4 at the first
  // sync with a usage record (15 s): 2 -> 4. Pods (demand per pod, target 20): at 45 s all 4 pods
  // have a sample, 25 rps each -> 1.25 x 4 = 5; External says 4: 4 -> 5. Then 20 rps per pod:
  // Pods 1.0 -> 5, External 0.8 -> 4: stays 5.
  const run = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: hpa-demand}
spec:
  duration: 10m
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "16", memory: 32Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - name: api
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
      hpa:
        minReplicas: 1
        maxReplicas: 10
        metrics:
          - external: {name: requests_per_second, averageValue: "25"}
          - pods: {name: requests_per_second_per_pod, averageValue: "20"}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 100}]
      usage: {app: {cpu: {base: 10m, perUnit: 1m}, memory: {base: 64Mi, perUnit: 0Mi}}}
`);
  assert.deepEqual(hpaEvents(run), ['15 HPA api from 2 to 4', '45 HPA api from 4 to 5']);
});

test('E25 (scenarios/e25-hpa.yaml): the HPA undoes kubectl scale, grows 3 -> 6 -> 10 for the burst, shrinks 5 min after', async () => {
  // 120 rps x 1m over 3 pods = 40m = 40% of 100m vs 50% -> 0.8 x 3 = 2.4 -> 3 (recommended 3 all along).
  // 120 s: kubectl scale to 5; the HPA syncs in the same instant, before the Deployment made the
  //   new pods: 3 pods at 40% -> 3, stabilized max of recent 3s -> 5 -> 3.
  // 20m: 480 rps -> 160m per pod = 160% -> 3.2 x 3 = 9.6 -> 10 at 1215 s, capped max(2 x 3, 4) = 6.
  // 1230 s: new pods without samples, ratio flips -> keep 6; stabilization holds the 10 of 1215 s.
  // 35m (2100 s): 120 rps over 10 = 12% -> 0.24 x 10 -> 3 from 2115 s; the 10 of 2100 s counts
  //   while it is not before now - 5 min: until 2400 s, so 2415 s.
  const run = await runFile('scenarios/e25-hpa.yaml');
  assert.deepEqual(hpaEvents(run), ['120 HPA frontend from 5 to 3', '1215 HPA frontend from 3 to 6', '1230 HPA frontend from 6 to 10', '2415 HPA frontend from 10 to 3']);
  assert.equal(run.events('ScaledUp').find((e) => e.t === '120')!.message, 'Scaled by scenario event from 3 to 5');
});

test('E26 (scenarios/e26-hpa.yaml): a 3 min scale-up window and 4-pods-per-15s policy: 3 -> 7 -> 10, back to 3 at 5 min', async () => {
  // 90 rps x 4m over 3 pods = 120m = 60% of 200m vs 80% -> 0.75 -> 3 (min 3).
  // 10m: 360 rps -> 480m = 240% -> 3 x 3 = 9 from 615 s. Up window 180 s: the 3 recommended at
  //   600 s counts while strictly after now - 180 s: until 779 s. 780 s: 9, limited to
  //   max(3 + 4, 3 x 200%) = 7.
  // 795 s: the 4 new pods have no sample: old ones at 206m = 103% -> 1.29, missing at 0 -> 0.55:
  //   keep 7 (recommendation 7). 810 s: all 7 at 103% -> 1.29 x 7 = 9.01 -> 10. The 7 of 795 s
  //   leaves the window at 975 s: 7 -> 10 (max 10).
  // 30m (1800 s): 90 rps over 10 = 18% -> 3 from 1815 s; the 10 of 1800 s leaves the 300 s
  //   window at 2100 s (strict After, one sync earlier than the legacy path).
  const run = await runFile('scenarios/e26-hpa.yaml');
  assert.deepEqual(hpaEvents(run), ['780 HPA api from 3 to 7', '975 HPA api from 7 to 10', '2100 HPA api from 10 to 3']);
});

test('web-hpa (scenarios/web-hpa.yaml): replicas follow the daily cycle within min and max, demand is served', async () => {
  const run = await runFile('scenarios/web-hpa.yaml');
  const rows = run.csv('workloads.csv').filter((r) => r.workload === 'Deployment/shop/storefront');
  const at = (t: number) => Number(rows.find((r) => r.t === String(t))!.replicas_desired);
  // 14:00 peak about 480 rps: 1920m / 150m per pod -> 13; 02:00 trough about 120 rps -> 4.
  assert.ok(at(14 * 3600) >= 12 && at(14 * 3600) <= 14, `peak ${at(14 * 3600)}`);
  assert.ok(at(26 * 3600) >= 3 && at(26 * 3600) <= 5, `trough ${at(26 * 3600)}`);
  for (const r of rows) assert.ok(Number(r.replicas_desired) >= 3 && Number(r.replicas_desired) <= 20);
  assert.ok(run.summary.demand.servedPct > 99.9, `servedPct ${run.summary.demand.servedPct}`);
  assert.ok(run.summary.autoscaling.hpaScaleEvents > 20);
});

test('an HPA and a VPA on the CPU of one workload: a warning notice, and the run goes on', async () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: hpa-vpa}
spec:
  duration: 5m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - name: web
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
      hpa: {maxReplicas: 5, metrics: [{resource: cpu, averageUtilization: 50}]}
      vpa: {updateMode: Auto}
    - name: api
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
      hpa: {maxReplicas: 5, metrics: [{pods: {name: rps, averageValue: "10"}}]}
      vpa: {updateMode: Auto}
`);
  const world = new World(await loadScenario(file));
  world.setup();
  const warnings = world.notices.filter((n) => n.startsWith('warning: HorizontalPodAutoscaler'));
  assert.deepEqual(warnings, [
    'warning: HorizontalPodAutoscaler/default/web and VerticalPodAutoscaler/default/web both act on cpu of Deployment/default/web; they work against each other (scale on a Pods or External metric instead)',
  ]);
});

test('a StatefulSet is scaled through the same scale subresource', async () => {
  // External AverageValue 25 per pod on 100 rps: ceil(100 / 25) = 4 at the first sync with a
  // usage record (15 s); the legacy cap max(2 x 1, 4) = 4 lets it through in one step.
  const run = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: hpa-sts}
spec:
  duration: 5m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "8", memory: 16Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - name: db
      kind: StatefulSet
      replicas: 1
      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
      hpa: {maxReplicas: 6, metrics: [{external: {name: queries_per_second, averageValue: "25"}}]}
  behavior:
    - target: StatefulSet/default/db
      demand: [{constant: 100}]
`);
  assert.deepEqual(hpaEvents(run), ['15 HPA db from 1 to 4']);
  assert.equal(run.csv('workloads.csv').at(-1)!.replicas_ready, '4');
});

test('a pod restarted after an OOM kill counts with its sample while NotReady (groupPods reads the Ready transition)', async () => {
  // 2 pods, 100m requests, 10m + 4m per rps, 20 rps: 50m each = 50% = the target -> keep 2.
  // Memory 100Mi + 60Mi/h under a 110Mi limit: both containers are OOM-killed at 600 s and
  // restarted at once (first failure, no back-off); Ready again after the 20 s startup delay.
  // Sync 600 s (kubelets act before controllers at an instant): both Running, NotReady since
  //   600 s (the Ready condition's lastTransitionTime),
  //   started at 0: past the 5 min CPU initialization period, and NotReady since later than
  //   start + 30 s, so upstream counts them ("count in an unready pod that was ready after
  //   initialization period", replica_calculator_test.go TestGroupPods). NotReady pods get no
  //   demand: 10m each = 10% -> 0.2 x 2 = 0.4 -> 1; no scale-down window: 2 -> 1.
  //   (Reading the time the pods last became Ready, 20 s, would call them never Ready and drop
  //   both: no metrics, no change.)
  // 615 s: the survivor, still NotReady, at 10% -> 0.2 x 1 -> 1: keep 1.
  // 630 s: the survivor (Ready at 620 s) serves all 20 rps: 90m = 90% -> 1.8 x 1 -> 2: 1 -> 2.
  // 645 s: the new pod has no sample: missing at 0 -> 90/200 = 45% -> 0.9, within tolerance.
  // 660 s on: 50m per Ready pod -> 1.0; the new pod is inside its metric window until 680 s.
  const run = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: hpa-oom-restart}
spec:
  duration: 11m
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - name: web
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 100m, memory: 100Mi}, limits: {memory: 110Mi}}}]
      hpa:
        minReplicas: 1
        maxReplicas: 4
        metrics: [{resource: cpu, averageUtilization: 50}]
        behavior: {scaleDown: {stabilizationWindowSeconds: 0}}
  behavior:
    - target: Deployment/default/web
      demand: [{constant: 20}]
      startup: {delay: 20s}
      usage: {app: {cpu: {base: 10m, perUnit: 4m}, memory: {base: 100Mi, perUnit: 0Mi, leakPerHour: 60Mi}}}
`);
  assert.deepEqual(run.events('OOMKilled').map((e) => e.t), ['600', '600']);
  assert.deepEqual(hpaEvents(run), ['600 HPA web from 2 to 1', '630 HPA web from 1 to 2']);
});
