// expander/waste (least-waste, the default since Jan 2025; reference §3.4): the share of the new
// nodes' CPU and memory *capacity* the helped pods leave unrequested, summed; the lowest wins.
import type { ExpanderFilter, Option } from './strategy.ts';
import { lowest } from './strategy.ts';

export const leastWaste: ExpanderFilter = (options) => lowest(options, wasteScore);

export function wasteScore(option: Option): number {
  const availableCpu = option.template.capacity.cpuMilli * option.nodeCount;
  const availableMemory = option.template.capacity.memoryBytes * option.nodeCount;
  let requestedCpu = 0;
  let requestedMemory = 0;
  for (const pod of option.pods) {
    requestedCpu += pod.requests.cpuMilli;
    requestedMemory += pod.requests.memoryBytes;
  }
  const wastedCpu = availableCpu > 0 ? (availableCpu - requestedCpu) / availableCpu : 0;
  const wastedMemory = availableMemory > 0 ? (availableMemory - requestedMemory) / availableMemory : 0;
  return wastedCpu + wastedMemory;
}
