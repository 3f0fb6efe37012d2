// Pod traces replayed as a client of the API (spec.traces, issue 20): each row's pod is created at
// its time and deleted at its deletion time, as `kubectl create` / `kubectl delete` would; a row
// with a duration runs that long once started and completes (its object then goes, as a Job's
// with ttlSecondsAfterFinished: 0). The files are read a chunk of simulated time ahead
// (prefetch), never whole: only the pods created up to the clock's next stop and those still
// alive are in memory. A bad row the run reaches stops it with the file's line and column.
import type { ApiServer } from '../api/apiServer.ts';
import type { ClusterListener } from '../api/watch.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Pod, PodSpec } from '../model/pod.ts';
import { Phase } from '../phases.ts';
import { InputError } from '../scenario/errors.ts';
import type { TracePod } from '../workload/podTrace.ts';
import { PodTraceReader } from '../workload/podTrace.ts';

/** A trace file of the scenario: its absolute path and the path shown in messages. */
export interface TraceFileRef {
  file: string;
  shown: string;
}

/** What pods.csv says about one trace pod, once it is gone or the run ends. */
export interface TracePodRecord {
  /** namespace/name */
  pod: string;
  createdMs: number;
  /** -1 when never bound. */
  scheduledMs: number;
  node: string;
  /** Completed after its duration (-1: did not). */
  finishedMs: number;
  /** Deleted (its trace's deletion time, or by the cluster: eviction, node loss); -1: was not. */
  deletedMs: number;
  /** The trace's own scheduled time, -1 when the trace has none. */
  traceScheduledMs: number;
  /** How it ended: Completed (after its duration), Failed (the kubelet refused it), Deleted; or,
   *  still there at the end of the run, Running or Pending. */
  outcome: 'Completed' | 'Failed' | 'Deleted' | 'Running' | 'Pending';
}

interface Live {
  record: TracePodRecord;
  durationMs: number | null;
}

interface Source {
  ref: TraceFileRef;
  reader: PodTraceReader;
  /** The next row, read but not yet created (its time is beyond the last prefetch). */
  ahead: TracePod | null;
  done: boolean;
}

export class TraceReplay implements ClusterListener {
  private readonly sources: Source[];
  private readonly live = new Map<number, Live>();
  /** Queueing delays (scheduled - created) of the trace pods bound so far, in ms. */
  readonly delaysMs: number[] = [];
  /** Trace pods created, and rows whose create the API refused (FailedCreate: a name taken). */
  created = 0;
  failedCreates = 0;
  /** Gets each trace pod's record once it is gone (and, at finish(), those still there). */
  onRecord: (record: TracePodRecord) => void = () => {};

  constructor(private readonly api: ApiServer, private readonly sim: Simulation, files: readonly TraceFileRef[], private readonly untilMs: number) {
    this.sources = files.map((ref) => ({ ref, reader: new PodTraceReader(ref.file, api.startEpochMs), ahead: null, done: false }));
    api.addListener(this);
  }

  get hasTraces(): boolean {
    return this.sources.length > 0;
  }

  /** Reads every row created up to `untilMs` (and one more, held) and puts it on the clock. Call
   *  before the simulation runs to `untilMs`; throws InputError at a bad row. */
  async prefetch(untilMs: number): Promise<void> {
    for (const source of this.sources) {
      while (!source.done) {
        if (source.ahead === null) {
          const next = await source.reader.next();
          if (next === null) {
            source.done = true;
            break;
          }
          if ('problem' in next) {
            source.reader.done();
            const p = next.problem;
            throw new InputError([{ file: source.ref.shown, line: p.line, column: p.column, path: p.column_name ?? '', message: p.message, hint: p.hint }]);
          }
          source.ahead = next.pod;
        }
        const row = source.ahead;
        if (row.createdMs > this.untilMs) {
          source.reader.done();
          source.done = true;
          source.ahead = null;
          break;
        }
        if (row.createdMs > untilMs) break;
        source.ahead = null;
        this.sim.schedule(row.createdMs, Phase.Controller, () => this.create(row));
      }
    }
  }

  /** The run length of a trace pod that has a duration (the kubelet's PodTiming). */
  runDurationMs(pod: Pod): number | null {
    return this.live.get(pod.uid)?.durationMs ?? null;
  }

  private create(row: TracePod): void {
    const result = this.api.createPod({ name: row.name, namespace: row.namespace, labels: {}, annotations: {}, owner: null, spec: podSpec(row) });
    const ref = `Pod/${row.namespace}/${row.name}`;
    if ('error' in result) {
      this.failedCreates++;
      this.api.emit('FailedCreate', ref, '', `Error creating: ${result.error} (trace line ${row.line})`);
      return;
    }
    this.created++;
    const pod = result.pod;
    this.live.set(pod.uid, {
      durationMs: row.durationMs,
      record: { pod: pod.key, createdMs: row.createdMs, scheduledMs: -1, node: '', finishedMs: -1, deletedMs: -1, traceScheduledMs: row.scheduledMs ?? -1, outcome: 'Pending' },
    });
    if (row.deletedMs !== null && row.deletedMs <= this.untilMs) {
      this.sim.schedule(row.deletedMs, Phase.Controller, () => {
        if (pod.removedMs < 0 && pod.deletionMs < 0) this.api.deletePod(pod, 'Killing', `Deleted at its trace's deletion time (line ${row.line})`);
      });
    }
  }

  podBound(pod: Pod): void {
    const live = this.live.get(pod.uid);
    if (!live || live.record.scheduledMs >= 0) return;
    live.record.scheduledMs = pod.boundMs;
    live.record.node = pod.node?.name ?? '';
    this.delaysMs.push(pod.boundMs - live.record.createdMs);
  }

  podFinished(pod: Pod): void {
    const live = this.live.get(pod.uid);
    if (!live) return;
    live.record.finishedMs = this.sim.nowMs;
    live.record.outcome = pod.phase === 'Succeeded' ? 'Completed' : 'Failed';
    // A finished trace pod is gone at once (a Job's with ttlSecondsAfterFinished: 0), so a long
    // trace does not keep every pod it ran.
    this.sim.schedule(this.sim.nowMs, Phase.Controller, () => this.api.removePod(pod));
  }

  podTerminating(pod: Pod): void {
    const live = this.live.get(pod.uid);
    if (live && live.record.finishedMs < 0) {
      live.record.deletedMs = this.sim.nowMs;
      live.record.outcome = 'Deleted';
    }
  }

  podRemoved(pod: Pod): void {
    const live = this.live.get(pod.uid);
    if (!live) return;
    this.live.delete(pod.uid);
    this.onRecord(live.record);
  }

  /** Records the trace pods still there at the end, in order of creation, and closes the files. */
  finish(): void {
    for (const source of this.sources) source.reader.done();
    for (const live of this.live.values()) {
      if (live.record.outcome === 'Pending' && live.record.scheduledMs >= 0) live.record.outcome = 'Running';
      this.onRecord(live.record);
    }
    this.live.clear();
  }
}

/** A trace pod's spec: one container with the row's requests and limits (so QoS follows from
 *  them), its priority, node selector, tolerations and node affinity. */
function podSpec(row: TracePod): PodSpec {
  return {
    containers: [{ name: 'main', requests: row.requests, limits: row.limits }],
    initContainers: [],
    ...(row.nodeSelector ? { nodeSelector: row.nodeSelector } : {}),
    ...(row.affinity ? { affinity: row.affinity } : {}),
    tolerations: row.tolerations,
    topologySpreadConstraints: [],
    ...(row.priorityClassName !== undefined ? { priorityClassName: row.priorityClassName } : {}),
    ...(row.priority !== undefined ? { priority: row.priority } : {}),
    terminationGracePeriodSeconds: 30,
    restartPolicy: row.durationMs !== null ? 'Never' : 'Always',
    hasLocalStorage: false,
  };
}
