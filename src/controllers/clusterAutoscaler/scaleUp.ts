// Scale-up (core/scaleup/orchestrator/orchestrator.go; reference/k8s-algorithms.md §3.2-3.5):
// pods the scheduler marked unschedulable, minus those that fit on existing or upcoming nodes,
// are binpacked onto each valid node group's template node; the expander chain picks one
// option, and the group grows by its node count, capped by the cluster's limits and, with
// --balance-similar-node-groups, spread over the groups similar to it.
import type { Node, NodeInfo } from '../../model/node.ts';
import { daemonSetPodsFor } from './daemonSetPods.ts';
import type { Pod, PodSpec } from '../../model/pod.ts';
import { runFilters } from '../../scheduler/algorithm.ts';
import type { AutoscalingContext } from './context.ts';
import type { ClusterSnapshot } from './clusterSnapshot.ts';
import type { PodGroup, TemplateSource } from './estimator.ts';
import { estimate, orderGroups } from './estimator.ts';
import type { Option } from './expanders/expander.ts';
import { expand } from './expanders/expander.ts';
import type { NodeGroup } from './nodeGroups.ts';
import { backedOff, groupRef, targetSize, templateNode, upcoming } from './nodeGroups.ts';
import { balanceScaleUpBetweenGroups, comparatorFor, findSimilarNodeGroups } from './nodeGroupSet.ts';
import { applyLimits, clusterNodes, coresAndMemory, exceededResources, maxLimitReason, scaleUpResourcesLeft, totalOf } from './resourceLimits.ts';

/** A node group that may grow this loop, with its template nodes. */
interface Candidate {
  group: NodeGroup;
  templates: TemplateSource;
  template: Node;
}

/** One loop's scale-up; true when a node group was grown. */
export function scaleUp(ca: AutoscalingContext, now: number): boolean {
  const spec = ca.spec;
  const candidates = ca.api
    .unschedulablePods()
    .filter((p) => p.node === null && p.deletionMs < 0 && p.removedMs < 0)
    .filter((p) => p.priority >= spec.expendablePodsPriorityCutoff && p.owner?.kind !== 'DaemonSet');
  if (candidates.length === 0) return false;
  candidates.sort((a, b) => b.priority - a.priority || a.uid - b.uid);

  const snapshot = ca.snapshot();
  for (const group of ca.groups) for (const node of upcoming(group)) snapshot.addNode(node, daemonSetPodsFor(ca.api, node));
  const pending = filterOutSchedulable(snapshot, candidates);
  if (pending.length === 0) return false;
  if (pending.every((p) => now - p.createdMs < spec.newPodScaleUpDelayMs)) return false;

  const liveNodes = ca.groups.reduce((n, g) => n + targetSize(g), 0) + manifestNodes(ca);
  if (spec.maxNodesTotal > 0 && liveNodes >= spec.maxNodesTotal) {
    for (const pod of pending) ca.reportNoScaleUp(pod, `pod didn't trigger scale-up: max total nodes in cluster reached: ${spec.maxNodesTotal}`);
    return false;
  }

  const podGroups = equivalenceGroups(pending);
  // Manager.ResourcesLeft: every group's target size of its template, plus the nodes of no group.
  const resourcesLeft = scaleUpResourcesLeft(spec, totalOf(clusterNodes(ca)));
  const valid: Candidate[] = [];
  const skipped = new Map<NodeGroup, string>();
  for (const group of ca.groups) {
    if (targetSize(group) >= group.pool.max) {
      skipped.set(group, 'max node group size reached');
      continue;
    }
    if (backedOff(group, now)) {
      skipped.set(group, 'in backoff after failed scale-up');
      continue;
    }
    const templates = templateSource(ca, group);
    const template = templates.node(0).node;
    const exceeded = exceededResources(resourcesLeft, coresAndMemory(template));
    if (exceeded.length > 0) {
      skipped.set(group, maxLimitReason(exceeded)); // IsNodeGroupResourceExceeded, for one node
      continue;
    }
    valid.push({ group, templates, template });
  }

  const similar = spec.balanceSimilarNodeGroups ? similarNodeGroups(ca, snapshot, valid, podGroups) : new Map<NodeGroup, NodeGroup[]>();
  const targets = (group: NodeGroup) => [group, ...(similar.get(group) ?? [])];
  const options: Option[] = [];
  for (const { group, templates, template } of valid) {
    // Binpacking limits: what the group and its similar groups can still take
    // (sng_capacity_threshold.go), --max-nodes-per-scaleup, and --max-nodes-total.
    let limit = Math.min(targets(group).reduce((n, g) => n + Math.max(0, g.pool.max - targetSize(g)), 0), spec.maxNodesPerScaleUp);
    if (spec.maxNodesTotal > 0) limit = Math.min(limit, spec.maxNodesTotal - liveNodes);
    const result = estimate(snapshot.fork(), orderGroups(podGroups, template), templates, limit);
    if (result.nodeCount > 0 && result.pods.length > 0) options.push({ pool: group.pool, nodeCount: result.nodeCount, pods: result.pods, template });
  }

  const best = expand(spec.expander, options, { random: ca.parts.random, clusterNodes: liveNodes, priorities: spec.priorities });
  const helped = new Set(best?.pods ?? []);
  reportNotHelped(ca, podGroups, helped, skipped);
  if (!best) return false;

  let count = best.nodeCount;
  if (spec.maxNodesTotal > 0) count = Math.min(count, spec.maxNodesTotal - liveNodes);
  count = applyLimits(count, resourcesLeft, coresAndMemory(best.template));
  const group = ca.group(best.pool.name)!;
  const plan = balanceScaleUpBetweenGroups(targets(group).map((g) => ({ group: g, currentSize: targetSize(g), maxSize: g.pool.max })), count);
  for (const { group: g, currentSize, newSize, maxSize } of plan) {
    for (let k = currentSize; k < newSize; k++) ca.parts.cloud.createNode(g.pool, g.pool.provisioningDelayMs);
    ca.api.emit('NodeScaleUp', groupRef(g), '', `Scale-up: setting group ${g.pool.name} size to ${newSize} instead of ${currentSize} (max: ${maxSize}) for ${best.pods.length} pod(s)`);
  }
  const change = plan.map((i) => `{${i.group.pool.name} ${i.currentSize}->${i.newSize} (max: ${i.maxSize})}`).join(' ');
  for (const pod of best.pods) {
    ca.clearNoScaleUp(pod);
    ca.api.emit('TriggeredScaleUp', `Pod/${pod.namespace}/${pod.name}`, '', `pod triggered scale-up: [${change}]`);
  }
  return true;
}

/** ComputeSimilarNodeGroups for each valid group: the other valid groups whose template node the
 *  comparator finds alike and on which every pod group that fits this group's template fits too
 *  (SchedulablePodGroups, matchingSchedulablePodGroups). Groups in backoff or at max size are not
 *  valid, so never similar. */
function similarNodeGroups(ca: AutoscalingContext, snapshot: ClusterSnapshot, valid: readonly Candidate[], podGroups: readonly PodGroup[]): Map<NodeGroup, NodeGroup[]> {
  const comparator = comparatorFor(ca.groups.map((g) => g.pool.instanceType));
  const infos = new Map<NodeGroup, NodeInfo>();
  const schedulable = new Map<NodeGroup, Set<PodGroup>>();
  for (const { group, templates } of valid) {
    const fork = snapshot.fork();
    const { node, daemonPods } = templates.node(0);
    const info = fork.addNode(node, daemonPods);
    infos.set(group, info);
    schedulable.set(group, new Set(podGroups.filter((g) => fork.firstFit(g.pods[0], [info]) >= 0)));
  }
  const groups = valid.map((c) => c.group);
  const similar = new Map<NodeGroup, NodeGroup[]>();
  for (const group of groups) {
    const mine = [...schedulable.get(group)!];
    if (mine.length === 0) continue;
    const alike = findSimilarNodeGroups(group, groups, (g) => infos.get(g)!, comparator);
    similar.set(group, alike.filter((other) => mine.every((g) => schedulable.get(other)!.has(g))));
  }
  return similar;
}

/** filter_out_schedulable: pods that fit on a node that exists or is coming are left to the
 *  scheduler; each one placed takes its room, so the next is not counted twice. */
function filterOutSchedulable(snapshot: ClusterSnapshot, pods: readonly Pod[]): Pod[] {
  const left: Pod[] = [];
  // A pod like one that found no room finds none either: nothing was freed since (the upstream
  // filter works on equivalence groups for the same reason).
  const noRoom = new Set<string>();
  let hint = 0;
  for (const pod of pods) {
    const key = equivalenceKey(pod);
    const i = noRoom.has(key) ? -1 : snapshot.firstFit(pod, snapshot.nodeInfos, hint);
    if (i < 0) {
      noRoom.add(key);
      left.push(pod);
      continue;
    }
    snapshot.place(pod, snapshot.nodeInfos[i]);
    hint = i;
  }
  return left;
}

/** Pods of one owner with one spec are scheduled alike (equivalence groups, §3.3). */
function equivalenceGroups(pods: readonly Pod[]): PodGroup[] {
  const groups = new Map<string, PodGroup>();
  for (const pod of pods) {
    const key = equivalenceKey(pod);
    const group = groups.get(key);
    if (group) group.pods.push(pod);
    else groups.set(key, { pods: [pod] });
  }
  return [...groups.values()];
}

const specIds = new WeakMap<PodSpec, number>();
let nextSpecId = 0;

/** Same owner, same spec object (pods from one template share it): scheduled alike. */
function equivalenceKey(pod: Pod): string {
  let id = specIds.get(pod.spec);
  if (id === undefined) specIds.set(pod.spec, (id = nextSpecId++));
  return pod.owner ? `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}/${id}` : `pod/${pod.uid}`;
}

/** The k-th node a group would add: the pool's template in the zone it would get. */
function templateSource(ca: AutoscalingContext, group: NodeGroup): TemplateSource {
  const made: { node: Node; daemonPods: readonly Pod[] }[] = [];
  return {
    node(k) {
      while (made.length <= k) {
        const i = made.length;
        const node = templateNode(group.pool, ca.parts.cloud.nextZone(group.pool, i), `template-node-for-${group.pool.name}-${i}`);
        made.push({ node, daemonPods: daemonSetPodsFor(ca.api, node) });
      }
      return made[k];
    },
  };
}

/** NotTriggerScaleUp for pods no chosen option helps: per node group, why it could not. */
function reportNotHelped(ca: AutoscalingContext, podGroups: readonly PodGroup[], helped: ReadonlySet<Pod>, skipped: ReadonlyMap<NodeGroup, string>): void {
  for (const podGroup of podGroups) {
    const waiting = podGroup.pods.filter((p) => !helped.has(p));
    if (waiting.length === 0) continue;
    const reasons = new Map<string, number>();
    let fitsSomeGroup = false;
    for (const group of ca.groups) {
      const reason = skipped.get(group) ?? templateMisfit(ca, group, waiting[0]);
      if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      else fitsSomeGroup = true;
    }
    if (fitsSomeGroup || reasons.size === 0) continue; // a later loop can still help it
    const text = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort().join(', ');
    for (const pod of waiting) ca.reportNoScaleUp(pod, `pod didn't trigger scale-up: ${text}`);
  }
}

/** Why a pod does not fit on an empty template node of the group; null when it does. */
function templateMisfit(ca: AutoscalingContext, group: NodeGroup, pod: Pod): string | null {
  const snapshot = ca.snapshot();
  const node = templateNode(group.pool, ca.parts.cloud.nextZone(group.pool), `template-node-for-${group.pool.name}`);
  const info = snapshot.addNode(node, daemonSetPodsFor(ca.api, node));
  const prepared = snapshot.prepare(pod);
  const failure = runFilters(prepared.filters, prepared.state, pod, info);
  return failure ? failure.reasons[0] : null;
}

function manifestNodes(ca: AutoscalingContext): number {
  let n = 0;
  for (const info of ca.api.schedulerNodes()) if (info.node.pool === null) n++;
  return n;
}
