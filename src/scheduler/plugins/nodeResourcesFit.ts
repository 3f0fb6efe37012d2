// NodeResourcesFit (framework/plugins/noderesources/fit.go): Filter by requests against free
// allocatable, and Score with the configured strategy (least_allocated.go, most_allocated.go).
// Reference: k8s-algorithms.md §4.3 (filter) and §4.4 (formulas; int64 arithmetic).
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';

export const NAME = 'NodeResourcesFit';

/** Pods nominated to a node (after preemption) whose requests others must leave room for. */
export const NOMINATED_STATE = 'NodeResourcesFit/nominated';
export type NominatedPods = Map<string, Pod[]>;

export class NodeResourcesFit implements FilterPlugin {
  readonly name = NAME;

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const node = nodeInfo.node;
    const requested = nodeInfo.requested;
    let extraCpu = 0;
    let extraMemory = 0;
    let extraPods = 0;
    const nominated = (state.get(NOMINATED_STATE) as NominatedPods | undefined)?.get(node.name);
    if (nominated) {
      for (const other of nominated) {
        if (other === pod || other.priority < pod.priority || other.node) continue;
        extraCpu += other.requests.cpuMilli;
        extraMemory += other.requests.memoryBytes;
        extraPods++;
      }
    }
    let reasons: string[] | null = null;
    let unresolvable = true;
    const fail = (reason: string, beyondAllocatable: boolean) => {
      (reasons ??= []).push(reason);
      // A request larger than the whole allocatable cannot be helped by preemption.
      if (!beyondAllocatable) unresolvable = false;
    };
    if (nodeInfo.pods.length + extraPods + 1 > node.allocatablePods) fail('Too many pods', false);
    const req = pod.requests;
    const alloc = node.allocatable;
    if (req.cpuMilli > 0 && req.cpuMilli > alloc.cpuMilli - requested.cpuMilli - extraCpu) fail('Insufficient cpu', req.cpuMilli > alloc.cpuMilli);
    if (req.memoryBytes > 0 && req.memoryBytes > alloc.memoryBytes - requested.memoryBytes - extraMemory) fail('Insufficient memory', req.memoryBytes > alloc.memoryBytes);
    if (req.ephemeralStorageBytes > 0 && req.ephemeralStorageBytes > alloc.ephemeralStorageBytes - requested.ephemeralStorageBytes) {
      fail('Insufficient ephemeral-storage', req.ephemeralStorageBytes > alloc.ephemeralStorageBytes);
    }
    for (const name in req.scalar) {
      const want = req.scalar[name];
      const have = alloc.scalar[name] ?? 0;
      if (want > 0 && want > have - (requested.scalar[name] ?? 0)) fail(`Insufficient ${name}`, want > have);
    }
    return reasons ? { plugin: NAME, reasons, unresolvable } : null;
  }
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

/** The Score half of NodeResourcesFit, resources [cpu: 1, memory: 1] by default. */
export class NodeResourcesFitScore implements ScorePlugin {
  readonly name = NAME;

  constructor(
    readonly strategy: ScoringStrategy = 'LeastAllocated',
    readonly cpuWeight = 1,
    readonly memoryWeight = 1,
  ) {}

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const alloc = nodeInfo.node.allocatable;
    const scorer = this.strategy === 'LeastAllocated' ? leastAllocated : mostAllocated;
    let weighted = 0;
    let weights = 0;
    if (alloc.cpuMilli > 0) {
      weighted += scorer(nodeInfo.nonZeroCpuMilli + pod.nonZeroCpuMilli, alloc.cpuMilli) * this.cpuWeight;
      weights += this.cpuWeight;
    }
    if (alloc.memoryBytes > 0) {
      weighted += scorer(nodeInfo.nonZeroMemoryBytes + pod.nonZeroMemoryBytes, alloc.memoryBytes) * this.memoryWeight;
      weights += this.memoryWeight;
    }
    return weights === 0 ? 0 : Math.trunc(weighted / weights);
  }
}

/** (allocatable - requested) * 100 / allocatable, 0 when over-requested (least_allocated.go). */
export function leastAllocated(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** min(requested, allocatable) * 100 / allocatable (most_allocated.go). */
export function mostAllocated(requested: number, allocatable: number): number {
  if (allocatable === 0) return 0;
  return Math.trunc((Math.min(requested, allocatable) * MAX_NODE_SCORE) / allocatable);
}
