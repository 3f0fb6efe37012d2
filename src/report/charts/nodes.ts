// Nodes over time, stacked by pool and capacity type: built from nodes.csv (each node's life,
// provisioning included), so an autoscaled or spot fleet shows which pool grew and when. Nodes
// NotReady (a zone outage, a failed node) and cordoned (a drain) are drawn over the stack from
// events.csv: their count stays flat while they are down, so without this an outage is invisible.
import type { RunData } from '../runFiles.ts';
import type { NodeState } from '../nodeStates.ts';
import { chartNumber } from '../buckets.ts';
import { epochMs, frame, poolName, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

/** The states drawn over the stack, and their colours: red for down, grey for cordoned. */
const STATES: readonly { state: NodeState; label: string; colour: string }[] = [
  { state: 'NotReady', label: 'NotReady', colour: '#b71c1c' },
  { state: 'cordoned', label: 'cordoned', colour: '#424242' },
];

export function nodesChart(run: RunData): Chart {
  const end = run.summary.durationSeconds;
  const step = run.bucketSeconds;
  const starts: number[] = [];
  for (let t = 0; t <= end; t += step) starts.push(t);
  /** Adds to counts, per bucket, the share of it that [from, to) covers; the last point is the end instant. */
  const count = (counts: number[], from: number, to: number) =>
    starts.forEach((t, i) => {
      const until = Math.min(t + step, end);
      counts[i] += until > t ? Math.max(0, Math.min(to, until) - Math.max(from, t)) / (until - t) : from <= t && to > t ? 1 : 0;
    });
  const groups = new Map<string, number[]>();
  for (const node of run.nodes) {
    const group = `${poolName(node.pool)} · ${node.capacityType}`;
    let counts = groups.get(group);
    if (!counts) groups.set(group, (counts = new Array<number>(starts.length).fill(0)));
    count(counts, node.createdSeconds, node.removedSeconds ?? Infinity);
  }
  const names = [...groups.keys()].sort();
  const values = starts.flatMap((t, i) => names.map((group) => ({ time: epochMs(run, t), group, nodes: chartNumber(groups.get(group)![i], 3) })));
  const caption = `Nodes by pool and capacity type, provisioning included (${resolutionNote(run)}).`;
  const stack = {
    mark: { type: 'area' as const, interpolate: 'step-after' as const, opacity: 0.85 },
    encoding: {
      x: timeX(),
      y: { field: 'nodes', type: 'quantitative' as const, stack: 'zero' as const, title: 'nodes', axis: { tickMinStep: 1 } },
      color: { field: 'group', type: 'nominal' as const, title: 'pool · capacity', scale: { scheme: 'tableau10' } },
      order: { field: 'group' },
      tooltip: [
        timeTooltip(),
        { field: 'group', type: 'nominal' as const, title: 'pool · capacity' },
        { field: 'nodes', type: 'quantitative' as const },
      ],
    },
  };
  const down = nodeStateRows(run, starts, count);
  if (down.length === 0) return { name: 'nodes', title: 'Nodes', caption, spec: { ...frame(values), ...stack } };
  const drawn = STATES.filter((s) => down.some((r) => r.state === s.label));
  return {
    name: 'nodes',
    title: 'Nodes',
    caption: `${caption} Drawn over them from zero: nodes ${drawn.map((s) => `${s.label} (${s.state === 'NotReady' ? 'dark red' : 'dark grey'})`).join(' and ')}, still counted in their pool.`,
    spec: {
      ...frame(values),
      layer: [
        stack,
        {
          data: { values: down },
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.75 },
          encoding: {
            x: timeX(),
            y: { field: 'nodes', type: 'quantitative', stack: null },
            color: { field: 'state', type: 'nominal', title: 'node state', scale: { domain: drawn.map((s) => s.label), range: drawn.map((s) => s.colour) } },
            tooltip: [timeTooltip(), { field: 'state', type: 'nominal', title: 'node state' }, { field: 'nodes', type: 'quantitative' }],
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}

/** Per bucket and state, the nodes in it (bucket means); no rows for a state never entered. */
function nodeStateRows(run: RunData, starts: readonly number[], count: (counts: number[], from: number, to: number) => void) {
  const spans = run.events.nodeStates;
  return STATES.flatMap(({ state, label }) => {
    const mine = spans.filter((s) => s.state === state);
    if (mine.length === 0) return [];
    const counts = new Array<number>(starts.length).fill(0);
    for (const s of mine) count(counts, s.fromSeconds, s.toSeconds);
    return starts.map((t, i) => ({ time: epochMs(run, t), state: label, nodes: chartNumber(counts[i], 3) }));
  });
}
