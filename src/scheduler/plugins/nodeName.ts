// NodeName (plugins/nodename): a pod that names its node fits only there.
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { CycleState, FilterFailure, FilterPlugin } from '../framework.ts';

export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';

  preFilter(_state: CycleState, pod: Pod): boolean {
    return Boolean(pod.spec.nodeName);
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    if (nodeInfo.node.name === pod.spec.nodeName) return null;
    return { plugin: this.name, reasons: ["node(s) didn't match the requested node name"], unresolvable: true };
  }
}
