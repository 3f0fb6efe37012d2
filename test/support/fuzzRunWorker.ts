// Runs fuzz cases that load, each cut to a few simulated minutes, in a worker thread: a case that
// hangs (a period of 0 that repeats at one instant forever) or runs out of memory ends the worker,
// not the fuzz test, and is reported with its case. fuzz.ts starts it through fuzzRunEntry.js.
import { parentPort } from 'node:worker_threads';
import { loadScenario } from '../../src/scenario/load.ts';
import { InputError } from '../../src/scenario/errors.ts';
import type { Scenario } from '../../src/model/scenario.ts';
import { estimateRunSize } from '../../src/size/runSize.ts';
import { checkPrototypes, describeError, expectInputError } from './fuzzChecks.ts';

export interface RunCase {
  file: string;
  sets: string[];
  outDir: string;
  /** Also write report.html (its charts' specs, from the run's files read back). */
  report: boolean;
}

export type RunOutcome = 'ran' | 'refused when cut short' | 'too big to run';
export type RunReply = { outcome: RunOutcome } | { failure: string };

/** A case bigger than this (by the run-size estimate, src/size/runSize.ts) is not run: the fuzz
 *  looks for crashes, not for the limits on a run's size (scenario/limits.ts), and would spend its
 *  time simulating. */
const MAX = { nodes: 60, peakPods: 600, createdPods: 3000, wallMs: 20_000 };

function tooBig(s: Scenario): boolean {
  const size = estimateRunSize(s, { report: false });
  return size.nodes.peak > MAX.nodes || size.pods.peak > MAX.peakPods || size.pods.created > MAX.createdPods || size.wallMs > MAX.wallMs;
}

export async function runCase(job: RunCase): Promise<RunReply> {
  try {
    let scenario: Scenario;
    try {
      scenario = await loadScenario(job.file, { set: job.sets });
    } catch (error) {
      expectInputError(error, 'loadScenario (cut short)');
      return { outcome: 'refused when cut short' };
    }
    if (tooBig(scenario)) return { outcome: 'too big to run' };
    const { runScenario } = await import('../../src/run.ts');
    await runScenario(scenario, { outDir: job.outDir, report: job.report ? ['html'] : [] });
    checkPrototypes();
    return { outcome: 'ran' };
  } catch (error) {
    // A run has no input errors to give: its input was checked when it loaded.
    return { failure: error instanceof InputError ? `the run threw an InputError after the load: ${error.message}` : `the run threw ${describeError(error)}` };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: RunCase) => {
    void runCase(job).then((reply) => port.postMessage(reply));
  });
}
