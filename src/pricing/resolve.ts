// What a node costs a team (spec.pricing): its list price, then the discounts.
//
//   list        the published price before discounts: for an on-demand node, the pool's explicit
//               price, else a row of the custom price file (an instance row before a class row;
//               a row of the node's region before a row for any region, as OpenCost's
//               csvprovider.go matches), else the catalog's price in the region; for a spot node,
//               the pool's explicit spot price, else the spot price history's price in effect for
//               its type and zone, else the catalog's spot price (or Karpenter's priceRatio).
//   contracted  list x (1 - p/100) for each negotiated discount that applies
//   effective   contracted x (1 - p/100) for each commitment discount (Savings Plan, committed
//               use) that applies: what the run charges and the autoscalers compare.
//   Contracted and effective are rounded to 1e-9 USD per hour.
//
// OpenCost applies a price-file row to every node of its type; capsim applies it to on-demand
// nodes only, since a spot node's price is the spot market's (spotPriceHistory, spot.pricePerHour).
import type { InstanceType } from '../cost/catalog.ts';
import type { CapacityType, NodeDiscount } from '../model/node.ts';
import type { CustomPrice, DiscountRule, PricingSpec, SpotSeries } from '../model/pricing.ts';
import { spotSeriesKey } from '../model/pricing.ts';

export interface NodePrice {
  listUsdPerHour: number;
  contractedUsdPerHour: number;
  usdPerHour: number;
  discounts: NodeDiscount[];
}

/** What the price of one node depends on. */
export interface PriceSubject {
  /** The catalog's type, when known. */
  type?: InstanceType;
  /** The type's bare name ("m5.xlarge") as its label says, when known. */
  typeName: string | null;
  capacityType: CapacityType;
  /** Pool or Karpenter NodePool. */
  pool: string | null;
  zone: string | null;
  region?: string;
  /** A Node manifest's own fields, for price-file rows that name one machine. */
  machine?: { name: string; labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>>; providerID: string };
}

/** The instance families a discount's `instanceFamilies` may name for a type: AWS "m5"; Azure the
 *  series "Ds_v5" and family "D"; GCE the series "n2" and "n2-standard". */
export function familiesOf(provider: string, name: string): string[] {
  if (provider === 'aws') return [name.split('.')[0]];
  if (provider === 'azure') {
    const m = /^Standard_([A-Z]+)(\d+)([a-z]*)(?:_v(\d+))?$/.exec(name);
    return m ? [`${m[1]}${m[3]}${m[4] ? `_v${m[4]}` : ''}`, m[1]] : [];
  }
  const parts = name.split('-');
  return parts.length >= 3 ? [parts[0], parts.slice(0, -1).join('-')] : [parts[0]];
}

/** The price-file row for the subject's on-demand price, or undefined. */
export function customPriceOf(prices: readonly CustomPrice[], subject: PriceSubject): CustomPrice | undefined {
  if (prices.length === 0) return undefined;
  const region = subject.region?.toLowerCase() ?? '';
  const byRegion = <T extends CustomPrice>(rows: T[]): T | undefined => rows.find((r) => r.region !== '' && r.region === region) ?? rows.find((r) => r.region === '');
  if (subject.machine) {
    const m = subject.machine;
    const hit = byRegion(prices.filter((r) => r.instanceId !== '' && machineField(m, r.instanceIdField).toLowerCase() === r.instanceId));
    if (hit) return hit;
  }
  const names = new Set<string>();
  if (subject.typeName) names.add(subject.typeName.toLowerCase());
  if (subject.type) {
    names.add(subject.type.name.toLowerCase());
    names.add(subject.type.id.toLowerCase());
  }
  return byRegion(prices.filter((r) => r.instanceType !== '' && names.has(r.instanceType)));
}

/** OpenCost's NodeValueFromMapField: the node's value for an InstanceIDField. */
function machineField(m: NonNullable<PriceSubject['machine']>, field: string): string {
  if (field === 'metadata.name') return m.name;
  if (field === 'spec.providerID') return m.providerID;
  if (field.startsWith('metadata.labels.')) return m.labels[field.slice('metadata.labels.'.length)] ?? '';
  if (field.startsWith('metadata.annotations.')) return m.annotations[field.slice('metadata.annotations.'.length)] ?? '';
  return '';
}

/** The discounts that apply to the subject, negotiated ones first, each in the order written. */
export function discountsFor(rules: readonly DiscountRule[], subject: PriceSubject): DiscountRule[] {
  const families = subject.type ? familiesOf(subject.type.provider, subject.type.name) : [];
  const applies = (r: DiscountRule): boolean =>
    r.capacityTypes.includes(subject.capacityType) &&
    (r.pools.length === 0 || (subject.pool !== null && r.pools.includes(subject.pool))) &&
    (r.families.length === 0 || families.some((f) => r.families.includes(f))) &&
    (r.instanceTypes.length === 0 || (subject.type !== undefined && r.instanceTypes.includes(subject.type.id.toLowerCase())));
  const mine = rules.filter(applies);
  return [...mine.filter((r) => r.kind === 'negotiated'), ...mine.filter((r) => r.kind === 'commitment')];
}

/** The node's prices from its list price and the discounts that apply to it. */
export function discounted(listUsdPerHour: number, rules: readonly DiscountRule[], subject: PriceSubject): NodePrice {
  const applied = discountsFor(rules, subject);
  let contracted = listUsdPerHour;
  for (const d of applied) if (d.kind === 'negotiated') contracted *= 1 - d.percent / 100;
  let effective = contracted;
  for (const d of applied) if (d.kind === 'commitment') effective *= 1 - d.percent / 100;
  return {
    listUsdPerHour,
    contractedUsdPerHour: nanoUsd(contracted),
    usdPerHour: nanoUsd(effective),
    discounts: applied.map(({ name, kind, percent }) => ({ name, kind, percent })),
  };
}

/** A price to a billionth of a dollar: what 0.34 x 0.9 is (0.306), not 0.30600000000000005. */
function nanoUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** The spot price in effect at `epochMs` for a type in a zone: the newest record at or before
 *  it; undefined before the first record, or without a series. */
export function spotPriceAt(series: SpotSeries | undefined, epochMs: number): number | undefined {
  if (!series) return undefined;
  const t = series.timesEpochMs;
  let lo = 0;
  let hi = t.length - 1;
  if (hi < 0 || epochMs < t[0]) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t[mid] <= epochMs) lo = mid;
    else hi = mid - 1;
  }
  return series.usdPerHour[lo];
}

/** The spot history's series for the subject's type and zone. */
export function spotSeriesOf(pricing: PricingSpec | undefined, subject: Pick<PriceSubject, 'type' | 'typeName' | 'zone'>): SpotSeries | undefined {
  const history = pricing?.spotHistory;
  const name = subject.type?.name ?? subject.typeName;
  if (!history || !name || !subject.zone) return undefined;
  return history.series.get(spotSeriesKey(name, subject.zone));
}

/** Whether the pricing changes anything about a node's price (else the plain price stands). */
export function hasPricing(pricing: PricingSpec | undefined): pricing is PricingSpec {
  return pricing !== undefined && (pricing.prices.length > 0 || pricing.discounts.length > 0 || pricing.spotHistory !== null || pricing.region !== undefined);
}
