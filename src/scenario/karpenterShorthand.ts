// The `karpenter:` shorthand -> the Karpenter manifests it stands for: each entry of
// `nodePools` a karpenter.sh/v1 NodePool, and its NodeClass (an EC2NodeClass or AKSNodeClass)
// unless the manifests declare one of that name. The manifests are read by the same code as a
// manifest file's (scenario/kube/karpenter.ts), and a problem in one is reported at the
// shorthand field it came from. `startupDelay` is the run's, for every NodePool.
import { z } from 'zod';
import type { PathPart } from './source.ts';
import { duration, objectName, stringMap } from './fields.ts';
import { taint } from './kube/meta.ts';
import { disruptionSchema, karpenterDuration, requirementSchema } from './kube/karpenter.ts';
import { mapper } from './shorthand.ts';

const nodeClassShorthand = z.strictObject({
  kind: z.enum(['EC2NodeClass', 'AKSNodeClass']).default('EC2NodeClass').describe('EC2NodeClass (AWS) or AKSNodeClass (Azure)'),
  name: objectName.default('default').describe('A NodeClass of this kind and name in the manifests is used; else one is generated with the settings below'),
  amiFamily: z.string().optional().describe('EC2NodeClass amiFamily (AL2023, Bottlerocket, ...); Bottlerocket reserves memory by maxPods'),
  maxPods: z.number().int().min(0).optional().describe('kubelet maxPods (default: the catalog\'s, the ENI limit on AWS)'),
});

export const karpenterShorthandSchema = z.strictObject({
  nodePools: z.array(z.strictObject({
    name: objectName,
    nodeClass: nodeClassShorthand.prefault({}),
    requirements: z.array(requirementSchema).default([]).describe('As a NodePool\'s spec.template.spec.requirements'),
    labels: stringMap.optional().describe('Labels of its nodes (and In requirements)'),
    taints: z.array(taint).optional(),
    limits: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe('As a NodePool\'s spec.limits'),
    weight: z.number().int().min(1).max(100).optional(),
    expireAfter: karpenterDuration(true).optional(),
    terminationGracePeriod: karpenterDuration(false).optional().describe('As a NodePool\'s spec.template.spec.terminationGracePeriod: how long a drain may wait on PDBs before the pods left are deleted'),
    disruption: disruptionSchema.optional().describe('As a NodePool\'s spec.disruption: consolidationPolicy, consolidateAfter, budgets'),
  })).default([]),
  spot: z.strictObject({
    priceRatio: z.number().gt(0).max(1).optional().describe('Spot price as a share of the on-demand price, for instance types whose catalog entry has no spot price (AWS and Azure have none): without it those types are offered on-demand only, and Karpenter launches no spot there'),
    interruptionsPerNodeDay: z.number().min(0).default(0).describe('Spot interruptions per spot node and day, a Poisson process per node: Karpenter\'s interruption handling taints, drains and replaces the node before the notice ends'),
    notice: duration.default('2m').describe('The interruption notice: from the warning to the instance\'s termination (AWS: 2 minutes)'),
  }).optional().describe('Spot capacity for Karpenter\'s NodePools that allow karpenter.sh/capacity-type spot'),
  featureGates: z.strictObject({
    spotToSpotConsolidation: z.boolean().default(false).describe('Karpenter\'s SpotToSpotConsolidation feature gate (--feature-gates SpotToSpotConsolidation=true; off by default upstream): single-node consolidation may replace a spot node with a cheaper spot node when at least 15 cheaper spot types are offered; off, a spot node is only deleted or merged'),
  }).prefault({}).describe('Karpenter\'s feature gates (the controller\'s --feature-gates flag)'),
  startupDelay: duration.default('90s').describe('From a NodeClaim\'s launch to its Node Ready (registered and initialized): the instance\'s boot and the kubelet joining. Also for NodePools from manifests'),
}).describe('Karpenter NodePools in short: each becomes a karpenter.sh/v1 NodePool and its NodeClass; Karpenter provisions nodes from them (and from the NodePools in the manifests)');

export type KarpenterShorthand = z.output<typeof karpenterShorthandSchema>;

export interface GeneratedKarpenter {
  kind: string;
  /** Index of the shorthand entry it came from. */
  entry: number;
  manifest: Record<string, unknown>;
  mapPath(path: readonly PathPart[]): PathPart[] | undefined;
}

const GROUP = { EC2NodeClass: 'karpenter.k8s.aws', AKSNodeClass: 'karpenter.azure.com' } as const;
const VERSION = { EC2NodeClass: 'karpenter.k8s.aws/v1', AKSNodeClass: 'karpenter.azure.com/v1beta1' } as const;

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The manifests of the shorthand. `declared(kind, name)`: whether the manifests hold that
 *  NodeClass already (then it is used, not generated). A NodeClass two entries name is generated
 *  once, from the first; a later entry that sets it otherwise is returned in `conflicts`. */
export function expandKarpenter(k: KarpenterShorthand, declared: (kind: string, name: string) => boolean): { generated: GeneratedKarpenter[]; conflicts: number[] } {
  const generated: GeneratedKarpenter[] = [];
  const conflicts: number[] = [];
  const classes = new Map<string, string>();
  k.nodePools.forEach((p, i) => {
    const c = p.nodeClass;
    generated.push({
      kind: 'NodePool',
      entry: i,
      manifest: {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: p.name },
        spec: defined({
          template: {
            ...(p.labels ? { metadata: { labels: p.labels } } : {}),
            spec: defined({ nodeClassRef: { group: GROUP[c.kind], kind: c.kind, name: c.name }, requirements: p.requirements, taints: p.taints, expireAfter: p.expireAfter, terminationGracePeriod: p.terminationGracePeriod }),
          },
          disruption: p.disruption,
          limits: p.limits,
          weight: p.weight,
        }),
      },
      mapPath: mapper([
        [['metadata', 'name'], ['name']],
        [['spec', 'template', 'metadata', 'labels'], ['labels']],
        [['spec', 'template', 'spec', 'nodeClassRef'], ['nodeClass']],
        [['spec', 'template', 'spec', 'requirements'], ['requirements']],
        [['spec', 'template', 'spec', 'taints'], ['taints']],
        [['spec', 'template', 'spec', 'expireAfter'], ['expireAfter']],
        [['spec', 'template', 'spec', 'terminationGracePeriod'], ['terminationGracePeriod']],
        [['spec', 'disruption'], ['disruption']],
        [['spec', 'limits'], ['limits']],
        [['spec', 'weight'], ['weight']],
      ]),
    });
    if (declared(c.kind, c.name)) return;
    const key = `${c.kind}/${c.name}`;
    const settings = JSON.stringify([c.amiFamily, c.maxPods]);
    const first = classes.get(key);
    if (first !== undefined) {
      if (first !== settings) conflicts.push(i);
      return;
    }
    classes.set(key, settings);
    const spec = c.kind === 'EC2NodeClass'
      ? defined({ amiFamily: c.amiFamily, kubelet: c.maxPods === undefined ? undefined : { maxPods: c.maxPods } })
      : defined({ imageFamily: c.amiFamily, maxPods: c.maxPods });
    generated.push({
      kind: c.kind,
      entry: i,
      manifest: { apiVersion: VERSION[c.kind], kind: c.kind, metadata: { name: c.name }, spec },
      mapPath: mapper([[['metadata', 'name'], ['nodeClass', 'name']], [['spec', 'amiFamily'], ['nodeClass', 'amiFamily']], [['spec', 'imageFamily'], ['nodeClass', 'amiFamily']], [['spec', 'kubelet', 'maxPods'], ['nodeClass', 'maxPods']], [['spec', 'maxPods'], ['nodeClass', 'maxPods']]]),
    });
  });
  return { generated: generated.map((g) => ({ ...g, manifest: structuredClone(g.manifest) })), conflicts };
}
