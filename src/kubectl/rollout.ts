// kubectl rollout restart (k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go): sets the
// kubectl.kubernetes.io/restartedAt annotation on the workload's pod template, which its
// controller sees as a new template and rolls out.
import type { ApiServer } from '../api/apiServer.ts';
import type { PodTemplate } from '../model/pod.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** false when `ref` is not a Deployment, StatefulSet or DaemonSet of the cluster. */
export function rolloutRestart(api: ApiServer, ref: string): boolean {
  const restarted = (template: PodTemplate): PodTemplate => {
    const copy = structuredClone(template);
    copy.annotations[RESTARTED_AT] = new Date(api.nowMs).toISOString();
    return copy;
  };
  const d = api.deployments.get(ref);
  if (d) {
    d.template = restarted(d.template);
    api.deployments.update(d);
    return true;
  }
  const s = api.statefulSets.get(ref);
  if (s) {
    s.template = restarted(s.template);
    api.statefulSets.update(s);
    return true;
  }
  const ds = api.daemonSets.get(ref);
  if (ds) {
    ds.template = restarted(ds.template);
    api.daemonSets.update(ds);
    return true;
  }
  return false;
}
