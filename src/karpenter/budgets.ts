// NodePool disruption budgets, ported from kubernetes-sigs/karpenter@2266468104f3
// (pkg/apis/v1/nodepool.go: GetAllowedDisruptionsByReason, MustGetAllowedDisruptions,
// Budget.GetAllowedDisruptions, Budget.IsActive, GetIntStrFromValue) and the arithmetic of
// pkg/controllers/disruption/helpers.go BuildDisruptionBudgetMapping. Pure functions of the
// budgets, a node count or node view and the time; nothing here is wired into a run yet.
//
// Schedules: upstream parses `TZ=UTC <schedule>` with robfig/cron v3 ParseStandard
// (robfig/cron@bc59245f). src/workload/cron.ts implements the same parser in UTC with two
// differences that matter here, both handled below:
//  - it reads day-of-week 7 as Sunday; robfig's day-of-week runs 0-6 and rejects 7 ("end of range
//    (7) above maximum (6)"), so a budget schedule with 7 is an error (the budget fails closed);
//  - it returns null when nothing matches within five years (e.g. "0 0 30 2 *"); robfig returns the
//    zero time, which is never After(now), so upstream's IsActive reports such a budget ALWAYS
//    active. We keep upstream's answer.
// A schedule beginning with TZ= is an error upstream too: the TZ=UTC prefix is stripped and the
// rest ("TZ=X 0 0 * * *") has six fields.

import type { DisruptionBudget } from '../model/karpenter.ts';
import { CronSchedule } from '../workload/cron.ts';
import { parseGoDurationMs } from './goDuration.ts';

export type DisruptionReason = 'Underutilized' | 'Empty' | 'Drifted';
export const DISRUPTION_REASONS: readonly DisruptionReason[] = ['Underutilized', 'Empty', 'Drifted'];

/** Go's math.MaxInt32: what an inactive budget allows ("unbounded"). */
export const MAX_INT32 = 2_147_483_647;

/** The CRD default (+kubebuilder:default:={{nodes: "10%"}}) when spec.disruption.budgets is absent;
 *  an explicit empty list stays empty and then allows MAX_INT32. */
export const DEFAULT_BUDGETS: readonly DisruptionBudget[] = [{ nodes: '10%' }];

export interface BudgetResult {
  value: number;
  /** Set when the budget is misconfigured: upstream then fails closed with 0. */
  error?: string;
}

/** Budget.IsActive: a budget without schedule and duration is always active; otherwise it is active
 *  when the first schedule hit after now - duration is not after now, i.e. now lies in
 *  [hit, hit + duration) for some hit. Schedules are read in UTC. */
export function budgetIsActive(budget: DisruptionBudget, nowMs: number): { active: boolean; error?: string } {
  if (budget.schedule === undefined && budget.duration === undefined) return { active: true };
  let schedule: CronSchedule;
  let durationMs: number;
  try {
    schedule = parseBudgetSchedule(budget.schedule ?? '');
    durationMs = budget.duration === undefined ? 0 : parseGoDurationMs(budget.duration);
  } catch (e) {
    return { active: false, error: `invariant violated, invalid cron, ${(e as Error).message}` };
  }
  const next = schedule.next(nowMs - durationMs);
  // robfig returns the zero time (year 1) when nothing matches within five years: never After(now).
  return { active: next === null || next <= nowMs };
}

/** Budget.GetAllowedDisruptions: 0 (with an error) when misconfigured, MAX_INT32 when inactive,
 *  else `nodes` as a count or as a percentage of numNodes rounded up
 *  (intstr.GetScaledValueFromIntOrPercent with roundUp = true). */
export function budgetAllowedDisruptions(budget: DisruptionBudget, numNodes: number, nowMs: number): BudgetResult {
  const { active, error } = budgetIsActive(budget, nowMs);
  if (error !== undefined) return { value: 0, error };
  if (!active) return { value: MAX_INT32 };
  return scaledNodes(budget.nodes, numNodes);
}

/** NodePool.GetAllowedDisruptionsByReason: the minimum over budgets that list the reason or list
 *  none (all budgets' errors are collected, whatever their reasons). No budgets: MAX_INT32. */
export function allowedDisruptionsByReason(
  budgets: readonly DisruptionBudget[], numNodes: number, reason: DisruptionReason, nowMs: number,
): { value: number; errors: string[] } {
  let allowed = MAX_INT32;
  const errors: string[] = [];
  for (const budget of budgets) {
    const r = budgetAllowedDisruptions(budget, numNodes, nowMs);
    if (r.error !== undefined) errors.push(r.error);
    if (budget.reasons === undefined || budget.reasons.includes(reason)) allowed = Math.min(allowed, r.value);
  }
  return { value: allowed, errors };
}

/** NodePool.MustGetAllowedDisruptions: 0 when any budget of the NodePool is misconfigured. */
export function mustAllowedDisruptions(budgets: readonly DisruptionBudget[], numNodes: number, reason: DisruptionReason, nowMs: number): number {
  const r = allowedDisruptionsByReason(budgets, numNodes, reason, nowMs);
  return r.errors.length > 0 ? 0 : r.value;
}

/** What BuildDisruptionBudgetMapping reads of a cluster-state node. */
export interface BudgetNodeView {
  /** The karpenter.sh/nodepool label. */
  nodePool: string;
  /** Owned by a Karpenter NodePool (state node Managed()). */
  managed: boolean;
  /** Registered and initialized (karpenter.sh/initialized). */
  initialized: boolean;
  /** The NodeClaim has condition InstanceTerminating = True (drained, cloud instance deleted). */
  instanceTerminating: boolean;
  /** The Node's Ready condition is True. */
  ready: boolean;
  /** Marked for deletion by Karpenter, or has a deletion timestamp (state node MarkedForDeletion()). */
  markedForDeletion: boolean;
}

export interface BudgetMapping {
  /** What the disruption method may still start: max(allowed - disrupting, 0). */
  remaining: number;
  /** MustGetAllowedDisruptions over the counted nodes (upstream's nodepool_allowed_disruptions gauge). */
  allowed: number;
  /** Counted nodes: managed, initialized, not InstanceTerminating. */
  nodes: number;
  /** Counted nodes that are not Ready or are marked for deletion (nodes_consuming_budgets gauge). */
  disrupting: number;
  /** Upstream publishes a "blocked" event when nodes != 0 and allowed == 0. */
  blocked: boolean;
}

/** BuildDisruptionBudgetMapping for one NodePool and reason: count its managed, initialized nodes
 *  that are not InstanceTerminating; those NotReady or marked for deletion consume the budget. */
export function disruptionBudgetMapping(
  nodePool: { name: string; disruption: { budgets: readonly DisruptionBudget[] } },
  nodes: readonly BudgetNodeView[], reason: DisruptionReason, nowMs: number,
): BudgetMapping {
  let count = 0;
  let disrupting = 0;
  for (const node of nodes) {
    if (!node.managed || !node.initialized || node.instanceTerminating || node.nodePool !== nodePool.name) continue;
    count++;
    if (!node.ready || node.markedForDeletion) disrupting++;
  }
  const allowed = mustAllowedDisruptions(nodePool.disruption.budgets, count, reason, nowMs);
  return { remaining: Math.max(allowed - disrupting, 0), allowed, nodes: count, disrupting, blocked: count !== 0 && allowed === 0 };
}

/** GetIntStrFromValue + GetScaledValueFromIntOrPercent(roundUp = true): an integer (strconv.Atoi:
 *  optional sign, decimal digits) is taken as is; else it must be "<int>%" and gives
 *  ceil(percent * total / 100). Anything else is an error (fail closed: 0). */
export function scaledNodes(nodes: string, total: number): BudgetResult {
  if (/^[+-]?[0-9]+$/.test(nodes)) return { value: Number(nodes) };
  const m = /^([+-]?[0-9]+)%$/.exec(nodes);
  if (m === null) return { value: 0, error: `invalid value for IntOrString: invalid value "${nodes}"` };
  return { value: Math.ceil((Number(m[1]) * total) / 100) };
}

/** robfig/cron ParseStandard of "TZ=UTC " + schedule, through src/workload/cron.ts (see the header
 *  for the two differences handled here). */
export function parseBudgetSchedule(schedule: string): CronSchedule {
  const text = schedule.trim();
  if (text === '') throw new Error('empty spec string');
  if (!text.startsWith('@')) {
    const dow = text.split(/\s+/)[4];
    for (const item of dow?.split(',') ?? []) {
      for (const bound of item.split('/')[0].split('-')) {
        if (/^[0-9]+$/.test(bound) && Number(bound) > 6) throw new Error(`end of range (${Number(bound)}) above maximum (6): ${item}`);
      }
    }
  }
  return CronSchedule.parse(text, null);
}

