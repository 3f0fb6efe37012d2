// Cost by namespace (OpenCost's allocation: max(request, usage) per workload per node per hour)
// with the idle cost, what no workload was charged, as its own bar.
import type { RunData } from '../runFiles.ts';
import { emptyChart, frame, type Chart } from './chart.ts';
import { usd } from '../../outputs/money.ts';

export const IDLE = '(idle)';

export function costByNamespaceChart(run: RunData): Chart {
  const { byNamespace, idleUsd, totalUsd } = run.summary.cost;
  const title = 'Cost by namespace';
  const caption = `Node cost allocated by max(request, usage), and idle cost; total ${usd(totalUsd)}.`;
  const values = Object.entries(byNamespace).map(([namespace, usd]) => ({ namespace, usd, kind: 'allocated' }));
  if (idleUsd !== 0) values.push({ namespace: IDLE, usd: idleUsd, kind: 'idle' });
  if (values.length === 0) return emptyChart('cost-by-namespace', title, caption, 'No cost in this run.');
  values.sort((a, b) => b.usd - a.usd || (a.namespace < b.namespace ? -1 : 1));
  return {
    name: 'cost-by-namespace',
    title,
    caption,
    spec: {
      ...frame(values, Math.max(40, values.length * 24), 560),
      encoding: {
        y: { field: 'namespace', type: 'nominal', title: null, sort: values.map((v) => v.namespace) },
        x: { field: 'usd', type: 'quantitative', title: '$', axis: { format: '$,.2f' } },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            color: { field: 'kind', type: 'nominal', legend: null, scale: { domain: ['allocated', 'idle'], range: ['#4c78a8', '#bdbdbd'] } },
            tooltip: [
              { field: 'namespace', type: 'nominal' },
              { field: 'usd', type: 'quantitative', title: '$', format: '$,.2f' },
            ],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
          encoding: { text: { field: 'usd', type: 'quantitative', format: '$,.2f' } },
        },
      ],
    },
  };
}
