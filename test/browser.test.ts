// The HTML a run writes, opened in a real browser: report.html and compare.html render every
// chart offline with no script errors, and a hostile workload name is shown, never executed.
// Needs Debian Chromium at /usr/bin/chromium; skipped without it unless CAPSIM_REQUIRE_BROWSER=1.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, INSTALL_HINT, checkReportInBrowser, chromiumAvailable } from './browser.ts';
import { capsim, scratchDir } from './support/run.ts';

const TIMEOUT = 180_000;
const HOSTILE = '<script>alert(1)</script>';

/** False (and the test skipped) without Chromium; a failure instead when CI requires it. */
function browserOrSkip(t: TestContext): boolean {
  if (chromiumAvailable()) return true;
  if (process.env.CAPSIM_REQUIRE_BROWSER === '1') {
    assert.fail(`CAPSIM_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing; ${INSTALL_HINT}`);
  }
  t.skip(`${CHROMIUM} not found; ${INSTALL_HINT} to run the browser tests`);
  return false;
}

function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

let tmp: string | undefined;
function tmpDir(): string {
  return (tmp ??= scratchDir('capsim-browser-'));
}

// One quickstart run shared by the three tests (each still works when run alone).
let quickstartDir: string | undefined;
function quickstart(): string {
  if (!quickstartDir) {
    const out = path.join(tmpDir(), 'quickstart');
    ok(capsim('run', 'scenarios/quickstart.yaml', '--out', out, '--quiet'), 'capsim run scenarios/quickstart.yaml');
    quickstartDir = out;
  }
  return quickstartDir;
}

test('report.html of the quickstart renders every chart in Chromium, offline, without errors', { timeout: TIMEOUT }, async (t) => {
  if (!browserOrSkip(t)) return;
  const html = path.join(quickstart(), 'report.html');
  assert.ok(fs.existsSync(html), `capsim run wrote no ${html}`);
  const shot = path.join(tmpDir(), 'quickstart-report.png');
  const { charts } = await checkReportInBrowser(html, shot);
  t.diagnostic(`${charts} charts; screenshot: ${shot}`);
  assert.ok(charts >= 8, `expected at least 8 charts in report.html, found ${charts}`);
});

test('compare.html of two runs renders every chart in Chromium, offline, without errors', { timeout: TIMEOUT }, async (t) => {
  if (!browserOrSkip(t)) return;
  const a = quickstart();
  const b = path.join(tmpDir(), 'web-hpa');
  ok(capsim('run', 'scenarios/web-hpa.yaml', '--out', b, '--quiet'), 'capsim run scenarios/web-hpa.yaml');
  const cmp = path.join(tmpDir(), 'cmp');
  ok(capsim('compare', a, b, '--out', cmp, '--quiet'), 'capsim compare');
  const html = path.join(cmp, 'compare.html');
  assert.ok(fs.existsSync(html), `capsim compare wrote no ${html}`);
  const shot = path.join(tmpDir(), 'compare.png');
  const { charts } = await checkReportInBrowser(html, shot);
  t.diagnostic(`${charts} charts; screenshot: ${shot}`);
  assert.ok(charts >= 3, `expected at least 3 charts in compare.html, found ${charts}`);
});

test('a workload named <script>alert(1)</script> is shown as text in report.html, never run', { timeout: TIMEOUT }, async (t) => {
  if (!browserOrSkip(t)) return;
  const dir = path.join(tmpDir(), 'hostile');
  fs.cpSync(quickstart(), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'report.html'), { force: true }); // check a freshly written one
  const victim = 'Deployment/shop/cart';
  const hostile = `Deployment/shop/${HOSTILE}`;
  for (const f of ['workloads.csv', 'summary.json', 'recommendations.csv', 'events.csv']) {
    const file = path.join(dir, f);
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    if (f === 'workloads.csv') assert.ok(text.includes(victim), `${f} has no ${victim} to rename`);
    fs.writeFileSync(file, text.replaceAll(victim, hostile));
  }
  ok(capsim('report', dir), 'capsim report');
  const html = path.join(dir, 'report.html');
  assert.ok(fs.existsSync(html), `capsim report wrote no ${html}`);
  const shot = path.join(tmpDir(), 'hostile-report.png');
  // Fails on any dialog (alert) the page opens.
  const { bodyText } = await checkReportInBrowser(html, shot);
  t.diagnostic(`screenshot: ${shot}`);
  assert.ok(bodyText.includes(HOSTILE), `the page text does not show the workload name ${HOSTILE} literally`);
});
