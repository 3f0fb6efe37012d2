// The one place charts are drawn outside a browser: vega-lite compiles a spec to vega, vega's
// headless view writes SVG (renderer "none": no canvas, no native module), and resvg turns the
// SVG into PNG with the fonts it finds on the machine (loaded only when a PNG is asked for).
import { createRequire } from 'node:module';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { vegaSafe } from './charts/chart.ts';

/** A spec compiled to vega, with what vega-lite warned about (a chart should draw with none:
 *  the tests hold every chart of every scenario to that). */
export function compileChart(spec: TopLevelSpec): { vega: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_method, _level, input) => {
    warnings.push(input.map(String).join(' '));
  });
  return { vega: compile(vegaSafe(spec), { logger }).spec, warnings };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileChart(spec).vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let Resvg: typeof ResvgClass | null = null;

/** PNG at twice the SVG's size, on white, so it stays sharp in documents and slides. */
export function svgToPng(svg: string): Buffer {
  // A native module: required on the first PNG, so that runs without PNGs do not load it.
  Resvg ??= (createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
