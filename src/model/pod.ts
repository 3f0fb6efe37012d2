// A pod as capsim tracks it: the admitted spec plus its lifecycle state. Times are simulation
// milliseconds; -1 means "has not happened".
import type { Affinity, Toleration, TopologySpreadConstraint } from './api.ts';
import type { ResourceList, ResourceMap } from './resources.ts';
import type { Node } from './node.ts';
import type { HostPort } from './hostPorts.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface Container {
  name: string;
  /** Only the resources that are set; cpu in millicores, others in base units. */
  requests: ResourceMap;
  limits: ResourceMap;
  /** `Always` marks a restartable init container (sidecar). */
  restartPolicy?: 'Always';
  /** ports[] entries with a hostPort (with hostNetwork, every containerPort): the NodePorts filter. */
  hostPorts?: HostPort[];
  /** readinessProbe.initialDelaySeconds, when the manifest has a readiness probe. */
  readinessDelaySeconds?: number;
}

export interface PodSpec {
  containers: Container[];
  initContainers: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations: Toleration[];
  topologySpreadConstraints: TopologySpreadConstraint[];
  priorityClassName?: string;
  /** Set by admission from the PriorityClass (or the manifest). */
  priority?: number;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  terminationGracePeriodSeconds: number;
  restartPolicy: RestartPolicy;
  overhead?: ResourceMap;
  /** True when a volume is hostPath or a non-memory emptyDir (blocks CA scale-down, §3.7). */
  hasLocalStorage: boolean;
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
}

export interface OwnerRef {
  kind: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Job' | 'Node';
  name: string;
}

export interface Pod {
  readonly uid: number;
  readonly name: string;
  readonly namespace: string;
  /** "namespace/name" */
  readonly key: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner: OwnerRef | null;
  /** "Kind/namespace/name" of the workload the pod belongs to (a Deployment, not its ReplicaSet);
   *  undefined for bare pods. Behaviour (startup, usage, demand) is looked up by it. */
  workload?: string;
  spec: PodSpec;

  priority: number;
  preemptionPolicy: 'PreemptLowerPriority' | 'Never';
  qos: QosClass;
  /** PodRequests (reference §4.2): what the scheduler and quotas count. */
  requests: ResourceList;
  /** Requests with the scheduler's non-zero defaults (100m, 200Mi) for scoring. */
  nonZeroCpuMilli: number;
  nonZeroMemoryBytes: number;

  phase: PodPhase;
  node: Node | null;
  nominatedNodeName: string | null;
  /** The GPUs (indices on its node) its binding gave it, for a pod asking for GPUs
   *  (model/gpuDevices.ts); absent otherwise. */
  gpuIndices?: readonly number[];
  ready: boolean;
  restarts: number;

  createdMs: number;
  boundMs: number;
  startedMs: number;
  /** When the pod last became Ready (Deployment availability, minReadySeconds, deletion ranking). */
  readyMs: number;
  /** The Ready condition's lastTransitionTime: when `ready` last flipped either way, or when the
   *  kubelet first wrote the condition (False, at start); -1 while the pod has no Ready condition. */
  readyTransitionMs: number;
  /** deletionTimestamp: the pod is terminating from this time. */
  deletionMs: number;
  /** Grace period of the deletion when the deleter overrode the pod's own (drain --grace-period). */
  deletionGraceSeconds?: number;
  removedMs: number;
}

export function podObjectRef(pod: Pod): string {
  return `Pod/${pod.namespace}/${pod.name}`;
}

export function isTerminating(pod: Pod): boolean {
  return pod.deletionMs >= 0;
}

export function isTerminal(pod: Pod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/** Counted by controllers as one of their replicas (controller_utils FilterActivePods). */
export function isActive(pod: Pod): boolean {
  return pod.deletionMs < 0 && !isTerminal(pod) && pod.removedMs < 0;
}
