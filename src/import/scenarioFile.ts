// scenario.yaml of an imported cluster: the node pools from the dump's node groups, each with a
// comment saying where it came from and what a dump could not tell; the cleaned manifests; the
// placement (start where the cluster is, or pack from scratch); and what to edit next. Written
// as text so that every comment sits where a reader needs it; the pools are YAML.stringify'd.
import YAML from 'yaml';
import type { ImportedPool } from './pools.ts';
import { usdPerHour } from '../outputs/money.ts';

export type Placement = 'asDumped' | 'reschedule';

export interface ScenarioFileInput {
  name: string;
  /** The inputs as given, for the header. */
  sources: string[];
  /** The latest time the dump records, or null. */
  start: string | null;
  pools: ImportedPool[];
  /** Nodes in no pool (no node group, no instance type). */
  ungrouped: string[];
  placement: Placement;
  /** Whether this capsim reads spec.placement (the loader's field); when not, it is a comment. */
  /** Whether any manifest file is written. */
  manifests: boolean;
}

export function scenarioYaml(input: ScenarioFileInput): string {
  const lines: string[] = [];
  const comment = (text: string, indent = '') => lines.push(...wrap(text).map((l) => `${indent}# ${l}`.trimEnd()));
  comment(`Imported by \`capsim import cluster\` from ${input.sources.join(', ')}. What was kept, converted and skipped, and why, is in import-report.md; read it before trusting a result.`);
  comment('The pods start on the nodes they ran on (spec.placement), every workload uses exactly its requests (the dump has no usage: add behavior[].usage or import metrics before reading HPA or rightsizing results), and the node pools are fixed at the size the cluster had (a dump does not say what the cluster autoscaler may do).');
  lines.push('apiVersion: capsim/v1', 'kind: Scenario', 'metadata:', `  name: ${input.name}`, `  description: ${JSON.stringify(`The cluster of ${input.sources.join(', ')}, as it was`)}`, 'spec:');
  if (input.start) {
    comment('The latest time the dump records: CronJobs and Jobs go on from there.', '  ');
    lines.push(`  start: "${input.start}"`);
  }
  comment('How long to simulate, and how often to sample: edit.', '  ');
  lines.push('  duration: 1d', '  sampleEvery: 5m');
  const placementNote = input.placement === 'asDumped'
    ? 'asDumped: every pod starts bound to the node it ran on, each HPA at its current replicas, cordoned nodes cordoned; reschedule: the workloads create their pods from scratch and the scheduler packs them.'
    : 'reschedule: the workloads create their pods from scratch and the scheduler packs them; asDumped would start every pod on the node it ran on.';
  comment(placementNote, '  ');
  lines.push(`  placement: ${input.placement}`);
  lines.push('  cluster:');
  comment('No cluster autoscaler: a dump does not say whether one runs, nor its bounds. To simulate one, add `autoscaler: {}` here and min/max to each pool.', '    ');
  const complete = input.pools.filter((p) => p.complete);
  // Only commented pools: `nodePools:` alone reads as none, and uncommenting one makes it a list.
  lines.push(complete.length > 0 || input.pools.length > 0 ? '    nodePools:' : '    nodePools: []');
  for (const pool of input.pools) lines.push(...poolLines(pool));
  if (input.ungrouped.length > 0) {
    comment(`${input.ungrouped.length} node${input.ungrouped.length === 1 ? ' has' : 's have'} no node group and no instance type (${shortList(input.ungrouped)}): ${input.ungrouped.length === 1 ? 'it stays a Node manifest' : 'they stay Node manifests'} in manifests/nodes.yaml, priced $0 (warning node-price-unknown). Label ${input.ungrouped.length === 1 ? 'it' : 'them'} with node.kubernetes.io/instance-type, or with a node-group label and a pool of that name here.`, '    ');
  }
  comment('The cleaned objects of the dump (import-report.md lists them).', '  ');
  lines.push(input.manifests ? '  manifests: [manifests/*.yaml]' : '  manifests: []   # the dump holds nothing capsim reads');
  return `${lines.join('\n')}\n`;
}

function poolLines(pool: ImportedPool): string[] {
  const indent = '      ';
  const out: string[] = [];
  const say = (text: string) => out.push(...wrap(text).map((l) => `${indent}# ${l}`.trimEnd()));
  const from = pool.labelUsed ? `node group "${pool.name}" (${pool.labelUsed})` : `nodes of type ${pool.typeName}${pool.capacityType === 'spot' ? ' (spot)' : ''} with no node-group label`;
  const price = pool.priceUsdPerHour !== undefined ? `, ${usdPerHour(pool.priceUsdPerHour)} each (catalog)` : '';
  say(`${from}: ${pool.nodes.length} node${pool.nodes.length === 1 ? '' : 's'}${price}. They are Node manifests that join this pool; count is their number, and min and max default to it.`);
  for (const note of pool.notes) say(note);
  for (const todo of pool.todo) say(`EDIT: ${todo}`);
  const body = YAML.stringify([pool.doc], { lineWidth: 0 }).trimEnd().split('\n').map((l) => `${indent}${l}`);
  if (!pool.complete) {
    out.push(...body.map((l) => `${indent}# ${l.slice(indent.length)}`));
    return out;
  }
  for (const line of body) {
    out.push(line);
    // A spot price the catalog lacks: the line to complete, where it goes.
    if (line.trim() === 'capacityType: spot' && pool.priceUsdPerHour === undefined) out.push(`${indent}  # spot: {pricePerHour: 0.0}   EDIT: what a node-hour costs you; capsim refuses a spot pool without a price`);
  }
  return out;
}

function shortList(names: readonly string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
}

/** Text cut into lines of at most 96 characters, at spaces. */
function wrap(text: string, width = 96): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
