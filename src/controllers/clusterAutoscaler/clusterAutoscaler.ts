// The cluster autoscaler (reference/k8s-algorithms.md §3, core/static_autoscaler.go RunOnce):
// every scan interval it adds nodes for pods the scheduler could not place, by simulating each
// node group's template node, and removes nodes whose pods fit elsewhere once they have been
// unneeded long enough. Node groups are the scenario's pools; nodes from Node manifests are not
// autoscaled.
import { Phase } from '../../phases.ts';
import type { ApiServer } from '../../api/apiServer.ts';
import type { Simulation } from '../../engine/simulation.ts';
import type { Node } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { AutoscalerSpec, NodePool } from '../../model/scenario.ts';
import { ClusterSnapshot } from './clusterSnapshot.ts';
import type { AutoscalerParts, AutoscalingContext } from './context.ts';
import type { SnapshotContext } from './clusterSnapshot.ts';
import { NodeGroup, backOff, groupRef, newNodeGroup } from './nodeGroups.ts';
import { ScaleDown } from './scaleDown.ts';
import { scaleUp } from './scaleUp.ts';

export class ClusterAutoscaler implements AutoscalingContext {
  readonly groups: NodeGroup[];
  private readonly byPool = new Map<string, NodeGroup>();
  private readonly scaleDown: ScaleDown;
  lastScaleUpMs = -Infinity;
  lastScaleDownDeleteMs = -Infinity;
  lastScaleDownFailMs = -Infinity;
  /** Last NotTriggerScaleUp message per pod, to fold repeats as the event recorder does. */
  private readonly lastNoScaleUp = new Map<number, string>();
  private unhealthy = false;
  /** Bumped at every node added, changed or removed (this controller's own watch): what the loop
   *  derives from nodes alone (cluster health, nodes still provisioning) is kept until it moves. */
  private nodeChanges = 0;
  private health: { seen: number; registered: number; unready: number } = { seen: -1, registered: 0, unready: 0 };
  private provisioning: { seen: number; nodes: Map<NodeGroup, Node[]> } = { seen: -1, nodes: new Map() };

  constructor(
    readonly spec: AutoscalerSpec,
    pools: readonly NodePool[],
    readonly parts: AutoscalerParts,
  ) {
    this.groups = pools.map(newNodeGroup);
    for (const g of this.groups) this.byPool.set(g.pool.name, g);
    this.scaleDown = new ScaleDown(this);
    parts.api.addListener({
      // A Karpenter node is never one of the node groups', whatever their names (node.nodeClaim).
      nodeAdded: (node) => {
        this.nodeChanges++;
        if (node.nodeClaim === undefined) this.byPool.get(node.pool ?? '')?.nodes.push(node);
      },
      nodeUpdated: () => this.nodeChanges++,
      nodeRemoved: (node) => {
        this.nodeChanges++;
        this.forgetNode(node);
      },
      podRemoved: (pod) => this.lastNoScaleUp.delete(pod.uid),
    });
  }

  get api(): ApiServer {
    return this.parts.api;
  }

  get clock(): Simulation {
    return this.parts.clock;
  }

  group(pool: string | null): NodeGroup | undefined {
    return pool === null ? undefined : this.byPool.get(pool);
  }

  /** RunOnce every scan interval from t = 0 until the end of the run. */
  start(): void {
    const sim = this.clock;
    const durationMs = this.parts.durationMs;
    const tick = () => {
      this.runOnce();
      if (sim.nowMs + this.spec.scanIntervalMs <= durationMs) sim.after(this.spec.scanIntervalMs, Phase.Controller, tick);
    };
    sim.schedule(0, Phase.Controller, tick);
  }

  snapshotContext(): SnapshotContext {
    return {
      filters: this.parts.filters,
      namespaceLabels: (ns) => this.api.namespaceLabels(ns),
      ownerSelector: (pod) => this.api.ownerSelector(pod),
    };
  }

  /** The scheduler's nodes plus the upcoming ones, as the autoscaler's snapshot starts. */
  snapshot(): ClusterSnapshot {
    return new ClusterSnapshot(this.snapshotContext(), this.api.schedulerNodes());
  }

  private runOnce(): void {
    const now = this.api.nowMs;
    this.timeOutScaleUps(now);
    if (!this.healthy()) return;
    const scaledUp = scaleUp(this, now);
    if (scaledUp) {
      this.lastScaleUpMs = now;
      return; // no scale-down in a loop that scaled up (static_autoscaler.go)
    }
    if (this.spec.scaleDownEnabled) this.scaleDown.run(now);
  }

  /** Cluster health (clusterstate.IsClusterHealthy): too many unready nodes halt the loop. */
  private healthy(): boolean {
    const health = this.health;
    if (health.seen !== this.nodeChanges) {
      health.seen = this.nodeChanges;
      health.registered = health.unready = 0;
      for (const info of this.api.schedulerNodes()) {
        health.registered++;
        if (info.node.state === 'NotReady') health.unready++;
      }
    }
    const { registered, unready } = health;
    const healthy = !(unready > this.spec.okTotalUnreadyCount && unready > (registered * this.spec.maxTotalUnreadyPercentage) / 100);
    if (healthy !== !this.unhealthy) {
      this.unhealthy = !healthy;
      this.api.emit(healthy ? 'ClusterHealthy' : 'ClusterUnhealthy', 'ClusterAutoscaler/-/cluster-autoscaler', '', healthy ? 'Cluster is healthy again; autoscaling resumes' : `${unready} of ${registered} nodes are unready; autoscaling halts`);
    }
    return healthy;
  }

  /** A scale-up whose nodes are not Ready within max-node-provision-time is given up: the nodes
   *  are deleted and the group backs off (reference §3.5). */
  private timeOutScaleUps(now: number): void {
    if (this.provisioning.seen !== this.nodeChanges) {
      this.provisioning.seen = this.nodeChanges;
      for (const group of this.groups) this.provisioning.nodes.set(group, group.nodes.filter((n) => n.state === 'Provisioning'));
    }
    for (const group of this.groups) {
      const late = this.provisioning.nodes.get(group)!.filter((n) => now - n.createdMs >= this.spec.maxNodeProvisionTimeMs);
      if (late.length === 0) continue;
      for (const node of late) this.api.removeNode(node, `Scale-up timed out: not Ready within ${this.spec.maxNodeProvisionTimeMs / 1000}s`);
      backOff(group, now, this.spec.initialNodeGroupBackoffDurationMs, this.spec.maxNodeGroupBackoffDurationMs, this.spec.nodeGroupBackoffResetTimeoutMs);
      this.api.emit('ScaleUpTimedOut', groupRef(group), '', `Nodes failed to register within ${this.spec.maxNodeProvisionTimeMs / 1000}s; ${late.length} removed; group backed off for ${group.backoffMs / 1000}s`);
    }
  }

  /** NotTriggerScaleUp, folded per pod while its message stays the same. */
  reportNoScaleUp(pod: Pod, message: string): void {
    if (this.lastNoScaleUp.get(pod.uid) === message) return;
    this.lastNoScaleUp.set(pod.uid, message);
    this.api.emit('NotTriggerScaleUp', `Pod/${pod.namespace}/${pod.name}`, '', message);
  }

  clearNoScaleUp(pod: Pod): void {
    this.lastNoScaleUp.delete(pod.uid);
  }

  private forgetNode(node: Node): void {
    const group = this.group(node.pool);
    if (!group) return;
    const i = group.nodes.indexOf(node);
    if (i >= 0) group.nodes.splice(i, 1);
    group.deleting.delete(node);
    this.scaleDown.forget(node);
  }
}
