// --tables parquet (outputs/tables.ts): a run's tables written as Parquet instead of CSV. The
// report, compare and export read either form through one reader (report/runFiles.ts readCsv),
// so the same run drawn from either gives the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir } from './support/run.ts';
import { readCsv } from '../src/report/runFiles.ts';
import { WORKLOADS, NODES, RECOMMENDATIONS } from '../src/outputs/csvFiles.ts';
import { FOCUS_TABLE } from '../src/focus/columns.ts';

const TABLES = ['timeseries', 'workloads', 'nodes', 'node-utilization', 'events', 'recommendations', 'hourly', 'focus'];

/** `capsim run` of a scenario in both forms, into a/<name> and b/<name> (the same label for compare). */
function runBoth(scenario: string, ...extra: string[]): { csv: string; parquet: string } {
  const dir = scratchDir();
  const name = path.basename(scenario, '.yaml');
  const csv = path.join(dir, 'csv', name);
  const parquet = path.join(dir, 'parquet', name);
  for (const [out, form] of [[csv, 'csv'], [parquet, 'parquet']]) {
    const r = capsim('run', scenario, '--out', out, '--tables', form, '--quiet', ...extra);
    assert.equal(r.code, 0, r.stderr);
  }
  return { csv, parquet };
}

const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();

for (const scenario of ['scenarios/e29-cluster-autoscaler.yaml', 'scenarios/vpa-recommendations.yaml']) {
  test(`${path.basename(scenario)} written as CSV and as Parquet: the same report.html, charts and summary`, () => {
    const { csv, parquet } = runBoth(scenario);
    assert.deepEqual(files(parquet).filter((f) => f.endsWith('.parquet')), TABLES.map((t) => `${t}.parquet`).sort());
    assert.deepEqual(files(parquet).filter((f) => f.endsWith('.csv')), [], 'no CSV beside the Parquet tables');
    for (const f of files(csv).filter((f) => !f.endsWith('.csv') && f !== 'run-info.json')) {
      assert.ok(fs.readFileSync(path.join(csv, f)).equals(fs.readFileSync(path.join(parquet, f))), `${f} differs`);
    }
    // Drawn again by `capsim report` from the Parquet tables alone: the same page.
    const again = capsim('report', parquet, '--format', 'html');
    assert.equal(again.code, 0, again.stderr);
    assert.ok(fs.readFileSync(path.join(csv, 'report.html')).equals(fs.readFileSync(path.join(parquet, 'report.html'))));
  });
}

test('compare reads either form: against a run written as Parquet it writes what it writes against the same run as CSV', () => {
  const { csv, parquet } = runBoth('scenarios/e29-cluster-autoscaler.yaml', '--format', 'none', '--seed', '7');
  const base = runBoth('scenarios/e29-cluster-autoscaler.yaml', '--format', 'none').csv;
  const dir = scratchDir();
  // The same directory (the same label) holding the run as CSV, then as Parquet.
  const other = path.join(dir, 'other');
  const compared = (form: string) => {
    fs.rmSync(other, { recursive: true, force: true });
    fs.cpSync(form === 'csv' ? csv : parquet, other, { recursive: true });
    const r = capsim('compare', base, other, '--out', path.join(dir, form), '--format', 'html');
    assert.equal(r.code, 0, r.stderr);
    return ['compare.csv', 'compare.html'].map((f) => fs.readFileSync(path.join(dir, form, f), 'utf8'));
  };
  const [csvTable, csvPage] = compared('csv');
  const [parquetTable, parquetPage] = compared('parquet');
  assert.equal(parquetTable, csvTable);
  assert.ok(parquetPage === csvPage, 'compare.html differs');
});

test('the Parquet tables hold the CSV cells: numbers as doubles, empty cells as nulls, text as text', async () => {
  const { csv, parquet } = runBoth('scenarios/vpa-recommendations.yaml', '--format', 'none');
  for (const file of [WORKLOADS, NODES, RECOMMENDATIONS, FOCUS_TABLE]) {
    const rows = async (dir: string) => {
      const out: string[][] = [];
      await readCsv(dir, file, (f) => out.push([...f]));
      return out;
    };
    assert.deepEqual(await rows(parquet), await rows(csv), file.name);
  }
  // recommendations.csv has empty cells (no limit: cpu_limit_m): they come back empty.
  assert.match(fs.readFileSync(path.join(csv, 'recommendations.csv'), 'utf8'), /,,/);
  // Deterministic: the same run writes the same bytes.
  const again = path.join(scratchDir(), 'again');
  assert.equal(capsim('run', 'scenarios/vpa-recommendations.yaml', '--out', again, '--tables', 'parquet', '--format', 'none', '--quiet').code, 0);
  for (const t of TABLES) assert.ok(fs.readFileSync(path.join(again, `${t}.parquet`)).equals(fs.readFileSync(path.join(parquet, `${t}.parquet`))), t);
});

test('a Parquet table cut short or overwritten: exit 2 naming the file, with a hint; an unknown --tables: exit 2', () => {
  const { parquet } = runBoth('scenarios/e29-cluster-autoscaler.yaml', '--format', 'none');
  const file = path.join(parquet, 'workloads.parquet');
  const whole = fs.readFileSync(file);
  fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
  const cut = capsim('report', parquet, '--format', 'html');
  assert.equal(cut.code, 2, cut.stderr);
  assert.match(cut.stderr, /workloads\.parquet[^\n]*unreadable Parquet: not a whole Parquet file, cut short\?[^\n]*\n\s+hint: the file is damaged: run the scenario again/);
  assert.ok(!fs.existsSync(path.join(parquet, 'report.html')), 'nothing half-written');
  // The footer whole, a data page overwritten with zeros.
  const zeroed = Buffer.from(whole);
  zeroed.fill(0, 4, Math.min(200, whole.length - 8));
  fs.writeFileSync(file, zeroed);
  const bad = capsim('report', parquet, '--format', 'html');
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /workloads\.parquet[^\n]*unreadable Parquet: /);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');

  const unknown = capsim('run', 'scenarios/quickstart.yaml', '--tables', 'arrow', '--out', path.join(scratchDir(), 'x'));
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--tables: unknown table format "arrow"\n\s+hint: use csv or parquet/);
});

test('sweep --keep-all --tables parquet: each run keeps Parquet tables, and the same command finds them done', () => {
  const out = path.join(scratchDir(), 'sweep');
  const args = ['sweep', 'scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--vary', 'spec.cluster.nodePools[0].count=3,4', '--keep-all', '--tables', 'parquet', '--parallel', '2', '--out', out, '--format', 'none'];
  const first = capsim(...args);
  assert.equal(first.code, 0, first.stderr);
  const run = path.join(out, 'runs', 'c001-s11');
  assert.ok(fs.existsSync(path.join(run, 'workloads.parquet')) && fs.existsSync(path.join(run, 'events.parquet')));
  assert.ok(!fs.existsSync(path.join(run, 'workloads.csv')));
  assert.ok(fs.existsSync(path.join(run, 'report.html')), 'the run drew its report from its Parquet tables');
  const again = capsim(...args);
  assert.match(again.stderr, /2 runs: 0 ran, 2 already done/);
});
