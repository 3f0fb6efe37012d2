// A node: what kube-scheduler's NodeInfo holds (labels, taints, allocatable, bound pods, their
// summed requests and used host ports) plus capsim's pool, price and lifecycle.
import type { Taint } from './api.ts';
import type { ResourceList } from './resources.ts';
import { addInto, emptyResources } from './resources.ts';
import type { Pod } from './pod.ts';
import { HostPortInfo, podHostPorts } from './hostPorts.ts';
import { GpuDevices, gpuAsk, gpuCount } from './gpuDevices.ts';

/** A price adjustment applied to a node: negotiated (lowers the contracted price) or a
 *  commitment such as a Savings Plan or committed-use discount (lowers the effective price). */
export interface NodeDiscount {
  readonly name: string;
  readonly kind: 'negotiated' | 'commitment';
  readonly percent: number;
}

export type NodeState = 'Provisioning' | 'Ready' | 'NotReady' | 'Removed';
export type CapacityType = 'on-demand' | 'spot';

export interface Node {
  readonly index: number;
  readonly name: string;
  labels: Record<string, string>;
  /** metadata.annotations, e.g. cluster-autoscaler.kubernetes.io/scale-down-disabled. */
  annotations: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  capacity: ResourceList;
  allocatable: ResourceList;
  /** status.allocatable.pods (kubelet maxPods, default 110). */
  allocatablePods: number;

  pool: string | null;
  /** The Karpenter NodeClaim whose instance this is (absent for other nodes). */
  nodeClaim?: string;
  zone: string | null;
  instanceType: string | null;
  capacityType: CapacityType;
  /** What the node costs an hour now, after every discount (FOCUS's effective price): what the
   *  run charges and the autoscalers' price comparisons read. */
  priceUsdPerHour: number;
  /** The published price before discounts (a spot node's current spot price); absent: the same
   *  as priceUsdPerHour. */
  listPriceUsdPerHour?: number;
  /** After negotiated discounts, before commitment discounts; absent: priceUsdPerHour. */
  contractedPriceUsdPerHour?: number;
  /** The cloud region ("us-east-1"), when known: from the pricing or the node's zone. */
  region?: string;
  /** The discounts that make its price (spec.pricing.discounts), in the order applied. */
  discounts?: readonly NodeDiscount[];

  state: NodeState;
  /** The machine or its kubelet is down (failure, zone outage); the API learns it only when the
   *  node controller marks the node NotReady after node-monitor-grace-period. */
  down?: boolean;
  /** status.conditions MemoryPressure is True (the kubelet's eviction manager posts it). */
  memoryPressure?: boolean;
  createdMs: number;
  readyMs: number;
  removedMs: number;

  /** Pods bound to this node that still hold resources (running, starting or terminating). */
  info: NodeInfo;
}

/** framework.NodeInfo: the pods on a node, their summed requests and the host ports they hold.
 *  Preemption and the cluster autoscaler's simulations work on clones. */
export class NodeInfo {
  readonly pods: Pod[] = [];
  readonly requested: ResourceList = emptyResources();
  nonZeroCpuMilli = 0;
  nonZeroMemoryBytes = 0;
  /** UsedPorts (updateUsedPorts): what the NodePorts filter checks. */
  readonly usedPorts = new HostPortInfo();
  /** Pods on this node with required pod anti-affinity terms (InterPodAffinity fast path). */
  podsWithRequiredAntiAffinity = 0;
  /** Pods on this node with any pod affinity or anti-affinity term. */
  podsWithAffinity = 0;
  /** Pods by "namespace/pod-template-hash" (ReplicaSet pods): a ReplicaSet selector always
   *  includes its hash, so spreading counts only need to look at these. */
  readonly byTemplateHash = new Map<string, Pod[]>();
  private devices: GpuDevices | null | undefined = undefined;

  constructor(readonly node: Node) {}

  /** The node's GPUs one by one (gpuDevices.ts), null for a node without GPUs. */
  get gpus(): GpuDevices | null {
    if (this.devices === undefined) {
      const n = gpuCount(this.node.allocatable);
      this.devices = n > 0 ? new GpuDevices(n) : null;
    }
    return this.devices;
  }

  addPod(pod: Pod): void {
    this.pods.push(pod);
    this.account(pod, 1);
    const key = templateHashKey(pod);
    if (key !== null) {
      const list = this.byTemplateHash.get(key);
      if (list) list.push(pod);
      else this.byTemplateHash.set(key, [pod]);
    }
  }

  removePod(pod: Pod): boolean {
    const i = this.pods.indexOf(pod);
    if (i < 0) return false;
    this.pods.splice(i, 1);
    this.account(pod, -1);
    const key = templateHashKey(pod);
    const list = key === null ? undefined : this.byTemplateHash.get(key);
    if (list) {
      const j = list.indexOf(pod);
      if (j >= 0) list.splice(j, 1);
      if (list.length === 0) this.byTemplateHash.delete(key!);
    }
    return true;
  }

  clone(): NodeInfo {
    const copy = new NodeInfo(this.node);
    for (const pod of this.pods) copy.addPod(pod);
    return copy;
  }

  private account(pod: Pod, sign: 1 | -1): void {
    addInto(this.requested, pod.requests, sign);
    this.nonZeroCpuMilli += sign * pod.nonZeroCpuMilli;
    this.nonZeroMemoryBytes += sign * pod.nonZeroMemoryBytes;
    this.usedPorts.addPorts(podHostPorts(pod.spec), sign);
    const affinity = pod.spec.affinity;
    if (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) this.podsWithRequiredAntiAffinity += sign;
    if (affinity?.podAffinity || affinity?.podAntiAffinity) this.podsWithAffinity += sign;
    const ask = gpuAsk(pod);
    if (ask !== null && this.gpus !== null) {
      // A pod bound here keeps the GPUs its binding gave it (a copy of the node included).
      if (sign > 0) this.gpus.add(pod, ask, pod.node === this.node ? pod.gpuIndices : undefined);
      else this.gpus.remove(pod);
    }
  }
}

/** "namespace/hash" of a pod carrying pod-template-hash, else null. */
export function templateHashKey(pod: Pod): string | null {
  const hash = pod.labels['pod-template-hash'];
  return hash === undefined ? null : `${pod.namespace}/${hash}`;
}

export function nodeObjectRef(node: Node): string {
  return `Node/-/${node.name}`;
}

/** What registers a Node: the Node's own fields, before it has a lifecycle. */
export type NodeInit = Pick<Node, 'name' | 'labels' | 'taints' | 'capacity' | 'allocatable' | 'allocatablePods' | 'pool' | 'zone' | 'instanceType' | 'capacityType' | 'priceUsdPerHour'> &
  Partial<Pick<Node, 'listPriceUsdPerHour' | 'contractedPriceUsdPerHour' | 'region' | 'discounts'>> &
  Partial<Pick<Node, 'unschedulable' | 'annotations' | 'nodeClaim'>>;

/** A Node as `init` describes it, empty, in `state` from `createdMs`: the API server's own
 *  nodes, and the unregistered ones a what-if places pods on (cloud/cloudProvider.ts). */
export function nodeOf(init: NodeInit, index: number, state: Node['state'], createdMs: number): Node {
  const node: Node = {
    index,
    name: init.name,
    labels: init.labels,
    annotations: init.annotations ?? {},
    taints: init.taints,
    unschedulable: init.unschedulable ?? false,
    capacity: init.capacity,
    allocatable: init.allocatable,
    allocatablePods: init.allocatablePods,
    pool: init.pool,
    zone: init.zone,
    instanceType: init.instanceType,
    capacityType: init.capacityType,
    priceUsdPerHour: init.priceUsdPerHour,
    state,
    createdMs,
    readyMs: -1,
    removedMs: -1,
    info: undefined as unknown as NodeInfo,
  };
  if (init.nodeClaim !== undefined) node.nodeClaim = init.nodeClaim;
  if (init.listPriceUsdPerHour !== undefined) node.listPriceUsdPerHour = init.listPriceUsdPerHour;
  if (init.contractedPriceUsdPerHour !== undefined) node.contractedPriceUsdPerHour = init.contractedPriceUsdPerHour;
  if (init.region !== undefined) node.region = init.region;
  if (init.discounts !== undefined) node.discounts = init.discounts;
  node.info = new NodeInfo(node);
  return node;
}
