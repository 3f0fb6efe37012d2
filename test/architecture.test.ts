// The shape of src/, checked from its imports: no import circles, controllers that meet only
// through the API server (none imports another), data flowing one way between the layers, and
// no source file too long to read. The rules are the ones README "Map of src/" states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

interface Import {
  target: string;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

/** Relative imports of a file (static, type-only, re-exports and dynamic) of source files, as
 *  src-relative paths. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = new Map<string, boolean>();
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith('.') || !/\.(ts|js)$/.test(spec)) return;
    let target = path.relative(SRC, path.resolve(path.dirname(file), spec));
    // Compiled code names its sibling modules .js (the sweep pool starts dist's worker.js).
    if (target.endsWith('.js') && !fs.existsSync(path.join(SRC, target))) target = target.replace(/\.js$/, '.ts');
    found.set(target, (found.get(target) ?? true) && typeOnly);
  };
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s)?[^'"]*?from\s*'([^']+)'/gm)) add(m[3], m[2] !== undefined);
  for (const re of [/^\s*import\s*'([^']+)'/gm, /\bimport\(\s*'([^']+)'\s*\)/g, /new URL\('([^']+)',\s*import\.meta\.url\)/g]) {
    for (const m of text.matchAll(re)) add(m[1], false);
  }
  return [...found].map(([target, typeOnly]) => ({ target, typeOnly }));
}

const files = sourceFiles(SRC).map((f) => path.relative(SRC, f));
const imports = new Map(files.map((f) => [f, importsOf(path.join(SRC, f))]));
const graph = new Map([...imports].map(([f, list]) => [f, list.map((i) => i.target).filter((t) => files.includes(t))]));

test('every relative import names a source file that exists', () => {
  const missing: string[] = [];
  for (const [f, list] of imports) for (const { target } of list) if (!files.includes(target)) missing.push(`${f} -> ${target}`);
  assert.deepEqual(missing, []);
});

test('no import circles: none at run time, and type-level ones only within a folder', () => {
  // A Pod's node and a node's pods refer to each other's types: mutually referring types of one
  // folder are one concept split for reading, and type-only imports are erased, so they cannot
  // order module loading. Everything else must be a tree.
  const sameFolder = (a: string, b: string) => path.dirname(a) === path.dirname(b);
  const edges = new Map(
    [...imports].map(([f, list]) => [f, list.filter((i) => files.includes(i.target) && !(i.typeOnly && sameFolder(f, i.target))).map((i) => i.target)]),
  );
  // Tarjan's strongly connected components; any component of more than one file is a circle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)!.includes(v)) circles.push(component.sort());
    }
  };
  for (const f of files) if (!indexOf.has(f)) visit(f);
  assert.deepEqual(circles, []);
});

/** The controller a file belongs to: controllers/<name>.ts or controllers/<name>/...; null for
 *  what all controllers share (the manager, its context, the work queue, the template hash). */
const SHARED_CONTROLLER_FILES = new Set(['controllers/manager.ts', 'controllers/context.ts', 'controllers/workqueue.ts', 'controllers/templateHash.ts']);
function controllerOf(file: string): string | null {
  if (!file.startsWith('controllers/') || SHARED_CONTROLLER_FILES.has(file)) return null;
  return file.split('/')[1].replace(/\.ts$/, '');
}

test('no controller imports another controller; only the manager knows them all', () => {
  const crossings: string[] = [];
  for (const [f, targets] of graph) {
    const own = controllerOf(f);
    if (own === null) continue;
    for (const t of targets) {
      const other = controllerOf(t);
      if (other !== null && other !== own) crossings.push(`${f} -> ${t}`);
      if (t === 'controllers/manager.ts') crossings.push(`${f} -> ${t}`);
    }
  }
  assert.deepEqual(crossings, []);
  // Outside, only the manager makes them: others may read a controller's types (the recorder
  // writes the VPA's recommendations), never call into one.
  const reaching: string[] = [];
  for (const [f, list] of imports) {
    if (f.startsWith('controllers/')) continue;
    for (const i of list) if (controllerOf(i.target) !== null && !i.typeOnly) reaching.push(`${f} -> ${i.target}`);
  }
  assert.deepEqual(reaching, []);
});

/** The layers, lowest first: a file may import its own layer and those below, never above. */
const LAYERS: string[][] = [
  ['engine', 'quantity.ts', 'duration.ts', 'timestamp.ts', 'version.ts', 'phases.ts', 'excerpt.ts'],
  ['model', 'outputs'],
  ['cost/catalog.ts', 'cost/catalogData.ts', 'cost/regionalPriceData.ts', 'pricing', 'cloud/reservedResources.ts', 'cloud/nodeGroups.ts', 'cloud/manifestNodes.ts', 'workload', 'karpenter'],
  ['scenario'],
  ['api'],
  ['service'],
  ['kubelet', 'metrics', 'scheduler'],
  ['cost', 'kubectl', 'cloud', 'carbon'],
  ['controllers'],
  ['scriptedEvents.ts', 'world.ts', 'preflight.ts'],
  ['record', 'focus', 'advice'],
  ['report'],
  ['export'],
  ['run.ts', 'size'],
  ['sweep'],
  ['import', 'calibrate'],
  ['backtest'],
  ['cli'],
];

function layerOf(file: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((layer, i) => {
    for (const prefix of layer) {
      const matches = prefix.endsWith('.ts') || prefix.endsWith('.js') ? file === prefix : file === prefix || file.startsWith(`${prefix}/`);
      if (matches && prefix.length > bestLength) {
        best = i;
        bestLength = prefix.length;
      }
    }
  });
  return best;
}

test('data flows one way: no file imports from a later layer', () => {
  const unplaced = files.filter((f) => layerOf(f) < 0);
  assert.deepEqual(unplaced, [], 'every source file belongs to a layer of the map');
  const upward: string[] = [];
  for (const [f, targets] of graph) for (const t of targets) if (layerOf(t) > layerOf(f)) upward.push(`${f} -> ${t}`);
  assert.deepEqual(upward, []);
});

test('no source file over 600 lines, generated data excepted', () => {
  const GENERATED = new Set(['cost/catalogData.ts']);
  const long = files
    .filter((f) => !GENERATED.has(f))
    .map((f) => [f, fs.readFileSync(path.join(SRC, f), 'utf8').split('\n').length] as const)
    .filter(([, lines]) => lines > 600)
    .map(([f, lines]) => `${f}: ${lines} lines`);
  assert.deepEqual(long, []);
});
