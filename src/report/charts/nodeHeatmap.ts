// Per-node utilization as a heatmap, from node-utilization.csv: one row per node, one column per
// sample, for a small fleet; for a large one, the distribution of nodes over utilization bands
// (how many nodes sit 0–10 % busy, 10–20 %, ...) over time. A select box picks the measure.
import type { NodeUtilizationPoint, RunData } from '../runFiles.ts';
import { durationWords, emptyChart, epochMs, frame, timeTooltip, timeX, type Chart } from './chart.ts';

/** Up to this many nodes get a row each; beyond, rows would be thinner than a line of text. */
export const HEATMAP_NODE_ROWS = 40;
/** Columns at most: samples are thinned to this many. */
const HEATMAP_COLUMNS = 120;

const MEASURES = [
  ['CPU requested', 'cpuRequestedPct'],
  ['CPU used', 'cpuUsedPct'],
  ['Memory requested', 'memoryRequestedPct'],
  ['Memory used', 'memoryUsedPct'],
] as const;
const BAND_LABELS = Array.from({ length: 10 }, (_, i) => `${i * 10}–${i * 10 + 10}%`);

export function nodeHeatmapChart(run: RunData): Chart {
  const title = 'Node utilization';
  const times = [...new Set(run.nodeUtilization.map((p) => p.t))].sort((a, b) => a - b);
  if (times.length === 0) return emptyChart('node-utilization', title, 'Per-node utilization over time.', 'This run has no node-utilization.csv (made by an older capsim); rerun it to see the heatmap.');
  const stride = Math.ceil(times.length / HEATMAP_COLUMNS);
  const kept = new Set(times.filter((_, i) => i % stride === 0));
  const columnSeconds = times.length > 1 ? (times[1] - times[0]) * stride : run.summary.durationSeconds || 1;
  const points = run.nodeUtilization.filter((p) => kept.has(p.t));
  const nodes = [...new Set(points.map((p) => p.node))];
  return nodes.length <= HEATMAP_NODE_ROWS ? perNode(run, points, nodes, columnSeconds) : distribution(run, points, nodes.length, columnSeconds);
}

/** Both heatmaps: one rectangle per cell, of the measure picked in the page's select box. */
function rectsOfPickedMeasure() {
  return {
    params: [{ name: 'measure', value: MEASURES[0][0], bind: { input: 'select' as const, options: MEASURES.map(([label]) => label), name: 'Show ' } }],
    transform: [{ filter: 'datum.measure === measure' }],
    mark: { type: 'rect' as const },
  };
}

/** A cell spans its sample's column: from its time to the next sample's. */
function timeColumns() {
  return { x: timeX(), x2: { field: 'end' } };
}

function perNode(run: RunData, points: NodeUtilizationPoint[], nodes: string[], columnSeconds: number): Chart {
  const values = points.flatMap((p) =>
    MEASURES.map(([measure, key]) => ({ time: epochMs(run, p.t), end: epochMs(run, p.t + columnSeconds), node: p.node, measure, pct: Math.round(p[key]) })),
  );
  return {
    name: 'node-utilization',
    title: 'Node utilization',
    caption: `Each node’s requests or usage as a share of its allocatable, sampled every ${durationWords(columnSeconds)} (pick the measure above the chart in the page).`,
    spec: {
      ...frame(values, Math.max(60, nodes.length * 16)),
      ...rectsOfPickedMeasure(),
      encoding: {
        ...timeColumns(),
        y: { field: 'node', type: 'nominal', title: null, sort: nodes },
        color: { field: 'pct', type: 'quantitative', title: '% of allocatable', scale: { domain: [0, 100], scheme: 'yelloworangered', clamp: true } },
        tooltip: [
          timeTooltip(),
          { field: 'node', type: 'nominal' },
          { field: 'measure', type: 'nominal' },
          { field: 'pct', type: 'quantitative', title: '%' },
        ],
      },
    },
  };
}

function distribution(run: RunData, points: NodeUtilizationPoint[], nodeCount: number, columnSeconds: number): Chart {
  const cells = new Map<string, { time: number; end: number; measure: string; band: string; nodes: number }>();
  for (const p of points) {
    for (const [measure, key] of MEASURES) {
      const band = BAND_LABELS[Math.min(9, Math.max(0, Math.floor(p[key] / 10)))];
      const id = `${p.t}|${measure}|${band}`;
      const cell = cells.get(id);
      if (cell) cell.nodes++;
      else cells.set(id, { time: epochMs(run, p.t), end: epochMs(run, p.t + columnSeconds), measure, band, nodes: 1 });
    }
  }
  return {
    name: 'node-utilization',
    title: 'Node utilization',
    caption: `How many of the ${nodeCount} nodes sit in each utilization band, every ${durationWords(columnSeconds)} (pick the measure above the chart in the page).`,
    spec: {
      ...frame([...cells.values()], 200),
      ...rectsOfPickedMeasure(),
      encoding: {
        ...timeColumns(),
        y: { field: 'band', type: 'ordinal', title: '% of allocatable', sort: [...BAND_LABELS].reverse(), scale: { domain: [...BAND_LABELS].reverse() } },
        color: { field: 'nodes', type: 'quantitative', title: 'nodes', scale: { scheme: 'blues', domainMin: 0 }, legend: { format: ',d', tickMinStep: 1 } },
        tooltip: [
          timeTooltip(),
          { field: 'band', type: 'ordinal', title: 'band' },
          { field: 'nodes', type: 'quantitative' },
        ],
      },
    },
  };
}
