// Writes the backtest's files into the run directory (docs/backtest.md): backtest.csv (one row
// per series), backtest.json (the same with the window, the headline errors and the verdict) and
// backtest-series.csv (every compared point, for the charts). Numbers are rounded once, here
// and in compare.ts (outputs/format.ts), so the same inputs give the same bytes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { BACKTEST_COLUMNS, BACKTEST_FILES, BACKTEST_SERIES_COLUMNS } from '../outputs/backtestFiles.ts';
import { csvText, isPlainCell } from '../outputs/csvCells.ts';
import { round } from '../outputs/format.ts';
import { isoSeconds, type Comparison } from './compare.ts';

export async function writeBacktestFiles(dir: string, comparison: Comparison): Promise<void> {
  const { json, points } = comparison;
  const rows = json.series.map((s) => [s.series, s.mape_pct === null ? '' : s.mape_pct, s.max_error, s.bias, s.unit, s.points]);
  await fs.writeFile(path.join(dir, BACKTEST_FILES.csv), await csvText([[...BACKTEST_COLUMNS], ...rows]));
  await fs.writeFile(path.join(dir, BACKTEST_FILES.json), JSON.stringify(json, null, 2) + '\n');
  const handle = await fs.open(path.join(dir, BACKTEST_FILES.series), 'w');
  try {
    await handle.write(`${BACKTEST_SERIES_COLUMNS.join(',')}\n`);
    for (const p of points) {
      // A name with a comma or a formula's first character goes through the CSV writer once.
      const name = isPlainCell(p.series) ? p.series : (await csvText([[p.series]])).trimEnd();
      const lines: string[] = [];
      for (let i = 0; i < p.times.length; i++) lines.push(`${isoSeconds(p.times[i])},${name},${round(p.observed[i], 4)},${round(p.simulated[i], 4)}\n`);
      await handle.write(lines.join(''));
    }
  } finally {
    await handle.close();
  }
}
