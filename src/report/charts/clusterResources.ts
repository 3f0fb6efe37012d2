// Cluster CPU and memory over time: allocatable vs requested vs used. The gap between the top
// two lines is what the scheduler can still place; between the lower two, requests nobody uses.
import type { ClusterPoint, RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { epochMs, resolutionNote, stepLinesChart, type Chart } from './chart.ts';

const SERIES = [
  { name: 'Allocatable', color: '#9e9e9e' },
  { name: 'Requested', color: '#4c78a8' },
  { name: 'Used', color: '#f58518' },
];

function resourceChart(run: RunData, name: string, title: string, unit: string, pick: (p: ClusterPoint) => [number, number, number]): Chart {
  const rows = run.cluster.map((p) => {
    const [allocatable, requested, used] = pick(p);
    return { time: epochMs(run, p.t), Allocatable: chartNumber(allocatable), Requested: chartNumber(requested), Used: chartNumber(used) };
  });
  const caption = `Allocatable capacity of Ready nodes, what pods request, and what they use (${resolutionNote(run)}).`;
  return stepLinesChart(run, { name, title, caption }, rows, SERIES, unit);
}

export function cpuChart(run: RunData): Chart {
  return resourceChart(run, 'cpu', 'Cluster CPU', 'cores', (p) => [p.cpuAllocatableMilli / 1000, p.cpuRequestedMilli / 1000, p.cpuUsedMilli / 1000]);
}

export function memoryChart(run: RunData): Chart {
  const gib = 2 ** 30;
  return resourceChart(run, 'memory', 'Cluster memory', 'GiB', (p) => [p.memoryAllocatableBytes / gib, p.memoryRequestedBytes / gib, p.memoryUsedBytes / gib]);
}
