// CPU under contention as the kernel shares it: cpu.shares from requests, their conversion to
// cgroup v2's cpu.weight, and hierarchical water-filling over the kubelet's cgroup tree (kubepods
// -> Guaranteed pods, burstable, besteffort -> pods -> containers). Upstream test tables are
// ported with their expected numbers; the sharing examples are worked out by hand in comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuTree, cfsQuota, cgroupWeights, cpuShares, kubeletCpuWeight, runtimeCpuWeight, shareCpu, shareNodeCpu } from '../src/kubelet/cpu.ts';
import type { CpuClass, CpuSharingGroup } from '../src/kubelet/cpu.ts';
import type { QosClass } from '../src/model/pod.ts';
import type { CgroupVersion } from '../src/model/scenario.ts';
import type { ContainerModel } from '../src/workload/usage.ts';

function model(overrides: Partial<ContainerModel>): ContainerModel {
  return {
    name: 'app', cpuBaseMilli: 0, cpuPerUnitMilli: 0, memBaseBytes: 0, memPerUnitBytes: 0, leakBytesPerMs: 0, memNoise: 0,
    cpuRequestMilli: 0, cpuLimitMilli: Infinity, memRequestBytes: 0, memLimitBytes: Infinity, ...overrides,
  };
}

interface ContainerSpec {
  requestMilli?: number;
  limitMilli?: number;
  /** CPU the container wants. */
  wantMilli: number;
}

/** `ready` identical Ready pods of one QoS class on a node, their containers as given. */
function pods(tree: CpuTree, qos: QosClass, ready: number, containers: ContainerSpec[]): CpuSharingGroup {
  const models = containers.map((c) => model({ cpuBaseMilli: c.wantMilli, cpuRequestMilli: c.requestMilli ?? 0, cpuLimitMilli: c.limitMilli ?? Infinity }));
  const podRequestMilli = models.reduce((sum, m) => sum + m.cpuRequestMilli, 0);
  const podWeight = tree.podWeight(qos, podRequestMilli);
  const cls = (m: ContainerModel): CpuClass => ({ count: 0, wantMilli: 0, weight: tree.containerWeight(m.cpuRequestMilli), gotMilli: 0 });
  return {
    models, qos, podRequestMilli, pods: { size: ready }, ready, idleRunning: models.map(() => 0), load: 0,
    readyPod: { count: 0, wantMilli: 0, weight: podWeight, gotMilli: 0 },
    idlePod: { count: 0, wantMilli: 0, weight: podWeight, gotMilli: 0 },
    readyCls: models.map(cls), idleCls: models.map(cls), readyGot: models.map(() => 0), idleGot: models.map(() => 0),
  };
}

const tree = (version: CgroupVersion) => new CpuTree(cgroupWeights(version));
const rounded = (xs: number[], digits = 2) => xs.map((x) => Number(x.toFixed(digits)));

test('MilliCPUToShares: pkg/kubelet/cm/helpers_linux_test.go TestMilliCPUToShares', () => {
  const cases: [number, number][] = [
    [0, 2], // zero milliCPU returns MinShares
    [1, 2], // 1 milliCPU rounds down to MinShares
    [2, 2], // 2*1024/1000 = 2
    [3, 3],
    [5, 5],
    [10, 10],
    [100, 102],
    [200, 204],
    [500, 512],
    [1000, 1024],
    [2000, 2048],
    [255999, Math.trunc((255999 * 1024) / 1000)], // just below MaxShares
    [256000, 262144], // exactly MaxShares
    [256001, 262144], // clamped
    [1000000, 262144],
  ];
  for (const [milli, shares] of cases) assert.equal(cpuShares(milli), shares, `${milli}m`);
});

test('cgroup v2 weights: the kubelet\'s getCPUWeight and the runtime\'s ConvertCPUSharesToCgroupV2Value', () => {
  // pkg/kubelet/cm/container_manager_linux_test.go TestGetCpuWeight (nil, the unset case, has no
  // counterpart: every capsim cgroup has shares).
  assert.equal(kubeletCpuWeight(2), 1);
  assert.equal(kubeletCpuWeight(262144), 10000);
  assert.equal(kubeletCpuWeight(1_000_000_000), 10000);
  // The linear map by hand: 1 + (1024 - 2) x 9999 / 262142 = 1 + 38.98 -> 39 (the 1-CPU pod of
  // kubernetes#131216); 100m -> 102 shares -> 1 + 3.81 -> 4; 28m -> 28 shares -> 1, the weight of
  // a BestEffort pod.
  assert.equal(kubeletCpuWeight(1024), 39);
  assert.equal(kubeletCpuWeight(cpuShares(100)), 4);
  assert.equal(kubeletCpuWeight(cpuShares(28)), 1);
  assert.equal(kubeletCpuWeight(cpuShares(29)), 2);
  // opencontainers/cgroups utils_test.go TestConvertCPUSharesToCgroupV2Value.
  const cases: [number, number][] = [
    [0, 0], // unset
    [1, 1], // below the minimum (out of range)
    [2, 1], // minimum
    [3, 2], // just above the minimum
    [1024, 100], // default
    [262143, 10000], // just below the maximum
    [262144, 10000], // maximum
    [262145, 10000], // above the maximum (out of range)
  ];
  for (const [shares, weight] of cases) assert.equal(runtimeCpuWeight(shares), weight, `${shares} shares`);
  // cgroup v1 compares the shares themselves.
  assert.equal(cgroupWeights('v1').kubelet(1024), 1024);
  assert.equal(cgroupWeights('v1').container(1024), 1024);
});

test('pod and QoS cgroup shares: helpers_linux_test.go TestResourceConfigForPod, qos_container_manager_linux_test.go TestQoSContainerCgroup', () => {
  const v1 = tree('v1');
  // TestResourceConfigForPod, CpuShares of each case.
  assert.equal(v1.podWeight('BestEffort', 0), 2); // "besteffort": MinShares
  assert.equal(v1.podWeight('Burstable', 100), 102); // "burstable-no-limits", "burstable-with-limits"
  assert.equal(v1.podWeight('Burstable', 200), 204); // "burstable-partial-limits": two 100m containers
  assert.equal(v1.podWeight('Guaranteed', 100), 102); // "guaranteed"
  // TestQoSContainerCgroup's activeTestPods: a BestEffort pod, a Guaranteed 1-CPU pod, Burstable
  // pods requesting 1 and 2 CPU -> burstable shares (3000 x 1024) / 1000 = 3072, besteffort 2.
  const active = (t: CpuTree) => [
    pods(t, 'BestEffort', 1, [{ wantMilli: 10_000 }]),
    pods(t, 'Guaranteed', 1, [{ requestMilli: 1000, limitMilli: 1000, wantMilli: 10_000 }]),
    pods(t, 'Burstable', 1, [{ requestMilli: 1000, limitMilli: 2000, wantMilli: 10_000 }]),
    pods(t, 'Burstable', 1, [{ requestMilli: 2000, wantMilli: 10_000 }]),
  ];
  shareNodeCpu(active(v1), v1, 5000);
  assert.equal(v1.burstable.weight, 3072);
  assert.equal(v1.bestEffort.weight, 2);
  // On cgroup v2 the kubelet writes getCPUWeight of those: 1 + 3070 x 9999 / 262142 -> 118, and 1.
  const v2 = tree('v2');
  shareNodeCpu(active(v2), v2, 5000);
  assert.equal(v2.burstable.weight, 118);
  assert.equal(v2.bestEffort.weight, 1);
});

test('water-filling among siblings: the rest of what one does not use goes to the others by weight', () => {
  const classes = [
    { count: 1, wantMilli: 4000, weight: 1024, gotMilli: 0 },
    { count: 1, wantMilli: 4000, weight: 3072, gotMilli: 0 },
    { count: 2, wantMilli: 100, weight: 2, gotMilli: 0 },
  ];
  shareCpu(classes, 4000);
  // Weights 1024 : 3072 : 2 : 2 (total 4100) and everyone wants more than its share: 4000 x 3072 /
  // 4100 = 2997, then 1003 x 1024 / 1028 = 999, and the two small ones 2m each.
  assert.deepEqual(classes.map((c) => Math.round(c.gotMilli)), [999, 2997, 2]);
  // When the small ones want less than their share, the rest is split 1:3.
  const light = [
    { count: 1, wantMilli: 4000, weight: 1024, gotMilli: 0 },
    { count: 1, wantMilli: 4000, weight: 3072, gotMilli: 0 },
    { count: 2, wantMilli: 1, weight: 2, gotMilli: 0 },
  ];
  shareCpu(light, 4000);
  assert.deepEqual(light.map((c) => c.gotMilli), [999.5, 2998.5, 1]);
  assert.equal(cfsQuota(600, 500), 500);
  assert.equal(cfsQuota(300, Infinity), 300);
});

test('a BestEffort pod next to a busy Burstable pod on a 2-CPU node: 7.8m under cgroup v1, 95m under v2', () => {
  // busy: Burstable, request 500m, no limit, wants 3 CPU; batch: BestEffort, wants 1 CPU.
  const node = (version: CgroupVersion) => {
    const t = tree(version);
    const groups = [pods(t, 'Burstable', 1, [{ requestMilli: 500, wantMilli: 3000 }]), pods(t, 'BestEffort', 1, [{ wantMilli: 1000 }])];
    shareNodeCpu(groups, t, 2000);
    return groups.map((g) => g.readyGot[0]);
  };
  // v1: burstable cgroup 512 shares, besteffort 2: batch gets 2000 x 2/514 = 7.78m (what the flat
  // per-container model gave too).
  assert.deepEqual(rounded(node('v1')), [1992.22, 7.78]);
  // v2: the kubelet writes cpu.weight 1 + 510 x 9999/262142 = 20 for burstable and 1 for
  // besteffort: batch gets 2000/21 = 95.24m, twelve times as much.
  assert.deepEqual(rounded(node('v2')), [1904.76, 95.24]);
});

test('hierarchy: BestEffort pods share the one besteffort cgroup; a Guaranteed pod competes beside the QoS cgroups', () => {
  // 4 CPU. db: Guaranteed 1 CPU, wants its 1 CPU. web: 4 Burstable pods of 250m wanting 2 CPU
  // each. batch: 3 BestEffort pods wanting 1 CPU each. Cgroup v1.
  const t = tree('v1');
  const db = pods(t, 'Guaranteed', 1, [{ requestMilli: 1000, limitMilli: 1000, wantMilli: 1000 }]);
  const web = pods(t, 'Burstable', 4, [{ requestMilli: 250, wantMilli: 2000 }]);
  const batch = pods(t, 'BestEffort', 3, [{ wantMilli: 1000 }]);
  shareNodeCpu([db, web, batch], t, 4000);
  // kubepods: db 1024, burstable MilliCPUToShares(4 x 250) = 1024, besteffort 2 (total 2050).
  // db's fair 4000 x 1024/2050 = 1998 is more than its 1000: it gets 1000. The 3000 left: burstable
  // 3000 x 1024/1026 = 2994.15 (748.54 per pod), besteffort 5.85 for all three (1.95 each).
  assert.equal(db.readyGot[0], 1000);
  assert.deepEqual(rounded([web.readyGot[0], batch.readyGot[0]]), [748.54, 1.95]);
  // Flat per-container shares would have given each BestEffort container 2 shares of its own, 6
  // beside the web pods' 4 x 256: 3000 x 6/1030 = 17.5m together, three times as much.
});

test('a pod\'s CPU among its containers: by cpu.shares on v1, by the runtime\'s cpu.weight on v2', () => {
  // One Burstable pod alone on 1 CPU: containers requesting 900m and 100m, both wanting 2 CPU.
  const split = (version: CgroupVersion) => {
    const t = tree(version);
    const g = pods(t, 'Burstable', 1, [{ requestMilli: 900, wantMilli: 2000 }, { requestMilli: 100, wantMilli: 2000 }]);
    shareNodeCpu([g], t, 1000);
    return rounded(g.readyGot);
  };
  // v1: 921 and 102 shares -> 1000 x 921/1023 = 900.29 and 99.71.
  assert.deepEqual(split('v1'), [900.29, 99.71]);
  // v2: the runtime's quadratic gives 93 and 17 -> 1000 x 93/110 = 845.45 and 154.55.
  assert.deepEqual(split('v2'), [845.45, 154.55]);
});

test('limits before weights: a limited container keeps its quota and the rest goes by weight (v1 and v2)', () => {
  // Burstable pods requesting 1, 3 and 0.5 CPU, each wanting 4 CPU; the third is limited to 400m.
  const share = (version: CgroupVersion) => {
    const t = tree(version);
    const groups = [
      pods(t, 'Burstable', 1, [{ requestMilli: 1000, wantMilli: 4000 }]),
      pods(t, 'Burstable', 1, [{ requestMilli: 3000, wantMilli: 4000 }]),
      pods(t, 'Burstable', 1, [{ requestMilli: 500, limitMilli: 400, wantMilli: 4000 }]),
    ];
    shareNodeCpu(groups, t, 4000);
    return rounded(groups.map((g) => g.readyGot[0]));
  };
  // v1: the limited one's fair 4000 x 512/4608 = 444m is more than its 400m; the 3600m left goes
  // 1024:3072, 900m and 2700m.
  assert.deepEqual(share('v1'), [900, 2700, 400]);
  // v2: pod weights 39, 118, 20: 4000 x 20/177 = 452m > 400m; 3600m split 39:118 = 894.27, 2705.73.
  assert.deepEqual(share('v2'), [894.27, 2705.73, 400]);
  // With room for all, each gets what it wants under its limit.
  const t = tree('v2');
  const roomy = [pods(t, 'Burstable', 1, [{ requestMilli: 1000, wantMilli: 4000 }]), pods(t, 'Burstable', 1, [{ requestMilli: 500, limitMilli: 400, wantMilli: 4000 }])];
  shareNodeCpu(roomy, t, 10_000);
  assert.deepEqual(roomy.map((g) => g.readyGot[0]), [4000, 400]);
});
