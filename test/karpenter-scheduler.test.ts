// Karpenter's provisioning solve (src/karpenter/scheduler.ts) and launch choice (launch.ts) on
// capsim's AWS catalog. Cases marked "upstream" port kubernetes-sigs/karpenter@22664681
// pkg/controllers/provisioning/suite_test.go (provisioning) or
// pkg/controllers/provisioning/scheduling/suite_test.go (scheduling) with capsim's catalog in place
// of the fake cloud provider's types; the numbers come from cost/catalogData.ts as the comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { loadScenario } from '../src/scenario/load.ts';
import { resolveNodePool, resolveNodePools, type ResolvedNodePool } from '../src/karpenter/nodePools.ts';
import { solve, type SolveResult } from '../src/karpenter/scheduler.ts';
import { chooseLaunch } from '../src/karpenter/launch.ts';
import { karpenterInstanceType } from '../src/karpenter/instanceTypes.ts';
import { LABEL_NODEPOOL, allows, compatible, getRequirement, intersects, labelRequirements, requirement, requirements, WELL_KNOWN_LABELS } from '../src/karpenter/requirements.ts';
import { fits, podRequirements, resourcesVector } from '../src/karpenter/podRequirements.ts';
import type { NodePoolObject, NodeSelectorRequirementWithMinValues } from '../src/model/karpenter.ts';
import type { InstanceType } from '../src/cost/catalog.ts';
import type { Pod } from '../src/model/pod.ts';
import { findUntoleratedTaint } from '../src/model/taints.ts';
import { makePod, type PodOptions } from './support/cluster.ts';
import { capsim, writeScenario } from './support/run.ts';

const GiB = 1024 ** 3;
const ARCH = 'kubernetes.io/arch';
const FAMILY = 'karpenter.k8s.aws/instance-family';
const ZONE = 'topology.kubernetes.io/zone';
const CAPACITY_TYPE = 'karpenter.sh/capacity-type';
const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';

function nodePool(name: string, reqs: NodeSelectorRequirementWithMinValues[], extra: Partial<NodePoolObject> = {}): ResolvedNodePool {
  const np: NodePoolObject = {
    kind: 'NodePool', name, source: { file: 'test.yaml', line: 1 }, labels: {}, annotations: {}, requirements: reqs,
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, taints: [], startupTaints: [],
    expireAfter: '720h', terminationGracePeriod: null, limits: {}, weight: 0, replicas: null,
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [] }, ...extra,
  };
  return resolveNodePool(np, { nodePools: [np], nodeClaims: [], nodeClasses: [] });
}

/** m5 and c5, on-demand (no EC2NodeClass: pods per node are the ENI limit, c5.large 29). */
const m5c5 = (name = 'default', extra: Partial<NodePoolObject> = {}, more: NodeSelectorRequirementWithMinValues[] = []) =>
  nodePool(name, [{ key: FAMILY, operator: 'In', values: ['m5', 'c5'] }, ...more], extra);

let n = 0;
const pod = (o: Partial<PodOptions> = {}) => makePod({ name: `p${++n}`, ...o });

function launches(r: SolveResult): string[] {
  return r.newNodeClaims.map((c) => { const l = chooseLaunch(c)!; return `${c.nodePool}:${l.type.name}:${l.offering.capacityType}:${c.pods.length}`; });
}

test('two small pods, one NodeClaim, the cheapest type that holds both (c5.large $0.085; worked by hand from scheduler.go, not an upstream test)', () => {
  const r = solve({ pods: [pod(), pod()], nodePools: [m5c5()] });
  assert.deepEqual(launches(r), ['default:c5.large:on-demand:2']);
  assert.equal(chooseLaunch(r.newNodeClaims[0]!)!.offering.usdPerHour, 0.085);
});

test('a NodePool whose menu is empty (every offering cached unavailable) opens no NodeClaim: the pod fails to schedule', () => {
  const pool = m5c5();
  const emptied: ResolvedNodePool = { ...pool, menu: { ...pool.menu!, entries: [] } };
  const p = pod();
  const r = solve({ pods: [p], nodePools: [emptied] });
  assert.deepEqual(r.newNodeClaims, []);
  assert.match(r.errors.get(p)!, /incompatible with nodepool "default"/);
});

test('upstream provisioning "should provision nodes for pods with supported node selectors" and not for unsupported ones', () => {
  const supported: Record<string, string>[] = [
    { [LABEL_NODEPOOL]: 'default' }, { [ZONE]: 'us-east-1b' }, { [INSTANCE_TYPE]: 'm5.xlarge' },
    { [ARCH]: 'amd64' }, { 'kubernetes.io/os': 'linux' }, { [CAPACITY_TYPE]: 'on-demand' },
  ];
  for (const nodeSelector of supported) {
    const r = solve({ pods: [pod({ nodeSelector })], nodePools: [m5c5()] });
    assert.equal(r.newNodeClaims.length, 1, JSON.stringify(nodeSelector));
  }
  const zone = solve({ pods: [pod({ nodeSelector: { [ZONE]: 'us-east-1b' } })], nodePools: [m5c5()] });
  assert.equal(chooseLaunch(zone.newNodeClaims[0]!)!.offering.zone, 'us-east-1b');
  const unsupported: Record<string, string>[] = [
    { [LABEL_NODEPOOL]: 'unknown' }, { [ZONE]: 'unknown' }, { [INSTANCE_TYPE]: 'unknown' }, { [ARCH]: 'unknown' },
    { 'kubernetes.io/os': 'unknown' }, { [CAPACITY_TYPE]: 'unknown' }, { foo: 'bar' },
  ];
  for (const nodeSelector of unsupported) {
    const p = pod({ nodeSelector });
    const r = solve({ pods: [p], nodePools: [m5c5()] });
    assert.equal(r.newNodeClaims.length, 0, JSON.stringify(nodeSelector));
    assert.match(r.errors.get(p)!, /incompatible with nodepool "default"/);
  }
  // a custom label is unknown unless the NodePool puts it on its nodes (template labels)
  const team = solve({ pods: [pod({ nodeSelector: { team: 'web' } })], nodePools: [m5c5('default', { labels: { team: 'web' } })] });
  assert.equal(team.newNodeClaims.length, 1);
});

test('instance type by resources: a 30-CPU pod launches c5.9xlarge (36 vCPU, $1.53), cheaper than m5.8xlarge ($1.536)', () => {
  const r = solve({ pods: [pod({ cpuMilli: 30_000, memoryBytes: GiB })], nodePools: [m5c5()] });
  const l = chooseLaunch(r.newNodeClaims[0]!)!;
  assert.deepEqual([l.type.name, l.offering.usdPerHour], ['c5.9xlarge', 1.53]);
  // m5.8xlarge (31 850m allocatable) still fits, so it stays among the options; m5.4xlarge (16 vCPU) does not
  const names = r.newNodeClaims[0]!.instanceTypes.map((it) => it.name);
  assert.ok(names.includes('m5.8xlarge') && !names.includes('m5.4xlarge'));
  // 100 CPU fits no type (the largest, 96 vCPU): the reason says so
  const big = pod({ cpuMilli: 100_000 });
  const none = solve({ pods: [big], nodePools: [m5c5()] });
  assert.match(none.errors.get(big)!, /no instance type satisfied resources \{"cpu":100000m,"pods":1\}.*0 fit the resources \(too little cpu/);
});

test('upstream scheduling "should create new nodes when a node is at capacity due to pod limits per node": 30 pods on c5.large (29 pods) need two', () => {
  const np = nodePool('default', [{ key: INSTANCE_TYPE, operator: 'In', values: ['c5.large'] }]);
  const r = solve({ pods: Array.from({ length: 30 }, () => pod()), nodePools: [np] });
  assert.deepEqual(launches(r), ['default:c5.large:on-demand:29', 'default:c5.large:on-demand:1']);
});

test('upstream provisioning "should not schedule if limits would be exceeded": cpu limit 4 holds one 3-CPU pod, not two', () => {
  const first = pod({ cpuMilli: 3000 });
  const second = pod({ cpuMilli: 3000 });
  const r = solve({ pods: [first, second], nodePools: [m5c5('default', { limits: { cpu: '4' } })] });
  // only types of at most 4 vCPU are allowed; c5.xlarge ($0.17) holds 3 CPU (3 920m allocatable)
  assert.deepEqual(launches(r), ['default:c5.xlarge:on-demand:1']);
  // the NodeClaim's largest remaining type (4 vCPU) is subtracted from the limit: 0 left
  assert.match(r.errors.get(second)!, /all available instance types exceed limits for nodepool: "default"/);
  // an existing node of the NodePool counts too: a 2-vCPU node leaves 2 CPU, so only the 2-vCPU
  // types (c5.large, m5.large) stay within the limit, and their 1 930m do not hold 3 CPU
  const existing = { name: 'n1', labels: { [LABEL_NODEPOOL]: 'default' }, taints: [], available: {}, capacity: { cpu: 2000, memory: 8 * GiB, pods: 29 } };
  const p = pod({ cpuMilli: 3000 });
  const r2 = solve({ pods: [p], nodePools: [m5c5('default', { limits: { cpu: '4' } })], existingNodes: [existing] });
  assert.match(r2.errors.get(p)!, /no instance type satisfied resources \{"cpu":3000m,"pods":1\} and requirements \(of 2 types: 2 compatible with the requirements, 0 fit/);
  const full = { ...existing, capacity: { cpu: 4000, memory: 16 * GiB, pods: 58 } };
  assert.match(solve({ pods: [p], nodePools: [m5c5('default', { limits: { cpu: '4' } })], existingNodes: [full] }).errors.get(p)!, /exceed limits/);
});

test('upstream scheduling "Weighted NodePools": the highest weight first, unless the pod selects another NodePool', () => {
  const heavy = nodePool('heavy', [{ key: FAMILY, operator: 'In', values: ['m5'] }], { weight: 100 });
  const light = nodePool('light', [{ key: FAMILY, operator: 'In', values: ['c5'] }], { weight: 1 });
  const pools = [heavy, light].sort((a, b) => b.nodePool.weight - a.nodePool.weight);
  assert.deepEqual(launches(solve({ pods: [pod()], nodePools: pools })), ['heavy:m5.large:on-demand:1']);
  assert.deepEqual(launches(solve({ pods: [pod({ nodeSelector: { [LABEL_NODEPOOL]: 'light' } })], nodePools: pools })), ['light:c5.large:on-demand:1']);
});

test('upstream scheduling "Taints": a NodePool\'s taint keeps out pods without the toleration; they go to the next NodePool', () => {
  const tainted = m5c5('tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], weight: 10 });
  const plain = m5c5('plain');
  const p = pod();
  const r = solve({ pods: [p], nodePools: [tainted, plain] });
  assert.deepEqual(launches(r), ['plain:c5.large:on-demand:1']);
  const alone = solve({ pods: [p], nodePools: [tainted] });
  assert.match(alone.errors.get(p)!, /did not tolerate dedicated=gpu:NoSchedule/);
  const tolerating = pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
  assert.deepEqual(launches(solve({ pods: [tolerating], nodePools: [tainted, plain] })), ['tainted:c5.large:on-demand:1']);
});

test('upstream scheduling "Daemonsets and Node Overhead": a 1.5-CPU pod and a 0.5-CPU daemonset need c5.xlarge, not c5.large (1 930m)', () => {
  const daemon = makePod({ name: 'ds', cpuMilli: 500 });
  const r = solve({ pods: [pod({ cpuMilli: 1500 })], nodePools: [m5c5()], daemonSetPods: [daemon] });
  assert.deepEqual(launches(r), ['default:c5.xlarge:on-demand:1']);
  assert.deepEqual(r.newNodeClaims[0]!.requests, { cpu: 2000, memory: 0, pods: 2 });
  // a daemonset that does not tolerate the NodePool's taint adds nothing there
  const tainted = m5c5('default', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
  const tol = [{ key: 'k', operator: 'Exists' as const }];
  const r2 = solve({ pods: [pod({ cpuMilli: 1500, tolerations: tol })], nodePools: [tainted], daemonSetPods: [daemon] });
  assert.deepEqual(launches(r2), ['default:c5.large:on-demand:1']);
});

test('existing nodes first: a pod that fits a node with room goes there; one that does not gets a NodeClaim', () => {
  const node = { name: 'n1', labels: { [ARCH]: 'amd64' }, taints: [], available: { cpu: 1000, memory: 4 * GiB, pods: 10 } };
  const small = pod({ cpuMilli: 600 });
  const second = pod({ cpuMilli: 600 });
  const r = solve({ pods: [small, second], nodePools: [m5c5()], existingNodes: [node] });
  assert.deepEqual(r.existing.get('n1'), [small]);
  assert.deepEqual(r.newNodeClaims.map((c) => c.pods), [[second]]);
  // an existing node's labels must satisfy the pod: a zone selector the node lacks rules it out
  const zonal = pod({ cpuMilli: 100, nodeSelector: { [ZONE]: 'us-east-1a' } });
  assert.equal(solve({ pods: [zonal], nodePools: [m5c5()], existingNodes: [node] }).existing.size, 0);
});

test('upstream scheduling "should relax multiple terms" and preferred node affinity: preferences are tried first, then relaxed', () => {
  const zoneTerm = (z: string) => ({ matchExpressions: [{ key: ZONE, operator: 'In' as const, values: [z] }] });
  const relaxed = pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [zoneTerm('invalid'), zoneTerm('us-east-1c')] } } } });
  const r = solve({ pods: [relaxed], nodePools: [m5c5()] });
  assert.equal(chooseLaunch(r.newNodeClaims[0]!)!.offering.zone, 'us-east-1c');
  const prefers = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: zoneTerm('us-east-1b') }, { weight: 50, preference: zoneTerm('invalid') }] } } });
  const r2 = solve({ pods: [prefers], nodePools: [m5c5()] });
  // the heaviest (invalid) is dropped first, then us-east-1b is honoured
  assert.equal(chooseLaunch(r2.newNodeClaims[0]!)!.offering.zone, 'us-east-1b');
  assert.equal(r2.errors.size, 0);
});

test('minValues: a NodeClaim keeps two families open; a pod that would leave one is refused', () => {
  const np = m5c5('default', {}, []);
  const strict = nodePool('strict', [{ key: FAMILY, operator: 'In', values: ['m5', 'c5'], minValues: 2 }]);
  assert.equal(solve({ pods: [pod()], nodePools: [np] }).newNodeClaims.length, 1);
  const r = solve({ pods: [pod({ cpuMilli: 1000 })], nodePools: [strict] });
  const l = chooseLaunch(r.newNodeClaims[0]!)!;
  assert.equal(l.type.name, 'c5.large');
  assert.deepEqual([...new Set(l.options.map((t) => t.name.split('.')[0]))].sort(), ['c5', 'm5']);
  const onlyM5 = pod({ nodeSelector: { [FAMILY]: 'm5' } });
  assert.match(solve({ pods: [onlyM5], nodePools: [strict] }).errors.get(onlyM5)!, /minValues requirement is not met for label karpenter.k8s.aws\/instance-family \(1 of 2 values\)/);
});

test('a pod (anti-)affinity term with a namespaceSelector is reported as not handled, never placed (capsim has no Namespace objects)', () => {
  const nsSel = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', namespaceSelector: {} }] } } });
  const anti = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } } });
  const r = solve({ pods: [nsSel, anti, pod()], nodePools: [m5c5()] });
  assert.match(r.notHandled.get(nsSel)!, /not handled yet.*namespaceSelector/);
  assert.equal(r.notHandled.size, 1);
  assert.equal(r.newNodeClaims.flatMap((c) => c.pods).length, 2);
});

test('queue order: pods by CPU then memory, descending; the big pod opens the NodeClaim, the small ones join it', () => {
  const small = pod({ cpuMilli: 100 });
  const big = pod({ cpuMilli: 3000 });
  const r = solve({ pods: [small, big], nodePools: [m5c5()] });
  assert.deepEqual(r.newNodeClaims[0]!.pods, [big, small]);
  assert.deepEqual(launches(r), ['default:c5.xlarge:on-demand:2']);
});

test('launch: spot when allowed and offered, lowest price; on-demand when the requirements exclude spot', () => {
  const fake = (name: string, od: number, spot: number): InstanceType => ({ id: `gce/${name}`, provider: 'gce', region: 'r1', name, vcpu: 2, memoryMiB: 8192, maxPods: 110, gpu: 0, arch: 'amd64', onDemandUsdPerHour: od, spotUsdPerHour: spot, source: 'test', priceDate: '2026-01-01' } as InstanceType);
  const types = [karpenterInstanceType(fake('a', 0.1, 0.05), ['z1', 'z2']), karpenterInstanceType(fake('b', 0.09, 0.04), ['z1', 'z2'])];
  const any = chooseLaunch({ instanceTypes: types, requirements: requirements() })!;
  assert.deepEqual([any.type.name, any.capacityType, any.offering.usdPerHour, any.offering.zone], ['b', 'spot', 0.04, 'z1']);
  const od = chooseLaunch({ instanceTypes: types, requirements: requirements(requirement(CAPACITY_TYPE, 'In', ['on-demand']), requirement(ZONE, 'In', ['z2'])) })!;
  assert.deepEqual([od.type.name, od.capacityType, od.offering.usdPerHour, od.offering.zone], ['b', 'on-demand', 0.09, 'z2']);
});

test('hand-worked on scenarios/karpenter-nodepools.yaml: 10 pods of 1 CPU / 2Gi -> one general NodeClaim, c6i.4xlarge at $0.68/h', async () => {
  const s = await loadScenario('scenarios/karpenter-nodepools.yaml');
  const pools = resolveNodePools(s.karpenter!);
  // 10 CPU / 20Gi: c6i.2xlarge (8 vCPU) is too small; c6i.4xlarge (16 vCPU, 15 890m and 27 381 MiB
  // allocatable) is the cheapest c/m/r gen>5 amd64 type that holds them ($0.68 vs c7i.4xlarge $0.714).
  // AWS has no spot price in the catalog, so the general NodePool's spot|on-demand launches on-demand.
  const ten = Array.from({ length: 10 }, () => pod({ cpuMilli: 1000, memoryBytes: 2 * GiB }));
  const r = solve({ pods: ten, nodePools: pools });
  assert.deepEqual(launches(r), ['general:c6i.4xlarge:on-demand:10']);
  assert.equal(chooseLaunch(r.newNodeClaims[0]!)!.offering.usdPerHour, 0.68);
  // 40 of them: 40 CPU / 80Gi -> c6i.12xlarge (48 vCPU, 47 810m) at $2.04/h, still one NodeClaim
  const forty = Array.from({ length: 40 }, () => pod({ cpuMilli: 1000, memoryBytes: 2 * GiB }));
  const r40 = solve({ pods: forty, nodePools: pools });
  assert.deepEqual(launches(r40), ['general:c6i.12xlarge:on-demand:40']);
  // tolerating arch=arm64 and selecting arm64: the graviton NodePool, c6g.large ($0.068), minValues 2 families kept
  const arm = pod({ cpuMilli: 1000, nodeSelector: { [ARCH]: 'arm64' }, tolerations: [{ key: 'arch', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' }] });
  const ra = solve({ pods: [arm], nodePools: pools });
  assert.deepEqual(launches(ra), ['graviton:c6g.large:on-demand:1']);
  // without the toleration an arm64 pod fits nowhere: general is amd64, graviton is tainted
  const armNoTol = pod({ nodeSelector: { [ARCH]: 'arm64' } });
  const err = solve({ pods: [armNoTol], nodePools: pools }).errors.get(armNoTol)!;
  assert.match(err, /nodepool "general".*incompatible requirements/);
  assert.match(err, /nodepool "graviton".*did not tolerate arch=arm64:NoSchedule/);
});

test('property: every placed pod is on a NodeClaim whose launched type holds all its pods and satisfies every requirement', async () => {
  const s = await loadScenario('scenarios/karpenter-nodepools.yaml');
  const pools = resolveNodePools(s.karpenter!);
  const podArb = fc.record({
    cpuMilli: fc.integer({ min: 0, max: 20_000 }),
    memoryGiB: fc.integer({ min: 0, max: 64 }),
    arch: fc.constantFrom(undefined, 'amd64', 'arm64'),
    zone: fc.constantFrom(undefined, 'us-east-1a', 'us-east-1b', 'us-east-1c'),
    tolerate: fc.boolean(),
  });
  const daemonArb = fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined });
  fc.assert(fc.property(fc.array(podArb, { maxLength: 40 }), daemonArb, (specs, daemonCpu) => {
    const pods = specs.map((p, i) => makePod({
      name: `x${i}`, cpuMilli: p.cpuMilli, memoryBytes: p.memoryGiB * GiB,
      nodeSelector: { ...(p.arch ? { [ARCH]: p.arch } : {}), ...(p.zone ? { [ZONE]: p.zone } : {}) },
      tolerations: p.tolerate ? [{ key: 'arch', operator: 'Exists' }] : [],
    }));
    const daemons = daemonCpu === undefined ? [] : [makePod({ name: 'ds', cpuMilli: daemonCpu })];
    const r = solve({ pods, nodePools: pools, daemonSetPods: daemons });
    const placed = r.newNodeClaims.flatMap((c) => c.pods);
    assert.equal(placed.length + r.errors.size + r.notHandled.size, pods.length, 'every pod placed or explained, once');
    for (const c of r.newNodeClaims) {
      const l = chooseLaunch(c);
      assert.ok(l, 'a NodeClaim has a launch');
      const total = c.pods.reduce((acc, p) => ({ cpu: acc.cpu + p.requests.cpuMilli, memory: acc.memory + p.requests.memoryBytes, pods: acc.pods + 1 }), { cpu: c.daemonOverhead.cpu ?? 0, memory: c.daemonOverhead.memory ?? 0, pods: c.daemonOverhead.pods ?? 0 });
      assert.ok(fits(total, resourcesVector(l.type.allocatable)), `${l.type.name} holds ${JSON.stringify(total)}`);
      const pool = pools.find((p) => p.nodePool.name === c.nodePool)!;
      const node = requirements(...labelRequirements({ ...l.type.labels, ...pool.nodePool.labels, [LABEL_NODEPOOL]: c.nodePool, [ZONE]: l.offering.zone, [CAPACITY_TYPE]: l.offering.capacityType }).values());
      assert.equal(intersects(node, pool.requirements), undefined, 'the launch satisfies the NodePool');
      for (const p of c.pods) {
        assert.equal(compatible(node, podRequirements(p), { allowUndefined: WELL_KNOWN_LABELS }), undefined, `${p.name} on ${l.type.name}`);
        assert.equal(findUntoleratedTaint(pool.nodePool.taints, p.spec.tolerations), null, `${p.name} tolerates the NodePool's taints`);
      }
      assert.ok(allows(getRequirement(pool.requirements, ZONE), l.offering.zone));
    }
  }), { numRuns: 60, seed: 17 });
});

test('capsim validate prints a one-shot dry run when NodePools are the only capacity, and none beside a plain node pool', () => {
  const yaml = fs.readFileSync('scenarios/karpenter-nodepools.yaml', 'utf8')
    .replace(/ {2}cluster:\n {4}nodePools:\n(?: {6}.*\n| {8}.*\n)+/, '  cluster: {}\n')
    .replace('  workloads:\n', [
      '  workloads:',
      '    - {name: api, replicas: 10, containers: [{name: api, resources: {requests: {cpu: "1", memory: 2Gi}}}]}',
      '    - {name: huge, replicas: 1, containers: [{name: h, resources: {requests: {cpu: "500"}}}]}',
      '    - name: spread',
      '      replicas: 2',
      '      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}}]',
      '      containers: [{name: s, resources: {requests: {cpu: 100m}}}]',
      '',
    ].join('\n'));
  assert.ok(!yaml.includes('static'), 'the plain node pool is gone');
  const r = capsim('validate', writeScenario(yaml));
  assert.equal(r.code, 0, r.stderr);
  // api 10 × (1 CPU, 2Gi) + web 3 × (500m, 512Mi) = 11.5 CPU, 21.5Gi: c6i.4xlarge (16 vCPU) at $0.68/h
  assert.match(r.stdout, /Karpenter dry run \(one-shot provisioning, not the simulation: the 16 workload pods/);
  // spread (2 × 100m, zone maxSkew 1, the smallest pods, so last): the first joins NodeClaim 1 and
  // pins it to us-east-1a (the first zone); the second would make 1a 2 vs 0 elsewhere (skew 2 > 1),
  // so it opens NodeClaim 2 in us-east-1b: c6i.large at $0.085/h
  assert.match(r.stdout, /NodeClaim 1: NodePool general, c6i\.4xlarge on-demand in us-east-1a at \$0\.68\/h, 14 pods \(Deployment\/default\/api ×10, Deployment\/default\/web ×3, Deployment\/default\/spread\)/);
  assert.match(r.stdout, /NodeClaim 2: NodePool general, c6i\.large on-demand in us-east-1b at \$0\.085\/h, 1 pod \(Deployment\/default\/spread\)/);
  assert.match(r.stdout, /total: 2 NodeClaims, \$0\.765\/h/);
  assert.match(r.stdout, /would stay pending: Deployment\/default\/huge: .*0 fit the resources.*did not tolerate arch=arm64:NoSchedule/);
  assert.doesNotMatch(r.stdout, /not placed \(dry run\)/);
  // scenarios/karpenter-nodepools.yaml is Karpenter-only: a plain node pool is added to it here
  const withPool = fs.readFileSync('scenarios/karpenter-nodepools.yaml', 'utf8').replace('  karpenter:\n', '  cluster:\n    nodePools:\n      - {name: static, instanceType: aws/m5.xlarge, count: 2}\n  karpenter:\n');
  const plain = capsim('validate', writeScenario(withPool));
  assert.equal(plain.code, 0);
  assert.ok(!plain.stdout.includes('dry run'), 'a scenario with a plain node pool gets no dry run');
});
