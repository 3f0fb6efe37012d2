// One container of one pod as the VPA recommender keeps it (recommender/model/container.go
// ContainerState): its memory peak per aggregation window and the OOM kills recorded in it. The
// window's peak is one sample of its aggregate's memory histogram, replaced while the peak grows.
// CPU samples go to the aggregate directly (see feeder.ts): ContainerState only drops
// out-of-order ones, which capsim's history never produces.

/** `memory-aggregation-interval`: one memory peak per window. */
export const MEMORY_AGGREGATION_INTERVAL_MS = 24 * 3_600_000;
/** `oom-min-bump-up-bytes` and `oom-bump-up-ratio` (aggregations_config.go). */
export const OOM_MIN_BUMP_UP_BYTES = 100 * 1024 * 1024;
export const OOM_BUMP_UP_RATIO = 1.2;
/** MaxResourceAmount: where an infinite upper bound is capped. */
export const MAX_RESOURCE_AMOUNT = 1e14;

/** ScaleResource: float product truncated to an int64 amount, capped at MaxResourceAmount. */
export function scaleResource(amount: number, factor: number): number {
  const scaled = amount * factor;
  if (Number.isNaN(scaled)) return 0;
  if (scaled > MAX_RESOURCE_AMOUNT) return MAX_RESOURCE_AMOUNT;
  return Math.trunc(scaled);
}

/** What a ContainerState adds its window peaks to (ContainerStateAggregator). */
export interface MemoryPeakAggregator {
  addMemoryPeak(bytes: number, windowEndMs: number): void;
  subtractMemoryPeak(bytes: number, windowEndMs: number): void;
}

export class ContainerState {
  /** End of the current window (not inclusive); -1 before the first sample (Go's zero time). */
  windowEndMs = -1;
  /** Time of the latest memory sample (OOMs included); -1 before the first. */
  lastMemorySampleMs = -1;
  /** Largest usage sample and largest OOM-derived sample of the current window. */
  private memoryPeak = 0;
  private oomPeak = 0;

  constructor(private readonly aggregator: MemoryPeakAggregator) {}

  maxMemoryPeak(): number {
    return Math.max(this.memoryPeak, this.oomPeak);
  }

  /** addMemorySample: out-of-order usage samples are dropped (OOMs never); the first sample of a
   *  window adds a peak, a larger one later in the window replaces it. */
  addMemorySample(bytes: number, tMs: number, isOom = false): boolean {
    if (bytes < 0 || (!isOom && tMs < this.lastMemorySampleMs)) return false;
    this.lastMemorySampleMs = tMs;
    if (this.windowEndMs < 0) this.windowEndMs = tMs;
    let addNewPeak = false;
    if (tMs < this.windowEndMs) {
      const oldMax = this.maxMemoryPeak();
      if (oldMax !== 0 && bytes > oldMax) {
        this.aggregator.subtractMemoryPeak(oldMax, this.windowEndMs);
        addNewPeak = true;
      }
    } else {
      // shift = (ts − WindowEnd).Truncate(interval) + interval
      const interval = MEMORY_AGGREGATION_INTERVAL_MS;
      this.windowEndMs += Math.floor((tMs - this.windowEndMs) / interval) * interval + interval;
      this.memoryPeak = 0;
      this.oomPeak = 0;
      addNewPeak = true;
    }
    if (addNewPeak) {
      this.aggregator.addMemoryPeak(bytes, this.windowEndMs);
      if (isOom) this.oomPeak = bytes;
      else this.memoryPeak = bytes;
    }
    return true;
  }

  /** RecordOOM: an artificial memory sample of max(used + 100Mi, used × 1.2), used = max(request,
   *  the window's usage peak). The earlier OOM peaks are left out of `used` (upstream commit
   *  c4348d6a5b, TestRecordOOMDontRunAway), so repeated kills of one container do not compound.
   *  Too old: more than one interval before the latest memory sample, not before WindowEnd, which
   *  can be a whole interval ahead (kubernetes/autoscaler#8548). */
  recordOom(tMs: number, memoryRequestBytes: number): boolean {
    if (this.lastMemorySampleMs >= 0 && tMs < this.lastMemorySampleMs - MEMORY_AGGREGATION_INTERVAL_MS) return false;
    const used = Math.max(memoryRequestBytes, this.memoryPeak);
    const needed = Math.max(used + OOM_MIN_BUMP_UP_BYTES, scaleResource(used, OOM_BUMP_UP_RATIO));
    return this.addMemorySample(needed, tMs, true);
  }
}
