// Every problem in one pass: a newcomer's starter with nine different mistakes gets all nine at
// once, in file order, each with its line and a hint; exit 2 and nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir, writeScenario } from './support/run.ts';

const STARTER_WITH_MISTAKES = `apiVersion: capsim/v1
kind: Scenario
metadata:
  name: my-cluster
spec:
  duration: 1d
  cluster:
    nodePools:
      - name: general
        instanceType: aws/m5.xlarg
        zonez: [us-east-1a, us-east-1b]
        count: 3
  workloads:
    - name: web
      replicas: 3
      priorityClassName: hihg
      containers:
        - name: app
          resources: {requests: {cpu: 250Mi, memory: 512Mi}, limits: {memory: 1Gi}}
      hpa:
        maxReplicas: 10
        metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilisation, averageUtilization: 60}}
  behavior:
    - target: Deployment/default/webb
      startup: {delay: 20s}
  events:
    - {at: 6h, rollout: {target: Deployment/default/web}}
    - {at: 12h, drain: {pool: genral, count: 1}}
    - {at: 30h, zoneOutage: {zone: us-east-1a, duration: 1h}}
    - {at: 2h, scale: {target: Deployment/default/web, replicas: 6}, bogus: 1}
`;

test('nine mistakes of different kinds (schema, references, quantities, times) are all reported in one pass', () => {
  const dir = scratchDir();
  const file = writeScenario(STARTER_WITH_MISTAKES, dir);
  const out = path.join(dir, 'out');
  for (const command of ['validate', 'run']) {
    const r = capsim(command, file, ...(command === 'run' ? ['--out', out] : []));
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!fs.existsSync(out), 'nothing written');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(file)).map((l) => l.slice(file.length + 1).replace(/^(\d+):\d+: /, '$1: '));
    assert.deepEqual(lines, [
      '10: spec.cluster.nodePools[0].instanceType: unknown instance type "aws/m5.xlarg"',
      '11: spec.cluster.nodePools[0].zonez: unknown field "zonez"',
      '16: spec.workloads[0].priorityClassName: no PriorityClass "hihg"',
      '19: spec.workloads[0].containers[0].resources.requests.cpu: 250Mi is 262,144,000 cores: Mi (2^20) is a memory unit',
      '24: spec.workloads[0].hpa.metrics[0].resource.target.type: unsupported value "Utilisation"',
      '26: spec.behavior[0].target: no workload "Deployment/default/webb" is declared',
      '30: spec.events[1].drain.pool: no node pool "genral"',
      '31: spec.events[2].at: at 30h is after the end of the scenario (duration 1d)',
      '32: spec.events[3].bogus: unknown field "bogus"',
    ], r.stderr);
    assert.match(r.stderr, /^capsim: 9 problems in the input; nothing was run or written\./);
    // Each with its hint.
    for (const hint of ['did you mean "aws/m5.xlarge"?', 'did you mean "zones"?', 'did you mean 250m (millicores)?', 'did you mean "Utilization"?', 'did you mean "Deployment/default/web"?', 'did you mean "general"?', 'lengthen spec.duration', 'fields here: at, drain']) {
      assert.ok(r.stderr.includes(hint), hint);
    }
  }
});

test('a mistake elsewhere does not make a Karpenter NodePool of the shorthand unknown to the events', async () => {
  const { loadProblems } = await import('./support/run.ts');
  // The microservices example (a NodePool "general" from spec.karpenter), with a drain of that
  // NodePool, a misspelt NodePool field and an unknown spec field.
  const example = fs.readFileSync(path.resolve(import.meta.dirname, '../src/cli/examples/microservices.yaml'), 'utf8')
    .replace('  sampleEvery: 5m\n', '  sampleEvery: 5m\n  bogus: 1\n')
    .replace('        limits: {cpu: "64"}', '        limits: {cpu: "64"}\n        weigth: 3')
    .replace('  events:                               # scripted what-ifs, at times from the start\n', '  events:\n    - {at: 11h, drain: {pool: general, count: 1}}\n');
  const problems = (await loadProblems(writeScenario(example))).map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(problems, ['spec.bogus: unknown field "bogus"', 'spec.karpenter.nodePools[0].weigth: unknown field "weigth"'], 'no "no node pool general"');
});
