// The prices a team pays (spec.pricing), as the loader resolves them: the region whose catalog
// prices apply, a custom price list (OpenCost's custom-pricing CSV), discounts, and a spot price
// history. src/pricing/ turns them into each node's list, contracted and effective price.
import type { CapacityType, NodeDiscount } from './node.ts';

/** One node row of a custom price file (OpenCost's custom-pricing CSV): the price of a node-hour
 *  of an instance type (a class row) or of one machine (an instance row), in a region or any. */
export interface CustomPrice {
  /** Instance type as written (bare "m5.xlarge" or "aws/m5.xlarge"), lower case; '' for an
   *  instance row. */
  instanceType: string;
  /** InstanceID as written, for a row that prices one machine; '' for a class row. */
  instanceId: string;
  /** Where the node's value for instanceId is read: metadata.name, metadata.labels.KEY,
   *  metadata.annotations.KEY or spec.providerID. */
  instanceIdField: string;
  /** Lower case; '' = any region. */
  region: string;
  usdPerHour: number;
  /** "file:line", for messages and the node's price source. */
  at: string;
}

/** What a discount applies to: every selector given must match (none: every node). */
export interface DiscountRule extends NodeDiscount {
  pools: readonly string[];
  /** Instance families ("m5", "n2-standard", "Standard_D…s_v5" written as the type's family). */
  families: readonly string[];
  /** Catalog ids ("aws/m5.xlarge"), lower case. */
  instanceTypes: readonly string[];
  capacityTypes: readonly CapacityType[];
}

/** One instance type's spot price over time in one zone: times (Unix epoch ms, ascending) at
 *  which the price became `usdPerHour[i]`. */
export interface SpotSeries {
  instanceType: string;
  zone: string;
  timesEpochMs: number[];
  usdPerHour: number[];
}

export interface SpotHistory {
  /** The file as shown in messages. */
  file: string;
  /** By "type zone" (type lower case, bare name). */
  series: ReadonlyMap<string, SpotSeries>;
}

export interface PricingSpec {
  /** spec.pricing.region: the region whose catalog prices apply; undefined: the catalog's own. */
  region?: string;
  prices: readonly CustomPrice[];
  /** The price file as shown in messages, when given. */
  priceFile?: string;
  discounts: readonly DiscountRule[];
  spotHistory: SpotHistory | null;
}

export function spotSeriesKey(instanceType: string, zone: string): string {
  return `${instanceType.toLowerCase()} ${zone}`;
}
