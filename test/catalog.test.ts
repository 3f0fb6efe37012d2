// The built-in instance catalog (src/cost/catalogData.ts, generated from the shared price table),
// the providers' reserved-resources formulas (src/cloud/reservedResources.ts) with hand-computed
// numbers, their use as a catalog pool's default kubeReserved, and `capsim catalog`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findInstanceType, listInstanceTypes } from '../src/cost/catalog.ts';
import { aksReserved, allocatableUnder, eksReserved, gkeReserved } from '../src/cloud/reservedResources.ts';
import { allocatableOf } from '../src/cloud/cloudProvider.ts';
import { readInstanceTypesCsv, renderCatalogData } from '../scripts/build-catalog.ts';
import { capsim, parseCsv, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { parse as parseYaml } from 'yaml';

const MiB = 1024 * 1024;
const CSV = new URL('../../shared/data/prices/instance-types.csv', import.meta.url);
const NO_CSV = existsSync(CSV) ? false : `${fileURLToPath(CSV)} is absent (the shared price table lives next to the repository)`;

/** Allocatable of a catalog type under its provider's formula, in millicores and MiB. */
function allocatable(id: string): { cpuMilli: number; memoryMiB: number } {
  const t = findInstanceType(id)!;
  const a = allocatableUnder(t.provider, { cpuMilli: t.vcpu * 1000, memoryBytes: t.memoryMiB * MiB, maxPods: t.maxPods });
  return { cpuMilli: a.cpuMilli, memoryMiB: a.memoryBytes / MiB };
}

// --- catalog data ----------------------------------------------------------------------------

test('every catalog row equals the shared instance-types.csv', { skip: NO_CSV }, () => {
  // An independent reading of the CSV (no quoted fields): the facts, column by column.
  const lines = readFileSync(CSV, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell])));
  const types = listInstanceTypes();
  assert.equal(types.length, rows.length);
  rows.forEach((row, i) => {
    const t = types[i];
    assert.deepEqual(
      [t.provider, t.region, t.name, t.vcpu, t.memoryMiB, t.maxPods, t.gpu, t.arch, t.onDemandUsdPerHour, t.spotUsdPerHour, t.source, t.priceDate],
      [row.provider, row.region, row.instance_type, Number(row.vcpu), Number(row.memory_mib), Number(row.max_pods), Number(row.gpu), row.arch,
        Number(row.on_demand_usd_per_hour), row.spot_usd_per_hour === '' ? null : Number(row.spot_usd_per_hour), row.price_source, row.price_date],
      `row ${i + 2} (${row.provider}/${row.instance_type})`,
    );
  });
  const count = (p: string) => types.filter((t) => t.provider === p).length;
  assert.deepEqual([count('aws'), count('azure'), count('gce')], [122, 23, 82]);
});

test('src/cost/catalogData.ts is what scripts/build-catalog.ts generates', { skip: NO_CSV }, () => {
  const generated = renderCatalogData(readInstanceTypesCsv(readFileSync(CSV, 'utf8')), 'shared/data/prices/instance-types.csv');
  assert.equal(readFileSync(new URL('../src/cost/catalogData.ts', import.meta.url), 'utf8'), generated, 'run: npx tsx scripts/build-catalog.ts');
});

test('catalog spot checks, by hand from the README table (shared/data/prices/README.md §5)', () => {
  const m5 = findInstanceType('aws/m5.large')!;
  assert.deepEqual([m5.vcpu, m5.memoryMiB, m5.maxPods, m5.onDemandUsdPerHour, m5.spotUsdPerHour, m5.region], [2, 8192, 29, 0.096, null, 'us-east-1']);
  assert.match(m5.source, /karpenter-provider-aws@1d927085/);
  const n2 = findInstanceType('gcp/n2-standard-8')!; // gcp is accepted for gce
  assert.deepEqual([n2.id, n2.onDemandUsdPerHour, n2.spotUsdPerHour, n2.region], ['gce/n2-standard-8', 0.3885, 0.094, '']);
  const f16 = findInstanceType('azure/standard_f16s_v2')!; // case-insensitive
  assert.deepEqual([f16.id, f16.vcpu, f16.memoryMiB, f16.onDemandUsdPerHour, f16.region], ['azure/Standard_F16s_v2', 16, 32768, 0.677, 'eastus']);
  assert.equal(findInstanceType('aws/m7g.large')!.arch, 'arm64');
  assert.equal(findInstanceType('aws/g5.12xlarge')!.gpu, 4);
  assert.equal(findInstanceType('gce/n2-highmem-128')!.memoryMiB, 864 * 1024);
  assert.equal(findInstanceType('aws/m5.xlarg'), undefined);
  assert.equal(findInstanceType('m5.xlarge'), undefined);
});

// --- reserved-resources formulas --------------------------------------------------------------

test('EKS: 6/1/0.5/0.25% of cores and 11 MiB x maxPods + 255 MiB (amazon-eks-ami nodeadm)', () => {
  // aws/m5.xlarge: 4 vCPU, 16384 MiB, 58 pods. cpu 60 + 10 + 5 + 5 = 80m; memory 11 x 58 + 255 = 893 MiB.
  assert.deepEqual(eksReserved({ cpuMilli: 4000, memoryBytes: 16384 * MiB, maxPods: 58 }), { kubeReserved: { cpuMilli: 80, memoryBytes: 893 * MiB }, evictionHardMemoryAvailable: '100Mi' });
  // allocatable: 4000 - 80 = 3920m; 16384 - 893 - 100 = 15391 MiB.
  assert.deepEqual(allocatable('aws/m5.xlarge'), { cpuMilli: 3920, memoryMiB: 15391 });
  // aws/m5.large: 2 vCPU, 29 pods: 60 + 10 = 70m; 11 x 29 + 255 = 574 MiB -> 8192 - 574 - 100 = 7518.
  assert.deepEqual(allocatable('aws/m5.large'), { cpuMilli: 1930, memoryMiB: 7518 });
  // aws/m5.4xlarge: 16 vCPU, 234 pods: 60 + 10 + 10 + 0.25% x 12000 = 110m; 11 x 234 + 255 = 2829 MiB.
  assert.deepEqual(allocatable('aws/m5.4xlarge'), { cpuMilli: 15890, memoryMiB: 65536 - 2829 - 100 });
  // Each tier's share is truncated, as Go's integer division in getResourceToReserveInRange: 5 cores
  // give 60 + 10 + 10 + floor(2.5) = 82m.
  assert.equal(eksReserved({ cpuMilli: 5000, memoryBytes: 0, maxPods: 0 }).kubeReserved.cpuMilli, 82);
});

test('GKE: 25/20/10/6/2% memory tiers, 255 MiB under 1 GiB, the 6/1/0.5/0.25% core table (GKE docs)', () => {
  // gce/n2-standard-8: 8 vCPU, 32768 MiB. cpu 60 + 10 + 10 + 0.25% x 4000 = 90m.
  // memory 25% x 4096 = 1024, 20% x 4096 = 819.2 -> 819, 10% x 8192 = 819.2 -> 819,
  // 6% x 16384 = 983.04 -> 983: 3645 MiB; allocatable 32768 - 3645 - 100 = 29023 MiB.
  assert.deepEqual(gkeReserved({ cpuMilli: 8000, memoryBytes: 32768 * MiB, maxPods: 110 }).kubeReserved, { cpuMilli: 90, memoryBytes: 3645 * MiB });
  assert.deepEqual(allocatable('gce/n2-standard-8'), { cpuMilli: 7910, memoryMiB: 29023 });
  // gce/n2-highmem-32: 32 vCPU, 262144 MiB (above 128 GiB). cpu 60 + 10 + 10 + 70 = 150m.
  // memory 1024 + 819 + 819 + 6% x 114688 = 6881.28 -> 6881, + 2% x 131072 = 2621.44 -> 2621: 12164 MiB.
  assert.deepEqual(allocatable('gce/n2-highmem-32'), { cpuMilli: 31850, memoryMiB: 262144 - 12164 - 100 });
  // gce/n1-highcpu-2: 1843 MiB: 25% = 460.75 -> 460 MiB.
  assert.deepEqual(allocatable('gce/n1-highcpu-2'), { cpuMilli: 1930, memoryMiB: 1843 - 460 - 100 });
  // Under 1 GiB: a flat 255 MiB.
  assert.equal(gkeReserved({ cpuMilli: 1000, memoryBytes: 614 * MiB, maxPods: 110 }).kubeReserved.memoryBytes, 255 * MiB);
});

test('AKS 1.29+: min(20 MiB x maxPods + 50 MiB, 25% of memory); the AKS core table (AKS docs)', () => {
  // The documented cpu table: 1/2/4/8/16/32/64 cores -> 60/100/140/180/260/420/740m.
  const cpu = (cores: number) => aksReserved({ cpuMilli: cores * 1000, memoryBytes: 8192 * MiB, maxPods: 110 }).kubeReserved.cpuMilli;
  assert.deepEqual([1, 2, 4, 8, 16, 32, 64].map(cpu), [60, 100, 140, 180, 260, 420, 740]);
  // The documented memory examples: 30 pods -> 20 x 30 + 50 = 650 MiB; 4 GiB with 70 pods ->
  // 25% x 4096 = 1024 MiB, less than 20 x 70 + 50 = 1450.
  assert.equal(aksReserved({ cpuMilli: 2000, memoryBytes: 8192 * MiB, maxPods: 30 }).kubeReserved.memoryBytes, 650 * MiB);
  assert.equal(aksReserved({ cpuMilli: 2000, memoryBytes: 4096 * MiB, maxPods: 70 }).kubeReserved.memoryBytes, 1024 * MiB);
  // azure/Standard_D4s_v5: 4 vCPU, 16384 MiB, 110 pods: 140m; min(2250, 4096) = 2250 MiB;
  // allocatable 4000 - 140 = 3860m, 16384 - 2250 - 100 = 14034 MiB.
  assert.deepEqual(allocatable('azure/Standard_D4s_v5'), { cpuMilli: 3860, memoryMiB: 14034 });
  // azure/Standard_D2s_v5: 8192 MiB: 25% = 2048 < 2250, so 2048 MiB; cpu 100m.
  assert.deepEqual(allocatable('azure/Standard_D2s_v5'), { cpuMilli: 1900, memoryMiB: 8192 - 2048 - 100 });
  // azure/Standard_E20s_v5 (20 cores, between the table's 16 and 32): 260 + 4 x 10 = 300m.
  assert.equal(allocatable('azure/Standard_E20s_v5').cpuMilli, 20000 - 300);
});

// --- pools ------------------------------------------------------------------------------------

const POOLS = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: reserved}
spec:
  cluster:
    nodePools:
      - {name: eks, instanceType: aws/m5.xlarge}
      - {name: gke, instanceType: gcp/n2-standard-8, evictionHard: {memory.available: 5%}}
      - {name: aks, instanceType: azure/Standard_D4s_v5}
      - {name: pinned, instanceType: aws/m5.xlarge, kubeReserved: {}}
      - {name: explicit, capacity: {cpu: "4", memory: 16Gi}, price: {onDemandPerHour: 0.2}}
`;

test('a catalog pool reserves by its provider\'s formula; kubeReserved: {} and explicit capacity reserve nothing', async () => {
  const s = await loadScenario(writeScenario(POOLS));
  const [eks, gke, aks, pinned, explicit] = s.cluster.nodePools;
  assert.deepEqual(eks.kubeReserved, { cpu: 80, memory: 893 * MiB });
  assert.deepEqual(allocatableOf(eks), { cpu: 3920, memory: 15391 * MiB, pods: 58 });
  // GKE formula, with the pool's own evictionHard: 5% of 32 GiB = 1638.4 MiB, floored to bytes.
  assert.deepEqual(gke.kubeReserved, { cpu: 90, memory: 3645 * MiB });
  assert.equal(gke.evictionHardMemoryBytes, Math.floor(32768 * MiB * 0.05));
  assert.deepEqual(allocatableOf(aks), { cpu: 3860, memory: 14034 * MiB, pods: 110 });
  assert.deepEqual(pinned.kubeReserved, {});
  assert.deepEqual(allocatableOf(pinned), { cpu: 4000, memory: 16384 * MiB - 100 * MiB, pods: 58 });
  assert.deepEqual(explicit.kubeReserved, {});
  assert.equal(explicit.evictionHardMemoryBytes, 100 * MiB);

  // The resolved document shows what was computed, so a rerun of it is exact.
  const pools = (s.resolved.spec as any).cluster.nodePools;
  assert.deepEqual(pools[0].kubeReserved, { cpu: '80m', memory: '893Mi' });
  assert.deepEqual(pools[0].evictionHard, { 'memory.available': '100Mi' });
  assert.deepEqual(pools[1].evictionHard, { 'memory.available': '5%' });
  assert.deepEqual(pools[3].kubeReserved, {});
  assert.deepEqual(pools[4].kubeReserved, {});
});

test('--set reaches capacity, price and kubeReserved of a catalog pool', async () => {
  const file = writeScenario(POOLS);
  const s = await loadScenario(file, {
    set: ['spec.cluster.nodePools[0].capacity.cpu=8', 'spec.cluster.nodePools[0].price.onDemandPerHour=0.5', 'spec.cluster.nodePools[2].kubeReserved.memory=1Gi'],
  });
  const [eks, , aks] = s.cluster.nodePools;
  // 8 cores of an m5.xlarge: the formula follows the capacity: 60 + 10 + 10 + 10 = 90m.
  assert.deepEqual(eks.capacity, { cpu: 8000, memory: 16384 * MiB, pods: 58 });
  assert.deepEqual(eks.kubeReserved, { cpu: 90, memory: 893 * MiB });
  assert.equal(eks.priceUsdPerHour, 0.5);
  // `capacity` is a field of the format, not a misspelling of the `capacityType` written beside it.
  const spot = await loadScenario('test/fixtures/scenario/full.yaml', { set: ['spec.cluster.nodePools[1].capacity.cpu=8'] });
  assert.equal(spot.cluster.nodePools[1].capacity.cpu, 8000);
  // A kubeReserved given replaces the formula as a whole.
  assert.deepEqual(aks.kubeReserved, { memory: 1024 * MiB });
  assert.deepEqual(allocatableOf(aks), { cpu: 4000, memory: 16384 * MiB - 1024 * MiB - 100 * MiB, pods: 110 });
});

// --- capsim catalog ---------------------------------------------------------------------------

test('capsim catalog: table with allocatable columns and a footer naming the sources', () => {
  const r = capsim('catalog', '--provider', 'aws', '--filter', 'm5.xlarge');
  assert.equal(r.code, 0);
  // kubectl's look (cli-table3, no borders), numbers right-aligned under their header.
  assert.equal(r.stdout.split('\n').slice(0, 2).join('\n'), [
    'id             vcpu  memory  max pods  gpu  arch   on-demand  spot  alloc cpu  alloc memory  price date',
    'aws/m5.xlarge     4    16Gi        58    0  amd64   $0.192/h     -      3920m       15391Mi  2026-07-20',
  ].join('\n'));
  assert.match(r.stdout, /1 type\(s\)\./);
  assert.match(r.stdout, /shared\/data\/prices\/README\.md/);
  assert.match(r.stdout, /src\/cloud\/reservedResources\.ts/);
});

test('capsim catalog -o csv, json and yaml: one record per type, gcp accepted for gce', () => {
  const csv = capsim('catalog', '--provider', 'gcp', '-o', 'csv');
  assert.equal(csv.code, 0);
  const rows = parseCsv(csv.stdout);
  assert.equal(rows.length, 82);
  const n2 = rows.find((r) => r.id === 'gce/n2-standard-8')!;
  assert.deepEqual(
    [n2.onDemandUsdPerHour, n2.spotUsdPerHour, n2.allocatableCpuMilli, n2.allocatableMemoryMiB, n2.reservedBy, n2.region],
    ['0.3885', '0.094', '7910', '29023', 'GKE', ''],
  );
  const json = capsim('catalog', '--filter', 'Standard_F16s_v2', '--output', 'json');
  assert.equal(json.code, 0);
  const [f16] = JSON.parse(json.stdout);
  assert.equal(f16.id, 'azure/Standard_F16s_v2');
  assert.equal(f16.onDemandUsdPerHour, 0.677);
  assert.equal(f16.spotUsdPerHour, null);
  // AKS: 16 cores -> 260m; min(20 x 110 + 50, 25% x 32768) = 2250 MiB.
  assert.equal(f16.allocatableCpuMilli, 16000 - 260);
  assert.equal(f16.allocatableMemoryMiB, 32768 - 2250 - 100);
  assert.match(f16.source, /karpenter-provider-azure@352646f5/);
  const yaml = capsim('catalog', '--filter', 'Standard_F16s_v2', '-o', 'yaml');
  assert.deepEqual(parseYaml(yaml.stdout), JSON.parse(json.stdout));
  assert.equal(capsim('catalog', '-o', 'xml').code, 2);
  // --format names report files (run, compare, sweep): catalog's old --format says where it went.
  const old = capsim('catalog', '--format', 'json');
  assert.equal(old.code, 2);
  assert.match(old.stderr, /--format: names the report files of run, compare and sweep; catalog writes none\n\s+hint: print the catalog with -o table\|json\|yaml\|csv \(e\.g\. -o json\)/);
});
