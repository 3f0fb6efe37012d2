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
