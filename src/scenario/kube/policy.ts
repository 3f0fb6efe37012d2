// Admission and disruption policy objects: PodDisruptionBudget (policy/v1), PriorityClass
// (scheduling.k8s.io/v1), LimitRange and ResourceQuota (v1).
import { z } from 'zod';
import type { LimitRangeObject, PdbObject, PriorityClassObject, ResourceQuotaObject } from '../../model/objects.ts';
import { anything, checkMilliAmounts, int32, intOrPercent, quantity, resourceMap } from '../fields.ts';
import { didYouMean } from '../problems.ts';
import { kubeObject, labelSelector } from './meta.ts';
import { checkSelector, toMeta, toResourceMap, type Convert } from './convert.ts';

// --- PodDisruptionBudget ---------------------------------------------------------------------

export const pdbSchema = kubeObject({
  spec: z.strictObject({
    minAvailable: intOrPercent.optional(),
    selector: labelSelector.optional(),
    maxUnavailable: intOrPercent.optional(),
    unhealthyPodEvictionPolicy: z.enum(['IfHealthyBudget', 'AlwaysAllow']).optional(),
  }),
});

export function toPdb(o: z.output<typeof pdbSchema>, cv: Convert): PdbObject {
  const spec = o.spec;
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    cv.problem(['spec', 'maxUnavailable'], 'minAvailable and maxUnavailable cannot be both set', 'keep one of them');
  }
  checkSelector(spec.selector, cv, ['spec', 'selector']);
  const out: PdbObject = {
    kind: 'PodDisruptionBudget',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    // policy/v1: a missing or empty selector selects every pod in the namespace.
    spec: { selector: spec.selector ?? {}, unhealthyPodEvictionPolicy: spec.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget' },
  };
  if (spec.minAvailable !== undefined) out.spec.minAvailable = spec.minAvailable;
  if (spec.maxUnavailable !== undefined) out.spec.maxUnavailable = spec.maxUnavailable;
  return out;
}

// --- PriorityClass ---------------------------------------------------------------------------

/** Built in to every cluster (scheduling/types.go). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};
/** HighestUserDefinablePriority. */
const MAX_USER_PRIORITY = 1000000000;

export const priorityClassSchema = kubeObject({
  value: int32,
  globalDefault: z.boolean().optional(),
  description: z.string().optional(),
  preemptionPolicy: z.enum(['PreemptLowerPriority', 'Never']).optional(),
});

export function toPriorityClass(o: z.output<typeof priorityClassSchema>, cv: Convert): PriorityClassObject {
  const name = o.metadata.name;
  if (Object.hasOwn(SYSTEM_PRIORITY_CLASSES, name)) {
    cv.problem(['metadata', 'name'], `"${name}" is a built-in priority class and cannot be redefined`);
  } else if (name.startsWith('system-')) {
    cv.problem(['metadata', 'name'], 'priority class names with \'system-\' prefix are reserved');
  } else if (o.value > MAX_USER_PRIORITY) {
    cv.problem(['value'], `maximum allowed value of a user defined priority is ${MAX_USER_PRIORITY}`);
  }
  return {
    kind: 'PriorityClass',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, false),
    source: cv.source,
    value: o.value,
    globalDefault: o.globalDefault ?? false,
    preemptionPolicy: o.preemptionPolicy ?? 'PreemptLowerPriority',
  };
}

// --- LimitRange ------------------------------------------------------------------------------

const limitRangeItem = z.strictObject({
  type: z.enum(['Container', 'Pod', 'PersistentVolumeClaim']),
  max: resourceMap(['storage']).optional(),
  min: resourceMap(['storage']).optional(),
  default: resourceMap(['storage']).optional(),
  defaultRequest: resourceMap(['storage']).optional(),
  maxLimitRequestRatio: resourceMap(['storage']).optional(),
});

export const limitRangeSchema = kubeObject({ spec: z.strictObject({ limits: z.array(limitRangeItem) }) });

export function toLimitRange(o: z.output<typeof limitRangeSchema>, cv: Convert): LimitRangeObject {
  const limits = o.spec.limits.map((item, i) => {
    const path = ['spec', 'limits', i];
    const out: LimitRangeObject['spec']['limits'][number] = { type: item.type };
    for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      if (item[field]) out[field] = toResourceMap(item[field], cv, [...path, field]);
    }
    if (item.type === 'Pod' && (item.default || item.defaultRequest)) {
      cv.problem([...path, item.default ? 'default' : 'defaultRequest'], 'may not be specified when `type` is \'Pod\'');
    }
    // ValidateLimitRange: min <= defaultRequest <= default <= max, per resource.
    const order = ['min', 'defaultRequest', 'default', 'max'] as const;
    for (let a = 0; a < order.length; a++) {
      for (let b = a + 1; b < order.length; b++) {
        const low = out[order[a]];
        const high = out[order[b]];
        if (!low || !high) continue;
        for (const name of Object.keys(low)) {
          if (name in high && low[name] > high[name]) {
            cv.problem([...path, order[b], name], `${order[a]} value ${item[order[a]]![name]} is greater than ${order[b]} value ${item[order[b]]![name]}`);
          }
        }
      }
    }
    return out;
  });
  return { kind: 'LimitRange', apiVersion: o.apiVersion, metadata: toMeta(o.metadata, true), source: cv.source, spec: { limits } };
}

// --- ResourceQuota ---------------------------------------------------------------------------

/** Quota resource names (pkg/apis/core/helper standardQuotaResources and the patterns quota
 *  evaluators understand). */
export const STANDARD_QUOTA_RESOURCES = [
  'pods', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'persistentvolumeclaims', 'services', 'services.loadbalancers', 'services.nodeports',
  'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas',
];
const QUOTA_PATTERNS = [
  /^count\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, // count/<resource>[.<group>]
  /^requests\.[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, // requests.nvidia.com/gpu
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/,
  /^(requests\.)?hugepages-[0-9]+[A-Za-z]*$/,
];

export function quotaResourceProblem(name: string): { message: string; hint: string } | undefined {
  if (STANDARD_QUOTA_RESOURCES.includes(name) || QUOTA_PATTERNS.some((re) => re.test(name))) return undefined;
  const hint =
    (/^[a-z0-9.-]+\/[A-Za-z0-9._-]+$/.test(name) && !name.startsWith('count/') ? `did you mean "requests.${name}"? (extended resources are limited by their requests)` : undefined) ??
    didYouMean(name, STANDARD_QUOTA_RESOURCES) ??
    `valid names: ${STANDARD_QUOTA_RESOURCES.join(', ')}, count/<resource>[.<group>], requests.<extended resource>, <storage class>.storageclass.storage.k8s.io/requests.storage, hugepages-<size>`;
  return { message: `"${name}" is not a valid quota resource name`, hint };
}

const quotaHard = z.record(z.string(), quantity).check((ctx) => {
  for (const name of Object.keys(ctx.value)) {
    const problem = quotaResourceProblem(name);
    if (problem) ctx.issues.push({ code: 'custom', message: problem.message, input: name, path: [name], params: { hint: problem.hint, key: true }, continue: true });
  }
  checkMilliAmounts(ctx);
});

export const resourceQuotaSchema = kubeObject({
  spec: z
    .strictObject({
      hard: quotaHard.optional(),
      scopes: z.array(z.enum(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'])).optional(),
      scopeSelector: anything.optional(),
    })
    .optional(),
});

export function toResourceQuota(o: z.output<typeof resourceQuotaSchema>, cv: Convert): ResourceQuotaObject {
  return {
    kind: 'ResourceQuota',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, true),
    source: cv.source,
    spec: { hard: toResourceMap(o.spec?.hard, cv, ['spec', 'hard']), scopes: o.spec?.scopes ?? [] },
  };
}
