// Topology spread, pod (anti-)affinity and host ports in Karpenter's provisioning solve
// (src/karpenter/topology.ts, preferences.ts, hostPorts.ts). Cases marked "upstream" port
// kubernetes-sigs/karpenter@22664681 pkg/controllers/provisioning/scheduling/topology_test.go (or
// suite_test.go / provisioning suite_test.go, as said) with their expected counts; capsim's AWS
// catalog stands in for the fake cloud provider, so test-zone-1/2/3 are us-east-1a/b/c. Upstream's
// later ExpectProvisioned rounds see the nodes of the earlier ones: here `materialize` turns a
// solve's NodeClaims into existing nodes (with their pods) for the next solve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveNodePool, type ResolvedNodePool } from '../src/karpenter/nodePools.ts';
import { solve, type ExistingNode, type SolveResult } from '../src/karpenter/scheduler.ts';
import { chooseLaunch } from '../src/karpenter/launch.ts';
import { resourcesVector } from '../src/karpenter/podRequirements.ts';
import { hostPortsMatch } from '../src/karpenter/hostPorts.ts';
import { podView, relaxView, type PodView } from '../src/karpenter/preferences.ts';
import type { NodePoolObject, NodeSelectorRequirementWithMinValues } from '../src/model/karpenter.ts';
import type { PodAffinityTerm, TopologySpreadConstraint } from '../src/model/api.ts';
import type { Pod } from '../src/model/pod.ts';
import { makePod, type PodOptions } from './support/cluster.ts';

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const FAMILY = 'karpenter.k8s.aws/instance-family';
const [Z1, Z2, Z3] = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const labels = { test: 'test' };

function nodePool(reqs: NodeSelectorRequirementWithMinValues[] = [], extra: Partial<NodePoolObject> = {}): ResolvedNodePool {
  const np: NodePoolObject = {
    kind: 'NodePool', name: 'default', source: { file: 'test.yaml', line: 1 }, labels: {}, annotations: {},
    requirements: [{ key: FAMILY, operator: 'In', values: ['m5', 'c5'] }, ...reqs],
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, taints: [], startupTaints: [],
    expireAfter: '720h', terminationGracePeriod: null, limits: {}, weight: 0, replicas: null,
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [] }, ...extra,
  };
  return resolveNodePool(np, { nodePools: [np], nodeClaims: [], nodeClasses: [] });
}
const zones = (...z: string[]) => nodePool([{ key: ZONE, operator: 'In', values: z }]);

let n = 0;
const pod = (o: Partial<PodOptions> = {}) => makePod({ name: `p${++n}`, ...o });
const pods = (count: number, o: Partial<PodOptions> = {}) => Array.from({ length: count }, () => pod(o));
const spread = (key: string, maxSkew: number, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint[] =>
  [{ topologyKey: key, maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels }, ...extra }];
const term = (key: string, matchLabels: Record<string, string>): PodAffinityTerm => ({ topologyKey: key, labelSelector: { matchLabels } });

/** The zone each NodeClaim launches in (its offering). */
const zoneOf = (c: SolveResult['newNodeClaims'][number]) => chooseLaunch(c)!.offering.zone;

/** The solve's NodeClaims as nodes that exist, with their pods, for the next round (upstream's
 *  later ExpectProvisioned calls see the nodes the earlier ones made). */
function materialize(r: SolveResult, round: string, before: readonly ExistingNode[] = []): ExistingNode[] {
  const out = before.map((e) => ({ ...e, pods: [...(e.pods ?? []), ...(r.existing.get(e.name) ?? [])] }));
  for (const c of r.newNodeClaims) {
    const l = chooseLaunch(c)!;
    const name = `${round}-node-${c.id}`;
    const used = c.pods.reduce((s, p) => ({ cpu: s.cpu + p.requests.cpuMilli, memory: s.memory + p.requests.memoryBytes, pods: s.pods + 1 }), { cpu: 0, memory: 0, pods: 0 });
    const a = resourcesVector(l.type.allocatable);
    out.push({
      name, labels: { [ZONE]: l.offering.zone, [HOSTNAME]: name, 'karpenter.sh/nodepool': c.nodePool, 'node.kubernetes.io/instance-type': l.type.name },
      taints: [], available: { ...a, cpu: a.cpu! - used.cpu, memory: a.memory! - used.memory, pods: a.pods! - used.pods }, pods: [...c.pods],
    });
  }
  return out;
}

/** ExpectSkew: pods selected by `labels` per zone (or per node) across existing nodes and new
 *  NodeClaims, as a sorted multiset (upstream's ConsistOf). */
function skew(nodes: readonly ExistingNode[], r: SolveResult | null, key: 'zone' | 'node'): number[] {
  const counts = new Map<string, number>();
  const sel = (p: Pod) => p.labels.test === 'test';
  for (const e of nodes) {
    const k = key === 'zone' ? e.labels[ZONE]! : e.name;
    const c = [...(e.pods ?? []), ...(r?.existing.get(e.name) ?? [])].filter(sel).length;
    if (c > 0) counts.set(k, (counts.get(k) ?? 0) + c);
  }
  for (const c of r?.newNodeClaims ?? []) {
    const k = key === 'zone' ? zoneOf(c) : `claim-${c.id}`;
    const m = c.pods.filter(sel).length;
    if (m > 0) counts.set(k, (counts.get(k) ?? 0) + m);
  }
  return [...counts.values()].sort((a, b) => a - b);
}

test('upstream "should balance pods across zones (match labels)" and "(match expressions)": 4 pods, maxSkew 1 -> 1, 1, 2', () => {
  const byLabels = solve({ pods: pods(4, { labels, topologySpreadConstraints: spread(ZONE, 1) }), nodePools: [nodePool()] });
  assert.deepEqual(skew([], byLabels, 'zone'), [1, 1, 2]);
  const expr = [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchExpressions: [{ key: 'test', operator: 'In' as const, values: ['test'] }] } }];
  const byExpr = solve({ pods: pods(4, { labels, topologySpreadConstraints: expr }), nodePools: [nodePool()] });
  assert.deepEqual(skew([], byExpr, 'zone'), [1, 1, 2]);
  // first pod: us-east-1a (the first domain at 0); second: 1a would be 2 vs 0 -> a new NodeClaim in 1b; third 1c; fourth 1a
  assert.deepEqual(byLabels.newNodeClaims.map((c) => `${zoneOf(c)}:${c.pods.length}`), [`${Z1}:2`, `${Z2}:1`, `${Z3}:1`]);
});

test('upstream "should ignore unknown topology keys" and "should not spread when a nil label selector is defined" (-> 2 in one zone)', () => {
  const unknown = pod({ labels, topologySpreadConstraints: spread('unknown', 1) });
  const plain = pod();
  const r = solve({ pods: [unknown, plain], nodePools: [nodePool()] });
  assert.ok(r.errors.has(unknown));
  assert.equal(r.newNodeClaims.flatMap((c) => c.pods).length, 1);
  // no labelSelector selects nothing: the pods do not count themselves, so nothing spreads them
  const nil = solve({ pods: pods(2, { labels, topologySpreadConstraints: spread(ZONE, 1, { labelSelector: undefined }) }), nodePools: [nodePool()] });
  assert.deepEqual(skew([], nil, 'zone'), [2]);
});

test('upstream "should respect NodePool zonal constraints (subset) with requirements": two zones allowed -> 2, 2', () => {
  const r = solve({ pods: pods(4, { labels, topologySpreadConstraints: spread(ZONE, 1) }), nodePools: [zones(Z1, Z2)] });
  assert.deepEqual(skew([], r, 'zone'), [2, 2]);
});

test('upstream "should schedule to the non-minimum domain if its all that\'s available": maxSkew 5 -> 1, 1, 6 and 4 pods left pending', () => {
  const o = { labels, cpuMilli: 1100, topologySpreadConstraints: spread(ZONE, 5) };
  const r1 = solve({ pods: [pod(o)], nodePools: [zones(Z1)] });
  const n1 = materialize(r1, 'r1');
  assert.deepEqual(skew(n1, null, 'zone'), [1]);
  const r2 = solve({ pods: [pod(o)], nodePools: [zones(Z2)], existingNodes: n1 });
  const n2 = materialize(r2, 'r2', n1);
  assert.deepEqual(skew(n2, null, 'zone'), [1, 1]);
  const ten = pods(10, o);
  const r3 = solve({ pods: ten, nodePools: [zones(Z3)], existingNodes: n2 });
  // max skew of 5, so test-zone-1/2 will have 1 pod each, test-zone-3 will have 6, and the rest will fail to schedule
  assert.deepEqual(skew(n2, r3, 'zone'), [1, 1, 6]);
  assert.equal(r3.errors.size, 4);
  assert.match([...r3.errors.values()][0]!, /unsatisfiable topology constraint for topology spread, key=topology.kubernetes.io\/zone/);
});

test('upstream "should only schedule to minimum domains if already violating max skew": 9 -> 3, 3, 3; zone 1 only left; 3 more -> 3, 1, 2', () => {
  const o = { labels, cpuMilli: 1100, topologySpreadConstraints: spread(ZONE, 1) };
  const r1 = solve({ pods: pods(9, o), nodePools: [nodePool()] });
  assert.deepEqual(skew([], r1, 'zone'), [3, 3, 3]);
  // delete the pods outside test-zone-1 (their nodes stay, empty)
  const n1 = materialize(r1, 'r1').map((e) => (e.labels[ZONE] === Z1 ? e : { ...e, pods: [] }));
  assert.deepEqual(skew(n1, null, 'zone'), [3]);
  const r2 = solve({ pods: pods(3, o), nodePools: [nodePool()], existingNodes: n1 });
  assert.deepEqual(skew(n1, r2, 'zone'), [1, 2, 3]);
});

test('upstream "should not violate max-skew when unsat = do not schedule" (and "(discover domains)"): 1 in zone 1, zones 2-3 allowed -> 1, 2, 2', () => {
  for (const firstHasSpread of [true, false]) {
    const first = pod({ labels, cpuMilli: 1100, ...(firstHasSpread ? { topologySpreadConstraints: spread(ZONE, 1) } : {}) });
    const n1 = materialize(solve({ pods: [first], nodePools: [zones(Z1)] }), 'r1');
    const ten = pods(10, { labels, cpuMilli: 1100, topologySpreadConstraints: spread(ZONE, 1) });
    const r = solve({ pods: ten, nodePools: [zones(Z2, Z3)], existingNodes: n1 });
    // max skew of 1, so test-zone-2/3 will have 2 nodes each and the rest of the pods will fail to schedule
    assert.deepEqual(skew(n1, r, 'zone'), [1, 2, 2], `first pod with spread: ${firstHasSpread}`);
    assert.equal(r.errors.size, 6);
  }
});

test('upstream "should only count running/scheduled pods with matching labels scheduled to nodes with a corresponding domain" -> 2, 2, 1', () => {
  const node = (name: string, zone: string | null, ps: Pod[]): ExistingNode => ({
    name, labels: zone ? { [ZONE]: zone } : {}, taints: [], available: { cpu: 4000, memory: 8 * 1024 ** 3, pods: 100 }, pods: ps,
  });
  const failed = pod({ labels });
  failed.phase = 'Failed';
  const succeeded = pod({ labels });
  succeeded.phase = 'Succeeded';
  const terminating = pod({ labels });
  terminating.deletionMs = 0;
  const nodes = [
    node('first', Z1, [pod(), pod({ labels, namespace: 'wrong' }), failed, succeeded, terminating, pod({ labels }), pod({ labels })]),
    node('second', Z2, [pod({ labels })]),
    node('third', null, [pod({ labels })]), // ignored, no domain on node
  ];
  const two = pods(2, { labels, topologySpreadConstraints: spread(ZONE, 1) });
  const r = solve({ pods: two, nodePools: [nodePool()], existingNodes: nodes });
  // counted: first 2 (zone 1), second 1 (zone 2); the new pods go to zone 3 (0), then zone 2 or 3 (1 each)
  const counted = (e: ExistingNode) => (e.name === 'third' ? [] : (e.pods ?? []).filter((p) => p.labels.test && p.namespace === 'default' && p.phase !== 'Failed' && p.phase !== 'Succeeded' && p.deletionMs < 0));
  assert.deepEqual(skew(nodes.map((e) => ({ ...e, pods: counted(e) })), r, 'zone'), [1, 2, 2]);
});

test('upstream "should respect minDomains constraints": minDomains 3 over two zones -> 1, 1 (global minimum held at 0)', () => {
  const r = solve({ pods: pods(3, { labels, topologySpreadConstraints: spread(ZONE, 1, { minDomains: 3 }) }), nodePools: [zones(Z1, Z2)] });
  assert.deepEqual(skew([], r, 'zone'), [1, 1]);
  assert.equal(r.errors.size, 1);
  for (const minDomains of [3, 2]) {
    // "satisfied minDomains constraints (equal)" and "(greater than minimum)": 11 pods -> 4, 4, 3
    const ok = solve({ pods: pods(11, { labels, topologySpreadConstraints: spread(ZONE, 1, { minDomains }) }), nodePools: [zones(Z1, Z2, Z3)] });
    assert.deepEqual(skew([], ok, 'zone'), [3, 4, 4]);
  }
});

test('upstream "should balance pods across a label when discovered from the nodepool" (NodeTaintsPolicy=ignore -> 1; =honor -> 2)', () => {
  const foo = nodePool([{ key: 'fake-label', operator: 'In', values: ['foo'] }]);
  const bar = resolveNodePool({ ...nodePool([{ key: 'fake-label', operator: 'In', values: ['bar'] }]).nodePool, name: 'tainted', taints: [{ key: 'taint-key', value: 'taint-value', effect: 'NoSchedule' }] }, { nodePools: [], nodeClaims: [], nodeClasses: [] });
  const run = (nodeTaintsPolicy: 'Honor' | 'Ignore') => {
    const ps = pods(2, { labels, topologySpreadConstraints: spread('fake-label', 1, { nodeTaintsPolicy }) });
    return solve({ pods: ps, nodePools: [foo, bar] });
  };
  // ignore: "bar" is a domain at 0 the pods cannot use, so the second pod in "foo" would be 2 - 0 > 1
  const ignore = run('Ignore');
  assert.deepEqual(ignore.newNodeClaims.map((c) => `${c.nodePool}:${c.pods.length}`), ['default:1']);
  assert.equal(ignore.errors.size, 1);
  // honor: the tainted NodePool's "bar" is not a domain for pods that do not tolerate it
  const honor = run('Honor');
  assert.equal(honor.errors.size, 0);
  assert.deepEqual(honor.newNodeClaims.map((c) => `${c.nodePool}:${c.pods.length}`), ['default:2']);
});

test('upstream hostname "should balance pods across nodes" (maxSkew 1 -> 1, 1, 1, 1) and "up to maxskew" (maxSkew 4 -> 4)', () => {
  assert.deepEqual(skew([], solve({ pods: pods(4, { labels, topologySpreadConstraints: spread(HOSTNAME, 1) }), nodePools: [nodePool()] }), 'node'), [1, 1, 1, 1]);
  assert.deepEqual(skew([], solve({ pods: pods(4, { labels, topologySpreadConstraints: spread(HOSTNAME, 4) }), nodePools: [nodePool()] }), 'node'), [4]);
});

test('ScheduleAnyway is a preference: relaxed when it cannot be met (zonal variant of upstream "should violate max-skew when unsat = schedule anyway") -> 1, 5', () => {
  const o = { labels, cpuMilli: 1100, topologySpreadConstraints: spread(ZONE, 1, { whenUnsatisfiable: 'ScheduleAnyway' }) };
  const n1 = materialize(solve({ pods: [pod(o)], nodePools: [zones(Z1)] }), 'r1');
  const r = solve({ pods: pods(5, o), nodePools: [zones(Z2)], existingNodes: n1 });
  assert.deepEqual(skew(n1, r, 'zone'), [1, 5]);
  assert.equal(r.errors.size, 0);
  // with DoNotSchedule the domains are zone 1 (the existing node, 1) and zone 2 (the only one the
  // NodePool offers): zone 2 takes 1 (1 - 0), then 2 (2 - 1); a third would be 3 - 1 = 2 > 1
  const hard = solve({ pods: pods(5, { ...o, topologySpreadConstraints: spread(ZONE, 1) }), nodePools: [zones(Z2)], existingNodes: n1 });
  assert.deepEqual(skew(n1, hard, 'zone'), [1, 2]);
  assert.equal(hard.errors.size, 3);
});

test('upstream "should respect pod affinity (hostname)": affPod2 lands on affPod1\'s NodeClaim despite 10 hostname-spread pods', () => {
  const aff = { security: 's2' };
  const affPod1 = pod({ labels: aff });
  const affPod2 = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(HOSTNAME, aff)] } } });
  const r = solve({ pods: [...pods(10, { labels, topologySpreadConstraints: spread(HOSTNAME, 1) }), affPod1, affPod2], nodePools: [nodePool()] });
  const home = (p: Pod) => r.newNodeClaims.find((c) => c.pods.includes(p))!.id;
  assert.equal(home(affPod1), home(affPod2));
  assert.equal(r.errors.size, 0);
});

test('upstream "should respect self pod affinity (zone)" and "(zone w/ constraint)": 3 pods on one NodeClaim, in us-east-1c when required', () => {
  const aff = { security: 's2' };
  const selfAff = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(ZONE, aff)] } };
  const r = solve({ pods: pods(3, { labels: aff, affinity: selfAff }), nodePools: [nodePool()] });
  assert.equal(r.newNodeClaims.length, 1);
  assert.equal(r.newNodeClaims[0]!.pods.length, 3);
  const c = solve({ pods: pods(3, { labels: aff, affinity: { ...selfAff, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: [Z3] }] }] } } } }), nodePools: [nodePool()] });
  assert.deepEqual(c.newNodeClaims.map((x) => `${zoneOf(x)}:${x.pods.length}`), [`${Z3}:3`]);
});

test('upstream "should not schedule pods with affinity to a non-existent pod"', () => {
  const p = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(ZONE, { security: 's2' })] } } });
  const r = solve({ pods: [p], nodePools: [nodePool()] });
  assert.equal(r.newNodeClaims.length, 0);
  assert.match(r.errors.get(p)!, /unsatisfiable topology constraint for pod affinity/);
});

test('upstream "should separate nodes using simple pod anti-affinity on hostname" (10 rounds, either order) and anti-affinity one per node', () => {
  const aff = { security: 's2' };
  for (let i = 0; i < 10; i++) {
    const affPod1 = pod({ labels: aff });
    const affPod2 = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(HOSTNAME, aff)] } } });
    const r = solve({ pods: i % 2 ? [affPod2, affPod1] : [affPod1, affPod2], nodePools: [nodePool()] });
    const home = (p: Pod) => r.newNodeClaims.find((c) => c.pods.includes(p))!.id;
    assert.notEqual(home(affPod1), home(affPod2));
  }
  // a Deployment of 5 with self anti-affinity on hostname: 5 NodeClaims, one pod each
  const self = pods(5, { labels: aff, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(HOSTNAME, aff)] } } });
  assert.deepEqual(solve({ pods: self, nodePools: [nodePool()] }).newNodeClaims.map((c) => c.pods.length), [1, 1, 1, 1, 1]);
});

test('upstream "should not violate pod anti-affinity on zone" (and "(inverse)", "(other schedules first)", "(inverse w/existing nodes)")', () => {
  const aff = { security: 's2' };
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(ZONE, aff)] } };
  const inZone = (z: string, o: Partial<PodOptions>) => pod({ cpuMilli: 2000, nodeSelector: { [ZONE]: z }, ...o });
  // three 2-CPU pods labelled s2 go first (first fit descending), one per zone; the anti-affinity pod fits no zone
  const affPod = pod({ affinity: anti });
  const r = solve({ pods: [inZone(Z1, { labels: aff }), inZone(Z2, { labels: aff }), inZone(Z3, { labels: aff }), affPod], nodePools: [nodePool()] });
  assert.equal(r.newNodeClaims.length, 3);
  assert.match(r.errors.get(affPod)!, /pod anti-affinity/);
  // inverse: the three zone pods carry the anti-affinity; the plain s2 pod is kept out of every zone
  const plain = pod({ labels: aff });
  const inv = solve({ pods: [inZone(Z1, { affinity: anti }), inZone(Z2, { affinity: anti }), inZone(Z3, { affinity: anti }), plain], nodePools: [nodePool()] });
  assert.equal(inv.newNodeClaims.length, 3);
  assert.ok(inv.errors.has(plain));
  // other schedules first: a 2-CPU s2 pod on a zone-flexible NodeClaim blocks every zone for the anti pod
  const other = pod({ affinity: anti });
  assert.ok(solve({ pods: [pod({ labels: aff, cpuMilli: 2000 }), other], nodePools: [nodePool()] }).errors.has(other));
  // inverse w/existing nodes: the anti-affinity pods already run in all three zones
  const nodes = materialize(solve({ pods: [inZone(Z1, { affinity: anti }), inZone(Z2, { affinity: anti }), inZone(Z3, { affinity: anti })], nodePools: [nodePool()] }), 'r1');
  const late = pod({ labels: aff });
  const r2 = solve({ pods: [late], nodePools: [nodePool()], existingNodes: nodes });
  assert.equal(r2.newNodeClaims.length, 0);
  assert.ok(r2.errors.has(late));
});

test('upstream "should not violate pod anti-affinity on zone (Schrödinger)": blocked while the zone is open, placed elsewhere once the node exists', () => {
  const aff = { security: 's2' };
  const anywhere = pod({ cpuMilli: 2000, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(ZONE, aff)] } } });
  const affPod = pod({ labels: aff });
  const r1 = solve({ pods: [anywhere, affPod], nodePools: [nodePool()] });
  assert.ok(r1.errors.has(affPod), 'the anti-affinity pod could be in any of the three zones');
  const nodes = materialize({ ...r1, newNodeClaims: r1.newNodeClaims }, 'r1');
  const r2 = solve({ pods: [affPod], nodePools: [nodePool()], existingNodes: nodes });
  assert.equal(r2.errors.size, 0);
  assert.notEqual(zoneOf(r2.newNodeClaims[0]!), nodes[0]!.labels[ZONE]);
});

test('an existing node without a hostname label: the anti-affinity of its pod still keeps selected pods off it (by node name)', () => {
  const aff = { security: 's2' };
  const holder = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(HOSTNAME, aff)] } } });
  const node: ExistingNode = { name: 'n1', labels: { [ZONE]: Z1 }, taints: [], available: { cpu: 8000, memory: 16 * 1024 ** 3, pods: 100 }, pods: [holder] };
  const r = solve({ pods: [pod({ labels: aff }), pod()], nodePools: [nodePool()], existingNodes: [node] });
  assert.equal(r.existing.get('n1')!.length, 1, 'only the unlabelled pod joins n1');
  assert.equal(r.newNodeClaims.length, 1);
});

test('upstream "should allow violation of preferred pod affinity": the pod it prefers does not exist, it schedules anyway', () => {
  const affPod2 = pod({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term(HOSTNAME, { security: 's2' }) }] } } });
  const r = solve({ pods: [...pods(10, { labels, topologySpreadConstraints: spread(HOSTNAME, 1) }), affPod2], nodePools: [nodePool()] });
  assert.equal(r.errors.size, 0);
  assert.ok(r.newNodeClaims.some((c) => c.pods.includes(affPod2)));
});

test('preferences.go Relax order: required node term, preferred pod affinity, preferred anti-affinity, preferred node term, ScheduleAnyway', () => {
  const zoneTerm = (z: string) => ({ matchExpressions: [{ key: ZONE, operator: 'In' as const, values: [z] }] });
  const p = pod({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [zoneTerm(Z1), zoneTerm(Z2)] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: zoneTerm(Z3) }],
      },
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term(ZONE, { a: 'light' }) }, { weight: 9, podAffinityTerm: term(ZONE, { a: 'heavy' }) }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term(HOSTNAME, { b: 'x' }) }] },
    },
    topologySpreadConstraints: [
      { topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { s: '1' } } },
      { topologyKey: HOSTNAME, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { s: '2' } } },
      { topologyKey: ZONE, maxSkew: 2, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { s: '3' } } },
    ],
  });
  const steps: string[] = [];
  for (let v: PodView | null = podView(p); v; v = relaxView(v)) {
    steps.push(`${v.relax.requiredDropped}${v.affinityPreferred.map((t) => t.labelSelector!.matchLabels!.a).join('+') || '-'} ${v.antiPreferred.length} ${v.relax.preferredDropped} ${v.spread.map((c) => c.labelSelector!.matchLabels!.s).join('')}`);
  }
  // the heaviest preferred term goes first; the first ScheduleAnyway is swapped with the last, then dropped
  assert.deepEqual(steps, ['0heavy+light 1 0 123', '1heavy+light 1 0 123', '1light 1 0 123', '1- 1 0 123', '1- 0 0 123', '1- 0 1 123', '1- 0 1 32', '1- 0 1 2']);
});

test('upstream "should allow violation of preferred pod anti-affinity": 10 pods avoiding 3 zone-spread pods still schedule', () => {
  const affPods = pods(10, { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term(ZONE, labels) }] } } });
  const r = solve({ pods: [...pods(3, { labels, topologySpreadConstraints: spread(ZONE, 1) }), ...affPods], nodePools: [nodePool()] });
  assert.equal(r.errors.size, 0);
  assert.equal(r.newNodeClaims.flatMap((c) => c.pods).length, 13);
});

test('upstream scheduling "should schedule pods with the same host port to different nodes"; provisioning "should account for daemonset hostports"', () => {
  const hp = [{ hostPort: 8080, protocol: 'TCP' as const }];
  const two = pods(2, { hostPorts: hp });
  const r = solve({ pods: two, nodePools: [nodePool()] });
  assert.equal(r.newNodeClaims.length, 2);
  const daemon = pod({ cpuMilli: 2000, memoryBytes: 2 * 1024 ** 3, hostPorts: hp });
  const p = pod({ cpuMilli: 1000, memoryBytes: 1024 ** 3, hostPorts: hp });
  const d = solve({ pods: [p], nodePools: [nodePool()], daemonSetPods: [daemon] });
  assert.equal(d.newNodeClaims.length, 0);
  assert.match(d.errors.get(p)!, /hostport conflicts/);
  // an existing node whose pod holds 8080 takes no second 8080 pod
  const node: ExistingNode = { name: 'n', labels: { [ZONE]: Z1 }, taints: [], available: { cpu: 8000, memory: 16 * 1024 ** 3, pods: 100 }, pods: [pod({ hostPorts: hp })] };
  const e = solve({ pods: [pod({ hostPorts: hp }), pod({ hostPorts: [{ hostPort: 8081, protocol: 'TCP' }] })], nodePools: [nodePool()], existingNodes: [node] });
  assert.equal(e.existing.get('n')!.length, 1);
  assert.equal(e.newNodeClaims.length, 1);
});

test('upstream hostportusage_test: unspecified IPs match any; protocols and ports must be equal', () => {
  const a = { ip: '0.0.0.0', port: 80, protocol: 'TCP' };
  assert.ok(hostPortsMatch(a, { ip: '10.0.0.1', port: 80, protocol: 'TCP' }));
  assert.ok(hostPortsMatch({ ip: '::', port: 80, protocol: 'TCP' }, { ip: '10.0.0.1', port: 80, protocol: 'TCP' }));
  assert.ok(!hostPortsMatch({ ip: '10.0.0.2', port: 80, protocol: 'TCP' }, { ip: '10.0.0.1', port: 80, protocol: 'TCP' }));
  assert.ok(!hostPortsMatch(a, { ...a, protocol: 'UDP' }));
  assert.ok(!hostPortsMatch(a, { ...a, port: 81 }));
});

test('property: a hard zonal spread never exceeds maxSkew among the zones the NodePool allows', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 25 }), fc.subarray([Z1, Z2, Z3], { minLength: 1 }),
    fc.array(fc.constantFrom(250, 500, 1100, 3000), { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 6 }),
    (maxSkew, count, allowed, cpus, existing) => {
      // some selected pods already run in zone 1 (the NodePool may not allow it)
      const nodes: ExistingNode[] = existing > 0 ? [{ name: 'old', labels: { [ZONE]: Z1 }, taints: [], available: { cpu: 0, memory: 0, pods: 0 }, pods: pods(existing, { labels }) }] : [];
      const ps = Array.from({ length: count }, (_, i) => pod({ labels, cpuMilli: cpus[i % cpus.length]!, topologySpreadConstraints: spread(ZONE, maxSkew) }));
      const r = solve({ pods: ps, nodePools: [zones(...allowed)], existingNodes: nodes });
      const perZone = new Map<string, number>(allowed.map((z) => [z, 0]));
      if (allowed.includes(Z1)) perZone.set(Z1, existing);
      for (const c of r.newNodeClaims) perZone.set(zoneOf(c), (perZone.get(zoneOf(c)) ?? 0) + c.pods.length);
      const newIn = (z: string) => r.newNodeClaims.filter((c) => zoneOf(c) === z).reduce((s, c) => s + c.pods.length, 0);
      const counts = [...perZone.values()];
      // every pod placed or explained; where the spread placed pods, each zone stays within maxSkew of the emptiest
      assert.equal(r.newNodeClaims.flatMap((c) => c.pods).length + r.errors.size, count);
      for (const z of allowed) if (newIn(z) > 0) assert.ok(perZone.get(z)! - Math.min(...counts) <= maxSkew, `${z}: ${JSON.stringify([...perZone])}`);
      for (const c of r.newNodeClaims) assert.ok(allowed.includes(zoneOf(c)));
    },
  ), { numRuns: 80, seed: 17 });
});
