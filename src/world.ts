// Builds one simulated cluster from a validated scenario: the engine, the cluster state, the
// kubelets, the scheduler and the controllers, wired through the cluster's notifications, with
// the scenario's objects created at t = 0 and its scripted events on the clock.
import { Simulation } from './engine/simulation.ts';
import { RandomStreams } from './engine/random.ts';
import { ApiServer } from './api/apiServer.ts';
import { Kubelet, manifestTiming } from './kubelet/kubelet.ts';
import type { PodTiming } from './kubelet/kubelet.ts';
import { Phase } from './phases.ts';
import { ClusterAutoscaler } from './controllers/clusterAutoscaler/clusterAutoscaler.ts';
import { CronJobController } from './controllers/cronJob.ts';
import { DaemonSetController } from './controllers/daemonSet.ts';
import { DeploymentController } from './controllers/deployment.ts';
import { DisruptionController } from './api/eviction.ts';
import { HorizontalController } from './controllers/hpa/horizontal.ts';
import { UsageMetrics } from './controllers/hpa/metrics.ts';
import { JobController } from './controllers/job.ts';
import { NodeLifecycle } from './controllers/nodeLifecycle.ts';
import { ReplicaSetController } from './controllers/replicaSet.ts';
import { StatefulSetController } from './controllers/statefulSet.ts';
import { Workloads } from './api/workloadIndex.ts';
import type { Behavior, Scenario, ScriptedEvent } from './model/scenario.ts';
import { objectRef } from './model/objects.ts';
import type { HpaObject, JobObject, KubeObject, VpaObject } from './model/objects.ts';
import { Accounting } from './record/accounting.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { UsageEngine } from './kubelet/usageEngine.ts';
import type { WorkloadInputs } from './kubelet/usageEngine.ts';
import { wireVpa } from './controllers/vpa/controller.ts';
import type { VpaController } from './controllers/vpa/controller.ts';
import { buildDemand } from './workload/demand.ts';
import { defaultProfile } from './scheduler/profile.ts';
import { arrivalProcess, scheduleArrivals } from './workload/arrivals.ts';
import type { ArrivalSpec } from './workload/arrivals.ts';
import { DEFAULT_RUN_MS, sampleRunDurationMs } from './workload/runDuration.ts';

export class World {
  readonly sim = new Simulation();
  readonly random: RandomStreams;
  readonly cluster: ApiServer;
  readonly accounting: Accounting;
  readonly workloads = new Workloads();
  readonly kubelet: Kubelet;
  readonly disruption: DisruptionController;
  readonly scheduler: Scheduler;
  readonly replicaSets: ReplicaSetController;
  readonly deployments: DeploymentController;
  readonly daemonSets: DaemonSetController;
  readonly statefulSets: StatefulSetController;
  readonly jobs: JobController;
  readonly cronJobs: CronJobController;
  readonly nodes: NodeLifecycle;
  readonly usage: UsageEngine;
  readonly vpa: VpaController;
  readonly hpa: HorizontalController;
  /** The cluster autoscaler, when the scenario enables it. */
  readonly autoscaler: ClusterAutoscaler | null;
  /** Messages for the user about what this run does not simulate. */
  readonly notices: string[] = [];

  constructor(readonly scenario: Scenario) {
    this.random = new RandomStreams(scenario.seed);
    this.cluster = new ApiServer(this.sim, this.random);
    this.accounting = new Accounting(() => this.sim.nowMs);
    this.cluster.addListener(this.accounting);
    this.cluster.addListener(this.workloads);
    this.kubelet = new Kubelet(this.cluster, behaviorTiming(scenario.behavior, this.random));
    this.disruption = new DisruptionController(this.cluster, (pod) => this.workloads.replicasOf(pod));
    this.scheduler = new Scheduler(this.cluster, {
      profile: defaultProfile(scenario.cluster.scheduler),
      budgets: this.disruption,
      ownerSelector: (pod) => this.workloads.ownerSelector(pod),
    });
    this.replicaSets = new ReplicaSetController(this.cluster);
    this.replicaSets.onAdded = (rs) => this.workloads.ownerSelectors.set(`ReplicaSet/${rs.namespace}/${rs.name}`, rs.selector);
    this.deployments = new DeploymentController(this.cluster, this.replicaSets);
    this.daemonSets = new DaemonSetController(this.cluster);
    this.statefulSets = new StatefulSetController(this.cluster);
    this.jobs = new JobController(this.cluster);
    this.cronJobs = new CronJobController(this.cluster, this.jobs, scenario.startEpochMs);
    this.nodes = new NodeLifecycle(this.cluster, this.kubelet, this.disruption);
    const evictionHard = new Map(scenario.cluster.nodePools.map((p) => [p.name, p.evictionHardMemoryBytes]));
    this.usage = new UsageEngine(
      this.cluster,
      this.kubelet,
      (ref) => this.usageInputs(ref),
      (node) => (node.pool !== null ? evictionHard.get(node.pool) : undefined) ?? 100 * 1024 * 1024,
      new Set(scenario.behavior.map((b) => b.target)),
    );
    const hpaTargets = new Map<string, { readonly replicas: number; scale(n: number, cause: string): void }>();
    this.hpa = new HorizontalController(this.cluster, {
      target: (ref) => {
        let target = hpaTargets.get(ref);
        if (target) return target;
        const d = this.deployments.get(ref);
        const s = this.statefulSets.get(ref);
        if (d) target = { get replicas() { return d.replicas; }, scale: (n, cause) => this.deployments.scale(d, n, cause) };
        else if (s) target = { get replicas() { return s.replicas; }, scale: (n, cause) => this.statefulSets.scale(s, n, cause) };
        if (target) hpaTargets.set(ref, target);
        return target;
      },
      pods: (ref) => this.workloads.get(ref)?.pods ?? [],
      metrics: new UsageMetrics(this.usage, () => this.sim.nowMs),
      version: (ref) => {
        const run = this.usage.workload(ref);
        return `${this.workloads.get(ref)?.version ?? -1}:${run?.version ?? -1}:${run?.demandRate ?? -1}`;
      },
    });
    const ca = scenario.cluster.autoscaler;
    this.autoscaler = ca && scenario.cluster.nodePools.length > 0
      ? new ClusterAutoscaler(ca, scenario.cluster.nodePools, {
          cluster: this.cluster,
          nodes: this.nodes,
          disruption: this.disruption,
          daemonSets: this.daemonSets,
          unschedulablePods: () => this.scheduler.queue.waiting().map((entry) => entry.pod),
          filters: defaultProfile(scenario.cluster.scheduler).filters,
          ownerSelector: (pod) => this.workloads.ownerSelector(pod),
          random: this.random.stream('cluster-autoscaler/expander'),
        })
      : null;
    // Before setup(), so VPA admission sees every pod the scenario creates.
    this.vpa = wireVpa(
      this.cluster,
      this.usage,
      this.disruption,
      this.workloads,
      scenario.objects.filter((o): o is VpaObject => o.kind === 'VerticalPodAutoscaler'),
      scenario.durationMs,
    );
  }

  /** Demand and usage of a workload (or bare pod) from its `behavior:` entry. */
  private usageInputs(ref: string): WorkloadInputs {
    const behavior = this.scenario.behavior.find((b) => b.target === ref);
    const demand = behavior && behavior.demand.length > 0
      ? buildDemand(behavior.demand, { startEpochMs: this.scenario.startEpochMs, durationMs: this.scenario.durationMs, noise: this.random.stream(`demand-noise/${ref}`) })
      : null;
    return { demand, usage: behavior?.usage ?? {}, noise: this.random.stream(`memory-noise/${ref}`) };
  }

  /** Creates everything the scenario declares, at t = 0, and puts its events on the clock. */
  setup(): void {
    const { scenario, cluster } = this;
    for (const obj of scenario.objects) {
      if (obj.kind === 'Namespace') cluster.ensureNamespace(obj.metadata.name, obj.metadata.labels);
      else if (obj.kind === 'PriorityClass') cluster.addPriorityClass(obj);
    }
    for (const obj of scenario.objects) if (obj.kind === 'Node') this.nodes.addManifestNode(obj);
    for (const pool of scenario.cluster.nodePools) for (let i = 0; i < pool.count; i++) this.nodes.addPoolNode(pool, 0);
    for (const obj of scenario.objects) {
      if (obj.kind === 'LimitRange') cluster.addLimitRange(obj);
      else if (obj.kind === 'ResourceQuota') cluster.addResourceQuota(obj);
      else if (obj.kind === 'PodDisruptionBudget') this.disruption.add(obj);
    }
    for (const obj of scenario.objects) this.createWorkload(obj);
    for (const obj of scenario.objects) if (obj.kind === 'HorizontalPodAutoscaler') this.addHpa(obj);
    this.hpa.start(scenario.durationMs);
    this.autoscaler?.start(scenario.durationMs);
    const podRuns = scenario.behavior.filter((b) => b.run && b.target.startsWith('Pod/')).map((b) => b.target);
    if (podRuns.length > 0) this.notices.push(`run: applies to Job and CronJob pods; bare pods serve until deleted: ${podRuns.join(', ')}`);
    for (const event of scenario.events) this.sim.schedule(event.atMs, Phase.Script, () => this.runScripted(event));
  }

  /** Workload kinds get their controller; policy kinds were taken in above. */
  private createWorkload(obj: KubeObject): void {
    const ref = objectRef(obj);
    switch (obj.kind) {
      case 'Deployment': {
        const d = this.deployments.add(obj);
        this.workloads.register(ref, obj.kind, () => d.replicas);
        return;
      }
      case 'DaemonSet': {
        this.daemonSets.add(obj);
        this.workloads.register(ref, obj.kind, () => this.daemonSets.desiredNumberScheduled(ref));
        return;
      }
      case 'StatefulSet': {
        const s = this.statefulSets.add(obj);
        this.workloads.register(ref, obj.kind, () => s.replicas);
        this.workloads.ownerSelectors.set(ref, obj.spec.selector);
        return;
      }
      case 'Job': {
        this.workloads.register(ref, obj.kind, () => this.jobs.desiredActive(ref));
        const arrivals = this.scenario.behavior.find((b) => b.target === ref)?.arrivals;
        // With arrivals the declared Job is a template: only its copies run, never itself at t=0.
        if (arrivals) this.startArrivals(obj, arrivals);
        else this.jobs.add(obj);
        return;
      }
      case 'CronJob': {
        this.cronJobs.add(obj);
        this.workloads.register(ref, obj.kind, () => this.jobs.desiredActive(ref));
        return;
      }
      case 'Pod': {
        const result = this.cluster.createPod({
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          labels: obj.metadata.labels,
          annotations: obj.metadata.annotations,
          owner: null,
          spec: obj.spec,
        });
        if ('error' in result) this.cluster.emit('FailedCreate', ref, '', `Error creating: ${result.error}`);
        return;
      }
    }
  }

  /** An HPA, with a warning when a VPA sizes the same workload on a resource the HPA scales on
   *  (upstream advice: do not combine them on CPU or memory). */
  private addHpa(hpa: HpaObject): void {
    this.hpa.add(hpa);
    if (hpa.spec.metrics.some((m) => m.type === 'Object')) {
      this.notices.push(`HorizontalPodAutoscaler/${hpa.metadata.namespace}/${hpa.metadata.name}: Object metrics are not simulated; they count as unavailable`);
    }
    const scaledOn = new Set(hpa.spec.metrics.flatMap((m) => (m.type === 'Resource' ? [m.resource.name] : m.type === 'ContainerResource' ? [m.containerResource.name] : [])));
    const target = hpa.spec.scaleTargetRef;
    for (const vpa of this.scenario.objects) {
      if (vpa.kind !== 'VerticalPodAutoscaler' || vpa.metadata.namespace !== hpa.metadata.namespace) continue;
      if (vpa.spec.targetRef.kind !== target.kind || vpa.spec.targetRef.name !== target.name) continue;
      const policies = vpa.spec.resourcePolicy.containerPolicies;
      const controlled = policies.length === 0
        ? ['cpu', 'memory']
        : policies.filter((p) => p.mode !== 'Off').flatMap((p) => p.controlledResources ?? ['cpu', 'memory']);
      const both = ['cpu', 'memory'].filter((r) => scaledOn.has(r) && controlled.includes(r));
      if (both.length > 0) {
        this.notices.push(`warning: HorizontalPodAutoscaler/${hpa.metadata.namespace}/${hpa.metadata.name} and VerticalPodAutoscaler/${vpa.metadata.namespace}/${vpa.metadata.name} both act on ${both.join(' and ')} of ${target.kind}/${hpa.metadata.namespace}/${target.name}; they work against each other (scale on a Pods or External metric instead)`);
      }
    }
  }

  /** A new Job `<name>-<n>` from the declared one at each arrival; its pods aggregate under and
   *  take behaviour from the declared Job. */
  private startArrivals(template: JobObject, spec: ArrivalSpec): void {
    const ref = objectRef(template);
    const process = arrivalProcess(spec, this.scenario.startEpochMs, this.random.stream(`arrivals/${ref}`));
    scheduleArrivals(this.sim, process, Phase.Controller, this.scenario.durationMs, (n) => {
      const name = `${template.metadata.name}-${n}`;
      const job = this.jobs.add({ ...template, metadata: { ...template.metadata, name } }, { workload: ref });
      if (job) this.cluster.emit('SuccessfulCreate', ref, '', `Created job ${name}`);
      else this.cluster.emit('FailedCreate', ref, '', `Error creating: jobs.batch "${name}" already exists`);
    });
  }

  private runScripted(event: ScriptedEvent): void {
    const nodes = this.nodes;
    switch (event.type) {
      case 'drain': {
        const { gracePeriodSeconds, timeoutMs, deleteNodes } = event.drain;
        for (const node of nodes.select(event.drain)) {
          nodes.drain(node, { gracePeriodSeconds, timeoutMs, deleteNode: deleteNodes, reason: 'scenario drain' });
        }
        return;
      }
      case 'cordon':
        for (const node of nodes.select(event.cordon)) nodes.cordon(node);
        return;
      case 'uncordon':
        for (const node of nodes.select(event.uncordon)) nodes.uncordon(node);
        return;
      case 'nodeFailure':
        for (const node of nodes.select(event.nodeFailure, (n) => !n.down)) nodes.fail(node, event.nodeFailure.durationMs, 'node failure');
        return;
      case 'zoneOutage': {
        const { zone, durationMs } = event.zoneOutage;
        for (const node of nodes.select({ zone, count: Infinity }, (n) => !n.down)) nodes.fail(node, durationMs, `zone ${zone} outage`);
        return;
      }
      case 'spotInterruption': {
        const pool = this.scenario.cluster.nodePools.find((p) => p.name === event.spotInterruption.pool);
        const notice = pool?.spot?.noticeSeconds ?? 120;
        for (const node of nodes.select({ pool: event.spotInterruption.pool, count: event.spotInterruption.count })) nodes.interruptSpot(node, notice);
        return;
      }
      case 'capacityUnavailable':
        nodes.capacityUnavailable(event.capacityUnavailable.pool, event.atMs + event.capacityUnavailable.durationMs);
        return;
      case 'rollout': {
        const d = this.deployments.get(event.rollout.target);
        const s = this.statefulSets.get(event.rollout.target);
        if (d) this.deployments.restart(d);
        else if (s) this.statefulSets.restart(s);
        else if (this.daemonSets.get(event.rollout.target)) this.daemonSets.restart(event.rollout.target);
        else this.cluster.emit('Ignored', event.rollout.target, '', 'rollout: this kind is not simulated yet');
        return;
      }
      case 'scale': {
        const d = this.deployments.get(event.scale.target);
        const s = this.statefulSets.get(event.scale.target);
        if (d) this.deployments.scale(d, event.scale.replicas, 'Scaled by scenario event');
        else if (s) this.statefulSets.scale(s, event.scale.replicas, 'Scaled by scenario event');
        else this.cluster.emit('Ignored', event.scale.target, '', 'scale: this kind is not simulated yet');
        return;
      }
    }
  }
}

/** Startup and shutdown delays from `behavior:` where given, else from the manifests; run
 *  durations for Job pods (a CronJob's, an arrival's) from `run:`, else DEFAULT_RUN_MS. */
function behaviorTiming(behaviors: readonly Behavior[], random: RandomStreams): PodTiming {
  const byTarget = new Map(behaviors.map((b) => [b.target, b]));
  return {
    runDurationMs: (pod) => {
      if (pod.owner?.kind !== 'Job' || !pod.workload) return null;
      const run = byTarget.get(pod.workload)?.run;
      return run ? sampleRunDurationMs(run.duration, random.stream(`run/${pod.workload}`)) : DEFAULT_RUN_MS;
    },
    startupDelayMs: (pod) => {
      const delay = pod.workload ? byTarget.get(pod.workload)?.startup.delayMs : undefined;
      return delay ?? manifestTiming.startupDelayMs(pod);
    },
    shutdownDelayMs: (pod) => {
      const delay = pod.workload ? byTarget.get(pod.workload)?.shutdown.delayMs : undefined;
      return delay ?? manifestTiming.shutdownDelayMs(pod);
    },
  };
}
