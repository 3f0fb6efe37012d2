// A second thread that draws charts beside the main one (issue 18, start-up: a small run spent
// about half its time loading vega and drawing its ten charts, on one core). `capsim run` and
// `capsim report` start it before they load anything else, so that vega loads there while the
// main thread reads and simulates; renderSvgs (below) then hands charts to both threads, each
// taking the next chart when free. vega draws the same SVG on either thread (the digests of every
// scenario's charts are unchanged).
//
// The thread is a help, never a dependency: from the TypeScript sources (the tests, through tsx)
// none is started and the main thread draws every chart; a thread that fails or dies has its
// charts drawn on the main thread, which then meets any error itself. It holds the process open
// only while it is drawing.
import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

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
    worker.on('message', (reply: ChartReply) => this.settle(reply.id, reply.svg ?? null));
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
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

/** The started thread, handed to one caller (renderSvgs), or null. */
function takeChartThread(): ChartThread | null {
  const thread = started;
  started = null;
  return thread;
}

/** Every spec's SVG, in order. With the thread started (`capsim run`, `capsim report`), the
 *  main thread and the chart thread each take the next chart when free; otherwise the main
 *  thread draws them one after another (render.ts, imported here when charts are drawn). */
export async function renderSvgs(specs: readonly TopLevelSpec[]): Promise<string[]> {
  const { renderSvg } = await import('./render.ts');
  const svgs: string[] = new Array<string>(specs.length);
  const thread = specs.length > 1 ? takeChartThread() : null;
  let next = 0;
  const here = async () => {
    for (let i = next++; i < specs.length; i = next++) {
      svgs[i] = await renderSvg(specs[i]);
      // Let the thread's finished chart be taken in before drawing on: drawing is one long task.
      if (thread) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const beside = async (t: ChartThread) => {
    for (let i = next++; i < specs.length; i = next++) svgs[i] = (await t.render(specs[i])) ?? (await renderSvg(specs[i]));
  };
  try {
    await Promise.all(thread ? [here(), beside(thread)] : [here()]);
  } finally {
    thread?.close();
  }
  return svgs;
}
