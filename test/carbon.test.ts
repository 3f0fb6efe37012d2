// Carbon (src/carbon/): the Cloud Carbon Footprint method's formulas against CCF's own unit tests,
// a node-hour worked by hand from the cited coefficients, its allocation to workloads like cost,
// the gaps that must be warned about (never a silent 0), spec.carbon overrides, and real runs.
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { computeKwh, co2e, embodiedCo2e, gigabyteHoursBeyondChip, memoryKwh, mixArchitectures, physicalChips } from '../src/carbon/ccfMethod.ts';
import { CarbonModel, catalogTypeOf, resolveProfile, zoneRegion } from '../src/carbon/carbonModel.ts';
import { CarbonAccount } from '../src/carbon/carbonAccount.ts';
import { PROVIDERS } from '../src/carbon/ccfCoefficients.ts';
import { HOSTS, familyOf } from '../src/carbon/ccfInstances.ts';
import { listInstanceTypes } from '../src/cost/catalog.ts';
import { nodeRatesOf } from '../src/cost/allocation.ts';
import type { NodeCharge, WorkloadCharge } from '../src/cost/chargePeriod.ts';
import type { CarbonSettings } from '../src/model/carbonSettings.ts';
import type { Node } from '../src/model/node.ts';
import type { Summary } from '../src/outputs/summary.ts';
import { LABEL_INSTANCE_TYPE } from '../src/model/api.ts';
import { makeNode } from './support/cluster.ts';
import { capsim, runFile, runYaml, writeScenario } from './support/run.ts';
import { csvRows } from './support/backtestDir.ts';
import { round } from '../src/outputs/format.ts';

const HOUR = 3_600_000;
const GI = 1024 ** 3;
const near = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} is not ${expected}`);

// cloud-carbon-footprint@b7a049c7: packages/core/src/{compute,memory,embodiedEmissions}/__tests__/*.test.ts,
// inputs and expected values as written there (co2e in metric tons, as CCF's factors are).
test('the formulas give the numbers of CCF\'s own unit tests, to the last digit', () => {
  // ComputeEstimator.test.ts "do estimates for AWS US East 1 region": 100 % of 1 vCPU-hour,
  // 0.71-3.46 W, PUE 1.135, replication 2, 0.000415755 t/kWh.
  const kwh = computeKwh(1.0, 1.0, 0.71, 3.46, 1.135, 2);
  assert.equal(kwh, 0.0016741249999999998);
  assert.equal(co2e(kwh, 0.000415755), 6.960258393749999e-7);
  // MemoryEstimator.test.ts: 90 GB-hours in us-central1 (PUE 1.11, replication 2, 0.000479) and
  // 80 GB-hours in us-east-1 (PUE 1.135, 0.000415755), at 0.000392 kWh/GB-hour.
  const gcp = memoryKwh(90, 0.000392, 1.11, 2);
  assert.equal(gcp, 0.0783216);
  assert.equal(co2e(gcp, 0.000479), 0.000037516046400000004);
  const aws = memoryKwh(80, 0.000392, 1.135);
  assert.equal(aws, 0.035593599999999996);
  assert.equal(co2e(aws, 0.000415755), 0.000014798217168);
  // EmbodiedEmissionsEstimator.test.ts: 24 h of 1 of 96 vCPUs of a 1.7957 t host over 35040 h.
  assert.equal(embodiedCo2e(24, 35040, 1, 96, 1.7957), 0.000012811786529680366);
  // helpers.test.ts: getPhysicalChips(300) = 4; calculateGigabyteHours(1, 1, 2, 0, 0) = 0 and
  // (1, 10, 5, 20, 20) = 200.
  assert.equal(physicalChips(300), 4);
  assert.equal(gigabyteHoursBeyondChip(1, 1, 2, 0, 0), 0);
  assert.equal(gigabyteHoursBeyondChip(1, 10, 5, 20, 20), 200);
});

test('several microarchitectures: the mean of their watts, the median when Sandy or Ivy Bridge is among them', () => {
  const aws = PROVIDERS.aws;
  const mix = mixArchitectures(['Skylake', 'Cascade Lake'], aws.architectures, aws.unknownArchitecture);
  near(mix.minWatts, (0.6129888539040325 + 0.6902978319127387) / 2);
  // n1 on GCE: Skylake, Broadwell, Haswell, Ivy Bridge, Sandy Bridge -> the median (Haswell's 1.857... is the middle min).
  const gce = PROVIDERS.gce;
  const n1 = mixArchitectures(HOSTS.gce['n1-standard'].architectures, gce.architectures, gce.unknownArchitecture);
  assert.equal(n1.minWatts, 1.7074305555555556); // sorted mins: 0.61, 0.71, 1.71 (Ivy), 1.86, 2.21 -> 1.707
  assert.deepEqual(mixArchitectures([], aws.architectures, aws.unknownArchitecture), aws.unknownArchitecture);
});

/** A node-hour of `node` with these workloads (cores and GiB held/used over the whole hour). */
function chargeOf(node: Node, workloads: { ref: string; cpuReq: number; cpuUse: number; memReq: number; memUse: number }[], aliveMs = HOUR): NodeCharge {
  const ws: WorkloadCharge[] = workloads.map((w) => ({
    ref: w.ref, namespace: w.ref.split('/')[1], usd: 0,
    cpuRequestedMilliMs: w.cpuReq * 1000 * aliveMs, cpuUsedMilliMs: w.cpuUse * 1000 * aliveMs,
    memoryRequestedByteMs: w.memReq * GI * aliveMs, memoryUsedByteMs: w.memUse * GI * aliveMs,
  }));
  const sum = (f: (w: WorkloadCharge) => number) => ws.reduce((s, w) => s + f(w), 0);
  return {
    node, periodStartMs: 0, periodEndMs: HOUR, aliveMs, listUsd: 0.192, contractedUsd: 0.192, effectiveUsd: 0.192,
    cpuUsedMilliMs: sum((w) => w.cpuUsedMilliMs), memoryUsedByteMs: sum((w) => w.memoryUsedByteMs),
    cpuRequestedMilliMs: sum((w) => w.cpuRequestedMilliMs), memoryRequestedByteMs: sum((w) => w.memoryRequestedByteMs),
    rates: nodeRatesOf(node), workloads: ws, allocatedUsd: 0,
  };
}

function typedNode(name: string, type: string, opts: { zone?: string; cpu?: number; memory?: string } = {}): Node {
  return makeNode({ name, cpu: opts.cpu ?? 4, memory: opts.memory ?? '16Gi', zone: opts.zone, labels: { [LABEL_INSTANCE_TYPE]: type } });
}

test('an hour of aws/m5.xlarge in us-east-1 at 50 % CPU, by hand from the cited coefficients, and its allocation', () => {
  const node = typedNode('m5', 'aws/m5.xlarge', { zone: 'us-east-1a' });
  // Workload a holds 1 core and 4 GiB (uses 0.5 core, 2 GiB); b holds 0.5 core and 1 GiB and uses
  // 1.5 cores: the node's CPU is 2 of 4 cores used, 50 %.
  const charge = chargeOf(node, [
    { ref: 'Deployment/shop/a', cpuReq: 1, cpuUse: 0.5, memReq: 4, memUse: 2 },
    { ref: 'Deployment/shop/b', cpuReq: 0.5, cpuUse: 1.5, memReq: 1, memUse: 1 },
  ]);
  const carbon = new CarbonModel().estimate(charge)!;
  // m5 = Skylake (ccf-coefficients data/aws-instances.csv, Xeon Platinum 8175M); Skylake on AWS
  // 0.6129888539040325-4.104170352960531 W/vCPU (output/coefficients-aws-use.csv); PUE 1.135.
  const cpuKwh = ((0.6129888539040325 + 0.5 * (4.104170352960531 - 0.6129888539040325)) * 4 * 1.135) / 1000;
  // Host: 96 vCPU, 384 GB (one chip); Skylake carries 75.09995781995782 GB/chip; m5.xlarge holds
  // 16/384 of the host: (384 - 75.1) / 24 = 12.87 GB beyond the chip, at 0.000392 kWh/GB-h x PUE.
  const memGb = (384 - 75.09995781995782) / (384 / 16);
  const memKwh = memGb * 0.000392 * 1.135;
  // us-east-1: SERC, 0.000379069 t/kWh (AwsFootprintEstimationConstants.ts, FootprintEstimationConstants.ts).
  const operational = (cpuKwh + memKwh) * 0.379069;
  // m5 host: 1610.79 kg (output/coefficients-aws-embodied.csv) over 35040 h, 4 of 96 vCPUs.
  const embodied = (1610.79 * (1 / 35040) * 4) / 96;
  near(carbon.energyKwh, 0.01643444334819691);
  near(carbon.energyKwh, cpuKwh + memKwh);
  near(carbon.operationalKgCo2e, operational);
  near(carbon.embodiedKgCo2e, embodied);
  near(carbon.kgCo2e, 0.00814520609916496);
  // a: max(1, 0.5) of 4 cores and max(4, 2) of 16 GiB: a quarter of each; its embodied share is
  // its cost share at OpenCost's default prices, a quarter too.
  near(carbon.workloadEnergyKwh[0], 0.25 * cpuKwh + 0.25 * memKwh);
  near(carbon.workloadKgCo2e[0], 0.25 * (cpuKwh + memKwh) * 0.379069 + 0.25 * embodied);
  // b: max(0.5, 1.5) = 1.5 of 4 cores, 1 of 16 GiB; cost share (1.5 x 0.031611 + 1 x 0.004237) / (4 x 0.031611 + 16 x 0.004237).
  const bShare = (1.5 * 0.031611 + 1 * 0.004237) / (4 * 0.031611 + 16 * 0.004237);
  near(carbon.workloadEnergyKwh[1], 0.375 * cpuKwh + 0.0625 * memKwh);
  near(carbon.workloadKgCo2e[1], (0.375 * cpuKwh + 0.0625 * memKwh) * 0.379069 + bShare * embodied);
});

test('half an hour counts half, and a node with nothing on it is all idle', () => {
  const node = typedNode('m5', 'aws/m5.xlarge', { zone: 'us-east-1a' });
  const full = new CarbonModel().estimate(chargeOf(node, []))!;
  const half = new CarbonModel().estimate(chargeOf(node, [], HOUR / 2))!;
  near(half.kgCo2e, full.kgCo2e / 2);
  // Idle (0 % CPU): min watts only.
  near(full.energyKwh, (0.6129888539040325 * 4 * 1.135) / 1000 + ((384 - 75.09995781995782) / 24) * 0.000392 * 1.135);
  assert.deepEqual(full.workloadKgCo2e, []);
});

test('GCE counts all of the instance\'s memory, at its region\'s PUE; the region comes from the zone', () => {
  // gce/n2-standard-8 in us-central1-a: Cascade Lake 0.6902978319127387-3.754854273784877 W (coefficients-gcp-use.csv),
  // PUE 1.11 (us-central1's trailing twelve months), 0.000456 t/kWh, 32 GB of memory, host 128 vCPU, 1888.46 kg.
  const node = typedNode('n2', 'gce/n2-standard-8', { zone: 'us-central1-a', cpu: 8, memory: '32Gi' });
  const carbon = new CarbonModel().estimate(chargeOf(node, [{ ref: 'Deployment/x/y', cpuReq: 2, cpuUse: 2, memReq: 8, memUse: 8 }]))!;
  const kwh = ((0.6902978319127387 + 0.25 * (3.754854273784877 - 0.6902978319127387)) * 8 * 1.11) / 1000 + 32 * 0.000392 * 1.11;
  near(carbon.energyKwh, kwh);
  near(carbon.kgCo2e, kwh * 0.456 + (1888.46 / 35040) * (8 / 128));
});

test('every catalog instance type has a CCF host row, and every row is one the catalog has', () => {
  const families = new Set<string>();
  for (const t of listInstanceTypes()) {
    const family = familyOf(t.provider, t.name);
    assert.ok(family && Object.hasOwn(HOSTS[t.provider], family), `${t.id}: no row in src/carbon/ccfInstances.ts`);
    families.add(`${t.provider}/${family}`);
  }
  for (const provider of ['aws', 'gce', 'azure'] as const) for (const family of Object.keys(HOSTS[provider])) assert.ok(families.has(`${provider}/${family}`), `${provider}/${family} is not in the catalog`);
  // Every named microarchitecture has watts in its provider's table.
  for (const provider of ['aws', 'gce', 'azure'] as const) {
    for (const [family, host] of Object.entries(HOSTS[provider])) for (const a of host.architectures) assert.ok(Object.hasOwn(PROVIDERS[provider].architectures, a), `${provider}/${family}: ${a}`);
  }
});

test('what the model lacks is a warning, never a silent 0: no type, unknown host, GPUs, default region', () => {
  const account = new CarbonAccount();
  const bare = makeNode({ name: 'bare' });
  const azure = typedNode('d4', 'azure/Standard_D4s_v5');
  const gpu = typedNode('g4', 'aws/g4dn.xlarge', { zone: 'us-east-1a' });
  const gce = typedNode('n1', 'gce/n1-standard-4');
  for (const node of [bare, azure, gpu, gce]) account.nodeCharge(chargeOf(node, []));
  // The bare node's hour is not in the figures and is counted apart.
  assert.equal(account.unestimatedNodeHours, 1);
  const codes = account.warnings().map((w) => `${w.code}: ${w.title}: ${w.objects.join(' ')}`);
  assert.deepEqual(codes, [
    'carbon-unknown: carbon not estimated: Node/-/bare',
    'carbon-approximate: embodied carbon unknown: Node/-/d4',
    'carbon-approximate: carbon from average watts: Node/-/d4',
    'carbon-approximate: GPU power at 50 % use: Node/-/g4',
    'carbon-approximate: carbon in the default region: Node/-/n1',
  ]);
  // Azure's Dsv5 uses CCF's Azure averages (0.74-3.54 W, MIN_WATTS_AVG / MAX_WATTS_AVG) in eastus (the catalog's region).
  const profile = resolveProfile(azure, {})!;
  assert.deepEqual([profile.watts.minWatts, profile.watts.maxWatts, profile.region, profile.embodiedKgPerHour, profile.memoryGb], [0.74, 3.54, 'eastus', 0, 0]);
  near(profile.intensityKgPerKwh, 0.379069); // EastUS: SERC
  // The GCE node without a zone: us-central1 (the default), flagged.
  assert.equal(resolveProfile(gce, {})!.region, 'us-central1');
  // A region not in CCF's table: CCF's 'Unknown' mean, flagged.
  const mars = typedNode('m', 'aws/m5.xlarge');
  mars.region = 'mars-north-1';
  const p = resolveProfile(mars, {})!;
  assert.deepEqual(p.gaps, ['unknown-region']);
  near(p.intensityKgPerKwh, 0.39278188);
});

test('GPUs: CCF\'s watts per GPU at its 50 % average utilization, charged to workloads by cost share', () => {
  // aws/g4dn.xlarge: 1 NVIDIA T4, 8-71 W (AwsFootprintEstimationConstants.ts), at 50 %: 39.5 W x PUE 1.135.
  const node = typedNode('g4', 'aws/g4dn.xlarge', { zone: 'us-east-1a', cpu: 4, memory: '16Gi' });
  const idle = new CarbonModel().estimate(chargeOf(node, []))!;
  const gpuKwh = ((8 + 0.5 * (71 - 8)) * 1 * 1.135) / 1000;
  // The rest as an m5-like host: Cascade Lake 0.6902978319127387 W at 0 % x 4 vCPU; 96 vCPU / 384 GB host (105.97 GB/chip).
  const cpuKwh = (0.6902978319127387 * 4 * 1.135) / 1000;
  const memKwh = ((384 - 105.972049689441) / (384 / 16)) * 0.000392 * 1.135;
  near(idle.energyKwh, cpuKwh + memKwh + gpuKwh);
  // A workload holding the whole node is charged all of it.
  const whole = new CarbonModel().estimate(chargeOf(node, [{ ref: 'Job/ml/train', cpuReq: 4, cpuUse: 0, memReq: 16, memUse: 0 }]))!;
  near(whole.workloadKgCo2e[0], whole.kgCo2e);
  near(whole.workloadEnergyKwh[0], whole.energyKwh);
});

test('a Karpenter node\'s bare type name ("c5.4xlarge") is the catalog type its provider has', async () => {
  assert.equal(catalogTypeOf('c5.4xlarge', {})?.id, 'aws/c5.4xlarge');
  assert.equal(catalogTypeOf('n2-standard-8', {})?.id, 'gce/n2-standard-8');
  assert.equal(catalogTypeOf('x9.huge', {}), undefined);
  // scenarios/karpenter-nodepools.yaml: every node Karpenter launched is estimated.
  const out = await runFile('scenarios/karpenter-nodepools.yaml');
  const c = (out.summary as Summary).carbon;
  assert.equal(c.unestimatedNodeHours, 0);
  assert.ok(c.kgCo2e > 0);
});

test('zones name their region where CCF knows it', () => {
  assert.equal(zoneRegion('aws', 'eu-west-1b'), 'eu-west-1');
  assert.equal(zoneRegion('gce', 'europe-west4-a'), 'europe-west4');
  assert.equal(zoneRegion('azure', 'westeurope-2'), 'westeurope');
  assert.equal(zoneRegion('aws', 'zone-1'), null);
  assert.equal(zoneRegion('aws', 'us-east-1'), null); // not a zone
});

test('spec.carbon overrides each coefficient', () => {
  const node = typedNode('m5', 'aws/m5.xlarge', { zone: 'us-east-1a' });
  const charge = chargeOf(node, []);
  const base = new CarbonModel().estimate(charge)!;
  const with_ = (s: CarbonSettings) => new CarbonModel(s).estimate(charge)!;
  near(with_({ gridIntensityGPerKwh: { 'us-east-1': 100 } }).operationalKgCo2e, base.energyKwh * 0.1);
  near(with_({ pue: 1.5 }).energyKwh, (base.energyKwh / 1.135) * 1.5);
  // 0 % CPU: min watts 2 x 4 vCPU.
  near(with_({ wattsPerVcpu: { min: 2, max: 10 } }).energyKwh, (2 * 4 * 1.135) / 1000 + ((384 - 75.09995781995782) / 24) * 0.000392 * 1.135);
  near(with_({ memoryKwhPerGbHour: 0 }).energyKwh, (0.6129888539040325 * 4 * 1.135) / 1000);
  near(with_({ serverLifespanHours: 35040 / 2 }).embodiedKgCo2e, base.embodiedKgCo2e * 2);
  near(with_({ embodiedKgCo2ePerHost: { 'aws/m5': 960 } }).embodiedKgCo2e, (960 / 35040) * (4 / 96));
  near(with_({ embodiedKgCo2ePerHost: { 'aws/m5.xlarge': 96, 'aws/m5': 960 } }).embodiedKgCo2e, (96 / 35040) * (4 / 96));
  // spec.carbon.region places a node nothing else places.
  const gce = typedNode('n1', 'gce/n1-standard-4');
  assert.deepEqual(resolveProfile(gce, { region: 'europe-west1' })!.gaps, []);
  near(resolveProfile(gce, { region: 'europe-west1' })!.pue, 1.09);
});

const RUN = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: carbon-run}
spec:
  duration: 3h
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 2, zones: [us-east-1a]}
      - {name: big, instanceType: aws/r5.2xlarge, count: 1, zones: [eu-west-1a]}
  workloads:
    - name: web
      namespace: shop
      replicas: 4
      containers:
        - {name: app, resources: {requests: {cpu: 500m, memory: 1Gi}}}
    - name: batch
      namespace: jobs
      replicas: 2
      containers:
        - {name: app, resources: {requests: {cpu: "1", memory: 4Gi}}}
`;

test('a run: summary.json carbon is the hand-computed figure, and adds up (pools, regions, workloads, idle)', async () => {
  const out = await runYaml(RUN);
  const c = (out.summary as Summary).carbon;
  const sum = (o: Record<string, number>) => Object.values(o).reduce((s, v) => s + v, 0);
  assert.ok(c.kgCo2e > 0 && c.energyKwh > 0);
  near(c.operationalKgCo2e + c.embodiedKgCo2e, c.kgCo2e, 1e-5);
  near(sum(c.byPool), c.kgCo2e, 1e-5);
  near(sum(c.byRegion), c.kgCo2e, 1e-5);
  near(sum(c.byWorkload), c.allocatedKgCo2e, 1e-5);
  near(sum(c.byNamespace), c.allocatedKgCo2e, 1e-5);
  near(c.allocatedKgCo2e + c.idleKgCo2e, c.kgCo2e, 1e-5);
  assert.deepEqual(Object.keys(c.byRegion), ['eu-west-1', 'us-east-1']);
  assert.deepEqual(Object.keys(c.byWorkload), ['Deployment/jobs/batch', 'Deployment/shop/web']);
  assert.deepEqual((out.summary as Summary).warnings?.filter((w) => w.code.startsWith('carbon')), []);
  // Pods use exactly their requests (no usage model): 4 cores busy for 3 h. m5 and r5 are both
  // Skylake (0.6129888539040325-4.104170352960531 W/vCPU), so the CPU energy does not depend on
  // where the pods run: min watts x 16 vCPUs + (max - min) x 4 busy cores, x 3 h x PUE 1.135.
  const [min, max] = [0.6129888539040325, 4.104170352960531];
  const cpuKwh = ((min * 16 + (max - min) * 4) * 3 * 1.135) / 1000;
  // Memory beyond the chip: m5.xlarge (384 - 75.1) / (384 / 16) GB each; r5.2xlarge (768 - 75.1) / (768 / 64).
  const gb = 2 * ((384 - 75.09995781995782) / 24) + (768 - 75.09995781995782) / 12;
  const memKwh = gb * 3 * 0.000392 * 1.135;
  near(c.energyKwh, cpuKwh + memKwh, 1e-6);
  // Embodied: m5 host 1610.79 kg, 4 of 96 vCPUs; r5 host 2143.79 kg, 8 of 96; 3 of 35040 hours.
  near(c.embodiedKgCo2e, (2 * 1610.79 * 4 / 96 + 2143.79 * 8 / 96) * 3 / 35040, 1e-6);
  // The eu-west-1 node at its CCF factor, 0.0002786 t/kWh, idle or not: bounded by its energy at 0 % and 100 % CPU.
  const r5Kwh = (u: number) => (((min + u * (max - min)) * 8 * 3 * 1.135) / 1000) + ((768 - 75.09995781995782) / 12) * 3 * 0.000392 * 1.135;
  const r5Embodied = (2143.79 * 8 / 96) * 3 / 35040;
  assert.ok(c.byRegion['eu-west-1'] >= r5Kwh(0) * 0.2786 + r5Embodied - 1e-6 && c.byRegion['eu-west-1'] <= r5Kwh(1) * 0.2786 + r5Embodied + 1e-6);
});

test('a scenario without instance types warns that its carbon is not estimated, in summary.json', async () => {
  const out = await runYaml(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: bare}
spec:
  duration: 1h
  cluster:
    nodePools:
      - {name: custom, capacity: {cpu: "4", memory: 16Gi, pods: 110}, price: {onDemandPerHour: 0.2}, count: 1}
`);
  assert.equal(out.summary.carbon.kgCo2e, 0);
  assert.equal(out.summary.carbon.unestimatedNodeHours, 1);
  assert.deepEqual((out.summary as Summary).warnings?.map((w) => [w.code, w.objects]), [['carbon-unknown', ['NodePool/-/custom']]]);
});

test('spec.carbon: a bad value is a clear error (file, field, hint), exit 2', () => {
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: bad-carbon}
spec:
  duration: 1h
  carbon:
    wattsPerVcpu: {min: 5, max: 2}
    pue: 0.5
`);
  const r = capsim('validate', file);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /spec\.carbon\.wattsPerVcpu\.max.*max \(2\) is below min \(5\)/s);
  assert.match(r.stderr, /spec\.carbon\.pue/);
});

test('a sweep: carbon.kgCo2e is a column, an --objective and a --constraint, and the figures are the hand-computed ones', () => {
  // Two aws/m5.xlarge for 2 h, 1 core busy; the same cost in both configurations, the grid
  // differs: us-east-1 (0.000379069 t/kWh) or eu-north-1 (0.0000088 t/kWh, AwsFootprintEstimationConstants.ts).
  const file = writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: carbon-sweep}
spec:
  duration: 2h
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 2}
  carbon: {region: us-east-1}
  workloads:
    - name: web
      replicas: 2
      containers:
        - {name: app, resources: {requests: {cpu: 500m, memory: 1Gi}}}
`);
  const out = path.join(path.dirname(file), 'sweep');
  const r = capsim('sweep', file, '--vary', 'spec.carbon.region=us-east-1,eu-north-1', '--objective', 'carbon.kgCo2e', '--constraint', 'carbon.kgCo2e<=0.01', '--parallel', '1', '--out', out, '--quiet', '--format', 'html');
  assert.equal(r.code, 0, r.stderr);
  const [min, max] = [0.6129888539040325, 4.104170352960531];
  const kwh = ((min * 8 + (max - min) * 1) * 2 * 1.135) / 1000 + 2 * ((384 - 75.09995781995782) / 24) * 2 * 0.000392 * 1.135;
  const embodied = (2 * 1610.79 * 2 * 4) / 35040 / 96;
  const rows = csvRows(path.join(out, 'sweep.csv'));
  assert.deepEqual(rows.map((row) => [row.config, Number(row['carbon.kgCo2e']), Number(row['cost.totalUsd'])]), [
    ['c001', round(kwh * 0.379069 + embodied, 6), 0.768],
    ['c002', round(kwh * 0.0088 + embodied, 6), 0.768],
  ]);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
  assert.equal(json.best.config, 'c002', 'the lower-carbon grid is the objective\'s best');
  assert.deepEqual(json.feasible, ['c002']);
  assert.deepEqual(json.constraints.map((c: { key: string; violatingRuns: number }) => [c.key, c.violatingRuns]), [['carbon.kgCo2e', 1]]);
  assert.ok(csvRows(path.join(out, 'sweep-summary.csv'))[0]['carbon.kgCo2e.mean'] !== undefined);
  assert.match(fs.readFileSync(path.join(out, 'sweep.html'), 'utf8'), /carbon\.kgCo2e mean/);
  // A misspelt carbon key is an input error with the closest figure.
  const bad = capsim('sweep', file, '--vary', 'spec.seed=1,2', '--objective', 'carbon.kgCO2e', '--out', path.join(out, 'bad'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /did you mean carbon\.kgCo2e/);
});

test('validate warns of carbon gaps before the run; the run\'s summary has each once, from the nodes it had', async () => {
  const yaml = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: gaps}
spec:
  duration: 1h
  cluster:
    nodePools:
      - {name: gce, instanceType: gce/n1-standard-4, count: 1}
      - {name: azure, instanceType: azure/Standard_D4s_v5, count: 1, zones: [eastus-1]}
`;
  const v = capsim('validate', writeScenario(yaml));
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /warning: embodied carbon unknown: .*spec\.carbon\.embodiedKgCo2ePerHost/);
  assert.match(v.stdout, /warning: carbon in the default region: /);
  const out = await runYaml(yaml);
  const carbon = (out.summary as Summary).warnings!.filter((w) => w.code.startsWith('carbon')).map((w) => `${w.title}: ${w.objects.join(' ')}`);
  assert.deepEqual(carbon, [
    'embodied carbon unknown: NodePool/-/azure',
    'carbon from average watts: NodePool/-/azure',
    'carbon in the default region: NodePool/-/gce',
  ]);
});

test('property: workloads that fit the node are charged between nothing and all of it; each share grows with what it holds', () => {
  const node = typedNode('m5', 'aws/m5.xlarge', { zone: 'us-east-1a' });
  const workload = fc.record({ cpuReq: fc.double({ min: 0, max: 1, noNaN: true }), cpuUse: fc.double({ min: 0, max: 1, noNaN: true }), memReq: fc.double({ min: 0, max: 4, noNaN: true }), memUse: fc.double({ min: 0, max: 4, noNaN: true }) });
  fc.assert(
    fc.property(fc.array(workload, { maxLength: 4 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (ws, alive) => {
      // At most 4 workloads of at most 1 core and 4 GiB each: never more than the node's 4 cores and 16 GiB.
      const charge = chargeOf(node, ws.map((w, i) => ({ ref: `Deployment/ns/w${i}`, ...w })), alive * HOUR);
      const c = new CarbonModel().estimate(charge)!;
      const allocated = c.workloadKgCo2e.reduce((s, v) => s + v, 0);
      assert.ok(allocated >= 0 && allocated <= c.kgCo2e * (1 + 1e-9), `${allocated} of ${c.kgCo2e}`);
      assert.ok(c.workloadEnergyKwh.reduce((s, v) => s + v, 0) <= c.energyKwh * (1 + 1e-9));
      near(c.kgCo2e, c.operationalKgCo2e + c.embodiedKgCo2e);
      ws.forEach((w, i) => ws.forEach((v, j) => {
        if (Math.max(w.cpuReq, w.cpuUse) >= Math.max(v.cpuReq, v.cpuUse) && Math.max(w.memReq, w.memUse) >= Math.max(v.memReq, v.memUse)) {
          assert.ok(c.workloadKgCo2e[i] >= c.workloadKgCo2e[j] * (1 - 1e-9));
        }
      }));
    }),
    { numRuns: 300, seed: 19 },
  );
});
