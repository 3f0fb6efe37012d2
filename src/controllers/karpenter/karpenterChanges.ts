// Scripted changes of NodePools and NodeClasses (spec.events nodePoolUpdate / nodeClassUpdate):
// what `kubectl apply` of an edited NodePool or EC2NodeClass, or a new AMI release, does to the
// objects Karpenter reads. Drift follows from them (karpenter/disruption/drift.ts).
import type { KarpenterChange, KarpenterInput, NodeClassObject, NodePoolObject } from '../../model/karpenter.ts';

export interface KarpenterChangeLog {
  /** The objects as changed so far. */
  input: KarpenterInput;
  /** New images released per NodeClass name. */
  imageReleases: Map<string, number>;
}

/** Applies the change; returns what changed, for the event. */
export function applyChange(log: KarpenterChangeLog, change: KarpenterChange): string {
  if (change.nodePool) {
    const c = change.nodePool;
    const i = log.input.nodePools.findIndex((np) => np.name === c.name);
    if (i < 0) return `no NodePool "${c.name}"`;
    const old = log.input.nodePools[i]!;
    const fields: string[] = [];
    const np: NodePoolObject = { ...old, disruption: { ...old.disruption } };
    if (c.labels !== undefined) { np.labels = c.labels; fields.push('labels'); }
    if (c.annotations !== undefined) { np.annotations = c.annotations; fields.push('annotations'); }
    if (c.taints !== undefined) { np.taints = c.taints; fields.push('taints'); }
    if (c.requirements !== undefined) { np.requirements = c.requirements; fields.push('requirements'); }
    if (c.expireAfter !== undefined) { np.expireAfter = c.expireAfter; fields.push('expireAfter'); }
    if (c.terminationGracePeriod !== undefined) { np.terminationGracePeriod = c.terminationGracePeriod; fields.push('terminationGracePeriod'); }
    if (c.consolidationPolicy !== undefined) { np.disruption.consolidationPolicy = c.consolidationPolicy; fields.push('consolidationPolicy'); }
    if (c.consolidateAfter !== undefined) { np.disruption.consolidateAfter = c.consolidateAfter; fields.push('consolidateAfter'); }
    if (c.budgets !== undefined) { np.disruption.budgets = c.budgets; fields.push('budgets'); }
    log.input.nodePools[i] = np;
    return `NodePool ${c.name} updated: ${fields.join(', ') || 'nothing'}`;
  }
  const c = change.nodeClass!;
  const i = log.input.nodeClasses.findIndex((nc) => nc.name === c.name);
  if (i < 0) return `no NodeClass "${c.name}"`;
  const fields: string[] = [];
  const nc: NodeClassObject = { ...log.input.nodeClasses[i]! };
  if (c.amiSelectorTerms !== undefined) { nc.amiSelectorTerms = c.amiSelectorTerms; fields.push('amiSelectorTerms'); }
  if (c.newImage) {
    log.imageReleases.set(c.name, (log.imageReleases.get(c.name) ?? 0) + 1);
    fields.push('a new image released');
  }
  log.input.nodeClasses[i] = nc;
  return `${nc.kind} ${c.name} updated: ${fields.join(', ') || 'nothing'}`;
}
