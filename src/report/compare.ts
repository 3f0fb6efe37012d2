// capsim compare (DESIGN §1): finished runs side by side. The first run is the baseline; every
// headline figure of summary.json (figures.ts) is listed per run with each other run's
// difference from it, written as compare.csv and compare.json, and drawn in compare.html with the overlay charts.
// Like the run report, it reads only the runs' files (runFiles.ts).
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { VERSION } from '../version.ts';
import { compareCharts } from './charts/compare.ts';
import { comparePage } from './comparePage.ts';
import { compareFigures, type FigureRow } from './figures.ts';
import { DEFAULT_FORMATS, renderAll, writeOutputs, type ReportFormat } from './report.ts';
import { loadRun, type RunData } from './runFiles.ts';
import { runDuration } from './units.ts';
import { writeAtomically } from '../outputs/atomicFile.ts';
import { csvText } from '../outputs/csvCells.ts';

/** Each run's directory name; where two are the same, their paths relative to the working
 *  directory; and a number after any label still repeated (one directory given twice). */
export function runLabels(dirs: readonly string[], cwd = process.cwd()): string[] {
  const absolute = dirs.map((d) => path.resolve(cwd, d));
  const names = absolute.map((abs) => path.basename(abs) || abs);
  const labels = names.map((name, i) => (names.filter((n) => n === name).length > 1 ? path.relative(cwd, absolute[i]) || '.' : name));
  const taken = new Set<string>();
  return labels.map((label) => {
    let unique = label;
    for (let n = 2; taken.has(unique); n++) unique = `${label} (${n})`;
    taken.add(unique);
    return unique;
  });
}

/** Labels may hold anything a directory name can; a file name gets [A-Za-z0-9._-] only. */
export function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_');
}

const MAX_DIR_NAME = 120;

/** reports/compare-<label1>-vs-<label2>[-vs-...], relative to the working directory. */
export function defaultCompareDir(labels: readonly string[]): string {
  return path.join('reports', `compare-${labels.map(safeName).join('-vs-')}`.slice(0, MAX_DIR_NAME));
}

const RUN_DIR_HINT = 'a run directory is what `capsim run` writes, e.g. reports/quickstart/';

/** Every run directory loaded and labelled; all the problems with them reported at once. */
export async function loadRuns(dirs: readonly string[]): Promise<RunData[]> {
  if (dirs.length < 2) {
    throw new InputError([{
      file: dirs.length === 1 ? displayPath(path.resolve(dirs[0])) : 'capsim compare',
      line: 0,
      column: 0,
      path: '',
      message: `compare needs at least two run directories, got ${dirs.length === 1 ? 'only this one' : 'none'}`,
      hint: 'name two or more, the baseline first: capsim compare reports/quickstart reports/web-hpa',
    }]);
  }
  const problems: Problem[] = [];
  for (const dir of dirs) {
    const abs = path.resolve(dir);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
      problems.push({ file: displayPath(abs), line: 0, column: 0, path: '', message: fs.existsSync(abs) ? 'not a directory' : 'no such directory', hint: RUN_DIR_HINT });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  const labels = runLabels(dirs);
  const runs: RunData[] = [];
  for (const [i, dir] of dirs.entries()) {
    try {
      runs.push({ ...(await loadRun(dir)), label: labels[i] });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return runs;
}

const csvNumber = (value: number | null) => (value === null ? '' : String(value));

/** compare.csv: one row per figure, the runs' values, then each later run's delta and delta %.
 *  The runs' labels (directory names) are free text, neutralised like every text cell (csvText). */
export function compareCsv(labels: readonly string[], rows: readonly FigureRow[]): Promise<string> {
  const later = labels.slice(1);
  const header = ['figure', ...labels, ...later.flatMap((label) => [`delta_${label}`, `delta_pct_${label}`])];
  const body = rows.map((row) => [row.key, ...row.values.map(csvNumber), ...row.deltas.flatMap((d) => [csvNumber(d.absolute), csvNumber(d.pct)])]);
  return csvText([header, ...body]);
}

export interface ComparedRun {
  label: string;
  dir: string;
  scenario: string;
  seed: number;
  durationSeconds: number;
}

/** compare.json: the runs (baseline first) and the figure rows. */
export interface ComparisonJson {
  baseline: string;
  runs: ComparedRun[];
  figures: FigureRow[];
}

export interface WrittenComparison {
  dir: string;
  runs: number;
  html: string | null;
  csv: string;
  json: string;
  charts: string[];
  /** What compare.json holds (capsim compare -o json prints it), and each run's length as its
   *  scenario wrote it, for the terminal. */
  comparison: ComparisonJson;
  durations: string[];
}

export interface CompareOptions {
  /** Output directory; default defaultCompareDir(labels). */
  out?: string;
  formats?: readonly ReportFormat[];
}

export async function writeComparison(dirs: readonly string[], options: CompareOptions = {}): Promise<WrittenComparison> {
  const formats = options.formats ?? DEFAULT_FORMATS;
  const runs = await loadRuns(dirs);
  const labels = runs.map((r) => r.label);
  const out = path.resolve(options.out ?? defaultCompareDir(labels));
  const clash = runs.find((r) => r.dir === out);
  if (clash) {
    throw new InputError([{ file: '--out', line: 0, column: 0, path: '', message: `${displayPath(out)} is the run directory of ${clash.label}: its charts/ would be overwritten`, hint: 'give another --out directory' }]);
  }
  const figures = compareFigures(runs);
  const charts = compareCharts(runs);
  const svgs = formats.length > 0 ? await renderAll(charts) : [];
  const html = formats.includes('html') ? comparePage(runs, figures, charts, svgs, VERSION) : null;
  const json: ComparisonJson = {
    baseline: labels[0],
    runs: runs.map((r) => ({ label: r.label, dir: displayPath(r.dir), scenario: r.summary.scenario, seed: r.summary.seed, durationSeconds: r.summary.durationSeconds })),
    figures,
  };
  fs.mkdirSync(out, { recursive: true });
  const csvFile = path.join(out, 'compare.csv');
  const jsonFile = path.join(out, 'compare.json');
  writeAtomically(csvFile, await compareCsv(labels, figures));
  writeAtomically(jsonFile, JSON.stringify(json, null, 2) + '\n');
  const written = await writeOutputs(out, 'compare.html', html, charts, svgs, formats);
  return { dir: out, runs: runs.length, html: written.html, csv: csvFile, json: jsonFile, charts: written.charts, comparison: json, durations: runs.map(runDuration) };
}
