// capsim's catalog as Karpenter instance types (src/karpenter/instanceTypes.ts): labels as
// aws/karpenter-provider-aws derives them, capacity and allocatable, offerings, a NodePool's menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findInstanceType } from '../src/cost/catalog.ts';
import { awsInstanceLabels, azureInstanceLabels, karpenterInstanceType, nodePoolMenu } from '../src/karpenter/instanceTypes.ts';
import { AWS_LABEL, LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE, requirement, requirements } from '../src/karpenter/requirements.ts';

const MiB = 1024 * 1024;

test("AWS labels from the type name, as computeRequirements' regexp and split do", () => {
  const spec = { vcpu: 4, memoryMiB: 16384, gpu: 0 };
  assert.deepEqual(awsInstanceLabels({ name: 'm5.xlarge', ...spec }), {
    [AWS_LABEL.cpu]: '4', [AWS_LABEL.memory]: '16384', [AWS_LABEL.category]: 'm', [AWS_LABEL.generation]: '5', [AWS_LABEL.family]: 'm5', [AWS_LABEL.size]: 'xlarge',
  });
  // the "-Ntb" of high-memory types is skipped: u-6tb1.56xlarge is category u, generation 1
  const u = awsInstanceLabels({ name: 'u-6tb1.56xlarge', ...spec });
  assert.deepEqual([u[AWS_LABEL.category], u[AWS_LABEL.generation], u[AWS_LABEL.family]], ['u', '1', 'u-6tb1']);
  // letters after the generation belong to the family: c6gn.large is category c, generation 6, family c6gn
  const c = awsInstanceLabels({ name: 'c6gn.large', ...spec });
  assert.deepEqual([c[AWS_LABEL.category], c[AWS_LABEL.generation], c[AWS_LABEL.family]], ['c', '6', 'c6gn']);
  assert.equal(awsInstanceLabels({ name: 'g5.xlarge', vcpu: 4, memoryMiB: 16384, gpu: 1 })[AWS_LABEL.gpuCount], '1');
});

test('Azure SKU labels: Standard_D4s_v5 is family D, series Ds_v5, version 5', () => {
  const l = azureInstanceLabels({ name: 'Standard_D4s_v5', vcpu: 4, memoryMiB: 16384, gpu: 0 });
  assert.deepEqual([l['karpenter.azure.com/sku-family'], l['karpenter.azure.com/sku-series'], l['karpenter.azure.com/sku-version'], l['karpenter.azure.com/sku-cpu']], ['D', 'Ds_v5', '5', '4']);
});

test('m5.large: capacity memory less 7.5% VM overhead, allocatable less EKS kube-reserved and 100Mi eviction', () => {
  const it = karpenterInstanceType(findInstanceType('aws/m5.large')!, ['us-east-1a', 'us-east-1b']);
  // 8192 MiB - ceil(8192 × 0.075) = 8192 - 615 = 7577 MiB
  assert.equal(it.capacity.memoryBytes, 7577 * MiB);
  // kube-reserved: cpu 60m + 10m = 70m; memory 11 × 29 pods + 255 = 574 MiB
  assert.deepEqual(it.overhead.kubeReserved, { cpuMilli: 70, memoryBytes: 574 * MiB });
  assert.deepEqual(it.allocatable, { cpuMilli: 1930, memoryBytes: (7577 - 574 - 100) * MiB, pods: 29, gpu: 0 });
  // no spot price for AWS in the catalog: on-demand offerings only, one per zone
  assert.deepEqual(it.offerings, [
    { zone: 'us-east-1a', capacityType: 'on-demand', usdPerHour: 0.096 },
    { zone: 'us-east-1b', capacityType: 'on-demand', usdPerHour: 0.096 },
  ]);
});

test('a Graviton type loses 64 MiB before the overhead; kubelet maxPods changes pods but not the ENI-based reservation (AL2023)', () => {
  const t = findInstanceType('aws/m6g.large')!;
  const it = karpenterInstanceType(t, ['z'], { maxPods: 110 });
  assert.equal(it.capacity.memoryBytes, (8128 - Math.ceil(8128 * 0.075)) * MiB);
  assert.equal(it.capacity.pods, 110);
  assert.equal(it.overhead.kubeReserved.memoryBytes, (11 * 29 + 255) * MiB);
  const bottlerocket = karpenterInstanceType(t, ['z'], { maxPods: 110, amiFamily: 'Bottlerocket' });
  assert.equal(bottlerocket.overhead.kubeReserved.memoryBytes, (11 * 110 + 255) * MiB);
});

test('GCE offers spot at the catalog preemptible price', () => {
  const it = karpenterInstanceType(findInstanceType('gce/n1-standard-1')!, ['a']);
  assert.deepEqual(it.offerings.map((o) => [o.capacityType, o.usdPerHour]), [['on-demand', 0.0475], ['spot', 0.01]]);
});

test('menu of a general NodePool: categories c/m/r, generation > 5, spot or on-demand', () => {
  const menu = nodePoolMenu('aws', requirements(
    requirement(AWS_LABEL.category, 'In', ['c', 'm', 'r']),
    requirement(AWS_LABEL.generation, 'Gt', ['5']),
    requirement(LABEL_CAPACITY_TYPE, 'In', ['spot', 'on-demand']),
  ));
  // c6i/c7i/m6i/m7i/r6i/r7i (8 sizes each) + c6g/m6g/r6g (7) + m7g (7) = 48 + 28 = 76
  assert.equal(menu.entries.length, 76);
  assert.equal(menu.entries[0]!.type.name, 'c6g.large');
  assert.deepEqual(menu.zones, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  assert.equal(menu.spotWithoutPrice, true, 'spot allowed, no AWS spot price in the catalog');
  assert.ok(menu.entries.every((e) => e.offerings.length === 3));
});

test('menu: a zone requirement names the zones; arch and GPU count narrow; DoesNotExist keeps GPU types out', () => {
  const gpu = nodePoolMenu('aws', requirements(requirement(AWS_LABEL.gpuCount, 'Exists'), requirement(LABEL_ZONE, 'In', ['us-east-1b'])));
  assert.deepEqual(gpu.zones, ['us-east-1b']);
  assert.equal(gpu.entries.length, 16, 'g4dn (6) + g5 (7) + p3 (3)');
  const noGpu = nodePoolMenu('aws', requirements(requirement(AWS_LABEL.gpuCount, 'DoesNotExist'), requirement(LABEL_ARCH, 'In', ['arm64'])));
  assert.equal(noGpu.entries.length, 28, 'm6g, m7g, c6g, r6g: 7 sizes each');
});

test('menu: minValues short, and a well-known key capsim does not model', () => {
  const menu = nodePoolMenu('aws', requirements(
    requirement(LABEL_INSTANCE_TYPE, 'In', ['m5.large', 'm5.xlarge', 'x9.huge'], 3),
    requirement('karpenter.k8s.aws/instance-hypervisor', 'In', ['nitro']),
  ));
  assert.equal(menu.entries.length, 2);
  assert.deepEqual(menu.minValuesShort, [{ key: LABEL_INSTANCE_TYPE, minValues: 3, available: 2 }]);
  assert.deepEqual(menu.unmodelledKeys, ['karpenter.k8s.aws/instance-hypervisor']);
});
