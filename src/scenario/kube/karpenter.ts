// Karpenter's kinds: karpenter.sh/v1 NodePool and NodeClaim, karpenter.k8s.aws/v1 EC2NodeClass,
// karpenter.azure.com AKSNodeClass (src/karpenter/objects.ts has the model and the sources).
// Validated as their CRDs validate them (kubernetes-sigs/karpenter@22664681:pkg/apis/v1/
// nodepool.go and nodeclaim.go kubebuilder markers and CEL rules), in upstream's words where
// upstream has them. They are read for `capsim validate`'s NodePool menu and checked; Karpenter
// itself does not run yet (issue 17), and the loader warns so. Specs are loose: each release adds
// fields, and those not below are accepted as they are; an EC2NodeClass's AWS plumbing (subnets,
// security groups, role, userData, tags, ...) has no bearing on capacity.
import { z } from 'zod';
import { own } from '../../model/records.ts';
import type { NodeClaimObject, NodeClassObject, NodePoolObject, NodeSelectorRequirementWithMinValues } from '../../model/karpenter.ts';
import type { KubeletOverrides } from '../../model/karpenter.ts';
import { OPERATORS, parseBound, restrictedLabelError } from '../../karpenter/requirements.ts';
import { milliValue, parseQuantity, quantityFieldOf, quantityHint, QuantityError, value } from '../../quantity.ts';
import { anything, messageAndHint, stringMap } from '../fields.ts';
import type { PathPart } from '../source.ts';
import { kubeObject, taint, templateMeta } from './meta.ts';
import type { Convert } from './convert.ts';

/** "720h", "30m10s": Karpenter's durations (no days), or "Never" where allowed. */
export const karpenterDuration = (never: boolean) => z.string().regex(never ? /^(([0-9]+(s|m|h))+|Never)$/ : /^([0-9]+(s|m|h))+$/, `must match ${never ? '^(([0-9]+(s|m|h))+|Never)$' : '^([0-9]+(s|m|h))+$'} (hours, minutes, seconds: 720h, 1h30m${never ? ', or Never' : ''})`);

export const requirementSchema = z.looseObject({
  key: z.string().min(1).max(316).describe('A label key: a well-known one (karpenter.sh/capacity-type, node.kubernetes.io/instance-type, karpenter.k8s.aws/instance-category, ...) or a custom label the NodePool puts on its nodes'),
  operator: z.enum(OPERATORS).describe('In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte'),
  values: z.array(z.string()).optional(),
  minValues: z.number().int().min(1).max(50).optional().describe('How many distinct values of the key the instance types Karpenter may launch must keep open (instance-type flexibility for spot)'),
});

/** A NodePool's disruption budget (spec.disruption.budgets[]). */
export const budgetSchema = z.looseObject({
  nodes: z.string().regex(/^((100|[0-9]{1,2})%|[0-9]+)$/, 'must be a count or a percentage ("10%", "5")'),
  schedule: z.string().optional(),
  duration: z.string().regex(/^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/, 'only hours and minutes: 10m, 1h, 1h30m').optional(),
  reasons: z.array(z.enum(['Underutilized', 'Empty', 'Drifted'])).optional(),
});

const nodeClassRefSchema = z.looseObject({
  group: z.string().min(1, 'group may not be empty').describe('karpenter.k8s.aws (EC2NodeClass) or karpenter.azure.com (AKSNodeClass)'),
  kind: z.string().min(1, 'kind may not be empty'),
  name: z.string().min(1, 'name may not be empty'),
});

const nodeClaimSpecFields = {
  requirements: z.array(requirementSchema).max(100).describe('What the nodes may be: the menu of instance types and offerings (capsim validate prints it)'),
  nodeClassRef: nodeClassRefSchema,
  taints: z.array(taint).optional(),
  startupTaints: z.array(taint).optional(),
  expireAfter: karpenterDuration(true).optional().describe('Default 720h'),
  terminationGracePeriod: karpenterDuration(false).optional(),
};

/** A NodePool's spec.disruption (also the `karpenter:` shorthand's `disruption`). */
export const disruptionSchema = z.looseObject({
  consolidationPolicy: z.enum(['WhenEmpty', 'WhenEmptyOrUnderutilized', 'Balanced']).optional(),
  consolidateAfter: karpenterDuration(true).optional(),
  budgets: z.array(budgetSchema).max(50).optional(),
});

export const nodePoolSchema = kubeObject({
  spec: z.looseObject({
    template: z.looseObject({
      metadata: z.looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
      spec: z.looseObject(nodeClaimSpecFields),
    }),
    disruption: disruptionSchema.optional(),
    limits: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe('Caps on the total capacity of the NodePool\'s nodes (cpu, memory, nodes, nvidia.com/gpu, ...)'),
    weight: z.number().int().min(1).max(100).optional().describe('Priority among NodePools: higher first (unset is 0)'),
    replicas: z.number().int().min(0).optional().describe('A static NodePool (alpha): this many nodes, not scaled by pods'),
  }),
});

export const nodeClaimSchema = kubeObject({ spec: z.looseObject({ ...nodeClaimSpecFields, resources: anything.optional() }) });

const kubeletSchema = z.looseObject({
  maxPods: z.number().int().min(0).optional().describe('Pods per node; default the ENI limit (the catalog\'s maxPods)'),
  podsPerCore: z.number().int().min(0).optional(),
  systemReserved: z.record(z.string(), z.string()).optional(),
  kubeReserved: z.record(z.string(), z.string()).optional(),
  evictionHard: z.record(z.string(), z.string()).optional(),
  evictionSoft: z.record(z.string(), z.string()).optional(),
});

export const ec2NodeClassSchema = kubeObject({
  spec: z.looseObject({
    amiFamily: z.string().optional().describe('AL2, AL2023, Bottlerocket, Windows2019/2022/2025, Custom; or implied by amiSelectorTerms[].alias'),
    amiSelectorTerms: z.array(z.looseObject({ alias: z.string().optional(), id: z.string().optional(), name: z.string().optional(), owner: z.string().optional(), ssmParameter: z.string().optional(), tags: stringMap.optional() })).optional(),
    kubelet: kubeletSchema.optional(),
    blockDeviceMappings: z.array(anything).optional(),
  }),
});

export const aksNodeClassSchema = kubeObject({
  spec: z.looseObject({
    imageFamily: z.string().optional().describe('Ubuntu2204, AzureLinux, ...'),
    maxPods: z.number().int().min(0).optional(),
    kubelet: kubeletSchema.optional(),
  }).optional(),
});

type Spec = z.output<typeof nodePoolSchema>['spec']['template']['spec'];

export function toRequirements(rs: Spec['requirements'], cv: Convert, path: readonly PathPart[]): NodeSelectorRequirementWithMinValues[] {
  return rs.map((r, i) => {
    const at = [...path, i];
    const values = r.values ?? [];
    if (r.operator === 'In' && values.length === 0) cv.problem([...at, 'values'], "requirements with operator 'In' must have a value defined");
    if (['Gt', 'Lt', 'Gte', 'Lte'].includes(r.operator) && (values.length !== 1 || (parseBound(values[0]!) ?? -1) < 0)) {
      cv.problem([...at, 'values'], "requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value", `e.g. {key: karpenter.k8s.aws/instance-generation, operator: ${r.operator}, values: ["5"]}`);
    }
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) cv.problem([...at, 'values'], `may not be specified when operator is '${r.operator}'`);
    if (r.operator === 'In' && r.minValues !== undefined && values.length < r.minValues) {
      cv.problem([...at, 'minValues'], "requirements with 'minValues' must have at least that many values specified in the 'values' field", `${values.length} value(s), minValues ${r.minValues}`);
    }
    const restricted = restrictedLabelError(r.key);
    if (restricted) cv.problem([...at, 'key'], restricted);
    return { key: r.key, operator: r.operator, values, ...(r.minValues !== undefined ? { minValues: r.minValues } : {}) };
  });
}

export const taints = (ts: Spec['taints']) => (ts ?? []).map(({ key, value, effect }) => (value === undefined ? { key, effect } : { key, value, effect }));

export function toNodePool(o: z.output<typeof nodePoolSchema>, cv: Convert): NodePoolObject {
  const spec = o.spec;
  const t = spec.template.spec;
  const labels = spec.template.metadata?.labels ?? {};
  for (const key of Object.keys(labels)) {
    const restricted = restrictedLabelError(key);
    if (restricted) cv.problem(['spec', 'template', 'metadata', 'labels', key], restricted);
  }
  if (spec.replicas !== undefined) {
    const limits = Object.keys(spec.limits ?? {});
    if (limits.some((k) => k !== 'nodes')) cv.problem(['spec', 'limits'], "only 'limits.nodes' is supported on static NodePools");
    if (spec.weight !== undefined) cv.problem(['spec', 'weight'], "'weight' is not supported on static NodePools");
  }
  (spec.disruption?.budgets ?? []).forEach((b, i) => {
    if ((b.schedule === undefined) !== (b.duration === undefined)) cv.problem(['spec', 'disruption', 'budgets', i], "'schedule' must be set with 'duration'");
  });
  for (const [name, amount] of Object.entries(spec.limits ?? {})) checkQuantity(name, amount, cv, ['spec', 'limits', name]);
  return {
    kind: 'NodePool',
    name: o.metadata.name,
    source: cv.source,
    labels,
    annotations: spec.template.metadata?.annotations ?? {},
    requirements: toRequirements(t.requirements, cv, ['spec', 'template', 'spec', 'requirements']),
    nodeClassRef: { group: t.nodeClassRef.group, kind: t.nodeClassRef.kind, name: t.nodeClassRef.name },
    taints: taints(t.taints),
    startupTaints: taints(t.startupTaints),
    expireAfter: t.expireAfter ?? '720h',
    terminationGracePeriod: t.terminationGracePeriod ?? null,
    limits: spec.limits ?? {},
    weight: spec.weight ?? 0,
    replicas: spec.replicas ?? null,
    disruption: {
      consolidationPolicy: spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
      consolidateAfter: spec.disruption?.consolidateAfter ?? '0s',
      budgets: spec.disruption?.budgets ?? [{ nodes: '10%' }],
    },
  };
}

export function toNodeClaim(o: z.output<typeof nodeClaimSchema>, cv: Convert): NodeClaimObject {
  const status = (o.status ?? {}) as { nodeName?: unknown };
  return {
    kind: 'NodeClaim',
    name: o.metadata.name,
    source: cv.source,
    nodePool: o.metadata.labels?.['karpenter.sh/nodepool'] ?? null,
    requirements: toRequirements(o.spec.requirements, cv, ['spec', 'requirements']),
    nodeClassRef: { group: o.spec.nodeClassRef.group, kind: o.spec.nodeClassRef.kind, name: o.spec.nodeClassRef.name },
    nodeName: typeof status.nodeName === 'string' ? status.nodeName : null,
  };
}

function checkQuantity(name: string, amount: string | number, cv: Convert, path: readonly PathPart[]): number | undefined {
  try {
    const q = parseQuantity(amount);
    return name === 'cpu' ? milliValue(q) : value(q);
  } catch (error) {
    if (!(error instanceof QuantityError)) throw error;
    const { message, hint } = messageAndHint(error);
    const field = quantityFieldOf(path);
    cv.problem(path, message, (field && quantityHint(amount, field)) ?? hint);
    return undefined;
  }
}

type Kubelet = z.output<typeof kubeletSchema>;

function reserved(map: Record<string, string> | undefined, cv: Convert, path: readonly PathPart[]): { cpuMilli?: number; memoryBytes?: number } | undefined {
  if (!map) return undefined;
  const out: { cpuMilli?: number; memoryBytes?: number } = {};
  for (const [name, amount] of Object.entries(map)) {
    const n = checkQuantity(name, amount, cv, [...path, name]);
    if (n === undefined) continue;
    if (name === 'cpu') out.cpuMilli = n;
    else if (name === 'memory') out.memoryBytes = n;
  }
  return out;
}

function toKubelet(k: Kubelet | undefined, maxPods: number | undefined, amiFamily: string | null, cv: Convert, path: readonly PathPart[]): KubeletOverrides {
  const out: KubeletOverrides = {};
  const pods = maxPods ?? k?.maxPods;
  if (pods !== undefined) out.maxPods = pods;
  const kube = reserved(k?.kubeReserved, cv, [...path, 'kubeReserved']);
  if (kube) out.kubeReserved = kube;
  const system = reserved(k?.systemReserved, cv, [...path, 'systemReserved']);
  if (system) out.systemReserved = system;
  const eviction = k?.evictionHard?.['memory.available'];
  if (eviction !== undefined) {
    if (!eviction.endsWith('%')) checkQuantity('memory', eviction, cv, [...path, 'evictionHard', 'memory.available']);
    out.evictionHardMemoryAvailable = eviction;
  }
  if (amiFamily) out.amiFamily = amiFamily;
  return out;
}

/** The AMI family an alias names: "al2023@latest" is AL2023, "bottlerocket@v1.20" Bottlerocket. */
const ALIAS_FAMILY: Record<string, string> = { al2: 'AL2', al2023: 'AL2023', bottlerocket: 'Bottlerocket', windows2019: 'Windows2019', windows2022: 'Windows2022', windows2025: 'Windows2025' };

export function toEc2NodeClass(o: z.output<typeof ec2NodeClassSchema>, cv: Convert): NodeClassObject {
  const spec = o.spec;
  const alias = spec.amiSelectorTerms?.find((t) => t.alias !== undefined)?.alias;
  const aliasFamily = alias ? own(ALIAS_FAMILY, alias.split('@')[0]!.toLowerCase()) : undefined;
  if (alias && !aliasFamily) cv.problem(['spec', 'amiSelectorTerms'], `unknown AMI alias "${alias}"`, `one of ${Object.keys(ALIAS_FAMILY).join(', ')}, with @latest or @<version>`);
  const amiFamily = spec.amiFamily ?? aliasFamily ?? null;
  return {
    kind: 'EC2NodeClass',
    group: 'karpenter.k8s.aws',
    name: o.metadata.name,
    source: cv.source,
    provider: 'aws',
    amiFamily,
    amiSelectorTerms: spec.amiSelectorTerms ?? [],
    kubelet: toKubelet(spec.kubelet, undefined, amiFamily, cv, ['spec', 'kubelet']),
  };
}

export function toAksNodeClass(o: z.output<typeof aksNodeClassSchema>, cv: Convert): NodeClassObject {
  return {
    kind: 'AKSNodeClass',
    group: 'karpenter.azure.com',
    name: o.metadata.name,
    source: cv.source,
    provider: 'azure',
    amiFamily: o.spec?.imageFamily ?? null,
    amiSelectorTerms: [],
    kubelet: toKubelet(o.spec?.kubelet, o.spec?.maxPods, null, cv, ['spec', 'kubelet']),
  };
}

/** Karpenter's kinds by API group, with the versions capsim reads. */
export const KARPENTER_KINDS: Record<string, { group: string; versions: readonly string[]; schema: z.ZodType; convert: (o: never, cv: Convert) => NodePoolObject | NodeClaimObject | NodeClassObject }> = {
  NodePool: { group: 'karpenter.sh', versions: ['karpenter.sh/v1'], schema: nodePoolSchema, convert: toNodePool },
  NodeClaim: { group: 'karpenter.sh', versions: ['karpenter.sh/v1'], schema: nodeClaimSchema, convert: toNodeClaim },
  EC2NodeClass: { group: 'karpenter.k8s.aws', versions: ['karpenter.k8s.aws/v1'], schema: ec2NodeClassSchema, convert: toEc2NodeClass },
  AKSNodeClass: { group: 'karpenter.azure.com', versions: ['karpenter.azure.com/v1beta1', 'karpenter.azure.com/v1alpha2'], schema: aksNodeClassSchema, convert: toAksNodeClass },
};
