// Karpenter (kubernetes-sigs/karpenter@22664681, with the AWS provider's choices in
// karpenter/launch.ts): one controller made of the parts upstream runs in one binary —
// cluster state and NodeClaim lifecycle with termination (nodeClaims.ts), the provisioner
// (provisioner.ts), spot interruption handling (interruption.ts); disruption builds on them.
// It runs when the scenario has NodePools that provision for pods (static NodePools, with
// `replicas`, are not simulated: a warning says so).
import type { KarpenterInput } from '../../model/karpenter.ts';
import { resolveNodePools } from '../../karpenter/nodePools.ts';
import type { ControllerContext } from '../context.ts';
import { NodeClaims, type NodeClaim } from './nodeClaims.ts';
import { DEFAULT_STARTUP_DELAY_MS, type KarpenterParts } from './parts.ts';
import { Provisioner } from './provisioner.ts';
import { Disruption, type DisruptionSummary } from './disruption.ts';

export type { NodeClaim };

/** summary.autoscaling.karpenter */
export interface KarpenterSummary {
  nodePools: string[];
  nodeClaimsLaunched: number;
  launchedByNodePool: Record<string, number>;
  nodeClaimsTerminated: number;
  terminatedByReason: Record<string, number>;
  nodeClaimsAtEnd: number;
  launchFailures: number;
  provisioningBatches: number;
  podsNominated: number;
  /** Pods Karpenter saw provisionable (marked Unschedulable by kube-scheduler). */
  podsProvisionable: number;
  /** Of them, bound by the end; mean and max time from first provisionable to bound. */
  podsBound: number;
  meanPendingSeconds: number | null;
  maxPendingSeconds: number | null;
  /** Pods Karpenter could not provision for at some point (a FailedScheduling of its own). */
  podsFailedToSchedule: number;
  startupDelaySeconds: number;
  /** Disruption (disruption.ts): commands, nodes disrupted by reason, drift. */
  disruption: DisruptionSummary;
}

/** Whether the scenario's Karpenter objects make the controller run. */
export function karpenterRuns(input: KarpenterInput | null | undefined): input is KarpenterInput {
  return !!input && input.nodePools.some((np) => np.replicas === null);
}

export class Karpenter {
  readonly parts: KarpenterParts;
  readonly nodeClaims: NodeClaims;
  readonly provisioner: Provisioner;
  readonly disruption: Disruption;

  constructor(ctx: ControllerContext, readonly input: KarpenterInput) {
    const start = ctx.api.startEpochMs;
    this.parts = {
      api: ctx.api,
      clock: ctx.clock,
      cloud: ctx.cloud,
      random: ctx.random,
      pools: resolveNodePools(input),
      startupDelayMs: input.startupDelayMs ?? DEFAULT_STARTUP_DELAY_MS,
      durationMs: ctx.run.durationMs,
      timestamp: (ms) => new Date(start + ms).toISOString().replace('.000Z', 'Z'),
      terminated: [],
    };
    this.nodeClaims = new NodeClaims(this.parts);
    this.provisioner = new Provisioner(this.parts, this.nodeClaims);
    this.disruption = new Disruption(this.parts, this.nodeClaims, this.provisioner, input);
  }

  static fromContext(ctx: ControllerContext): Karpenter | null {
    const input = ctx.cluster.karpenter;
    return karpenterRuns(input) ? new Karpenter(ctx, input) : null;
  }

  start(): void {
    this.disruption.start();
  }

  summary(): KarpenterSummary {
    const s = this.nodeClaims.stats;
    const p = this.provisioner.stats;
    const sorted = (m: Map<string, number>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return {
      nodePools: this.parts.pools.filter((r) => r.nodePool.replicas === null).map((r) => r.nodePool.name),
      nodeClaimsLaunched: s.launched,
      launchedByNodePool: sorted(s.launchedByNodePool),
      nodeClaimsTerminated: this.parts.terminated.length,
      terminatedByReason: sorted(s.terminatedByReason),
      nodeClaimsAtEnd: this.nodeClaims.list().length,
      launchFailures: s.launchFailures,
      provisioningBatches: p.batches,
      podsNominated: p.podsNominated,
      podsProvisionable: p.firstSeenMs.size,
      podsBound: p.pendingBound,
      meanPendingSeconds: p.pendingBound > 0 ? Math.round(p.pendingMsTotal / p.pendingBound) / 1000 : null,
      maxPendingSeconds: p.pendingBound > 0 ? p.pendingMaxMs / 1000 : null,
      podsFailedToSchedule: p.podsFailed.size,
      startupDelaySeconds: this.parts.startupDelayMs / 1000,
      disruption: this.disruption.summary(),
    };
  }
}
