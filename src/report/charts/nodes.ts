// Nodes over time, stacked by pool and capacity type: built from nodes.csv (each node's life,
// provisioning included), so an autoscaled or spot fleet shows which pool grew and when.
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { epochMs, frame, poolName, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

export function nodesChart(run: RunData): Chart {
  const end = run.summary.durationSeconds;
  const step = run.bucketSeconds;
  const groups = new Map<string, number[]>();
  const starts: number[] = [];
  for (let t = 0; t <= end; t += step) starts.push(t);
  for (const node of run.nodes) {
    const group = `${poolName(node.pool)} · ${node.capacityType}`;
    let counts = groups.get(group);
    if (!counts) groups.set(group, (counts = new Array<number>(starts.length).fill(0)));
    const from = node.createdSeconds;
    const to = node.removedSeconds ?? Infinity;
    starts.forEach((t, i) => {
      // A bucket counts the node for the share of it the node was alive; the last point is the end instant.
      const until = Math.min(t + step, end);
      counts[i] += until > t ? Math.max(0, Math.min(to, until) - Math.max(from, t)) / (until - t) : from <= t && to > t ? 1 : 0;
    });
  }
  const names = [...groups.keys()].sort();
  const values = starts.flatMap((t, i) => names.map((group) => ({ time: epochMs(run, t), group, nodes: chartNumber(groups.get(group)![i], 3) })));
  return {
    name: 'nodes',
    title: 'Nodes',
    caption: `Nodes by pool and capacity type, provisioning included (${resolutionNote(run)}).`,
    spec: {
      ...frame(values),
      mark: { type: 'area', interpolate: 'step-after', opacity: 0.85 },
      encoding: {
        x: timeX(),
        y: { field: 'nodes', type: 'quantitative', stack: 'zero', title: 'nodes', axis: { tickMinStep: 1 } },
        color: { field: 'group', type: 'nominal', title: 'pool · capacity', scale: { scheme: 'tableau10' } },
        order: { field: 'group' },
        tooltip: [
          timeTooltip(),
          { field: 'group', type: 'nominal', title: 'pool · capacity' },
          { field: 'nodes', type: 'quantitative' },
        ],
      },
    },
  };
}
