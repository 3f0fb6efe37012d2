// Consolidation's decisions, ported from kubernetes-sigs/karpenter@2266468104f3
// pkg/controllers/disruption:
//   consolidation.go           computeConsolidation (delete when the pods fit elsewhere; replace
//                              with one strictly cheaper NodeClaim; OD -> [OD, spot] narrowed to
//                              spot), computeSpotToSpotConsolidation (feature gate,
//                              MinInstanceTypesForSpotToSpotConsolidation = 15), sortCandidates
//   emptiness.go               Emptiness.ComputeCommands (every empty candidate within budget)
//   multinodeconsolidation.go  ComputeCommands (budget pre-filter, at most 100), firstNConsolidationOption
//                              (binary search over the cheapest-first prefix), filterOutSameInstanceType
//   singlenodeconsolidation.go ComputeCommands (first candidate that consolidates; NodePools interleaved)
//   validation.go              the checks repeated after the 15 s wait (validate.ts)
//   balanced.go                the Balanced policy's scoring of each move (balanced.ts)
// Not modelled: the 3-minute single-node and 1-minute multi-node timeouts (capsim's
// solve is fast enough not to reach them at simulated scale); reserved capacity; buffer pods.
import { sortConsolidationCandidates } from '../disruptionCost.ts';
import type { KarpenterInstanceType } from '../instanceTypes.ts';
import { LABEL_CAPACITY_TYPE, LABEL_ZONE, addTo, allows, getRequirement, requirement, requirements } from '../requirements.ts';
import { hasCompatibleOffering, minValuesShortfall } from '../scheduler.ts';
import { budgetMapping, consolidationFingerprint, getCandidates, isEmpty, sentence } from './candidates.ts';
import { canPassThreshold, evaluateBalancedMove, multiApprovedEvents, singleApprovedEvents, snapshotTotals, anyBalanced, type NodePoolTotals, type ScoreResult } from './balanced.ts';
import { estimatedSavings } from './savings.ts';
import { cheapestPrice, orderByPrice, schedulingErrorsMessage, simulateScheduling, worstLaunchPrice } from './simulate.ts';
import type { Candidate, Command, DisruptionEvent, DisruptionSnapshot, MethodResult, Replacement } from './types.ts';
import { decision } from './types.ts';

export { estimatedSavings } from './savings.ts';

export const MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT_CONSOLIDATION = 15;
/** multinodeconsolidation.go: at most 100 candidates in one batch. */
export const MAX_MULTI_NODE_CANDIDATES = 100;

function unconsolidatable(c: Candidate, message: string): DisruptionEvent[] {
  return [{ object: `Node/${c.name}`, reason: 'Unconsolidatable', message }, { object: `NodeClaim/${c.claim.name}`, reason: 'Unconsolidatable', message }];
}

/** Command.String in the form the candidate events use (no method or id yet). */
export function commandString(cmd: Command): string {
  const sources = cmd.candidates.map((c) => c.name).join(', ');
  if (cmd.replacements.length > 0) return `${decision(cmd)}: [${sources}] -> [${cmd.replacements.length} ${cmd.replacements.length === 1 ? 'replacement' : 'replacements'}]`;
  return `${decision(cmd)}: [${sources}]`;
}

/** StringForNode: the whole command for one candidate, else this node as part of it. */
export function commandStringForNode(cmd: Command, c: Candidate): string {
  if (cmd.candidates.length === 1) return commandString(cmd);
  return `${decision(cmd)}: [${c.name}] (part of ${cmd.candidates.length}-node consolidation)`;
}

export function candidateEvents(cmd: Command): DisruptionEvent[] {
  const savings = estimatedSavings(cmd).toFixed(2);
  return cmd.candidates.flatMap((c) => {
    const message = `Consolidation candidate: ${commandStringForNode(cmd, c)} (savings: $${savings})`;
    return [{ object: `Node/${c.name}`, reason: 'ConsolidationCandidate' as const, message }, { object: `NodeClaim/${c.claim.name}`, reason: 'ConsolidationCandidate' as const, message }];
  });
}

export function rejectedEvents(cmd: Command, why: string): DisruptionEvent[] {
  const savings = estimatedSavings(cmd).toFixed(2);
  return cmd.candidates.flatMap((c) => {
    const message = `Consolidation rejected: ${commandStringForNode(cmd, c)}, reason: ${why} (savings: $${savings})`;
    return [{ object: `Node/${c.name}`, reason: 'ConsolidationRejected' as const, message }, { object: `NodeClaim/${c.claim.name}`, reason: 'ConsolidationRejected' as const, message }];
  });
}

/** RemoveInstanceTypeOptionsByPriceAndMinValues: the types whose worst launch price is below
 *  maxPrice, or the minValues error. */
function cheaperThan(types: readonly KarpenterInstanceType[], rs: ReturnType<typeof requirements>, maxPrice: number): { types: KarpenterInstanceType[]; error?: string } {
  const kept = types.filter((it) => worstLaunchPrice(it, rs) < maxPrice);
  const short = minValuesShortfall(kept, rs);
  return short === undefined ? { types: kept } : { types: kept, error: short };
}

/** computeConsolidation for a set of candidates: a delete or replace command, or null (with the
 *  Unconsolidatable event when there is a single candidate). */
export function computeConsolidation(snap: DisruptionSnapshot, candidates: readonly Candidate[], events: DisruptionEvent[], consolidationType: string): Command | null {
  const single = candidates.length === 1 ? candidates[0]! : null;
  const say = (msg: string) => { if (single) events.push(...unconsolidatable(single, msg)); return null; };
  const sim = simulateScheduling(snap, candidates, true);
  if (sim === null) return null;
  if (sim.errors.size > 0) return say(sentence(schedulingErrorsMessage(sim.errors)));
  const base = { reason: 'Underutilized' as const, consolidationType, candidates: [...candidates] };
  if (sim.newNodeClaims.length === 0) return { ...base, replacements: [] };
  if (sim.newNodeClaims.length !== 1) return say(`Can't remove without creating ${sim.newNodeClaims.length} candidates`);
  const plan = sim.newNodeClaims[0]!;
  const rs = requirements(...plan.requirements.values());
  const candidatePrice = candidates.reduce((s, c) => s + c.price, 0);
  const allSpot = candidates.every((c) => c.capacityType === 'spot');
  let types = orderByPrice(plan.instanceTypes, rs);
  if (allSpot && allows(getRequirement(rs, LABEL_CAPACITY_TYPE), 'spot')) {
    if (!snap.spotToSpotConsolidation) return say("SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node");
    addTo(rs, requirement(LABEL_CAPACITY_TYPE, 'In', ['spot']));
    types = types.filter((it) => hasCompatibleOffering(it, rs));
    const filtered = cheaperThan(types, rs, candidatePrice);
    if (filtered.error !== undefined) return say(`Filtering by price: ${filtered.error}`);
    if (filtered.types.length === 0) return say("Can't replace with a cheaper node");
    types = filtered.types;
    if (!single) return withEvents({ ...base, replacements: [{ plan: { ...plan, requirements: rs }, instanceTypes: types }] }, events);
    if (types.length < MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT_CONSOLIDATION) {
      return say(`SpotToSpotConsolidation requires ${MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT_CONSOLIDATION} cheaper instance type options than the current candidate to consolidate, got ${types.length}`);
    }
    let keep = MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT_CONSOLIDATION;
    while (keep < types.length && minValuesShortfall(types.slice(0, keep), rs) !== undefined) keep++;
    return withEvents({ ...base, replacements: [{ plan: { ...plan, requirements: rs }, instanceTypes: types.slice(0, keep) }] }, events);
  }
  const filtered = cheaperThan(types, rs, candidatePrice);
  if (filtered.error !== undefined) return say(`Filtering by price: ${filtered.error}`);
  if (filtered.types.length === 0) return say("Can't replace with a cheaper node");
  types = filtered.types;
  const ct = getRequirement(rs, LABEL_CAPACITY_TYPE);
  // OD -> [OD, spot]: the prices were filtered as if spot launches, so the replacement must be spot.
  // capsim's AWS and Azure catalogs have no spot prices (no spot offering): narrowing to spot there
  // would make every such replacement fail to launch, which is the catalog's gap, not Karpenter's
  // behaviour, so the narrowing applies only when a remaining type offers spot.
  if (allows(ct, 'spot') && allows(ct, 'on-demand') && types.some((it) => it.offerings.some((o) => o.capacityType === 'spot'))) {
    addTo(rs, requirement(LABEL_CAPACITY_TYPE, 'In', ['spot']));
  }
  return withEvents({ ...base, replacements: [{ plan: { ...plan, requirements: rs }, instanceTypes: types }] }, events);
}

function withEvents(cmd: Command, events: DisruptionEvent[]): Command {
  events.push(...candidateEvents(cmd));
  return cmd;
}

/** The candidates, in order, that their NodePool's remaining budget allows (each taken decrements
 *  it), and whether a budget left one out (then the method does not mark the cluster consolidated). */
export function takeWithinBudgets(candidates: readonly Candidate[], budgets: Map<string, number>): { taken: Candidate[]; constrained: boolean } {
  const taken: Candidate[] = [];
  let constrained = false;
  for (const c of candidates) {
    const left = budgets.get(c.nodePool.nodePool.name) ?? 0;
    if (left === 0) {
      constrained = true;
      continue;
    }
    taken.push(c);
    budgets.set(c.nodePool.nodePool.name, left - 1);
  }
  return { taken, constrained };
}

/** Emptiness.ComputeCommands: one command deleting every empty candidate the budgets allow. */
export function emptiness(snap: DisruptionSnapshot): MethodResult {
  const events: DisruptionEvent[] = [];
  const candidates = sortConsolidationCandidates(getCandidates(snap, 'emptiness', events));
  if (candidates.length === 0) return { commands: [], events, markConsolidated: false };
  const { taken: empty, constrained } = takeWithinBudgets(candidates.filter(isEmpty), budgetMapping(snap, 'Empty', events));
  if (empty.length === 0) return { commands: [], events, markConsolidated: !constrained };
  return { commands: [{ reason: 'Empty', consolidationType: 'empty', candidates: empty, replacements: [] }], events, markConsolidated: false };
}

/** filterOutSameInstanceType: with a replacement among the candidates' own types, only types
 *  cheaper than the cheapest such candidate remain (else deleting would do). */
export function filterOutSameInstanceType(replacement: Replacement, candidates: readonly Candidate[]): Replacement | null {
  const prices = new Map<string, number>();
  for (const c of candidates) {
    if (!c.instanceType) continue;
    const labels = requirements(
      requirement(LABEL_ZONE, 'In', [c.claim.labels[LABEL_ZONE] ?? '']),
      requirement(LABEL_CAPACITY_TYPE, 'In', [c.claim.labels[LABEL_CAPACITY_TYPE] ?? '']),
    );
    const p = cheapestPrice(c.instanceType, labels);
    if (!Number.isFinite(p)) continue;
    prices.set(c.instanceType.name, Math.min(prices.get(c.instanceType.name) ?? Infinity, p));
  }
  let maxPrice = Infinity;
  for (const it of replacement.instanceTypes) {
    const p = prices.get(it.name);
    if (p !== undefined && p < maxPrice) maxPrice = p;
  }
  const filtered = cheaperThan(replacement.instanceTypes, replacement.plan.requirements as ReturnType<typeof requirements>, maxPrice);
  if (filtered.error !== undefined) return null;
  return { ...replacement, instanceTypes: filtered.types };
}

/** The Balanced policy's NodePool totals (GetCandidatesWithTotals), or null when no NodePool is
 *  Balanced (then every move passes, as upstream's evaluator lets non-Balanced pools through). */
function balancedTotals(snap: DisruptionSnapshot): Map<string, NodePoolTotals> | null {
  return anyBalanced(snap) ? snapshotTotals(snap) : null;
}

/** firstNConsolidationOption: the largest prefix (of at least two) that consolidates, by binary search. */
export function firstNConsolidationOption(snap: DisruptionSnapshot, candidates: readonly Candidate[], max: number, events: DisruptionEvent[], totals: ReadonlyMap<string, NodePoolTotals> | null = balancedTotals(snap)): Command | null {
  if (candidates.length < 2) return null;
  let min = 1;
  if (candidates.length <= max) max = candidates.length - 1;
  let last: Command | null = null;
  let lastPerPool: Map<string, ScoreResult> | null = null;
  while (min <= max) {
    const mid = Math.floor((min + max) / 2);
    const scratch: DisruptionEvent[] = [];
    let cmd = computeConsolidation(snap, candidates.slice(0, mid + 1), scratch, 'multi');
    let valid = cmd !== null && decision(cmd) === 'delete';
    if (cmd !== null && decision(cmd) === 'replace') {
      const r = filterOutSameInstanceType(cmd.replacements[0]!, cmd.candidates);
      if (r !== null && r.instanceTypes.length > 0) {
        cmd = { ...cmd, replacements: [r] };
        valid = true;
      }
    }
    // Score the move: Balanced pools may reject; other policies pass through.
    if (valid && cmd && totals) {
      const ev = evaluateBalancedMove(cmd, totals);
      if (!ev.approved) valid = false;
      else if (ev.perPool) lastPerPool = ev.perPool;
    }
    if (valid && cmd) {
      last = cmd;
      min = mid + 1;
    } else {
      max = mid - 1;
    }
  }
  // Upstream publishes the candidate events of every prefix it computes; only the chosen command's are kept here.
  if (last) events.push(...candidateEvents(last), ...multiApprovedEvents(last, lastPerPool));
  return last;
}

/** What multi-node consolidation last searched in vain: the same cluster state and the same
 *  candidates give the same answer, so the binary search is not run again for them (upstream runs
 *  it every pass while a budget holds candidates back; capsim remembers its answer). */
export interface MultiNodeMemo {
  key: string;
}

/** MultiNodeConsolidation.ComputeCommands (before validation). */
export function multiNodeConsolidation(snap: DisruptionSnapshot, memo?: MultiNodeMemo): MethodResult {
  const events: DisruptionEvent[] = [];
  const candidates = sortConsolidationCandidates(getCandidates(snap, 'consolidation', events));
  if (candidates.length === 0) return { commands: [], events, markConsolidated: false };
  const { taken: disruptable, constrained } = takeWithinBudgets(candidates, budgetMapping(snap, 'Underutilized', events));
  const max = Math.min(disruptable.length, MAX_MULTI_NODE_CANDIDATES);
  const key = memo ? `${consolidationFingerprint(snap)}#${disruptable.map((c) => c.name).join(',')}` : '';
  if (memo && memo.key === key) return { commands: [], events, markConsolidated: !constrained };
  const cmd = firstNConsolidationOption(snap, disruptable, max, events);
  if (cmd === null) {
    if (memo) memo.key = key;
    return { commands: [], events, markConsolidated: !constrained };
  }
  return { commands: [cmd], events, markConsolidated: false };
}

/** SingleNodeConsolidation.SortCandidates: by savings ratio, then interleaved across NodePools
 *  (the first of each NodePool, then the second of each, ...); NodePools in order of first appearance
 *  (upstream iterates a Go map here, an order that is random; capsim fixes it). */
export function interleaveByNodePool(sorted: readonly Candidate[]): Candidate[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of sorted) {
    const k = c.nodePool.nodePool.name;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  const out: Candidate[] = [];
  const longest = Math.max(0, ...[...groups.values()].map((g) => g.length));
  for (let i = 0; i < longest; i++) for (const g of groups.values()) if (i < g.length) out.push(g[i]!);
  return out;
}

/** SingleNodeConsolidation.ComputeCommands (before validation). */
export function singleNodeConsolidation(snap: DisruptionSnapshot): MethodResult {
  const events: DisruptionEvent[] = [];
  const candidates = interleaveByNodePool(sortConsolidationCandidates(getCandidates(snap, 'consolidation', events)));
  if (candidates.length === 0) return { commands: [], events, markConsolidated: false };
  const budgets = budgetMapping(snap, 'Underutilized', events);
  const totals = balancedTotals(snap);
  let constrained = false;
  for (const c of candidates) {
    if ((budgets.get(c.nodePool.nodePool.name) ?? 0) === 0) {
      constrained = true;
      continue;
    }
    // Skip candidates whose best-case score (delete ratio) cannot pass the threshold.
    if (totals && !canPassThreshold(c, totals)) continue;
    const cmd = computeConsolidation(snap, [c], events, 'single');
    if (cmd === null) continue;
    if (totals) {
      const ev = evaluateBalancedMove(cmd, totals);
      events.push(...singleApprovedEvents(cmd, ev.perPool));
      if (!ev.approved) continue;
    }
    return { commands: [cmd], events, markConsolidated: false };
  }
  return { commands: [], events, markConsolidated: !constrained };
}


