// Karpenter (kubernetes-sigs/karpenter@22664681, with the AWS provider's choices in
// karpenter/launch.ts): one controller made of the parts upstream runs in one binary —
// cluster state and NodeClaim lifecycle with termination (nodeClaims.ts), the provisioner
// (provisioner.ts), spot interruption handling (interruption.ts); disruption builds on them.
// It runs when the scenario has NodePools that provision for pods (static NodePools, with
// `replicas`, are not simulated: a warning says so).
import type { KarpenterInput } from '../../model/karpenter.ts';
import type { KarpenterSummary } from '../../outputs/summary.ts';
import { resolveNodePools } from '../../karpenter/nodePools.ts';
import type { ControllerContext } from '../context.ts';
import { NodeClaims, type NodeClaim } from './nodeClaims.ts';
import { DEFAULT_STARTUP_DELAY_MS, type KarpenterParts } from './parts.ts';
import { Provisioner } from './provisioner.ts';
import { Disruption } from './disruption.ts';
import { Interruption } from './interruption.ts';
import { expiresAtMs } from '../../karpenter/disruption/drift.ts';
import { Phase } from '../../phases.ts';

export type { NodeClaim };

/** Whether the scenario's Karpenter objects make the controller run. */
export function karpenterRuns(input: KarpenterInput | null | undefined): input is KarpenterInput {
  return !!input && input.nodePools.some((np) => np.replicas === null);
}

export class Karpenter {
  readonly parts: KarpenterParts;
  readonly nodeClaims: NodeClaims;
  readonly provisioner: Provisioner;
  readonly disruption: Disruption;
  readonly interruption: Interruption;
  expired = 0;

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
    this.interruption = new Interruption(this.parts, this.nodeClaims, input.spot);
    this.nodeClaims.listen((claim, what) => {
      if (what === 'launched') this.armExpiration(claim);
    });
  }

  /** The expiration controller (pkg/controllers/nodeclaim/expiration/controller.go): at
   *  creation + expireAfter (the NodePool's, as the NodeClaim got it at launch; "Never" never)
   *  the NodeClaim is deleted, forcefully: no disruption budget or replacement first; its pods
   *  are provisioned for as it drains. */
  private armExpiration(claim: NodeClaim): void {
    const expireAfter = this.nodeClaims.pool(claim.nodePool)?.nodePool.expireAfter ?? 'Never';
    const at = expiresAtMs({ createdMs: claim.createdMs, expireAfter });
    if (at === null || at > this.parts.durationMs) return;
    this.parts.clock.schedule(at, Phase.Controller, () => {
      if (claim.deletingMs >= 0 || claim.terminatedMs >= 0) return;
      this.expired++;
      this.parts.api.emit('Expired', `NodeClaim/-/${claim.name}`, claim.node.name, `deleting expired nodeclaim (expireAfter ${expireAfter})`, 'karpenter');
      this.nodeClaims.terminate(claim, 'Expired');
    });
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
      nodeClaimsLaunched: s.launched,
      launchedByNodePool: sorted(new Map([...this.parts.pools.filter((r) => r.nodePool.replicas === null).map((r): [string, number] => [r.nodePool.name, 0]), ...s.launchedByNodePool])),
      nodeClaimsTerminated: this.parts.terminated.length,
      terminatedByReason: sorted(s.terminatedByReason),
      nodeClaimsAtEnd: this.nodeClaims.list().length,
      usdPerHourAtEnd: Math.round(this.nodeClaims.list().reduce((sum, c) => sum + c.priceUsdPerHour, 0) * 1e6) / 1e6,
      launchFailures: s.launchFailures,
      provisioningBatches: p.batches,
      podsNominated: p.podsNominated,
      podsProvisionable: p.firstSeenMs.size,
      podsBound: p.pendingBound,
      meanPendingSeconds: p.pendingBound > 0 ? Math.round(p.pendingMsTotal / p.pendingBound) / 1000 : null,
      maxPendingSeconds: p.pendingBound > 0 ? p.pendingMaxMs / 1000 : null,
      podsFailedToSchedule: p.podsFailed.size,
      expired: this.expired,
      spotInterruptions: this.interruption.interrupted,
      startupDelaySeconds: this.parts.startupDelayMs / 1000,
      disruption: this.disruption.summary(),
    };
  }
}
