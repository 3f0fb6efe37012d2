// HorizontalPodAutoscaler (autoscaling/v2, and autoscaling/v1 converted to v2 as the API server
// does) and VerticalPodAutoscaler (autoscaling.k8s.io/v1).
import { z } from 'zod';
import type { HpaMetric, HpaMetricTarget, HpaObject, VpaObject } from '../../model/objects.ts';
import { count, milliQuantity, resourceMap } from '../fields.ts';
import { implausibleQuantity, quantityFieldOf } from '../../quantity.ts';
import { crossVersionObjectReference, kubeObject, labelSelector } from './meta.ts';
import { checkSelector, toMeta, toMilli, toResourceMap, type Convert } from './convert.ts';
import type { PathPart } from '../source.ts';

const metricTarget = z.strictObject({
  type: z.enum(['Utilization', 'Value', 'AverageValue']),
  value: milliQuantity.optional(),
  averageValue: milliQuantity.optional(),
  averageUtilization: z.number().int().min(1).optional(),
});

const metricIdentifier = z.strictObject({ name: z.string().min(1), selector: labelSelector.optional() });

/** An autoscaling/v2 MetricSpec; the `hpa.metrics` shorthand accepts it as well (schema.ts). */
export const metricSpec = z.strictObject({
  type: z.enum(['Object', 'Pods', 'Resource', 'ContainerResource', 'External']),
  object: z.strictObject({ describedObject: crossVersionObjectReference, target: metricTarget, metric: metricIdentifier }).optional(),
  pods: z.strictObject({ metric: metricIdentifier, target: metricTarget }).optional(),
  resource: z.strictObject({ name: z.string().min(1), target: metricTarget }).optional(),
  containerResource: z.strictObject({ name: z.string().min(1), target: metricTarget, container: z.string().min(1) }).optional(),
  external: z.strictObject({ metric: metricIdentifier, target: metricTarget }).optional(),
});

const scalingRules = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z
    .array(z.strictObject({ type: z.enum(['Pods', 'Percent']), value: z.number().int().min(1), periodSeconds: z.number().int().min(1).max(1800) }))
    .optional(),
  tolerance: milliQuantity.optional(),
});

/** What a cluster's HPA last did: the replicas it saw and wanted (scenario/clusterState.ts). */
const hpaStatus = z.looseObject({
  currentReplicas: count.optional().describe('The replicas the HPA saw at its last sync'),
  desiredReplicas: count.optional().describe('The replicas it last asked for'),
});

export const hpaV2Schema = kubeObject({
  status: hpaStatus.optional(),
  spec: z.strictObject({
    scaleTargetRef: crossVersionObjectReference,
    minReplicas: z.number().int().min(1).optional(),
    maxReplicas: z.number().int().min(1),
    metrics: z.array(metricSpec).optional(),
    behavior: z.strictObject({ scaleUp: scalingRules.optional(), scaleDown: scalingRules.optional() }).optional(),
  }),
});

export const hpaV1Schema = kubeObject({
  status: hpaStatus.optional(),
  spec: z.strictObject({
    scaleTargetRef: crossVersionObjectReference,
    minReplicas: z.number().int().min(1).optional(),
    maxReplicas: z.number().int().min(1),
    targetCPUUtilizationPercentage: z.number().int().min(1).optional(),
  }),
});

const MEMBER: Record<HpaMetric['type'], 'object' | 'pods' | 'resource' | 'containerResource' | 'external'> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  ContainerResource: 'containerResource',
  External: 'external',
};

type MetricTargetInput = z.output<typeof metricTarget>;

/** `resource` names what a resource metric measures (cpu, memory): an averageValue in a unit that
 *  cannot be meant there (`cpu` at 500Mi) is a problem. */
function toTarget(t: MetricTargetInput, cv: Convert, path: PathPart[], allowed: HpaMetricTarget['type'][], resource?: string): HpaMetricTarget {
  const field = resource === undefined ? undefined : quantityFieldOf([resource]);
  const wrong = field && t.averageValue !== undefined ? implausibleQuantity(t.averageValue, field) : undefined;
  if (wrong) cv.problem([...path, 'averageValue'], wrong.message, wrong.hint);
  if (!allowed.includes(t.type)) {
    cv.problem([...path, 'type'], `unsupported value "${t.type}"`, `supported values here: ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  const out: HpaMetricTarget = { type: t.type };
  const need = { Utilization: 'averageUtilization', Value: 'value', AverageValue: 'averageValue' }[t.type] as keyof MetricTargetInput;
  if (t[need] === undefined) cv.problem([...path, need], `must be set when target type is ${t.type}`);
  if (t.averageUtilization !== undefined) out.averageUtilization = t.averageUtilization;
  const valueMilli = toMilli(t.value, cv, [...path, 'value']);
  if (valueMilli !== undefined) out.valueMilli = valueMilli;
  const averageValueMilli = toMilli(t.averageValue, cv, [...path, 'averageValue']);
  if (averageValueMilli !== undefined) out.averageValueMilli = averageValueMilli;
  return out;
}

function toMetric(m: z.output<typeof metricSpec>, cv: Convert, path: PathPart[]): HpaMetric | undefined {
  const member = MEMBER[m.type];
  for (const other of Object.values(MEMBER)) {
    if (other !== member && m[other] !== undefined) cv.problem([...path, other], `must not be set when type is "${m.type}"`);
  }
  const p = [...path, member];
  switch (m.type) {
    case 'Resource':
      if (!m.resource) break;
      return { type: 'Resource', resource: { name: m.resource.name, target: toTarget(m.resource.target, cv, [...p, 'target'], ['Utilization', 'AverageValue'], m.resource.name) } };
    case 'ContainerResource':
      if (!m.containerResource) break;
      return {
        type: 'ContainerResource',
        containerResource: { name: m.containerResource.name, container: m.containerResource.container, target: toTarget(m.containerResource.target, cv, [...p, 'target'], ['Utilization', 'AverageValue'], m.containerResource.name) },
      };
    case 'Pods':
      if (!m.pods) break;
      checkSelector(m.pods.metric.selector, cv, [...p, 'metric', 'selector']);
      return { type: 'Pods', pods: { metric: m.pods.metric, target: toTarget(m.pods.target, cv, [...p, 'target'], ['AverageValue']) } };
    case 'Object':
      if (!m.object) break;
      return {
        type: 'Object',
        object: {
          metric: m.object.metric,
          describedObject: { apiVersion: m.object.describedObject.apiVersion ?? '', kind: m.object.describedObject.kind, name: m.object.describedObject.name },
          target: toTarget(m.object.target, cv, [...p, 'target'], ['Value', 'AverageValue']),
        },
      };
    case 'External':
      if (!m.external) break;
      return { type: 'External', external: { metric: m.external.metric, target: toTarget(m.external.target, cv, [...p, 'target'], ['Value', 'AverageValue']) } };
  }
  cv.problem(p, `must be set when type is "${m.type}"`);
  return undefined;
}

/** Upstream's v2 default when no metric is given: 80% average CPU utilization. */
function cpuUtilization(percent: number): HpaMetric {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } } };
}

function checkReplicas(min: number, max: number, cv: Convert): void {
  if (max < min) cv.problem(['spec', 'maxReplicas'], `must be greater than or equal to \`minReplicas\` (${min})`);
}

function scaleTargetRef(ref: z.output<typeof crossVersionObjectReference>) {
  return { apiVersion: ref.apiVersion ?? '', kind: ref.kind, name: ref.name };
}

export function toHpaV2(o: z.output<typeof hpaV2Schema>, cv: Convert): HpaObject {
  const spec = o.spec;
  const minReplicas = spec.minReplicas ?? 1;
  checkReplicas(minReplicas, spec.maxReplicas, cv);
  const metrics = spec.metrics && spec.metrics.length > 0
    ? spec.metrics.map((m, i) => toMetric(m, cv, ['spec', 'metrics', i])).filter((m): m is HpaMetric => m !== undefined)
    : [cpuUtilization(80)];
  const behavior = spec.behavior
    ? Object.fromEntries(
        Object.entries(spec.behavior).map(([direction, rules]) => {
          const { tolerance, ...rest } = rules!;
          return [direction, tolerance === undefined ? rest : { ...rest, tolerance: (toMilli(tolerance, cv, ['spec', 'behavior', direction, 'tolerance']) ?? 0) / 1000 }];
        }),
      )
    : null;
  return {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: { scaleTargetRef: scaleTargetRef(spec.scaleTargetRef), minReplicas, maxReplicas: spec.maxReplicas, metrics, behavior },
    ...hpaStatusOf(o.status),
  };
}

function hpaStatusOf(status: z.output<typeof hpaStatus> | undefined): Pick<HpaObject, 'status'> {
  if (!status || (status.currentReplicas === undefined && status.desiredReplicas === undefined)) return {};
  return { status: { currentReplicas: status.currentReplicas, desiredReplicas: status.desiredReplicas } };
}

/** autoscaling/v1: targetCPUUtilizationPercentage becomes a v2 Resource cpu Utilization metric. */
export function toHpaV1(o: z.output<typeof hpaV1Schema>, cv: Convert): HpaObject {
  const spec = o.spec;
  const minReplicas = spec.minReplicas ?? 1;
  checkReplicas(minReplicas, spec.maxReplicas, cv);
  return {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: {
      scaleTargetRef: scaleTargetRef(spec.scaleTargetRef),
      minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: [cpuUtilization(spec.targetCPUUtilizationPercentage ?? 80)],
      behavior: null,
    },
    ...hpaStatusOf(o.status),
  };
}

const containerPolicy = z.strictObject({
  containerName: z.string().min(1),
  mode: z.enum(['Auto', 'Off']).optional(),
  minAllowed: resourceMap().optional(),
  maxAllowed: resourceMap().optional(),
  controlledResources: z.array(z.enum(['cpu', 'memory'])).optional(),
  controlledValues: z.enum(['RequestsAndLimits', 'RequestsOnly']).optional(),
});

export const vpaSchema = kubeObject({
  spec: z.strictObject({
    targetRef: crossVersionObjectReference,
    updatePolicy: z
      .strictObject({
        updateMode: z.enum(['Off', 'Initial', 'Recreate', 'Auto', 'InPlaceOrRecreate']).optional(),
        minReplicas: z.number().int().min(1).optional(),
        evictionRequirements: z.array(z.unknown()).optional(),
      })
      .optional(),
    resourcePolicy: z.strictObject({ containerPolicies: z.array(containerPolicy).optional() }).optional(),
    recommenders: z.array(z.strictObject({ name: z.string() })).optional(),
  }),
});

export function toVpa(o: z.output<typeof vpaSchema>, cv: Convert): VpaObject {
  const spec = o.spec;
  const policies = (spec.resourcePolicy?.containerPolicies ?? []).map((p, i) => {
    const path = ['spec', 'resourcePolicy', 'containerPolicies', i];
    const out: VpaObject['spec']['resourcePolicy']['containerPolicies'][number] = { containerName: p.containerName };
    if (p.mode) out.mode = p.mode;
    if (p.minAllowed) out.minAllowed = toResourceMap(p.minAllowed, cv, [...path, 'minAllowed']);
    if (p.maxAllowed) out.maxAllowed = toResourceMap(p.maxAllowed, cv, [...path, 'maxAllowed']);
    if (out.minAllowed && out.maxAllowed) {
      for (const name of Object.keys(out.minAllowed)) {
        if (name in out.maxAllowed && out.minAllowed[name] > out.maxAllowed[name]) cv.problem([...path, 'maxAllowed', name], `must be greater than or equal to minAllowed.${name}`);
      }
    }
    if (p.controlledResources) out.controlledResources = p.controlledResources;
    if (p.controlledValues) out.controlledValues = p.controlledValues;
    return out;
  });
  const updatePolicy: VpaObject['spec']['updatePolicy'] = { updateMode: spec.updatePolicy?.updateMode ?? 'Auto' };
  if (spec.updatePolicy?.minReplicas !== undefined) updatePolicy.minReplicas = spec.updatePolicy.minReplicas;
  return {
    kind: 'VerticalPodAutoscaler',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: { targetRef: scaleTargetRef(spec.targetRef), updatePolicy, resourcePolicy: { containerPolicies: policies } },
  };
}
