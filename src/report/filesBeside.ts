// The footer's list of the files beside a page: every file the run directory holds when the page
// is written, so that a run's hourly.csv, focus.csv, pods.csv, gpu.csv or a backtest's files are
// named too (a fixed list missed them). run-info.json is written after the report (it times it)
// and charts/ by the same report, so both are always named. Tables are named without their
// extension: a run written as CSV or as Parquet (--tables) draws the same page, byte for byte.
import fs from 'node:fs';
import { RUN_FILES } from '../outputs/runDirectory.ts';

/** Names known to come in this order first (RUN_FILES), then any others alphabetically. */
const ORDER: readonly string[] = Object.values(RUN_FILES);
const TABLE = /\.(csv|parquet)$/;

/** The footer's text: "summary.json, scenario.resolved.yaml, run-info.json, charts/; tables (.csv
 *  or .parquet): timeseries, workloads, ...". */
export function filesBeside(dir: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    names = [];
  }
  const shown = new Set(names.filter((name) => name !== RUN_FILES.report && !name.startsWith('.') && !/\.tmp-\d+$/.test(name)));
  shown.add(RUN_FILES.runInfo);
  const rank = (name: string) => {
    const i = ORDER.indexOf(name.replace(/\.parquet$/, '.csv'));
    return i < 0 ? ORDER.length : i;
  };
  const sorted = [...shown].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const files = sorted.filter((name) => !TABLE.test(name));
  const tables = [...new Set(sorted.filter((name) => TABLE.test(name)).map((name) => name.replace(TABLE, '')))];
  return `${[...files, 'charts/'].join(', ')}${tables.length > 0 ? `; tables (.csv or .parquet): ${tables.join(', ')}` : ''}`;
}
