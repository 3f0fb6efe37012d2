// A node's GPUs one by one, as a GPU-share scheduler tracks them (hkust-adsl/kubernetes-
// scheduler-simulator's open-gpu-share, after Alibaba's gpushare-scheduler-extender): each GPU
// has 1000 milli; a pod asking m milli (a fraction of one GPU) takes m of one single GPU, a pod
// asking n whole GPUs takes all 1000 of n GPUs. NodeInfo keeps one of these per node with GPUs.
import type { Pod } from './pod.ts';

/** Whole GPUs: an extended resource the NVIDIA device plugin advertises, in whole units. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** A fraction of one GPU in thousandths (500 = half a GPU), the name the Alibaba GPU trace's
 *  simulator gives it. Nodes do not advertise it: the GpuShare filter checks it GPU by GPU. */
export const GPU_MILLI_RESOURCE = 'alibabacloud.com/gpu-milli';
/** The node label naming the GPU model (V100M16, T4, A10, ...), as the trace's simulator names
 *  it; a pod's wish for a model is ordinary node affinity on it. */
export const GPU_MODEL_LABEL = 'alibabacloud.com/gpu-card-model';
export const MILLI_PER_GPU = 1000;

/** What a pod asks of a node's GPUs: `count` GPUs with `milli` free on each. */
export interface GpuAsk {
  readonly count: number;
  readonly milli: number;
  /** Why the request cannot be met on any node (asked wrongly), else absent. */
  readonly invalid?: string;
}

/** The pod's GPU ask, or null when it asks for none (most pods: two property reads). */
export function gpuAsk(pod: Pod): GpuAsk | null {
  const scalar = pod.requests.scalar;
  const whole = scalar[GPU_RESOURCE] ?? 0;
  const milli = scalar[GPU_MILLI_RESOURCE] ?? 0;
  if (whole <= 0 && milli <= 0) return null;
  if (whole > 0 && milli > 0) {
    return { count: whole, milli: MILLI_PER_GPU, invalid: `asks for both ${GPU_RESOURCE} and ${GPU_MILLI_RESOURCE}: ask for whole GPUs with ${GPU_RESOURCE}, or a share of one GPU with ${GPU_MILLI_RESOURCE}` };
  }
  if (whole > 0) return { count: whole, milli: MILLI_PER_GPU };
  if (milli >= MILLI_PER_GPU || !Number.isInteger(milli)) {
    return { count: 1, milli, invalid: `${GPU_MILLI_RESOURCE} ${milli} is not a share of one GPU (1 to 999): ask for whole GPUs with ${GPU_RESOURCE}` };
  }
  return { count: 1, milli };
}

/** Each GPU's allocated milli on one node, and which GPUs each of its pods holds. */
export class GpuDevices {
  /** Allocated milli per GPU, by index (above 1000 only for pods a cluster's state put there). */
  readonly used: number[];
  private readonly held = new Map<Pod, { readonly indices: readonly number[]; readonly milli: number }>();

  constructor(count: number) {
    this.used = new Array<number>(count).fill(0);
  }

  get count(): number {
    return this.used.length;
  }

  /** The GPUs the pod holds here, or undefined. */
  indicesOf(pod: Pod): readonly number[] | undefined {
    return this.held.get(pod)?.indices;
  }

  /** The GPUs a GPU-share scheduler would give the ask, or null when it does not fit: one GPU,
   *  the tightest fit (least free milli that is enough; the lowest index on a tie) for a share;
   *  the first `count` GPUs by index with `milli` free for whole GPUs. */
  place(ask: GpuAsk): number[] | null {
    if (ask.invalid !== undefined) return null;
    const used = this.used;
    if (ask.count === 1) {
      let best = -1;
      for (let i = 0; i < used.length; i++) {
        const free = MILLI_PER_GPU - used[i];
        if (free >= ask.milli && (best < 0 || free < MILLI_PER_GPU - used[best])) best = i;
      }
      return best < 0 ? null : [best];
    }
    const out: number[] = [];
    for (let i = 0; i < used.length && out.length < ask.count; i++) if (MILLI_PER_GPU - used[i] >= ask.milli) out.push(i);
    return out.length === ask.count ? out : null;
  }

  /** Takes GPUs for the pod: `given` when it holds them already (a bound pod in a copy of its
   *  node), else where place() puts it, else (a pod that runs here without fitting: a cluster's
   *  state) the least used GPUs, so that the totals stay true. */
  add(pod: Pod, ask: GpuAsk, given: readonly number[] | undefined): void {
    let indices: readonly number[] | null = given !== undefined && given.every((i) => i < this.used.length) ? given : this.place(ask);
    if (indices === null) indices = this.leastUsed(Math.min(ask.count, this.used.length));
    for (const i of indices) this.used[i] += ask.milli;
    this.held.set(pod, { indices, milli: ask.milli });
  }

  remove(pod: Pod): void {
    const held = this.held.get(pod);
    if (held === undefined) return;
    for (const i of held.indices) this.used[i] -= held.milli;
    this.held.delete(pod);
  }

  private leastUsed(n: number): number[] {
    return this.used.map((u, i) => [u, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, n).map(([, i]) => i).sort((a, b) => a - b);
  }

  /** Allocated milli (at most 1000 a GPU), and free milli on GPUs partly allocated: what the
   *  simple form of fragmentation counts (capacity a pod needing a whole GPU cannot use). */
  totals(): { allocated: number; fragmented: number } {
    let allocated = 0;
    let fragmented = 0;
    for (const u of this.used) {
      const a = Math.min(u, MILLI_PER_GPU);
      allocated += a;
      if (a > 0 && a < MILLI_PER_GPU) fragmented += MILLI_PER_GPU - a;
    }
    return { allocated, fragmented };
  }
}

/** The node's GPU count from its allocatable (0 for a node without). */
export function gpuCount(allocatable: { scalar: Record<string, number> }): number {
  return Math.max(0, Math.floor(allocatable.scalar[GPU_RESOURCE] ?? 0));
}
