// A spot price history in the shape `aws ec2 describe-spot-price-history` prints (the EC2
// DescribeSpotPriceHistory response as JSON):
//
//   {"SpotPriceHistory": [{"AvailabilityZone": "us-east-1a", "InstanceType": "m5.large",
//     "ProductDescription": "Linux/UNIX", "SpotPrice": "0.035200",
//     "Timestamp": "2026-01-05T03:00:00+00:00"}, ...], "NextToken": ""}
//
// Each record is a price change: from its Timestamp on, that type in that zone costs SpotPrice
// an hour, until the next record. AWS lists the newest first; any order is accepted. Several
// pages (the output of several calls) may be given as a JSON array of such objects. Only Linux
// records are used (ProductDescription "Linux/UNIX" or "Linux/UNIX (Amazon VPC)"); others (Windows,
// SUSE, Red Hat) are counted in a notice.
import type { SpotHistory, SpotSeries } from '../model/pricing.ts';
import { spotSeriesKey } from '../model/pricing.ts';
import type { FileProblem } from './priceFile.ts';

type PathPart = string | number;
export type LineOf = (path: readonly PathPart[]) => { line: number; column: number };

const LINUX = new Set(['Linux/UNIX', 'Linux/UNIX (Amazon VPC)']);
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/;
const PRICE = /^\d+(\.\d+)?$/;
const MAX_PROBLEMS = 20;
const FIELDS = ['AvailabilityZone', 'InstanceType', 'ProductDescription', 'SpotPrice', 'Timestamp'] as const;

export interface SpotHistoryRead {
  history: SpotHistory;
  problems: FileProblem[];
  notices: string[];
}

export function readSpotHistory(data: unknown, file: string, lineOf: LineOf): SpotHistoryRead {
  const problems: FileProblem[] = [];
  const notices: string[] = [];
  const add = (path: readonly PathPart[], message: string, hint?: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ ...lineOf(path), message, ...(hint ? { hint } : {}) });
  };
  const byKey = new Map<string, { instanceType: string; zone: string; points: { ms: number; usd: number; path: PathPart[] }[] }>();
  const pages: { page: unknown; path: PathPart[] }[] = Array.isArray(data) ? data.map((page, i) => ({ page, path: [i] })) : [{ page: data, path: [] }];
  let other = 0;
  for (const { page, path } of pages) {
    const records = page !== null && typeof page === 'object' && !Array.isArray(page) ? (page as Record<string, unknown>).SpotPriceHistory : undefined;
    if (!Array.isArray(records)) {
      add(path, 'expected {"SpotPriceHistory": [...]}, the output of aws ec2 describe-spot-price-history', 'e.g. aws ec2 describe-spot-price-history --instance-types m5.xlarge --product-descriptions Linux/UNIX --start-time 2026-01-01T00:00:00Z > spot.json');
      continue;
    }
    records.forEach((r, i) => {
      const at = [...path, 'SpotPriceHistory', i];
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        add(at, 'expected a record with AvailabilityZone, InstanceType, ProductDescription, SpotPrice and Timestamp');
        return;
      }
      const rec = r as Record<string, unknown>;
      const missing = FIELDS.filter((f) => typeof rec[f] !== 'string' || rec[f] === '');
      if (missing.length) {
        add(missing.length === FIELDS.length ? at : [...at, missing[0]], `the record has no ${missing.join(', ')}`, 'each record needs AvailabilityZone, InstanceType, ProductDescription, SpotPrice (a string, as AWS writes it) and Timestamp');
        return;
      }
      if (!LINUX.has(rec.ProductDescription as string)) {
        other++;
        return;
      }
      const priceText = rec.SpotPrice as string;
      if (!PRICE.test(priceText)) {
        add([...at, 'SpotPrice'], `SpotPrice "${priceText}" is not a price`, 'USD per hour as a decimal string, e.g. "0.035200"');
        return;
      }
      const stamp = rec.Timestamp as string;
      const ms = TIMESTAMP.test(stamp) ? Date.parse(stamp) : NaN;
      if (!Number.isFinite(ms)) {
        add([...at, 'Timestamp'], `Timestamp "${stamp}" is not an ISO-8601 time with a zone`, 'e.g. "2026-01-05T03:00:00+00:00" or "2026-01-05T03:00:00.000Z"');
        return;
      }
      const instanceType = rec.InstanceType as string;
      const zone = rec.AvailabilityZone as string;
      const key = spotSeriesKey(instanceType, zone);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { instanceType: instanceType.toLowerCase(), zone, points: [] }));
      entry.points.push({ ms, usd: Number(priceText), path: [...at, 'Timestamp'] });
    });
  }
  const series = new Map<string, SpotSeries>();
  for (const [key, e] of byKey) {
    e.points.sort((a, b) => a.ms - b.ms);
    const s: SpotSeries = { instanceType: e.instanceType, zone: e.zone, timesEpochMs: [], usdPerHour: [] };
    for (let i = 0; i < e.points.length; i++) {
      const p = e.points[i];
      if (i > 0 && p.ms === e.points[i - 1].ms) {
        if (p.usd !== e.points[i - 1].usd) add(p.path, `two spot prices for ${e.instanceType} in ${e.zone} at ${new Date(p.ms).toISOString()}: ${e.points[i - 1].usd} and ${p.usd}`, 'keep one record per type, zone and time');
        continue;
      }
      s.timesEpochMs.push(p.ms);
      s.usdPerHour.push(p.usd);
    }
    series.set(key, s);
  }
  if (other > 0) notices.push(`${file}: ${other} spot price record${other === 1 ? '' : 's'} not for Linux/UNIX not used`);
  if (problems.length === 0 && series.size === 0) problems.push({ ...lineOf([]), message: 'the spot price history has no Linux/UNIX records', hint: 'aws ec2 describe-spot-price-history --product-descriptions Linux/UNIX ...' });
  return { history: { file, series }, problems, notices };
}
