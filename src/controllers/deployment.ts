// The Deployment controller (pkg/controller/deployment): owns ReplicaSets, rolls out a changed
// template with maxSurge/maxUnavailable (rolling.go, reference §6.2) or Recreate, and scales
// proportionally across ReplicaSets when replicas change mid-rollout (sync.go).
import { Phase } from '../phases.ts';
import type { ApiServer } from '../api/apiServer.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { DeploymentObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { PodTemplate } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { resolveIntOrPercent } from '../model/intOrPercent.ts';
import type { ReplicaSet, ReplicaSetController } from './replicaSet.ts';
import { templateHash } from './templateHash.ts';

export interface DeploymentState {
  obj: DeploymentObject;
  ref: string;
  namespace: string;
  name: string;
  /** spec.replicas; the scale subresource (HPA, scripted scale) changes it. */
  replicas: number;
  template: PodTemplate;
  templateHash: string;
  revision: number;
  replicaSets: ReplicaSet[];
  rolloutInProgress: boolean;
}

export class DeploymentController {
  private readonly byRef = new Map<string, DeploymentState>();
  private readonly dirty = new Set<DeploymentState>();
  private handle: EventHandle | null = null;
  /** The earliest pending availability re-check per Deployment (minReadySeconds). */
  private readonly recheckAt = new Map<DeploymentState, number>();

  constructor(
    private readonly cluster: ApiServer,
    private readonly replicaSets: ReplicaSetController,
  ) {
    replicaSets.onPodsChanged = (rs) => {
      const d = this.byRef.get(rs.workload);
      if (d) this.enqueue(d);
    };
  }

  get(ref: string): DeploymentState | undefined {
    return this.byRef.get(ref);
  }

  all(): DeploymentState[] {
    return [...this.byRef.values()];
  }

  add(obj: DeploymentObject): DeploymentState {
    const template = structuredClone(obj.spec.template);
    const d: DeploymentState = {
      obj,
      ref: objectRef(obj),
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      replicas: obj.spec.replicas,
      template,
      templateHash: templateHash(template, 0),
      revision: 1,
      replicaSets: [],
      rolloutInProgress: false,
    };
    this.byRef.set(d.ref, d);
    this.enqueue(d);
    return d;
  }

  /** The scale subresource: what `kubectl scale` and the HPA write. */
  scale(d: DeploymentState, replicas: number, cause: string): void {
    if (d.replicas === replicas) return;
    const type = replicas > d.replicas ? 'ScaledUp' : 'ScaledDown';
    this.cluster.emit(type, d.ref, '', `${cause} from ${d.replicas} to ${replicas}`);
    d.replicas = replicas;
    this.enqueue(d);
  }

  /** `kubectl rollout restart`: a template change (restartedAt annotation) starts a rollout. */
  restart(d: DeploymentState): void {
    d.template = structuredClone(d.template);
    d.template.annotations['kubectl.kubernetes.io/restartedAt'] = new Date(this.cluster.nowMs).toISOString();
    d.templateHash = templateHash(d.template, d.revision);
    d.revision++;
    d.rolloutInProgress = true;
    this.cluster.emit('RolloutStarted', d.ref, '', `Rolling out revision ${d.revision} (${d.obj.spec.strategy.type})`);
    this.enqueue(d);
  }

  enqueue(d: DeploymentState): void {
    this.dirty.add(d);
    if (this.handle === null) this.handle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Controller, () => this.syncAll());
  }

  private syncAll(): void {
    this.handle = null;
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const d of batch) this.sync(d);
  }

  private sync(d: DeploymentState): void {
    if (d.obj.spec.paused) return;
    const newRS = d.replicaSets.find((rs) => rs.templateHash === d.templateHash) ?? null;
    const oldRSs = d.replicaSets.filter((rs) => rs !== newRS);
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
  private isScalingEvent(d: DeploymentState): boolean {
    return d.replicaSets.some((rs) => rs.replicas > 0 && rs.desiredReplicasAnnotation !== d.replicas);
  }

  private maxSurge(d: DeploymentState): number {
    const s = d.obj.spec.strategy;
    return s.type === 'RollingUpdate' ? resolveFenceposts(s.maxSurge, s.maxUnavailable, d.replicas).surge : 0;
  }

  private rolloutRolling(d: DeploymentState, existingNew: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
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
  private newRSNewReplicas(d: DeploymentState, newRS: ReplicaSet | null, oldRSs: readonly ReplicaSet[]): number {
    const current = oldRSs.reduce((n, rs) => n + rs.replicas, 0) + (newRS?.replicas ?? 0);
    const newReplicas = newRS?.replicas ?? 0;
    const maxTotal = d.replicas + this.maxSurge(d);
    if (current >= maxTotal) return newReplicas;
    return newReplicas + Math.min(maxTotal - current, d.replicas - newReplicas);
  }

  /** reconcileOldReplicaSets: first unhealthy old replicas, then healthy ones down to minAvailable. */
  private reconcileOldReplicaSets(d: DeploymentState, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): void {
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

  private rolloutRecreate(d: DeploymentState, newRS: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
    for (const rs of oldRSs) if (rs.replicas > 0) this.scaleReplicaSet(d, rs, 0);
    const oldPodsRunning = oldRSs.some((rs) => [...rs.pods].some((p) => p.removedMs < 0 && p.phase !== 'Succeeded' && p.phase !== 'Failed'));
    if (oldPodsRunning) return;
    const target = newRS ?? this.createReplicaSet(d, 0);
    if (target.replicas !== d.replicas) this.scaleReplicaSet(d, target, d.replicas);
    this.checkComplete(d, target, oldRSs);
  }

  /** sync.go scale(): proportional scaling while more than one ReplicaSet is active. */
  private scaleProportionally(d: DeploymentState, newRS: ReplicaSet | null, oldRSs: ReplicaSet[]): void {
    const active = d.replicaSets.filter((rs) => rs.replicas > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? d.replicaSets[d.replicaSets.length - 1];
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
  private proportion(d: DeploymentState, rs: ReplicaSet, toAdd: number, added: number, surge: number): number {
    if (rs.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
    let fraction: number;
    if (d.replicas === 0) fraction = -rs.replicas;
    else {
      const deploymentReplicas = d.replicas + surge;
      const annotated = rs.maxReplicasAnnotation > 0 ? rs.maxReplicasAnnotation : d.replicaSets.reduce((n, r) => n + r.replicas, 0);
      fraction = Math.round((rs.replicas * deploymentReplicas) / annotated) - rs.replicas;
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private scaleReplicaSet(d: DeploymentState, rs: ReplicaSet, replicas: number): void {
    rs.desiredReplicasAnnotation = d.replicas;
    rs.maxReplicasAnnotation = d.replicas + this.maxSurge(d);
    if (rs.replicas === replicas) return;
    const verb = replicas > rs.replicas ? 'up' : 'down';
    this.cluster.emit('ScalingReplicaSet', d.ref, '', `Scaled ${verb} replica set ${rs.name} from ${rs.replicas} to ${replicas}`);
    this.replicaSets.setReplicas(rs, replicas);
  }

  private createReplicaSet(d: DeploymentState, replicas: number): ReplicaSet {
    const rs: ReplicaSet = {
      name: `${d.name}-${d.templateHash}`,
      namespace: d.namespace,
      workload: d.ref,
      selector: {
        matchLabels: { ...(d.obj.spec.selector.matchLabels ?? {}), 'pod-template-hash': d.templateHash },
        matchExpressions: d.obj.spec.selector.matchExpressions,
      },
      template: d.template,
      templateHash: d.templateHash,
      replicas: 0,
      createdMs: this.cluster.nowMs,
      revision: d.revision,
      desiredReplicasAnnotation: d.replicas,
      maxReplicasAnnotation: d.replicas + this.maxSurge(d),
      pods: new Set(),
      minReadySeconds: d.obj.spec.minReadySeconds,
    };
    d.replicaSets.push(rs);
    this.replicaSets.add(rs);
    if (replicas > 0) this.scaleReplicaSet(d, rs, replicas);
    return rs;
  }

  /** Pods Ready for at least minReadySeconds (availableReplicas); arms a re-check for the rest. */
  available(rs: ReplicaSet): number {
    const now = this.cluster.nowMs;
    const minReadyMs = rs.minReadySeconds * 1000;
    let count = 0;
    for (const pod of rs.pods) {
      if (!isActive(pod) || !pod.ready) continue;
      if (now >= pod.readyMs + minReadyMs) count++;
      else this.recheckAvailability(rs.workload, pod.readyMs + minReadyMs);
    }
    return count;
  }

  /** One re-check at the earliest time a pod becomes available; a later one is planned then. */
  private recheckAvailability(ref: string, atMs: number): void {
    const d = this.byRef.get(ref);
    if (!d) return;
    const pending = this.recheckAt.get(d);
    if (pending !== undefined && pending <= atMs) return;
    this.recheckAt.set(d, atMs);
    this.cluster.sim.schedule(atMs, Phase.Controller, () => {
      if (this.recheckAt.get(d) === atMs) this.recheckAt.delete(d);
      this.enqueue(d);
    });
  }

  private checkComplete(d: DeploymentState, newRS: ReplicaSet, oldRSs: readonly ReplicaSet[]): void {
    if (!d.rolloutInProgress) return;
    const oldGone = oldRSs.every((rs) => rs.replicas === 0 && [...rs.pods].every((p) => !isActive(p)));
    if (oldGone && newRS.replicas === d.replicas && this.available(newRS) === d.replicas) {
      d.rolloutInProgress = false;
      this.cluster.emit('RolloutComplete', d.ref, '', `Revision ${d.revision} is available with ${d.replicas} replicas`);
    }
  }

  /** Old ReplicaSets beyond revisionHistoryLimit, scaled to 0 and empty, are deleted. */
  private cleanup(d: DeploymentState): void {
    const empty = d.replicaSets.filter((rs) => rs.templateHash !== d.templateHash && rs.replicas === 0 && rs.pods.size === 0);
    const excess = empty.length - d.obj.spec.revisionHistoryLimit;
    for (const rs of empty.slice(0, Math.max(0, excess))) {
      this.replicaSets.remove(rs);
      d.replicaSets.splice(d.replicaSets.indexOf(rs), 1);
    }
  }
}

/** ResolveFenceposts: surge rounds up, unavailable down; both 0 -> unavailable 1 (§6.2). */
export function resolveFenceposts(maxSurge: number | string, maxUnavailable: number | string, replicas: number): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, true);
  let unavailable = resolveIntOrPercent(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}
