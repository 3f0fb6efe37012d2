// Text cells of the CSV files capsim writes, safe to open in a spreadsheet. A cell that starts
// with =, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice and
// Google Sheets ("CSV injection"): a zone named =HYPERLINK("https://example.com/x","open") would
// be a live link in nodes.csv. Per OWASP's guidance (owasp.org/www-community/attacks/CSV_Injection)
// such a cell is written with a single quote in front, which spreadsheets show as text; capsim's
// readers take the quote off again (readTextCell), so a report shows the name as it was written.
//
// Numbers are not formulas: a cell that is a plain number (-0.12, -3.5, 1e-7) is written as it is,
// so idle costs and deltas stay numbers. Only text cells go through here.
//
// Written and read back, every string comes back unchanged: a text that already starts with
// quotes followed by one of those characters ('=x) gets one quote more (''=x), and the reader
// takes exactly one off.
import { writeToString } from 'fast-csv';

/** One or more quotes, then a character a spreadsheet starts a formula with. */
const QUOTED_FORMULA = /^'+[=+\-@\t\r]/;
/** A number as String(number) or a figure's formatting writes it, sign and exponent included. */
const PLAIN_NUMBER = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|Infinity)$/;

const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const AT = 0x40;
const TAB = 0x09;
const CR = 0x0d;
const QUOTE = 0x27;

function formulaStart(code: number): boolean {
  return code === EQUALS || code === PLUS || code === MINUS || code === AT || code === TAB || code === CR;
}

/** The cell to write for a text: the text itself, or with a quote in front when a spreadsheet
 *  would run it as a formula. One character code compared for almost every cell. */
export function textCell(text: string): string {
  const first = text.charCodeAt(0);
  if (formulaStart(first)) return PLAIN_NUMBER.test(text) ? text : `'${text}`;
  if (first === QUOTE && QUOTED_FORMULA.test(text)) return `'${text}`;
  return text;
}

/** The text a cell written by textCell stands for. */
export function readTextCell(cell: string): string {
  return cell.charCodeAt(0) === QUOTE && QUOTED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** True when a text goes into a CSV as it is: no quoting (comma, quote, line break) and no
 *  neutralising. The series files (workloads.csv, node-utilization.csv) join their rows without
 *  either and check their names once with this. */
export function isPlainCell(text: string): boolean {
  return !/[",\r\n]/.test(text) && textCell(text) === text;
}

export type CsvValue = string | number;

/** Every text cell of a row through textCell; numbers as they are. */
export function safeRow(cells: readonly CsvValue[]): CsvValue[] {
  return cells.map((c) => (typeof c === 'string' ? textCell(c) : c));
}

/** A whole CSV file (header row first), its text cells neutralised, ending with a line break. */
export function csvText(rows: readonly (readonly CsvValue[])[]): Promise<string> {
  return writeToString(rows.map(safeRow), { includeEndRowDelimiter: true });
}

/** The cells of one CSV line, RFC 4180 quoting undone (a cell with a comma or a quote is quoted):
 *  for the files read line by line (metrics/ of import metrics, backtest-series.csv). Throws on a
 *  quoted cell not closed, or text after one. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let text = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('a quoted cell is not closed');
        text += line.slice(i, q);
        if (line[q + 1] === '"') {
          text += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cells.push(text);
    } else {
      const comma = line.indexOf(',', i);
      cells.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return cells;
    if (line[i] !== ',') throw new Error('text after a quoted cell');
    i++;
  }
}
