// Builds one simulated cluster from a validated scenario and wires its parts: the engine, the
// API server, the kubelets with their resource side, kube-scheduler, the cloud provider and the
// controller manager. They meet only through the API. setup() then creates what the scenario
// declares, at t = 0, and puts its scripted events on the clock.
import { apply } from './api/apply.ts';
import { ApiServer } from './api/apiServer.ts';
import { splitByBudget } from './api/eviction.ts';
import { CloudProvider } from './cloud/cloudProvider.ts';
import { CloudPricing } from './cloud/pricing.ts';
import { joinedNodeCounts } from './cloud/manifestNodes.ts';
import { ControllerManager } from './controllers/manager.ts';
import { RandomStreams } from './engine/random.ts';
import { Simulation } from './engine/simulation.ts';
import { kubeletConfigs } from './kubelet/config.ts';
import { Kubelet, manifestTiming } from './kubelet/kubelet.ts';
import type { PodTiming } from './kubelet/kubelet.ts';
import { UsageEngine } from './kubelet/usageEngine.ts';
import type { WorkloadInputs } from './kubelet/usageEngine.ts';
import type { Behavior, Scenario } from './model/scenario.ts';
import type { KubeObject, ReplicaSetObject } from './model/objects.ts';
import { objectRef } from './model/objects.ts';
import { Accounting } from './cost/accounting.ts';
import { simulationNotices } from './scenario/notices.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { defaultProfile } from './scheduler/profile.ts';
import { ScriptedEvents } from './scriptedEvents.ts';
import { buildDemand } from './workload/demand.ts';
import { startJobArrivals } from './kubectl/jobArrivals.ts';
import { TraceReplay } from './kubectl/traceReplay.ts';
import { DEFAULT_RUN_MS, sampleRunDurationMs } from './workload/runDuration.ts';

export class World {
  readonly sim = new Simulation();
  readonly random: RandomStreams;
  readonly api: ApiServer;
  readonly accounting: Accounting;
  readonly kubelet: Kubelet;
  readonly scheduler: Scheduler;
  readonly usage: UsageEngine;
  readonly cloud: CloudProvider;
  /** spec.pricing's bill: launch prices and the spot price history's changes. */
  private readonly pricing: CloudPricing | undefined;
  readonly controllers: ControllerManager;
  /** spec.traces' pods, created and deleted on the trace's times (null: the scenario has none).
   *  The run calls its prefetch() before each stretch of simulated time. */
  readonly traces: TraceReplay | null;
  /** Messages for the user about what this run does not simulate. */
  readonly notices: string[] = [];

  constructor(readonly scenario: Scenario) {
    this.random = new RandomStreams(scenario.seed);
    const api = (this.api = new ApiServer(this.sim, this.random, scenario.startEpochMs));
    this.accounting = new Accounting(() => this.sim.nowMs);
    api.addListener(this.accounting);
    this.traces = scenario.traces && scenario.traces.length > 0 ? new TraceReplay(api, this.sim, scenario.traces, scenario.durationMs) : null;
    this.kubelet = new Kubelet(api, behaviorTiming(scenario, this.random, this.traces));
    this.scheduler = new Scheduler(api, {
      profile: defaultProfile(scenario.cluster.scheduler),
      budgets: { splitByBudget: (pods) => splitByBudget(api, pods) },
      ownerSelector: (pod) => api.ownerSelector(pod),
    });
    this.usage = new UsageEngine(
      api,
      this.kubelet,
      (ref) => this.usageInputs(ref),
      kubeletConfigs(scenario.cluster.nodePools),
      new Set(scenario.behavior.map((b) => b.target)),
    );
    this.pricing = scenario.pricing ? new CloudPricing(scenario.pricing, scenario.startEpochMs, this.sim, scenario.cluster.nodePools) : undefined;
    this.cloud = new CloudProvider(api, this.sim, this.random, this.kubelet, this.pricing);
    // Before setup(), so the VPA's admission hook sees every pod the scenario creates.
    this.controllers = new ControllerManager({
      api,
      clock: this.sim,
      random: this.random,
      cloud: this.cloud,
      metrics: this.usage,
      run: { durationMs: scenario.durationMs },
      cluster: { nodePools: scenario.cluster.nodePools, autoscaler: scenario.cluster.autoscaler ?? null, scheduler: scenario.cluster.scheduler, karpenter: scenario.karpenter ?? null },
    });
  }

  /** Demand and usage of a workload (or bare pod) from its `behavior:` entry. */
  private usageInputs(ref: string): WorkloadInputs {
    const behavior = this.scenario.behavior.find((b) => b.target === ref);
    const demand = behavior && behavior.demand.length > 0
      ? buildDemand(behavior.demand, { startEpochMs: this.scenario.startEpochMs, durationMs: this.scenario.durationMs, noise: this.random.stream(`demand-noise/${ref}`) })
      : null;
    return { demand, usage: behavior?.usage ?? {}, noise: this.random.stream(`memory-noise/${ref}`) };
  }

  /** Creates everything the scenario declares, at t = 0, in the order a cluster would have it:
   *  namespaces and priority classes, nodes, policy, workloads, autoscalers; then starts the
   *  controllers' loops and puts the scripted events on the clock. */
  setup(): void {
    const { scenario, api } = this;
    const objects = scenario.objects;
    for (const obj of objects) if (obj.kind === 'Namespace' || obj.kind === 'PriorityClass') apply(api, obj);
    const pools = scenario.cluster.nodePools;
    this.pricing?.start(api, scenario.durationMs);
    for (const obj of objects) if (obj.kind === 'Node') this.cloud.registerNode(obj, pools);
    // A pool's count includes the Node manifests that joined it: capsim launches the rest.
    const joined = joinedNodeCounts(objects, pools);
    for (const pool of pools) for (let i = joined.get(pool.name) ?? 0; i < pool.count; i++) this.cloud.createNode(pool, 0);
    for (const obj of objects) {
      if (obj.kind === 'LimitRange' || obj.kind === 'ResourceQuota' || obj.kind === 'PodDisruptionBudget' || obj.kind === 'VerticalPodAutoscaler') apply(api, obj);
    }
    // Workloads are registered first, so that what a cluster's state says they have (their
    // ReplicaSets, their pods, on their nodes) counts under them as it is created, before the
    // workloads themselves: their controllers then adopt it instead of making more.
    for (const obj of objects) if (isWorkload(obj) && !(obj.kind === 'Job' && obj.cronJob)) api.workloads.register(objectRef(obj), obj.kind);
    this.applyState(objects);
    for (const obj of objects) {
      if (isWorkload(obj)) {
        const ref = objectRef(obj);
        const arrivals = obj.kind === 'Job' ? scenario.behavior.find((b) => b.target === ref)?.arrivals : undefined;
        // With arrivals the declared Job is a template: only its copies run, never itself at t=0.
        if (obj.kind === 'Job' && arrivals) startJobArrivals(api, this.sim, obj, arrivals, this.random.stream(`arrivals/${ref}`), scenario.durationMs);
        else apply(api, obj);
      } else if (obj.kind === 'Pod' && !obj.state?.owner) apply(api, obj);
    }
    for (const obj of objects) if (obj.kind === 'HorizontalPodAutoscaler') apply(api, obj);
    this.controllers.start();
    this.notices.push(...simulationNotices(scenario));
    const notice = scenario.karpenter?.spot ? scenario.karpenter.spot.noticeMs / 1000 : 120;
    new ScriptedEvents(api, this.sim, this.cloud, scenario.cluster.nodePools, notice).schedule(scenario.events);
  }

  /** A cluster's state (scenario/clusterState.ts): the ReplicaSets of its Deployments, oldest
   *  first and created before t = 0 in that order, then the pods that have a controller (or a
   *  node, for static pods), bound where they run. */
  private applyState(objects: readonly KubeObject[]): void {
    const replicaSets = objects.filter((o): o is ReplicaSetObject => o.kind === 'ReplicaSet');
    const order = replicaSets.map((rs, i) => ({ rs, i })).sort((a, b) => (a.rs.metadata.creationTimestamp ?? '').localeCompare(b.rs.metadata.creationTimestamp ?? '') || a.i - b.i);
    order.forEach(({ rs }, i) => apply(this.api, rs, i - order.length));
    for (const obj of objects) if (obj.kind === 'Pod' && obj.state?.owner) apply(this.api, obj);
  }
}

function isWorkload(obj: KubeObject): obj is Extract<KubeObject, { kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Job' | 'CronJob' }> {
  return obj.kind === 'Deployment' || obj.kind === 'DaemonSet' || obj.kind === 'StatefulSet' || obj.kind === 'Job' || obj.kind === 'CronJob';
}

/** Startup and shutdown delays from `behavior:` where given, else from the manifests; run
 *  durations for Job pods (a CronJob's, an arrival's) from `run:`, else DEFAULT_RUN_MS; for a
 *  trace's pods, the row's duration (none: they run until deleted). A pod
 *  that runs at t = 0 in a cluster's state is Ready at once the first time it starts. */
function behaviorTiming(scenario: Scenario, random: RandomStreams, traces: TraceReplay | null): PodTiming {
  const behaviors: readonly Behavior[] = scenario.behavior;
  const byTarget = new Map(behaviors.map((b) => [b.target, b]));
  const runningAtStart = new Set<string>();
  for (const o of scenario.objects) if (o.kind === 'Pod' && o.state?.running) runningAtStart.add(`${o.metadata.namespace}/${o.metadata.name}`);
  return {
    runDurationMs: (pod) => {
      if (traces && !pod.owner) return traces.runDurationMs(pod);
      if (pod.owner?.kind !== 'Job' || !pod.workload) return null;
      const run = byTarget.get(pod.workload)?.run;
      return run ? sampleRunDurationMs(run.duration, random.stream(`run/${pod.workload}`)) : DEFAULT_RUN_MS;
    },
    startupDelayMs: (pod) => {
      if (runningAtStart.size > 0 && runningAtStart.delete(pod.key)) return 0;
      const delay = pod.workload ? byTarget.get(pod.workload)?.startup.delayMs : undefined;
      return delay ?? manifestTiming.startupDelayMs(pod);
    },
    shutdownDelayMs: (pod) => {
      const delay = pod.workload ? byTarget.get(pod.workload)?.shutdown.delayMs : undefined;
      return delay ?? manifestTiming.shutdownDelayMs(pod);
    },
  };
}
