// `capsim validate`'s lines about Karpenter: per NodePool (by weight, as the provisioner orders
// them), how many instance types and offerings its requirements allow, the cheapest few with
// their price, and its limits. The first thing a Karpenter user checks; the first line says what
// of Karpenter the run simulates.
import type { KarpenterInput } from '../model/karpenter.ts';
import { resolveNodePools } from './nodePools.ts';
import { usdPerHour } from '../outputs/money.ts';

/** How many of the cheapest types a NodePool's line names. */
export const CHEAPEST_SHOWN = 5;


export function karpenterMenuLines(input: KarpenterInput): string[] {
  if (input.nodePools.length === 0) return [];
  const lines = [`Karpenter: ${input.nodePools.length} NodePool${input.nodePools.length === 1 ? '' : 's'} read and checked; the run simulates Karpenter's provisioning, termination, expiration, spot interruption handling and disruption (emptiness, drift, consolidation) from them. What each NodePool allows:`];
  for (const r of resolveNodePools(input)) {
    const np = r.nodePool;
    const cls = r.nodeClass ? `${r.nodeClass.kind} ${r.nodeClass.name}` : `${np.nodeClassRef.kind} ${np.nodeClassRef.name} (missing)`;
    const limits = Object.entries(np.limits).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const head = `  NodePool ${np.name} (weight ${np.weight}, ${cls}${r.provider ? `, ${r.provider}` : ''})`;
    if (!r.menu) {
      lines.push(`${head}: no menu: capsim has no instance-type catalog for nodeClassRef group ${np.nodeClassRef.group}; limits: ${limits}`);
      continue;
    }
    const m = r.menu;
    const offerings = m.entries.reduce((n, e) => n + e.offerings.length, 0);
    const capacityTypes = [...new Set(m.entries.flatMap((e) => e.offerings.map((o) => o.capacityType)))].sort();
    const spot = m.spotWithoutPrice ? ` only: spot is allowed, but the catalog has no ${m.provider} spot price` : '';
    lines.push(`${head}: ${m.entries.length} instance type${m.entries.length === 1 ? '' : 's'}, ${offerings} offering${offerings === 1 ? '' : 's'} (${capacityTypes.join(', ') || 'none'}${spot}) in ${m.zones.join(', ')}; limits: ${limits}`);
    if (m.entries.length === 0) continue;
    const cheapest = m.entries.slice(0, CHEAPEST_SHOWN).map((e) => `${e.type.name} ${usdPerHour(e.cheapest.usdPerHour)} ${e.cheapest.capacityType}`);
    const more = m.entries.length - CHEAPEST_SHOWN;
    lines.push(`    cheapest: ${cheapest.join(', ')}${more > 0 ? `, and ${more} more` : ''}`);
  }
  return lines;
}
