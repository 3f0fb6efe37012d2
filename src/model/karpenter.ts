// Karpenter's objects as capsim reads them from manifests (scenario/kube/karpenter.ts converts
// them; karpenter/ computes with them): karpenter.sh/v1 NodePool and NodeClaim, karpenter.k8s.aws/v1 EC2NodeClass and
// karpenter.azure.com AKSNodeClass. Field names are upstream's:
//   kubernetes-sigs/karpenter@22664681:pkg/apis/v1/nodepool.go, nodeclaim.go
//   aws/karpenter-provider-aws@1d927085:pkg/apis/v1/ec2nodeclass.go
//   Azure/karpenter-provider-azure@352646f5:pkg/apis/v1beta1/aksnodeclass.go
// Until provisioning exists, nothing launches or disrupts nodes from them: they are checked,
// and `capsim validate` prints each NodePool's menu (karpenter/instanceTypes.ts).
import type { SourceRef } from './objects.ts';

/** The operators of a NodePool requirement (corev1's six and Karpenter v1's Gte, Lte). */
export const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'] as const;
export type Operator = (typeof OPERATORS)[number];

/** The kubelet settings of a NodeClass that change a type's capacity or allocatable. */
export interface KubeletOverrides {
  maxPods?: number;
  kubeReserved?: { cpuMilli?: number; memoryBytes?: number };
  systemReserved?: { cpuMilli?: number; memoryBytes?: number };
  /** evictionHard memory.available as written ("100Mi", "5%": a percentage of capacity memory). */
  evictionHardMemoryAvailable?: string;
  /** EC2NodeClass amiFamily: Bottlerocket reserves memory by the pod count it runs, the others by the ENI limit. */
  amiFamily?: string;
}

export interface NodeSelectorRequirementWithMinValues {
  key: string;
  operator: Operator;
  values: readonly string[];
  minValues?: number;
}

export interface NodeClassRef {
  group: string;
  kind: string;
  name: string;
}

export interface KarpenterTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface DisruptionBudget {
  nodes: string;
  schedule?: string;
  duration?: string;
  reasons?: readonly string[];
}

export interface NodePoolObject {
  kind: 'NodePool';
  name: string;
  source: SourceRef;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  requirements: readonly NodeSelectorRequirementWithMinValues[];
  nodeClassRef: NodeClassRef;
  taints: readonly KarpenterTaint[];
  startupTaints: readonly KarpenterTaint[];
  /** "720h" (the default) or "Never". */
  expireAfter: string;
  terminationGracePeriod: string | null;
  /** Resource name -> quantity as written ("cpu: 1000", "memory: 1000Gi", "nodes: 10"). */
  limits: Readonly<Record<string, string | number>>;
  /** 0 when unset (upstream: "treated as if it is a nodepool with a weight of 0"). */
  weight: number;
  /** Static NodePool (alpha): a fixed node count. */
  replicas: number | null;
  disruption: { consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized' | 'Balanced'; consolidateAfter: string; budgets: readonly DisruptionBudget[] };
}

export interface NodeClaimObject {
  kind: 'NodeClaim';
  name: string;
  source: SourceRef;
  nodePool: string | null;
  requirements: readonly NodeSelectorRequirementWithMinValues[];
  nodeClassRef: NodeClassRef;
  nodeName: string | null;
}

export interface NodeClassObject {
  kind: 'EC2NodeClass' | 'AKSNodeClass';
  group: string;
  name: string;
  source: SourceRef;
  provider: 'aws' | 'azure';
  /** EC2NodeClass amiFamily (or the family of an amiSelectorTerms alias, "al2023@latest"); AKSNodeClass imageFamily. */
  amiFamily: string | null;
  /** amiSelectorTerms as written, for drift later. */
  amiSelectorTerms: readonly Readonly<Record<string, unknown>>[];
  kubelet: KubeletOverrides;
}

export type KarpenterObject = NodePoolObject | NodeClaimObject | NodeClassObject;

/** A scenario's Karpenter objects, by kind, in declaration order. */
export interface KarpenterInput {
  nodePools: NodePoolObject[];
  nodeClaims: NodeClaimObject[];
  nodeClasses: NodeClassObject[];
  /** spec.karpenter.startupDelay: from a NodeClaim's launch to its Node Ready (default 90s). */
  startupDelayMs?: number;
  /** Scripted changes to NodePools and NodeClasses (spec.events nodePoolUpdate / nodeClassUpdate),
   *  applied by the Karpenter controller at their time: the drift preview. */
  changes?: KarpenterChange[];
  /** The SpotToSpotConsolidation feature gate (spec.karpenter.featureGates; upstream default false). */
  spotToSpotConsolidation?: boolean;
  /** spec.karpenter.spot: spot prices where the catalog has none, and spot interruptions. */
  spot?: KarpenterSpot;
  /** spec.pricing, as Karpenter's offerings see it: list prices, never discounts. */
  offeringPrices?: OfferingPrices;
}

/** What Karpenter's offerings are priced from under spec.pricing: the region's on-demand list
 *  prices (as Karpenter's pricing provider reads the public price list) and the spot price in
 *  effect at the run's start (Karpenter polls the spot price history; capsim's offerings keep the
 *  price of the start, while the nodes are billed at the price in effect). */
export interface OfferingPrices {
  region?: string;
  /** Spot $/h at the run's start by "type zone" (type lower case, bare name). */
  spotAtStart: ReadonlyMap<string, number>;
}

export interface KarpenterSpot {
  /** Spot price as a share of on-demand, for types without a catalog spot price. */
  priceRatio?: number;
  /** Interruptions per spot node and day (a Poisson process per node), 0 for none. */
  interruptionsPerNodeDay: number;
  /** The interruption notice (AWS: two minutes). */
  noticeMs: number;
}

/** A scripted change of a NodePool's template or disruption settings, or of a NodeClass (a new
 *  image, other selector terms). Unset fields stay as they are. */
export interface KarpenterChange {
  atMs: number;
  nodePool?: {
    name: string;
    labels?: Readonly<Record<string, string>>;
    annotations?: Readonly<Record<string, string>>;
    taints?: readonly KarpenterTaint[];
    requirements?: readonly NodeSelectorRequirementWithMinValues[];
    expireAfter?: string;
    terminationGracePeriod?: string | null;
    consolidationPolicy?: NodePoolObject['disruption']['consolidationPolicy'];
    consolidateAfter?: string;
    budgets?: readonly DisruptionBudget[];
  };
  nodeClass?: {
    name: string;
    amiSelectorTerms?: readonly Readonly<Record<string, unknown>>[];
    /** A new image is released: NodeClasses that follow the latest image (an "@latest" alias) drift. */
    newImage?: boolean;
  };
}
