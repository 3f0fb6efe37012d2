// Which container the kernel kills when a node runs out of memory: oom_score_adj by QoS
// (GetContainerOOMScoreAdjust, reference §5.4) and the kernel's badness ~ 1000 x RSS/total + adj.
import type { QosClass } from '../model/pod.ts';

export function oomScoreAdj(qos: QosClass, memoryRequestBytes: number, nodeMemoryCapacityBytes: number, nodeCritical: boolean): number {
  if (nodeCritical || qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  let adj = 1000 - Math.trunc((1000 * memoryRequestBytes) / nodeMemoryCapacityBytes);
  if (adj < 3) adj = 3;
  if (adj === 1000) adj = 999;
  return adj;
}

export function oomBadness(usageBytes: number, nodeMemoryCapacityBytes: number, adj: number): number {
  return (1000 * usageBytes) / nodeMemoryCapacityBytes + adj;
}
