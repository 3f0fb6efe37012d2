// The built-in instance-type catalog: 227 node sizes (AWS us-east-1, Azure eastus, GCE) with
// public on-demand (and, for GCE, legacy preemptible) prices. The rows are generated into
// catalogData.ts by scripts/build-catalog.ts from shared/data/prices/instance-types.csv, whose
// README says where each number comes from; every type keeps its citation (`source`).
//
// Caveats carried over from that README: prices are compute only (no disks, licences,
// discounts); AWS and Azure have no committed public spot table, so their spot price is null;
// GCE "spot" is the legacy preemptible price and GCE names no region; Azure and GCE maxPods are
// the 110 default, not a per-type value; AWS maxPods assume the VPC CNI without prefix delegation.
import { PROVIDER_TABLES } from './catalogData.ts';
import { REGIONAL_PRICES } from './regionalPriceData.ts';
import { own } from '../model/records.ts';

/** As in instance-types.csv's provider column (`gce` for Google Compute Engine). */
export type Provider = 'aws' | 'gce' | 'azure';

export interface InstanceType {
  /** "provider/name", as written in a scenario's `instanceType`: "aws/m5.xlarge". */
  id: string;
  provider: Provider;
  /** Region of the price ("us-east-1", "eastus"); empty for GCE, whose source names none. */
  region: string;
  name: string;
  vcpu: number;
  memoryMiB: number;
  /** Pods per node (kubelet maxPods) for this type. */
  maxPods: number;
  gpu: number;
  arch: 'amd64' | 'arm64';
  onDemandUsdPerHour: number;
  /** null where no dated public spot table exists (AWS, Azure); GCE's is the legacy preemptible price. */
  spotUsdPerHour: number | null;
  /** Provenance of the price and specs (repository@commit:path and notes). */
  source: string;
  /** Date of the price (generation date of the source table, or of its last change). */
  priceDate: string;
}

const CATALOG: readonly InstanceType[] = PROVIDER_TABLES.flatMap(({ provider, region, rows }) =>
  rows.map(([name, vcpu, memoryMiB, maxPods, gpu, arch, onDemandUsdPerHour, spotUsdPerHour, source, priceDate]) =>
    Object.freeze({ id: `${provider}/${name}`, provider, region, name, vcpu, memoryMiB, maxPods, gpu, arch, onDemandUsdPerHour, spotUsdPerHour, source, priceDate }),
  ),
);
const BY_ID = new Map(CATALOG.map((t) => [t.id.toLowerCase(), t]));

/** `gcp/...` (the DESIGN's provider name) is accepted for `gce/...` (the CSV's). */
const PROVIDER_ALIASES: Record<string, Provider> = { gce: 'gce', gcp: 'gce', aws: 'aws', azure: 'azure' };

/** The catalog's provider for a name as a user writes it ("gcp" -> "gce"); undefined if unknown. */
export function providerOf(name: string): Provider | undefined {
  return own(PROVIDER_ALIASES, name.toLowerCase());
}

/** Looks up "aws/m5.xlarge" (case-insensitive; "gcp/..." is accepted for "gce/..."). */
export function findInstanceType(id: string): InstanceType | undefined {
  const slash = id.indexOf('/');
  if (slash < 0) return undefined;
  const provider = providerOf(id.slice(0, slash));
  if (!provider) return undefined;
  return BY_ID.get(`${provider}/${id.slice(slash + 1)}`.toLowerCase());
}

/** Every built-in instance type, in catalog order (by provider, then family and size). */
export function listInstanceTypes(): readonly InstanceType[] {
  return CATALOG;
}

/** An on-demand price in a region: the catalog's own, or a regional table's (regionalPriceData.ts). */
export interface RegionalPrice {
  usdPerHour: number;
  region: string;
  source: string;
  priceDate: string;
}

/** The regions with on-demand prices for `provider`: the catalog's own first, then the regional
 *  tables' (none for GCE, whose public table names no region). */
export function priceRegions(provider: Provider): string[] {
  const own = PROVIDER_TABLES.find((t) => t.provider === provider)?.region;
  return [...(own ? [own] : []), ...REGIONAL_PRICES.filter((t) => t.provider === provider).map((t) => t.region)];
}

/** The type's on-demand price in `region` (undefined or '' = the catalog's own region); undefined
 *  where no committed public table has the type in that region. */
export function onDemandPriceIn(type: InstanceType, region?: string): RegionalPrice | undefined {
  if (!region || region === type.region) return { usdPerHour: type.onDemandUsdPerHour, region: type.region, source: type.source, priceDate: type.priceDate };
  const table = REGIONAL_PRICES.find((t) => t.provider === type.provider && t.region === region);
  const usd = table ? own(table.prices, type.name) : undefined;
  return table && usd !== undefined ? { usdPerHour: usd, region, source: table.source, priceDate: table.priceDate } : undefined;
}
