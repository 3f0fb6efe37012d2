// NodePorts (framework/plugins/nodeports/node_ports.go): a pod fits a node only if none of its
// host ports (util.GetHostPorts) conflicts with the ports the node's pods already hold
// (NodeInfo.UsedPorts, HostPortInfo.CheckConflict).
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import type { HostPort } from '../../model/hostPorts.ts';
import { HostPortInfo, podHostPorts } from '../../model/hostPorts.ts';
import type { CycleState, FilterFailure, FilterPlugin } from '../framework.ts';
import { NOMINATED_STATE } from './nodeResourcesFit.ts';
import type { NominatedPods } from './nodeResourcesFit.ts';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const PRE_FILTER_KEY = 'PreFilterNodePorts';

export class NodePorts implements FilterPlugin {
  readonly name = NAME;

  /** Skip when the pod asks for no host port (upstream returns Skip). */
  preFilter(state: CycleState, pod: Pod): boolean {
    const ports = podHostPorts(pod.spec);
    if (ports.length === 0) return false;
    state.set(PRE_FILTER_KEY, ports);
    return true;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const wanted = (state.get(PRE_FILTER_KEY) as readonly HostPort[] | undefined) ?? podHostPorts(pod.spec);
    if (nodeInfo.usedPorts.fits(wanted) && fitsNominated(state, pod, wanted, nodeInfo)) return null;
    // Unschedulable, not UnschedulableAndUnresolvable: evicting the holder frees the port.
    return { plugin: NAME, reasons: [ERR_REASON], unresolvable: false };
  }
}

/** RunFilterPluginsWithNominatedPods filters against the node with the pods nominated to it (of
 *  at least the pod's priority) added, so their host ports are taken too. */
function fitsNominated(state: CycleState, pod: Pod, wanted: readonly HostPort[], nodeInfo: NodeInfo): boolean {
  const nominated = (state.get(NOMINATED_STATE) as NominatedPods | undefined)?.get(nodeInfo.node.name);
  if (!nominated) return true;
  for (const other of nominated) {
    if (other === pod || other.priority < pod.priority || other.node) continue;
    const held = podHostPorts(other.spec);
    if (held.length > 0 && !inUse(held).fits(wanted)) return false;
  }
  return true;
}

function inUse(ports: readonly HostPort[]): HostPortInfo {
  const info = new HostPortInfo();
  info.addPorts(ports, 1);
  return info;
}

/** isSchedulableAfterPodDeleted (the queueing hint) for a deleted pod that was on a node or
 *  nominated to one (the caller skips others): it held a host port the waiting pod wants. */
export function helpedByPodDeleted(waiting: Pod, deleted: Pod): boolean {
  const freed = podHostPorts(deleted.spec);
  if (freed.length === 0) return false;
  return !inUse(freed).fits(podHostPorts(waiting.spec));
}
