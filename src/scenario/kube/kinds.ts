// Which kinds capsim reads, at which apiVersions, and which real Kubernetes kinds it knowingly
// skips. One table, so adding a kind is one entry here plus its schema and converter.
import type { z } from 'zod';
import type { KubeObject } from '../../model/objects.ts';
import type { Convert } from './convert.ts';
import { own } from '../../model/records.ts';
import { daemonSetSchema, deploymentSchema, replicaSetSchema, statefulSetSchema, toDaemonSet, toDeployment, toReplicaSet, toStatefulSet } from './apps.ts';
import { rolloutSchema, scaledObjectSchema, toRollout, toScaledObject } from './extensions.ts';
import { cronJobSchema, jobSchema, toCronJob, toJob } from './batch.ts';
import { hpaV1Schema, hpaV2Schema, toHpaV1, toHpaV2, toVpa, vpaSchema } from './autoscaling.ts';
import { limitRangeSchema, pdbSchema, priorityClassSchema, resourceQuotaSchema, toLimitRange, toPdb, toPriorityClass, toResourceQuota } from './policy.ts';
import { namespaceSchema, nodeSchema, podSchema, toNamespace, toNode, toPod } from './core.ts';

export interface KindVersion {
  schema: z.ZodType;
  convert(o: unknown, cv: Convert): KubeObject;
}

export interface KindSpec {
  kind: KubeObject['kind'];
  /** The apiVersion to write (the preferred one). */
  preferred: string;
  namespaced: boolean;
  versions: Record<string, KindVersion>;
  /** Versions that used to serve the kind, with the Kubernetes release that removed them. */
  removed?: Record<string, string>;
  /** A custom resource's API group: an object of the same kind name in another group is some
   *  other project's resource, skipped as custom resources are. */
  group?: string;
}

function version<S extends z.ZodType>(schema: S, convert: (o: z.output<S>, cv: Convert) => KubeObject): KindVersion {
  return { schema, convert: convert as (o: unknown, cv: Convert) => KubeObject };
}

const APPS_BETA_REMOVED = { 'extensions/v1beta1': '1.16', 'apps/v1beta1': '1.16', 'apps/v1beta2': '1.16' };

export const KINDS: Record<string, KindSpec> = {
  Pod: { kind: 'Pod', preferred: 'v1', namespaced: true, versions: { v1: version(podSchema, toPod) } },
  Node: { kind: 'Node', preferred: 'v1', namespaced: false, versions: { v1: version(nodeSchema, toNode) } },
  Namespace: { kind: 'Namespace', preferred: 'v1', namespaced: false, versions: { v1: version(namespaceSchema, toNamespace) } },
  LimitRange: { kind: 'LimitRange', preferred: 'v1', namespaced: true, versions: { v1: version(limitRangeSchema, toLimitRange) } },
  ResourceQuota: { kind: 'ResourceQuota', preferred: 'v1', namespaced: true, versions: { v1: version(resourceQuotaSchema, toResourceQuota) } },
  Deployment: { kind: 'Deployment', preferred: 'apps/v1', namespaced: true, versions: { 'apps/v1': version(deploymentSchema, toDeployment) }, removed: APPS_BETA_REMOVED },
  StatefulSet: { kind: 'StatefulSet', preferred: 'apps/v1', namespaced: true, versions: { 'apps/v1': version(statefulSetSchema, toStatefulSet) }, removed: { 'apps/v1beta1': '1.16', 'apps/v1beta2': '1.16' } },
  DaemonSet: { kind: 'DaemonSet', preferred: 'apps/v1', namespaced: true, versions: { 'apps/v1': version(daemonSetSchema, toDaemonSet) }, removed: APPS_BETA_REMOVED },
  ReplicaSet: { kind: 'ReplicaSet', preferred: 'apps/v1', namespaced: true, versions: { 'apps/v1': version(replicaSetSchema, toReplicaSet) }, removed: APPS_BETA_REMOVED },
  Job: { kind: 'Job', preferred: 'batch/v1', namespaced: true, versions: { 'batch/v1': version(jobSchema, toJob) } },
  CronJob: { kind: 'CronJob', preferred: 'batch/v1', namespaced: true, versions: { 'batch/v1': version(cronJobSchema, toCronJob) }, removed: { 'batch/v1beta1': '1.25', 'batch/v2alpha1': '1.21' } },
  HorizontalPodAutoscaler: {
    kind: 'HorizontalPodAutoscaler',
    preferred: 'autoscaling/v2',
    namespaced: true,
    versions: { 'autoscaling/v2': version(hpaV2Schema, toHpaV2), 'autoscaling/v1': version(hpaV1Schema, toHpaV1) },
    removed: { 'autoscaling/v2beta1': '1.25', 'autoscaling/v2beta2': '1.26' },
  },
  VerticalPodAutoscaler: {
    kind: 'VerticalPodAutoscaler',
    preferred: 'autoscaling.k8s.io/v1',
    namespaced: true,
    versions: { 'autoscaling.k8s.io/v1': version(vpaSchema, toVpa) },
    removed: { 'autoscaling.k8s.io/v1beta2': 'VPA 1.0', 'autoscaling.k8s.io/v1beta1': 'VPA 0.13' },
  },
  PodDisruptionBudget: { kind: 'PodDisruptionBudget', preferred: 'policy/v1', namespaced: true, versions: { 'policy/v1': version(pdbSchema, toPdb) }, removed: { 'policy/v1beta1': '1.25' } },
  PriorityClass: {
    kind: 'PriorityClass',
    preferred: 'scheduling.k8s.io/v1',
    namespaced: false,
    versions: { 'scheduling.k8s.io/v1': version(priorityClassSchema, toPriorityClass) },
    removed: { 'scheduling.k8s.io/v1beta1': '1.22', 'scheduling.k8s.io/v1alpha1': '1.22' },
  },
  Rollout: { kind: 'Rollout', preferred: 'argoproj.io/v1alpha1', namespaced: true, group: 'argoproj.io', versions: { 'argoproj.io/v1alpha1': version(rolloutSchema, toRollout) } },
  ScaledObject: { kind: 'ScaledObject', preferred: 'keda.sh/v1alpha1', namespaced: true, group: 'keda.sh', versions: { 'keda.sh/v1alpha1': version(scaledObjectSchema, toScaledObject) } },
};

/** The kind's table entry, or undefined for a kind capsim does not read ("constructor" included). */
export function kindSpec(kind: string): KindSpec | undefined {
  return own(KINDS, kind);
}

/** The schema and converter of a kind at an apiVersion, or undefined when it is not served there. */
export function kindVersion(spec: KindSpec, apiVersion: string): KindVersion | undefined {
  return own(spec.versions, apiVersion);
}

/** Custom resources that change a cluster's capacity and that capsim does not simulate (yet):
 *  skipped, and named in a warning with why (scenario/clusterState.ts), by API group and kind. */
export const NOT_SIMULATED_KINDS: Record<string, Record<string, string>> = {
  'karpenter.sh': {
    NodePool: 'capsim runs Karpenter from karpenter.sh/v1 NodePools only: a NodePool at another version is not read, and nothing launches from it',
    NodeClaim: 'the Node it launched runs as it is: capsim\'s Karpenter does not adopt NodeClaims from the manifests (their nodes are not disrupted, expired or counted against NodePool limits)',
    Provisioner: 'Karpenter\'s pre-v1beta1 Provisioner is not read (capsim runs Karpenter from karpenter.sh/v1 NodePools): nothing launches from it',
  },
  'karpenter.k8s.aws': { EC2NodeClass: 'capsim reads EC2NodeClasses at karpenter.k8s.aws/v1 only', AWSNodeTemplate: 'Karpenter\'s pre-v1beta1 AWSNodeTemplate is not read (capsim reads karpenter.k8s.aws/v1 EC2NodeClasses)' },
  'karpenter.azure.com': { AKSNodeClass: 'capsim reads AKSNodeClasses at karpenter.azure.com/v1beta1 and v1alpha2 only' },
  'keda.sh': { ScaledJob: 'KEDA ScaledJobs are not simulated: no Jobs are created from its triggers' },
};

export function notSimulatedKind(apiVersion: string, kind: string): string | undefined {
  return own(own(NOT_SIMULATED_KINDS, apiGroup(apiVersion)), kind);
}

/** Real Kubernetes kinds capsim does not simulate: skipped, and counted in one notice. */
export const SKIPPED_KINDS = new Set([
  'Service', 'ConfigMap', 'Secret', 'Ingress', 'IngressClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'NetworkPolicy', 'StorageClass',
  'CustomResourceDefinition', 'Endpoints', 'EndpointSlice', 'ReplicationController', 'Event', 'Lease',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'APIService',
  'PodTemplate', 'ControllerRevision', 'CSIDriver', 'CSINode', 'CSIStorageCapacity', 'VolumeAttachment',
  'VolumeAttributesClass', 'RuntimeClass', 'PodSecurityPolicy', 'CertificateSigningRequest', 'ClusterTrustBundle',
  'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus', 'Binding', 'IPAddress', 'ServiceCIDR',
  'ResourceClaim', 'ResourceClaimTemplate', 'DeviceClass', 'ResourceSlice', 'StorageVersionMigration',
  'Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant',
]);

/** API groups served by Kubernetes itself (and the VPA's): a kind in one of these that capsim
 *  does not know is a typo, not a custom resource. */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'extensions', 'scheduling.k8s.io', 'networking.k8s.io',
  'rbac.authorization.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io',
  'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'node.k8s.io', 'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'apiregistration.k8s.io', 'resource.k8s.io', 'autoscaling.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'storagemigration.k8s.io', 'internal.apiserver.k8s.io',
]);

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isBuiltInGroup(apiVersion: string): boolean {
  return BUILT_IN_GROUPS.has(apiGroup(apiVersion));
}

/** Every kind name a suggestion may offer. */
export const KNOWN_KIND_NAMES = [...Object.keys(KINDS), ...SKIPPED_KINDS, 'List'];

/** Kinds the behavior/event targets and the workloads shorthand may name. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
