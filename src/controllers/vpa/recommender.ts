// The VPA recommender's model and estimator for one container of one workload
// (reference/k8s-algorithms.md §2.2, §2.4, §2.5; recommender/model/{aggregate_container_state.go,
// container.go}, recommender/logic/{estimator.go, recommender.go}).
//
// capsim keeps one aggregate per (workload, container name): upstream aggregates per (namespace,
// container, pod label set), which for one workload's identical pods is one aggregate. The usage
// history gives, per sample, the mean CPU per running pod and the peak memory of any pod, so each
// sample is one CPU sample and one memory sample of the aggregate (upstream adds one per pod; with
// identical pods the percentiles are the same).
import { CPU_BUCKETS, DecayingHistogram, MEMORY_BUCKETS } from './histogram.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MI = 1024 * 1024;

/** `minSampleWeight`: every CPU sample's weight (since Feb 2025, commit ca812b36a3). */
export const CPU_SAMPLE_WEIGHT = 0.1;
/** `memory-aggregation-interval`: one memory peak per window. */
export const MEMORY_AGGREGATION_INTERVAL_MS = DAY_MS;
export const OOM_MIN_BUMP_UP_BYTES = 100 * MI;
export const OOM_BUMP_UP_RATIO = 1.2;

/** DefaultRecommenderConfig. */
export const SAFETY_MARGIN_FRACTION = 0.15;
export const POD_MIN_CPU_MILLI = 25;
export const POD_MIN_MEMORY_BYTES = 250 * MI;
export const TARGET_PERCENTILE = 0.9;
export const LOWER_PERCENTILE = 0.5;
export const UPPER_PERCENTILE = 0.95;
/** MaxResourceAmount: where an infinite upper bound is capped. */
export const MAX_RESOURCE_AMOUNT = 1e14;

/** ScaleResource: float product truncated to an int64 amount, capped at MaxResourceAmount. */
export function scaleResource(amount: number, factor: number): number {
  const scaled = amount * factor;
  if (Number.isNaN(scaled)) return 0;
  if (scaled > MAX_RESOURCE_AMOUNT) return MAX_RESOURCE_AMOUNT;
  return Math.trunc(scaled);
}

/** AggregateContainerState plus the one ContainerState feeding it (memory window, OOM peak). */
export class ContainerAggregate {
  readonly cpuCores = new DecayingHistogram(CPU_BUCKETS);
  readonly memoryPeaks = new DecayingHistogram(MEMORY_BUCKETS);
  firstSampleMs = -1;
  lastSampleMs = -1;
  totalSamples = 0;
  // ContainerState (container.go)
  private lastCpuSampleMs = -1;
  private lastMemorySampleMs = -1;
  private windowEndMs = -1;
  private memoryPeak = 0;
  private oomPeak = 0;
  /** OOM bump per pod in its window (see recordOom). */
  private readonly oomPeaks = new Map<string, { windowEndMs: number; bytes: number }>();

  /** A CPU usage sample (millicores) measured at tMs; out-of-order and duplicate samples drop. */
  addCpuSample(cpuMilli: number, tMs: number): boolean {
    if (cpuMilli < 0 || tMs <= this.lastCpuSampleMs) return false;
    this.lastCpuSampleMs = tMs;
    this.cpuCores.addSample(cpuMilli / 1000, CPU_SAMPLE_WEIGHT, tMs);
    if (this.firstSampleMs < 0 || tMs < this.firstSampleMs) this.firstSampleMs = tMs;
    if (tMs > this.lastSampleMs) this.lastSampleMs = tMs;
    this.totalSamples++;
    return true;
  }

  /** A memory working-set sample (bytes): one peak per 24 h window, the larger replacing the
   *  smaller (container.go addMemorySample). */
  addMemorySample(bytes: number, tMs: number, isOom = false): boolean {
    if (bytes < 0 || tMs < this.lastMemorySampleMs) return false;
    this.lastMemorySampleMs = tMs;
    if (this.windowEndMs < 0) this.windowEndMs = tMs;
    let addNewPeak = false;
    if (tMs < this.windowEndMs) {
      const oldMax = this.maxMemoryPeak();
      if (oldMax !== 0 && bytes > oldMax) {
        this.memoryPeaks.subtractSample(oldMax, 1, this.windowEndMs);
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
      this.memoryPeaks.addSample(bytes, 1, this.windowEndMs);
      if (isOom) this.oomPeak = bytes;
      else this.memoryPeak = bytes;
    }
    return true;
  }

  /** RecordOOM: feeds max(used + 100Mi, used × 1.2) with used = max(request, window peak).
   *  Upstream keeps the window peak per pod, so an OOM bumps from the usage peak and from the
   *  earlier OOM bumps of the same pod (`podKey`) in this window, never from another pod's:
   *  three pods killed at once give one bump, one pod killed three times compounds. */
  recordOom(tMs: number, memoryRequestBytes: number, podKey = ''): boolean {
    if (this.windowEndMs >= 0 && tMs < this.windowEndMs - MEMORY_AGGREGATION_INTERVAL_MS) return false;
    const own = this.oomPeaks.get(podKey);
    const ownPeak = own && own.windowEndMs === this.currentWindowEnd(tMs) ? own.bytes : 0;
    const used = Math.max(memoryRequestBytes, this.memoryPeak, ownPeak);
    const needed = Math.max(used + OOM_MIN_BUMP_UP_BYTES, scaleResource(used, OOM_BUMP_UP_RATIO));
    if (!this.addMemorySample(needed, tMs, true)) return false;
    this.oomPeaks.set(podKey, { windowEndMs: this.windowEndMs, bytes: needed });
    return true;
  }

  /** The end of the window a sample at tMs falls in. */
  private currentWindowEnd(tMs: number): number {
    if (this.windowEndMs < 0 || tMs < this.windowEndMs) return this.windowEndMs;
    const interval = MEMORY_AGGREGATION_INTERVAL_MS;
    return this.windowEndMs + Math.floor((tMs - this.windowEndMs) / interval) * interval + interval;
  }

  maxMemoryPeak(): number {
    return Math.max(this.memoryPeak, this.oomPeak);
  }

  /** min(history span in days, samples / 1440) (estimator.go getConfidence). */
  confidence(): number {
    if (this.totalSamples === 0) return 0;
    const lifespanDays = (this.lastSampleMs - this.firstSampleMs) / DAY_MS;
    return Math.min(lifespanDays, this.totalSamples / (60 * 24));
  }
}

export interface ResourceBounds {
  cpuMilli: number;
  memoryBytes: number;
}

export interface Recommendation {
  target: ResourceBounds;
  lower: ResourceBounds;
  upper: ResourceBounds;
}

/** What the VPA lets the recommendation be for one container (its containerPolicy). */
export interface ContainerPolicyLimits {
  minAllowed?: Partial<Record<'cpu' | 'memory', number>>;
  maxAllowed?: Partial<Record<'cpu' | 'memory', number>>;
  /** Default [cpu, memory]. */
  controlledResources?: readonly string[];
}

/** A container's recommendation per §2.5: percentiles, +15 % margin (truncated), confidence
 *  scaling of the bounds, the per-pod minimums split over `containersInPod`. */
export function estimate(agg: ContainerAggregate, containersInPod: number): Recommendation {
  const cpuMilli = (p: number) => Math.trunc(agg.cpuCores.percentile(p) * 1000); // CPUAmountFromCores
  const memoryBytes = (p: number) => Math.trunc(agg.memoryPeaks.percentile(p));
  const withMargin = (x: number) => x + scaleResource(x, SAFETY_MARGIN_FRACTION);
  const conf = agg.confidence();
  const upperFactor = (1 + 1 / conf) ** 1;
  const lowerFactor = (1 + 0.001 / conf) ** -2;
  const fraction = 1 / Math.max(1, containersInPod);
  const minCpu = scaleResource(POD_MIN_CPU_MILLI, fraction);
  const minMemory = scaleResource(POD_MIN_MEMORY_BYTES, fraction);
  const bounds = (cpu: number, memory: number): ResourceBounds => ({ cpuMilli: Math.max(cpu, minCpu), memoryBytes: Math.max(memory, minMemory) });
  return {
    target: bounds(withMargin(cpuMilli(TARGET_PERCENTILE)), withMargin(memoryBytes(TARGET_PERCENTILE))),
    lower: bounds(scaleResource(withMargin(cpuMilli(LOWER_PERCENTILE)), lowerFactor), scaleResource(withMargin(memoryBytes(LOWER_PERCENTILE)), lowerFactor)),
    upper: bounds(scaleResource(withMargin(cpuMilli(UPPER_PERCENTILE)), upperFactor), scaleResource(withMargin(memoryBytes(UPPER_PERCENTILE)), upperFactor)),
  };
}

/** A recommendation as the VPA status shows it: only controlled resources, capped to the
 *  policy's minAllowed / maxAllowed (capping.go applyVPAPolicy); rounding up to 1m / 1 byte is
 *  a no-op on integers. A resource that is not controlled is null. */
export interface ProcessedBounds {
  cpuMilli: number | null;
  memoryBytes: number | null;
}
export interface ProcessedRecommendation {
  target: ProcessedBounds;
  lower: ProcessedBounds;
  upper: ProcessedBounds;
  uncappedTarget: ResourceBounds;
}

export function applyPolicy(rec: Recommendation, policy: ContainerPolicyLimits = {}): ProcessedRecommendation {
  const controlled = policy.controlledResources ?? ['cpu', 'memory'];
  const cap = (name: 'cpu' | 'memory', v: number): number | null => {
    if (!controlled.includes(name)) return null;
    const min = policy.minAllowed?.[name];
    const max = policy.maxAllowed?.[name];
    if (min !== undefined && v < min) v = min;
    if (max !== undefined && v > max) v = max;
    return v;
  };
  const one = (b: ResourceBounds): ProcessedBounds => ({ cpuMilli: cap('cpu', b.cpuMilli), memoryBytes: cap('memory', b.memoryBytes) });
  return { target: one(rec.target), lower: one(rec.lower), upper: one(rec.upper), uncappedTarget: rec.target };
}
