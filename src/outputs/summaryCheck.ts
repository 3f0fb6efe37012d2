// summary.json read back (a sweep resuming, a merge, `capsim report` and `compare`): checked
// against the Summary contract, field by field, before a figure of it is used. A file cut short,
// edited, or written by something else is named as damaged, rather than read as a run whose
// figures are blank.
import { SCENARIO_WARNING_CODES, RUN_WARNING_CODES, type AdviceSummary, type RunWarning, type Summary } from './summary.ts';

/** What each field of Summary must hold. 'map' is a by-name breakdown (cost.byPool): an object of
 *  numbers whose keys depend on the run. */
type FieldShape<V> = [V] extends [RunWarning[] | undefined] ? 'warnings?'
  : [V] extends [AdviceSummary | undefined] ? 'advice?'
  : undefined extends V ? readonly ['optional', Shape<NonNullable<V>>]
  : [V] extends [string] ? 'string'
  : [V] extends [number] ? 'number'
  : [V] extends [number | null] ? 'number|null'
  : string extends keyof V ? 'map'
  : Shape<V>;
export type Shape<T> = { [K in keyof T]-?: FieldShape<T[K]> };

/** ['optional', shape]: a section a run may leave out (autoscaling.karpenter, when Karpenter did not run). */
type AnyShape = string | readonly ['optional', AnyShape] | { [key: string]: AnyShape };

/** Summary's fields, nested as in the type: a field added to Summary and not here, or here and
 *  not in Summary, does not compile. */
export const SUMMARY_SHAPE: Shape<Summary> = {
  scenario: 'string',
  seed: 'number',
  durationSeconds: 'number',
  cost: {
    totalUsd: 'number', byPool: 'map', listUsd: 'number', byNamespace: 'map', idleUsd: 'number', monthlyRunRateUsd: 'number', allocatedUsd: 'number',
    byInstanceType: 'map', byCapacityType: 'map', byWorkload: 'map',
  },
  carbon: {
    kgCo2e: 'number', energyKwh: 'number', operationalKgCo2e: 'number', embodiedKgCo2e: 'number', allocatedKgCo2e: 'number', idleKgCo2e: 'number',
    unestimatedNodeHours: 'number', byPool: 'map', byRegion: 'map', byNamespace: 'map', byWorkload: 'map',
  },
  utilization: { cpuRequestedPct: 'number', cpuUsedPct: 'number', memoryRequestedPct: 'number', memoryUsedPct: 'number' },
  nodes: { min: 'number', max: 'number', mean: 'number', nodeHours: 'number' },
  pods: {
    scheduled: 'number', unschedulable: 'number', oomKills: 'number', evictions: 'number', preemptions: 'number', restarts: 'number',
    pendingPodSeconds: 'number', maxPending: 'number',
  },
  demand: { servedPct: 'number|null' },
  autoscaling: {
    hpaScaleEvents: 'number', nodeScaleUps: 'number', nodeScaleDowns: 'number',
    karpenter: ['optional', {
      nodeClaimsLaunched: 'number', launchedByNodePool: 'map', nodeClaimsTerminated: 'number', terminatedByReason: 'map', nodeClaimsAtEnd: 'number', usdPerHourAtEnd: 'number',
      launchFailures: 'number', provisioningBatches: 'number', podsNominated: 'number', podsProvisionable: 'number', podsBound: 'number',
      meanPendingSeconds: 'number|null', maxPendingSeconds: 'number|null', podsFailedToSchedule: 'number', expired: 'number', spotInterruptions: 'number',
      startupDelaySeconds: 'number',
      disruption: {
        commands: 'map', nodesDisrupted: 'map', replacementsLaunched: 'number', validationFailures: 'map', commandsFailed: 'number',
        estimatedSavingsUsdPerHour: 'number', drifted: 'map',
      },
    }],
  },
  traces: ['optional', {
    pods: 'number', failedCreates: 'number', scheduled: 'number', neverScheduled: 'number',
    queueingDelayP50Seconds: 'number|null', queueingDelayP95Seconds: 'number|null', queueingDelayMaxSeconds: 'number|null',
    traceQueueingDelayP50Seconds: 'number|null', traceQueueingDelayP95Seconds: 'number|null', traceQueueingDelayMaxSeconds: 'number|null',
    comparedPods: 'number', scheduledDiffP50Seconds: 'number|null', scheduledDiffP95Seconds: 'number|null', scheduledDiffMaxSeconds: 'number|null',
    traceScheduledNeverBound: 'number', traceScheduledPendingAtEnd: 'number',
  }],
  gpu: ['optional', { gpusMax: 'number', allocatedMeanPct: 'number', allocatedMaxPct: 'number', fragmentedMeanPct: 'number', fragmentedMaxPct: 'number', fgdMeanPct: 'number', fgdMaxPct: 'number' }],
  warnings: 'warnings?',
  advice: 'advice?',
};

const WARNING_CODES: ReadonlySet<string> = new Set<string>([...SCENARIO_WARNING_CODES, ...RUN_WARNING_CODES]);

/** The dotted paths of the by-name breakdowns (cost.byPool, ...): an entry a run lacks is a
 *  name with nothing to add up (a pool without nodes in that run), so it is worth 0. */
export const SUMMARY_BREAKDOWNS: readonly string[] = (function breakdowns(shape: AnyShape, at: string): string[] {
  if (shape === 'map') return [at];
  if (typeof shape === 'string') return [];
  if (Array.isArray(shape)) return []; // a section some runs lack: its maps are not compared across runs
  return Object.entries(shape).flatMap(([key, inner]) => breakdowns(inner, at ? `${at}.${key}` : key));
})(SUMMARY_SHAPE as AnyShape, '');

export interface FieldProblem {
  /** Dotted path: cost.totalUsd; '' for the whole file. */
  path: string;
  message: string;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}...` : value)})`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function check(value: unknown, shape: AnyShape, at: string, problems: FieldProblem[]): void {
  const wrong = (expected: string): void => void problems.push({ path: at, message: `${value === undefined ? 'missing' : `is ${describe(value)}`}, ${expected} expected` });
  if (Array.isArray(shape)) {
    if (value !== undefined) check(value, shape[1], at, problems);
    return;
  }
  if (typeof shape === 'object') {
    if (!isObject(value)) return wrong('an object');
    for (const [key, inner] of Object.entries(shape)) check(value[key], inner, at ? `${at}.${key}` : key, problems);
    return;
  }
  switch (shape) {
    case 'string':
      if (typeof value !== 'string') wrong('a string');
      return;
    case 'number':
      if (!isNumber(value)) wrong('a number');
      return;
    case 'number|null':
      if (value !== null && !isNumber(value)) wrong('a number or null');
      return;
    case 'warnings?':
      // Left out when a run has none (outputs/summary.ts); a report shows each one's text.
      if (value === undefined) return;
      if (!Array.isArray(value)) return wrong('a list of warnings');
      value.forEach((w: unknown, i) => {
        const ok = isObject(w) && typeof w.code === 'string' && WARNING_CODES.has(w.code) && typeof w.title === 'string' && typeof w.message === 'string'
          && Array.isArray(w.objects) && w.objects.every((o) => typeof o === 'string');
        if (!ok) problems.push({ path: `${at}[${i}]`, message: `is ${describe(w)}, a warning (code, title, objects, message) expected` });
      });
      return;
    case 'advice?':
      if (value !== undefined) problems.push(...adviceProblems(value, at));
      return;
    case 'map':
      if (!isObject(value)) return wrong('an object of numbers');
      for (const [key, entry] of Object.entries(value)) if (!isNumber(entry)) problems.push({ path: `${at}.${key}`, message: `is ${describe(entry)}, a number expected` });
      return;
  }
}

const SEVERITIES: ReadonlySet<unknown> = new Set(['high', 'medium', 'low']);

/** summary.json `advice` (outputs/summary.ts AdviceSummary): what the report and the terminal read of it. */
function adviceProblems(value: unknown, at: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const strings = (v: unknown) => Array.isArray(v) && v.every((o) => typeof o === 'string');
  const num = (v: unknown) => isNumber(v);
  const numOrNull = (v: unknown) => v === null || isNumber(v);
  const list = (key: string, what: string, ok: (item: Record<string, unknown>) => boolean) => {
    const items = isObject(value) ? value[key] : undefined;
    if (!Array.isArray(items)) return problems.push({ path: `${at}.${key}`, message: `is ${describe(items)}, a list of ${what} expected` });
    items.forEach((item: unknown, i) => {
      if (!isObject(item) || !ok(item)) problems.push({ path: `${at}.${key}[${i}]`, message: `is ${describe(item)}, ${what.replace(/s \(/, ' (')} expected` });
    });
  };
  if (!isObject(value)) return [{ path: at, message: `is ${describe(value)}, an object expected` }];
  list('items', 'advice items (severity, code, what, objects, figure, action)', (a) =>
    SEVERITIES.has(a.severity) && typeof a.code === 'string' && typeof a.what === 'string' && strings(a.objects) && typeof a.figure === 'string' && typeof a.action === 'string');
  const f = value.fleet;
  const fleetOk = isObject(f) && typeof f.advised === 'boolean' && typeof f.summary === 'string' && num(f.currentMonthlyUsd) && numOrNull(f.proposedMonthlyUsd) && numOrNull(f.savingMonthlyUsd)
    && numOrNull(f.peakSeconds) && num(f.peakPods) && num(f.peakNodes) && strings(f.ignores)
    && Array.isArray(f.proposal) && f.proposal.every((p: unknown) => isObject(p) && typeof p.instanceType === 'string' && num(p.nodes) && num(p.monthlyUsd) && strings(p.pools))
    && Array.isArray(f.kept) && f.kept.every((k: unknown) => isObject(k) && typeof k.pool === 'string' && typeof k.reason === 'string' && num(k.monthlyUsd));
  if (!fleetOk) problems.push({ path: `${at}.fleet`, message: `is ${describe(f)}, a fleet proposal (advised, summary, currentMonthlyUsd, proposal, kept, ...) expected` });
  list('workloads', 'workload costs (workload, costUsd, sharePct, requests and usage)', (w) =>
    typeof w.workload === 'string' && num(w.costUsd) && num(w.sharePct) && num(w.cpuRequestedMilli) && num(w.cpuUsedMilli) && num(w.memoryRequestedBytes) && num(w.memoryUsedBytes));
  list('resources', 'resources blocks (workload, container, yaml, historyDays, shortHistory, fromRequests)', (r) =>
    typeof r.workload === 'string' && typeof r.container === 'string' && typeof r.yaml === 'string' && num(r.historyDays) && typeof r.shortHistory === 'boolean' && typeof r.fromRequests === 'boolean');
  return problems;
}

/** Every way `value` (a parsed summary.json) falls short of Summary; empty when it is one. Keys
 *  Summary does not have are not problems. */
export function summaryProblems(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isObject(value)) return [{ path: '', message: `is ${describe(value)}, not the object of a capsim summary` }];
  check(value, SUMMARY_SHAPE as AnyShape, '', problems);
  if (value.carbon === undefined) for (const p of problems) if (p.path === 'carbon') p.message = OLDER_SUMMARY;
  return problems;
}

/** summary.json's text parsed and checked: the Summary, or the problems (the first is enough to
 *  call the file damaged; all are given). */
export function parseSummary(text: string): { summary: Summary; problems: [] } | { summary: null; problems: FieldProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { summary: null, problems: [{ path: '', message: `not valid JSON, cut short or edited? (${(error as Error).message})` }] };
  }
  upgrade(parsed);
  const problems = summaryProblems(parsed);
  return problems.length === 0 ? { summary: parsed as Summary, problems: [] } : { summary: null, problems };
}

/** A summary written before cost.listUsd existed: no discount could apply then, so the nodes
 *  cost their list prices. One written before carbon was estimated is not filled in (a zero
 *  would read as a figure): it is named for what it is. */
function upgrade(parsed: unknown): void {
  if (!isObject(parsed)) return;
  const cost = parsed.cost;
  if (isObject(cost) && cost.listUsd === undefined && isNumber(cost.totalUsd)) cost.listUsd = cost.totalUsd;
}

/** The message for a summary without the carbon section: a run of a capsim before carbon. */
export const OLDER_SUMMARY = 'missing: this run was written by a capsim that did not estimate carbon yet; run the scenario again to read it';

/** "cost.totalUsd: missing, a number expected; pods: is null, an object expected" (the first few). */
export function formatFieldProblems(problems: readonly FieldProblem[], shown = 3): string {
  const list = problems.slice(0, shown).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  return problems.length > shown ? `${list}; and ${problems.length - shown} more` : list;
}
