// Karpenter's manifests (src/scenario/kube/karpenter.ts, scenario/karpenterChecks.ts): what the
// CRDs refuse is a problem with file, line and field; what makes capsim's menu differ from
// Karpenter's is a warning; `capsim validate` prints each NodePool's menu; and no NodePool,
// however damaged, crashes the loader (a fuzz of scenarios/karpenter-nodepools.yaml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { dump, load as parseYaml } from 'js-yaml';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError, formatProblem, type Problem } from '../src/scenario/errors.ts';
import { karpenterMenuLines } from '../src/karpenter/menuText.ts';
import { karpenterWarnings } from '../src/scenario/karpenterChecks.ts';
import { applyMutation, mutation } from './support/fuzz.ts';
import { capsim, loadProblems, scratchDir, writeScenario } from './support/run.ts';

const EC2 = '    - {apiVersion: karpenter.k8s.aws/v1, kind: EC2NodeClass, metadata: {name: default}, spec: {amiSelectorTerms: [{alias: al2023@latest}]}}';

/** A scenario with one NodePool named np over `requirements` (a YAML flow list) and the EC2NodeClass. */
function withNodePool(requirements: string, extra = '', ec2 = EC2): string {
  return [
    'apiVersion: capsim/v1',
    'kind: Scenario',
    'metadata: {name: karpenter}',
    'spec:',
    '  duration: 10m',
    '  sampleEvery: 5m',
    '  cluster:',
    '    nodePools: [{name: general, instanceType: aws/m5.large, count: 1}]',
    '  manifests:',
    `    - {apiVersion: karpenter.sh/v1, kind: NodePool, metadata: {name: np}, spec: {template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: ${requirements}}}${extra}}}`,
    ec2,
  ].join('\n');
}

async function problemsOf(yaml: string): Promise<Problem[]> {
  return loadProblems(writeScenario(yaml));
}

test('what the NodePool CRD refuses is a problem at the field, in its words', async () => {
  const cases: [string, string, RegExp][] = [
    ['[{key: karpenter.sh/capacity-type, operator: Equals, values: [spot]}]', 'requirements[0].operator', /unsupported value "Equals"/],
    ['[{key: karpenter.sh/capacity-type, operator: In}]', 'requirements[0].values', /operator 'In' must have a value defined/],
    ['[{key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ["five"]}]', 'requirements[0].values', /single positive integer value/],
    ['[{key: karpenter.k8s.aws/instance-generation, operator: Lt, values: ["-1"]}]', 'requirements[0].values', /single positive integer value/],
    ['[{key: node.kubernetes.io/instance-type, operator: In, values: [m5.large], minValues: 2}]', 'requirements[0].minValues', /at least that many values/],
    ['[{key: karpenter.sh/custom, operator: Exists}]', 'requirements[0].key', /not allowed/],
    ['[{key: kubernetes.io/hostname, operator: In, values: [a]}]', 'requirements[0].key', /not allowed/],
  ];
  for (const [requirements, field, message] of cases) {
    const problems = await problemsOf(withNodePool(requirements));
    const p = problems.find((x) => x.path.endsWith(field));
    assert.ok(p, `${requirements}: a problem at ${field}; got ${problems.map(formatProblem).join('; ')}`);
    assert.match(p.message, message);
    assert.ok(p.line >= 10, 'the NodePool\'s line');
  }
  const weight = await problemsOf(withNodePool('[]', ', weight: 101'));
  assert.ok(weight.some((p) => p.path.endsWith('spec.weight')), weight.map(formatProblem).join('; '));
  const budget = await problemsOf(withNodePool('[]', ', disruption: {budgets: [{nodes: "10%", schedule: "@daily"}]}'));
  assert.match(budget.map((p) => p.message).join(), /'schedule' must be set with 'duration'/);
});

test('warnings: a missing NodeClass, an instance type not in the catalog, nothing satisfies, minValues not met', async () => {
  const warn = async (yaml: string) => karpenterWarnings((await loadScenario(writeScenario(yaml))).karpenter!);
  const missing = await warn(withNodePool('[{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}]', '', ''));
  assert.deepEqual(missing.map((w) => w.title), ['NodePool without its NodeClass']);
  const unknown = await warn(withNodePool('[{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}, {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, m5.larg, x9.huge]}]'));
  assert.deepEqual(unknown.map((w) => w.title), ['instance types not in the catalog']);
  assert.match(unknown[0].message, /m5\.larg \(did you mean "?m5\.large"?/i);
  const none = await warn(withNodePool('[{key: kubernetes.io/arch, operator: In, values: [arm64]}, {key: karpenter.k8s.aws/instance-gpu-count, operator: Exists}]'));
  assert.deepEqual(none.map((w) => w.title), ['NodePool allows no instance type'], 'no Graviton GPU type in the catalog');
  const short = await warn(withNodePool('[{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}, {key: karpenter.k8s.aws/instance-family, operator: In, values: [m5, x9], minValues: 2}]'));
  assert.deepEqual(short.map((w) => w.title), ['minValues not met']);
});

test('a disruption budget upstream cannot use (day 7, TZ=, text after a macro) is a warning: Karpenter would allow 0 disruptions', async () => {
  const warn = async (yaml: string) => karpenterWarnings((await loadScenario(writeScenario(yaml))).karpenter!);
  const onDemand = '[{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}]';
  const budgets = (list: string) => `, disruption: {budgets: ${list}}`;
  // Upstream's parser (robfig/cron, days 0-6) refuses 7; 0 is Sunday and fine.
  const sunday = await warn(withNodePool(onDemand, budgets('[{nodes: "0", schedule: "0 0 * * 0", duration: 24h}]')));
  assert.deepEqual(sunday, []);
  const seven = await warn(withNodePool(onDemand, budgets('[{nodes: "10%"}, {nodes: "0", schedule: "0 0 * * 7", duration: 24h}]')));
  assert.deepEqual(seven.map((w) => w.title), ['disruption budget unusable']);
  assert.match(seven[0].message, /spec\.disruption\.budgets\[1\] cannot be used \(schedule "0 0 \* \* 7": end of range \(7\) above maximum \(6\): 7\): Karpenter treats a misconfigured budget as allowing 0 disruptions/);
  for (const schedule of ['"TZ=Europe/Paris 0 9 * * *"', '"@dailyfoo"']) {
    const bad = await warn(withNodePool(onDemand, budgets(`[{nodes: "0", schedule: ${schedule}, duration: 1h}]`)));
    assert.deepEqual(bad.map((w) => w.title), ['disruption budget unusable'], schedule);
  }
});

test('capsim validate prints the menus of scenarios/karpenter-nodepools.yaml and says what of Karpenter the run simulates', async () => {
  const r = capsim('validate', 'scenarios/karpenter-nodepools.yaml');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /the run simulates Karpenter's provisioning, termination, expiration, spot interruption handling and disruption \(emptiness, drift, consolidation\) from them/);
  // general: c/m/r, generation > 5, amd64: c6i, c7i, m6i, m7i, r6i, r7i × 8 sizes = 48 types × 3 zones
  assert.match(r.stdout, /NodePool general \(weight 10, EC2NodeClass default, aws\): 48 instance types, 144 offerings \(on-demand only: spot is allowed, but the catalog has no aws spot price\)/);
  assert.match(r.stdout, /cheapest: c6i\.large \$0\.085\/h on-demand/);
  // graviton: m7g, c6g, r6g with at most 16 vCPUs (large..4xlarge: 4 each) = 12 types × 2 zones
  assert.match(r.stdout, /NodePool graviton \(weight 0, EC2NodeClass default, aws\): 12 instance types, 24 offerings \(on-demand\) in us-east-1a, us-east-1b; limits: cpu 200/);
  assert.doesNotMatch(r.stdout, /disruption not simulated/);
  assert.doesNotMatch(r.stdout, /fit no node/, 'Karpenter can add the nodes every pod needs');
  assert.match(r.stdout, /warning: spot allowed, no spot price: NodePool\/-\/general/);
});

// ---- fuzz ----------------------------------------------------------------------------------

type Json = unknown;
const BASE = parseYaml(fs.readFileSync('scenarios/karpenter-nodepools.yaml', 'utf8')) as { spec: { manifests: Json[] } };

test('fuzz: 200 damaged NodePools and EC2NodeClasses load or are refused with file, line and message; none crashes', async () => {
  const dir = scratchDir();
  const outcomes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(mutation.filter((m) => m.op !== 'alias'), { minLength: 1, maxLength: 4 }), async (ms) => {
      const manifests = { root: structuredClone(BASE.spec.manifests) as Json };
      for (const m of ms) applyMutation(manifests as never, m);
      const doc = { ...BASE, spec: { ...BASE.spec, manifests: manifests.root } };
      const file = writeScenario(dump(doc, { noRefs: true }), dir);
      let outcome: string;
      try {
        const s = await loadScenario(file);
        karpenterMenuLines(s.karpenter!).join('\n');
        outcome = 'loaded';
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        for (const p of error.problems) assert.ok(p.file && p.line >= 1 && p.message, formatProblem(p));
        outcome = 'refused';
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }),
    { seed: 17, numRuns: 200 },
  );
  assert.ok((outcomes.get('refused') ?? 0) > 20 && (outcomes.get('loaded') ?? 0) > 20, JSON.stringify([...outcomes]));
});

test('the karpenter: shorthand becomes a NodePool and its EC2NodeClass; a problem is reported at the shorthand field', async () => {
  const shorthand = (entries: string) => [
    'apiVersion: capsim/v1', 'kind: Scenario', 'metadata: {name: short}', 'spec:', '  duration: 10m', '  sampleEvery: 5m',
    '  cluster:', '    nodePools: [{name: general, instanceType: aws/m5.large, count: 1}]', '  karpenter:', '    nodePools:', entries,
  ].join('\n');
  const s = await loadScenario(writeScenario(shorthand('      - {name: general, nodeClass: {amiFamily: Bottlerocket, maxPods: 110}, requirements: [{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}], weight: 10}')));
  assert.deepEqual(s.karpenter!.nodePools.map((n) => [n.name, n.weight, n.nodeClassRef.name]), [['general', 10, 'default']]);
  assert.deepEqual(s.karpenter!.nodeClasses.map((c) => [c.kind, c.name, c.amiFamily, c.kubelet.maxPods]), [['EC2NodeClass', 'default', 'Bottlerocket', 110]]);
  // Karpenter runs from it; what it does not simulate is said loudly, and so is the pool named as the NodePool
  assert.deepEqual(s.clusterState.warnings.filter((w) => w.code === 'karpenter-nodepool').map((w) => [w.title, w.objects]),
    [['NodePool named as a node pool', ['NodePool/-/general']]]);
  assert.deepEqual(s.clusterState.warnings.filter((w) => w.code === 'kind-not-simulated'), []);
  const problems = await problemsOf(shorthand('      - {name: bad, requirements: [{key: karpenter.k8s.aws/instance-generation, operator: Gt, values: [x]}]}'));
  assert.deepEqual(problems.map((p) => [p.path, p.line]), [['spec.karpenter.nodePools[0].requirements[0].values', 11]]);
  const conflict = await problemsOf(shorthand('      - {name: a, nodeClass: {maxPods: 110}}\n      - {name: b, nodeClass: {maxPods: 58}}'));
  assert.deepEqual(conflict.map((p) => p.path), ['spec.karpenter.nodePools[1].nodeClass']);
  const disruption = await loadScenario(writeScenario(shorthand('      - {name: general, disruption: {consolidationPolicy: WhenEmpty, consolidateAfter: 5m, budgets: [{nodes: "1"}]}}')));
  assert.deepEqual(disruption.karpenter!.nodePools[0]!.disruption, { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '1' }] });
  const badBudget = await problemsOf(shorthand('      - {name: general, disruption: {budgets: [{nodes: "1", schedule: "0 9 * * *"}]}}'));
  assert.deepEqual(badBudget.map((p) => [p.path, p.line]), [['spec.karpenter.nodePools[0].disruption.budgets[0]', 11]]);
});
