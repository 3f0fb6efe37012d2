// Regenerates docs/quickstart-report.png, the README's picture of the quickstart report:
//   npm run build && npx tsx scripts/readme-screenshot.ts   (needs Debian's chromium: apt-get install -y chromium)
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-shot-'));
const run = spawnSync(process.execPath, ['bin/capsim.js', 'run', 'scenarios/quickstart.yaml', '--out', out, '--quiet'], { cwd: ROOT, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1150, height: 1400 } });
  await page.goto(`file://${path.join(out, 'report.html')}`);
  await page.waitForSelector('body[data-charts-ready]');
  const file = path.join(ROOT, 'docs', 'quickstart-report.png');
  await page.screenshot({ path: file });
  console.log(`wrote ${path.relative(ROOT, file)}`);
} finally {
  await browser.close();
  fs.rmSync(out, { recursive: true, force: true });
}
