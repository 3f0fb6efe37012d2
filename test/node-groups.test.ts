// Nodes become pools (issue 15, item 2): the node group and capacity type of a real Node from the
// labels each offering documents (src/cloud/nodeGroups.ts cites the pages), a Node manifest that
// joins the pool of its group, and the price of one that joins none, from the catalog by its
// instance-type label: "a Node labelled node.kubernetes.io/instance-type: m5.xlarge costs $0" was
// the issue's first example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogTypeOf, nodeGroupOf, nodeProviderOf, poolNameOf } from '../src/cloud/nodeGroups.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { preflightWarnings } from '../src/preflight.ts';
import { InputError } from '../src/scenario/errors.ts';
import type { RunWarning } from '../src/outputs/summary.ts';
import { runYaml, writeScenario } from './support/run.ts';

test('the node group, type, zone, region, arch and capacity type of each offering, from its documented labels', () => {
  // EKS managed node group: the labels EKS puts on its nodes ("Managed node groups" page).
  assert.deepEqual(nodeGroupOf({
    'eks.amazonaws.com/nodegroup': 'ng-spot', 'eks.amazonaws.com/capacityType': 'SPOT', 'node.kubernetes.io/instance-type': 'm5.large',
    'topology.kubernetes.io/zone': 'us-east-1b', 'topology.kubernetes.io/region': 'us-east-1', 'kubernetes.io/arch': 'amd64',
  }), { pool: 'ng-spot', instanceType: 'm5.large', zone: 'us-east-1b', region: 'us-east-1', arch: 'amd64', capacityType: 'spot', labelUsed: 'eks.amazonaws.com/nodegroup' });
  assert.equal(nodeGroupOf({ 'eks.amazonaws.com/nodegroup': 'general', 'eks.amazonaws.com/capacityType': 'ON_DEMAND' }).capacityType, 'on-demand');
  // GKE: gke-nodepool, and Spot or preemptible VMs as "true".
  assert.deepEqual(nodeGroupOf({ 'cloud.google.com/gke-nodepool': 'default-pool' }), { pool: 'default-pool', capacityType: undefined, labelUsed: 'cloud.google.com/gke-nodepool' });
  assert.equal(nodeGroupOf({ 'cloud.google.com/gke-nodepool': 'spot-pool', 'cloud.google.com/gke-spot': 'true' }).capacityType, 'spot');
  assert.equal(nodeGroupOf({ 'cloud.google.com/gke-nodepool': 'old', 'cloud.google.com/gke-preemptible': 'true' }).capacityType, 'spot');
  // AKS: kubernetes.azure.com/agentpool (agentpool on older clusters), spot as scalesetpriority.
  assert.equal(nodeGroupOf({ agentpool: 'nodepool1' }).pool, 'nodepool1');
  assert.deepEqual(nodeGroupOf({ 'kubernetes.azure.com/agentpool': 'spotpool', 'kubernetes.azure.com/scalesetpriority': 'spot', 'node.kubernetes.io/instance-type': 'Standard_D4s_v5' }),
    { pool: 'spotpool', instanceType: 'Standard_D4s_v5', capacityType: 'spot', labelUsed: 'kubernetes.azure.com/agentpool' });
  // Karpenter: karpenter.sh/nodepool (provisioner-name before v1beta1), capacity-type spot / on-demand / reserved.
  assert.equal(nodeGroupOf({ 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot' }).capacityType, 'spot');
  assert.equal(nodeGroupOf({ 'karpenter.sh/provisioner-name': 'default', 'karpenter.sh/capacity-type': 'reserved' }).capacityType, 'on-demand');
  // No node-group label: the instance type (deprecated beta label too) and capacity type.
  assert.deepEqual(nodeGroupOf({ 'beta.kubernetes.io/instance-type': 'm5.xlarge', 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' }),
    { pool: 'm5-xlarge', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: undefined, labelUsed: null });
  assert.equal(nodeGroupOf({ 'node.kubernetes.io/instance-type': 'm5.xlarge', 'karpenter.sh/capacity-type': 'spot' }).pool, 'm5-xlarge-spot');
  // Nothing: a kind or kubeadm node (the k8s-sims nodes have only hostname and os labels).
  assert.deepEqual(nodeGroupOf({ 'kubernetes.io/hostname': 'openb-node-0000', 'kubernetes.io/os': 'linux' }), { pool: null, capacityType: undefined, labelUsed: null });
});

test('a node-group name becomes a pool name (a DNS label): EKS allows "_" and capitals', () => {
  assert.equal(poolNameOf('My_NodeGroup-1'), 'my-nodegroup-1');
  assert.equal(poolNameOf('Standard_D4s_v5'), 'standard-d4s-v5');
  assert.equal(poolNameOf('__'), '');
  assert.equal(poolNameOf('a'.repeat(70)).length, 63);
});

test('the cloud from spec.providerID, else from the offering labels; a bare type name found in the catalog', () => {
  assert.equal(nodeProviderOf({}, 'aws:///us-east-1a/i-0abc'), 'aws');
  assert.equal(nodeProviderOf({}, 'gce://my-project/us-central1-a/gke-node'), 'gce');
  assert.equal(nodeProviderOf({}, 'azure:///subscriptions/x/resourceGroups/y'), 'azure');
  assert.equal(nodeProviderOf({ 'cloud.google.com/gke-nodepool': 'p' }), 'gce');
  assert.equal(nodeProviderOf({ 'topology.k8s.aws/zone-id': 'use1-az1' }), 'aws');
  assert.equal(nodeProviderOf({ 'kubernetes.io/os': 'linux' }), undefined);
  assert.equal(catalogTypeOf('m5.xlarge').type?.id, 'aws/m5.xlarge');
  assert.equal(catalogTypeOf('M5.XLARGE', 'aws').type?.id, 'aws/m5.xlarge');
  assert.deepEqual(catalogTypeOf('m5.xlarge', 'gce'), { reason: 'unknown', provider: 'gce' });
  assert.deepEqual(catalogTypeOf('t3.small'), { reason: 'unknown' }); // not among the catalog's 227 types
});

/** A one-hour scenario around some Node manifests and pools. */
function scenario(nodes: string, pools = '[]', extra = ''): string {
  return `
apiVersion: capsim/v1
kind: Scenario
metadata: {name: nodes}
spec:
  duration: 1h
  sampleEvery: 5m
  cluster:
    nodePools: ${pools}
${extra}
  manifests:
${nodes}
`;
}

function node(name: string, labels: Record<string, string>, providerID?: string): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}: "${v}"`).join(', ');
  return `    - apiVersion: v1
      kind: Node
      metadata: {name: ${name}, labels: {${l}}}
${providerID ? `      spec: {providerID: "${providerID}"}\n` : ''}      status: {allocatable: {cpu: 3920m, memory: 15Gi, pods: "58"}, capacity: {cpu: "4", memory: 16Gi, pods: "58"}}`;
}

async function warningsOf(yaml: string): Promise<RunWarning[]> {
  return preflightWarnings(await loadScenario(writeScenario(yaml)));
}

test('the issue\'s example: a Node labelled node.kubernetes.io/instance-type: m5.xlarge costs the catalog\'s $0.192 an hour, not $0', async () => {
  const out = await runYaml(scenario(node('ip-10-0-1-17.ec2.internal', { 'node.kubernetes.io/instance-type': 'm5.xlarge' }, 'aws:///us-east-1a/i-0abc')));
  // aws/m5.xlarge is $0.192/h on demand (catalog, us-east-1); one node for one hour.
  assert.equal(out.summary.cost.totalUsd, 0.192);
  assert.equal(out.summary.cost.byPool['(manifest nodes)'], 0.192);
  const row = out.csv('nodes.csv')[0];
  assert.equal(row.instance_type, 'aws/m5.xlarge');
  assert.equal(out.summary.warnings, undefined);
});

test('a Node of a GKE spot pool that joins no pool costs the catalog\'s preemptible price', async () => {
  const out = await runYaml(scenario(node('gke-spot-1', { 'cloud.google.com/gke-nodepool': 'spot', 'cloud.google.com/gke-spot': 'true', 'node.kubernetes.io/instance-type': 'n2-standard-4' })));
  // gce/n2-standard-4 preemptible: $0.047/h (catalog, gce_price_info.go).
  assert.equal(out.summary.cost.totalUsd, 0.047);
  assert.equal(out.csv('nodes.csv')[0].capacity_type, 'spot');
});

test('a Node whose node group is a pool\'s name joins it: priced as the pool, counted in its size, the rest launched', async () => {
  const pools = `[{name: general, instanceType: aws/m5.xlarge, zones: [us-east-1a], count: 3}]`;
  const nodes = [
    node('ip-10-0-1-17.ec2.internal', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/zone': 'us-east-1a' }),
    node('ip-10-0-1-18.ec2.internal', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/zone': 'us-east-1a' }),
  ].join('\n');
  const out = await runYaml(scenario(nodes, pools));
  const rows = out.csv('nodes.csv');
  // count 3 = the 2 Nodes that joined + 1 launched (general-001); 3 x $0.192 for one hour.
  assert.deepEqual(rows.map((r) => [r.node, r.pool]).sort(), [['general-001', 'general'], ['ip-10-0-1-17.ec2.internal', 'general'], ['ip-10-0-1-18.ec2.internal', 'general']]);
  assert.equal(out.summary.cost.byPool.general, 0.576);
  assert.equal(out.summary.cost.byPool['(manifest nodes)'], undefined);
  // The joined node keeps its own allocatable (status.allocatable: 3920m), not the pool's formula.
  assert.equal(rows.find((r) => r.node === 'ip-10-0-1-17.ec2.internal')!.cpu_allocatable_m, '3920');
});

test('more Node manifests than the pool\'s count is an error naming them and the fix', async () => {
  const pools = `[{name: general, instanceType: aws/m5.xlarge, count: 1}]`;
  const nodes = ['a', 'b'].map((n) => node(n, { 'eks.amazonaws.com/nodegroup': 'general' })).join('\n');
  await assert.rejects(loadScenario(writeScenario(scenario(nodes, pools))), (error: unknown) => {
    assert.ok(error instanceof InputError);
    const p = error.problems[0];
    assert.equal(p.path, 'spec.cluster.nodePools[0].count');
    assert.equal(p.message, '2 Node manifests join pool "general" (a, b), more than its count (1)');
    assert.match(p.hint ?? '', /set count \(and max\) to at least 2/);
    return true;
  });
});

test('a spot pool\'s joined Node is interrupted as the pool\'s nodes are', async () => {
  const pools = `[{name: spot, instanceType: gce/n2-standard-4, capacityType: spot, spot: {interruptionsPerNodeDay: 200}, count: 1}]`;
  const out = await runYaml(scenario(node('gke-spot-1', { 'cloud.google.com/gke-nodepool': 'spot', 'cloud.google.com/gke-spot': 'true' }), pools));
  // 200 a day is one every 7.2 minutes on average: within the hour the node is reclaimed.
  assert.ok(out.events('SpotInterrupted').some((e) => e.object === 'Node/-/gke-spot-1'));
});

test('Nodes capsim cannot price are a warning naming them, per cause, with the fix; never a silent $0', async () => {
  const nodes = [
    node('kind-worker', { 'kubernetes.io/hostname': 'kind-worker' }),
    node('ip-1', { 'node.kubernetes.io/instance-type': 'm7z.metal-12xl' }, 'aws:///us-east-1a/i-1'),
    node('ip-2', { 'node.kubernetes.io/instance-type': 'm7z.metal-12xl' }, 'aws:///us-east-1a/i-2'),
  ].join('\n');
  const warning = (await warningsOf(scenario(nodes))).find((w) => w.code === 'node-price-unknown')!;
  assert.deepEqual(warning.objects, ['Node/-/kind-worker', 'Node/-/ip-1', 'Node/-/ip-2']);
  assert.match(warning.message, /^3 Node manifests cost \$0 in this run, so the cost figures leave them out: kind-worker \(no node\.kubernetes\.io\/instance-type label and no pool\); ip-1, ip-2 \(instance type "m7z\.metal-12xl" is not in the catalog's aws types\)\. Label each Node/);
});

test('a spot Node without a public spot price, and catalog prices of another region, are approximate prices', async () => {
  const nodes = [
    node('ip-spot', { 'eks.amazonaws.com/nodegroup': 'spot', 'eks.amazonaws.com/capacityType': 'SPOT', 'node.kubernetes.io/instance-type': 'm5.large' }),
    node('ip-eu', { 'node.kubernetes.io/instance-type': 'm5.large', 'topology.kubernetes.io/region': 'eu-west-1' }, 'aws:///eu-west-1a/i-3'),
  ].join('\n');
  const warnings = await warningsOf(scenario(nodes));
  const w = warnings.find((x) => x.code === 'node-price-approximate')!;
  assert.equal(warnings.some((x) => x.code === 'node-price-unknown'), false);
  assert.match(w.message, /ip-spot \(spot aws\/m5\.large has no public spot price in the catalog, so it is priced at the on-demand price \(an upper bound\)\); ip-eu \(aws\/m5\.large is priced at us-east-1 prices \(the catalog's\), the nodes are in eu-west-1\)/);
  // The spot node's upper bound: aws/m5.large on demand, $0.096/h; the other the same.
  const out = await runYaml(scenario(nodes));
  assert.equal(out.summary.cost.totalUsd, 0.192);
  assert.deepEqual(out.summary.warnings.map((x: RunWarning) => x.code), ['node-price-approximate']);
});

test('a Node joining a pool of another type is priced as the pool, and warned of', async () => {
  const pools = `[{name: general, instanceType: aws/m5.xlarge, count: 1}]`;
  const warnings = await warningsOf(scenario(node('ip-1', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm5a.xlarge' }), pools));
  assert.match(warnings.find((w) => w.code === 'node-price-approximate')!.message, /ip-1 \(m5a\.xlarge nodes joined a pool of aws\/m5\.xlarge and are priced as that\)/);
});

test('Nodes joining a pool priced from the catalog in another region are warned of; a pool given its own price is not', async () => {
  const eu = node('ip-eu', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/region': 'eu-west-1' });
  const catalog = await warningsOf(scenario(eu, `[{name: general, instanceType: aws/m5.xlarge, count: 1}]`));
  assert.match(catalog.find((w) => w.code === 'node-price-approximate')!.message, /ip-eu \(aws\/m5\.xlarge is priced at us-east-1 prices \(the catalog's\), the nodes are in eu-west-1\)/);
  // Eu-west-1's m5.xlarge as the user pays it: $0.214/h; no warning then.
  const own = await warningsOf(scenario(eu, `[{name: general, instanceType: aws/m5.xlarge, price: {onDemandPerHour: 0.214}, count: 1}]`));
  assert.equal(own.some((w) => w.code.startsWith('node-price')), false);
});
