// The node lifecycle controller (pkg/controller/nodelifecycle, reference §5.7) with the cloud
// node lifecycle controller's part: a node whose kubelet stopped renewing its Lease is NotReady
// after node-monitor-grace-period, with the unreachable NoSchedule and NoExecute taints; its pods
// are evicted after their tolerationSeconds for the NoExecute taint (300 s by
// DefaultTolerationSeconds); a node whose machine the cloud no longer has is deleted (then the
// API's pod GC removes its pods).
import type { ApiServer, NodeLease } from '../api/apiServer.ts';
import type { CloudProvider } from '../cloud/cloudProvider.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Taint } from '../model/api.ts';
import { TAINT_UNREACHABLE } from '../model/api.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { isActive } from '../model/pod.ts';
import { Phase } from '../phases.ts';
import type { ControllerContext } from './context.ts';

export const NODE_MONITOR_GRACE_MS = 50_000;
export const DEFAULT_TOLERATION_SECONDS = 300;

const UNREACHABLE_TAINTS: Taint[] = [
  { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
  { key: TAINT_UNREACHABLE, effect: 'NoExecute' },
];

export class NodeLifecycleController {
  private readonly api: ApiServer;
  private readonly clock: Simulation;
  private readonly cloud: CloudProvider;

  constructor({ api, clock, cloud }: ControllerContext) {
    this.api = api;
    this.clock = clock;
    this.cloud = cloud;
    api.leases.watch({ added: (lease) => this.leaseChanged(lease), updated: (lease) => this.leaseChanged(lease) });
  }

  /** monitorNodeHealth: the first check after the Lease stopped being renewed that falls past the
   *  grace period finds the node silent. */
  private leaseChanged(lease: NodeLease): void {
    if (lease.renewing) return;
    const node = lease.node;
    this.clock.after(NODE_MONITOR_GRACE_MS, Phase.Node, () => {
      if (lease.renewing || node.state !== 'Ready') return;
      this.api.markNodeNotReady(node, UNREACHABLE_TAINTS);
      if (!this.cloud.instanceExists(node)) this.api.removeNode(node, 'Machine lost; Node deleted by the cloud node controller');
      else this.scheduleTaintEvictions(node);
    });
  }

  /** NoExecute taint manager: each pod goes after its toleration for the unreachable taint. */
  private scheduleTaintEvictions(node: Node): void {
    for (const pod of node.info.pods.slice()) {
      const seconds = tolerationSecondsForUnreachable(pod);
      if (seconds === null) continue;
      this.clock.after(seconds * 1000, Phase.Node, () => {
        if (node.state !== 'NotReady' || pod.node !== node || !isActive(pod)) return;
        this.api.deletePod(pod, 'Evicted', `Taint manager: node ${node.name} unreachable for ${seconds}s`);
      });
    }
  }
}

/** DefaultTolerationSeconds gives every pod 300 s unless it brings its own toleration. */
function tolerationSecondsForUnreachable(pod: Pod): number | null {
  for (const t of pod.spec.tolerations) {
    const keyMatches = t.operator === 'Exists' ? !t.key || t.key === TAINT_UNREACHABLE : t.key === TAINT_UNREACHABLE;
    const effectMatches = !t.effect || t.effect === 'NoExecute';
    if (keyMatches && effectMatches) return t.tolerationSeconds ?? null;
  }
  return DEFAULT_TOLERATION_SECONDS;
}
