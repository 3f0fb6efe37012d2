// What every controller is made from (the manager's ControllerContext, as kube-controller-manager
// hands each controller its clients and informers): the API server, the clock, the seeded random
// streams, and what a controller may talk to besides the API.
import type { ApiServer } from '../api/apiServer.ts';
import type { CloudProvider } from '../cloud/cloudProvider.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { MetricsApi } from '../metrics/metricsApi.ts';
import type { KarpenterInput } from '../model/karpenter.ts';
import type { AutoscalerSpec, NodePool, SchedulerSpec } from '../model/scenario.ts';

export interface ControllerContext {
  api: ApiServer;
  clock: Simulation;
  random: RandomStreams;
  cloud: CloudProvider;
  /** The metrics API (metrics-server, the kubelets' usage history): what the HPA and the VPA's
   *  recommender read. */
  metrics: MetricsApi;
  run: { durationMs: number };
  cluster: { nodePools: readonly NodePool[]; autoscaler: AutoscalerSpec | null; scheduler: SchedulerSpec; karpenter: KarpenterInput | null };
}
