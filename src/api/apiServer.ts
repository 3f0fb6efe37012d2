// The one cluster state every controller reads and writes, playing the API server's part:
// nodes, pods, namespaces, admission, and notifications to whoever watches. Controllers never
// call each other; they react to these notifications (STYLE: reconcile loops against one API).
import type { Simulation } from '../engine/simulation.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { Taint } from '../model/api.ts';
import { TAINT_UNSCHEDULABLE } from '../model/api.ts';
import type { CapacityType, Node } from '../model/node.ts';
import { NodeInfo, nodeObjectRef } from '../model/node.ts';
import type { LimitRangeObject, PriorityClassObject, ResourceQuotaObject } from '../model/objects.ts';
import type { OwnerRef, Pod, PodSpec } from '../model/pod.ts';
import { isActive, podObjectRef } from '../model/pod.ts';
import type { ResourceList } from '../model/resources.ts';
import { applyLimitRangeDefaults, limitRangeViolations } from './admission/limitRanger.ts';
import { nonZeroRequests, podRequests, qosClass } from '../model/podResources.ts';
import { QuotaTracker } from './admission/resourceQuota.ts';

export interface ClusterEvent {
  tMs: number;
  type: string;
  /** "Kind/namespace/name"; "Node/-/name" for nodes. */
  object: string;
  node: string;
  message: string;
}

/** Notifications, delivered synchronously in registration order. */
export interface ClusterListener {
  podCreated?(pod: Pod): void;
  podBound?(pod: Pod): void;
  podStarted?(pod: Pod): void;
  podReadyChanged?(pod: Pod): void;
  /** The kubelet restarted one of the pod's containers (pod.restarts went up). */
  podRestarted?(pod: Pod): void;
  /** deletionTimestamp was set: the pod no longer counts as a replica but may hold resources. */
  podTerminating?(pod: Pod): void;
  /** The pod ran to completion (Succeeded) or failed for good (Failed): its resources are free,
   *  the object stays until something deletes it (Job TTL, history limits). */
  podFinished?(pod: Pod): void;
  /** The pod is gone and its resources are free. */
  podRemoved?(pod: Pod): void;
  nodeAdded?(node: Node): void;
  /** Labels, taints, schedulability or readiness changed. */
  nodeUpdated?(node: Node): void;
  nodeRemoved?(node: Node): void;
}

const PLACEMENT_CHANGES = new Set<string>(['podBound', 'podFinished', 'podRemoved', 'nodeAdded', 'nodeUpdated', 'nodeRemoved']);

export interface NodeInit {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable?: boolean;
  capacity: ResourceList;
  allocatable: ResourceList;
  allocatablePods: number;
  pool: string | null;
  zone: string | null;
  instanceType: string | null;
  capacityType: CapacityType;
  priceUsdPerHour: number;
}

export interface PodCreateRequest {
  /** Exact name (bare pods) or a generateName prefix to which a random suffix is added. */
  name?: string;
  generateName?: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner: OwnerRef | null;
  workload?: string;
  spec: PodSpec;
}

export type CreateResult = { pod: Pod } | { error: string };

/** What a mutating admission hook sees of a pod being created (a mutating webhook's view). */
export interface AdmissionRequest {
  namespace: string;
  labels: Record<string, string>;
  owner: OwnerRef | null;
  workload?: string;
  /** The spec as submitted; shared with the template that made it, so never mutate it. */
  spec: PodSpec;
}

/** A mutating admission hook (e.g. the VPA admission controller): returns a modified copy of the
 *  spec, or undefined to leave the pod as it is. */
export type AdmissionHook = (request: AdmissionRequest) => PodSpec | undefined;

/** Lower-case consonants and digits that cannot spell words, as upstream's rand.String. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class ApiServer {
  /** Every node that ever existed, by index. */
  readonly nodes: Node[] = [];
  /** Live pods (created, not yet removed) by uid, in creation order. */
  readonly pods = new Map<number, Pod>();
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  readonly limitRanges = new Map<string, LimitRangeObject[]>();
  readonly quotas = new Map<string, QuotaTracker[]>();
  readonly priorityClasses = new Map<string, PriorityClassObject>();

  private readonly nodesByName = new Map<string, Node>();
  private readonly podsByKey = new Map<string, Pod>();
  private readonly listeners: ClusterListener[] = [];
  private readonly eventSinks: ((event: ClusterEvent) => void)[] = [];
  private readonly admissionHooks: AdmissionHook[] = [];
  private nextUid = 1;
  private schedulableOrder: NodeInfo[] | null = null;

  constructor(
    readonly sim: Simulation,
    readonly random: RandomStreams,
  ) {}

  get nowMs(): number {
    return this.sim.nowMs;
  }

  /** Bumped at every change watchers are told of; lets a loop skip work when nothing moved. */
  changeCount = 0;
  /** Bumped when what is placed where changes: pods bound, finished or removed, nodes changed. */
  placementChangeCount = 0;

  addListener(listener: ClusterListener): void {
    this.listeners.push(listener);
  }

  /** Runs `hook` on every pod created from now on, in registration order, before LimitRange
   *  defaulting and quota admission. */
  addAdmissionHook(hook: AdmissionHook): void {
    this.admissionHooks.push(hook);
  }

  onEvent(sink: (event: ClusterEvent) => void): void {
    this.eventSinks.push(sink);
  }

  emit(type: string, object: string, node: string, message: string): void {
    const event = { tMs: this.sim.nowMs, type, object, node, message };
    for (const sink of this.eventSinks) sink(event);
  }

  private notify<K extends keyof ClusterListener>(what: K, arg: Parameters<NonNullable<ClusterListener[K]>>[0]): void {
    this.changeCount++;
    if (PLACEMENT_CHANGES.has(what)) this.placementChangeCount++;
    for (const listener of this.listeners) (listener[what] as ((a: typeof arg) => void) | undefined)?.call(listener, arg);
  }

  // ---- namespaces and policy objects -------------------------------------------------------

  ensureNamespace(name: string, labels: Record<string, string> = {}): void {
    const existing = this.namespaceLabels.get(name);
    if (existing) Object.assign(existing, labels);
    else this.namespaceLabels.set(name, { 'kubernetes.io/metadata.name': name, ...labels });
  }

  addLimitRange(range: LimitRangeObject): void {
    this.ensureNamespace(range.metadata.namespace);
    const list = this.limitRanges.get(range.metadata.namespace) ?? [];
    list.push(range);
    this.limitRanges.set(range.metadata.namespace, list);
  }

  addResourceQuota(quota: ResourceQuotaObject): void {
    this.ensureNamespace(quota.metadata.namespace);
    const tracker = new QuotaTracker(quota);
    for (const pod of this.pods.values()) if (pod.namespace === quota.metadata.namespace && isActive(pod) && tracker.selects(pod)) tracker.charge(pod, 1);
    const list = this.quotas.get(quota.metadata.namespace) ?? [];
    list.push(tracker);
    this.quotas.set(quota.metadata.namespace, list);
  }

  addPriorityClass(pc: PriorityClassObject): void {
    this.priorityClasses.set(pc.metadata.name, pc);
  }

  // ---- nodes ---------------------------------------------------------------------------------

  node(name: string): Node | undefined {
    return this.nodesByName.get(name);
  }

  /** Creates a node. It joins the scheduler's view when it becomes Ready (markNodeReady). */
  addNode(init: NodeInit): Node {
    if (this.nodesByName.has(init.name)) throw new Error(`node ${init.name} already exists`);
    const node: Node = {
      index: this.nodes.length,
      name: init.name,
      labels: init.labels,
      taints: init.taints,
      unschedulable: init.unschedulable ?? false,
      capacity: init.capacity,
      allocatable: init.allocatable,
      allocatablePods: init.allocatablePods,
      pool: init.pool,
      zone: init.zone,
      instanceType: init.instanceType,
      capacityType: init.capacityType,
      priceUsdPerHour: init.priceUsdPerHour,
      state: 'Provisioning',
      createdMs: this.nowMs,
      readyMs: -1,
      removedMs: -1,
      info: undefined as unknown as NodeInfo,
    };
    node.info = new NodeInfo(node);
    this.nodes.push(node);
    this.nodesByName.set(node.name, node);
    this.notify('nodeAdded', node);
    this.emit('NodeAdded', nodeObjectRef(node), node.name, describeNode(node));
    return node;
  }

  markNodeReady(node: Node): void {
    if (node.state === 'Removed' || node.state === 'Ready') return;
    const first = node.readyMs < 0;
    node.state = 'Ready';
    if (first) node.readyMs = this.nowMs;
    node.taints = node.taints.filter((t) => !isNodeHealthTaint(t));
    this.schedulableOrder = null;
    this.notify('nodeUpdated', node);
    this.emit('NodeReady', nodeObjectRef(node), node.name, first ? 'Node became Ready' : 'Node recovered and is Ready');
  }

  /** The node stops answering: NotReady with the node-lifecycle taints (reference §5.7). */
  markNodeNotReady(node: Node, taints: Taint[]): void {
    if (node.state !== 'Ready') return;
    node.state = 'NotReady';
    node.taints = node.taints.filter((t) => !isNodeHealthTaint(t)).concat(taints);
    this.notify('nodeUpdated', node);
    this.emit('NodeNotReady', nodeObjectRef(node), node.name, 'Node stopped posting status');
    for (const pod of node.info.pods.slice()) this.setPodReady(pod, false);
  }

  setUnschedulable(node: Node, unschedulable: boolean): void {
    if (node.unschedulable === unschedulable || node.state === 'Removed') return;
    node.unschedulable = unschedulable;
    // The node controller mirrors spec.unschedulable as a NoSchedule taint (TaintNodesByCondition).
    node.taints = node.taints.filter((t) => t.key !== TAINT_UNSCHEDULABLE);
    if (unschedulable) node.taints = node.taints.concat({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
    this.notify('nodeUpdated', node);
    this.emit(unschedulable ? 'NodeCordoned' : 'NodeUncordoned', nodeObjectRef(node), node.name, unschedulable ? 'Node marked unschedulable' : 'Node marked schedulable');
  }

  /** Adds a taint (replacing one with the same key and effect), e.g. the cluster autoscaler's
   *  ToBeDeletedByClusterAutoscaler. */
  addTaint(node: Node, taint: Taint): void {
    if (node.state === 'Removed') return;
    node.taints = node.taints.filter((t) => t.key !== taint.key || t.effect !== taint.effect).concat(taint);
    this.notify('nodeUpdated', node);
  }

  removeTaint(node: Node, key: string): void {
    if (node.state === 'Removed' || !node.taints.some((t) => t.key === key)) return;
    node.taints = node.taints.filter((t) => t.key !== key);
    this.notify('nodeUpdated', node);
  }

  /** Deletes the Node object; pod GC then deletes every pod bound to it at once. */
  removeNode(node: Node, reason: string): void {
    if (node.state === 'Removed') return;
    for (const pod of node.info.pods.slice()) {
      if (pod.deletionMs < 0) this.markTerminating(pod);
      this.removePod(pod);
    }
    node.state = 'Removed';
    node.removedMs = this.nowMs;
    this.nodesByName.delete(node.name);
    this.schedulableOrder = null;
    this.notify('nodeRemoved', node);
    this.emit('NodeRemoved', nodeObjectRef(node), node.name, reason);
  }

  /** Nodes registered with the API (Ready or NotReady), in kube-scheduler's node-tree order:
   *  zones in order of first appearance, one node from each zone in turn (nodeTree.list()). */
  schedulerNodes(): NodeInfo[] {
    if (this.schedulableOrder) return this.schedulableOrder;
    const byZone = new Map<string, NodeInfo[]>();
    for (const node of this.nodes) {
      if (node.state !== 'Ready' && node.state !== 'NotReady') continue;
      const zone = zoneKey(node);
      let list = byZone.get(zone);
      if (!list) byZone.set(zone, (list = []));
      list.push(node.info);
    }
    const zones = [...byZone.values()];
    const order: NodeInfo[] = [];
    for (let i = 0; order.length < zones.reduce((n, z) => n + z.length, 0); i++) {
      for (const zone of zones) if (i < zone.length) order.push(zone[i]);
    }
    this.schedulableOrder = order;
    return order;
  }

  // ---- pods ----------------------------------------------------------------------------------

  podByKey(namespace: string, name: string): Pod | undefined {
    return this.podsByKey.get(`${namespace}/${name}`);
  }

  /** The API server's create: admission (Priority, LimitRanger, ResourceQuota), then the pod
   *  exists, Pending, and watchers (the scheduler) are told. */
  createPod(request: PodCreateRequest): CreateResult {
    this.ensureNamespace(request.namespace);
    const name = request.name ?? this.generateName(request.namespace, request.generateName ?? 'pod-');
    const shownName = request.name ?? request.generateName ?? name;
    if (this.podsByKey.has(`${request.namespace}/${name}`)) return { error: `pods "${name}" already exists` };
    const forbidden = (why: string) => ({ error: `pods "${shownName}" is forbidden: ${why}` });
    let submitted = request.spec;
    for (const hook of this.admissionHooks) {
      const { namespace, labels, owner, workload } = request;
      submitted = hook({ namespace, labels, owner, workload, spec: submitted }) ?? submitted;
    }
    const ranges = this.limitRanges.get(request.namespace) ?? [];
    // Specs are shared with the template that made them and never mutated, except by LimitRange
    // defaulting, which gets its own copy.
    const spec = ranges.length > 0 ? structuredClone(submitted) : submitted;

    const priority = this.resolvePriority(spec);
    if ('error' in priority) return forbidden(priority.error);

    applyLimitRangeDefaults(spec, ranges);
    const violations = limitRangeViolations(spec, ranges);
    if (violations.length === 1) return forbidden(violations[0]);
    if (violations.length > 1) return forbidden(`[${violations.join(', ')}]`);

    const nonZero = nonZeroRequests(spec);
    const pod: Pod = {
      uid: this.nextUid++,
      name,
      namespace: request.namespace,
      key: `${request.namespace}/${name}`,
      labels: { ...request.labels },
      annotations: { ...request.annotations },
      owner: request.owner,
      workload: request.workload,
      spec,
      priority: priority.value,
      preemptionPolicy: priority.preemptionPolicy,
      qos: qosClass(spec),
      requests: podRequests(spec),
      nonZeroCpuMilli: nonZero.cpuMilli,
      nonZeroMemoryBytes: nonZero.memoryBytes,
      phase: 'Pending',
      node: null,
      nominatedNodeName: null,
      ready: false,
      restarts: 0,
      createdMs: this.nowMs,
      boundMs: -1,
      startedMs: -1,
      readyMs: -1,
      deletionMs: -1,
      removedMs: -1,
    };

    const quotas = (this.quotas.get(pod.namespace) ?? []).filter((q) => q.selects(pod));
    for (const quota of quotas) {
      const refusal = quota.check(pod);
      if (refusal) {
        this.nextUid--; // the pod never existed
        return forbidden(refusal);
      }
    }
    for (const quota of quotas) quota.charge(pod, 1);

    this.pods.set(pod.uid, pod);
    this.podsByKey.set(pod.key, pod);
    this.notify('podCreated', pod);
    return { pod };
  }

  bindPod(pod: Pod, node: Node): void {
    if (pod.node) throw new Error(`pod ${pod.key} is already bound to ${pod.node.name}`);
    pod.node = node;
    pod.boundMs = this.nowMs;
    pod.nominatedNodeName = null;
    node.info.addPod(pod);
    this.emit('Scheduled', podObjectRef(pod), node.name, `Successfully assigned ${pod.key} to ${node.name}`);
    this.notify('podBound', pod);
  }

  /** The kubelet started the pod's containers. */
  markPodStarted(pod: Pod): void {
    pod.phase = 'Running';
    pod.startedMs = this.nowMs;
    this.emit('Started', podObjectRef(pod), pod.node?.name ?? '', 'Started containers');
    this.notify('podStarted', pod);
  }

  /** A container of the pod was restarted in place by its kubelet. */
  markPodRestarted(pod: Pod): void {
    pod.restarts++;
    this.notify('podRestarted', pod);
  }

  setPodReady(pod: Pod, ready: boolean): void {
    if (pod.ready === ready) return;
    if (ready && (pod.deletionMs >= 0 || pod.node?.state !== 'Ready')) return;
    pod.ready = ready;
    if (ready) {
      pod.readyMs = this.nowMs;
      this.emit('Ready', podObjectRef(pod), pod.node?.name ?? '', 'Pod is Ready');
    }
    this.notify('podReadyChanged', pod);
  }

  /** The pod reached a terminal phase: Succeeded (type `Completed`) or Failed. The scheduler and
   *  the kubelet stop counting it on its node, and quotas release it, as upstream. */
  finishPod(pod: Pod, phase: 'Succeeded' | 'Failed', message: string): void {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed' || pod.removedMs >= 0) return;
    pod.phase = phase;
    if (pod.ready) {
      pod.ready = false;
      this.notify('podReadyChanged', pod);
    }
    if (pod.node) pod.node.info.removePod(pod);
    if (pod.deletionMs < 0) this.releaseQuota(pod);
    this.emit(phase === 'Succeeded' ? 'Completed' : 'Failed', podObjectRef(pod), pod.node?.name ?? '', message);
    this.notify('podFinished', pod);
  }

  /** Sets the deletionTimestamp. The kubelet finishes the termination (removePod) after the
   *  grace period; a pod that was never bound goes at once. */
  deletePod(pod: Pod, type: string, message: string, gracePeriodSeconds?: number): void {
    if (pod.deletionMs >= 0 || pod.removedMs >= 0) return;
    if (gracePeriodSeconds !== undefined) pod.deletionGraceSeconds = gracePeriodSeconds;
    this.emit(type, podObjectRef(pod), pod.node?.name ?? '', message);
    this.markTerminating(pod);
    // Nothing runs for an unbound or finished pod: the object goes at once.
    if (!pod.node || pod.phase === 'Succeeded' || pod.phase === 'Failed') this.removePod(pod);
  }

  private markTerminating(pod: Pod): void {
    pod.deletionMs = this.nowMs;
    if (pod.ready) {
      pod.ready = false;
      this.notify('podReadyChanged', pod);
    }
    if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') this.releaseQuota(pod);
    this.notify('podTerminating', pod);
  }

  /** The pod object is gone: resources on its node are free. */
  removePod(pod: Pod): void {
    if (pod.removedMs >= 0) return;
    if (pod.deletionMs < 0) this.markTerminating(pod);
    pod.removedMs = this.nowMs;
    if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') pod.node?.info.removePod(pod);
    this.pods.delete(pod.uid);
    this.podsByKey.delete(pod.key);
    this.notify('podRemoved', pod);
  }

  private releaseQuota(pod: Pod): void {
    for (const quota of this.quotas.get(pod.namespace) ?? []) if (quota.selects(pod)) quota.charge(pod, -1);
  }

  private resolvePriority(spec: PodSpec): { value: number; preemptionPolicy: Pod['preemptionPolicy'] } | { error: string } {
    const name = spec.priorityClassName;
    if (name) {
      const builtin = BUILTIN_PRIORITY_CLASSES[name];
      const pc = this.priorityClasses.get(name);
      if (pc) return { value: pc.value, preemptionPolicy: spec.preemptionPolicy ?? pc.preemptionPolicy };
      if (builtin !== undefined) return { value: builtin, preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority' };
      return { error: `no PriorityClass with name ${name} was found` };
    }
    for (const pc of this.priorityClasses.values()) {
      if (pc.globalDefault) return { value: pc.value, preemptionPolicy: spec.preemptionPolicy ?? pc.preemptionPolicy };
    }
    return { value: spec.priority ?? 0, preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority' };
  }

  private generateName(namespace: string, prefix: string): string {
    const names = this.random.stream('names');
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[names.int(NAME_ALPHABET.length)];
      const name = prefix + suffix;
      if (!this.podsByKey.has(`${namespace}/${name}`)) return name;
    }
  }
}

export const BUILTIN_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

function isNodeHealthTaint(t: Taint): boolean {
  return t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable';
}

function zoneKey(node: Node): string {
  const region = node.labels['topology.kubernetes.io/region'] ?? '';
  const zone = node.labels['topology.kubernetes.io/zone'] ?? '';
  return `${region}:\x00:${zone}`;
}

function describeNode(node: Node): string {
  const size = `${node.capacity.cpuMilli / 1000} CPU, ${Math.round(node.capacity.memoryBytes / 2 ** 20)}Mi`;
  const parts = [node.instanceType ?? (node.pool ? size : 'fixed node'), node.pool ? `pool ${node.pool}` : '', node.zone ? `zone ${node.zone}` : '', node.capacityType];
  return parts.filter(Boolean).join(', ');
}
