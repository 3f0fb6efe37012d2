// One CSV file written as it grows (fast-csv), so a long run never holds its series in memory.
// The simulation runs in chunks and awaits drain() between them when the stream is full.
// Rows are given by column name (outputs/csvFiles.ts), so a row names every column of its file
// and no other. Text cells are neutralised against spreadsheet formulas (outputs/csvCells.ts).
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'fast-csv';
import type { CsvFormatterStream, FormatterRow } from 'fast-csv';
import { rowCells, type CsvFile, type Row } from '../outputs/csvFiles.ts';
import { safeRow } from '../outputs/csvCells.ts';

export class CsvSink<C extends string> implements RowSink<C> {
  private readonly csv: CsvFormatterStream<FormatterRow, FormatterRow>;
  private readonly file: fs.WriteStream;
  private full = false;
  private readonly finished: Promise<void>;

  /** Writes `dir/<file.name>`, its header row first. */
  constructor(dir: string, private readonly spec: CsvFile<C>) {
    this.csv = format({ headers: [...spec.columns], writeHeaders: true, includeEndRowDelimiter: true });
    this.file = fs.createWriteStream(path.join(dir, spec.name));
    this.finished = new Promise((resolve, reject) => {
      this.file.on('finish', resolve);
      this.file.on('error', reject);
      this.csv.on('error', reject);
    });
    this.csv.pipe(this.file);
  }

  /** Free text (events' messages, zones, instance types) can be anything the scenario holds. */
  write(row: Row<C>): void {
    if (!this.csv.write(safeRow(rowCells(this.spec, row)) as unknown as FormatterRow)) this.full = true;
  }

  /** Resolves once buffered rows have been handed to the file. */
  async drain(): Promise<void> {
    if (!this.full) return;
    this.full = false;
    await new Promise<void>((resolve) => this.csv.once('drain', resolve));
  }

  async close(): Promise<void> {
    this.csv.end();
    await this.finished;
  }
}

/** A CSV file of numbers and names that never need quoting nor neutralising (Kubernetes object
 *  names, ISO times: isPlainCell):
 *  rows are joined directly. fast-csv scans every field for characters to quote, about 3 µs a
 *  row, which made a 30-day run at 1-minute samples spend seconds on workloads.csv alone; files
 *  with free text (events.csv) keep going through fast-csv. */
export class SeriesCsvSink<C extends string> implements LineSink<C> {
  private readonly file: fs.WriteStream;
  private full = false;
  private readonly finished: Promise<void>;
  private buffer = '';

  /** Writes `dir/<file.name>`, its header row first. */
  constructor(dir: string, private readonly spec: CsvFile<C>) {
    this.file = fs.createWriteStream(path.join(dir, spec.name));
    this.finished = new Promise((resolve, reject) => {
      this.file.on('finish', resolve);
      this.file.on('error', reject);
    });
    this.buffer = spec.columns.join(',') + '\n';
  }

  /** Text fields must be plain (isPlainCell); the recorder checks names once, not per row. */
  write(row: Row<C>): void {
    this.writeLine(rowCells(this.spec, row).join(','));
  }

  /** One row already joined with commas, its cells in the file's column order (the recorder's
   *  hot paths build it in one string). */
  writeLine(line: string): void {
    this.buffer += line + '\n';
    if (this.buffer.length > 1 << 16) this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.buffer.length === 0) return;
    if (!this.file.write(this.buffer)) this.full = true;
    this.buffer = '';
  }

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
