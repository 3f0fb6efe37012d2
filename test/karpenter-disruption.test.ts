// Karpenter's disruption decisions (src/karpenter/disruption/) on a fake cloud provider's instance
// types (test/support/karpenterDisruption.ts). Test titles are upstream's It(...) names from
// kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/disruption/{consolidation,emptiness,drift,
// singlenodeconsolidation,validation}_test.go; the setups keep upstream's numbers (10 nodes of the
// most expensive type with 32 CPU allocatable, budgets "30%" -> 3, pods of 100m / 15 / 30 CPU, ...).
// Where an upstream test sets the Consolidatable condition by hand, capsim derives it from
// consolidateAfter and the last pod event, so the setup gives those times instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptiness, multiNodeConsolidation, singleNodeConsolidation, computeConsolidation, filterOutSameInstanceType, interleaveByNodePool } from '../src/karpenter/disruption/consolidation.ts';
import { disruptionPass } from '../src/karpenter/disruption/disrupt.ts';
import { drift, driftReason, expiresAtMs, nodePoolHash, resolvedImage, nodeClassHash } from '../src/karpenter/disruption/drift.ts';
import { getCandidates, budgetMapping } from '../src/karpenter/disruption/candidates.ts';
import { validateCommand } from '../src/karpenter/disruption/validate.ts';
import { decision, type DisruptionEvent } from '../src/karpenter/disruption/types.ts';
import { sortConsolidationCandidates } from '../src/karpenter/disruptionCost.ts';
import type { NodeClassObject } from '../src/model/karpenter.ts';
import { fakeClaim, fakePool, fakeType, rsPod, snapshot } from './support/karpenterDisruption.ts';

// The ladder: each size doubles CPU, memory and price. Spot costs what on-demand does, as in
// upstream's fake.InstanceTypesAssorted (PriceFromResources for both capacity types).
const small = fakeType('fake-small', 1, 2, 0.05, 0.05);
const medium = fakeType('fake-medium', 2, 4, 0.10, 0.10);
const large = fakeType('fake-large', 4, 8, 0.20, 0.20);
const xlarge = fakeType('fake-xlarge', 8, 16, 0.40, 0.40);
const x2large = fakeType('fake-2xlarge', 16, 32, 0.80, 0.80);
const x4large = fakeType('fake-4xlarge', 32, 64, 1.60, 1.60); // upstream's mostExpensiveInstance role
const LADDER = [small, medium, large, xlarge, x2large, x4large];

const names = (cs: readonly { name: string }[]) => cs.map((c) => c.name);
const messages = (evs: readonly DisruptionEvent[], reason: string) => evs.filter((e) => e.reason === reason && e.object.startsWith('Node/')).map((e) => `${e.object}: ${e.message}`);

function tenNodes(budget: string, podCpuMilli: number | null) {
  const pool = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: budget }] } });
  const claims = Array.from({ length: 10 }, (_, i) => fakeClaim(`node-${i}`, { pool, type: x4large, cpu: 32, pods: podCpuMilli === null ? [] : [rsPod(podCpuMilli)] }));
  return snapshot([pool], claims);
}

test('Budgets: "should only allow 3 empty nodes to be disrupted" (30% of 10 nodes = 3; 7 NodeClaims remain)', () => {
  const r = emptiness(tenNodes('30%', null));
  assert.equal(r.commands.length, 1);
  assert.equal(r.commands[0]!.candidates.length, 3);
  assert.equal(decision(r.commands[0]!), 'delete');
});

test('Budgets: "should allow all empty nodes to be disrupted" (100% -> all 10)', () => {
  assert.equal(emptiness(tenNodes('100%', null)).commands[0]!.candidates.length, 10);
});

test('Budgets: "should allow no empty nodes to be disrupted" (0%: no command, the NodePool is blocked, not marked consolidated)', () => {
  const r = emptiness(tenNodes('0%', null));
  assert.equal(r.commands.length, 0);
  assert.equal(r.markConsolidated, false); // "should not mark empty node consolidated if the candidates can't be disrupted due to budgets"
  assert.deepEqual(r.events.filter((e) => e.object.startsWith('NodePool/')).map((e) => `${e.reason}: ${e.message}`),
    ['DisruptionBlocked: No allowed disruptions for disruption reason Empty due to blocking budget']);
});

test('Budgets: "should only allow 3 nodes to be deleted in multi node consolidation delete" (10 pods of 100m, one per node)', () => {
  const r = multiNodeConsolidation(tenNodes('30%', 100));
  assert.equal(r.commands.length, 1);
  const cmd = r.commands[0]!;
  assert.equal(decision(cmd), 'delete');
  assert.equal(cmd.candidates.length, 3);
  assert.equal(budgetMapping(tenNodes('30%', 100), 'Underutilized', []).get('default'), 3);
});

test('Budgets: "should only allow 3 nodes to be deleted in single node consolidation delete" (15-CPU pods: one more fits a 32-CPU node)', () => {
  // Upstream reconciles 5 times and executes 3 commands; each command deletes one node and the
  // budget (30% of the nodes left, less those deleting) allows 3 in all.
  let snap = tenNodes('30%', 15_000);
  const deleted: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = singleNodeConsolidation(snap);
    if (r.commands.length === 0) continue;
    const gone = r.commands[0]!.candidates[0]!.name;
    deleted.push(gone);
    snap = { ...snap, claims: snap.claims.map((c) => (c.name === gone ? { ...c, deleting: true } : c)) };
  }
  assert.equal(deleted.length, 3);
  assert.equal(snap.claims.filter((c) => !c.deleting).length, 7);
});

test('Budgets: "should allow 2 nodes from each nodePool to be deleted" (10 NodePools x 3 empty nodes, 50% of 3 = 1.5 rounds up to 2)', () => {
  const pools = Array.from({ length: 10 }, (_, i) => fakePool(`np-${i}`, LADDER, { disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '50%' }] } }));
  const claims = pools.flatMap((pool, i) => [0, 1, 2].map((j) => fakeClaim(`node-${i}-${j}`, { pool, type: x4large, cpu: 32 })));
  const r = emptiness(snapshot(pools, claims));
  assert.equal(r.commands[0]!.candidates.length, 20);
  for (const pool of pools) assert.equal(r.commands[0]!.candidates.filter((c) => c.nodePool === pool).length, 2);
});

test('Replace: "can replace node" (on-demand): one pod on the most expensive type -> the cheapest type that holds it', () => {
  const pool = fakePool('default', LADDER);
  const node = fakeClaim('node', { pool, type: x4large, cpu: 32, pods: [rsPod(0)] });
  const events: DisruptionEvent[] = [];
  const cmd = computeConsolidation(snapshot([pool], [node]), [getCandidates(snapshot([pool], [node]), 'consolidation', [])[0]!], events, 'single')!;
  assert.equal(decision(cmd), 'replace');
  assert.equal(cmd.replacements[0]!.instanceTypes[0]!.name, 'fake-small'); // $0.05 on-demand, the cheapest
  assert.ok(!cmd.replacements[0]!.instanceTypes.some((it) => it.name === 'fake-4xlarge'));
  assert.deepEqual(messages(events, 'ConsolidationCandidate'), ['Node/node: Consolidation candidate: replace: [node] -> [1 replacement] (savings: $1.55)']);
});

test('Replace: "can replace node" (spot, SpotToSpotConsolidation on) with 15 cheaper spot types', () => {
  const many = Array.from({ length: 20 }, (_, i) => fakeType(`spot-${String(i).padStart(2, '0')}`, 32, 64, 2, 0.10 + i * 0.01));
  const pool = fakePool('default', many);
  const node = fakeClaim('node', { pool, type: many[19]!, capacityType: 'spot', cpu: 32, pods: [rsPod(0)] });
  const snap = snapshot([pool], [node]);
  const cmd = computeConsolidation(snap, getCandidates(snap, 'consolidation', []), [], 'single')!;
  assert.equal(decision(cmd), 'replace');
  // 19 cheaper spot types, truncated to MinInstanceTypesForSpotToSpotConsolidation = 15, cheapest first
  assert.equal(cmd.replacements[0]!.instanceTypes.length, 15);
  assert.equal(cmd.replacements[0]!.instanceTypes[0]!.name, 'spot-00');
});

test('Replace: "cannot replace spot with spot if less than minimum InstanceTypes flexibility" (got 1)', () => {
  // upstream: 5 assorted types, the first given a $0.001 spot offering
  // (capsim's fake: the others offer on-demand only, so the $0.001 one is the only cheaper spot option)
  const five = [fakeType('a', 32, 64, 2, 0.001), fakeType('b', 32, 64, 0.9), fakeType('c', 32, 64, 0.95), fakeType('d', 32, 64, 0.99), fakeType('e', 32, 64, 2, 1.0)];
  const pool = fakePool('default', five);
  const node = fakeClaim('spot-node', { pool, type: five[4]!, capacityType: 'spot', cpu: 32, pods: [rsPod(0)] });
  const snap = snapshot([pool], [node]);
  const events: DisruptionEvent[] = [];
  assert.equal(computeConsolidation(snap, getCandidates(snap, 'consolidation', []), events, 'single'), null);
  assert.deepEqual(messages(events, 'Unconsolidatable'), ['Node/spot-node: SpotToSpotConsolidation requires 15 cheaper instance type options than the current candidate to consolidate, got 1']);
});

test('Replace: "cannot replace spot with spot if the spotToSpotConsolidation is disabled" (the upstream default)', () => {
  const pool = fakePool('default', LADDER);
  const node = fakeClaim('spot-node', { pool, type: x4large, capacityType: 'spot', cpu: 32, pods: [rsPod(0)] });
  const snap = snapshot([pool], [node], { spotToSpotConsolidation: false });
  const events: DisruptionEvent[] = [];
  assert.equal(computeConsolidation(snap, getCandidates(snap, 'consolidation', []), events, 'single'), null);
  assert.deepEqual(messages(events, 'Unconsolidatable'), ["Node/spot-node: SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node"]);
});

test('Replace: "won\'t replace on-demand node if on-demand replacement is more expensive" (Can\'t replace with a cheaper node)', () => {
  // The pod needs 30 CPU: only the 32-CPU type holds it, at the candidate's own price (not strictly cheaper).
  const pool = fakePool('default', LADDER, { requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }] });
  const node = fakeClaim('node', { pool, type: x4large, pods: [rsPod(30_000)] });
  const snap = snapshot([pool], [node]);
  const events: DisruptionEvent[] = [];
  assert.equal(computeConsolidation(snap, getCandidates(snap, 'consolidation', []), events, 'single'), null);
  assert.deepEqual(messages(events, 'Unconsolidatable'), ["Node/node: Can't replace with a cheaper node"]);
});

test('OD -> [OD, spot]: the replacement is narrowed to spot (its prices were filtered as spot launches)', () => {
  const pool = fakePool('default', LADDER);
  const node = fakeClaim('node', { pool, type: x4large, cpu: 32, pods: [rsPod(0)] });
  const snap = snapshot([pool], [node]);
  const cmd = computeConsolidation(snap, getCandidates(snap, 'consolidation', []), [], 'single')!;
  assert.deepEqual([...cmd.replacements[0]!.plan.requirements.get('karpenter.sh/capacity-type')!.values], ['spot']);
});

function twoLeastExpensive(extra: Parameters<typeof fakePool>[2] = {}) {
  const pool = fakePool('default', LADDER, extra);
  const p = [rsPod(0), rsPod(0), rsPod(0)];
  const n0 = fakeClaim('node-0', { pool, type: small, cpu: 32, pods: [p[0]!, p[1]!] });
  const n1 = fakeClaim('node-1', { pool, type: small, cpu: 32, pods: [p[2]!] });
  return { pool, n0, n1, pods: p };
}

test('Delete: "can delete nodes" (2 least expensive nodes, pods 2 + 1: the node with one pod goes, no new node)', () => {
  const { pool, n0, n1 } = twoLeastExpensive();
  const r = disruptionPass(snapshot([pool], [n0, n1]));
  // multi-node finds nothing (both nodes -> one of the same type: filterOutSameInstanceType), single deletes node-1
  assert.equal(r.method, 'single');
  assert.equal(decision(r.command!), 'delete');
  assert.deepEqual(names(r.command!.candidates), ['node-1']);
});

test('Delete: "can delete nodes, considers PDB" (a PDB allowing 0 disruptions blocks its node; the other is deleted)', () => {
  const { pool, n0, n1, pods } = twoLeastExpensive();
  pods[2]!.labels = { app: 'blocked' };
  const pdbs = [{ namespace: 'default', name: 'pdb', selector: { matchLabels: { app: 'blocked' } }, disruptionsAllowed: 0, unhealthyPodEvictionPolicy: 'IfHealthyBudget' as const }];
  const events: DisruptionEvent[] = [];
  const snap = snapshot([pool], [n0, n1], { pdbs });
  assert.deepEqual(names(getCandidates(snap, 'consolidation', events)), ['node-0']);
  assert.deepEqual(messages(events, 'DisruptionBlocked'), ['Node/node-1: Pdb prevents pod evictions (PodDisruptionBudget=[default/pdb])']);
  const r = disruptionPass(snap);
  assert.deepEqual(names(r.command!.candidates), ['node-0']);
});

test('Delete: "can delete nodes, considers karpenter.sh/do-not-disrupt set to true on nodes" and on pods', () => {
  const { pool, n0, n1, pods } = twoLeastExpensive();
  const onNode = { ...n1, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } };
  const evs: DisruptionEvent[] = [];
  getCandidates(snapshot([pool], [n0, onNode]), 'consolidation', evs);
  assert.deepEqual(messages(evs, 'DisruptionBlocked'), ['Node/node-1: Disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation']);
  assert.deepEqual(names(disruptionPass(snapshot([pool], [n0, onNode])).command!.candidates), ['node-0']);
  pods[2]!.annotations = { 'karpenter.sh/do-not-disrupt': 'true' };
  const evs2: DisruptionEvent[] = [];
  getCandidates(snapshot([pool], [n0, n1]), 'consolidation', evs2);
  assert.deepEqual(messages(evs2, 'DisruptionBlocked'), [`Node/node-1: Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/${pods[2]!.name})`]);
});

test('Delete: "won\'t delete node if it would require pods to schedule on an uninitialized node"', () => {
  const { pool, n0, n1, pods } = twoLeastExpensive();
  const uninit = { ...n0, initializedMs: null };
  const events: DisruptionEvent[] = [];
  const snap = snapshot([pool], [uninit, n1]);
  const cands = getCandidates(snap, 'consolidation', events);
  assert.deepEqual(names(cands), ['node-1']);
  assert.deepEqual(messages(events, 'DisruptionBlocked'), ['Node/node-0: Nodeclaim does not have an associated node']);
  assert.equal(computeConsolidation(snap, cands, events, 'single'), null);
  assert.deepEqual(messages(events, 'Unconsolidatable'), [`Node/node-1: Not all pods would schedule, default/${pods[2]!.name} => would schedule against uninitialized nodeclaim/node-0, node/node-0 `]);
  assert.equal(disruptionPass(snap).command, null);
});

test('Delete: "should not consolidate pods onto a destination node that is under its consolidateAfter window" (1m), then does 2 minutes later', () => {
  const { pool, n0, n1 } = twoLeastExpensive({ disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '100%' }] } });
  const now = 3_600_000;
  // node-1 had its last pod event long ago (consolidatable); node-0 one 10 s ago (under its 1m window)
  const a = { ...n0, lastPodEventMs: now - 10_000 }, b = { ...n1, lastPodEventMs: 0 };
  assert.equal(disruptionPass(snapshot([pool], [a, b], { nowMs: now })).command, null);
  const later = disruptionPass(snapshot([pool], [a, b], { nowMs: now + 120_000 }));
  assert.deepEqual(names(later.command!.candidates), ['node-1']);
});

test('Multi-NodeClaim: "can merge 3 nodes into 1" (3 most expensive nodes, one pod each -> one replacement, the cheapest)', () => {
  const pool = fakePool('default', LADDER);
  const claims = [0, 1, 2].map((i) => fakeClaim(`node-${i}`, { pool, type: x4large, cpu: 32, pods: [rsPod(0)] }));
  const r = disruptionPass(snapshot([pool], claims));
  assert.equal(r.method, 'multi');
  assert.equal(decision(r.command!), 'replace');
  assert.deepEqual(names(r.command!.candidates).sort(), ['node-0', 'node-1', 'node-2']);
  assert.equal(r.command!.replacements[0]!.instanceTypes[0]!.name, 'fake-small');
});

test('filterOutSameInstanceType: [2xlarge, 2xlarge, small] -> the replacement keeps only types cheaper than small (the multinodeconsolidation.go comment\'s example)', () => {
  const nano = fakeType('fake-nano', 1, 1, 0.02);
  const pool = fakePool('default', [nano, ...LADDER]);
  const cs = [fakeClaim('a', { pool, type: x2large }), fakeClaim('b', { pool, type: x2large }), fakeClaim('c', { pool, type: small })];
  const snap = snapshot([pool], cs.map((c) => ({ ...c, pods: [rsPod(10)] })));
  const cands = getCandidates(snap, 'consolidation', []);
  const plan = { id: 1, nodePool: 'default', requirements: pool.requirements, instanceTypes: [nano, small, xlarge, x2large], requests: {}, daemonOverhead: {}, pods: [] };
  const r = filterOutSameInstanceType({ plan, instanceTypes: [nano, small, xlarge, x2large] }, cands)!;
  assert.deepEqual(r.instanceTypes.map((t) => t.name), ['fake-nano']);
  const without = filterOutSameInstanceType({ plan, instanceTypes: [small, xlarge, x2large] }, cands)!;
  assert.deepEqual(without.instanceTypes, []); // "we shouldn't perform this consolidation at all"
});

test('Emptiness: "considers pending pods when consolidating" (a 62-CPU pending pod keeps the only 64-CPU node)', () => {
  const big = fakeType('fake-8xlarge', 64, 128, 3.2, 3.2);
  const pool = fakePool('default', [...LADDER, big]);
  const node = fakeClaim('node', { pool, type: big, pods: [rsPod(1000)] });
  const unsched = rsPod(62_000);
  unsched.phase = 'Pending';
  const r = disruptionPass(snapshot([pool], [node], { pendingPods: [unsched] }));
  assert.equal(r.command, null);
});

test('Emptiness: "should ignore nodes with the karpenter.sh/do-not-disrupt annotation" but "should delete nodes with the karpenter.sh/do-not-disrupt annotation set to false"', () => {
  const pool = fakePool('default', LADDER);
  const t = fakeClaim('n', { pool, type: x4large, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
  const f = fakeClaim('m', { pool, type: x4large, annotations: { 'karpenter.sh/do-not-disrupt': 'false' } });
  assert.deepEqual(names(emptiness(snapshot([pool], [t, f])).commands[0]!.candidates), ['m']);
});

test('Emptiness: "will consider a node with a DaemonSet pod as empty" and "will not consider a node with a terminating StatefulSet pod as empty"', () => {
  const pool = fakePool('default', LADDER);
  const ds = rsPod(100, { owner: { kind: 'DaemonSet', name: 'ds' } });
  const sts = rsPod(100, { owner: { kind: 'StatefulSet', name: 'sts' } });
  sts.deletionMs = 1000;
  const r = emptiness(snapshot([pool], [fakeClaim('ds-node', { pool, type: x4large, pods: [ds] }), fakeClaim('sts-node', { pool, type: x4large, pods: [sts] })]));
  assert.deepEqual(names(r.commands[0]!.candidates), ['ds-node']);
});

test('Emptiness: "should wait for the node TTL for empty nodes before consolidating" (validation: still empty after 15 s -> valid; a pod arrived -> churn)', () => {
  const pool = fakePool('default', LADDER);
  const node = fakeClaim('node', { pool, type: x4large });
  const cmd = emptiness(snapshot([pool], [node])).commands[0]!;
  assert.equal(validateCommand(snapshot([pool], [node], { nowMs: 3_615_000 }), cmd).ok, true);
  const busy = { ...node, pods: [rsPod(100)] };
  const v = validateCommand(snapshot([pool], [busy], { nowMs: 3_615_000 }), cmd);
  assert.deepEqual(v.ok ? null : v.failure, 'churn');
});

test('TTL: "should not consolidate if the action becomes invalid during the node TTL wait" (a do-not-disrupt pod arrives: churn)', () => {
  const { pool, n0, n1, pods } = twoLeastExpensive();
  const cmd = disruptionPass(snapshot([pool], [n0, n1])).command!;
  pods[2]!.annotations = { 'karpenter.sh/do-not-disrupt': 'true' };
  const v = validateCommand(snapshot([pool], [n0, n1], { nowMs: 3_615_000 }), cmd);
  assert.equal(v.ok ? 'ok' : v.failure, 'churn');
});

test('Drift Budgets: "should only consider 3 nodes allowed to be disrupted because of budgets" (30% of 10)', () => {
  const snap = tenNodes('30%', null);
  assert.equal(budgetMapping(snap, 'Drifted', []).get('default'), 3);
});

test('Drift: "should continue to the next drifted node if the first cannot reschedule all pods" (a 150-CPU pod fits nothing)', () => {
  const pool = fakePool('default', LADDER);
  const n1 = fakeClaim('node-1', { pool, type: x4large, cpu: 32, pods: [rsPod(150_000)], driftedSinceMs: 0 });
  const n2 = fakeClaim('node-2', { pool, type: x4large, cpu: 1, pods: [rsPod(1000)], driftedSinceMs: 10 });
  const r = drift(snapshot([pool], [n1, n2]));
  assert.deepEqual(names(r.commands[0]!.candidates), ['node-2']);
  assert.match(messages(r.events, 'DisruptionBlocked')[0]!, /^Node\/node-1: Not all pods would schedule, default\/pod-\d+ => /);
});

test('Drift: "can replace drifted nodes with multiple nodes" (three 2-CPU pods; the only replacement type has 3 CPU)', () => {
  const current = fakeType('current-on-demand', 8, 16, 0.5);
  const replacement = fakeType('replacement-on-demand', 3, 6, 0.3);
  // upstream marks the current type's only offering unavailable: it is not on the menu here
  const pool = fakePool('default', [replacement]);
  const node = fakeClaim('node', { pool, type: current, pods: [rsPod(2000), rsPod(2000), rsPod(2000)], driftedSinceMs: 0 });
  const cmd = drift(snapshot([pool], [node])).commands[0]!;
  assert.equal(cmd.replacements.length, 3);
  assert.deepEqual(cmd.replacements.map((r) => r.instanceTypes[0]!.name), ['replacement-on-demand', 'replacement-on-demand', 'replacement-on-demand']);
});

test('Drift: "should drift one non-empty node at a time, starting with the earliest drift" and "should drift empty nodes before non-empty nodes"', () => {
  const pool = fakePool('default', LADDER);
  const a = fakeClaim('node-a', { pool, type: x4large, cpu: 32, pods: [rsPod(30_000)], driftedSinceMs: 2000 });
  const b = fakeClaim('node-b', { pool, type: x4large, cpu: 32, pods: [rsPod(30_000)], driftedSinceMs: 1000 });
  assert.deepEqual(names(drift(snapshot([pool], [a, b])).commands[0]!.candidates), ['node-b']);
  const empty = fakeClaim('node-empty', { pool, type: x4large, driftedSinceMs: 5000 });
  assert.deepEqual(names(drift(snapshot([pool], [a, b, empty])).commands[0]!.candidates), ['node-empty']);
});

test('Drift: "should not create replacements for drifted nodes that have pods with the karpenter.sh/do-not-disrupt annotation set to true", unless the NodeClaim has a terminationGracePeriod', () => {
  const pool = fakePool('default', LADDER);
  const pod = rsPod(1000, { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
  const n = fakeClaim('node', { pool, type: x4large, pods: [pod], driftedSinceMs: 0 });
  assert.equal(drift(snapshot([pool], [n])).commands.length, 0);
  const withTgp = { ...n, terminationGracePeriod: '1h' };
  assert.equal(drift(snapshot([pool], [withTgp])).commands.length, 1);
});

test('drift detection: NodePoolDrifted on a template change, not on a budget or requirement-only change; RequirementsDrifted; AMIDrift on a new image for @latest only', () => {
  const pool = fakePool('default', LADDER);
  const claim = fakeClaim('node', { pool, type: x4large });
  const nc: NodeClassObject = { kind: 'EC2NodeClass', group: 'karpenter.k8s.aws', name: 'default', source: { file: 't', line: 1 }, provider: 'aws', amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'al2023@latest' }], kubelet: {} };
  const c = { ...claim, nodeClassHash: nodeClassHash(nc), image: resolvedImage(nc, 0) };
  const np = pool.nodePool;
  assert.equal(driftReason(c, { nodePool: np, nodeClass: nc, imageReleases: 0 }), null);
  assert.equal(driftReason(c, { nodePool: { ...np, labels: { team: 'a' } }, nodeClass: nc, imageReleases: 0 }), 'NodePoolDrifted');
  assert.equal(driftReason(c, { nodePool: { ...np, disruption: { ...np.disruption, budgets: [{ nodes: '1' }] } }, nodeClass: nc, imageReleases: 0 }), null);
  assert.equal(nodePoolHash({ ...np, requirements: [{ key: 'x', operator: 'Exists', values: [] }] }), nodePoolHash(np));
  assert.equal(driftReason(c, { nodePool: { ...np, requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] }, nodeClass: nc, imageReleases: 0 }), 'RequirementsDrifted');
  assert.equal(driftReason(c, { nodePool: np, nodeClass: nc, imageReleases: 1 }), 'AMIDrift');
  const pinned = { ...nc, amiSelectorTerms: [{ alias: 'al2023@v20240807' }] };
  const cp = { ...c, image: resolvedImage(pinned, 0), nodeClassHash: nodeClassHash(pinned) };
  assert.equal(driftReason(cp, { nodePool: np, nodeClass: pinned, imageReleases: 3 }), null);
  assert.equal(driftReason(cp, { nodePool: np, nodeClass: { ...pinned, kubelet: { maxPods: 20 } }, imageReleases: 0 }), 'NodeClassDrift');
});

test('expiration: a NodeClaim created at t expires at t + expireAfter; Never and 0s never', () => {
  const pool = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: 'Never', budgets: [{ nodes: '0' }] } });
  const c = fakeClaim('node', { pool, type: x4large, createdMs: 1000, expireAfter: '1h', annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
  // The controller deletes it then, forcefully (the run tests of expireAfter check the deletion).
  assert.equal(expiresAtMs(c), 1000 + 3_600_000);
  assert.equal(expiresAtMs({ ...c, expireAfter: 'Never' }), null);
  assert.equal(expiresAtMs({ ...c, expireAfter: '0s' }), null);
});

test('consolidation policy WhenEmpty: a non-empty node is Unconsolidatable with upstream\'s message; consolidateAfter Never disables it', () => {
  const pool = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '0s', budgets: [{ nodes: '100%' }] } });
  const evs: DisruptionEvent[] = [];
  getCandidates(snapshot([pool], [fakeClaim('n', { pool, type: x4large, pods: [rsPod(100)] })]), 'consolidation', evs);
  assert.deepEqual(messages(evs, 'Unconsolidatable'), ['Node/n: NodePool "default" has consolidation policy WhenEmpty, but node is not empty']);
  const never = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: 'Never', budgets: [{ nodes: '100%' }] } });
  const evs2: DisruptionEvent[] = [];
  getCandidates(snapshot([never], [fakeClaim('n', { pool: never, type: x4large, pods: [rsPod(100)] })]), 'consolidation', evs2);
  assert.deepEqual(messages(evs2, 'Unconsolidatable'), ['Node/n: NodePool "default" has consolidation disabled']);
});

test('Candidate Shuffling: "should sort candidates by savings ratio descending", then interleave NodePools', () => {
  const p1 = fakePool('np-1', LADDER), p2 = fakePool('np-2', LADDER);
  const cs = [
    fakeClaim('a', { pool: p1, type: x4large, pods: [rsPod(1), rsPod(1)] }), // 1.60 / 3
    fakeClaim('b', { pool: p1, type: x4large, pods: [rsPod(1)] }),           // 1.60 / 2
    fakeClaim('c', { pool: p2, type: x2large, pods: [rsPod(1)] }),           // 0.80 / 2
  ];
  const cands = getCandidates(snapshot([p1, p2], cs), 'consolidation', []);
  assert.deepEqual(names(sortConsolidationCandidates(cands)), ['b', 'a', 'c']);
  assert.deepEqual(names(interleaveByNodePool(sortConsolidationCandidates(cands))), ['b', 'c', 'a']);
});

test('Candidate Shuffling: "should sort candidates by savings ratio with different disruption costs" (3 NodePools x costs 1, 5, 20: the cost-1 three first, then 5, then 20)', () => {
  // upstream: createCandidates(price, 1) makes one candidate in each of 3 NodePools; the three
  // groups get RescheduleDisruptionCost 1.0 (price 1), 5.0 (price 2) and 20.0 (price 3), combined in reverse.
  const pools = ['np-1', 'np-2', 'np-3'].map((n) => fakePool(n, LADDER));
  const make = (price: number, cost: number) => pools.map((pool, i) => {
    const claim = fakeClaim(`c${price}-${i}`, { pool, type: x4large, pods: [rsPod(1)] });
    return { ...getCandidates(snapshot(pools, [claim]), 'consolidation', [])[0]!, price, rescheduleDisruptionCost: cost, savingsRatio: price / cost };
  });
  const all = [...make(3, 20), ...make(2, 5), ...make(1, 1)];
  const sorted = interleaveByNodePool(sortConsolidationCandidates(all));
  assert.deepEqual(sorted.map((c) => c.rescheduleDisruptionCost), [1, 1, 1, 5, 5, 5, 20, 20, 20]);
});
