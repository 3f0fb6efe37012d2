// `capsim validate`'s one-shot dry run of Karpenter's provisioning, for a scenario whose only
// capacity is Karpenter NodePools (no plain node pool, no Node manifest): every workload pod at
// its initial replicas is pending at t = 0, and karpenter/scheduler.ts's solve says which
// NodeClaims Karpenter would launch for them (NodePool, type, offering, price, pods) and the
// $/hour, with the pods that fit no NodePool and those the solver does not handle yet. It is
// labelled as what it is: the run's first provisioning batch, not the whole run (where pods come
// and go, and nodes take the startup delay to be Ready).
import { apply } from '../api/apply.ts';
import { ApiServer } from '../api/apiServer.ts';
import { RandomStreams } from '../engine/random.ts';
import { Simulation } from '../engine/simulation.ts';
import { chooseLaunch } from '../karpenter/launch.ts';
import { resolveNodePools } from '../karpenter/nodePools.ts';
import { solve } from '../karpenter/scheduler.ts';
import type { KubeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Pod, PodTemplate } from '../model/pod.ts';
import type { Scenario } from '../model/scenario.ts';
import { usdPerHour } from '../outputs/money.ts';


/** The pods a workload has at t = 0 and their template (CronJobs have none yet). */
function initialPods(o: KubeObject): { template: PodTemplate; count: number } | undefined {
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
      return { template: o.spec.template, count: o.spec.replicas };
    case 'Job':
      return { template: o.spec.template, count: o.spec.parallelism };
    case 'Pod':
      if (o.spec.nodeName || o.state?.workload) return undefined;
      return { template: { labels: o.metadata.labels, annotations: o.metadata.annotations, spec: o.spec }, count: 1 };
    default:
      return undefined;
  }
}

/** "Deployment/default/web ×10, Pod/default/x" from the pods' workloads. */
function podsText(pods: readonly Pod[], refOf: ReadonlyMap<Pod, string>): string {
  const counts = new Map<string, number>();
  for (const p of pods) counts.set(refOf.get(p)!, (counts.get(refOf.get(p)!) ?? 0) + 1);
  return [...counts].map(([ref, n]) => (n === 1 ? ref : `${ref} ×${n}`)).join(', ');
}

/** The dry run's lines, or [] when the scenario has other capacity or no NodePool. */
export function karpenterDryRunLines(scenario: Scenario): string[] {
  if (!scenario.karpenter || scenario.karpenter.nodePools.length === 0) return [];
  if (scenario.cluster.nodePools.length > 0 || scenario.objects.some((o) => o.kind === 'Node')) return [];
  const api = new ApiServer(new Simulation(), new RandomStreams(scenario.seed), scenario.startEpochMs);
  for (const o of scenario.objects) {
    if (o.kind === 'Namespace' || o.kind === 'PriorityClass' || o.kind === 'LimitRange' || o.kind === 'DaemonSet') apply(api, o);
  }
  let names = 0;
  const daemonSetPods: Pod[] = [];
  for (const ds of api.daemonSets.list()) {
    const made = api.createPod({ name: `dry-run-${names++}`, namespace: ds.namespace, labels: ds.template.labels, annotations: ds.template.annotations, owner: { kind: 'DaemonSet', name: ds.name }, workload: ds.ref, spec: ds.template.spec });
    if (!('error' in made)) daemonSetPods.push(made.pod);
  }
  const pods: Pod[] = [];
  const refOf = new Map<Pod, string>();
  let refused = 0;
  for (const o of scenario.objects) {
    const initial = initialPods(o);
    if (!initial) continue;
    const { template, count } = initial;
    for (let i = 0; i < count; i++) {
      const made = api.createPod({ name: `dry-run-${names++}`, namespace: o.metadata.namespace, labels: template.labels, annotations: template.annotations, owner: null, spec: template.spec });
      if ('error' in made) { refused++; continue; }
      pods.push(made.pod);
      refOf.set(made.pod, objectRef(o));
    }
  }
  const result = solve({ pods, nodePools: resolveNodePools(scenario.karpenter), daemonSetPods });
  const lines = [`Karpenter dry run (one-shot provisioning, not the simulation: the ${pods.length} workload pod${pods.length === 1 ? '' : 's'} at their initial replicas, pending at t = 0 with no node, solved once as Karpenter's provisioner would; the run's first batch launches these, and the run follows the pods from there):`];
  let total = 0;
  for (const c of result.newNodeClaims) {
    const l = chooseLaunch(c);
    if (!l) {
      lines.push(`  NodeClaim ${c.id}: NodePool ${c.nodePool}: no allowed offering (${c.pods.length} pods: ${podsText(c.pods, refOf)})`);
      continue;
    }
    total += l.offering.usdPerHour;
    lines.push(`  NodeClaim ${c.id}: NodePool ${c.nodePool}, ${l.type.name} ${l.capacityType} in ${l.offering.zone} at ${usdPerHour(l.offering.usdPerHour)}, ${c.pods.length} pod${c.pods.length === 1 ? '' : 's'} (${podsText(c.pods, refOf)}); ${c.instanceTypes.length} type${c.instanceTypes.length === 1 ? '' : 's'} could hold them`);
  }
  const n = result.newNodeClaims.length;
  lines.push(`  total: ${n} NodeClaim${n === 1 ? '' : 's'}, ${usdPerHour(total)}`);
  const byReason = (m: ReadonlyMap<Pod, string>, label: string) => {
    const groups = new Map<string, Pod[]>();
    for (const [p, why] of m) groups.set(why, [...(groups.get(why) ?? []), p]);
    for (const [why, ps] of groups) lines.push(`  ${label}: ${podsText(ps, refOf)}: ${why}`);
  };
  byReason(result.errors, 'would stay pending');
  byReason(result.notHandled, 'not placed (dry run)');
  if (refused > 0) lines.push(`  ${refused} pod${refused === 1 ? '' : 's'} refused by admission (see the warnings)`);
  return lines;
}
