// focus.csv (or focus.parquet under --tables parquet): the FOCUS rows of every node-hour of a
// run, written as the cost allocation settles each hour (a ChargeListener), so a month of a fleet
// is never held. The rows are focusRows.ts's; this file puts them in a table.
import { csvField, SeriesCsvSink } from '../record/csvSink.ts';
import { ParquetSink } from '../outputs/parquetSink.ts';
import { textCell } from '../outputs/csvCells.ts';
import type { TableFormat } from '../outputs/tables.ts';
import type { CarbonOf, ChargeListener, NodeCharge } from '../cost/chargePeriod.ts';
import { FOCUS_TABLE } from './columns.ts';
import { FocusRows, type FocusCell, type FocusRowSink, type FocusRunContext } from './focusRows.ts';

/** A FOCUS cell in CSV: null is an empty cell (FOCUS null handling; attributes/null_handling.md
 *  forbids empty strings for a value, so an empty cell always means null); text is quoted where
 *  it holds a comma or a quote (JSON does) and neutralised against spreadsheet formulas. */
export function focusCsvCell(cell: FocusCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return focusNumber(cell);
  return csvField(textCell(cell));
}

/** A Decimal as numeric_format.md writes it: as JavaScript prints it, its E notation in capitals
 *  without a '+' on the exponent (3.5E-7, 1.2E21). */
export function focusNumber(n: number): string {
  const s = String(n);
  return s.indexOf('e') < 0 ? s : s.replace('e+', 'E').replace('e', 'E');
}

/** Rows to CSV. Most cells repeat from one row to the next (the node's, the period's, the
 *  run's): each column keeps its last cell and its text, and encodes only what changed. */
class CsvRows implements FocusRowSink {
  private readonly last: FocusCell[] = [];
  private readonly text: string[] = [];
  constructor(readonly sink: SeriesCsvSink<string>) {}
  row(cells: readonly FocusCell[]): void {
    const { last, text } = this;
    let line = '';
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      if (cell !== last[i] || text[i] === undefined) {
        last[i] = cell;
        text[i] = focusCsvCell(cell);
      }
      line += i === 0 ? text[i] : ',' + text[i];
    }
    this.sink.writeLine(line);
  }
}

class ParquetRows implements FocusRowSink {
  constructor(readonly sink: ParquetSink<string>) {}
  row(cells: readonly FocusCell[]): void {
    this.sink.writeCells(cells);
  }
}

export class FocusWriter implements ChargeListener {
  private readonly file: SeriesCsvSink<string> | ParquetSink<string>;
  readonly rows: FocusRows;

  /** Writes `dir/focus.csv` (or focus.parquet). `carbonOf` fills x_CapsimEnergyKwh and
   *  x_CapsimCarbonKgCo2e; without it (or where it returns null) they are null. */
  constructor(dir: string, run: FocusRunContext, carbonOf: CarbonOf | null, tables: TableFormat = 'csv') {
    if (tables === 'parquet') {
      const sink = new ParquetSink(dir, FOCUS_TABLE);
      this.file = sink;
      this.rows = new FocusRows(new ParquetRows(sink), run, carbonOf);
    } else {
      const sink = new SeriesCsvSink(dir, FOCUS_TABLE);
      this.file = sink;
      this.rows = new FocusRows(new CsvRows(sink), run, carbonOf);
    }
  }

  nodeCharge(charge: NodeCharge): void {
    this.rows.nodeCharge(charge);
    const removed = charge.node.removedMs;
    if (removed >= 0 && removed <= charge.periodEndMs) this.rows.forget(charge.node);
  }

  drain(): Promise<void> {
    return this.file.drain();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
