// compare.html: the headline figures of every run side by side with their differences from the
// baseline (the first run), the overlay charts, and which run is which.
import type { Chart } from './charts/chart.ts';
import type { Delta, FigureRow, FigureUnit } from './figures.ts';
import type { RunData } from './runFiles.ts';
import { displayPath } from '../scenario/paths.ts';
import { escapeHtml, figure, page, scrollBox, table, wrappingText } from './html.ts';
import { count, duration, kgCo2e, kwh, percent, runDuration, servedPercent, usd, utcTime } from './units.ts';

export function comparePage(runs: readonly RunData[], figures: readonly FigureRow[], charts: readonly Chart[], svgs: readonly string[], version: string): string {
  const labels = runs.map((r) => r.label);
  const versus = labels.join(' vs ');
  const body = [
    `<header><h1>${escapeHtml(`Compare: ${versus}`)}</h1>`,
    `<p>${escapeHtml(`${runs.length} runs; the first, ${labels[0]}, is the baseline: each difference is a run minus the baseline, `)}` +
      `<span class="delta-down">green</span> where it is better, <span class="delta-up">red</span> where it is worse, plain where neither is better in itself.</p>`,
    durationNote(runs),
    `</header>`,
    `<nav><a href="#figures">Headline figures</a>${charts.map((c) => `<a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a>`).join('')}<a href="#runs">Runs</a></nav>`,
    `<h2 id="figures">Headline figures</h2>`,
    figuresTable(labels, figures),
    `<h2 id="charts">Charts</h2>`,
    `<p class="muted">x axis: hours since each run's start, so runs that started on different dates line up.</p>`,
    charts.map((c, i) => figure(c, svgs[i])).join('\n'),
    `<h2 id="runs">Runs</h2>`,
    table(runs, [
      { header: 'Run', cell: (r) => r.label },
      { header: 'Scenario', cell: (r) => r.summary.scenario },
      { header: 'Seed', cell: (r) => String(r.summary.seed), numeric: true },
      { header: 'Duration', cell: (r) => runDuration(r) },
      { header: 'Start (UTC)', cell: (r) => utcTime(r.startEpochMs) },
      { header: 'Directory', cell: (r) => displayPath(r.dir) },
    ]),
    `<footer>capsim ${escapeHtml(version)} · files beside this page: compare.csv, compare.json, charts/</footer>`,
  ].join('\n');
  return page({ title: `capsim compare: ${versus}`, body, charts });
}

function durationNote(runs: readonly RunData[]): string {
  const lengths = new Set(runs.map((r) => r.summary.durationSeconds));
  if (lengths.size <= 1) return '';
  return `<p class="muted">${escapeHtml(`The runs last different times (${runs.map((r) => runDuration(r)).join(', ')}): totals grow with length, so compare the monthly run-rate, the percentages and the means.`)}</p>`;
}

/** The figures table: a column per run, then a difference column per run after the baseline.
 *  Written here rather than with table(): its difference cells carry a better/worse class. */
function figuresTable(labels: readonly string[], rows: readonly FigureRow[]): string {
  const head = [
    '<th>Figure</th>',
    ...labels.map((label, i) => `<th class="num">${escapeHtml(i === 0 ? `${label} (baseline)` : label)}</th>`),
    ...labels.slice(1).map((label) => `<th class="num">${escapeHtml(`Δ ${label}`)}</th>`),
  ].join('');
  const body = rows
    .map((row) => {
      const decimals = moneyDecimals([...row.values, ...row.deltas.map((d) => d.absolute)]);
      const values = row.values.map((v) => `<td class="num">${escapeHtml(v === null ? '–' : formatValue(row.unit, v, decimals))}</td>`);
      const deltas = row.deltas.map((d) => deltaCell(row, d, decimals));
      return `<tr><td title="${escapeHtml(row.key)}">${wrappingText(row.label)}</td>${values.join('')}${deltas.join('')}</tr>`;
    })
    .join('\n');
  return scrollBox(`<table class="compare-figures"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`);
}

/** Better or worse than the baseline, by the figure's direction; null for no verdict. */
export function verdict(row: Pick<FigureRow, 'better'>, d: Delta): 'better' | 'worse' | null {
  if (row.better === null || d.absolute === null || d.absolute === 0) return null;
  return (d.absolute < 0) === (row.better === 'lower') ? 'better' : 'worse';
}

// html.ts's delta classes colour a cell good (delta-down, green) or bad (delta-up, red).
const VERDICT_CLASS = { better: 'delta-down', worse: 'delta-up' } as const;

function deltaCell(row: FigureRow, d: Delta, decimals: number): string {
  const v = verdict(row, d);
  const attributes = v === null ? '' : ` class="num ${VERDICT_CLASS[v]}" title="${v} than the baseline"`;
  return `<td${attributes || ' class="num"'}>${escapeHtml(formatDelta(row.unit, d, decimals))}</td>`;
}

/** Cents, or a third decimal for a row of small amounts that cents would blur ($1.656 vs
 *  $2.040, +$0.384): every amount in a row with the same number of decimals. */
export function moneyDecimals(amounts: readonly (number | null)[]): number {
  const blurred = amounts.some((a) => a !== null && Math.abs(a) < 10 && Math.abs(a * 100 - Math.round(a * 100)) > 1e-6);
  return blurred ? 3 : 2;
}

export function formatValue(unit: FigureUnit, value: number, decimals = 2): string {
  switch (unit) {
    case 'usd':
      return usd(value, decimals);
    case 'pct':
      return percent(value);
    case 'served-pct':
      return servedPercent(value);
    case 'count':
      return count(value);
    case 'kg-co2e':
      return kgCo2e(value);
    case 'kwh':
      return kwh(value);
  }
}

/** "+$0.384 (+23.2%)", "-1.5 pp (-4.0%)", "no change". */
export function formatDelta(unit: FigureUnit, d: Delta, decimals = 2): string {
  if (d.absolute === null) return '–';
  if (d.absolute === 0) return 'no change';
  const sign = d.absolute > 0 ? '+' : '-';
  const size = Math.abs(d.absolute);
  const absolute =
    unit === 'usd' ? `${sign}${usd(size, decimals)}`
    : unit === 'pct' ? `${sign}${size.toFixed(1)} pp`
    : unit === 'served-pct' ? `${sign}${Number(size.toFixed(4))} pp`
    : unit === 'kg-co2e' ? `${sign}${kgCo2e(size)}`
    : unit === 'kwh' ? `${sign}${kwh(size)}`
    : `${sign}${count(size)}`;
  const relative = d.pct === null ? '' : ` (${d.pct > 0 ? '+' : ''}${percent(d.pct)})`;
  return absolute + relative;
}
