// A NodePool as the provisioner would start from it: its NodeClass, its requirements (with the
// NodePool's own labels as In requirements, as upstream's NodeClaimTemplate adds them), and the
// menu of instance types and offerings those allow (instanceTypes.ts). The checks and warnings
// about a NodePool (scenario/karpenterChecks.ts) and `capsim validate`'s menu read this.
import type { Provider } from '../cost/catalog.ts';
import { own } from '../model/records.ts';
import { findInstanceType } from '../cost/catalog.ts';
import type { KarpenterInput, NodeClassObject, NodePoolObject } from '../model/karpenter.ts';
import type { Menu } from './instanceTypes.ts';
import { nodePoolMenu } from './instanceTypes.ts';
import type { Requirements } from './requirements.ts';
import { LABEL_INSTANCE_TYPE, LABEL_NODEPOOL, addTo, requirement, requirements } from './requirements.ts';

/** The provider a NodeClass group stands for. */
export const NODE_CLASS_GROUPS: Readonly<Record<string, { provider: Provider; kind: string }>> = {
  'karpenter.k8s.aws': { provider: 'aws', kind: 'EC2NodeClass' },
  'karpenter.azure.com': { provider: 'azure', kind: 'AKSNodeClass' },
};

export interface ResolvedNodePool {
  nodePool: NodePoolObject;
  /** The NodeClass its nodeClassRef names, or null when the manifests lack it. */
  nodeClass: NodeClassObject | null;
  /** From the NodeClass, else from nodeClassRef.group; null for a group capsim has no catalog for. */
  provider: Provider | null;
  requirements: Requirements;
  menu: Menu | null;
  /** Values of node.kubernetes.io/instance-type In that the catalog lacks for the provider. */
  unknownInstanceTypes: string[];
}

/** NodeClaimTemplate requirements: the NodePool's requirements, its labels as In, and
 *  karpenter.sh/nodepool In [name] (kubernetes-sigs/karpenter@22664681:
 *  pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go NewNodeClaimTemplate). */
export function nodePoolRequirements(np: NodePoolObject): Requirements {
  const rs = requirements(...np.requirements.map((r) => requirement(r.key, r.operator, r.values, r.minValues)));
  addTo(rs, ...Object.entries(np.labels).map(([k, v]) => requirement(k, 'In', [v])), requirement(LABEL_NODEPOOL, 'In', [np.name]));
  return rs;
}

export function resolveNodePool(np: NodePoolObject, input: KarpenterInput): ResolvedNodePool {
  const ref = np.nodeClassRef;
  const nodeClass = input.nodeClasses.find((c) => c.group === ref.group && c.kind === ref.kind && c.name === ref.name) ?? null;
  const provider = nodeClass?.provider ?? own(NODE_CLASS_GROUPS, ref.group)?.provider ?? null;
  const rs = nodePoolRequirements(np);
  const menu = provider ? nodePoolMenu(provider, rs, nodeClass?.kubelet ?? {}, input.spot?.priceRatio, input.offeringPrices) : null;
  const unknownInstanceTypes: string[] = [];
  if (provider) {
    for (const r of np.requirements) {
      if (r.key !== LABEL_INSTANCE_TYPE || (r.operator !== 'In' && r.operator !== 'NotIn')) continue;
      for (const v of r.values) if (!findInstanceType(`${provider}/${v}`) && !unknownInstanceTypes.includes(v)) unknownInstanceTypes.push(v);
    }
  }
  return { nodePool: np, nodeClass, provider, requirements: rs, menu, unknownInstanceTypes };
}

/** Every NodePool, by weight (higher first, as the provisioner orders them), then name. */
export function resolveNodePools(input: KarpenterInput): ResolvedNodePool[] {
  return [...input.nodePools].sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name)).map((np) => resolveNodePool(np, input));
}
