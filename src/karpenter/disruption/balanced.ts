// The Balanced consolidation policy (consolidationPolicy: Balanced), ported from
// kubernetes-sigs/karpenter@2266468104f3:
//   pkg/controllers/disruption/balanced.go  computeNodePoolTotals, ScoreMove, EvaluateBalancedMove,
//                                           balancedEvaluator (ApproveCommand, CanPassThreshold,
//                                           EmitMultiNodeEvents)
//   pkg/controllers/disruption/types.go     ScoreResult (Score, Threshold, Approved)
//   pkg/apis/v1/nodepool.go                 BalancedK = 2 (a constant: no NodePool field, no
//                                           feature gate)
//   pkg/controllers/disruption/events       ConsolidationApproved(MultiNode), consolidationScoreMessage
// A consolidation move (delete or replace) in a Balanced NodePool is approved when
//   (savings / NodePool cost) / (move disruption / NodePool disruption) >= 1/k,
// where disruption is 1 per node plus each reschedulable pod's EvictionCost. Moves in other
// NodePools are not scored. Emptiness is never scored (empty nodes go under every policy).
// Rejections publish no event upstream (only metrics); capsim has no such metrics, so a rejected
// move is visible only as the consolidation that did not happen.
import { PER_NODE_BASE_DISRUPTION_COST, evictionCost } from '../disruptionCost.ts';
import { estimatedSavings } from './savings.ts';
import { newCandidate } from './candidates.ts';
import type { Candidate, ClaimState, Command, DisruptionEvent, DisruptionSnapshot } from './types.ts';
import { decision } from './types.ts';

/** v1.BalancedK: a move must score at least 1/k. */
export const BALANCED_K = 2;

export interface NodePoolTotals {
  totalCost: number;
  totalDisruptionCost: number;
}

export interface ScoreResult {
  savingsFraction: number;
  disruptionFraction: number;
  k: number;
}

/** ScoreResult.Score: savings over disruption; 0 when savings are not positive, +Inf when the
 *  disruption is zero. */
export function score(r: ScoreResult): number {
  if (!(r.savingsFraction > 0)) return 0;
  if (r.disruptionFraction === 0) return Infinity;
  return r.savingsFraction / r.disruptionFraction;
}

export function threshold(r: ScoreResult): number {
  return 1 / r.k;
}

export function approved(r: ScoreResult): boolean {
  return score(r) >= threshold(r);
}

/** ScoreMove: zero totals give a zero result (rejected). */
export function scoreMove(savings: number, disruptionCost: number, totals: NodePoolTotals, k: number = BALANCED_K): ScoreResult {
  if (!(totals.totalCost > 0) || !(totals.totalDisruptionCost > 0)) return { savingsFraction: 0, disruptionFraction: 0, k };
  return { savingsFraction: savings / totals.totalCost, disruptionFraction: disruptionCost / totals.totalDisruptionCost, k };
}

/** A node as computeNodePoolTotals sees it: its NodePool, and its disruption cost when it is not a
 *  candidate (StateNode.DisruptionCost). */
export interface TotalsNode {
  name: string;
  nodePool: string;
  disruptionCost: number;
}

/** computeNodePoolTotals: per NodePool with a candidate, the cost (`poolCost`, upstream's
 *  ClusterCost, when positive, else the candidates' prices) and the disruption cost of ALL its
 *  nodes (a candidate's RescheduleDisruptionCost, else the node's own). */
export function computeNodePoolTotals(allCandidates: readonly Candidate[], allNodes: readonly TotalsNode[], poolCost?: ReadonlyMap<string, number>): Map<string, NodePoolTotals> {
  const byName = new Map(allCandidates.map((c) => [c.name, c]));
  const fallback = new Map<string, number>();
  for (const c of allCandidates) {
    const pool = c.nodePool.nodePool.name;
    // resolveNodePrice: an unknown or NaN price counts 0.
    fallback.set(pool, (fallback.get(pool) ?? 0) + (Number.isFinite(c.price) ? c.price : 0));
  }
  const disruption = new Map<string, number>();
  for (const n of allNodes) {
    const c = byName.get(n.name);
    disruption.set(n.nodePool, (disruption.get(n.nodePool) ?? 0) + (c ? c.rescheduleDisruptionCost : n.disruptionCost));
  }
  const out = new Map<string, NodePoolTotals>();
  for (const [pool, fb] of fallback) {
    const cc = poolCost?.get(pool) ?? 0;
    out.set(pool, { totalCost: cc > 0 ? cc : fb, totalDisruptionCost: disruption.get(pool) ?? 0 });
  }
  return out;
}

/** StateNode.DisruptionCost: 1 plus the positive eviction costs of its pods that are not
 *  DaemonSet pods (terminal pods leave cluster state; they are not counted). */
export function stateNodeDisruptionCost(claim: ClaimState): number {
  let cost = PER_NODE_BASE_DISRUPTION_COST;
  for (const p of claim.pods) {
    if (p.removedMs >= 0 || p.owner?.kind === 'DaemonSet') continue;
    const e = evictionCost(p);
    if (e > 0) cost += e;
  }
  return cost;
}

/** Whether any NodePool of the snapshot is Balanced (else nothing here runs). */
export function anyBalanced(snap: DisruptionSnapshot): boolean {
  return snap.nodePools.some((p) => p.nodePool.disruption.consolidationPolicy === 'Balanced');
}

/** GetCandidatesWithTotals for the consolidation methods: NewCandidate on every state node (before
 *  ShouldDisrupt), totals over all NodeClaims. The NodePool cost is ClusterCost's: the price of
 *  every NodeClaim of the NodePool that exists (deleting ones included). */
export function snapshotTotals(snap: DisruptionSnapshot): Map<string, NodePoolTotals> {
  const scratch: DisruptionEvent[] = [];
  const candidates: Candidate[] = [];
  const nodes: TotalsNode[] = [];
  const poolCost = new Map<string, number>();
  for (const claim of snap.claims) {
    const c = newCandidate(snap, claim, 'consolidation', scratch);
    if (c) candidates.push(c);
    nodes.push({ name: claim.nodeName, nodePool: claim.nodePool, disruptionCost: c ? c.rescheduleDisruptionCost : stateNodeDisruptionCost(claim) });
    if (Number.isFinite(claim.priceUsdPerHour)) poolCost.set(claim.nodePool, (poolCost.get(claim.nodePool) ?? 0) + claim.priceUsdPerHour);
  }
  return computeNodePoolTotals(candidates, nodes, poolCost);
}

function isBalanced(c: Candidate): boolean {
  return c.nodePool.nodePool.disruption.consolidationPolicy === 'Balanced';
}

/** EvaluateBalancedMove: each Balanced NodePool of the move scored on its own (a cross-NodePool
 *  move's savings split by the pools' share of the source cost); approved only when every one is. */
export function evaluateBalancedMove(cmd: Command, totals: ReadonlyMap<string, NodePoolTotals>): { approved: boolean; perPool: Map<string, ScoreResult> | null } {
  if (cmd.candidates.length === 0) return { approved: false, perPool: null };
  const byPool = new Map<string, Candidate[]>();
  for (const c of cmd.candidates) {
    const k = c.nodePool.nodePool.name;
    if (!byPool.has(k)) byPool.set(k, []);
    byPool.get(k)!.push(c);
  }
  const savings = estimatedSavings(cmd);
  const sourceCost = cmd.candidates.reduce((s, c) => s + c.price, 0);
  let all = true;
  const perPool = new Map<string, ScoreResult>();
  for (const [pool, cs] of byPool) {
    if (!isBalanced(cs[0]!)) continue;
    const disruptionCost = cs.reduce((s, c) => s + c.rescheduleDisruptionCost, 0);
    const poolCost = cs.reduce((s, c) => s + c.price, 0);
    const poolSavings = sourceCost > 0 && byPool.size > 1 ? savings * (poolCost / sourceCost) : savings;
    const r = scoreMove(poolSavings, disruptionCost, totals.get(pool) ?? { totalCost: 0, totalDisruptionCost: 0 });
    perPool.set(pool, r);
    all = all && approved(r);
  }
  return { approved: all, perPool };
}

/** CanPassThreshold: a Balanced candidate whose delete (the best any move can do) scores below the
 *  threshold is skipped by single-node consolidation. */
export function canPassThreshold(c: Candidate, totals: ReadonlyMap<string, NodePoolTotals>): boolean {
  if (!isBalanced(c)) return true;
  const t = totals.get(c.nodePool.nodePool.name);
  if (!t || !(t.totalCost > 0)) return true;
  return approved(scoreMove(c.price, c.rescheduleDisruptionCost, t));
}

/** consolidationScoreMessage (Go's %.2f / %.1f%%). */
export function consolidationScoreMessage(r: ScoreResult): string {
  const s = score(r);
  return `score ${s === Infinity ? '+Inf' : s.toFixed(2)} >= threshold ${threshold(r).toFixed(2)} (k: ${r.k}, savings ${(r.savingsFraction * 100).toFixed(1)}%, disruption ${(r.disruptionFraction * 100).toFixed(1)}%)`;
}

/** balancedEvaluator.ApproveCommand for a single-candidate move: ConsolidationApproved on the node
 *  and its NodeClaim when its Balanced NodePool approves. */
export function singleApprovedEvents(cmd: Command, perPool: ReadonlyMap<string, ScoreResult> | null): DisruptionEvent[] {
  const c = cmd.candidates[0];
  const r = c ? perPool?.get(c.nodePool.nodePool.name) : undefined;
  if (!c || !r || !approved(r) || cmd.candidates.length !== 1) return [];
  const message = consolidationScoreMessage(r);
  return [{ object: `Node/${c.name}`, reason: 'ConsolidationApproved', message }, { object: `NodeClaim/${c.claim.name}`, reason: 'ConsolidationApproved', message }];
}

/** EmitMultiNodeEvents for an approved multi-node move: ConsolidationApproved on each scored
 *  NodePool that approved. */
export function multiApprovedEvents(cmd: Command, perPool: ReadonlyMap<string, ScoreResult> | null): DisruptionEvent[] {
  if (!perPool || decision(cmd) === 'noop') return [];
  const out: DisruptionEvent[] = [];
  const seen = new Set<string>();
  for (const c of cmd.candidates) {
    const pool = c.nodePool.nodePool.name;
    if (seen.has(pool)) continue;
    seen.add(pool);
    const r = perPool.get(pool);
    if (r && approved(r)) out.push({ object: `NodePool/${pool}`, reason: 'ConsolidationApproved', message: consolidationScoreMessage(r) });
  }
  return out;
}
