// Host ports: which (hostIP, protocol, hostPort) a pod claims on its node, and the per-node set
// kube-scheduler keeps of them (framework.HostPortInfo, types.go; util.GetHostPorts).
import type { Container, PodSpec } from './pod.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One containerPort with a hostPort > 0, as admitted: protocol defaulted to TCP, hostIP as written. */
export interface HostPort {
  hostPort: number;
  /** Absent or '' binds every address, as 0.0.0.0 does. */
  hostIP?: string;
  protocol: Protocol;
}

/** upstream DefaultBindAllHostIP. */
export const BIND_ALL_HOST_IP = '0.0.0.0';

const NONE: readonly HostPort[] = [];

/** util.GetHostPorts: the host ports of restartable init containers (sidecars run for the pod's
 *  whole life) and regular containers; plain init containers claim none. */
export function podHostPorts(spec: PodSpec): readonly HostPort[] {
  let out: HostPort[] | null = null;
  const take = (c: Container) => {
    if (!c.hostPorts?.length) return;
    out ??= [];
    for (const p of c.hostPorts) if (p.hostPort > 0) out.push(p);
  };
  for (const c of spec.initContainers) if (c.restartPolicy === 'Always') take(c);
  for (const c of spec.containers) take(c);
  return out ?? NONE;
}

/** framework.HostPortInfo: used (ip, protocol, port) triples of one node. Upstream keeps a set;
 *  here each triple is counted, so removing one pod never frees a port another pod on the node
 *  still holds (only possible when something bypassed the check, e.g. a nodeName pod). */
export class HostPortInfo {
  /** "protocol/port" -> host IP -> number of pods holding it. */
  private readonly byPort = new Map<string, Map<string, number>>();

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const key = portKey(protocol, port);
    let ips = this.byPort.get(key);
    if (!ips) this.byPort.set(key, (ips = new Map()));
    const host = sanitizeIp(ip);
    ips.set(host, (ips.get(host) ?? 0) + 1);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const key = portKey(protocol, port);
    const ips = this.byPort.get(key);
    const host = sanitizeIp(ip);
    const n = ips?.get(host);
    if (!ips || n === undefined) return;
    if (n > 1) ips.set(host, n - 1);
    else {
      ips.delete(host);
      if (ips.size === 0) this.byPort.delete(key);
    }
  }

  /** Distinct (ip, protocol, port) triples in use (HostPortInfo.Len). */
  get size(): number {
    let n = 0;
    for (const ips of this.byPort.values()) n += ips.size;
    return n;
  }

  /** CheckConflict: 0.0.0.0 conflicts with the same protocol/port on any IP; a specific IP
   *  conflicts with itself and with 0.0.0.0. */
  conflicts(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (port <= 0 || this.byPort.size === 0) return false;
    const ips = this.byPort.get(portKey(protocol, port));
    if (!ips) return false;
    const host = sanitizeIp(ip);
    if (host === BIND_ALL_HOST_IP) return ips.size > 0;
    return ips.has(BIND_ALL_HOST_IP) || ips.has(host);
  }

  /** fitsPorts: none of `wanted` conflicts with what is in use. */
  fits(wanted: readonly HostPort[]): boolean {
    for (const p of wanted) if (this.conflicts(p.hostIP, p.protocol, p.hostPort)) return false;
    return true;
  }

  addPorts(ports: readonly HostPort[], sign: 1 | -1): void {
    for (const p of ports) {
      if (sign > 0) this.add(p.hostIP, p.protocol, p.hostPort);
      else this.remove(p.hostIP, p.protocol, p.hostPort);
    }
  }
}

/** HostPortInfo.sanitize: an empty protocol is TCP, an empty IP is 0.0.0.0. */
function portKey(protocol: string | undefined, port: number): string {
  return `${protocol || 'TCP'}/${port}`;
}

function sanitizeIp(ip: string | undefined): string {
  return ip || BIND_ALL_HOST_IP;
}
