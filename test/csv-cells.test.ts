// Free text in the CSVs capsim writes (issue 14): a cell a spreadsheet would run as a formula
// (OWASP "CSV Injection": starting with =, +, -, @, tab or carriage return) is written with a
// single quote in front; numbers, negative ones included, are written as they are; capsim's
// readers give back the text as the scenario had it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { csvText, isPlainCell, readTextCell, textCell } from '../src/outputs/csvCells.ts';
import { loadRun } from '../src/report/runFiles.ts';
import { compareCsv } from '../src/report/compare.ts';
import type { FigureRow } from '../src/report/figures.ts';
import { parseCsv, runYaml } from './support/run.ts';

const LINK = '=HYPERLINK("https://example.com/x","open")';

test('textCell: a formula\'s first character gets a quote in front; numbers and other text are unchanged', () => {
  const cases: [string, string][] = [
    [LINK, `'${LINK}`],
    ['+zone', "'+zone"],
    ['-x', "'-x"],
    ['--set: spec.duration: ...', "'--set: spec.duration: ..."],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ["'=x", "''=x"], // already quoted by the user: one more, so reading takes exactly one off
    ["''@x", "'''@x"],
    // Numbers as capsim formats them: a spreadsheet reads them as numbers, not formulas.
    ['-0.12', '-0.12'], ['-3.5', '-3.5'], ['+1', '+1'], ['1e-7', '1e-7'], ['-1.5e+21', '-1.5e+21'], ['-Infinity', '-Infinity'], ['-.5', '-.5'],
    // Not numbers: a formula after a number-like start.
    ['-1+2', "'-1+2"], ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"], ['-', "'-"],
    ['us-east-1a', 'us-east-1a'], ["'quoted", "'quoted"], ['', ''], ['a=b', 'a=b'],
  ];
  for (const [text, cell] of cases) {
    assert.equal(textCell(text), cell, JSON.stringify(text));
    assert.equal(readTextCell(cell), text, `read back ${JSON.stringify(cell)}`);
  }
  assert.equal(isPlainCell('Deployment/shop/web'), true);
  assert.equal(isPlainCell('a,b'), false);
  assert.equal(isPlainCell('-web'), false);
});

test('csvText: text cells neutralised and quoted as CSV needs, number cells as they are', async () => {
  assert.equal(await csvText([['figure', LINK], ['cost', -0.12], ['note', '-0.12'], ['x', '+a,b']]), [
    `figure,"'=HYPERLINK(""https://example.com/x"",""open"")"`,
    'cost,-0.12',
    'note,-0.12',
    `x,"'+a,b"`,
    '',
  ].join('\n'));
});

test('a zone named =HYPERLINK(...): nodes.csv writes it as text, the report reads it back as written', async () => {
  const run = await runYaml(`
apiVersion: capsim/v1
kind: Scenario
metadata: {name: hostile-zones}
spec:
  duration: 30m
  sampleEvery: 5m
  cluster:
    nodePools:
      - name: general
        capacity: {cpu: "4", memory: 16Gi, pods: "110"}
        price: {onDemandPerHour: 0.2}
        zones: ['${LINK}', "+zone", "-1", "'=already"]
        count: 4
  workloads:
    - {name: web, replicas: 2, containers: [{name: web, resources: {requests: {cpu: 500m, memory: 512Mi}}}]}
`);
  const zones = ['zone', LINK, '+zone', '-1', "'=already"];
  // As a spreadsheet sees the file: each zone that starts a formula has a quote in front; "-1"
  // is a number, not a formula.
  const raw = parseCsv(fs.readFileSync(path.join(run.dir, 'nodes.csv'), 'utf8'));
  assert.deepEqual(raw.map((r) => r.zone), [`'${LINK}`, "'+zone", '-1', "''=already"]);
  // The event messages quote the zone inside the text: no formula start, unchanged.
  assert.equal(run.events('NodeAdded')[0].message, `4 CPU, 16384Mi, pool general, zone ${LINK}, on-demand`);
  const data = await loadRun(run.dir);
  assert.deepEqual(['zone', ...data.nodes.map((n) => n.zone)], zones);
});

test('compare.csv: a run labelled =HYPERLINK(...) is text in the header; negative deltas stay numbers', async () => {
  const rows: FigureRow[] = [{ key: 'cost.totalUsd', label: 'Total cost', unit: 'usd', better: 'lower', values: [1.5, 1.38], deltas: [{ absolute: -0.12, pct: -8 }] }];
  const csv = await compareCsv(['base', LINK], rows);
  assert.equal(csv, [
    `figure,base,"'=HYPERLINK(""https://example.com/x"",""open"")","delta_=HYPERLINK(""https://example.com/x"",""open"")","delta_pct_=HYPERLINK(""https://example.com/x"",""open"")"`,
    'cost.totalUsd,1.5,1.38,-0.12,-8',
    '',
  ].join('\n'));
});
