// Checks FOCUS rows against the spec's rules (FOCUS 1.3 Cost and Usage columns, as
// src/focus/columns.ts lists them with their spec files), returning every violation found:
// column names, types, nullability, allowed values, the charge period's alignment to the hour,
// the unit price rules, the commitment columns' conditions, and the split cost allocation rules
// (allocated charges' ratios summing to 1, their dimensions and unit prices matching across the
// origin charge).
import { FOCUS_COLUMNS, ALLOCATION_METHOD_ID } from '../../src/focus/columns.ts';

type Row = Record<string, string>;

/** numeric_format.md: an integer, a decimal or E notation; no sign on positives, no exponent '+'. */
const DECIMAL = /^-?(\d+)(\.\d+)?(E-?\d+)?$/;
/** datetime_format.md: 'YYYY-MM-DDTHH:mm:ssZ'. */
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** custom_columns.md: x_ then PascalCase. */
const CUSTOM = /^x_[A-Z][A-Za-z0-9]*$/;
const HOUR_MS = 3_600_000;

export function focusViolations(header: readonly string[], rows: readonly Row[], limit = 20): string[] {
  const out: string[] = [];
  const bad = (message: string) => {
    if (out.length < limit) out.push(message);
  };
  const expected = FOCUS_COLUMNS.map((c) => c.name);
  if (header.join(',') !== expected.join(',')) bad(`header is not the FOCUS columns: ${header.join(',')}`);
  for (const name of header) if (name.startsWith('x_') ? !CUSTOM.test(name) : !/^[A-Z][A-Za-z]*$/.test(name)) bad(`column name ${name}: not PascalCase or x_PascalCase`);

  rows.forEach((row, i) => {
    const at = `row ${i + 2}`;
    for (const c of FOCUS_COLUMNS) {
      const v = row[c.name];
      if (v === undefined) {
        bad(`${at}: no ${c.name}`);
        continue;
      }
      if (v === '') {
        if (!c.nullable) bad(`${at}: ${c.name} is null (${c.spec}: "Allows nulls" False)`);
        continue;
      }
      if (c.type === 'Decimal' && !DECIMAL.test(v)) bad(`${at}: ${c.name} = ${v} is not a FOCUS Decimal`);
      if (c.type === 'DateTime' && !DATETIME.test(v)) bad(`${at}: ${c.name} = ${v} is not a FOCUS Date/Time`);
      if (c.type === 'JSON') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(v);
        } catch {
          bad(`${at}: ${c.name} is not JSON: ${v}`);
          continue;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) bad(`${at}: ${c.name} is not a JSON object`);
        // key_value_format.md: Tags and AllocatedTags hold flat values.
        if ((c.name === 'Tags' || c.name === 'AllocatedTags') && Object.values(parsed as object).some((x) => x !== null && typeof x === 'object')) bad(`${at}: ${c.name} holds an object or array value`);
      }
      if (c.allowed && !c.allowed.includes(v)) bad(`${at}: ${c.name} = ${v}, not one of ${c.allowed.join(', ')}`);
    }
    // chargeperiodstart.md / chargeperiodend.md: a clock hour [start, end).
    const start = Date.parse(row.ChargePeriodStart);
    const end = Date.parse(row.ChargePeriodEnd);
    if (start % HOUR_MS !== 0 || end - start !== HOUR_MS) bad(`${at}: charge period ${row.ChargePeriodStart}..${row.ChargePeriodEnd} is not a clock hour`);
    const billingStart = Date.parse(row.BillingPeriodStart);
    const billingEnd = Date.parse(row.BillingPeriodEnd);
    if (!(billingStart <= start && end <= billingEnd) || new Date(billingStart).getUTCDate() !== 1) bad(`${at}: billing period ${row.BillingPeriodStart}..${row.BillingPeriodEnd} does not hold the charge period`);
    // Usage rows (chargecategory.md): PricingCategory, PricingQuantity, the unit prices and SkuPriceId not null; ConsumedQuantity too (consumedquantity.md).
    if (row.ChargeCategory === 'Usage') {
      for (const name of ['PricingCategory', 'PricingQuantity', 'PricingUnit', 'ListUnitPrice', 'ContractedUnitPrice', 'SkuPriceId', 'ConsumedQuantity', 'ConsumedUnit']) if (row[name] === '') bad(`${at}: ${name} is null on a Usage row`);
    }
    // listunitprice.md, contractedunitprice.md: unit price x PricingQuantity = cost; unit prices not negative.
    const quantity = Number(row.PricingQuantity);
    for (const [unit, cost] of [['ListUnitPrice', 'ListCost'], ['ContractedUnitPrice', 'ContractedCost']] as const) {
      const price = Number(row[unit]);
      if (price < 0) bad(`${at}: ${unit} is negative`);
      if (Math.abs(price * quantity - Number(row[cost])) > 1e-8 + 1e-8 * Math.abs(Number(row[cost]))) bad(`${at}: ${unit} ${price} x PricingQuantity ${quantity} != ${cost} ${row[cost]}`);
    }
    // billedcost.md / effectivecost.md: capsim charges what the cloud would, no invoice-time differences.
    if (row.BilledCost !== row.EffectiveCost) bad(`${at}: BilledCost ${row.BilledCost} != EffectiveCost ${row.EffectiveCost}`);
    // ContractedCost <= ListCost, EffectiveCost <= ContractedCost (discounts only lower a price), for positive shares.
    if (Number(row.BilledCost) > 0 && (Number(row.ContractedCost) > Number(row.ListCost) + 1e-9 || Number(row.EffectiveCost) > Number(row.ContractedCost) + 1e-9)) bad(`${at}: costs not list >= contracted >= effective`);
    // commitmentdiscount*.md: all null together, all set together on Usage rows; unit null iff quantity null.
    const commitment = ['CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountCategory', 'CommitmentDiscountType', 'CommitmentDiscountStatus', 'CommitmentDiscountQuantity', 'CommitmentDiscountUnit'].map((n) => row[n] === '');
    if (!commitment.every((x) => x === commitment[0])) bad(`${at}: commitment discount columns partly null`);
    if (row.CommitmentDiscountId !== '' && row.PricingCategory !== 'Committed' && row.PricingCategory !== 'Dynamic') bad(`${at}: a commitment discount's row is ${row.PricingCategory}, not Committed`);
    // regionname.md: null exactly when RegionId is.
    if ((row.RegionId === '') !== (row.RegionName === '')) bad(`${at}: RegionId and RegionName not null together`);
    // allocatedmethodid.md, allocatedresourceid.md, allocatedtags.md: every row is part of the split;
    // the unallocated row has no resource, name or tags.
    if (row.AllocatedMethodId !== ALLOCATION_METHOD_ID) bad(`${at}: AllocatedMethodId ${row.AllocatedMethodId}`);
    const idle = row.AllocatedResourceId === '';
    if (idle !== (row.AllocatedResourceName === '') || idle !== (row.AllocatedTags === '')) bad(`${at}: AllocatedResourceId, AllocatedResourceName and AllocatedTags not null together`);
    if (!idle && row.Tags !== '') {
      const tags = JSON.parse(row.Tags);
      for (const key of Object.keys(JSON.parse(row.AllocatedTags))) if (key in tags) bad(`${at}: AllocatedTags repeats the Tags key ${key}`);
    }
  });

  // data_generator_calculated_split_cost_allocation_handling.md, per origin charge (a node-hour):
  // dimensions and unit prices equal across its allocated charges, their AllocatedRatio summing to 1,
  // and exactly one unallocated row.
  const SPLIT = new Set(['AllocatedMethodDetails', 'AllocatedResourceId', 'AllocatedResourceName', 'AllocatedTags', 'x_CapsimNamespace', 'x_CapsimEnergyKwh', 'x_CapsimCarbonKgCo2e']);
  const same = FOCUS_COLUMNS.filter((c) => (c.type !== 'Decimal' || c.name === 'ListUnitPrice' || c.name === 'ContractedUnitPrice' || c.name === 'x_CapsimSeed') && !SPLIT.has(c.name)).map((c) => c.name);
  const origins = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${row.ResourceId}|${row.ChargePeriodStart}`;
    let group = origins.get(key);
    if (!group) origins.set(key, (group = []));
    group.push(row);
  }
  for (const [key, group] of origins) {
    for (const name of same) if (group.some((r) => r[name] !== group[0][name])) bad(`origin ${key}: ${name} differs between its allocated charges`);
    const idle = group.filter((r) => r.AllocatedResourceId === '').length;
    if (idle !== 1) bad(`origin ${key}: ${idle} unallocated rows`);
    const ids = new Set(group.map((r) => r.AllocatedResourceId));
    if (ids.size !== group.length) bad(`origin ${key}: an AllocatedResourceId twice`);
    let ratio = 0;
    for (const r of group) {
      const details = JSON.parse(r.AllocatedMethodDetails) as { Elements: { AllocatedRatio: number; UsageUnit?: string; UsageQuantity?: number }[] };
      if (!Array.isArray(details.Elements) || details.Elements.length === 0) bad(`origin ${key}: AllocatedMethodDetails without Elements`);
      for (const e of details.Elements) {
        if (typeof e.AllocatedRatio !== 'number') bad(`origin ${key}: an element without AllocatedRatio`);
        if (e.UsageQuantity !== undefined && typeof e.UsageUnit !== 'string') bad(`origin ${key}: UsageQuantity without UsageUnit`);
        ratio += e.AllocatedRatio;
      }
    }
    if (Math.abs(ratio - 1) > 1e-7) bad(`origin ${key}: AllocatedRatio sums to ${ratio}, not 1`);
  }
  return out;
}
