// Writes a run's report from its files: charts/<name>.svg (and .png on request) and
// report.html. `capsim run` calls it on the run's directory before moving it into place, and
// `capsim report <runDir>` calls it again later: the same files in, the same bytes out.
import { gpuChart, readGpu } from './charts/gpu.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VERSION } from '../version.ts';
import { runCharts } from './charts/index.ts';
import { svgToPng } from './render.ts';
import { renderSvgs } from './chartThread.ts';
import { reportPage } from './reportPage.ts';
import { loadRun } from './runFiles.ts';
import type { Chart } from './charts/chart.ts';
import { DEFAULT_FORMATS, type ReportFormat } from './formats.ts';
import { loadBacktest } from './backtestSection.ts';

export { REPORT_FORMATS, DEFAULT_FORMATS, type ReportFormat } from './formats.ts';

export interface WrittenReport {
  html: string | null;
  charts: string[];
}

export async function writeReport(runDir: string, formats: readonly ReportFormat[] = DEFAULT_FORMATS): Promise<WrittenReport> {
  const run = await loadRun(runDir);
  // A backtest's run directory (capsim backtest) has its comparison: drawn first, as a section.
  const backtest = await loadBacktest(run.dir);
  // The GPU chart only for a run whose nodes had GPUs (it wrote gpu.csv).
  const gpu = await readGpu(run.dir, run.bucketSeconds);
  const charts = [...(backtest?.charts ?? []), ...runCharts(run), ...(gpu ? [gpuChart(run, gpu)] : [])];
  const svgs = await renderAll(charts);
  const shown = backtest?.charts.length ?? 0;
  const html = formats.includes('html')
    ? reportPage(run, charts.slice(shown), svgs.slice(shown), VERSION, backtest ? { view: backtest, svgs: svgs.slice(0, shown) } : undefined)
    : null;
  return writeOutputs(run.dir, 'report.html', html, charts, svgs, formats);
}

export async function renderAll(charts: readonly Chart[]): Promise<string[]> {
  return renderSvgs(charts.map((chart) => chart.spec));
}

/** Writes the page and the chart files beside each other, replacing any earlier ones: each file
 *  goes to a temporary name first, so an interrupted re-render leaves the old report whole. */
export async function writeOutputs(
  dir: string,
  htmlName: string,
  html: string | null,
  charts: readonly Chart[],
  svgs: readonly string[],
  formats: readonly ReportFormat[],
): Promise<WrittenReport> {
  const chartsDir = path.join(dir, 'charts');
  const files: [string, string | Buffer][] = [];
  charts.forEach((chart, i) => {
    if (formats.includes('svg')) files.push([path.join(chartsDir, `${chart.name}.svg`), svgs[i]]);
    if (formats.includes('png')) files.push([path.join(chartsDir, `${chart.name}.png`), svgToPng(svgs[i])]);
  });
  if (html !== null) files.push([path.join(dir, htmlName), html]);
  if (files.some(([file]) => file.startsWith(chartsDir))) await fs.mkdir(chartsDir, { recursive: true });
  const suffix = `.tmp-${process.pid}`;
  await Promise.all(files.map(([file, content]) => fs.writeFile(file + suffix, content)));
  await Promise.all(files.map(([file]) => fs.rename(file + suffix, file)));
  return { html: html === null ? null : path.join(dir, htmlName), charts: files.map(([file]) => file).filter((f) => f.startsWith(chartsDir)) };
}
