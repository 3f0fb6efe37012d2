// Creating a declared object, as `kubectl apply` of a manifest would: each kind into its store
// (workloads as live objects, see workloads.ts), a bare Pod through admission. Nodes are not
// applied: a Node exists because a kubelet registered it (cloud/cloudProvider.ts). What a
// cluster's state adds (scenario/clusterState.ts): a ReplicaSet under its Deployment, a Job as
// its CronJob's, a Pod with its controller, bound to the node it runs on.
import type { KubeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { ApiServer } from './apiServer.ts';
import { adoptedReplicaSet, newCronJob, newDaemonSet, newDeployment, newJob, newStatefulSet } from './workloads.ts';

/** Rollouts and ScaledObjects never reach the API: the loader turns them into what they run as. */
type Applicable = Exclude<KubeObject, { kind: 'Node' | 'Rollout' | 'ScaledObject' }>;

export function apply(api: ApiServer, obj: Applicable, createdMs = api.nowMs): void {
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
    case 'ReplicaSet':
      api.replicaSets.add(adoptedReplicaSet(obj, createdMs));
      return;
    case 'Job':
      api.jobs.add(newJob(obj, obj.cronJob ? { workload: obj.cronJob, cronJob: obj.cronJob } : {}, api.nowMs));
      return;
    case 'CronJob':
      api.cronJobs.add(newCronJob(obj, api.startEpochMs + api.nowMs));
      return;
    case 'Pod': {
      const state = obj.state;
      const result = api.createPod({
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        labels: obj.metadata.labels,
        annotations: obj.metadata.annotations,
        owner: state?.owner ?? null,
        workload: state?.workload,
        spec: obj.spec,
      });
      if ('error' in result) {
        api.emit('FailedCreate', objectRef(obj), '', `Error creating: ${result.error}`);
        return;
      }
      // Running there in the cluster's state: bound without a scheduler pass, as it was.
      const node = state?.running ? api.node(obj.spec.nodeName!) : undefined;
      if (node) api.bindPod(result.pod, node, 'Running in the cluster\'s state');
      return;
    }
  }
}
