// The simulation clock and event loop: integer milliseconds, events ordered by (time, phase,
// insertion sequence) so equal-time events always run in the same order. Knows nothing about
// Kubernetes; the phases are chosen by the caller.
import { EventQueue, MAX_PHASE } from './eventQueue.ts';

export type EventHandler<T = any> = (arg: T) => void;

/** Identifies a scheduled event for cancel(); stale handles are ignored. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 24;

export class Simulation {
  nowMs = 0;
  eventsProcessed = 0;
  private readonly queue = new EventQueue(4096);
  private handlers: (EventHandler | null)[] = [];
  private args: unknown[] = [];
  private generations: number[] = [];
  private freeSlots: number[] = [];

  /** Runs `handler(arg)` at `atMs` (not before now). Lower phases run first at equal times. */
  schedule<T>(atMs: number, phase: number, handler: EventHandler<T>, arg?: T): EventHandle {
    if (!(atMs >= this.nowMs)) throw new Error(`cannot schedule at ${atMs} ms: the clock is at ${this.nowMs} ms`);
    if (!Number.isInteger(atMs)) throw new Error(`event times are integer milliseconds, got ${atMs}`);
    if (phase < 0 || phase > MAX_PHASE) throw new Error(`phase ${phase} out of range`);
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.newSlot();
    this.handlers[slot] = handler;
    this.args[slot] = arg;
    this.queue.push(atMs, phase, slot);
    return this.generations[slot] * SLOT_BITS + slot;
  }

  /** Runs `handler` after `delayMs` from now. */
  after<T>(delayMs: number, phase: number, handler: EventHandler<T>, arg?: T): EventHandle {
    return this.schedule(this.nowMs + delayMs, phase, handler, arg);
  }

  cancel(handle: EventHandle | null | undefined): void {
    if (handle === null || handle === undefined) return;
    const slot = handle % SLOT_BITS;
    const generation = Math.floor(handle / SLOT_BITS);
    if (this.generations[slot] === generation) this.handlers[slot] = null;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Time of the next event, Infinity when none. */
  nextTimeMs(): number {
    return this.queue.peekTime();
  }

  /** Processes every event with time <= untilMs, then leaves the clock at untilMs. */
  runUntil(untilMs: number): void {
    const queue = this.queue;
    while (queue.size > 0 && queue.peekTime() <= untilMs) {
      const time = queue.peekTime();
      const slot = queue.pop();
      const handler = this.handlers[slot];
      const arg = this.args[slot];
      this.release(slot);
      if (handler === null) continue;
      this.nowMs = time;
      this.eventsProcessed++;
      handler(arg);
    }
    if (untilMs > this.nowMs && untilMs !== Infinity) this.nowMs = untilMs;
  }

  private newSlot(): number {
    const slot = this.handlers.length;
    if (slot >= SLOT_BITS) throw new Error('too many pending events');
    this.handlers.push(null);
    this.args.push(undefined);
    this.generations.push(0);
    return slot;
  }

  private release(slot: number): void {
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.generations[slot] = (this.generations[slot] + 1) % 0x20000000;
    this.freeSlots.push(slot);
  }
}
