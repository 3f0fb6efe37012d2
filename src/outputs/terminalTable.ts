// What a command prints for people and, with -o json|yaml, for programs (issue 21): one shape so
// that the run's headline, compare's deltas, the sweep's best configurations, the catalog and the
// advice are all drawn by the same table renderer (src/cli/output.ts) and never padded by hand.

/** One table in the terminal. `cells` are already formatted for people ($50.75, 30d, 36.3%). */
export interface TerminalTable {
  /** Printed above the table; omitted when a command prints a single table. */
  title?: string;
  columns: { header: string; align?: 'left' | 'right' }[];
  cells: string[][];
  /** Printed under the table: what a reader must know to trust it (a caveat, a hint). */
  notes?: string[];
}
