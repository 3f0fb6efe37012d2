// The cloud under the cluster: the machines behind the nodes. Node pools are node groups whose
// instances it launches (the pools' initial nodes, and IncreaseSize for the cluster autoscaler)
// and registers as Nodes once they boot; nodes from Node manifests are machines that already
// run. It also plays what happens to machines: a spot reclaim (notice, drain by the node
// termination handler, termination), a stock-out during which launched instances never boot,
// and failures, temporary (an outage) or for good (a lost machine, whose Node the cloud node
// lifecycle controller then deletes).
import { nodeOf, type ApiServer, type NodeInit } from '../api/apiServer.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Kubelet } from '../kubelet/kubelet.ts';
import { drainNode } from '../kubectl/drain.ts';
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_POOL, LABEL_ZONE } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import { nodeObjectRef } from '../model/node.ts';
import type { NodeObject } from '../model/objects.ts';
import type { ResourceMap } from '../model/resources.ts';
import { MEMORY, PODS, toResourceList } from '../model/resources.ts';
import type { NodePool } from '../model/scenario.ts';
import { Phase } from '../phases.ts';
import { planManifestNode, type ManifestNodePlan } from './manifestNodes.ts';
import type { CloudPricing } from './pricing.ts';

export class CloudProvider {
  private readonly poolCounters = new Map<string, number>();
  private readonly unavailableUntilMs = new Map<string, number>();
  private readonly interrupted = new WeakSet<Node>();
  /** Machines that are gone for good (their Node may linger until the controller notices). */
  private readonly lost = new WeakSet<Node>();
  /** Who handles a spot interruption notice instead of the node termination handler's drain
   *  (Karpenter's interruption controller, for its nodes): true when one took the node. */
  private readonly interruptionHandlers: ((node: Node, noticeEndMs: number) => boolean)[] = [];

  constructor(
    private readonly api: ApiServer,
    private readonly clock: Simulation,
    private readonly random: RandomStreams,
    private readonly kubelet: Kubelet,
    /** spec.pricing's bill (absent: the pools' and offerings' prices stand). */
    private readonly pricing?: CloudPricing,
  ) {}

  /** A Node manifest: a machine that already runs, with its status.allocatable, Ready at once.
   *  One that joins a pool (manifestNodes.ts) is the pool's: priced, typed and, for a spot pool,
   *  interrupted as the pool's nodes are. */
  registerNode(obj: NodeObject, pools: readonly NodePool[]): Node {
    const plan = this.pricing ? this.pricing.planManifestNode(obj, pools) : planManifestNode(obj, pools);
    const init = manifestNodeInit(obj, plan);
    const zone = init.zone ?? plan.pool?.zones[0] ?? '';
    const node = this.api.addNode(!this.pricing ? init : plan.pool ? { ...init, ...this.pricing.poolNode(plan.pool, zone) } : { ...init, ...this.pricing.manifestNode(plan) });
    this.api.markNodeReady(node);
    const spot = plan.pool?.spot;
    if (spot && spot.interruptionsPerNodeDay > 0) this.armSpotInterruption(node, spot.interruptionsPerNodeDay, spot.noticeSeconds);
    return node;
  }

  /** Launches one instance of a pool in the next zone (round-robin); its Node is Ready after
   *  `provisioningDelayMs` (0 for the nodes that exist when the scenario starts). */
  createNode(pool: NodePool, provisioningDelayMs: number): Node {
    const ordinal = this.poolCounters.get(pool.name) ?? 0;
    this.poolCounters.set(pool.name, ordinal + 1);
    const zone = pool.zones[ordinal % pool.zones.length];
    const name = `${pool.name}-${String(ordinal + 1).padStart(3, '0')}`;
    const init = poolNodeInit(pool, name, zone);
    const node = this.api.addNode(this.pricing ? { ...init, ...this.pricing.poolNode(pool, zone) } : init);
    const unavailableUntil = this.unavailableUntilMs.get(pool.name) ?? -1;
    if (this.clock.nowMs < unavailableUntil) {
      // No capacity: the cloud never delivers this instance; the cluster autoscaler gives up
      // after max-node-provision-time and removes it.
    } else if (provisioningDelayMs <= 0) this.api.markNodeReady(node);
    else this.clock.after(provisioningDelayMs, Phase.Node, () => this.api.markNodeReady(node));
    if (pool.spot && pool.spot.interruptionsPerNodeDay > 0) this.armSpotInterruption(node, pool.spot.interruptionsPerNodeDay, pool.spot.noticeSeconds);
    return node;
  }

  /** Whether the pool (or Karpenter NodePool) has capacity now (no scripted stock-out). */
  hasCapacity(pool: string): boolean {
    return this.clock.nowMs >= (this.unavailableUntilMs.get(pool) ?? -1);
  }

  /** Launches one instance as `init` describes it (Karpenter's cloudProvider.Create: a NodeClaim's
   *  instance type, zone and capacity type, chosen by the caller, who checks hasCapacity first);
   *  its Node is Ready after `startupDelayMs`. */
  launchInstance(init: NodeInit, startupDelayMs: number): Node {
    const node = this.api.addNode(this.pricing ? this.pricing.instance(init) : init);
    if (startupDelayMs <= 0) this.api.markNodeReady(node);
    else this.clock.after(startupDelayMs, Phase.Node, () => this.api.markNodeReady(node));
    return node;
  }

  /** Terminates an instance launched by launchInstance: its Node goes. */
  terminateInstance(node: Node, reason: string): void {
    this.api.removeNode(node, reason);
  }

  /** The zone of the pool's next node but `offset` (nodes go round-robin over the zones). */
  nextZone(pool: NodePool, offset = 0): string {
    const ordinal = (this.poolCounters.get(pool.name) ?? 0) + offset;
    return pool.zones[ordinal % pool.zones.length];
  }

  /** No capacity for the pool until `untilMs` (e.g. a spot stock-out): instances launched
   *  meanwhile never boot. */
  capacityUnavailable(pool: string, untilMs: number): void {
    this.unavailableUntilMs.set(pool, untilMs);
    this.api.emit('CapacityUnavailable', `NodeGroup/-/${pool}`, '', `No capacity for pool ${pool} for ${(untilMs - this.clock.nowMs) / 1000}s: new nodes will not come up`);
  }

  /** Whether the node's machine still exists (the cloud node lifecycle controller asks). */
  instanceExists(node: Node): boolean {
    return !this.lost.has(node);
  }

  /** Spot interruptions are a Poisson process per node: the time from launch to the notice is
   *  exponential with mean 1/rate, drawn from the node's own seeded stream. */
  armSpotInterruption(node: Node, perNodeDay: number, noticeSeconds: number): void {
    const meanMs = 86_400_000 / perNodeDay;
    const delayMs = Math.max(1, Math.round(this.random.stream(`spot/${node.name}`).exponential(meanMs)));
    this.clock.after(delayMs, Phase.Node, () => {
      if (node.state !== 'Removed') this.interruptSpot(node, noticeSeconds);
    });
  }

  /** Spot interruption: the notice, during which the node is cordoned and drained, then it goes. */
  interruptSpot(node: Node, noticeSeconds: number): void {
    if (node.state === 'Removed' || this.interrupted.has(node)) return;
    this.interrupted.add(node);
    this.api.emit('SpotInterrupted', nodeObjectRef(node), node.name, `Spot capacity reclaimed; node terminates in ${noticeSeconds}s`);
    const noticeEndMs = this.clock.nowMs + noticeSeconds * 1000;
    if (this.interruptionHandlers.some((handle) => handle(node, noticeEndMs))) {
      this.clock.after(noticeSeconds * 1000, Phase.Node, () => this.api.removeNode(node, 'Spot instance terminated'));
      return;
    }
    drainNode(this.api, this.clock, node, { gracePeriodSeconds: null, timeoutMs: noticeSeconds * 1000, deleteNode: true, reason: 'spot interruption notice' });
    this.clock.after(noticeSeconds * 1000, Phase.Node, () => this.api.removeNode(node, 'Spot instance terminated'));
  }

  /** `handler` is told of every spot interruption notice first; when it returns true it handles
   *  the node (the cloud still reclaims the instance when the notice ends). */
  onSpotInterruption(handler: (node: Node, noticeEndMs: number) => boolean): void {
    this.interruptionHandlers.push(handler);
  }

  /** The machine stops. With a duration it comes back (an outage); without, it is lost. */
  failMachine(node: Node, durationMs: number | null, reason: string): void {
    if (node.state === 'Removed' || node.down) return;
    node.down = true;
    if (durationMs === null) this.lost.add(node);
    this.kubelet.nodeDown(node);
    this.api.emit('NodeFailed', nodeObjectRef(node), node.name, durationMs === null ? `${reason}: machine lost` : `${reason}: down for ${durationMs / 1000}s`);
    if (durationMs !== null) {
      const failedAt = this.clock.nowMs;
      this.clock.schedule(failedAt + durationMs, Phase.Node, () => this.recover(node));
    }
  }

  private recover(node: Node): void {
    if (node.state === 'Removed' || !node.down) return;
    node.down = false;
    this.api.emit('NodeRecovered', nodeObjectRef(node), node.name, 'Machine is back');
    this.kubelet.nodeUp(node);
  }
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

/** A Node manifest as the node its kubelet registers: its status.allocatable, labels and taints;
 *  the pool it joins and its price from `plan` (none without one: a what-if's node). */
export function manifestNodeInit(obj: NodeObject, plan?: ManifestNodePlan): NodeInit {
  const labels: Record<string, string> = { [LABEL_HOSTNAME]: obj.metadata.name, ...obj.metadata.labels };
  if (plan?.pool) {
    labels[LABEL_POOL] ??= plan.pool.name;
    labels[LABEL_CAPACITY_TYPE] ??= plan.pool.capacityType;
  }
  return {
    name: obj.metadata.name,
    labels,
    annotations: { ...obj.metadata.annotations },
    taints: obj.spec.taints,
    unschedulable: obj.spec.unschedulable,
    capacity: toResourceList(obj.capacity),
    allocatable: toResourceList(obj.allocatable),
    allocatablePods: obj.allocatable[PODS] ?? obj.capacity[PODS] ?? 110,
    pool: plan?.pool?.name ?? null,
    zone: labels[LABEL_ZONE] ?? null,
    instanceType: plan ? plan.instanceType : (labels[LABEL_INSTANCE_TYPE] ?? null),
    capacityType: plan?.capacityType ?? 'on-demand',
    priceUsdPerHour: plan?.priceUsdPerHour ?? 0,
  };
}

/** A node that is never part of the cluster, Ready and empty: what a what-if places pods on
 *  (the cluster autoscaler's template nodes, the pre-run fit check of src/preflight.ts). */
export function unregisteredNode(init: NodeInit): Node {
  return nodeOf(init, -1, 'Ready', -1);
}

/** A node the pool would create (cluster-autoscaler's TemplateNodeInfo): the pool's labels,
 *  taints and allocatable in `zone`; never part of the cluster. */
export function templateNode(pool: NodePool, zone: string, name: string): Node {
  return unregisteredNode(poolNodeInit(pool, name, zone));
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
    annotations: { ...pool.annotations },
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
