// Pods running vs pending: pending pods are demand the cluster could not place (full nodes,
// a drain, an outage, or the autoscaler still provisioning).
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { epochMs, resolutionNote, stepLinesChart, type Chart } from './chart.ts';

const SERIES = [
  { name: 'Running', color: '#4c78a8' },
  { name: 'Pending', color: '#e45756' },
];

export function podsChart(run: RunData): Chart {
  const rows = run.cluster.map((p) => ({ time: epochMs(run, p.t), Running: chartNumber(p.podsRunning), Pending: chartNumber(p.podsPending) }));
  const caption = `Pods running and pods waiting for a node (${resolutionNote(run)}).`;
  return stepLinesChart(run, { name: 'pods', title: 'Pods', caption }, rows, SERIES, 'pods');
}
