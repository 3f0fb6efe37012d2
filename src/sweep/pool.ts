// A fixed set of worker_threads, each running one sweep run at a time (DESIGN §5: --parallel,
// the number of cores by default). Runs are handed out in plan order; results come back in
// whatever order they finish, and the sweep files them by run, so the output does not depend
// on the number of workers.
import { Worker } from 'node:worker_threads';
import type { RunJob, RunReply } from './worker.ts';

/** Compiled (dist/sweep/pool.js), the pool starts the compiled worker. The tests import src/
 *  through tsx, and a worker does not inherit its parent's loader: from pool.ts the worker
 *  starts through workerEntry.js, which registers tsx first (tsx is a dev dependency). */
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./workerEntry.js', import.meta.url) : new URL('./worker.js', import.meta.url);

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private stopped = false;

  constructor(private readonly size: number) {}

  /** Runs every job, calling onDone as each finishes; resolves when all are done or stop() was called. */
  async run<J extends RunJob>(jobs: readonly J[], onDone: (job: J, reply: RunReply) => void): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.size, jobs.length) }, async () => {
      let worker = this.start();
      try {
        while (!this.stopped && next < jobs.length) {
          const job = jobs[next++];
          const { reply, crashed } = await ask(worker, job);
          if (this.stopped) return;
          onDone(job, reply);
          // A worker that died (out of memory, a native crash) is replaced; its run is failed.
          if (crashed) worker = this.start();
        }
      } finally {
        await worker.terminate();
      }
    });
    await Promise.all(lanes);
  }

  private start(): Worker {
    const worker = new Worker(ENTRY);
    this.workers.push(worker);
    return worker;
  }

  /** Stops handing out runs and ends the workers at once (a run in progress is abandoned). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function ask(worker: Worker, job: RunJob): Promise<{ reply: RunReply; crashed: boolean }> {
  return new Promise((resolve) => {
    const onMessage = (reply: RunReply) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve({ reply, crashed: false });
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve({ reply: { ok: false, error: `worker crashed: ${error.message}` }, crashed: true });
    };
    const onExit = (code: number) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      resolve({ reply: { ok: false, error: `worker exited (code ${code})` }, crashed: true });
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(job);
  });
}
