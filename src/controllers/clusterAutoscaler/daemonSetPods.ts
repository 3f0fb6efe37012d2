// The DaemonSet pods a node would run (utils/daemonset GetDaemonSetPodsForNode): the cluster
// autoscaler puts them on its template and upcoming nodes, since a new node will run them
// (reference §3.3). Upstream makes each from the DaemonSet's template; capsim copies a running
// pod of each DaemonSet that should run on the node (the first bound, active one in creation
// order), so what admission did to it (LimitRange defaults, a VPA) is counted too. A DaemonSet
// with no pod yet has nothing to copy and is left out.
import type { ApiServer } from '../../api/apiServer.ts';
import { shouldRunDaemonPod } from '../../api/workloads.ts';
import type { Node } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { isActive } from '../../model/pod.ts';

export function daemonSetPodsFor(api: ApiServer, node: Node): Pod[] {
  const samples: Pod[] = [];
  for (const ds of api.daemonSets.list()) {
    if (!shouldRunDaemonPod(ds, node)) continue;
    for (const pod of api.podsOwnedBy(ds.ref)) {
      if (isActive(pod) && pod.node !== null) {
        samples.push(pod);
        break;
      }
    }
  }
  return samples;
}
