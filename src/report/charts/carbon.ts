// Carbon per hour by node pool (hourly.csv: the Cloud Carbon Footprint estimate of each
// node-hour, carbon/), stacked, with the hour's cost as a line: where the fleet's emissions come
// from and whether they follow its cost (a cheap spot pool in a dirty grid does not).
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { emptyChart, epochMs, frame, timeTooltip, timeX, type Chart } from './chart.ts';

export function carbonChart(run: RunData): Chart {
  const { kgCo2e, energyKwh } = run.summary.carbon;
  const title = 'Carbon';
  const caption = `Emissions per hour by node pool (stacked areas, left axis: kg CO2e, operational and embodied) and the hour's node cost (line, right axis); ${kgCo2e.toFixed(2)} kg CO2e and ${energyKwh.toFixed(1)} kWh in all (Cloud Carbon Footprint method; docs/outputs.md "Carbon").`;
  if (run.hourly === null) return emptyChart('carbon', title, caption, 'No hourly.csv in this run directory (a run made before capsim wrote it): rerun to draw this chart.');
  const points = run.hourly.filter((h) => h.kgCo2e !== null);
  if (points.length === 0) return emptyChart('carbon', title, caption, 'No node\'s carbon could be estimated (see the warnings).');
  const costByHour = new Map<number, number>();
  for (const h of run.hourly) costByHour.set(h.t, (costByHour.get(h.t) ?? 0) + h.costUsd);
  const areas = points.map((h) => ({ time: epochMs(run, h.t), pool: h.pool, kg: chartNumber(h.kgCo2e!, 6) }));
  const cost = [...costByHour].map(([t, usd]) => ({ time: epochMs(run, t), usd: chartNumber(usd, 6) }));
  const time = timeTooltip();
  return {
    name: 'carbon',
    title,
    caption,
    spec: {
      ...frame([]),
      encoding: { x: timeX() },
      layer: [
        {
          data: { values: areas },
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.75 },
          encoding: {
            y: { field: 'kg', type: 'quantitative', stack: 'zero', title: 'kg CO2e per hour', axis: { format: ',.3~f' } },
            color: { field: 'pool', type: 'nominal', title: 'pool' },
            tooltip: [time, { field: 'pool', type: 'nominal' }, { field: 'kg', type: 'quantitative', title: 'kg CO2e', format: ',.4f' }],
          },
        },
        {
          data: { values: cost },
          mark: { type: 'line', interpolate: 'step-after', color: '#333', strokeWidth: 1.4 },
          encoding: {
            y: { field: 'usd', type: 'quantitative', title: '$ per hour', axis: { format: '$,.2f' } },
            tooltip: [time, { field: 'usd', type: 'quantitative', title: '$ that hour', format: '$,.3f' }],
          },
        },
      ],
      resolve: { scale: { y: 'independent' } },
    },
  };
}
