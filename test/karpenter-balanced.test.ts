// The Balanced consolidation policy (src/karpenter/disruption/balanced.ts). Test titles are
// upstream's It(...) names from kubernetes-sigs/karpenter@2266468104f3
// pkg/controllers/disruption/balanced_test.go ("ScoreMove": the RFC example pool of 10 nodes,
// eight m7i.xlarge at $4.84/day and two m7i.2xlarge at $9.68/day = $58.08, 80 pods, disruption
// 90), balanced_scoring_test.go, balanced_adversarial_test.go and balanced_integration_test.go,
// with their numbers. A score is (savings / NodePool cost) / (move disruption / NodePool
// disruption); a move is approved at >= 1/k, k = 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BALANCED_K, approved, canPassThreshold, computeNodePoolTotals, consolidationScoreMessage, evaluateBalancedMove, score, scoreMove, snapshotTotals,
  type NodePoolTotals,
} from '../src/karpenter/disruption/balanced.ts';
import { multiNodeConsolidation, singleNodeConsolidation } from '../src/karpenter/disruption/consolidation.ts';
import { disruptionPass } from '../src/karpenter/disruption/disrupt.ts';
import { getCandidates } from '../src/karpenter/disruption/candidates.ts';
import { decision, type Candidate, type DisruptionEvent } from '../src/karpenter/disruption/types.ts';
import type { NodePoolObject } from '../src/model/karpenter.ts';
import { fakeClaim, fakePool, fakeType, rsPod, snapshot } from './support/karpenterDisruption.ts';

const close = (actual: number, expected: number, tol: number) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} not within ${tol} of ${expected}`);
const RFC: NodePoolTotals = { totalCost: 58.08, totalDisruptionCost: 90 };
const frac = (s: number, d: number, t: NodePoolTotals) => (s / t.totalCost) / (d / t.totalDisruptionCost);

test('ScoreMove: "should approve an oversized node consolidation" (savings 7.26 = 9.68 - 2.42, disruption 4: score 2.81)', () => {
  const r = scoreMove(7.26, 4.0, RFC, BALANCED_K);
  assert.ok(approved(r));
  close(score(r), frac(7.26, 4, RFC), 0.02);
  close(score(r), 2.8125, 1e-9); // 0.125 / 0.0444
  close(r.savingsFraction, 7.26 / 58.08, 0.001);
  close(r.disruptionFraction, 4 / 90, 0.001);
});

test('ScoreMove: "should approve a spare capacity delete" (4.84, disruption 5: score 1.50)', () => {
  const r = scoreMove(4.84, 5.0, RFC);
  assert.ok(approved(r));
  close(score(r), 1.5, 0.01);
});

test('ScoreMove: "should reject a marginal move" (2.42, disruption 9: score 0.42 < 0.50) and "should reject a well-packed node with zero savings"', () => {
  const r = scoreMove(2.42, 9.0, RFC);
  assert.ok(!approved(r));
  close(score(r), 0.4167, 0.001);
  const zero = scoreMove(0, 11.0, RFC);
  assert.ok(!approved(zero));
  assert.equal(score(zero), 0);
});

test('ScoreMove: "should approve a replace in a uniform pool" ($48.40, disruption 90: 2.42 / 9 scores 0.50)', () => {
  const r = scoreMove(2.42, 9.0, { totalCost: 48.40, totalDisruptionCost: 90 });
  assert.ok(approved(r));
  close(score(r), 0.5, 0.001);
});

test('ScoreMove: "should approve low-disruption nodes and reject high-disruption nodes" (disruption 117: A 5 -> 1.95, B 32 -> 0.30)', () => {
  const het = { totalCost: 58.08, totalDisruptionCost: 117 };
  const a = scoreMove(4.84, 5.0, het), b = scoreMove(4.84, 32.0, het);
  assert.ok(approved(a));
  close(score(a), 1.95, 0.01);
  assert.ok(!approved(b));
  close(score(b), 0.3047, 0.001);
});

test('ScoreMove: "should produce the same score regardless of pool size" (10 and 100 nodes)', () => {
  close(score(scoreMove(7.26, 4, RFC)), score(scoreMove(7.26, 4, { totalCost: 580.80, totalDisruptionCost: 900 })), 1e-9);
});

test('ScoreMove: zero values ("+Inf score when move disruption is zero", "both zero", "nodepool cost is zero")', () => {
  assert.equal(score(scoreMove(4.84, 0, RFC)), Infinity);
  assert.ok(approved(scoreMove(4.84, 0, RFC)));
  assert.ok(!approved(scoreMove(0, 0, RFC)));
  assert.ok(!approved(scoreMove(4.84, 5, { totalCost: 0, totalDisruptionCost: 90 })));
});

test('ScoreMove: "consolidation threshold tuning" (2.42 / 9: rejected at k=2 and k=1, approved at k=3)', () => {
  assert.ok(!approved(scoreMove(2.42, 9, RFC, 2)));
  assert.ok(approved(scoreMove(2.42, 9, RFC, 3)));
  assert.ok(!approved(scoreMove(2.42, 9, RFC, 1)));
});

test('ScoreMove: "should produce identical scores for proportionally equivalent moves" (on-demand $48.40 vs spot $14.50)', () => {
  const od = scoreMove(4.84, 4, { totalCost: 48.40, totalDisruptionCost: 90 });
  const spot = scoreMove(1.45, 4, { totalCost: 14.50, totalDisruptionCost: 90 });
  close(score(od), score(spot), 0.01);
  assert.ok(approved(od) && approved(spot));
});

test('ScoreMove (SavingsRatio) table on totals 100/100: 20/5 -> 4.0, 10/10 -> 1.0, 5/50 -> 0.10 rejected, 10/0 -> +Inf, 0/10 and -5/10 -> 0 rejected', () => {
  const t = { totalCost: 100, totalDisruptionCost: 100 };
  const rows: [number, number, number, boolean][] = [[20, 5, 4, true], [10, 10, 1, true], [5, 50, 0.1, false], [10, 0, Infinity, true], [0, 10, 0, false], [-5, 10, 0, false]];
  for (const [s, d, want, ok] of rows) {
    const r = scoreMove(s, d, t, 2);
    if (want === Infinity) assert.equal(score(r), Infinity);
    else close(score(r), want, 0.01);
    assert.equal(approved(r), ok, `${s}/${d}`);
  }
});

// Candidates as upstream's makeCandidate builds them: one on-demand offering at `price`, one pod each by default.
const m7i = fakeType('m7i.xlarge', 4, 16, 4.84);
function pool(name: string, policy: NodePoolObject['disruption']['consolidationPolicy'] = 'Balanced') {
  return fakePool(name, [m7i, fakeType('tiny', 1, 2, 1.0)], { disruption: { consolidationPolicy: policy, consolidateAfter: '0s', budgets: [{ nodes: '100%' }] } });
}
function candidates(p: ReturnType<typeof pool>, prefix: string, n: number, podsEach = 1, type = m7i): Candidate[] {
  const claims = Array.from({ length: n }, (_, i) => fakeClaim(`${prefix}-${i}`, { pool: p, type, pods: Array.from({ length: podsEach }, () => rsPod(0)) }));
  return getCandidates(snapshot([p], claims), 'consolidation', []);
}
const nodesOf = (cs: readonly Candidate[]) => cs.map((c) => ({ name: c.name, nodePool: c.nodePool.nodePool.name, disruptionCost: 1 }));
const del = (cs: Candidate[]) => ({ reason: 'Underutilized' as const, consolidationType: 'multi', candidates: cs, replacements: [] });

test('computeNodePoolTotals: "should produce totals from ALL candidates, not just a filtered subset" (5 x $4.84 = 24.20; 5 x (1 + 1 pod) = 10)', () => {
  const cs = candidates(pool('pool-a'), 'node', 5);
  const t = computeNodePoolTotals(cs, nodesOf(cs)).get('pool-a')!;
  close(t.totalCost, 24.2, 0.01);
  close(t.totalDisruptionCost, 10, 0.01);
});

test('EvaluateBalancedMove: "should reject when command has zero candidates"; "should skip non-Balanced pools and approve unconditionally"', () => {
  assert.deepEqual(evaluateBalancedMove(del([]), new Map([['pool-a', { totalCost: 100, totalDisruptionCost: 50 }]])), { approved: false, perPool: null });
  const cs = candidates(pool('pool-nobalanced', 'WhenEmptyOrUnderutilized'), 'node', 5);
  const r = evaluateBalancedMove(del([cs[0]!, cs[1]!]), computeNodePoolTotals(cs, nodesOf(cs)));
  assert.equal(r.approved, true);
  assert.equal(r.perPool!.has('pool-nobalanced'), false);
});

test('EvaluateBalancedMove: "should reject when candidate NodePool is missing from totals map" (score 0)', () => {
  const cs = candidates(pool('pool-missing'), 'node', 1);
  const r = evaluateBalancedMove(del(cs), new Map());
  assert.equal(r.approved, false);
  assert.equal(score(r.perPool!.get('pool-missing')!), 0);
});

test('EvaluateBalancedMove: "should approve a delete command for a single Balanced NodePool" (1 of 10: savings 0.10, disruption 0.10, score 1.0)', () => {
  const cs = candidates(pool('pool-single'), 'node', 10);
  const r = evaluateBalancedMove(del([cs[0]!]), computeNodePoolTotals(cs, nodesOf(cs)));
  assert.equal(r.approved, true);
  close(score(r.perPool!.get('pool-single')!), 1.0, 1e-9);
  assert.equal(consolidationScoreMessage(r.perPool!.get('pool-single')!), 'score 1.00 >= threshold 0.50 (k: 2, savings 10.0%, disruption 10.0%)');
});

test('EvaluateBalancedMove: "should attribute savings proportionally in cross-NodePool scenarios" (one node of each of two 5-node pools: half the savings to each, score 1.0)', () => {
  const b = candidates(pool('pool-balanced'), 'b-node', 5), e = candidates(pool('pool-empty', 'WhenEmptyOrUnderutilized'), 'e-node', 5);
  const all = [...b, ...e];
  const r = evaluateBalancedMove(del([b[0]!, e[0]!]), computeNodePoolTotals(all, nodesOf(all)));
  assert.equal(r.approved, true);
  close(score(r.perPool!.get('pool-balanced')!), 1.0, 1e-9); // (9.68 * 4.84 / 9.68) / 24.20 = 0.2; 2 / 10 = 0.2
  assert.equal(r.perPool!.has('pool-empty'), false);
});

test('AllPoolsMustApprove: "should reject when any Balanced pool rejects" (pool B\'s heavy node, 20 pods, scores 0.5 / (21/23) = 0.548)', () => {
  const a = candidates(pool('pool-a'), 'a-node', 10);
  const tiny = fakeType('tiny', 1, 2, 1.0);
  const pb = pool('pool-b');
  const heavy = getCandidates(snapshot([pb], [
    fakeClaim('b-node-0', { pool: pb, type: tiny, pods: Array.from({ length: 20 }, () => rsPod(0)) }),
    fakeClaim('b-node-1', { pool: pb, type: tiny, pods: [rsPod(0)] }),
  ]), 'consolidation', []);
  const all = [...a, ...heavy];
  const r = evaluateBalancedMove(del([a[0]!, heavy[0]!]), computeNodePoolTotals(all, nodesOf(all)));
  // Savings $5.84 split by source price: pool B gets 5.84 * 1 / 5.84 = 1.00 of its $2.00.
  close(score(r.perPool!.get('pool-b')!), 0.5 / (21 / 23), 1e-9);
  close(score(r.perPool!.get('pool-a')!), 1.0, 1e-9);
  assert.equal(r.approved, true);
  // The same move when pool B costs $2.20 in all: B scores (1.00 / 2.20) / (21 / 21) = 0.45 and
  // rejects, so the move is rejected though pool A approves.
  const totals = computeNodePoolTotals(all, nodesOf(all));
  totals.set('pool-b', { totalCost: 2.2, totalDisruptionCost: 21 });
  const rejected = evaluateBalancedMove(del([a[0]!, heavy[0]!]), totals);
  close(score(rejected.perPool!.get('pool-b')!), 1 / 2.2, 1e-9);
  assert.equal(approved(rejected.perPool!.get('pool-a')!), true);
  assert.equal(rejected.approved, false);
});

test('Adversarial: "should approve single-node pool DELETE with expected scoring" (savings 1.0, disruption 1.0, score 1.0)', () => {
  const cs = candidates(pool('pool-single'), 'only-node', 1);
  const r = evaluateBalancedMove(del(cs), computeNodePoolTotals(cs, nodesOf(cs)));
  assert.equal(r.approved, true);
  assert.equal(r.perPool!.get('pool-single')!.savingsFraction, 1);
});

test('CanPassThreshold: a node whose delete cannot reach 0.50 is skipped; non-Balanced pools always pass', () => {
  const cs = candidates(pool('p'), 'n', 10);
  const t = computeNodePoolTotals(cs, nodesOf(cs));
  assert.equal(canPassThreshold(cs[0]!, t), true); // 0.1 / 0.1 = 1.0
  assert.equal(canPassThreshold(cs[0]!, new Map([['p', { totalCost: 48.4, totalDisruptionCost: 4 }]])), false); // 0.1 / 0.5 = 0.2
  assert.equal(canPassThreshold(cs[0]!, new Map()), true); // no totals: passes (ApproveCommand decides)
});

// Decisions on the fake ladder of test/karpenter-disruption.test.ts.
const small = fakeType('fake-small', 1, 2, 0.05), medium = fakeType('fake-medium', 2, 4, 0.10), large = fakeType('fake-large', 4, 8, 0.20);
const xlarge = fakeType('fake-xlarge', 8, 16, 0.40), x2large = fakeType('fake-2xlarge', 16, 32, 0.80), x4large = fakeType('fake-4xlarge', 32, 64, 1.60);
const LADDER = [small, medium, large, xlarge, x2large, x4large];
const ladderPool = (policy: NodePoolObject['disruption']['consolidationPolicy']) => fakePool('default', LADDER, { disruption: { consolidationPolicy: policy, consolidateAfter: '0s', budgets: [{ nodes: '100%' }] } });
const approvedMsgs = (evs: readonly DisruptionEvent[]) => evs.filter((e) => e.reason === 'ConsolidationApproved' && !e.object.startsWith('NodeClaim/')).map((e) => `${e.object}: ${e.message}`);

test('Integration: "should approve replacing an oversized node" (one 500m pod on the $1.60 type -> fake-small: score 0.97, k: 2, >= threshold 0.50)', () => {
  const p = ladderPool('Balanced');
  const r = singleNodeConsolidation(snapshot([p], [fakeClaim('node', { pool: p, type: x4large, cpu: 32, pods: [rsPod(500)] })]));
  assert.equal(r.commands.length, 1);
  assert.equal(decision(r.commands[0]!), 'replace');
  assert.equal(r.commands[0]!.replacements[0]!.instanceTypes[0]!.name, 'fake-small');
  // savings (1.60 - 0.05) / 1.60 = 96.9 %, disruption 2 / 2 = 100 %
  assert.deepEqual(approvedMsgs(r.events), ['Node/node: score 0.97 >= threshold 0.50 (k: 2, savings 96.9%, disruption 100.0%)']);
});

test('a well-packed, pod-heavy node is not replaced under Balanced but is under WhenEmptyOrUnderutilized (score 0.14 < 0.50)', () => {
  // node-a: fake-xlarge ($0.40) with seven 500m pods (3.5 CPU: fits fake-large, $0.20), disruption 8.
  // node-b: fake-4xlarge ($1.60) with two 16-CPU pods, full, disruption 3. NodePool: $2.00, disruption 11.
  // Replacing node-a saves $0.20: (0.20 / 2.00) / (8 / 11) = 0.1375; even deleting it would score
  // (0.40 / 2.00) / (8 / 11) = 0.275, so CanPassThreshold skips it. Both nodes' pods (36 CPU) need
  // two new nodes, so multi-node consolidation finds nothing.
  const mk = (policy: NodePoolObject['disruption']['consolidationPolicy']) => {
    const p = ladderPool(policy);
    return snapshot([p], [
      fakeClaim('node-a', { pool: p, type: xlarge, pods: Array.from({ length: 7 }, () => rsPod(500)) }),
      fakeClaim('node-b', { pool: p, type: x4large, pods: [rsPod(16_000), rsPod(16_000)] }),
    ]);
  };
  const weou = disruptionPass(mk('WhenEmptyOrUnderutilized'));
  assert.equal(weou.method, 'single');
  assert.equal(weou.command!.replacements[0]!.instanceTypes[0]!.name, 'fake-large');
  const snap = mk('Balanced');
  const t = snapshotTotals(snap).get('default')!;
  assert.deepEqual(t, { totalCost: 2.0, totalDisruptionCost: 11 });
  const balanced = disruptionPass(snap);
  assert.equal(balanced.command, null);
  assert.deepEqual(approvedMsgs(balanced.events), []);
  assert.ok(!balanced.events.some((e) => e.reason === 'ConsolidationCandidate'), 'skipped before its simulation');
});

test('Integration: "should approve consolidating multiple underutilized nodes" (3 x $1.60, one pod each -> one fake-small: ConsolidationApproved on the NodePool)', () => {
  const p = ladderPool('Balanced');
  const claims = [0, 1, 2].map((i) => fakeClaim(`node-${i}`, { pool: p, type: x4large, cpu: 32, pods: [rsPod(0)] }));
  const r = multiNodeConsolidation(snapshot([p], claims));
  assert.equal(r.commands[0]!.candidates.length, 3);
  // savings (4.80 - 0.05) / 4.80 = 99.0 %, disruption 6 / 6 = 100 %
  assert.deepEqual(approvedMsgs(r.events), ['NodePool/default: score 0.99 >= threshold 0.50 (k: 2, savings 99.0%, disruption 100.0%)']);
});

test('Integration: "should block disruption when budget is 0%" (no command, no ConsolidationApproved)', () => {
  const p = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'Balanced', consolidateAfter: '0s', budgets: [{ nodes: '0%' }] } });
  const r = disruptionPass(snapshot([p], [fakeClaim('node', { pool: p, type: x4large, cpu: 32, pods: [rsPod(500)] })]));
  assert.equal(r.command, null);
  assert.deepEqual(approvedMsgs(r.events), []);
});

test('Integration: "should consolidate empty nodes before non-empty nodes when budget is limited" (Emptiness is not scored)', () => {
  const p = fakePool('default', LADDER, { disruption: { consolidationPolicy: 'Balanced', consolidateAfter: '0s', budgets: [{ nodes: '1' }] } });
  const r = disruptionPass(snapshot([p], [
    fakeClaim('empty', { pool: p, type: x4large, cpu: 32 }),
    fakeClaim('underutilized', { pool: p, type: x4large, cpu: 32, pods: [rsPod(100)] }),
  ]));
  assert.equal(r.method, 'emptiness');
  assert.deepEqual(r.command!.candidates.map((c) => c.name), ['empty']);
});
