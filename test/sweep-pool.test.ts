// The sweep's worker pool started from the TypeScript sources, as the tests import them (through
// tsx): its child processes run the TypeScript worker with tsx registered (--import tsx). The compiled pool, the one
// capsim ships, is what sweep.test.ts runs through bin/capsim.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WorkerPool } from '../src/sweep/pool.ts';
import { runOne, type RunJob, type RunReply } from '../src/sweep/worker.ts';
import { scratchDir } from './support/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

test("the pool runs from the TypeScript sources, and a worker's run equals the same run in this thread", async () => {
  const dir = scratchDir();
  const job = (name: string, seed: number): RunJob => ({
    scenarioFile: path.join(ROOT, 'scenarios/study-web.yaml'),
    sets: ['spec.duration=3h'],
    seed,
    dir: path.join(dir, name),
    keepAll: false,
  });
  const replies = new Map<string, RunReply>();
  await new WorkerPool(2).run([job('a', 1), job('b', 2)], (j, reply) => replies.set(path.basename(j.dir), reply));
  assert.deepEqual(Object.fromEntries(replies), { a: { ok: true }, b: { ok: true } });

  assert.deepEqual(await runOne(job('here', 1)), { ok: true });
  const summary = (name: string) => fs.readFileSync(path.join(dir, name, 'summary.json'), 'utf8');
  assert.equal(summary('a'), summary('here'));
  assert.notEqual(summary('a'), summary('b'), 'another seed, another day');
});

/** Pids of this process's pool children (Linux /proc; not tsx's esbuild). */
function children(): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerProcess');
    } catch {
      return false;
    }
  });
}

test('a child killed under its run fails that run ("worker exited (signal SIGKILL)", run again on resume) and is replaced for the next', { skip: process.platform !== 'linux' }, async () => {
  const dir = scratchDir();
  const job = (name: string, duration: string): RunJob => ({ scenarioFile: path.join(ROOT, 'scenarios/study-web.yaml'), sets: [`spec.duration=${duration}`], seed: 1, dir: path.join(dir, name), keepAll: false });
  const replies = new Map<string, RunReply>();
  const pool = new WorkerPool(1);
  // A year of study-web keeps the child busy for minutes: it is killed long before it ends.
  const running = pool.run([job('long', '365d'), job('next', '1h')], (j, reply) => replies.set(path.basename(j.dir), reply));
  // Killed once its run is under way (runScenario writes into long.tmp-<pid>).
  while (!fs.readdirSync(dir).some((f) => f.startsWith('long.tmp-'))) await new Promise((resolve) => setTimeout(resolve, 100));
  const victims = children();
  assert.equal(victims.length, 1);
  process.kill(victims[0], 'SIGKILL');
  await running;
  assert.deepEqual(Object.fromEntries(replies), { long: { ok: false, error: 'worker exited (signal SIGKILL)' }, next: { ok: true } });
  assert.deepEqual(children(), [], 'the pool leaves no child behind');
});
