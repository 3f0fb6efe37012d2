// kubectl rollout restart (k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go): sets the
// kubectl.kubernetes.io/restartedAt annotation on the workload's pod template, which its
// controller sees as a new template and rolls out.
import type { ApiServer } from '../api/apiServer.ts';
import type { Store } from '../api/store.ts';
import type { PodTemplate } from '../model/pod.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** false when `ref` is not a Deployment, StatefulSet or DaemonSet of the cluster. */
export function rolloutRestart(api: ApiServer, ref: string): boolean {
  // kubectl writes its own clock's time: the scenario's wall clock, spec.start + t.
  const restartedAt = new Date(api.startEpochMs + api.nowMs).toISOString();
  return restart(api.deployments, ref, restartedAt) || restart(api.statefulSets, ref, restartedAt) || restart(api.daemonSets, ref, restartedAt);
}

/** A copy of the template with the annotation: the controller sees a new template, and the old
 *  one, which its ReplicaSets or revisions may share, stays as it was. */
function restart<T extends { template: PodTemplate }>(store: Store<T>, ref: string, restartedAt: string): boolean {
  const obj = store.get(ref);
  if (!obj) return false;
  const template = structuredClone(obj.template);
  template.annotations[RESTARTED_AT] = restartedAt;
  obj.template = template;
  store.update(obj);
  return true;
}
