// Host ports as Karpenter's provisioner tracks them per node and NodeClaim: a port of
// kubernetes-sigs/karpenter@22664681:pkg/scheduling/hostportusage.go (HostPortUsage, HostPort.Matches,
// GetHostPorts). Unlike kube-scheduler's util.GetHostPorts, Karpenter reads regular containers only
// (restartable init containers' ports are not counted), and two entries clash when protocol and port
// are equal and the IPs are equal or either is unspecified (0.0.0.0 or ::).
import type { Pod } from '../model/pod.ts';

export interface KarpenterHostPort {
  ip: string;
  port: number;
  protocol: string;
}

const NONE: readonly KarpenterHostPort[] = [];

/** GetHostPorts: every regular container port with a hostPort, hostIP defaulted to 0.0.0.0. */
export function karpenterHostPorts(pod: Pod): readonly KarpenterHostPort[] {
  let out: KarpenterHostPort[] | null = null;
  for (const c of pod.spec.containers) {
    for (const p of c.hostPorts ?? []) {
      if (p.hostPort === 0) continue;
      (out ??= []).push({ ip: p.hostIP || '0.0.0.0', port: p.hostPort, protocol: p.protocol });
    }
  }
  return out ?? NONE;
}

const unspecified = (ip: string) => ip === '0.0.0.0' || ip === '::';

/** HostPort.Matches. */
export function hostPortsMatch(a: KarpenterHostPort, b: KarpenterHostPort): boolean {
  return a.protocol === b.protocol && a.port === b.port && (a.ip === b.ip || unspecified(a.ip) || unspecified(b.ip));
}

/** HostPortUsage: the ports the pods on one node (or NodeClaim) hold, by pod. */
export class HostPortUsage {
  private readonly reserved = new Map<string, readonly KarpenterHostPort[]>();

  get size(): number {
    return this.reserved.size;
  }

  add(podKey: string, ports: readonly KarpenterHostPort[]): void {
    if (ports.length > 0) this.reserved.set(podKey, ports);
  }

  /** Conflicts: the clash as upstream words it, or undefined. */
  conflicts(podKey: string, ports: readonly KarpenterHostPort[]): string | undefined {
    for (const p of ports) {
      for (const [key, entries] of this.reserved) {
        if (key === podKey) continue;
        for (const e of entries) {
          if (hostPortsMatch(p, e)) return `pod hostport conflicts with existing hostport configuration (${p.protocol}/${p.port} on ${p.ip}, held by ${key})`;
        }
      }
    }
    return undefined;
  }

  clone(): HostPortUsage {
    const out = new HostPortUsage();
    for (const [k, v] of this.reserved) out.reserved.set(k, v);
    return out;
  }
}
