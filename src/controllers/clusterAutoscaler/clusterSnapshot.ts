// The cluster autoscaler's what-if view of the cluster (simulator/cluster.go ClusterSnapshot and
// scheduling/hinting_simulator.go; reference/k8s-algorithms.md §3.3, §3.7): the scheduler's
// NodeInfos, copied on first write, where pods can be placed or taken away and template nodes
// added. A pod "fits" when every scheduler Filter plugin passes: first fit, no scoring, as the
// autoscaler checks it.
import type { LabelSelector } from '../../model/api.ts';
import type { Node } from '../../model/node.ts';
import { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { runFilters } from '../../scheduler/algorithm.ts';
import type { CycleState, FilterPlugin, Snapshot } from '../../scheduler/framework.ts';

export interface SnapshotContext {
  filters: readonly FilterPlugin[];
  namespaceLabels: (namespace: string) => Record<string, string>;
  ownerSelector: (pod: Pod) => LabelSelector | null;
}

/** Each node's index in a base list of NodeInfos (the API server's schedulerNodes(), the same
 *  array until a node joins or leaves): built once per list, shared by every snapshot of it. */
const basePositions = new WeakMap<readonly NodeInfo[], ReadonlyMap<Node, number>>();

function positionsOf(base: readonly NodeInfo[]): ReadonlyMap<Node, number> {
  let position = basePositions.get(base);
  if (!position) basePositions.set(base, (position = new Map(base.map((info, i) => [info.node, i]))));
  return position;
}

export class ClusterSnapshot implements Snapshot {
  /** The NodeInfos in order and each node's index in them. A fork shares its parent's list and
   *  map until either side changes one (copy on write: `ownsInfos`, `ownsPosition`), so a drain
   *  simulation over thousands of nodes does not copy a map of them per candidate. */
  private infos: NodeInfo[];
  private ownsInfos: boolean;
  private position: Map<Node, number>;
  private ownsPosition: boolean;
  /** NodeInfos this snapshot may change: its own copies and its template nodes. */
  private readonly owned: Set<NodeInfo>;
  /** Nodes that stay in the view (topology domains keep them) but take no pods: the node being
   *  removed in a drain simulation, or one already planned for removal. */
  private readonly closed: Set<Node>;
  private requiredAntiAffinity: number;
  private podAffinity: number;

  constructor(
    private readonly context: SnapshotContext,
    base: readonly NodeInfo[],
    from?: ClusterSnapshot,
  ) {
    if (from) {
      // Both sides now share the list and the map: whichever writes first copies.
      this.infos = from.infos;
      this.position = from.position;
      from.ownsInfos = from.ownsPosition = false;
      this.ownsInfos = this.ownsPosition = false;
      this.owned = new Set<NodeInfo>();
      this.closed = new Set(from.closed);
      this.requiredAntiAffinity = from.requiredAntiAffinity;
      this.podAffinity = from.podAffinity;
      return;
    }
    this.infos = base as NodeInfo[];
    this.ownsInfos = false;
    this.position = positionsOf(base) as Map<Node, number>;
    this.ownsPosition = false;
    this.owned = new Set<NodeInfo>();
    this.closed = new Set<Node>();
    this.requiredAntiAffinity = 0;
    this.podAffinity = 0;
    for (const info of base) {
      this.requiredAntiAffinity += info.podsWithRequiredAntiAffinity;
      this.podAffinity += info.podsWithAffinity;
    }
  }

  private writableInfos(): NodeInfo[] {
    if (!this.ownsInfos) {
      this.infos = this.infos.slice();
      this.ownsInfos = true;
    }
    return this.infos;
  }

  private writablePosition(): Map<Node, number> {
    if (!this.ownsPosition) {
      this.position = new Map(this.position);
      this.ownsPosition = true;
    }
    return this.position;
  }

  /** A copy to try something on: whatever the copy does, the original is unchanged (as long as
   *  the original itself is not changed while the copy is in use). */
  fork(): ClusterSnapshot {
    return new ClusterSnapshot(this.context, this.infos, this);
  }

  get nodeInfos(): readonly NodeInfo[] {
    return this.infos;
  }

  get anyRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinity > 0;
  }

  get anyPodAffinity(): boolean {
    return this.podAffinity > 0;
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return this.context.namespaceLabels(namespace);
  }

  ownerSelector(pod: Pod): LabelSelector | null {
    return this.context.ownerSelector(pod);
  }

  info(node: Node): NodeInfo | undefined {
    const i = this.position.get(node);
    return i === undefined ? undefined : this.infos[i];
  }

  /** A template node (a node group's next node), empty but for the pods given. */
  addNode(node: Node, pods: readonly Pod[] = []): NodeInfo {
    const info = new NodeInfo(node);
    this.writablePosition().set(node, this.infos.length);
    this.writableInfos().push(info);
    this.owned.add(info);
    for (const pod of pods) this.place(pod, info);
    return info;
  }

  /** Drops a template node added by addNode (the estimator's failed last node). */
  removeLastNode(): void {
    if (this.infos.length === 0) return;
    const info = this.writableInfos().pop()!;
    this.writablePosition().delete(info.node);
    this.owned.delete(info);
    this.requiredAntiAffinity -= info.podsWithRequiredAntiAffinity;
    this.podAffinity -= info.podsWithAffinity;
  }

  close(node: Node): void {
    this.closed.add(node);
  }

  isClosed(node: Node): boolean {
    return this.closed.has(node);
  }

  place(pod: Pod, info: NodeInfo): NodeInfo {
    const target = this.writable(info);
    target.addPod(pod);
    this.countAffinity(pod, 1);
    return target;
  }

  remove(pod: Pod, node: Node): void {
    const info = this.info(node);
    if (!info) return;
    const target = this.writable(info);
    if (target.removePod(pod)) this.countAffinity(pod, -1);
  }

  /** PreFilter for one pod against this view; pass the state to fits(). */
  prepare(pod: Pod): { state: CycleState; filters: FilterPlugin[] } {
    const state: CycleState = new Map();
    const filters = this.context.filters.filter((f) => !f.preFilter || f.preFilter(state, pod, this));
    return { state, filters };
  }

  fits(prepared: { state: CycleState; filters: FilterPlugin[] }, pod: Pod, info: NodeInfo): boolean {
    return !this.closed.has(info.node) && runFilters(prepared.filters, prepared.state, pod, info) === null;
  }

  /** The first node in `candidates`, starting at `hint`, where the pod fits; its index, or -1. */
  firstFit(pod: Pod, candidates: readonly NodeInfo[], hint = 0): number {
    if (candidates.length === 0) return -1;
    const prepared = this.prepare(pod);
    const start = hint % candidates.length;
    for (let k = 0; k < candidates.length; k++) {
      const i = (start + k) % candidates.length;
      if (this.fits(prepared, pod, this.current(candidates[i]))) return i;
    }
    return -1;
  }

  /** The snapshot's current NodeInfo for a node given by an older NodeInfo of it. */
  current(info: NodeInfo): NodeInfo {
    return this.info(info.node) ?? info;
  }

  private writable(info: NodeInfo): NodeInfo {
    const current = this.current(info);
    if (this.owned.has(current)) return current;
    const copy = current.clone();
    this.writableInfos()[this.position.get(current.node)!] = copy;
    this.owned.add(copy);
    return copy;
  }

  private countAffinity(pod: Pod, sign: 1 | -1): void {
    const affinity = pod.spec.affinity;
    if (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) this.requiredAntiAffinity += sign;
    if (affinity?.podAffinity || affinity?.podAntiAffinity) this.podAffinity += sign;
  }
}
