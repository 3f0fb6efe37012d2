// The binpacking estimator (estimator/binpacking_estimator.go, reference §3.3): how many new
// nodes of one node group the pending pods need. Pod groups go largest first; each pod tries the
// nodes added so far (filters only, first fit), else a new template node is added for it. A pod
// that does not fit even an empty new node stops the estimate for the rest of its group.
import type { Node } from '../../model/node.ts';
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { ClusterSnapshot } from './clusterSnapshot.ts';

/** Pending pods with the same owner and spec (an equivalence group). */
export interface PodGroup {
  pods: Pod[];
}

export interface Estimate {
  nodeCount: number;
  /** The pods the new nodes would take. */
  pods: Pod[];
}

export interface TemplateSource {
  /** The k-th new node of the group (k from 0), with the DaemonSet pods it would run. */
  node(k: number): { node: Node; daemonPods: readonly Pod[] };
}

/** Orders groups by score decreasing: podCPU/allocCPU + podMemory/allocMemory of the template
 *  (decreasing_pod_orderer.go); equal scores keep their order. */
export function orderGroups(groups: readonly PodGroup[], template: Node): PodGroup[] {
  const alloc = template.allocatable;
  const score = (g: PodGroup) => {
    const r = g.pods[0].requests;
    return (alloc.cpuMilli > 0 ? r.cpuMilli / alloc.cpuMilli : 0) + (alloc.memoryBytes > 0 ? r.memoryBytes / alloc.memoryBytes : 0);
  };
  return groups
    .map((g, i) => ({ g, i, s: score(g) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.g);
}

/** Estimates on `snapshot` (which it changes: pass a fork) with at most `limit` new nodes. */
export function estimate(snapshot: ClusterSnapshot, groups: readonly PodGroup[], templates: TemplateSource, limit: number): Estimate {
  const added: NodeInfo[] = [];
  const pods: Pod[] = [];
  for (const group of groups) {
    for (const pod of group.pods) {
      const hint = added.length - 1; // the last added node first (most likely to have room)
      const i = snapshot.firstFit(pod, added, Math.max(0, hint));
      if (i >= 0) {
        added[i] = snapshot.place(pod, added[i]);
        pods.push(pod);
        continue;
      }
      if (added.length >= limit) break;
      const { node, daemonPods } = templates.node(added.length);
      const fresh = snapshot.addNode(node, daemonPods);
      if (snapshot.firstFit(pod, [fresh]) < 0) {
        snapshot.removeLastNode();
        break; // an empty node does not help this group: stop adding nodes for it
      }
      added.push(snapshot.place(pod, fresh));
      pods.push(pod);
    }
  }
  return { nodeCount: added.length, pods };
}
