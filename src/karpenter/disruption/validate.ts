// The checks a consolidation command passes again after the 15 s wait, ported from
// kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/disruption/validation.go:
//   EmptinessValidator: the candidates still empty candidates (those that are not are dropped; none
//     left is churn), not nominated and within the budget (none left: budget)
//   ConsolidationValidator: every candidate still a candidate (else churn), within the budget (else
//     budget), and the simulation again: all pods schedule, and the same shape (no replacement and
//     none needed, or one replacement whose types are a subset of what the simulation now allows);
//     anything else is "scheduling".
// Drift commands are not validated upstream (drift.go has no validator).
import { budgetMapping, getCandidates } from './candidates.ts';
import { simulateScheduling } from './simulate.ts';
import type { Command, DisruptionEvent, DisruptionSnapshot } from './types.ts';

/** The validation wait (commandValidationDelay). */
export const COMMAND_VALIDATION_DELAY_MS = 15_000;

export type ValidationFailure = 'churn' | 'budget' | 'scheduling';

export type ValidationResult = { ok: true; command: Command } | { ok: false; failure: ValidationFailure; message: string };

function fail(failure: ValidationFailure, message: string): ValidationResult {
  return { ok: false, failure, message };
}

export function validateCommand(snap: DisruptionSnapshot, cmd: Command): ValidationResult {
  if (cmd.reason === 'Drifted') return { ok: true, command: cmd };
  const scratch: DisruptionEvent[] = [];
  const kind = cmd.reason === 'Empty' ? 'emptiness' : 'consolidation';
  const now = new Map(getCandidates(snap, kind, scratch).map((c) => [c.name, c]));
  const still = cmd.candidates.map((c) => now.get(c.name)).filter((c) => c !== undefined);
  const budgets = budgetMapping(snap, cmd.reason, scratch);
  if (cmd.reason === 'Empty') {
    if (still.length === 0) return fail('churn', `${cmd.candidates.length} candidates are no longer valid`);
    const valid = still.filter((c) => {
      const left = budgets.get(c.nodePool.nodePool.name) ?? 0;
      if (c.claim.nominated || left === 0) return false;
      budgets.set(c.nodePool.nodePool.name, left - 1);
      return true;
    });
    if (valid.length === 0) return fail('budget', `${cmd.candidates.length} candidates failed validation because it they were nominated for a pod or would violate disruption budgets`);
    return { ok: true, command: { ...cmd, candidates: valid } };
  }
  if (still.length !== cmd.candidates.length) return fail('churn', `${cmd.candidates.length - still.length} candidates are no longer valid`);
  for (const c of still) {
    const left = budgets.get(c.nodePool.nodePool.name) ?? 0;
    if (c.claim.nominated) return fail('budget', 'a candidate was nominated during validation');
    if (left === 0) return fail('budget', 'a candidate can no longer be disrupted without violating budgets');
    budgets.set(c.nodePool.nodePool.name, left - 1);
  }
  const sim = simulateScheduling(snap, still, true);
  if (sim === null) return fail('churn', 'a candidate is deleting');
  if (sim.errors.size > 0) return fail('scheduling', [...sim.errors.values()][0]!);
  const changed = fail('scheduling', 'scheduling simulation produced new results');
  if (sim.newNodeClaims.length === 0) return cmd.replacements.length === 0 ? { ok: true, command: { ...cmd, candidates: still } } : changed;
  if (sim.newNodeClaims.length > 1 || cmd.replacements.length === 0) return changed;
  const allowed = new Set(sim.newNodeClaims[0]!.instanceTypes.map((it) => it.name));
  if (!cmd.replacements[0]!.instanceTypes.every((it) => allowed.has(it.name))) return changed;
  return { ok: true, command: { ...cmd, candidates: still } };
}
