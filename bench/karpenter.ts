// Karpenter's own scheduling benchmark, reproduced on capsim's port of its solver
// (src/karpenter/scheduler.ts): kubernetes-sigs/karpenter@22664681
// pkg/controllers/provisioning/scheduling/scheduling_benchmark_test.go benchmarkScheduler /
// setupScheduler / makeDiversePods. One NodePool (no requirements; limits cpu 10000000, memory
// 10000000Gi) over 400 instance types built as the fake cloud provider's fake.InstanceTypes(400)
// builds them (the benchmark at that commit uses it, not InstanceTypesAssorted): fake-it-i with
// i+1 CPUs, 2(i+1)Gi, 10(i+1) pods, kube-reserved 100m / 10Mi, offerings spot in test-zone-1/2 and
// on-demand in test-zone-1/2/3, priced 0.1 per CPU + 0.1 per GB. Pods in fifths, as the Go file
// makes them: generic; zonal topology spread (maxSkew 1, DoNotSchedule, selector on a random
// my-label); hostname topology spread (the same); zonal self pod affinity (my-affininity, sic);
// hostname anti-affinity (app: nginx); requests drawn from 100m/250m/500m/1/1.5 CPU and
// 100Mi..4Gi. Go's math/rand(42) stream is not reproduced: a seeded xorshift draws from the same
// value lists. Like upstream, every pod must schedule (a pod error fails the benchmark).
//   node --import tsx bench/karpenter.ts [2000 20000 ...]
import type { InstanceType } from '../src/cost/catalog.ts';
import type { KarpenterInstanceType, MenuEntry, Offering } from '../src/karpenter/instanceTypes.ts';
import type { ResolvedNodePool } from '../src/karpenter/nodePools.ts';
import { nodePoolRequirements } from '../src/karpenter/nodePools.ts';
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_OS, LABEL_ZONE, requirement, requirements } from '../src/karpenter/requirements.ts';
import { solve } from '../src/karpenter/scheduler.ts';
import type { NodePoolObject } from '../src/model/karpenter.ts';
import type { Pod } from '../src/model/pod.ts';
import { makePod, type PodOptions } from '../test/support/cluster.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Upstream's figure for this benchmark (karpenter PR #1938, as issue 17 quotes it). */
export const UPSTREAM_PODS_PER_SECOND = 680;

/** fake.NewInstanceType with WithResources (pkg/cloudprovider/fake/instancetype.go). */
function fakeInstanceType(i: number): KarpenterInstanceType {
  const name = `fake-it-${i}`;
  const cpu = i + 1;
  const memoryBytes = (i + 1) * 2 * GiB;
  const pods = (i + 1) * 10;
  const price = 0.1 * cpu + (0.1 * memoryBytes) / 1e9; // PriceFromResources
  const offerings: Offering[] = [
    { zone: 'test-zone-1', capacityType: 'spot', usdPerHour: price },
    { zone: 'test-zone-2', capacityType: 'spot', usdPerHour: price },
    { zone: 'test-zone-1', capacityType: 'on-demand', usdPerHour: price },
    { zone: 'test-zone-2', capacityType: 'on-demand', usdPerHour: price },
    { zone: 'test-zone-3', capacityType: 'on-demand', usdPerHour: price },
  ];
  const large = cpu > 4 && memoryBytes > 8 * GiB;
  const labels = { [LABEL_INSTANCE_TYPE]: name, [LABEL_ARCH]: 'amd64', size: large ? 'large' : 'small', integer: String(cpu) };
  const rs = requirements(
    requirement(LABEL_INSTANCE_TYPE, 'In', [name]),
    requirement(LABEL_ARCH, 'In', ['amd64']),
    requirement(LABEL_OS, 'In', ['darwin', 'linux', 'windows']),
    requirement(LABEL_ZONE, 'In', ['test-zone-1', 'test-zone-2', 'test-zone-3']),
    requirement(LABEL_CAPACITY_TYPE, 'In', ['spot', 'on-demand']),
    requirement('size', 'In', [labels.size]),
    large ? requirement('special', 'In', ['optional']) : requirement('special', 'DoesNotExist'),
    requirement('integer', 'In', [labels.integer]),
  );
  const catalog = { id: `fake/${name}`, provider: 'aws', region: '', name, vcpu: cpu, memoryMiB: memoryBytes / MiB, maxPods: pods, gpu: 0, arch: 'amd64', onDemandUsdPerHour: price, spotUsdPerHour: price, source: 'fake.InstanceTypes', priceDate: '' } as InstanceType;
  return {
    catalog, name, provider: 'aws', labels, requirements: rs,
    capacity: { cpuMilli: cpu * 1000, memoryBytes, pods, gpu: 0 },
    overhead: { kubeReserved: { cpuMilli: 100, memoryBytes: 10 * MiB }, systemReserved: { cpuMilli: 0, memoryBytes: 0 }, evictionHardMemoryBytes: 0 },
    allocatable: { cpuMilli: cpu * 1000 - 100, memoryBytes: memoryBytes - 10 * MiB, pods, gpu: 0 },
    offerings,
  };
}

/** setupScheduler's NodePool over fake.InstanceTypes(400). */
export function benchNodePool(): ResolvedNodePool {
  const np: NodePoolObject = {
    kind: 'NodePool', name: 'default', source: { file: 'bench', line: 1 }, labels: {}, annotations: {}, requirements: [],
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, taints: [], startupTaints: [],
    expireAfter: '720h', terminationGracePeriod: null, limits: { cpu: '10000000', memory: '8000000Gi' }, weight: 0, replicas: null,
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [] },
  };
  const entries: MenuEntry[] = Array.from({ length: 400 }, (_, i) => fakeInstanceType(i))
    .map((type) => {
      const offerings = [...type.offerings].sort((a, b) => a.usdPerHour - b.usdPerHour || a.zone.localeCompare(b.zone) || a.capacityType.localeCompare(b.capacityType));
      return { type, offerings, cheapest: offerings[0]! };
    });
  return {
    nodePool: np, nodeClass: null, provider: 'aws', requirements: nodePoolRequirements(np), unknownInstanceTypes: [],
    menu: { provider: 'aws', zones: ['test-zone-1', 'test-zone-2', 'test-zone-3'], entries, excluded: 0, spotWithoutPrice: false, minValuesShort: [], unmodelledKeys: [] },
  };
}

/** makeDiversePods(count): five kinds, count/5 each, the remainder generic. */
export function makeDiversePods(count: number, seed = 42): Pod[] {
  let x = seed >>> 0 || 1;
  const next = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const cpus = [100, 250, 500, 1000, 1500];
  const mems = [100, 256, 512, 1024, 2048, 4096];
  const value = () => values[next(values.length)]!;
  let i = 0;
  const make = (labels: Record<string, string>, extra: Partial<PodOptions> = {}) =>
    makePod({ ...extra, name: `bench-${++i}`, labels, cpuMilli: cpus[next(cpus.length)]!, memoryBytes: mems[next(mems.length)]! * MiB });
  const fifth = Math.floor(count / 5);
  const out: Pod[] = [];
  const generic = (k: number) => { for (let j = 0; j < k; j++) out.push(make({ 'my-label': value() })); };
  const spread = (key: string) => {
    for (let j = 0; j < fifth; j++) {
      const labels = { 'my-label': value() };
      out.push(make(labels, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'my-label': value() } } }] }));
    }
  };
  generic(fifth);
  spread(LABEL_ZONE);
  spread('kubernetes.io/hostname');
  for (let j = 0; j < fifth; j++) {
    const labels = { 'my-affininity': value() };
    out.push(make(labels, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LABEL_ZONE, labelSelector: { matchLabels: labels } }] } } }));
  }
  for (let j = 0; j < fifth; j++) {
    const labels = { app: 'nginx' };
    out.push(make(labels, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } }] } } }));
  }
  generic(count - out.length);
  return out;
}

export interface BenchResult {
  pods: number;
  nodes: number;
  seconds: number;
  podsPerSecond: number;
}

/** benchmarkScheduler: one Solve over the pods; every pod must schedule. */
export function benchmarkScheduler(count: number): BenchResult {
  const pods = makeDiversePods(count);
  const pool = benchNodePool();
  const t0 = performance.now();
  const r = solve({ pods, nodePools: [pool] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.errors.size > 0 || r.notHandled.size > 0) {
    const [pod, why] = [...r.errors, ...r.notHandled][0]!;
    throw new Error(`expected all ${count} pods to schedule, ${r.errors.size + r.notHandled.size} did not; first: ${pod.name}: ${why}`);
  }
  const placed = r.newNodeClaims.reduce((s, c) => s + c.pods.length, 0);
  if (placed !== count) throw new Error(`placed ${placed} of ${count} pods`);
  return { pods: count, nodes: r.newNodeClaims.length, seconds, podsPerSecond: count / seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const size of sizes.length > 0 ? sizes : [2000, 20000]) {
    const b = benchmarkScheduler(size);
    console.log(`${size} pods: ${b.nodes} NodeClaims in ${b.seconds.toFixed(2)} s, ${Math.round(b.podsPerSecond)} pods/s (upstream ~${UPSTREAM_PODS_PER_SECOND})`);
  }
}
