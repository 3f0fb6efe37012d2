// Node groups as the cluster autoscaler sees them: capsim's node pools, with their target size,
// upcoming (still provisioning) nodes, scale-up requests and backoff (clusterstate/
// clusterstate.go, utils/backoff/exponential_backoff.go; reference/k8s-algorithms.md §3.5).
import type { Node } from '../../model/node.ts';
import type { NodePool } from '../../model/scenario.ts';

/** The node a group would create (TemplateNodeInfo) is the cloud's: a what-if before a run
 *  builds the same. */
export { templateNode } from '../../cloud/cloudProvider.ts';

export interface NodeGroup {
  pool: NodePool;
  /** Nodes of the pool that exist (provisioning, Ready or NotReady), in creation order. */
  nodes: Node[];
  /** Nodes the autoscaler is deleting (tainted, draining or waiting to go). */
  deleting: Set<Node>;
  /** Exponential backoff after a failed scale-up. */
  backoffUntilMs: number;
  backoffMs: number;
  lastFailureMs: number;
}

export function newNodeGroup(pool: NodePool): NodeGroup {
  return { pool, nodes: [], deleting: new Set(), backoffUntilMs: -1, backoffMs: 0, lastFailureMs: -Infinity };
}

/** The group's target size: every node it has, counting those still provisioning. */
export function targetSize(group: NodeGroup): number {
  return group.nodes.length;
}

export function upcoming(group: NodeGroup): Node[] {
  return group.nodes.filter((n) => n.state === 'Provisioning');
}

/** A failed scale-up: back off 5 min, doubling to 30 min; reset after 3 h without a failure. */
export function backOff(group: NodeGroup, nowMs: number, initialMs: number, maxMs: number, resetMs: number): void {
  const fresh = group.backoffMs === 0 || nowMs - group.lastFailureMs >= resetMs;
  group.backoffMs = fresh ? initialMs : Math.min(maxMs, group.backoffMs * 2);
  group.backoffUntilMs = nowMs + group.backoffMs;
  group.lastFailureMs = nowMs;
}

export function backedOff(group: NodeGroup, nowMs: number): boolean {
  return nowMs < group.backoffUntilMs;
}

export function groupRef(group: NodeGroup): string {
  return `NodeGroup/-/${group.pool.name}`;
}
