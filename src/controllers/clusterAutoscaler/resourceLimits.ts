// The cluster's resource limits, --cores-total and --memory-total (the cloud provider's
// ResourceLimiter): scale-up never takes the cluster's cores or memory above max
// (core/scaleup/resource/manager.go), scale-down never below min
// (core/scaledown/resource/limits.go). A node counts with its capacity, its CPU rounded up to
// whole cores.
import type { Node } from '../../model/node.ts';
import type { AutoscalerSpec } from '../../model/scenario.ts';
import type { AutoscalingContext } from './context.ts';

/** cloudprovider.ResourceNameCores and ResourceNameMemory, the names limits and deltas use. */
export const CORES = 'cpu';
export const MEMORY = 'memory';

/** Resource name -> amount (cores, bytes). In a Limits, a missing name has no limit. */
export type Amounts = Record<string, number>;

/** GetNodeCoresAndMemory: capacity, CPU as Quantity.Value() (whole cores, rounded up). */
export function coresAndMemory(node: Node): Amounts {
  return { [CORES]: Math.ceil(node.capacity.cpuMilli / 1000), [MEMORY]: node.capacity.memoryBytes };
}

/** Every node the limits count: the node groups' (their target size, so upcoming ones too) and
 *  the registered nodes of no group (Node manifests). */
export function clusterNodes(ca: AutoscalingContext): Node[] {
  const nodes = ca.groups.flatMap((g) => g.nodes);
  for (const info of ca.api.schedulerNodes()) if (info.node.pool === null) nodes.push(info.node);
  return nodes;
}

/** The cluster's totals over `nodes`. */
export function totalOf(nodes: Iterable<Node>): Amounts {
  const total: Amounts = { [CORES]: 0, [MEMORY]: 0 };
  for (const node of nodes) {
    const r = coresAndMemory(node);
    total[CORES] += r[CORES];
    total[MEMORY] += r[MEMORY];
  }
  return total;
}

/** Manager.ResourcesLeft: how much each limited resource may still grow (a max of 0 is no limit). */
export function scaleUpResourcesLeft(spec: Pick<AutoscalerSpec, 'coresTotal' | 'memoryTotalBytes'>, total: Amounts): Amounts {
  const left: Amounts = {};
  const limit = (name: string, max: number) => {
    if (max > 0) left[name] = Math.max(0, max - total[name]); // computeBelowMax
  };
  limit(CORES, spec.coresTotal.max);
  limit(MEMORY, spec.memoryTotalBytes.max);
  return left;
}

/** LimitsFinder.LimitsLeft: how much each limited resource may still shrink (a min of 0 is none). */
export function scaleDownResourcesLeft(spec: Pick<AutoscalerSpec, 'coresTotal' | 'memoryTotalBytes'>, total: Amounts): Amounts {
  const left: Amounts = {};
  const limit = (name: string, min: number) => {
    if (min > 0) left[name] = Math.max(0, total[name] - min); // computeAboveMin
  };
  limit(CORES, spec.coresTotal.min);
  limit(MEMORY, spec.memoryTotalBytes.min);
  return left;
}

/** CheckDeltaWithinLimits: the limited resources that `delta` would exceed, sorted by name. */
export function exceededResources(left: Amounts, delta: Amounts): string[] {
  return Object.keys(delta)
    .filter((name) => name in left && delta[name] > 0 && delta[name] > left[name])
    .sort();
}

/** Manager.ApplyLimits: `newCount` nodes of `delta` each, capped so every limit holds. */
export function applyLimits(newCount: number, left: Amounts, delta: Amounts): number {
  let count = newCount;
  for (const name of Object.keys(delta)) {
    if (!(name in left) || delta[name] <= 0 || count * delta[name] <= left[name]) continue;
    count = Math.floor(left[name] / delta[name]);
  }
  return count;
}

/** Limits.TryDecrementBy: takes `delta` off `left` when it fits every limit; false otherwise. */
export function tryDecrementBy(left: Amounts, delta: Amounts): boolean {
  if (exceededResources(left, delta).length > 0) return false;
  for (const name of Object.keys(delta)) if (name in left) left[name] -= delta[name];
  return true;
}

/** NewMaxResourceLimitReached's reason for a skipped node group. */
export function maxLimitReason(resources: readonly string[]): string {
  return `max cluster ${resources.join(', ')} limit reached`;
}
