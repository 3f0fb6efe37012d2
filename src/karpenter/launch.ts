// Which instance type and offering a NodeClaim launches as: the cloud provider's Create, given the
// instance types the solver left it (scheduler.ts). Sources:
//   kubernetes-sigs/karpenter@22664681:pkg/controllers/provisioning/scheduling/nodeclaim.go
//     (the NodeClaim carries node.kubernetes.io/instance-type In its remaining types; with
//     minValues they are truncated to the cheapest that still satisfy it)
//   aws/karpenter-provider-aws@1d927085:pkg/providers/instance/instance.go getCapacityType (spot
//     when the requirements allow it and a remaining type offers it, else on-demand) and
//     CreateFleet's allocation strategy: "lowest-price" for on-demand; "price-capacity-optimized"
//     for spot, which capsim approximates as lowest price (it has no spot capacity pools).
// The launch is the cheapest offering of that capacity type, among the remaining types, in a
// zone and capacity type the NodeClaim's requirements allow; ties by type name, then zone.
import type { CapacityType, KarpenterInstanceType, Offering } from './instanceTypes.ts';
import type { NodeClaimPlan } from './scheduler.ts';
import { minValuesShortfall } from './scheduler.ts';
import { LABEL_CAPACITY_TYPE, LABEL_ZONE, allows, getRequirement } from './requirements.ts';

/** How many of the cheapest types Karpenter passes to the fleet request (MaxInstanceTypes). */
export const MAX_INSTANCE_TYPES = 60;

export interface LaunchChoice {
  type: KarpenterInstanceType;
  offering: Offering;
  capacityType: CapacityType;
  /** The types the launch request offers the cloud (cheapest first, at most 60, more if minValues needs). */
  options: readonly KarpenterInstanceType[];
}

/** The NodeClaim's launch, or null when no remaining type has an allowed offering. */
export function chooseLaunch(claim: Pick<NodeClaimPlan, 'instanceTypes' | 'requirements'>): LaunchChoice | null {
  const zone = getRequirement(claim.requirements, LABEL_ZONE);
  const ct = getRequirement(claim.requirements, LABEL_CAPACITY_TYPE);
  const allowed = (o: Offering) => allows(zone, o.zone) && allows(ct, o.capacityType);
  const spot = allows(ct, 'spot') && claim.instanceTypes.some((it) => it.offerings.some((o) => allowed(o) && o.capacityType === 'spot'));
  const capacityType: CapacityType = spot ? 'spot' : 'on-demand';
  const candidates: { type: KarpenterInstanceType; offering: Offering }[] = [];
  for (const type of claim.instanceTypes) {
    const offerings = type.offerings.filter((o) => allowed(o) && o.capacityType === capacityType)
      .sort((a, b) => a.usdPerHour - b.usdPerHour || a.zone.localeCompare(b.zone));
    if (offerings.length > 0) candidates.push({ type, offering: offerings[0]! });
  }
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => a.offering.usdPerHour - b.offering.usdPerHour || a.type.name.localeCompare(b.type.name));
  const byPrice = candidates.map((c) => c.type);
  // Truncate to the cheapest 60, unless minValues needs more (the Strict policy keeps them all).
  let options = byPrice.slice(0, MAX_INSTANCE_TYPES);
  if (minValuesShortfall(options, claim.requirements) !== undefined) options = byPrice;
  const best = candidates[0]!;
  return { type: best.type, offering: best.offering, capacityType, options };
}
