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
const simMs = result.wallMs;
// The report is timed apart from the simulation: reading the run's files back, ten charts, report.html.
const { writeReport } = await import('../src/report/report.ts');
const r0 = performance.now();
await writeReport(outDir);
const reportMs = performance.now() - r0;
await fs.rm(outDir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    name: scenario.name,
    loadMs,
    simMs,
    reportMs,
    events: result.eventsProcessed,
    podsScheduled: result.summary.pods.scheduled,
    unschedulable: result.summary.pods.unschedulable,
    simulatedHours: scenario.durationMs / 3_600_000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
