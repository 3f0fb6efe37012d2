// Before a run (`capsim validate`): the carbon gaps the scenario's nodes will have, from each
// pool's template node (one per zone) and each Node manifest as the run prices it. The run finds
// the same gaps, and more (nodes Karpenter launches), on the nodes it actually has: its warnings
// replace these in summary.json (record/recorder.ts).
import { manifestNodeInit, templateNode, unregisteredNode } from '../cloud/cloudProvider.ts';
import { planManifestNode } from '../cloud/manifestNodes.ts';
import type { NodeObject } from '../model/objects.ts';
import type { Scenario } from '../model/scenario.ts';
import type { RunWarning } from '../outputs/summary.ts';
import { gapWarnings } from './carbonAccount.ts';
import { noteGaps, resolveProfile, type CarbonGap } from './carbonModel.ts';

export function carbonPreflightWarnings(scenario: Scenario): RunWarning[] {
  const gaps = new Map<CarbonGap, Set<string>>();
  const settings = scenario.carbon ?? {};
  const pools = scenario.cluster.nodePools;
  for (const pool of pools) {
    for (const zone of pool.zones.length > 0 ? pool.zones : ['']) {
      const node = templateNode(pool, zone, `template-node-for-${pool.name}`);
      noteGaps(gaps, node, resolveProfile(node, settings));
    }
  }
  for (const o of scenario.objects) {
    if (o.kind !== 'Node') continue;
    const node = unregisteredNode(manifestNodeInit(o as NodeObject, planManifestNode(o as NodeObject, pools)));
    noteGaps(gaps, node, resolveProfile(node, settings));
  }
  return gapWarnings(gaps);
}
