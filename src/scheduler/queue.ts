// The scheduling queue (internal/queue/scheduling_queue.go, reference §4.1): an active queue
// ordered by PrioritySort (higher priority first, then earlier queue time), a backoff of
// 1 s doubling to 10 s per failed attempt, and an unschedulable pool whose pods move back when a
// cluster event could help them, or after 5 minutes at most.
import type { Pod } from '../model/pod.ts';

export const INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPod {
  pod: Pod;
  /** Queue time as an insertion counter: re-adding a pod refreshes it, as upstream does. */
  seq: number;
  attempts: number;
  /** Plugins that rejected the pod on its last attempt (the queueing hints use them). */
  failedPlugins: ReadonlySet<string>;
  lastFailureMs: number;
  backoffUntilMs: number;
}

/** Higher priority first, then earlier queue time. */
function before(a: QueuedPod, b: QueuedPod): boolean {
  if (a.pod.priority !== b.pod.priority) return a.pod.priority > b.pod.priority;
  return a.seq < b.seq;
}

export class SchedulingQueue {
  private active: QueuedPod[] = [];
  private readonly byUid = new Map<number, QueuedPod>();
  /** Pods that failed and wait for a cluster event, their backoff, or the 5-minute flush. */
  private readonly unschedulable = new Map<number, QueuedPod>();
  /** Pods moved by an event while still backing off, waiting for their backoff to expire. */
  private readonly backingOff = new Map<number, QueuedPod>();
  private seq = 0;

  constructor(
    /** Told when a pod enters the unschedulable or backoff pools (parked) and when it leaves them:
     *  the scheduler writes that to the pod's PodScheduled condition. */
    private readonly onParked: (pod: Pod, parked: boolean) => void = () => {},
  ) {}

  get activeCount(): number {
    return this.active.length;
  }

  get unschedulableCount(): number {
    return this.unschedulable.size + this.backingOff.size;
  }

  has(pod: Pod): boolean {
    return this.byUid.has(pod.uid);
  }

  /** A new pod: straight to the active queue. */
  add(pod: Pod): void {
    if (this.byUid.has(pod.uid)) return;
    const entry: QueuedPod = { pod, seq: this.seq++, attempts: 0, failedPlugins: new Set(), lastFailureMs: -1, backoffUntilMs: 0 };
    this.byUid.set(pod.uid, entry);
    this.pushActive(entry);
  }

  remove(pod: Pod): void {
    const entry = this.byUid.get(pod.uid);
    if (!entry) return;
    this.byUid.delete(pod.uid);
    if (this.unschedulable.delete(pod.uid) || this.backingOff.delete(pod.uid)) this.onParked(pod, false);
    const i = this.active.indexOf(entry);
    if (i >= 0) {
      // Rare (a pending pod deleted while queued); rebuild keeps the heap simple.
      this.active.splice(i, 1);
      this.active = this.active.sort((a, b) => (before(a, b) ? -1 : 1));
    }
  }

  pop(): QueuedPod | undefined {
    const heap = this.active;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Bound: the pod leaves the queue for good. */
  done(entry: QueuedPod): void {
    this.byUid.delete(entry.pod.uid);
  }

  /** A failed attempt: the pod waits in the unschedulable pool with a doubled backoff. */
  failed(entry: QueuedPod, failedPlugins: ReadonlySet<string>, nowMs: number): void {
    entry.attempts++;
    entry.failedPlugins = failedPlugins;
    entry.lastFailureMs = nowMs;
    entry.backoffUntilMs = nowMs + Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (entry.attempts - 1));
    this.unschedulable.set(entry.pod.uid, entry);
    this.onParked(entry.pod, true);
  }

  /** A cluster event happened: pods it could help (by their failed plugins and the plugins'
   *  queueing hints) move to the active queue, or wait out their backoff first. Returns the
   *  earliest backoff expiry still pending. */
  moveOnEvent(interested: (failedPlugins: ReadonlySet<string>, pod: Pod) => boolean, nowMs: number): number {
    for (const [uid, entry] of this.unschedulable) {
      if (!interested(entry.failedPlugins, entry.pod)) continue;
      this.unschedulable.delete(uid);
      if (entry.backoffUntilMs <= nowMs) this.requeue(entry);
      else this.backingOff.set(uid, entry);
    }
    return this.flushBackoff(nowMs);
  }

  /** Moves pods whose backoff has expired; returns the next expiry (Infinity if none). */
  flushBackoff(nowMs: number): number {
    let next = Infinity;
    for (const [uid, entry] of this.backingOff) {
      if (entry.backoffUntilMs <= nowMs) {
        this.backingOff.delete(uid);
        this.requeue(entry);
      } else if (entry.backoffUntilMs < next) next = entry.backoffUntilMs;
    }
    return next;
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for 5 minutes are retried anyway. */
  flushLeftover(nowMs: number): void {
    for (const [uid, entry] of this.unschedulable) {
      if (nowMs - entry.lastFailureMs >= MAX_UNSCHEDULABLE_MS) {
        this.unschedulable.delete(uid);
        this.requeue(entry);
      }
    }
  }

  /** Pods waiting (not in the active queue), oldest first. */
  waiting(): QueuedPod[] {
    return [...this.unschedulable.values(), ...this.backingOff.values()].sort((a, b) => a.pod.uid - b.pod.uid);
  }

  private requeue(entry: QueuedPod): void {
    this.onParked(entry.pod, false);
    entry.seq = this.seq++;
    this.pushActive(entry);
  }

  private pushActive(entry: QueuedPod): void {
    const heap = this.active;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.active;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l], heap[best])) best = l;
      if (r < heap.length && before(heap[r], heap[best])) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  }
}
