// A quantity's hint fits its field: a CPU amount never gets "did you mean 250Mi?", a memory
// amount gets Mi/Gi (never m), a duration s/m/h/d; and a quantity that parses but cannot be meant
// in its field (cpu: 250Mi, memory: 512m) is a problem, not a plausible wrong answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProblems, writeScenario } from './support/run.ts';
import { implausibleQuantity, quantityFieldOf, quantityHint } from '../src/quantity.ts';

test('the field a quantity is in, from its name', () => {
  assert.equal(quantityFieldOf(['spec', 'containers', 0, 'resources', 'requests', 'cpu']), 'cpu');
  assert.equal(quantityFieldOf(['spec', 'hard', 'requests.cpu']), 'cpu');
  assert.equal(quantityFieldOf(['usage', 'app', 'cpu', 'perUnit']), 'cpu');
  assert.equal(quantityFieldOf(['usage', 'app', 'memory', 'leakPerHour']), 'bytes');
  assert.equal(quantityFieldOf(['capacity', 'hugepages-2Mi']), 'bytes');
  assert.equal(quantityFieldOf(['evictionHard', 'memory.available']), 'bytes');
  assert.equal(quantityFieldOf(['capacity', 'nvidia.com/gpu']), undefined);
  assert.equal(quantityFieldOf(['hpa', 'metrics', 0, 'averageValue']), undefined);
});

test('hints by field: 250MB is 250m on a CPU, 250M or 250Mi on memory, either without a field', () => {
  assert.equal(quantityHint('250MB', 'cpu'), 'did you mean 250m (millicores) or 250 (cores)? CPU takes m or a plain number of cores');
  assert.equal(quantityHint('250MB', 'bytes'), 'did you mean 250M or 250Mi? (M = 10^6, Mi = 2^20)');
  assert.equal(quantityHint('250MB'), 'did you mean 250M or 250Mi? (M = 10^6, Mi = 2^20)');
  assert.equal(quantityHint('2 cores', 'cpu'), 'did you mean 2?');
  assert.equal(quantityHint('500 millicores', 'cpu'), 'did you mean 500m?');
  assert.equal(quantityHint('1gb', 'bytes'), 'did you mean 1G or 1Gi? (G = 10^9, Gi = 2^30)');
  assert.equal(quantityHint('250m', 'cpu'), undefined, 'a valid quantity has no hint');
});

test('cpu: 250Mi and memory: 512m parse but cannot be meant', () => {
  // 250 x 2^20 = 262,144,000 cores.
  assert.deepEqual(implausibleQuantity('250Mi', 'cpu'), { message: '250Mi is 262,144,000 cores: Mi (2^20) is a memory unit', hint: 'did you mean 250m (millicores)? CPU is counted in cores: 250m is a quarter of one' });
  assert.deepEqual(implausibleQuantity('512m', 'bytes'), { message: '512m is 512 thousandths of a byte: m is milli, not mega', hint: 'did you mean 512Mi or 512M? (Mi = 2^20, M = 10^6)' });
  for (const [amount, field] of [['250m', 'cpu'], ['2', 'cpu'], ['1.5', 'cpu'], ['0Mi', 'cpu'], ['512Mi', 'bytes'], ['1G', 'bytes'], ['0m', 'bytes'], [1024, 'bytes']] as const) {
    assert.equal(implausibleQuantity(amount, field), undefined, `${amount} on ${field} is fine`);
  }
});

test('in a scenario: every quantity and duration mistake is reported with a hint that fits its field', async () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: units}
spec:
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 2, systemReserved: {cpu: 100Mi}}]
  workloads:
    - name: web
      containers:
        - name: app
          resources: {requests: {cpu: 250MB, memory: 512m}, limits: {memory: 1gb}}
  behavior:
    - target: Deployment/default/web
      usage:
        app:
          cpu: {base: 20Mi, perUnit: 2MB}
          memory: {base: 300Mi, leakPerHour: 10MB}
  events:
    - {at: 2 hours, rollout: {target: Deployment/default/web}}
`);
  const problems = (await loadProblems(file)).map((p) => `${p.line}: ${p.path}: ${p.hint}`);
  assert.deepEqual(problems, [
    '6: spec.cluster.nodePools[0].systemReserved.cpu: did you mean 100m (millicores)? CPU is counted in cores: 250m is a quarter of one',
    '11: spec.workloads[0].containers[0].resources.requests.cpu: did you mean 250m (millicores) or 250 (cores)? CPU takes m or a plain number of cores',
    '11: spec.workloads[0].containers[0].resources.requests.memory: did you mean 512Mi or 512M? (Mi = 2^20, M = 10^6)',
    '11: spec.workloads[0].containers[0].resources.limits.memory: did you mean 1G or 1Gi? (G = 10^9, Gi = 2^30)',
    '16: spec.behavior[0].usage.app.cpu.base: did you mean 20m (millicores)? CPU is counted in cores: 250m is a quarter of one',
    '16: spec.behavior[0].usage.app.cpu.perUnit: did you mean 2m (millicores) or 2 (cores)? CPU takes m or a plain number of cores',
    '17: spec.behavior[0].usage.app.memory.leakPerHour: did you mean 10M or 10Mi? (M = 10^6, Mi = 2^20)',
    '19: spec.events[0].at: write 2h',
  ]);
});

test('duration hints are in s/m/h/d/w; a month or a year gets days, said as an assumption', async () => {
  const { parseDuration } = await import('../src/duration.ts');
  const hint = (text: string) => {
    try {
      parseDuration(text);
    } catch (error) {
      return (error as { hint?: string }).hint;
    }
    return 'parsed';
  };
  assert.equal(hint('30 mins'), 'write 30m');
  assert.equal(hint('2hours'), 'write 2h');
  assert.equal(hint('1 month'), 'write 30d (30 days a month; durations are exact, so say how many days)');
  assert.equal(hint('1y'), 'write 365d (365 days a year; durations are exact, so say how many days)');
  assert.equal(hint('2M'), undefined, 'M could be minutes or months: no guess');
});

test('cpu: 250Mi and memory: 512m are caught in an otherwise valid scenario and manifest (the fast path runs the checks too)', async () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: one}
spec:
  cluster:
    nodePools: [{name: general, instanceType: aws/m5.xlarge, count: 2}]
  workloads:
    - name: web
      containers: [{name: app, resources: {requests: {cpu: 250Mi, memory: 512Mi}}}]
  manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec:
            containers: [{name: api, resources: {requests: {cpu: 100m, memory: 512m}}}]
`);
  assert.deepEqual((await loadProblems(file)).map((p) => `${p.line}: ${p.path}: ${p.message}`), [
    '9: spec.workloads[0].containers[0].resources.requests.cpu: 250Mi is 262,144,000 cores: Mi (2^20) is a memory unit',
    '19: spec.manifests[0].spec.template.spec.containers[0].resources.requests.memory: 512m is 512 thousandths of a byte: m is milli, not mega',
  ]);
});
