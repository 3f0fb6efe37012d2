// Small factories for tests: nodes, pods, binding and a scheduler Snapshot, fully populated with
// the same defaults the simulator uses (kubelet maxPods 110, the scheduler's non-zero requests
// from src/model/podResources.ts, times -1 = "has not happened").
import type { Snapshot } from '../../src/scheduler/framework.ts';
import type { Affinity, LabelSelector, Taint, Toleration, TopologySpreadConstraint } from '../../src/model/api.ts';
import { LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_ZONE } from '../../src/model/api.ts';
import type { Node } from '../../src/model/node.ts';
import { NodeInfo } from '../../src/model/node.ts';
import type { Container, OwnerRef, Pod, PodSpec, QosClass } from '../../src/model/pod.ts';
import type { HostPort } from '../../src/model/hostPorts.ts';
import type { ResourceMap } from '../../src/model/resources.ts';
import { toResourceList } from '../../src/model/resources.ts';
import { nonZeroRequests, podRequests } from '../../src/model/podResources.ts';

const MI = 1024 * 1024;
const GI = 1024 * MI;

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: MI, Gi: GI, Ti: 1024 * GI, Pi: 1024 * 1024 * GI, Ei: 1024 * 1024 * 1024 * GI,
};

/** A quantity as written in a manifest ('500m', '4', '16Gi') in base units; a bare number is
 *  already in base units (cores for cpu, bytes for memory), as YAML `cpu: 4` would be. */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9]*\.?[0-9]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || !(m[2] in SUFFIX)) throw new Error(`bad quantity ${q}`);
  return Number(m[1]) * SUFFIX[m[2]];
}

let nextNodeIndex = 0;
let nextPodUid = 1;

export interface NodeOptions {
  name: string;
  /** Merged over `kubernetes.io/hostname: <name>` (and the zone label when `zone` is given). */
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Shorthand for the `topology.kubernetes.io/zone` label. */
  zone?: string;
  /** Quantity ('4', '3500m') or cores; default 4 cores. `cpuMilli` wins when both are set. */
  cpu?: string | number;
  cpuMilli?: number;
  /** Quantity ('16Gi') or bytes; default 16Gi. `memoryBytes` wins when both are set. */
  memory?: string | number;
  memoryBytes?: number;
  /** status.allocatable.pods (kubelet maxPods); default 110. */
  pods?: number;
  /** Extended and other resources in base units, e.g. { 'nvidia.com/gpu': 1 }. */
  extra?: ResourceMap;
  unschedulable?: boolean;
  priceUsdPerHour?: number;
}

/** A Ready node whose allocatable equals its capacity, with `info = new NodeInfo(node)`. */
export function makeNode(opts: NodeOptions): Node {
  const labels: Record<string, string> = { [LABEL_HOSTNAME]: opts.name };
  if (opts.zone !== undefined) labels[LABEL_ZONE] = opts.zone;
  Object.assign(labels, opts.labels ?? {});
  const cpuMilli = opts.cpuMilli ?? Math.round(quantity(opts.cpu ?? 4) * 1000);
  const memoryBytes = opts.memoryBytes ?? Math.round(quantity(opts.memory ?? '16Gi'));
  const resources = { ...(opts.extra ?? {}), cpu: cpuMilli, memory: memoryBytes };
  const node: Node = {
    index: nextNodeIndex++,
    name: opts.name,
    labels,
    annotations: {},
    taints: opts.taints ?? [],
    unschedulable: opts.unschedulable ?? false,
    capacity: toResourceList(resources),
    allocatable: toResourceList(resources),
    allocatablePods: opts.pods ?? 110,
    pool: null,
    zone: labels[LABEL_ZONE] ?? null,
    instanceType: labels[LABEL_INSTANCE_TYPE] ?? null,
    capacityType: 'on-demand',
    priceUsdPerHour: opts.priceUsdPerHour ?? 0,
    state: 'Ready',
    createdMs: 0,
    readyMs: 0,
    removedMs: -1,
    info: undefined as unknown as NodeInfo,
  };
  node.info = new NodeInfo(node);
  return node;
}

export interface PodOptions {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Requests of the single container; 0 = not set. */
  cpuMilli?: number;
  memoryBytes?: number;
  /** Other requests in base units, e.g. { 'nvidia.com/gpu': 1 }. */
  extraRequests?: ResourceMap;
  /** Host ports of the single container. */
  hostPorts?: HostPort[];
  /** The containers as written (then cpuMilli, memoryBytes, extraRequests and hostPorts are
   *  ignored): e.g. [] for upstream's st.MakePod().Obj(), or an explicit { cpu: 0 }. */
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceMap;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  nodeSelector?: Record<string, string>;
  priority?: number;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  owner?: OwnerRef | null;
  createdMs?: number;
}

/** A Pending pod with one container requesting `cpuMilli` / `memoryBytes` (no limits), or with
 *  the given containers; requests and non-zero requests computed as admission does. */
export function makePod(opts: PodOptions): Pod {
  const namespace = opts.namespace ?? 'default';
  const requests: ResourceMap = { ...(opts.extraRequests ?? {}) };
  if (opts.cpuMilli) requests.cpu = opts.cpuMilli;
  if (opts.memoryBytes) requests.memory = opts.memoryBytes;
  const main: Container = { name: 'main', requests, limits: {} };
  if (opts.hostPorts) main.hostPorts = opts.hostPorts;
  const containers = opts.containers ?? [main];
  const qos: QosClass = containers.some((c) => Object.keys(c.requests).length > 0) ? 'Burstable' : 'BestEffort';
  const priority = opts.priority ?? 0;
  const preemptionPolicy = opts.preemptionPolicy ?? 'PreemptLowerPriority';
  const spec: PodSpec = {
    containers,
    initContainers: opts.initContainers ?? [],
    nodeSelector: opts.nodeSelector,
    affinity: opts.affinity,
    tolerations: opts.tolerations ?? [],
    topologySpreadConstraints: opts.topologySpreadConstraints ?? [],
    priority,
    preemptionPolicy,
    terminationGracePeriodSeconds: 30,
    restartPolicy: 'Always',
    hasLocalStorage: false,
  };
  if (opts.overhead) spec.overhead = opts.overhead;
  const nonZero = nonZeroRequests(spec);
  return {
    uid: nextPodUid++,
    name: opts.name,
    namespace,
    key: `${namespace}/${opts.name}`,
    labels: { ...(opts.labels ?? {}) },
    annotations: { ...(opts.annotations ?? {}) },
    owner: opts.owner ?? null,
    spec,
    priority,
    preemptionPolicy,
    qos,
    requests: podRequests(spec),
    nonZeroCpuMilli: nonZero.cpuMilli,
    nonZeroMemoryBytes: nonZero.memoryBytes,
    phase: 'Pending',
    node: null,
    nominatedNodeName: null,
    ready: false,
    restarts: 0,
    createdMs: opts.createdMs ?? 0,
    boundMs: -1,
    startedMs: -1,
    readyMs: -1,
    readyTransitionMs: -1,
    deletionMs: -1,
    removedMs: -1,
  };
}

/** Binds the pod to the node: pod.node, spec.nodeName, phase Running, node.info.addPod. */
export function bind(pod: Pod, node: Node, atMs = 0): Pod {
  pod.node = node;
  pod.spec.nodeName = node.name;
  pod.phase = 'Running';
  pod.boundMs = atMs;
  pod.startedMs = atMs;
  node.info.addPod(pod);
  return pod;
}

export interface SnapshotOptions {
  /** Namespace name -> labels (for namespaceSelector). */
  namespaceLabels?: Record<string, Record<string, string>>;
  /** Controller selector of a pod. Default: for a ReplicaSet or StatefulSet owner, the pod's own
   *  labels as matchLabels (a controller's selector is a subset of its pods' labels); else null. */
  ownerSelector?: (pod: Pod) => LabelSelector | null;
}

/** A Snapshot over `nodes` in the given order; the affinity flags are read live from NodeInfo. */
export function makeSnapshot(nodes: readonly Node[], opts: SnapshotOptions = {}): Snapshot {
  const nodeInfos = nodes.map((n) => n.info);
  const nsLabels = opts.namespaceLabels ?? {};
  const ownerSelector = opts.ownerSelector ?? ((pod: Pod) =>
    pod.owner && (pod.owner.kind === 'ReplicaSet' || pod.owner.kind === 'StatefulSet') ? { matchLabels: { ...pod.labels } } : null);
  return {
    nodeInfos,
    namespaceLabels: (namespace) => nsLabels[namespace] ?? {},
    get anyRequiredAntiAffinity() {
      return nodeInfos.some((ni) => ni.podsWithRequiredAntiAffinity > 0);
    },
    get anyPodAffinity() {
      return nodeInfos.some((ni) => ni.podsWithAffinity > 0);
    },
    ownerSelector,
  };
}
