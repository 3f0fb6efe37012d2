// Drift and expiration, ported from kubernetes-sigs/karpenter@2266468104f3:
//   pkg/apis/v1/nodepool.go NodePool.Hash (hashstructure of spec.template with SlicesAsSets and
//     IgnoreZeroValue; requirements and budgets are hash:"ignore")
//   pkg/controllers/nodeclaim/disruption/drift.go isDrifted: NodePoolDrifted (the NodePool's hash
//     differs from the one the NodeClaim launched with), RequirementsDrifted (the NodeClaim's labels
//     no longer satisfy the NodePool's requirements), then the cloud provider's IsDrifted
//   aws/karpenter-provider-aws@1d927085 pkg/cloudprovider/drift.go: AMIDrift (the instance's image is
//     not among the NodeClass's resolved AMIs), NodeClassDrift (the EC2NodeClass's static hash)
//   pkg/controllers/disruption/drift.go Drift.ComputeCommands: oldest Drifted first, empty
//     candidates before the others, one candidate per command, replacements for whatever the
//     simulation must launch; a candidate whose pods fit nowhere is Blocked
//   pkg/controllers/nodeclaim/expiration/controller.go: a NodeClaim past creation + expireAfter is
//     deleted (forceful: no budgets, no do-not-disrupt; terminationGracePeriod bounds the drain)
// The hash is capsim's (FNV-1a over a canonical JSON of the hashed fields), not hashstructure's
// number: only equality matters. Not modelled: InstanceTypeNotFound (capsim's catalog does not
// change during a run), subnet and security-group drift (capsim has neither).
import type { NodeClassObject, NodePoolObject } from '../../model/karpenter.ts';
import { parseGoDurationMs } from '../goDuration.ts';
import { compatible, labelRequirements, requirement, requirements } from '../requirements.ts';
import { budgetMapping, getCandidates, sentence } from './candidates.ts';
import { schedulingErrorsMessage, simulateScheduling } from './simulate.ts';
import type { ClaimState, DisruptionEvent, DisruptionSnapshot, MethodResult } from './types.ts';

/** Canonical JSON: object keys sorted, arrays as sets (sorted by their canonical form), zero values
 *  (empty string, empty array or object, null, undefined, false, 0) left out as IgnoreZeroValue does. */
export function canonical(v: unknown): string | undefined {
  if (v === null || v === undefined || v === '' || v === false || v === 0) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(canonical).filter((x): x is string => x !== undefined).sort();
    return items.length === 0 ? undefined : `[${items.join(',')}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.keys(v as object).sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length === 0 ? undefined : `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${x}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a, 64-bit, as a decimal string. */
export function fnv64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString();
}

/** NodePool.Hash: spec.template without its requirements: labels, annotations, taints, startup
 *  taints, nodeClassRef, expireAfter, terminationGracePeriod. */
export function nodePoolHash(np: NodePoolObject): string {
  return fnv64(canonical({
    metadata: { labels: np.labels, annotations: np.annotations },
    spec: {
      taints: np.taints, startupTaints: np.startupTaints, nodeClassRef: np.nodeClassRef,
      expireAfter: np.expireAfter, terminationGracePeriod: np.terminationGracePeriod,
    },
  }) ?? '');
}

/** The NodeClass's static hash (EC2NodeClass.Hash: its spec less the selector terms, which drift
 *  through what they resolve to). capsim's NodeClass holds the AMI family and the kubelet. */
export function nodeClassHash(nc: NodeClassObject | null): string {
  if (!nc) return '';
  return fnv64(canonical({ amiFamily: nc.amiFamily, kubelet: nc.kubelet }) ?? '');
}

/** Whether a NodeClass follows new images: an amiSelectorTerms alias "<family>@latest", or no
 *  selector terms (the family's latest). A pinned alias or an id/name selector does not. */
export function followsLatest(nc: NodeClassObject): boolean {
  if (nc.amiSelectorTerms.length === 0) return true;
  return nc.amiSelectorTerms.some((t) => typeof t['alias'] === 'string' && (t['alias'] as string).endsWith('@latest'));
}

/** The image a NodeClass resolves to: its selector terms, plus the number of image releases (a
 *  scripted "new AMI" event) for one that follows the latest image. */
export function resolvedImage(nc: NodeClassObject | null, releases: number): string {
  if (!nc) return '';
  const base = canonical({ family: nc.amiFamily, terms: nc.amiSelectorTerms }) ?? '';
  return fnv64(followsLatest(nc) ? `${base}#${releases}` : base);
}

export interface DriftInputs {
  nodePool: NodePoolObject;
  nodeClass: NodeClassObject | null;
  /** Image releases so far for this NodeClass (scripted events). */
  imageReleases: number;
}

/** What a NodePool and its NodeClass are now, as drift compares a NodeClaim with them. */
export interface DriftTarget {
  nodePoolHash: string;
  requirements: ReturnType<typeof requirements>;
  image: string;
  nodeClassHash: string;
}

export function driftTarget(d: DriftInputs): DriftTarget {
  return {
    nodePoolHash: nodePoolHash(d.nodePool),
    requirements: requirements(...d.nodePool.requirements.map((r) => requirement(r.key, r.operator, r.values, r.minValues))),
    image: resolvedImage(d.nodeClass, d.imageReleases),
    nodeClassHash: nodeClassHash(d.nodeClass),
  };
}

/** isDrifted: the first drift reason, or null. */
export function driftReason(claim: Pick<ClaimState, 'nodePoolHash' | 'nodeClassHash' | 'image' | 'labels'>, d: DriftInputs | DriftTarget): string | null {
  const t = 'nodePool' in d ? driftTarget(d) : d;
  if (claim.nodePoolHash !== t.nodePoolHash) return 'NodePoolDrifted';
  if (compatible(labelRequirements(claim.labels), t.requirements) !== undefined) return 'RequirementsDrifted';
  if (claim.image !== t.image) return 'AMIDrift';
  if (claim.nodeClassHash !== t.nodeClassHash) return 'NodeClassDrift';
  return null;
}

/** When a NodeClaim expires (creation + expireAfter), or null for "Never" (or a non-positive
 *  expireAfter). The expiration controller (controllers/karpenter/karpenter.ts) deletes it then. */
export function expiresAtMs(claim: Pick<ClaimState, 'createdMs' | 'expireAfter'>): number | null {
  if (claim.expireAfter === 'Never') return null;
  try {
    const ms = parseGoDurationMs(claim.expireAfter);
    return ms > 0 ? claim.createdMs + ms : null;
  } catch {
    return null;
  }
}

/** Drift.ComputeCommands. */
export function drift(snap: DisruptionSnapshot): MethodResult {
  const events: DisruptionEvent[] = [];
  const candidates = getCandidates(snap, 'drift', events)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.claim.driftedSinceMs! - b.c.claim.driftedSinceMs! || a.i - b.i)
    .map((x) => x.c);
  if (candidates.length === 0) return { commands: [], events, markConsolidated: false };
  const budgets = budgetMapping(snap, 'Drifted', events);
  const ordered = [...candidates.filter((c) => c.reschedulablePods.length === 0), ...candidates.filter((c) => c.reschedulablePods.length > 0)];
  for (const c of ordered) {
    if ((budgets.get(c.nodePool.nodePool.name) ?? 0) === 0) continue;
    const sim = simulateScheduling(snap, [c], false);
    if (sim === null) continue;
    if (sim.errors.size > 0) {
      const message = sentence(schedulingErrorsMessage(sim.errors));
      events.push({ object: `Node/${c.name}`, reason: 'DisruptionBlocked', message }, { object: `NodeClaim/${c.claim.name}`, reason: 'DisruptionBlocked', message });
      continue;
    }
    return {
      commands: [{ reason: 'Drifted', consolidationType: '', candidates: [c], replacements: sim.newNodeClaims.map((plan) => ({ plan, instanceTypes: [...plan.instanceTypes] })) }],
      events, markConsolidated: false,
    };
  }
  return { commands: [], events, markConsolidated: false };
}
