// The VPA recommender's aggregate and estimator for one container of one workload
// (reference/k8s-algorithms.md §2.2, §2.4, §2.5; recommender/model/aggregate_container_state.go,
// recommender/logic/{estimator.go, recommender.go}).
//
// capsim keeps one aggregate per (workload, container name): upstream aggregates per (namespace,
// container, pod label set) and merges those of a VPA's pods by container name
// (AggregateStateByContainerName), which for one workload's pods is the same sums. It is fed one
// CPU sample per running container of every pod each minute, and one memory peak per pod's
// container per 24 h window (containerState.ts), as upstream's cluster feeder does (feeder.ts).
import { CPU_BUCKETS, DecayingHistogram, MEMORY_BUCKETS } from './histogram.ts';
import type { MemoryPeakAggregator } from './containerState.ts';
import { scaleResource } from './containerState.ts';

export { scaleResource } from './containerState.ts';

const DAY_MS = 24 * 3_600_000;
const MI = 1024 * 1024;

/** `minSampleWeight`: every CPU sample's weight (since Feb 2025, commit ca812b36a3). */
export const CPU_SAMPLE_WEIGHT = 0.1;

/** DefaultRecommenderConfig. */
export const SAFETY_MARGIN_FRACTION = 0.15;
export const POD_MIN_CPU_MILLI = 25;
export const POD_MIN_MEMORY_BYTES = 250 * MI;
export const TARGET_PERCENTILE = 0.9;
export const LOWER_PERCENTILE = 0.5;
export const UPPER_PERCENTILE = 0.95;
/** `confidence-interval-cpu` / `-memory`: the history length that counts as one unit of confidence. */
export const CONFIDENCE_INTERVAL_MS = DAY_MS;

/** AggregateContainerState: the CPU usage and memory peak histograms of a set of containers, and
 *  when its CPU samples started and ended and how many there were (CPU only, as upstream). */
export class ContainerAggregate implements MemoryPeakAggregator {
  readonly cpuCores = new DecayingHistogram(CPU_BUCKETS);
  readonly memoryPeaks = new DecayingHistogram(MEMORY_BUCKETS);
  firstSampleMs = -1;
  lastSampleMs = -1;
  totalSamples = 0;

  /** addCPUSample: one container's CPU usage (millicores) measured at tMs. */
  addCpuSample(cpuMilli: number, tMs: number): void {
    this.addCpuSamples(cpuMilli, 1, tMs, 0, 1);
  }

  /** `count` containers each using `cpuMilli` at `instants` instants `stepMs` apart from
   *  `fromMs`: count × instants samples, added as one histogram update (see addSamples). */
  addCpuSamples(cpuMilli: number, count: number, fromMs: number, stepMs: number, instants: number): void {
    if (cpuMilli < 0 || count <= 0 || instants <= 0) return;
    this.cpuCores.addSamples(cpuMilli / 1000, CPU_SAMPLE_WEIGHT * count, fromMs, stepMs, instants);
    const lastMs = fromMs + (instants - 1) * stepMs;
    if (this.firstSampleMs < 0 || fromMs < this.firstSampleMs) this.firstSampleMs = fromMs;
    if (lastMs > this.lastSampleMs) this.lastSampleMs = lastMs;
    this.totalSamples += count * instants;
  }

  /** A container's memory peak of the window ending at windowEndMs (weight 1 at its end). */
  addMemoryPeak(bytes: number, windowEndMs: number): void {
    this.memoryPeaks.addSample(bytes, 1, windowEndMs);
  }

  subtractMemoryPeak(bytes: number, windowEndMs: number): void {
    this.memoryPeaks.subtractSample(bytes, 1, windowEndMs);
  }

  /** getConfidence: min(history span, samples at one a minute) in confidence intervals — N days
   *  of one sample a minute is N (estimator.go). */
  confidence(intervalMs: number = CONFIDENCE_INTERVAL_MS): number {
    if (this.totalSamples === 0) return 0;
    const lifespan = (this.lastSampleMs - this.firstSampleMs) / intervalMs;
    const samplesAmount = this.totalSamples / (intervalMs / 60_000);
    return Math.min(lifespan, samplesAmount);
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

/** WithCPUMargin / WithMemoryMargin: base + ScaleResource(base, fraction). */
export function withMargin(amount: number, fraction: number = SAFETY_MARGIN_FRACTION): number {
  return amount + scaleResource(amount, fraction);
}

/** WithCPUConfidenceMultiplier / WithMemoryConfidenceMultiplier: amount × (1 + multiplier /
 *  confidence)^exponent — ×∞ (capped) or ×0 with no history. */
export function withConfidence(amount: number, multiplier: number, exponent: number, confidence: number): number {
  return scaleResource(amount, (1 + multiplier / confidence) ** exponent);
}

/** A container's recommendation per §2.5 (logic/recommender.go CreatePodResourceRecommender):
 *  percentiles, +15 % margin (truncated), confidence scaling of the bounds (upper ×(1 + 1/c),
 *  lower ×(1 + 0.001/c)^-2), the per-pod minimums split over `containersInPod`. */
export function estimate(agg: ContainerAggregate, containersInPod: number): Recommendation {
  const cpuMilli = (p: number) => withMargin(Math.trunc(agg.cpuCores.percentile(p) * 1000)); // CPUAmountFromCores
  const memoryBytes = (p: number) => withMargin(Math.trunc(agg.memoryPeaks.percentile(p)));
  const conf = agg.confidence();
  const upper = (x: number) => withConfidence(x, 1, 1, conf);
  const lower = (x: number) => withConfidence(x, 0.001, -2, conf);
  const fraction = 1 / Math.max(1, containersInPod);
  const minCpu = scaleResource(POD_MIN_CPU_MILLI, fraction);
  const minMemory = scaleResource(POD_MIN_MEMORY_BYTES, fraction);
  const bounds = (cpu: number, memory: number): ResourceBounds => ({ cpuMilli: Math.max(cpu, minCpu), memoryBytes: Math.max(memory, minMemory) });
  return {
    target: bounds(cpuMilli(TARGET_PERCENTILE), memoryBytes(TARGET_PERCENTILE)),
    lower: bounds(lower(cpuMilli(LOWER_PERCENTILE)), lower(memoryBytes(LOWER_PERCENTILE))),
    upper: bounds(upper(cpuMilli(UPPER_PERCENTILE)), upper(memoryBytes(UPPER_PERCENTILE))),
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
