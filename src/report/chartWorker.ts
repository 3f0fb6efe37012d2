// The chart thread's side (chartThread.ts): loads vega and vega-lite when it starts, then draws
// each spec it is sent into SVG. An error is sent back as a message: the main thread then draws
// that chart itself and meets the error there.
import { parentPort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from './render.ts';
import type { ChartReply } from './chartThread.ts';

parentPort!.on('message', async ({ id, spec }: { id: number; spec: TopLevelSpec }) => {
  let reply: ChartReply;
  try {
    reply = { id, svg: await renderSvg(spec) };
  } catch (error) {
    reply = { id, error: String((error as Error)?.stack ?? error) };
  }
  parentPort!.postMessage(reply);
});
