// What `capsim compare` prints for people: the runs, the figures side by side with each later
// run's delta against the baseline (the same words as compare.html), and where the files are.
import path from 'node:path';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import type { WrittenComparison } from '../report/compare.ts';
import { formatDelta, formatValue, moneyDecimals, verdict } from '../report/comparePage.ts';
import { displayPath } from '../scenario/paths.ts';

export function compareTables(written: WrittenComparison): TerminalTable[] {
  const { runs, figures } = written.comparison;
  const runTable: TerminalTable = {
    columns: [{ header: 'run' }, { header: 'scenario' }, { header: 'seed', align: 'right' }, { header: 'duration', align: 'right' }, { header: 'directory' }],
    cells: runs.map((r, i) => [i === 0 ? `${r.label} (baseline)` : r.label, r.scenario, String(r.seed), written.durations[i], r.dir]),
  };
  const later = runs.slice(1);
  const figureTable: TerminalTable = {
    columns: [
      { header: 'figure' },
      ...runs.map((r) => ({ header: r.label, align: 'right' as const })),
      ...later.map((r) => ({ header: later.length === 1 ? 'delta' : `delta ${r.label}`, align: 'right' as const })),
    ],
    cells: figures.map((row) => {
      const decimals = row.unit === 'usd' ? moneyDecimals(row.values) : 2;
      const deltas = row.deltas.map((d) => {
        const v = verdict(row, d);
        return `${formatDelta(row.unit, d, decimals)}${v ? ` ${v}` : ''}`;
      });
      return [row.label, ...row.values.map((v) => (v === null ? '–' : formatValue(row.unit, v, decimals))), ...deltas];
    }),
  };
  const files = [
    ...(written.html ? [['report', displayPath(written.html)]] : []),
    ['results', `${displayPath(written.dir)}/ (${[path.basename(written.csv), path.basename(written.json), ...(written.charts.length > 0 ? ['charts/'] : [])].join(', ')})`],
  ];
  return [runTable, figureTable, { columns: [{ header: 'output' }, { header: 'path' }], cells: files }];
}
