// The recorder's CsvSink writes events.csv and nodes.csv itself; it must write them byte for byte
// as fast-csv did (format with headers, writeHeaders, includeEndRowDelimiter), which the report,
// compare and older runs read: random rows of awkward cells against fast-csv's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeToString } from 'fast-csv';
import { CsvSink, csvField } from '../src/record/csvSink.ts';
import { safeRow } from '../src/outputs/csvCells.ts';

const FILE = { name: 'events.csv', columns: ['t', 'type', 'object', 'message'] as const, text: new Set(['t', 'type', 'object', 'message']) };
type Column = (typeof FILE.columns)[number];

/** What fast-csv wrote for these rows (the cells neutralised first, as CsvSink did). */
function fastCsv(rows: Record<Column, string | number>[]): Promise<string> {
  const cells = rows.map((r) => safeRow(FILE.columns.map((c) => r[c])));
  return writeToString(cells, { headers: [...FILE.columns], writeHeaders: true, includeEndRowDelimiter: true });
}

async function sink(rows: Record<Column, string | number>[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-csv-sink-'));
  const s = new CsvSink(dir, FILE);
  for (const r of rows) s.write(r);
  await s.drain();
  await s.close();
  return fs.readFileSync(path.join(dir, FILE.name), 'utf8');
}

test('a cell is quoted for a quote (doubled), a comma, CR, LF or a bar, as fast-csv does; NULs go', () => {
  assert.equal(csvField('plain text'), 'plain text');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('a|b'), '"a|b"');
  assert.equal(csvField('a\r\nb'), '"a\r\nb"');
  assert.equal(csvField('a\0b'), 'ab');
  assert.equal(csvField(12.5), '12.5');
  assert.equal(csvField(undefined), '');
});

test('no rows: a lone newline, as fast-csv wrote (it writes the header with the first row)', async () => {
  assert.equal(await fastCsv([]), '\n');
  assert.equal(await sink([]), '\n');
});

test('300 random rows of awkward cells come out as fast-csv writes them', async () => {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = ['a', 'Pod/ns/x', ' ', ',', '"', '|', '\r', '\n', '\0', '=cmd', '+1', '-', '@', 'é', '日本', '\t', "'"];
  const text = () => Array.from({ length: Math.floor(next() * 6) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
  const rows = Array.from({ length: 300 }, () => ({
    t: next() < 0.5 ? Math.floor(next() * 1e6) / 10 : -next(),
    type: text(),
    object: text(),
    message: text(),
  }));
  const expected = await fastCsv(rows);
  assert.ok(expected.includes('"'), 'some cells were quoted');
  assert.equal(await sink(rows), expected);
});
