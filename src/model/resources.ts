// Resource amounts as integers: CPU in millicores, everything else in base units (bytes, counts),
// as upstream's MilliValue() / Value() (reference/k8s-algorithms.md §8).

/** A container's requests or limits as written: only the resources that are set. cpu is in
 *  millicores, memory and ephemeral-storage in bytes, extended resources in whole units. */
export type ResourceMap = Record<string, number>;

/** Summed amounts used on hot paths (scheduler fit, node totals); mirrors framework.Resource. */
export interface ResourceList {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  /** Extended resources (e.g. nvidia.com/gpu) in whole units; absent key = 0. */
  scalar: Record<string, number>;
}

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

export function emptyResources(): ResourceList {
  return { cpuMilli: 0, memoryBytes: 0, ephemeralStorageBytes: 0, scalar: {} };
}

/** Converts a name->amount map into a ResourceList; `pods` is not a summable resource and is skipped. */
export function toResourceList(map: ResourceMap | undefined | null): ResourceList {
  const list = emptyResources();
  if (!map) return list;
  for (const name of Object.keys(map).sort()) {
    const amount = map[name];
    if (name === CPU) list.cpuMilli = amount;
    else if (name === MEMORY) list.memoryBytes = amount;
    else if (name === EPHEMERAL_STORAGE) list.ephemeralStorageBytes = amount;
    else if (name !== PODS) list.scalar[name] = amount;
  }
  return list;
}

export function addInto(target: ResourceList, add: ResourceList, sign = 1): void {
  target.cpuMilli += sign * add.cpuMilli;
  target.memoryBytes += sign * add.memoryBytes;
  target.ephemeralStorageBytes += sign * add.ephemeralStorageBytes;
  for (const name in add.scalar) {
    const next = (target.scalar[name] ?? 0) + sign * add.scalar[name];
    if (next === 0) delete target.scalar[name];
    else target.scalar[name] = next;
  }
}

export function cloneResources(r: ResourceList): ResourceList {
  return { cpuMilli: r.cpuMilli, memoryBytes: r.memoryBytes, ephemeralStorageBytes: r.ephemeralStorageBytes, scalar: { ...r.scalar } };
}

/** Amount of one named resource in a ResourceList. */
export function amountOf(r: ResourceList, name: string): number {
  if (name === CPU) return r.cpuMilli;
  if (name === MEMORY) return r.memoryBytes;
  if (name === EPHEMERAL_STORAGE) return r.ephemeralStorageBytes;
  return r.scalar[name] ?? 0;
}
