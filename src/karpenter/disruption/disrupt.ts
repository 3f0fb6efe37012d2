// One pass of Karpenter's disruption controller over a snapshot, as
// kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/disruption/controller.go Reconcile runs
// its methods (NewMethods): Emptiness, (StaticDrift: static NodePools are not simulated by capsim),
// Drift, multi-node consolidation, single-node consolidation; the first that produces a command
// wins the pass. Consolidation methods skip a pass while the cluster is "consolidated" (nothing
// changed since they last found nothing, and less than 5 minutes ago: state/cluster.go
// ConsolidationState).
import { emptiness, multiNodeConsolidation, singleNodeConsolidation } from './consolidation.ts';
import { drift } from './drift.ts';
export { consolidationFingerprint } from './candidates.ts';
import type { Command, DisruptionEvent, DisruptionSnapshot, MethodResult } from './types.ts';

export type MethodName = 'emptiness' | 'drift' | 'multi' | 'single';
export const METHODS: readonly MethodName[] = ['emptiness', 'drift', 'multi', 'single'];

/** ConsolidationState's 5-minute refresh. */
export const CONSOLIDATION_STATE_TTL_MS = 5 * 60_000;

export interface PassResult {
  method: MethodName | null;
  command: Command | null;
  events: DisruptionEvent[];
  /** Methods that marked the cluster consolidated in this pass. */
  consolidated: MethodName[];
}

/** Run the methods in order; `skip` names the consolidation methods whose state is consolidated. */
export function disruptionPass(snap: DisruptionSnapshot, skip: ReadonlySet<MethodName> = new Set()): PassResult {
  const events: DisruptionEvent[] = [];
  const consolidated: MethodName[] = [];
  const run: Record<MethodName, (s: DisruptionSnapshot) => MethodResult> = {
    emptiness, drift, multi: multiNodeConsolidation, single: singleNodeConsolidation,
  };
  for (const m of METHODS) {
    if (skip.has(m)) continue;
    const r = run[m](snap);
    events.push(...r.events);
    if (r.markConsolidated) consolidated.push(m);
    if (r.commands.length > 0) return { method: m, command: r.commands[0]!, events, consolidated };
  }
  return { method: null, command: null, events, consolidated };
}
