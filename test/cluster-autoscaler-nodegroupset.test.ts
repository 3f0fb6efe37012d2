// The cluster autoscaler's similar-node-group comparator, its balanced scale-up and the cluster's
// --cores-total / --memory-total limits, against upstream's own test tables
// (kubernetes/autoscaler cluster-autoscaler/processors/nodegroupset/*_test.go,
// core/scaleup/resource/manager_test.go, core/scaledown/resource/limits_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../src/model/node.ts';
import { NodeInfo } from '../src/model/node.ts';
import {
  BASIC_IGNORED_LABELS,
  MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO,
  balanceScaleUpBetweenGroups,
  comparatorFor,
  findSimilarNodeGroups,
  similarNodeInfos,
} from '../src/controllers/clusterAutoscaler/nodeGroupSet.ts';
import { applyLimits, coresAndMemory, exceededResources, scaleUpResourcesLeft, totalOf, tryDecrementBy } from '../src/controllers/clusterAutoscaler/resourceLimits.ts';
import { bind, makeNode, makePod } from './support/cluster.ts';

const KI = 1024;
const MI = 1024 * KI;

/** utils/test BuildTestNode(name, millicpu, mem): capacity = allocatable = cpu, memory, 100 pods. */
function buildTestNode(name: string, cpuMilli: number, memoryBytes: number): Node {
  return makeNode({ name, cpuMilli, memoryBytes, pods: 100 });
}

/** BuildTestPod(name, millicpu, mem) bound to the node. */
function withPod(node: Node, name: string, cpuMilli: number, memoryBytes: number): Node {
  bind(makePod({ name, cpuMilli, memoryBytes }), node);
  return node;
}

const generic = comparatorFor([]);

// ---- compare_nodegroups_test.go ---------------------------------------------------------------

test('compare_nodegroups_test.go TestIdenticalNodesSimilar', () => {
  assert.equal(generic(buildTestNode('node1', 1000, 2000).info, buildTestNode('node2', 1000, 2000).info), true);
});

test('compare_nodegroups_test.go TestNodesSimilarVariousRequirements', () => {
  const n1 = buildTestNode('node1', 1000, 2000);
  // Different CPU capacity
  const n2 = buildTestNode('node2', 1000, 2000);
  n2.capacity.cpuMilli = 1001;
  assert.equal(generic(n1.info, n2.info), false);
  // Same CPU capacity, but slightly different allocatable
  const n3 = buildTestNode('node3', 1000, 2000);
  n3.allocatable.cpuMilli = 999;
  assert.equal(generic(n1.info, n3.info), true);
  // Same CPU capacity, significantly different allocatable
  const n4 = buildTestNode('node4', 1000, 2000);
  n4.allocatable.cpuMilli = 500;
  assert.equal(generic(n1.info, n4.info), false);
  // One with GPU, one without
  const n5 = makeNode({ name: 'node5', cpuMilli: 1000, memoryBytes: 2000, pods: 100, extra: { 'nvidia.com/gpu': 1 } });
  assert.equal(generic(n1.info, n5.info), false);
});

test('compare_nodegroups_test.go TestNodesSimilarVariousRequirementsAndPods', () => {
  const n1 = withPod(buildTestNode('node1', 1000, 2000), 'pod1', 500, 1000);
  // Different allocatable, but same free
  const n2 = buildTestNode('node2', 1000, 2000);
  n2.allocatable.cpuMilli = 500;
  n2.allocatable.memoryBytes = 1000;
  assert.equal(generic(n1.info, n2.info), false);
  // Same requests of pods
  const n3 = withPod(buildTestNode('node3', 1000, 2000), 'pod3', 500, 1000);
  assert.equal(generic(n1.info, n3.info), true);
  // Similar allocatable, similar pods
  const n4 = buildTestNode('node4', 1000, 2000);
  n4.allocatable.cpuMilli = 999;
  withPod(n4, 'pod4', 501, 1001);
  assert.equal(generic(n1.info, n4.info), true);
});

test('compare_nodegroups_test.go TestNodesSimilarVariousMemoryRequirements: memory capacity within 1.5%', () => {
  const n1 = buildTestNode('node1', 1000, 1000);
  // Different memory capacity within tolerance: 1000 - 15 + 1 = 986
  const n2 = buildTestNode('node2', 1000, 1000);
  n2.capacity.memoryBytes = 1000 - 1000 * MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO + 1;
  assert.equal(generic(n1.info, n2.info), true);
  // Different memory capacity exceeds tolerance: 984
  const n3 = buildTestNode('node3', 1000, 1000);
  n3.capacity.memoryBytes = 1000 - 1000 * MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO - 1;
  assert.equal(generic(n1.info, n3.info), false);
});

test('compare_nodegroups_test.go TestNodesSimilarVariousLargeMemoryRequirementsM5XLarge and M516XLarge', () => {
  // Real m5.xlarge nodes in two zones: 16116152Ki and 15944120Ki (1.07 % apart); q1 x 1.02 is not.
  const m5 = buildTestNode('node1', 1000, 16116152 * KI);
  assert.equal(generic(m5.info, buildTestNode('node2', 1000, 15944120 * KI).info), true);
  assert.equal(generic(m5.info, buildTestNode('node3', 1000, 16438475 * KI).info), false);
  // m5.16xlarge: 259970052Ki and 257217528Ki; 265169453Ki is q1 x 1.02.
  const m516 = buildTestNode('node1', 1000, 259970052 * KI);
  assert.equal(generic(m516.info, buildTestNode('node2', 1000, 257217528 * KI).info), true);
  assert.equal(generic(m516.info, buildTestNode('node3', 1000, 265169453 * KI).info), false);
});

test('compare_nodegroups_test.go TestNodesSimilarVariousLabels (extra ignored label example.com/ready)', () => {
  const ignored = new Set([...BASIC_IGNORED_LABELS, 'example.com/ready']);
  const n1 = buildTestNode('node1', 1000, 2000);
  const n2 = buildTestNode('node2', 1000, 2000);
  n1.labels['test-label'] = 'test-value';
  n1.labels.character = 'winnie the pooh';
  n2.labels['test-label'] = 'test-value';
  // Missing character label
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), false);
  n2.labels.character = 'winnie the pooh';
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
  // Different hostname labels shouldn't matter (makeNode sets them to the node names)
  assert.notEqual(n1.labels['kubernetes.io/hostname'], n2.labels['kubernetes.io/hostname']);
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
  // Different zone shouldn't matter either
  n1.labels['failure-domain.beta.kubernetes.io/zone'] = 'mars-olympus-mons1-b';
  n2.labels['failure-domain.beta.kubernetes.io/zone'] = 'us-houston1-a';
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
  // Different beta.kubernetes.io/fluentd-ds-ready should not matter
  n1.labels['beta.kubernetes.io/fluentd-ds-ready'] = 'true';
  n2.labels['beta.kubernetes.io/fluentd-ds-ready'] = 'false';
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
  delete n2.labels['beta.kubernetes.io/fluentd-ds-ready'];
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
  // Different custom labels should not matter
  n1.labels['example.com/ready'] = 'true';
  n2.labels['example.com/ready'] = 'false';
  assert.equal(similarNodeInfos(n1.info, n2.info, ignored), true);
});

test('capsim: pools differing only in zone and pool label are similar; capacity type is not ignored', () => {
  const a = makeNode({ name: 'a-001', cpuMilli: 4000, memoryBytes: 16 * 1024 * MI, zone: 'zone-a', labels: { 'capsim.io/pool': 'a', 'capsim.io/capacity-type': 'on-demand' } });
  const b = makeNode({ name: 'b-001', cpuMilli: 4000, memoryBytes: 16 * 1024 * MI, zone: 'zone-b', labels: { 'capsim.io/pool': 'b', 'capsim.io/capacity-type': 'on-demand' } });
  assert.equal(generic(a.info, b.info), true);
  b.labels['capsim.io/capacity-type'] = 'spot';
  assert.equal(generic(a.info, b.info), false);
});

test('aws_nodegroups_test.go TestIsAwsNodeInfoSimilar: EKS and eksctl labels are ignored on aws pools', () => {
  const aws = comparatorFor(['aws/m5.xlarge', 'aws/m5.xlarge']);
  const node1 = buildTestNode('node1', 1000, 2000);
  const node2 = buildTestNode('node2', 1000, 2000);
  for (const label of ['alpha.eksctl.io/instance-id', 'alpha.eksctl.io/nodegroup-name', 'eks.amazonaws.com/nodegroup', 'k8s.amazonaws.com/eniConfig', 'lifecycle', 'topology.ebs.csi.aws.com/zone']) {
    for (const [value1, value2, removeOneLabel, description] of [['', '', false, 'empty value'], ['foo', 'bar', false, 'different values'], ['foo', 'bar', true, 'one node labeled']] as const) {
      node1.labels[label] = value1;
      node2.labels[label] = value2;
      if (removeOneLabel) delete node2.labels[label];
      assert.equal(aws(node1.info, node2.info), true, `${label} ${description}`);
      // The generic comparator (no single cloud) does not ignore them.
      if (value1 !== value2) assert.equal(generic(node1.info, node2.info), false, `${label} ${description}, generic`);
    }
  }
});

test('azure_nodegroups_test.go TestIsAzureNodeInfoSimilar (without the custom ignored label step)', () => {
  const azure = comparatorFor(['azure/Standard_D4s_v5']);
  const n1 = buildTestNode('node1', 1000, 2000);
  n1.labels['test-label'] = 'test-value';
  n1.labels.character = 'thing';
  const n2 = buildTestNode('node2', 1000, 2000);
  n2.labels['test-label'] = 'test-value';
  // No node-pool labels.
  assert.equal(azure(n1.info, n2.info), false);
  // Empty agentpool labels
  n1.labels.agentpool = '';
  n2.labels.agentpool = '';
  assert.equal(azure(n1.info, n2.info), false);
  // Only one non empty
  n2.labels.agentpool = 'foo';
  assert.equal(azure(n1.info, n2.info), false);
  // Only one present
  delete n1.labels.agentpool;
  assert.equal(azure(n1.info, n2.info), false);
  // Different values
  n1.labels.agentpool = 'foo1';
  n2.labels.agentpool = 'foo2';
  assert.equal(azure(n1.info, n2.info), false);
  // Same values
  n1.labels.agentpool = 'foo';
  n2.labels.agentpool = 'foo';
  assert.equal(azure(n1.info, n2.info), true);
  // Same labels except for agentpool
  delete n1.labels.character;
  n2.labels.agentpool = 'bar';
  assert.equal(azure(n1.info, n2.info), true);
});

test('azure_nodegroups_test.go TestFindSimilarNodeGroupsAzureByLabel', () => {
  const azure = comparatorFor(['azure/Standard_D4s_v5']);
  const n1 = buildTestNode('n1', 1000, 1000);
  const n2 = buildTestNode('n2', 2000, 2000);
  const templates: Record<string, NodeInfo> = { ng1: n1.info, ng2: n2.info };
  // Groups with different cpu and mem are not similar.
  assert.deepEqual(findSimilarNodeGroups('ng1', ['ng1', 'ng2'], (g) => templates[g], azure), []);
  // Unless we give them nodepool label.
  n1.labels.agentpool = 'foobar';
  n2.labels.agentpool = 'foobar';
  assert.deepEqual(findSimilarNodeGroups('ng1', ['ng1', 'ng2'], (g) => templates[g], azure), ['ng2']);
  // Groups with the same cpu and mem are similar if they belong to different pools.
  const n3 = buildTestNode('n1', 1000, 1000);
  templates.ng3 = n3.info;
  n1.labels.agentpool = 'foobar1';
  n2.labels.agentpool = 'foobar2';
  n3.labels.agentpool = 'foobar3';
  assert.deepEqual(findSimilarNodeGroups('ng1', ['ng1', 'ng2', 'ng3'], (g) => templates[g], azure), ['ng3']);
});

// ---- balancing_processor_test.go --------------------------------------------------------------

test('balancing_processor_test.go TestFindSimilarNodeGroups and TestFindSimilarNodeGroupsAwsBasic', () => {
  // ng1 and ng2 have 1000m / 1000 nodes, ng3 2000m / 2000.
  const templates: Record<string, NodeInfo> = {
    ng1: buildTestNode('n1', 1000, 1000).info,
    ng2: buildTestNode('n2', 1000, 1000).info,
    ng3: buildTestNode('n3', 2000, 2000).info,
  };
  const groups = ['ng1', 'ng2', 'ng3'];
  for (const comparator of [generic, comparatorFor(['aws/m5.large'])]) {
    assert.deepEqual(findSimilarNodeGroups('ng1', groups, (g) => templates[g], comparator), ['ng2']);
    assert.deepEqual(findSimilarNodeGroups('ng2', groups, (g) => templates[g], comparator), ['ng1']);
    assert.deepEqual(findSimilarNodeGroups('ng3', groups, (g) => templates[g], comparator), []);
  }
});

/** provider.AddNodeGroup(id, min, max, size) as the balancer reads it. */
const ng = (group: string, max: number, size: number) => ({ group, currentSize: size, maxSize: max });
const sizes = (plan: { group: string; newSize: number }[]) => Object.fromEntries(plan.map((i) => [i.group, i.newSize]));

test('balancing_processor_test.go TestBalanceSingleGroup', () => {
  const groups = [ng('ng1', 10, 1)];
  // just one node
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 1)), { ng1: 2 });
  // multiple nodes
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 4)), { ng1: 5 });
});

test('balancing_processor_test.go TestBalanceUnderMaxSize', () => {
  const groups = [ng('ng1', 10, 1), ng('ng2', 10, 3), ng('ng3', 10, 5), ng('ng4', 10, 5)];
  // add a single node
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 1)), { ng1: 2 });
  // add multiple nodes to single group
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 2)), { ng1: 3 });
  // add nodes to groups of different sizes, divisible
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 4)), { ng1: 4, ng2: 4 });
  // add nodes to groups of different sizes, non-divisible: 4 and 5 (upstream: either way round)
  const five = sizes(balanceScaleUpBetweenGroups(groups, 5));
  assert.deepEqual(Object.keys(five).sort(), ['ng1', 'ng2']);
  assert.deepEqual([five.ng1, five.ng2].sort(), [4, 5]);
  // add nodes to all groups, divisible
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(groups, 10)), { ng1: 6, ng2: 6, ng3: 6, ng4: 6 });
});

test('balancing_processor_test.go TestBalanceHittingMaxSize', () => {
  const all = { ng1: ng('ng1', 1, 1), ng2: ng('ng2', 3, 1), ng3: ng('ng3', 10, 3), ng4: ng('ng4', 7, 5), ng5: ng('ng5', 3, 6) };
  const get = (...names: (keyof typeof all)[]) => names.map((n) => all[n]);
  // Just one maxed out group
  assert.deepEqual(balanceScaleUpBetweenGroups(get('ng1'), 1), []);
  // Smallest group already maxed out, add one node
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng1', 'ng2'), 1)), { ng2: 2 });
  // Smallest group already maxed out, too many nodes (should cap to max capacity)
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng1', 'ng2'), 5)), { ng2: 3 });
  // First group maxes out before proceeding to next one
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng2', 'ng3'), 4)), { ng2: 3, ng3: 5 });
  // Last group maxes out before previous one
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng2', 'ng3', 'ng4'), 9)), { ng2: 3, ng3: 8, ng4: 7 });
  // Use all capacity, cap to max
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng2', 'ng3', 'ng4'), 900)), { ng2: 3, ng3: 10, ng4: 7 });
  // One node group exceeds max.
  assert.deepEqual(sizes(balanceScaleUpBetweenGroups(get('ng2', 'ng5'), 1)), { ng2: 2 });
});

test('capsim: among groups of one size the chosen group (listed first) gets the odd node', () => {
  // 3 nodes over a (chosen), b, c, all empty: a 1, b 1, c 1; none left. 4 nodes: a gets 2.
  const plan = balanceScaleUpBetweenGroups([ng('a', 10, 0), ng('b', 10, 0), ng('c', 10, 0)], 4);
  assert.deepEqual(plan.map((i) => `${i.group} ${i.currentSize}->${i.newSize}`), ['a 0->2', 'b 0->1', 'c 0->1']);
});

// ---- core/scaleup/resource/manager_test.go ----------------------------------------------------

/** newNodeGroup(..., size, cpu, mem): `size` nodes of `cpu` cores and `mem` bytes. */
const nodesOf = (size: number, cpu: number, mem: number) => Array.from({ length: size }, (_, i) => buildTestNode(`n${i}`, cpu * 1000, mem));
const limits = (cpu: number, mem: number) => ({ coresTotal: { min: 0, max: cpu }, memoryTotalBytes: { min: 0, max: mem } });

test('resource/manager_test.go TestDeltaForNode: a node adds its capacity in cores and bytes', () => {
  assert.deepEqual(coresAndMemory(buildTestNode('ng1', 8000, 16)), { cpu: 8, memory: 16 });
  assert.deepEqual(coresAndMemory(buildTestNode('ng2', 4000, 32)), { cpu: 4, memory: 32 });
  // Quantity.Value() rounds a fractional CPU up: 3500m counts as 4 cores.
  assert.deepEqual(coresAndMemory(buildTestNode('odd', 3500, 1)), { cpu: 4, memory: 1 });
});

test('resource/manager_test.go TestResourcesLeft', () => {
  // cpu left: 1000 - 8 * 5 = 960; memory left: 1000 - 16 * 5 = 920
  assert.deepEqual(scaleUpResourcesLeft(limits(1000, 1000), totalOf(nodesOf(5, 8, 16))), { cpu: 960, memory: 920 });
  // cpu left: 1000 - 4 * 100 = 600; memory left: 1000 - 8 * 100 = 200
  assert.deepEqual(scaleUpResourcesLeft(limits(1000, 1000), totalOf(nodesOf(100, 4, 8))), { cpu: 600, memory: 200 });
  // A max of 0 sets no limit (ResourcesLeft puts only max > 0 into the map).
  assert.deepEqual(scaleUpResourcesLeft(limits(0, 1000), totalOf(nodesOf(5, 8, 16))), { memory: 920 });
});

test('resource/manager_test.go TestApplyLimits', () => {
  const delta = { cpu: 8, memory: 16 };
  assert.equal(applyLimits(10, { cpu: 80, memory: 160 }, delta), 10);
  assert.equal(applyLimits(10, { cpu: 80, memory: 100 }, delta), 6, 'limited by memory: 100 / 16 = 6');
  assert.equal(applyLimits(10, { cpu: 39, memory: 160 }, delta), 4, 'limited by CPU: 39 / 8 = 4');
  assert.equal(applyLimits(10, { cpu: 40, memory: 80 }, delta), 5, 'limited by CPU and memory');
});

test('resource/manager_test.go TestCheckDeltaWithinLimits', () => {
  const left = { cpu: 10, memory: 20 };
  assert.deepEqual(exceededResources(left, { cpu: 8, memory: 16 }), []);
  assert.deepEqual(exceededResources(left, { cpu: 12, memory: 16 }), ['cpu']);
  assert.deepEqual(exceededResources(left, { cpu: 8, memory: 32 }), ['memory']);
  assert.deepEqual(exceededResources(left, { cpu: 16, memory: 96 }), ['cpu', 'memory']);
});

// ---- core/scaledown/resource/limits_test.go ---------------------------------------------------

test('scaledown/resource/limits_test.go TestCalculateCoresAndMemoryTotal', () => {
  // n1..n6; n7 (6000m, 16000Mi) carries the ToBeDeleted taint and does not count (capsim: it is in
  // its group's deleting set, which scale-down leaves out before summing).
  const nodes = [
    buildTestNode('n1', 2000, 7500 * MI),
    buildTestNode('n2', 2000, 7500 * MI),
    buildTestNode('n3', 2000, 7500 * MI),
    buildTestNode('n4', 12000, 8000 * MI),
    buildTestNode('n5', 16000, 7500 * MI),
    buildTestNode('n6', 8000, 6000 * MI),
  ];
  assert.deepEqual(totalOf(nodes), { cpu: 42, memory: 44000 * MI });
});

test('scaledown/resource/limits_test.go TestCheckDeltaWithinLimits, and TryDecrementBy', () => {
  assert.deepEqual(exceededResources({ a: 10 }, { a: 10 }), []);
  assert.deepEqual(exceededResources({ a: 10 }, { a: 11 }), ['a']);
  assert.deepEqual(exceededResources({ a: 10 }, { b: 10 }), []);
  assert.deepEqual(exceededResources({ a: 10, b: 20, c: 30 }, { a: 11, b: 20, c: 31 }), ['a', 'c']);
  // (The two limitUnknown cases have no counterpart: capsim's limits are always known.)
  const left = { cpu: 8 };
  assert.equal(tryDecrementBy(left, { cpu: 4, memory: 1 }), true);
  assert.equal(tryDecrementBy(left, { cpu: 4, memory: 1 }), true);
  assert.equal(tryDecrementBy(left, { cpu: 4, memory: 1 }), false, 'the third 4-core node would take the cluster below min');
  assert.deepEqual(left, { cpu: 0 });
});
