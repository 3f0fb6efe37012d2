// loadScenario: scenario file -> validated model (DESIGN.md §2). Reads the scenario and every
// manifest it lists, applies --set and --seed, validates everything, converts, checks references
// and throws one InputError with every problem found in every file.
import { displayPath } from './paths.ts';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { AutoscalerSpec, ExpanderName, Placement, Scenario } from '../model/scenario.ts';
import { objectRef } from '../model/objects.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { LATEST_UTC_MS } from '../timestamp.ts';
import { InputError, type Problem } from './errors.ts';
import { didYouMean, problemAt, Problems, validate, type Override, type Site } from './problems.ts';
import { ALLOW_LARGE, INPUT_LIMITS, formatBytes } from './limits.ts';
import { YamlSource } from './source.ts';
import { applyOverrides } from './overrides.ts';
import { scenarioFieldNames } from './jsonSchema.ts';
import { scenarioSchema, sections, type AutoscalerDocument, type ScenarioDocument } from './schema.ts';
import { convertPools } from './pools.ts';
import { checkDiscountPools, offeringPrices, readPricing } from './pricing.ts';
import { ManifestReader } from './manifests.ts';
import { karpenterInput, karpenterNotSimulatedWarnings, karpenterWarnings, readKarpenterShorthand } from './karpenterChecks.ts';
import type { KarpenterChange } from '../model/karpenter.ts';
import { kindSpec, SKIPPED_KINDS } from './kube/kinds.ts';
import { expandWorkload } from './shorthand.ts';
import { checkReferences } from './references.ts';
import { checkJoinedNodes } from './nodeManifests.ts';
import { convertBehavior, convertEvents, type Declarations } from './behavior.ts';
import { readTraces } from './traces.ts';
import { resolveClusterState } from './clusterState.ts';
import { clusterStateLines } from './clusterStateReport.ts';
import { holdClusterHpas } from './hpaHold.ts';

export interface LoadOptions {
  /** `--set path=value` overrides, applied in order before validation. */
  set?: string[];
  /** `--seed`: replaces spec.seed. */
  seed?: number;
  /** `--allow-large`: read inputs over INPUT_LIMITS (limits.ts). */
  allowLarge?: boolean;
  /** `--placement`: replaces spec.placement. */
  placement?: Placement;
}

/** Reads, validates and converts a scenario. Throws InputError carrying EVERY problem found (all files). */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<Scenario> {
  const problems = new Problems();
  const budget: InputBudget = { allowLarge: options.allowLarge ?? false, yamlBytes: 0, objects: 0 };
  const source = await readSource(path.resolve(file), file, problems.list, budget);
  if (!source) throw new InputError(problems.list);
  const doc = scenarioDocument(source, problems);
  if (!doc) throw new InputError(sortProblems(problems.list));

  const overrides: Override[] = applyOverrides(doc, options.set ?? [], problems.list, scenarioFieldNames);
  if (options.seed !== undefined) {
    if (doc.spec === undefined || doc.spec === null) doc.spec = {};
    if (typeof doc.spec === 'object' && !Array.isArray(doc.spec)) {
      (doc.spec as Record<string, unknown>).seed = options.seed;
      overrides.push({ path: ['spec', 'seed'], file: '--seed', flag: `--seed ${options.seed}` });
    }
  }

  const site: Site = { source, file, doc: 0, prefix: [], overrides, scenario: true };
  const baseDir = path.dirname(path.resolve(file));
  const parsed = validate(scenarioSchema, doc, site, problems);
  const schemaProblems = problems.length;
  // When the document has problems, the entries that are valid are still converted and checked,
  // and every manifest file is still read, so that all problems are reported in one go.
  const spec = sections(parsed, doc);
  const reader = new ManifestReader(problems);
  if (parsed) reader.fieldNotices.record(scenarioSchema, '', doc, site);
  const inputFiles = [path.resolve(file)];
  await readManifests(parsed ? parsed.spec.manifests : rawManifests(doc), baseDir, site, reader, problems, inputFiles, budget);
  if (spec.karpenter) readKarpenterShorthand(spec.karpenter, reader, site, problems);

  const durationMs = spec.duration === undefined ? NaN : parseDuration(spec.duration);
  const sampleEveryMs = spec.sampleEvery === undefined ? NaN : parseDuration(spec.sampleEvery);
  if (durationMs <= 0) problems.add(site, ['spec', 'duration'], 'must be greater than 0');
  if (sampleEveryMs <= 0) problems.add(site, ['spec', 'sampleEvery'], 'must be greater than 0');
  else if (sampleEveryMs > durationMs) problems.add(site, ['spec', 'sampleEvery'], `is longer than the scenario (${formatDuration(durationMs)})`, `use at most ${formatDuration(durationMs)}`);
  const startEpochMs = parsed ? Date.parse(parsed.spec.start) : NaN;
  if (startEpochMs + durationMs > LATEST_UTC_MS) problems.add(site, ['spec', 'duration'], `the scenario would end after 9999-12-31T23:59:59Z (its start is ${parsed!.spec.start})`, 'the outputs\' times have four-digit years: start earlier or run for less');

  const pricing = await readPricing(parsed?.spec.pricing, baseDir, inputFiles, site, problems);
  const pools = convertPools(spec.nodePools, site, problems, pricing.pricing, startEpochMs);
  const autoscaler = spec.autoscaler ? toAutoscaler(spec.autoscaler, site, problems) : null;

  spec.workloads.forEach((w, i) => {
    const at = ['spec', 'workloads', i];
    if (!w) {
      reader.declareRaw(spec.rawWorkloads[i], { file, line: source.line(0, at) });
      return;
    }
    for (const g of expandWorkload(w)) reader.read(g.manifest, { ...site, prefix: at, generated: { kind: g.kind, mapPath: g.mapPath } });
  });

  // A cluster's state: who owns whom, what is history, where each pod starts (clusterState.ts).
  const placement: Placement = options.placement ?? parsed?.spec.placement ?? 'asDumped';
  const state = resolveClusterState({ objects: reader.objects, declared: reader.declared, skipped: reader.skippedObjects, placement });
  const objects = state.objects;
  const karpenter = karpenterInput(reader.karpenter);
  if (spec.karpenter) {
    const k = spec.karpenter;
    karpenter.startupDelayMs = parseDuration(k.startupDelay);
    karpenter.spotToSpotConsolidation = k.featureGates.spotToSpotConsolidation;
    if (k.spot) karpenter.spot = { ...(k.spot.priceRatio !== undefined ? { priceRatio: k.spot.priceRatio } : {}), interruptionsPerNodeDay: k.spot.interruptionsPerNodeDay, noticeMs: parseDuration(k.spot.notice) };
  }
  if (pricing.pricing) karpenter.offeringPrices = offeringPrices(pricing.pricing, startEpochMs);
  state.report.warnings.push(...karpenterWarnings(karpenter), ...karpenterNotSimulatedWarnings(karpenter, spec.poolNames));
  // An object the state made (a Rollout's Deployment) is found where its original was written.
  if (objects.some((o) => !reader.siteOf.has(o))) {
    const siteBySource = new Map([...reader.siteOf].map(([o, s]) => [`${o.source.file}:${o.source.line}`, s]));
    for (const o of objects) if (!reader.siteOf.has(o)) reader.siteOf.set(o, siteBySource.get(`${o.source.file}:${o.source.line}`) ?? site);
  }
  checkReferences(objects, reader.siteOf, reader.declared, problems);
  checkJoinedNodes(objects, pools.pools, spec.nodePools, site, problems);
  checkDiscountPools(pricing.pricing, [...spec.poolNames, ...karpenter.nodePools.map((np) => np.name)], site, problems);
  const decl: Declarations = {
    declared: reader.declared,
    objects: new Map(objects.map((o) => [objectRef(o), o])),
    pools: pools.pools,
    poolNames: spec.poolNames,
    nodePoolNames: karpenter.nodePools.filter((np) => np.replicas === null).map((np) => np.name),
    poolsIncomplete: spec.nodePools.some((p, i) => p === undefined || spec.salvaged.has(`spec.cluster.nodePools[${i}]`)),
    durationMs,
    startEpochMs,
    baseDir,
    inputFiles,
    allowLarge: budget.allowLarge,
  };
  const behavior = await convertBehavior(spec.behavior, decl, site, problems);
  const traces = await readTraces(parsed?.spec.traces, decl, site, problems);
  const events = convertEvents(spec.events, decl, site, problems, {
    nodePools: karpenter?.nodePools.map((np) => np.name) ?? [], nodeClasses: karpenter?.nodeClasses.map((nc) => nc.name) ?? [],
  });
  if (karpenter && events.some((e) => e.type === 'nodePoolUpdate' || e.type === 'nodeClassUpdate')) {
    karpenter.changes = events.flatMap((e): KarpenterChange[] => (e.type === 'nodePoolUpdate' ? [{ atMs: e.atMs, nodePool: e.nodePoolUpdate }] : e.type === 'nodeClassUpdate' ? [{ atMs: e.atMs, nodeClass: e.nodeClassUpdate }] : []));
  }
  if (!parsed || problems.length > 0) throw new InputError(sortProblems(withoutConsequences(problems.list, schemaProblems, spec.salvaged)));
  holdClusterHpas(objects, behavior, state.report);

  const name = parsed.metadata.name ?? path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  const notices: string[] = [];
  const skipped = reader.skippedNotice();
  if (skipped) notices.push(skipped);
  notices.push(...reader.fieldNotices.lines(), ...pricing.notices);
  notices.push(...clusterStateLines(state.report), ...state.notices, ...traces.notices);

  return {
    name,
    description: parsed.metadata.description,
    file,
    seed: parsed.spec.seed,
    startEpochMs,
    durationMs,
    sampleEveryMs,
    cluster: { nodePools: pools.pools, autoscaler, scheduler: parsed.spec.cluster.scheduler },
    objects,
    placement,
    clusterState: state.report,
    karpenter,
    ...(pricing.pricing ? { pricing: pricing.pricing } : {}),
    behavior,
    events,
    ...(parsed.spec.carbon ? { carbon: parsed.spec.carbon } : {}),
    ...(traces.traces.length > 0 ? { traces: traces.traces } : {}),
    notices,
    resolved: resolvedDocument(parsed, name, pools.resolved, state.report.entries.length > 0 ? placement : undefined),
    inputFiles: [...new Set(inputFiles)],
  };
}

/** YAML read so far and the objects it holds, against INPUT_LIMITS unless --allow-large. */
interface InputBudget {
  allowLarge: boolean;
  yamlBytes: number;
  objects: number;
}

/** Reads and parses one YAML file; undefined (with a problem) when it cannot be read or parsed,
 *  or when it would take the YAML read past INPUT_LIMITS.yamlBytes. */
async function readSource(absolute: string, file: string, problems: Problem[], budget: InputBudget, where?: () => Omit<Problem, 'message' | 'hint'>): Promise<YamlSource | undefined> {
  let text: string;
  try {
    const bytes = (await stat(absolute)).size;
    budget.yamlBytes += bytes;
    if (!budget.allowLarge && budget.yamlBytes > INPUT_LIMITS.yamlBytes) {
      const total = bytes > INPUT_LIMITS.yamlBytes ? `${file} is ${formatBytes(bytes)}` : `${file} (${formatBytes(bytes)}) brings the YAML read to ${formatBytes(budget.yamlBytes)}`;
      problems.push({ ...(where?.() ?? { file, line: 0, column: 0, path: '' }), message: `${total}; the limit is ${formatBytes(INPUT_LIMITS.yamlBytes)}`, hint: `split the study, or pass ${ALLOW_LARGE} to read it anyway (YAML takes about 25 times its size in memory once parsed)` });
      return undefined;
    }
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    problems.push(await fileProblem(error, absolute, file, { file, line: 0, column: 0, path: '' }));
    return undefined;
  }
  const source = new YamlSource(file, text);
  if (source.problem) {
    problems.push(source.problem);
    return undefined;
  }
  return source;
}

/** Objects in a file's documents: a List counts its items. */
function objectCount(documents: readonly unknown[]): number {
  let n = 0;
  for (const d of documents) {
    const items = d !== null && typeof d === 'object' ? (d as { items?: unknown }).items : undefined;
    n += Array.isArray(items) ? items.length : d === null || d === undefined ? 0 : 1;
  }
  return n;
}

/** A missing or unreadable file, with the closest file name in its directory. */
async function fileProblem(error: unknown, absolute: string, shown: string, where: Omit<Problem, 'message'>): Promise<Problem> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const siblings = await readdir(path.dirname(absolute)).catch(() => [] as string[]);
    const close = didYouMean(path.basename(absolute), siblings);
    return { ...where, message: `file not found: ${shown}`, hint: close };
  }
  if (code === 'EISDIR') return { ...where, message: `${shown} is a directory, not a file` };
  return { ...where, message: `cannot read ${shown}: ${(error as Error).message}` };
}

/** The problems found after validation, less those about what salvaging an invalid entry took
 *  out of it (schema.ts `salvage`): a pool whose misspelt `zonez` was taken out is still checked
 *  for its instance type, but "needs an instanceType" after taking out a mistyped one is no news. */
function withoutConsequences(list: Problem[], from: number, salvaged: ReadonlyMap<string, string[]>): Problem[] {
  if (salvaged.size === 0) return list;
  const consequence = (p: Problem) => [...salvaged].some(([entry, fields]) =>
    p.path === entry || fields.some((f) => [`${entry}.${f}`, `${entry}${f}`].some((at) => p.path === at || p.path.startsWith(`${at}.`) || p.path.startsWith(`${at}[`))));
  return list.filter((p, i) => i < from || !consequence(p));
}

/** The one Scenario document of the file, as a mutable plain object. */
function scenarioDocument(source: YamlSource, problems: Problems): Record<string, unknown> | undefined {
  const present = source.documents.map((d, i) => [d, i] as const).filter(([d]) => d !== null && d !== undefined);
  const site: Site = { source, file: source.file, doc: present[0]?.[1] ?? 0, prefix: [] };
  if (present.length === 0) {
    problems.add(site, [], 'the scenario file is empty', 'a scenario starts with apiVersion: capsim/v1 and kind: Scenario; `capsim init` writes a commented example');
    return undefined;
  }
  const [doc] = present[0];
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.add(site, [], 'expected a Scenario (a mapping with apiVersion: capsim/v1 and kind: Scenario)');
    return undefined;
  }
  const kind = (doc as Record<string, unknown>).kind;
  if (typeof kind === 'string' && (kindSpec(kind) || SKIPPED_KINDS.has(kind) || /^([A-Z]\w*)?List$/.test(kind))) {
    // `kubectl get ... -o yaml` prints a List: a cluster's objects, which a scenario starts from.
    problems.add(site, ['kind'], `expected kind: Scenario, got ${kind}: this is Kubernetes objects, not a capsim scenario`,
      `to simulate a cluster from its objects, \`capsim import cluster ${source.file} --out DIR\` writes a scenario that starts from them (README "Bring your cluster"); or list the file under spec.manifests of a Scenario (apiVersion: capsim/v1, kind: Scenario)`);
    return undefined;
  }
  for (const [, i] of present.slice(1)) {
    problems.add({ ...site, doc: i }, [], 'a scenario file holds one document', 'put Kubernetes objects in their own file and list it under spec.manifests (or inline them there)');
  }
  if (present.length > 1) return undefined;
  const copy = expandedCopy(doc) as Record<string, unknown>;
  dropEmptySections(copy);
  return copy;
}

/** A deep copy in which every use of an alias is a value of its own: the parsed document shares
 *  an anchor's node between its aliases (as structuredClone would keep it), so a --set on one
 *  use would change them all. What aliases add is bounded (source.ts aliasOverflow). */
function expandedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandedCopy);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) Object.defineProperty(out, key, { value: expandedCopy(v), enumerable: true, writable: true, configurable: true });
  return out;
}

/** A section left with only comments (`manifests:` and nothing under it) reads as null in YAML;
 *  treat it as absent, so the default applies. (`autoscaler:` null keeps meaning "disabled".) */
function dropEmptySections(doc: Record<string, unknown>): void {
  const drop = (o: unknown, keys: string[]) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return;
    for (const k of keys) if ((o as Record<string, unknown>)[k] === null) delete (o as Record<string, unknown>)[k];
  };
  drop(doc, ['metadata', 'spec']);
  const spec = doc.spec as Record<string, unknown> | undefined;
  drop(spec, ['cluster', 'manifests', 'workloads', 'behavior', 'events']);
  drop(spec?.cluster, ['nodePools']);
}

/** spec.manifests from a document that failed validation: whatever entries look usable. */
function rawManifests(doc: Record<string, unknown>): (string | Record<string, unknown>)[] {
  const spec = doc.spec as Record<string, unknown> | undefined;
  const list = spec && typeof spec === 'object' ? spec.manifests : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((m) => (typeof m === 'string' || (m !== null && typeof m === 'object' && !Array.isArray(m)) ? m : ''));
}

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

async function readManifests(
  entries: (string | Record<string, unknown>)[],
  baseDir: string,
  site: Site,
  reader: ManifestReader,
  problems: Problems,
  inputFiles: string[],
  budget: InputBudget,
): Promise<void> {
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const at = ['spec', 'manifests', i];
    if (typeof entry !== 'string') {
      reader.read(entry, { ...site, prefix: at });
      continue;
    }
    if (entry === '') continue;
    const files = await expandEntry(entry, baseDir, site, at, problems);
    for (const absolute of files) {
      if (seen.has(absolute)) continue;
      seen.add(absolute);
      inputFiles.push(absolute);
      const shown = displayPath(absolute);
      const source = await readSource(absolute, shown, problems.list, budget, () => problemAt(site, at, ''));
      if (!source) continue;
      budget.objects += objectCount(source.documents);
      if (!budget.allowLarge && budget.objects > INPUT_LIMITS.objects) {
        problems.add(site, at, `${shown} brings the objects to ${budget.objects.toLocaleString('en-US')}; the limit is ${INPUT_LIMITS.objects.toLocaleString('en-US')}`, `split the study, or pass ${ALLOW_LARGE} to read them anyway (each object takes about 10 KB once checked)`);
        return;
      }
      source.documents.forEach((doc, d) => reader.read(doc, { source, file: shown, doc: d, prefix: [] }));
    }
  }
}

/** A manifests entry -> absolute file paths: a glob (sorted), a directory (its YAML and JSON
 *  files, like kubectl apply -f DIR), or one file. */
async function expandEntry(entry: string, baseDir: string, site: Site, at: (string | number)[], problems: Problems): Promise<string[]> {
  if (isDynamicPattern(entry)) {
    const files = (await glob(entry, { cwd: baseDir, absolute: true, onlyFiles: true })).map((f) => path.resolve(f)).sort();
    if (files.length === 0) problems.add(site, at, `"${entry}" matches no files`, `patterns are relative to the scenario file's directory (${displayPath(baseDir)})`);
    return files;
  }
  const absolute = path.resolve(baseDir, entry);
  try {
    const info = await stat(absolute);
    if (!info.isDirectory()) return [absolute];
    const names = (await readdir(absolute)).filter((n) => MANIFEST_EXTENSIONS.test(n)).sort();
    if (names.length === 0) problems.add(site, at, `directory "${entry}" has no .yaml, .yml or .json files`);
    return names.map((n) => path.join(absolute, n));
  } catch (error) {
    const p = await fileProblem(error, absolute, entry, { file: site.file, line: 0, column: 0, path: '' });
    problems.add(site, at, p.message, p.hint ?? `paths are relative to the scenario file's directory (${displayPath(baseDir)})`);
    return [];
  }
}

/** --cores-total and --memory-total default to 0:320000 cores and 0:6400000 GiB
 *  (config.DefaultMaxClusterCores = 5000 x 64, DefaultMaxClusterMemory = 5000 x 64 x 20); memory
 *  is given in GiB and converted to bytes (main.go). */
const DEFAULT_MAX_CORES_TOTAL = 320_000;
const DEFAULT_MAX_MEMORY_TOTAL_GIB = 6_400_000;
const GIB = 1024 ** 3;

function toAutoscaler(a: AutoscalerDocument, site: Site, problems: Problems): AutoscalerSpec {
  const priorities: AutoscalerSpec['priorities'] = [];
  for (const [priority, patterns] of Object.entries(a.priorities ?? {})) {
    const compiled: RegExp[] = [];
    patterns.forEach((p, i) => {
      try {
        // The priority expander matches node-group ids with Go's regexp MatchString: unanchored.
        compiled.push(new RegExp(p));
      } catch (error) {
        problems.add(site, ['spec', 'cluster', 'autoscaler', 'priorities', priority, i], `invalid regular expression: ${(error as Error).message}`);
      }
    });
    priorities.push({ priority: Number(priority), patterns: compiled });
  }
  priorities.sort((x, y) => y.priority - x.priority);
  const ms = parseDuration;
  return {
    expander: a.expander.split(',').map((s) => s.trim()) as ExpanderName[], // each checked by the schema
    scanIntervalMs: ms(a.scanInterval),
    scaleDownEnabled: a.scaleDownEnabled,
    scaleDownUtilizationThreshold: a.scaleDownUtilizationThreshold,
    scaleDownGpuUtilizationThreshold: a.scaleDownGpuUtilizationThreshold,
    scaleDownUnneededTimeMs: ms(a.scaleDownUnneededTime),
    scaleDownUnreadyTimeMs: ms(a.scaleDownUnreadyTime),
    scaleDownDelayAfterAddMs: ms(a.scaleDownDelayAfterAdd),
    scaleDownDelayAfterDeleteMs: ms(a.scaleDownDelayAfterDelete),
    scaleDownDelayAfterFailureMs: ms(a.scaleDownDelayAfterFailure),
    maxNodesTotal: a.maxNodesTotal,
    balanceSimilarNodeGroups: a.balanceSimilarNodeGroups,
    coresTotal: { min: a.coresTotal?.min ?? 0, max: a.coresTotal?.max ?? DEFAULT_MAX_CORES_TOTAL },
    memoryTotalBytes: { min: (a.memoryTotal?.min ?? 0) * GIB, max: (a.memoryTotal?.max ?? DEFAULT_MAX_MEMORY_TOTAL_GIB) * GIB },
    maxNodeProvisionTimeMs: ms(a.maxNodeProvisionTime),
    ignoreDaemonsetsUtilization: a.ignoreDaemonsetsUtilization,
    skipNodesWithLocalStorage: a.skipNodesWithLocalStorage,
    skipNodesWithSystemPods: a.skipNodesWithSystemPods,
    skipNodesWithCustomControllerPods: a.skipNodesWithCustomControllerPods,
    expendablePodsPriorityCutoff: a.expendablePodsPriorityCutoff,
    newPodScaleUpDelayMs: ms(a.newPodScaleUpDelay),
    maxNodesPerScaleUp: a.maxNodesPerScaleUp,
    maxScaleDownParallelism: a.maxScaleDownParallelism,
    maxDrainParallelism: a.maxDrainParallelism,
    maxGracefulTerminationSec: a.maxGracefulTerminationSec,
    maxPodEvictionTimeMs: ms(a.maxPodEvictionTime),
    nodeDeleteDelayAfterTaintMs: ms(a.nodeDeleteDelayAfterTaint),
    unremovableNodeRecheckTimeoutMs: ms(a.unremovableNodeRecheckTimeout),
    initialNodeGroupBackoffDurationMs: ms(a.initialNodeGroupBackoffDuration),
    maxNodeGroupBackoffDurationMs: ms(a.maxNodeGroupBackoffDuration),
    nodeGroupBackoffResetTimeoutMs: ms(a.nodeGroupBackoffResetTimeout),
    okTotalUnreadyCount: a.okTotalUnreadyCount,
    maxTotalUnreadyPercentage: a.maxTotalUnreadyPercentage,
    priorities,
  };
}

/** The scenario as validated, with every default filled in (scenario.resolved.yaml). */
function resolvedDocument(parsed: ScenarioDocument, name: string, pools: Record<string, unknown>[], placement: Placement | undefined): Record<string, unknown> {
  const spec = parsed.spec;
  const workloads = spec.workloads.map((w) => ({
    ...w,
    ...(w.kind === 'Deployment' || w.kind === 'StatefulSet' ? { replicas: w.replicas ?? 1 } : {}),
  }));
  const resolved = {
    apiVersion: parsed.apiVersion,
    kind: parsed.kind,
    metadata: { name, description: parsed.metadata.description },
    // The placement is written when it mattered: the manifests hold a cluster's state.
    spec: { ...spec, cluster: { ...spec.cluster, nodePools: pools }, workloads, ...(placement ? { placement } : {}) },
  };
  // Plain JSON data: no undefined members, no shared references.
  return JSON.parse(JSON.stringify(resolved)) as Record<string, unknown>;
}

/** Problems grouped by file (in the order files were first met), then by position. */
function sortProblems(list: Problem[]): Problem[] {
  const order = new Map<string, number>();
  for (const p of list) if (!order.has(p.file)) order.set(p.file, order.size);
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order.get(a.p.file)! - order.get(b.p.file)! || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

