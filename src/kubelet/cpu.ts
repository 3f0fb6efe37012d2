// CPU on a node (reference §5.5). A container never gets more than its limit (CFS quota). When the
// containers on a node want more than it has, the kernel shares CPU by cgroup weight, level by
// level of the tree the kubelet builds (pkg/kubelet/cm/qos_container_manager_linux.go,
// pod_container_manager_linux.go, helpers_linux.go ResourceConfigForPod):
//
//   kubepods ── each Guaranteed pod's cgroup     weight of MilliCPUToShares(pod's CPU request)
//            ├─ burstable                          weight of MilliCPUToShares(Σ its pods' CPU requests)
//            │    └─ each Burstable pod's cgroup   weight of MilliCPUToShares(pod's CPU request)
//            └─ besteffort                         weight of MinShares (2)
//                 └─ each BestEffort pod's cgroup  weight of MinShares
//   each pod ── its containers                     weight of MilliCPUToShares(container's request)
//
// Siblings share what their parent got in proportion to weight, and what one does not use goes to
// the others: weighted max-min fairness at every level, which is where CFS group scheduling
// settles under sustained load. cgroup v1 weighs by cpu.shares as they are; cgroup v2 by
// cpu.weight, which the kubelet converts for its own (QoS and pod) cgroups and the OCI runtime for
// the containers', with different formulas (below).
import type { QosClass } from '../model/pod.ts';
import type { CgroupVersion } from '../model/scenario.ts';
import type { ContainerModel } from '../workload/usage.ts';
import { cpuWant } from '../workload/usage.ts';

/** The kernel's bounds on cpu.shares (kernel/sched/sched.h MIN_SHARES, MAX_SHARES). */
export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;

/** cpu.shares for a CPU request: MilliCPUToShares (pkg/kubelet/cm/helpers_linux.go). */
export function cpuShares(requestMilli: number): number {
  if (requestMilli <= 0) return MIN_SHARES;
  return Math.max(MIN_SHARES, Math.min(MAX_SHARES, Math.trunc((requestMilli * 1024) / 1000)));
}

/** cpu.weight of the kubelet's own cgroups (QoS classes, pods) on cgroup v2: getCPUWeight
 *  (pkg/kubelet/cm/cgroup_manager_linux.go), KEP-2254's linear map of [2, 262144] onto [1, 10000]. */
export function kubeletCpuWeight(shares: number): number {
  if (shares >= MAX_SHARES) return 10000;
  return 1 + Math.trunc(((shares - 2) * 9999) / 262142);
}

/** cpu.weight of a container's cgroup on cgroup v2, as the OCI runtime converts the shares it is
 *  given: ConvertCPUSharesToCgroupV2Value (opencontainers/cgroups utils.go; runc >= 1.3.2 and
 *  crun >= 1.23, kubernetes/kubernetes#131216), a quadratic in log2(shares) through (2, 1),
 *  (1024, 100) and (262144, 10000). Older runtimes used the linear map above. */
export function runtimeCpuWeight(shares: number): number {
  if (shares <= 0) return 0; // unset
  if (shares <= MIN_SHARES) return 1;
  if (shares >= MAX_SHARES) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(10 ** exponent);
}

/** What the kernel compares among siblings, from cpu.shares. */
export interface CgroupWeights {
  /** A QoS class's or a pod's cgroup (written by the kubelet). */
  kubelet(shares: number): number;
  /** A container's cgroup (written by the runtime). */
  container(shares: number): number;
}

const V1: CgroupWeights = { kubelet: (shares) => shares, container: (shares) => shares };
const V2: CgroupWeights = { kubelet: kubeletCpuWeight, container: runtimeCpuWeight };

export function cgroupWeights(version: CgroupVersion): CgroupWeights {
  return version === 'v1' ? V1 : V2;
}

/** What a container wanting `wantMilli` gets under its CFS quota (its limit; Infinity: none):
 *  the rest is throttled. */
export function cfsQuota(wantMilli: number, limitMilli: number): number {
  return wantMilli < limitMilli ? wantMilli : limitMilli;
}

/** A set of identical sibling cgroups: `count` of them (a pod's containers may count a fraction,
 *  see shareNodeCpu), each wanting `wantMilli` with cgroup weight `weight`. */
export interface CpuClass {
  count: number;
  wantMilli: number;
  weight: number;
  /** Output: what each of them gets. */
  gotMilli: number;
}

/** Scratch for shareCpu, so that sharing allocates nothing. */
const order: CpuClass[] = [];

/** Weighted max-min fair sharing (water-filling) of `capacityMilli` among sibling classes. */
export function shareCpu(classes: readonly CpuClass[], capacityMilli: number): void {
  let totalWant = 0;
  for (let i = 0; i < classes.length; i++) totalWant += classes[i].count * classes[i].wantMilli;
  if (totalWant <= capacityMilli) {
    for (let i = 0; i < classes.length; i++) classes[i].gotMilli = classes[i].wantMilli;
    return;
  }
  order.length = 0;
  let weight = 0;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (c.count > 0) {
      order.push(c);
      weight += c.count * c.weight;
    } else c.gotMilli = 0;
  }
  // Classes satisfied first are those wanting least per unit of weight.
  order.sort((a, b) => a.wantMilli / a.weight - b.wantMilli / b.weight);
  let left = capacityMilli;
  for (let i = 0; i < order.length; i++) {
    const c = order[i];
    const fair = (left * c.weight) / weight;
    c.gotMilli = Math.min(c.wantMilli, fair);
    left -= c.count * c.gotMilli;
    weight -= c.count * c.weight;
  }
}

/** Identical pods on one node as CPU sharing sees them: their QoS class and CPU request (which
 *  place their cgroups in the tree and weigh them), per container what a Ready pod (at its load)
 *  and an idle one want, the classes reused at every sharing, and where what each gets is written. */
export interface CpuSharingGroup {
  readonly models: readonly ContainerModel[];
  readonly qos: QosClass;
  /** A pod's CPU request (Σ of its containers'), counted into the burstable cgroup's weight. */
  readonly podRequestMilli: number;
  /** The group's pods, whatever their state (the kubelet's active pods). */
  readonly pods: { readonly size: number };
  /** Ready pods, and per container the idle pods whose container runs. */
  readonly ready: number;
  readonly idleRunning: readonly number[];
  /** Each Ready pod's load (units/s). */
  readonly load: number;
  /** A Ready and an idle pod's cgroup, and their containers'. */
  readonly readyPod: CpuClass;
  readonly idlePod: CpuClass;
  readonly readyCls: readonly CpuClass[];
  readonly idleCls: readonly CpuClass[];
  readonly readyGot: number[];
  readonly idleGot: number[];
}

/** A node's cgroups above the pods, and the scratch lists of their children, reused at every
 *  sharing. */
export class CpuTree {
  readonly kubepods: CpuClass[] = [];
  readonly burstablePods: CpuClass[] = [];
  readonly bestEffortPods: CpuClass[] = [];
  readonly burstable: CpuClass = { count: 0, wantMilli: 0, weight: 0, gotMilli: 0 };
  readonly bestEffort: CpuClass;

  constructor(readonly weights: CgroupWeights) {
    // setCPUCgroupConfig: the besteffort cgroup always has MinShares.
    this.bestEffort = { count: 0, wantMilli: 0, weight: weights.kubelet(MIN_SHARES), gotMilli: 0 };
  }

  /** A pod cgroup's and its containers' weights (ResourceConfigForPod: a BestEffort pod has
   *  MinShares; the runtime gives each container the shares of its request). */
  podWeight(qos: QosClass, podRequestMilli: number): number {
    return this.weights.kubelet(qos === 'BestEffort' ? MIN_SHARES : cpuShares(podRequestMilli));
  }

  containerWeight(requestMilli: number): number {
    return this.weights.container(cpuShares(requestMilli));
  }
}

/** Hierarchical water-filling on a contended node: every group's per-pod, per-container CPU.
 *  Idle pods of a group whose containers do not all run (one restarting) are shared as one
 *  average pod: each container counts as the fraction of the idle pods in which it runs. */
export function shareNodeCpu(groups: Iterable<CpuSharingGroup>, tree: CpuTree, capacityMilli: number): void {
  const { kubepods, burstablePods, bestEffortPods, burstable, bestEffort } = tree;
  kubepods.length = 0;
  burstablePods.length = 0;
  bestEffortPods.length = 0;
  let burstableRequestMilli = 0;
  let burstableWant = 0;
  let bestEffortWant = 0;
  for (const g of groups) {
    const models = g.models;
    let readyWant = 0;
    let idlePods = 0;
    for (let c = 0; c < models.length; c++) {
      const m = models[c];
      const ready = g.readyCls[c];
      ready.count = 1;
      ready.wantMilli = Math.min(cpuWant(m, g.load), m.cpuLimitMilli);
      readyWant += ready.wantMilli;
      if (g.idleRunning[c] > idlePods) idlePods = g.idleRunning[c];
    }
    let idleWant = 0;
    for (let c = 0; c < models.length; c++) {
      const m = models[c];
      const idle = g.idleCls[c];
      idle.count = idlePods > 0 ? g.idleRunning[c] / idlePods : 0;
      idle.wantMilli = Math.min(cpuWant(m, 0), m.cpuLimitMilli);
      idleWant += idle.count * idle.wantMilli;
    }
    g.readyPod.count = g.ready;
    g.readyPod.wantMilli = readyWant;
    g.idlePod.count = idlePods;
    g.idlePod.wantMilli = idleWant;
    const want = g.ready * readyWant + idlePods * idleWant;
    if (g.qos === 'Guaranteed') kubepods.push(g.readyPod, g.idlePod);
    else if (g.qos === 'Burstable') {
      burstablePods.push(g.readyPod, g.idlePod);
      burstableWant += want;
      burstableRequestMilli += g.pods.size * g.podRequestMilli;
    } else {
      bestEffortPods.push(g.readyPod, g.idlePod);
      bestEffortWant += want;
    }
  }
  burstable.count = burstablePods.length > 0 ? 1 : 0;
  burstable.wantMilli = burstableWant;
  burstable.weight = tree.weights.kubelet(cpuShares(burstableRequestMilli));
  bestEffort.count = bestEffortPods.length > 0 ? 1 : 0;
  bestEffort.wantMilli = bestEffortWant;
  kubepods.push(burstable, bestEffort);
  shareCpu(kubepods, capacityMilli);
  shareCpu(burstablePods, burstable.gotMilli);
  shareCpu(bestEffortPods, bestEffort.gotMilli);
  for (const g of groups) {
    splitPod(g.readyCls, g.readyPod.gotMilli, g.readyGot);
    splitPod(g.idleCls, g.idlePod.gotMilli, g.idleGot);
  }
}

/** A pod's CPU among its containers. */
function splitPod(containers: readonly CpuClass[], podGotMilli: number, got: number[]): void {
  if (containers.length === 1) {
    got[0] = containers[0].count > 0 ? podGotMilli : 0;
    return;
  }
  shareCpu(containers, podGotMilli);
  for (let c = 0; c < containers.length; c++) got[c] = containers[c].gotMilli;
}
