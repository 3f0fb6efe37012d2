// The Kubernetes objects a scenario declares, after validation and conversion: quantities are
// integers, durations are milliseconds, field names are upstream's. Behaviour lives elsewhere;
// these are plain data.
import type { LabelSelector, Taint } from './api.ts';
import type { PodSpec, PodTemplate } from './pod.ts';
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
}

export interface DeploymentObject extends Base<'Deployment'> {
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

export interface DaemonSetObject extends Base<'DaemonSet'> {
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

export type KubeObject =
  | NodeObject
  | PodObject
  | DeploymentObject
  | StatefulSetObject
  | DaemonSetObject
  | JobObject
  | CronJobObject
  | HpaObject
  | VpaObject
  | PdbObject
  | LimitRangeObject
  | ResourceQuotaObject
  | PriorityClassObject
  | NamespaceObject;

export type KubeKind = KubeObject['kind'];

/** "Kind/namespace/name" as used in events.csv and `behavior[].target` (`-` for cluster scope). */
export function objectRef(o: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `${o.kind}/${o.metadata.namespace || '-'}/${o.metadata.name}`;
}
