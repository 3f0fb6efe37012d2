// Every chart of a run's report, in reading order: the cluster's story first (capacity, nodes,
// cost, pods), then workloads, what happened, and where the money and capacity went.
import type { RunData } from '../runFiles.ts';
import type { Chart } from './chart.ts';
import { cpuChart, memoryChart } from './clusterResources.ts';
import { nodesChart } from './nodes.ts';
import { costChart } from './cost.ts';
import { carbonChart } from './carbon.ts';
import { podsChart } from './pods.ts';
import { workloadsChart } from './workloads.ts';
import { timelineChart } from './timeline.ts';
import { wasteChart } from './waste.ts';
import { costByNamespaceChart } from './costByNamespace.ts';
import { nodeHeatmapChart } from './nodeHeatmap.ts';

export const RUN_CHARTS: readonly ((run: RunData) => Chart)[] = [
  cpuChart, memoryChart, nodesChart, costChart, carbonChart, podsChart, workloadsChart, timelineChart, wasteChart, costByNamespaceChart, nodeHeatmapChart,
];

export function runCharts(run: RunData): Chart[] {
  return RUN_CHARTS.map((chart) => chart(run));
}
