// Right-sizing an idle cluster (issue 21): the node count and instance type that would have served
// the pods of the run's peak of requests, packed first-fit-decreasing over the catalog's types of
// the run's provider and architectures (binPack.ts), priced at on-demand list prices, against what
// the run cost a month. Pools whose pods the packing cannot move (selectors, node affinity,
// taints) stay as they are, at their run cost.
import { findInstanceType, listInstanceTypes, type InstanceType, type Provider } from '../cost/catalog.ts';
import type { FleetAdvice, Summary } from '../outputs/summary.ts';
import { usd } from '../outputs/money.ts';
import { candidateTypes, cheapestFleet, type BinShape, type PodShape } from './binPack.ts';
import type { PeakSnapshot } from './collect.ts';

export const HOURS_PER_MONTH = 730;
/** Advise a fleet only when it saves more than this share of the run's monthly cost. */
export const FLEET_SAVING_SHARE = 0.1;

const IGNORES = [
  'zones beyond one node in each zone the pools had, and topology spread (spread pods may need more nodes in every zone)',
  'surge and failure headroom (a rollout, a node failure or a peak above this run\'s needs spare nodes)',
  'usage above requests (pods are packed by their requests, as the scheduler places them)',
  'the run\'s discounts and spot prices (the proposal is priced at on-demand list prices)',
];

/** `catalog`: the types to choose from (a test's few; the whole catalog by default). */
export function fleetAdvice(summary: Summary, peak: PeakSnapshot | null, catalog: readonly InstanceType[] = listInstanceTypes()): FleetAdvice {
  const hours = summary.durationSeconds / 3600;
  const current = summary.cost.monthlyRunRateUsd;
  const base: FleetAdvice = {
    advised: false, summary: '', currentMonthlyUsd: current, proposedMonthlyUsd: null, savingMonthlyUsd: null,
    peakSeconds: peak ? peak.tMs / 1000 : null, peakPods: peak ? peak.pods.length : 0, peakNodes: peak ? peak.nodes.length : 0,
    proposal: [], kept: [], ignores: IGNORES,
  };
  const no = (why: string): FleetAdvice => ({ ...base, summary: why });
  if (!peak || peak.pods.length === 0 || hours <= 0) return no('No pod held requests on a node: nothing to size a fleet for.');
  if (current <= 0) return no('The run cost nothing: no fleet to compare with.');
  const monthly = (pool: string) => ((summary.cost.byPool[pool] ?? 0) / hours) * HOURS_PER_MONTH;

  // Which pools keep their nodes, and why.
  const pools = new Map<string, { types: Set<string>; reason: string | null }>();
  for (const n of peak.nodes) {
    let p = pools.get(n.pool);
    if (!p) pools.set(n.pool, (p = { types: new Set(), reason: null }));
    const type = n.instanceType ? catalogType(n.instanceType) : undefined;
    if (type) p.types.add(type.id);
    if (p.reason) continue;
    if (n.taints.length > 0) p.reason = `tainted (${n.taints[0]})`;
    else if (!n.instanceType) p.reason = 'nodes without an instance type (capacity written in the scenario): nothing to price a fleet with';
    else if (!type) p.reason = `nodes of ${n.instanceType}, which the catalog does not have`;
  }
  for (const pod of peak.pods) {
    const p = pools.get(pod.pool);
    if (p && !p.reason && pod.pinned && !pod.daemon) p.reason = `${pod.workload} needs its nodes (${pod.pinned})`;
  }
  const kept = [...pools].filter(([, p]) => p.reason).map(([pool, p]) => ({ pool, reason: p.reason!, monthlyUsd: round2(monthly(pool)) }));
  const flexible = [...pools].filter(([, p]) => !p.reason).map(([pool]) => pool);
  if (flexible.length === 0) return no(`No pool can be packed anew (${kept.map((k) => `${k.pool}: ${k.reason}`).join('; ')}): no fleet proposed.`);
  const types = flexible.flatMap((pool) => [...pools.get(pool)!.types]).map((id) => findInstanceType(id)!);
  if (types.length === 0) return no('No node of the run has an instance type the catalog knows: nothing to pack over.');
  const providers = new Set<Provider>(types.map((t) => t.provider));
  if (providers.size !== 1) return no(`The pools span ${[...providers].join(' and ')}: no one catalog to pack over.`);
  const provider = [...providers][0];
  const arches = new Set<string>(types.map((t) => t.arch));

  // DaemonSet pods run on every node: each node of the proposal gives them the largest of each's requests.
  const daemonSets = new Map<string, PodShape>();
  const pods: PodShape[] = [];
  const flex = new Set(flexible);
  for (const pod of peak.pods) {
    if (!flex.has(pod.pool)) continue;
    if (!pod.daemon) {
      pods.push(pod);
      continue;
    }
    const d = daemonSets.get(pod.workload);
    daemonSets.set(pod.workload, d ? { cpuMilli: Math.max(d.cpuMilli, pod.cpuMilli), memoryBytes: Math.max(d.memoryBytes, pod.memoryBytes), gpu: Math.max(d.gpu, pod.gpu) } : pod);
  }
  const daemon: BinShape = { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: daemonSets.size };
  for (const d of daemonSets.values()) {
    daemon.cpuMilli += d.cpuMilli;
    daemon.memoryBytes += d.memoryBytes;
  }
  if (pods.length === 0) return no(`No pod but DaemonSet pods ran on ${flexible.join(', ')} at the peak of requests: nothing to pack${kept.length > 0 ? ` (${kept.map((k) => `${k.pool}: ${k.reason}`).join('; ')})` : ''}.`);
  // One node at least in each zone the pools had: a fleet in one zone is not the same cluster.
  const zones = new Set(peak.nodes.filter((n) => flex.has(n.pool) && n.zone).map((n) => n.zone));
  const proposal: FleetAdvice['proposal'] = [];
  for (const needsGpu of [false, true]) {
    const group = pods.filter((p) => (p.gpu > 0) === needsGpu);
    if (group.length === 0) continue;
    const choice = cheapestFleet(group, candidateTypes(provider, arches, needsGpu, catalog), daemon, needsGpu ? 1 : Math.max(1, zones.size));
    if (!choice) return no(`No ${needsGpu ? 'GPU ' : ''}instance type of ${provider} (${[...arches].join(', ')}) holds every pod of the peak: no fleet proposed.`);
    proposal.push({ instanceType: choice.type.id, nodes: choice.nodes, monthlyUsd: round2(choice.usdPerHour * HOURS_PER_MONTH), pools: flexible });
  }
  const proposed = round2(proposal.reduce((s, f) => s + f.monthlyUsd, 0) + kept.reduce((s, k) => s + k.monthlyUsd, 0));
  const saving = round2(current - proposed);
  const advised = saving > FLEET_SAVING_SHARE * current;
  const fleet = proposal.map((f) => `${f.nodes} × ${f.instanceType}`).join(' + ');
  const keptText = kept.length > 0 ? ` (${kept.map((k) => k.pool).join(', ')} kept as ${kept.length === 1 ? 'it is' : 'they are'})` : '';
  const held = `the ${base.peakPods} pod${base.peakPods === 1 ? '' : 's'} of the peak`;
  const text = advised
    ? `${fleet} would have held ${held}${keptText}: ${usd(proposed)} a month instead of ${usd(current)}, saving ${usd(saving)} (${Math.round((100 * saving) / current)}%).`
    : `${fleet} would have held ${held}${keptText} for ${usd(proposed)} a month against the run's ${usd(current)}: not ${Math.round(FLEET_SAVING_SHARE * 100)}% cheaper, so no fleet advice.`;
  return { ...base, advised, summary: text, proposedMonthlyUsd: proposed, savingMonthlyUsd: saving, proposal, kept };
}

/** A node's instance type in the catalog: "aws/m5.large", or a bare "m5.large" (Karpenter's nodes, a
 *  cluster's state) when exactly one provider has that name. */
function catalogType(name: string): InstanceType | undefined {
  const found = findInstanceType(name);
  if (found || name.includes('/')) return found;
  const matches = (['aws', 'gce', 'azure'] as const).map((p) => findInstanceType(`${p}/${name}`)).filter((t) => t !== undefined);
  return matches.length === 1 ? matches[0] : undefined;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
