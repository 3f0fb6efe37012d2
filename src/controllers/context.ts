// What every controller is made from (the manager's ControllerContext, as kube-controller-manager
// hands each controller its clients and informers): the API server, the clock, the seeded random
// streams, and what a controller may talk to besides the API.
import type { ApiServer } from '../api/apiServer.ts';
import type { CloudProvider } from '../cloud/cloudProvider.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { UsageEngine } from '../kubelet/usageEngine.ts';
import type { AutoscalerSpec, NodePool, SchedulerSpec } from '../model/scenario.ts';

export interface ControllerContext {
  api: ApiServer;
  clock: Simulation;
  random: RandomStreams;
  cloud: CloudProvider;
  /** The kubelets' resource usage, which metrics-server and the VPA's history read. */
  usage: UsageEngine;
  run: { durationMs: number };
  cluster: { nodePools: readonly NodePool[]; autoscaler: AutoscalerSpec | null; scheduler: SchedulerSpec };
}
