// Disruption cost, candidate ordering and candidate blockers (src/karpenter/disruptionCost.ts)
// against kubernetes-sigs/karpenter@2266468104f3:
//  - pkg/controllers/disruption/suite_test.go "Pod Eviction Cost" (It for It; upstream only checks
//    1.0 and directions, the exact numbers are worked from disruption.go's 2^27 and 2^25 scales);
//  - pkg/controllers/disruption/balanced_scoring_test.go "sortCandidates" (same prices and pods);
//  - pkg/controllers/disruption/suite_test.go "Candidate Filtering" (the do-not-disrupt, PDB and
//    terminationGracePeriod cases, with upstream's error strings);
//  - LifetimeRemaining has no upstream test: the cases are worked by hand from disruption.go.
import { parseGoDurationMs } from '../src/karpenter/goDuration.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makePod } from './support/cluster.ts';
import type { Pod } from '../src/model/pod.ts';
import {
  candidateBlockers, candidateCosts, evictionCost, lifetimeRemaining, parseGoFloat, reschedulingCost,
  sortConsolidationCandidates, type CandidateNodeView, type PdbLimit,
} from '../src/karpenter/disruptionCost.ts';

const DC = 'controller.kubernetes.io/pod-deletion-cost';
const DND = 'karpenter.sh/do-not-disrupt';
const withCost = (c: string): Pod => makePod({ name: `p${c}`, annotations: { [DC]: c } });

// --- Pod Eviction Cost (suite_test.go) ---
const standardPodCost = 1.0;

test('standard cost for a pod with no priority or deletion cost', () => {
  assert.equal(evictionCost(makePod({ name: 'p' })), standardPodCost);
});
test('a positive deletion cost raises the cost: 1 + 100/2^27', () => {
  const cost = evictionCost(withCost('100'));
  assert.ok(cost > standardPodCost);
  assert.equal(cost, 1 + 100 / 134_217_728);
});
test('a negative deletion cost lowers the cost: 1 - 100/2^27', () => {
  const cost = evictionCost(withCost('-100'));
  assert.ok(cost < standardPodCost);
  assert.equal(cost, 1 - 100 / 134_217_728);
});
test('higher deletion costs give higher costs (101 > 100 > 99)', () => {
  assert.ok(evictionCost(withCost('101')) > evictionCost(withCost('100')));
  assert.ok(evictionCost(withCost('100')) > evictionCost(withCost('99')));
});
test('priority 1 raises the cost to 1 + 1/2^25; priority -1 lowers it', () => {
  assert.equal(evictionCost(makePod({ name: 'p', priority: 1 })), 1 + 1 / 33_554_432);
  assert.ok(evictionCost(makePod({ name: 'p', priority: -1 })) < standardPodCost);
});
test('the comment\'s extremes: max deletion cost ~ 17 pods, min ~ -15, both clamped to [-10, 10]', () => {
  // 1 + 2147483647/2^27 = 16.99999999; 1 - 2147483647/2^27 = -14.99999999
  assert.equal(evictionCost(withCost('2147483647')), 10);
  assert.equal(evictionCost(withCost('-2147483647')), -10);
  // system-node-critical priority 2000001000: 1 + 2000001000/2^25 = 60.6 -> 10
  assert.equal(evictionCost(makePod({ name: 'p', priority: 2_000_001_000 })), 10);
  // deletion cost 2^27 and priority -2^25 cancel: 1 + 1 - 1 = 1
  assert.equal(evictionCost(makePod({ name: 'p', priority: -33_554_432, annotations: { [DC]: '134217728' } })), 1);
});
test('an unparseable deletion cost is ignored (upstream logs it); Go float syntax', () => {
  for (const bad of ['', 'abc', ' 1', '1_000', '0x10', '1e400']) assert.equal(evictionCost(withCost(bad)), 1, bad);
  assert.equal(evictionCost(withCost('1e9')), 1 + 1e9 / 2 ** 27);
  assert.equal(evictionCost(withCost('+Inf')), 10);
  assert.equal(evictionCost(withCost('-inf')), -10);
  // strconv.ParseFloat accepts "NaN" and lo.Clamp lets NaN through: upstream's cost is NaN too.
  assert.ok(Number.isNaN(evictionCost(withCost('NaN'))));
  assert.equal(parseGoFloat('.5e1'), 5);
  assert.equal(parseGoFloat('5.'), 5);
  assert.equal(parseGoFloat('.'), null);
});
test('ReschedulingCost sums eviction costs, 0 for no pods', () => {
  assert.equal(reschedulingCost([]), 0);
  assert.equal(reschedulingCost([makePod({ name: 'a' }), makePod({ name: 'b' }), withCost('2147483647')]), 12);
});

// --- LifetimeRemaining (hand-worked) ---
const H = 3_600_000;
test('lifetime remaining: expireAfter 720h, node 180h old -> 0.75; new -> 1; past expiry -> 0; Never -> 1', () => {
  assert.equal(lifetimeRemaining(180 * H, { createdMs: 0, expireAfter: '720h' }), 0.75);
  assert.equal(lifetimeRemaining(5 * H, { createdMs: 5 * H, expireAfter: '720h' }), 1);
  assert.equal(lifetimeRemaining(800 * H, { createdMs: 0, expireAfter: '720h' }), 0);
  assert.equal(lifetimeRemaining(10_000 * H, { createdMs: 0, expireAfter: 'Never' }), 1);
  // a creationTimestamp in the future (clock skew) would give > 1: clamped to 1
  assert.equal(lifetimeRemaining(0, { createdMs: H, expireAfter: '2h' }), 1);
  // Go duration syntax: 1h30m = 90 min, 45 min old -> 0.5
  assert.equal(lifetimeRemaining(45 * 60_000, { createdMs: 0, expireAfter: '1h30m' }), 0.5);
});
test('Go durations', () => {
  assert.equal(parseGoDurationMs('1h30m'), 90 * 60_000);
  assert.equal(parseGoDurationMs('1.5h'), 90 * 60_000);
  assert.equal(parseGoDurationMs('300ms'), 300);
  assert.equal(parseGoDurationMs('-5m'), -300_000);
  assert.equal(parseGoDurationMs('0'), 0);
  for (const bad of ['', '5', '1d', '.h', 'h', '1h 30m', '1constructor', '2toString']) assert.throws(() => parseGoDurationMs(bad), /invalid duration/, bad);
});

// --- candidate costs and ordering ---
function view(name: string, over: Partial<CandidateNodeView> = {}): CandidateNodeView {
  return {
    name, annotations: {}, labels: { 'karpenter.sh/nodepool': 'default' }, createdMs: 0, expireAfter: 'Never',
    terminationGracePeriod: null, price: 1, ...over,
  };
}
test('candidate costs: DisruptionCost over all pods x lifetime; RescheduleDisruptionCost 1 + positive costs of reschedulable pods', () => {
  const ds = makePod({ name: 'ds', owner: { kind: 'DaemonSet', name: 'd' } });
  const neg = makePod({ name: 'neg', priority: -1_000_000_000 }); // 1 - 29.8 -> -10
  const pods = [makePod({ name: 'a' }), ds, neg];
  const c = candidateCosts(360 * H, view('n', { expireAfter: '720h', price: 4 }), pods);
  assert.equal(c.disruptionCost, (1 + 1 - 10) * 0.5); // all pods, DaemonSet included, negative included
  assert.equal(c.rescheduleDisruptionCost, 1 + 1 + 0); // base + a; ds not reschedulable; neg clamps to 0
  assert.equal(c.savingsRatio, 2);
  assert.equal(candidateCosts(0, view('e', { price: 3 }), []).savingsRatio, 3);
});

function ranked(name: string, price: number, pods: Pod[]) {
  return { name, ...candidateCosts(0, view(name, { price }), pods) };
}
const plainPods = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => makePod({ name: `${prefix}${i}` }));
test('sortCandidates: Balanced example, A (10/2 = 5) > C (5/4 = 1.25) > B (1/9 = 0.11)', () => {
  const a = ranked('node-a', 10, plainPods(1, 'a'));
  const b = ranked('node-b', 1, plainPods(8, 'b'));
  const c = ranked('node-c', 5, plainPods(3, 'c'));
  assert.deepEqual(sortConsolidationCandidates([b, c, a]).map((x) => x.name), ['node-a', 'node-c', 'node-b']);
});
test('sortCandidates: same price 4.84, B (no pods, 4.84) > C (/5) > A (/10)', () => {
  const a = { name: 'node-a', savingsRatio: 4.84 / 10 };
  const b = ranked('node-b', 4.84, []);
  const c = { name: 'node-c', savingsRatio: 4.84 / 5 };
  assert.deepEqual(sortConsolidationCandidates([a, b, c]).map((x) => x.name), ['node-b', 'node-c', 'node-a']);
});
test('ties go by node name, NaN ratios last', () => {
  const xs = [{ name: 'z', savingsRatio: 1 }, { name: 'n', savingsRatio: NaN }, { name: 'a', savingsRatio: 1 }, { name: 'm', savingsRatio: 2 }];
  assert.deepEqual(sortConsolidationCandidates(xs).map((x) => x.name), ['m', 'a', 'z', 'n']);
});

// --- Candidate Filtering (suite_test.go) ---
const NOW = 1_000 * H;
function running(name: string, over: Partial<Pod> = {}, annotations: Record<string, string> = {}): Pod {
  const p = makePod({ name, annotations, labels: { app: 'test' } });
  return Object.assign(p, { phase: 'Running', startedMs: 0, ready: true, readyTransitionMs: 0 }, over);
}
const blocking: PdbLimit = { namespace: 'default', name: 'pdb', selector: { matchLabels: { app: 'test' } }, disruptionsAllowed: 0, unhealthyPodEvictionPolicy: 'IfHealthyBudget' };
const DND_POD = `pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/dnd)`;
const PDB_MSG = 'pdb prevents pod evictions (PodDisruptionBudget=[default/pdb])';

test('do-not-disrupt pods without terminationGracePeriod block; mirror and DaemonSet pods too', () => {
  assert.deepEqual(candidateBlockers(view('n'), [running('dnd', {}, { [DND]: 'true' })], [], 'Underutilized', NOW), [DND_POD]);
  assert.deepEqual(candidateBlockers(view('n'), [running('dnd', { owner: { kind: 'Node', name: 'n' } }, { [DND]: 'true' })], [], 'Underutilized', NOW), [DND_POD]);
  assert.deepEqual(candidateBlockers(view('n'), [running('dnd', { owner: { kind: 'DaemonSet', name: 'd' } }, { [DND]: 'true' })], [], 'Underutilized', NOW), [DND_POD]);
});
test('terminationGracePeriod: eventual disruption (drift) ignores do-not-disrupt and PDBs; graceful does not', () => {
  const tgp = view('n', { terminationGracePeriod: '1h' });
  const dnd = [running('dnd', {}, { [DND]: 'true' })];
  const pdbPod = [running('p')];
  assert.deepEqual(candidateBlockers(tgp, dnd, [], 'Drifted', NOW), []);
  assert.deepEqual(candidateBlockers(tgp, pdbPod, [blocking], 'Drifted', NOW), []);
  assert.deepEqual(candidateBlockers(tgp, dnd, [], 'Underutilized', NOW), [DND_POD]);
  assert.deepEqual(candidateBlockers(tgp, pdbPod, [blocking], 'Empty', NOW), [PDB_MSG]);
  assert.deepEqual(candidateBlockers(view('n'), dnd, [], 'Drifted', NOW), [DND_POD]);
  assert.deepEqual(candidateBlockers(view('n'), pdbPod, [blocking], 'Drifted', NOW), [PDB_MSG]);
});
test('terminating and terminal do-not-disrupt pods do not block', () => {
  assert.deepEqual(candidateBlockers(view('n'), [running('dnd', { deletionMs: 5 }, { [DND]: 'true' })], [], 'Underutilized', NOW), []);
  assert.deepEqual(candidateBlockers(view('n'), [running('dnd', { phase: 'Succeeded' }, { [DND]: 'true' })], [], 'Underutilized', NOW), []);
});
test('do-not-disrupt on the node blocks', () => {
  assert.deepEqual(candidateBlockers(view('n', { annotations: { [DND]: 'true' } }), [], [], 'Underutilized', NOW),
    ['disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation']);
  assert.deepEqual(candidateBlockers(view('n', { annotations: { [DND]: 'false' } }), [], [], 'Underutilized', NOW), []);
});
test('multiple PDBs on one pod block; fully blocking PDBs block, also on DaemonSet pods, not on mirror, terminal or terminating pods', () => {
  const second = { ...blocking, name: 'pdb2', disruptionsAllowed: 5 };
  assert.deepEqual(candidateBlockers(view('n'), [running('p')], [{ ...blocking, disruptionsAllowed: 5 }, second], 'Underutilized', NOW),
    ['eviction does not support multiple PDBs (PodDisruptionBudget(s)=[default/pdb default/pdb2])']);
  assert.deepEqual(candidateBlockers(view('n'), [running('p', { owner: { kind: 'DaemonSet', name: 'd' } })], [blocking], 'Underutilized', NOW), [PDB_MSG]);
  for (const over of [{ owner: { kind: 'Node' as const, name: 'n' } }, { phase: 'Failed' as const }, { deletionMs: 1 }]) {
    assert.deepEqual(candidateBlockers(view('n'), [running('p', over)], [blocking], 'Underutilized', NOW), [], JSON.stringify(over));
  }
  // a pod tolerating karpenter.sh/disrupted:NoSchedule (here: every taint) is not evicted, so its PDB does not block
  assert.deepEqual(candidateBlockers(view('n'), [running('p', { spec: { ...running('q').spec, tolerations: [{ operator: 'Exists' }] } })], [blocking], 'Underutilized', NOW), []);
  // PDB in another namespace, or a PDB allowing disruptions, does not block
  assert.deepEqual(candidateBlockers(view('n'), [running('p')], [{ ...blocking, namespace: 'other' }], 'Underutilized', NOW), []);
  assert.deepEqual(candidateBlockers(view('n'), [running('p')], [{ ...blocking, disruptionsAllowed: 1 }], 'Underutilized', NOW), []);
});
test('AlwaysAllow lets an unready pod through a fully blocking PDB (pdb.go canAlwaysEvictUnhealthyPods)', () => {
  const always = { ...blocking, unhealthyPodEvictionPolicy: 'AlwaysAllow' as const };
  assert.deepEqual(candidateBlockers(view('n'), [running('p', { ready: false })], [always], 'Underutilized', NOW), []);
  assert.deepEqual(candidateBlockers(view('n'), [running('p')], [always], 'Underutilized', NOW), [PDB_MSG]);
});
test('a node without the karpenter.sh/nodepool label is not a candidate', () => {
  assert.deepEqual(candidateBlockers(view('n', { labels: {} }), [], [], 'Empty', NOW), ["node doesn't have required label (label=karpenter.sh/nodepool)"]);
});
test('a duration do-not-disrupt protects until the pod has run that long; invalid values are ignored', () => {
  const p = (v: string, startedMs = NOW - 10 * 60_000) => running('dnd', { startedMs }, { [DND]: v });
  assert.deepEqual(candidateBlockers(view('n'), [p('15m')], [], 'Underutilized', NOW), [DND_POD]);
  assert.deepEqual(candidateBlockers(view('n'), [p('5m')], [], 'Underutilized', NOW), []);
  assert.deepEqual(candidateBlockers(view('n'), [p('15m', -1)], [], 'Underutilized', NOW), [DND_POD]); // no start time: protected
  for (const bad of ['yes', '0s', '-5m', 'false']) assert.deepEqual(candidateBlockers(view('n'), [p(bad)], [], 'Underutilized', NOW), [], bad);
  // a do-not-disrupt pod is not evictable, so a blocking PDB over it adds nothing
  assert.deepEqual(candidateBlockers(view('n'), [p('15m')], [blocking], 'Underutilized', NOW), [DND_POD]);
});

// --- properties ---
test('property: eviction cost is in [-10, 10] for any finite deletion cost and int32 priority', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -2_147_483_648, max: 1_000_000_000 }), (dc, prio) => {
    const cost = evictionCost(makePod({ name: 'p', priority: prio, annotations: { [DC]: String(dc) } }));
    return cost >= -10 && cost <= 10;
  }));
});
test('property: the ordering is total and does not depend on the input order', () => {
  const cand = fc.record({ name: fc.string({ maxLength: 3 }), savingsRatio: fc.oneof(fc.double({ noDefaultInfinity: true }), fc.constantFrom(0, 1, NaN)) });
  fc.assert(fc.property(fc.uniqueArray(cand, { selector: (c) => c.name, maxLength: 12 }), fc.infiniteStream(fc.nat()), (cs, rs) => {
    const shuffled = [...cs];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rs.next().value % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const a = sortConsolidationCandidates(cs).map((c) => c.name);
    const b = sortConsolidationCandidates(shuffled).map((c) => c.name);
    assert.deepEqual(a, b);
    const sorted = sortConsolidationCandidates(cs);
    for (let i = 1; i < sorted.length; i++) {
      const [x, y] = [sorted[i - 1].savingsRatio, sorted[i].savingsRatio];
      if (!Number.isNaN(y)) assert.ok(!Number.isNaN(x) && x >= y);
    }
  }));
});
