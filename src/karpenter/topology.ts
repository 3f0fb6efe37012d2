// Topology spread constraints and pod (anti-)affinity in Karpenter's provisioning solve: which
// domains (zones, hostnames, any node label) a pod may still go to, given the pods already counted
// there. A port of kubernetes-sigs/karpenter@22664681:pkg/controllers/provisioning/scheduling/
//   topology.go            Topology: NewTopology, buildDomainGroups, Update, Record, AddRequirements,
//                          Register, updateInverseAntiAffinity, countDomains, newForTopologies,
//                          newForAffinities, getMatchingTopologies
//   topologygroup.go       TopologyGroup: Get, Record, Counts, Register, Hash, nextDomainTopologySpread,
//                          domainMinCount, nextDomainAffinity, anyCompatiblePodDomain, nextDomainAntiAffinity
//   topologydomaingroup.go TopologyDomainGroup: Insert, ForEachDomain (nodeTaintsPolicy Honor)
//   topologynodefilter.go  TopologyNodeFilter: MakeTopologyNodeFilter, Matches (nodeAffinityPolicy,
//                          nodeTaintsPolicy)
// Go iterates maps in random order where upstream picks "any" domain (a spread's least-loaded
// domain on a tie, an affinity's bootstrap domain); capsim takes the first in insertion order
// (NodePools by weight, their instance types cheapest first, then nodes as registered), so runs
// are deterministic. Namespace selectors are not modelled (solve reports such pods as not handled).
import type { LabelSelector, LabelSelectorRequirement, PodAffinityTerm, Taint, Toleration, TopologySpreadConstraint } from '../model/api.ts';
import type { LabelMatcher } from '../model/labelSelector.ts';
import { compileLabelSelector, matchEverything } from '../model/labelSelector.ts';
import type { Pod } from '../model/pod.ts';
import { isTerminal, isTerminating } from '../model/pod.ts';
import { findUntoleratedTaint } from '../model/taints.ts';
import type { PodView } from './preferences.ts';
import { podRequirements } from './podRequirements.ts';
import type { CompatibilityOptions, Requirement, Requirements } from './requirements.ts';
import { LABEL_HOSTNAME, addTo, compatible, intersection, labelRequirements, requirement, requirements, requirementString } from './requirements.ts';

export type TopologyType = 'topology spread' | 'pod affinity' | 'pod anti-affinity';

const MAX_INT32 = 2147483647;

/** TopologyDomainGroup: per topology key, each domain with the taint sets of the NodePools offering it. */
export type DomainGroups = Map<string, Map<string, (readonly Taint[])[]>>;

/** TopologyDomainGroup.Insert: an untainted offer supersedes every tainted one. */
function insertDomain(groups: DomainGroups, key: string, domain: string, taints: readonly Taint[]): void {
  let g = groups.get(key);
  if (!g) groups.set(key, (g = new Map()));
  const sets = g.get(domain);
  if (!sets || taints.length === 0) g.set(domain, [taints]);
  else if (sets[0]!.length > 0) sets.push(taints);
}

/** buildDomainGroups: the values every NodePool x instance type can take for every key (the type's
 *  requirements intersected with the NodePool's), plus the NodePool's own In values. Only finite
 *  (In) values are domains. `pools` carries each NodePool's requirements, taints and types. */
export function buildDomainGroups(pools: readonly { requirements: Requirements; taints: readonly Taint[]; types: readonly { requirements: Requirements }[] }[]): DomainGroups {
  const groups: DomainGroups = new Map();
  for (const p of pools) {
    for (const it of p.types) {
      const keys = new Set([...p.requirements.keys(), ...it.requirements.keys()]);
      for (const key of keys) {
        const a = p.requirements.get(key);
        const b = it.requirements.get(key);
        const r = a && b ? intersection(b, a) : (a ?? b)!;
        if (r.complement) continue;
        for (const v of r.values) insertDomain(groups, key, v, p.taints);
      }
    }
    for (const r of p.requirements.values()) {
      if (r.complement || r.values.size === 0) continue;
      for (const v of r.values) insertDomain(groups, r.key, v, p.taints);
    }
  }
  return groups;
}

/** TopologyNodeFilter: which nodes a spread constraint counts (nodeAffinityPolicy, default Honor:
 *  nodes the pod's nodeSelector and some required node affinity term allow; nodeTaintsPolicy,
 *  default Ignore: Honor counts only nodes whose taints the pod tolerates). */
export interface NodeFilter {
  requirements: Requirements[];
  honorAffinity: boolean;
  honorTaints: boolean;
  tolerations: readonly Toleration[];
}

function makeNodeFilter(v: PodView, c: TopologySpreadConstraint): NodeFilter {
  const pod = v.pod;
  const honorAffinity = (c.nodeAffinityPolicy ?? 'Honor') === 'Honor';
  const honorTaints = (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor';
  const selector = labelRequirements(pod.spec.nodeSelector ?? {});
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return { requirements: [selector], honorAffinity, honorTaints, tolerations: pod.spec.tolerations };
  const kept = terms.slice(Math.min(v.relax.requiredDropped, Math.max(0, terms.length - 1)));
  const reqs = kept.map((t) => {
    const rs = requirements(...selector.values());
    addTo(rs, ...(t.matchExpressions ?? []).map((e) => requirement(e.key, e.operator, e.values ?? [])));
    return rs;
  });
  return { requirements: reqs, honorAffinity, honorTaints, tolerations: pod.spec.tolerations };
}

/** TopologyNodeFilter.Matches (a null filter, for (anti-)affinity, matches every node). */
function filterMatches(f: NodeFilter | null, taints: readonly Taint[], reqs: Requirements, opts?: CompatibilityOptions): boolean {
  if (!f) return true;
  if (f.honorAffinity && f.requirements.length > 0 && !f.requirements.some((r) => compatible(reqs, r, opts) === undefined)) return false;
  if (f.honorTaints && findUntoleratedTaint(taints, f.tolerations) !== null) return false;
  return true;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Map) return canonical([...v.values()].map((r: Requirement) => requirementString(r)).sort());
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${k}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** hashSelector: matchLabels, and matchExpressions as a set. */
function selectorHash(s: LabelSelector | undefined): string {
  if (!s) return 'nil';
  const exprs = [...new Set((s.matchExpressions ?? []).map((e) => canonical({ ...e, values: [...(e.values ?? [])].sort() })))].sort();
  return canonical({ l: s.matchLabels ?? {}, e: exprs });
}

export class TopologyGroup {
  readonly owners = new Set<Pod>();
  /** Pods counted per domain (TODO upstream: a min-heap). */
  readonly domains = new Map<string, number>();
  /** Domains known to hold none of the selected pods. */
  readonly emptyDomains = new Set<string>();
  /** key DoesNotExist, the answer when no domain will do (shared: requirements are never mutated). */
  private readonly none: Requirement;

  constructor(
    readonly type: TopologyType,
    readonly key: string,
    readonly namespaces: ReadonlySet<string>,
    readonly selector: LabelMatcher,
    /** The selector as written: undefined counts every pod of the namespaces among existing pods (TopologyListOptions). */
    readonly rawSelector: LabelSelector | undefined,
    readonly maxSkew: number,
    readonly minDomains: number | undefined,
    readonly nodeFilter: NodeFilter | null,
    readonly hash: string,
  ) {
    this.none = requirement(key, 'DoesNotExist');
  }

  /** selects: the pod is in one of the namespaces and matches the selector. */
  selects(pod: Pod): boolean {
    return this.namespaces.has(pod.namespace) && this.selector(pod.labels);
  }

  /** Counts: the pod would count here if placed on a node with these taints and requirements. */
  counts(pod: Pod, taints: readonly Taint[], reqs: Requirements, opts?: CompatibilityOptions): boolean {
    return this.selects(pod) && filterMatches(this.nodeFilter, taints, reqs, opts);
  }

  record(domain: string): void {
    this.domains.set(domain, (this.domains.get(domain) ?? 0) + 1);
    this.emptyDomains.delete(domain);
  }

  register(domain: string): void {
    if (this.domains.has(domain)) return;
    this.domains.set(domain, 0);
    this.emptyDomains.add(domain);
  }

  /** Get: the domains the pod may go to, as an In requirement (DoesNotExist when none). */
  get(pod: Pod, podDomains: Requirement, nodeDomains: Requirement): Requirement {
    if (this.type === 'topology spread') return this.nextDomainTopologySpread(pod, podDomains, nodeDomains).requirement;
    if (this.type === 'pod affinity') return this.nextDomainAffinity(pod, podDomains, nodeDomains);
    return this.nextDomainAntiAffinity(podDomains, nodeDomains);
  }

  private count(domain: string): number {
    return this.domains.get(domain) ?? 0;
  }

  /** nextDomainTopologySpread: the least-loaded domain within maxSkew of the global minimum. */
  nextDomainTopologySpread(pod: Pod, podDomains: Requirement, nodeDomains: Requirement): { requirement: Requirement; valid: Set<string> } {
    const min = this.domainMinCount(podDomains);
    const self = this.selects(pod) ? 1 : 0;
    const valid = new Set<string>();
    if (this.key === LABEL_HOSTNAME && !nodeDomains.complement && nodeDomains.values.size === 1) {
      // a new NodeClaim's hostname is not registered until a pod is added: the global minimum is 0
      const host = nodeDomains.values.values().next().value!;
      if (this.count(host) + self <= this.maxSkew) {
        valid.add(host);
        return { requirement: requirement(this.key, 'In', [host]), valid };
      }
      return { requirement: this.none, valid };
    }
    let minDomain: string | undefined;
    let minCount = MAX_INT32;
    const inList = !nodeDomains.complement && nodeDomains.values.size > 0;
    const candidates: Iterable<string> = inList ? nodeDomains.values : this.domains.keys();
    for (const d of candidates) {
      const n = this.domains.get(d);
      if (n === undefined || (!inList && !allowsValue(nodeDomains, d))) continue;
      // 'existing matching num' + 'if self-match (1 or 0)' - 'global min matching num' <= 'maxSkew'
      const c = n + self;
      if (c - min > this.maxSkew) continue;
      valid.add(d);
      if (c < minCount) {
        minDomain = d;
        minCount = c;
      }
    }
    if (minDomain === undefined) return { requirement: this.none, valid };
    return { requirement: requirement(this.key, 'In', [minDomain]), valid };
  }

  /** domainMinCount: the fewest pods in a domain the pod may use (0 for hostname: a new node is
   *  always possible; 0 while fewer than minDomains domains are eligible). */
  domainMinCount(podDomains: Requirement): number {
    if (this.key === LABEL_HOSTNAME) return 0;
    let min = MAX_INT32;
    let supported = 0;
    for (const [d, n] of this.domains) {
      if (!allowsValue(podDomains, d)) continue;
      supported++;
      if (n < min) min = n;
    }
    if (this.minDomains !== undefined && supported < this.minDomains) min = 0;
    return min;
  }

  /** nextDomainAffinity: domains already holding a selected pod; a self-selecting pod may bootstrap
   *  an empty topology (or one whose pods are all in domains it cannot use). */
  nextDomainAffinity(pod: Pod, podDomains: Requirement, nodeDomains: Requirement): Requirement {
    const options: string[] = [];
    if (this.key === LABEL_HOSTNAME && !nodeDomains.complement && nodeDomains.values.size === 1) {
      const host = nodeDomains.values.values().next().value!;
      if (!allowsValue(podDomains, host)) return this.none;
      if (this.count(host) > 0) return requirement(this.key, 'In', [host]);
      if (this.selects(pod) && (this.domains.size === this.emptyDomains.size || !this.anyCompatiblePodDomain(podDomains))) return requirement(this.key, 'In', [host]);
      return this.none;
    }
    if (!nodeDomains.complement && nodeDomains.values.size > 0) {
      for (const d of nodeDomains.values) if (allowsValue(podDomains, d) && this.count(d) > 0) options.push(d);
    } else {
      for (const [d, n] of this.domains) if (allowsValue(podDomains, d) && n > 0 && allowsValue(nodeDomains, d)) options.push(d);
    }
    if (options.length > 0) return requirement(this.key, 'In', options);
    if (this.selects(pod) && (this.domains.size === this.emptyDomains.size || !this.anyCompatiblePodDomain(podDomains))) {
      // prefer a domain the node (an in-flight NodeClaim) can already be in, then any the pod allows
      for (const d of this.domains.keys()) {
        if (allowsValue(podDomains, d) && allowsValue(nodeDomains, d)) {
          options.push(d);
          break;
        }
      }
      for (const d of this.domains.keys()) {
        if (allowsValue(podDomains, d)) {
          if (!options.includes(d)) options.push(d);
          break;
        }
      }
    }
    return options.length > 0 ? requirement(this.key, 'In', options) : this.none;
  }

  /** nextDomainAffinity's answer is DoesNotExist for every node whose domains are within `nodeIn`
   *  (a finite set, not the hostname special case): no domain there holds a selected pod, and the
   *  pod cannot bootstrap. Narrowing the node further cannot change that. */
  affinityRulesOut(pod: Pod, podDomains: Requirement, nodeIn: Requirement): boolean {
    for (const d of nodeIn.values) if (allowsValue(podDomains, d) && this.count(d) > 0) return false;
    return !(this.selects(pod) && (this.domains.size === this.emptyDomains.size || !this.anyCompatiblePodDomain(podDomains)));
  }

  private anyCompatiblePodDomain(podDomains: Requirement): boolean {
    for (const [d, n] of this.domains) if (n > 0 && allowsValue(podDomains, d)) return true;
    return false;
  }

  /** nextDomainAntiAffinity: only domains known to hold none of the selected pods. */
  nextDomainAntiAffinity(podDomains: Requirement, nodeDomains: Requirement): Requirement {
    if (this.key === LABEL_HOSTNAME && !nodeDomains.complement && nodeDomains.values.size === 1) {
      const host = nodeDomains.values.values().next().value!;
      return this.count(host) === 0 ? requirement(this.key, 'In', [host]) : this.none;
    }
    const options: string[] = [];
    if (!nodeDomains.complement && nodeDomains.values.size > 0 && nodeDomains.values.size < this.emptyDomains.size) {
      for (const d of nodeDomains.values) if (this.emptyDomains.has(d) && allowsValue(podDomains, d)) options.push(d);
    } else {
      for (const d of this.emptyDomains) if (allowsValue(nodeDomains, d) && allowsValue(podDomains, d)) options.push(d);
    }
    return options.length > 0 ? requirement(this.key, 'In', options) : this.none;
  }

  /** The counts as upstream's error shows them (pretty.Map, at most 25 entries). */
  countsString(): string {
    const entries = [...this.domains].sort((a, b) => a[0].localeCompare(b[0]));
    const shown = entries.slice(0, 25).map(([d, n]) => `${d}:${n}`);
    return `{${shown.join(', ')}${entries.length > 25 ? `, and ${entries.length - 25} others` : ''}}`;
  }
}

/** Requirement.Has without bounds (topology domains are plain label values). */
function allowsValue(r: Requirement, v: string): boolean {
  return r.complement ? !r.values.has(v) : r.values.has(v);
}

/** topologyError: built lazily, as upstream does (most failures are tried and dropped). */
export class TopologyError {
  constructor(readonly group: TopologyGroup, readonly podDomains: Requirement, readonly nodeDomains: Requirement) {}
  toString(): string {
    return `unsatisfiable topology constraint for ${this.group.type}, key=${this.group.key} (counts = ${this.group.countsString()}, podDomains = ${requirementString(this.podDomains)}, nodeDomains = ${requirementString(this.nodeDomains)})`;
  }
}

/** A node as topology counts it: its labels, taints and the pods bound to it. */
export interface TopologyNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
  pods: readonly Pod[];
}

/** StateNode.HostName: the hostname label, else the node's name. */
export function hostnameOf(n: { name: string; labels: Readonly<Record<string, string>> }): string {
  return n.labels[LABEL_HOSTNAME] || n.name;
}

function withMatchLabelKeys(c: TopologySpreadConstraint, pod: Pod): LabelSelectorRequirement[] {
  const extra: LabelSelectorRequirement[] = [];
  for (const key of c.matchLabelKeys ?? []) {
    const v = pod.labels[key];
    if (v !== undefined) extra.push({ key, operator: 'In', values: [v] });
  }
  return extra;
}

/** matchLabelKeys / mismatchLabelKeys of a pod (anti-)affinity term: kube-apiserver merges them into
 *  a non-nil labelSelector at creation (MatchLabelKeysInPodAffinity), so Karpenter sees them there. */
function termExtra(term: PodAffinityTerm, pod: Pod): LabelSelectorRequirement[] {
  const extra: LabelSelectorRequirement[] = [];
  if (!term.labelSelector) return extra;
  for (const key of term.matchLabelKeys ?? []) if (pod.labels[key] !== undefined) extra.push({ key, operator: 'In', values: [pod.labels[key]] });
  for (const key of term.mismatchLabelKeys ?? []) if (pod.labels[key] !== undefined) extra.push({ key, operator: 'NotIn', values: [pod.labels[key]] });
  return extra;
}

export class Topology {
  /** By hash: one group tracks every pod with the same constraint (a Deployment's 100 replicas share it). */
  readonly groups = new Map<string, TopologyGroup>();
  /** Required anti-affinity terms of pods, tracked where those pods are, so the pods they select keep away. */
  readonly inverse = new Map<string, TopologyGroup>();
  /** The groups each pod owns (the owners sets, indexed by pod). */
  private readonly owned = new Map<Pod, TopologyGroup[]>();
  /** Per pod, the inverse groups selecting it, valid while the number of inverse groups is `inverseSeen`. */
  private readonly selectedBy = new Map<Pod, TopologyGroup[]>();
  private inverseSeen = 0;
  private readonly existsByKey = new Map<string, Requirement>();

  constructor(
    private readonly domainGroups: DomainGroups,
    private readonly nodes: readonly TopologyNode[],
    /** The pods being scheduled: not counted where they are now (countDomains' excludedPods). */
    private readonly excluded: ReadonlySet<Pod>,
  ) {
    for (const n of nodes) {
      for (const p of n.pods) {
        if (excluded.has(p) || !(p.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length)) continue;
        // the node's hostname falls back to its name (StateNode.HostName), so a node without the label still counts
        this.updateInverseAntiAffinity(p, p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, { ...n.labels, [LABEL_HOSTNAME]: hostnameOf(n) });
      }
    }
  }

  /** NewTopologyGroup, or the group already tracked under the same hash in `map`. */
  private group(map: Map<string, TopologyGroup>, type: TopologyType, key: string, pod: Pod, namespaces: ReadonlySet<string>, selector: LabelSelector | undefined, extra: LabelSelectorRequirement[], maxSkew: number, minDomains: number | undefined, filter: NodeFilter | null): { group: TopologyGroup; isNew: boolean } {
    const hash = canonical({ key, type, ns: [...namespaces].sort(), maxSkew, filter: filter ?? null, sel: selectorHash(selector ? { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] } : undefined) });
    const known = map.get(hash);
    if (known) return { group: known, isNew: false };
    const g = new TopologyGroup(type, key, namespaces, compileLabelSelector(selector, extra), selector, maxSkew, minDomains, filter, hash);
    for (const [domain, taintSets] of this.domainGroups.get(key) ?? []) {
      if (filter?.honorTaints && !taintSets.some((ts) => findUntoleratedTaint(ts, pod.spec.tolerations) === null)) continue;
      g.register(domain);
    }
    return { group: g, isNew: true };
  }

  private namespacesOf(pod: Pod, term: PodAffinityTerm): ReadonlySet<string> {
    return term.namespaces && term.namespaces.length > 0 ? new Set(term.namespaces) : new Set([pod.namespace]);
  }

  private updateInverseAntiAffinity(pod: Pod, terms: readonly PodAffinityTerm[], labels: Readonly<Record<string, string>> | null): void {
    for (const term of terms) {
      const { group: g, isNew } = this.group(this.inverse, 'pod anti-affinity', term.topologyKey, pod, this.namespacesOf(pod, term), term.labelSelector, termExtra(term, pod), MAX_INT32, undefined, null);
      if (isNew) this.inverse.set(g.hash, g);
      const domain = labels?.[g.key];
      if (domain !== undefined) g.record(domain);
      g.owners.add(pod);
    }
  }

  /** Update: the pod (as relaxed so far) owns exactly the groups its constraints make. */
  update(v: PodView): void {
    const pod = v.pod;
    for (const g of this.owned.get(pod) ?? []) g.owners.delete(pod);
    const owned: TopologyGroup[] = [];
    this.owned.set(pod, owned);
    if (v.antiRequired.length > 0 || v.antiPreferred.length > 0) this.updateInverseAntiAffinity(pod, v.antiRequired, null);
    const add = (r: { group: TopologyGroup; isNew: boolean }) => {
      if (r.isNew) {
        this.countDomains(r.group);
        this.groups.set(r.group.hash, r.group);
      }
      if (!r.group.owners.has(pod)) owned.push(r.group);
      r.group.owners.add(pod);
    };
    for (const c of v.spread) {
      add(this.group(this.groups, 'topology spread', c.topologyKey, pod, new Set([pod.namespace]), c.labelSelector, withMatchLabelKeys(c, pod), c.maxSkew, c.minDomains, makeNodeFilter(v, c)));
    }
    for (const term of [...v.affinityRequired, ...v.affinityPreferred]) add(this.group(this.groups, 'pod affinity', term.topologyKey, pod, this.namespacesOf(pod, term), term.labelSelector, termExtra(term, pod), MAX_INT32, undefined, null));
    for (const term of [...v.antiRequired, ...v.antiPreferred]) add(this.group(this.groups, 'pod anti-affinity', term.topologyKey, pod, this.namespacesOf(pod, term), term.labelSelector, termExtra(term, pod), MAX_INT32, undefined, null));
  }

  /** countDomains: register the domains of nodes the group's filter counts, and count the selected
   *  pods already on nodes (not the ones being scheduled, not terminal or terminating). */
  private countDomains(g: TopologyGroup): void {
    const listSelector = g.rawSelector === undefined ? matchEverything : g.selector;
    for (const n of this.nodes) {
      const reqs = labelRequirements(n.labels);
      if (!filterMatches(g.nodeFilter, n.taints, reqs)) continue;
      const label = n.labels[g.key];
      if (label !== undefined) g.register(label);
      const domain = label ?? (g.key === LABEL_HOSTNAME ? n.name : undefined);
      if (domain === undefined) continue;
      for (const p of n.pods) {
        if (this.excluded.has(p) || isTerminal(p) || isTerminating(p)) continue;
        if (!g.namespaces.has(p.namespace) || !listSelector(p.labels)) continue;
        g.record(domain);
      }
    }
  }

  /** Register: a domain (a new NodeClaim's hostname, an existing node's) for every group of the key. */
  register(key: string, domain: string): void {
    for (const g of this.groups.values()) if (g.key === key) g.register(domain);
    for (const g of this.inverse.values()) if (g.key === key) g.register(domain);
  }

  /** Record: the pod went to a node with these requirements; count it where it must count. */
  record(pod: Pod, taints: readonly Taint[], reqs: Requirements, opts?: CompatibilityOptions): void {
    for (const g of this.groups.values()) {
      if (!g.counts(pod, taints, reqs, opts)) continue;
      const domains = reqs.get(g.key);
      if (!domains || domains.complement) continue;
      if (g.type === 'pod anti-affinity') for (const d of domains.values) g.record(d); // every domain it could land in
      else if (domains.values.size === 1) g.record(domains.values.values().next().value!);
    }
    for (const g of this.inverse.values()) {
      if (!g.owners.has(pod)) continue;
      const domains = reqs.get(g.key);
      if (domains && !domains.complement) for (const d of domains.values) g.record(d);
    }
  }

  /** The inverse anti-affinity groups whose selector takes the pod (their node filter is null). */
  private inverseSelecting(pod: Pod): TopologyGroup[] {
    if (this.inverseSeen !== this.inverse.size) {
      this.selectedBy.clear();
      this.inverseSeen = this.inverse.size;
    }
    let list = this.selectedBy.get(pod);
    if (!list) {
      list = [];
      for (const g of this.inverse.values()) if (g.selects(pod)) list.push(g);
      this.selectedBy.set(pod, list);
    }
    return list;
  }

  /** Whether the pod has any topology to satisfy: groups it owns, or anti-affinities selecting it. */
  constrains(pod: Pod): boolean {
    return (this.owned.get(pod)?.length ?? 0) > 0 || this.inverseSelecting(pod).length > 0;
  }

  /** A shortcut for a NodeClaim with this (single) hostname and these requirements: true when one
   *  of the pod's hostname spreads or anti-affinities (its own, or another pod's selecting it)
   *  already rules the host out, as AddRequirements' hostname special cases would, or a pod
   *  affinity finds no domain among the NodeClaim's (AddRequirements then fails; this skips the work). */
  rulesOut(pod: Pod, podReqs: Requirements, nodeReqs: Requirements, host: string): boolean {
    for (const g of this.owned.get(pod) ?? []) {
      if (g.key !== LABEL_HOSTNAME) {
        const nodeIn = nodeReqs.get(g.key);
        if (g.type === 'pod affinity' && nodeIn && !nodeIn.complement && nodeIn.values.size > 0 && g.affinityRulesOut(pod, podReqs.get(g.key) ?? this.exists(g.key), nodeIn)) return true;
        continue;
      }
      const n = g.domains.get(host) ?? 0;
      if (g.type === 'pod anti-affinity' && n > 0) return true;
      if (g.type === 'topology spread' && n + (g.selects(pod) ? 1 : 0) > g.maxSkew) return true;
    }
    for (const g of this.inverseSelecting(pod)) if (g.key === LABEL_HOSTNAME && (g.domains.get(host) ?? 0) > 0) return true;
    return false;
  }

  /** AddRequirements: the node's requirements tightened to the domains the pod's topologies (and the
   *  anti-affinities of pods that select it) allow, or the first constraint no domain satisfies. */
  addRequirements(pod: Pod, taints: readonly Taint[], podReqs: Requirements, nodeReqs: Requirements, opts?: CompatibilityOptions): Map<string, Requirement> | TopologyError {
    const found: Requirement[] = [];
    for (const g of this.owned.get(pod) ?? []) {
      const r = this.domainsFor(g, pod, podReqs, nodeReqs);
      if (r instanceof TopologyError) return r;
      found.push(r);
    }
    for (const g of this.inverseSelecting(pod)) {
      if (!g.counts(pod, taints, nodeReqs, opts)) continue;
      const r = this.domainsFor(g, pod, podReqs, nodeReqs);
      if (r instanceof TopologyError) return r;
      found.push(r);
    }
    const out = new Map(nodeReqs);
    for (const r of found) mergeRequirement(out, r);
    return out;
  }

  private exists(key: string): Requirement {
    let r = this.existsByKey.get(key);
    if (!r) this.existsByKey.set(key, (r = requirement(key, 'Exists')));
    return r;
  }

  private domainsFor(g: TopologyGroup, pod: Pod, podReqs: Requirements, nodeReqs: Requirements): Requirement | TopologyError {
    const podDomains = podReqs.get(g.key) ?? this.exists(g.key);
    const nodeDomains = nodeReqs.get(g.key) ?? this.exists(g.key);
    const domains = g.get(pod, podDomains, nodeDomains);
    if (domains.complement || domains.values.size === 0) return new TopologyError(g, podDomains, nodeDomains);
    return domains;
  }
}

/** Requirements.Add for one requirement, keeping the object already there when the intersection
 *  allows exactly what it does (so callers can tell by identity which keys narrowed). */
export function mergeRequirement(target: Map<string, Requirement>, r: Requirement): void {
  const e = target.get(r.key);
  if (!e) {
    target.set(r.key, r);
    return;
  }
  const i = intersection(r, e);
  if (!sameRequirement(i, e)) target.set(r.key, i);
}

function sameRequirement(a: Requirement, b: Requirement): boolean {
  if (a.complement !== b.complement || a.values.size !== b.values.size || a.gte !== b.gte || a.lte !== b.lte || a.minValues !== b.minValues) return false;
  for (const v of a.values) if (!b.values.has(v)) return false;
  return true;
}

/** The pod's requirements without preferred node affinity (NewStrictPodRequirements), as topology
 *  reads a pod's own domains: only required terms narrow them. */
export function strictRequirements(v: PodView): Requirements {
  return podRequirements(v.pod, v.relax, true);
}
