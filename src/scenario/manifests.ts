// Kubernetes manifests -> model objects: dispatch on kind and apiVersion, flatten Lists,
// validate with the kind's schema, convert, and keep track of what was declared (for duplicate
// and reference checks), what was skipped (for the one notice) and which fields set are not
// simulated (fieldNotices.ts).
import type { KubeObject, SourceRef } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import { problemAt, validate, didYouMean, describe, type Problems, type Site } from './problems.ts';
import { KINDS, KNOWN_KIND_NAMES, SKIPPED_KINDS, apiGroup, isBuiltInGroup, kindSpec, kindVersion, type KindSpec } from './kube/kinds.ts';
import { own } from '../model/records.ts';
import type { Convert } from './kube/convert.ts';
import { FieldNotices } from './fieldNotices.ts';
import type { KarpenterObject } from '../model/karpenter.ts';
import { KARPENTER_KINDS } from './kube/karpenter.ts';

export interface Declared {
  kind: string;
  namespace: string;
  name: string;
  source: SourceRef;
}

export interface SkippedObject {
  kind: string;
  apiVersion: string;
  name: string;
  /** `-` when the manifest names none. */
  namespace: string;
  source: SourceRef;
}

export class ManifestReader {
  readonly objects: KubeObject[] = [];
  /** "Kind/namespace/name" -> where it was first declared, valid or not. */
  readonly declared = new Map<string, Declared>();
  /** Where each object came from, for problems found after conversion. */
  readonly siteOf = new Map<KubeObject, Site>();
  /** Fields set that capsim accepts but does not simulate. */
  readonly fieldNotices = new FieldNotices();
  private readonly skipped = new Map<string, number>();
  /** Objects skipped, as "Kind/namespace/name" (`-` when the object names no namespace): a
   *  cluster's Pod may be owned by one (scenario/clusterState.ts). */
  readonly skippedObjects = new Map<string, SkippedObject>();
  /** Karpenter's NodePools, NodeClaims and NodeClasses, validated (scenario/karpenterChecks.ts);
   *  the Karpenter controller runs from them. NodeClaims are skipped objects too: their Nodes run
   *  as they are, not adopted by Karpenter. */
  readonly karpenter: KarpenterObject[] = [];

  constructor(private readonly problems: Problems) {}

  /** Reads one document value (an object, a List, or null for an empty document). */
  read(value: unknown, site: Site): void {
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problems.add(site, [], `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describe(value)}`);
      return;
    }
    const raw = value as Record<string, unknown>;
    const { kind, apiVersion } = raw;
    if (typeof kind !== 'string' || kind === '') {
      this.problems.add(site, ['kind'], kind === undefined ? 'missing required field "kind"' : `expected a string, got ${describe(kind)}`, 'every object needs apiVersion and kind, e.g. apiVersion: apps/v1, kind: Deployment');
      return;
    }
    if (isList(kind, raw)) {
      if (!Array.isArray(raw.items)) {
        this.problems.add(site, ['items'], raw.items === undefined ? 'missing required field "items"' : `expected a list, got ${describe(raw.items)}`);
        return;
      }
      raw.items.forEach((item, i) => this.read(item, { ...site, prefix: [...site.prefix, 'items', i] }));
      return;
    }
    if (kind === 'Scenario') {
      this.problems.add(site, ['kind'], 'a Scenario cannot be listed in manifests', 'manifests are Kubernetes objects; give the Scenario file itself to capsim');
      return;
    }
    const spec = kindSpec(kind);
    // A custom resource's kind name may be another project's too: only its own group is it.
    if (spec && (spec.group === undefined || (typeof apiVersion === 'string' && apiGroup(apiVersion) === spec.group))) {
      this.readKind(spec, raw, site);
      return;
    }
    if (SKIPPED_KINDS.has(kind) || (typeof apiVersion === 'string' && !isBuiltInGroup(apiVersion))) {
      // Karpenter's NodePools and NodeClasses at the version capsim reads are simulated, not skipped.
      if (this.readKarpenter(kind, apiVersion, raw, site) && kind !== 'NodeClaim') return;
      this.skipped.set(kind, (this.skipped.get(kind) ?? 0) + 1);
      this.recordSkipped(kind, String(apiVersion ?? ''), raw, site);
      return;
    }
    const close = didYouMean(kind, KNOWN_KIND_NAMES);
    const version = typeof apiVersion === 'string' ? ` for version "${apiVersion}"` : '';
    this.problems.add(site, ['kind'], `no kind "${kind}" is registered${version}`, close ?? `capsim reads ${Object.keys(KINDS).join(', ')}`);
  }

  private readKind(spec: KindSpec, raw: Record<string, unknown>, site: Site): void {
    const source = this.sourceOf(site);
    const declared = this.declare(spec, raw, site, source);
    const apiVersion = raw.apiVersion;
    let version = typeof apiVersion === 'string' ? kindVersion(spec, apiVersion) : undefined;
    if (!version) {
      const served = `${spec.kind} is served at apiVersion ${Object.keys(spec.versions).join(' or ')}`;
      if (apiVersion === undefined) {
        this.problems.add(site, ['apiVersion'], 'missing required field "apiVersion"', served);
      } else if (typeof apiVersion !== 'string') {
        this.problems.add(site, ['apiVersion'], `expected a string, got ${describe(apiVersion)}`, served);
      } else {
        const removedIn = own(spec.removed, apiVersion);
        const hint = removedIn ? `${served} (${apiVersion} was removed in ${/^\d/.test(removedIn) ? 'Kubernetes ' : ''}${removedIn})` : served;
        this.problems.add(site, ['apiVersion'], `no kind "${spec.kind}" is registered for version "${apiVersion}"`, hint);
      }
      // Check the rest against the served version too, so every problem is reported at once.
      version = spec.versions[spec.preferred];
    }
    const valid = validate(version.schema, raw, site, this.problems);
    if (valid === undefined || !declared) return;
    this.fieldNotices.record(version.schema, spec.kind, raw, site);
    const problems = this.problems;
    const cv: Convert = {
      source,
      problem: (path, message, hint) => problems.list.push(problemAt(site, path, message, hint)),
    };
    // Kept even when conversion found problems (the load fails anyway), so that references to
    // and from it are still checked.
    const object = version.convert(valid, cv);
    this.objects.push(object);
    this.siteOf.set(object, site);
  }

  /** A Karpenter kind at a version capsim reads: validated and kept for the checks and the
   *  NodePool menu, and the run's Karpenter (another version, v1beta1, is skipped with the other
   *  custom resources). True when it was a Karpenter kind at a version capsim reads. */
  private readKarpenter(kind: string, apiVersion: unknown, raw: Record<string, unknown>, site: Site): boolean {
    const k = own(KARPENTER_KINDS, kind);
    if (!k || typeof apiVersion !== 'string' || !k.versions.includes(apiVersion)) return false;
    const valid = validate(k.schema, raw, site, this.problems);
    if (valid === undefined) return true;
    this.fieldNotices.record(k.schema, kind, raw, site);
    const problems = this.problems;
    const cv: Convert = { source: this.sourceOf(site), problem: (path, message, hint) => problems.list.push(problemAt(site, path, message, hint)) };
    const object = k.convert(valid as never, cv);
    const twice = this.karpenter.find((o) => o.kind === object.kind && o.name === object.name);
    if (twice) {
      problems.add(site, ['metadata', 'name'], `duplicate ${kind} "${object.name}"`, `first declared at ${twice.source.file}:${twice.source.line}`);
      return true;
    }
    this.karpenter.push(object);
    return true;
  }

  /** Records Kind/namespace/name; a second declaration is a problem. Returns false then. */
  private declare(spec: KindSpec, raw: Record<string, unknown>, site: Site, source: SourceRef): boolean {
    const meta = raw.metadata as { name?: unknown; namespace?: unknown } | undefined;
    if (!meta || typeof meta !== 'object' || typeof meta.name !== 'string') return true; // the schema reports it
    const namespace = spec.namespaced ? (typeof meta.namespace === 'string' ? meta.namespace : 'default') : '';
    const ref = objectRef({ kind: spec.kind, metadata: { namespace, name: meta.name } });
    const first = this.declared.get(ref);
    if (first) {
      this.problems.add(site, ['metadata', 'name'], `duplicate ${spec.kind} "${namespace ? `${namespace}/` : ''}${meta.name}"`, `first declared at ${first.source.file}:${first.source.line}`);
      return false;
    }
    this.declared.set(ref, { kind: spec.kind, namespace, name: meta.name, source });
    return true;
  }

  /** Declares the workload an invalid shorthand entry stands for, so that references to it do
   *  not add "not declared" problems to the ones already reported. */
  declareRaw(entry: unknown, source: SourceRef): void {
    const w = (entry ?? {}) as { name?: unknown; namespace?: unknown; kind?: unknown };
    if (typeof w.name !== 'string') return;
    const kind = typeof w.kind === 'string' ? w.kind : 'Deployment';
    const namespace = typeof w.namespace === 'string' ? w.namespace : 'default';
    const ref = `${kind}/${namespace}/${w.name}`;
    if (!this.declared.has(ref)) this.declared.set(ref, { kind, namespace, name: w.name, source });
  }

  private recordSkipped(kind: string, apiVersion: string, raw: Record<string, unknown>, site: Site): void {
    const meta = raw.metadata as { name?: unknown; namespace?: unknown } | undefined;
    if (!meta || typeof meta !== 'object' || typeof meta.name !== 'string') return;
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : '-';
    const ref = `${kind}/${namespace}/${meta.name}`;
    if (!this.skippedObjects.has(ref)) this.skippedObjects.set(ref, { kind, apiVersion, name: meta.name, namespace, source: this.sourceOf(site) });
  }

  private sourceOf(site: Site): SourceRef {
    return { file: site.file, line: site.source ? site.source.line(site.doc, site.prefix) : 0 };
  }

  /** `skipped 3 objects capsim does not simulate: Service (2), ConfigMap (1)`, or null. */
  skippedNotice(): string | null {
    if (this.skipped.size === 0) return null;
    const entries = [...this.skipped].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const total = entries.reduce((n, [, c]) => n + c, 0);
    return `skipped ${total} object${total === 1 ? '' : 's'} capsim does not simulate: ${entries.map(([k, c]) => `${k} (${c})`).join(', ')}`;
  }
}

function isList(kind: string, raw: Record<string, unknown>): boolean {
  return kind === 'List' || (kind.endsWith('List') && Object.hasOwn(raw, 'items') && !kindSpec(kind));
}
