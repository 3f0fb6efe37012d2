// The written contract of a run's files (src/outputs/) against what a run really writes: every
// CSV's header row is its declared column list, every row has a cell per column with the timed
// and named columns where they are declared, and summary.json has exactly the keys of Summary,
// in its order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseString } from 'fast-csv';
import { CSV_FILES, EVENTS, NODES, NODE_UTILIZATION, TIMESERIES, WORKLOADS, columnIndex, rowCells } from '../src/outputs/csvFiles.ts';
import { RUN_FILES } from '../src/outputs/runDirectory.ts';
import { FOCUS_TABLE } from '../src/focus/columns.ts';
import { OLDER_SUMMARY, SUMMARY_SHAPE, formatFieldProblems, parseSummary, summaryProblems } from '../src/outputs/summaryCheck.ts';
import { parseCsv, runFile } from './support/run.ts';

/** The rows of a CSV file as fast-csv reads them: arrays of cells, the header first. */
function csvRows(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false }).on('data', (r) => rows.push(r)).on('error', reject).on('end', () => resolve(rows));
  });
}

/** Dotted keys in order, a map's entries left out. */
/** The key paths of SUMMARY_SHAPE; an optional section (['optional', shape]: autoscaling.karpenter)
 *  is left out, as a run without it writes it. */
function keyPaths(skeleton: object, prefix = ''): string[] {
  return Object.entries(skeleton).flatMap(([k, v]) => (Array.isArray(v) ? [] : typeof v === 'object' ? keyPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function fileKeyPaths(json: Record<string, unknown>, skeleton: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(json).flatMap(([k, v]) =>
    typeof skeleton[k] === 'object' && v !== null && typeof v === 'object' ? fileKeyPaths(v as Record<string, unknown>, skeleton[k] as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

// The quickstart: demand served, an outage with evictions, VPA recommendations, two pools.
const run = runFile('scenarios/quickstart.yaml');

test('every CSV a run writes has its declared header row, and a cell per column in every row', async () => {
  const { dir } = await run;
  // focus.csv's columns and rules: focus/columns.ts, test/focus-conformance.test.ts.
  assert.deepEqual([...CSV_FILES, FOCUS_TABLE].map((f) => f.name).sort(), fs.readdirSync(dir).filter((f) => f.endsWith('.csv')).sort());
  for (const file of [...CSV_FILES, FOCUS_TABLE]) {
    const text = fs.readFileSync(path.join(dir, file.name), 'utf8');
    assert.equal(text.slice(0, text.indexOf('\n')), file.columns.join(','), file.name);
    const [, ...rows] = await csvRows(text);
    assert.ok(rows.length > 0, `${file.name} has rows`);
    for (const row of rows) assert.equal(row.length, file.columns.length, `${file.name}: ${row.join(',')}`);
  }
});

test('the timed and named columns hold what their names say, where the lists put them', async () => {
  const { dir } = await run;
  const startMs = Date.parse('2026-01-05T00:00:00Z');
  const csv = (name: string) => parseCsv(fs.readFileSync(path.join(dir, name), 'utf8'));
  for (const file of [TIMESERIES, WORKLOADS, NODE_UTILIZATION, EVENTS]) {
    for (const row of csv(file.name)) assert.equal(row.time, new Date(startMs + Number(row.t) * 1000).toISOString(), `${file.name} t=${row.t}`);
  }
  const workloads = new Set(csv(WORKLOADS.name).map((r) => r.workload));
  assert.deepEqual([...workloads].sort(), ['DaemonSet/kube-system/log-agent', 'Deployment/data/search-index', 'Deployment/shop/cart', 'Deployment/shop/catalog', 'Deployment/shop/storefront']);
  const nodes = new Set(csv(NODES.name).map((r) => r.node));
  for (const row of csv(NODE_UTILIZATION.name)) assert.ok(nodes.has(row.node), row.node);
  // Every other cell of the series files is a number: a name or a time out of place is not.
  const text = new Set(['time', 'workload', 'node']);
  for (const file of [TIMESERIES, WORKLOADS, NODE_UTILIZATION]) {
    for (const row of csv(file.name)) {
      for (const [column, cell] of Object.entries(row)) if (!text.has(column)) assert.ok(cell !== '' && Number.isFinite(Number(cell)), `${file.name} ${column}=${cell}`);
    }
  }
});

test('summary.json has the keys of Summary, in its order, every section an object', async () => {
  const { dir, summary } = await run;
  // SUMMARY_SHAPE is typed so that a key missing there or not in Summary does not compile.
  // warnings is left out of a run that has none, as the quickstart (every workload modelled).
  assert.equal('warnings' in summary, false);
  assert.deepEqual(fileKeyPaths(summary, SUMMARY_SHAPE), keyPaths(SUMMARY_SHAPE).filter((k) => k !== 'warnings'));
  assert.deepEqual(summaryProblems(summary), []);
  for (const key of ['byPool', 'byNamespace', 'byInstanceType', 'byCapacityType', 'byWorkload'] as const) {
    assert.ok(Object.keys(summary.cost[key]).length > 0, `cost.${key} is populated`);
    assert.ok(Object.values(summary.cost[key]).every((v) => typeof v === 'number'), `cost.${key} maps names to numbers`);
  }
  assert.equal(typeof summary.demand.servedPct, 'number');
  assert.ok(fs.existsSync(path.join(dir, RUN_FILES.summary)));
});

test('a summary read back: what is cut short, missing or of the wrong type is named, field by field', async () => {
  const { summary } = await run;
  const text = JSON.stringify(summary, null, 2);
  assert.match(formatFieldProblems(parseSummary(text.slice(0, 100)).problems), /^not valid JSON, cut short or edited\? \(/);
  const damaged = structuredClone(summary);
  delete damaged.cost.totalUsd;
  damaged.pods.oomKills = '2';
  damaged.cost.byPool.general = null;
  damaged.demand.servedPct = null; // allowed: no workload has demand
  damaged.nodes = [];
  assert.deepEqual(summaryProblems(damaged), [
    { path: 'cost.totalUsd', message: 'missing, a number expected' },
    { path: 'cost.byPool.general', message: 'is null, a number expected' },
    { path: 'nodes', message: 'is a list, an object expected' },
    { path: 'pods.oomKills', message: 'is a string ("2"), a number expected' },
  ]);
  assert.equal(formatFieldProblems(summaryProblems(damaged), 2), 'cost.totalUsd: missing, a number expected; cost.byPool.general: is null, a number expected; and 2 more');
  assert.deepEqual(summaryProblems([1, 2]), [{ path: '', message: 'is a list, not the object of a capsim summary' }]);
  assert.equal(parseSummary(text).summary?.cost.totalUsd, summary.cost.totalUsd);
});

test('a summary of an older capsim: cost.listUsd is its total (no discounts existed); no carbon is named as such, not filled with 0', async () => {
  const { summary } = await run;
  const older = structuredClone(summary);
  delete older.cost.listUsd;
  assert.equal(parseSummary(JSON.stringify(older)).summary?.cost.listUsd, summary.cost.totalUsd);
  delete older.carbon;
  assert.deepEqual(parseSummary(JSON.stringify(older)).problems, [{ path: 'carbon', message: OLDER_SUMMARY }]);
});

test('a reader finds a column by name, and a column a file lacks at -1', () => {
  const at = columnIndex(NODES, ['node', 'pool', 'cost_usd']);
  assert.equal(at.cost_usd, 2);
  assert.equal(at.ready_seconds, -1);
  const cells = rowCells(EVENTS, { message: 'm', node: 'n', object: 'o', type: 'Scheduled', time: 'x', t: 1 });
  assert.deepEqual(cells, [1, 'x', 'Scheduled', 'o', 'n', 'm']);
});
