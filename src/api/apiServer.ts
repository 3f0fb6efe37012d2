// The API server: every object the simulation knows lives here, in typed stores with watches
// (kube-apiserver plus the informers every component reads through). Pods and nodes, whose every
// status transition matters to someone, have their own operations and notifications
// (ClusterListener); the other kinds are Stores (store.ts). Binding, the scale subresource
// (scale.ts), the Eviction API with PodDisruptionBudgets (eviction.ts) and admission
// (admission/) are operations here, so components meet only through this object: controllers
// never call each other, they read and write the API and react to its notifications.
import type { Simulation } from '../engine/simulation.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { Taint } from '../model/api.ts';
import { TAINT_MEMORY_PRESSURE, TAINT_UNSCHEDULABLE } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import { NodeInfo, nodeObjectRef, nodeOf, type NodeInit } from '../model/node.ts';
import type { HpaObject, LimitRangeObject, PdbObject, PriorityClassObject, ResourceQuotaObject, VpaObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { OwnerRef, Pod, PodSpec } from '../model/pod.ts';
import { isActive, podObjectRef } from '../model/pod.ts';
import type { ResourceList } from '../model/resources.ts';
import { applyLimitRangeDefaults, limitRangeViolations } from './admission/limitRanger.ts';
import { nonZeroRequests, podRequests, qosClass } from '../model/podResources.ts';
import { resolvePriority } from './admission/priority.ts';
import { QuotaTracker } from './admission/resourceQuota.ts';
import type { LabelSelector } from '../model/api.ts';
import type { AdmissionHook } from './admission/mutating.ts';
import type { Namespace, NodeLease } from './core.ts';
import { Store } from './store.ts';
import type { ClusterEvent, ClusterListener } from './watch.ts';
import { PLACEMENT_CHANGES } from './watch.ts';
import { WorkloadIndex } from './workloadIndex.ts';
import type { CronJob, DaemonSet, Deployment, Job, ReplicaSet, StatefulSet } from './workloads.ts';
import type { EvictionResult } from './eviction.ts';
import { evict } from './eviction.ts';

export type { ClusterEvent, ClusterListener } from './watch.ts';

export type { NodeInit } from '../model/node.ts';
export { nodeOf } from '../model/node.ts';

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

export type { AdmissionHook, AdmissionRequest } from './admission/mutating.ts';
export type { Namespace, NodeLease } from './core.ts';

/** Lower-case consonants and digits that cannot spell words, as upstream's rand.String. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const ownerRefOf = (namespace: string, owner: OwnerRef) => `${owner.kind}/${namespace}/${owner.name}`;

export class ApiServer {
  /** Every node that ever existed, by index. */
  readonly nodes: Node[] = [];
  /** Live pods (created, not yet removed) by uid, in creation order. */
  readonly pods = new Map<number, Pod>();

  readonly namespaces = new Store<Namespace>('Namespace', (ns) => `Namespace/-/${ns.name}`);
  readonly priorityClasses = new Store<PriorityClassObject>('PriorityClass', (pc) => pc.metadata.name);
  readonly limitRanges = new Store<LimitRangeObject>('LimitRange', objectRef);
  /** ResourceQuotas with their status.used. */
  readonly resourceQuotas = new Store<QuotaTracker>('ResourceQuota', (q) => objectRef(q.quota));
  readonly podDisruptionBudgets = new Store<PdbObject>('PodDisruptionBudget', objectRef);
  readonly deployments = new Store<Deployment>('Deployment', (d) => d.ref);
  /** Owned by their Deployment: owned(deploymentRef) lists them in creation order. */
  readonly replicaSets = new Store<ReplicaSet>('ReplicaSet', (rs) => rs.ref, (rs) => rs.workload);
  readonly statefulSets = new Store<StatefulSet>('StatefulSet', (s) => s.ref);
  readonly daemonSets = new Store<DaemonSet>('DaemonSet', (ds) => ds.ref);
  /** Owned by the CronJob that created them, if any. */
  readonly jobs = new Store<Job>('Job', (j) => j.ref, (j) => j.cronJob);
  readonly cronJobs = new Store<CronJob>('CronJob', (cj) => cj.ref);
  readonly horizontalPodAutoscalers = new Store<HpaObject>('HorizontalPodAutoscaler', objectRef);
  readonly verticalPodAutoscalers = new Store<VpaObject>('VerticalPodAutoscaler', objectRef);
  readonly leases = new Store<NodeLease>('Lease', (l) => `Lease/kube-node-lease/${l.node.name}`);
  /** Pods by workload, with the counts the recorder samples (an index, not a kind). */
  readonly workloads: WorkloadIndex;

  private readonly nodesByName = new Map<string, Node>();
  private readonly podsByKey = new Map<string, Pod>();
  /** Live pods by their controller owner ("Kind/namespace/name"), in creation order. */
  private readonly podsByOwner = new Map<string, Set<Pod>>();
  /** Pods the scheduler has parked as unschedulable (PodScheduled=False, Unschedulable). */
  private readonly parked = new Set<Pod>();
  /** LimitRanges and ResourceQuotas by namespace, in creation order: what admission walks. */
  private readonly limitRangesByNamespace = new Map<string, LimitRangeObject[]>();
  private readonly quotasByNamespace = new Map<string, QuotaTracker[]>();
  private readonly priorityClassesByName = new Map<string, PriorityClassObject>();
  private readonly listeners: ClusterListener[] = [];
  private readonly eventSinks: ((event: ClusterEvent) => void)[] = [];
  private readonly admissionHooks: AdmissionHook[] = [];
  private nextUid = 1;
  private schedulableOrder: NodeInfo[] | null = null;

  constructor(
    readonly sim: Simulation,
    readonly random: RandomStreams,
    /** spec.start: wall-clock Unix ms of simulated time 0 (CronJob schedules, timestamps). */
    readonly startEpochMs = 0,
  ) {
    this.workloads = new WorkloadIndex(this);
    this.addListener(this.workloads);
  }

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

  emit(type: string, object: string, node: string, message: string, source?: string): void {
    const event: ClusterEvent = { tMs: this.sim.nowMs, type, object, node, message };
    if (source !== undefined) event.source = source;
    for (const sink of this.eventSinks) sink(event);
  }

  private notify<K extends keyof ClusterListener>(what: K, arg: Parameters<NonNullable<ClusterListener[K]>>[0]): void {
    this.changeCount++;
    if (PLACEMENT_CHANGES.has(what)) this.placementChangeCount++;
    for (const listener of this.listeners) (listener[what] as ((a: typeof arg) => void) | undefined)?.call(listener, arg);
  }

  // ---- namespaces and policy objects -------------------------------------------------------

  ensureNamespace(name: string, labels: Record<string, string> = {}): void {
    const existing = this.namespaces.get(`Namespace/-/${name}`);
    if (existing) {
      Object.assign(existing.labels, labels);
      this.namespaces.update(existing);
    } else this.namespaces.add({ name, labels: { 'kubernetes.io/metadata.name': name, ...labels } });
  }

  namespaceLabels(name: string): Record<string, string> {
    return this.namespaces.get(`Namespace/-/${name}`)?.labels ?? NO_LABELS;
  }

  /** The namespace's LimitRanges in creation order (what LimitRanger and the VPA cap to). */
  limitRangesIn(namespace: string): readonly LimitRangeObject[] {
    return this.limitRangesByNamespace.get(namespace) ?? [];
  }

  addLimitRange(range: LimitRangeObject): void {
    this.ensureNamespace(range.metadata.namespace);
    if (!this.limitRanges.add(range)) return;
    const list = this.limitRangesByNamespace.get(range.metadata.namespace) ?? [];
    list.push(range);
    this.limitRangesByNamespace.set(range.metadata.namespace, list);
  }

  addResourceQuota(quota: ResourceQuotaObject): void {
    this.ensureNamespace(quota.metadata.namespace);
    const tracker = new QuotaTracker(quota);
    for (const pod of this.pods.values()) if (pod.namespace === quota.metadata.namespace && isActive(pod) && tracker.selects(pod)) tracker.charge(pod, 1);
    if (!this.resourceQuotas.add(tracker)) return;
    const list = this.quotasByNamespace.get(quota.metadata.namespace) ?? [];
    list.push(tracker);
    this.quotasByNamespace.set(quota.metadata.namespace, list);
  }

  addPriorityClass(pc: PriorityClassObject): void {
    this.priorityClassesByName.set(pc.metadata.name, pc);
    if (!this.priorityClasses.add(pc)) this.priorityClasses.update(pc);
  }

  // ---- subresources and indexes ----------------------------------------------------------------

  /** The Eviction API (pods/eviction): deletes the pod unless a PodDisruptionBudget forbids it. */
  evict(pod: Pod, reason: string): EvictionResult {
    return evict(this, pod, reason);
  }

  /** Live pods whose controller is `ownerRef` ("ReplicaSet/ns/name", ...), in creation order. */
  podsOwnedBy(ownerRef: string): ReadonlySet<Pod> {
    return this.podsByOwner.get(ownerRef) ?? NO_PODS;
  }

  /** The selector of a pod's controller (ReplicaSet or StatefulSet), for default spreading. */
  ownerSelector(pod: Pod): LabelSelector | null {
    const owner = pod.owner;
    if (!owner) return null;
    const ref = ownerRefOf(pod.namespace, owner);
    if (owner.kind === 'ReplicaSet') return this.replicaSets.get(ref)?.selector ?? null;
    if (owner.kind === 'StatefulSet') return this.statefulSets.get(ref)?.obj.spec.selector ?? null;
    return null;
  }

  /** The scheduler parks a pod it could not place (PodScheduled=False, reason Unschedulable)
   *  and unparks it when it tries it again. */
  setPodUnschedulable(pod: Pod, unschedulable: boolean): void {
    if (!unschedulable) this.parked.delete(pod);
    else if (!this.parked.has(pod) && this.parked.add(pod)) for (const l of this.listeners) l.podUnschedulable?.(pod);
  }

  /** Pods parked as unschedulable, oldest first: what the cluster autoscaler lists. capsim's
   *  scheduler unparks a pod as soon as a cluster event moves it back to its active queue, so a
   *  pod about to be retried is not counted (upstream keeps the condition until binding). */
  unschedulablePods(): Pod[] {
    return [...this.parked].sort((a, b) => a.uid - b.uid);
  }

  /** The kubelet renews its node's Lease while the machine runs, and stops when it is down. */
  setLeaseRenewing(node: Node, renewing: boolean): void {
    const ref = `Lease/kube-node-lease/${node.name}`;
    const lease = this.leases.get(ref);
    if (!lease) {
      this.leases.add({ node, renewing });
      return;
    }
    if (lease.renewing === renewing) return;
    lease.renewing = renewing;
    this.leases.update(lease);
  }

  // ---- nodes ---------------------------------------------------------------------------------

  node(name: string): Node | undefined {
    return this.nodesByName.get(name);
  }

  /** Creates a node. It joins the scheduler's view when it becomes Ready (markNodeReady). */
  addNode(init: NodeInit): Node {
    if (this.nodesByName.has(init.name)) throw new Error(`node ${init.name} already exists`);
    const node = nodeOf(init, this.nodes.length, 'Provisioning', this.nowMs);
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

  /** The kubelet posts the node's MemoryPressure condition; the node lifecycle controller mirrors it
   *  as the memory-pressure NoSchedule taint (TaintNodesByCondition: nodeConditionToTaintKeyStatusMap
   *  in pkg/controller/nodelifecycle), which keeps new pods that do not tolerate it off the node. */
  setNodeMemoryPressure(node: Node, pressure: boolean): void {
    if (node.state === 'Removed' || (node.memoryPressure ?? false) === pressure) return;
    node.memoryPressure = pressure;
    node.taints = node.taints.filter((t) => t.key !== TAINT_MEMORY_PRESSURE);
    if (pressure) node.taints = node.taints.concat({ key: TAINT_MEMORY_PRESSURE, effect: 'NoSchedule' });
    this.notify('nodeUpdated', node);
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

  /** The node's price changed (a spot price history's next price): list, after negotiated
   *  discounts, and charged. Cost accounting integrates the old price up to now. */
  setNodePrice(node: Node, price: { listUsdPerHour: number; contractedUsdPerHour: number; usdPerHour: number }): void {
    if (node.state === 'Removed') return;
    node.listPriceUsdPerHour = price.listUsdPerHour;
    node.contractedPriceUsdPerHour = price.contractedUsdPerHour;
    node.priceUsdPerHour = price.usdPerHour;
    this.notify('nodePriceChanged', node);
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
    const ranges = this.limitRangesIn(request.namespace);
    // Specs are shared with the template that made them and never mutated, except by LimitRange
    // defaulting, which gets its own copy.
    const spec = ranges.length > 0 ? structuredClone(submitted) : submitted;

    const priority = resolvePriority(spec, this.priorityClassesByName);
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
      readyTransitionMs: -1,
      deletionMs: -1,
      removedMs: -1,
    };

    const quotas = (this.quotasByNamespace.get(pod.namespace) ?? []).filter((q) => q.selects(pod));
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
    if (pod.owner) {
      const ref = ownerRefOf(pod.namespace, pod.owner);
      const owned = this.podsByOwner.get(ref);
      if (owned) owned.add(pod);
      else this.podsByOwner.set(ref, new Set([pod]));
    }
    this.notify('podCreated', pod);
    return { pod };
  }

  /** Binds the pod (the scheduler's Bind; `how` replaces the event's message, e.g. for a pod of a
   *  cluster's state that runs there already). */
  bindPod(pod: Pod, node: Node, how?: string): void {
    if (pod.node) throw new Error(`pod ${pod.key} is already bound to ${pod.node.name}`);
    pod.node = node;
    pod.boundMs = this.nowMs;
    pod.nominatedNodeName = null;
    node.info.addPod(pod);
    const gpus = node.info.gpus?.indicesOf(pod);
    if (gpus) pod.gpuIndices = gpus;
    const onGpus = gpus ? ` (GPU ${gpus.join(',')})` : '';
    this.emit('Scheduled', podObjectRef(pod), node.name, how ? `${how}: ${pod.key} on ${node.name}${onGpus}` : `Successfully assigned ${pod.key} to ${node.name}${onGpus}`);
    this.notify('podBound', pod);
  }

  /** The kubelet started the pod's containers. */
  markPodStarted(pod: Pod): void {
    pod.phase = 'Running';
    pod.startedMs = this.nowMs;
    if (pod.readyTransitionMs < 0) this.setReadyCondition(pod, false);
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
    this.setReadyCondition(pod, ready);
    if (ready) {
      pod.readyMs = this.nowMs;
      this.emit('Ready', podObjectRef(pod), pod.node?.name ?? '', 'Pod is Ready');
    }
    this.notify('podReadyChanged', pod);
  }

  /** The Ready condition: its status and lastTransitionTime change together, only here. The
   *  kubelet stamps a new time when the status flips and when it first writes the condition,
   *  False, with the pod's start (pkg/kubelet/status/status_manager.go updateLastTransitionTime);
   *  so does the node lifecycle controller (pkg/controller/util/node/controller_utils.go
   *  MarkPodsNotReady). */
  private setReadyCondition(pod: Pod, ready: boolean): void {
    pod.ready = ready;
    pod.readyTransitionMs = this.nowMs;
  }

  /** The pod reached a terminal phase: Succeeded (type `Completed`) or Failed (type `Failed`, or
   *  the status reason given, e.g. `Evicted`). The scheduler and the kubelet stop counting it on
   *  its node, and quotas release it, as upstream. */
  finishPod(pod: Pod, phase: 'Succeeded' | 'Failed', message: string, reason?: string): void {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed' || pod.removedMs >= 0) return;
    pod.phase = phase;
    if (pod.ready) {
      this.setReadyCondition(pod, false);
      this.notify('podReadyChanged', pod);
    }
    if (pod.node) pod.node.info.removePod(pod);
    if (pod.deletionMs < 0) this.releaseQuota(pod);
    this.emit(reason ?? (phase === 'Succeeded' ? 'Completed' : 'Failed'), podObjectRef(pod), pod.node?.name ?? '', message);
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
      this.setReadyCondition(pod, false);
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
    this.parked.delete(pod);
    if (pod.owner) {
      const ref = ownerRefOf(pod.namespace, pod.owner);
      const owned = this.podsByOwner.get(ref)!;
      owned.delete(pod);
      if (owned.size === 0) this.podsByOwner.delete(ref);
    }
    this.notify('podRemoved', pod);
  }

  private releaseQuota(pod: Pod): void {
    for (const quota of this.quotasByNamespace.get(pod.namespace) ?? []) if (quota.selects(pod)) quota.charge(pod, -1);
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

const NO_LABELS: Record<string, string> = {};
const NO_PODS: ReadonlySet<Pod> = new Set();

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

