// A typed object store with watches: the part of kube-apiserver plus a shared informer that a
// controller sees. Objects are kept by ref ("Kind/namespace/name") in creation order, which is
// the order list() returns and, like an informer's initial list, the order controllers work in;
// watchers are told synchronously, in the order they registered, so a run is reproducible.
//
// Objects are live: a writer changes the fields it owns (a controller its status, kubectl or the
// HPA the spec through the API's operations) and then calls update(), which tells the watchers.
// Nothing else of the simulation holds a second copy.

export interface Watch<T> {
  added?(obj: T): void;
  updated?(obj: T): void;
  deleted?(obj: T): void;
}

export class Store<T extends object> {
  private readonly byRef = new Map<string, T>();
  private readonly watches: Watch<T>[] = [];
  /** Objects by owner ref, in creation order (the informer's owner index). */
  private readonly byOwner = new Map<string, T[]>();

  constructor(
    readonly kind: string,
    /** The object's ref, "Kind/namespace/name". */
    readonly refOf: (obj: T) => string,
    /** The ref of the object's owner (its ownerReference's controller), if it has one. */
    private readonly ownerOf: (obj: T) => string | null = () => null,
  ) {}

  get size(): number {
    return this.byRef.size;
  }

  get(ref: string): T | undefined {
    return this.byRef.get(ref);
  }

  /** Every object, in creation order. */
  list(): IterableIterator<T> {
    return this.byRef.values();
  }

  /** The objects an owner controls, in creation order. */
  owned(ownerRef: string): readonly T[] {
    return this.byOwner.get(ownerRef) ?? NONE;
  }

  /** Creates the object; false (and nothing done) when one with its ref exists. */
  add(obj: T): boolean {
    const ref = this.refOf(obj);
    if (this.byRef.has(ref)) return false;
    this.byRef.set(ref, obj);
    const owner = this.ownerOf(obj);
    if (owner !== null) {
      const list = this.byOwner.get(owner);
      if (list) list.push(obj);
      else this.byOwner.set(owner, [obj]);
    }
    for (const w of this.watches) w.added?.(obj);
    return true;
  }

  /** Tells the watchers that `obj` changed. */
  update(obj: T): void {
    if (this.byRef.get(this.refOf(obj)) !== obj) return;
    for (const w of this.watches) w.updated?.(obj);
  }

  /** Removes the object; false when it was not there. */
  delete(obj: T): boolean {
    const ref = this.refOf(obj);
    if (this.byRef.get(ref) !== obj) return false;
    this.byRef.delete(ref);
    const owner = this.ownerOf(obj);
    if (owner !== null) {
      const list = this.byOwner.get(owner)!;
      list.splice(list.indexOf(obj), 1);
      if (list.length === 0) this.byOwner.delete(owner);
    }
    for (const w of this.watches) w.deleted?.(obj);
    return true;
  }

  watch(w: Watch<T>): void {
    this.watches.push(w);
  }
}

const NONE: readonly never[] = [];
