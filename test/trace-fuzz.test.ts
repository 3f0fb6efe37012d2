// The pod trace reader (src/workload/podTrace.ts) against input no one wrote on purpose: random
// text, and a good trace with cells and lines garbled. It never throws: each line is a pod or a
// problem with a line, a column within the line and a message; a garbled cell is a problem on its
// own line, never a pod with a made-up value; and reading twice gives the same answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { PodTraceReader, type PodTraceProblem, type TracePod } from '../src/workload/podTrace.ts';
import { scratchDir } from './support/run.ts';

const dir = scratchDir('capsim-trace-fuzz-');
let n = 0;

async function readAll(text: string, ext = 'csv'): Promise<{ pods: TracePod[]; problems: PodTraceProblem[] }> {
  const file = path.join(dir, `t${n++}.${ext}`);
  fs.writeFileSync(file, text);
  const reader = new PodTraceReader(file, 0);
  const pods: TracePod[] = [];
  const problems: PodTraceProblem[] = [];
  for (let next = await reader.next(); next !== null; next = await reader.next()) {
    if ('pod' in next) pods.push(next.pod);
    else problems.push(next.problem);
  }
  return { pods, problems };
}

function checkProblem(p: PodTraceProblem, lines: readonly string[]): void {
  assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line <= lines.length, `line ${p.line} of ${lines.length}`);
  const line = lines[p.line - 1] ?? '';
  assert.ok(Number.isInteger(p.column) && p.column >= 0 && p.column <= line.length + 1, `column ${p.column} on a line of ${line.length}`);
  assert.ok(p.message.length > 0 && p.message.length < 1000, p.message);
}

const GOOD = [
  'name,namespace,created,deleted,duration,scheduled,requests.cpu,requests.memory,limits.nvidia.com/gpu,priority,tolerations,node_affinity,node_selector',
  'a,ml,0,600,,1,1,1Gi,1,100,gpu=true:NoSchedule,"m in (x,y)",pool=gpu',
  'b,ml,10,,300,12,500m,512Mi,,,,,',
  'c,default,20,40,,,2,2Gi,2,-5,spot;:NoExecute,m notin (z);!spot,',
  'd,batch,2026-01-05T00:01:00Z,,90m,,100m,,,,,k=v,a=b;c=d',
].join('\n');

test('random text as a CSV or JSON Lines trace: pods or problems with a place, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), fc.boolean(), async (text, json) => {
      const { problems } = await readAll(text, json ? 'jsonl' : 'csv');
      for (const p of problems) checkProblem(p, text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/));
    }),
    { numRuns: 300, seed: 20 },
  );
});

test('a good trace with a cell garbled: the row is a problem on its line (or still a pod), the others unchanged', async () => {
  const clean = await readAll(GOOD);
  assert.deepEqual([clean.pods.length, clean.problems], [4, []]);
  const lines = GOOD.split('\n');
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 12 }), fc.string({ maxLength: 10 }), async (row, column, text) => {
      const cells = lines[row].match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
      if (column >= cells.length) return;
      cells[column] = text.replace(/[\r\n]/g, ' ');
      const mutated = [...lines];
      mutated[row] = cells.join(',');
      const once = await readAll(mutated.join('\n'));
      for (const p of once.problems) checkProblem(p, mutated);
      // Rows other than the garbled one read as before, until an order problem: a changed
      // "created" may put the rows after it out of order.
      for (const pod of once.pods) if (pod.line !== row + 1 && column !== 2) assert.deepEqual(pod, clean.pods.find((q) => q.line === pod.line));
      assert.ok(once.problems.every((p) => p.line === row + 1 || column === 2 || p.line === 1), JSON.stringify(once.problems));
      assert.deepEqual(await readAll(mutated.join('\n')), once);
    }),
    { numRuns: 200, seed: 2020 },
  );
});
