// What watchers of pods and nodes are told, and the events every component may record: the
// watch half of the API server for the two kinds whose every status transition matters to
// someone (the kubelet, the scheduler, the controllers, the recorder).
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';

/** A Kubernetes Event as events.csv records it. */
export interface ClusterEvent {
  tMs: number;
  type: string;
  /** "Kind/namespace/name"; "Node/-/name" for nodes. */
  object: string;
  node: string;
  message: string;
  /** The component that reported it (an Event's reportingController), when a reader needs to
   *  tell sources apart; e.g. "horizontal-pod-autoscaler" on the ScaledUp/ScaledDown it causes. */
  source?: string;
}

/** Notifications, delivered synchronously in registration order. */
export interface ClusterListener {
  podCreated?(pod: Pod): void;
  /** kube-scheduler marked the pod Unschedulable (PodScheduled=False): what Karpenter's pod
   *  trigger watches. Not a change of the pod's placement (changeCount stays). */
  podUnschedulable?(pod: Pod): void;
  podBound?(pod: Pod): void;
  podStarted?(pod: Pod): void;
  podReadyChanged?(pod: Pod): void;
  /** The kubelet restarted one of the pod's containers (pod.restarts went up). */
  podRestarted?(pod: Pod): void;
  /** deletionTimestamp was set: the pod no longer counts as a replica but may hold resources. */
  podTerminating?(pod: Pod): void;
  /** The pod ran to completion (Succeeded) or failed for good (Failed): its resources are free,
   *  the object stays until something deletes it (Job TTL, history limits). */
  podFinished?(pod: Pod): void;
  /** The pod is gone and its resources are free. */
  podRemoved?(pod: Pod): void;
  nodeAdded?(node: Node): void;
  /** Labels, taints, schedulability or readiness changed. */
  nodeUpdated?(node: Node): void;
  nodeRemoved?(node: Node): void;
  /** Its price changed (ApiServer.setNodePrice). */
  nodePriceChanged?(node: Node): void;
}

/** The notifications that change what is placed where (the cluster autoscaler re-plans on them). */
export const PLACEMENT_CHANGES = new Set<keyof ClusterListener>(['podBound', 'podFinished', 'podRemoved', 'nodeAdded', 'nodeUpdated', 'nodeRemoved']);
