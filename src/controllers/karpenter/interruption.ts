// Karpenter's interruption handling for spot nodes (aws/karpenter-provider-aws@1d927085
// pkg/controllers/interruption/controller.go handleNodeClaim, events/events.go SpotInterrupted):
// on a spot interruption warning for one of its nodes, Karpenter records SpotInterrupted on the
// NodeClaim, marks the offering (type, zone, spot) unavailable for 3 minutes so the replacement
// is not launched into it, and deletes the NodeClaim: the termination controller taints the node
// karpenter.sh/disrupted:NoSchedule and drains it, and the provisioner, triggered by that taint,
// schedules the node's pods with the pending ones: the replacement is launched within a batch
// (about a second) of the notice, and is Ready after the startup delay, before a two-minute
// notice ends when the startup delay is shorter. The cloud reclaims the instance when the notice
// ends, whatever is left on it. spec.karpenter.spot.interruptionsPerNodeDay arms each spot node
// Karpenter launches with the cloud's Poisson interruptions; a scripted spotInterruption naming a
// NodePool interrupts its spot nodes.
import { Phase } from '../../phases.ts';
import type { KarpenterSpot } from '../../model/karpenter.ts';
import { UNAVAILABLE_OFFERINGS_TTL_MS, type NodeClaims } from './nodeClaims.ts';
import type { KarpenterParts } from './parts.ts';

export class Interruption {
  interrupted = 0;

  constructor(
    private readonly parts: KarpenterParts,
    private readonly nodeClaims: NodeClaims,
    spot: KarpenterSpot | undefined,
  ) {
    parts.cloud.onSpotInterruption((node) => {
      const claim = nodeClaims.byNode(node);
      if (!claim || claim.terminatedMs >= 0) return false;
      this.interrupted++;
      parts.api.emit('SpotInterrupted', `NodeClaim/-/${claim.name}`, node.name, 'Spot interruption warning was triggered', 'karpenter');
      nodeClaims.markUnavailable(claim.instanceType, claim.zone, claim.capacityType, parts.clock.nowMs + UNAVAILABLE_OFFERINGS_TTL_MS);
      // The controller handles the message as it reads the queue: the deletion is this instant's.
      parts.clock.schedule(parts.clock.nowMs, Phase.Controller, () => nodeClaims.terminate(claim, 'Interrupted'));
      return true;
    });
    if (spot && spot.interruptionsPerNodeDay > 0) {
      nodeClaims.listen((claim, what) => {
        if (what === 'launched' && claim.capacityType === 'spot') parts.cloud.armSpotInterruption(claim.node, spot.interruptionsPerNodeDay, spot.noticeMs / 1000);
      });
    }
  }
}
