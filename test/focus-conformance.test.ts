// focus.csv on real runs: every row against FOCUS 1.3's rules (support/focusConformance.ts), and
// the acceptance test: the rows sum to cost.totalUsd and the allocated rows to
// cost.allocatedUsd, to the cent; by namespace, pool and node they give summary.json's and
// nodes.csv's figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';
import { focusRunId } from '../src/focus/runId.ts';
import { parseCsv, scratchDir } from './support/run.ts';
import { focusViolations } from './support/focusConformance.ts';

interface FocusRun {
  summary: any;
  header: string[];
  rows: Record<string, string>[];
  nodes: Record<string, string>[];
  resolvedId: string;
  dir: string;
}

async function focusRun(file: string, set: string[] = [], seed?: number): Promise<FocusRun> {
  const scenario = await loadScenario(file, { set, seed });
  const dir = path.join(scratchDir('capsim-focus-'), 'run');
  await runScenario(scenario, { outDir: dir });
  const text = fs.readFileSync(path.join(dir, 'focus.csv'), 'utf8');
  return {
    summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
    header: text.slice(0, text.indexOf('\n')).split(','),
    rows: parseCsv(text),
    nodes: parseCsv(fs.readFileSync(path.join(dir, 'nodes.csv'), 'utf8')),
    resolvedId: focusRunId(scenario.resolved, scenario.seed),
    dir,
  };
}

const sum = (rows: Record<string, string>[], column = 'BilledCost') => rows.reduce((s, r) => s + Number(r[column]), 0);
const cents = (usd: number) => Math.round(usd * 100);
function sumBy(rows: Record<string, string>[], key: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r[key], (m.get(r[key]) ?? 0) + Number(r.BilledCost));
  return m;
}

test('fleet-cost: focus.csv conforms to FOCUS 1.3 and sums to cost.totalUsd and cost.allocatedUsd to the cent', async () => {
  const run = await focusRun('scenarios/fleet-cost.yaml');
  const { rows, summary } = run;
  assert.ok(rows.length > 1000, `${rows.length} rows`);
  assert.deepEqual(focusViolations(run.header, rows), []);
  // The bill, once: every row's BilledCost ($161.84 in this run: summary.json cost.totalUsd).
  assert.equal(cents(sum(rows)), cents(summary.cost.totalUsd));
  assert.ok(Math.abs(sum(rows) - summary.cost.totalUsd) < 1e-5);
  // What OpenCost's rule charged the workloads: the rows naming one.
  const allocated = rows.filter((r) => r.AllocatedResourceId !== '');
  assert.equal(cents(sum(allocated)), cents(summary.cost.allocatedUsd));
  assert.equal(cents(sum(rows.filter((r) => r.AllocatedResourceId === ''))), cents(summary.cost.idleUsd));
  // By namespace (cost.byNamespace), by workload (cost.byWorkload), by pool (cost.byPool).
  for (const [ns, usd] of Object.entries(summary.cost.byNamespace)) assert.equal(cents(sumBy(allocated, 'x_CapsimNamespace').get(ns) ?? 0), cents(usd as number), ns);
  for (const [ref, usd] of Object.entries(summary.cost.byWorkload)) assert.equal(cents(sumBy(allocated, 'AllocatedResourceId').get(ref) ?? 0), cents(usd as number), ref);
  for (const [pool, usd] of Object.entries(summary.cost.byPool)) assert.equal(cents(sumBy(rows, 'x_CapsimPool').get(pool) ?? 0), cents(usd as number), pool);
  // Each node's rows: its cost_usd in nodes.csv.
  const byNode = sumBy(rows, 'ResourceId');
  for (const n of run.nodes) assert.equal(cents(byNode.get(n.node) ?? 0), cents(Number(n.cost_usd)), n.node);
  // Node-hours: each origin charge's PricingQuantity sums to the hours the node existed in it (1 for a whole hour).
  const hours = new Map<string, number>();
  for (const r of rows) hours.set(`${r.ResourceId}|${r.ChargePeriodStart}`, (hours.get(`${r.ResourceId}|${r.ChargePeriodStart}`) ?? 0) + Number(r.PricingQuantity));
  for (const [key, h] of hours) assert.ok(h > 0 && h <= 1 + 1e-8, `${key}: ${h} hours`);
  assert.equal(Math.round(sum(rows, 'PricingQuantity')), Math.round(summary.nodes.nodeHours));
  // On-demand GCE n2-standard-8 in us-central1: list = contracted = effective, Standard.
  const first = rows[0];
  assert.equal(first.ServiceProviderName, 'Google Cloud');
  assert.equal(first.ServiceName, 'Compute Engine');
  assert.equal(first.RegionId, 'us-central1');
  assert.equal(first.SkuId, 'gce/n2-standard-8');
  assert.equal(first.PricingCategory, 'Standard');
  assert.equal(first.ListUnitPrice, '0.3885'); // the catalog's n2-standard-8 on-demand price per hour
  assert.equal(first.x_CapsimForecast, 'true');
  assert.equal(first.x_CapsimScenario, 'fleet-cost');
  assert.equal(first.x_CapsimSeed, '7');
  // Carbon beside cost: the rows' kg CO2e and kWh add up to summary.json's carbon figures.
  const carbonOf = (column: string) => rows.reduce((t, r) => t + Number(r[column]), 0);
  assert.ok(Math.abs(carbonOf('x_CapsimCarbonKgCo2e') - summary.carbon.kgCo2e) < 1e-6, `${carbonOf('x_CapsimCarbonKgCo2e')} kg vs ${summary.carbon.kgCo2e}`);
  assert.ok(Math.abs(carbonOf('x_CapsimEnergyKwh') - summary.carbon.energyKwh) < 1e-6, `${carbonOf('x_CapsimEnergyKwh')} kWh vs ${summary.carbon.energyKwh}`);
  // hourly.csv, the same node-hours summed by hour and pool, adds up to the same figures.
  const hourly = parseCsv(fs.readFileSync(path.join(run.dir, 'hourly.csv'), 'utf8'));
  assert.equal(hourly.length, 48); // 2 days x 1 pool that ran ("spot" stays at 0 nodes)
  assert.equal(cents(sum(hourly, 'cost_usd')), cents(summary.cost.totalUsd));
  assert.equal(cents(sum(hourly, 'allocated_usd')), cents(summary.cost.allocatedUsd));
  assert.ok(Math.abs(sum(hourly, 'kgco2e') - summary.carbon.kgCo2e) < 48 * 5e-7);
  // The run id: the same scenario and seed give the same id (focus/runId.ts).
  assert.ok(rows.every((r) => r.x_CapsimRunId === run.resolvedId));
});

test('all spot: rows are PricingCategory Dynamic and still sum to the run\'s cost', async () => {
  const run = await focusRun('scenarios/fleet-cost.yaml', ['spec.cluster.nodePools[0].capacityType=spot']);
  assert.deepEqual(focusViolations(run.header, run.rows), []);
  assert.ok(run.rows.every((r) => r.PricingCategory === 'Dynamic' && r.SkuPriceId.endsWith(':spot')));
  assert.equal(cents(sum(run.rows)), cents(run.summary.cost.totalUsd));
  assert.equal(cents(sum(run.rows.filter((r) => r.AllocatedResourceId !== ''))), cents(run.summary.cost.allocatedUsd));
});

test('Karpenter\'s nodes (a bare type name) are priced and named as their cloud\'s', async () => {
  const run = await focusRun('scenarios/karpenter-nodepools.yaml');
  assert.ok(run.rows.length > 0);
  for (const r of run.rows) {
    assert.equal(r.ServiceProviderName, 'Amazon Web Services', r.SkuId);
    assert.equal(r.RegionId, r.AvailabilityZone.replace(/[a-z]$/, ''));
  }
});

for (const file of ['scenarios/quickstart.yaml', 'scenarios/karpenter-nodepools.yaml', 'scenarios/e31-gpu-training-job.yaml', 'scenarios/vpa-leak.yaml', 'scenarios/e29-cluster-autoscaler.yaml']) {
  test(`${path.basename(file)}: focus.csv conforms and sums to the run's cost`, async () => {
    const run = await focusRun(file);
    assert.deepEqual(focusViolations(run.header, run.rows), []);
    assert.equal(cents(sum(run.rows)), cents(run.summary.cost.totalUsd));
    assert.equal(cents(sum(run.rows.filter((r) => r.AllocatedResourceId !== ''))), cents(run.summary.cost.allocatedUsd));
  });
}

test('x_CapsimRunId: the same input and seed give the same id, another seed another', async () => {
  const a = await loadScenario('scenarios/quickstart.yaml');
  const b = await loadScenario('scenarios/quickstart.yaml');
  const c = await loadScenario('scenarios/quickstart.yaml', { seed: a.seed + 1 });
  assert.equal(focusRunId(a.resolved, a.seed), focusRunId(b.resolved, b.seed));
  assert.notEqual(focusRunId(a.resolved, a.seed), focusRunId(c.resolved, c.seed));
  assert.match(focusRunId(a.resolved, a.seed), /^[0-9a-f]{16}$/);
});

test('the conformance checker finds a broken file (a test that could not fail would prove nothing)', async () => {
  const run = await focusRun('scenarios/e31-gpu-training-job.yaml');
  const broken = (edit: (rows: Record<string, string>[]) => void) => {
    const rows = run.rows.map((r) => ({ ...r }));
    edit(rows);
    return focusViolations(run.header, rows);
  };
  assert.match(broken((r) => (r[0].BilledCost = ''))[0], /BilledCost is null/);
  assert.match(broken((r) => (r[0].ChargePeriodStart = '2026-01-05T00:30:00Z'))[0], /not a clock hour/);
  assert.match(broken((r) => (r[0].PricingCategory = 'OnDemand'))[0], /not one of/);
  assert.match(broken((r) => (r[0].ListCost = String(Number(r[0].ListCost) + 1)))[0], /ListUnitPrice/);
  assert.match(broken((r) => (r[0].ChargePeriodEnd = '2026-01-05 01:00:00'))[0], /Date\/Time/);
  assert.ok(broken((r) => r.splice(r.findIndex((x) => x.AllocatedResourceId === ''), 1)).some((v) => /unallocated rows|AllocatedRatio sums/.test(v)));
  assert.match(focusViolations(['Cost', ...run.header.slice(1)], run.rows)[0], /header/);
});
