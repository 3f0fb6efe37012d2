// The cluster state's decisions for people: the lines `capsim validate` and a run print (the
// counts, then what needs a look), and the names of objects in a message.
import type { ClusterStateReport, StateDecision } from '../model/scenario.ts';

/** Objects named in a message; the rest are counted. */
const NAMED = 5;

/** "A, B and 3 more" */
export function listed(refs: readonly string[]): string {
  const shown = refs.slice(0, NAMED);
  const more = refs.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

const WHAT: Record<StateDecision, string> = {
  kept: 'kept',
  adopted: 'adopted by their workloads',
  converted: 'converted',
  history: 'history (finished: counted, not run again)',
  skipped: 'skipped',
  orphan: 'orphans (controller not in the manifests: bare pods)',
  unmanaged: 'unmanaged (controller not simulated: bare pods nothing replaces)',
};

/** Entries per decision, as "3 Pods, 1 Job". */
function byKind(refs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const ref of refs) {
    const kind = ref.slice(0, ref.indexOf('/'));
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
}

/** The report in a few lines: one with the placement and the counts per decision, then one per
 *  decision that is not plain (converted, skipped, orphan, unmanaged) naming a few objects with
 *  why. Empty when the scenario has no cluster state. */
export function clusterStateLines(report: ClusterStateReport): string[] {
  if (report.entries.length === 0) return [];
  const groups = new Map<StateDecision, typeof report.entries>();
  for (const e of report.entries) groups.set(e.decision, [...(groups.get(e.decision) ?? []), e]);
  const what = (d: StateDecision) => (d === 'adopted' && report.placement === 'reschedule' ? 'owned by their workloads, which make them afresh' : WHAT[d]);
  const counts = [...groups].map(([d, list]) => `${byKind(list.map((e) => e.object))} ${what(d)}`);
  const placement = report.placement === 'asDumped'
    ? `placement asDumped: ${report.runningPods} pod${report.runningPods === 1 ? '' : 's'} start${report.runningPods === 1 ? 's' : ''} on ${report.runningPods === 1 ? 'its node' : 'their nodes'} at t = 0`
    : 'placement reschedule: the workloads create and schedule their pods afresh';
  const lines = [`cluster state (${placement}): ${counts.join('; ')}`];
  for (const decision of ['converted', 'skipped', 'orphan', 'unmanaged'] as const) {
    const list = groups.get(decision);
    if (!list) continue;
    const shown = list.slice(0, NAMED).map((e) => `${e.object} (${e.reason})`);
    const more = list.length > NAMED ? ` and ${list.length - NAMED} more` : '';
    lines.push(`cluster state: ${decision}: ${shown.join('; ')}${more}`);
  }
  return lines;
}
