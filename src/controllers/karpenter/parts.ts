// What the parts of the Karpenter controller share: the manager's context, the NodePools as
// the provisioner starts from them (karpenter/nodePools.ts), the node startup delay, and the
// NodeClaims that are gone (for the outputs).
import type { ApiServer } from '../../api/apiServer.ts';
import type { CloudProvider } from '../../cloud/cloudProvider.ts';
import type { RandomStreams } from '../../engine/random.ts';
import type { Simulation } from '../../engine/simulation.ts';
import type { ResolvedNodePool } from '../../karpenter/nodePools.ts';
import type { NodeClaim } from './nodeClaims.ts';

/** From the NodeClaim's launch to its Node Ready, unless spec.karpenter.startupDelay says
 *  otherwise: the same default as a node pool's provisioningDelay. */
export const DEFAULT_STARTUP_DELAY_MS = 90_000;

export interface KarpenterParts {
  api: ApiServer;
  clock: Simulation;
  cloud: CloudProvider;
  random: RandomStreams;
  /** By weight, then name (resolveNodePools); replaced when a scripted event changes a NodePool. */
  pools: ResolvedNodePool[];
  startupDelayMs: number;
  durationMs: number;
  /** An ISO-8601 UTC time for a simulated instant (event messages). */
  timestamp(ms: number): string;
  /** NodeClaims that are gone, in the order they went. */
  terminated: NodeClaim[];
}
