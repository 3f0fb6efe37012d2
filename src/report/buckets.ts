// Time buckets for charts: a month sampled every minute is 43,200 points, more than a chart can
// show or a page should carry. Long series are averaged into buckets of a round length, so every
// chart has at most MAX_POINTS points whatever the run's length.

/** Points per series at most; a 1-day run at 5-minute samples (289) is drawn as sampled. */
export const MAX_POINTS = 400;

const ROUND_SECONDS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** The bucket length for a run: its sample interval when that gives few enough points, else
 *  the shortest round length (a multiple of the interval) that does, unless an odd interval
 *  leaves only round lengths so long that the chart would lose its shape: then the fewest
 *  whole samples that do. */
export function bucketSecondsFor(durationSeconds: number, sampleSeconds: number): number {
  const step = sampleSeconds > 0 ? sampleSeconds : 60;
  if (durationSeconds / step + 1 <= MAX_POINTS) return step;
  const samples = Math.ceil(durationSeconds / (MAX_POINTS - 1) / step) * step;
  const round = ROUND_SECONDS.find((r) => r % step === 0 && durationSeconds / r + 1 <= MAX_POINTS);
  return round !== undefined && round <= 4 * samples ? round : samples;
}

/** The bucket a sample at `t` seconds falls in; its label is the bucket's start. */
export function bucketOf(t: number, bucketSeconds: number): number {
  return Math.floor(t / bucketSeconds);
}

export type Aggregate = 'mean' | 'sum' | 'max';

/** Samples folded per bucket, each column its own way: gauges by their mean, counts (OOM kills
 *  since the last sample) by their sum, running totals (cumulative cost) by their max. */
export class BucketAggregator {
  private readonly values = new Map<number, Float64Array>();
  private readonly counts = new Map<number, number>();
  /** Samples come in time order: the bucket being filled is kept at hand. */
  private lastBucket = NaN;
  private last: Float64Array | null = null;
  private lastCount = 0;

  constructor(
    private readonly modes: readonly Aggregate[],
    readonly bucketSeconds: number,
  ) {}

  add(t: number, values: readonly number[]): void {
    const b = bucketOf(t, this.bucketSeconds);
    if (b !== this.lastBucket) this.switchTo(b);
    const acc = this.last!;
    const first = this.lastCount === 0;
    for (let i = 0; i < this.modes.length; i++) {
      if (this.modes[i] === 'max') acc[i] = first ? values[i] : Math.max(acc[i], values[i]);
      else acc[i] += values[i];
    }
    this.lastCount++;
  }

  private switchTo(b: number): void {
    if (this.last) this.counts.set(this.lastBucket, this.lastCount);
    let acc = this.values.get(b);
    if (!acc) this.values.set(b, (acc = new Float64Array(this.modes.length)));
    this.lastBucket = b;
    this.last = acc;
    this.lastCount = this.counts.get(b) ?? 0;
  }

  /** One row per bucket in time order: its start in seconds and the folded values. */
  rows(): { t: number; values: number[] }[] {
    if (this.last) this.counts.set(this.lastBucket, this.lastCount);
    return [...this.values.keys()]
      .sort((a, b) => a - b)
      .map((b) => {
        const n = this.counts.get(b)!;
        const acc = this.values.get(b)!;
        return { t: b * this.bucketSeconds, values: this.modes.map((mode, i) => (mode === 'mean' ? acc[i] / n : acc[i])) };
      });
  }
}

/** Rounds for chart data: enough digits to draw, few enough to keep the page small. */
export function chartNumber(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return 0;
  const r = Number(value.toPrecision(digits));
  return Object.is(r, -0) ? 0 : r;
}
