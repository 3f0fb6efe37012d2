#!/usr/bin/env node
// capsim's command: the CLI bundled in dist/main.js (scripts/build.js: `npm run build`; npm ci runs it).
import fs from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write('capsim: dist/ is not built: run npm run build (npm ci runs it too)\n');
  process.exit(1);
}
await import(main.href);
