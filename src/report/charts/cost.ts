// Cost rate ($/hour, left) and cumulative cost ($, right): the rate shows when the fleet was
// expensive, the running total what the run cost by then.
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { epochMs, frame, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

export function costChart(run: RunData): Chart {
  const values = run.cluster.map((p) => ({ time: epochMs(run, p.t), rate: chartNumber(p.costUsdPerHour), cumulative: chartNumber(p.costUsdCumulative, 6) }));
  // Whole dollars under $20 in all would label the ticks $0, $1, $1, $2, $2 ...: cents then.
  const total = values.reduce((m, v) => Math.max(m, v.cumulative ?? 0), 0);
  const cumulativeFormat = total < 20 ? '$,.2f' : '$,.0f';
  const time = timeTooltip();
  return {
    name: 'cost',
    title: 'Cost',
    caption: `Node cost per hour (area, left axis) and cumulative cost (line, right axis) (${resolutionNote(run)}).`,
    spec: {
      ...frame(values),
      encoding: { x: timeX() },
      layer: [
        {
          mark: { type: 'area', interpolate: 'step-after', color: '#54a24b', opacity: 0.35 },
          encoding: {
            y: { field: 'rate', type: 'quantitative', title: '$ per hour', axis: { titleColor: '#2f7a2b', format: '$,.2f' } },
            tooltip: [time, { field: 'rate', type: 'quantitative', title: '$/hour', format: '$,.3f' }],
          },
        },
        {
          mark: { type: 'line', color: '#333', strokeWidth: 1.8 },
          encoding: {
            y: { field: 'cumulative', type: 'quantitative', title: '$ cumulative', axis: { format: cumulativeFormat } },
            tooltip: [time, { field: 'cumulative', type: 'quantitative', title: '$ so far', format: '$,.2f' }],
          },
        },
      ],
      resolve: { scale: { y: 'independent' } },
    },
  };
}
