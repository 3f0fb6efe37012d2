// Checks between objects: a pod's priorityClassName names a PriorityClass, an HPA or VPA
// targets a declared workload, at most one global-default PriorityClass, one HPA per target.
import type { KubeObject } from '../model/objects.ts';
import type { PodSpec } from '../model/pod.ts';
import { didYouMean, type Problems, type Site } from './problems.ts';
import { SYSTEM_PRIORITY_CLASSES } from './kube/policy.ts';
import type { Declared } from './manifests.ts';
import type { PathPart } from './source.ts';

/** Where a model object's pod spec sits in its manifest. */
export function podSpecOf(o: KubeObject): { spec: PodSpec; path: PathPart[] } | undefined {
  switch (o.kind) {
    case 'Pod':
      return { spec: o.spec, path: ['spec'] };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return { spec: o.spec.template.spec, path: ['spec', 'template', 'spec'] };
    case 'CronJob':
      return { spec: o.spec.jobTemplate.spec.template.spec, path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] };
    default:
      return undefined;
  }
}

const HPA_TARGET_KINDS = ['Deployment', 'StatefulSet'];
const VPA_TARGET_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

export function checkReferences(objects: KubeObject[], siteOf: Map<KubeObject, Site>, declared: Map<string, Declared>, problems: Problems): void {
  const priorityClasses = new Set(Object.keys(SYSTEM_PRIORITY_CLASSES));
  for (const d of declared.values()) if (d.kind === 'PriorityClass') priorityClasses.add(d.name);

  let globalDefault: KubeObject | undefined;
  const hpaTargets = new Map<string, KubeObject>();

  for (const o of objects) {
    const site = siteOf.get(o)!;
    const pod = podSpecOf(o);
    const pc = pod?.spec.priorityClassName;
    if (pod && pc !== undefined && pc !== '' && !priorityClasses.has(pc)) {
      problems.add(site, [...pod.path, 'priorityClassName'], `no PriorityClass "${pc}"`, didYouMean(pc, [...priorityClasses]) ?? `declare it (apiVersion: scheduling.k8s.io/v1, kind: PriorityClass), or use ${Object.keys(SYSTEM_PRIORITY_CLASSES).join(' / ')}`);
    }
    if (o.kind === 'PriorityClass' && o.globalDefault) {
      if (globalDefault) problems.add(site, ['globalDefault'], `PriorityClass "${globalDefault.metadata.name}" is already marked as default`, 'only one PriorityClass can be the global default');
      else globalDefault = o;
    }
    if (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'VerticalPodAutoscaler') {
      const isHpa = o.kind === 'HorizontalPodAutoscaler';
      const ref = isHpa ? o.spec.scaleTargetRef : o.spec.targetRef;
      const at: PathPart[] = ['spec', isHpa ? 'scaleTargetRef' : 'targetRef'];
      const kinds = isHpa ? HPA_TARGET_KINDS : VPA_TARGET_KINDS;
      const target = `${ref.kind}/${o.metadata.namespace}/${ref.name}`;
      if (!kinds.includes(ref.kind)) {
        problems.add(site, [...at, 'kind'], `capsim ${isHpa ? 'scales' : 'sizes'} ${kinds.join(', ')}, not ${ref.kind}`, didYouMean(ref.kind, kinds));
      } else if (!declared.has(target)) {
        const candidates = [...declared.values()].filter((d) => kinds.includes(d.kind) && d.namespace === o.metadata.namespace);
        const close = didYouMean(ref.name, candidates.filter((d) => d.kind === ref.kind).map((d) => d.name));
        const other = candidates.find((d) => d.name === ref.name);
        const hint = other ? `${ref.name} is a ${other.kind}; set kind: ${other.kind}` : close ?? `no ${ref.kind} in namespace ${o.metadata.namespace} is named ${ref.name}`;
        problems.add(site, [...at, 'name'], `${o.kind} targets ${target}, which is not declared`, hint);
      } else if (isHpa) {
        const first = hpaTargets.get(target);
        if (first) problems.add(site, [...at, 'name'], `${target} is already scaled by HorizontalPodAutoscaler "${first.metadata.name}"`, 'two HPAs on one workload fight each other (upstream reports AmbiguousSelector); keep one');
        else hpaTargets.set(target, o);
      }
    }
  }
}
