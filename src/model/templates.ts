// Pod templates compared as the Deployment controller compares them (EqualIgnoreHash in
// pkg/controller/deployment/util/deployment_util.go): equal but for the hash label a controller
// adds to its ReplicaSet's template. The loader uses it to tell which ReplicaSet of a cluster's
// state is its Deployment's current one (FindNewReplicaSet), the Deployment controller to adopt it.
import type { PodTemplate } from './pod.ts';

/** pod-template-hash (Deployments), rollouts-pod-template-hash (Argo Rollouts). */
export const TEMPLATE_HASH_LABELS = ['pod-template-hash', 'rollouts-pod-template-hash'];

/** JSON with sorted keys, so equal templates print equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutHash(t: PodTemplate): PodTemplate {
  const labels = { ...t.labels };
  for (const key of TEMPLATE_HASH_LABELS) delete labels[key];
  return { ...t, labels };
}

/** EqualIgnoreHash: the templates are equal once the hash labels are left out. */
export function equalIgnoringHash(a: PodTemplate, b: PodTemplate): boolean {
  return stableStringify(withoutHash(a)) === stableStringify(withoutHash(b));
}
