// The user documentation cannot fall behind the code: every YAML example in docs/scenario.md
// loads (```yaml scenario blocks as scenarios, ```yaml manifest blocks as a manifest file), every
// field of the scenario's JSON Schema and every kind capsim reads is named there, its list of
// fields accepted but not simulated is the one capsim reports from, and docs/outputs.md names
// every file, column and key a run and a sweep write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { KINDS } from '../src/scenario/kube/kinds.ts';
import { notSimulatedMarkdown } from '../src/scenario/fieldSupport.ts';
import { SCOPE_ORDER } from '../src/scenario/schemaFields.ts';
import { capsim, scratchDir } from './support/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCENARIO_DOC = fs.readFileSync(path.join(ROOT, 'docs/scenario.md'), 'utf8');
const OUTPUTS_DOC = fs.readFileSync(path.join(ROOT, 'docs/outputs.md'), 'utf8');

interface Block {
  info: string;
  text: string;
  line: number;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `docs: the block opened on line ${i + 1} is never closed`);
    blocks.push({ info: open[1].trim(), text: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return blocks;
}

/** Every name written in backticks, whole (`memory.available`) and split at dots and slashes. */
function codeNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const [, span] of markdown.matchAll(/`([^`\n]+)`/g)) {
    for (const token of span.split(/[^A-Za-z0-9_.\-/]+/).filter(Boolean)) {
      names.add(token);
      for (const part of token.split(/[./]/)) names.add(part);
    }
  }
  return names;
}

/** Where a block's loading failed, with the problems the loader found. */
async function loads(file: string, block: Block): Promise<void> {
  try {
    await loadScenario(file);
  } catch (error) {
    const problems = (error as { problems?: { message: string; path: string; line: number }[] }).problems;
    assert.fail(`docs/scenario.md:${block.line}: the example does not load: ${problems ? problems.map((p) => `${p.path} (line ${p.line}): ${p.message}`).join('; ') : String(error)}`);
  }
}

test('every YAML example in docs/scenario.md loads: scenarios as they are, manifests in a scenario', async () => {
  const blocks = fencedBlocks(SCENARIO_DOC);
  const dir = scratchDir('capsim-docs-');
  // Files the examples read (a trace CSV) are ```csv file=PATH blocks.
  for (const block of blocks) {
    const file = /^csv file=(\S+)$/.exec(block.info)?.[1];
    if (!file) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), block.text);
  }
  let scenarios = 0;
  let manifests = 0;
  for (const [i, block] of blocks.entries()) {
    if (!/^yaml\b/.test(block.info)) continue;
    if (block.info === 'yaml scenario') {
      const file = path.join(dir, `example-${i}.yaml`);
      fs.writeFileSync(file, block.text);
      await loads(file, block);
      scenarios++;
    } else if (block.info === 'yaml manifest') {
      fs.writeFileSync(path.join(dir, `manifest-${i}.yaml`), block.text);
      const file = path.join(dir, `manifest-${i}-scenario.yaml`);
      fs.writeFileSync(file, `apiVersion: capsim/v1\nkind: Scenario\nspec:\n  cluster: {nodePools: [{name: general, instanceType: aws/m5.xlarge}]}\n  manifests: [manifest-${i}.yaml]\n`);
      await loads(file, block);
      manifests++;
    } else {
      assert.fail(`docs/scenario.md:${block.line}: mark a YAML block \`yaml scenario\` or \`yaml manifest\` so that it is checked`);
    }
  }
  assert.ok(scenarios >= 5 && manifests >= 1, `${scenarios} scenarios and ${manifests} manifest examples checked`);
});

test('docs/scenario.md names every field of the scenario format and every kind capsim reads', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/scenario.schema.json'), 'utf8'));
  // The scenario's own fields; $defs holds Kubernetes types (Container, Affinity, ...).
  const fields = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$defs') continue;
        if (key === 'properties') for (const name of Object.keys(child as object)) fields.add(name);
        visit(child);
      }
    }
  };
  visit(schema);
  assert.ok(fields.has('nodePools') && fields.has('zoneOutage') && fields.size > 150, `${fields.size} fields found`);
  assert.ok(Object.keys(schema.properties.spec.properties).every((key) => fields.has(key)));
  const named = codeNames(SCENARIO_DOC);
  const missing = [...fields, ...Object.keys(KINDS)].filter((name) => !named.has(name));
  assert.deepEqual(missing, [], `docs/scenario.md does not name ${missing.join(', ')}`);
});

test('docs/scenario.md "Accepted but not simulated" is the list capsim reports from (src/scenario/fieldSupport.ts)', () => {
  const begin = '<!-- generated from src/scenario/fieldSupport.ts; test/docs.test.ts checks it -->\n';
  const end = '\n<!-- end of the generated table -->';
  const from = SCENARIO_DOC.indexOf(begin);
  const to = SCENARIO_DOC.indexOf(end, from);
  assert.ok(from >= 0 && to > from, 'docs/scenario.md lost the markers around the generated table');
  const expected = notSimulatedMarkdown(SCOPE_ORDER);
  assert.ok(SCENARIO_DOC.slice(from + begin.length, to) === expected, `replace the table between the markers in docs/scenario.md with:\n${expected}`);
});

/** Dotted paths of every leaf of a JSON value. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

function header(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n', 1)[0].split(',');
}

test('docs/outputs.md names every file, column and summary key a run and a sweep write', () => {
  const named = codeNames(OUTPUTS_DOC);
  const missing: string[] = [];
  const need = (name: string, where: string) => {
    if (!named.has(name)) missing.push(`${name} (${where})`);
  };

  const run = path.join(scratchDir('capsim-docs-'), 'run');
  const r = capsim('run', 'scenarios/quickstart.yaml', '--out', run, '--quiet', '--format', 'html,svg');
  assert.equal(r.code, 0, r.stderr);
  for (const entry of fs.readdirSync(run)) {
    need(entry, 'a run');
    if (entry.endsWith('.csv')) for (const column of header(path.join(run, entry))) need(column, entry);
  }
  for (const chart of fs.readdirSync(path.join(run, 'charts'))) need(chart.replace(/\.svg$/, ''), 'charts/');
  // A key under a map of names (cost.byPool.general) is documented by the map (cost.byPool).
  const summary = JSON.parse(fs.readFileSync(path.join(run, 'summary.json'), 'utf8'));
  for (const key of leafPaths(summary)) {
    const parts = key.split('.');
    if (!parts.some((_, i) => named.has(parts.slice(0, i + 1).join('.')) && (i > 0 || parts.length === 1))) missing.push(`${key} (summary.json)`);
  }
  for (const key of Object.keys(JSON.parse(fs.readFileSync(path.join(run, 'run-info.json'), 'utf8')))) need(key, 'run-info.json');

  const sweep = path.join(scratchDir('capsim-docs-'), 'sweep');
  const s = capsim('sweep', 'scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--vary', 'spec.workloads[0].containers[0].resources.requests.cpu=250m,500m',
    '--objective', 'cost.totalUsd', '--parallel', '1', '--out', sweep, '--quiet', '--format', 'html,svg');
  assert.equal(s.code, 0, s.stderr);
  for (const entry of fs.readdirSync(sweep)) need(entry, 'a sweep');
  for (const file of ['sweep.csv', 'sweep-summary.csv']) {
    // Past the fixed columns come the varied path and the figures (<key>, <key>.mean, ...).
    for (const column of header(path.join(sweep, file))) if (!column.includes('.') && !column.startsWith('spec')) need(column, file);
  }
  for (const file of ['sweep.json', 'sweep-plan.json']) for (const key of Object.keys(JSON.parse(fs.readFileSync(path.join(sweep, file), 'utf8')))) need(key, file);
  const runs = fs.readdirSync(path.join(sweep, 'runs'));
  for (const entry of fs.readdirSync(path.join(sweep, 'runs', runs[0]))) need(entry, 'runs/<run>/');
  for (const key of Object.keys(JSON.parse(fs.readFileSync(path.join(sweep, 'runs', runs[0], 'run.json'), 'utf8')))) need(key, 'run.json');

  assert.deepEqual(missing, [], `docs/outputs.md does not name ${missing.join(', ')}`);
});
