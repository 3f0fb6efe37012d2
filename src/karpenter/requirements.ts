// Karpenter's scheduling requirements: a set of allowed values per label key, as a NodePool's
// spec.template.spec.requirements, an instance type's labels and a pod's node affinity are
// compared by the provisioner and by consolidation. A port of
//   kubernetes-sigs/karpenter@22664681:pkg/scheduling/requirement.go (Requirement)
//   kubernetes-sigs/karpenter@22664681:pkg/scheduling/requirements.go (Requirements)
//   kubernetes-sigs/karpenter@22664681:pkg/apis/v1/labels.go (well-known, restricted, normalized)
//   aws/karpenter-provider-aws@1d927085:pkg/apis/v1/labels.go (the AWS provider's additions)
// Its tests port upstream's requirement_test.go and requirements_test.go tables
// (test/karpenter-requirements.test.ts).
//
// A Requirement is a set of values or its complement, with optional inclusive integer bounds:
// In {a,b} is {a,b}; NotIn {a} is the complement of {a}; Exists is the complement of {}; and
// DoesNotExist is {}. Gt N is Exists with gte N+1, Lt N Exists with lte N-1 (canonicalized as
// upstream does); v1 adds Gte and Lte. A value outside the bounds, or not an integer while a
// bound is set, is not in the set.

import type { Operator } from '../model/karpenter.ts';
import { own } from '../model/records.ts';

export { OPERATORS, type Operator } from '../model/karpenter.ts';

export interface Requirement {
  readonly key: string;
  readonly complement: boolean;
  readonly values: ReadonlySet<string>;
  /** Inclusive lower bound (Gt N is stored as gte N+1). */
  readonly gte?: number;
  /** Inclusive upper bound (Lt N is stored as lte N-1). */
  readonly lte?: number;
  /** How many distinct values of this key a launch decision must keep open (NodePool minValues). */
  readonly minValues?: number;
}

// Labels (kubernetes-sigs/karpenter@22664681:pkg/apis/v1/labels.go; corev1 well-known labels).
export const LABEL_NODEPOOL = 'karpenter.sh/nodepool';
export const LABEL_CAPACITY_TYPE = 'karpenter.sh/capacity-type';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_WINDOWS_BUILD = 'node.kubernetes.io/windows-build';

// The AWS provider's instance labels (aws/karpenter-provider-aws@1d927085:pkg/apis/v1/labels.go).
export const AWS_LABEL = {
  category: 'karpenter.k8s.aws/instance-category',
  family: 'karpenter.k8s.aws/instance-family',
  generation: 'karpenter.k8s.aws/instance-generation',
  size: 'karpenter.k8s.aws/instance-size',
  cpu: 'karpenter.k8s.aws/instance-cpu',
  memory: 'karpenter.k8s.aws/instance-memory',
  gpuCount: 'karpenter.k8s.aws/instance-gpu-count',
} as const;

// The Azure provider's SKU labels (Azure/karpenter-provider-azure@352646f5:pkg/apis/v1beta1/labels.go).
export const AZURE_LABEL = {
  name: 'karpenter.azure.com/sku-name',
  family: 'karpenter.azure.com/sku-family',
  series: 'karpenter.azure.com/sku-series',
  version: 'karpenter.azure.com/sku-version',
  cpu: 'karpenter.azure.com/sku-cpu',
  memory: 'karpenter.azure.com/sku-memory',
  gpuCount: 'karpenter.azure.com/sku-gpu-count',
} as const;

/** The AWS provider's other well-known labels: valid in a requirement, but capsim's catalog does
 *  not know their values (hypervisor, bandwidths, GPU names, local NVMe, ...), so a requirement
 *  on one narrows nothing in capsim's menu and is warned about. */
export const AWS_UNMODELLED_LABELS: readonly string[] = [
  'karpenter.k8s.aws/capacity-reservation-id', 'karpenter.k8s.aws/capacity-reservation-type',
  'karpenter.k8s.aws/capacity-reservation-interruptible', 'karpenter.k8s.aws/instance-hypervisor',
  'karpenter.k8s.aws/instance-encryption-in-transit-supported', 'karpenter.k8s.aws/instance-nitro-enclaves-supported',
  'karpenter.k8s.aws/instance-capability-flex', 'karpenter.k8s.aws/instance-local-nvme',
  'karpenter.k8s.aws/instance-cpu-manufacturer', 'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz',
  'karpenter.k8s.aws/instance-ebs-bandwidth', 'karpenter.k8s.aws/instance-network-bandwidth',
  'karpenter.k8s.aws/instance-gpu-name', 'karpenter.k8s.aws/instance-gpu-manufacturer',
  'karpenter.k8s.aws/instance-gpu-memory', 'karpenter.k8s.aws/instance-accelerator-name',
  'karpenter.k8s.aws/instance-accelerator-manufacturer', 'karpenter.k8s.aws/instance-accelerator-count',
  'topology.k8s.aws/zone-id', 'karpenter.k8s.aws/instance-tenancy', 'karpenter.k8s.aws/placement-group-id',
  'karpenter.k8s.aws/placement-group-partition',
];

/** Labels Karpenter knows the values of from its instance types: a requirement on one is
 *  allowed to be undefined on the other side (AllowUndefinedWellKnownLabels). Core's set plus the
 *  AWS and Azure providers' (their init() inserts them). */
export const CORE_WELL_KNOWN_LABELS: ReadonlySet<string> = new Set([
  LABEL_NODEPOOL, LABEL_ZONE, LABEL_REGION, LABEL_INSTANCE_TYPE, LABEL_ARCH, LABEL_OS, LABEL_CAPACITY_TYPE, LABEL_WINDOWS_BUILD,
]);
export const WELL_KNOWN_LABELS: ReadonlySet<string> = new Set([...CORE_WELL_KNOWN_LABELS, ...Object.values(AWS_LABEL), ...AWS_UNMODELLED_LABELS, ...Object.values(AZURE_LABEL)]);

/** Domains reserved for Karpenter's own labels: karpenter.sh (core), karpenter.k8s.aws (AWS),
 *  karpenter.azure.com (Azure). */
export const RESTRICTED_LABEL_DOMAINS: readonly string[] = ['karpenter.sh', 'karpenter.k8s.aws', 'karpenter.azure.com'];
/** Labels a NodePool may not set or require (they would interfere with provisioning). */
export const RESTRICTED_LABELS: ReadonlySet<string> = new Set([LABEL_HOSTNAME]);

/** Beta and legacy keys translated to the well-known ones (NormalizedLabels). */
export const NORMALIZED_LABELS: Readonly<Record<string, string>> = {
  'failure-domain.beta.kubernetes.io/zone': LABEL_ZONE,
  'beta.kubernetes.io/arch': LABEL_ARCH,
  'beta.kubernetes.io/os': LABEL_OS,
  'beta.kubernetes.io/instance-type': LABEL_INSTANCE_TYPE,
  'failure-domain.beta.kubernetes.io/region': LABEL_REGION,
};

/** The values Karpenter accepts for a well-known key (WellKnownValuesForRequirements). */
export const WELL_KNOWN_VALUES: Readonly<Record<string, readonly string[]>> = {
  [LABEL_CAPACITY_TYPE]: ['on-demand', 'spot', 'reserved'],
  'karpenter.k8s.aws/instance-tenancy': ['dedicated', 'default'],
};

function labelDomain(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** Why a NodePool may not use the label, or undefined (IsRestrictedLabel). */
export function restrictedLabelError(key: string): string | undefined {
  if (WELL_KNOWN_LABELS.has(key)) return undefined;
  const domain = labelDomain(key);
  const restricted = RESTRICTED_LABEL_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`)) || RESTRICTED_LABELS.has(key);
  if (!restricted) return undefined;
  return `label ${key} is not allowed: it might interfere with Karpenter's provisioning; use a well-known label (such as ${[...CORE_WELL_KNOWN_LABELS].sort().join(', ')}) or a custom label outside ${RESTRICTED_LABEL_DOMAINS.join(', ')}`;
}

const INTEGER = /^[+-]?\d+$/;

/** The integer a Gt/Lt/Gte/Lte value holds (strconv.Atoi), or undefined. */
export function parseBound(value: string): number | undefined {
  if (!INTEGER.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** NewRequirementWithFlexibility: key normalized, Gt/Lt canonicalized to inclusive bounds. A
 *  bound's value must be an integer (the NodePool schema checks it first); an unparsable one is
 *  treated as matching nothing (DoesNotExist), not thrown. */
export function requirement(key: string, operator: Operator, values: readonly string[] = [], minValues?: number): Requirement {
  const k = own(NORMALIZED_LABELS, key) ?? key;
  const mv = minValues === undefined ? {} : { minValues };
  switch (operator) {
    case 'In':
      return { key: k, complement: false, values: new Set(values), ...mv };
    case 'NotIn':
      return { key: k, complement: true, values: new Set(values), ...mv };
    case 'Exists':
      return { key: k, complement: true, values: new Set(), ...mv };
    case 'DoesNotExist':
      return { key: k, complement: false, values: new Set(), ...mv };
    default: {
      const n = parseBound(values[0] ?? '');
      if (n === undefined) return { key: k, complement: false, values: new Set(), ...mv };
      if (operator === 'Gt') {
        if (n >= Number.MAX_SAFE_INTEGER) return { key: k, complement: false, values: new Set() }; // Gt MaxInt matches nothing (upstream drops minValues here too)
        return { key: k, complement: true, values: new Set(), gte: n + 1, ...mv };
      }
      if (operator === 'Lt') return { key: k, complement: true, values: new Set(), lte: n - 1, ...mv };
      if (operator === 'Gte') return { key: k, complement: true, values: new Set(), gte: n, ...mv };
      return { key: k, complement: true, values: new Set(), lte: n, ...mv };
    }
  }
}

function withinBounds(value: string, gte: number | undefined, lte: number | undefined): boolean {
  if (gte === undefined && lte === undefined) return true;
  const n = parseBound(value);
  if (n === undefined) return false;
  return (gte === undefined || n >= gte) && (lte === undefined || n <= lte);
}

const maxOf = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
const minOf = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

function make(key: string, complement: boolean, values: Set<string>, gte?: number, lte?: number, minValues?: number): Requirement {
  return {
    key, complement, values,
    ...(gte === undefined ? {} : { gte }),
    ...(lte === undefined ? {} : { lte }),
    ...(minValues === undefined ? {} : { minValues }),
  };
}

/** Requirement.Intersection: the values both allow; the larger minValues. */
export function intersection(a: Requirement, b: Requirement): Requirement {
  const complement = a.complement && b.complement;
  let gte = maxOf(a.gte, b.gte);
  let lte = minOf(a.lte, b.lte);
  const minValues = maxOf(a.minValues, b.minValues);
  if (gte !== undefined && lte !== undefined && gte > lte) return make(a.key, false, new Set(), undefined, undefined, minValues);
  let values: Set<string>;
  if (a.complement && b.complement) values = new Set([...a.values, ...b.values]);
  else if (a.complement) values = new Set([...b.values].filter((v) => !a.values.has(v)));
  else if (b.complement) values = new Set([...a.values].filter((v) => !b.values.has(v)));
  else values = new Set([...a.values].filter((v) => b.values.has(v)));
  for (const v of values) if (!withinBounds(v, gte, lte)) values.delete(v);
  if (!complement) {
    gte = undefined;
    lte = undefined;
  }
  return make(a.key, complement, values, gte, lte, minValues);
}

/** Requirement.HasIntersection: whether some value satisfies both. */
export function hasIntersection(a: Requirement, b: Requirement): boolean {
  const gte = maxOf(a.gte, b.gte);
  const lte = minOf(a.lte, b.lte);
  if (gte !== undefined && lte !== undefined && gte > lte) return false;
  if (a.complement && b.complement) return true;
  if (a.complement) return [...b.values].some((v) => !a.values.has(v) && withinBounds(v, gte, lte));
  if (b.complement) return [...a.values].some((v) => !b.values.has(v) && withinBounds(v, gte, lte));
  return [...a.values].some((v) => b.values.has(v) && withinBounds(v, gte, lte));
}

/** Requirement.Has: whether the requirement allows the value. */
export function allows(r: Requirement, value: string): boolean {
  return (r.complement ? !r.values.has(value) : r.values.has(value)) && withinBounds(value, r.gte, r.lte);
}

/** Requirement.Operator: NotIn/Exists for a complement (bounds read as Exists), In/DoesNotExist otherwise. */
export function operatorOf(r: Requirement): 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' {
  if (r.complement) return r.values.size > 0 ? 'NotIn' : 'Exists';
  return r.values.size > 0 ? 'In' : 'DoesNotExist';
}

/** Requirement.String: "key In [a b]", bounds as ">=N", "<=N", and "minValues N". */
export function requirementString(r: Requirement): string {
  const op = operatorOf(r);
  let s: string;
  if (op === 'Exists' || op === 'DoesNotExist') s = `${r.key} ${op}`;
  else {
    const values = [...r.values].sort();
    const shown = values.length > 5 ? [...values.slice(0, 5), `and ${values.length - 5} others`] : values;
    s = `${r.key} ${op} [${shown.join(' ')}]`;
  }
  if (r.gte !== undefined) s += ` >=${r.gte}`;
  if (r.lte !== undefined) s += ` <=${r.lte}`;
  if (r.minValues !== undefined) s += ` minValues ${r.minValues}`;
  return s;
}

/** Requirements: one Requirement per key; adding a key twice intersects. */
export type Requirements = ReadonlyMap<string, Requirement>;

export function requirements(...rs: readonly Requirement[]): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  addTo(out, ...rs);
  return out;
}

/** Requirements.Add: intersects a key already present (incoming ∩ existing, as upstream). */
export function addTo(target: Map<string, Requirement>, ...rs: readonly Requirement[]): void {
  for (const r of rs) {
    const existing = target.get(r.key);
    target.set(r.key, existing ? intersection(r, existing) : r);
  }
}

/** Labels as In requirements (NewLabelRequirements). */
export function labelRequirements(labels: Readonly<Record<string, string>>): Map<string, Requirement> {
  return requirements(...Object.entries(labels).map(([k, v]) => requirement(k, 'In', [v])));
}

/** Requirements.Get: an undefined key allows anything (Exists). */
export function getRequirement(rs: Requirements, key: string): Requirement {
  return rs.get(key) ?? requirement(key, 'Exists');
}

/** Requirements.Intersects: every key both define must overlap; two NotIn/DoesNotExist are
 *  compatible even when they share no value. Returns the first conflict, or undefined. */
export function intersects(existing: Requirements, incoming: Requirements): string | undefined {
  for (const key of existing.keys()) {
    if (!incoming.has(key)) continue;
    const e = getRequirement(existing, key);
    const i = getRequirement(incoming, key);
    if (hasIntersection(e, i)) continue;
    const negative = (r: Requirement) => { const op = operatorOf(r); return op === 'NotIn' || op === 'DoesNotExist'; };
    if (negative(i) && negative(e)) continue;
    return `key ${key}, ${requirementString(i)} not in ${requirementString(e)}`;
  }
  return undefined;
}

export interface CompatibilityOptions {
  /** Keys that may be undefined on this side (upstream's AllowUndefinedWellKnownLabels passes WELL_KNOWN_LABELS). */
  allowUndefined?: ReadonlySet<string>;
}

/** Requirements.Compatible: an incoming custom label must be defined here (unless it is NotIn or
 *  DoesNotExist), and every shared key must intersect. Undefined when compatible, else why. */
export function compatible(r: Requirements, incoming: Requirements, options: CompatibilityOptions = {}): string | undefined {
  const allowUndefined = options.allowUndefined ?? new Set<string>();
  for (const key of incoming.keys()) {
    if (allowUndefined.has(key)) continue;
    const op = operatorOf(getRequirement(incoming, key));
    if (r.has(key) || op === 'NotIn' || op === 'DoesNotExist') continue;
    return `label "${key}" does not have known values${labelHint(r, key, allowUndefined)}`;
  }
  return intersects(r, incoming);
}

function suffix(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(slash + 1);
}

/** labelHint: a well-known (or defined) key the unknown one looks like a typo of. Upstream
 *  iterates Go sets in random order; capsim sorts them, core's labels before the provider's, so
 *  the hint is deterministic ("zone" hints topology.kubernetes.io/zone, not topology.k8s.aws/zone-id). */
function labelHint(r: Requirements, key: string, allowUndefined: ReadonlySet<string>): string {
  const core = [...allowUndefined].filter((k) => CORE_WELL_KNOWN_LABELS.has(k)).sort();
  const other = [...allowUndefined].filter((k) => !CORE_WELL_KNOWN_LABELS.has(k)).sort();
  for (const pool of [[...core, ...other], [...r.keys()].sort()]) {
    for (const known of pool) {
      if (known.includes(key) || known.endsWith(suffix(key))) return ` (typo of "${known}"?)`;
    }
  }
  return '';
}

/** The requirement's values when it is a finite In set, else undefined (an open set). */
export function finiteValues(r: Requirement): readonly string[] | undefined {
  return r.complement ? undefined : [...r.values];
}
