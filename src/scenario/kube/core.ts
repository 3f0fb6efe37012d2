// core/v1 Pod, Node and Namespace.
import { z } from 'zod';
import type { NamespaceObject, NodeObject, PodObject } from '../../model/objects.ts';
import { anything, resourceMap } from '../fields.ts';
import { kubeObject, taint } from './meta.ts';
import { podSpec, toPodSpec } from './pod.ts';
import { toMeta, toResourceMap, type Convert } from './convert.ts';

/** A pod's status as the cluster wrote it: only the phase is read (the cluster's state,
 *  scenario/clusterState.ts); every other status field is accepted as it is. */
const podStatus = z.looseObject({
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).optional().describe('Where the pod was when the cluster was dumped: Running on spec.nodeName starts there, Succeeded or Failed is history'),
});

export const podSchema = kubeObject({ spec: podSpec, status: podStatus.optional() });

export function toPod(o: z.output<typeof podSchema>, cv: Convert): PodObject {
  const pod: PodObject = { kind: 'Pod', apiVersion: o.apiVersion, metadata: toMeta(o.metadata, true), source: cv.source, spec: toPodSpec(o.spec, cv, ['spec']) };
  if (o.status?.phase !== undefined) pod.phase = o.status.phase;
  return pod;
}

export const nodeSchema = kubeObject({
  spec: z
    .strictObject({
      podCIDR: z.string().optional(),
      podCIDRs: z.array(z.string()).optional(),
      providerID: z.string().optional(),
      unschedulable: z.boolean().optional(),
      taints: z.array(taint).optional(),
      configSource: anything.optional(),
      externalID: z.string().optional(),
    })
    .optional(),
  status: z
    .strictObject({
      capacity: resourceMap(['pods']).optional(),
      allocatable: resourceMap(['pods']).optional(),
      phase: z.string().optional(),
      conditions: z.array(anything).optional(),
      addresses: z.array(anything).optional(),
      daemonEndpoints: anything.optional(),
      nodeInfo: anything.optional(),
      images: z.array(anything).optional(),
      volumesInUse: z.array(anything).optional(),
      volumesAttached: z.array(anything).optional(),
      config: anything.optional(),
      runtimeHandlers: z.array(anything).optional(),
      features: anything.optional(),
    })
    .optional(),
});

/** kubelet's default maxPods, used when a Node manifest does not state `pods`. */
const DEFAULT_MAX_PODS = 110;

export function toNode(o: z.output<typeof nodeSchema>, cv: Convert): NodeObject {
  const capacity = toResourceMap(o.status?.capacity, cv, ['status', 'capacity']);
  const allocatable = o.status?.allocatable ? toResourceMap(o.status.allocatable, cv, ['status', 'allocatable']) : { ...capacity };
  if (Object.keys(allocatable).length === 0) {
    cv.problem(['status'], 'a Node needs status.allocatable (or status.capacity): capsim places pods by it', 'e.g. status: {allocatable: {cpu: "4", memory: 16Gi, pods: 110}}');
  }
  for (const name of Object.keys(allocatable)) {
    if (name in capacity && allocatable[name] > capacity[name]) {
      cv.problem(['status', 'allocatable', name], `must be less than or equal to capacity (${o.status!.capacity![name]})`);
    }
  }
  if (!('pods' in allocatable)) allocatable.pods = capacity.pods ?? DEFAULT_MAX_PODS;
  if (Object.keys(capacity).length === 0) Object.assign(capacity, allocatable);
  return {
    kind: 'Node',
    apiVersion: o.apiVersion,
    metadata: toMeta(o.metadata, false),
    source: cv.source,
    spec: {
      unschedulable: o.spec?.unschedulable ?? false,
      taints: (o.spec?.taints ?? []).map(({ key, value, effect }) => (value === undefined ? { key, effect } : { key, value, effect })),
      ...(o.spec?.providerID ? { providerID: o.spec.providerID } : {}),
    },
    capacity,
    allocatable,
  };
}

export const namespaceSchema = kubeObject({ spec: z.strictObject({ finalizers: z.array(z.string()).optional() }).optional() });

export function toNamespace(o: z.output<typeof namespaceSchema>, cv: Convert): NamespaceObject {
  return { kind: 'Namespace', apiVersion: o.apiVersion, metadata: toMeta(o.metadata, false), source: cv.source };
}
