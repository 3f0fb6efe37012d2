// The page shell shared by report.html and compare.html: one self-contained file that opens
// offline. vega, vega-lite and vega-embed are inlined from node_modules; each chart's spec travels
// as JSON in the page, and its server-rendered SVG sits in place as the fallback until
// vega-embed replaces it with the interactive chart. Every string that came from a scenario is
// escaped here, once: HTML text with escapeHtml, JSON in a script with jsonForScript.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { vegaSafe, type Chart } from './charts/chart.ts';

const require = createRequire(import.meta.url);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that cannot end its <script> element or break a JS string: `<`, U+2028 and U+2029 escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

let libraries: string | null = null;

/** vega, vega-lite and vega-embed as inline scripts (about 830 KB, read once per process). */
function inlineLibraries(): string {
  if (libraries === null) {
    libraries = (['vega', 'vega-lite', 'vega-embed'] as const)
      .map((name) => `<script>${fs.readFileSync(path.join(packageDir(name), 'build', `${name}.min.js`), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`)
      .join('\n');
  }
  return libraries;
}

/** A package's folder: its exports map hides build/*.min.js from require.resolve, so resolve its
 *  entry point and walk up to the folder named after it. */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (path.basename(dir) !== name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Gives an SVG's ids (clip paths, gradients) a per-chart prefix: several inline SVGs share one
 *  page, and vega numbers its ids from 1 in each. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

export function figure(chart: Chart, svg: string): string {
  return `<figure class="chart" id="chart-${escapeHtml(chart.name)}" data-chart="${escapeHtml(chart.name)}">
<figcaption><h3>${escapeHtml(chart.title)}</h3><p>${escapeHtml(chart.caption)}</p></figcaption>
<div class="vega-target">${scopeSvgIds(svg, `svg-${chart.name}`)}</div>
</figure>`;
}


export { displayObject } from '../outputs/objectRef.ts';

export interface Card {
  label: string;
  value: string;
  note?: string;
  /** "bad" draws the card in red: OOM kills, unserved demand, pods left pending. */
  tone?: 'bad' | 'good';
}

export function cards(list: readonly Card[]): string {
  return `<section class="cards">${list
    .map((c) => `<div class="card${c.tone ? ` ${c.tone}` : ''}"><div class="label">${escapeHtml(c.label)}</div><div class="value">${escapeHtml(c.value)}</div>${c.note ? `<div class="note">${escapeHtml(c.note)}</div>` : ''}</div>`)
    .join('')}</section>`;
}

export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  /** Numbers align right (and never wrap). */
  numeric?: boolean;
  /** Never wraps, whatever its length (times); columns of short cells never wrap anyway. */
  short?: boolean;
  /** The full text of a cell shown on hover (its `title`), when the cell shows a short form. */
  title?: (row: Row) => string;
  /** The header's hover text: what a short header stands for (a sweep's varied path). */
  headerTitle?: string;
  /** A class of the cell's own, for a cell whose look carries meaning (an advice's severity). */
  cellClass?: (row: Row) => string;
}

/** A column whose every cell is at most this long never wraps (times, types, names): longer
 *  text (messages) wraps between words, never inside one. */
export const SHORT_CELL_CHARS = 16;

/** A table of text cells (escaped here); sortable in the page by clicking a header. Words never
 *  break: a cell too narrow for a long name widens the table, which then scrolls sideways in its
 *  .table-scroll box rather than pushing the page wider. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], className = ''): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const classes = columns.map((c, i) => (c.numeric ? 'num' : c.short || cells.every((row) => row[i].length <= SHORT_CELL_CHARS) ? 'short' : 'text'));
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}${c.headerTitle ? ` title="${escapeHtml(c.headerTitle)}"` : ''}>${wrappingText(c.header)}</th>`).join('');
  const body = cells
    .map((row, r) => `<tr>${row.map((text, i) => {
      const title = columns[i].title?.(rows[r]);
      const own = columns[i].cellClass?.(rows[r]);
      return `<td class="${classes[i]}${own ? ` ${own}` : ''}"${title !== undefined && title !== text ? ` title="${escapeHtml(title)}"` : ''}>${classes[i] === 'text' ? wrappingText(text) : escapeHtml(text)}</td>`;
    }).join('')}</tr>`)
    .join('\n');
  return scrollBox(`<table class="sortable ${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`);
}

/** Text that wraps between words only: browsers also break after a hyphen or a slash
 *  ("Pod/shop/cart-85cf" / "bb65d5"), so each word with one is kept whole in a span.w. */
export function wrappingText(text: string): string {
  return text
    .split(/(\s+)/)
    .map((part) => (/[-\u2010-\u2015/]/.test(part) && !/\s/.test(part) ? `<span class="w">${escapeHtml(part)}</span>` : escapeHtml(part)))
    .join('');
}

/** A table in a box that scrolls sideways when the table is wider than the page's column. */
export function scrollBox(tableHtml: string): string {
  return `<div class="table-scroll">${tableHtml}</div>`;
}

export interface Page {
  title: string;
  /** Already-escaped HTML of the page's content. */
  body: string;
  charts: readonly Chart[];
}

export function page(p: Page): string {
  const specs = Object.fromEntries(p.charts.map((c) => [c.name, vegaSafe(c.spec)]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="capsim">
<title>${escapeHtml(p.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${p.body}
${inlineLibraries()}
<script type="application/json" id="capsim-specs">${jsonForScript(specs)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bad: #c62828; --good: #2e7d32; --card: #f6f8fa; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 2px 0; color: var(--muted); }
h2 { margin: 36px 0 12px; font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 0; font-size: 16px; }
nav { margin: 16px 0; font-size: 14px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin: 20px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 24px; font-weight: bold; margin-top: 2px; }
.card .note { font-size: 12px; color: var(--muted); }
.card.bad { border-color: var(--bad); } .card.bad .value { color: var(--bad); }
.card.good .value { color: var(--good); }
ul.glance { padding-left: 20px; } ul.glance li { margin: 4px 0; }
figure.chart { margin: 24px 0; }
figure.chart figcaption p { margin: 2px 0 8px; color: var(--muted); font-size: 13px; }
.vega-target { overflow-x: auto; }
.vega-target svg { max-width: 100%; height: auto; }
.vega-embed { display: block; }
.table-scroll { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: normal; word-break: normal; }
th { background: var(--card); cursor: pointer; user-select: none; }
th.sorted-asc::after { content: " \\25B2"; } th.sorted-desc::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.short { white-space: nowrap; }
td.text { min-width: 12em; } .w { white-space: nowrap; }
.delta-up { color: var(--bad); } .delta-down { color: var(--good); }
pre { background: var(--card); border: 1px solid var(--line); padding: 12px; overflow: auto; font-size: 12px; max-height: 600px; }
.muted { color: var(--muted); font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/** Embeds every chart, then tells whoever waits (the browser test, a screenshot) how it went:
 *  body[data-charts-ready] = charts drawn, body[data-chart-errors] = those that failed (their
 *  SVG fallback stays). Also makes tables sortable by their headers. */
const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('capsim-specs').textContent);
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure.chart'));
  var drawn = 0, failed = [];
  var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
  // The views of a spec whose widths set the chart's width, and how many of them stand side by side.
  function widthViews(spec) {
    var numeric = function (view) { return view && typeof view.width === 'number'; };
    if (spec.vconcat) return { views: spec.vconcat.filter(numeric), across: 1 };
    if (spec.hconcat) { var row = spec.hconcat.filter(numeric); return { views: row, across: row.length }; }
    if (spec.facet) {
      var column = spec.facet.column, values = spec.data && spec.data.values;
      var across = column && column.field && values ? Object.keys(values.reduce(function (seen, v) { seen['k' + v[column.field]] = 1; return seen; }, {})).length : 1;
      return { views: numeric(spec.spec) ? [spec.spec] : [], across: Math.max(1, across) };
    }
    return { views: numeric(spec) ? [spec] : [], across: 1 };
  }
  // Charts are drawn to the page's column: the server-drawn SVG in place shows how wide the spec
  // draws (plot plus axes and legend); each view's width grows (or shrinks) by its share of the
  // difference. The SVG and PNG files keep the spec's fixed width.
  var ACTIONS_PX = 42; // vega-embed's "..." menu pads the chart on the right
  function fitToColumn(spec, target) {
    var svg = target.querySelector('svg');
    var drawn = svg ? parseFloat(svg.getAttribute('width')) : NaN;
    var room = target.clientWidth - ACTIONS_PX;
    var fit = widthViews(spec);
    if (!(drawn > 0) || !(room > 0) || fit.views.length === 0) return spec;
    var extra = Math.floor((room - drawn) / fit.across);
    fit.views.forEach(function (view) { view.width = Math.max(160, view.width + extra); });
    return spec;
  }
  Promise.all(figures.map(function (figure) {
    var name = figure.getAttribute('data-chart');
    var target = figure.querySelector('.vega-target');
    var holder = document.createElement('div');
    return vegaEmbed(holder, fitToColumn(specs[name], target), options).then(function () {
      target.replaceChildren(holder);
      drawn++;
    }, function (error) {
      failed.push(name);
      console.error('capsim: chart ' + name + ' failed: ' + error);
    });
  })).then(function () {
    document.body.dataset.chartsReady = String(drawn);
    if (failed.length) document.body.dataset.chartErrors = failed.join(',');
  });
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var headers = table.querySelectorAll('th');
    Array.prototype.forEach.call(headers, function (th, column) {
      th.addEventListener('click', function () {
        var ascending = !th.classList.contains('sorted-asc');
        Array.prototype.forEach.call(headers, function (h) { h.classList.remove('sorted-asc', 'sorted-desc'); });
        th.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var text = row.cells[column].textContent.trim();
          var n = parseFloat(text.replace(/[$,%+]/g, ''));
          return isNaN(n) || !/^[-+$\\d.]/.test(text) ? text.toLowerCase() : n;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : typeof x === 'number' ? -1 : 1;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
`;
