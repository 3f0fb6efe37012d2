// Runs fuzz cases that load, each cut to a few simulated minutes, in a worker thread: a case that
// hangs (a period of 0 that repeats at one instant forever) or runs out of memory ends the worker,
// not the fuzz test, and is reported with its case. fuzz.ts starts it through fuzzRunEntry.js.
import { parentPort } from 'node:worker_threads';
import { loadScenario } from '../../src/scenario/load.ts';
import { InputError } from '../../src/scenario/errors.ts';
import type { Scenario } from '../../src/model/scenario.ts';
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

/** Nodes and pods beyond which a case is not run: the fuzz looks for crashes, not for the limits
 *  on a run's size (scenario/limits.ts), and would spend its time simulating. */
const MAX_NODES = 60;
const MAX_PODS = 600;
/** Numbers of the model that say how many pods, nodes or Jobs there will be. */
const SIZE_KEYS = new Set(['replicas', 'minReplicas', 'maxReplicas', 'completions', 'parallelism', 'count', 'max', 'min', 'poissonPerHour']);

function tooBig(s: Scenario): boolean {
  let nodes = s.objects.filter((o) => o.kind === 'Node').length;
  for (const p of s.cluster.nodePools) nodes += Math.max(p.count, s.cluster.autoscaler ? p.max : 0);
  if (nodes > MAX_NODES) return true;
  let big = false;
  const walk = (value: unknown, key: string, seen: Set<unknown>): void => {
    if (big) return;
    if (typeof value === 'number') big = SIZE_KEYS.has(key) && value > MAX_PODS;
    else if (value !== null && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      for (const [k, v] of Object.entries(value)) walk(v, k, seen);
    }
  };
  walk([s.objects, s.events, s.behavior], '', new Set());
  return big;
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
