// A Parquet table of a run (parquetSink.ts) read back as the rows of its CSV: the header, then
// each row's cells as the CSV would hold them (a number as String(number) writes it, an empty
// cell for null, text through csvCells' textCell), so that every reader of a run directory
// reads either form through one path (report/runFiles.ts readCsv) and draws the same report.
// hyparquet reads it a row group at a time.
import fs from 'node:fs';
import { parquetMetadata, parquetRead, parquetSchema, type FileMetaData } from 'hyparquet';
import { textCell } from './csvCells.ts';

/** Why a file is no Parquet table capsim could have written; the reader names the file. */
export class ParquetTableError extends Error {}

/** Calls onFields with the header, then with every row's cells, in order. */
export async function readParquetTable(file: string, onFields: (fields: string[]) => void): Promise<void> {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  let header: string[];
  try {
    metadata = parquetMetadata(buffer);
    header = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (error) {
    throw new ParquetTableError(`not a whole Parquet file, cut short? (${(error as Error).message})`);
  }
  onFields(header);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await parquetRead({ file: buffer, metadata, rowStart: start, rowEnd: end, onComplete: (r) => (rows = r) });
    } catch (error) {
      throw new ParquetTableError(`rows ${start + 1}-${end} cannot be read (${(error as Error).message})`);
    }
    if (rows.length !== end - start) throw new ParquetTableError(`rows ${start + 1}-${end}: ${rows.length} rows read`);
    for (const row of rows) onFields(row.map(cellOf));
    start = end;
  }
}

/** The CSV cell a value stands for. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return textCell(value);
  if (typeof value === 'bigint') return String(value);
  throw new ParquetTableError(`a cell of type ${typeof value}, where capsim writes numbers and text`);
}
