// A container's recommendation as the `resources:` block to paste into its manifest, as
// Goldilocks shows it: requests at the recommender's target; a limit the container had is scaled
// with its request, keeping the limit:request ratio as the VPA admission controller does
// (kubernetes/autoscaler vertical-pod-autoscaler/pkg/utils/vpa/limit_and_request_scaling.go,
// GetProportionalLimit: newLimit = originalLimit × recommendedRequest / originalRequest). No limit
// is invented where there was none. CPU in millicores (whole cores when exact), memory in Mi
// rounded up (Gi when exact).
import type { RecommendationRow } from '../controllers/vpa/controller.ts';

const MiB = 2 ** 20;

export function cpuQuantity(milli: number): string {
  const m = Math.ceil(milli);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function memoryQuantity(bytes: number): string {
  const mi = Math.ceil(bytes / MiB);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** The request and limit of one resource: the target, and the limit scaled with it. */
function scaled(request: number | null, limit: number | null, target: number | null): { request: number | null; limit: number | null } {
  if (target === null) return { request, limit };
  if (limit === null) return { request: target, limit: null };
  if (request === null || request <= 0) return { request: target, limit: Math.max(limit, target) };
  return { request: target, limit: Math.ceil((limit * target) / request) };
}

/** `resources:` YAML for the container, or '' without a recommendation. */
export function resourcesYaml(row: RecommendationRow): string {
  const rec = row.recommendation;
  if (!rec) return '';
  const cpu = scaled(row.cpuRequestMilli, row.cpuLimitMilli, rec.target.cpuMilli);
  const memory = scaled(row.memoryRequestBytes, row.memoryLimitBytes, rec.target.memoryBytes);
  const lines = ['resources:'];
  const block = (name: string, c: number | null, m: number | null) => {
    if (c === null && m === null) return;
    lines.push(`  ${name}:`);
    if (c !== null) lines.push(`    cpu: ${cpuQuantity(c)}`);
    if (m !== null) lines.push(`    memory: ${memoryQuantity(m)}`);
  };
  block('requests', cpu.request, memory.request);
  block('limits', cpu.limit, memory.limit);
  return lines.join('\n') + '\n';
}
