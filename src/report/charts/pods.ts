// Pods running vs pending: pending pods are demand the cluster could not place (full nodes,
// a drain, an outage, or the autoscaler still provisioning).
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { CONFIG, HEIGHT, SCHEMA, WIDTH, epochMs, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

const SERIES = ['Running', 'Pending'];

export function podsChart(run: RunData): Chart {
  const values = run.cluster.map((p) => ({ time: epochMs(run, p.t), Running: chartNumber(p.podsRunning), Pending: chartNumber(p.podsPending) }));
  return {
    name: 'pods',
    title: 'Pods',
    caption: `Pods running and pods waiting for a node (${resolutionNote(run)}).`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      transform: [{ fold: SERIES, as: ['state', 'pods'] }],
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
      encoding: {
        x: timeX(),
        y: { field: 'pods', type: 'quantitative', title: 'pods' },
        color: { field: 'state', type: 'nominal', title: null, scale: { domain: SERIES, range: ['#4c78a8', '#e45756'] } },
        tooltip: [
          timeTooltip(),
          { field: 'state', type: 'nominal' },
          { field: 'pods', type: 'quantitative', format: ',.1f' },
        ],
      },
    },
  };
}
