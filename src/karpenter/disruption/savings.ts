// Command.EstimatedSavings (kubernetes-sigs/karpenter@2266468104f3 pkg/controllers/disruption/types.go),
// apart from consolidation.ts so that balanced.ts can score with it.
import { cheapestPrice } from './simulate.ts';
import type { Command } from './types.ts';

/** Command.EstimatedSavings: the candidates' prices less the replacement's cheapest allowed offering. */
export function estimatedSavings(cmd: Command): number {
  const source = cmd.candidates.reduce((s, c) => s + c.price, 0);
  let dest = 0;
  for (const r of cmd.replacements) {
    const first = r.instanceTypes[0];
    if (first) {
      const p = cheapestPrice(first, r.plan.requirements);
      if (Number.isFinite(p)) dest += p;
    }
  }
  return source - dest;
}
