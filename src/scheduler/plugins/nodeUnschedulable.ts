// NodeUnschedulable (plugins/nodeunschedulable): a cordoned node takes only pods that tolerate
// node.kubernetes.io/unschedulable:NoSchedule (DaemonSet pods do).
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { TAINT_UNSCHEDULABLE } from '../../model/api.ts';
import type { CycleState, FilterFailure, FilterPlugin } from '../framework.ts';
import { toleratesTaint } from '../../model/taints.ts';

const TAINT = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' as const };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    if (!nodeInfo.node.unschedulable) return null;
    if (toleratesTaint(pod.spec.tolerations, TAINT)) return null;
    return { plugin: this.name, reasons: ['node(s) were unschedulable'], unresolvable: true };
  }
}
