// Matching-pod counts per (namespace, selector, node), kept between scheduling attempts, so that
// PodTopologySpread's PreFilter/PreScore/Score cost O(nodes) per attempt instead of O(pods).
// Upstream counts afresh from the scheduler cache's NodeInfo.Pods in every cycle
// (podtopologyspread/common.go countPodsMatchSelector, called per node by calPreFilterState and
// PreScore); kube-scheduler forks that run at scale keep the counts in a cache updated from the
// pod informer's Add/Update(labels)/Delete events instead (podtopologyspread/cache.go,
// PodTopologySpreadState.preCalRes). Here the counts are per node and are invalidated, not
// adjusted, on every watch notification that can change one: a pod bound to the node, finished
// on it, terminating on it or removed from it. The next lookup recounts that node alone, so a
// count is always exactly countPodsMatchSelector over the node's pods (integers, no drift).
// Only the API's own NodeInfos are cached; a clone (preemption, cluster autoscaler simulations)
// is counted afresh.
import type { Node, NodeInfo } from '../model/node.ts';
import { templateHashKey } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import type { LabelMatcher } from '../model/labelSelector.ts';
import { labelOf } from '../model/labelSelector.ts';

/** What a count is of: pods in `namespace`, not terminating, matching `selector`. */
export interface CountKey {
  /** Identifies namespace and selector: equal keys must mean equal counts. */
  readonly key: string;
  readonly namespace: string;
  readonly selector: LabelMatcher;
  /** "namespace/pod-template-hash" when the selector requires that hash: only the pods indexed
   *  under it (NodeInfo.byTemplateHash) can match. */
  readonly hashKey?: string;
}

/** countPodsMatchSelector: terminating pods and other namespaces are not counted. */
export function countPodsMatchSelector(pods: readonly Pod[], selector: LabelMatcher, namespace: string): number {
  let count = 0;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i];
    if (p.deletionMs >= 0 || p.namespace !== namespace) continue;
    if (selector(p.labels)) count++;
  }
  return count;
}

/** Matching pods on one node, counted afresh (the hash index when the selector allows it). */
export function countOnNode(nodeInfo: NodeInfo, k: CountKey): number {
  if (k.hashKey === undefined) return countPodsMatchSelector(nodeInfo.pods, k.selector, k.namespace);
  const candidates = nodeInfo.byTemplateHash.get(k.hashKey);
  return candidates === undefined ? 0 : countPodsMatchSelector(candidates, k.selector, k.namespace);
}

/** Matching pods per topology value over one node list (the scheduler's nodes at one moment). */
interface DomainTotals {
  readonly nodes: readonly NodeInfo[];
  /** SpreadCounts.nodeEpoch when built: any node added, changed or removed since rebuilds. */
  readonly epoch: number;
  /** Topology value (nodes without the key: '') -> matching pods on the nodes with that value. */
  readonly totals: Map<string, number>;
  /** By node index: the node's value, for the nodes in `nodes` only. */
  readonly valueOf: (string | undefined)[];
}

/** The counts of one (namespace, selector): by node index, -1 = not counted since last change. */
export class SpreadCountEntry {
  counts: Int32Array;
  lastUsed = 0;
  /** By topology key: the per-domain sums, adjusted on every change of a count (integers). */
  private domains: Map<string, DomainTotals> | null = null;

  constructor(readonly k: CountKey, nodes: number) {
    this.counts = new Int32Array(Math.max(16, nodes)).fill(-1);
  }

  /** Matching pods on the node (the live NodeInfo of its node, or any clone). */
  count(nodeInfo: NodeInfo): number {
    const node = nodeInfo.node;
    if (node.info !== nodeInfo) return countOnNode(nodeInfo, this.k);
    const index = node.index;
    if (index >= this.counts.length) this.grow(index);
    let n = this.counts[index];
    if (n < 0) n = this.counts[index] = countOnNode(nodeInfo, this.k);
    else if (SpreadCounts.verify && n !== countOnNode(nodeInfo, this.k)) {
      throw new Error(`spread count of ${this.k.key} on ${node.name}: cached ${n}, actual ${countOnNode(nodeInfo, this.k)}`);
    }
    return n;
  }

  /** Something about a pod on this node changed (the live NodeInfo). Without domain sums the
   *  node is recounted when next asked; with them it is recounted now and the sums adjusted. */
  changed(nodeInfo: NodeInfo): void {
    const index = nodeInfo.node.index;
    if (index >= this.counts.length) return;
    const old = this.counts[index];
    if (old < 0) return;
    if (this.domains === null) {
      this.counts[index] = -1;
      return;
    }
    const now = countOnNode(nodeInfo, this.k);
    this.counts[index] = now;
    if (now === old) return;
    for (const t of this.domains.values()) {
      const value = t.valueOf[index];
      if (value !== undefined) t.totals.set(value, t.totals.get(value)! + now - old);
    }
  }

  /** Matching pods per value of `topologyKey` over `nodes` (nodes without the key count under
   *  ''): kept while the node list and the nodes are unchanged (`epoch`), adjusted per change. */
  domainTotals(topologyKey: string, nodes: readonly NodeInfo[], epoch: number): ReadonlyMap<string, number> {
    const kept = this.domains?.get(topologyKey);
    if (kept !== undefined && kept.nodes === nodes && kept.epoch === epoch) {
      if (SpreadCounts.verify) {
        const fresh = this.sumByDomain(topologyKey, nodes).totals;
        for (const [value, n] of fresh) {
          if (kept.totals.get(value) !== n) throw new Error(`spread total of ${this.k.key} in ${topologyKey}=${value}: kept ${kept.totals.get(value)}, actual ${n}`);
        }
      }
      return kept.totals;
    }
    const built = this.sumByDomain(topologyKey, nodes);
    if (built.live) {
      this.domains ??= new Map();
      this.domains.set(topologyKey, { nodes, epoch, totals: built.totals, valueOf: built.valueOf });
    }
    return built.totals;
  }

  private sumByDomain(topologyKey: string, nodes: readonly NodeInfo[]): { totals: Map<string, number>; valueOf: (string | undefined)[]; live: boolean } {
    const totals = new Map<string, number>();
    const valueOf: (string | undefined)[] = [];
    let live = true;
    for (let i = 0; i < nodes.length; i++) {
      const nodeInfo = nodes[i];
      if (nodeInfo.node.info !== nodeInfo) live = false;
      const value = labelOf(nodeInfo.node.labels, topologyKey) ?? '';
      valueOf[nodeInfo.node.index] = value;
      totals.set(value, (totals.get(value) ?? 0) + this.count(nodeInfo));
    }
    return { totals, valueOf, live };
  }

  private grow(index: number): void {
    const bigger = new Int32Array(Math.max(index + 1, this.counts.length * 2)).fill(-1);
    bigger.set(this.counts);
    this.counts = bigger;
  }
}

/** Entries unused for this many lookups are dropped (ReplicaSets that are gone). */
const PRUNE_EVERY = 8192;

export class SpreadCounts {
  /** Tests set this: every cached count is checked against a fresh count. */
  static verify = false;

  private readonly entries = new Map<string, SpreadCountEntry>();
  /** Entries whose selector requires a template hash, by hashKey; the others by namespace. */
  private readonly byHash = new Map<string, SpreadCountEntry[]>();
  private readonly byNamespace = new Map<string, SpreadCountEntry[]>();
  /** Bumped when a node is added, changed (labels, readiness, ...) or removed. */
  nodeEpoch = 0;
  /** By node index: the labels (as JSON) at the node's last update. */
  private readonly labelsSeen: (string | undefined)[] = [];
  private lookups = 0;
  private lastPrune = 0;

  constructor(private readonly nodeCount: () => number) {}

  /** The entry for a (namespace, selector), created empty on first use. */
  entry(k: CountKey): SpreadCountEntry {
    this.lookups++;
    let e = this.entries.get(k.key);
    if (e === undefined) {
      if (this.lookups - this.lastPrune >= PRUNE_EVERY) this.prune();
      e = new SpreadCountEntry(k, this.nodeCount());
      this.entries.set(k.key, e);
      const index = k.hashKey === undefined ? this.byNamespace : this.byHash;
      const group = k.hashKey ?? k.namespace;
      const list = index.get(group);
      if (list) list.push(e);
      else index.set(group, [e]);
    }
    e.lastUsed = this.lookups;
    return e;
  }

  /** A watch notification about a pod on a node: bound, finished, terminating or removed. */
  podChanged(pod: Pod): void {
    const node = pod.node;
    if (node === null) return;
    const info = node.info;
    const hashKey = templateHashKey(pod);
    if (hashKey !== null) {
      const list = this.byHash.get(hashKey);
      if (list) for (let i = 0; i < list.length; i++) list[i].changed(info);
    }
    const list = this.byNamespace.get(pod.namespace);
    if (list) for (let i = 0; i < list.length; i++) list[i].changed(info);
  }

  /** A node was added or removed: domain sums are rebuilt when next asked. */
  nodeChanged(): void {
    this.nodeEpoch++;
  }

  /** A node was updated (taints, readiness, cordon: most updates): the sums depend only on the node
   *  list, which the sums check themselves, and on the node's labels, so rebuild only when the
   *  labels differ from those seen at the node's last update (or it was never seen). */
  nodeUpdated(node: Node): void {
    const labels = JSON.stringify(node.labels);
    if (this.labelsSeen[node.index] === labels) return;
    this.labelsSeen[node.index] = labels;
    this.nodeEpoch++;
  }

  /** Number of cached (namespace, selector) entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops the entries not looked up since the last prune; they are recounted if needed again. */
  private prune(): void {
    const since = this.lastPrune;
    this.lastPrune = this.lookups;
    for (const [key, e] of this.entries) {
      if (e.lastUsed > since) continue;
      this.entries.delete(key);
      const index = e.k.hashKey === undefined ? this.byNamespace : this.byHash;
      const group = e.k.hashKey ?? e.k.namespace;
      const list = index.get(group)!.filter((x) => x !== e);
      if (list.length === 0) index.delete(group);
      else index.set(group, list);
    }
  }
}
