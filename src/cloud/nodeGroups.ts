// Which node group a Node belongs to, and what it costs, read from the labels the managed
// offerings and Karpenter put on their nodes. A real cluster's Node carries no price and no
// pool: it says which node group launched it (one label per offering), its instance type, zone,
// region, architecture and capacity type (well-known labels), and its cloud in spec.providerID.
// `capsim import cluster` groups Nodes into pools by it, and the scenario loader lets a Node
// manifest join the pool of its group or prices it from the catalog by its type.
//
// The labels, each with where it is documented:
// - node.kubernetes.io/instance-type, topology.kubernetes.io/zone, topology.kubernetes.io/region,
//   kubernetes.io/arch (and their deprecated beta.kubernetes.io/instance-type,
//   failure-domain.beta.kubernetes.io/zone and /region, beta.kubernetes.io/arch): Kubernetes'
//   "Well-Known Labels, Annotations and Taints", https://kubernetes.io/docs/reference/labels-annotations-taints/
// - eks.amazonaws.com/nodegroup and eks.amazonaws.com/capacityType (ON_DEMAND, SPOT,
//   CAPACITY_BLOCK): EKS managed node groups, "Managed node groups" and "Managed node group
//   capacity types", https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html
// - cloud.google.com/gke-nodepool, cloud.google.com/gke-spot and cloud.google.com/gke-preemptible
//   ("true"): GKE, https://cloud.google.com/kubernetes-engine/docs/concepts/node-pools,
//   https://cloud.google.com/kubernetes-engine/docs/concepts/spot-vms and
//   https://cloud.google.com/kubernetes-engine/docs/how-to/preemptible-vms
// - kubernetes.azure.com/agentpool (and the older agentpool) and
//   kubernetes.azure.com/scalesetpriority (spot): AKS, https://learn.microsoft.com/azure/aks/use-labels
//   and https://learn.microsoft.com/azure/aks/spot-node-pool
// - karpenter.sh/nodepool (karpenter.sh/provisioner-name before v1beta1) and
//   karpenter.sh/capacity-type (spot, on-demand, reserved): Karpenter's well-known labels,
//   https://karpenter.sh/docs/concepts/scheduling/#well-known-labels
// - spec.providerID: aws:///<zone>/<instance>, gce://<project>/<zone>/<instance>,
//   azure:///subscriptions/...: the cloud-provider's ProviderID, as each cloud controller sets it
//   (kubernetes/cloud-provider-aws, cloud-provider-gcp, cloud-provider-azure).
import { listInstanceTypes, providerOf, type InstanceType, type Provider } from '../cost/catalog.ts';

export type NodeCapacityType = 'on-demand' | 'spot';

/** What a Node's labels say about the group that launched it. */
export interface NodeGroup {
  /** The pool it belongs to, as a capsim pool name (a DNS label): the node-group label's value,
   *  else its instance type and capacity type ("m5-xlarge", "m5-xlarge-spot"); null when the node
   *  has neither (a hand-written Node, a kind or kubeadm cluster). */
  pool: string | null;
  /** The instance-type label as written ("m5.xlarge"). */
  instanceType?: string;
  zone?: string;
  region?: string;
  arch?: string;
  /** From the offering's capacity-type label; undefined when no label says (an on-demand node,
   *  for every offering above, carries no spot label). */
  capacityType: NodeCapacityType | undefined;
  /** The label the pool's name comes from, or null (instance type, or nothing). */
  labelUsed: string | null;
}

/** Node-group labels, in the order they are looked at, with the provider each implies. */
export const NODE_GROUP_LABELS: readonly { key: string; provider?: Provider }[] = [
  { key: 'eks.amazonaws.com/nodegroup', provider: 'aws' },
  { key: 'cloud.google.com/gke-nodepool', provider: 'gce' },
  { key: 'kubernetes.azure.com/agentpool', provider: 'azure' },
  { key: 'agentpool', provider: 'azure' },
  { key: 'karpenter.sh/nodepool' },
  { key: 'karpenter.sh/provisioner-name' },
  // capsim's own pools (a dump of a cluster capsim made, or a Node written after one).
  { key: 'capsim.io/pool' },
];

const INSTANCE_TYPE = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];
const ZONE = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];
const ARCH = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];

function first(labels: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (labels[key]) return labels[key];
  return undefined;
}

/** The capacity type the labels state, or undefined. */
function capacityTypeOf(labels: Record<string, string>): NodeCapacityType | undefined {
  const karpenter = labels['karpenter.sh/capacity-type'];
  if (karpenter) return karpenter.toLowerCase() === 'spot' ? 'spot' : 'on-demand'; // on-demand, reserved
  const eks = labels['eks.amazonaws.com/capacityType'];
  if (eks) return eks.toUpperCase() === 'SPOT' ? 'spot' : 'on-demand'; // ON_DEMAND, CAPACITY_BLOCK
  if (labels['cloud.google.com/gke-spot'] === 'true' || labels['cloud.google.com/gke-preemptible'] === 'true') return 'spot';
  const aks = labels['kubernetes.azure.com/scalesetpriority'];
  if (aks) return aks.toLowerCase() === 'spot' ? 'spot' : 'on-demand';
  const capsim = labels['capsim.io/capacity-type'];
  if (capsim === 'spot' || capsim === 'on-demand') return capsim;
  return undefined;
}

/** A node group's name as a pool name: a DNS label (lower case, letters, digits and "-", at most
 *  63 characters); "" when nothing is left. EKS allows "_" and capitals, Azure types have them. */
export function poolNameOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
}

/** The node group of a Node, from its labels alone. */
export function nodeGroupOf(labels: Record<string, string>): NodeGroup {
  const instanceType = first(labels, INSTANCE_TYPE);
  const capacityType = capacityTypeOf(labels);
  const group: NodeGroup = { pool: null, capacityType, labelUsed: null };
  if (instanceType) group.instanceType = instanceType;
  const zone = first(labels, ZONE);
  if (zone) group.zone = zone;
  const region = first(labels, REGION);
  if (region) group.region = region;
  const arch = first(labels, ARCH);
  if (arch) group.arch = arch;
  for (const { key } of NODE_GROUP_LABELS) {
    const name = labels[key] ? poolNameOf(labels[key]) : '';
    if (name) {
      group.pool = name;
      group.labelUsed = key;
      return group;
    }
  }
  const byType = instanceType ? poolNameOf(instanceType) : '';
  if (byType) group.pool = capacityType === 'spot' ? `${byType}-spot`.slice(0, 63) : byType;
  return group;
}

/** The cloud a Node runs on: its spec.providerID's scheme, else the offering its labels name;
 *  undefined when neither says. */
export function nodeProviderOf(labels: Record<string, string>, providerID?: string): Provider | undefined {
  const scheme = providerID ? /^([a-z]+):\/\//i.exec(providerID)?.[1] : undefined;
  const fromId = scheme ? providerOf(scheme) : undefined;
  if (fromId) return fromId;
  for (const { key, provider } of NODE_GROUP_LABELS) if (provider && labels[key]) return provider;
  const keys = Object.keys(labels);
  if (keys.some((k) => k.startsWith('eks.amazonaws.com/') || k.startsWith('karpenter.k8s.aws/') || k.startsWith('topology.k8s.aws/'))) return 'aws';
  if (keys.some((k) => k.startsWith('cloud.google.com/'))) return 'gce';
  if (keys.some((k) => k.startsWith('kubernetes.azure.com/') || k.startsWith('karpenter.azure.com/'))) return 'azure';
  return undefined;
}

/** The catalog's type for an instance-type label: found, or why not. */
export type CatalogMatch =
  | { type: InstanceType }
  | { type?: undefined; reason: 'unknown'; provider?: Provider }
  | { type?: undefined; reason: 'ambiguous'; candidates: InstanceType[] };

/** Looks up a bare instance-type name ("m5.xlarge") in the catalog, in the node's provider when
 *  it is known, else in every provider (a name two providers share is ambiguous). */
export function catalogTypeOf(name: string, provider?: Provider): CatalogMatch {
  const wanted = name.toLowerCase();
  const found = listInstanceTypes().filter((t) => t.name.toLowerCase() === wanted && (provider === undefined || t.provider === provider));
  if (found.length === 1) return { type: found[0] };
  if (found.length > 1) return { reason: 'ambiguous', candidates: found };
  return provider === undefined ? { reason: 'unknown' } : { reason: 'unknown', provider };
}
