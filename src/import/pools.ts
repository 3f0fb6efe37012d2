// Grouping a dump's Nodes into node pools (issue 15, item 2): one pool per node group
// (cloud/nodeGroups.ts nodeGroupOf: the offering's node-group label, else instance type and
// capacity type), typed and priced from the catalog, its zones those of its nodes, its count the
// number of nodes. The Node manifests stay in the scenario and join their pool when it runs
// (cloud/manifestNodes.ts), each with its own status.allocatable; the pool's kubeReserved is set
// so that the nodes the cluster autoscaler adds look like them. What a dump cannot say (the
// autoscaler's bounds, a spot price the catalog lacks, another region's prices) is said, and a
// group of a type the catalog lacks is written as a commented pool for the user to complete.
import { allocatableOf } from '../cloud/cloudProvider.ts';
import { catalogTypeOf, nodeGroupOf, nodeProviderOf, type NodeCapacityType } from '../cloud/nodeGroups.ts';
import type { InstanceType, Provider } from '../cost/catalog.ts';
import { formatBytes, formatCpuMilli } from '../quantity.ts';
import { resourceAmount } from '../scenario/kube/convert.ts';
import { own, setOwn } from '../model/records.ts';
import { convertPools } from '../scenario/pools.ts';
import { Problems, type Site } from '../scenario/problems.ts';
import { nodePoolSchema, type NodePoolDocument } from '../scenario/schema.ts';
import { usdPerHour } from '../outputs/money.ts';

/** Labels a pool does not carry for its nodes: each node's own, or set by capsim itself. */
const PER_NODE_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone', 'topology.k8s.aws/zone-id',
  'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type', 'capsim.io/pool', 'capsim.io/capacity-type',
]);
/** Taints the cluster puts on a node for a while (conditions, cordons, autoscaler marks). */
const TRANSIENT_TAINTS = /^(node\.kubernetes\.io\/|node\.cloudprovider\.kubernetes\.io\/|ToBeDeletedByClusterAutoscaler$|DeletionCandidateOfClusterAutoscaler$|karpenter\.sh\/disrupted$|karpenter\.sh\/disruption$)/;

export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  providerID?: string;
  allocatable: Record<string, unknown>;
  capacity: Record<string, unknown>;
}

/** One node group of the dump, as a pool. */
export interface ImportedPool {
  name: string;
  /** The label its name comes from, or null (instance type). */
  labelUsed: string | null;
  nodes: string[];
  /** The catalog's type of most of its nodes; undefined when the catalog lacks it. */
  type?: InstanceType;
  /** The instance-type label of most of its nodes, as written; undefined when none has one. */
  typeName?: string;
  /** Instance types by number of nodes, most first (more than one: a mixed group). */
  typeCounts: [string, number][];
  capacityType: NodeCapacityType;
  /** Nodes whose capacity type differs from the pool's. */
  otherCapacity: string[];
  zones: string[];
  region?: string;
  provider?: Provider;
  /** The pool as scenario.yaml writes it; commented out when `complete` is false. */
  doc: Record<string, unknown>;
  /** False: the pool needs the user's edit before it can run (`todo` says what). */
  complete: boolean;
  /** Edits the user must make (a spot price the catalog lacks, a type it lacks). */
  todo: string[];
  /** What the pool's reader should know: how allocatable was matched, prices of another region. */
  notes: string[];
  /** Price of one node-hour at the pool's capacity type, when known. */
  priceUsdPerHour?: number;
}

export interface NodeGrouping {
  pools: ImportedPool[];
  /** Nodes of no node group and no instance type: kept as Node manifests, priced $0 (warned). */
  ungrouped: string[];
}

/** The node groups of the dump's Nodes, as pools sorted by name. */
export function groupNodes(nodes: readonly NodeFacts[]): NodeGrouping {
  const groups = new Map<string, { labelUsed: string | null; nodes: NodeFacts[] }>();
  const ungrouped: string[] = [];
  for (const n of nodes) {
    const g = nodeGroupOf(n.labels);
    if (g.pool === null) {
      ungrouped.push(n.name);
      continue;
    }
    const entry = groups.get(g.pool) ?? { labelUsed: g.labelUsed, nodes: [] };
    entry.nodes.push(n);
    groups.set(g.pool, entry);
  }
  const pools = [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, g]) => poolOf(name, g.labelUsed, g.nodes));
  return { pools, ungrouped };
}

function mostCommon(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function poolOf(name: string, labelUsed: string | null, nodes: NodeFacts[]): ImportedPool {
  const groups = nodes.map((n) => nodeGroupOf(n.labels));
  const typeCounts = mostCommon(groups.flatMap((g) => (g.instanceType ? [g.instanceType] : [])));
  const capacityCounts = mostCommon(groups.map((g) => g.capacityType ?? 'on-demand'));
  const capacityType = capacityCounts[0][0] as NodeCapacityType;
  const otherCapacity = nodes.filter((_, i) => (groups[i].capacityType ?? 'on-demand') !== capacityType).map((n) => n.name);
  const zones = [...new Set(groups.flatMap((g) => (g.zone ? [g.zone] : [])))].sort();
  const region = mostCommon(groups.flatMap((g) => (g.region ? [g.region] : [])))[0]?.[0];
  const provider = mostCommon(nodes.flatMap((n) => { const p = nodeProviderOf(n.labels, n.providerID); return p ? [p] : []; }))[0]?.[0] as Provider | undefined;
  const typeName = typeCounts[0]?.[0];
  const match = typeName ? catalogTypeOf(typeName, provider) : undefined;
  const type = match?.type;
  const pool: ImportedPool = {
    name, labelUsed, nodes: nodes.map((n) => n.name).sort(), typeCounts, capacityType, otherCapacity, zones, region, provider,
    doc: {}, complete: true, todo: [], notes: [],
    ...(type ? { type } : {}), ...(typeName ? { typeName } : {}),
  };

  const doc: Record<string, unknown> = { name };
  if (type) doc.instanceType = type.id;
  if (capacityType === 'spot') doc.capacityType = 'spot';
  if (zones.length > 0) doc.zones = zones;
  doc.count = nodes.length;
  const labels = commonLabels(nodes);
  if (Object.keys(labels).length > 0) doc.labels = labels;
  const taints = commonTaints(nodes);
  if (taints.length > 0) doc.taints = taints;
  pool.doc = doc;

  if (!type) {
    pool.complete = false;
    const why = !typeName ? 'its nodes have no node.kubernetes.io/instance-type label'
      : match && 'candidates' in match ? `"${typeName}" is ${match.candidates.map((t) => t.id).join(' and ')} in the catalog and nothing says which cloud`
      : `"${typeName}" is not in the catalog${provider ? `'s ${provider} types` : ''}`;
    const shape = explicitShape(nodes);
    const price = `price.onDemandPerHour${capacityType === 'spot' ? ' and spot.pricePerHour' : ''}`;
    pool.todo.push(`${why}: ${shape ? `its capacity and kubeReserved are its nodes'; give it a price (${price})` : `its nodes differ: give it a capacity (cpu, memory, pods) and a price (${price})`}, then uncomment it; until then its nodes cost $0 (warning node-price-unknown)`);
    Object.assign(doc, shape ?? { capacity: { cpu: '?', memory: '?', pods: '?' } });
    doc.price = { onDemandPerHour: '?' };
    return pool;
  }
  if (capacityType === 'spot' && type.spotUsdPerHour === null) {
    pool.todo.push(`the catalog has no public spot price for ${type.provider} (${type.id} costs ${usdPerHour(type.onDemandUsdPerHour)} on demand): set spot.pricePerHour to what you pay; capsim refuses the scenario until then`);
  }
  pool.priceUsdPerHour = capacityType === 'spot' ? (type.spotUsdPerHour ?? undefined) : type.onDemandUsdPerHour;
  if (region && type.region && region !== type.region) {
    pool.notes.push(`priced at ${type.region} prices (the catalog's); the nodes are in ${region}: set price.onDemandPerHour${capacityType === 'spot' ? ' or spot.pricePerHour' : ''} to yours`);
  }
  if (typeCounts.length > 1) {
    pool.notes.push(`mixed instance types (${typeCounts.map(([t, n]) => `${t} ×${n}`).join(', ')}): a pool has one, ${type.id}, and its nodes are all priced as that (warning node-price-approximate)`);
  }
  if (otherCapacity.length > 0) pool.notes.push(`${otherCapacity.length} of its nodes are not ${capacityType} (${otherCapacity.slice(0, 5).join(', ')}${otherCapacity.length > 5 ? ', ...' : ''}): priced as ${capacityType} with the pool`);
  matchAllocatable(pool, nodes, type);
  return pool;
}

/** Labels every node of the group has with the same value, but each node's own and capsim's. */
function commonLabels(nodes: readonly NodeFacts[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(nodes[0].labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (PER_NODE_LABELS.has(key)) continue;
    if (nodes.every((n) => own(n.labels, key) === value)) setOwn(out, key, value);
  }
  return out;
}

function commonTaints(nodes: readonly NodeFacts[]): { key: string; value?: string; effect: string }[] {
  const id = (t: { key: string; value?: string; effect: string }) => `${t.key}=${t.value ?? ''}:${t.effect}`;
  return nodes[0].taints
    .filter((t) => !TRANSIENT_TAINTS.test(t.key) && nodes.every((n) => n.taints.some((u) => id(u) === id(t))))
    .map((t) => (t.value === undefined ? { key: t.key, effect: t.effect } : { key: t.key, value: t.value, effect: t.effect }));
}

interface Allocatable {
  cpu: number;
  memory: number;
  pods: number;
}

function allocatableOfNode(n: NodeFacts): Allocatable | undefined {
  return amounts(n.allocatable);
}

/** cpu, memory and pods of a status.capacity or status.allocatable; undefined if unreadable. */
function amounts(a: Record<string, unknown>): Allocatable | undefined {
  try {
    if (a.cpu === undefined || a.memory === undefined) return undefined;
    return { cpu: resourceAmount('cpu', a.cpu as string), memory: resourceAmount('memory', a.memory as string), pods: a.pods === undefined ? 110 : resourceAmount('pods', a.pods as string) };
  } catch {
    return undefined;
  }
}

/** kubelet's default evictionHard memory.available, which a pool without an instance type gets
 *  (scenario/pools.ts). */
const DEFAULT_EVICTION_HARD_BYTES = 100 * 1024 * 1024;

/** For a pool without a catalog type: the capacity all its nodes share and the kubeReserved that
 *  leaves their allocatable (capacity - kubeReserved - the default evictionHard), or undefined
 *  when the nodes differ. */
function explicitShape(nodes: readonly NodeFacts[]): Record<string, unknown> | undefined {
  const shapes = nodes.map((n) => ({ capacity: amounts(n.capacity), allocatable: amounts(n.allocatable) }));
  const [first] = shapes;
  const same = (a?: Allocatable, b?: Allocatable) => a && b && a.cpu === b.cpu && a.memory === b.memory && a.pods === b.pods;
  if (!first.capacity || !first.allocatable || !shapes.every((s) => same(s.capacity, first.capacity) && same(s.allocatable, first.allocatable))) return undefined;
  const { capacity, allocatable } = first as { capacity: Allocatable; allocatable: Allocatable };
  return {
    capacity: { cpu: formatCpuMilli(capacity.cpu), memory: formatBytes(capacity.memory), pods: capacity.pods },
    kubeReserved: {
      cpu: formatCpuMilli(Math.max(0, capacity.cpu - allocatable.cpu)),
      memory: formatBytes(Math.max(0, capacity.memory - allocatable.memory - DEFAULT_EVICTION_HARD_BYTES)),
    },
  };
}

/** The Node manifests keep their status.allocatable. The nodes capsim launches for the pool get
 *  the catalog's capacity less the provider's formula; when every node of the group has the same
 *  allocatable and the formula gives another, the pool's kubeReserved (and pods) are set from
 *  the nodes, so that a new node looks like the ones that exist. */
function matchAllocatable(pool: ImportedPool, nodes: readonly NodeFacts[], type: InstanceType): void {
  const all = nodes.map(allocatableOfNode);
  const observed = all[0];
  // Allocatable does not depend on the capacity type (and a spot pool may lack its price yet).
  const { capacityType: _spot, ...onDemand } = pool.doc;
  const converted = convert(onDemand);
  if (!converted) return;
  const formula = allocatableOf(converted);
  const shown = (a: { cpu: number; memory: number; pods: number }) => `cpu ${formatCpuMilli(a.cpu)}, memory ${formatBytes(a.memory)}, pods ${a.pods}`;
  const formulaShown = shown({ cpu: formula.cpu ?? 0, memory: formula.memory ?? 0, pods: formula.pods ?? 0 });
  if (!observed || !all.every((a) => a && a.cpu === observed.cpu && a.memory === observed.memory && a.pods === observed.pods)) {
    pool.notes.push(`its nodes' allocatable differ from one another: each keeps its own; nodes capsim adds get the ${type.provider} formula's (${formulaShown})`);
    return;
  }
  if (observed.pods !== formula.pods) pool.doc.capacity = { pods: observed.pods };
  if (observed.cpu === formula.cpu && observed.memory === formula.memory) {
    if (observed.pods !== formula.pods) pool.notes.push(`pods from the nodes' allocatable (${observed.pods}; the catalog's maxPods is ${formula.pods})`);
    return;
  }
  const cpu = (converted.capacity.cpu ?? 0) - observed.cpu;
  const memory = (converted.capacity.memory ?? 0) - converted.evictionHardMemoryBytes - observed.memory;
  if (cpu < 0 || memory < 0) {
    pool.notes.push(`its nodes' allocatable (${shown(observed)}) is more than ${type.id}'s capacity in the catalog allows: they keep it; nodes capsim adds get the formula's (${formulaShown})`);
    return;
  }
  pool.doc.kubeReserved = { cpu: formatCpuMilli(cpu), memory: formatBytes(memory) };
  pool.notes.push(`kubeReserved set from the nodes' allocatable (${shown(observed)}) so that added nodes match them; the ${type.provider} formula gives ${formulaShown}`);
}

/** The pool as the scenario loader converts it (defaults filled in), or undefined if invalid. */
function convert(doc: Record<string, unknown>): ReturnType<typeof convertPools>['pools'][number] | undefined {
  const parsed = nodePoolSchema.safeParse(doc);
  if (!parsed.success) return undefined;
  const site: Site = { source: null, file: 'import', doc: 0, prefix: [] };
  return convertPools([parsed.data as NodePoolDocument], site, new Problems()).pools[0];
}
