// kubectl drain --ignore-daemonsets --force (k8s.io/kubectl/pkg/drain, reference §6.5): cordon,
// evict every other pod through the Eviction API (PodDisruptionBudgets apply; a refused eviction
// is retried every 5 s), wait until they are gone, optionally delete the Node. The scenario's
// drain events and a spot notice's node termination handler both drain this way.
import type { ApiServer } from '../api/apiServer.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import { nodeObjectRef } from '../model/node.ts';
import { isActive } from '../model/pod.ts';
import { Phase } from '../phases.ts';

const DRAIN_RETRY_MS = 5_000;

export interface DrainOptions {
  /** --grace-period: overrides the pods' own terminationGracePeriodSeconds. */
  gracePeriodSeconds: number | null;
  /** --timeout: give up after this long. */
  timeoutMs: number | null;
  deleteNode: boolean;
  reason: string;
}

export function drainNode(api: ApiServer, clock: Simulation, node: Node, options: DrainOptions): void {
  api.setUnschedulable(node, true);
  const startedMs = clock.nowMs;
  const step = () => {
    if (node.state === 'Removed') return;
    // kubectl drain leaves DaemonSet pods (--ignore-daemonsets) and mirror pods (static pods,
    // which the API cannot delete) on the node.
    const remaining = node.info.pods.filter((p) => p.owner?.kind !== 'DaemonSet' && p.owner?.kind !== 'Node');
    if (remaining.length === 0) {
      api.emit('NodeDrained', nodeObjectRef(node), node.name, `Drained in ${((clock.nowMs - startedMs) / 1000).toFixed(0)}s`);
      if (options.deleteNode) api.removeNode(node, `Removed after drain (${options.reason})`);
      return;
    }
    let blocked = 0;
    for (const pod of remaining) {
      if (!isActive(pod)) continue;
      const result = api.evict(pod, `Evicted by drain of node ${node.name} (${options.reason})`);
      if (!result.ok) {
        blocked++;
        api.emit('EvictionBlocked', `Pod/${pod.namespace}/${pod.name}`, node.name, result.message);
      } else if (options.gracePeriodSeconds !== null) pod.deletionGraceSeconds = options.gracePeriodSeconds;
    }
    if (options.timeoutMs !== null && clock.nowMs - startedMs >= options.timeoutMs) {
      api.emit('DrainTimeout', nodeObjectRef(node), node.name, `Drain timed out with ${remaining.length} pod(s) left (${blocked} blocked by a disruption budget)`);
      return;
    }
    clock.after(DRAIN_RETRY_MS, Phase.Node, step);
  };
  step();
}
