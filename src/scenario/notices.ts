// What a run of the scenario will simulate against advice, said before it starts: an HPA and a VPA
// acting on the same resource of one workload. (What it does not simulate at all, e.g. an HPA's
// Object metrics or `run:` on a bare pod, the loader reports: fieldSupport.ts.)
import type { HpaObject, VpaObject } from '../model/objects.ts';
import type { Scenario } from '../model/scenario.ts';

export function simulationNotices(scenario: Scenario): string[] {
  const notices: string[] = [];
  const vpas = scenario.objects.filter((o): o is VpaObject => o.kind === 'VerticalPodAutoscaler');
  for (const hpa of scenario.objects) if (hpa.kind === 'HorizontalPodAutoscaler') notices.push(...hpaNotices(hpa, vpas));
  return notices;
}

/** A VPA sizing a resource the HPA scales on works against it (upstream advice: do not combine
 *  them on CPU or memory). */
function hpaNotices(hpa: HpaObject, vpas: readonly VpaObject[]): string[] {
  const notices: string[] = [];
  const scaledOn = new Set(hpa.spec.metrics.flatMap((m) => (m.type === 'Resource' ? [m.resource.name] : m.type === 'ContainerResource' ? [m.containerResource.name] : [])));
  const target = hpa.spec.scaleTargetRef;
  for (const vpa of vpas) {
    if (vpa.metadata.namespace !== hpa.metadata.namespace) continue;
    if (vpa.spec.targetRef.kind !== target.kind || vpa.spec.targetRef.name !== target.name) continue;
    const policies = vpa.spec.resourcePolicy.containerPolicies;
    const controlled = policies.length === 0
      ? ['cpu', 'memory']
      : policies.filter((p) => p.mode !== 'Off').flatMap((p) => p.controlledResources ?? ['cpu', 'memory']);
    const both = ['cpu', 'memory'].filter((r) => scaledOn.has(r) && controlled.includes(r));
    if (both.length > 0) {
      notices.push(`warning: HorizontalPodAutoscaler/${hpa.metadata.namespace}/${hpa.metadata.name} and VerticalPodAutoscaler/${vpa.metadata.namespace}/${vpa.metadata.name} both act on ${both.join(' and ')} of ${target.kind}/${hpa.metadata.namespace}/${target.name}; they work against each other (scale on a Pods or External metric instead)`);
    }
  }
  return notices;
}
