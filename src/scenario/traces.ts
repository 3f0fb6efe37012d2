// spec.traces (issue 20): pod trace files, checked whole at load (a line at a time, never held in
// memory) so that `capsim validate` and a run report every bad row before anything runs. The run
// replays them with kubectl/traceReplay.ts.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkPodTrace } from '../workload/podTrace.ts';
import type { Scenario } from '../model/scenario.ts';
import { displayPath } from './paths.ts';
import { problemAt, type Problems, type Site } from './problems.ts';

export async function readTraces(
  traces: readonly { file: string }[] | undefined,
  ctx: { baseDir: string; startEpochMs: number; durationMs: number; inputFiles: string[] },
  site: Site,
  problems: Problems,
): Promise<{ traces: NonNullable<Scenario['traces']>; notices: string[] }> {
  const out: NonNullable<Scenario['traces']> = [];
  const notices: string[] = [];
  for (const [i, trace] of (traces ?? []).entries()) {
    const at = ['spec', 'traces', i, 'file'];
    const file = path.resolve(ctx.baseDir, trace.file);
    const shown = displayPath(file);
    if (!existsSync(file)) {
      problems.add(site, at, `trace file not found: ${trace.file}`, `paths are relative to the scenario file's directory (${displayPath(ctx.baseDir)})`);
      continue;
    }
    if (statSync(file).isDirectory()) {
      problems.add(site, at, `trace file ${trace.file} is a directory`, 'name a CSV or JSON Lines file');
      continue;
    }
    if (/\.json$/i.test(file)) {
      problems.add(site, at, `trace file ${trace.file} is .json: a pod trace is CSV, or JSON Lines named .jsonl or .ndjson`, 'one JSON object per line (a JSON array cannot be read a line at a time): rename the file .jsonl if it is JSON Lines');
      continue;
    }
    ctx.inputFiles.push(file);
    // Times are checked against spec.start; without a valid start (a problem already) they cannot be.
    if (!Number.isFinite(ctx.startEpochMs) || !Number.isFinite(ctx.durationMs)) continue;
    const check = await checkPodTrace(file, ctx.startEpochMs, ctx.durationMs);
    for (const p of check.problems) {
      const inScenario = problemAt(site, at, p.column_name ? `column "${p.column_name}": ${p.message}` : p.message, p.hint);
      problems.list.push({ ...inScenario, file: shown, line: p.line, column: p.column });
    }
    if (check.problems.length === 0 && check.rows === 0) problems.add(site, at, `trace ${trace.file} has no rows`, 'add one row per pod below the header');
    if (check.afterEnd > 0) notices.push(`${trace.file}: ${check.afterEnd.toLocaleString('en-US')} of ${check.rows.toLocaleString('en-US')} pods are created after the run ends (spec.duration): not replayed`);
    out.push({ file, shown, rows: check.rows });
  }
  return { traces: out, notices };
}
