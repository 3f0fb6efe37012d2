// What the cluster autoscaler's scale-up and scale-down read and write of the autoscaler they
// work for (static_autoscaler.go's AutoscalingContext): its configuration, node groups and
// cooldown clocks, the API, the cloud provider and the what-if snapshot.
import type { ApiServer } from '../../api/apiServer.ts';
import type { CloudProvider } from '../../cloud/cloudProvider.ts';
import type { RandomStream } from '../../engine/random.ts';
import type { Simulation } from '../../engine/simulation.ts';
import type { Pod } from '../../model/pod.ts';
import type { AutoscalerSpec } from '../../model/scenario.ts';
import type { FilterPlugin } from '../../scheduler/framework.ts';
import type { ClusterSnapshot } from './clusterSnapshot.ts';
import type { NodeGroup } from './nodeGroups.ts';

export interface AutoscalerParts {
  api: ApiServer;
  clock: Simulation;
  /** The node groups' provider: it grows a group (IncreaseSize) and names the next zone. */
  cloud: CloudProvider;
  /** A fresh set of the scheduler's Filter plugins, for the autoscaler's own simulations. */
  filters: FilterPlugin[];
  random: RandomStream;
  /** The loop stops after this time (the run's end). */
  durationMs: number;
}

export interface AutoscalingContext {
  readonly spec: AutoscalerSpec;
  readonly parts: AutoscalerParts;
  readonly api: ApiServer;
  readonly clock: Simulation;
  readonly groups: NodeGroup[];
  lastScaleUpMs: number;
  lastScaleDownDeleteMs: number;
  lastScaleDownFailMs: number;
  group(pool: string | null): NodeGroup | undefined;
  /** The scheduler's nodes plus the upcoming ones, as the autoscaler's snapshot starts. */
  snapshot(): ClusterSnapshot;
  /** NotTriggerScaleUp, folded per pod while its message stays the same. */
  reportNoScaleUp(pod: Pod, message: string): void;
  clearNoScaleUp(pod: Pod): void;
}
