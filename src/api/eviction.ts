// The Eviction API (registry/core/pod/storage/eviction.go) and the PodDisruptionBudget status it
// checks (pkg/controller/disruption/disruption.go; reference §6.4). Every voluntary eviction —
// kubectl drain, the cluster autoscaler, the VPA updater, a spot notice — goes through evict().
// Upstream's disruption controller keeps each PDB's status current; capsim computes it when it
// is read, from the same pods, which gives the same answer without a sync loop.
import type { PdbObject } from '../model/objects.ts';
import type { Pod } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { compileLabelSelector, matchesLabelSelector } from '../model/labelSelector.ts';
import { resolveIntOrPercent } from '../model/intOrPercent.ts';
import type { ApiServer } from './apiServer.ts';

export type EvictionResult =
  | { ok: true }
  | { ok: false; status: 429 | 500; message: string };

export interface PdbStatus {
  expectedCount: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/** The PDBs whose selector selects the pod, in creation order. */
export function matchingPdbs(api: ApiServer, pod: Pod): PdbObject[] {
  const out: PdbObject[] = [];
  for (const p of api.podDisruptionBudgets.list()) if (p.metadata.namespace === pod.namespace && matchesLabelSelector(p.spec.selector, pod.labels)) out.push(p);
  return out;
}

export function pdbStatus(api: ApiServer, pdb: PdbObject): PdbStatus {
  const selects = compileLabelSelector(pdb.spec.selector); // once, not per pod
  const pods = [...api.pods.values()].filter((p) => p.namespace === pdb.metadata.namespace && p.removedMs < 0 && selects(p.labels));
  const { minAvailable, maxUnavailable } = pdb.spec;
  let expectedCount: number;
  let desiredHealthy: number;
  if (maxUnavailable === undefined && typeof minAvailable === 'number') {
    expectedCount = pods.length;
    desiredHealthy = minAvailable;
  } else {
    expectedCount = expectedScale(api, pods);
    if (minAvailable !== undefined) desiredHealthy = resolveIntOrPercent(minAvailable, expectedCount, true);
    else desiredHealthy = Math.max(0, expectedCount - resolveIntOrPercent(maxUnavailable ?? 0, expectedCount, true));
  }
  const currentHealthy = pods.filter((p) => p.ready && p.deletionMs < 0).length;
  const disruptionsAllowed = expectedCount <= 0 && maxUnavailable !== undefined ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  return { expectedCount, desiredHealthy, currentHealthy, disruptionsAllowed };
}

/** Σ spec.replicas over the distinct controllers of the selected pods (getExpectedScale). */
function expectedScale(api: ApiServer, pods: readonly Pod[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const pod of pods) {
    const key = pod.workload ?? (pod.owner ? `${pod.owner.kind}/${pod.namespace}/${pod.owner.name}` : null);
    if (key === null) {
      total++; // upstream refuses percentages for bare pods; counting them is the closest safe reading
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    total += api.workloads.replicasOf(pod) ?? 0;
  }
  return total;
}

/** The Eviction API: deletes the pod if no budget forbids it. `statuses` lets a caller evicting
 *  pods one after another (a drain pass) keep the PDB statuses read so far: a refused eviction
 *  changes nothing, and any deletion here clears them, so each answer is the one a fresh read gives. */
export function evict(api: ApiServer, pod: Pod, reason: string, statuses?: Map<PdbObject, PdbStatus>): EvictionResult {
  if (pod.deletionMs >= 0 || pod.removedMs >= 0) return { ok: true };
  if (!pod.node || pod.phase !== 'Running' || !isActive(pod)) {
    statuses?.clear();
    api.deletePod(pod, 'Evicted', reason);
    return { ok: true };
  }
  const pdbs = matchingPdbs(api, pod);
  if (pdbs.length > 1) {
    return { ok: false, status: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' };
  }
  if (pdbs.length === 1) {
    const pdb = pdbs[0];
    const status = statuses?.get(pdb) ?? pdbStatus(api, pdb);
    statuses?.set(pdb, status);
    const unhealthyMayGo =
      !pod.ready &&
      (pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0));
    if (!unhealthyMayGo && status.disruptionsAllowed < 1) {
      return { ok: false, status: 429, message: `Cannot evict pod as it would violate the pod's disruption budget ${pdb.metadata.name}.` };
    }
  }
  statuses?.clear();
  api.deletePod(pod, 'Evicted', reason);
  return { ok: true };
}

/** filterPodsWithPDBViolation: which evictions would break a budget, counted in order. */
export function splitByBudget(api: ApiServer, pods: readonly Pod[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = new Map<PdbObject, number>();
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violates = false;
    for (const pdb of matchingPdbs(api, pod)) {
      if (!allowed.has(pdb)) allowed.set(pdb, pdbStatus(api, pdb).disruptionsAllowed);
      const left = allowed.get(pdb)! - 1;
      allowed.set(pdb, left);
      if (left < 0 && pod.ready) violates = true;
    }
    (violates ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}
