// meta/v1 and core/v1 building blocks with upstream field names: ObjectMeta, LabelSelector,
// affinity, tolerations, taints, topology spread. Strict: an unknown key is a problem with the
// closest valid name.
import { z } from 'zod';
import { anything, labelName, objectName, stringMap } from '../fields.ts';

const ownerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().optional().describe('Written by the API server; capsim matches owners by kind, namespace and name'),
  controller: z.boolean().optional().describe('true for the object that manages this one (its controller): a cluster\'s Pod belongs to it'),
  blockOwnerDeletion: z.boolean().optional(),
});

/** metav1.ObjectMeta. Bookkeeping fields written by the API server (uid, resourceVersion,
 *  managedFields, ...) are accepted so `kubectl get -o yaml` output loads as it is. */
export const objectMeta = z.strictObject({
  name: objectName,
  generateName: z.string().optional(),
  namespace: labelName.optional(),
  selfLink: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  deletionGracePeriodSeconds: z.number().int().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z.array(ownerReference).optional(),
  finalizers: z.array(z.string()).optional(),
  managedFields: z.array(anything).optional(),
});

/** ObjectMeta inside a template (pod template, job template): name is optional there. */
export const templateMeta = objectMeta.extend({ name: z.string().optional() });

export const labelSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const labelSelector = z.strictObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
}).meta({ id: 'LabelSelector' });

const nodeSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
});

const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});

const nodeAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm) }).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.strictObject({ weight: z.number().int().min(1).max(100), preference: nodeSelectorTerm }))
    .optional(),
});

const podAffinityTerm = z.strictObject({
  labelSelector: labelSelector.optional(),
  namespaces: z.array(z.string()).optional(),
  namespaceSelector: labelSelector.optional(),
  topologyKey: z.string().min(1),
  matchLabelKeys: z.array(z.string()).optional(),
  mismatchLabelKeys: z.array(z.string()).optional(),
});

const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.strictObject({ weight: z.number().int().min(1).max(100), podAffinityTerm }))
    .optional(),
});

export const affinity = z.strictObject({
  nodeAffinity: nodeAffinity.optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
}).meta({ id: 'Affinity', description: 'core/v1 Affinity' });

export const taintEffect = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

export const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: taintEffect,
  timeAdded: z.string().nullable().optional(),
}).meta({ id: 'Taint' });

export const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute', '']).optional(),
  tolerationSeconds: z.number().int().optional(),
}).meta({ id: 'Toleration' });

export const topologySpreadConstraint = z.strictObject({
  maxSkew: z.number().int().min(1),
  topologyKey: z.string().min(1),
  whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
  labelSelector: labelSelector.optional(),
  minDomains: z.number().int().min(1).optional(),
  nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
  nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
  matchLabelKeys: z.array(z.string()).optional(),
}).meta({ id: 'TopologySpreadConstraint' });

/** autoscaling CrossVersionObjectReference (HPA scaleTargetRef, VPA targetRef). */
export const crossVersionObjectReference = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
});


/** A top-level API object: apiVersion, kind, metadata, the kind's own fields, and a status
 *  (written by the cluster, accepted and ignored unless the kind reads it). */
export function kubeObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject({ apiVersion: z.string(), kind: z.string(), metadata: objectMeta, status: anything.optional(), ...shape });
}
