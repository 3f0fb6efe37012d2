// apps/v1 Deployment, StatefulSet, DaemonSet: schemas with upstream field names, conversion with
// upstream defaults (pkg/apis/apps/v1/defaults.go; reference/k8s-algorithms.md §6.1) and the
// validation rules a user meets most (selector vs template labels, strategy fields).
import { z } from 'zod';
import type { DaemonSetObject, DeploymentObject, IntOrPercent, ReplicaSetObject, StatefulSetObject } from '../../model/objects.ts';
import type { LabelSelector } from '../../model/api.ts';
import { anything, count, intOrPercent } from '../fields.ts';
import { kubeObject, labelSelector } from './meta.ts';
import { podTemplateSpec, toPodTemplate, type PodTemplateInput } from './pod.ts';
import { checkSelector, toMeta, type Convert } from './convert.ts';
import { isEmptyLabelSelector, labelSelectorAsSelector } from '../../model/labelSelector.ts';

const rollingUpdateDeployment = z.strictObject({ maxUnavailable: intOrPercent.optional(), maxSurge: intOrPercent.optional() });

export const deploymentSchema = kubeObject({
  spec: z.strictObject({
    replicas: count.optional(),
    selector: labelSelector,
    template: podTemplateSpec,
    strategy: z
      .strictObject({ type: z.enum(['Recreate', 'RollingUpdate']).optional(), rollingUpdate: rollingUpdateDeployment.optional() })
      .optional(),
    minReadySeconds: count.optional(),
    revisionHistoryLimit: count.optional(),
    paused: z.boolean().optional(),
    progressDeadlineSeconds: count.optional(),
  }),
});

export const statefulSetSchema = kubeObject({
  spec: z.strictObject({
    replicas: count.optional(),
    selector: labelSelector,
    template: podTemplateSpec,
    volumeClaimTemplates: z.array(anything).optional(),
    serviceName: z.string().optional(),
    podManagementPolicy: z.enum(['OrderedReady', 'Parallel']).optional(),
    updateStrategy: z
      .strictObject({
        type: z.enum(['RollingUpdate', 'OnDelete']).optional(),
        rollingUpdate: z.strictObject({ partition: count.optional(), maxUnavailable: intOrPercent.optional() }).optional(),
      })
      .optional(),
    revisionHistoryLimit: count.optional(),
    minReadySeconds: count.optional(),
    persistentVolumeClaimRetentionPolicy: z
      .strictObject({ whenDeleted: z.enum(['Retain', 'Delete']).optional(), whenScaled: z.enum(['Retain', 'Delete']).optional() })
      .optional(),
    ordinals: z.strictObject({ start: count.optional() }).optional(),
  }),
  status: z.looseObject({
    currentRevision: z.string().optional().describe('The controller-revision-hash of the pods below the partition; with updateRevision, what the cluster\'s pods are at'),
    updateRevision: z.string().optional().describe('The controller-revision-hash of the current template: a pod of the cluster\'s state at another revision is rolled'),
  }).optional(),
});

export const replicaSetSchema = kubeObject({
  spec: z.strictObject({
    replicas: count.optional(),
    minReadySeconds: count.optional(),
    selector: labelSelector,
    template: podTemplateSpec,
  }),
});

export const daemonSetSchema = kubeObject({
  spec: z.strictObject({
    selector: labelSelector,
    template: podTemplateSpec,
    updateStrategy: z
      .strictObject({ type: z.enum(['RollingUpdate', 'OnDelete']).optional(), rollingUpdate: rollingUpdateDeployment.optional() })
      .optional(),
    minReadySeconds: count.optional(),
    revisionHistoryLimit: count.optional(),
  }),
});

/** Shared checks of a controller's selector and pod template (ValidatePodTemplateSpecForReplicaSet). */
export function checkTemplate(selector: LabelSelector, template: PodTemplateInput, cv: Convert, kind: string): void {
  checkSelector(selector, cv, ['spec', 'selector']);
  if (isEmptyLabelSelector(selector)) {
    cv.problem(['spec', 'selector'], `empty selector is invalid for ${kind.toLowerCase()}`, 'select the pods by a template label, e.g. matchLabels: {app: <name>}');
  } else if (labelSelectorAsSelector(selector)?.(template.metadata?.labels ?? {}) === false) {
    cv.problem(['spec', 'template', 'metadata', 'labels'], '`selector` does not match template `labels`', 'every label in spec.selector.matchLabels must appear in spec.template.metadata.labels');
  }
  const restart = template.spec.restartPolicy;
  if (restart !== undefined && restart !== 'Always') {
    cv.problem(['spec', 'template', 'spec', 'restartPolicy'], `unsupported value "${restart}"`, `supported values: "Always" (a ${kind} restarts its pods; use a Job for run-to-completion work)`);
  }
}

function isZero(v: IntOrPercent): boolean {
  return v === 0 || v === '0%';
}

export function toDeployment(o: z.output<typeof deploymentSchema>, cv: Convert): DeploymentObject {
  const spec = o.spec;
  checkTemplate(spec.selector, spec.template, cv, 'Deployment');
  const type = spec.strategy?.type ?? 'RollingUpdate';
  let strategy: DeploymentObject['spec']['strategy'];
  if (type === 'Recreate') {
    if (spec.strategy?.rollingUpdate) {
      cv.problem(['spec', 'strategy', 'rollingUpdate'], "may not be specified when strategy `type` is 'Recreate'");
    }
    strategy = { type: 'Recreate' };
  } else {
    const maxSurge = spec.strategy?.rollingUpdate?.maxSurge ?? '25%';
    const maxUnavailable = spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
    if (isZero(maxSurge) && isZero(maxUnavailable)) {
      cv.problem(['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], 'may not be 0 when `maxSurge` is 0');
    }
    strategy = { type: 'RollingUpdate', maxSurge, maxUnavailable };
  }
  return {
    kind: 'Deployment',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      replicas: spec.replicas ?? 1,
      selector: spec.selector,
      template: toPodTemplate(spec.template, cv, ['spec', 'template']),
      strategy,
      minReadySeconds: spec.minReadySeconds ?? 0,
      revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
      paused: spec.paused ?? false,
    },
  };
}

export function toStatefulSet(o: z.output<typeof statefulSetSchema>, cv: Convert): StatefulSetObject {
  const spec = o.spec;
  checkTemplate(spec.selector, spec.template, cv, 'StatefulSet');
  const type = spec.updateStrategy?.type ?? 'RollingUpdate';
  if (type === 'OnDelete' && spec.updateStrategy?.rollingUpdate) {
    cv.problem(['spec', 'updateStrategy', 'rollingUpdate'], "only allowed for updateStrategy 'RollingUpdate'");
  }
  return {
    kind: 'StatefulSet',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      replicas: spec.replicas ?? 1,
      selector: spec.selector,
      template: toPodTemplate(spec.template, cv, ['spec', 'template']),
      serviceName: spec.serviceName ?? '',
      podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
      updateStrategy:
        type === 'OnDelete'
          ? { type: 'OnDelete' }
          : { type: 'RollingUpdate', partition: spec.updateStrategy?.rollingUpdate?.partition ?? 0, maxUnavailable: spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1 },
      minReadySeconds: spec.minReadySeconds ?? 0,
    },
    ...(o.status?.currentRevision !== undefined || o.status?.updateRevision !== undefined
      ? { status: { currentRevision: o.status.currentRevision, updateRevision: o.status.updateRevision } }
      : {}),
  };
}

export function toReplicaSet(o: z.output<typeof replicaSetSchema>, cv: Convert): ReplicaSetObject {
  const spec = o.spec;
  checkTemplate(spec.selector, spec.template, cv, 'ReplicaSet');
  return {
    kind: 'ReplicaSet',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      replicas: spec.replicas ?? 1,
      selector: spec.selector,
      template: toPodTemplate(spec.template, cv, ['spec', 'template']),
      minReadySeconds: spec.minReadySeconds ?? 0,
    },
  };
}

export function toDaemonSet(o: z.output<typeof daemonSetSchema>, cv: Convert): DaemonSetObject {
  const spec = o.spec;
  checkTemplate(spec.selector, spec.template, cv, 'DaemonSet');
  const type = spec.updateStrategy?.type ?? 'RollingUpdate';
  let updateStrategy: DaemonSetObject['spec']['updateStrategy'];
  if (type === 'OnDelete') {
    updateStrategy = { type: 'OnDelete' };
  } else {
    const maxUnavailable = spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
    const maxSurge = spec.updateStrategy?.rollingUpdate?.maxSurge ?? 0;
    if (isZero(maxSurge) && isZero(maxUnavailable)) {
      cv.problem(['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'], 'may not be 0 when `maxSurge` is 0');
    }
    updateStrategy = { type: 'RollingUpdate', maxUnavailable, maxSurge };
  }
  return {
    kind: 'DaemonSet',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      selector: spec.selector,
      template: toPodTemplate(spec.template, cv, ['spec', 'template']),
      updateStrategy,
      minReadySeconds: spec.minReadySeconds ?? 0,
    },
  };
}
