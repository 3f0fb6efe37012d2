// Runs one scenario in this process and prints its measurements as JSON (bench/run.ts spawns
// one process per scenario so peak memory is per scenario).
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';

const file = process.argv[2];
const t0 = performance.now();
const scenario = await loadScenario(file);
const loadMs = performance.now() - t0;
const outDir = path.join(os.tmpdir(), `capsim-bench-${process.pid}`);
const result = await runScenario(scenario, { outDir });
await fs.rm(outDir, { recursive: true, force: true });
const simMs = result.wallMs;
process.stdout.write(
  JSON.stringify({
    name: scenario.name,
    loadMs,
    simMs,
    events: result.eventsProcessed,
    podsScheduled: result.summary.pods.scheduled,
    unschedulable: result.summary.pods.unschedulable,
    simulatedHours: scenario.durationMs / 3_600_000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
