// Cluster CPU and memory over time: allocatable vs requested vs used. The gap between the top
// two lines is what the scheduler can still place; between the lower two, requests nobody uses.
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { CONFIG, HEIGHT, SCHEMA, WIDTH, epochMs, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

const SERIES = ['Allocatable', 'Requested', 'Used'];
const COLORS = ['#9e9e9e', '#4c78a8', '#f58518'];

function resourceChart(run: RunData, name: string, title: string, unit: string, pick: (p: RunData['cluster'][number]) => [number, number, number]): Chart {
  const values = run.cluster.map((p) => {
    const [allocatable, requested, used] = pick(p);
    return { time: epochMs(run, p.t), Allocatable: chartNumber(allocatable), Requested: chartNumber(requested), Used: chartNumber(used) };
  });
  return {
    name,
    title,
    caption: `Allocatable capacity of Ready nodes, what pods request, and what they use (${resolutionNote(run)}).`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      transform: [{ fold: SERIES, as: ['series', 'value'] }],
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
      encoding: {
        x: timeX(),
        y: { field: 'value', type: 'quantitative', title: unit },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: SERIES, range: COLORS } },
        tooltip: [
          timeTooltip(),
          { field: 'series', type: 'nominal' },
          { field: 'value', type: 'quantitative', title: unit, format: ',.2f' },
        ],
      },
    },
  };
}

export function cpuChart(run: RunData): Chart {
  return resourceChart(run, 'cpu', 'Cluster CPU', 'cores', (p) => [p.cpuAllocatableMilli / 1000, p.cpuRequestedMilli / 1000, p.cpuUsedMilli / 1000]);
}

export function memoryChart(run: RunData): Chart {
  const gib = 2 ** 30;
  return resourceChart(run, 'memory', 'Cluster memory', 'GiB', (p) => [p.memoryAllocatableBytes / gib, p.memoryRequestedBytes / gib, p.memoryUsedBytes / gib]);
}
