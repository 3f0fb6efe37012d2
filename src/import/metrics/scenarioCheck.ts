// What the backtest will run against what the metrics show, for the node pools: DIR/scenario.yaml
// (from `capsim import cluster`, edited by the user) without a cluster autoscaler, or with a
// pool's min/max narrower than the node counts observed, cannot reproduce a pool whose size
// varied; a pool on one side only has nodes the other lacks; a pool whose size at the window's
// start is not the dump's starts the backtest elsewhere. Each is a warning naming the pool,
// with what to edit. Only the file's YAML is read (not the full scenario loader): a scenario that
// does not parse is one warning, and `capsim validate` says the rest.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const SCENARIO_FILE = 'scenario.yaml';

interface PoolLimits {
  count: number | null;
  min: number | null;
  max: number | null;
}

const asCount = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** Warnings (one line each) on DIR/scenario.yaml's node pools against the pools' node counts in
 *  the metrics; none when the directory has no scenario.yaml. */
export function checkScenarioPools(dir: string, observed: ReadonlyMap<string, readonly number[]>): string[] {
  const file = path.join(dir, SCENARIO_FILE);
  if (!fs.existsSync(file)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return [`${SCENARIO_FILE} does not parse (${(error as Error).message.split('\n')[0]}): its node pools are not checked against metrics/nodes.csv; capsim validate says more`];
  }
  const cluster = (doc as { spec?: { cluster?: { nodePools?: unknown; autoscaler?: unknown } } } | null)?.spec?.cluster;
  const autoscaler = cluster?.autoscaler !== undefined && cluster.autoscaler !== null;
  const pools = new Map<string, PoolLimits>();
  for (const p of Array.isArray(cluster?.nodePools) ? (cluster.nodePools as Record<string, unknown>[]) : []) {
    if (p && typeof p === 'object' && typeof p.name === 'string') pools.set(p.name, { count: asCount(p.count), min: asCount(p.min), max: asCount(p.max) });
  }
  const warnings: string[] = [];
  if (observed.size === 0) {
    if (pools.size > 0) warnings.push(`no node series in the metrics (kube_node_labels): ${SCENARIO_FILE}'s node pools are not checked against them, and the backtest has no node counts to compare`);
    return warnings;
  }
  for (const [pool, counts] of observed) {
    const low = Math.min(...counts);
    const high = Math.max(...counts);
    const limits = pools.get(pool);
    if (!limits) {
      warnings.push(`pool ${pool}: ${low}..${high} nodes in metrics/nodes.csv, but ${SCENARIO_FILE} has no node pool of that name: the backtest runs without these nodes (add the pool, or check the pool labels capsim import cluster read)`);
      continue;
    }
    // The scenario's defaults (docs/scenario.md): count = min else 1; min = count; max = max(count, min).
    const count = limits.count ?? limits.min ?? (limits.max !== null ? 0 : 1);
    // backtest.yaml starts from the dumped state, placed at the window's start: a dump taken at
    // another time starts the pool at another size.
    if (counts[0] !== count) {
      warnings.push(`pool ${pool}: ${counts[0]} node${counts[0] === 1 ? '' : 's'} at the window's start in metrics/nodes.csv, but ${count} in ${SCENARIO_FILE} (the dump's): the backtest starts from the dump, so its first hours differ; import a dump taken at the window's start, or set count: ${counts[0]} on the pool`);
    }
    if (low === high) continue;
    const min = limits.min ?? count;
    const max = limits.max ?? Math.max(count, min);
    const edit = `add autoscaler: {} under spec.cluster and min: ${low}, max: ${high} on the pool`;
    if (!autoscaler) {
      warnings.push(`pool ${pool}: its node count varies ${low}..${high} in metrics/nodes.csv, but ${SCENARIO_FILE} has no cluster autoscaler: the backtest holds it at ${count}; ${edit}`);
    } else if (max < high || min > low) {
      warnings.push(`pool ${pool}: its node count varies ${low}..${high} in metrics/nodes.csv, outside its min..max ${min}..${max} in ${SCENARIO_FILE}: the backtest cannot follow it; set min: ${Math.min(min, low)}, max: ${Math.max(max, high)} on the pool`);
    }
  }
  for (const pool of pools.keys()) {
    if (!observed.has(pool)) warnings.push(`pool ${pool} of ${SCENARIO_FILE} has no node in metrics/nodes.csv: the backtest gives it nodes the metrics do not show (remove it, or set its count to 0)`);
  }
  return warnings;
}
