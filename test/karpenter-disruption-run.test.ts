// Karpenter's disruption in a run (src/controllers/karpenter/disruption.ts): the decisions of
// src/karpenter/disruption/ played on the clock: polls every 10 s from 0, the 15 s validation wait
// of consolidation, replacements launched and waited for (90 s default startup delay), then the
// candidates terminated (pods evicted, 30 s grace). m5.xlarge is $0.192/h and m5.large $0.096/h
// on-demand in capsim's AWS catalog (us-east-1); allocatable CPU 3920m and 1930m.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../src/api/apiServer.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import type { Karpenter } from '../src/controllers/karpenter/karpenter.ts';
import { EC2_NODE_CLASS, loadProblems, writeScenario } from './support/run.ts';
import { formatProblem } from '../src/scenario/errors.ts';

interface Opts {
  types?: string[];
  disruption?: string;
  template?: string;
  /** Lines under spec.template.metadata. */
  templateMeta?: string;
  workload?: string;
  events?: string;
  duration?: string;
}

function scenario(o: Opts): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: karpenter-disruption}
spec:
  seed: 1
  duration: ${o.duration ?? '30m'}
  manifests:
    - apiVersion: karpenter.sh/v1
      kind: NodePool
      metadata: {name: default}
      spec:
        template:
${o.templateMeta ? `          metadata:\n${o.templateMeta}` : ''}          spec:
            nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
            requirements:
              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
              - {key: node.kubernetes.io/instance-type, operator: In, values: [${(o.types ?? ['m5.xlarge']).join(', ')}]}
${o.template ?? ''}        disruption: ${o.disruption ?? '{consolidationPolicy: WhenEmptyOrUnderutilized, consolidateAfter: 1m, budgets: [{nodes: "100%"}]}'}
${EC2_NODE_CLASS}  workloads:
${o.workload ?? `    - name: web
      replicas: 3
      containers:
        - name: web
          resources: {requests: {cpu: "1", memory: 1Gi}}`}
  events:
${o.events ?? '    []'}
`;
}

async function run(o: Opts, untilMs = 1_800_000): Promise<{ world: World; events: ClusterEvent[]; k: Karpenter }> {
  const w = new World(await loadScenario(writeScenario(scenario(o))));
  const events: ClusterEvent[] = [];
  w.api.onEvent((e) => events.push(e));
  w.setup();
  w.sim.runUntil(untilMs);
  const k = w.controllers.get('karpenter') as Karpenter | undefined;
  assert.ok(k, 'Karpenter runs');
  return { world: w, events, k };
}

const of = (events: ClusterEvent[], type: string) => events.filter((e) => e.type === type);

test('consolidation deletes an underutilized node after consolidateAfter: 1m (single-node delete at 11m15s)', async () => {
  // web: 3 x 1 CPU on one m5.xlarge (3000m of 3920m); scaled to 4 at 5m, the 4th pod gets a second
  // m5.xlarge (launched 5m01s, initialized 6m31s); scaled back to 3 at 10m, the ReplicaSet deletes
  // a pod of the first node (it has more of them). The second node's pod fits on the first, but
  // the first had a pod event at 10m00s: under its consolidateAfter until 11m00s, it takes no
  // candidate's pod (upstream "should not consolidate pods onto a destination node that is under
  // its consolidateAfter window"). The 11m00s poll finds the delete, validated 15 s later.
  const { events, k } = await run({ events: `    - {at: 5m, scale: {target: Deployment/default/web, replicas: 4}}\n    - {at: 10m, scale: {target: Deployment/default/web, replicas: 3}}` });
  const launched = of(events, 'Launched');
  assert.deepEqual(launched.map((e) => e.tMs), [1_000, 301_000]);
  const second = launched[1]!.object.split('/')[2]!;
  assert.deepEqual(of(events, 'DisruptionTerminating').map((e) => [e.tMs, e.object, e.message]), [[675_000, `Node/-/${second}`, 'Disrupting Node: Underutilized']]);
  assert.deepEqual(k.summary().disruption.commands, { 'single/delete': 1 });
  assert.equal(k.summary().disruption.estimatedSavingsUsdPerHour, 0.192);
  assert.equal(k.nodeClaims.list().length, 1);
});

test('consolidation replaces a node with a cheaper type: m5.xlarge ($0.192/h) -> m5.large ($0.096/h)', async () => {
  // 3 x 1 CPU: the cheapest type holding all three is m5.xlarge (m5.large has 1930m). Scaled to 1
  // at 5m (pods terminating at 5m00s: the last pod event), consolidatable at 6m00s; the single
  // node's command replaces it (its pod fits m5.large, $0.096 < $0.192), validated at 6m15s, the
  // replacement launched then and initialized 90 s later (7m45s), then the old node is terminated.
  const { events, k } = await run({ types: ['m5.large', 'm5.xlarge', 'm5.2xlarge'], events: '    - {at: 5m, scale: {target: Deployment/default/web, replicas: 1}}' });
  const launched = of(events, 'Launched').map((e) => [e.tMs, e.message.split(':')[1]!.trim().split(' ').slice(0, 5).join(' ')]);
  assert.deepEqual(launched, [[1_000, 'm5.xlarge on-demand in us-east-1a at'], [375_000, 'm5.large on-demand in us-east-1a at']]);
  assert.match(of(events, 'Launched')[1]!.message, /at \$0\.096\/h/);
  assert.deepEqual(of(events, 'ConsolidationCandidate').map((e) => [e.tMs, e.message]), [[360_000, `Consolidation candidate: replace: [${of(events, 'Launched')[0]!.object.split('/')[2]}] -> [1 replacement] (savings: $0.10)`]]);
  assert.deepEqual(of(events, 'DisruptionLaunching').map((e) => [e.tMs, e.message]), [[375_000, 'Launching NodeClaim: Underutilized']]);
  assert.deepEqual(of(events, 'DisruptionTerminating').map((e) => e.tMs), [465_000]);
  const left = k.nodeClaims.list();
  assert.deepEqual(left.map((c) => [c.instanceType, c.priceUsdPerHour]), [['m5.large', 0.096]]);
  assert.deepEqual(k.summary().disruption.commands, { 'single/replace': 1 });
});

test('a new AMI with a budget of nodes: 1 drifts the three nodes one at a time', async () => {
  // 3 x 3 CPU: one pod per m5.xlarge. At 10m a new image is released for the al2023@latest
  // NodeClass: the three NodeClaims are Drifted (AMIDrift). Each drift command launches a
  // replacement and waits for it (90 s), then terminates the old node, whose pod's 30 s grace ends
  // 30 s later; only then is the budget (1 node) free again, at the next poll.
  const { events, k } = await run({
    disruption: '{consolidationPolicy: WhenEmpty, consolidateAfter: 1m, budgets: [{nodes: "1"}]}',
    workload: `    - name: web\n      replicas: 3\n      containers:\n        - name: web\n          resources: {requests: {cpu: "3", memory: 1Gi}}`,
    events: '    - {at: 10m, nodeClassUpdate: {nodeClass: default, newImage: true}}',
  });
  assert.deepEqual(of(events, 'Drifted').map((e) => [e.tMs, e.message]), [
    [600_000, 'NodeClaim drifted (AMIDrift)'], [600_000, 'NodeClaim drifted (AMIDrift)'], [600_000, 'NodeClaim drifted (AMIDrift)'],
  ]);
  // replacement launched -> old node terminated 90 s later; the next one 40 s after that
  // (30 s grace, then the first 10 s poll that sees the node gone)
  assert.deepEqual(of(events, 'DisruptionLaunching').map((e) => e.tMs), [600_000, 730_000, 860_000]);
  assert.deepEqual(of(events, 'DisruptionTerminating').map((e) => e.tMs), [690_000, 820_000, 950_000]);
  assert.deepEqual(k.summary().disruption.nodesDisrupted, { Drifted: 3 });
  assert.equal(k.nodeClaims.list().length, 3);
});

test('karpenter.sh/do-not-disrupt on a pod blocks the consolidation of its node (DisruptionBlocked, upstream\'s message)', async () => {
  const { events, k } = await run({
    types: ['m5.large', 'm5.xlarge', 'm5.2xlarge'],
    workload: `    - name: web\n      replicas: 3\n      annotations: {karpenter.sh/do-not-disrupt: "true"}\n      containers:\n        - name: web\n          resources: {requests: {cpu: "1", memory: 1Gi}}`,
    events: '    - {at: 5m, scale: {target: Deployment/default/web, replicas: 1}}',
  });
  const blocked = of(events, 'DisruptionBlocked').filter((e) => e.message.startsWith('Pod has'));
  assert.ok(blocked.length > 0);
  assert.match(blocked[0]!.message, /^Pod has "karpenter.sh\/do-not-disrupt" annotation \(Pod=default\/web-[a-z0-9]+-[a-z0-9]+\)$/);
  assert.equal(of(events, 'DisruptionTerminating').length, 0);
  assert.deepEqual(k.nodeClaims.list().map((c) => c.instanceType), ['m5.xlarge']);
});

test('expireAfter: 10m expires the NodeClaim at creation + 10m (forceful: no budget, no do-not-disrupt), and the provisioner replaces its pods', async () => {
  const { events, k } = await run({
    template: '            expireAfter: 10m\n',
    templateMeta: '            annotations: {karpenter.sh/do-not-disrupt: "true"}\n',
    disruption: '{consolidationPolicy: WhenEmpty, consolidateAfter: Never, budgets: [{nodes: "0"}]}',
    duration: '15m',
  }, 900_000);
  assert.deepEqual(of(events, 'Expired').map((e) => [e.tMs, e.message]), [[601_000, 'deleting expired nodeclaim (expireAfter 10m)']]);
  // the evicted pods are pending at 601s; the provisioner's batch closes 1 s later
  assert.deepEqual(of(events, 'Launched').map((e) => e.tMs), [1_000, 602_000]);
  assert.deepEqual(k.summary().terminatedByReason, { Expired: 1 });
});

test('nodePoolUpdate narrowing the requirements drifts the nodes that no longer satisfy them (RequirementsDrifted), and they are replaced by the new type', async () => {
  // 3 x 1 CPU on one m5.xlarge; at 10m the NodePool allows m5.2xlarge only: the node's
  // node.kubernetes.io/instance-type=m5.xlarge label no longer satisfies it.
  const { events, k } = await run({
    events: '    - {at: 10m, nodePoolUpdate: {nodePool: default, requirements: [{key: node.kubernetes.io/instance-type, operator: In, values: [m5.2xlarge]}]}}',
  });
  assert.deepEqual(of(events, 'KarpenterChanged').map((e) => [e.tMs, e.message]), [[600_000, 'NodePool default updated: requirements']]);
  assert.deepEqual(of(events, 'Drifted').map((e) => [e.tMs, e.message]), [[600_000, 'NodeClaim drifted (RequirementsDrifted)']]);
  assert.deepEqual(of(events, 'DisruptionTerminating').map((e) => [e.tMs, e.message]), [[690_000, 'Disrupting Node: Drifted']]);
  assert.deepEqual(k.nodeClaims.list().map((c) => c.instanceType), ['m5.2xlarge']);
  assert.deepEqual(k.summary().disruption.drifted, { RequirementsDrifted: 1 });
});

test('a nodePoolUpdate or nodeClassUpdate naming no Karpenter object is a problem at the field, with the names there are', async () => {
  const yaml = scenario({ events: '    - {at: 10m, nodePoolUpdate: {nodePool: defualt, labels: {a: b}}}\n    - {at: 11m, nodeClassUpdate: {nodeClass: other}}' });
  const problems = (await loadProblems(writeScenario(yaml))).map(formatProblem);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /:34:44: spec\.events\[0\]\.nodePoolUpdate\.nodePool: no Karpenter NodePool "defualt"\n    hint: did you mean "default"\?/);
  assert.match(problems[1]!, /spec\.events\[1\]\.nodeClassUpdate: changes nothing/);
  assert.match(problems[2]!, /spec\.events\[1\]\.nodeClassUpdate\.nodeClass: no Karpenter NodeClass "other"/);
});

test('a Balanced NodePool scores the single-node delete of the first test: (0.192 / 0.384) / (2 / 5) = 1.25, approved; no warning', async () => {
  // The same run as "consolidation deletes an underutilized node after consolidateAfter: 1m": two
  // m5.xlarge ($0.192 each); after the scale-down at 10m the first holds 2 pods (disruption 1 + 2),
  // the second 1 (1 + 1): NodePool $0.384, disruption 5; deleting the second saves half the cost
  // for 2/5 of the disruption.
  const { world: w, events } = await run({
    disruption: '{consolidationPolicy: Balanced, consolidateAfter: 1m, budgets: [{nodes: "100%"}]}',
    events: `    - {at: 5m, scale: {target: Deployment/default/web, replicas: 4}}\n    - {at: 10m, scale: {target: Deployment/default/web, replicas: 3}}`,
  });
  const second = of(events, 'Launched')[1]!.object.split('/')[2]!;
  assert.deepEqual(of(events, 'ConsolidationApproved').map((e) => [e.tMs, e.object, e.message]),
    [[660_000, `Node/-/${second}`, 'score 1.25 >= threshold 0.50 (k: 2, savings 50.0%, disruption 40.0%)']]);
  assert.deepEqual(of(events, 'DisruptionTerminating').map((e) => [e.tMs, e.object]), [[675_000, `Node/-/${second}`]]);
  const { karpenterWarnings } = await import('../src/scenario/karpenterChecks.ts');
  assert.deepEqual(karpenterWarnings(w.scenario.karpenter!).map((x) => x.title), []);
});

test('multi-node consolidation\'s memo changes nothing: the same events with it and without it (a 10% budget holds candidates back, so the search would run every 10 s)', async () => {
  // ~100 m5.large / m5.xlarge nodes for 300 pods of 600m, scaled down and up: the default 10%
  // budget keeps multi-node consolidation from marking the cluster consolidated.
  const yaml = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: memo}
spec:
  seed: 1
  duration: 4h
  karpenter:
    nodePools:
      - name: general
        requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
          - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, m5.xlarge]}
  workloads:
    - name: web
      replicas: 300
      containers:
        - name: web
          resources: {requests: {cpu: 600m, memory: 1Gi}}
  events:
    - {at: 1h, scale: {target: Deployment/default/web, replicas: 150}}
    - {at: 2h, scale: {target: Deployment/default/web, replicas: 350}}
    - {at: 3h, scale: {target: Deployment/default/web, replicas: 100}}
`;
  const file = writeScenario(yaml);
  const play = async (memo: boolean) => {
    const w = new World(await loadScenario(file));
    const events: string[] = [];
    w.api.onEvent((e) => events.push(`${e.tMs} ${e.type} ${e.object} ${e.message}`));
    w.setup();
    const k = w.controllers.get('karpenter') as Karpenter;
    if (!memo) Object.defineProperty((k.disruption as unknown as { multiMemo: object }).multiMemo, 'key', { get: () => 'never', set: () => {} });
    w.sim.runUntil(4 * 3_600_000);
    return { events, summary: k.summary().disruption };
  };
  const [a, b] = [await play(true), await play(false)];
  assert.ok(Object.keys(a.summary.commands).includes('multi/delete'), JSON.stringify(a.summary.commands));
  assert.deepEqual(a.summary, b.summary);
  assert.deepEqual(a.events, b.events);
});
