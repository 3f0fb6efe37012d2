// The shorthand's `hpa.metrics` takes capsim's short form and the autoscaling/v2 MetricSpec people
// copy from their manifests: the same metrics give the same HPA and the same run, and a v2 item
// is checked as in a manifest, at the shorthand's line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadProblems, runYaml, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';

const scenario = (metrics: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: shapes}
spec:
  seed: 3
  duration: 6h
  sampleEvery: 1m
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.2xlarge, count: 3}]
  workloads:
    - name: web
      replicas: 2
      containers:
        - name: app
          resources: {requests: {cpu: 250m, memory: 512Mi}}
      hpa:
        minReplicas: 2
        maxReplicas: 30
        metrics:
${metrics}
  behavior:
    - target: Deployment/default/web
      demand:
        - constant: 200
        - daily: {amplitude: 0.8, peakAt: "03:00"}
      usage:
        app:
          cpu: {base: 10m, perUnit: 2m}
          memory: {base: 200Mi, perUnit: 1Mi}
`;

const SHORT = `          - {resource: cpu, averageUtilization: 60}
          - {resource: memory, container: app, averageValue: 400Mi}
          - {pods: {name: requests_per_second, averageValue: "20"}}
          - {external: {name: queue_depth, value: "500"}}`;

const V2 = `          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
          - type: ContainerResource
            containerResource: {name: memory, container: app, target: {type: AverageValue, averageValue: 400Mi}}
          - type: Pods
            pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "20"}}
          - type: External
            external: {metric: {name: queue_depth}, target: {type: Value, value: "500"}}`;

test('the short form and the autoscaling/v2 form of the same four metrics give the same HPA and the same run', async () => {
  const short = await loadScenario(writeScenario(scenario(SHORT)));
  const v2 = await loadScenario(writeScenario(scenario(V2)));
  // The objects without `source` (the scratch file each came from).
  const hpa = (s: typeof short) => s.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map(({ source, ...o }) => o);
  assert.equal(hpa(short).length, 1);
  assert.deepEqual(hpa(v2), hpa(short));
  assert.deepEqual((hpa(short)[0] as any).spec.metrics.map((m: { type: string }) => m.type), ['Resource', 'ContainerResource', 'Pods', 'External']);

  const a = await runYaml(scenario(SHORT));
  const b = await runYaml(scenario(V2));
  const workloads = (r: typeof a) => fs.readFileSync(path.join(r.dir, 'workloads.csv'), 'utf8');
  assert.equal(workloads(b), workloads(a), 'workloads.csv is byte-identical');
  const replicas = a.csv('workloads.csv').map((r) => Number(r.replicas_desired));
  assert.ok(Math.max(...replicas) > 10, `the HPA scales up at the 03:00 peak (${Math.max(...replicas)} replicas), so the runs compare something`);
});

test('a v2 item is checked as in a manifest and reported at the shorthand\'s line; a wrong type gets a hint', async () => {
  const file = writeScenario(scenario(`          - type: Resourse
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
          - type: Resource
            resource: {name: cpu, targt: {type: Utilization, averageUtilization: 60}}`));
  const problems = (await loadProblems(file)).map((p) => `${p.line}: ${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  assert.deepEqual(problems, [
    '20: spec.workloads[0].hpa.metrics[0].type: unsupported value "Resourse" (did you mean "Resource"? supported values: "Object", "Pods", "Resource", "ContainerResource", "External")',
    // Not also "missing required field target": the unknown field says it.
    '23: spec.workloads[0].hpa.metrics[1].resource.targt: unknown field "targt" (did you mean "target"? fields here: name, target)',
  ]);
  // What the HPA's own checks find (as in a manifest), at the shorthand's line.
  const external = writeScenario(scenario(`          - type: External
            external: {metric: {name: rps}, target: {type: Utilization, averageUtilization: 5}}`));
  assert.deepEqual((await loadProblems(external)).map((p) => `${p.line}: ${p.path}: ${p.message} (${p.hint})`), [
    '21: spec.workloads[0].hpa.metrics[0].external.target.type: unsupported value "Utilization" (supported values here: "Value", "AverageValue")',
  ]);
});

test('an HPA target in a unit its resource cannot mean is a problem, at the field as written in either form', async () => {
  const file = writeScenario(scenario(`          - {resource: cpu, averageValue: 500Mi}
          - type: Resource
            resource: {name: memory, target: {type: AverageValue, averageValue: 800m}}`));
  assert.deepEqual((await loadProblems(file)).map((p) => `${p.line}: ${p.path}: ${p.message}`), [
    '20: spec.workloads[0].hpa.metrics[0].averageValue: 500Mi is 524,288,000 cores: Mi (2^20) is a memory unit',
    '22: spec.workloads[0].hpa.metrics[1].resource.target.averageValue: 800m is 800 thousandths of a byte: m is milli, not mega',
  ]);
});
