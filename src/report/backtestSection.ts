// The "Simulated vs observed" section of a backtest's report.html (docs/backtest.md): read from
// the run directory's backtest.json and backtest-series.csv, the files `capsim backtest` wrote,
// so `capsim report OUT` draws it again. Nothing when the directory has no backtest.json.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import { BACKTEST_FILES, type BacktestJson, type BacktestSeries } from '../outputs/backtestFiles.ts';
import { readTextCell, splitCsvLine } from '../outputs/csvCells.ts';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { excerpt } from '../excerpt.ts';
import { backtestChart, type BacktestPoints } from './charts/backtest.ts';
import type { Chart } from './charts/chart.ts';
import { escapeHtml, figure, table } from './html.ts';
import { usd } from '../outputs/money.ts';

/** Charts per kind of series (nodes per pool, HPA replicas, CPU used): the worst by MAPE first. */
const CHARTS_PER_KIND = 4;
const KINDS = ['nodes/', 'replicas/', 'cpu_used/'];

export interface BacktestView {
  json: BacktestJson;
  charts: Chart[];
}

const finite = z.number().finite();
const pct = finite.nullable();
/** What the section reads of backtest.json: a file of another shape (edited, or from another
 *  program) is refused naming the field, rather than drawn with blanks or thrown on. */
const backtestJsonShape = z.object({
  window: z.object({ start: z.string(), end: z.string(), stepSeconds: finite, steps: finite }),
  series: z.array(z.object({ series: z.string(), mape_pct: pct, max_error: finite, bias: finite, unit: z.string(), points: finite, headline: z.boolean() })),
  costErrorPct: pct,
  nodeHoursErrorPct: pct,
  observed: z.object({ nodeHours: finite, costUsd: finite }),
  simulated: z.object({ nodeHours: finite, costUsd: finite }),
  verdictLevel: z.enum(['good', 'fair', 'poor', 'incomplete']),
  verdict: z.string(),
  notes: z.array(z.string()),
});

const damaged = (file: string, message: string) =>
  new InputError([{ file: displayPath(file), line: 0, column: 0, path: '', message, hint: 'run capsim backtest again to write it whole' }]);

/** The series named in `wanted`, from backtest-series.csv, streamed: the file holds every point
 *  of every series (hundreds of megabytes for a week of hundreds of workloads at 1m). */
async function readPoints(file: string, wanted: ReadonlySet<string>): Promise<Map<string, BacktestPoints>> {
  const out = new Map<string, BacktestPoints>();
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let i = 0;
  for await (const line of lines) {
    i++;
    if (i === 1 || line === '') continue;
    let cells: string[];
    try {
      cells = splitCsvLine(line);
    } catch (error) {
      throw damaged(file, `line ${i}: ${(error as Error).message}`);
    }
    const [time, rawName, observed, simulated] = cells;
    const name = readTextCell(rawName ?? '');
    if (!wanted.has(name)) continue;
    const t = Date.parse(time) / 1000;
    const o = Number(observed);
    const v = Number(simulated);
    if (!Number.isFinite(t) || !Number.isFinite(o) || !Number.isFinite(v)) throw damaged(file, `line ${i} is not time,series,observed,simulated`);
    let p = out.get(name);
    if (!p) out.set(name, (p = { series: name, times: [], observed: [], simulated: [] }));
    p.times.push(t);
    p.observed.push(o);
    p.simulated.push(v);
  }
  return out;
}

/** backtest.json and the charts of the section, or null when the directory has no backtest. */
export async function loadBacktest(dir: string): Promise<BacktestView | null> {
  const jsonFile = path.join(dir, BACKTEST_FILES.json);
  if (!fs.existsSync(jsonFile)) return null;
  let json: BacktestJson;
  try {
    json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as BacktestJson;
  } catch (error) {
    throw damaged(jsonFile, `not JSON: ${(error as Error).message}`);
  }
  const shape = backtestJsonShape.safeParse(json);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const at = issue.path.map(String).join('.');
    throw damaged(jsonFile, `not a backtest.json: ${at === '' ? '' : `${excerpt(at)}: `}${issue.message}`);
  }
  const chosen: BacktestSeries[] = [];
  for (const kind of KINDS) {
    const of = json.series.filter((s) => s.series.startsWith(kind) && s.points > 0);
    chosen.push(...of.sort((a, b) => (b.mape_pct ?? -1) - (a.mape_pct ?? -1) || (a.series < b.series ? -1 : 1)).slice(0, CHARTS_PER_KIND));
  }
  const seriesFile = path.join(dir, BACKTEST_FILES.series);
  const points = fs.existsSync(seriesFile) ? await readPoints(seriesFile, new Set(chosen.map((s) => s.series))) : new Map<string, BacktestPoints>();
  const charts = chosen.filter((s) => points.has(s.series)).map((s, i) => backtestChart(points.get(s.series)!, s.unit, i));
  return { json, charts };
}

const pctText = (v: number | null) => (v === null ? 'not measured' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);
const num = (v: number) => (Math.abs(v) >= 1e6 ? v.toExponential(3) : String(v));
/** Bytes read as MiB in the report (backtest.csv keeps bytes). */
export const shownUnit = (unit: string) => (unit === 'bytes' ? 'MiB' : unit);
export const inUnit = (v: number, unit: string) => (unit === 'bytes' ? (v / 2 ** 20).toFixed(1) : num(v));
/** "1 node", "3 nodes", "616.7 MiB". */
const amount = (v: number, unit: string) => `${inUnit(v, unit)} ${v === 1 && /s$/.test(unit) && unit !== 'kills' ? unit.slice(0, -1) : v === 1 && unit === 'kills' ? 'kill' : shownUnit(unit)}`;

/** The section: the verdict and headline errors in words, the table of series, the charts. */
export function backtestSection(view: BacktestView, svgs: readonly string[]): string {
  const j = view.json;
  const scored = j.series.filter((s) => s.headline && s.mape_pct !== null && s.series !== 'cost' && s.series !== 'nodes');
  const worst = scored.reduce<BacktestSeries | null>((w, s) => (!w || s.mape_pct! > w.mape_pct! ? s : w), null);
  const tone = j.verdictLevel === 'good' ? 'var(--good)' : 'var(--bad)';
  const words = [
    `Over ${j.window.start} to ${j.window.end} (${j.window.steps} steps of ${j.window.stepSeconds} s), the simulation cost ${usd(j.simulated.costUsd)} against ${usd(j.observed.costUsd)} observed (${pctText(j.costErrorPct)}), ` +
      `and ran ${j.simulated.nodeHours.toFixed(1)} node-hours against ${j.observed.nodeHours.toFixed(1)} (${pctText(j.nodeHoursErrorPct)}).`,
    worst ? `The furthest headline series is ${worst.series}: ${worst.mape_pct!.toFixed(1)}% mean absolute percentage error, at most ${amount(worst.max_error, worst.unit)} apart, ${worst.bias >= 0 ? 'simulated high' : 'simulated low'} by ${amount(Math.abs(worst.bias), worst.unit)} on average.` : '',
    'Observed CPU is a mean over the rate window before each step; the simulated CPU is the mean of the run\'s samples over the same window. Simulated nodes count from when they registered (NodeReady).',
  ].filter(Boolean);
  const notes = j.notes.length > 0 ? `<ul>${j.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<h2 id="backtest">Simulated vs observed</h2>
<p style="border-left: 4px solid ${tone}; padding-left: 10px"><strong>${escapeHtml(j.verdict)}</strong></p>
${words.map((w) => `<p>${escapeHtml(w)}</p>`).join('\n')}
${notes}
${table(j.series, [
  { header: 'Series', cell: (s) => s.series },
  { header: 'MAPE %', cell: (s) => (s.mape_pct === null ? '–' : s.mape_pct.toFixed(2)), numeric: true },
  { header: 'Max error', cell: (s) => inUnit(s.max_error, s.unit), numeric: true },
  { header: 'Bias', cell: (s) => inUnit(s.bias, s.unit), numeric: true },
  { header: 'Unit', cell: (s) => shownUnit(s.unit) },
  { header: 'Points', cell: (s) => String(s.points), numeric: true },
])}
<p class="muted">backtest.csv and backtest.json hold these figures; backtest-series.csv every point (docs/backtest.md).</p>
${view.charts.map((c, i) => figure(c, svgs[i])).join('\n')}`;
}
