// NodeResourcesFit (framework/plugins/noderesources/fit.go): Filter by requests against free
// allocatable, and Score with the configured strategy (least_allocated.go, most_allocated.go).
// Reference: k8s-algorithms.md §4.3 (filter) and §4.4 (formulas; int64 arithmetic). A share of
// a GPU (alibabacloud.com/gpu-milli) is left to GpuShare, which checks it GPU by GPU.
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE } from '../framework.ts';
import { GPU_MILLI_RESOURCE } from '../../model/gpuDevices.ts';

export const NAME = 'NodeResourcesFit';

/** Pods nominated to a node (after preemption) whose requests others must leave room for. */
export const NOMINATED_STATE = 'NodeResourcesFit/nominated';
export type NominatedPods = Map<string, Pod[]>;

export class NodeResourcesFit implements FilterPlugin {
  readonly name = NAME;
  /** The nominated pods of the last cycle state seen: one state serves thousands of filter calls
   *  (the state is built with its nominated map and never given another). */
  private lastState: CycleState | null = null;
  private lastNominated: NominatedPods | undefined = undefined;

  // Hot path (millions of calls in a large cluster): no closures or allocations unless the pod misfits.
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const node = nodeInfo.node;
    const requested = nodeInfo.requested;
    const req = pod.requests;
    const alloc = node.allocatable;
    let extraCpu = 0;
    let extraMemory = 0;
    let extraPods = 0;
    if (state !== this.lastState) {
      this.lastState = state;
      this.lastNominated = state.get(NOMINATED_STATE) as NominatedPods | undefined;
    }
    const nominatedByNode = this.lastNominated;
    const nominated = nominatedByNode === undefined || nominatedByNode.size === 0 ? undefined : nominatedByNode.get(node.name);
    if (nominated) {
      for (const other of nominated) {
        if (other === pod || other.priority < pod.priority || other.node) continue;
        extraCpu += other.requests.cpuMilli;
        extraMemory += other.requests.memoryBytes;
        extraPods++;
      }
    }
    const tooManyPods = nodeInfo.pods.length + extraPods + 1 > node.allocatablePods;
    const cpuShort = req.cpuMilli > 0 && req.cpuMilli > alloc.cpuMilli - requested.cpuMilli - extraCpu;
    const memoryShort = req.memoryBytes > 0 && req.memoryBytes > alloc.memoryBytes - requested.memoryBytes - extraMemory;
    const storageShort = req.ephemeralStorageBytes > 0 && req.ephemeralStorageBytes > alloc.ephemeralStorageBytes - requested.ephemeralStorageBytes;
    let scalarShort = false;
    for (const name in req.scalar) {
      if (name !== GPU_MILLI_RESOURCE && req.scalar[name] > (alloc.scalar[name] ?? 0) - (requested.scalar[name] ?? 0)) scalarShort = true;
    }
    if (!tooManyPods && !cpuShort && !memoryShort && !storageShort && !scalarShort) return null;
    if (scalarShort) return misfit(pod, node.allocatable, tooManyPods, cpuShort, memoryShort, storageShort, requested);
    // Without extended resources the verdict is one of a few: share one object per shortage and
    // resolvability (a failing pod is rejected by thousands of nodes; nothing mutates a failure).
    const unresolvable =
      !tooManyPods && (!cpuShort || req.cpuMilli > alloc.cpuMilli) && (!memoryShort || req.memoryBytes > alloc.memoryBytes) && (!storageShort || req.ephemeralStorageBytes > alloc.ephemeralStorageBytes);
    const code = (tooManyPods ? 1 : 0) | (cpuShort ? 2 : 0) | (memoryShort ? 4 : 0) | (storageShort ? 8 : 0) | (unresolvable ? 16 : 0);
    return (SHARED_MISFITS[code] ??= frozen(misfit(pod, node.allocatable, tooManyPods, cpuShort, memoryShort, storageShort, requested)));
  }
}

/** Misfits without extended resources by shortage and resolvability bits (see filter). */
const SHARED_MISFITS: (FilterFailure | undefined)[] = new Array(32);

function frozen(failure: FilterFailure): FilterFailure {
  Object.freeze(failure.reasons);
  return Object.freeze(failure);
}

/** The failure with upstream's reasons. A request larger than the whole allocatable cannot be
 *  helped by preemption (unresolvable); any other shortage can. */
function misfit(
  pod: Pod,
  alloc: NodeInfo['node']['allocatable'],
  tooManyPods: boolean,
  cpuShort: boolean,
  memoryShort: boolean,
  storageShort: boolean,
  requested: NodeInfo['requested'],
): FilterFailure {
  const req = pod.requests;
  const reasons: string[] = [];
  let unresolvable = true;
  if (tooManyPods) {
    reasons.push('Too many pods');
    unresolvable = false;
  }
  if (cpuShort) {
    reasons.push('Insufficient cpu');
    if (req.cpuMilli <= alloc.cpuMilli) unresolvable = false;
  }
  if (memoryShort) {
    reasons.push('Insufficient memory');
    if (req.memoryBytes <= alloc.memoryBytes) unresolvable = false;
  }
  if (storageShort) {
    reasons.push('Insufficient ephemeral-storage');
    if (req.ephemeralStorageBytes <= alloc.ephemeralStorageBytes) unresolvable = false;
  }
  for (const name in req.scalar) {
    if (name === GPU_MILLI_RESOURCE) continue;
    const want = req.scalar[name];
    const have = alloc.scalar[name] ?? 0;
    if (want > 0 && want > have - (requested.scalar[name] ?? 0)) {
      reasons.push(`Insufficient ${name}`);
      if (want <= have) unresolvable = false;
    }
  }
  return { plugin: NAME, reasons, unresolvable };
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

  scoreAll(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < feasible.length; i++) out[i] = this.score(state, pod, feasible[i]);
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
