// expander/price (reference §3.4, expander/price/price.go): the cost of the new nodes over the
// price of what the pods ask for, stabilised by a small "stabilisation pod", and penalised when
// the node is far from the size preferred for a cluster this big. The lowest score wins.
//
// Pod prices use the per-vCPU and per-GB rates of GCE's predefined n1 machine types
// (cluster-autoscaler cloudprovider/gce/gce_price_info.go; the same figures are OpenCost's
// defaults): only the ratio between node and pod prices matters for the ranking.
import type { ExpanderFilter, Option } from './strategy.ts';
import { lowest } from './strategy.ts';

const CPU_USD_PER_CORE_HOUR = 0.031611;
const MEMORY_USD_PER_GB_HOUR = 0.004237;
const GB = 1024 ** 3;
/** The stabilisation pod: 500m CPU and 500Mi of memory. */
const STABILIZATION_CPU_MILLI = 500;
const STABILIZATION_MEMORY_BYTES = 500 * 1024 * 1024;
/** Unfitness of any node with GPUs (gpuUnfitnessOverride): such groups are ranked by price
 *  alone, never by the preferred cluster shape. */
const GPU_UNFITNESS_OVERRIDE = 1000;
const GPU = 'nvidia.com/gpu';

export const price: ExpanderFilter = (options, context) => lowest(options, (o) => priceScore(o, context.clusterNodes));

export function priceScore(option: Option, clusterNodes: number): number {
  const nodePrice = option.pool.priceUsdPerHour * option.nodeCount;
  let podPrice = 0;
  for (const pod of option.pods) podPrice += requestPrice(pod.requests.cpuMilli, pod.requests.memoryBytes);
  const stabilization = requestPrice(STABILIZATION_CPU_MILLI, STABILIZATION_MEMORY_BYTES);
  const priceSubScore = (nodePrice + stabilization) / (podPrice + stabilization);

  const preferredCpuMilli = preferredNodeCpuMilli(clusterNodes);
  const nodeCpuMilli = option.template.capacity.cpuMilli;
  const unfitness = Math.max(preferredCpuMilli / nodeCpuMilli, nodeCpuMilli / preferredCpuMilli);
  let suppressedUnfitness = (unfitness - 1) * (1 - Math.tanh((option.nodeCount - 1) / 15)) + 1;
  if ((option.template.capacity.scalar[GPU] ?? 0) > 0) suppressedUnfitness = GPU_UNFITNESS_OVERRIDE;
  // Pools always exist in capsim, so the ×2 for a node group still to be created never applies.
  return suppressedUnfitness * priceSubScore;
}

function requestPrice(cpuMilli: number, memoryBytes: number): number {
  return (cpuMilli / 1000) * CPU_USD_PER_CORE_HOUR + (memoryBytes / GB) * MEMORY_USD_PER_GB_HOUR;
}

/** SimplePreferredNodeProvider: the preferred node's CPU by cluster size. */
export function preferredNodeCpuMilli(clusterNodes: number): number {
  if (clusterNodes <= 2) return 1000;
  if (clusterNodes <= 6) return 2000;
  if (clusterNodes <= 20) return 4000;
  if (clusterNodes <= 60) return 8000;
  if (clusterNodes <= 200) return 16000;
  return 32000;
}

