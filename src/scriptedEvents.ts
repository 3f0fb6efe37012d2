// The scenario's scripted what-ifs, played at their time: what a person does with kubectl
// (drain, cordon, uncordon, rollout restart, scale) goes through the API like kubectl; what
// happens to machines (node failures, zone outages, spot reclaims, stock-outs) happens in the
// cloud provider.
import type { ApiServer } from './api/apiServer.ts';
import { setScale } from './api/scale.ts';
import type { CloudProvider } from './cloud/cloudProvider.ts';
import type { Simulation } from './engine/simulation.ts';
import { drainNode } from './kubectl/drain.ts';
import { rolloutRestart } from './kubectl/rollout.ts';
import type { Node } from './model/node.ts';
import type { NodePool, NodeSelection, ScriptedEvent } from './model/scenario.ts';
import { Phase } from './phases.ts';

export class ScriptedEvents {
  constructor(
    private readonly api: ApiServer,
    private readonly clock: Simulation,
    private readonly cloud: CloudProvider,
    private readonly pools: readonly NodePool[],
    /** spec.karpenter.spot.notice, for a spotInterruption naming a Karpenter NodePool. */
    private readonly karpenterNoticeSeconds = 120,
  ) {}

  /** Puts every event on the clock, in the scripted phase of its instant. */
  schedule(events: readonly ScriptedEvent[]): void {
    for (const event of events) this.clock.schedule(event.atMs, Phase.Script, () => this.play(event));
  }

  /** The nodes an event names: by name, or the first `count` live ones of a pool/zone. */
  private select(selection: NodeSelection, accept: (n: Node) => boolean = () => true): Node[] {
    const live = this.api.nodes.filter((n) => n.state !== 'Removed' && accept(n));
    if (selection.node) return live.filter((n) => n.name === selection.node);
    return live
      .filter((n) => (!selection.pool || n.pool === selection.pool) && (!selection.zone || n.zone === selection.zone))
      .slice(0, selection.count);
  }

  private play(event: ScriptedEvent): void {
    const { api, clock, cloud } = this;
    switch (event.type) {
      case 'drain': {
        const { gracePeriodSeconds, timeoutMs, deleteNodes } = event.drain;
        for (const node of this.select(event.drain)) {
          drainNode(api, clock, node, { gracePeriodSeconds, timeoutMs, deleteNode: deleteNodes, reason: 'scenario drain' });
        }
        return;
      }
      case 'cordon':
        for (const node of this.select(event.cordon)) api.setUnschedulable(node, true);
        return;
      case 'uncordon':
        for (const node of this.select(event.uncordon)) api.setUnschedulable(node, false);
        return;
      case 'nodeFailure':
        for (const node of this.select(event.nodeFailure, (n) => !n.down)) cloud.failMachine(node, event.nodeFailure.durationMs, 'node failure');
        return;
      case 'zoneOutage': {
        const { zone, durationMs } = event.zoneOutage;
        for (const node of this.select({ zone, count: Infinity }, (n) => !n.down)) cloud.failMachine(node, durationMs, `zone ${zone} outage`);
        return;
      }
      case 'spotInterruption': {
        const pool = this.pools.find((p) => p.name === event.spotInterruption.pool);
        // A Karpenter NodePool's nodes are of either capacity type: its spot nodes are interrupted.
        const notice = pool ? (pool.spot?.noticeSeconds ?? 120) : this.karpenterNoticeSeconds;
        const selection = { pool: event.spotInterruption.pool, count: event.spotInterruption.count };
        for (const node of this.select(selection, (n) => pool !== undefined || n.capacityType === 'spot')) cloud.interruptSpot(node, notice);
        return;
      }
      case 'capacityUnavailable':
        cloud.capacityUnavailable(event.capacityUnavailable.pool, event.atMs + event.capacityUnavailable.durationMs);
        return;
      case 'rollout':
        if (!rolloutRestart(api, event.rollout.target)) api.emit('Ignored', event.rollout.target, '', 'rollout: this kind is not simulated yet');
        return;
      case 'nodePoolUpdate':
      case 'nodeClassUpdate':
        return; // the Karpenter controller applies these (scenario.karpenter.changes)
      case 'scale':
        if (!setScale(api, event.scale.target, event.scale.replicas, { source: 'kubectl', message: 'Scaled by scenario event' })) {
          api.emit('Ignored', event.scale.target, '', 'scale: this kind is not simulated yet');
        }
        return;
    }
  }
}
