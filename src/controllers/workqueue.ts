// The work queue every reconcile loop shares (client-go's workqueue, as kube-controller-manager's
// controllers use it): a key is added when something it depends on changed; the keys added
// during an instant are synced once, together, in the controller phase of that instant, in the
// controller's order; a key added again before its sync is synced once. Requeues after a delay
// (retries, minReadySeconds re-checks, deadlines) are timers that add the key again.
import type { EventHandle, Simulation } from '../engine/simulation.ts';
import { Phase } from '../phases.ts';

export class WorkQueue<T> {
  private readonly dirty = new Set<T>();
  private handle: EventHandle | null = null;

  constructor(
    private readonly clock: Simulation,
    /** Reconciles one key. */
    private readonly sync: (item: T) => void,
    /** The order a batch is synced in; insertion order when absent. */
    private readonly order?: (a: T, b: T) => number,
  ) {}

  add(item: T): void {
    this.dirty.add(item);
    if (this.handle === null) this.handle = this.clock.schedule(this.clock.nowMs, Phase.Controller, () => this.drain());
  }

  /** Drops a key that no longer needs syncing (its object was deleted). */
  forget(item: T): void {
    this.dirty.delete(item);
  }

  /** Adds `item` again at `atMs`; the handle cancels the timer. */
  addAt(item: T, atMs: number): EventHandle {
    return this.clock.schedule(atMs, Phase.Controller, () => this.add(item));
  }

  addAfter(item: T, delayMs: number): EventHandle {
    return this.addAt(item, this.clock.nowMs + delayMs);
  }

  private drain(): void {
    this.handle = null;
    const batch = [...this.dirty];
    if (this.order) batch.sort(this.order);
    this.dirty.clear();
    for (const item of batch) this.sync(item);
  }
}
