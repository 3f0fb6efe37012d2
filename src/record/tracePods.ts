// pods.csv and summary.traces (issue 20): one row per pod of spec.traces as it goes, beside the
// trace's own scheduled time, and the queueing delays' percentiles. Rows are streamed as pods go,
// so a trace of a million pods is never held whole.
import type { TracePodRecord, TraceReplay } from '../kubectl/traceReplay.ts';
import { PODS, type ColumnOf } from '../outputs/csvFiles.ts';
import { ParquetSink } from '../outputs/parquetSink.ts';
import { round, seconds } from '../outputs/format.ts';
import type { TracesSummary } from '../outputs/summary.ts';
import type { TableFormat } from '../outputs/tables.ts';
import { CsvSink, NULL_SINK, type RowSink } from './csvSink.ts';

export class TracePodsRecorder {
  private readonly rows: RowSink<ColumnOf<typeof PODS>>;
  /** The trace's own delays (its scheduled - created), for the pods that have one. */
  private readonly traceDelaysMs: number[] = [];
  /** The replay's scheduled time minus the trace's, for the pods both scheduled. */
  private readonly diffsMs: number[] = [];
  private traceScheduledNeverBound = 0;
  private traceScheduledPendingAtEnd = 0;

  constructor(dir: string, private readonly replay: TraceReplay, detail: boolean, tables: TableFormat) {
    this.rows = !detail ? NULL_SINK : tables === 'parquet' ? new ParquetSink(dir, PODS) : new CsvSink(dir, PODS);
    replay.onRecord = (r) => this.write(r);
  }

  private write(r: TracePodRecord): void {
    const t = (ms: number) => (ms >= 0 ? seconds(ms) : '');
    const own = r.traceScheduledMs >= 0 ? r.traceScheduledMs - r.createdMs : null;
    if (own !== null) this.traceDelaysMs.push(own);
    if (r.traceScheduledMs >= 0) {
      if (r.scheduledMs >= 0) this.diffsMs.push(r.scheduledMs - r.traceScheduledMs);
      else {
        this.traceScheduledNeverBound++;
        if (r.outcome === 'Pending') this.traceScheduledPendingAtEnd++;
      }
    }
    this.rows.write({
      pod: r.pod, created_t: seconds(r.createdMs), scheduled_t: t(r.scheduledMs), node: r.node,
      queueing_delay_s: r.scheduledMs >= 0 ? seconds(r.scheduledMs - r.createdMs) : '',
      finished_t: t(r.finishedMs), deleted_t: t(r.deletedMs),
      trace_scheduled_t: t(r.traceScheduledMs), trace_queueing_delay_s: own !== null ? seconds(own) : '',
      outcome: r.outcome,
    });
  }

  async drain(): Promise<void> {
    await this.rows.drain();
  }

  /** Writes the pods still there and closes pods.csv; summary.traces. */
  async finish(): Promise<TracesSummary> {
    this.replay.finish();
    await this.rows.close();
    const delays = percentiles(this.replay.delaysMs);
    const own = percentiles(this.traceDelaysMs);
    const diff = percentiles(this.diffsMs);
    const scheduled = this.replay.delaysMs.length;
    return {
      pods: this.replay.created,
      failedCreates: this.replay.failedCreates,
      scheduled,
      neverScheduled: this.replay.created - scheduled,
      queueingDelayP50Seconds: delays.p50,
      queueingDelayP95Seconds: delays.p95,
      queueingDelayMaxSeconds: delays.max,
      traceQueueingDelayP50Seconds: own.p50,
      traceQueueingDelayP95Seconds: own.p95,
      traceQueueingDelayMaxSeconds: own.max,
      comparedPods: this.diffsMs.length,
      scheduledDiffP50Seconds: diff.p50,
      scheduledDiffP95Seconds: diff.p95,
      scheduledDiffMaxSeconds: diff.max,
      traceScheduledNeverBound: this.traceScheduledNeverBound,
      traceScheduledPendingAtEnd: this.traceScheduledPendingAtEnd,
    };
  }
}

/** p50, p95 (nearest rank: the smallest value with at least p of the values at or below it) and
 *  max of delays (or signed differences) in ms, in seconds; null for none. */
export function percentiles(delaysMs: readonly number[]): { p50: number | null; p95: number | null; max: number | null } {
  if (delaysMs.length === 0) return { p50: null, p95: null, max: null };
  const sorted = Float64Array.from(delaysMs).sort();
  const rank = (p: number) => round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] / 1000, 3);
  return { p50: rank(0.5), p95: rank(0.95), max: round(sorted[sorted.length - 1] / 1000, 3) };
}
