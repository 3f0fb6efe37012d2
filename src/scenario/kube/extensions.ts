// Custom resources that hold or scale pods in real clusters, read so that a cluster's state does
// not lose them: an Argo Rollout (argoproj.io) runs as the Deployment it wraps, a KEDA
// ScaledObject (keda.sh) points at the HPA KEDA generated for it (scenario/clusterState.ts does
// both). Their specs are read loosely: each project adds fields every release, and only the ones
// below matter to capacity; the others are accepted as they are.
import { z } from 'zod';
import type { RolloutObject, ScaledObjectObject } from '../../model/objects.ts';
import { anything, count, intOrPercent } from '../fields.ts';
import { kubeObject, labelSelector } from './meta.ts';
import { podTemplateSpec, toPodTemplate } from './pod.ts';
import { checkSelector, toMeta, type Convert } from './convert.ts';

export const rolloutSchema = kubeObject({
  spec: z.looseObject({
    replicas: count.optional().describe('Replicas of the Deployment it runs as (default 1)'),
    selector: labelSelector.optional(),
    template: podTemplateSpec.optional().describe('The pods; or workloadRef names a Deployment whose template it uses'),
    workloadRef: z
      .looseObject({
        apiVersion: z.string().optional(),
        kind: z.string().min(1).describe('Deployment: its template is the Rollout\'s'),
        name: z.string().min(1),
        scaleDown: z.string().optional(),
      })
      .optional(),
    strategy: z
      .looseObject({
        canary: z
          .looseObject({
            steps: z.array(anything).optional(),
            maxSurge: intOrPercent.optional().describe('As a Deployment\'s rolling update (default 25%)'),
            maxUnavailable: intOrPercent.optional().describe('As a Deployment\'s rolling update (default 25%)'),
          })
          .optional(),
        blueGreen: anything.optional(),
      })
      .optional(),
    minReadySeconds: count.optional(),
    revisionHistoryLimit: count.optional(),
    paused: z.boolean().optional(),
  }),
});

export function toRollout(o: z.output<typeof rolloutSchema>, cv: Convert): RolloutObject {
  const spec = o.spec;
  if (spec.selector) checkSelector(spec.selector, cv, ['spec', 'selector']);
  if (!spec.template && !spec.workloadRef) cv.problem(['spec'], 'a Rollout needs spec.template or spec.workloadRef', 'kubectl get rollouts -o yaml prints one of them');
  const canary = spec.strategy?.canary;
  const strategy: RolloutObject['spec']['strategy'] = canary
    ? { type: 'canary', steps: canary.steps?.length ?? 0, ...(canary.maxSurge !== undefined ? { maxSurge: canary.maxSurge } : {}), ...(canary.maxUnavailable !== undefined ? { maxUnavailable: canary.maxUnavailable } : {}) }
    : spec.strategy?.blueGreen !== undefined ? { type: 'blueGreen', steps: 0 } : { type: 'none', steps: 0 };
  return {
    kind: 'Rollout',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      replicas: spec.replicas ?? 1,
      selector: spec.selector ?? null,
      template: spec.template ? toPodTemplate(spec.template, cv, ['spec', 'template']) : null,
      workloadRef: spec.workloadRef ? { kind: spec.workloadRef.kind, name: spec.workloadRef.name } : null,
      strategy,
      minReadySeconds: spec.minReadySeconds ?? 0,
      revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
      paused: spec.paused ?? false,
    },
  };
}

export const scaledObjectSchema = kubeObject({
  spec: z.looseObject({
    scaleTargetRef: z.looseObject({
      apiVersion: z.string().optional(),
      kind: z.string().optional().describe('Default Deployment'),
      name: z.string().min(1),
    }),
    minReplicaCount: count.optional(),
    maxReplicaCount: count.optional(),
    triggers: z.array(z.looseObject({ type: z.string().describe('What KEDA reads (prometheus, cpu, kafka, ...): named in the report') })).optional(),
    advanced: z
      .looseObject({ horizontalPodAutoscalerConfig: z.looseObject({ name: z.string().optional().describe('The name of the HPA KEDA generates (default keda-hpa-<name>)') }).optional() })
      .optional(),
  }),
  status: z.looseObject({ hpaName: z.string().optional().describe('The HPA KEDA generated: the one the cluster\'s state holds') }).optional(),
});

export function toScaledObject(o: z.output<typeof scaledObjectSchema>, cv: Convert): ScaledObjectObject {
  const spec = o.spec;
  return {
    kind: 'ScaledObject',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      scaleTargetRef: { kind: spec.scaleTargetRef.kind ?? 'Deployment', name: spec.scaleTargetRef.name },
      // KEDA's defaults (ScaledObjectSpec): 0 and 100.
      minReplicaCount: spec.minReplicaCount ?? 0,
      maxReplicaCount: spec.maxReplicaCount ?? 100,
      triggers: (spec.triggers ?? []).map((t) => t.type),
    },
    hpaName: o.status?.hpaName ?? spec.advanced?.horizontalPodAutoscalerConfig?.name ?? `keda-hpa-${o.metadata.name}`,
  };
}
