// What run, compare, sweep and catalog print on stdout (issue 21, "answers in the terminal"):
// tables for people, drawn by cli-table3 in kubectl's borderless look (a header row, columns two
// spaces apart, numbers right-aligned), or with -o json|yaml the command's data for programs,
// and nothing else on stdout (progress, notes and warnings go to stderr).
import Table from 'cli-table3';
import type { TerminalTable } from '../outputs/terminalTable.ts';

export const OUTPUTS = ['table', 'json', 'yaml'] as const;
export type Output = (typeof OUTPUTS)[number];

/** -o / --output, the same on every command that has it. */
export const outputOption = {
  output: {
    alias: 'o',
    type: 'string',
    choices: OUTPUTS,
    default: 'table',
    describe: 'What is printed on stdout: table (for people), json or yaml (for programs: nothing else on stdout)',
  },
} as const;

/** No borders at all: only the two spaces between columns. */
const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** One table as lines of text: its title above, its notes below. No colour, so what a terminal
 *  shows is what a pipe or a test reads. */
export function renderTable(table: TerminalTable, maxWidth?: number): string {
  const width = table.columns.length;
  for (const [i, row] of table.cells.entries()) {
    if (row.length !== width) throw new RangeError(`table ${table.title ?? ''} row ${i} has ${row.length} cells for ${width} columns`);
  }
  // A header over no rows reads like a table that failed to print: say only what the notes say.
  if (table.cells.length === 0) return [...(table.title ? [table.title] : []), ...(table.notes ?? [])].join('\n') + '\n';
  const drawn = new Table({
    colAligns: table.columns.map((c) => c.align ?? 'left'),
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    ...wrapToFit(table, maxWidth),
  });
  // The header is the first row, so it follows its column's alignment as kubectl's does.
  drawn.push(table.columns.map((c) => ({ content: c.header, hAlign: c.align ?? 'left' })));
  for (const row of table.cells) drawn.push(row);
  const body = drawn.toString().split('\n').map((line) => line.trimEnd());
  return [...(table.title ? [table.title] : []), ...body, ...(table.notes ?? [])].join('\n') + '\n';
}

/** A table wider than the terminal would fold every line in two; instead its widest text column
 *  (advice's "what to do", a warning's detail) wraps at word boundaries. Only for a terminal:
 *  piped output keeps one line per row, for grep. */
function wrapToFit(table: TerminalTable, maxWidth: number | undefined): { colWidths?: number[]; wordWrap?: boolean } {
  if (!maxWidth) return {};
  const widths = table.columns.map((c, i) => Math.max(c.header.length, ...table.cells.map((row) => row[i]!.length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (total <= maxWidth) return {};
  let widest = -1;
  for (const [i, c] of table.columns.entries()) if ((c.align ?? 'left') === 'left' && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
  if (widest < 0) return {};
  widths[widest] = Math.max(24, widths[widest]! - (total - maxWidth));
  return { colWidths: widths, wordWrap: true };
}

/** Tables one after the other, a blank line between them; `maxWidth` is the terminal's width. */
export function renderTables(tables: readonly TerminalTable[], maxWidth: number | undefined = process.stdout.isTTY ? process.stdout.columns : undefined): string {
  return tables.map((t) => renderTable(t, maxWidth)).join('\n');
}

/** `data` for programs: JSON (2-space indent) or YAML, ending with a newline. */
export async function renderData(data: unknown, output: 'json' | 'yaml'): Promise<string> {
  if (output === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const { default: YAML } = await import('yaml');
  return YAML.stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Prints what a command has for people (`tables`) or for programs (`data`), per -o. */
export async function printOutput(output: Output, tables: () => readonly TerminalTable[], data: () => unknown): Promise<void> {
  process.stdout.write(output === 'table' ? renderTables(tables()) : await renderData(data(), output));
}
