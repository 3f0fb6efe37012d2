// CPU on a node (reference §5.5): a container never gets more than its limit (CFS quota), and
// when the containers on a node want more than the node has, CPU is shared in proportion to
// cpu.shares derived from requests (BestEffort and request-less containers get the minimum, 2).
// Sharing is work-conserving: what one class does not use goes to the others by weight.

/** cpu.shares for a request (MilliCPUToShares). */
export function cpuShares(requestMilli: number): number {
  if (requestMilli <= 0) return 2;
  return Math.max(2, Math.min(262144, Math.trunc((requestMilli * 1024) / 1000)));
}

/** A set of identical containers on one node: `count` of them, each wanting `wantMilli`
 *  (already capped at its limit) with weight `shares`. */
export interface CpuClass {
  count: number;
  wantMilli: number;
  shares: number;
  /** Output: what each container of the class gets. */
  gotMilli: number;
}

/** Weighted max-min fair sharing (water-filling) of `capacityMilli` among the classes. Allocates
 *  nothing unless the node is contended. */
export function shareCpu(classes: readonly CpuClass[], capacityMilli: number): void {
  let totalWant = 0;
  for (let i = 0; i < classes.length; i++) totalWant += classes[i].count * classes[i].wantMilli;
  if (totalWant <= capacityMilli) {
    for (let i = 0; i < classes.length; i++) classes[i].gotMilli = classes[i].wantMilli;
    return;
  }
  // Classes satisfied first are those wanting least per unit of weight.
  const order = classes.filter((c) => c.count > 0).sort((a, b) => a.wantMilli / a.shares - b.wantMilli / b.shares);
  let left = capacityMilli;
  let weight = 0;
  for (const c of order) weight += c.count * c.shares;
  for (const c of order) {
    const fair = (left * c.shares) / weight;
    c.gotMilli = Math.min(c.wantMilli, fair);
    left -= c.count * c.gotMilli;
    weight -= c.count * c.shares;
  }
  for (const c of classes) if (c.count === 0) c.gotMilli = Math.min(c.wantMilli, 0);
}
