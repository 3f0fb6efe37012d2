// The DaemonSet controller (pkg/controller/daemon): one pod on every node that should run it
// (nodeSelector, required node affinity and taints, with the tolerations upstream adds to every
// daemon pod). The default scheduler places the pod, pinned by a metadata.name node affinity,
// so a full node leaves it Pending just as in a real cluster. It watches DaemonSets (`kubectl
// rollout restart` replaces the template), nodes and its pods.
import type { ApiServer } from '../api/apiServer.ts';
import type { DaemonSet } from '../api/workloads.ts';
import { shouldRunDaemonPod } from '../api/workloads.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod, PodTemplate } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { resolveIntOrPercent } from '../model/intOrPercent.ts';
import type { ControllerContext } from './context.ts';
import { templateHash } from './templateHash.ts';
import { WorkQueue } from './workqueue.ts';

/** Every DaemonSet is synced at once (the queue holds this one key). */
const ALL = 'all';

export class DaemonSetController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly queue: WorkQueue<typeof ALL>;
  private readonly sets: DaemonSet[] = [];
  /** Active and terminating pods of each DaemonSet by node name (the informer cache). */
  private readonly podsByNode = new Map<DaemonSet, Map<string, Pod[]>>();
  /** The template each DaemonSet's hash was computed from: another one is a rollout. */
  private readonly hashed = new Map<DaemonSet, PodTemplate>();

  constructor({ api, clock }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue(clock, () => this.syncAll());
    api.daemonSets.watch({
      added: (ds) => {
        // A cluster's DaemonSet is at the revision of its newest pod (the loader names it).
        ds.hash = ds.obj.revisionHash ?? templateHash(ds.template, 0);
        this.hashed.set(ds, ds.template);
        this.sets.push(ds);
        // The pods a cluster's state gave it are its own, one on each node they run on.
        const byNode = new Map<string, Pod[]>();
        for (const pod of api.podsOwnedBy(ds.ref)) {
          const node = pod.node?.name ?? pod.spec.nodeName ?? pinnedNode(pod);
          if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), pod]);
        }
        this.podsByNode.set(ds, byNode);
        this.enqueue();
      },
      updated: (ds) => {
        if (this.hashed.get(ds) === ds.template) return;
        // A template change: pods are replaced node by node within maxUnavailable.
        ds.hash = templateHash(ds.template, ds.revision++);
        this.hashed.set(ds, ds.template);
        this.api.emit('RolloutStarted', ds.ref, '', `Rolling out revision ${ds.revision}`);
        this.enqueue();
      },
    });
    api.addListener({
      nodeAdded: () => this.enqueue(),
      nodeUpdated: () => this.enqueue(),
      nodeRemoved: () => this.enqueue(),
      podTerminating: (pod) => {
        if (pod.owner?.kind === 'DaemonSet') this.enqueue();
      },
      podReadyChanged: (pod) => {
        if (pod.owner?.kind === 'DaemonSet') this.enqueue();
      },
      podRemoved: (pod) => this.podRemoved(pod),
    });
  }

  private podRemoved(pod: Pod): void {
    if (pod.owner?.kind !== 'DaemonSet') return;
    for (const ds of this.sets) {
      if (ds.name !== pod.owner.name || ds.namespace !== pod.namespace) continue;
      const byNode = this.podsByNode.get(ds)!;
      for (const [node, pods] of byNode) {
        const i = pods.indexOf(pod);
        if (i >= 0) pods.splice(i, 1);
        if (pods.length === 0) byNode.delete(node);
      }
    }
    this.enqueue();
  }

  private enqueue(): void {
    if (this.sets.length > 0) this.queue.add(ALL);
  }

  private syncAll(): void {
    for (const ds of this.sets) this.sync(ds);
  }

  private sync(ds: DaemonSet): void {
    const nodes = this.api.nodes.filter((n) => n.state === 'Ready' || n.state === 'NotReady');
    const byNode = this.podsByNode.get(ds)!;
    const strategy = ds.obj.spec.updateStrategy;
    const maxUnavailable = strategy.type === 'RollingUpdate' ? Math.max(1, resolveIntOrPercent(strategy.maxUnavailable, nodes.length, true)) : 0;
    let unavailable = 0;
    const outdated: Pod[] = [];
    for (const node of nodes) {
      const active = (byNode.get(node.name) ?? []).filter(isActive);
      if (!shouldRunDaemonPod(ds, node)) {
        for (const pod of active) this.api.deletePod(pod, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: node no longer eligible`);
        continue;
      }
      if (active.length === 0) {
        // Upstream creates the replacement at once, even while the old pod is still terminating.
        this.createPod(ds, node);
        unavailable++;
        continue;
      }
      for (const extra of active.slice(1)) this.api.deletePod(extra, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: more than one pod on node`);
      if (!active[0].ready) unavailable++;
      else if (active[0].labels['controller-revision-hash'] !== ds.hash) outdated.push(active[0]);
    }
    if (strategy.type !== 'RollingUpdate') return;
    for (const pod of outdated) {
      if (unavailable >= maxUnavailable) break;
      this.api.deletePod(pod, 'Killed', `Deleted by DaemonSet ${ds.obj.metadata.name}: rolling update`);
      unavailable++;
    }
  }

  private createPod(ds: DaemonSet, node: Node): void {
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
    const result = this.api.createPod({
      generateName: `${ds.obj.metadata.name}-`,
      namespace: ds.obj.metadata.namespace,
      labels: { ...ds.template.labels, 'controller-revision-hash': ds.hash },
      annotations: ds.template.annotations,
      owner: { kind: 'DaemonSet', name: ds.obj.metadata.name },
      workload: ds.ref,
      spec,
    });
    if ('error' in result) {
      this.api.emit('FailedCreate', ds.ref, node.name, `Error creating: ${result.error}`);
      return;
    }
    const byNode = this.podsByNode.get(ds)!;
    const pods = byNode.get(node.name) ?? [];
    pods.push(result.pod);
    byNode.set(node.name, pods);
  }
}

/** The node a daemon pod is pinned to by its metadata.name node affinity (a pending pod of a
 *  cluster's state has no nodeName yet). */
function pinnedNode(pod: Pod): string | undefined {
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const field = term.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
    if (field?.values?.length === 1) return field.values[0];
  }
  return undefined;
}
