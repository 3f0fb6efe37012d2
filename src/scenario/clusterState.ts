// A cluster's state in the manifests: what `kubectl get nodes,deployments,...,pods -A -o yaml`
// prints of a running cluster. Its objects say who owns whom (metadata.ownerReferences), what
// has finished (status) and where each pod runs (spec.nodeName). This pass decides what the
// simulation does with each of them, so that nothing runs twice and nothing is dropped silently:
//
// - A Pod whose controller (metav1.GetControllerOf: the owner reference with controller: true)
//   is a workload of the manifests belongs to it: a ReplicaSet's pods to the ReplicaSet (and so
//   to its Deployment), a StatefulSet's, a DaemonSet's, a Job's. Upstream adopts a pod only
//   through its controller reference (pkg/controller/controller_ref_manager.go, ClaimPods: a pod
//   already controlled by another object is never adopted); capsim does the same, so a cluster's
//   pod is either its workload's or a bare pod, never both.
// - A ReplicaSet belongs to its Deployment (an Argo Rollout's to the Deployment the Rollout runs
//   as); the Deployment controller adopts it (FindNewReplicaSet), so it does not make another.
//   Without its Deployment a ReplicaSet is not simulated, and its pods run unmanaged.
// - A Job controlled by a CronJob of the manifests is one of its active Jobs; a finished Job
//   (a Complete or Failed condition) and its pods are history: counted, not run again; a pod that
//   Succeeded or Failed is history too.
// - A pod that was terminating (deletionTimestamp) is history too: its controller has counted
//   it out (FilterActivePods), and made its replacement, which the dump holds.
// - A Helm hook (helm.sh/hook) is run by helm at install, upgrade or test time: not a workload.
// - A mirror pod (kubernetes.io/config.mirror) is the API's copy of a static pod the kubelet runs
//   from a file: it stays on its node, whatever the placement, and goes with it.
// - A pod whose controller is not in the manifests is an orphan: a bare pod, with a notice. One
//   whose controller is a kind capsim does not simulate (a ReplicationController, a custom
//   resource) is unmanaged: a bare pod that nothing replaces, with a warning naming it.
// - Placement asDumped: a pod Running on a Node of the manifests starts bound there at t = 0,
//   Ready, without a scheduler pass (the kubelet admitted it long ago: one that does not fit its
//   node's allocatable stays, with a warning); reschedule: the workloads create their pods afresh
//   and bare pods are scheduled again. Custom resources: clusterExtensions.ts.
import type { Declared, SkippedObject } from './manifests.ts';
import type { DaemonSetObject, DeploymentObject, KubeObject, NodeObject, OwnerReference, PodObject, ReplicaSetObject, SourceRef } from '../model/objects.ts';
import { controllerOf, objectRef } from '../model/objects.ts';
import type { OwnerRef } from '../model/pod.ts';
import type { ClusterStateReport, Placement, StateDecision, StateEntry } from '../model/scenario.ts';
import type { RunWarning } from '../outputs/summary.ts';
import { labelSelectorAsSelector, type LabelMatcher } from '../model/labelSelector.ts';
import { equalIgnoringHash } from '../model/templates.ts';
import { podRequests } from '../model/podResources.ts';
import { formatBytes, formatCpuMilli } from '../quantity.ts';
import { convertRollouts, convertScaledObjects, notSimulatedKinds } from './clusterExtensions.ts';
import { listed } from './clusterStateReport.ts';

export const HELM_HOOK = 'helm.sh/hook';
export const MIRROR_POD = 'kubernetes.io/config.mirror';
const REVISION_HASH = 'controller-revision-hash';
/** The kinds a pod's controller can be among the workloads capsim simulates. */
const OWNER_KINDS = new Set(['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

export interface ClusterStateInput {
  objects: KubeObject[];
  declared: Map<string, Declared>;
  skipped: ReadonlyMap<string, SkippedObject>;
  placement: Placement;
}

export interface ClusterStateResult {
  objects: KubeObject[];
  report: ClusterStateReport;
  notices: string[];
}

/** What the passes share: the objects (one may be replaced or removed), the declared names, the
 *  skipped objects, and where decisions, warnings and notices go. */
export interface StateContext {
  readonly byRef: Map<string, KubeObject>;
  readonly declared: Map<string, Declared>;
  readonly skipped: ReadonlyMap<string, SkippedObject>;
  /** Rollouts run as Deployments of the same name: "namespace/name". */
  readonly rollouts: Set<string>;
  list<K extends KubeObject['kind']>(kind: K): Extract<KubeObject, { kind: K }>[];
  /** Puts `by` where `o` was (or removes `o`). */
  replace(o: KubeObject, by: KubeObject | null): void;
  decide(object: string, source: SourceRef, decision: StateDecision, reason: string): void;
  warn(w: RunWarning): void;
  notice(text: string): void;
}

export function resolveClusterState(input: ClusterStateInput): ClusterStateResult {
  return new StatePass(input).run();
}

class StatePass implements StateContext {
  readonly byRef = new Map<string, KubeObject>();
  readonly declared: Map<string, Declared>;
  readonly skipped: ReadonlyMap<string, SkippedObject>;
  readonly rollouts = new Set<string>();
  private objects: (KubeObject | null)[];
  private readonly index = new Map<KubeObject, number>();
  private readonly entries: StateEntry[] = [];
  private readonly warnings: RunWarning[] = [];
  private readonly notices: string[] = [];
  private readonly placement: Placement;
  /** ReplicaSets and Jobs that do not run, with why: their pods follow them. */
  private readonly gone = new Map<string, { decision: StateDecision; why: string }>();
  private running = 0;

  constructor(input: ClusterStateInput) {
    this.objects = input.objects.slice();
    this.objects.forEach((o, i) => {
      this.byRef.set(objectRef(o!), o!);
      this.index.set(o!, i);
    });
    this.declared = input.declared;
    this.skipped = input.skipped;
    this.placement = input.placement;
  }

  list<K extends KubeObject['kind']>(kind: K): Extract<KubeObject, { kind: K }>[] {
    return this.objects.filter((o): o is Extract<KubeObject, { kind: K }> => o !== null && o.kind === kind);
  }

  replace(o: KubeObject, by: KubeObject | null): void {
    const i = this.index.get(o);
    if (i === undefined) return;
    this.objects[i] = by;
    this.index.delete(o);
    if (this.byRef.get(objectRef(o)) === o) this.byRef.delete(objectRef(o));
    if (by) {
      this.index.set(by, i);
      this.byRef.set(objectRef(by), by);
    }
  }

  decide(object: string, source: SourceRef, decision: StateDecision, reason: string): void {
    this.entries.push({ object, decision, reason, source });
  }

  warn(w: RunWarning): void {
    this.warnings.push(w);
  }

  notice(text: string): void {
    this.notices.push(text);
  }

  run(): ClusterStateResult {
    this.helmHooks();
    convertRollouts(this);
    convertScaledObjects(this);
    notSimulatedKinds(this);
    this.replicaSets();
    this.currentReplicaSets();
    this.jobs();
    this.pods();
    if (this.entries.length > 0) this.workloads();
    return {
      objects: this.objects.filter((o): o is KubeObject => o !== null),
      report: { placement: this.placement, entries: this.entries, warnings: this.warnings, runningPods: this.running },
      notices: this.notices,
    };
  }

  /** A Helm hook is helm's to run (a test, a pre-install Job): not a workload of the cluster. */
  private helmHooks(): void {
    for (const o of this.objects) {
      const hook = o?.metadata.annotations[HELM_HOOK];
      if (!o || hook === undefined) continue;
      this.replace(o, null);
      this.gone.set(objectRef(o), { decision: 'skipped', why: `its ${o.kind} is a Helm hook` });
      this.decide(objectRef(o), o.source, 'skipped', `a Helm hook (${hook}): helm runs it at install, upgrade or test time; it is not a workload`);
    }
  }

  /** The Deployment a ReplicaSet's controller reference names, when the manifests have it. */
  private deploymentOf(owner: OwnerReference | undefined, namespace: string): string | undefined {
    if (!owner) return undefined;
    const isDeployment = owner.kind === 'Deployment' || (owner.kind === 'Rollout' && this.rollouts.has(`${namespace}/${owner.name}`));
    const ref = `Deployment/${namespace}/${owner.name}`;
    return isDeployment && this.byRef.get(ref)?.kind === 'Deployment' ? ref : undefined;
  }

  private replicaSets(): void {
    for (const rs of this.list('ReplicaSet')) {
      const ref = objectRef(rs);
      const owner = controllerOf(rs.metadata);
      const deployment = this.deploymentOf(owner, rs.metadata.namespace);
      if (deployment) {
        rs.deployment = deployment;
        this.decide(ref, rs.source, 'adopted', `owned by ${deployment} (${rs.spec.replicas} replica${rs.spec.replicas === 1 ? '' : 's'})`);
        continue;
      }
      this.replace(rs, null);
      const why = owner
        ? `its controller, ${owner.kind} ${owner.name}, is ${this.declared.has(`${owner.kind}/${rs.metadata.namespace}/${owner.name}`) || this.skippedOwner(owner, rs.metadata.namespace) ? 'not simulated' : 'not in the manifests'}`
        : 'no Deployment owns it';
      this.gone.set(ref, { decision: 'unmanaged', why: `its ReplicaSet ${rs.metadata.name} is not simulated (${why})` });
      this.decide(ref, rs.source, 'skipped', `${why}: capsim runs a ReplicaSet only under its Deployment`);
      if (rs.spec.replicas > 0) {
        this.warn({
          code: 'kind-not-simulated',
          title: 'ReplicaSet without its Deployment',
          objects: [ref],
          message: `${ref} wants ${rs.spec.replicas} replica${rs.spec.replicas === 1 ? '' : 's'}, but ${why}; capsim runs a ReplicaSet only under its Deployment, so nothing keeps its replicas running. Declare its Deployment (include deployments in the dump), or declare the workload as a Deployment.`,
        });
      }
    }
  }

  /** Each Deployment's current ReplicaSet among those it adopted (the new one, in the
   *  Deployment controller's words). The Deployment controller writes the new set's revision
   *  annotation on the Deployment, so the set with the Deployment's revision is it, if its
   *  template is the Deployment's (FindNewReplicaSet, EqualIgnoreHash); without revisions, the
   *  newest set whose template is. capsim's pod template leaves out what does not matter to
   *  capacity (images, commands, env), so two revisions that differ only there are alike to
   *  it: the revision decides. */
  private currentReplicaSets(): void {
    const byDeployment = new Map<string, ReplicaSetObject[]>();
    for (const rs of this.list('ReplicaSet')) byDeployment.set(rs.deployment!, [...(byDeployment.get(rs.deployment!) ?? []), rs]);
    for (const [ref, sets] of byDeployment) {
      const d = this.byRef.get(ref) as DeploymentObject;
      const revision = revisionOf(d.metadata.annotations);
      const alike = sets.filter((rs) => equalIgnoringHash(rs.spec.template, d.spec.template));
      const byRevision = revision === undefined ? undefined : sets.find((rs) => revisionOf(rs.metadata.annotations) === revision);
      const newest = alike.slice().sort((a, b) => (revisionOf(b.metadata.annotations) ?? 0) - (revisionOf(a.metadata.annotations) ?? 0) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
      const current = byRevision ? (alike.includes(byRevision) ? byRevision : undefined) : newest;
      d.currentReplicaSet = current?.metadata.name ?? null;
    }
  }

  private skippedOwner(owner: OwnerReference, namespace: string): SkippedObject | undefined {
    return this.skipped.get(`${owner.kind}/${namespace}/${owner.name}`) ?? this.skipped.get(`${owner.kind}/-/${owner.name}`);
  }

  private jobs(): void {
    for (const job of this.list('Job')) {
      const ref = objectRef(job);
      const status = job.status;
      if (status?.finished) {
        this.replace(job, null);
        this.gone.set(ref, { decision: 'history', why: `its Job ${job.metadata.name} has finished` });
        this.decide(ref, job.source, 'history', `${status.finished === 'Complete' ? 'completed' : 'failed'} (${status.succeeded} succeeded, ${status.failed} failed): counted, not run again`);
        continue;
      }
      const owner = controllerOf(job.metadata);
      if (!owner) {
        if (status) this.decide(ref, job.source, 'kept', `runs on from ${status.succeeded} succeeded and ${status.failed} failed pods`);
        continue;
      }
      const cronJob = `CronJob/${job.metadata.namespace}/${owner.name}`;
      if (owner.kind === 'CronJob' && this.byRef.get(cronJob)?.kind === 'CronJob') {
        job.cronJob = cronJob;
        this.decide(ref, job.source, 'adopted', `one of ${cronJob}'s active Jobs`);
      } else if (owner.kind === 'CronJob') {
        this.decide(ref, job.source, 'orphan', `its CronJob ${owner.name} is not in the manifests: it runs as a Job of its own`);
        this.notice(`${ref}: its CronJob ${owner.name} is not in the manifests; it runs once as a Job of its own`);
      } else {
        this.decide(ref, job.source, 'kept', `created by ${owner.kind} ${owner.name}, which capsim does not simulate: it runs once, and nothing creates more`);
        this.notice(`${ref} was created by ${owner.kind} ${owner.name}, which capsim does not simulate: it runs once, and nothing creates more Jobs`);
      }
    }
  }

  private pods(): void {
    const unmanaged = new Map<string, string[]>();
    const doubled = new Map<string, string[]>();
    const orphans: string[] = [];
    const missingNodes = new Map<string, number>();
    const matchers = this.workloadMatchers();
    for (const pod of this.list('Pod')) {
      const ref = objectRef(pod);
      const ns = pod.metadata.namespace;
      if (pod.phase === 'Succeeded' || pod.phase === 'Failed') {
        this.replace(pod, null);
        this.decide(ref, pod.source, 'history', `${pod.phase}: counted, not run again`);
        continue;
      }
      // Terminating when dumped: its controller counts it out already (FilterActivePods), and
      // its replacement, if any, is in the dump too.
      if (pod.metadata.deletionTimestamp !== undefined && pod.phase !== undefined) {
        this.replace(pod, null);
        this.decide(ref, pod.source, 'history', `terminating since ${pod.metadata.deletionTimestamp}: gone, not run`);
        continue;
      }
      const node = pod.spec.nodeName;
      const onNode = node !== undefined && this.byRef.get(`Node/-/${node}`)?.kind === 'Node';
      if (pod.metadata.annotations[MIRROR_POD] !== undefined) {
        if (!onNode) {
          this.replace(pod, null);
          this.decide(ref, pod.source, 'skipped', `a static pod of node ${node ?? '(none)'}, which is not in the manifests`);
          continue;
        }
        this.start(pod, { owner: { kind: 'Node', name: node! }, running: true });
        this.decide(ref, pod.source, 'kept', `a static pod (mirror) of node ${node}: it runs there, whatever the placement, and goes with it`);
        continue;
      }
      const owner = controllerOf(pod.metadata);
      const placed = owner ? this.ownerOf(pod, owner) : null;
      if (placed && 'gone' in placed && placed.gone.decision !== 'unmanaged') {
        this.replace(pod, null);
        this.decide(ref, pod.source, placed.gone.decision === 'history' ? 'history' : 'skipped', placed.gone.why);
        continue;
      }
      if (placed && 'workload' in placed) {
        // DaemonSet pods belong to a node: without it, the DaemonSet runs one on each node there is.
        if (placed.owner.kind === 'DaemonSet' && !onNode && node !== undefined) {
          this.replace(pod, null);
          this.decide(ref, pod.source, 'skipped', `a pod of ${placed.workload} on node ${node}, which is not in the manifests`);
          continue;
        }
        if (this.placement === 'reschedule') {
          this.replace(pod, null);
          this.decide(ref, pod.source, 'adopted', `owned by ${placed.via}; not started: with placement reschedule, ${placed.workload} creates its pods afresh`);
          continue;
        }
        if (node !== undefined && !onNode) {
          missingNodes.set(node, (missingNodes.get(node) ?? 0) + 1);
          pod.spec = withoutNodeName(pod.spec);
        }
        const running = onNode && pod.phase === 'Running';
        this.start(pod, { owner: placed.owner, workload: placed.workload, running });
        this.decide(ref, pod.source, 'adopted', `owned by ${placed.via}${running ? `, running on ${node}` : onNode ? `, on ${node}` : ''}`);
        continue;
      }
      // A bare pod: no controller, an orphan, or unmanaged.
      if (owner) {
        const ownerText = `${owner.kind}/${ns}/${owner.name}`;
        const gone = placed && 'gone' in placed ? placed.gone.why : null;
        const known = gone !== null || this.skippedOwner(owner, ns) !== undefined || this.byRef.has(ownerText);
        if (known || !OWNER_KINDS.has(owner.kind)) {
          unmanaged.set(ownerText, [...(unmanaged.get(ownerText) ?? []), ref]);
          const why = gone ?? (known ? `its controller ${ownerText} is a kind capsim does not simulate` : `its controller ${ownerText} is a kind capsim does not simulate (and not in the manifests)`);
          this.decide(ref, pod.source, 'unmanaged', `${why}: it runs as a bare pod that nothing replaces`);
        } else {
          orphans.push(ref);
          this.decide(ref, pod.source, 'orphan', `its controller ${ownerText} is not in the manifests: it runs as a bare pod`);
          for (const [workload, matches] of matchers) if (matches(pod)) doubled.set(workload, [...(doubled.get(workload) ?? []), ref]);
        }
      } else if (pod.phase !== undefined) {
        this.decide(ref, pod.source, 'kept', 'a bare pod');
      }
      if (pod.phase === undefined) continue; // written by hand: it starts as the manifest says
      if (this.placement === 'reschedule') {
        pod.spec = withoutNodeName(pod.spec);
        continue;
      }
      if (node !== undefined && !onNode) {
        missingNodes.set(node, (missingNodes.get(node) ?? 0) + 1);
        pod.spec = withoutNodeName(pod.spec);
      }
      if (onNode && pod.phase === 'Running') this.start(pod, { owner: null, running: true });
    }
    this.podWarnings(unmanaged, doubled, orphans, missingNodes);
    if (this.placement === 'asDumped') this.overcommitted();
  }

  private start(pod: PodObject, state: { owner: OwnerRef | null; workload?: string; running: boolean }): void {
    pod.state = state.workload === undefined ? { owner: state.owner, running: state.running } : state;
    if (state.running) this.running++;
  }

  /** The workload a pod's controller reference makes it part of, or why it does not run. */
  private ownerOf(pod: PodObject, owner: OwnerReference): { owner: OwnerRef; workload: string; via: string } | { gone: { decision: StateDecision; why: string } } | null {
    const ns = pod.metadata.namespace;
    const ref = `${owner.kind}/${ns}/${owner.name}`;
    const gone = this.gone.get(ref);
    if (gone) return { gone };
    const o = this.byRef.get(ref);
    if (!o) return null;
    switch (o.kind) {
      case 'ReplicaSet':
        return o.deployment ? { owner: { kind: 'ReplicaSet', name: o.metadata.name }, workload: o.deployment, via: `ReplicaSet ${o.metadata.name} of ${o.deployment}` } : null;
      case 'StatefulSet':
      case 'DaemonSet':
        return { owner: { kind: o.kind, name: o.metadata.name }, workload: ref, via: ref };
      case 'Job': {
        const workload = o.cronJob ?? ref;
        return { owner: { kind: 'Job', name: o.metadata.name }, workload, via: o.cronJob ? `${ref} of ${o.cronJob}` : ref };
      }
      default:
        return null;
    }
  }

  /** Label matchers of the workloads a bare pod could be counted beside (same namespace). */
  private workloadMatchers(): Map<string, (pod: PodObject) => boolean> {
    const out = new Map<string, (pod: PodObject) => boolean>();
    for (const o of this.objects) {
      if (!o || (o.kind !== 'Deployment' && o.kind !== 'StatefulSet' && o.kind !== 'DaemonSet')) continue;
      const matches: LabelMatcher | null = labelSelectorAsSelector(o.spec.selector);
      if (!matches) continue;
      const ns = o.metadata.namespace;
      out.set(objectRef(o), (pod) => pod.metadata.namespace === ns && matches(pod.metadata.labels));
    }
    return out;
  }

  private podWarnings(unmanaged: Map<string, string[]>, doubled: Map<string, string[]>, orphans: string[], missingNodes: Map<string, number>): void {
    for (const [owner, pods] of unmanaged) {
      this.warn({
        code: 'pods-unmanaged',
        title: 'pods nothing manages',
        objects: [owner, ...pods],
        message: `${listed(pods)} ${pods.length === 1 ? 'is' : 'are'} controlled by ${owner}, a kind capsim does not simulate (or not in the manifests): ${pods.length === 1 ? 'it runs as a bare pod' : 'they run as bare pods'} that nothing replaces when ${pods.length === 1 ? 'it is' : 'they are'} evicted, preempted or ${pods.length === 1 ? 'its' : 'their'} node goes, and nothing scales.`,
      });
    }
    for (const [workload, pods] of doubled) {
      this.warn({
        code: 'pods-unmanaged',
        title: 'pods counted twice',
        objects: [workload, ...pods],
        message: `${listed(pods)} ${pods.length === 1 ? 'has' : 'have'} a controller that is not in the manifests and ${pods.length === 1 ? 'runs' : 'run'} as bare pods, but ${workload} selects ${pods.length === 1 ? 'it' : 'them'} and makes its own pods too: they count twice. Include their ReplicaSets in the dump (kubectl get replicasets), or leave the pods out.`,
      });
    }
    if (orphans.length > 0) this.notice(`${listed(orphans)}: ${orphans.length === 1 ? 'its controller is' : 'their controllers are'} not in the manifests, so ${orphans.length === 1 ? 'it runs as a bare pod' : 'they run as bare pods'} (nothing replaces them)`);
    for (const [node, n] of missingNodes) {
      this.notice(`${n} pod${n === 1 ? '' : 's'} of the cluster's state ran on node ${node}, which is not in the manifests: scheduled afresh`);
    }
  }

  /** Pods Running on a node whose allocatable they exceed stay (the kubelet admitted them when
   *  they started; capsim would refuse them now), with a warning. */
  private overcommitted(): void {
    const byNode = new Map<string, { cpuMilli: number; memoryBytes: number; pods: number }>();
    for (const pod of this.list('Pod')) {
      if (!pod.state?.running) continue;
      const r = podRequests(pod.spec);
      const sum = byNode.get(pod.spec.nodeName!) ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 };
      sum.cpuMilli += r.cpuMilli;
      sum.memoryBytes += r.memoryBytes;
      sum.pods++;
      byNode.set(pod.spec.nodeName!, sum);
    }
    for (const [name, sum] of byNode) {
      const node = this.byRef.get(`Node/-/${name}`) as NodeObject;
      const over: string[] = [];
      const a = node.allocatable;
      if (a.cpu !== undefined && sum.cpuMilli > a.cpu) over.push(`${formatCpuMilli(sum.cpuMilli)} CPU of its ${formatCpuMilli(a.cpu)}`);
      if (a.memory !== undefined && sum.memoryBytes > a.memory) over.push(`${formatBytes(sum.memoryBytes)} memory of its ${formatBytes(a.memory)}`);
      if (a.pods !== undefined && sum.pods > a.pods) over.push(`${sum.pods} pods of its ${a.pods}`);
      if (over.length === 0) continue;
      this.warn({
        code: 'node-overcommitted',
        title: 'node overcommitted at the start',
        objects: [`Node/-/${name}`],
        message: `The pods the cluster's state runs on node ${name} request ${over.join(' and ')} allocatable. They start there all the same (the kubelet admitted them when they started), so the node is overcommitted from t = 0 and nothing else fits on it; check the Node's status.allocatable in the dump.`,
      });
    }
  }

  /** Each workload of a cluster's state: what it adopted, and what it does at t = 0. */
  private workloads(): void {
    const pods = new Map<string, { all: number; running: number }>();
    for (const pod of this.list('Pod')) {
      const w = pod.state?.workload;
      if (!w) continue;
      const c = pods.get(w) ?? { all: 0, running: 0 };
      c.all++;
      if (pod.state!.running) c.running++;
      pods.set(w, c);
    }
    const replicaSets = new Map<string, ReplicaSetObject[]>();
    for (const rs of this.list('ReplicaSet')) replicaSets.set(rs.deployment!, [...(replicaSets.get(rs.deployment!) ?? []), rs]);
    const decided = new Set(this.entries.map((e) => e.object));
    const daemonPods = this.list('Pod').filter((p) => p.state?.owner?.kind === 'DaemonSet');
    for (const o of this.objects) {
      if (!o || (o.kind !== 'Deployment' && o.kind !== 'StatefulSet' && o.kind !== 'DaemonSet' && o.kind !== 'CronJob' && !(o.kind === 'Job' && !o.cronJob && !o.status))) continue;
      const ref = objectRef(o);
      if (decided.has(ref)) continue;
      const c = pods.get(ref) ?? { all: 0, running: 0 };
      const parts: string[] = [];
      if (o.kind === 'Deployment' || o.kind === 'StatefulSet') parts.push(`${o.spec.replicas} replica${o.spec.replicas === 1 ? '' : 's'}`);
      parts.push(c.all === 0 ? 'no pods adopted' : `${c.all} pod${c.all === 1 ? '' : 's'} adopted${c.running > 0 ? `, ${c.running} running on their nodes` : ''}`);
      if (o.kind === 'Deployment') parts.push(...rolloutState(o, replicaSets.get(ref) ?? []));
      if (o.kind === 'DaemonSet') daemonRevision(o, daemonPods);
      this.decide(ref, o.source, 'kept', parts.join('; '));
    }
  }

}

/** A DaemonSet's status does not name its revision: it is its newest pod's. */
function daemonRevision(ds: DaemonSetObject, pods: readonly PodObject[]): void {
  const ref = objectRef(ds);
  let newest: PodObject | undefined;
  for (const pod of pods) {
    if (pod.state?.workload !== ref || pod.metadata.labels[REVISION_HASH] === undefined) continue;
    if (!newest || (pod.metadata.creationTimestamp ?? '') > (newest.metadata.creationTimestamp ?? '')) newest = pod;
  }
  if (newest) ds.revisionHash = newest.metadata.labels[REVISION_HASH];
}

/** deployment.kubernetes.io/revision (rollout.argoproj.io/revision for a Rollout's). */
function revisionOf(annotations: Record<string, string>): number | undefined {
  const text = annotations['deployment.kubernetes.io/revision'] ?? annotations['rollout.argoproj.io/revision'];
  const n = text === undefined ? NaN : Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** What a Deployment of a cluster's state does with its ReplicaSets at t = 0. */
function rolloutState(d: DeploymentObject, replicaSets: readonly ReplicaSetObject[]): string[] {
  if (replicaSets.length === 0) return [];
  const current = replicaSets.find((rs) => rs.metadata.name === d.currentReplicaSet);
  const others = replicaSets.filter((rs) => rs !== current && rs.spec.replicas > 0);
  const out = [`ReplicaSet${replicaSets.length === 1 ? '' : 's'} ${replicaSets.map((rs) => rs.metadata.name).join(', ')} adopted`];
  if (!current) out.push('its template matches none of them: a rollout starts at t = 0');
  else if (others.length > 0) out.push(`a rollout in progress (${others.map((rs) => `${rs.metadata.name} at ${rs.spec.replicas}`).join(', ')} still running): it goes on from there`);
  return out;
}

function withoutNodeName<T extends { nodeName?: string }>(spec: T): T {
  const copy = { ...spec };
  delete copy.nodeName;
  return copy;
}

