// The form a run writes its tables in (--tables, spec.outputs.tables is not offered): CSV, the
// default, or Parquet, a compressed columnar file (about 60x smaller for a month of workloads:
// docs/outputs.md). The same columns either way (csvFiles.ts); a Parquet table is named as its
// CSV with .parquet for .csv (workloads.parquet), and every reader of a run directory (report,
// compare, export, backtest, a sweep's --keep-all runs) reads whichever of the two is there.
import type { CsvFile } from './csvFiles.ts';

export const TABLE_FORMATS = ['csv', 'parquet'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** The file a table is written to in this form: workloads.csv or workloads.parquet. */
export function tableFileName(file: CsvFile, format: TableFormat): string {
  return format === 'csv' ? file.name : file.name.replace(/\.csv$/, '.parquet');
}
