// import-report.md: what `capsim import cluster` kept, converted and skipped, and why; the node
// pools it made and what each rests on; what the user must edit before running and should do
// next. Every list is bounded (names, then "and N more"), and nothing in it depends on the time
// or the machine, so the same dump gives the same bytes.
import type { ClusterStateReport, StateDecision } from '../model/scenario.ts';
import type { ImportedPool } from './pools.ts';
import type { Placement } from './scenarioFile.ts';

/** Names shown per list; the rest are counted. */
const NAMED = 10;

export interface KindCount {
  kind: string;
  /** "Kind" for the built-in kinds, "group/Kind" for custom resources. */
  label: string;
  names: string[];
}

export interface ReportInput {
  sources: string[];
  objectsRead: number;
  start: string | null;
  written: KindCount[];
  /** Kinds not written, each with why. */
  skipped: (KindCount & { reason: string })[];
  /** Objects given twice, identical: written once. */
  duplicates: string[];
  /** What cleaning removed: rule -> objects. */
  cleaned: [string, number][];
  pools: ImportedPool[];
  ungrouped: string[];
  placement: Placement;
  /** Files written, relative to the directory. */
  files: string[];
  /** What the loader decided for each object of the cluster's state (scenario/clusterState.ts),
   *  or the problems that kept the written scenario from loading. */
  ownership?: { state: ClusterStateReport } | { problems: string[] };
}

export function importReport(r: ReportInput): string {
  const out: string[] = [];
  const nodes = r.pools.reduce((n, p) => n + p.nodes.length, 0) + r.ungrouped.length;
  const pods = r.written.find((k) => k.kind === 'Pod')?.names.length ?? 0;
  out.push('# Import report', '');
  out.push(`From ${r.sources.map((s) => `\`${s}\``).join(', ')}: ${r.objectsRead} objects read, ${r.written.reduce((n, k) => n + k.names.length, 0)} written, ${r.skipped.reduce((n, k) => n + k.names.length, 0)} skipped.`);
  out.push(`${nodes} node${nodes === 1 ? '' : 's'} in ${r.pools.filter((p) => p.complete).length} node pool${r.pools.length === 1 ? '' : 's'}${r.ungrouped.length ? ` and ${r.ungrouped.length} in none` : ''}; ${pods} pod${pods === 1 ? '' : 's'}.`);
  if (r.start) out.push(`The dump's latest time, ${r.start}, is the scenario's start.`);
  out.push('');

  const todo = [...r.pools.flatMap((p) => p.todo.map((t) => `pool \`${p.name}\`: ${t}`))];
  out.push('## Before you run it', '');
  if (todo.length === 0) out.push('Nothing is required: `capsim run scenario.yaml` runs as it is.');
  else {
    out.push('Edit `scenario.yaml`:', '');
    for (const t of todo) out.push(`- ${t}`);
  }
  out.push('');
  out.push('## What a dump cannot tell, and what to do next', '');
  out.push('- **Usage.** A dump has no metrics: every container uses exactly its requests. HPAs on CPU or memory then read 100 % of requests and their results mean nothing, and the rightsizing recommendations only repeat the requests. Give the workloads that matter a usage model (`behavior[].usage` and `demand`, docs/scenario.md), or import metrics when capsim can. `capsim validate scenario.yaml` names them.');
  out.push('- **The cluster autoscaler.** Whether one runs, and each pool\'s min and max, are not in the cluster\'s objects: each pool is fixed at its size. Add `spec.cluster.autoscaler: {}` and `min`/`max` per pool to simulate one.');
  out.push('- **Prices.** From capsim\'s catalog (`capsim catalog`): compute only, on-demand list prices of one region per cloud (AWS us-east-1, Azure eastus; GCE names none), no discounts. Set `price.onDemandPerHour` (and `spot.pricePerHour`) on a pool to count what you pay.');
  out.push('');

  out.push('## Node pools', '');
  if (r.pools.length === 0) out.push('The dump has no node that names a node group or an instance type.');
  else {
    out.push('| pool | from | nodes | instance type | capacity | zones | $/node-hour | notes |', '|---|---|---|---|---|---|---|---|');
    for (const p of r.pools) {
      const from = p.labelUsed ? `\`${p.labelUsed}\`` : 'instance type';
      const type = p.type ? `\`${p.type.id}\`` : `${p.typeName ? `\`${p.typeName}\`` : 'none'} (not in the catalog)`;
      const price = p.priceUsdPerHour !== undefined ? String(p.priceUsdPerHour) : p.type ? 'to set' : 'unknown';
      const notes = [...(p.complete ? [] : ['written commented out']), ...p.notes, ...p.todo.map((t) => `EDIT: ${t}`)].join('; ');
      out.push(`| \`${p.name}\` | ${from} | ${p.nodes.length} | ${type} | ${p.capacityType} | ${p.zones.join(', ') || '—'} | ${price} | ${cell(notes)} |`);
    }
    out.push('');
    out.push('Each pool\'s nodes are the Node manifests in `manifests/nodes.yaml`, which join it by their node-group label (docs/scenario.md, "Node manifests and pools"): they keep their own allocatable, labels and taints, and `count` is their number.');
  }
  if (r.ungrouped.length > 0) {
    out.push('', `Nodes in no pool (no node-group label, no instance type), priced $0 (warning \`node-price-unknown\`): ${names(r.ungrouped)}. Label them with \`node.kubernetes.io/instance-type\` (a type of \`capsim catalog\`), or with a node-group label and a pool of that name.`);
  }
  out.push('');

  out.push('## Placement', '');
  out.push(r.placement === 'asDumped'
    ? '`asDumped`: every pod starts on the node it ran on (`spec.nodeName`), each HPA at its current replicas, cordoned nodes stay cordoned. `capsim import cluster --placement reschedule` (or `spec.placement: reschedule`) packs the workloads from scratch instead.'
    : '`reschedule`: the workloads create their pods from scratch and the scheduler packs them; the dump\'s placement is not used.');
  out.push('');

  ownershipSection(out, r.ownership);

  out.push('## Kept', '', '| kind | objects | names |', '|---|---|---|');
  for (const k of r.written) out.push(`| ${k.label} | ${k.names.length} | ${cell(names(k.names))} |`);
  if (r.duplicates.length > 0) out.push('', `Given twice, identical, written once: ${names(r.duplicates)}.`);
  out.push('');

  out.push('## Converted', '');
  out.push('The API server\'s bookkeeping and the status the cluster wrote are dropped; what capsim reads as the cluster\'s state is kept: a Pod\'s `status.phase` and `startTime`, a Job\'s `succeeded`, `failed`, `completionTime` and `conditions`, an HPA\'s `currentReplicas` and `desiredReplicas`, a Node\'s `capacity` and `allocatable`. A Node keeps its labels, annotations, taints, `unschedulable` and `providerID`. `ownerReferences` keep `apiVersion`, `kind`, `name`, `uid` and `controller`.', '');
  if (r.cleaned.length > 0) {
    out.push('| removed | objects |', '|---|---|');
    for (const [what, n] of r.cleaned) out.push(`| ${what} | ${n} |`);
    out.push('');
  }

  out.push('## Skipped', '');
  if (r.skipped.length === 0) out.push('Nothing.');
  else {
    out.push('| kind | objects | why | names |', '|---|---|---|---|');
    for (const k of r.skipped) out.push(`| ${k.label} | ${k.names.length} | ${k.reason} | ${cell(names(k.names))} |`);
  }
  out.push('');
  out.push('## Files', '');
  for (const f of r.files) out.push(`- \`${f}\``);
  return `${out.join('\n')}\n`;
}

const DECISION_TITLE: Record<StateDecision, string> = {
  kept: 'kept: simulated as they are',
  adopted: 'adopted: they belong to a workload of the dump, which runs them (no second copy)',
  converted: 'converted: simulated as another kind',
  history: 'history: finished, counted and not run again',
  skipped: 'skipped: not simulated',
  orphan: 'orphans: their controller is not in the dump; they run as bare pods',
  unmanaged: 'unmanaged: their controller is a kind capsim does not simulate; bare pods nothing replaces',
};

/** The loader's decisions, as `capsim validate` makes them: which pods belong to which workload,
 *  which Jobs are history, which objects are Helm hooks or kinds not simulated. */
function ownershipSection(out: string[], ownership: ReportInput['ownership']): void {
  out.push('## Ownership and state', '');
  if (!ownership) {
    out.push('Decided when the scenario loads: `capsim validate scenario.yaml` reports it.', '');
    return;
  }
  if ('problems' in ownership) {
    out.push('Decided when the scenario loads, and the scenario as written does not load yet (fix these, then `capsim validate scenario.yaml` reports it):', '');
    for (const p of ownership.problems) out.push(`- ${cell(p)}`);
    out.push('');
    return;
  }
  const { state } = ownership;
  if (state.entries.length === 0) {
    out.push('No object of the dump has a state to start from (no pod runs on a node or has an owner, no ReplicaSet or Job belongs to a workload): its pods are created at the start and the scheduler places them.', '');
    return;
  }
  out.push(state.placement === 'asDumped'
    ? `${state.runningPods} pod${state.runningPods === 1 ? '' : 's'} start${state.runningPods === 1 ? 's' : ''} Running on the node${state.runningPods === 1 ? '' : 's'} the dump has them on.`
    : 'The workloads create and schedule their pods afresh.', '');
  out.push('| decision | objects | which, and why |', '|---|---|---|');
  for (const [decision, title] of Object.entries(DECISION_TITLE) as [StateDecision, string][]) {
    const list = state.entries.filter((e) => e.decision === decision);
    if (list.length === 0) continue;
    const shown = list.slice(0, NAMED).map((e) => `\`${e.object}\` (${e.reason})`).join('; ');
    out.push(`| ${title} | ${list.length} | ${cell(list.length > NAMED ? `${shown}; and ${list.length - NAMED} more` : shown)} |`);
  }
  out.push('');
  if (state.warnings.length > 0) {
    out.push('What these decisions leave the results unable to say:', '');
    for (const w of state.warnings) out.push(`- **${w.title}**: ${cell(w.message)}`);
    out.push('');
  }
}

/** "a, b, c and 7 more" */
function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMED).map((n) => `\`${n}\``).join(', ');
  return list.length > NAMED ? `${shown} and ${list.length - NAMED} more` : shown;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
