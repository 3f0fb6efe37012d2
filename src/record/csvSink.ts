// One CSV file written as it grows (fast-csv), so a long run never holds its series in memory.
// The simulation runs in chunks and awaits drain() between them when the stream is full.
import fs from 'node:fs';
import { format } from 'fast-csv';
import type { CsvFormatterStream, FormatterRow as Row } from 'fast-csv';

export class CsvSink {
  private readonly csv: CsvFormatterStream<Row, Row>;
  private readonly file: fs.WriteStream;
  private full = false;
  private readonly finished: Promise<void>;

  constructor(path: string, readonly headers: readonly string[]) {
    this.csv = format({ headers: headers as string[], writeHeaders: true, includeEndRowDelimiter: true });
    this.file = fs.createWriteStream(path);
    this.finished = new Promise((resolve, reject) => {
      this.file.on('finish', resolve);
      this.file.on('error', reject);
      this.csv.on('error', reject);
    });
    this.csv.pipe(this.file);
  }

  write(row: readonly (string | number)[]): void {
    if (!this.csv.write(row as unknown as Row)) this.full = true;
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

/** A CSV file of numbers and names that never need quoting (Kubernetes object names, ISO times):
 *  rows are joined directly. fast-csv scans every field for characters to quote, about 3 µs a
 *  row, which made a 30-day run at 1-minute samples spend seconds on workloads.csv alone; files
 *  with free text (events.csv) keep going through fast-csv. */
export class SeriesCsvSink {
  private readonly file: fs.WriteStream;
  private full = false;
  private readonly finished: Promise<void>;
  private buffer = '';

  constructor(path: string, readonly headers: readonly string[]) {
    this.file = fs.createWriteStream(path);
    this.finished = new Promise((resolve, reject) => {
      this.file.on('finish', resolve);
      this.file.on('error', reject);
    });
    this.buffer = headers.join(',') + '\n';
  }

  /** Text fields must be plain (see needsQuoting); the recorder checks names once, not per row. */
  write(row: readonly (string | number)[]): void {
    this.writeLine(row.join(','));
  }

  /** One row already joined with commas (the recorder's hot path builds it in one string). */
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

export function needsQuoting(text: string): boolean {
  return /[",\r\n]/.test(text);
}

/** What the recorder writes rows to: a CSV file, or nothing (a sweep keeps only the summary and
 *  the cluster series of its runs, so their other files are never written). */
export interface RowSink {
  write(row: readonly (string | number)[]): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** A series file's sink also takes rows already joined. */
export interface LineSink extends RowSink {
  writeLine(line: string): void;
}

export const NULL_SINK: LineSink = {
  write: () => {},
  writeLine: () => {},
  drain: async () => {},
  close: async () => {},
};
