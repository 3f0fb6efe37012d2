// The columns of focus.csv: FOCUS (the FinOps Open Cost and Usage Specification) 1.3, Cost and
// Usage dataset. The issue asked for 1.2; the split cost allocation columns (Allocated*) are not
// in 1.2 (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec@v1.2 = 7296e314:specification/columns/ has
// none) but were introduced in 1.3, so the file follows 1.3: its column definitions are
// FOCUS_Spec:specification/datasets/cost_and_usage/columns/<column>.md (1.3 layout; 1.2 kept them
// in specification/columns/<column>.md). ProviderName and PublisherName are deprecated by 1.3 but
// still mandatory there, so 1.2 readers find them too.
//
// Each column carries its FOCUS data type, whether it may be null, the spec file it comes from
// and, where the spec fixes them, its allowed values: test/focus-conformance.test.ts checks every
// row of real runs against this table. Custom columns are prefixed x_ (FOCUS
// supported_features/custom_columns.md: "x_" then PascalCase); capsim's are x_Capsim*.
import type { CsvFile } from '../outputs/csvFiles.ts';
import { RUN_FILES } from '../outputs/runDirectory.ts';

export const FOCUS_VERSION = '1.3';
export const FOCUS_FILE_NAME = RUN_FILES.focus;

/** FOCUS data types (attributes/*_format.md): Decimal per numeric_format.md, DateTime per
 *  datetime_format.md ('YYYY-MM-DDTHH:mm:ssZ'), JSON per key_value_format.md / JSON object format. */
export type FocusType = 'String' | 'Decimal' | 'DateTime' | 'JSON';

export interface FocusColumn {
  readonly name: string;
  readonly type: FocusType;
  /** The spec allows null (its "Allows nulls"); when not, every row has a value. */
  readonly nullable: boolean;
  /** Where the column is defined: FOCUS_Spec:specification/datasets/cost_and_usage/columns/…, or
   *  "capsim" for an x_ column. */
  readonly spec: string;
  /** Values the spec allows (its "Allowed values" tables), when it fixes them. */
  readonly allowed?: readonly string[];
}

const SPEC = 'FOCUS_Spec:specification/datasets/cost_and_usage/columns/';

function col(name: string, type: FocusType, nullable: boolean, allowed?: readonly string[]): FocusColumn {
  return { name, type, nullable, spec: name.startsWith('x_') ? 'capsim' : `${SPEC}${name.toLowerCase()}.md`, ...(allowed ? { allowed } : {}) };
}

/** Every column of focus.csv, in file order. */
export const FOCUS_COLUMNS: readonly FocusColumn[] = [
  // The charge period: a UTC clock hour (chargeperiodstart.md: inclusive start; chargeperiodend.md: exclusive end).
  col('ChargePeriodStart', 'DateTime', false),
  col('ChargePeriodEnd', 'DateTime', false),
  // The billing period: the UTC calendar month holding the charge period.
  col('BillingPeriodStart', 'DateTime', false),
  col('BillingPeriodEnd', 'DateTime', false),
  col('BillingAccountId', 'String', false),
  col('BillingAccountName', 'String', true),
  col('BillingCurrency', 'String', false),
  col('ChargeCategory', 'String', false, ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment']),
  col('ChargeClass', 'String', true, ['Correction']),
  col('ChargeFrequency', 'String', false, ['One-Time', 'Recurring', 'Usage-Based']),
  col('ChargeDescription', 'String', true),
  col('ServiceProviderName', 'String', false),
  col('HostProviderName', 'String', false),
  col('ProviderName', 'String', false),
  col('PublisherName', 'String', false),
  col('InvoiceIssuerName', 'String', false),
  col('ServiceCategory', 'String', false, ['AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools', 'Multicloud', 'Identity', 'Integration', 'Internet of Things', 'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web', 'Other']),
  col('ServiceSubcategory', 'String', true),
  col('ServiceName', 'String', false),
  col('ResourceId', 'String', true),
  col('ResourceName', 'String', true),
  col('ResourceType', 'String', true),
  col('RegionId', 'String', true),
  col('RegionName', 'String', true),
  col('AvailabilityZone', 'String', true),
  col('SkuId', 'String', true),
  col('SkuPriceId', 'String', true),
  col('SkuMeter', 'String', true),
  col('PricingCategory', 'String', true, ['Standard', 'Dynamic', 'Committed', 'Other']),
  col('PricingUnit', 'String', true),
  col('PricingQuantity', 'Decimal', true),
  col('ConsumedUnit', 'String', true),
  col('ConsumedQuantity', 'Decimal', true),
  col('ListUnitPrice', 'Decimal', true),
  col('ContractedUnitPrice', 'Decimal', true),
  col('ListCost', 'Decimal', false),
  col('ContractedCost', 'Decimal', false),
  col('EffectiveCost', 'Decimal', false),
  col('BilledCost', 'Decimal', false),
  col('CommitmentDiscountId', 'String', true),
  col('CommitmentDiscountName', 'String', true),
  col('CommitmentDiscountCategory', 'String', true, ['Spend', 'Usage']),
  col('CommitmentDiscountType', 'String', true),
  col('CommitmentDiscountStatus', 'String', true, ['Used', 'Unused']),
  col('CommitmentDiscountQuantity', 'Decimal', true),
  col('CommitmentDiscountUnit', 'String', true),
  col('Tags', 'JSON', true),
  // Split cost allocation (1.3; attributes/data_generator_calculated_split_cost_allocation_handling.md).
  col('AllocatedMethodId', 'String', true),
  col('AllocatedMethodDetails', 'JSON', true),
  col('AllocatedResourceId', 'String', true),
  col('AllocatedResourceName', 'String', true),
  col('AllocatedTags', 'JSON', true),
  // capsim's own (x_).
  col('x_CapsimScenario', 'String', false),
  col('x_CapsimSeed', 'Decimal', false),
  col('x_CapsimRunId', 'String', false),
  col('x_CapsimForecast', 'String', false, ['true']),
  col('x_CapsimPool', 'String', true),
  col('x_CapsimNamespace', 'String', true),
  col('x_CapsimEnergyKwh', 'Decimal', true),
  col('x_CapsimCarbonKgCo2e', 'Decimal', true),
];

export type FocusColumnName = (typeof FOCUS_COLUMNS)[number]['name'];

/** focus.csv as a run table: CSV or, under --tables parquet, focus.parquet (text and JSON columns
 *  as UTF-8 strings, Decimal as doubles, null where FOCUS has null). */
export const FOCUS_TABLE: CsvFile = {
  name: FOCUS_FILE_NAME,
  columns: FOCUS_COLUMNS.map((c) => c.name),
  text: new Set(FOCUS_COLUMNS.filter((c) => c.type !== 'Decimal').map((c) => c.name)),
};

/** The id of capsim's split cost allocation method (AllocatedMethodId): OpenCost's rule, each
 *  workload charged max(∫request, ∫usage) of CPU and of memory at the node's per-core and per-GB
 *  rates (src/cost/allocation.ts); what no workload is charged is the node's unallocated (idle)
 *  row. Documented in docs/outputs.md "focus.csv". */
export const ALLOCATION_METHOD_ID = 'capsim/opencost-max-request-usage';
