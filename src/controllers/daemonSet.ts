// The DaemonSet controller (pkg/controller/daemon): one pod on every node that should run it
// (nodeSelector, required node affinity and taints, with the tolerations upstream adds to every
// daemon pod). The default scheduler places the pod, pinned by a metadata.name node affinity,
// so a full node leaves it Pending just as in a real cluster.
import { Phase } from '../phases.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';
import type { EventHandle } from '../engine/simulation.ts';
import type { Toleration } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import type { DaemonSetObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Pod, PodTemplate } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { matchesRequiredNodeAffinity } from '../model/nodeSelector.ts';
import { doNotScheduleTaints, findUntoleratedTaint } from '../model/taints.ts';
import { resolveIntOrPercent } from '../model/intOrPercent.ts';
import { templateHash } from './templateHash.ts';

/** util.AddOrUpdateDaemonPodTolerations. */
const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

interface DaemonSetState {
  obj: DaemonSetObject;
  ref: string;
  template: PodTemplate;
  hash: string;
  revision: number;
  /** Active and terminating pods by node name. */
  podsByNode: Map<string, Pod[]>;
}

export class DaemonSetController implements ClusterListener {
  private readonly sets: DaemonSetState[] = [];
  private handle: EventHandle | null = null;

  constructor(private readonly cluster: ApiServer) {
    cluster.addListener(this);
  }

  add(obj: DaemonSetObject): void {
    const template = structuredClone(obj.spec.template);
    template.spec.tolerations = template.spec.tolerations.concat(DAEMON_TOLERATIONS);
    this.sets.push({ obj, ref: objectRef(obj), template, hash: templateHash(template, 0), revision: 1, podsByNode: new Map() });
    this.enqueue();
  }

  /** status.desiredNumberScheduled: nodes that should run the daemon pod. */
  desiredNumberScheduled(ref: string): number {
    const ds = this.get(ref);
    if (!ds) return 0;
    return this.cluster.nodes.filter((n) => (n.state === 'Ready' || n.state === 'NotReady') && this.shouldRun(ds, n)).length;
  }

  /** One running pod of every DaemonSet that should run on `node`: the cluster autoscaler puts
   *  these on its template nodes, since a new node will run them (reference §3.3). A DaemonSet
   *  with no pod yet has nothing to copy and is left out. */
  samplePodsFor(node: Node): Pod[] {
    const samples: Pod[] = [];
    for (const ds of this.sets) {
      if (!this.shouldRun(ds, node)) continue;
      let sample: Pod | undefined;
      for (const pods of ds.podsByNode.values()) {
        sample = pods.find((p) => isActive(p) && p.node !== null);
        if (sample) break;
      }
      if (sample) samples.push(sample);
    }
    return samples;
  }

  get(ref: string): DaemonSetState | undefined {
    return this.sets.find((s) => s.ref === ref);
  }

  /** A template change: pods are replaced node by node within maxUnavailable. */
  restart(ref: string): void {
    const ds = this.get(ref);
    if (!ds) return;
    ds.template = structuredClone(ds.template);
    ds.template.annotations['kubectl.kubernetes.io/restartedAt'] = new Date(this.cluster.nowMs).toISOString();
    ds.hash = templateHash(ds.template, ds.revision++);
    this.cluster.emit('RolloutStarted', ds.ref, '', `Rolling out revision ${ds.revision}`);
    this.enqueue();
  }

  nodeAdded(): void {
    this.enqueue();
  }
  nodeUpdated(): void {
    this.enqueue();
  }
  nodeRemoved(): void {
    this.enqueue();
  }
  podTerminating(pod: Pod): void {
    if (pod.owner?.kind === 'DaemonSet') this.enqueue();
  }
  podReadyChanged(pod: Pod): void {
    if (pod.owner?.kind === 'DaemonSet') this.enqueue();
  }
  podRemoved(pod: Pod): void {
    if (pod.owner?.kind !== 'DaemonSet') return;
    for (const ds of this.sets) {
      if (ds.obj.metadata.name !== pod.owner.name || ds.obj.metadata.namespace !== pod.namespace) continue;
      for (const [node, pods] of ds.podsByNode) {
        const i = pods.indexOf(pod);
        if (i >= 0) pods.splice(i, 1);
        if (pods.length === 0) ds.podsByNode.delete(node);
      }
    }
    this.enqueue();
  }

  private enqueue(): void {
    if (this.handle === null && this.sets.length > 0) {
      this.handle = this.cluster.sim.schedule(this.cluster.nowMs, Phase.Controller, () => this.syncAll());
    }
  }

  private syncAll(): void {
    this.handle = null;
    for (const ds of this.sets) this.sync(ds);
  }

  private sync(ds: DaemonSetState): void {
    const nodes = this.cluster.nodes.filter((n) => n.state === 'Ready' || n.state === 'NotReady');
    const strategy = ds.obj.spec.updateStrategy;
    const maxUnavailable = strategy.type === 'RollingUpdate' ? Math.max(1, resolveIntOrPercent(strategy.maxUnavailable, nodes.length, true)) : 0;
    let unavailable = 0;
    const outdated: Pod[] = [];
    for (const node of nodes) {
      const active = (ds.podsByNode.get(node.name) ?? []).filter(isActive);
      if (!this.shouldRun(ds, node)) {
        for (const pod of active) this.cluster.deletePod(pod, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: node no longer eligible`);
        continue;
      }
      if (active.length === 0) {
        // Upstream creates the replacement at once, even while the old pod is still terminating.
        this.createPod(ds, node);
        unavailable++;
        continue;
      }
      for (const extra of active.slice(1)) this.cluster.deletePod(extra, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: more than one pod on node`);
      if (!active[0].ready) unavailable++;
      else if (active[0].labels['controller-revision-hash'] !== ds.hash) outdated.push(active[0]);
    }
    if (strategy.type !== 'RollingUpdate') return;
    for (const pod of outdated) {
      if (unavailable >= maxUnavailable) break;
      this.cluster.deletePod(pod, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: rolling update`);
      unavailable++;
    }
  }

  /** NodeShouldRunDaemonPod: node affinity/selector and taints, with the daemon tolerations. */
  private shouldRun(ds: DaemonSetState, node: Node): boolean {
    if (!matchesRequiredNodeAffinity(ds.template, node)) return false;
    return !findUntoleratedTaint(node.taints, ds.template.spec.tolerations, doNotScheduleTaints);
  }

  private createPod(ds: DaemonSetState, node: Node): void {
    const spec = structuredClone(ds.template.spec);
    // ReplaceDaemonSetPodNodeNameNodeAffinity: pin to the node; the scheduler still checks fit.
    spec.affinity = {
      ...spec.affinity,
      nodeAffinity: {
        ...spec.affinity?.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.name] }] }],
        },
      },
    };
    const result = this.cluster.createPod({
      generateName: `${ds.obj.metadata.name}-`,
      namespace: ds.obj.metadata.namespace,
      labels: { ...ds.template.labels, 'controller-revision-hash': ds.hash },
      annotations: ds.template.annotations,
      owner: { kind: 'DaemonSet', name: ds.obj.metadata.name },
      workload: ds.ref,
      spec,
    });
    if ('error' in result) {
      this.cluster.emit('FailedCreate', ds.ref, node.name, `Error creating: ${result.error}`);
      return;
    }
    const pods = ds.podsByNode.get(node.name) ?? [];
    pods.push(result.pod);
    ds.podsByNode.set(node.name, pods);
  }
}
