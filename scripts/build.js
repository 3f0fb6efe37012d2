#!/usr/bin/env node
// Compiles src/ to dist/ (tsconfig.build.json), which is what bin/capsim.js and the sweep's
// workers run. Plain JavaScript so that it needs neither tsx nor a build of its own.
//
//   node scripts/build.js              always build (npm run build; npm ci runs it as `prepare`)
//   node scripts/build.js --if-stale   build only when something under src/ or a tsconfig is
//                                      newer than the last build (npm start, npm test, the tests'
//                                      capsim() helper: a checkout edited since `npm ci`)
//
// tsc writes into a scratch directory that replaces dist/ only once complete, and a lock
// directory makes concurrent callers (test files run in parallel) wait for one build rather than
// write over each other.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.built');
const LOCK = path.join(ROOT, '.dist.lock');
/** A lock older than this was left by a build that died; tsc takes about two seconds. */
const STALE_LOCK_MS = 120_000;
/** Files under src/ that tsc does not emit but the compiled code reads beside itself. */
const ASSETS = ['cli/starter.yaml'];

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

function tscPath() {
  try {
    // The package exports no bin/ path; its package.json sits beside bin/.
    return path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    return null;
  }
}

function build() {
  const tsc = tscPath();
  if (!tsc) throw new BuildError('TypeScript is not installed (a dev dependency): run npm ci without --omit=dev');
  // The stamp takes the time the build started, so that a file edited during it counts as newer.
  const startedSeconds = Date.now() / 1000;
  const scratch = `${DIST}.tmp-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', scratch], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw new BuildError('tsc failed');
  }
  for (const asset of ASSETS) fs.copyFileSync(path.join(ROOT, 'src', asset), path.join(scratch, asset));
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
