// The VPA recommender's decaying histogram (reference/k8s-algorithms.md §2.3;
// recommender/util/{histogram.go, histogram_options.go, decaying_histogram.go}): exponential
// buckets 5 % wider each, a sample's weight grows as 2^((t - ref) / halfLife) so newer samples
// count more, and a percentile is the end of the bucket where the cumulative weight first
// reaches p × total.

/** Bucket layout: bucket n ≥ 1 starts at first × (r^n − 1)/(r − 1). */
export class ExponentialBuckets {
  readonly numBuckets: number;

  constructor(
    readonly maxValue: number,
    readonly firstBucketSize: number,
    readonly ratio: number,
    /** Weights below this count as empty. */
    readonly epsilon: number,
  ) {
    // histogram_options.go NewExponentialHistogramOptions
    this.numBuckets = Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio)) + 1;
  }

  bucketStart(bucket: number): number {
    if (bucket === 0) return 0;
    return (this.firstBucketSize * (this.ratio ** bucket - 1)) / (this.ratio - 1);
  }

  findBucket(value: number): number {
    if (value < this.firstBucketSize) return 0;
    const bucket = Math.floor(Math.log((value * (this.ratio - 1)) / this.firstBucketSize + 1) / Math.log(this.ratio));
    return Math.min(Math.max(bucket, 0), this.numBuckets - 1);
  }
}

/** epsilon = 0.001 × minSampleWeight (0.1) (aggregations_config.go). */
export const HISTOGRAM_EPSILON = 0.001 * 0.1;
export const HISTOGRAM_BUCKET_RATIO = 1.05;
/** CPU in cores: first bucket 0.01 core, up to 1000 cores → 176 buckets. */
export const CPU_BUCKETS = new ExponentialBuckets(1000, 0.01, HISTOGRAM_BUCKET_RATIO, HISTOGRAM_EPSILON);
/** Memory in bytes: first bucket 1e7, up to 1e12 → 176 buckets. */
export const MEMORY_BUCKETS = new ExponentialBuckets(1e12, 1e7, HISTOGRAM_BUCKET_RATIO, HISTOGRAM_EPSILON);
/** Half-life of sample weights, CPU and memory alike. */
export const HALF_LIFE_MS = 24 * 3_600_000;
/** The reference time moves once a sample is this many half-lives past it (decaying_histogram.go). */
const MAX_DECAY_EXPONENT = 100;

/** histogram.go: weights per bucket with the min and max non-empty bucket tracked. */
export class Histogram {
  readonly weights: Float64Array;
  totalWeight = 0;
  minBucket: number;
  maxBucket = 0;

  constructor(readonly buckets: ExponentialBuckets) {
    this.weights = new Float64Array(buckets.numBuckets);
    this.minBucket = buckets.numBuckets - 1;
  }

  addSample(value: number, weight: number): void {
    if (weight < 0) throw new Error('sample weight must be non-negative');
    const bucket = this.buckets.findBucket(value);
    this.weights[bucket] += weight;
    this.totalWeight += weight;
    if (bucket < this.minBucket && this.weights[bucket] >= this.buckets.epsilon) this.minBucket = bucket;
    if (bucket > this.maxBucket && this.weights[bucket] >= this.buckets.epsilon) this.maxBucket = bucket;
  }

  /** Removes weight, clamping a bucket (and the total) that falls below epsilon to 0. */
  subtractSample(value: number, weight: number): void {
    if (weight < 0) throw new Error('sample weight must be non-negative');
    const bucket = this.buckets.findBucket(value);
    const epsilon = this.buckets.epsilon;
    this.totalWeight -= weight;
    this.weights[bucket] -= weight;
    if (this.weights[bucket] < epsilon) {
      this.weights[bucket] = 0;
      if (bucket === this.minBucket || bucket === this.maxBucket) this.updateMinAndMax();
    }
    if (this.totalWeight < epsilon) this.totalWeight = 0;
  }

  scale(factor: number): void {
    if (factor < 0) throw new Error('scale factor must be non-negative');
    for (let b = this.minBucket; b <= this.maxBucket; b++) this.weights[b] *= factor;
    this.totalWeight *= factor;
    this.updateMinAndMax();
  }

  isEmpty(): boolean {
    return this.weights[this.minBucket] < this.buckets.epsilon;
  }

  /** The end of the bucket where the cumulative weight first reaches p × total (the start of the
   *  last bucket if the walk ends there); 0 for an empty histogram. */
  percentile(p: number): number {
    if (this.isEmpty()) return 0;
    const threshold = p * this.totalWeight;
    let partial = 0;
    let bucket = this.minBucket;
    for (; bucket < this.maxBucket; bucket++) {
      partial += this.weights[bucket];
      if (partial >= threshold) break;
    }
    if (bucket < this.buckets.numBuckets - 1) return this.buckets.bucketStart(bucket + 1);
    return this.buckets.bucketStart(bucket);
  }

  private updateMinAndMax(): void {
    const eps = this.buckets.epsilon;
    const last = this.buckets.numBuckets - 1;
    let min = 0;
    while (min < last && this.weights[min] < eps) min++;
    let max = last;
    while (max > 0 && this.weights[max] < eps) max--;
    this.minBucket = min;
    this.maxBucket = max;
  }
}

/** decaying_histogram.go: samples weigh w × 2^((t − ref)/halfLife); ref is a multiple of the
 *  half-life and moves forward (rescaling every weight) only to keep the numbers bounded. */
export class DecayingHistogram {
  readonly histogram: Histogram;
  referenceMs = 0;

  constructor(
    buckets: ExponentialBuckets,
    readonly halfLifeMs: number = HALF_LIFE_MS,
  ) {
    this.histogram = new Histogram(buckets);
  }

  addSample(value: number, weight: number, tMs: number): void {
    this.histogram.addSample(value, weight * this.decayFactor(tMs));
  }

  subtractSample(value: number, weight: number, tMs: number): void {
    this.histogram.subtractSample(value, weight * this.decayFactor(tMs));
  }

  /** `instants` samples of one value, `stepMs` apart from `fromMs`, in one update: AddSample only
   *  adds weight to a bucket and to the total (histogram.go), so n samples are one sample of
   *  their summed weight, here w × 2^((from − ref)/halfLife) × Σ_{i<n} 2^(i × step/halfLife). */
  addSamples(value: number, weight: number, fromMs: number, stepMs: number, instants: number): void {
    if (instants <= 0) return;
    // The reference moves where one sample after another would have moved it (at the first sample
    // past 100 half-lives), first: rescaling the weights already added is the same as adding them
    // after the move.
    const lastMs = fromMs + (instants - 1) * stepMs;
    for (;;) {
      const limit = this.referenceMs + MAX_DECAY_EXPONENT * this.halfLifeMs;
      if (lastMs <= limit) break;
      const past = stepMs > 0 ? Math.max(fromMs, fromMs + (Math.floor((limit - fromMs) / stepMs) + 1) * stepMs) : fromMs;
      this.shiftReference(past);
    }
    const x = (stepMs / this.halfLifeMs) * Math.LN2;
    const series = instants === 1 || x === 0 ? instants : Math.expm1(instants * x) / Math.expm1(x);
    this.histogram.addSample(value, weight * this.decayFactor(fromMs) * series);
  }

  percentile(p: number): number {
    return this.histogram.percentile(p);
  }

  isEmpty(): boolean {
    return this.histogram.isEmpty();
  }

  private decayFactor(tMs: number): number {
    if (tMs > this.referenceMs + MAX_DECAY_EXPONENT * this.halfLifeMs) this.shiftReference(tMs);
    return 2 ** ((tMs - this.referenceMs) / this.halfLifeMs);
  }

  private shiftReference(tMs: number): void {
    // time.Round(halfLife): the nearest multiple, halves rounded up.
    const newRef = Math.floor(tMs / this.halfLifeMs + 0.5) * this.halfLifeMs;
    const exponent = Math.round((this.referenceMs - newRef) / this.halfLifeMs);
    this.histogram.scale(2 ** exponent);
    this.referenceMs = newRef;
  }
}
