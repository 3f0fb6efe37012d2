// The scale subresource (autoscaling/v1 Scale of a Deployment or StatefulSet): what the HPA and
// `kubectl scale` read and write. Writing it changes spec.replicas and tells the workload's
// controller through its store; the ScaledUp/ScaledDown event records who asked and why.
import type { ApiServer } from './apiServer.ts';
import type { Deployment, StatefulSet } from './workloads.ts';

/** Who wrote the scale: the event's reporting component, and the words its message starts with. */
export interface ScaleCause {
  source: string;
  message: string;
}

export const HPA_SOURCE = 'horizontal-pod-autoscaler';

function scalable(api: ApiServer, ref: string): { obj: Deployment | StatefulSet; update(): void } | undefined {
  const d = api.deployments.get(ref);
  if (d) return { obj: d, update: () => api.deployments.update(d) };
  const s = api.statefulSets.get(ref);
  if (s) return { obj: s, update: () => api.statefulSets.update(s) };
  return undefined;
}

/** spec.replicas of "Deployment/ns/name" or "StatefulSet/ns/name"; undefined for anything else. */
export function getScale(api: ApiServer, ref: string): number | undefined {
  // Read on every HPA sync (200 HPAs x 172,800 syncs a month): no allocation.
  return (api.deployments.get(ref) ?? api.statefulSets.get(ref))?.replicas;
}

/** Sets spec.replicas; false when `ref` has no scale subresource here. */
export function setScale(api: ApiServer, ref: string, replicas: number, cause: ScaleCause): boolean {
  const target = scalable(api, ref);
  if (!target) return false;
  const obj = target.obj;
  if (obj.replicas === replicas) return true;
  api.emit(replicas > obj.replicas ? 'ScaledUp' : 'ScaledDown', obj.ref, '', `${cause.message} from ${obj.replicas} to ${replicas}`, cause.source);
  obj.replicas = replicas;
  target.update();
  return true;
}
