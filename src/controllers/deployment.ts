// The Deployment controller (pkg/controller/deployment): owns ReplicaSets, rolls out a changed
// template with maxSurge/maxUnavailable (rolling.go, reference §6.2) or Recreate, and scales
// proportionally across ReplicaSets when replicas change mid-rollout (sync.go). It watches
// Deployments (the scale subresource and `kubectl rollout restart` write them) and the pods of
// the ReplicaSets it owns, and writes ReplicaSets through the API.
import { Phase } from '../phases.ts';
import type { ApiServer } from '../api/apiServer.ts';
import type { Deployment, ReplicaSet } from '../api/workloads.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { PodTemplate } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { resolveIntOrPercent } from '../model/intOrPercent.ts';
import type { ControllerContext } from './context.ts';
import { templateHash } from './templateHash.ts';
import { equalIgnoringHash } from '../model/templates.ts';
import { WorkQueue } from './workqueue.ts';

export class DeploymentController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<Deployment>;
  /** The earliest pending availability re-check per Deployment (minReadySeconds). */
  private readonly recheckAt = new Map<Deployment, number>();
  /** The template each Deployment's templateHash was computed from: another one is a rollout. */
  private readonly hashed = new Map<Deployment, PodTemplate>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, (d) => this.sync(d));
    api.deployments.watch({
      added: (d) => {
        this.adopt(d);
        this.hashed.set(d, d.template);
        this.queue.add(d);
      },
      updated: (d) => {
        if (this.hashed.get(d) !== d.template) this.startRollout(d);
        this.queue.add(d);
      },
    });
    api.addListener({
      podTerminating: (pod) => this.podChanged(pod.owner?.kind === 'ReplicaSet' ? `ReplicaSet/${pod.namespace}/${pod.owner.name}` : null),
      podReadyChanged: (pod) => this.podChanged(pod.owner?.kind === 'ReplicaSet' ? `ReplicaSet/${pod.namespace}/${pod.owner.name}` : null),
      podRemoved: (pod) => this.podChanged(pod.owner?.kind === 'ReplicaSet' ? `ReplicaSet/${pod.namespace}/${pod.owner.name}` : null),
    });
  }

  /** Readiness of a ReplicaSet's pods moves its Deployment's availability. */
  private podChanged(rsRef: string | null): void {
    const rs = rsRef === null ? undefined : this.api.replicaSets.get(rsRef);
    const d = rs ? this.api.deployments.get(rs.workload) : undefined;
    if (d) this.queue.add(d);
  }

  /** A new Deployment's template hash: its own, or, when a cluster's state gave it ReplicaSets
   *  already, the one of its new ReplicaSet (FindNewReplicaSet: the set whose template is its
   *  template; the loader names it, reading the revisions), so that set is not made again. With
   *  sets and none of them current, the first sync makes one: a rollout from them. */
  private adopt(d: Deployment): void {
    const adopted = this.replicaSetsOf(d);
    const named = d.obj.currentReplicaSet;
    const current = named !== undefined ? adopted.find((rs) => rs.name === named) : adopted.find((rs) => equalIgnoringHash(rs.template, d.template));
    d.templateHash = current ? current.templateHash : templateHash(d.template, 0);
    if (adopted.length === 0) return;
    d.revision = Math.max(...adopted.map((rs) => rs.revision)) + (current ? 0 : 1);
    // The replica annotations a cluster's sets lacked are the ones this Deployment would write.
    for (const rs of adopted) {
      if (rs.desiredReplicasAnnotation < 0) rs.desiredReplicasAnnotation = d.replicas;
      if (rs.maxReplicasAnnotation < 0) rs.maxReplicasAnnotation = d.replicas + this.maxSurge(d);
    }
    d.rolloutInProgress = !current || adopted.some((rs) => rs !== current && rs.replicas > 0);
    if (!current) this.api.emit('RolloutStarted', d.ref, '', `Rolling out revision ${d.revision} (${d.obj.spec.strategy.type}): none of its ReplicaSets in the cluster's state has its template`);
  }

  /** A new template (`kubectl rollout restart` sets the restartedAt annotation): a new revision. */
  private startRollout(d: Deployment): void {
    d.templateHash = templateHash(d.template, d.revision);
    d.revision++;
    d.rolloutInProgress = true;
    this.hashed.set(d, d.template);
    this.api.emit('RolloutStarted', d.ref, '', `Rolling out revision ${d.revision} (${d.obj.spec.strategy.type})`);
  }

  private replicaSetsOf(d: Deployment): readonly ReplicaSet[] {
    return this.api.replicaSets.owned(d.ref);
  }

  private sync(d: Deployment): void {
    if (d.obj.spec.paused) return;
    const replicaSets = this.replicaSetsOf(d);
    const newRS = replicaSets.find((rs) => rs.templateHash === d.templateHash) ?? null;
    const oldRSs = replicaSets.filter((rs) => rs !== newRS);
    if (this.isScalingEvent(d)) {
      this.scaleProportionally(d, newRS, oldRSs);
    } else if (d.obj.spec.strategy.type === 'Recreate') {
      this.rolloutRecreate(d, newRS, oldRSs);
    } else {
      this.rolloutRolling(d, newRS, oldRSs);
    }
    this.cleanup(d);
  }

  /** isScalingEvent: an active ReplicaSet was sized for another replica count. */
  private isScalingEvent(d: Deployment): boolean {
    return this.replicaSetsOf(d).some((rs) => rs.replicas > 0 && rs.desiredReplicasAnnotation !== d.replicas);
  }

  private maxSurge(d: Deployment): number {
    const s = d.obj.spec.strategy;
    return s.type === 'RollingUpdate' ? resolveFenceposts(s.maxSurge, s.maxUnavailable, d.replicas).surge : 0;
  }

  private rolloutRolling(d: Deployment, existingNew: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
    const newRS = existingNew ?? this.createReplicaSet(d, this.newRSNewReplicas(d, null, oldRSs));
    const all = oldRSs.concat(newRS);
    // reconcileNewReplicaSet
    if (newRS.replicas !== d.replicas) {
      const target = newRS.replicas > d.replicas ? d.replicas : this.newRSNewReplicas(d, newRS, oldRSs);
      if (target !== newRS.replicas) {
        this.scaleReplicaSet(d, newRS, target);
        return;
      }
    }
    this.reconcileOldReplicaSets(d, all, oldRSs, newRS);
    this.checkComplete(d, newRS, oldRSs);
  }

  /** NewRSNewReplicas for RollingUpdate. */
  private newRSNewReplicas(d: Deployment, newRS: ReplicaSet | null, oldRSs: readonly ReplicaSet[]): number {
    const current = oldRSs.reduce((n, rs) => n + rs.replicas, 0) + (newRS?.replicas ?? 0);
    const newReplicas = newRS?.replicas ?? 0;
    const maxTotal = d.replicas + this.maxSurge(d);
    if (current >= maxTotal) return newReplicas;
    return newReplicas + Math.min(maxTotal - current, d.replicas - newReplicas);
  }

  /** reconcileOldReplicaSets: first unhealthy old replicas, then healthy ones down to minAvailable. */
  private reconcileOldReplicaSets(d: Deployment, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): void {
    const oldCount = oldRSs.reduce((n, rs) => n + rs.replicas, 0);
    if (oldCount === 0) return;
    const s = d.obj.spec.strategy;
    if (s.type !== 'RollingUpdate') return;
    const allCount = all.reduce((n, rs) => n + rs.replicas, 0);
    const minAvailable = d.replicas - resolveFenceposts(s.maxSurge, s.maxUnavailable, d.replicas).unavailable;
    const newUnavailable = newRS.replicas - this.available(newRS);
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;

    const oldestFirst = oldRSs.slice().sort((a, b) => a.createdMs - b.createdMs);
    let cleaned = 0;
    for (const rs of oldestFirst) {
      if (cleaned >= maxScaledDown || rs.replicas === 0) continue;
      const unhealthy = rs.replicas - this.available(rs);
      if (unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown - cleaned, unhealthy);
      this.scaleReplicaSet(d, rs, rs.replicas - down);
      cleaned += down;
    }

    const availableAll = all.reduce((n, rs) => n + this.available(rs), 0);
    if (availableAll <= minAvailable) return;
    const totalDown = availableAll - minAvailable;
    let done = 0;
    for (const rs of oldestFirst) {
      if (done >= totalDown) break;
      if (rs.replicas === 0) continue;
      const down = Math.min(rs.replicas, totalDown - done);
      this.scaleReplicaSet(d, rs, rs.replicas - down);
      done += down;
    }
  }

  private rolloutRecreate(d: Deployment, newRS: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
    for (const rs of oldRSs) if (rs.replicas > 0) this.scaleReplicaSet(d, rs, 0);
    const oldPodsRunning = oldRSs.some((rs) => [...this.api.podsOwnedBy(rs.ref)].some((p) => p.removedMs < 0 && p.phase !== 'Succeeded' && p.phase !== 'Failed'));
    if (oldPodsRunning) return;
    const target = newRS ?? this.createReplicaSet(d, 0);
    if (target.replicas !== d.replicas) this.scaleReplicaSet(d, target, d.replicas);
    this.checkComplete(d, target, oldRSs);
  }

  /** sync.go scale(): proportional scaling while more than one ReplicaSet is active. */
  private scaleProportionally(d: Deployment, newRS: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
    const replicaSets = this.replicaSetsOf(d);
    const active = replicaSets.filter((rs) => rs.replicas > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? replicaSets[replicaSets.length - 1];
      if (target) {
        this.scaleReplicaSet(d, target, d.replicas);
        return;
      }
      this.createReplicaSet(d, d.replicas);
      return;
    }
    if (newRS && newRS.replicas === d.replicas && this.available(newRS) === d.replicas) {
      for (const rs of oldRSs) if (rs.replicas > 0) this.scaleReplicaSet(d, rs, 0);
      return;
    }
    const surge = this.maxSurge(d);
    const allowedSize = d.replicas > 0 ? d.replicas + surge : 0;
    const current = active.reduce((n, rs) => n + rs.replicas, 0);
    const toAdd = allowedSize - current;
    if (toAdd === 0) return;
    // Larger first; on ties newer first for scale-up, older first for scale-down.
    const sorted = active.slice().sort((a, b) => b.replicas - a.replicas || (toAdd > 0 ? b.createdMs - a.createdMs : a.createdMs - b.createdMs));
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of sorted) {
      const proportion = this.proportion(d, rs, toAdd, added, surge);
      sizes.set(rs, rs.replicas + proportion);
      added += proportion;
    }
    const leftover = toAdd - added;
    if (leftover !== 0 && sorted.length > 0) sizes.set(sorted[0], Math.max(0, sizes.get(sorted[0])! + leftover));
    for (const rs of sorted) {
      rs.maxReplicasAnnotation = d.replicas + surge;
      this.scaleReplicaSet(d, rs, sizes.get(rs)!);
    }
  }

  /** GetProportion / getReplicaSetFraction. */
  private proportion(d: Deployment, rs: ReplicaSet, toAdd: number, added: number, surge: number): number {
    if (rs.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
    let fraction: number;
    if (d.replicas === 0) fraction = -rs.replicas;
    else {
      const deploymentReplicas = d.replicas + surge;
      const annotated = rs.maxReplicasAnnotation > 0 ? rs.maxReplicasAnnotation : this.replicaSetsOf(d).reduce((n, r) => n + r.replicas, 0);
      fraction = Math.round((rs.replicas * deploymentReplicas) / annotated) - rs.replicas;
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private scaleReplicaSet(d: Deployment, rs: ReplicaSet, replicas: number): void {
    rs.desiredReplicasAnnotation = d.replicas;
    rs.maxReplicasAnnotation = d.replicas + this.maxSurge(d);
    if (rs.replicas === replicas) return;
    const verb = replicas > rs.replicas ? 'up' : 'down';
    this.api.emit('ScalingReplicaSet', d.ref, '', `Scaled ${verb} replica set ${rs.name} from ${rs.replicas} to ${replicas}`);
    rs.replicas = replicas;
    this.api.replicaSets.update(rs);
  }

  private createReplicaSet(d: Deployment, replicas: number): ReplicaSet {
    const name = `${d.name}-${d.templateHash}`;
    const rs: ReplicaSet = {
      kind: 'ReplicaSet',
      ref: `ReplicaSet/${d.namespace}/${name}`,
      name,
      namespace: d.namespace,
      workload: d.ref,
      selector: {
        matchLabels: { ...(d.obj.spec.selector.matchLabels ?? {}), 'pod-template-hash': d.templateHash },
        matchExpressions: d.obj.spec.selector.matchExpressions,
      },
      template: d.template,
      templateHash: d.templateHash,
      replicas: 0,
      createdMs: this.clock.nowMs,
      revision: d.revision,
      desiredReplicasAnnotation: d.replicas,
      maxReplicasAnnotation: d.replicas + this.maxSurge(d),
      minReadySeconds: d.obj.spec.minReadySeconds,
    };
    this.api.replicaSets.add(rs);
    if (replicas > 0) this.scaleReplicaSet(d, rs, replicas);
    return rs;
  }

  /** Pods Ready for at least minReadySeconds (availableReplicas); arms a re-check for the rest. */
  available(rs: ReplicaSet): number {
    const now = this.clock.nowMs;
    const minReadyMs = rs.minReadySeconds * 1000;
    let count = 0;
    for (const pod of this.api.podsOwnedBy(rs.ref)) {
      if (!isActive(pod) || !pod.ready) continue;
      if (now >= pod.readyMs + minReadyMs) count++;
      else this.recheckAvailability(rs.workload, pod.readyMs + minReadyMs);
    }
    return count;
  }

  /** One re-check at the earliest time a pod becomes available; a later one is planned then. */
  private recheckAvailability(ref: string, atMs: number): void {
    const d = this.api.deployments.get(ref);
    if (!d) return;
    const pending = this.recheckAt.get(d);
    if (pending !== undefined && pending <= atMs) return;
    this.recheckAt.set(d, atMs);
    this.clock.schedule(atMs, Phase.Controller, () => {
      if (this.recheckAt.get(d) === atMs) this.recheckAt.delete(d);
      this.queue.add(d);
    });
  }

  private checkComplete(d: Deployment, newRS: ReplicaSet, oldRSs: readonly ReplicaSet[]): void {
    if (!d.rolloutInProgress) return;
    const oldGone = oldRSs.every((rs) => rs.replicas === 0 && [...this.api.podsOwnedBy(rs.ref)].every((p) => !isActive(p)));
    if (oldGone && newRS.replicas === d.replicas && this.available(newRS) === d.replicas) {
      d.rolloutInProgress = false;
      this.api.emit('RolloutComplete', d.ref, '', `Revision ${d.revision} is available with ${d.replicas} replicas`);
    }
  }

  /** Old ReplicaSets beyond revisionHistoryLimit, scaled to 0 and empty, are deleted. */
  private cleanup(d: Deployment): void {
    const empty = this.replicaSetsOf(d).filter((rs) => rs.templateHash !== d.templateHash && rs.replicas === 0 && this.api.podsOwnedBy(rs.ref).size === 0);
    const excess = empty.length - d.obj.spec.revisionHistoryLimit;
    for (const rs of empty.slice(0, Math.max(0, excess))) this.api.replicaSets.delete(rs);
  }
}

/** ResolveFenceposts: surge rounds up, unavailable down; both 0 -> unavailable 1 (§6.2). */
export function resolveFenceposts(maxSurge: number | string, maxUnavailable: number | string, replicas: number): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, true);
  let unavailable = resolveIntOrPercent(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}
