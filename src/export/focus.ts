// capsim export focus <runDir>: a run's FOCUS rows (focus/), as CSV. A run writes focus.csv
// itself (or focus.parquet under --tables parquet) unless it was left out (a large run's
// default, or --no-focus): then the run is simulated again from its scenario.resolved.yaml and
// seed, which gives the same run (capsim is deterministic), and its rows are written; the rerun's
// total cost must be the run's summary's, or nothing is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_FILES } from '../outputs/runDirectory.ts';
import { readRunFile, runFileState } from '../outputs/runDirectory.ts';
import { money } from '../outputs/format.ts';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { readCsv, readSummary } from '../report/runFiles.ts';
import { csvField } from '../record/csvSink.ts';
import { FOCUS_TABLE } from '../focus/columns.ts';
import { focusRunId } from '../focus/runId.ts';
import { parse as parseYaml } from 'yaml';

export interface FocusExportResult {
  rows: number;
  /** Where the rows came from: the run's focus.csv or focus.parquet, or a rerun of the scenario. */
  source: 'focus.csv' | 'focus.parquet' | 'rerun';
  notes: string[];
}

const HEADER = FOCUS_TABLE.columns.join(',');

/** Simulates the scenario in `resolvedFile` with `seed` into `outDir`, writing focus.csv there
 *  with `runId` as its x_CapsimRunId, and gives its total cost (cli/export.ts: the export layer
 *  does not run scenarios itself). */
export type FocusRerun = (resolvedFile: string, seed: number, runId: string, outDir: string) => Promise<number>;

export async function exportFocus(runDir: string, write: (chunk: string) => void, rerunScenario: FocusRerun): Promise<FocusExportResult> {
  const dir = path.resolve(runDir);
  const summary = readSummary(dir);
  const csv = path.join(dir, RUN_FILES.focus);
  if (runFileState(csv) === 'file') return { rows: await copyFocusCsv(csv, write), source: 'focus.csv', notes: [] };
  const parquet = path.join(dir, RUN_FILES.focus.replace(/\.csv$/, '.parquet'));
  if (runFileState(parquet) === 'file') return { rows: await parquetAsCsv(dir, write), source: 'focus.parquet', notes: [] };

  // Not written by the run: simulate it again.
  const resolved = path.join(dir, RUN_FILES.resolvedScenario);
  const read = readRunFile(resolved);
  if (!('text' in read)) {
    throw new InputError([{ file: displayPath(dir), line: 0, column: 0, path: '', message: `has no ${RUN_FILES.focus} and no ${RUN_FILES.resolvedScenario} to run again`, hint: 'give a directory written by capsim run, or run the scenario with --focus' }]);
  }
  // The run's id, as the run computed it from the scenario it wrote out (resolving it again adds
  // the computed defaults, which would give another id).
  let runId: string;
  try {
    runId = focusRunId(parseYaml(read.text), summary.seed);
  } catch (error) {
    throw new InputError([{ file: displayPath(resolved), line: 0, column: 0, path: '', message: `cannot be read: ${(error as Error).message}`, hint: 'run the scenario again with --focus' }]);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-focus-'));
  try {
    const out = path.join(scratch, 'run');
    let totalUsd: number;
    try {
      totalUsd = await rerunScenario(resolved, summary.seed, runId, out);
    } catch (error) {
      // Manifests and traces are named relative to the scenario, which is not in the run directory.
      if (!(error instanceof InputError)) throw error;
      throw new InputError([{
        file: displayPath(resolved), line: 0, column: 0, path: '',
        message: `has no ${RUN_FILES.focus} and its scenario cannot be run again from the run directory: ${error.problems[0]?.message ?? error.message}`,
        hint: `files the scenario reads (manifests, traces) are named relative to the original scenario file: run it again where it is, with --focus (capsim run SCENARIO --focus --out ${displayPath(dir)})`,
      }]);
    }
    if (money(totalUsd) !== money(summary.cost.totalUsd)) {
      throw new InputError([{
        file: displayPath(resolved), line: 0, column: 0, path: '',
        message: `run again, it costs $${money(totalUsd)} where the run's summary.json says $${summary.cost.totalUsd}: not the same run (another capsim version, or files it reads have changed)`,
        hint: `run the scenario again with this capsim (capsim run ... --focus) and export that run`,
      }]);
    }
    const rows = await copyFocusCsv(path.join(out, RUN_FILES.focus), write);
    return { rows, source: 'rerun', notes: [`${RUN_FILES.focus} was not in ${displayPath(dir)}: the run was simulated again from its ${RUN_FILES.resolvedScenario} (seed ${summary.seed}), same total cost`] };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** focus.csv as it is, once its header is FOCUS_TABLE's and it ends whole. */
async function copyFocusCsv(file: string, write: (chunk: string) => void): Promise<number> {
  const damaged = (message: string, line: number) =>
    new InputError([{ file: displayPath(file), line, column: 0, path: '', message, hint: 'the file is damaged or from another capsim version: run the scenario again (capsim run --focus)' }]);
  let rows = -1;
  let first = true;
  let last = '';
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    if (first) {
      const end = text.indexOf('\n');
      if (end < 0 || text.slice(0, end) !== HEADER) throw damaged(`its header is not the ${FOCUS_TABLE.columns.length} FOCUS columns this capsim writes`, 1);
      first = false;
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
    last = text;
    write(text);
  }
  if (first || !last.endsWith('\n')) throw damaged('cut short: it does not end with a newline, as capsim ends every row', 0);
  return rows;
}

/** focus.parquet's rows as focus.csv's. */
async function parquetAsCsv(dir: string, write: (chunk: string) => void): Promise<number> {
  let rows = 0;
  let buffer = `${HEADER}\n`;
  await readCsv(dir, FOCUS_TABLE, (fields) => {
    buffer += fields.map(csvField).join(',') + '\n';
    rows++;
    if (buffer.length > 1 << 16) {
      write(buffer);
      buffer = '';
    }
  });
  write(buffer);
  return rows;
}
