// LimitRanger admission (plugin/pkg/admission/limitranger): container defaults, then min/max/
// ratio validation. Defaulting of the LimitRange object itself follows SetDefaults_LimitRangeItem:
// max -> default limit, default limit -> default request, min -> default request.
import type { LimitRangeItem, LimitRangeObject } from '../../model/objects.ts';
import type { Container, PodSpec } from '../../model/pod.ts';
import type { ResourceMap } from '../../model/resources.ts';
import { formatResource } from '../../quantity.ts';
import { podLimits, podRequests } from '../../model/podResources.ts';
import { amountOf } from '../../model/resources.ts';

interface EffectiveItem extends LimitRangeItem {
  default: ResourceMap;
  defaultRequest: ResourceMap;
}

function effective(item: LimitRangeItem): EffectiveItem {
  const def: ResourceMap = { ...(item.default ?? {}) };
  const defReq: ResourceMap = { ...(item.defaultRequest ?? {}) };
  if (item.type === 'Container') {
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
  }
  return { ...item, default: def, defaultRequest: defReq };
}

/** Fills missing container requests/limits from the namespace's LimitRanges (mutates the spec). */
export function applyLimitRangeDefaults(spec: PodSpec, ranges: readonly LimitRangeObject[]): void {
  for (const range of ranges) {
    for (const raw of range.spec.limits) {
      if (raw.type !== 'Container') continue;
      const item = effective(raw);
      for (const c of spec.containers.concat(spec.initContainers)) {
        for (const [k, v] of Object.entries(item.default)) if (!(k in c.limits)) c.limits[k] = v;
        for (const [k, v] of Object.entries(item.defaultRequest)) if (!(k in c.requests)) c.requests[k] = v;
      }
    }
  }
}

/** Every min/max/maxLimitRequestRatio violation, in upstream wording. */
export function limitRangeViolations(spec: PodSpec, ranges: readonly LimitRangeObject[]): string[] {
  const errors: string[] = [];
  for (const range of ranges) {
    for (const item of range.spec.limits) {
      if (item.type === 'Container') {
        for (const c of spec.containers.concat(spec.initContainers)) errors.push(...checkItem('Container', item, c.requests, c.limits));
      } else if (item.type === 'Pod') {
        const requests = requestMapOf(spec);
        errors.push(...checkItem('Pod', item, requests, podLimits(spec)));
      }
    }
  }
  return errors;
}

function requestMapOf(spec: PodSpec): ResourceMap {
  const list = podRequests(spec);
  const map: ResourceMap = {};
  if (list.cpuMilli) map.cpu = list.cpuMilli;
  if (list.memoryBytes) map.memory = list.memoryBytes;
  if (list.ephemeralStorageBytes) map['ephemeral-storage'] = list.ephemeralStorageBytes;
  for (const k of Object.keys(list.scalar)) map[k] = amountOf(list, k);
  return map;
}

function checkItem(limitType: string, item: LimitRangeItem, requests: ResourceMap, limits: ResourceMap): string[] {
  const errors: string[] = [];
  const q = formatResource;
  for (const [name, min] of Object.entries(item.min ?? {})) {
    if (!(name in requests)) errors.push(`minimum ${name} usage per ${limitType} is ${q(name, min)}.  No request is specified`);
    else if (requests[name] < min) errors.push(`minimum ${name} usage per ${limitType} is ${q(name, min)}, but request is ${q(name, requests[name])}`);
    else if (name in limits && limits[name] < min) errors.push(`minimum ${name} usage per ${limitType} is ${q(name, min)}, but limit is ${q(name, limits[name])}`);
  }
  for (const [name, max] of Object.entries(item.max ?? {})) {
    if (!(name in limits)) errors.push(`maximum ${name} usage per ${limitType} is ${q(name, max)}.  No limit is specified`);
    else if (limits[name] > max) errors.push(`maximum ${name} usage per ${limitType} is ${q(name, max)}, but limit is ${q(name, limits[name])}`);
    else if (name in requests && requests[name] > max) errors.push(`maximum ${name} usage per ${limitType} is ${q(name, max)}, but request is ${q(name, requests[name])}`);
  }
  for (const [name, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    // Ratios are plain quantities; cpu-valued maps store them in milli-units like any cpu amount.
    const maxRatio = name === 'cpu' ? ratio / 1000 : ratio;
    const shown = formatResource('', maxRatio);
    if (!(name in limits)) errors.push(`${name} max limit to request ratio per ${limitType} is ${shown}, but no limit is specified`);
    else if (!requests[name]) errors.push(`${name} max limit to request ratio per ${limitType} is ${shown}, but no request is specified or request is 0`);
    else {
      const observed = limits[name] / requests[name];
      if (observed > maxRatio) errors.push(`${name} max limit to request ratio per ${limitType} is ${shown}, but provided ratio is ${observed.toFixed(6)}`);
    }
  }
  return errors;
}

export type { Container };
