// The priorities of the pods that count on nodes (in some NodeInfo), kept as pods are bound and
// leave: preemption asks for the lowest one to know at once that no node holds a victim.
import type { Pod } from '../model/pod.ts';

export class BoundPriorities {
  /** Priority by pod uid, for every pod added to a NodeInfo and not yet taken out of it. */
  private readonly byUid = new Map<number, number>();
  /** How many of those pods have each priority (a handful of distinct values). */
  private readonly counts = new Map<number, number>();

  /** The pod entered its node's NodeInfo (bound). */
  add(pod: Pod): void {
    if (this.byUid.has(pod.uid)) return;
    this.byUid.set(pod.uid, pod.priority);
    this.counts.set(pod.priority, (this.counts.get(pod.priority) ?? 0) + 1);
  }

  /** The pod left its NodeInfo (finished or removed); a second call for the same pod is ignored. */
  remove(pod: Pod): void {
    const priority = this.byUid.get(pod.uid);
    if (priority === undefined) return;
    this.byUid.delete(pod.uid);
    const left = this.counts.get(priority)! - 1;
    if (left === 0) this.counts.delete(priority);
    else this.counts.set(priority, left);
  }

  /** The lowest priority of a pod on any node; Infinity when no pod is on a node. */
  lowest(): number {
    let lowest = Infinity;
    for (const priority of this.counts.keys()) if (priority < lowest) lowest = priority;
    return lowest;
  }
}
