// One table of a run written as Parquet (--tables parquet) through hyparquet-writer: the rows a
// CSV sink would write (record/csvSink.ts, the same interface), gathered into columns and
// written a row group at a time, so a month of a large fleet is never held whole. Text columns
// (CsvFile.text) are UTF-8 strings; every other column is a double, null where the CSV cell is
// empty (only nodes and recommendations have such cells). Row groups are cut by row count only, never by when the simulation drains, so the same
// run writes the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { HOURLY, NODES, RECOMMENDATIONS, rowCells, type Cell, type CsvFile, type Row } from './csvFiles.ts';
import { tableFileName } from './tables.ts';
import { RUN_FILES } from './runDirectory.ts';

/** Rows per row group: measured on a month of 1,000 nodes' workloads.csv (1.7 M rows), 50,000
 *  wrote fastest and smallest (dictionaries stay small enough to be kept). */
export const ROW_GROUP_ROWS = 50_000;

/** Tables with number cells that may be empty (nodes.csv's removed_t, recommendations.csv's
 *  limits and targets): their number columns are OPTIONAL (null for an empty cell). The other
 *  tables' numbers, and all text (an empty text is ''), are REQUIRED. */
const NULLABLE_NUMBERS: ReadonlySet<string> = new Set([NODES.name, RECOMMENDATIONS.name, HOURLY.name, RUN_FILES.focus]);
/** Tables whose text cells may be null too (FOCUS's null is not an empty string: focus/). */
const NULLABLE_TEXT: ReadonlySet<string> = new Set([RUN_FILES.focus]);

export class ParquetSink<C extends string> {
  private readonly writer: ParquetWriter;
  private readonly text: boolean[];
  private readonly nullable: boolean;
  private readonly nullableText: boolean;
  private columns: (string | null)[][] | (number | null)[][];
  private rows = 0;

  /** Writes `dir/<name>.parquet` (tableFileName). */
  constructor(dir: string, private readonly spec: CsvFile<C>) {
    this.text = spec.columns.map((c) => spec.text.has(c));
    // Required columns carry no definition levels: hyparquet reads them about twice as fast.
    const numbers = NULLABLE_NUMBERS.has(spec.name) ? 'OPTIONAL' : 'REQUIRED';
    this.nullableText = NULLABLE_TEXT.has(spec.name);
    const texts = this.nullableText ? 'OPTIONAL' : 'REQUIRED';
    const schema: SchemaElement[] = [
      { name: 'root', num_children: spec.columns.length },
      ...spec.columns.map((name, i): SchemaElement => (this.text[i]
        ? { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: texts }
        : { name, type: 'DOUBLE', repetition_type: numbers })),
    ];
    this.nullable = numbers === 'OPTIONAL';
    const file = path.join(dir, tableFileName(spec, 'parquet'));
    fs.writeFileSync(file, '');
    this.writer = new ParquetWriter({ writer: fileWriter(file), schema, statistics: false, createdBy: 'capsim' });
    this.columns = this.emptyColumns();
  }

  private emptyColumns(): (string | null)[][] {
    return this.spec.columns.map(() => []);
  }

  write(row: Row<C>): void {
    this.add(rowCells(this.spec, row));
  }

  /** A row as the CSV series sinks take it: its cells joined with commas (plain cells only). */
  writeLine(line: string): void {
    this.add(line.split(','));
  }

  /** A row's cells in column order; null where the table allows it (NULLABLE_*). */
  writeCells(cells: readonly (Cell | null)[]): void {
    this.add(cells);
  }

  private add(cells: readonly (Cell | null)[]): void {
    const columns = this.columns as (Cell | null)[][];
    for (let i = 0; i < columns.length; i++) columns[i].push(this.value(i, cells[i]));
    if (++this.rows % ROW_GROUP_ROWS === 0) this.flush();
  }

  /** A cell as its column holds it: text as it is; a number, or null for an empty cell. */
  private value(i: number, cell: Cell | null | undefined): Cell | null {
    if (this.text[i]) {
      if (cell === null || cell === undefined) return this.nullableText ? null : '';
      return String(cell);
    }
    if (cell === '' || cell === undefined || cell === null) {
      if (this.nullable) return null;
      throw new Error(`${this.spec.name}: ${this.spec.columns[i]} is never empty`);
    }
    const n = typeof cell === 'number' ? cell : Number(cell);
    if (Number.isNaN(n) && cell !== 'NaN') throw new Error(`${this.spec.name}: ${this.spec.columns[i]} holds numbers, not ${JSON.stringify(cell)}`);
    return n;
  }

  private flush(): void {
    if (this.columns[0].length === 0) return;
    const columnData = this.spec.columns.map((name, i) => ({ name, data: this.columns[i] }));
    void this.writer.write({ columnData, rowGroupSize: ROW_GROUP_ROWS });
    this.columns = this.emptyColumns();
  }

  /** Row groups are written as they fill, synchronously: nothing waits here. */
  async drain(): Promise<void> {}

  async close(): Promise<void> {
    this.flush();
    this.writer.finish();
  }
}
