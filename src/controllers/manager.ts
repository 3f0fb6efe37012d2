// The controller manager (cmd/kube-controller-manager/app/controllermanager.go,
// NewControllerInitializers): every controller registered by name, each made from the same
// context — the API server, the clock, the seeded random streams and what a controller may talk
// to besides the API (the cloud provider, the metrics pipeline) — and started in registry order.
// Controllers meet only through the API: none imports or calls another. Adding one is a file
// and a line here.
//
// The order is part of the simulation: controllers register their watches in it, and watchers
// are told in registration order, which orders the reconcile passes of one instant.
import { defaultProfile } from '../scheduler/profile.ts';
import { ClusterAutoscaler } from './clusterAutoscaler/clusterAutoscaler.ts';
import { CronJobController } from './cronJob.ts';
import { DaemonSetController } from './daemonSet.ts';
import { DeploymentController } from './deployment.ts';
import { HorizontalController } from './hpa/horizontal.ts';
import { JobController } from './job.ts';
import { Karpenter } from './karpenter/karpenter.ts';
import { NodeLifecycleController } from './nodeLifecycle.ts';
import { ReplicaSetController } from './replicaSet.ts';
import { StatefulSetController } from './statefulSet.ts';
import { TtlAfterFinishedController } from './ttlAfterFinished.ts';
import { VpaController } from './vpa/controller.ts';
import type { ControllerContext } from './context.ts';

export type { ControllerContext } from './context.ts';

/** What the manager asks of a controller: start() (optional) begins periodic work (sync loops),
 *  once the scenario's objects exist. Watches are registered when it is made. */
export interface Controller {
  start?(): void;
}

/** Makes a controller, or null when the scenario does not run it. */
export type ControllerInit = (ctx: ControllerContext) => object | null;

export const CONTROLLERS = {
  replicaset: (ctx) => new ReplicaSetController(ctx),
  deployment: (ctx) => new DeploymentController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  'ttl-after-finished': (ctx) => new TtlAfterFinishedController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  horizontalpodautoscaling: (ctx) => HorizontalController.fromContext(ctx),
  'cluster-autoscaler': ({ api, clock, random, cloud, cluster, run }) =>
    cluster.autoscaler && cluster.nodePools.length > 0
      ? new ClusterAutoscaler(cluster.autoscaler, cluster.nodePools, {
          api,
          clock,
          cloud,
          filters: defaultProfile(cluster.scheduler).filters,
          random: random.stream('cluster-autoscaler/expander'),
          durationMs: run.durationMs,
        })
      : null,
  karpenter: (ctx) => Karpenter.fromContext(ctx),
  'vertical-pod-autoscaler': (ctx) => VpaController.fromContext(ctx),
} satisfies Record<string, ControllerInit>;

export type ControllerName = keyof typeof CONTROLLERS;

type Running = { [K in ControllerName]: Exclude<ReturnType<(typeof CONTROLLERS)[K]>, null> | null };

export class ControllerManager {
  private readonly running = {} as Running;

  constructor(ctx: ControllerContext) {
    for (const name of Object.keys(CONTROLLERS) as ControllerName[]) {
      (this.running as Record<ControllerName, object | null>)[name] = CONTROLLERS[name](ctx);
    }
  }

  /** The controller of that name, or null when the scenario does not run it. */
  get<K extends ControllerName>(name: K): Running[K] {
    return this.running[name];
  }

  start(): void {
    for (const name of Object.keys(CONTROLLERS) as ControllerName[]) (this.running[name] as Controller | null)?.start?.();
  }
}
