// Node manifests and node pools, checked together: a Node manifest whose node group is a pool's
// name joins that pool (cloud/manifestNodes.ts), and the pool's count includes it, so a pool
// cannot be joined by more Nodes than its count (capsim would have to remove real nodes at t = 0).
import { planManifestNode } from '../cloud/manifestNodes.ts';
import type { KubeObject, NodeObject } from '../model/objects.ts';
import type { NodePool } from '../model/scenario.ts';
import type { NodePoolDocument } from './schema.ts';
import type { Problems, Site } from './problems.ts';

/** Names listed in a message; the rest are counted. */
const NAMED = 5;

export function checkJoinedNodes(objects: readonly KubeObject[], pools: readonly NodePool[], docs: readonly (NodePoolDocument | undefined)[], site: Site, problems: Problems): void {
  if (pools.length === 0) return;
  const joined = new Map<string, string[]>();
  for (const o of objects) {
    if (o.kind !== 'Node') continue;
    const pool = planManifestNode(o as NodeObject, pools).pool;
    if (pool) joined.set(pool.name, [...(joined.get(pool.name) ?? []), o.metadata.name]);
  }
  for (const pool of pools) {
    const names = joined.get(pool.name) ?? [];
    if (names.length <= pool.count) continue;
    const i = docs.findIndex((d) => d?.name === pool.name);
    const shown = names.slice(0, NAMED).join(', ') + (names.length > NAMED ? ` and ${names.length - NAMED} more` : '');
    problems.add(
      site,
      ['spec', 'cluster', 'nodePools', i, docs[i]?.count !== undefined ? 'count' : 'min'],
      `${names.length} Node manifests join pool "${pool.name}" (${shown}), more than its count (${pool.count})`,
      `a pool's count includes the Node manifests that join it (their node-group label names the pool) and capsim launches the rest: set count (and max) to at least ${names.length}`,
    );
  }
}
