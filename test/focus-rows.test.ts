// focus/focusRows.ts on hand-made node-hours: the split of one node-hour into its workloads' rows
// and its idle row, worked by hand; carbon from a CarbonOf; spot, commitments, a free node, an
// hour where bursting workloads were charged more than the node cost; and a property test over
// random node-hours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { CarbonOf, NodeCharge, WorkloadCharge } from '../src/cost/chargePeriod.ts';
import type { Node, NodeDiscount } from '../src/model/node.ts';
import { FOCUS_COLUMNS } from '../src/focus/columns.ts';
import { FocusRows, focusDecimal, focusTime, providerOfType, regionOfZone, type FocusCell } from '../src/focus/focusRows.ts';
import { FocusWriter, focusNumber } from '../src/focus/focusWriter.ts';
import { readParquetTable } from '../src/outputs/parquetTable.ts';
import { parseCsv, scratchDir } from './support/run.ts';
import { focusViolations } from './support/focusConformance.ts';

const HOUR = 3_600_000;
const START = Date.parse('2026-03-01T00:00:00Z');
const RUN = { scenario: 'hand', seed: 3, runId: '0123456789abcdef', startEpochMs: START };

function node(over: Partial<Node> & { discounts?: readonly NodeDiscount[] } = {}): Node {
  return {
    name: 'n1', pool: 'general', instanceType: 'aws/m5.xlarge', capacityType: 'on-demand', zone: 'us-east-1a',
    priceUsdPerHour: 0.192, removedMs: -1, ...over,
  } as unknown as Node;
}

function workload(ref: string, usd: number, coreHours = 1, gibHours = 2): WorkloadCharge {
  const [, namespace] = ref.split('/');
  return {
    ref, namespace, usd,
    cpuRequestedMilliMs: coreHours * 1000 * HOUR, cpuUsedMilliMs: 0,
    memoryRequestedByteMs: gibHours * 1024 ** 3 * HOUR, memoryUsedByteMs: 0,
  };
}

function charge(n: Node, prices: { list: number; contracted: number; effective: number }, workloads: WorkloadCharge[], aliveMs = HOUR, periodStartMs = 0): NodeCharge {
  return {
    node: n, periodStartMs, periodEndMs: periodStartMs + HOUR, aliveMs,
    listUsd: prices.list, contractedUsd: prices.contracted, effectiveUsd: prices.effective,
    cpuUsedMilliMs: 0, memoryUsedByteMs: 0, cpuRequestedMilliMs: 0, memoryRequestedByteMs: 0,
    rates: { usdPerCoreHour: 0.02, usdPerGbHour: 0.005 },
    workloads, allocatedUsd: workloads.reduce((s, w) => s + w.usd, 0),
  };
}

/** The rows FocusRows writes, by column name (null as null). */
function rowsOf(charges: NodeCharge[], carbonOf: CarbonOf | null = null): Record<string, FocusCell>[] {
  const rows: Record<string, FocusCell>[] = [];
  const focus = new FocusRows({ row: (cells) => rows.push(Object.fromEntries(FOCUS_COLUMNS.map((c, i) => [c.name, cells[i]]))) }, RUN, carbonOf);
  for (const c of charges) focus.nodeCharge(c);
  return rows;
}

test('a node-hour splits into a row per workload and an idle row, as worked by hand', () => {
  // m5.xlarge at $0.192/h list; a negotiated 10% makes $0.1728 contracted; a 20% Savings Plan
  // $0.13824 effective. Over a whole hour: api charged $0.05, web $0.03, idle $0.05824.
  const n = node({ listPriceUsdPerHour: 0.192, contractedPriceUsdPerHour: 0.1728, priceUsdPerHour: 0.13824, discounts: [{ name: 'edp', kind: 'negotiated', percent: 10 }, { name: 'sp-1y', kind: 'commitment', percent: 20 }] });
  const carbon: CarbonOf = () => ({ energyKwh: 0.1, operationalKgCo2e: 0.04, embodiedKgCo2e: 0.01, kgCo2e: 0.05, workloadKgCo2e: [0.02, 0.01], workloadEnergyKwh: [0.04, 0.02] });
  const rows = rowsOf([charge(n, { list: 0.192, contracted: 0.1728, effective: 0.13824 }, [workload('Deployment/shop/api', 0.05, 1.5, 4), workload('Deployment/shop/web', 0.03, 1, 2)])], carbon);
  assert.equal(rows.length, 3);
  const [api, web, idle] = rows;
  // api's share: 0.05 / 0.13824 = 0.3616898148 of the hour, of its list and contracted cost.
  assert.equal(api.PricingQuantity, 0.361689814815);
  assert.equal(api.ListCost, 0.0694444444444); // 0.192 x that share
  assert.equal(api.ContractedCost, 0.0625);
  assert.equal(api.EffectiveCost, 0.05);
  assert.equal(api.BilledCost, 0.05);
  assert.equal(api.ListUnitPrice, 0.192);
  assert.equal(api.ContractedUnitPrice, 0.1728);
  assert.equal(api.AllocatedResourceId, 'Deployment/shop/api');
  assert.equal(api.AllocatedResourceName, 'api');
  assert.deepEqual(JSON.parse(api.AllocatedTags as string), { 'capsim.io/kind': 'Deployment', 'capsim.io/namespace': 'shop', 'capsim.io/name': 'api' });
  // Its details: 1.5 core-hours at $0.02 ($0.03) and 4 GiB-hours at $0.005 ($0.02) of the node's $0.13824.
  const details = JSON.parse(api.AllocatedMethodDetails as string);
  assert.deepEqual(details.Elements.map((e: any) => [e.UsageUnit, e.UsageQuantity]), [['vCPU-Hours', 1.5], ['GiB-Hours', 4]]);
  assert.deepEqual(details.Elements.map((e: any) => e.AllocatedRatio), [0.217013888889, 0.144675925926]); // 0.03 / 0.13824, 0.02 / 0.13824
  assert.equal(web.EffectiveCost, 0.03);
  assert.equal(idle.AllocatedResourceId, null);
  assert.equal(idle.EffectiveCost, 0.05824);
  assert.equal(idle.PricingQuantity, 0.421296296296); // 0.05824 / 0.13824
  assert.deepEqual(JSON.parse(idle.AllocatedMethodDetails as string), { Elements: [{ AllocatedRatio: 0.421296296296 }] });
  // The commitment: Committed pricing, its id and name, the hours it covered.
  assert.equal(api.PricingCategory, 'Committed');
  assert.equal(api.CommitmentDiscountId, 'capsim/commitment/sp-1y');
  assert.equal(api.CommitmentDiscountName, 'sp-1y');
  assert.equal(api.CommitmentDiscountStatus, 'Used');
  assert.equal(api.CommitmentDiscountQuantity, api.PricingQuantity);
  // Carbon beside cost: each workload's share, the rest on the idle row (0.05 - 0.02 - 0.01 kg).
  assert.deepEqual([api.x_CapsimCarbonKgCo2e, web.x_CapsimCarbonKgCo2e, idle.x_CapsimCarbonKgCo2e], [0.02, 0.01, 0.02]);
  assert.deepEqual([api.x_CapsimEnergyKwh, web.x_CapsimEnergyKwh, idle.x_CapsimEnergyKwh], [0.04, 0.02, 0.04]);
  // AWS names, the region from the zone, the period and its month.
  assert.equal(api.ServiceProviderName, 'Amazon Web Services');
  assert.equal(api.ServiceName, 'Amazon Elastic Compute Cloud');
  assert.equal(api.RegionId, 'us-east-1');
  assert.equal(api.ChargePeriodStart, '2026-03-01T00:00:00Z');
  assert.equal(api.ChargePeriodEnd, '2026-03-01T01:00:00Z');
  assert.equal(api.BillingPeriodStart, '2026-03-01T00:00:00Z');
  assert.equal(api.BillingPeriodEnd, '2026-04-01T00:00:00Z');
  assert.equal(api.x_CapsimPool, 'general');
  assert.equal(api.x_CapsimNamespace, 'shop');
  assert.equal(idle.x_CapsimNamespace, null);
});

test('without a carbon model (or where it has no answer) the carbon columns are null, never 0', () => {
  const c = charge(node(), { list: 0.192, contracted: 0.192, effective: 0.192 }, [workload('Deployment/a/x', 0.1)]);
  for (const carbonOf of [null, (() => null) as CarbonOf]) {
    for (const row of rowsOf([c], carbonOf)) {
      assert.equal(row.x_CapsimCarbonKgCo2e, null);
      assert.equal(row.x_CapsimEnergyKwh, null);
    }
  }
});

test('spot is Dynamic; a node alive part of the hour is charged for that part; a free node is all idle', () => {
  const spot = rowsOf([charge(node({ capacityType: 'spot', discounts: [{ name: 'sp', kind: 'commitment', percent: 10 }] }), { list: 0.04, contracted: 0.04, effective: 0.036 }, [], HOUR / 4)]);
  assert.equal(spot[0].PricingCategory, 'Dynamic');
  assert.equal(spot[0].PricingQuantity, 0.25); // 15 minutes
  assert.equal(spot[0].ListUnitPrice, 0.16); // $0.04 for a quarter hour: $0.16/h
  const free = rowsOf([charge(node({ priceUsdPerHour: 0 }), { list: 0, contracted: 0, effective: 0 }, [workload('Deployment/a/x', 0)])]);
  assert.deepEqual(free.map((r) => [r.AllocatedResourceId, r.PricingQuantity, r.BilledCost]), [['Deployment/a/x', 0, 0], [null, 1, 0]]);
});

test('bursting workloads charged more than the node leave a negative idle row, and the hour still sums', () => {
  // OpenCost's idle is not clamped (cost/allocationWindows.ts): $0.10 of node, $0.12 charged.
  const rows = rowsOf([charge(node(), { list: 0.1, contracted: 0.1, effective: 0.1 }, [workload('Deployment/a/x', 0.07), workload('Deployment/a/y', 0.05)])]);
  assert.deepEqual(rows.map((r) => r.BilledCost), [0.07, 0.05, -0.02]);
  assert.equal(focusDecimal(rows.reduce((s, r) => s + (r.PricingQuantity as number), 0)), 1);
});

test('regions from zones, by each cloud\'s naming', () => {
  assert.equal(regionOfZone('us-east-1a', 'aws'), 'us-east-1');
  assert.equal(regionOfZone('eu-west-2c', 'aws'), 'eu-west-2');
  assert.equal(regionOfZone('us-central1-a', 'gce'), 'us-central1');
  assert.equal(regionOfZone('eastus-1', 'azure'), 'eastus');
  assert.equal(regionOfZone('zone-a', 'aws'), null);
  assert.equal(regionOfZone(null, 'gce'), null);
  assert.equal(regionOfZone('us-east-1a', undefined), null);
  // Karpenter's nodes and a Node manifest's label carry the bare type name: the catalog knows its cloud.
  assert.equal(providerOfType('m5.large'), 'aws');
  assert.equal(providerOfType('aws/m5.large'), 'aws');
  assert.equal(providerOfType('gcp/n2-standard-8'), 'gce');
  assert.equal(providerOfType('n2-standard-8'), 'gce');
  assert.equal(providerOfType('Standard_D4s_v5'), 'azure');
  assert.equal(providerOfType('custom-box'), undefined);
  assert.equal(providerOfType(null), undefined);
  assert.equal(focusTime(START + 90 * 60_000), '2026-03-01T01:30:00Z');
  assert.equal(focusDecimal(0.1 + 0.2), 0.3);
  assert.equal(focusDecimal(2 / 3_600_000), 5.55555555556e-7); // 2 ms in hours: 12 significant digits
  assert.equal(focusNumber(5.55555555556e-7), '5.55555555556E-7');
  assert.equal(focusNumber(1.5e21), '1.5E21');
  assert.equal(focusNumber(-0.25), '-0.25');
});

test('property: any node-hour\'s rows sum to it, their ratios to 1, and unit price x quantity = cost', () => {
  const arb = fc.record({
    list: fc.double({ min: 0, max: 50, noNaN: true }),
    contractedPct: fc.double({ min: 0, max: 1, noNaN: true }),
    effectivePct: fc.double({ min: 0, max: 1, noNaN: true }),
    aliveMs: fc.integer({ min: 1, max: HOUR }),
    shares: fc.array(fc.double({ min: 0, max: 0.6, noNaN: true }), { maxLength: 12 }),
    spot: fc.boolean(),
  });
  fc.assert(fc.property(arb, ({ list, contractedPct, effectivePct, aliveMs, shares, spot }) => {
    const contracted = list * contractedPct;
    const effective = contracted * effectivePct;
    // Each charged as the allocation does: its core-hours at $0.02 and GiB-hours at $0.005, half each.
    const ws = shares.map((s, i) => workload(`Deployment/ns${i % 3}/w${i}`, effective * s, (effective * s) / 2 / 0.02, (effective * s) / 2 / 0.005));
    const rows = rowsOf([charge(node({ capacityType: spot ? 'spot' : 'on-demand' }), { list, contracted, effective }, ws, aliveMs)]);
    assert.equal(rows.length, ws.length + 1);
    const total = (k: string) => rows.reduce((s, r) => s + (r[k] as number), 0);
    const tol = 1e-9 * rows.length + 1e-9 * list;
    assert.ok(Math.abs(total('BilledCost') - effective) <= tol, `billed ${total('BilledCost')} vs ${effective}`);
    if (effective > 0) {
      assert.ok(Math.abs(total('ListCost') - list) <= tol, 'list');
      assert.ok(Math.abs(total('PricingQuantity') - aliveMs / HOUR) <= 1e-9 * rows.length, 'hours');
    }
    for (const r of rows) {
      const q = r.PricingQuantity as number;
      assert.ok(Math.abs((r.ListUnitPrice as number) * q - (r.ListCost as number)) <= 1e-9 + 1e-9 * Math.abs(r.ListCost as number), 'list unit price x quantity');
    }
    const text = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : typeof v === 'number' ? focusNumber(v) : v])));
    assert.deepEqual(focusViolations(FOCUS_COLUMNS.map((c) => c.name), text), []);
  }), { numRuns: 300, seed: 19 });
});

test('the writer: CSV cells quoted and neutralised where needed; Parquet holds the same cells, null as null', async () => {
  const dir = scratchDir('capsim-focus-writer-');
  const odd = node({ name: 'n1', discounts: [{ name: '=1+1,"x"', kind: 'commitment', percent: 5 }] });
  const c = charge(odd, { list: 0.192, contracted: 0.192, effective: 0.1824 }, [workload('Deployment/shop/api', 0.05)]);
  for (const tables of ['csv', 'parquet'] as const) {
    const w = new FocusWriter(path.join(dir), RUN, null, tables);
    w.nodeCharge(c);
    await w.close();
  }
  const text = fs.readFileSync(path.join(dir, 'focus.csv'), 'utf8');
  const rows = parseCsv(text);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].CommitmentDiscountName, `'=1+1,"x"`); // a formula's first character is quoted for spreadsheets
  assert.equal(JSON.parse(rows[0].Tags)['capsim.io/pool'], 'general');
  const cells: string[][] = [];
  await readParquetTable(path.join(dir, 'focus.parquet'), (fields) => cells.push(fields));
  assert.deepEqual(cells[0], FOCUS_COLUMNS.map((col) => col.name));
  assert.deepEqual(cells.slice(1).map((r) => Object.fromEntries(r.map((v, i) => [cells[0][i], v]))), rows);
});
