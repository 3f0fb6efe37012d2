// Cleaning one object of a dump into a manifest a person can read and capsim loads: the API
// server's bookkeeping goes (managedFields, resourceVersion, uid, creationTimestamp, generation,
// selfLink, generateName, the last-applied annotation, finalizers, deletion marks), and so does
// status, except what the loader reads as the cluster's state: a Pod's phase and start time, a
// Job's counts, completion time and conditions, an HPA's current and desired replicas, a Node's
// capacity and allocatable. A Node keeps its name, labels, annotations, taints, unschedulable and
// providerID (its cloud, for its price). Ownership (ownerReferences, spec.nodeName) is kept as
// it is: what it means is the loader's to decide. Which kinds are written at all is decided here.
import { KINDS, SKIPPED_KINDS, apiGroup } from '../scenario/kube/kinds.ts';

/** What happens to an object of a kind. */
export type KindFate =
  | { written: true }
  | { written: false; reason: string };

/** Kinds of custom resources the loader reads for what they say about pods and nodes (an Argo
 *  Rollout wraps a Deployment, KEDA generates an HPA, Karpenter's NodePool names a node group):
 *  written as they are, for the loader to use or report. */
export const KNOWN_CUSTOM_KINDS: ReadonlyMap<string, string> = new Map([
  ['argoproj.io/Rollout', 'an Argo Rollout'],
  ['keda.sh/ScaledObject', 'a KEDA ScaledObject'],
  ['keda.sh/ScaledJob', 'a KEDA ScaledJob'],
  ['karpenter.sh/NodePool', "Karpenter's NodePool"],
  ['karpenter.sh/NodeClaim', "Karpenter's NodeClaim"],
  ['karpenter.sh/Provisioner', "Karpenter's Provisioner (before v1beta1)"],
]);

/** Built-in kinds that are never written, whatever else: their content is private. */
const PRIVATE_KINDS = new Set(['Secret']);

export function fateOf(kind: string, apiVersion: string): KindFate {
  if (kind in KINDS || kind === 'ReplicaSet') return { written: true };
  if (KNOWN_CUSTOM_KINDS.has(`${apiGroup(apiVersion)}/${kind}`)) return { written: true };
  if (PRIVATE_KINDS.has(kind)) return { written: false, reason: 'never written: it holds secrets, and capsim does not simulate it' };
  if (SKIPPED_KINDS.has(kind)) return { written: false, reason: 'capsim does not simulate it (no bearing on capacity)' };
  return { written: false, reason: 'a kind capsim does not read' };
}

/** Status fields kept per kind: the cluster's state the loader reads. */
const STATUS_KEPT: Record<string, readonly string[]> = {
  Pod: ['phase', 'startTime'],
  Job: ['succeeded', 'failed', 'completionTime', 'conditions'],
  HorizontalPodAutoscaler: ['currentReplicas', 'desiredReplicas'],
  Node: ['capacity', 'allocatable'],
};

/** Node spec fields kept: what capsim reads of a node. */
const NODE_SPEC_KEPT = ['unschedulable', 'taints', 'providerID'];

/** ObjectMeta written by the API server. */
const BOOKKEEPING = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'generateName', 'finalizers', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What cleaning removed, counted per rule over the whole dump (for import-report.md). */
export class CleaningTally {
  readonly removed = new Map<string, number>();

  count(what: string): void {
    this.removed.set(what, (this.removed.get(what) ?? 0) + 1);
  }
}

/** A cleaned copy of a dump object that is to be written (`fateOf(...).written`). */
export function cleanObject(raw: Record<string, unknown>, tally: CleaningTally): Record<string, unknown> {
  const kind = raw.kind as string;
  const out: Record<string, unknown> = { apiVersion: raw.apiVersion, kind, metadata: cleanMeta(raw.metadata as Record<string, unknown>, tally) };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
    out[key] = withoutNulls(value, tally);
  }
  if (kind === 'Node') cleanNodeSpec(out, tally);
  const status = raw.status;
  if (status !== undefined) {
    const kept = keptStatus(kind, status);
    if (kept) out.status = kept;
    if (!kept || Object.keys(kept).length < Object.keys(status as object).length) tally.count(kept ? `status trimmed to what capsim reads (${kind})` : 'status');
  }
  return out;
}

/** A copy without null members: `annotations: null` (a Helm template's empty value) means unset
 *  to the API server, which stores nothing; `kubectl get` never prints one. In lists, kept. */
function withoutNulls(value: unknown, tally: CleaningTally): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v, tally));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) {
      tally.count('null fields (unset, as the API server stores them)');
      continue;
    }
    out[key] = withoutNulls(v, tally);
  }
  return out;
}

function cleanMeta(meta: Record<string, unknown>, tally: CleaningTally): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (BOOKKEEPING.includes(key)) {
      tally.count(`metadata.${key}`);
      continue;
    }
    out[key] = structuredClone(value);
  }
  const annotations = out.annotations as Record<string, unknown> | undefined;
  if (annotations && typeof annotations === 'object' && LAST_APPLIED in annotations) {
    delete annotations[LAST_APPLIED];
    tally.count(`the ${LAST_APPLIED} annotation`);
    if (Object.keys(annotations).length === 0) delete out.annotations;
  }
  if (Array.isArray(out.ownerReferences)) {
    out.ownerReferences = out.ownerReferences.map((ref) => {
      if (ref === null || typeof ref !== 'object') return ref;
      const { blockOwnerDeletion: _dropped, ...rest } = ref as Record<string, unknown>;
      return rest;
    });
  }
  return out;
}

function cleanNodeSpec(node: Record<string, unknown>, tally: CleaningTally): void {
  const spec = node.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return;
  const kept = Object.fromEntries(Object.entries(spec).filter(([key]) => NODE_SPEC_KEPT.includes(key)));
  if (Object.keys(kept).length < Object.keys(spec).length) tally.count('Node spec.podCIDR(s), externalID, configSource');
  if (Object.keys(kept).length === 0) delete node.spec;
  else node.spec = kept;
}

function keptStatus(kind: string, status: unknown): Record<string, unknown> | undefined {
  const keep = STATUS_KEPT[kind];
  if (!keep || status === null || typeof status !== 'object' || Array.isArray(status)) return undefined;
  const kept = Object.fromEntries(Object.entries(status).filter(([key]) => keep.includes(key)).map(([k, v]) => [k, structuredClone(v)]));
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** The latest time the dump records (creation, start, completion, heartbeats, managed fields),
 *  whole seconds, ISO UTC; null when it records none. The cluster was seen then. */
export function latestTimestamp(objects: readonly Record<string, unknown>[]): string | null {
  let latest = -Infinity;
  const consider = (value: unknown) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return;
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms > latest) latest = ms;
  };
  for (const o of objects) {
    const meta = o.metadata as Record<string, unknown>;
    consider(meta.creationTimestamp);
    if (Array.isArray(meta.managedFields)) for (const f of meta.managedFields) consider((f as Record<string, unknown> | null)?.time);
    const status = o.status as Record<string, unknown> | undefined;
    if (!status || typeof status !== 'object') continue;
    for (const key of ['startTime', 'completionTime', 'lastScheduleTime', 'lastSuccessfulTime', 'lastScaleTime']) consider(status[key]);
    if (Array.isArray(status.conditions)) {
      for (const c of status.conditions) {
        const cond = c as Record<string, unknown> | null;
        consider(cond?.lastTransitionTime);
        consider(cond?.lastHeartbeatTime);
      }
    }
  }
  return Number.isFinite(latest) ? new Date(Math.floor(latest / 1000) * 1000).toISOString().replace('.000Z', 'Z') : null;
}
