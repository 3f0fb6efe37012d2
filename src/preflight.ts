// Before a run, what it would get wrong without saying so: the scenario's model gaps
// (scenario/warnings.ts), and pods that no node the cluster has or can add would ever take. The
// fit check is the cluster autoscaler's what-if (reference §3.3): each workload's pod, admitted
// as the API server would (LimitRange defaults, PriorityClass), against each pool's template node
// (cloud templateNode: its labels, taints and allocatable after kube-reserved) holding the
// DaemonSet pods that would run there, and against each Node manifest, through the scheduler's
// own Filter plugins. Only the filters that look at the node itself count (resources, taints,
// node affinity and selector, unschedulable, host ports): topology spreading and inter-pod
// affinity depend on where other pods are at the time, not on whether the pod can ever fit.
// Works on its own scratch API server: the run's cluster never sees these pods.
import { apply } from './api/apply.ts';
import { ApiServer } from './api/apiServer.ts';
import { shouldRunDaemonPod, type DaemonSet } from './api/workloads.ts';
import { templateNode, unregisteredNode, manifestNodeInit } from './cloud/cloudProvider.ts';
import { RandomStreams } from './engine/random.ts';
import { resolveNodePools } from './karpenter/nodePools.ts';
import { solve } from './karpenter/scheduler.ts';
import { Simulation } from './engine/simulation.ts';
import type { Node } from './model/node.ts';
import { NodeInfo } from './model/node.ts';
import type { KubeObject } from './model/objects.ts';
import { objectRef } from './model/objects.ts';
import type { Pod, PodTemplate } from './model/pod.ts';
import type { ResourceList } from './model/resources.ts';
import type { Scenario } from './model/scenario.ts';
import type { RunWarning } from './outputs/summary.ts';
import { formatCpuMilli } from './quantity.ts';
import { scenarioWarnings } from './scenario/warnings.ts';
import { carbonPreflightWarnings } from './carbon/carbonPreflight.ts';
import type { CycleState, FilterPlugin, Snapshot } from './scheduler/framework.ts';
import { INTER_POD_AFFINITY } from './scheduler/plugins/interPodAffinity.ts';
import { POD_TOPOLOGY_SPREAD } from './scheduler/plugins/podTopologySpread.ts';
import { defaultProfile } from './scheduler/profile.ts';

/** Every warning a scenario earns before it runs: `capsim validate` prints them, a run prints
 *  them and writes them into summary.json. */
export function preflightWarnings(scenario: Scenario): RunWarning[] {
  return [...scenarioWarnings(scenario), ...podFitWarnings(scenario), ...carbonPreflightWarnings(scenario)];
}

/** Filters whose verdict depends on the other pods' placement, not on the node. */
const PLACEMENT_FILTERS = new Set([POD_TOPOLOGY_SPREAD, INTER_POD_AFFINITY]);

/** Where a pod could go: a pool (one template node per zone) or a Node manifest. */
interface Place {
  label: string;
  /** Empty nodes of this place, each with the DaemonSet pods that would run on it. */
  nodes: NodeInfo[];
}

/** Pods of each workload that fit no node, and pods admission refuses. */
export function podFitWarnings(scenario: Scenario): RunWarning[] {
  const api = new ApiServer(new Simulation(), new RandomStreams(scenario.seed), scenario.startEpochMs);
  for (const o of scenario.objects) {
    if (o.kind === 'Namespace' || o.kind === 'PriorityClass' || o.kind === 'LimitRange' || o.kind === 'DaemonSet') apply(api, o);
  }
  const out: RunWarning[] = [];
  const refused = (ref: string, error: string) =>
    out.push({ code: 'pod-refused', title: 'pods refused by admission', objects: [ref], message: `${ref}: its pods are refused when created (${error}), so none of them will ever run.` });

  let names = 0;
  const daemons: { ref: string; ds: DaemonSet; pod: Pod }[] = [];
  for (const ds of api.daemonSets.list()) {
    const made = api.createPod({ name: `preflight-${names++}`, namespace: ds.namespace, labels: ds.template.labels, annotations: ds.template.annotations, owner: { kind: 'DaemonSet', name: ds.name }, workload: ds.ref, spec: ds.template.spec });
    if ('error' in made) refused(ds.ref, made.error);
    else daemons.push({ ref: ds.ref, ds, pod: made.pod });
  }
  const filters = defaultProfile(scenario.cluster.scheduler).filters.filter((f) => !PLACEMENT_FILTERS.has(f.name));
  const check = new FitCheck(api, filters);
  // The DaemonSet pods a node runs: those that should run there and fit it (one that does not
  // stays Pending and holds nothing; it is warned of below).
  const withDaemons = (node: Node): NodeInfo => {
    const info = new NodeInfo(node);
    for (const d of daemons) if (shouldRunDaemonPod(d.ds, node) && check.whyNot(d.pod, [new NodeInfo(node)]) === null) info.addPod(d.pod);
    return info;
  };

  // Karpenter, when it runs: whether its provisioner would launch a node for the pod alone (the
  // solve over its NodePools, with the DaemonSet pods' overhead), or why not.
  const input = scenario.karpenter;
  const nodePools = input && input.nodePools.some((np) => np.replicas === null) ? resolveNodePools(input) : null;
  const karpenter = nodePools ? (pod: Pod): string | null => {
    const result = solve({ pods: [pod], nodePools, daemonSetPods: daemons.map((d) => d.pod) });
    if (result.newNodeClaims.length > 0) return null;
    return result.notHandled.get(pod) ?? result.errors.get(pod) ?? 'no NodePool launches a node for it';
  } : null;

  const places: Place[] = [];
  const autoscaled = scenario.cluster.autoscaler !== null;
  for (const pool of scenario.cluster.nodePools) {
    if (pool.count === 0 && !(autoscaled && pool.max > 0)) continue; // never has a node
    const nodes = pool.zones.map((zone) => templateNode(pool, zone, `template-node-for-${pool.name}-${zone}`));
    const type = pool.instanceType ? ` (${pool.instanceType.split('/').pop()})` : '';
    places.push({ label: `pool ${pool.name}${type}`, nodes: nodes.map((n) => withDaemons(n)) });
  }
  for (const o of scenario.objects) if (o.kind === 'Node') places.push({ label: `node ${o.metadata.name}`, nodes: [withDaemons(unregisteredNode(manifestNodeInit(o)))] });

  // DaemonSet pods go to every node they should run on: one that does not fit even alone there
  // stays Pending on each such node.
  for (const d of daemons) {
    const misfits: string[] = [];
    for (const place of places) {
      const eligible = place.nodes.filter((info) => shouldRunDaemonPod(d.ds, info.node));
      if (eligible.length === 0) continue;
      const alone = eligible.map((info) => new NodeInfo(info.node));
      const why = check.whyNot(d.pod, alone);
      if (why) misfits.push(`${place.label}: ${why}`);
    }
    if (misfits.length > 0) {
      out.push({
        code: 'pod-fits-no-node',
        title: 'pods fit no node',
        objects: [d.ref],
        message: `${d.ref}: its pod (${requestsText(d.pod.requests)}) does not fit on the nodes it should run on, even alone: ${misfits.join('; ')}. Those pods will stay Pending.`,
      });
    }
  }

  // Pods alike (one template's, or bare pods with the same spec in one namespace) get one answer,
  // and one warning: a snapshot of a thousand identical bare pods is one line, not a thousand.
  const outcomes = new Map<string, { refs: string[]; error: string | null; pod: Pod | null; misfits: string[] | null }>();
  for (const o of scenario.objects) {
    const template = podTemplate(o);
    if (!template || template.spec.nodeName) continue; // a pod naming its node never meets the scheduler
    if (o.kind === 'Pod' && o.state?.workload) continue; // a workload's pod: its template is checked
    const key = `${o.kind === 'Pod' ? 'Pod' : objectRef(o)}\n${o.metadata.namespace}\n${JSON.stringify(template.spec)}`;
    const known = outcomes.get(key);
    if (known) {
      known.refs.push(objectRef(o));
      continue;
    }
    const made = api.createPod({ name: `preflight-${names++}`, namespace: o.metadata.namespace, labels: template.labels, annotations: template.annotations, owner: null, spec: template.spec });
    if ('error' in made) outcomes.set(key, { refs: [objectRef(o)], error: made.error, pod: null, misfits: null });
    else {
      let misfits = check.misfits(made.pod, places);
      if (misfits !== null && karpenter) {
        const why = karpenter(made.pod);
        misfits = why === null ? null : [...misfits, `Karpenter: ${why}`];
      }
      outcomes.set(key, { refs: [objectRef(o)], error: null, pod: made.pod, misfits });
    }
  }
  for (const { refs, error, pod, misfits } of outcomes.values()) {
    const who = refs.length === 1 ? refs[0] : `${refs.length} pods alike (${refs.slice(0, 5).join(', ')}${refs.length > 5 ? ` and ${refs.length - 5} more` : ''})`;
    const one = refs.length === 1 && refs[0].startsWith('Pod/'); // a bare pod: "it", not "its pods"
    const they = one ? 'it' : 'they';
    if (error !== null) {
      out.push({ code: 'pod-refused', title: 'pods refused by admission', objects: refs, message: `${who}: ${one ? 'it is' : refs.length === 1 ? 'its pods are' : 'they are'} refused when created (${error}), so ${one ? 'it never runs' : 'none of them will ever run'}.` });
      continue;
    }
    if (!pod || misfits === null) continue;
    const where = places.length === 0 && !karpenter ? 'the cluster has no node and no node pool that can add one' : misfits.join('; ');
    const short = places.length === 0 || misfits.some((r) => /Insufficient|Too many pods/.test(r));
    const advice = short ? `lower ${one ? 'its' : 'their'} requests, or add a pool whose nodes fit ${one ? 'it' : 'them'}` : `add a pool whose nodes ${they} select${one ? 's' : ''} and tolerate${one ? 's' : ''}, or change ${one ? 'its' : 'their'} nodeSelector, affinity or tolerations`;
    out.push({
      code: 'pod-fits-no-node',
      title: 'pods fit no node',
      objects: refs,
      message: `${who}: ${one ? 'it' : refs.length === 1 ? 'its pods' : 'they'} (${requestsText(pod.requests)}) fit${one ? 's' : ''} no node the cluster has or can add: ${where}. ${one ? 'It' : 'They'} will stay Pending; ${advice}.`,
    });
  }
  return out;
}

/** The pod template a workload's pods are made from; a bare Pod is its own. */
function podTemplate(o: KubeObject): PodTemplate | undefined {
  switch (o.kind) {
    case 'Pod':
      return { labels: o.metadata.labels, annotations: o.metadata.annotations, spec: o.spec };
    case 'Deployment':
    case 'StatefulSet':
    case 'Job':
      return o.spec.template;
    case 'CronJob':
      return o.spec.jobTemplate.spec.template;
    default:
      return undefined;
  }
}

/** The scheduler's node-local filters, each run on its own so that every reason a node refuses
 *  a pod is named (the scheduler stops at the first). */
class FitCheck {
  constructor(
    private readonly api: ApiServer,
    private readonly filters: readonly FilterPlugin[],
  ) {}

  /** Null when the pod fits some node of some place; else why not, per place. */
  misfits(pod: Pod, places: readonly Place[]): string[] | null {
    const reasons: string[] = [];
    for (const place of places) {
      const why = this.whyNot(pod, place.nodes);
      if (why === null) return null;
      reasons.push(`${place.label}: ${why}`);
    }
    return reasons;
  }

  /** Null when the pod fits one of the nodes; else the reasons of the first (one node of a pool
   *  per zone: zones differ only in a label). */
  whyNot(pod: Pod, nodes: readonly NodeInfo[]): string | null {
    const snapshot: Snapshot = {
      nodeInfos: nodes,
      namespaceLabels: (ns) => this.api.namespaceLabels(ns),
      anyRequiredAntiAffinity: false,
      anyPodAffinity: false,
      ownerSelector: () => null,
    };
    const state: CycleState = new Map();
    const active = this.filters.filter((f) => !f.preFilter || f.preFilter(state, pod, snapshot));
    let first: string | null = null;
    for (const info of nodes) {
      const reasons: string[] = [];
      for (const f of active) {
        const failure = f.filter(state, pod, info);
        if (failure) reasons.push(...failure.reasons.map((r) => explain(r, pod, info)));
      }
      if (reasons.length === 0) return null;
      first ??= reasons.join(', ');
    }
    return first;
  }
}

/** An upstream reason with the numbers behind it. */
function explain(reason: string, pod: Pod, info: NodeInfo): string {
  const alloc = info.node.allocatable;
  const daemons = info.pods.length;
  const has = (format: (n: number) => string, allocatable: number, requested: number) =>
    `a node has ${format(allocatable)} allocatable${daemons > 0 ? `, ${format(allocatable - requested)} of it free beside ${daemons} DaemonSet pod${daemons === 1 ? '' : 's'}` : ''}`;
  if (reason === 'Insufficient cpu') return `${reason} (requests ${cpuText(pod.requests.cpuMilli)}; ${has(cpuText, alloc.cpuMilli, info.requested.cpuMilli)})`;
  if (reason === 'Insufficient memory') return `${reason} (requests ${bytesText(pod.requests.memoryBytes)}; ${has(bytesText, alloc.memoryBytes, info.requested.memoryBytes)})`;
  const scalar = /^Insufficient (.+)$/.exec(reason)?.[1];
  if (scalar && scalar in pod.requests.scalar) return `${reason} (requests ${pod.requests.scalar[scalar]}; a node has ${alloc.scalar[scalar] ?? 0})`;
  if (reason === 'Too many pods') return `${reason} (a node takes ${info.node.allocatablePods}${daemons > 0 ? `, ${daemons} of them DaemonSet pods` : ''})`;
  if (/node affinity\/selector/.test(reason)) {
    const selector = pod.spec.nodeSelector && Object.keys(pod.spec.nodeSelector).length > 0 ? ` (nodeSelector ${JSON.stringify(pod.spec.nodeSelector)})` : ' (its required node affinity)';
    return `${reason}${selector}`;
  }
  return reason;
}

function requestsText(r: ResourceList): string {
  const parts = [r.cpuMilli > 0 ? cpuText(r.cpuMilli) : 'no CPU', r.memoryBytes > 0 ? `${bytesText(r.memoryBytes)} memory` : 'no memory'];
  for (const [name, amount] of Object.entries(r.scalar)) parts.push(`${amount} ${name}`);
  return parts.join(', ');
}

function cpuText(milli: number): string {
  return `${formatCpuMilli(milli)} CPU`;
}

/** Bytes for a person: 14.6Gi, 512Mi. */
function bytesText(bytes: number): string {
  const GI = 1024 ** 3;
  const MI = 1024 ** 2;
  if (Math.abs(bytes) >= GI) return `${Number((bytes / GI).toFixed(1))}Gi`;
  return `${Math.round(bytes / MI)}Mi`;
}
