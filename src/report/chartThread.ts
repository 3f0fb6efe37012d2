// A second thread that draws charts beside the main one (issue 18, start-up: a small run spent
// about half its time loading vega and drawing its ten charts, on one core). `capsim run` and
// `capsim report` start it before they load anything else, so that vega loads there while the
// main thread reads and simulates; render.ts's renderSvgs then hands charts to both threads, each
// taking the next chart when free. vega draws the same SVG on either thread (the digests of every
// scenario's charts are unchanged).
//
// The thread is a help, never a dependency: from the TypeScript sources (the tests, through tsx)
// none is started and the main thread draws every chart; a thread that fails or dies has its
// charts drawn on the main thread, which then meets any error itself. It holds the process open
// only while it is drawing.
import { Worker } from 'node:worker_threads';

/** The compiled worker beside this module's chunk (scripts/build.js makes it an entry). */
const ENTRY = new URL('./chartWorker.js', import.meta.url);

export interface ChartReply {
  id: number;
  svg?: string;
  error?: string;
}

export class ChartThread {
  private readonly pending = new Map<number, (svg: string | null) => void>();
  private nextId = 0;
  private broken = false;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (reply: ChartReply) => this.settle(reply.id, reply.svg ?? null));
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  /** The chart's SVG, or null when the thread could not draw it (the caller draws it). */
  render(spec: unknown): Promise<string | null> {
    if (this.broken) return Promise.resolve(null);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, spec });
    });
  }

  close(): void {
    this.broken = true;
    void this.worker.terminate();
  }

  private settle(id: number, svg: string | null): void {
    const resolve = this.pending.get(id);
    if (!resolve) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    resolve(svg);
  }

  private fail(): void {
    this.broken = true;
    for (const id of [...this.pending.keys()]) this.settle(id, null);
  }
}

let started: ChartThread | null = null;

/** Starts the thread (once) when running compiled; a no-op from the sources. */
export function startChartThread(): void {
  if (started || import.meta.url.endsWith('.ts')) return;
  try {
    started = new ChartThread(new Worker(ENTRY));
  } catch {
    started = null;
  }
}

/** The started thread, handed to one caller (render.ts's renderSvgs), or null. */
export function takeChartThread(): ChartThread | null {
  const thread = started;
  started = null;
  return thread;
}
