// A custom price file in OpenCost's custom-pricing CSV shape (opencost pkg/cloud/provider/
// csvprovider.go, configs/pricing_schema*.csv):
//
//   EndTimestamp,InstanceID,Region,AssetClass,InstanceIDField,InstanceType,MarketPriceHourly,Version
//
// OpenCost decodes the eight columns by position (csvutil with a fixed header), so capsim wants
// exactly that header. A row prices one machine (InstanceID matched against the node's
// InstanceIDField: metadata.name, metadata.labels.KEY, metadata.annotations.KEY or
// spec.providerID) or a class of nodes (Region + InstanceType, AssetClass "node"). Region empty =
// any region. Lines starting with "#" are comments, as in OpenCost. AssetClass "pv" and "gpu"
// rows price volumes and GPUs, which capsim does not price: they are reported, not used.
import type { CustomPrice } from '../model/pricing.ts';

export const PRICE_FILE_COLUMNS = ['EndTimestamp', 'InstanceID', 'Region', 'AssetClass', 'InstanceIDField', 'InstanceType', 'MarketPriceHourly', 'Version'] as const;

export interface FileProblem {
  line: number;
  column: number;
  message: string;
  hint?: string;
}

export interface PriceFileRead {
  prices: CustomPrice[];
  problems: FileProblem[];
  /** Rows read but not simulated (pv, gpu), as one-line notices. */
  notices: string[];
}

const ID_FIELDS = /^(metadata\.name|spec\.providerID|metadata\.labels\..+|metadata\.annotations\..+)$/;
const MAX_PROBLEMS = 20;

/** Splits one CSV line (RFC 4180 quotes, no line breaks inside quotes); null when a quote is
 *  left open. Returns each field with its 1-based column. */
export function splitCsvLine(line: string): { value: string; column: number }[] | null {
  const fields: { value: string; column: number }[] = [];
  let i = 0;
  for (;;) {
    const column = i + 1;
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      while (i < line.length && line[i] !== ',') value += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') value += line[i++];
    }
    fields.push({ value, column });
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

export function readPriceFile(text: string, file: string): PriceFileRead {
  const out: PriceFileRead = { prices: [], problems: [], notices: [] };
  const problem = (p: FileProblem) => {
    if (out.problems.length < MAX_PROBLEMS) out.problems.push(p);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (headerAt < 0) {
    problem({ line: 0, column: 0, message: 'the price file is empty', hint: `expected the header ${PRICE_FILE_COLUMNS.join(',')} and one row per price` });
    return out;
  }
  const header = (splitCsvLine(lines[headerAt]) ?? []).map((f) => f.value.trim());
  if (header.join(',') !== PRICE_FILE_COLUMNS.join(',')) {
    const missing = PRICE_FILE_COLUMNS.filter((c) => !header.includes(c));
    problem({
      line: headerAt + 1, column: 1,
      message: `the header is not OpenCost's custom-pricing header${missing.length ? ` (no ${missing.join(', ')})` : ' (columns in another order)'}`,
      hint: `write exactly ${PRICE_FILE_COLUMNS.join(',')}: OpenCost reads the columns by position`,
    });
    return out;
  }
  const seen = new Map<string, number>();
  const skipped = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i];
    const line = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const fields = splitCsvLine(raw);
    if (!fields) {
      problem({ line, column: raw.indexOf('"') + 1, message: 'a quoted field is never closed', hint: 'close the quote on the same line (a field may not span lines)' });
      continue;
    }
    if (fields.length !== PRICE_FILE_COLUMNS.length) {
      problem({ line, column: 1, message: `expected ${PRICE_FILE_COLUMNS.length} fields, got ${fields.length}`, hint: `the columns are ${PRICE_FILE_COLUMNS.join(',')}; leave a field empty, never out` });
      continue;
    }
    const get = (c: (typeof PRICE_FILE_COLUMNS)[number]) => fields[PRICE_FILE_COLUMNS.indexOf(c)];
    const assetClass = get('AssetClass').value.trim().toLowerCase();
    if (assetClass === 'pv' || assetClass === 'gpu') {
      skipped.set(assetClass, (skipped.get(assetClass) ?? 0) + 1);
      continue;
    }
    if (assetClass !== 'node' && assetClass !== '') {
      problem({ line, column: get('AssetClass').column, message: `unknown AssetClass "${get('AssetClass').value}"`, hint: 'node, pv or gpu (capsim prices nodes; OpenCost treats any other value as node, capsim refuses it)' });
      continue;
    }
    const priceText = get('MarketPriceHourly').value.trim();
    const usd = /^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(priceText) ? Number(priceText) : NaN;
    if (!Number.isFinite(usd)) {
      problem({ line, column: get('MarketPriceHourly').column, message: priceText === '' ? 'no MarketPriceHourly' : `MarketPriceHourly "${priceText}" is not a price`, hint: 'USD per node-hour, e.g. 0.1337' });
      continue;
    }
    const instanceType = get('InstanceType').value.trim().toLowerCase();
    const instanceId = get('InstanceID').value.trim().toLowerCase();
    const instanceIdField = get('InstanceIDField').value.trim();
    if (instanceType === '' && instanceId === '') {
      problem({ line, column: get('InstanceID').column, message: 'the row names neither an InstanceID nor an InstanceType', hint: 'InstanceType (e.g. m5.xlarge) prices every node of that type; InstanceID with InstanceIDField one machine' });
      continue;
    }
    if (instanceType === '' && !ID_FIELDS.test(instanceIdField)) {
      problem({ line, column: get('InstanceIDField').column, message: instanceIdField === '' ? 'an InstanceID row needs an InstanceIDField' : `InstanceIDField "${instanceIdField}" is not one OpenCost reads`, hint: 'metadata.name, metadata.labels.KEY, metadata.annotations.KEY or spec.providerID' });
      continue;
    }
    const region = get('Region').value.trim().toLowerCase();
    // An InstanceID row prices that machine; an InstanceType row every node of the type (a row
    // with both does both, as in OpenCost).
    const entries: CustomPrice[] = [];
    if (instanceId !== '' && ID_FIELDS.test(instanceIdField)) entries.push({ instanceType: '', instanceId, instanceIdField, region, usdPerHour: usd, at: `${file}:${line}` });
    if (instanceType !== '') entries.push({ instanceType, instanceId: '', instanceIdField: '', region, usdPerHour: usd, at: `${file}:${line}` });
    for (const e of entries) {
      const key = e.instanceId ? `id ${e.instanceIdField} ${e.instanceId} ${region}` : `type ${e.instanceType} ${region}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problem({ line, column: 1, message: `a second price for ${e.instanceId ? `machine ${e.instanceId}` : `type ${e.instanceType}`} in ${region === '' ? 'any region' : `region ${region}`} (line ${first} has the first)`, hint: 'OpenCost would average them; write the one price you pay' });
        continue;
      }
      seen.set(key, line);
      out.prices.push(e);
    }
  }
  for (const [assetClass, n] of skipped) out.notices.push(`${file}: ${n} ${assetClass} row${n === 1 ? '' : 's'} not used: capsim prices nodes only (no volumes, no GPU add-on prices)`);
  if (out.problems.length === 0 && out.prices.length === 0) problem({ line: headerAt + 1, column: 1, message: 'the price file has no node prices', hint: 'add a row such as ",,us-east-1,node,,m5.xlarge,0.172,"' });
  return out;
}
