// Answers in the terminal (issue 21): tables drawn by cli-table3 in kubectl's borderless look,
// -o json|yaml with nothing else on stdout, money and durations as people write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderTable, renderTables } from '../src/cli/output.ts';
import { usd, usdPerHour } from '../src/outputs/money.ts';
import { capsim, scratchDir } from './support/run.ts';

test('a table: header row, columns two spaces apart, numbers right-aligned, no borders, no trailing spaces', () => {
  const text = renderTable({
    title: 'Headline',
    columns: [{ header: 'figure' }, { header: 'value', align: 'right' }],
    cells: [['cost', '$50.75'], ['monthly run-rate', '$1,201.40']],
    notes: ['a note under it'],
  });
  assert.equal(text, ['Headline', 'figure                value', 'cost                 $50.75', 'monthly run-rate  $1,201.40', 'a note under it', ''].join('\n'));
  // Two tables: a blank line between them.
  assert.equal(renderTables([{ columns: [{ header: 'a' }], cells: [['x']] }, { columns: [{ header: 'b' }], cells: [['y']] }]), 'a\nx\n\nb\ny\n');
  assert.throws(() => renderTable({ columns: [{ header: 'a' }], cells: [['x', 'y']] }), /row 0 has 2 cells for 1 columns/);
});

test('a table wider than the terminal wraps its widest text column at words; piped (no width) it keeps one line per row', () => {
  const advice = {
    columns: [{ header: 'severity' }, { header: 'how much', align: 'right' as const }, { header: 'what to do' }],
    cells: [['high', '$234.33/month (39%)', 'Run 3 × aws/c5.large instead of general, with a node or two spare']],
  };
  // severity 8 + 2 + how much 19 + 2 = 31 columns before the text; at 60 it gets 29 a line.
  assert.deepEqual(renderTables([advice], 60).split('\n').filter(Boolean), [
    'severity             how much  what to do',
    'high      $234.33/month (39%)  Run 3 × aws/c5.large instead',
    '                               of general, with a node or',
    '                               two spare',
  ]);
  assert.equal(renderTables([advice], undefined).split('\n').filter(Boolean).length, 2);
  // No rows: no header over nothing, only what the notes say.
  assert.equal(renderTable({ title: 'Advice', columns: advice.columns, cells: [], notes: ['Nothing to act on.'] }), 'Advice\nNothing to act on.\n');
});

test('money: $, cents, thousands separators; unit prices keep their digits', () => {
  assert.equal(usd(50.75), '$50.75');
  assert.equal(usd(1201.4), '$1,201.40');
  assert.equal(usd(604.444), '$604.44');
  assert.equal(usd(-3), '-$3.00');
  assert.equal(usd(-0.001), '$0.00', 'no "-$0.00"');
  assert.equal(usd(1.656, 3), '$1.656', "compare's deliberate third decimal for small amounts");
  assert.equal(usdPerHour(0.096), '$0.096/h');
  assert.equal(usdPerHour(0.5), '$0.50/h');
  assert.equal(usdPerHour(0.0116), '$0.0116/h');
});

test('run: the headline as a table (figures from summary.json), then where the results are', () => {
  const out = path.join(scratchDir(), 'q');
  const r = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--format', 'none');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const lines = r.stdout.split('\n').slice(1);
  assert.equal(r.stdout.split('\n')[0], 'quickstart: 1d, seed 42');
  assert.match(lines[0], /^figure +value +detail$/);
  // The numbers are summary.json's, formatted: $19.87 is cost.totalUsd 19.872 to cents.
  assert.match(r.stdout, new RegExp(`^cost +\\$${s.cost.totalUsd.toFixed(2)} +over 1d$`, 'm'));
  assert.match(r.stdout, new RegExp(`^monthly run-rate +\\$${s.cost.monthlyRunRateUsd.toFixed(2)} +average`, 'm'));
  assert.match(r.stdout, new RegExp(`^nodes at peak +${s.nodes.max} +min ${s.nodes.min}`, 'm'));
  assert.match(r.stdout, new RegExp(`^cpu requested +${s.utilization.cpuRequestedPct.toFixed(1)}% +used ${s.utilization.cpuUsedPct.toFixed(1)}%`, 'm'));
  assert.match(r.stdout, new RegExp(`^pods scheduled +${s.pods.scheduled} +${s.pods.unschedulable} pending at the end$`, 'm'));
  assert.match(r.stdout, new RegExp(`^trouble +${s.pods.evictions} +${s.pods.evictions} evictions$`, 'm'), 'the quickstart drains a node: evictions, no OOM kills');
  // The values line up on the right: every row's value ends in the same column.
  const valueEnd = lines[0].indexOf('value') + 'value'.length;
  for (const line of lines.slice(1, lines.indexOf(''))) assert.equal(line[valueEnd - 1] === ' ', false, `value column aligned: ${line}`);
  assert.match(r.stdout, /^output +path\nresults +.*q\/ \(summary\.json, timeseries\.csv/m);
  assert.doesNotMatch(r.stdout, /^report/m, '--format none writes no report');
  assert.doesNotMatch(r.stdout, /4w|\$\d+\.\d\b/, 'no weeks, no money with one decimal');
});

test('run -o json prints summary.json and nothing else on stdout; -o yaml the same data; --quiet keeps it', () => {
  const out = path.join(scratchDir(), 'j');
  const json = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--format', 'none', '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  const file = fs.readFileSync(path.join(out, 'summary.json'), 'utf8');
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(file));
  assert.match(json.stderr, /1d simulated in/, 'the timing goes to stderr');
  const yaml = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--format', 'none', '--output', 'yaml', '--quiet');
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.deepEqual(parseYaml(yaml.stdout), JSON.parse(file));
  assert.equal(yaml.stderr, '', '--quiet: nothing but the data asked for');
  const quiet = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--format', 'none', '--quiet');
  assert.equal(quiet.stdout, '');
  const bad = capsim('run', 'scenarios/quickstart.yaml', '--out', out, '-o', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid values:[\s\S]*output[\s\S]*"xml"[\s\S]*Choices: "table", "json", "yaml"/);
});

test('sweep: the answer, then the configurations ranked best first; -o json the same ranking with every figure', () => {
  const out = path.join(scratchDir(), 'sweep');
  const args = ['sweep', 'scenarios/study-web.yaml', '--vary', 'spec.cluster.nodePools[0].count=5,3,4', '--set', 'spec.duration=6h', '--objective', 'cost.totalUsd', '--constraint', 'demand.servedPct>=99.9', '--out', out, '--format', 'none', '--parallel', '1'];
  const r = capsim(...args);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^best: c002 \(spec\.cluster\.nodePools\[0\]\.count=3\): cost\.totalUsd mean \$\d+\.\d\d over 1 seed; meets demand\.servedPct>=99\.9 in every seed$/);
  assert.match(lines[1], /^rank +config +nodePools\[0\]\.count +cost\.totalUsd \(min\) +monthly +served +peak nodes +seeds +meets constraints$/);
  // Fewer nodes cost less and all three serve 99.9 %: 3, 4, 5 nodes in that order (c002, c003, c001).
  assert.deepEqual(lines.slice(2, 5).map((l) => l.trim().split(/ +/).slice(0, 3)), [['1', 'c002', '3'], ['2', 'c003', '4'], ['3', 'c001', '5']]);
  assert.match(lines[2], / \$\d+\.\d\d +\$\d+\.\d\d +\d+\.\d+% +3 +1 +yes$/);
  assert.match(r.stdout, /^results +.*sweep\/ \(sweep\.csv, sweep-summary\.csv, sweep\.json, runs\/\)$/m);
  const json = capsim(...args, '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  const data = JSON.parse(json.stdout);
  assert.equal(data.best, 'c002');
  assert.deepEqual(data.configs.map((c: { config: string; rank: number }) => [c.rank, c.config]), [[1, 'c002'], [2, 'c003'], [3, 'c001']]);
  assert.equal(data.configs[0].values['spec.cluster.nodePools[0].count'], '3');
  assert.equal(data.configs[0].figures['nodes.max'].mean, 3);
  assert.equal(data.configs[0].objective.mean, data.configs[0].figures['cost.totalUsd'].mean);
});

test('a duration reads as the user wrote it: 36h stays 36h (not 1d12h) in validate, the run, its report and compare', () => {
  const out = path.join(scratchDir(), 'h36');
  const v = capsim('validate', 'scenarios/quickstart.yaml', '--set', 'spec.duration=36h');
  assert.match(v.stdout, /^ok: quickstart: 36h, /);
  const r = capsim('run', 'scenarios/quickstart.yaml', '--set', 'spec.duration=36h', '--out', out, '--format', 'html');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^quickstart: 36h, seed 42$/m);
  assert.match(r.stdout, /^cost +\$[\d.,]+ +over 36h$/m);
  assert.match(r.stderr, /quickstart: 36h simulated in/);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<p>36h from 2026-01-05 00:00 UTC, seed 42<\/p>/);
  assert.doesNotMatch(html, /1d 12h|1d12h/);
  // A duration capsim computes has no weeks, and reads with spaces in a page: the event times.
  assert.doesNotMatch(html, /\d+w\d/);
  assert.match(html, /\(\+18h 5m 50s\)/, "the zone outage's evictions, 18h 5m 50s after the start");
  // --set spec.duration=1d12h: what was written on the command line is shown.
  const set = capsim('validate', 'scenarios/quickstart.yaml', '--set', 'spec.duration=1d12h');
  assert.match(set.stdout, /^ok: quickstart: 1d12h, /);
});
