// Nodes over time: the pools' initial nodes, Node manifests, and the scripted what-ifs that act
// on nodes — cordon, drain (kubectl drain semantics, reference §6.5), node failure, zone outage,
// spot interruption. Failure handling follows the node lifecycle controller (§5.7): NotReady
// after node-monitor-grace-period, NoExecute taints, pods evicted after their tolerationSeconds
// (300 s by DefaultTolerationSeconds), and a lost machine's Node object deleted by the cloud
// node controller (then pod GC removes its pods).
import type { Kubelet } from '../kubelet/kubelet.ts';
import { Phase } from '../phases.ts';
import type { ApiServer, NodeInit } from '../api/apiServer.ts';
import type { Taint } from '../model/api.ts';
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_POOL, LABEL_ZONE, TAINT_UNREACHABLE } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import { nodeObjectRef } from '../model/node.ts';
import type { NodeObject } from '../model/objects.ts';
import type { Pod } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import type { ResourceMap } from '../model/resources.ts';
import { MEMORY, PODS, toResourceList } from '../model/resources.ts';
import type { NodePool, NodeSelection } from '../model/scenario.ts';
import type { DisruptionController } from '../api/eviction.ts';

export const NODE_MONITOR_GRACE_MS = 50_000;
export const DEFAULT_TOLERATION_SECONDS = 300;
const DRAIN_RETRY_MS = 5_000;

const UNREACHABLE_TAINTS: Taint[] = [
  { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
  { key: TAINT_UNREACHABLE, effect: 'NoExecute' },
];

export interface DrainOptions {
  gracePeriodSeconds: number | null;
  timeoutMs: number | null;
  deleteNode: boolean;
  reason: string;
}

export class NodeLifecycle {
  private readonly poolCounters = new Map<string, number>();
  private readonly unavailableUntilMs = new Map<string, number>();
  private readonly interrupted = new WeakSet<Node>();

  constructor(
    private readonly cluster: ApiServer,
    private readonly kubelet: Kubelet,
    private readonly disruption: DisruptionController,
  ) {}

  /** A Node manifest: a fixed node with its status.allocatable, Ready from the start. */
  addManifestNode(obj: NodeObject): Node {
    const labels: Record<string, string> = { [LABEL_HOSTNAME]: obj.metadata.name, ...obj.metadata.labels };
    const node = this.cluster.addNode({
      name: obj.metadata.name,
      labels,
      taints: obj.spec.taints,
      unschedulable: obj.spec.unschedulable,
      capacity: toResourceList(obj.capacity),
      allocatable: toResourceList(obj.allocatable),
      allocatablePods: obj.allocatable[PODS] ?? obj.capacity[PODS] ?? 110,
      pool: null,
      zone: labels[LABEL_ZONE] ?? null,
      instanceType: labels[LABEL_INSTANCE_TYPE] ?? null,
      capacityType: 'on-demand',
      priceUsdPerHour: 0,
    });
    this.cluster.markNodeReady(node);
    return node;
  }

  /** Creates one node of a pool in the next zone (round-robin); Ready after `provisioningDelayMs`
   *  (0 for the nodes that exist when the scenario starts). */
  addPoolNode(pool: NodePool, provisioningDelayMs: number): Node {
    const ordinal = this.poolCounters.get(pool.name) ?? 0;
    this.poolCounters.set(pool.name, ordinal + 1);
    const zone = pool.zones[ordinal % pool.zones.length];
    const name = `${pool.name}-${String(ordinal + 1).padStart(3, '0')}`;
    const node = this.cluster.addNode(poolNodeInit(pool, name, zone));
    const unavailableUntil = this.unavailableUntilMs.get(pool.name) ?? -1;
    if (this.cluster.nowMs < unavailableUntil) {
      // No capacity: the cloud never delivers this instance; the cluster autoscaler gives up
      // after max-node-provision-time and removes it.
    } else if (provisioningDelayMs <= 0) this.cluster.markNodeReady(node);
    else this.cluster.sim.after(provisioningDelayMs, Phase.Node, () => this.cluster.markNodeReady(node));
    if (pool.spot && pool.spot.interruptionsPerNodeDay > 0) this.armSpotInterruption(node, pool.spot.interruptionsPerNodeDay, pool.spot.noticeSeconds);
    return node;
  }

  /** The provider has no capacity for the pool until `untilMs` (e.g. a spot stock-out): nodes
   *  created meanwhile never become Ready. */
  capacityUnavailable(pool: string, untilMs: number): void {
    this.unavailableUntilMs.set(pool, untilMs);
    this.cluster.emit('CapacityUnavailable', `NodeGroup/-/${pool}`, '', `No capacity for pool ${pool} for ${(untilMs - this.cluster.nowMs) / 1000}s: new nodes will not come up`);
  }

  /** Spot interruptions are a Poisson process per node: the time from launch to the notice is
   *  exponential with mean 1/rate, drawn from the node's own seeded stream. */
  private armSpotInterruption(node: Node, perNodeDay: number, noticeSeconds: number): void {
    const meanMs = 86_400_000 / perNodeDay;
    const delayMs = Math.max(1, Math.round(this.cluster.random.stream(`spot/${node.name}`).exponential(meanMs)));
    this.cluster.sim.after(delayMs, Phase.Node, () => {
      if (node.state !== 'Removed') this.interruptSpot(node, noticeSeconds);
    });
  }

  /** The zone of the pool's next node but `offset` (nodes go round-robin over the zones). */
  nextZone(pool: NodePool, offset = 0): string {
    const ordinal = (this.poolCounters.get(pool.name) ?? 0) + offset;
    return pool.zones[ordinal % pool.zones.length];
  }

  /** The nodes a scripted event names: by name, or the first `count` live ones of a pool/zone. */
  select(selection: NodeSelection, accept: (n: Node) => boolean = () => true): Node[] {
    const live = this.cluster.nodes.filter((n) => n.state !== 'Removed' && accept(n));
    if (selection.node) return live.filter((n) => n.name === selection.node);
    return live
      .filter((n) => (!selection.pool || n.pool === selection.pool) && (!selection.zone || n.zone === selection.zone))
      .slice(0, selection.count);
  }

  cordon(node: Node): void {
    this.cluster.setUnschedulable(node, true);
  }

  uncordon(node: Node): void {
    this.cluster.setUnschedulable(node, false);
  }

  /** kubectl drain --ignore-daemonsets --force: cordon, evict every other pod through the
   *  Eviction API (PDBs apply; a refused eviction is retried every 5 s), wait until they are gone. */
  drain(node: Node, options: DrainOptions): void {
    this.cordon(node);
    const startedMs = this.cluster.nowMs;
    const step = () => {
      if (node.state === 'Removed') return;
      const remaining = node.info.pods.filter((p) => p.owner?.kind !== 'DaemonSet');
      if (remaining.length === 0) {
        this.cluster.emit('NodeDrained', nodeObjectRef(node), node.name, `Drained in ${((this.cluster.nowMs - startedMs) / 1000).toFixed(0)}s`);
        if (options.deleteNode) this.cluster.removeNode(node, `Removed after drain (${options.reason})`);
        return;
      }
      let blocked = 0;
      for (const pod of remaining) {
        if (!isActive(pod)) continue;
        const result = this.disruption.evict(pod, `Evicted by drain of node ${node.name} (${options.reason})`);
        if (!result.ok) {
          blocked++;
          this.cluster.emit('EvictionBlocked', `Pod/${pod.namespace}/${pod.name}`, node.name, result.message);
        } else if (options.gracePeriodSeconds !== null) pod.deletionGraceSeconds = options.gracePeriodSeconds;
      }
      if (options.timeoutMs !== null && this.cluster.nowMs - startedMs >= options.timeoutMs) {
        this.cluster.emit('DrainTimeout', nodeObjectRef(node), node.name, `Drain timed out with ${remaining.length} pod(s) left (${blocked} blocked by a disruption budget)`);
        return;
      }
      this.cluster.sim.after(DRAIN_RETRY_MS, Phase.Node, step);
    };
    step();
  }

  /** The machine stops. With a duration it comes back (an outage); without, it is lost and the
   *  cloud node controller deletes the Node once it is NotReady. */
  fail(node: Node, durationMs: number | null, reason: string): void {
    if (node.state === 'Removed' || node.down) return;
    node.down = true;
    this.kubelet.nodeDown(node);
    this.cluster.emit('NodeFailed', nodeObjectRef(node), node.name, durationMs === null ? `${reason}: machine lost` : `${reason}: down for ${durationMs / 1000}s`);
    const failedAt = this.cluster.nowMs;
    this.cluster.sim.after(NODE_MONITOR_GRACE_MS, Phase.Node, () => {
      if (!node.down || node.state !== 'Ready') return;
      this.cluster.markNodeNotReady(node, UNREACHABLE_TAINTS);
      if (durationMs === null) this.cluster.removeNode(node, 'Machine lost; Node deleted by the cloud node controller');
      else this.scheduleTaintEvictions(node);
    });
    if (durationMs !== null) {
      this.cluster.sim.schedule(failedAt + durationMs, Phase.Node, () => this.recover(node));
    }
  }

  private recover(node: Node): void {
    if (node.state === 'Removed' || !node.down) return;
    node.down = false;
    this.cluster.emit('NodeRecovered', nodeObjectRef(node), node.name, 'Machine is back');
    if (node.state === 'NotReady') this.cluster.markNodeReady(node);
    // Back before the grace period ran out: the API never noticed; the kubelet just resumes.
    else this.kubelet.nodeUpdated(node);
  }

  /** NoExecute taint manager: each pod goes after its toleration for the unreachable taint. */
  private scheduleTaintEvictions(node: Node): void {
    for (const pod of node.info.pods.slice()) {
      const seconds = tolerationSecondsForUnreachable(pod);
      if (seconds === null) continue;
      this.cluster.sim.after(seconds * 1000, Phase.Node, () => {
        if (node.state !== 'NotReady' || pod.node !== node || !isActive(pod)) return;
        this.cluster.deletePod(pod, 'Evicted', `Taint manager: node ${node.name} unreachable for ${seconds}s`);
      });
    }
  }

  /** Spot interruption: the notice, during which the node is cordoned and drained, then it goes. */
  interruptSpot(node: Node, noticeSeconds: number): void {
    if (node.state === 'Removed' || this.interrupted.has(node)) return;
    this.interrupted.add(node);
    this.cluster.emit('SpotInterrupted', nodeObjectRef(node), node.name, `Spot capacity reclaimed; node terminates in ${noticeSeconds}s`);
    this.drain(node, { gracePeriodSeconds: null, timeoutMs: noticeSeconds * 1000, deleteNode: true, reason: 'spot interruption notice' });
    this.cluster.sim.after(noticeSeconds * 1000, Phase.Node, () => this.cluster.removeNode(node, 'Spot instance terminated'));
  }
}

/** DefaultTolerationSeconds gives every pod 300 s unless it brings its own toleration. */
function tolerationSecondsForUnreachable(pod: Pod): number | null {
  for (const t of pod.spec.tolerations) {
    const keyMatches = t.operator === 'Exists' ? !t.key || t.key === TAINT_UNREACHABLE : t.key === TAINT_UNREACHABLE;
    const effectMatches = !t.effect || t.effect === 'NoExecute';
    if (keyMatches && effectMatches) return t.tolerationSeconds ?? null;
  }
  return DEFAULT_TOLERATION_SECONDS;
}

/** allocatable = capacity - kubeReserved - systemReserved - evictionHard (reference §5.1). */
export function allocatableOf(pool: NodePool): ResourceMap {
  const allocatable: ResourceMap = {};
  for (const [name, amount] of Object.entries(pool.capacity)) {
    let left = amount - (pool.kubeReserved[name] ?? 0) - (pool.systemReserved[name] ?? 0);
    if (name === MEMORY) left -= pool.evictionHardMemoryBytes;
    allocatable[name] = Math.max(0, left);
  }
  return allocatable;
}

export function poolNodeInit(pool: NodePool, name: string, zone: string): NodeInit {
  const allocatable = allocatableOf(pool);
  const instance = pool.instanceType?.split('/').pop() ?? null;
  return {
    name,
    labels: {
      [LABEL_HOSTNAME]: name,
      [LABEL_ZONE]: zone,
      [LABEL_POOL]: pool.name,
      [LABEL_CAPACITY_TYPE]: pool.capacityType,
      'kubernetes.io/os': 'linux',
      ...(instance ? { [LABEL_INSTANCE_TYPE]: instance } : {}),
      ...pool.labels,
    },
    taints: pool.taints.slice(),
    capacity: toResourceList(pool.capacity),
    allocatable: toResourceList(allocatable),
    allocatablePods: allocatable[PODS] ?? 110,
    pool: pool.name,
    zone,
    instanceType: pool.instanceType,
    capacityType: pool.capacityType,
    priceUsdPerHour: pool.priceUsdPerHour,
  };
}

