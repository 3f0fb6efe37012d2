// An HPA of a cluster's state (its manifest has a status: the cluster ran it) reads metrics the
// dump does not carry. Without a usage model capsim would read the requests (a CPU utilization
// of 100 %, so a 70 % target climbs to maxReplicas) or a demand of 0 (so it falls to
// minReplicas): a plausible and wrong answer, the workload at ten times the replicas it has.
// A platform engineer who brings a cluster expects its replicas as they are; so an HPA whose
// every metric reads something the scenario does not model holds its target at the replicas the
// cluster had (the workload's spec.replicas, which the HPA wrote), does not scale, and says so
// (warning `hpa-held`). Once the scenario models what a metric reads (behavior[].usage for cpu or
// memory, behavior[].demand for Pods and External metrics), that HPA scales as any other.
import type { HpaMetric, HpaObject, KubeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Behavior, ClusterStateReport } from '../model/scenario.ts';
import { UsageModels, resourceOf, targetReading } from './warnings.ts';

export function holdClusterHpas(objects: KubeObject[], behavior: Behavior[], report: ClusterStateReport): void {
  const model = new UsageModels({ objects, behavior });
  const byRef = new Map(objects.map((o) => [objectRef(o), o]));
  for (const hpa of objects) {
    if (hpa.kind !== 'HorizontalPodAutoscaler' || !hpa.status) continue;
    const { scaleTargetRef: t, minReplicas, maxReplicas } = hpa.spec;
    const target = `${t.kind}/${hpa.metadata.namespace}/${t.name}`;
    const unmodelled = hpa.spec.metrics.map((m) => unmodelledReason(m, target, model));
    const hpaRef = objectRef(hpa);
    if (unmodelled.some((why) => why === null)) {
      report.entries.push({ object: hpaRef, decision: 'kept', reason: `scales ${target} from the model the scenario gives it`, source: hpa.source });
      continue;
    }
    const o = byRef.get(target);
    const replicas = o && (o.kind === 'Deployment' || o.kind === 'StatefulSet') ? o.spec.replicas : hpa.status.currentReplicas;
    const held = replicas === undefined ? 'its replicas' : `its ${replicas} replica${replicas === 1 ? '' : 's'}`;
    const desired = hpa.status.desiredReplicas;
    const asked = desired !== undefined && desired !== replicas ? ` (its status says it last asked for ${desired})` : '';
    hpa.hold = `holds ${target} at ${held}: nothing it reads is modelled (${unmodelled.join('; ')})`;
    report.entries.push({ object: hpaRef, decision: 'kept', reason: hpa.hold, source: hpa.source });
    const course = wouldDo(hpa, target, model, minReplicas, maxReplicas);
    report.warnings.push({
      code: 'hpa-held',
      title: 'HPA held at its replicas',
      objects: [hpaRef, target],
      message: `${hpaRef} comes from the cluster's state and scales ${target} on what this scenario does not model (${unmodelled.join('; ')})${course}. It holds ${target} at ${held}${asked} instead and does not scale: its autoscaling results mean nothing until the scenario has usage (behavior[].usage, behavior[].demand, or metrics imported).`,
    });
  }
}

/** Why capsim cannot read the metric from the scenario's model, or null when it can. */
function unmodelledReason(metric: HpaMetric, target: string, model: UsageModels): string | null {
  const resource = resourceOf(metric);
  if (resource) {
    const only = metric.type === 'ContainerResource' ? metric.containerResource.container : undefined;
    const modelled = model.containers(target).some((c) => (only === undefined || c.name === only) && model.modelled(target, c.name, resource));
    return modelled ? null : `${resource}: no usage model`;
  }
  switch (metric.type) {
    case 'Pods':
      return model.hasDemand(target) ? null : `Pods metric ${metric.pods.metric.name}: no demand`;
    case 'External':
      return model.hasDemand(target) ? null : `External metric ${metric.external.metric.name}: no demand`;
    case 'Object':
      return `Object metric ${metric.object.metric.name}: not simulated`;
    default:
      return `${metric.type === 'Resource' ? metric.resource.name : metric.containerResource.name}: not simulated`;
  }
}

/** What the HPA would do on requests alone: ", so it would climb to maxReplicas (10)". */
function wouldDo(hpa: HpaObject, target: string, model: UsageModels, minReplicas: number, maxReplicas: number): string {
  const tolerance = hpa.spec.behavior?.scaleUp?.tolerance ?? 0.1;
  for (const metric of hpa.spec.metrics) {
    const resource = resourceOf(metric);
    if (!resource) continue;
    const reading = targetReading(metric, model.fromRequests(target, resource), resource);
    if (!reading) continue;
    if (reading.ratio > 1 + tolerance) return `: read from the requests it would see ${reading.text} and climb to maxReplicas (${maxReplicas})`;
    if (reading.ratio < 1 - tolerance) return `: read from the requests it would see ${reading.text} and fall to minReplicas (${minReplicas})`;
  }
  if (hpa.spec.metrics.some((m) => m.type === 'Pods' || m.type === 'External')) return `: with no demand its metrics read 0 and it would fall to minReplicas (${minReplicas})`;
  return '';
}
