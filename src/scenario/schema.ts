// The capsim/v1 Scenario document (DESIGN.md §2) as a zod schema: strict (an unknown key is a
// problem with the closest valid name), with every default of the format, so that parsing it
// yields the resolved document. Conversion to the model is in load.ts and the files it calls.
import { z } from 'zod';
import { karpenterShorthandSchema, type KarpenterShorthand } from './karpenterShorthand.ts';
import { carbonSchema } from './carbonSchema.ts';
import { budgetSchema, karpenterDuration, requirementSchema } from './kube/karpenter.ts';
import { checkPlausibleUsage, count, duration, intOrPercent, labelName, milliQuantity, number, objectName, percentOrQuantity, period, quantity, resourceMap, stringMap } from './fields.ts';
import { affinity, taint, topologySpreadConstraint, toleration } from './kube/meta.ts';
import { container } from './kube/pod.ts';
import { WORKLOAD_KINDS } from './kube/kinds.ts';
import { metricSpec } from './kube/autoscaling.ts';
import { listInstanceTypes } from '../cost/catalog.ts';
import { EXPANDER_NAMES } from '../model/scenario.ts';
import { formatPath } from './errors.ts';
import { calendarProblem } from '../timestamp.ts';

type CheckContext = z.core.ParsePayload<unknown>;

/** Exactly one of `keys` must be set on the checked object (a one-of such as an event's action). */
function exactlyOne(keys: readonly string[], what: string, tooMany = 'keep one of them') {
  return (ctx: CheckContext) => {
    const value = ctx.value as Record<string, unknown>;
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length === 1) return;
    const list = keys.map((k) => `"${k}"`).join(', ');
    const message = set.length === 0 ? `${what} needs one of ${list}` : `${what} takes exactly one of ${list}, got ${set.map((k) => `"${k}"`).join(' and ')}`;
    ctx.issues.push({ code: 'custom', message, input: value, continue: true, params: { hint: set.length > 1 ? tooMany : undefined } });
  };
}

const percent = number.min(0).max(1);

// --- cluster ---------------------------------------------------------------------------------

const expander = z.string().check((ctx) => {
  for (const name of (ctx.value as string).split(',').map((s) => s.trim())) {
    if (!(EXPANDER_NAMES as readonly string[]).includes(name)) {
      ctx.issues.push({ code: 'custom', message: `unknown expander "${name}"`, input: ctx.value, continue: true, params: { hint: `expanders: ${EXPANDER_NAMES.join(', ')} (a comma-separated chain such as "priority,least-waste" is allowed)` } });
    }
  }
});

/** kube-scheduler settings (KubeSchedulerConfiguration; reference/k8s-algorithms.md §4.3-4.4). */
export const schedulerSchema = z.strictObject({
  scoringStrategy: z
    .enum(['LeastAllocated', 'MostAllocated'])
    .default('LeastAllocated')
    .describe('NodeResourcesFit scoring: LeastAllocated spreads (the default), MostAllocated bin-packs'),
  percentageOfNodesToScore: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(0)
    .describe('Share of nodes to find feasible before scoring; 0 = adaptive (50% - nodes/125, at least 5%, at least 100 nodes)'),
});

/** A --cores-total / --memory-total limit, "<min>:<max>" upstream (main.go parseMinMaxFlag and
 *  validateMinMaxFlag: min >= 0, max >= min). */
function minMax(unit: string, defaultMax: number, largest?: number) {
  const amount = largest === undefined ? count : count.max(largest);
  return z
    .strictObject({ min: amount.default(0).describe(`in ${unit}`), max: amount.default(defaultMax).describe(`in ${unit}; 0 = no limit`) })
    .check((ctx) => {
      const { min, max } = ctx.value as { min: number; max: number };
      if (max < min) ctx.issues.push({ code: 'custom', message: `max (${max}) is below min (${min})`, input: ctx.value, path: ['max'], continue: true, params: { hint: 'max must be greater or equal to min' } });
    });
}

/** cluster-autoscaler settings; defaults from reference/k8s-algorithms.md §3 (flags.go). */
export const autoscalerSchema = z.strictObject({
  expander: expander.default('least-waste').describe(`cluster-autoscaler --expander: ${EXPANDER_NAMES.join(', ')}, or a comma-separated chain`),
  scanInterval: period.default('10s').describe('--scan-interval'),
  scaleDownUtilizationThreshold: percent.default(0.5).describe('--scale-down-utilization-threshold: a node whose requests are at most this share of allocatable is unneeded'),
  scaleDownUnneededTime: duration.default('10m').describe('--scale-down-unneeded-time'),
  scaleDownDelayAfterAdd: duration.default('10m').describe('--scale-down-delay-after-add'),
  scaleDownDelayAfterDelete: duration.default('0s').describe('--scale-down-delay-after-delete'),
  scaleDownDelayAfterFailure: duration.default('3m').describe('--scale-down-delay-after-failure'),
  maxNodesTotal: count.default(0).describe('--max-nodes-total; 0 means no limit'),
  maxNodeProvisionTime: duration.default('15m').describe('--max-node-provision-time: a scale-up not Ready by then is given up and backed off'),
  // Further flags of flags.go, with their upstream defaults.
  scaleDownEnabled: z.boolean().default(true),
  scaleDownUnreadyTime: duration.default('20m'),
  scaleDownGpuUtilizationThreshold: percent.default(0.5),
  ignoreDaemonsetsUtilization: z.boolean().default(false),
  skipNodesWithLocalStorage: z.boolean().default(true),
  skipNodesWithSystemPods: z.boolean().default(true),
  skipNodesWithCustomControllerPods: z.boolean().default(true),
  expendablePodsPriorityCutoff: z.number().int().default(-10),
  newPodScaleUpDelay: duration.default('0s'),
  maxNodesPerScaleUp: z.number().int().min(1).default(1000),
  balanceSimilarNodeGroups: z.boolean().default(false).describe('--balance-similar-node-groups: split each scale-up over the pools whose nodes are alike (same capacity, labels but zone, hostname and pool), smallest first'),
  maxScaleDownParallelism: z.number().int().min(1).default(10),
  maxDrainParallelism: z.number().int().min(1).default(1),
  maxGracefulTerminationSec: count.default(600),
  maxPodEvictionTime: duration.default('2m'),
  nodeDeleteDelayAfterTaint: duration.default('5s'),
  unremovableNodeRecheckTimeout: duration.default('5m'),
  initialNodeGroupBackoffDuration: duration.default('5m'),
  maxNodeGroupBackoffDuration: duration.default('30m'),
  nodeGroupBackoffResetTimeout: duration.default('3h'),
  okTotalUnreadyCount: count.default(3),
  maxTotalUnreadyPercentage: number.min(0).max(100).default(45),
  coresTotal: minMax('cores', 320_000).optional().describe('--cores-total: the cores (node capacity, rounded up) of the whole cluster stay within min..max; scale-up stops below max, scale-down above min. Default {min: 0, max: 320000}'),
  // --memory-total at most 2^23 GiB = 2^53 bytes, the largest amount a number holds exactly.
  memoryTotal: minMax('GiB', 6_400_000, 2 ** 23).optional().describe('--memory-total in GiB: the memory capacity of the whole cluster stays within min..max. Default {min: 0, max: 6400000}'),
  /** The priority expander's ConfigMap: priority -> regexes over node pool names. */
  priorities: z.record(z.string().regex(/^-?[0-9]+$/, 'priorities are integers'), z.array(z.string())).optional(),
});

export const nodePoolSchema = z.strictObject({
  name: labelName,
  instanceType: z.string().min(1).optional().describe('A built-in instance type, provider/name (`capsim catalog` lists them); or give capacity and price').meta({ examples: listInstanceTypes().map((t) => t.id) }),
  capacity: resourceMap(['pods']).optional().describe('Node capacity (cpu, memory, pods, extended resources); overrides the instance type\'s values'),
  price: z.strictObject({ onDemandPerHour: number.min(0).describe('USD per node-hour') }).optional().describe('Required with an explicit capacity; defaults to the catalog price'),
  capacityType: z.enum(['on-demand', 'spot']).default('on-demand').describe('Spot nodes cost spot.pricePerHour (or the catalog spot price) and may be interrupted'),
  spot: z
    .strictObject({
      interruptionsPerNodeDay: number.min(0).default(0),
      noticeSeconds: count.default(120),
      pricePerHour: number.min(0).optional(),
    })
    .optional(),
  kubeReserved: resourceMap().optional().describe('kubelet --kube-reserved, subtracted from capacity. Default: the provider\'s formula (EKS, GKE, AKS) for a catalog instanceType, else nothing; a value given replaces the formula as a whole ({} reserves nothing)'),
  systemReserved: resourceMap().default({}).describe('kubelet --system-reserved, subtracted from capacity'),
  evictionHard: z.strictObject({ 'memory.available': percentOrQuantity }).optional().describe('kubelet --eviction-hard memory.available (a quantity or a percentage of capacity), subtracted from allocatable. Default: the provider\'s for a catalog instanceType, else the kubelet default 100Mi'),
  evictionPressureTransitionPeriod: duration.default('5m').describe('kubelet --eviction-pressure-transition-period: how long the MemoryPressure condition (and its node.kubernetes.io/memory-pressure:NoSchedule taint) stays after memory.available was last below evictionHard'),
  cgroupVersion: z.enum(['v1', 'v2']).default('v2').describe('The nodes\' cgroup hierarchy. Under CPU contention the kernel shares by cgroup weight: v1 by cpu.shares (1024 per CPU requested), v2 by cpu.weight converted from them (the kubelet\'s linear formula for pod and QoS cgroups, the runtime\'s for containers)'),
  labels: stringMap.default({}),
  annotations: stringMap.optional().describe('Node annotations, e.g. cluster-autoscaler.kubernetes.io/scale-down-disabled: "true" (the cluster autoscaler never removes such a node)'),
  taints: z.array(taint).default([]),
  zones: z.array(z.string().min(1)).min(1).default(['zone-a']).describe('Zones the pool\'s nodes are spread over (label topology.kubernetes.io/zone)'),
  count: count.optional().describe('Nodes at start (default: min, else 0 when max is given, else 1)'),
  min: count.optional().describe('Smallest size the cluster autoscaler keeps (default: count)'),
  max: count.optional().describe('Largest size the cluster autoscaler grows to (default: max(count, min))'),
  provisioningDelay: duration.default('90s').describe('From scale-up decision to node Ready'),
});

// --- workloads shorthand ---------------------------------------------------------------------

/** spec.pricing: the prices a team pays (src/pricing/resolve.ts says how they combine). */
export const discountSchema = z.strictObject({
  name: z.string().min(1).describe('What the discount is, e.g. "compute-savings-plan-3y" (FOCUS CommitmentDiscountName for a commitment)'),
  kind: z.enum(['negotiated', 'commitment']).describe('negotiated: an agreed % off list (EDP, private pricing), lowers the contracted price; commitment: a Savings Plan, reserved instance or committed-use discount, lowers the effective price (what the run charges)'),
  percent: number.gt(0).max(100).describe('Percent off the price before this discount'),
  pools: z.array(z.string().min(1)).default([]).describe('Only nodes of these node pools or Karpenter NodePools (default: any)'),
  instanceFamilies: z.array(z.string().min(1)).default([]).describe('Only these instance families: AWS "m5", Azure series "Ds_v5" or family "D", GCE "n2" or "n2-standard" (default: any)'),
  instanceTypes: z.array(z.string().min(1)).default([]).describe('Only these catalog types, provider/name as in `capsim catalog` (default: any)'),
  capacityTypes: z.array(z.enum(['on-demand', 'spot'])).min(1).optional().describe('Only nodes of these capacity types. Default: on-demand for a commitment (Savings Plans and committed-use discounts do not cover spot), both for negotiated'),
});

export const pricingSchema = z.strictObject({
  region: z.string().min(1).optional().describe('Region whose catalog prices apply (`capsim catalog --region` lists them; AWS us-east-1, us-gov-east-1, us-gov-west-1; Azure eastus, eastus2, westus2, westeurope, northeurope; none for GCE). Default: the catalog\'s own (AWS us-east-1, Azure eastus, GCE unnamed)'),
  priceFile: z.string().min(1).optional().describe('A custom price list in OpenCost\'s custom-pricing CSV shape (EndTimestamp,InstanceID,Region,AssetClass,InstanceIDField,InstanceType,MarketPriceHourly,Version), relative to the scenario: its node rows replace the catalog\'s on-demand list price'),
  discounts: z.array(discountSchema).default([]).describe('Price adjustments: negotiated ones first, then commitments, each multiplying the price by (1 - percent/100)'),
  spotPriceHistory: z.string().min(1).optional().describe('A spot price history, the JSON `aws ec2 describe-spot-price-history` prints, relative to the scenario: spot nodes of a type and zone it covers cost the price in effect, changing over the run'),
});

const hpaMetricShort = z
  .strictObject({
    type: z.undefined().optional(),
    resource: z.string().min(1).optional(),
    container: z.string().min(1).optional(),
    averageUtilization: z.number().int().min(1).optional(),
    averageValue: milliQuantity.optional(),
    value: milliQuantity.optional(),
    pods: z.strictObject({ name: z.string().min(1), averageValue: milliQuantity }).optional(),
    external: z.strictObject({ name: z.string().min(1), value: milliQuantity.optional(), averageValue: milliQuantity.optional() }).check(exactlyOne(['value', 'averageValue'], 'an external metric')).optional(),
  })
  .check(exactlyOne(['resource', 'pods', 'external'], 'an HPA metric'))
  .check((ctx) => {
    const m = ctx.value as { resource?: string; averageUtilization?: number; averageValue?: unknown; value?: unknown };
    if (m.resource === undefined) return;
    exactlyOne(['averageUtilization', 'averageValue'], `a ${m.resource} metric`)(ctx);
    if (m.value !== undefined) ctx.issues.push({ code: 'custom', message: 'a resource metric takes averageUtilization or averageValue', input: m, path: ['value'], continue: true });
  });

/** An `hpa.metrics` item: capsim's short form (`{resource: cpu, averageUtilization: 60}`), or,
 *  told apart by its `type`, the autoscaling/v2 MetricSpec people copy from their manifests
 *  (`{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}`),
 *  which goes into the generated HPA as it is and is checked as in a manifest. */
const hpaMetricShorthand = z.discriminatedUnion('type', [metricSpec, hpaMetricShort]);

export const workloadSchema = z
  .strictObject({
    name: objectName,
    namespace: labelName.default('default'),
    kind: z.enum(WORKLOAD_KINDS).default('Deployment'),
    replicas: count.optional(),
    labels: stringMap.default({}),
    annotations: stringMap.optional(),
    containers: z.array(container).min(1),
    initContainers: z.array(container).optional(),
    priorityClassName: z.string().optional(),
    nodeSelector: stringMap.optional(),
    tolerations: z.array(toleration).optional(),
    affinity: affinity.optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraint).optional(),
    terminationGracePeriodSeconds: count.optional(),
    strategy: z
      .strictObject({
        type: z.enum(['RollingUpdate', 'Recreate', 'OnDelete']).optional(),
        rollingUpdate: z.strictObject({ maxSurge: intOrPercent.optional(), maxUnavailable: intOrPercent.optional(), partition: count.optional() }).optional(),
      })
      .optional(),
    schedule: z.string().min(1).optional(),
    concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).optional(),
    parallelism: count.optional(),
    completions: count.optional(),
    backoffLimit: count.optional(),
    restartPolicy: z.enum(['OnFailure', 'Never']).optional(),
    hpa: z
      .strictObject({
        minReplicas: z.number().int().min(1).default(1),
        maxReplicas: z.number().int().min(1),
        metrics: z.array(hpaMetricShorthand).default([{ resource: 'cpu', averageUtilization: 80 }]),
        behavior: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
    vpa: z
      .strictObject({
        updateMode: z.enum(['Off', 'Initial', 'Recreate', 'Auto', 'InPlaceOrRecreate']).default('Auto'),
        minReplicas: z.number().int().min(1).optional(),
        containerPolicies: z.array(z.record(z.string(), z.unknown())).optional(),
      })
      .optional(),
    pdb: z
      .strictObject({
        minAvailable: intOrPercent.optional(),
        maxUnavailable: intOrPercent.optional(),
        unhealthyPodEvictionPolicy: z.enum(['IfHealthyBudget', 'AlwaysAllow']).optional(),
      })
      .check(exactlyOne(['minAvailable', 'maxUnavailable'], 'a pdb'))
      .optional(),
  })
  .check((ctx) => {
    const w = ctx.value as { kind?: string; schedule?: string; replicas?: number; hpa?: unknown; parallelism?: unknown; completions?: unknown; backoffLimit?: unknown; restartPolicy?: unknown };
    const kind = w.kind ?? 'Deployment';
    const only = (field: keyof typeof w, kinds: string[]) => {
      if (w[field] !== undefined && !kinds.includes(kind)) {
        ctx.issues.push({ code: 'custom', message: `"${field}" does not apply to kind ${kind}`, input: w, path: [field], continue: true, params: { hint: `it applies to ${kinds.join(', ')}`, key: true } });
      }
    };
    if (kind === 'CronJob' && w.schedule === undefined) ctx.issues.push({ code: 'custom', message: 'a CronJob needs a schedule', input: w, continue: true, params: { hint: 'e.g. schedule: "0 2 * * *"' } });
    only('schedule', ['CronJob']);
    only('replicas', ['Deployment', 'StatefulSet']);
    only('hpa', ['Deployment', 'StatefulSet']);
    for (const f of ['parallelism', 'completions', 'backoffLimit', 'restartPolicy'] as const) only(f, ['Job', 'CronJob']);
  });

// --- behavior --------------------------------------------------------------------------------

const clockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a time of day as "HH:MM" (24-hour)');

const demandPattern = z
  .strictObject({
    constant: number.min(0).optional(),
    daily: z.strictObject({ amplitude: percent, peakAt: clockTime.default('12:00') }).optional(),
    weekly: z.strictObject({ weekendFactor: number.min(0) }).optional(),
    growth: z.strictObject({ perDay: number.gt(-1) }).optional(),
    spike: z.strictObject({ at: duration, duration, factor: number.min(0) }).optional(),
    noise: z.strictObject({ cv: number.min(0) }).optional(),
    trace: z.strictObject({ file: z.string().min(1), time: z.string().min(1), value: z.string().min(1) }).optional(),
  })
  .check(exactlyOne(['constant', 'daily', 'weekly', 'growth', 'spike', 'noise', 'trace'], 'a demand pattern', 'write one pattern per list item; the patterns multiply'));

// A resource left out of a container's usage is used at exactly its request, as for a container
// without `usage:` at all (src/workload/usage.ts containerModel).
const containerUsage = z.strictObject({
  cpu: z
    .strictObject({ base: milliQuantity.default('0'), perUnit: milliQuantity.default('0') })
    .check(checkPlausibleUsage('cpu'))
    .optional()
    .describe('CPU wanted: base + perUnit x load; without it the container uses exactly its CPU request'),
  memory: z
    .strictObject({ base: quantity.default('0'), perUnit: quantity.default('0'), leakPerHour: quantity.default('0'), noise: number.min(0).default(0) })
    .check(checkPlausibleUsage('bytes'))
    .optional()
    .describe('Memory used: (base + perUnit x load) x (1 + noise x z) + leak; without it the container uses exactly its memory request'),
});

const runDuration = z.union([
  duration,
  z
    .strictObject({
      lognormal: z.strictObject({ median: duration, sigma: number.min(0) }).optional(),
      exponential: z.strictObject({ mean: duration }).optional(),
    })
    .check(exactlyOne(['lognormal', 'exponential'], 'a run duration')),
]);

export const behaviorSchema = z.strictObject({
  target: z.string().min(1).describe('Kind/namespace/name of a declared workload, e.g. Deployment/shop/web'),
  demand: z.array(demandPattern).default([]),
  usage: z.record(z.string(), containerUsage).default({}),
  startup: z.strictObject({ delay: duration.optional() }).optional(),
  shutdown: z.strictObject({ delay: duration.optional() }).optional(),
  arrivals: z
    .strictObject({ cron: z.string().min(1).optional(), poissonPerHour: number.gt(0).optional() })
    .check(exactlyOne(['cron', 'poissonPerHour'], 'arrivals'))
    .optional(),
  run: z.strictObject({ duration: runDuration }).optional(),
});

// --- events ----------------------------------------------------------------------------------

const selection = {
  node: z.string().min(1).optional(),
  pool: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
  count: z.number().int().min(1).default(1),
};

export const EVENT_ACTIONS = ['drain', 'cordon', 'uncordon', 'nodeFailure', 'zoneOutage', 'spotInterruption', 'capacityUnavailable', 'rollout', 'scale', 'nodePoolUpdate', 'nodeClassUpdate'] as const;

/** A Karpenter NodePool edited at a time (kubectl apply): the fields given replace the NodePool's. */
const nodePoolUpdate = z.strictObject({
  nodePool: z.string().min(1).describe('The NodePool\'s name'),
  labels: stringMap.optional().describe('spec.template.metadata.labels (drift: NodePoolDrifted)'),
  annotations: stringMap.optional().describe('spec.template.metadata.annotations (drift: NodePoolDrifted)'),
  taints: z.array(taint).optional().describe('spec.template.spec.taints (drift: NodePoolDrifted)'),
  requirements: z.array(requirementSchema).optional().describe('spec.template.spec.requirements (drift: RequirementsDrifted for nodes whose labels no longer satisfy them)'),
  expireAfter: karpenterDuration(true).optional().describe('spec.template.spec.expireAfter (drift: NodePoolDrifted; new NodeClaims get it)'),
  terminationGracePeriod: karpenterDuration(false).optional().describe('spec.template.spec.terminationGracePeriod (drift: NodePoolDrifted)'),
  consolidationPolicy: z.enum(['WhenEmpty', 'WhenEmptyOrUnderutilized', 'Balanced']).optional().describe('spec.disruption.consolidationPolicy (no drift)'),
  consolidateAfter: karpenterDuration(true).optional().describe('spec.disruption.consolidateAfter (no drift)'),
  budgets: z.array(budgetSchema).max(50).optional().describe('spec.disruption.budgets (no drift)'),
});

/** A Karpenter NodeClass edited at a time, or a new image released. */
const nodeClassUpdate = z.strictObject({
  nodeClass: z.string().min(1).describe('The EC2NodeClass\'s (or AKSNodeClass\'s) name'),
  amiSelectorTerms: z.array(z.record(z.string(), z.unknown())).min(1).optional().describe('spec.amiSelectorTerms (drift: AMIDrift)'),
  newImage: z.boolean().default(false).describe('A new image is released: nodes of a NodeClass that follows the latest image (an "@latest" alias, or no selector terms) drift (AMIDrift)'),
});

export const eventSchema = z
  .strictObject({
    at: duration,
    drain: z.strictObject({ ...selection, gracePeriod: duration.optional(), timeout: duration.optional(), deleteNodes: z.boolean().default(false) }).optional(),
    cordon: z.strictObject(selection).optional(),
    uncordon: z.strictObject(selection).optional(),
    nodeFailure: z.strictObject({ ...selection, duration: duration.optional() }).optional(),
    zoneOutage: z.strictObject({ zone: z.string().min(1), duration }).optional(),
    spotInterruption: z.strictObject({ pool: z.string().min(1), count: z.number().int().min(1).default(1) }).optional(),
    capacityUnavailable: z.strictObject({ pool: z.string().min(1), duration }).optional().describe('The cloud has no capacity for the pool (e.g. a spot stock-out): its new nodes never become Ready for this long'),
    rollout: z.strictObject({ target: z.string().min(1) }).optional(),
    scale: z.strictObject({ target: z.string().min(1), replicas: count }).optional(),
    nodePoolUpdate: nodePoolUpdate.optional().describe('Karpenter: a NodePool edited at this time (the drift preview)'),
    nodeClassUpdate: nodeClassUpdate.optional().describe('Karpenter: a NodeClass edited, or a new image released, at this time (the drift preview)'),
  })
  .check(exactlyOne(EVENT_ACTIONS, 'an event', 'write one action per event (several events may share the same "at")'));

// --- the document ----------------------------------------------------------------------------

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?Z$/;

/** Why `text` is no ISO-8601 UTC time that exists, or undefined. */
export function isoUtcProblem(text: string): { message: string; hint?: string } | undefined {
  const m = ISO_UTC.exec(text);
  const hint = 'e.g. "2026-01-05T00:00:00Z" (quote it; the Z means UTC)';
  if (!m) return { message: `invalid start time ${JSON.stringify(text)}: expected an ISO-8601 UTC time`, hint };
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((part) => Number(part ?? 0));
  const problem = calendarProblem({ year, month, day, hour, minute, second });
  return problem ? { message: `invalid start time ${JSON.stringify(text)}: ${problem}`, hint } : undefined;
}

const isoUtc = z.string().check((ctx) => {
  const problem = isoUtcProblem(ctx.value as string);
  if (problem) ctx.issues.push({ code: 'custom', message: problem.message, input: ctx.value, continue: true, params: { hint: problem.hint } });
});

/** A manifests entry: a path or glob (relative to the scenario file), or an inline object. */
const manifestEntry = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

/** A spec.traces entry: a file of pods with their creation and deletion times. */
export const traceSchema = z.strictObject({
  file: z.string().min(1).describe('CSV with a header row, or JSON Lines (.jsonl, .ndjson), relative to the scenario file: one pod per row, sorted by creation time'),
});

export const DEFAULT_START = '2026-01-05T00:00:00Z';

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('capsim/v1'),
  kind: z.literal('Scenario'),
  metadata: z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a scenario name is used as a directory name: letters, digits, ".", "_" and "-"').optional(),
      description: z.string().default(''),
    })
    .prefault({}),
  spec: z
    .strictObject({
      seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).describe('Seed of every random stream; same scenario and seed give identical outputs'),
      start: isoUtc.default(DEFAULT_START).describe('Wall-clock time of t=0 (ISO-8601 UTC): anchors daily/weekly patterns and the outputs\' time column'),
      duration: duration.default('1d').describe('Simulated time'),
      sampleEvery: duration.default('1m').describe('Resolution of usage sampling and of the time-series outputs'),
      cluster: z
        .strictObject({
          nodePools: z.array(nodePoolSchema).default([]),
          autoscaler: autoscalerSchema.nullable().default(null).describe('cluster-autoscaler settings; omit (or null) to disable it'),
          scheduler: schedulerSchema.prefault({}).describe('kube-scheduler profile settings'),
        })
        .prefault({}),
      manifests: z.array(manifestEntry).default([]).describe('Kubernetes manifests: file paths, directories or globs relative to this file, or inline objects'),
      placement: z
        .enum(['asDumped', 'reschedule'])
        .optional()
        .describe('Where the pods of a cluster\'s state (kubectl get -o yaml of a running cluster) start: asDumped (the default) binds each Running pod to its spec.nodeName at t=0, adopted by its workload; reschedule drops the workloads\' pods and lets them create and schedule new ones. --placement overrides it'),
      karpenter: karpenterShorthandSchema.optional(),
      pricing: pricingSchema.optional().describe('The prices a team pays: a region\'s prices, a custom price file, discounts, a spot price history (docs/scenario.md "Pricing")'),
      workloads: z.array(workloadSchema).default([]).describe('Inline shorthand; each entry becomes a Deployment/StatefulSet/DaemonSet/Job/CronJob (plus its HPA, VPA, PDB)'),
      behavior: z.array(behaviorSchema).default([]).describe('How each workload is loaded (demand) and uses resources (usage)'),
      events: z.array(eventSchema).default([]).describe('Scripted what-ifs: drain, cordon, uncordon, nodeFailure, zoneOutage, spotInterruption, capacityUnavailable, rollout, scale, nodePoolUpdate, nodeClassUpdate'),
      carbon: carbonSchema.optional(),
      traces: z
        .array(traceSchema)
        .optional()
        .describe('Pod traces replayed during the run: pods created and deleted at given times (docs/scenario.md "Pod traces")'),
    })
    .prefault({}),
});

export type ScenarioDocument = z.output<typeof scenarioSchema>;
export type NodePoolDocument = z.output<typeof nodePoolSchema>;
export type WorkloadDocument = z.output<typeof workloadSchema>;
export type BehaviorDocument = z.output<typeof behaviorSchema>;
export type EventDocument = z.output<typeof eventSchema>;
export type PricingDocument = z.output<typeof pricingSchema>;
export type AutoscalerDocument = z.output<typeof autoscalerSchema>;

// --- salvage: the usable parts of a document that failed validation -----------------------------

/** A scenario's sections, where an entry that failed validation is a hole (undefined) so the
 *  others keep their index, and a top-level value that failed is undefined. */
export interface ScenarioSections {
  duration: string | number | undefined;
  sampleEvery: string | number | undefined;
  nodePools: (NodePoolDocument | undefined)[];
  /** Pool names as written, valid pools or not (for references). */
  poolNames: string[];
  autoscaler: AutoscalerDocument | null | undefined;
  workloads: (WorkloadDocument | undefined)[];
  /** The raw workload entries (to declare the names of the invalid ones). */
  rawWorkloads: unknown[];
  behavior: (BehaviorDocument | undefined)[];
  events: (EventDocument | undefined)[];
  /** spec.karpenter (undefined when absent, or when it failed validation beyond salvage). */
  karpenter: KarpenterShorthand | undefined;
  /** Entries that failed validation but were checked further without the fields that failed,
   *  by path (`spec.cluster.nodePools[0]`): the fields taken out. What the further checks find
   *  about those fields (or the entry as a whole) is a consequence, not another problem. */
  salvaged: Map<string, string[]>;
}

/** Salvages an entry that failed validation: the entry without the fields its issues are about
 *  (an unknown key, a wrong value, the innermost field that holds it), when that parses, so that
 *  its other fields are still checked (an unknown instance type beside a misspelt key, a priority
 *  class beside a wrong CPU request are reported in the same pass). */
function salvage<S extends z.ZodType>(schema: S, value: unknown, at: (string | number)[], salvaged: Map<string, string[]>): z.output<S> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entry = structuredClone(value) as Record<string, unknown>;
  const removed: PropertyKey[][] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = schema.safeParse(entry);
    if (result.success) {
      if (removed.length > 0) salvaged.set(formatPath(at), removed.map((p) => formatPath(p as (string | number)[])));
      return result.data;
    }
    for (const issue of result.error.issues) {
      let target: PropertyKey[] = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : [...issue.path];
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys.slice(1)) removeAt(entry, [...issue.path, k], removed);
      // A field missing (or taken out before) is its holder's problem; a list item, its list's.
      while (target.length > 0 && (typeof target.at(-1) === 'number' || lookup(entry, target) === undefined)) target = target.slice(0, -1);
      if (target.length === 0) return undefined; // about the entry as a whole
      // Its identity (what others refer to it by) must stand as written.
      if (target.length === 1 && ['name', 'namespace', 'kind'].includes(String(target[0]))) return undefined;
      removeAt(entry, target, removed);
    }
  }
  return undefined;
}

function lookup(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function removeAt(root: Record<string, unknown>, path: readonly PropertyKey[], removed: PropertyKey[][]): void {
  const holder = lookup(root, path.slice(0, -1));
  if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) return;
  delete (holder as Record<PropertyKey, unknown>)[path.at(-1)!];
  removed.push([...path]);
}

function pick<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The sections of a parsed document, or of a raw one whose validation failed. */
export function sections(parsed: ScenarioDocument | undefined, raw: Record<string, unknown>): ScenarioSections {
  const rawSpec = asObject(raw.spec);
  const rawCluster = asObject(rawSpec.cluster);
  const rawPools = asList(rawCluster.nodePools);
  const poolNames = rawPools.map((p) => asObject(p).name).filter((n): n is string => typeof n === 'string');
  const rawWorkloads = asList(rawSpec.workloads);
  const salvaged = new Map<string, string[]>();
  if (parsed) {
    const s = parsed.spec;
    return { duration: s.duration, sampleEvery: s.sampleEvery, nodePools: s.cluster.nodePools, poolNames, autoscaler: s.cluster.autoscaler, workloads: s.workloads, rawWorkloads, behavior: s.behavior, events: s.events, karpenter: s.karpenter, salvaged };
  }
  return {
    duration: pick(duration.default('1d'), rawSpec.duration),
    sampleEvery: pick(duration.default('1m'), rawSpec.sampleEvery),
    nodePools: rawPools.map((p, i) => salvage(nodePoolSchema, p, ['spec', 'cluster', 'nodePools', i], salvaged)),
    poolNames,
    autoscaler: pick(autoscalerSchema.nullable().default(null), rawCluster.autoscaler),
    workloads: rawWorkloads.map((w, i) => salvage(workloadSchema, w, ['spec', 'workloads', i], salvaged)),
    rawWorkloads,
    behavior: asList(rawSpec.behavior).map((b, i) => salvage(behaviorSchema, b, ['spec', 'behavior', i], salvaged)),
    events: asList(rawSpec.events).map((e, i) => salvage(eventSchema, e, ['spec', 'events', i], salvaged)),
    karpenter: rawSpec.karpenter === undefined ? undefined : salvage(karpenterShorthandSchema, rawSpec.karpenter, ['spec', 'karpenter'], salvaged),
    salvaged,
  };
}
