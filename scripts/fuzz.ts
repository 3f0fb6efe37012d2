// The long fuzz run (`npm run fuzz`): every input reader fed FUZZ_RUNS generated inputs (20,000 by
// default; `npm run fuzz -- --runs 500 --seed 7 --only scenario,trace`), the scenarios mutated from
// scenarios/, the test fixtures and the k8s-sims manifests. Unlike test/fuzz.test.ts it does not
// stop at the first broken promise: it counts every outcome, groups the failures by class (first
// line and the src/ frame), prints one example of each, and exits 1 if there was any.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { checkCase, scenarioCase, stopRuns, baseScenarios } from '../test/support/fuzz.ts';
import { FuzzFailure, failureClass, removeScratch } from '../test/support/fuzzChecks.ts';
import { baseRunDir, checkCommandLine, checkDump, checkRunDir, checkSet, checkShard, checkSweepFlag, checkTrace, commandArgs, dumpCase, fileDamage, setCase, sweepFlag, traceCase } from '../test/support/fuzzReaders.ts';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const runs = Number(flag('runs') ?? process.env.FUZZ_RUNS ?? 20_000);
const seed = Number(flag('seed') ?? process.env.FUZZ_SEED ?? 14);
const only = flag('only')?.split(',');

const sample: unknown = JSON.parse(fs.readFileSync(path.join(await baseRunDir(), 'summary.json'), 'utf8'));

interface Reader<T> {
  name: string;
  /** Its share of the runs: the scenario loader gets them all; the others, which have less to
   *  explore, a fraction. */
  share: number;
  arbitrary: fc.Arbitrary<T>;
  check: (input: T) => Promise<string> | string;
}

const readerOf = <T>(r: Reader<T>): Reader<unknown> => r as Reader<unknown>;

const READERS: Reader<unknown>[] = [
  readerOf({ name: 'scenario', share: 1, arbitrary: scenarioCase, check: checkCase }),
  readerOf({ name: 'trace', share: 0.25, arbitrary: traceCase, check: checkTrace }),
  readerOf({ name: 'set', share: 0.25, arbitrary: setCase, check: checkSet }),
  readerOf({ name: 'sweep-flags', share: 0.25, arbitrary: sweepFlag, check: (c) => checkSweepFlag(c, sample) }),
  readerOf({ name: 'command-line', share: 0.25, arbitrary: commandArgs, check: checkCommandLine }),
  // Every 20th damaged run is also drawn (capsim report and compare in full): a second each.
  readerOf({ name: 'run-dir', share: 0.1, arbitrary: fc.tuple(fc.array(fileDamage, { minLength: 1, maxLength: 3 }), fc.nat({ max: 19 })), check: ([d, n]) => checkRunDir(d, n === 0) }),
  readerOf({ name: 'shards', share: 0.05, arbitrary: fc.array(fileDamage, { minLength: 1, maxLength: 3 }), check: checkShard }),
  readerOf({ name: 'import', share: 0.25, arbitrary: dumpCase, check: checkDump }),
];

console.log(`capsim fuzz: seed ${seed}, ${runs} scenario inputs (${baseScenarios().length} bases); the other readers a share of that`);
let failed = 0;
let total = 0;
const started = performance.now();
for (const reader of READERS) {
  if (only && !only.includes(reader.name)) continue;
  const numRuns = Math.max(1, Math.round(runs * reader.share));
  const outcomes = new Map<string, number>();
  const failures = new Map<string, { count: number; example: string }>();
  const t0 = performance.now();
  let n = 0;
  await fc.check(
    fc.asyncProperty(reader.arbitrary, async (input) => {
      n++;
      try {
        const outcome = await reader.check(input);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      } catch (error) {
        const message = error instanceof FuzzFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
        const key = failureClass(message);
        const seen = failures.get(key);
        if (seen) seen.count++;
        else failures.set(key, { count: 1, example: message });
      }
      if (n % 1000 === 0) console.log(`  ${reader.name}: ${n}/${numRuns} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      return true;
    }),
    { seed, numRuns },
  );
  total += n;
  const exceptions = [...failures.values()].reduce((sum, f) => sum + f.count, 0);
  failed += exceptions;
  const shown = [...outcomes].sort((a, b) => b[1] - a[1]).map(([o, c]) => `${c} ${o}`).join(', ');
  console.log(`${reader.name}: ${n} inputs in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${shown}; ${exceptions} exceptions`);
  for (const [key, f] of failures) console.log(`  FAILURE (${f.count}x) ${key}\n${f.example.split('\n').map((l) => `    ${l}`).join('\n')}`);
}
await stopRuns();
removeScratch();
console.log(`capsim fuzz: ${total} inputs, ${failed} exceptions, ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failed > 0 ? 1 : 0;
