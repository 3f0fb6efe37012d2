// Mutating admission webhooks (the VPA's admission controller is one): what a hook sees of a
// pod being created, and what it may return. The API server runs them in registration order,
// before LimitRange defaulting and quota admission.
import type { OwnerRef, PodSpec } from '../../model/pod.ts';

/** What a mutating admission hook sees of a pod being created (a mutating webhook's view). */
export interface AdmissionRequest {
  namespace: string;
  labels: Record<string, string>;
  owner: OwnerRef | null;
  workload?: string;
  /** The spec as submitted; shared with the template that made it, so never mutate it. */
  spec: PodSpec;
}

/** A mutating admission hook (e.g. the VPA admission controller): returns a modified copy of the
 *  spec, or undefined to leave the pod as it is. */
export type AdmissionHook = (request: AdmissionRequest) => PodSpec | undefined;
