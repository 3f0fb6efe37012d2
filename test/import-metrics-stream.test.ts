// The streaming reader of query_range answers (src/import/metrics/matrixStream.ts) against the
// whole-text reader it replaced (readWholeResponse: JSON.parse, then parseQueryRange): the same
// series, sample for sample (Object.is: -0 and all), the same values skipped, or the same
// InputError message, whatever the damage and wherever the reads cut the text (1-byte reads
// cross every token). Then the HTTP body as it streams in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { scratchDir } from './support/run.ts';
import { queryRange, readSavedResponse, readWholeResponse, type Series } from '../src/import/metrics/prometheus.ts';
import { InputError } from '../src/scenario/errors.ts';

type Outcome = { series: { labels: Record<string, string>; times: number[]; values: number[] }[]; skipped: number } | { error: string };

function outcome(read: (onSkipped: (n: number) => void) => Series[]): Outcome {
  let skipped = 0;
  try {
    const series = read((n) => (skipped += n));
    return { series: series.map((s) => ({ labels: s.labels, times: Array.from(s.times), values: Array.from(s.values) })), skipped };
  } catch (error) {
    if (error instanceof InputError) return { error: error.message };
    throw error;
  }
}

/** Streamed (reads of `chunkBytes`, or 4 MB) and whole: the same outcome, -0 included. */
function assertSame(file: string, chunkBytes?: number): Outcome {
  const streamed = outcome((on) => readSavedResponse(file, on, { chunkBytes }));
  const whole = outcome((on) => readWholeResponse(file, on));
  assert.deepStrictEqual(streamed, whole, `${path.basename(file)} read ${chunkBytes ?? 'default'} bytes at a time`);
  if ('series' in streamed && 'series' in whole) {
    streamed.series.forEach((s, i) => s.values.forEach((v, j) => assert.ok(Object.is(v, whole.series[i].values[j]) && Object.is(s.times[j], whole.series[i].times[j]))));
  }
  return streamed;
}

const START = 1767571200;
const answer = (result: unknown) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
// Two series as Prometheus writes them, one with a label JSON escapes and one not ASCII, values
// Prometheus writes (NaN, +Inf, 1e-05) and edge cases of Number() and of the exact fast path (up
// to 15 digits; 498285411087.40904 is one a digit-by-digit sum over 10^5 would round wrong).
const GOOD = answer([
  { metric: { namespace: 'shop', pod: 'web-1' }, values: [[START, '0.25'], [START + 60, 'NaN'], [START + 120, '1e-05'], [START + 180, '-0'], [START + 240, '+Inf'], [START + 300, '123456789012345'], [START + 360, '1234567890.1234567'], [START + 420, '498285411087.40904'], [START + 480, '897112057.14710524']] },
  { metric: { namespace: 'sh"op', pod: 'wéb\n2', '10': 'x' }, values: [[START + 0.5, '007'], [START + 60.25, '1.'], [START + 120, '.5'], [START + 180, ' 3 '], [START + 240, ''], [START + 300, '0x10'], [-0, '-1.5']] },
]);

test('streamed and whole readers agree on good answers, read 1 to 64 bytes at a time and whole', () => {
  const dir = scratchDir('capsim-ims-');
  const file = path.join(dir, 'cpu.json');
  fs.writeFileSync(file, GOOD);
  for (const chunk of [1, 2, 3, 7, 64, undefined]) {
    const r = assertSame(file, chunk);
    assert.ok('series' in r);
    // NaN, +Inf and '' skipped (3); ' 3 ' is 3 and '0x10' is 16 to Number(), as before.
    assert.equal(r.skipped, 3);
    assert.deepEqual(r.series[1].values, [7, 1, 0.5, 3, 16, -1.5]);
    assert.deepEqual(r.series[1].labels, { '10': 'x', namespace: 'sh"op', pod: 'wéb\n2' });
  }
  // Pretty-printed (jq .), keys in another order, a byte order mark: the same outcome.
  const pretty = JSON.stringify(JSON.parse(GOOD), null, 2);
  for (const text of [pretty, GOOD.replace('{"metric":{"namespace":"shop","pod":"web-1"},"values":', '{"values":').replace(']]},{"metric":{"namespace":"sh', ']],"metric":{"namespace":"shop","pod":"web-1"}},{"metric":{"namespace":"sh'), `\ufeff${GOOD}`]) {
    fs.writeFileSync(file, text);
    assertSame(file, 5);
    assertSame(file);
  }
});

test('series of one shape cut by the reads: no element is completed with the bytes of the one before', () => {
  // The reader's buffer keeps an element begun at its start: past the bytes read are those of the
  // element read before, at the same offsets. Six series alike but for their values, then one
  // without labels nor values that the next one, read a byte at a time, begins like.
  const file = path.join(scratchDir('capsim-ims-alike-'), 'cpu.json');
  const alike = Array.from({ length: 6 }, (_, k) => ({ metric: { pod: `web-${k}` }, values: Array.from({ length: 40 }, (_, j) => [START + 60 * j, String(k + j / 8)]) }));
  fs.writeFileSync(file, answer([...alike, { metric: {}, values: [] }, { metric: {}, values: [[START, '2']] }]));
  for (let chunk = 1; chunk <= 160; chunk++) {
    const r = assertSame(file, chunk);
    assert.ok('series' in r);
    assert.deepEqual(r.series.map((s) => s.values[39]), [4.875, 5.875, 6.875, 7.875, 8.875, 9.875, undefined, undefined], `${chunk} bytes a read`);
    assert.deepEqual(r.series[7].values, [2]);
  }
});

test('a damaged answer: truncated at every byte, the same message as the whole reader', () => {
  const file = path.join(scratchDir('capsim-ims-cut-'), 'cpu.json');
  for (let i = 0; i < GOOD.length; i++) {
    fs.writeFileSync(file, GOOD.slice(0, i));
    const r = assertSame(file, 1 + (i % 5));
    assert.ok('error' in r, `cut at ${i}: not an answer`);
  }
  // Mid-number (1767 of 1767571200): JSON.parse's own message, the position where the text ends.
  const cut = GOOD.indexOf(String(START)) + 4;
  fs.writeFileSync(file, GOOD.slice(0, cut));
  const r = assertSame(file);
  assert.ok('error' in r);
  assert.equal(r.error.split('\n')[0], `${file}: is not JSON (Expected ',' or ']' after array element in JSON at position ${cut})`);
});

test('fuzz: damaged, duplicated and junk-filled answers read streaming are what JSON.parse made of them', () => {
  const file = path.join(scratchDir('capsim-ims-fuzz-'), 'cpu.json');
  const junk = fc.oneof(fc.constantFrom('', '"', '{', '}', '[', ']', ',', ':', '\\', 'null', '1e999', '-', 'NaN', '[]', '{}', '"data":', '"result":[', '"status":"error",', '\ufeff', 'é'), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.nat(), junk, fc.constantFrom('insert', 'replace', 'truncate'), fc.anything(), fc.integer({ min: 1, max: 40 }), (at, insert, how, value, chunk) => {
      const i = at % (GOOD.length + 1);
      const damaged = how === 'truncate' ? GOOD.slice(0, i) : GOOD.slice(0, i) + insert + GOOD.slice(how === 'replace' ? i + 1 : i);
      const texts = [
        damaged,
        answer(value) ?? '',
        answer([{ metric: { pod: 'a' }, values: [[START, '1']] }, value]) ?? '',
        // A later key replaces an earlier one (JSON.parse keeps the last): data, result, status.
        GOOD.slice(0, -1) + `,"data":{"resultType":"matrix","result":[${JSON.stringify(value) ?? 'null'}]}}`,
        GOOD.slice(0, -1) + `,"status":${JSON.stringify(value) ?? '1'}}`,
      ];
      for (const text of texts) {
        fs.writeFileSync(file, text);
        assertSame(file, chunk);
      }
    }),
    { numRuns: 400, seed: 16 },
  );
});

test('nested junk 100,000 deep is an InputError naming the field (JSON.stringify of it used to throw a RangeError)', () => {
  const file = path.join(scratchDir('capsim-ims-deep-'), 'cpu.json');
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const cases: [string, RegExp][] = [
    [GOOD.replace('[[1767571200,"0.25"]', `[${deep}`), /cpu\.json: data\.result\[0\]\.values\[0\]: is \(a value nested too deep to show\), not \[seconds, "value"\]/],
    [GOOD.replace('"success"', deep), /status: is \(a value nested too deep to show\), not "success"/],
    [GOOD.replace('"success"', '"error"').replace('{"status"', `{"error":${deep},"status"`), /error: Prometheus answered status "error": \(a value nested too deep to show\)/],
    [GOOD.replace('{"metric":{"namespace":"shop"', `${deep},{"metric":{"namespace":"shop"`), /data\.result\[0\]\.metric: is not an object of labels/],
    [GOOD.replace('{"status"', `{"junk":${deep},"status"`), /^$/],
  ];
  for (const [text, message] of cases) {
    fs.writeFileSync(file, text);
    const r = assertSame(file);
    if ('error' in r) assert.match(r.error, message);
    else assert.equal(r.series.length, 2, 'junk beside the answer is not read');
  }
});

test('huge strings across the 4 MB reads: an error message, a label, a key', () => {
  const file = path.join(scratchDir('capsim-ims-huge-'), 'cpu.json');
  const huge = 'x'.repeat(9 << 20);
  fs.writeFileSync(file, JSON.stringify({ status: 'error', errorType: 'bad_data', error: `${huge}\\"` }));
  const error = assertSame(file);
  assert.ok('error' in error);
  assert.match(error.error, /Prometheus answered status "error": x{120}… \(bad_data\)/);
  fs.writeFileSync(file, answer([{ metric: { pod: huge, [huge.slice(1)]: 'v' }, values: [[START, '1']] }]));
  const label = assertSame(file);
  assert.ok('series' in label && label.series[0].labels.pod.length === 9 << 20);
  fs.writeFileSync(file, GOOD.replace('{"status"', `{"${huge}":"${huge}","status"`));
  assert.ok('series' in assertSame(file));
});

test('a 200 answer streamed in 3-byte pieces over HTTP (with a byte order mark, as fetch\'s text() drops it); a body that is not JSON quoted from its start', async () => {
  const bodies = [`\ufeff${GOOD}`, `<html>${'proxy says no '.repeat(1000)}</html>`, GOOD.slice(0, 300)];
  let body = '';
  const server = http.createServer(async (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const bytes = Buffer.from(body);
    for (let i = 0; i < bytes.length; i += 3) {
      res.write(bytes.subarray(i, i + 3));
      if (i % 300 === 0) await new Promise((r) => setImmediate(r));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const window = { startSeconds: START, endSeconds: START + 600, stepSeconds: 60 };
  try {
    body = bodies[0];
    let skipped = 0;
    const { series } = await queryRange(url, 'up', window, { onSkipped: (n) => (skipped += n) });
    const file = path.join(scratchDir('capsim-ims-http-'), 'cpu.json');
    fs.writeFileSync(file, GOOD);
    const whole = outcome((on) => readWholeResponse(file, on));
    assert.deepStrictEqual({ series: series.map((s) => ({ labels: s.labels, times: Array.from(s.times), values: Array.from(s.values) })), skipped }, whole);
    body = bodies[1];
    const html = await queryRange(url, 'up', window).then(() => null, (e: unknown) => e);
    assert.ok(html instanceof InputError);
    assert.match(html.message, new RegExp(`--prometheus ${url}: answered HTTP 200 OK with a body that is not JSON: <html>(proxy says no ){8}pr…$`, 'm'));
    body = bodies[2];
    const cut = await queryRange(url, 'up', window).then(() => null, (e: unknown) => e);
    assert.ok(cut instanceof InputError);
    assert.match(cut.message, /answered HTTP 200 OK with a body that is not JSON: \{"status":"success","data":\{"resultType":"matrix","result":\[\{"metric":\{"namespace":"shop","pod":"web-1"\},"values":\[\[1767…$/m, 'the first 120 characters, as excerpt() quotes the text');
  } finally {
    await new Promise((r) => server.close(r));
  }
});
