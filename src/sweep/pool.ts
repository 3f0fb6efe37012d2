// A fixed set of worker processes (workerpool, workerType 'process'), each running one sweep run
// at a time (DESIGN §5: --parallel, the number of cores by default). Processes, not threads: the
// V8 heap, garbage collector and compiler of one process are shared by its threads, so two
// threads on two cores ran a sweep no faster than one (0.9x); two processes run two runs at once.
// Runs are handed out in plan order; results come back in whatever order they finish, and the
// sweep files them by run, so the output does not depend on the number of workers.
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { RunJob, RunReply } from './worker.ts';

/** Compiled (dist/sweep/pool.js), the pool forks the compiled worker. The tests import src/
 *  through tsx: from pool.ts the child runs the TypeScript worker, with tsx registered in it
 *  (`--import tsx`; tsx is a dev dependency, never needed by the built CLI). */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(FROM_SOURCES ? new URL('./workerProcess.ts', import.meta.url) : new URL('./workerProcess.js', import.meta.url));

export class WorkerPool {
  private readonly pool: workerpool.Pool;
  private stopped = false;

  constructor(private readonly size: number) {
    this.pool = workerpool.pool(ENTRY, {
      workerType: 'process',
      maxWorkers: size,
      // Stopped, a child is killed at once: it is not asked to finish its run.
      workerTerminateTimeout: 0,
      forkOpts: { execArgv: FROM_SOURCES ? ['--import', 'tsx'] : [] },
    });
  }

  /** Runs every job, calling onDone as each finishes; resolves when all are done or stop() was
   *  called. A child that dies (out of memory, a native crash, killed) fails its run and is
   *  replaced by a new one for the next run. */
  async run<J extends RunJob>(jobs: readonly J[], onDone: (job: J, reply: RunReply) => void): Promise<void> {
    // One lane per worker hands it the next run when its last one ends. Not every job queued in
    // workerpool at once: after a child is killed from outside (SIGKILL, the OOM killer) its
    // queue stalls, waiting for the dead child's second exit; a new exec() starts a new child.
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.size, jobs.length) }, async () => {
      while (!this.stopped && next < jobs.length) {
        const job = jobs[next++];
        let reply: RunReply;
        try {
          reply = (await this.pool.exec('run', [job])) as RunReply;
        } catch (error) {
          reply = { ok: false, error: diedReason(error) };
        }
        if (this.stopped) return;
        onDone(job, reply);
      }
    });
    try {
      await Promise.all(lanes);
    } finally {
      await this.pool.terminate(true);
    }
  }

  /** Stops handing out runs and kills the children at once (runs in progress are abandoned);
   *  resolves when they have exited, so that what they were writing can be removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pool.terminate(true);
  }
}

/** What a dead child's run records: "worker exited (code 134)", "worker exited (signal
 *  SIGKILL)" (runStore.ts's WORKER_DIED knows these words, and runs such a run again on resume). */
function diedReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = /exitCode: `(\w+)`/.exec(message)?.[1];
  const signal = /signalCode: `(\w+)`/.exec(message)?.[1];
  if (signal && signal !== 'null') return `worker exited (signal ${signal})`;
  if (code && code !== 'null') return `worker exited (code ${code})`;
  return `worker crashed: ${message.split('\n')[0]}`;
}
