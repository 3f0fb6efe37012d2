#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild, which is what bin/capsim.js and the sweep's workers run.
// Plain JavaScript so that it needs neither tsx nor a build of its own.
//
//   node scripts/build.js              always build (npm run build; npm ci runs it as `prepare`)
//   node scripts/build.js --if-stale   build only when something under src/ or a tsconfig is
//                                      newer than the last build (npm start, npm test, the tests'
//                                      capsim() helper: a checkout edited since `npm ci`)
//
// Why a bundle (issue 18, start-up): compiled file by file, `capsim run` made Node's ES module
// loader resolve, read and compile several hundred files (ours, zod's, yargs', vega's); bundled,
// it reads a handful. dist/ is flat: main.js (the CLI), one file per worker entry, and shared
// chunks. Code splitting keeps every dynamic import() lazy: `capsim --version` loads neither
// vega nor the simulator. Flat, so that `new URL('./x', import.meta.url)` in any source file
// names a file in dist/ whichever chunk the code lands in: a worker a source file starts that
// way (new URL('./worker.js', import.meta.url)) is found below and becomes an entry of that
// name, and the files in ASSETS are copied beside the chunks. esbuild does not type-check:
// `npm run typecheck` (tsc) does.
//
// esbuild writes into a scratch directory that replaces dist/ only once complete, and a lock
// directory makes concurrent callers (test files run in parallel) wait for one build rather than
// write over each other.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.built');
const LOCK = path.join(ROOT, '.dist.lock');
/** A lock older than this was left by a build that died; a build takes about a second. */
const STALE_LOCK_MS = 120_000;
/** Files under src/ that the bundle does not hold but the code reads beside itself
 *  (new URL('./starter.yaml', import.meta.url)): copied into dist/ under their own name. */
const ASSETS = ['cli/starter.yaml'];
/** Directories of such files (new URL('./examples/gpu.yaml', import.meta.url)): copied into
 *  dist/ under their own name, with the files they hold. */
const ASSET_DIRS = ['cli/examples'];
/** Packages left to Node at run time: a native addon (resvg) and optional ones that vega and
 *  others try to load and do without. */
const EXTERNAL = ['@resvg/resvg-js', 'canvas', 'playwright-core'];

/** The newest modification time among the build's inputs (directories too: a deleted file
 *  changes its directory's time). */
function newestInput() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(path.join(ROOT, 'src'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js']) visit(path.join(ROOT, f));
  return newest;
}

function isFresh() {
  try {
    return fs.statSync(STAMP).mtimeMs >= newestInput();
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock() {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      try {
        if (Date.now() - fs.statSync(LOCK).mtimeMs > STALE_LOCK_MS) fs.rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released between the two calls: try again.
      }
      sleep(100);
    }
  }
}

function loadEsbuild() {
  try {
    return createRequire(import.meta.url)('esbuild');
  } catch {
    return null;
  }
}

/** The entry points: the CLI, and every worker a source file starts as
 *  new URL('./<name>.js', import.meta.url) from a <name>.ts beside it (the sweep's worker). */
function entryPoints() {
  const entries = { main: path.join(ROOT, 'src', 'cli', 'main.ts') };
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.ts')) {
        for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/new URL\('\.\/([\w-]+)\.js', import\.meta\.url\)/g)) {
          const source = path.join(dir, `${name}.ts`);
          if (!fs.existsSync(source)) continue;
          if (entries[name] && entries[name] !== source) throw new BuildError(`two entry points are named ${name}.js: ${entries[name]} and ${source}`);
          entries[name] = source;
        }
      }
    }
  };
  visit(path.join(ROOT, 'src'));
  return entries;
}

function build() {
  const esbuild = loadEsbuild();
  if (!esbuild) throw new BuildError('esbuild is not installed (a dev dependency): run npm ci without --omit=dev');
  // The stamp takes the time the build started, so that a file edited during it counts as newer.
  const startedSeconds = Date.now() / 1000;
  const scratch = `${DIST}.tmp-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  try {
    esbuild.buildSync({
      entryPoints: entryPoints(),
      outdir: scratch,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      chunkNames: '[name]-[hash]',
      // Bundled CommonJS packages (fast-csv, seedrandom, ...) call require() for Node's own
      // modules; an ES module has none of its own.
      banner: { js: "import { createRequire as __capsimRequire } from 'node:module'; const require = __capsimRequire(import.meta.url);" },
      logLevel: 'warning',
      legalComments: 'none',
    });
  } catch {
    // esbuild has printed what went wrong.
    fs.rmSync(scratch, { recursive: true, force: true });
    throw new BuildError('esbuild failed');
  }
  for (const asset of ASSETS) fs.copyFileSync(path.join(ROOT, 'src', asset), path.join(scratch, path.basename(asset)));
  for (const dir of ASSET_DIRS) fs.cpSync(path.join(ROOT, 'src', dir), path.join(scratch, path.basename(dir)), { recursive: true });
  fs.writeFileSync(path.join(scratch, '.built'), '');
  fs.utimesSync(path.join(scratch, '.built'), startedSeconds, startedSeconds);
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(scratch, DIST);
}

class BuildError extends Error {}

const ifStale = process.argv.includes('--if-stale');
if (!(ifStale && isFresh())) {
  acquireLock();
  try {
    // Another caller may have built while this one waited for the lock.
    if (!(ifStale && isFresh())) build();
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    process.stderr.write(`capsim build: ${error.message}\n`);
    process.exitCode = 1;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
