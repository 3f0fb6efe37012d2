// The kubelet flags its resource side reads, per node: a pool's settings, or the kubelet's
// defaults for a bare Node manifest (pkg/kubelet/apis/config/v1beta1/defaults.go).
import type { Node } from '../model/node.ts';
import type { CgroupVersion, NodePool } from '../model/scenario.ts';

export interface KubeletConfig {
  /** --eviction-hard memory.available, bytes. */
  readonly evictionHardMemoryBytes: number;
  /** --eviction-pressure-transition-period. */
  readonly evictionPressureTransitionPeriodMs: number;
  /** How cpu.shares reach the kernel (cpu.ts). */
  readonly cgroupVersion: CgroupVersion;
}

export const DEFAULT_KUBELET_CONFIG: KubeletConfig = {
  evictionHardMemoryBytes: 100 * 1024 * 1024,
  evictionPressureTransitionPeriodMs: 5 * 60_000,
  cgroupVersion: 'v2',
};

/** Each node's kubelet configuration: its pool's, else the defaults (a Karpenter node's too,
 *  whatever pool shares its NodePool's name). */
export function kubeletConfigs(pools: readonly NodePool[]): (node: Node) => KubeletConfig {
  const byPool = new Map<string, KubeletConfig>(
    pools.map((p) => [p.name, { evictionHardMemoryBytes: p.evictionHardMemoryBytes, evictionPressureTransitionPeriodMs: p.evictionPressureTransitionPeriodMs, cgroupVersion: p.cgroupVersion }]),
  );
  return (node) => (node.pool !== null && node.nodeClaim === undefined ? byPool.get(node.pool) : undefined) ?? DEFAULT_KUBELET_CONFIG;
}
