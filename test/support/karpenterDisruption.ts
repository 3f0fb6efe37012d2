// Fixtures for Karpenter's disruption decisions (src/karpenter/disruption/): a fake cloud provider's
// instance types in the spirit of upstream's pkg/cloudprovider/fake (types with a given size and
// on-demand / spot prices in three zones, allocatable = capacity), NodePools over them, and
// NodeClaims with their nodes and pods as cluster state holds them.
import type { InstanceType } from '../../src/cost/catalog.ts';
import type { KarpenterInstanceType, MenuEntry } from '../../src/karpenter/instanceTypes.ts';
import { karpenterInstanceType } from '../../src/karpenter/instanceTypes.ts';
import type { ResolvedNodePool } from '../../src/karpenter/nodePools.ts';
import { nodePoolRequirements } from '../../src/karpenter/nodePools.ts';
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_NODEPOOL, LABEL_ZONE, allows, getRequirement, intersects } from '../../src/karpenter/requirements.ts';
import { resourcesVector } from '../../src/karpenter/podRequirements.ts';
import type { NodePoolObject } from '../../src/model/karpenter.ts';
import type { Pod } from '../../src/model/pod.ts';
import type { ClaimState, DisruptionSnapshot } from '../../src/karpenter/disruption/types.ts';
import { nodePoolHash, nodeClassHash, resolvedImage } from '../../src/karpenter/disruption/drift.ts';
import { makePod, type PodOptions } from './cluster.ts';

export const ZONES = ['test-zone-a', 'test-zone-b', 'test-zone-c'];
const GiB = 1024 ** 3;

/** A fake instance type: vcpu, memory GiB, on-demand price, spot price (null: no spot offering). */
export function fakeType(name: string, vcpu: number, memGiB: number, od: number, spot: number | null = null, pods = 110): KarpenterInstanceType {
  const t: InstanceType = {
    id: `gce/${name}`, provider: 'gce', region: '', name, vcpu, memoryMiB: memGiB * 1024, maxPods: pods, gpu: 0, arch: 'amd64',
    onDemandUsdPerHour: od, spotUsdPerHour: spot, source: 'test', priceDate: '2026-01-01',
  };
  return karpenterInstanceType(t, ZONES, { kubeReserved: { cpuMilli: 0, memoryBytes: 0 }, evictionHardMemoryAvailable: '0' });
}

export function nodePoolObject(name: string, extra: Partial<NodePoolObject> = {}): NodePoolObject {
  return {
    kind: 'NodePool', name, source: { file: 'test.yaml', line: 1 }, labels: {}, annotations: {}, requirements: [],
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, taints: [], startupTaints: [],
    expireAfter: 'Never', terminationGracePeriod: null, limits: {}, weight: 0, replicas: null,
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '100%' }] }, ...extra,
  };
}

/** A NodePool whose menu is `types` (those its requirements allow), cheapest offering first. */
export function fakePool(name: string, types: readonly KarpenterInstanceType[], extra: Partial<NodePoolObject> = {}): ResolvedNodePool {
  const np = nodePoolObject(name, extra);
  const rs = nodePoolRequirements(np);
  const zone = getRequirement(rs, LABEL_ZONE), ct = getRequirement(rs, LABEL_CAPACITY_TYPE);
  const entries: MenuEntry[] = [];
  for (const it of types) {
    if (intersects(it.requirements, rs) !== undefined) continue;
    const offerings = it.offerings.filter((o) => allows(zone, o.zone) && allows(ct, o.capacityType))
      .sort((a, b) => a.usdPerHour - b.usdPerHour || a.zone.localeCompare(b.zone) || a.capacityType.localeCompare(b.capacityType));
    if (offerings.length > 0) entries.push({ type: it, offerings, cheapest: offerings[0]! });
  }
  entries.sort((a, b) => a.cheapest.usdPerHour - b.cheapest.usdPerHour || a.type.name.localeCompare(b.type.name));
  return {
    nodePool: np, nodeClass: null, provider: 'gce', requirements: rs,
    menu: { provider: 'gce', zones: ZONES, entries, excluded: 0, spotWithoutPrice: false, minValuesShort: [], unmodelledKeys: [] },
    unknownInstanceTypes: [],
  };
}

export interface ClaimOptions {
  pool: ResolvedNodePool;
  type: KarpenterInstanceType;
  capacityType?: 'on-demand' | 'spot';
  zone?: string;
  pods?: Pod[];
  /** Allocatable CPU override in cores (upstream's tests set status.allocatable cpu: 32). */
  cpu?: number;
  annotations?: Record<string, string>;
  createdMs?: number;
  initializedMs?: number | null;
  lastPodEventMs?: number | null;
  driftedSinceMs?: number | null;
  terminationGracePeriod?: string | null;
  expireAfter?: string;
}

/** A NodeClaim + Node named `name` (both), with its pods bound to it. */
export function fakeClaim(name: string, o: ClaimOptions): ClaimState {
  const ct = o.capacityType ?? 'on-demand';
  const zone = o.zone ?? ZONES[0]!;
  const price = o.type.offerings.find((x) => x.zone === zone && x.capacityType === ct)?.usdPerHour ?? 0;
  const allocatable = resourcesVector(o.type.allocatable);
  if (o.cpu !== undefined) allocatable.cpu = o.cpu * 1000;
  const labels = {
    ...o.type.labels, ...o.pool.nodePool.labels, [LABEL_NODEPOOL]: o.pool.nodePool.name, [LABEL_INSTANCE_TYPE]: o.type.name,
    [LABEL_CAPACITY_TYPE]: ct, [LABEL_ZONE]: zone, [LABEL_HOSTNAME]: name,
  };
  return {
    name, nodeName: name, nodePool: o.pool.nodePool.name, instanceType: o.type, capacityType: ct, zone, priceUsdPerHour: price,
    labels, annotations: o.annotations ?? {}, taints: [], allocatable, capacity: resourcesVector(o.type.capacity),
    pods: o.pods ?? [], createdMs: o.createdMs ?? 0, initializedMs: o.initializedMs === undefined ? 0 : o.initializedMs,
    lastPodEventMs: o.lastPodEventMs ?? null, ready: true, deleting: false, nominated: false,
    expireAfter: o.expireAfter ?? o.pool.nodePool.expireAfter, terminationGracePeriod: o.terminationGracePeriod ?? o.pool.nodePool.terminationGracePeriod,
    nodePoolHash: nodePoolHash(o.pool.nodePool), nodeClassHash: nodeClassHash(null), image: resolvedImage(null, 0),
    driftedSinceMs: o.driftedSinceMs ?? null, driftReason: o.driftedSinceMs != null ? 'NodePoolDrifted' : null,
  };
}

let podN = 0;
/** A running ReplicaSet pod (reschedulable) requesting `cpuMilli`. */
export function rsPod(cpuMilli: number, o: Partial<PodOptions> = {}): Pod {
  const p = makePod({ name: `pod-${++podN}`, cpuMilli, memoryBytes: o.memoryBytes ?? 0, owner: { kind: 'ReplicaSet', name: 'rs' }, labels: { app: 'test' }, ...o });
  p.phase = 'Running';
  p.startedMs = 0;
  p.ready = true;
  p.readyTransitionMs = 0;
  return p;
}

export function snapshot(nodePools: ResolvedNodePool[], claims: ClaimState[], extra: Partial<DisruptionSnapshot> = {}): DisruptionSnapshot {
  return { nowMs: 3_600_000, nodePools, claims, otherNodes: [], pendingPods: [], pdbs: [], daemonSetPods: [], spotToSpotConsolidation: true, ...extra };
}

export { GiB };
