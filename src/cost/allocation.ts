// OpenCost's cost allocation (DESIGN §3, reference/peers.md "opencost"): a node's hourly price is
// split into a per-core and a per-GB rate; a workload is charged max(request, usage) x time of
// each resource at its node's rates; what no workload is charged is idle.
//
// The split, when a price list gives only the instance price (opencost/opencost@
// pkg/costmodel/costmodel.go, GetNodeCost): ramPrice = nodePrice / (cpuCores x cpuToRAMRatio +
// ramGiB), cpuPrice = ramPrice x cpuToRAMRatio, with cpuToRAMRatio the ratio of the default
// per-resource prices (configs/default.json: CPU 0.031611 $/vCPU-hour, RAM 0.004237 $/GB-hour;
// "GB" there is 1024^3 bytes) and cores and bytes taken from the node's *capacity*
// (n.Status.Capacity), so a node's CPU cost plus its RAM cost is its whole price.
//
// The charge (opencost/opencost@pkg/costmodel/costmodel.go, getContainerAllocation:
// allocation = max(request, usage); pkg/costmodel/allocation_helpers.go, applyCPUCoresRequested
// and applyRAMBytesRequested: CPUCoreHours and RAMByteHours are raised to the request average
// x hours when lower): max(∫request dt, ∫usage dt) over a window, per resource.

export const DEFAULT_CPU_USD_PER_CORE_HOUR = 0.031611;
export const DEFAULT_RAM_USD_PER_GB_HOUR = 0.004237;
const GB = 1024 ** 3;
const MS_PER_HOUR = 3_600_000;

export interface NodeRates {
  usdPerCoreHour: number;
  usdPerGbHour: number;
}

/** Per-core and per-GB hourly rates of a node of `cpuMilli` and `memoryBytes` whose total price
 *  is `priceUsdPerHour`: cpuMilli/1000 x usdPerCoreHour + memoryBytes/GB x usdPerGbHour = price. */
export function nodeRates(priceUsdPerHour: number, cpuMilli: number, memoryBytes: number): NodeRates {
  const cores = cpuMilli / 1000;
  const gb = memoryBytes / GB;
  const cpuWeight = cores * DEFAULT_CPU_USD_PER_CORE_HOUR;
  const ramWeight = gb * DEFAULT_RAM_USD_PER_GB_HOUR;
  const total = cpuWeight + ramWeight;
  if (total === 0 || priceUsdPerHour === 0) return { usdPerCoreHour: 0, usdPerGbHour: 0 };
  return {
    usdPerCoreHour: cores > 0 ? (priceUsdPerHour * cpuWeight) / total / cores : 0,
    usdPerGbHour: gb > 0 ? (priceUsdPerHour * ramWeight) / total / gb : 0,
  };
}

interface PricedNode {
  priceUsdPerHour: number;
  capacity: { cpuMilli: number; memoryBytes: number };
  allocatable: { cpuMilli: number; memoryBytes: number };
}

/** A node's rates as OpenCost splits them: over its capacity (allocatable for a bare Node
 *  manifest that gives no capacity). */
export function nodeRatesOf(node: PricedNode): NodeRates {
  const cpuMilli = node.capacity.cpuMilli > 0 ? node.capacity.cpuMilli : node.allocatable.cpuMilli;
  const memoryBytes = node.capacity.memoryBytes > 0 ? node.capacity.memoryBytes : node.allocatable.memoryBytes;
  return nodeRates(node.priceUsdPerHour, cpuMilli, memoryBytes);
}

/** Cost of `cpuMilliMs` millicore-ms and `memoryByteMs` byte-ms at a node's rates. */
export function resourceCostUsd(rates: NodeRates, cpuMilliMs: number, memoryByteMs: number): number {
  return (cpuMilliMs / 1000 / MS_PER_HOUR) * rates.usdPerCoreHour + (memoryByteMs / GB / MS_PER_HOUR) * rates.usdPerGbHour;
}

/** OpenCost's allocation of one workload on one node over one window, from the time integrals of
 *  its requests and its usage there: for each resource, max(∫request, ∫usage) at the node's rate. */
export function allocatedCostUsd(
  rates: NodeRates,
  cpuRequestedMilliMs: number,
  cpuUsedMilliMs: number,
  memoryRequestedByteMs: number,
  memoryUsedByteMs: number,
): number {
  return resourceCostUsd(rates, Math.max(cpuRequestedMilliMs, cpuUsedMilliMs), Math.max(memoryRequestedByteMs, memoryUsedByteMs));
}
