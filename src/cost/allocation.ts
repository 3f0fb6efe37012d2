// Splitting a node's price between its CPU and its memory, the way OpenCost does when a cloud
// price list gives only the instance price: in the ratio of OpenCost's default per-resource
// prices (opencost configs/default.json: CPU 0.031611 $/vCPU-hour, RAM 0.004237 $/GB-hour).
// A pod is charged its requests at those rates (DESIGN §3: OpenCost's allocation); what no pod
// requested is idle cost.

export const DEFAULT_CPU_USD_PER_CORE_HOUR = 0.031611;
export const DEFAULT_RAM_USD_PER_GB_HOUR = 0.004237;
const GB = 1024 ** 3;

export interface NodeRates {
  usdPerCoreHour: number;
  usdPerGbHour: number;
}

/** Per-core and per-GB hourly rates of one node whose total price is `priceUsdPerHour`. */
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

/** Cost of holding `cpuMilli` and `memoryBytes` on a node with these rates for `ms` milliseconds. */
export function allocatedCostUsd(rates: NodeRates, cpuMilli: number, memoryBytes: number, ms: number): number {
  const hours = ms / 3_600_000;
  return hours * ((cpuMilli / 1000) * rates.usdPerCoreHour + (memoryBytes / GB) * rates.usdPerGbHour);
}
