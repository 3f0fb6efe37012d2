// From a dump to the files of a scenario directory (issue 15, item 1): which objects are
// written (clean.ts fateOf), cleaned, into which file (nodes.yaml, cluster.yaml for the other
// cluster-scoped objects, namespace-<ns>.yaml for each namespace), in an order that does not
// depend on the dump's (kind, then name); the node pools (pools.ts); scenario.yaml
// (scenarioFile.ts) and import-report.md (report.ts). Pure: the same dump gives the same bytes.
import YAML from 'yaml';
import { InputError, type Problem } from '../scenario/errors.ts';
import { KINDS, apiGroup } from '../scenario/kube/kinds.ts';
import { CleaningTally, cleanObject, fateOf, latestTimestamp } from './clean.ts';
import { groupNodes, type NodeFacts } from './pools.ts';
import type { Dump, DumpObject } from './readDump.ts';
import { importReport, type KindCount, type ReportInput } from './report.ts';
import { scenarioYaml, type Placement } from './scenarioFile.ts';
import type { ImportedPool } from './pools.ts';

export interface PlanOptions {
  /** metadata.name of the scenario. */
  name: string;
  placement: Placement;
  /** The inputs as the user gave them, for the header and the report. */
  sources: string[];
}

export interface ImportPlan {
  /** Relative path -> content, in writing order. */
  files: Map<string, string>;
  /** What import-report.md is made of, to write it again with the loader's decisions. */
  reportInput: ReportInput;
  pools: ImportedPool[];
  ungrouped: string[];
  /** Counts for the command's summary line. */
  counts: { objects: number; nodes: number; pods: number; written: number; skipped: number };
}

/** The order kinds are written in a file: what others refer to first. */
const KIND_ORDER = [
  'Namespace', 'PriorityClass', 'LimitRange', 'ResourceQuota', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet',
  'CronJob', 'Job', 'Pod', 'HorizontalPodAutoscaler', 'VerticalPodAutoscaler', 'PodDisruptionBudget',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** "Kind" for built-in kinds, "group/Kind" for custom resources. */
function kindLabel(kind: string, apiVersion: string): string {
  const group = apiGroup(apiVersion);
  return kind in KINDS || kind === 'ReplicaSet' || group === '' || !group.includes('.') ? kind : `${group}/${kind}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Custom kinds written that live in a namespace (Karpenter's are cluster-scoped). */
const NAMESPACED_CUSTOM = new Set(['argoproj.io/Rollout', 'keda.sh/ScaledObject', 'keda.sh/ScaledJob']);

/** Whether objects of the kind live in a namespace: one without metadata.namespace is in
 *  "default", as the API server (and capsim's loader) would put it. */
function isNamespaced(kind: string, apiVersion: string): boolean {
  if (kind in KINDS) return KINDS[kind].namespaced;
  return kind === 'ReplicaSet' || NAMESPACED_CUSTOM.has(`${apiGroup(apiVersion)}/${kind}`);
}

export function planImport(dump: Dump, options: PlanOptions): ImportPlan {
  const tally = new CleaningTally();
  const written: { obj: Record<string, unknown>; label: string; namespace: string; name: string }[] = [];
  const skipped = new Map<string, { names: string[]; reason: string; kind: string }>();
  const seen = new Map<string, { at: DumpObject; cleaned: string }>();
  const duplicates: string[] = [];
  const problems: Problem[] = [];

  for (const o of dump.objects) {
    const kind = o.raw.kind as string;
    const apiVersion = o.raw.apiVersion as string;
    const meta = o.raw.metadata as Record<string, unknown>;
    const name = meta.name as string;
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : isNamespaced(kind, apiVersion) ? 'default' : '';
    const label = kindLabel(kind, apiVersion);
    const shown = namespace ? `${namespace}/${name}` : name;
    const fate = fateOf(kind, apiVersion);
    if (!fate.written) {
      const entry = skipped.get(label) ?? { names: [], reason: fate.reason, kind };
      entry.names.push(shown);
      skipped.set(label, entry);
      continue;
    }
    const cleaned = cleanObject(o.raw, tally);
    const key = `${label}/${namespace}/${name}`;
    const text = JSON.stringify(cleaned);
    const first = seen.get(key);
    if (first) {
      if (first.cleaned === text) duplicates.push(`${label} ${shown}`);
      else {
        problems.push({
          file: o.file, line: o.line, column: 1, path: 'metadata.name',
          message: `${label} "${shown}" is given twice, differently (first at ${first.at.file}:${first.at.line})`,
          hint: 'the inputs overlap (two dumps of one cluster taken at different times?): give each object once',
        });
      }
      continue;
    }
    seen.set(key, { at: o, cleaned: text });
    written.push({ obj: cleaned, label, namespace, name });
  }
  if (problems.length > 0) throw new InputError(problems);

  written.sort((a, b) => compare(a.namespace, b.namespace) || kindRank(a.obj.kind as string) - kindRank(b.obj.kind as string) || compare(a.label, b.label) || compare(a.name, b.name));
  const start = latestTimestamp(dump.objects.map((o) => o.raw));

  // Node pools from the Nodes.
  const nodes = written.filter((w) => w.obj.kind === 'Node');
  const { pools, ungrouped } = groupNodes(nodes.map((w) => nodeFacts(w.obj)));

  // Manifest files: nodes, other cluster-scoped objects, one per namespace.
  const byFile = new Map<string, Record<string, unknown>[]>();
  const fileOf = (w: (typeof written)[number]) => (w.obj.kind === 'Node' ? 'manifests/nodes.yaml' : w.namespace === '' ? 'manifests/cluster.yaml' : `manifests/namespace-${w.namespace}.yaml`);
  for (const w of written) byFile.set(fileOf(w), [...(byFile.get(fileOf(w)) ?? []), w.obj]);
  const manifestFiles = [...byFile.keys()].sort((a, b) => fileRank(a) - fileRank(b) || compare(a, b));

  const files = new Map<string, string>();
  files.set('scenario.yaml', scenarioYaml({ name: options.name, sources: options.sources, start, pools, ungrouped, placement: options.placement, manifests: manifestFiles.length > 0 }));
  const allFiles = ['scenario.yaml', ...manifestFiles, 'import-report.md'];
  const kinds = new Map<string, KindCount>();
  for (const w of written) {
    const k = kinds.get(w.label) ?? { kind: w.obj.kind as string, label: w.label, names: [] };
    k.names.push(w.namespace ? `${w.namespace}/${w.name}` : w.name);
    kinds.set(w.label, k);
  }
  const writtenKinds = [...kinds.values()].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || compare(a.label, b.label));
  const skippedKinds = [...skipped].map(([label, s]) => ({ kind: s.kind, label, names: s.names, reason: s.reason })).sort((a, b) => b.names.length - a.names.length || compare(a.label, b.label));
  const reportInput: ReportInput = {
    sources: options.sources,
    objectsRead: dump.objects.length,
    start,
    written: writtenKinds,
    skipped: skippedKinds,
    duplicates,
    cleaned: [...tally.removed].sort((a, b) => b[1] - a[1] || compare(a[0], b[0])),
    pools,
    ungrouped,
    placement: options.placement,
   
    files: allFiles,
  };
  files.set('import-report.md', importReport(reportInput));
  for (const f of manifestFiles) files.set(f, manifestFile(f, byFile.get(f)!));
  return {
    files,
    reportInput,
    pools,
    ungrouped,
    counts: {
      objects: dump.objects.length,
      nodes: nodes.length,
      pods: written.filter((w) => w.obj.kind === 'Pod').length,
      written: written.length,
      skipped: [...skipped.values()].reduce((n, s) => n + s.names.length, 0),
    },
  };
}

function fileRank(file: string): number {
  return file === 'manifests/nodes.yaml' ? 0 : file === 'manifests/cluster.yaml' ? 1 : 2;
}

function manifestFile(file: string, objects: Record<string, unknown>[]): string {
  const what = file === 'manifests/nodes.yaml' ? 'The Nodes' : file === 'manifests/cluster.yaml' ? 'The cluster-scoped objects' : `Namespace ${file.slice('manifests/namespace-'.length, -'.yaml'.length)}`;
  const header = `# ${what} of the dump, cleaned by \`capsim import cluster\` (import-report.md says how).\n`;
  return header + objects.map((o) => `---\n${YAML.stringify(o, { lineWidth: 0 })}`).join('');
}

function nodeFacts(obj: Record<string, unknown>): NodeFacts {
  const meta = obj.metadata as Record<string, unknown>;
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const labels = isStringMap(meta.labels) ? meta.labels : {};
  const taints = Array.isArray(spec.taints)
    ? spec.taints.filter((t): t is { key: string; value?: string; effect: string } => t !== null && typeof t === 'object' && typeof (t as { key?: unknown }).key === 'string' && typeof (t as { effect?: unknown }).effect === 'string')
    : [];
  const map = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const capacity = map(status.capacity) ?? map(status.allocatable) ?? {};
  const allocatable = map(status.allocatable) ?? capacity;
  return { name: meta.name as string, labels, taints, ...(typeof spec.providerID === 'string' ? { providerID: spec.providerID } : {}), allocatable, capacity };
}

function isStringMap(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
