// The ReplicaSet controller (pkg/controller/replicaset): keeps `replicas` active pods, creating
// through admission (a refusal such as an exceeded quota is a FailedCreate, retried with
// back-off) and deleting in upstream's order (ActivePodsWithRanks, reference §6.3). It watches
// ReplicaSets (the Deployment controller creates, scales and deletes them) and their pods.
import type { ApiServer } from '../api/apiServer.ts';
import type { ReplicaSet } from '../api/workloads.ts';
import type { EventHandle, Simulation } from '../engine/simulation.ts';
import type { Pod } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import type { ControllerContext } from './context.ts';
import { WorkQueue } from './workqueue.ts';

const INITIAL_RETRY_MS = 5;
const MAX_RETRY_MS = 1000 * 1000;

export class ReplicaSetController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<ReplicaSet>;
  private readonly retry = new Map<ReplicaSet, { delayMs: number; handle: EventHandle; lastError: string }>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, (rs) => this.sync(rs), (a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : 1));
    api.replicaSets.watch({
      added: (rs) => this.queue.add(rs),
      updated: (rs) => this.queue.add(rs),
      deleted: (rs) => {
        const r = this.retry.get(rs);
        if (r) clock.cancel(r.handle);
        this.retry.delete(rs);
        this.queue.forget(rs);
      },
    });
    api.addListener({
      // Owned pods going away need replacing.
      podTerminating: (pod) => {
        this.podChanged(pod);
        // Any pod leaving a namespace may free quota for a ReplicaSet waiting on it.
        for (const [rs, r] of this.retry) if (rs.namespace === pod.namespace && r.lastError.includes('quota')) this.queue.add(rs);
      },
      podReadyChanged: (pod) => this.podChanged(pod),
      // A pod the kubelet refused (admission) ends Failed and is no longer active.
      podFinished: (pod) => this.podChanged(pod),
      podRemoved: (pod) => this.podChanged(pod),
    });
  }

  private podChanged(pod: Pod): void {
    const rs = pod.owner?.kind === 'ReplicaSet' ? this.api.replicaSets.get(`ReplicaSet/${pod.namespace}/${pod.owner.name}`) : undefined;
    if (rs) this.queue.add(rs);
  }

  /** syncReplicaSet / manageReplicas. */
  private sync(rs: ReplicaSet): void {
    if (this.api.replicaSets.get(rs.ref) !== rs) return;
    const active = [...this.api.podsOwnedBy(rs.ref)].filter(isActive);
    const diff = active.length - rs.replicas;
    if (diff < 0) this.createPods(rs, -diff);
    else if (diff > 0) {
      for (const pod of podsToDelete(active, diff, this.clock.nowMs, relatedOnSameNode(active))) {
        this.api.deletePod(pod, 'Killed', `Deleted by ReplicaSet ${rs.name} (scale down)`);
      }
    }
  }

  private createPods(rs: ReplicaSet, count: number): void {
    for (let i = 0; i < count; i++) {
      const result = this.api.createPod({
        generateName: `${rs.name}-`,
        namespace: rs.namespace,
        labels: { ...rs.template.labels, 'pod-template-hash': rs.templateHash },
        annotations: rs.template.annotations,
        owner: { kind: 'ReplicaSet', name: rs.name },
        workload: rs.workload,
        spec: rs.template.spec,
      });
      if ('error' in result) {
        // slowStartBatch stops at the first failure; the rest wait for the retry.
        this.failedCreate(rs, result.error);
        return;
      }
    }
    const r = this.retry.get(rs);
    if (r) this.clock.cancel(r.handle);
    this.retry.delete(rs);
  }

  /** Workqueue rate limiting: 5 ms doubling to 1000 s per ReplicaSet. */
  private failedCreate(rs: ReplicaSet, error: string): void {
    const previous = this.retry.get(rs);
    if (previous) this.clock.cancel(previous.handle);
    if (previous?.lastError !== error) this.api.emit('FailedCreate', rs.ref, '', `Error creating: ${error}`);
    const delayMs = previous ? Math.min(MAX_RETRY_MS, previous.delayMs * 2) : INITIAL_RETRY_MS;
    const handle = this.queue.addAfter(rs, delayMs);
    this.retry.set(rs, { delayMs, handle, lastError: error });
  }
}

/** For each pod, how many active related pods share its node name, unassigned ones sharing ""
 *  (getPodsRankedByRelatedPodsOnSameNode; the rank in §6.3). */
export function relatedOnSameNode(pods: readonly Pod[]): Map<Pod, number> {
  const perNode = new Map<string, number>();
  for (const p of pods) if (isActive(p)) perNode.set(p.node?.name ?? '', (perNode.get(p.node?.name ?? '') ?? 0) + 1);
  const ranks = new Map<Pod, number>();
  for (const p of pods) ranks.set(p, perNode.get(p.node?.name ?? '') ?? 0);
  return ranks;
}

/** getPodsToDelete: the `count` pods that sort first by ActivePodsWithRanks. */
export function podsToDelete(pods: readonly Pod[], count: number, nowMs: number, ranks: ReadonlyMap<Pod, number>): Pod[] {
  return pods
    .slice()
    .sort((a, b) => compareForDeletion(a, b, nowMs, ranks))
    .slice(0, count);
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** ActivePodsWithRanks.Less, as a comparator: negative when `a` should be deleted first. */
export function compareForDeletion(a: Pod, b: Pod, nowMs: number, ranks: ReadonlyMap<Pod, number>): number {
  // 1. unassigned before assigned
  if (!a.node !== !b.node) return a.node ? 1 : -1;
  // 2. Pending < Unknown < Running
  const pa = PHASE_ORDER[a.phase] ?? 2;
  const pb = PHASE_ORDER[b.phase] ?? 2;
  if (pa !== pb) return pa - pb;
  // 3. not ready before ready
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  // 4. lower pod-deletion-cost first
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  // 5. more co-located ready siblings first
  const ra = ranks.get(a) ?? 0;
  const rb = ranks.get(b) ?? 0;
  if (ra !== rb) return rb - ra;
  // 6. ready for a shorter time first, compared in log2 buckets (LogarithmicScaleDown)
  if (a.ready && b.ready && a.readyMs !== b.readyMs) {
    const diff = logRank(a.readyMs, nowMs) - logRank(b.readyMs, nowMs);
    if (diff !== 0) return diff;
    return tieBreak(a, b);
  }
  // 7. more restarts first
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  // 8. newer first, also log-bucketed
  if (a.createdMs !== b.createdMs) {
    const diff = logRank(a.createdMs, nowMs) - logRank(b.createdMs, nowMs);
    if (diff !== 0) return diff;
    return tieBreak(a, b);
  }
  return 0;
}

function deletionCost(pod: Pod): number {
  const raw = pod.annotations['controller.kubernetes.io/pod-deletion-cost'];
  const n = raw === undefined ? 0 : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? n : 0;
}

/** int(log2(age in nanoseconds)), as logarithmicRankDiff computes it. */
function logRank(sinceMs: number, nowMs: number): number {
  const ageNs = (nowMs - sinceMs) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** Upstream breaks bucket ties by UID, which is random; a hash of our sequential uid plays that part. */
function tieBreak(a: Pod, b: Pod): number {
  return scramble(a.uid) - scramble(b.uid);
}

function scramble(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

