// One CSV file written as it grows, so a long run never holds its series in memory. The
// simulation runs in chunks and awaits drain() between them when the stream is full.
// Rows are given by column name (outputs/csvFiles.ts), so a row names every column of its file
// and no other. Text cells are neutralised against spreadsheet formulas (outputs/csvCells.ts).
import fs from 'node:fs';
import path from 'node:path';
import { rowCells, type CsvFile, type Row } from '../outputs/csvFiles.ts';
import { safeRow } from '../outputs/csvCells.ts';

/** A cell as fast-csv's formatter writes it with capsim's options (delimiter ',', quote '"',
 *  quoteColumns false; @fast-csv/format FieldFormatter.format): NULs dropped; quoted, with inner
 *  quotes doubled, when it holds a quote; quoted when it holds a comma, CR, LF or '|' (its
 *  escape pattern is the character class [,\n|\r|\n]). */
export function csvField(field: unknown): string {
  const s = `${field ?? ''}`.replace(/\0/g, '');
  if (s.indexOf('"') !== -1) return `"${s.replace(/"/g, '""')}"`;
  return /[,\n|\r]/.test(s) ? `"${s}"` : s;
}

/** A file written through one string buffer, handed to the stream every 64 KiB: both sinks
 *  below. */
class BufferedFile {
  private readonly file: fs.WriteStream;
  private full = false;
  private readonly finished: Promise<void>;
  protected buffer = '';

  constructor(file: string) {
    this.file = fs.createWriteStream(file);
    this.finished = new Promise((resolve, reject) => {
      this.file.on('finish', resolve);
      this.file.on('error', reject);
    });
  }

  protected append(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 1 << 16) this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.buffer.length === 0) return;
    if (!this.file.write(this.buffer)) this.full = true;
    this.buffer = '';
  }

  /** Resolves once buffered rows have been handed to the file. */
  async drain(): Promise<void> {
    this.flushBuffer();
    if (!this.full) return;
    this.full = false;
    await new Promise<void>((resolve) => this.file.once('drain', resolve));
  }

  async close(): Promise<void> {
    this.flushBuffer();
    this.file.end();
    await this.finished;
  }
}

/** A file of free text cells (events' messages, zones, instance types), byte for byte as fast-csv
 *  wrote it (format with headers, writeHeaders and includeEndRowDelimiter): the header before the
 *  first row, a newline after every row, and a lone newline when no row came. fast-csv's stream
 *  cost about 1 µs a row in stream machinery besides the formatting. */
export class CsvSink<C extends string> extends BufferedFile implements RowSink<C> {
  private rows = 0;

  /** Writes `dir/<file.name>`. */
  constructor(dir: string, private readonly spec: CsvFile<C>) {
    super(path.join(dir, spec.name));
  }

  write(row: Row<C>): void {
    if (this.rows++ === 0) this.buffer += this.spec.columns.map(csvField).join(',') + '\n';
    const cells = safeRow(rowCells(this.spec, row));
    let line = '';
    for (let i = 0; i < this.spec.columns.length; i++) line += (i > 0 ? ',' : '') + csvField(cells[i]);
    this.append(line + '\n');
  }

  override async close(): Promise<void> {
    if (this.rows === 0) this.buffer += '\n';
    await super.close();
  }
}

/** A CSV file of numbers and names that never need quoting nor neutralising (Kubernetes object
 *  names, ISO times: isPlainCell): rows are joined directly, without looking at every field for
 *  characters to quote, which made a 30-day run at 1-minute samples spend seconds on
 *  workloads.csv alone. Files with free text (events.csv) go through CsvSink. */
export class SeriesCsvSink<C extends string> extends BufferedFile implements LineSink<C> {
  /** Writes `dir/<file.name>`, its header row first. */
  constructor(dir: string, private readonly spec: CsvFile<C>) {
    super(path.join(dir, spec.name));
    this.buffer = spec.columns.join(',') + '\n';
  }

  /** Text fields must be plain (isPlainCell); the recorder checks names once, not per row. */
  write(row: Row<C>): void {
    this.writeLine(rowCells(this.spec, row).join(','));
  }

  /** One row already joined with commas, its cells in the file's column order (the recorder's
   *  hot paths build it in one string). */
  writeLine(line: string): void {
    this.append(line + '\n');
  }
}

/** What the recorder writes rows to: a CSV file, or nothing (a sweep keeps only the summary and
 *  the cluster series of its runs, so their other files are never written). */
export interface RowSink<C extends string> {
  write(row: Row<C>): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** A series file's sink also takes rows already joined. */
export interface LineSink<C extends string> extends RowSink<C> {
  writeLine(line: string): void;
}

export const NULL_SINK: LineSink<never> = {
  write: () => {},
  writeLine: () => {},
  drain: async () => {},
  close: async () => {},
};
