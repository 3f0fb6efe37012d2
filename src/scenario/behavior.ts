// `behavior:` (how each workload is loaded and uses resources) and `events:` (scripted what-ifs)
// -> model Behavior[] and ScriptedEvent[], with their references checked against what the
// scenario declares.
import { displayPath } from './paths.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Behavior, ContainerUsage, DemandPattern, NodePool, RunDuration, ScriptedEvent } from '../model/scenario.ts';
import type { KubeObject } from '../model/objects.ts';
import { LABEL_ZONE } from '../model/api.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { parseBytes, parseCpuMilli } from '../quantity.ts';
import { cronProblem } from './cron.ts';
import { didYouMean, problemAt, type Problems, type Site } from './problems.ts';
import { readTrace } from '../workload/trace.ts';
import { ALLOW_LARGE, INPUT_LIMITS } from './limits.ts';
import type { BehaviorDocument, EventDocument } from './schema.ts';
import type { Declared } from './manifests.ts';
import type { PathPart } from './source.ts';
import { taints as karpenterTaints, toRequirements } from './kube/karpenter.ts';

/** What references are checked against. */
export interface Declarations {
  /** Every declared object (valid or not), by "Kind/namespace/name". */
  declared: Map<string, Declared>;
  /** The converted objects, by "Kind/namespace/name". */
  objects: Map<string, KubeObject>;
  pools: NodePool[];
  /** Pool names as written (also those whose conversion failed). */
  poolNames: string[];
  /** Karpenter NodePools that provision (a node's pool is its NodePool): events may name them. */
  nodePoolNames?: string[];
  /** Some node pool failed validation (reported): its zones are not known, so no zone is
   *  reported missing. */
  poolsIncomplete?: boolean;
  durationMs: number;
  /** spec.start as Unix epoch ms (NaN when it is invalid): trace timestamps are relative to it. */
  startEpochMs: number;
  /** Directory of the scenario file, for relative trace files. */
  baseDir: string;
  /** Every file read (absolute), scenario first: trace files are added as they are read. */
  inputFiles: string[];
  /** --allow-large: traces over INPUT_LIMITS are read too. */
  allowLarge?: boolean;
}

const BEHAVIOR_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

/** Container names of a workload's pod template (init containers included). */
function containerNames(o: KubeObject): string[] {
  const spec =
    o.kind === 'Pod' ? o.spec
    : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec
    : o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'Job' ? o.spec.template.spec
    : undefined;
  return spec ? [...spec.containers, ...spec.initContainers].map((c) => c.name) : [];
}

/**
 * Checks a "Kind/namespace/name" reference to a declared object of one of `kinds`. Reports a
 * problem with the closest declared reference and returns undefined when there is none.
 */
export function checkTarget(target: string, kinds: readonly string[], decl: Declarations, site: Site, at: PathPart[], problems: Problems): string | undefined {
  const candidates = [...decl.declared.keys()].filter((ref) => kinds.includes(ref.slice(0, ref.indexOf('/'))));
  const parts = target.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    const guess = parts.length === 2 ? candidates.find((c) => c.startsWith(`${parts[0]}/`) && c.endsWith(`/${parts[1]}`)) : undefined;
    problems.add(site, at, `invalid target "${target}": expected Kind/namespace/name`, guess ? `did you mean "${guess}"?` : `e.g. Deployment/default/web`);
    return undefined;
  }
  if (!decl.declared.has(target) || !kinds.includes(parts[0])) {
    const close = didYouMean(target, candidates);
    const which = kinds.length === 1 ? `${kinds[0]}` : 'workload';
    const hint = close ?? (candidates.length ? `declared: ${candidates.slice(0, 8).join(', ')}${candidates.length > 8 ? ', ...' : ''}` : `declare the ${which} under spec.workloads or spec.manifests`);
    problems.add(site, at, kinds.includes(parts[0]) ? `no ${which} "${target}" is declared` : `a target here must be a ${kinds.join(', ')}, not ${parts[0]}`, hint);
    return undefined;
  }
  return target;
}

/** Async because trace files are read (in entry order, so problems come in a stable order). */
export async function convertBehavior(docs: (BehaviorDocument | undefined)[], decl: Declarations, site: Site, problems: Problems): Promise<Behavior[]> {
  const out: Behavior[] = [];
  const seen = new Map<string, number>();
  for (const [i, b] of docs.entries()) {
    if (!b) continue; // invalid: already reported
    const at = ['spec', 'behavior', i];
    const target = checkTarget(b.target, BEHAVIOR_KINDS, decl, site, [...at, 'target'], problems);
    if (target !== undefined) {
      const first = seen.get(target);
      if (first !== undefined) problems.add(site, [...at, 'target'], `a second behavior for ${target}`, `merge it into spec.behavior[${first}]`);
      else seen.set(target, i);
    }
    const kind = b.target.split('/')[0];
    const object = target ? decl.objects.get(target) : undefined;
    if (object) {
      const names = containerNames(object);
      for (const name of Object.keys(b.usage)) {
        if (!names.includes(name)) problems.add(site, [...at, 'usage', name], `${target} has no container "${name}"`, didYouMean(name, names) ?? `its containers: ${names.join(', ')}`, { key: true });
      }
    }
    if (b.arrivals && kind !== 'Job') problems.add(site, [...at, 'arrivals'], `arrivals apply to Job targets, not ${kind}`, kind === 'CronJob' ? 'a CronJob\'s schedule decides when its jobs start' : undefined, { key: true });
    if (b.run && !['Job', 'CronJob', 'Pod'].includes(kind)) problems.add(site, [...at, 'run'], `run applies to Job, CronJob and Pod targets, not ${kind}`, undefined, { key: true });
    if (b.arrivals?.cron !== undefined) {
      const problem = cronProblem(b.arrivals.cron);
      if (problem) problems.add(site, [...at, 'arrivals', 'cron'], `invalid schedule "${b.arrivals.cron}": ${problem}`);
    }
    const demand: DemandPattern[] = [];
    for (const [j, d] of b.demand.entries()) demand.push(await toDemand(d, decl, site, [...at, 'demand', j], problems));
    out.push({
      target: b.target,
      demand,
      usage: Object.fromEntries(Object.entries(b.usage).map(([name, u]) => [name, toUsage(u)])),
      startup: { delayMs: b.startup?.delay !== undefined ? parseDuration(b.startup.delay) : null },
      shutdown: { delayMs: b.shutdown?.delay !== undefined ? parseDuration(b.shutdown.delay) : null },
      arrivals: b.arrivals ? (b.arrivals.cron !== undefined ? { cron: b.arrivals.cron } : { poissonPerHour: b.arrivals.poissonPerHour! }) : null,
      run: b.run ? { duration: toRunDuration(b.run.duration) } : null,
    });
  }
  return out;
}

async function toDemand(d: BehaviorDocument['demand'][number], decl: Declarations, site: Site, at: PathPart[], problems: Problems): Promise<DemandPattern> {
  if (d.constant !== undefined) return { constant: d.constant };
  if (d.daily) return { daily: { amplitude: d.daily.amplitude, peakAt: d.daily.peakAt } };
  if (d.weekly) return { weekly: { weekendFactor: d.weekly.weekendFactor } };
  if (d.growth) return { growth: { perDay: d.growth.perDay } };
  if (d.spike) {
    const atMs = parseDuration(d.spike.at);
    if (atMs >= decl.durationMs) problems.add(site, [...at, 'spike', 'at'], `the spike at ${d.spike.at} starts after the scenario ends (duration ${formatDuration(decl.durationMs)})`);
    return { spike: { atMs, durationMs: parseDuration(d.spike.duration), factor: d.spike.factor } };
  }
  if (d.noise) return { noise: { cv: d.noise.cv } };
  return { trace: await toTrace(d.trace!, decl, site, [...at, 'trace'], problems) };
}

/** Reads a trace CSV (src/workload/trace.ts). Its problems name the CSV file and row, with the
 *  path of the scenario's trace field they concern. */
async function toTrace(trace: { file: string; time: string; value: string }, decl: Declarations, site: Site, at: PathPart[], problems: Problems): Promise<Extract<DemandPattern, { trace: unknown }>['trace']> {
  const file = path.resolve(decl.baseDir, trace.file);
  const shown = displayPath(file);
  const empty = { file: shown, timesMs: [], values: [] };
  if (!existsSync(file)) {
    problems.add(site, [...at, 'file'], `trace file not found: ${trace.file}`, `paths are relative to the scenario file's directory (${displayPath(decl.baseDir)})`);
    return empty;
  }
  let read: Awaited<ReturnType<typeof readTrace>>;
  decl.inputFiles.push(file);
  try {
    const limits = decl.allowLarge ? undefined : { maxBytes: INPUT_LIMITS.traceBytes, maxRows: INPUT_LIMITS.traceRows, flag: ALLOW_LARGE };
    read = await readTrace(file, trace, decl.startEpochMs, limits);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.add(site, [...at, 'file'], code === 'EISDIR' ? `trace file ${trace.file} is a directory` : `cannot read trace file ${trace.file}: ${(error as Error).message}`);
    return empty;
  }
  for (const p of read.problems) {
    const close = p.columns && p.field ? didYouMean(trace[p.field], p.columns) : undefined;
    const hint = close && p.hint ? `${close} ${p.hint}` : (close ?? p.hint);
    const inScenario = problemAt(site, [...at, p.field ?? 'file'], p.message, hint);
    problems.list.push({ ...inScenario, file: shown, line: p.line, column: p.column });
  }
  return { file: shown, timesMs: read.points.timesMs, values: read.points.values };
}

function toUsage(u: BehaviorDocument['usage'][string]): ContainerUsage {
  return {
    cpu: u.cpu ? { baseMilli: parseCpuMilli(u.cpu.base), perUnitMilli: parseCpuMilli(u.cpu.perUnit) } : null,
    memory: u.memory ? { baseBytes: parseBytes(u.memory.base), perUnitBytes: parseBytes(u.memory.perUnit), leakBytesPerHour: parseBytes(u.memory.leakPerHour), noise: u.memory.noise } : null,
  };
}

function toRunDuration(d: NonNullable<BehaviorDocument['run']>['duration']): RunDuration {
  if (typeof d === 'string' || typeof d === 'number') return { fixedMs: parseDuration(d) };
  if (d.lognormal) return { lognormal: { medianMs: parseDuration(d.lognormal.median), sigma: d.lognormal.sigma } };
  return { exponential: { meanMs: parseDuration(d.exponential!.mean) } };
}

// --- events ----------------------------------------------------------------------------------

/** Karpenter's object names, for the nodePoolUpdate / nodeClassUpdate events. */
export interface KarpenterNames {
  nodePools: readonly string[];
  nodeClasses: readonly string[];
}

export function convertEvents(docs: (EventDocument | undefined)[], decl: Declarations, site: Site, problems: Problems, karpenter: KarpenterNames = { nodePools: [], nodeClasses: [] }): ScriptedEvent[] {
  const zones = new Set<string>(decl.pools.flatMap((p) => p.zones));
  const nodeNames = new Set<string>();
  for (const d of decl.declared.values()) if (d.kind === 'Node') nodeNames.add(d.name);
  for (const o of decl.objects.values()) if (o.kind === 'Node' && o.metadata.labels[LABEL_ZONE]) zones.add(o.metadata.labels[LABEL_ZONE]);

  const checkPool = (name: string | undefined, at: PathPart[]) => {
    const names = [...decl.poolNames, ...(decl.nodePoolNames ?? [])];
    if (name === undefined || names.includes(name)) return;
    problems.add(site, at, `no node pool${decl.nodePoolNames?.length ? ' or Karpenter NodePool' : ''} "${name}"`, didYouMean(name, names) ?? (names.length ? `pools: ${names.join(', ')}` : 'declare it under spec.cluster.nodePools'));
  };
  const checkZone = (zone: string | undefined, at: PathPart[]) => {
    if (zone === undefined || zones.size === 0 || zones.has(zone) || decl.poolsIncomplete) return;
    problems.add(site, at, `no node pool or node is in zone "${zone}"`, didYouMean(zone, [...zones]) ?? `zones: ${[...zones].join(', ')}`);
  };
  const checkNode = (node: string | undefined, at: PathPart[]) => {
    // Pool nodes are named when they are created; only nodes from manifests can be checked.
    if (node === undefined || decl.poolNames.length > 0 || decl.pools.length > 0 || nodeNames.has(node)) return;
    problems.add(site, at, `no node "${node}" is declared`, didYouMean(node, [...nodeNames]));
  };

  const out: ScriptedEvent[] = [];
  docs.forEach((e, i) => {
    if (!e) return; // invalid: already reported
    const at = ['spec', 'events', i];
    const atMs = parseDuration(e.at);
    if (atMs > decl.durationMs) problems.add(site, [...at, 'at'], `at ${e.at} is after the end of the scenario (duration ${formatDuration(decl.durationMs)})`, `use an "at" within 0s..${formatDuration(decl.durationMs)}, or lengthen spec.duration`);
    const selection = (s: { node?: string; pool?: string; zone?: string; count: number }, key: string) => {
      checkPool(s.pool, [...at, key, 'pool']);
      checkZone(s.zone, [...at, key, 'zone']);
      checkNode(s.node, [...at, key, 'node']);
      const out: { node?: string; pool?: string; zone?: string; count: number } = { count: s.count };
      if (s.node !== undefined) out.node = s.node;
      if (s.pool !== undefined) out.pool = s.pool;
      if (s.zone !== undefined) out.zone = s.zone;
      return out;
    };
    if (e.drain) {
      const d = e.drain;
      out.push({
        atMs, type: 'drain',
        drain: { ...selection(d, 'drain'), gracePeriodSeconds: d.gracePeriod !== undefined ? Math.ceil(parseDuration(d.gracePeriod) / 1000) : null, timeoutMs: d.timeout !== undefined ? parseDuration(d.timeout) : null, deleteNodes: d.deleteNodes },
      });
    } else if (e.cordon) {
      out.push({ atMs, type: 'cordon', cordon: selection(e.cordon, 'cordon') });
    } else if (e.uncordon) {
      out.push({ atMs, type: 'uncordon', uncordon: selection(e.uncordon, 'uncordon') });
    } else if (e.nodeFailure) {
      out.push({ atMs, type: 'nodeFailure', nodeFailure: { ...selection(e.nodeFailure, 'nodeFailure'), durationMs: e.nodeFailure.duration !== undefined ? parseDuration(e.nodeFailure.duration) : null } });
    } else if (e.zoneOutage) {
      checkZone(e.zoneOutage.zone, [...at, 'zoneOutage', 'zone']);
      out.push({ atMs, type: 'zoneOutage', zoneOutage: { zone: e.zoneOutage.zone, durationMs: parseDuration(e.zoneOutage.duration) } });
    } else if (e.spotInterruption) {
      const { pool, count } = e.spotInterruption;
      checkPool(pool, [...at, 'spotInterruption', 'pool']);
      const p = decl.pools.find((x) => x.name === pool);
      if (p && p.capacityType !== 'spot') problems.add(site, [...at, 'spotInterruption', 'pool'], `node pool "${pool}" is on-demand; only spot nodes are interrupted`, 'set capacityType: spot on the pool, or use nodeFailure');
      out.push({ atMs, type: 'spotInterruption', spotInterruption: { pool, count } });
    } else if (e.capacityUnavailable) {
      checkPool(e.capacityUnavailable.pool, [...at, 'capacityUnavailable', 'pool']);
      out.push({ atMs, type: 'capacityUnavailable', capacityUnavailable: { pool: e.capacityUnavailable.pool, durationMs: parseDuration(e.capacityUnavailable.duration) } });
    } else if (e.rollout) {
      checkTarget(e.rollout.target, ['Deployment', 'StatefulSet', 'DaemonSet'], decl, site, [...at, 'rollout', 'target'], problems);
      out.push({ atMs, type: 'rollout', rollout: { target: e.rollout.target } });
    } else if (e.scale) {
      checkTarget(e.scale.target, ['Deployment', 'StatefulSet'], decl, site, [...at, 'scale', 'target'], problems);
      out.push({ atMs, type: 'scale', scale: { target: e.scale.target, replicas: e.scale.replicas } });
    } else if (e.nodePoolUpdate) {
      const u = e.nodePoolUpdate;
      const where = [...at, 'nodePoolUpdate'];
      if (!karpenter.nodePools.includes(u.nodePool)) {
        problems.add(site, [...where, 'nodePool'], `no Karpenter NodePool "${u.nodePool}"`, didYouMean(u.nodePool, [...karpenter.nodePools]) ?? (karpenter.nodePools.length ? `NodePools: ${karpenter.nodePools.join(', ')}` : 'declare it under spec.karpenter.nodePools or as a karpenter.sh/v1 NodePool manifest'));
      }
      const cv = { problem: (p: readonly PathPart[], message: string, hint?: string) => problems.add(site, [...where, ...p.slice(3)], message, hint), source: { file: site.file, line: 0 } };
      const change: ScriptedEvent & { type: 'nodePoolUpdate' } = { atMs, type: 'nodePoolUpdate', nodePoolUpdate: { name: u.nodePool } };
      const c = change.nodePoolUpdate;
      if (u.labels !== undefined) c.labels = u.labels;
      if (u.annotations !== undefined) c.annotations = u.annotations;
      if (u.taints !== undefined) c.taints = karpenterTaints(u.taints);
      if (u.requirements !== undefined) c.requirements = toRequirements(u.requirements, cv, ['spec', 'template', 'spec', 'requirements']);
      if (u.expireAfter !== undefined) c.expireAfter = u.expireAfter;
      if (u.terminationGracePeriod !== undefined) c.terminationGracePeriod = u.terminationGracePeriod;
      if (u.consolidationPolicy !== undefined) c.consolidationPolicy = u.consolidationPolicy;
      if (u.consolidateAfter !== undefined) c.consolidateAfter = u.consolidateAfter;
      if (u.budgets !== undefined) c.budgets = u.budgets.map((b) => ({ nodes: b.nodes, ...(b.schedule !== undefined ? { schedule: b.schedule } : {}), ...(b.duration !== undefined ? { duration: b.duration } : {}), ...(b.reasons !== undefined ? { reasons: b.reasons } : {}) }));
      out.push(change);
    } else if (e.nodeClassUpdate) {
      const u = e.nodeClassUpdate;
      if (!karpenter.nodeClasses.includes(u.nodeClass)) {
        problems.add(site, [...at, 'nodeClassUpdate', 'nodeClass'], `no Karpenter NodeClass "${u.nodeClass}"`, didYouMean(u.nodeClass, [...karpenter.nodeClasses]) ?? (karpenter.nodeClasses.length ? `NodeClasses: ${karpenter.nodeClasses.join(', ')}` : 'declare an EC2NodeClass (or use spec.karpenter.nodePools, which makes one)'));
      }
      if (u.amiSelectorTerms === undefined && !u.newImage) problems.add(site, [...at, 'nodeClassUpdate'], 'changes nothing', 'give amiSelectorTerms, or newImage: true for a new image release');
      out.push({ atMs, type: 'nodeClassUpdate', nodeClassUpdate: { name: u.nodeClass, ...(u.amiSelectorTerms !== undefined ? { amiSelectorTerms: u.amiSelectorTerms } : {}), ...(u.newImage ? { newImage: true } : {}) } });
    }
  });
  return out;
}
