// Where capacity goes, by pool: what pods used, what they requested but did not use, and what
// no one requested (allocatable left free). Resource-hours over each node's Ready time, from
// nodes.csv means, so the bars add up to the capacity each pool offered.
import type { RunData } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { CONFIG, SCHEMA, emptyChart, poolName, type Chart } from './chart.ts';

export const WASTE_CATEGORIES = ['Used', 'Requested, unused', 'Not requested'] as const;

export interface PoolWaste {
  pool: string;
  resource: 'CPU (core-hours)' | 'Memory (GiB-hours)';
  used: number;
  requestedUnused: number;
  notRequested: number;
}

/** Splits each node's allocatable × Ready hours into the three parts, summed per pool. */
export function wasteByPool(run: RunData): PoolWaste[] {
  const out = new Map<string, PoolWaste>();
  const add = (pool: string, resource: PoolWaste['resource'], capacity: number, requestedPct: number, usedPct: number) => {
    const key = `${resource}|${pool}`;
    let w = out.get(key);
    if (!w) out.set(key, (w = { pool, resource, used: 0, requestedUnused: 0, notRequested: 0 }));
    const used = (capacity * Math.min(usedPct, 100)) / 100;
    const requested = (capacity * Math.min(requestedPct, 100)) / 100;
    w.used += used;
    w.requestedUnused += Math.max(0, requested - used);
    w.notRequested += Math.max(0, capacity - Math.max(requested, used));
  };
  for (const n of run.nodes) {
    const hours = n.readySeconds / 3600;
    const pool = poolName(n.pool);
    add(pool, 'CPU (core-hours)', (n.cpuAllocatableMilli / 1000) * hours, n.cpuRequestedMeanPct, n.cpuUsedMeanPct);
    add(pool, 'Memory (GiB-hours)', (n.memoryAllocatableBytes / 2 ** 30) * hours, n.memoryRequestedMeanPct, n.memoryUsedMeanPct);
  }
  return [...out.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : 0));
}

export function wasteChart(run: RunData): Chart {
  const title = 'Waste by pool';
  const caption = 'Capacity of each pool over its nodes’ Ready time: used, requested but unused, and not requested.';
  if (!run.nodes.some((n) => n.cpuAllocatableMilli > 0)) return emptyChart('waste', title, caption, 'This run’s nodes.csv has no allocatable columns (made by an older capsim); rerun it to see waste.');
  const rows = wasteByPool(run);
  const values = rows.flatMap((w) => [
    { pool: w.pool, resource: w.resource, part: WASTE_CATEGORIES[0], amount: chartNumber(w.used), order: 0 },
    { pool: w.pool, resource: w.resource, part: WASTE_CATEGORIES[1], amount: chartNumber(w.requestedUnused), order: 1 },
    { pool: w.pool, resource: w.resource, part: WASTE_CATEGORIES[2], amount: chartNumber(w.notRequested), order: 2 },
  ]);
  const pools = new Set(rows.map((r) => r.pool)).size;
  return {
    name: 'waste',
    title,
    caption,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values },
      facet: { column: { field: 'resource', type: 'nominal', title: null, header: { labelFontSize: 12 } } },
      spec: {
        width: 330,
        height: Math.max(40, pools * 30),
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'pool', type: 'nominal', title: null },
          x: { field: 'amount', type: 'quantitative', title: null, stack: 'zero' },
          color: { field: 'part', type: 'nominal', title: null, scale: { domain: [...WASTE_CATEGORIES], range: ['#4c78a8', '#f2a541', '#d3d3d3'] } },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [
            { field: 'pool', type: 'nominal' },
            { field: 'part', type: 'nominal' },
            { field: 'amount', type: 'quantitative', format: ',.1f' },
          ],
        },
      },
      resolve: { scale: { x: 'independent' } },
    },
  };
}
