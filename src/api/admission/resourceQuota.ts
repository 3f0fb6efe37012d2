// ResourceQuota admission and usage (pkg/quota/v1/evaluator/core/pods.go and the quota admission
// controller): a pod is refused when any tracked resource would exceed `hard`, with upstream's
// message "exceeded quota: NAME, requested: pods=1, used: pods=100, limited: pods=100".
import type { ResourceQuotaObject } from '../../model/objects.ts';
import type { Pod, PodSpec } from '../../model/pod.ts';
import type { ResourceMap } from '../../model/resources.ts';
import { formatResource } from '../../quantity.ts';
import { podLimits } from '../../model/podResources.ts';

export class QuotaTracker {
  readonly used: ResourceMap = {};

  constructor(readonly quota: ResourceQuotaObject) {
    for (const name of Object.keys(quota.spec.hard)) this.used[name] = 0;
  }

  get name(): string {
    return this.quota.metadata.name;
  }

  /** Whether the quota's scopes select this pod (BestEffort / NotBestEffort; others match all). */
  selects(pod: Pod): boolean {
    for (const scope of this.quota.spec.scopes) {
      if (scope === 'BestEffort' && pod.qos !== 'BestEffort') return false;
      if (scope === 'NotBestEffort' && pod.qos === 'BestEffort') return false;
    }
    return true;
  }

  /** null when admitted; otherwise the refusal message (without the "pods X is forbidden" prefix). */
  check(pod: Pod): string | null {
    const missing = this.missingRequirements(pod.spec);
    if (missing.length > 0) return `failed quota: ${this.name}: must specify ${missing.join(',')}`;
    const requested = quotaUsage(pod, this.quota.spec.hard);
    const exceeded = Object.keys(requested)
      .filter((name) => this.used[name] + requested[name] > this.quota.spec.hard[name])
      .sort();
    if (exceeded.length === 0) return null;
    const show = (map: ResourceMap) => exceeded.map((n) => `${n}=${formatResource(n, map[n])}`).join(',');
    return `exceeded quota: ${this.name}, requested: ${show(requested)}, used: ${show(this.used)}, limited: ${show(this.quota.spec.hard)}`;
  }

  charge(pod: Pod, sign: 1 | -1): void {
    const usage = quotaUsage(pod, this.quota.spec.hard);
    for (const name of Object.keys(usage)) this.used[name] += sign * usage[name];
  }

  /** Compute resources that the quota tracks but a container does not specify. */
  private missingRequirements(spec: PodSpec): string[] {
    const missing = new Set<string>();
    const hard = this.quota.spec.hard;
    for (const c of spec.containers.concat(spec.initContainers)) {
      for (const res of ['cpu', 'memory', 'ephemeral-storage']) {
        if ((`requests.${res}` in hard || res in hard) && !(res in c.requests)) missing.add(`requests.${res}`);
        if (`limits.${res}` in hard && !(res in c.limits)) missing.add(`limits.${res}`);
      }
    }
    return [...missing].sort();
  }
}

/** The pod's usage of each resource name the quota tracks. */
export function quotaUsage(pod: Pod, hard: ResourceMap): ResourceMap {
  const requests = pod.requests;
  const limits = podLimits(pod.spec);
  const usage: ResourceMap = {};
  for (const name of Object.keys(hard)) {
    const amount = usageOf(name, requests, limits);
    if (amount !== undefined) usage[name] = amount;
  }
  return usage;
}

function usageOf(name: string, requests: Pod['requests'], limits: ResourceMap): number | undefined {
  switch (name) {
    case 'pods':
    case 'count/pods':
      return 1;
    case 'cpu':
    case 'requests.cpu':
      return requests.cpuMilli;
    case 'memory':
    case 'requests.memory':
      return requests.memoryBytes;
    case 'ephemeral-storage':
    case 'requests.ephemeral-storage':
      return requests.ephemeralStorageBytes;
    case 'limits.cpu':
      return limits.cpu ?? 0;
    case 'limits.memory':
      return limits.memory ?? 0;
    case 'limits.ephemeral-storage':
      return limits['ephemeral-storage'] ?? 0;
  }
  if (name.startsWith('requests.')) return requests.scalar[name.slice('requests.'.length)] ?? 0;
  if (name.startsWith('limits.')) return limits[name.slice('limits.'.length)] ?? 0;
  return undefined; // object counts other than pods, storage: not charged by pods
}
