// Opens a self-contained capsim page (report.html, compare.html) in headless Debian Chromium,
// offline, and checks the page contract: every chart embeds, nothing logs an error, nothing is
// fetched from the network, no dialog opens. Never downloads a browser.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium; CAPSIM_CHROMIUM overrides the path (another distro, or to test the skip). */
export const CHROMIUM = process.env.CAPSIM_CHROMIUM || '/usr/bin/chromium';
export const INSTALL_HINT = 'install it with `apt-get install -y chromium` (Debian)';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Schemes a self-contained page may load from: nothing here touches the network. */
const LOCAL_SCHEMES = new Set(['file:', 'data:', 'blob:', 'about:']);

const READY_TIMEOUT_MS = 30_000;

export function chromiumAvailable(): boolean {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BrowserCheck {
  /** Charts embedded (data-charts-ready), equal to the number of figure.chart elements. */
  charts: number;
  /** page.textContent('body') after the charts are ready. */
  bodyText: string;
  /** What the page looks like at 1280 px (layout()), for the layout checks. */
  layout: PageLayout;
}

export interface PageLayout {
  /** Width of the page's column (the first figure's .vega-target, else the body's content). */
  columnWidth: number;
  /** Each chart as drawn in the page: its name and width in pixels. */
  charts: { name: string; width: number }[];
  /** Table cells whose text wraps inside a word: "table row/column: the word". */
  brokenWords: string[];
  /** Axis labels of one axis that overlap or touch: "chart: label and label". */
  collidingLabels: string[];
  /** The text of each chart's SVG as drawn (legends, axis labels), by chart name. */
  chartText: Record<string, string>;
  /** Ids of the page's elements that have one (sections, figures). */
  ids: string[];
}

/** Measures the page as laid out: runs in the browser (no closure over Node values). */
function layout(): PageLayout {
  const target = document.querySelector('figure.chart .vega-target');
  const columnWidth = target ? target.clientWidth : document.body.clientWidth;
  const figures = Array.from(document.querySelectorAll('figure.chart'));
  const charts = figures.map((fig) => {
    const svg = fig.querySelector('.vega-target svg');
    return { name: fig.getAttribute('data-chart') || '', width: svg ? Math.round(svg.getBoundingClientRect().width) : 0 };
  });
  const brokenWords: string[] = [];
  Array.from(document.querySelectorAll('td, th')).forEach((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent || '';
      const re = /\S+/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        // A word on two lines has two boxes at different heights.
        const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) {
          const row = cell.parentElement as HTMLTableRowElement;
          const table = cell.closest('table');
          brokenWords.push(`${table?.className || 'table'} row ${row.rowIndex} column ${(cell as HTMLTableCellElement).cellIndex}: ${m[0]}`);
        }
      }
    }
  });
  const collidingLabels: string[] = [];
  const chartText: Record<string, string> = {};
  figures.forEach((fig) => {
    const name = fig.getAttribute('data-chart') || '';
    chartText[name] = Array.from(fig.querySelectorAll('.vega-target svg text')).map((t) => t.textContent).join(' | ');
    fig.querySelectorAll('.vega-target svg g.role-axis-label').forEach((axis) => {
      const boxes = Array.from(axis.querySelectorAll('text'))
        .filter((t) => (t.getAttribute('opacity') ?? '1') !== '0' && (t.textContent || '') !== '')
        .map((t) => ({ text: t.textContent || '', r: t.getBoundingClientRect() }))
        .filter((b) => b.r.width > 0);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, b = boxes[j].r;
          // Overlapping or closer than 2 px side by side ("Mon 05 02 AM").
          if (a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom && b.top < a.bottom) collidingLabels.push(`${name}: "${boxes[i].text}" and "${boxes[j].text}"`);
        }
      }
    });
  });
  const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
  return { columnWidth, charts, brokenWords, collidingLabels, chartText, ids };
}

interface PageState {
  figures: number;
  ready: string | null;
  errors: string | null;
  empty: string[];
}

/**
 * Opens htmlPath (file://) in headless Chromium, waits for body[data-charts-ready], asserts the
 * page contract and saves a full-page screenshot to screenshotPath. Throws one Error listing
 * every problem found (console errors, page errors, network requests, dialogs, chart failures).
 */
export async function checkReportInBrowser(htmlPath: string, screenshotPath: string): Promise<BrowserCheck> {
  if (!fs.existsSync(htmlPath)) throw new Error(`no page to check: ${htmlPath} does not exist`);
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} not found; ${INSTALL_HINT}`);

  const problems: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const networkRequests = new Set<string>();
  const dialogs: string[] = [];

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const isLocal = (url: string) => {
      try {
        return LOCAL_SCHEMES.has(new URL(url).protocol);
      } catch {
        return false;
      }
    };
    // Every request not from the file itself is refused, and remembered as a failure.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      networkRequests.add(url);
      return route.abort('blockedbyclient');
    });
    await context.routeWebSocket(/.*/, (ws) => {
      networkRequests.add(ws.url());
      void ws.close();
    });
    const page: Page = await context.newPage();
    page.on('console', (msg) => {
      // Warnings too: vega-lite warns of a chart that draws, but not as its spec says.
      if (msg.type() === 'error' || msg.type() === 'warning') {
        const loc = msg.location();
        consoleErrors.push(`${msg.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
      }
    });
    page.on('pageerror', (err) => pageErrors.push(err.stack ?? String(err)));
    page.on('request', (req) => {
      if (!isLocal(req.url())) networkRequests.add(req.url());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => {});
    });
    page.on('popup', (popup) => dialogs.push(`popup window: ${popup.url()}`));

    let readyTimedOut = false;
    try {
      await page.goto(pathToFileURL(path.resolve(htmlPath)).href, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
      await page.waitForSelector('body[data-charts-ready]', { state: 'attached', timeout: READY_TIMEOUT_MS });
    } catch (err) {
      readyTimedOut = true;
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      problems.push(`body[data-charts-ready] not set within ${READY_TIMEOUT_MS / 1000} s (the page must set document.body.dataset.chartsReady once every embed has settled): ${why}`);
    }

    const state: PageState = await page.evaluate(() => {
      const figures = Array.from(document.querySelectorAll('figure.chart'));
      const empty: string[] = [];
      figures.forEach((fig, i) => {
        const name = fig.getAttribute('data-chart') || `#${i + 1}`;
        const target = fig.querySelector('.vega-target');
        if (!target) {
          empty.push(`${name} (no .vega-target)`);
          return;
        }
        const svgDrawn = Array.from(target.querySelectorAll('svg')).some((svg) => svg.querySelector('path, text, rect') !== null);
        const canvasDrawn = Array.from(target.querySelectorAll('canvas')).some((c) => c.width > 0);
        if (!svgDrawn && !canvasDrawn) empty.push(name);
      });
      return {
        figures: figures.length,
        ready: document.body.dataset.chartsReady ?? null,
        errors: document.body.dataset.chartErrors ?? null,
        empty,
      };
    });

    if (!readyTimedOut) {
      if (state.errors !== null) problems.push(`charts failed to embed (data-chart-errors): ${state.errors}`);
      if (state.ready === null || !/^\d+$/.test(state.ready)) problems.push(`data-charts-ready is not a count: ${JSON.stringify(state.ready)}`);
      else if (Number(state.ready) !== state.figures) problems.push(`data-charts-ready=${state.ready} but the page has ${state.figures} figure.chart elements`);
    }
    if (state.figures === 0) problems.push('the page has no figure.chart elements');
    if (state.empty.length) problems.push(`charts with nothing drawn (no svg with path/text/rect, no canvas with width): ${state.empty.join(', ')}`);

    const bodyText = (await page.textContent('body')) ?? '';
    const measured = await page.evaluate(layout);

    fs.mkdirSync(path.dirname(path.resolve(screenshotPath)), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    // Late messages (after the screenshot) still count.
    if (consoleErrors.length) problems.push(`console errors or warnings:\n    ${consoleErrors.join('\n    ')}`);
    if (pageErrors.length) problems.push(`uncaught page errors:\n    ${pageErrors.join('\n    ')}`);
    if (networkRequests.size) problems.push(`the page tried to reach the network (it must be self-contained):\n    ${[...networkRequests].join('\n    ')}`);
    if (dialogs.length) problems.push(`dialogs or popups opened (script injection?):\n    ${dialogs.join('\n    ')}`);

    if (problems.length) throw new Error(`${htmlPath}:\n  - ${problems.join('\n  - ')}\n  (screenshot: ${screenshotPath})`);
    return { charts: Number(state.ready), bodyText, layout: measured };
  } finally {
    await browser?.close();
  }
}
