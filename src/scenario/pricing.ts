// spec.pricing -> PricingSpec: reads the custom price file and the spot price history (relative
// to the scenario), checks the discounts' selectors, and prices a node pool. Problems in the
// files name the file, line and column, with the scenario field they come from.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { findInstanceType, listInstanceTypes, onDemandPriceIn, priceRegions, type InstanceType } from '../cost/catalog.ts';
import type { CapacityType } from '../model/node.ts';
import type { DiscountRule, PricingSpec } from '../model/pricing.ts';
import type { OfferingPrices } from '../model/karpenter.ts';
import type { Scenario } from '../model/scenario.ts';
import { readPriceFile, type FileProblem } from '../pricing/priceFile.ts';
import { customPriceOf, familiesOf, spotPriceAt, spotSeriesOf } from '../pricing/resolve.ts';
import { readSpotHistory } from '../pricing/spotHistory.ts';
import { displayPath } from './paths.ts';
import { didYouMean, problemAt, type Problems, type Site } from './problems.ts';
import type { PricingDocument } from './schema.ts';
import { YamlSource } from './source.ts';
import { usdPerHour } from '../outputs/money.ts';

/** Largest price file or history read (they are small: one row per type, one record per change). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Pricings whose spot price history could not be read: a spot pool it would have priced is not
 *  reported again as having no spot price (the file's problems say why). */
const HISTORY_UNREAD = new WeakSet<PricingSpec>();

export interface PricingRead {
  pricing: PricingSpec | undefined;
  notices: string[];
}

export async function readPricing(doc: PricingDocument | undefined, baseDir: string, inputFiles: string[], site: Site, problems: Problems): Promise<PricingRead> {
  if (!doc) return { pricing: undefined, notices: [] };
  const at = ['spec', 'pricing'];
  const notices: string[] = [];
  const pricing: PricingSpec = { ...(doc.region ? { region: doc.region } : {}), prices: [], discounts: [], spotHistory: null };

  const fileProblems = (field: string, shown: string, list: FileProblem[]) => {
    for (const p of list) problems.list.push({ ...problemAt(site, [...at, field], p.message, p.hint), file: shown, line: p.line, column: p.column });
  };
  const read = async (field: 'priceFile' | 'spotPriceHistory', relative: string): Promise<{ text: string; shown: string } | undefined> => {
    const file = path.resolve(baseDir, relative);
    const shown = displayPath(file);
    try {
      const bytes = (await stat(file)).size;
      if (bytes > MAX_FILE_BYTES) {
        problems.add(site, [...at, field], `${shown} is ${Math.round(bytes / 1048576)} MiB; the limit is ${MAX_FILE_BYTES / 1048576} MiB`, field === 'spotPriceHistory' ? 'keep the types, zones and days the scenario uses (--instance-types, --availability-zone, --start-time, --end-time)' : undefined);
        return undefined;
      }
      inputFiles.push(file);
      return { text: await readFile(file, 'utf8'), shown };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.add(site, [...at, field], code === 'ENOENT' ? `file not found: ${relative}` : code === 'EISDIR' ? `${relative} is a directory` : `cannot read ${relative}: ${(error as Error).message}`, `paths are relative to the scenario file's directory (${displayPath(baseDir)})`);
      return undefined;
    }
  };

  if (doc.priceFile) {
    const got = await read('priceFile', doc.priceFile);
    if (got) {
      const r = readPriceFile(got.text, got.shown);
      fileProblems('priceFile', got.shown, r.problems);
      pricing.prices = r.prices;
      pricing.priceFile = got.shown;
      notices.push(...r.notices);
    }
  }
  if (doc.spotPriceHistory) {
    const before = problems.length;
    const got = await read('spotPriceHistory', doc.spotPriceHistory);
    if (got) {
      const source = new YamlSource(got.shown, got.text);
      if (source.problem) problems.list.push({ ...problemAt(site, [...at, 'spotPriceHistory'], source.problem.message, source.problem.hint), file: got.shown, line: source.problem.line, column: source.problem.column });
      else {
        const r = readSpotHistory(source.documents[0], got.shown, (p) => source.position(0, p));
        fileProblems('spotPriceHistory', got.shown, r.problems);
        pricing.spotHistory = r.history;
        notices.push(...r.notices);
      }
    }
    if (problems.length > before) HISTORY_UNREAD.add(pricing);
  }

  const allTypes = listInstanceTypes();
  const allFamilies = new Set(allTypes.flatMap((t) => familiesOf(t.provider, t.name)));
  pricing.discounts = doc.discounts.map((d, i): DiscountRule => {
    const where = [...at, 'discounts', i];
    d.instanceTypes.forEach((id, j) => {
      if (!findInstanceType(id)) problems.add(site, [...where, 'instanceTypes', j], `unknown instance type "${id}"`, didYouMean(id, allTypes.map((t) => t.id)) ?? 'write provider/name as `capsim catalog` lists it');
    });
    d.instanceFamilies.forEach((f, j) => {
      if (!allFamilies.has(f)) problems.add(site, [...where, 'instanceFamilies', j], `no catalog type is of family "${f}"`, didYouMean(f, [...allFamilies]) ?? 'AWS "m5", Azure "Ds_v5" or "D", GCE "n2" or "n2-standard"');
    });
    return {
      name: d.name, kind: d.kind, percent: d.percent,
      pools: d.pools, families: d.instanceFamilies,
      instanceTypes: d.instanceTypes.map((id) => findInstanceType(id)?.id.toLowerCase() ?? id.toLowerCase()),
      capacityTypes: d.capacityTypes ?? (d.kind === 'commitment' ? ['on-demand'] : ['on-demand', 'spot']),
    };
  });
  return { pricing, notices };
}

/** Discount pools that name neither a node pool nor a Karpenter NodePool. */
export function checkDiscountPools(pricing: PricingSpec | undefined, names: readonly string[], site: Site, problems: Problems): void {
  pricing?.discounts.forEach((d, i) => d.pools.forEach((p, j) => {
    if (!names.includes(p)) problems.add(site, ['spec', 'pricing', 'discounts', i, 'pools', j], `no node pool or Karpenter NodePool "${p}"`, didYouMean(p, [...names]) ?? (names.length ? `pools: ${names.join(', ')}` : 'declare it under spec.cluster.nodePools'));
  }));
}

export interface PoolListPrice {
  usdPerHour: number;
  /** Where it comes from: the pool's own price, the price file, the spot history, the catalog. */
  from: 'pool' | 'file' | 'history' | 'catalog';
  /** Where, in words: "scenarios/prices/custom-pricing.csv:3", "the catalog (us-east-1)". */
  source: string;
  /** The catalog region the price is from (absent when the scenario or a price file gave it). */
  catalogRegion?: string;
}

/** A pool's list price under spec.pricing (the pool's own price fields first). Undefined, with a
 *  problem, when nothing prices it. */
export function poolListPrice(
  pool: { name: string; capacityType: CapacityType; zones: readonly string[]; onDemandPerHour?: number; spotPerHour?: number; explicitCapacity: boolean },
  type: InstanceType | undefined,
  pricing: PricingSpec,
  startEpochMs: number,
  site: Site,
  at: (string | number)[],
  problems: Problems,
): PoolListPrice | undefined {
  const region = pricing.region ?? type?.region;
  if (pool.capacityType === 'spot') {
    if (pool.spotPerHour !== undefined) return { usdPerHour: pool.spotPerHour, from: 'pool', source: 'the pool\'s spot.pricePerHour' };
    if (type && pricing.spotHistory) {
      const series = pool.zones.map((zone) => ({ zone, s: spotSeriesOf(pricing, { type, typeName: type.name, zone }) }));
      if (series.some((x) => x.s)) {
        let first: number | undefined;
        for (const { zone, s } of series) {
          const usd = spotPriceAt(s, startEpochMs);
          if (!s) problems.add(site, [...at, 'zones'], `the spot price history ${pricing.spotHistory.file} has no ${type.name} in zone ${zone}`, `it covers ${series.filter((x) => x.s).map((x) => x.zone).join(', ')}: add that zone's records, or drop the zone from the pool`);
          else if (usd === undefined) problems.add(site, ['spec', 'pricing', 'spotPriceHistory'], `the spot price history of ${type.name} in ${zone} starts at ${new Date(s.timesEpochMs[0]).toISOString()}, after the scenario's start ${new Date(startEpochMs).toISOString()}`, 'fetch it from before the start (--start-time): the price in effect at the start is the last change before it');
          else first ??= usd;
        }
        return first === undefined ? undefined : { usdPerHour: first, from: 'history', source: `the spot price history ${pricing.spotHistory.file} (at the start in ${pool.zones[0]}; each node at its zone's price in effect)` };
      }
    }
    // The catalog's spot price (GCE's preemptible) names no region: it stands only where the
    // scenario asks for none other than the catalog's.
    const ownRegion = !pricing.region || pricing.region === type?.region;
    if (type?.spotUsdPerHour != null && ownRegion) return { usdPerHour: type.spotUsdPerHour, from: 'catalog', source: 'the catalog\'s spot price', ...(type.region ? { catalogRegion: type.region } : {}) };
    if ((type || pool.explicitCapacity) && !HISTORY_UNREAD.has(pricing)) {
      const why = type?.spotUsdPerHour != null ? `the catalog's ${type.provider} spot price names no region, not ${pricing.region}` : `the catalog has no public spot price for ${type?.provider}`;
      problems.add(site, [...at, 'spot', 'pricePerHour'], `no spot price for ${type ? type.id : 'this pool'}${pricing.region ? ` in region ${pricing.region}` : ''}`, type ? `${why}; set spot.pricePerHour, or give spec.pricing.spotPriceHistory with ${type.name} in ${pool.zones.join(', ')}` : 'set spot.pricePerHour');
    }
    return undefined;
  }
  if (pool.onDemandPerHour !== undefined) return { usdPerHour: pool.onDemandPerHour, from: 'pool', source: 'the pool\'s price.onDemandPerHour' };
  const row = customPriceOf(pricing.prices, { type, typeName: type?.name ?? null, capacityType: 'on-demand', pool: pool.name, zone: null, region });
  if (row) return { usdPerHour: row.usdPerHour, from: 'file', source: row.at };
  if (!type) {
    if (pool.explicitCapacity) problems.add(site, [...at, 'price'], 'a node pool with an explicit capacity needs a price', 'e.g. price: {onDemandPerHour: 0.192}');
    return undefined;
  }
  const regional = onDemandPriceIn(type, pricing.region);
  if (regional) return { usdPerHour: regional.usdPerHour, from: 'catalog', source: `the catalog${regional.region ? ` (${regional.region}, ${regional.priceDate})` : ` (${regional.priceDate})`}`, ...(regional.region ? { catalogRegion: regional.region } : {}) };
  const regions = priceRegions(type.provider);
  problems.add(site, [...at, 'instanceType'], `no public on-demand price for ${type.id} in region ${pricing.region}`,
    `${regions.length ? `the catalog has ${type.provider} prices for ${regions.join(', ')}` : `the catalog's ${type.provider} prices name no region`}; give spec.pricing.priceFile a row for ${type.name}${pricing.priceFile ? ` (${pricing.priceFile} has none)` : ''}, or price.onDemandPerHour`);
  return undefined;
}

/** Karpenter's offerings under spec.pricing: the region, and each spot series' price at the start. */
export function offeringPrices(pricing: PricingSpec, startEpochMs: number): OfferingPrices {
  const spotAtStart = new Map<string, number>();
  for (const [key, s] of pricing.spotHistory?.series ?? []) {
    const usd = spotPriceAt(s, startEpochMs);
    if (usd !== undefined) spotAtStart.set(key, usd);
  }
  return { ...(pricing.region ? { region: pricing.region } : {}), spotAtStart };
}

/** What `capsim validate` says of the prices under spec.pricing: each pool's list price and its
 *  source, the discounts and the price charged; what Karpenter's choices see. */
export function pricingLines(scenario: Scenario): string[] {
  const pricing = scenario.pricing;
  if (!pricing) return [];
  const usd = usdPerHour;
  const lines = [`prices: ${pricing.region ? `region ${pricing.region}` : 'the catalog\'s regions'}${pricing.priceFile ? `, price file ${pricing.priceFile} (${pricing.prices.length} node price${pricing.prices.length === 1 ? '' : 's'})` : ''}${pricing.spotHistory ? `, spot price history ${pricing.spotHistory.file} (${pricing.spotHistory.series.size} type-zone series)` : ''}, ${pricing.discounts.length} discount${pricing.discounts.length === 1 ? '' : 's'}`];
  for (const p of scenario.cluster.nodePools) {
    const list = p.listPriceUsdPerHour ?? p.priceUsdPerHour;
    const after = (p.discounts ?? []).map((d) => `${d.name} ${d.kind} ${d.percent}%`).join(', ');
    lines.push(`  pool ${p.name} (${p.instanceType ?? 'explicit capacity'}, ${p.capacityType}): list ${usd(list)} from ${p.priceSource ?? 'the pool'}${after ? `; ${after} -> contracted ${usd(p.contractedPriceUsdPerHour ?? list)}, charged ${usd(p.priceUsdPerHour)}` : ''}`);
  }
  if (scenario.karpenter && scenario.karpenter.nodePools.length > 0) {
    lines.push('  Karpenter chooses by list prices (the region\'s catalog price; spot: the price in effect at the start), as it reads the public price lists; the nodes it launches are charged the price file\'s price or the spot price in effect, less the discounts');
  }
  return lines;
}
