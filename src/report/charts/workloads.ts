// Per workload: demand offered vs demand served (left axis) with replicas desired and Ready
// (right axis), one panel each for the workloads with the most demand, so an HPA lagging a peak
// or a rollout dropping Ready pods shows as a gap between the lines.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData, WorkloadSeries } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { CONFIG, SCHEMA, WIDTH, emptyChart, epochMs, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

/** Panels at most; the rest are in workloads.csv. */
export const WORKLOAD_PANELS = 8;
const PANEL_HEIGHT = 120;

/** Busiest first: by demand, then by replicas; ties by name. */
export function rankWorkloads(workloads: readonly WorkloadSeries[]): WorkloadSeries[] {
  const peak = (w: WorkloadSeries) => Math.max(0, ...w.points.map((p) => p.replicasDesired));
  return [...workloads].sort((a, b) => b.demandTotal - a.demandTotal || peak(b) - peak(a) || (a.ref < b.ref ? -1 : 1));
}

export function workloadsChart(run: RunData): Chart {
  const shown = rankWorkloads(run.workloads).slice(0, WORKLOAD_PANELS);
  const title = 'Workloads';
  if (shown.length === 0) return emptyChart('workloads', title, 'Demand, service and replicas per workload.', 'No workloads in this run.');
  const more = run.workloads.length > shown.length ? ` The ${shown.length} busiest of ${run.workloads.length}; the rest are in workloads.csv.` : '';
  return {
    name: 'workloads',
    title,
    caption: `Demand offered and served (units/s, solid, left axis) and replicas desired (dashed) and Ready (right axis) (${resolutionNote(run)}).${more}`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      vconcat: shown.map((w) => panel(run, w)),
    },
  };
}

type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

const SERIES_COLORS = { domain: ['demand', 'served', 'desired', 'ready'], range: ['#9e9e9e', '#4c78a8', '#f58518', '#54a24b'] };

function panel(run: RunData, w: WorkloadSeries): Panel {
  const values = w.points.map((p) => ({
    time: epochMs(run, p.t),
    demand: chartNumber(p.demand),
    served: chartNumber(p.served),
    desired: chartNumber(p.replicasDesired),
    ready: chartNumber(p.replicasReady),
  }));
  const hasDemand = w.demandTotal > 0;
  const served = hasDemand ? `served ${((100 * w.servedTotal) / w.demandTotal).toFixed(2)}%` : 'no demand model';
  const oom = w.oomKills > 0 ? `, ${w.oomKills} OOM kill${w.oomKills === 1 ? '' : 's'}` : '';
  return {
    title: { text: w.ref, subtitle: `${served}${oom}`, fontSize: 12 },
    width: WIDTH,
    height: PANEL_HEIGHT,
    data: { values },
    encoding: { x: timeX() },
    layer: [
      ...(hasDemand
        ? [
            {
              transform: [{ fold: ['demand', 'served'], as: ['series', 'rate'] as [string, string] }],
              mark: { type: 'line' as const, strokeWidth: 1.5 },
              encoding: {
                y: { field: 'rate', type: 'quantitative' as const, title: 'units/s' },
                color: { field: 'series', type: 'nominal' as const, title: null, scale: SERIES_COLORS },
                tooltip: [timeTooltip(), { field: 'series', type: 'nominal' as const }, { field: 'rate', type: 'quantitative' as const, format: ',.2f' }],
              },
            },
          ]
        : []),
      {
        // The dash reads a copy of the series field: on the same field vega-lite would merge it into the colour legend.
        transform: [{ fold: ['desired', 'ready'], as: ['series', 'count'] as [string, string] }, { calculate: 'datum.series', as: 'dash' }],
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.5 },
        encoding: {
          y: { field: 'count', type: 'quantitative' as const, title: 'replicas', axis: { tickMinStep: 1 } },
          color: { field: 'series', type: 'nominal' as const, title: null, scale: SERIES_COLORS },
          // Desired dashed over Ready solid: where they agree, both stay visible.
          strokeDash: { field: 'dash', type: 'nominal' as const, legend: null, scale: { domain: ['desired', 'ready'], range: [[5, 3], [1, 0]] } },
          tooltip: [timeTooltip(), { field: 'series', type: 'nominal' as const, title: 'replicas' }, { field: 'count', type: 'quantitative' as const, format: ',.1f' }],
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}
