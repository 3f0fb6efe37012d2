// What the cost of a scenario's Node manifests rests on (issue 15: a Node labelled with an
// instance type used to cost $0 without a word). Each Node manifest is priced by the pool it
// joins or by the catalog (cloud/manifestNodes.ts); one that cannot be priced costs $0, and one
// priced approximately (a spot node at the on-demand price, a pool of another type, another
// region's prices) is only close. Both are warnings in validate, in the run and in summary.json.
import { planManifestNode, type NodePriceIssue } from '../cloud/manifestNodes.ts';
import type { NodeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Scenario } from '../model/scenario.ts';
import type { RunWarning } from '../outputs/summary.ts';

/** Nodes named per cause; the rest are counted. */
const NAMED = 4;

const UNPRICED = new Set<NodePriceIssue['kind']>(['no-type', 'unknown-type', 'ambiguous']);

export function nodePriceWarnings(scenario: Scenario): RunWarning[] {
  const pools = scenario.cluster.nodePools;
  // Nodes by cause, the cause described once: "no node.kubernetes.io/instance-type label".
  const unpriced = new Map<string, string[]>();
  const approximate = new Map<string, string[]>();
  for (const o of scenario.objects) {
    if (o.kind !== 'Node') continue;
    const issue = planManifestNode(o as NodeObject, pools, scenario.pricing, scenario.startEpochMs).issue;
    if (!issue) continue;
    const into = UNPRICED.has(issue.kind) ? unpriced : approximate;
    const cause = describe(issue);
    into.set(cause, [...(into.get(cause) ?? []), o.metadata.name]);
  }
  const out: RunWarning[] = [];
  const warn = (code: RunWarning['code'], title: string, byCause: Map<string, string[]>, message: (n: number) => string) => {
    if (byCause.size === 0) return;
    const nodes = [...byCause.values()].flat();
    out.push({ code, title, objects: nodes.map((name) => objectRef({ kind: 'Node', metadata: { namespace: '', name } })), message: message(nodes.length) });
  };
  warn('node-price-unknown', 'nodes without a price', unpriced, (n) =>
    `${count(n)} cost${n === 1 ? 's' : ''} $0 in this run, so the cost figures leave ${n === 1 ? 'it' : 'them'} out: ${causes(unpriced)}. Label each Node with node.kubernetes.io/instance-type naming a type of \`capsim catalog\` (its cloud from spec.providerID or its labels), or list a node pool whose name is the Node's node group (its eks.amazonaws.com/nodegroup, cloud.google.com/gke-nodepool, kubernetes.azure.com/agentpool or karpenter.sh/nodepool label) with a price.`);
  warn('node-price-approximate', 'node prices approximate', approximate, (n) =>
    `${count(n)} ${n === 1 ? 'is' : 'are'} priced from what capsim has, not what ${n === 1 ? 'it costs' : 'they cost'}: ${causes(approximate)}. Give the pool its price (price.onDemandPerHour, spot.pricePerHour) to count what you pay.`);
  return out;
}

/** Node pools priced $0 an hour (what \`capsim import alibaba-gpu-2023\` writes: the trace has no
 *  prices): a run's cost of $0.00 would read as a figure, so it is a warning. */
export function poolPriceWarnings(scenario: Scenario): RunWarning[] {
  const free = scenario.cluster.nodePools.filter((p) => p.priceUsdPerHour === 0);
  if (free.length === 0) return [];
  const all = free.length === scenario.cluster.nodePools.length;
  return [{
    code: 'pool-price-zero',
    title: 'node pools priced $0',
    objects: free.map((p) => `NodePool/-/${p.name}`),
    message: `${free.length === 1 ? '1 node pool is' : `${free.length} node pools are`} priced $0 an hour, so ${all ? 'the cost figures are $0' : 'the cost figures leave ' + (free.length === 1 ? 'its nodes' : 'their nodes') + ' out'}: ${free.slice(0, NAMED).map((p) => p.name).join(', ')}${free.length > NAMED ? `, and ${free.length - NAMED} more` : ''}. Give each its price (price.onDemandPerHour, or a catalog instanceType; spec.pricing.priceFile for a rate card).`,
  }];
}

function count(n: number): string {
  return n === 1 ? '1 Node manifest' : `${n} Node manifests`;
}

function describe(issue: NodePriceIssue): string {
  switch (issue.kind) {
    case 'no-type':
      return 'no node.kubernetes.io/instance-type label and no pool';
    case 'unknown-type':
      return `instance type "${issue.instanceType}" is not in the catalog${issue.provider ? `'s ${issue.provider} types` : ''}`;
    case 'ambiguous':
      return `instance type "${issue.instanceType}" is ${issue.candidates.join(' and ')} in the catalog and nothing says which cloud`;
    case 'no-spot-price':
      return `spot ${issue.instanceType} has no public spot price in the catalog, so it is priced at the on-demand price (an upper bound)`;
    case 'pool-type-differs':
      return `${issue.instanceType} nodes joined a pool of ${issue.poolType} and are priced as that`;
    case 'other-region':
      return `${issue.instanceType} is priced at ${issue.priceRegion} prices (the catalog's), the nodes are in ${issue.region}`;
  }
}

/** "a, b (why); c (why)", at most NAMED nodes per cause. */
function causes(byCause: Map<string, string[]>): string {
  return [...byCause]
    .map(([cause, names]) => {
      const shown = names.slice(0, NAMED).join(', ') + (names.length > NAMED ? ` and ${names.length - NAMED} more` : '');
      return `${shown} (${cause})`;
    })
    .join('; ');
}
