// Tables as CSV and as Parquet (--tables): for each table of a finished run directory (CSV), the
// time to write its rows in either form (the recorder's sinks), to read them back (the report's
// reader, runFiles.ts readCsv) and the file sizes. `node --import tsx bench/tables.ts RUN_DIR`
// (e.g. the 30-day 1,000-node run of scripts/output-digests.sh, runs/large-1000-nodes-30d).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CSV_FILES, type CsvFile } from '../src/outputs/csvFiles.ts';
import { readCsv } from '../src/report/runFiles.ts';
import { CsvSink, SeriesCsvSink } from '../src/record/csvSink.ts';
import { ParquetSink } from '../src/outputs/parquetSink.ts';
import { tableFileName } from '../src/outputs/tables.ts';
import { readTextCell } from '../src/outputs/csvCells.ts';

const SERIES = new Set(['timeseries.csv', 'workloads.csv', 'node-utilization.csv']);

export interface TableFigures { table: string; rows: number; csvBytes: number; parquetBytes: number; csvWriteS: number; parquetWriteS: number; csvReadS: number; parquetReadS: number }

/** CPU seconds (user + system) of this process since `from`: the machine is shared, and wall
 *  time counts other processes' turns. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};

async function timeRead(dir: string, file: CsvFile): Promise<number> {
  const t0 = process.cpuUsage();
  let n = 0;
  await readCsv(dir, file, (f) => (n += f.length), { plain: SERIES.has(file.name) });
  return cpuSince(t0);
}

export async function tableFigures(runDir: string): Promise<TableFigures[]> {
  const out: TableFigures[] = [];
  for (const file of CSV_FILES) {
    if (!fs.existsSync(path.join(runDir, file.name))) continue;
    const rows: string[][] = [];
    await readCsv(runDir, file, (f) => rows.push([...f]), { plain: SERIES.has(file.name) });
    const header = rows.length > 0 ? file.columns : [];
    const objects = rows.map((r) => Object.fromEntries(header.map((c, i) => [c, file.text.has(c) ? readTextCell(r[i]) : r[i] === '' ? '' : Number(r[i])])));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-bench-tables-'));
    const write = async (form: 'csv' | 'parquet') => {
      const dir = path.join(scratch, form);
      fs.mkdirSync(dir);
      const t0 = process.cpuUsage();
      const series = SERIES.has(file.name);
      const sink = form === 'parquet' ? new ParquetSink(dir, file) : series ? new SeriesCsvSink(dir, file) : new CsvSink(dir, file);
      if (series) for (const r of rows) (sink as SeriesCsvSink<string>).writeLine(r.join(','));
      else for (const o of objects) sink.write(o as never);
      await sink.close();
      return { dir, seconds: cpuSince(t0), bytes: fs.statSync(path.join(dir, tableFileName(file, form))).size };
    };
    const csv = await write('csv');
    const parquet = await write('parquet');
    out.push({
      table: file.name.replace(/\.csv$/, ''), rows: rows.length,
      csvBytes: csv.bytes, parquetBytes: parquet.bytes, csvWriteS: csv.seconds, parquetWriteS: parquet.seconds,
      csvReadS: await timeRead(csv.dir, file), parquetReadS: await timeRead(parquet.dir, file),
    });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

export function printTableFigures(figures: readonly TableFigures[]): void {
  const mb = (b: number) => (b / 1e6).toFixed(b < 1e6 ? 3 : 1);
  console.log('  table               rows        CSV MB  Parquet MB   write CSV s  Parquet s   read CSV s  Parquet s   (CPU seconds)');
  for (const f of figures) {
    console.log(`  ${f.table.padEnd(18)} ${String(f.rows).padStart(9)} ${mb(f.csvBytes).padStart(10)} ${mb(f.parquetBytes).padStart(11)} ${f.csvWriteS.toFixed(2).padStart(13)} ${f.parquetWriteS.toFixed(2).padStart(10)} ${f.csvReadS.toFixed(2).padStart(12)} ${f.parquetReadS.toFixed(2).padStart(10)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node --import tsx bench/tables.ts RUN_DIR');
  printTableFigures(await tableFigures(dir));
}
