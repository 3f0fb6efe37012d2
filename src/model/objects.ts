// The Kubernetes objects a scenario declares, after validation and conversion: quantities are
// integers, durations are milliseconds, field names are upstream's. Behaviour lives elsewhere;
// these are plain data.
import type { LabelSelector, Taint } from './api.ts';
import type { OwnerRef, PodSpec, PodTemplate } from './pod.ts';
import type { ResourceMap } from './resources.ts';

/** Where an object came from, for messages: "k8s/web.yaml:12". */
export interface SourceRef {
  file: string;
  line: number;
}

export interface ObjectMeta {
  name: string;
  namespace: string; // "" for cluster-scoped kinds
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** metadata.ownerReferences, as written (a cluster's objects carry them). */
  ownerReferences?: OwnerReference[];
  /** metadata.creationTimestamp (ISO 8601), when the manifest has one. */
  creationTimestamp?: string;
  /** metadata.deletionTimestamp: a cluster's object that was being deleted when it was dumped. */
  deletionTimestamp?: string;
}

/** metav1.OwnerReference: `controller: true` marks the managing controller (GetControllerOf). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller: boolean;
}

/** An int or a percentage string such as "25%" (intstr.IntOrString). */
export type IntOrPercent = number | string;

interface Base<K extends string> {
  kind: K;
  apiVersion: string;
  metadata: ObjectMeta;
  source: SourceRef;
}

export interface NodeObject extends Base<'Node'> {
  /** providerID ("aws:///us-east-1a/i-0abc..."): which cloud runs it, for its price. */
  spec: { unschedulable: boolean; taints: Taint[]; providerID?: string };
  /** status.capacity / status.allocatable; allocatable falls back to capacity. */
  capacity: ResourceMap;
  allocatable: ResourceMap;
}

export interface PodObject extends Base<'Pod'> {
  spec: PodSpec;
  /** status.phase of a pod from a cluster's state (`kubectl get -o yaml`); undefined otherwise. */
  phase?: string;
  /** Set by the loader (scenario/clusterState.ts) for a pod that belongs to a workload of the
   *  manifests, or that runs on its node at t = 0 as the cluster's state says. */
  state?: PodState;
}

/** How a pod of a cluster's state starts: its controller (the object that owns it), the
 *  workload it counts under, and whether it is Running on spec.nodeName at t = 0 (bound there
 *  without a scheduler pass, Ready at once). */
export interface PodState {
  owner: OwnerRef | null;
  workload?: string;
  running: boolean;
}

export interface DeploymentObject extends Base<'Deployment'> {
  /** Set by the loader for a Deployment of a cluster's state that has ReplicaSets there: the name
   *  of its current one (its new ReplicaSet), or null when none is (a rollout starts at t = 0). */
  currentReplicaSet?: string | null;
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    strategy:
      | { type: 'RollingUpdate'; maxSurge: IntOrPercent; maxUnavailable: IntOrPercent }
      | { type: 'Recreate' };
    minReadySeconds: number;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    paused: boolean;
  };
}

export interface StatefulSetObject extends Base<'StatefulSet'> {
  /** status.currentRevision / updateRevision of a cluster's StatefulSet: the
   *  controller-revision-hash its pods carry. */
  status?: { currentRevision?: string; updateRevision?: string };
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    serviceName: string;
    podManagementPolicy: 'OrderedReady' | 'Parallel';
    updateStrategy: { type: 'RollingUpdate'; partition: number; maxUnavailable: IntOrPercent } | { type: 'OnDelete' };
    minReadySeconds: number;
  };
}

/** A ReplicaSet of a cluster's state. capsim runs one only under its Deployment (the loader keeps
 *  those whose controller is a Deployment of the manifests), so that the Deployment adopts it and
 *  its pods instead of creating new ones. */
export interface ReplicaSetObject extends Base<'ReplicaSet'> {
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    minReadySeconds: number;
  };
  /** "Deployment/ns/name" of its controller, set by the loader when that Deployment is declared. */
  deployment?: string;
}

export interface DaemonSetObject extends Base<'DaemonSet'> {
  /** Set by the loader for a cluster's DaemonSet: the controller-revision-hash of its newest pod,
   *  the revision its pods are at (a DaemonSet's status does not name it). */
  revisionHash?: string;
  spec: {
    selector: LabelSelector;
    template: PodTemplate;
    updateStrategy: { type: 'RollingUpdate'; maxUnavailable: IntOrPercent; maxSurge: IntOrPercent } | { type: 'OnDelete' };
    minReadySeconds: number;
  };
}

export interface JobSpecModel {
  parallelism: number;
  completions: number | null;
  completionMode: 'NonIndexed' | 'Indexed';
  backoffLimit: number;
  activeDeadlineSeconds: number | null;
  ttlSecondsAfterFinished: number | null;
  suspend: boolean;
  template: PodTemplate;
}

export interface JobObject extends Base<'Job'> {
  spec: JobSpecModel;
  /** A cluster's Job: what it has done so far (status.succeeded, failed, completedIndexes) and
   *  whether it has finished (a Complete or Failed condition, or completionTime). */
  status?: JobStatusModel;
  /** "CronJob/ns/name" of the CronJob that created it, set by the loader when that CronJob is
   *  declared: the Job is one of its active Jobs. */
  cronJob?: string;
}

export interface JobStatusModel {
  succeeded: number;
  failed: number;
  /** status.completedIndexes of an Indexed Job, e.g. "1,3-5". */
  completedIndexes: string;
  finished: 'Complete' | 'Failed' | null;
}

export interface CronJobObject extends Base<'CronJob'> {
  spec: {
    schedule: string;
    timeZone: string | null;
    concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
    suspend: boolean;
    startingDeadlineSeconds: number | null;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    jobTemplate: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: JobSpecModel };
  };
}

export interface ScaleTargetRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/** autoscaling/v2 MetricSpec, kept in upstream shape (quantities converted to integers:
 *  cpu-like values in milli-units, others in base units). */
export interface HpaMetricTarget {
  type: 'Utilization' | 'Value' | 'AverageValue';
  averageUtilization?: number;
  /** Milli-units, as upstream compares MilliValue() of metric quantities. */
  valueMilli?: number;
  averageValueMilli?: number;
}
export type HpaMetric =
  | { type: 'Resource'; resource: { name: string; target: HpaMetricTarget } }
  | { type: 'ContainerResource'; containerResource: { name: string; container: string; target: HpaMetricTarget } }
  | { type: 'Pods'; pods: { metric: { name: string; selector?: LabelSelector }; target: HpaMetricTarget } }
  | { type: 'Object'; object: { metric: { name: string; selector?: LabelSelector }; describedObject: ScaleTargetRef; target: HpaMetricTarget } }
  | { type: 'External'; external: { metric: { name: string; selector?: LabelSelector }; target: HpaMetricTarget } };

export interface HpaScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}
export interface HpaScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: HpaScalingPolicy[];
  tolerance?: number;
}

export interface HpaObject extends Base<'HorizontalPodAutoscaler'> {
  /** status.currentReplicas / desiredReplicas of a cluster's HPA. */
  status?: { currentReplicas?: number; desiredReplicas?: number };
  /** Set by the loader: the HPA does not scale and its target keeps the replicas it has (an HPA
   *  of a cluster's state whose every metric reads what the scenario does not model); why. */
  hold?: string;
  spec: {
    scaleTargetRef: ScaleTargetRef;
    minReplicas: number;
    maxReplicas: number;
    metrics: HpaMetric[];
    /** null when the manifest has no behavior: the legacy normalisation path (reference §1.6). */
    behavior: { scaleUp?: HpaScalingRules; scaleDown?: HpaScalingRules } | null;
  };
}

export interface VpaContainerPolicy {
  containerName: string;
  mode?: 'Auto' | 'Off';
  minAllowed?: ResourceMap;
  maxAllowed?: ResourceMap;
  controlledResources?: string[];
  controlledValues?: 'RequestsAndLimits' | 'RequestsOnly';
}

export interface VpaObject extends Base<'VerticalPodAutoscaler'> {
  spec: {
    targetRef: ScaleTargetRef;
    updatePolicy: { updateMode: 'Off' | 'Initial' | 'Recreate' | 'Auto' | 'InPlaceOrRecreate'; minReplicas?: number };
    resourcePolicy: { containerPolicies: VpaContainerPolicy[] };
  };
}

export interface PdbObject extends Base<'PodDisruptionBudget'> {
  spec: {
    selector: LabelSelector;
    minAvailable?: IntOrPercent;
    maxUnavailable?: IntOrPercent;
    unhealthyPodEvictionPolicy: 'IfHealthyBudget' | 'AlwaysAllow';
  };
}

export interface LimitRangeItem {
  type: 'Container' | 'Pod' | 'PersistentVolumeClaim';
  max?: ResourceMap;
  min?: ResourceMap;
  default?: ResourceMap;
  defaultRequest?: ResourceMap;
  maxLimitRequestRatio?: ResourceMap;
}

export interface LimitRangeObject extends Base<'LimitRange'> {
  spec: { limits: LimitRangeItem[] };
}

export interface ResourceQuotaObject extends Base<'ResourceQuota'> {
  /** hard: quota resource name (pods, requests.cpu, limits.memory, count/pods, ...) -> amount
   *  (cpu-valued names in millicores, others in base units). */
  spec: { hard: ResourceMap; scopes: string[] };
}

export interface PriorityClassObject extends Base<'PriorityClass'> {
  value: number;
  globalDefault: boolean;
  preemptionPolicy: 'PreemptLowerPriority' | 'Never';
}

export interface NamespaceObject extends Base<'Namespace'> {}

/** An Argo Rollout (argoproj.io/v1alpha1): the loader runs it as the Deployment it wraps. */
export interface RolloutObject extends Base<'Rollout'> {
  spec: {
    replicas: number;
    selector: LabelSelector | null;
    /** spec.template, or null when the Rollout points at a Deployment (workloadRef). */
    template: PodTemplate | null;
    workloadRef: { kind: string; name: string } | null;
    /** canary or blueGreen, with the number of canary steps. */
    strategy: { type: 'canary' | 'blueGreen' | 'none'; steps: number; maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent };
    minReadySeconds: number;
    revisionHistoryLimit: number;
    paused: boolean;
  };
}

/** A KEDA ScaledObject (keda.sh/v1alpha1): KEDA scales its target through an HPA it generates,
 *  which a cluster's state holds; the loader keeps that HPA. */
export interface ScaledObjectObject extends Base<'ScaledObject'> {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    /** The trigger types (prometheus, cpu, kafka, ...). */
    triggers: string[];
  };
  /** The HPA KEDA made for it: status.hpaName, else advanced.horizontalPodAutoscalerConfig.name,
   *  else keda-hpa-<name>. */
  hpaName: string;
}

export type KubeObject =
  | NodeObject
  | PodObject
  | DeploymentObject
  | StatefulSetObject
  | ReplicaSetObject
  | DaemonSetObject
  | JobObject
  | CronJobObject
  | HpaObject
  | VpaObject
  | PdbObject
  | LimitRangeObject
  | ResourceQuotaObject
  | PriorityClassObject
  | NamespaceObject
  | RolloutObject
  | ScaledObjectObject;

export type KubeKind = KubeObject['kind'];

/** "Kind/namespace/name" as used in events.csv and `behavior[].target` (`-` for cluster scope). */
export function objectRef(o: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `${o.kind}/${o.metadata.namespace || '-'}/${o.metadata.name}`;
}

/** metav1.GetControllerOf: the owner reference with `controller: true`, if any. */
export function controllerOf(meta: ObjectMeta): OwnerReference | undefined {
  return meta.ownerReferences?.find((r) => r.controller);
}
