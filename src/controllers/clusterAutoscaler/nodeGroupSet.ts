// Similar node groups and balanced scale-ups, --balance-similar-node-groups
// (processors/nodegroupset: compare_nodegroups.go, {aws,azure,gce}_nodegroups.go,
// balancing_processor.go). Two groups are similar when their template nodes look like the same
// machine: the same capacity (memory within 1.5 %), allocatable and free resources within 5 %, and
// the same labels but those that name the zone, the host or the group itself. A scale-up is then
// spread over the similar groups, the smallest first.
import { LABEL_HOSTNAME, LABEL_POOL, LABEL_REGION, LABEL_ZONE } from '../../model/api.ts';
import type { NodeInfo } from '../../model/node.ts';
import { CPU, MEMORY } from '../../model/resources.ts';
import type { ResourceList } from '../../model/resources.ts';
import { own } from '../../model/records.ts';

/** config.NodeGroupDifferenceRatios defaults: --max-allocatable-difference-ratio,
 *  --max-free-difference-ratio and --memory-difference-ratio (config/const.go). */
export const MAX_ALLOCATABLE_DIFFERENCE_RATIO = 0.05;
export const MAX_FREE_DIFFERENCE_RATIO = 0.05;
export const MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO = 0.015;

/** BasicIgnoredLabels (compare_nodegroups.go), plus capsim's pool label: like a cloud's node-group
 *  label (eks.amazonaws.com/nodegroup, agentpool), it names the group and differs by design. */
export const BASIC_IGNORED_LABELS = [
  LABEL_HOSTNAME,
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  LABEL_ZONE,
  LABEL_REGION,
  'beta.kubernetes.io/fluentd-ds-ready',
  'kops.k8s.io/instancegroup',
  LABEL_POOL,
];

/** The labels each cloud's comparator also ignores (aws_nodegroups.go, azure_nodegroups.go,
 *  gce_nodegroups.go); capsim's catalog names the cloud of a pool's instance type. */
const PROVIDER_IGNORED_LABELS: Record<string, readonly string[]> = {
  aws: ['alpha.eksctl.io/instance-id', 'alpha.eksctl.io/nodegroup-name', 'eks.amazonaws.com/nodegroup', 'k8s.amazonaws.com/eniConfig', 'lifecycle', 'topology.ebs.csi.aws.com/zone'],
  azure: [
    'agentpool',
    'kubernetes.azure.com/agentpool',
    'topology.disk.csi.azure.com/zone',
    'aksEngineVersion',
    'creationSource',
    'poolName',
    'resourceNameSuffix',
    'kubernetes.azure.com/node-image-version',
    'kubernetes.azure.com/consolidated-additional-properties',
  ],
  gce: ['topology.gke.io/zone'],
};

const AZURE_POOL_LABELS = ['kubernetes.azure.com/agentpool', 'agentpool'];

/** NodeInfoComparator: whether two groups' template nodes (with their DaemonSet pods) are alike. */
export type NodeInfoComparator = (a: NodeInfo, b: NodeInfo) => boolean;

/** The comparator the cluster's cloud provider uses (cloudprovider/builder picks it by
 *  --cloud-provider): the cloud of the pools' catalog instance types when they share one, else
 *  the generic one. */
export function comparatorFor(instanceTypes: readonly (string | null)[]): NodeInfoComparator {
  const clouds = new Set(instanceTypes.filter((t): t is string => t !== null).map((t) => t.split('/')[0]));
  const cloud = clouds.size === 1 ? [...clouds][0] : '';
  const ignored = new Set([...BASIC_IGNORED_LABELS, ...(PROVIDER_IGNORED_LABELS[cloud] ?? [])]);
  if (cloud !== 'azure') return (a, b) => similarNodeInfos(a, b, ignored);
  // CreateAzureNodeInfoComparator: nodes of one AKS agent pool are always alike.
  return (a, b) => AZURE_POOL_LABELS.some((l) => a.node.labels[l] && a.node.labels[l] === b.node.labels[l]) || similarNodeInfos(a, b, ignored);
}

/** BalancingNodeGroupSetProcessor.FindSimilarNodeGroups: the other groups, in order, whose
 *  template node the comparator finds alike. */
export function findSimilarNodeGroups<G>(group: G, groups: readonly G[], templateOf: (g: G) => NodeInfo, comparator: NodeInfoComparator): G[] {
  return groups.filter((other) => other !== group && comparator(templateOf(group), templateOf(other)));
}

/** IsCloudProviderNodeInfoSimilar. Quantities compare as MilliValue(), as upstream does. */
export function similarNodeInfos(a: NodeInfo, b: NodeInfo, ignoredLabels: ReadonlySet<string>): boolean {
  const capacity = pairs(capacityOf(a), capacityOf(b));
  for (const [name, values] of capacity) {
    if (values.length !== 2) return false;
    if (name === MEMORY) {
      if (!withinTolerance(values, MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO)) return false;
    } else if (values[0] !== values[1]) return false; // other capacities match exactly (so --cores-total holds for balanced scale-ups)
  }
  for (const [, values] of pairs(allocatableOf(a), allocatableOf(b))) if (!withinTolerance(values, MAX_ALLOCATABLE_DIFFERENCE_RATIO)) return false;
  for (const [, values] of pairs(freeOf(a), freeOf(b))) if (!withinTolerance(values, MAX_FREE_DIFFERENCE_RATIO)) return false;
  return sameLabels(a.node.labels, b.node.labels, ignoredLabels);
}

/** resourceListWithinTolerance: larger - smaller <= larger x ratio. */
function withinTolerance(values: readonly number[], ratio: number): boolean {
  if (values.length !== 2) return false;
  const larger = Math.max(values[0], values[1]);
  const smaller = Math.min(values[0], values[1]);
  return larger - smaller <= larger * ratio;
}

/** compareLabels: every label not ignored is on both nodes with the same value. */
function sameLabels(a: Record<string, string>, b: Record<string, string>, ignored: ReadonlySet<string>): boolean {
  for (const key in a) if (!ignored.has(key) && own(b, key) !== a[key]) return false;
  for (const key in b) if (!ignored.has(key) && !Object.hasOwn(a, key)) return false;
  return true;
}

type Milli = Map<string, number>;

function pairs(a: Milli, b: Milli): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of [a, b]) for (const [name, v] of m) out.set(name, [...(out.get(name) ?? []), v]);
  return out;
}

/** A ResourceList as the resource names a Node's status lists, in milli-units. Zero amounts of
 *  memory-like resources are not listed (capsim keeps no "absent" apart from 0). */
function listed(r: ResourceList, pods: number): Milli {
  const m: Milli = new Map([
    [CPU, r.cpuMilli],
    [MEMORY, r.memoryBytes * 1000],
    ['pods', pods * 1000],
  ]);
  if (r.ephemeralStorageBytes > 0) m.set('ephemeral-storage', r.ephemeralStorageBytes * 1000);
  for (const name in r.scalar) m.set(name, r.scalar[name] * 1000);
  return m;
}

function capacityOf(info: NodeInfo): Milli {
  return listed(info.node.capacity, info.node.allocatablePods);
}

function allocatableOf(info: NodeInfo): Milli {
  return listed(info.node.allocatable, info.node.allocatablePods);
}

/** allocatable - requested, for the resources in ResourceToResourceList(Requested): cpu, memory,
 *  pods (never counted in Requested), ephemeral-storage and the extended resources requested. */
function freeOf(info: NodeInfo): Milli {
  const node = info.node;
  const req = info.requested;
  const free: Milli = new Map([
    [CPU, node.allocatable.cpuMilli - req.cpuMilli],
    [MEMORY, (node.allocatable.memoryBytes - req.memoryBytes) * 1000],
    ['pods', node.allocatablePods * 1000],
    ['ephemeral-storage', (node.allocatable.ephemeralStorageBytes - req.ephemeralStorageBytes) * 1000],
  ]);
  for (const name in req.scalar) free.set(name, ((node.allocatable.scalar[name] ?? 0) - req.scalar[name]) * 1000);
  return free;
}

/** nodegroupset.ScaleUpInfo: a group grown from currentSize to newSize. */
export interface ScaleUpInfo<G> {
  group: G;
  currentSize: number;
  newSize: number;
  maxSize: number;
}

/** BalanceScaleUpBetweenGroups: `newNodes` spread over the groups, each new node going to the
 *  smallest group, never past a group's max size (the total is capped at what the groups can
 *  take). Groups that grow are returned, in the order the algorithm leaves them. Equal sizes go
 *  in the order given (the chosen group first), as Go's sort.Slice does for a few groups. */
export function balanceScaleUpBetweenGroups<G>(groups: readonly { group: G; currentSize: number; maxSize: number }[], newNodes: number): ScaleUpInfo<G>[] {
  const infos: ScaleUpInfo<G>[] = [];
  let capacity = 0;
  for (const g of groups) {
    if (g.currentSize >= g.maxSize) continue; // already maxed
    infos.push({ group: g.group, currentSize: g.currentSize, newSize: g.currentSize, maxSize: g.maxSize });
    capacity += g.maxSize - g.currentSize;
  }
  let left = Math.min(newNodes, capacity);
  infos.sort((x, y) => x.currentSize - y.currentSize);
  // Loop invariants as upstream: groups before `start` are full; from `start` to `current` they
  // have one size; the rest are at most one node smaller than those.
  let start = 0;
  let current = 0;
  while (left > 0) {
    if (infos[current].newSize < infos[current].maxSize) {
      infos[current].newSize++;
      left--;
    } else {
      // A full group leaves the running: swapped to `start`, which moves on.
      [infos[start], infos[current]] = [infos[current], infos[start]];
      start++;
    }
    // Upstream reads the slot at `current` again here (a pointer into the slice), whichever group
    // the swap put there.
    if (current < infos.length - 1 && infos[current].newSize > infos[current + 1].newSize) current++;
    else current = start;
  }
  return infos.filter((i) => i.newSize !== i.currentSize);
}
