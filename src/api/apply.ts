// Creating a declared object, as `kubectl apply` of a manifest would: each kind into its store
// (workloads as live objects, see workloads.ts), a bare Pod through admission. Nodes are not
// applied: a Node exists because a kubelet registered it (cloud/cloudProvider.ts).
import type { KubeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { ApiServer } from './apiServer.ts';
import { newCronJob, newDaemonSet, newDeployment, newJob, newStatefulSet } from './workloads.ts';

export function apply(api: ApiServer, obj: Exclude<KubeObject, { kind: 'Node' }>): void {
  switch (obj.kind) {
    case 'Namespace':
      return api.ensureNamespace(obj.metadata.name, obj.metadata.labels);
    case 'PriorityClass':
      return api.addPriorityClass(obj);
    case 'LimitRange':
      return api.addLimitRange(obj);
    case 'ResourceQuota':
      return api.addResourceQuota(obj);
    case 'PodDisruptionBudget':
      api.podDisruptionBudgets.add(obj);
      return;
    case 'HorizontalPodAutoscaler':
      api.horizontalPodAutoscalers.add(obj);
      return;
    case 'VerticalPodAutoscaler':
      api.verticalPodAutoscalers.add(obj);
      return;
    case 'Deployment':
      api.deployments.add(newDeployment(obj));
      return;
    case 'StatefulSet':
      api.statefulSets.add(newStatefulSet(obj));
      return;
    case 'DaemonSet':
      api.daemonSets.add(newDaemonSet(obj));
      return;
    case 'Job':
      api.jobs.add(newJob(obj, {}, api.nowMs));
      return;
    case 'CronJob':
      api.cronJobs.add(newCronJob(obj, api.startEpochMs + api.nowMs));
      return;
    case 'Pod': {
      const result = api.createPod({
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        labels: obj.metadata.labels,
        annotations: obj.metadata.annotations,
        owner: null,
        spec: obj.spec,
      });
      if ('error' in result) api.emit('FailedCreate', objectRef(obj), '', `Error creating: ${result.error}`);
      return;
    }
  }
}
