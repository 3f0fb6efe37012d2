// Issue 13's rule: a field the scenario schema or a Kubernetes kind accepts is either simulated
// or reported. Every field of every schema must be read by the simulation (src/scenario/
// simulatedFields.ts, which names the file that reads it) or be on the not-simulated list
// (src/scenario/fieldSupport.ts, which `capsim validate` and `capsim run` report as notices).
// A new schema field fails the first test until someone classifies it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NOT_SIMULATED, NOT_SIMULATED_BY_FIELD } from '../src/scenario/fieldSupport.ts';
import { SIMULATED } from '../src/scenario/simulatedFields.ts';
import { everyField, fieldKey, rootSchemas, walkFields } from '../src/scenario/schemaFields.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { capsim, scratchDir, writeScenario } from './support/run.ts';

const SRC = path.resolve(import.meta.dirname, '../src');
const simulated = new Map(SIMULATED.map((f) => [f.field, f]));

test('every field of the scenario schema and of every Kubernetes kind is simulated or on the not-simulated list', () => {
  const unclassified: string[] = [];
  const seen = new Set<string>();
  let fields = 0;
  for (const { scope, schema } of rootSchemas()) {
    walkFields(schema, scope, (f) => {
      fields++;
      const key = fieldKey(f.scope, f.path);
      const listed = NOT_SIMULATED_BY_FIELD.get(key);
      if (listed && !listed.partly) return false; // covers what is under it
      if (!listed && !simulated.has(key) && !f.structural) unclassified.push(key);
      return true;
    }, seen);
  }
  assert.ok(fields > 500 && seen.has('Container') && seen.has('JobSpec'), `${fields} fields walked`);
  assert.deepEqual(unclassified, [], `classify these fields: add each to src/scenario/simulatedFields.ts (with the file that reads it) or to src/scenario/fieldSupport.ts (with the reason it is not simulated):\n${unclassified.join('\n')}`);
});

test('every entry of both lists names a field the schemas have (pending ones may wait for their branch)', () => {
  const existing = new Set(everyField().map((f) => fieldKey(f.scope, f.path)));
  const stale = [...NOT_SIMULATED, ...SIMULATED.filter((f) => !f.pending)].map((f) => f.field).filter((field) => !existing.has(field));
  assert.deepEqual(stale, [], `no such field: ${stale.join(', ')}`);
  const all = [...NOT_SIMULATED.map((f) => f.field), ...SIMULATED.map((f) => f.field)];
  const twice = all.filter((f, i) => all.indexOf(f) !== i && !NOT_SIMULATED_BY_FIELD.get(f)?.partly);
  assert.deepEqual(twice, [], `listed twice: ${twice.join(', ')}`);
});

test('a field on both lists is read and only partly simulated; nothing is listed under a field that is not simulated at all', () => {
  for (const f of NOT_SIMULATED) {
    assert.equal(simulated.has(f.field), f.partly === true, `${f.field}: ${f.partly ? 'partly simulated, so it must be in simulatedFields.ts' : 'not simulated, yet in simulatedFields.ts'}`);
    if (f.partly) assert.ok(f.notice && f.notice !== 'never', `${f.field}: a partly simulated field says which values are not simulated (notice.when)`);
  }
  const whole = NOT_SIMULATED.filter((f) => !f.partly).map((f) => f.field);
  const under = [...NOT_SIMULATED.map((f) => f.field), ...SIMULATED.map((f) => f.field)].filter((field) => whole.some((w) => field.startsWith(`${w}.`) || field.startsWith(`${w}[]`)));
  assert.deepEqual(under, [], `unreachable entries: ${under.join(', ')}`);
});

test('every simulated field names the file that reads it, and that file reads it by the name given', () => {
  const wrong: string[] = [];
  const texts = new Map<string, string>();
  for (const f of SIMULATED) {
    if (f.pending) continue;
    const file = path.join(SRC, f.readBy);
    if (!texts.has(file)) texts.set(file, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    if (!texts.get(file)!.includes(f.token)) wrong.push(`${f.field}: src/${f.readBy} has no "${f.token}"`);
  }
  assert.deepEqual(wrong, []);
});

// --- the notices -------------------------------------------------------------------------------

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  progressDeadlineSeconds: 600
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      schedulerName: default-scheduler
      containers:
        - name: a
          image: web:1
          livenessProbe: {httpGet: {path: /, port: 80}}
        - name: b
          livenessProbe: {tcpSocket: {port: 81}}
        - name: c
          livenessProbe: {tcpSocket: {port: 82}}
        - name: d
          livenessProbe: {tcpSocket: {port: 83}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      schedulerName: my-scheduler
      containers:
        - name: e
          livenessProbe: {exec: {command: ["true"]}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec:
  hard: {pods: "10", requests.cpu: "4"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: objects}
spec:
  hard: {services: "5"}
status: {hard: {services: "5"}}
`;

const SCENARIO = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: fields}
spec:
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge}]
  manifests: [k8s.yaml]
  workloads:
    - name: api
      containers:
        - name: api
          startupProbe: {exec: {command: ["true"]}}
      hpa:
        maxReplicas: 3
        metrics:
          - {pods: {name: rps, averageValue: "10"}, averageUtilization: 50}
`;

function writeExample(): { file: string; k8s: string } {
  const dir = scratchDir('capsim-fields-');
  const k8s = path.join(dir, 'k8s.yaml');
  fs.writeFileSync(k8s, MANIFEST);
  return { file: writeScenario(SCENARIO, dir), k8s };
}

const LIVENESS = 'is accepted but not simulated (liveness probes never fail: a container restarts only when it is OOM-killed)';

test('a set field capsim does not simulate is one notice per field and kind, with where it is set; defaults and values capsim follows are not', async () => {
  const { file, k8s } = writeExample();
  const s = await loadScenario(file);
  assert.deepEqual(s.notices, [
    // The scenario file first: the shorthand's fields, at the shorthand, as the objects they become.
    `${file}:12: Deployment spec.template.spec.containers[].startupProbe is accepted but not simulated (startup probes are not run: time to Ready is readinessProbe.initialDelaySeconds or behavior[].startup.delay)`,
    `${file}:16: spec.workloads[].hpa.metrics[].averageUtilization: applies to a resource metric; with pods or external it is ignored (they take their target inside)`,
    `${k8s}:6: Deployment spec.progressDeadlineSeconds is accepted but not simulated (a rollout never times out: no ProgressDeadlineExceeded)`,
    // Three places, then a count.
    `${k8s}:15, ${k8s}:17, ${k8s}:19 and 1 more: Deployment spec.template.spec.containers[].livenessProbe ${LIVENESS}`,
    // schedulerName: default-scheduler (line 11) is what capsim does, and so is maxSurge: 0 (line 28).
    `${k8s}:32: DaemonSet spec.template.spec.schedulerName is accepted but not simulated (capsim's one scheduler, kube-scheduler's default profile, places every pod)`,
    `${k8s}:35: DaemonSet spec.template.spec.containers[].livenessProbe ${LIVENESS}`,
    // Quota names pods are charged for (line 41) are simulated, an object count is not; status is never reported.
    `${k8s}:47: ResourceQuota spec.hard: only what pods use is counted (pods, count/pods, cpu, memory, ephemeral-storage, requests.* and limits.* of them and of extended resources); object counts and storage never fill up`,
  ]);
});

test('a field set by --set is reported at the flag; a run reports what validate does', async () => {
  const { file } = writeExample();
  const s = await loadScenario(file, { set: ['spec.workloads[0].hpa.metrics[0].value=7'] });
  assert.ok(s.notices.includes('--set spec.workloads[0].hpa.metrics[0].value=7: spec.workloads[].hpa.metrics[].value is accepted but not simulated (a pods or external metric takes its target inside pods: or external:)'), s.notices.join('\n'));
});

test('behavior run: on a bare pod is reported by validate (it was a run-time notice before)', async () => {
  const dir = scratchDir('capsim-fields-');
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
spec:
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge}]
  manifests:
    - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}
    - {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}}
  behavior:
    - {target: Job/default/j, run: {duration: 5m}}
    - {target: Pod/default/p, run: {duration: 5m}}
`, dir);
  const s = await loadScenario(file);
  assert.deepEqual(s.notices, [`${file}:11: spec.behavior[].run: applies to Job and CronJob pods; a bare pod serves until it is deleted`]);
});

test('capsim validate prints the notices as note: lines, capsim run on stderr; no output file carries them', () => {
  const { file, k8s } = writeExample();
  const progress = `${k8s}:6: Deployment spec.progressDeadlineSeconds is accepted but not simulated (a rollout never times out: no ProgressDeadlineExceeded)`;
  const v = capsim('validate', file);
  assert.equal(v.code, 0, v.stderr);
  assert.ok(v.stdout.split('\n').includes(`note: ${progress}`), v.stdout);
  const out = path.join(scratchDir('capsim-fields-'), 'run');
  const r = capsim('run', file, '--set', 'spec.duration=10m', '--out', out, '--format', 'none');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.split('\n').includes(`capsim: note: ${progress}`), r.stderr);
  assert.ok(!r.stdout.includes('not simulated'), r.stdout);
  for (const name of fs.readdirSync(out)) assert.ok(!fs.readFileSync(path.join(out, name), 'utf8').includes('not simulated'), `${name} mentions a notice`);
});
