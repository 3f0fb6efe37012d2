// --demand 'namespace/workload=PROMQL' (or 'Kind/namespace/name=PROMQL'): the series a workload's
// demand is read from (requests/s, messages/s: what the application's own metrics count), for the
// `demand` column of its CSV and the calibration. Each is a range query like the others (chunked);
// its answer must be one series: a query with several is refused ("sum it"), one with none falls
// back to the observed CPU in cores with a warning. With --from-files the n-th --demand's answer
// is `demand.<n>.json` (its chunks `demand.<n>.<part>.json`).
import { InputError } from '../../scenario/errors.ts';
import { excerpt } from '../../excerpt.ts';
import { onGrid, type WorkloadSeries } from './aggregate.ts';
import type { Series, Window } from './prometheus.ts';

/** The id of the n-th --demand (1-based): its row in the report's queries, its saved answer's name. */
export const demandId = (n: number) => `demand.${n}`;

export interface DemandSpec {
  /** As given on the command line, for messages. */
  given: string;
  /** 1-based position among the --demand flags. */
  index: number;
  kind: string | null;
  namespace: string;
  name: string;
  promql: string;
}

/** Where a workload's `demand` column comes from. */
export interface DemandSource {
  /** The PromQL, or null: the observed CPU in cores. */
  query: string | null;
  /** For the report's workload table. */
  label: string;
  values: (number | null)[];
}

function problem(flag: string, message: string, hint: string): InputError {
  return new InputError([{ file: flag, line: 0, column: 0, path: '', message, hint }]);
}

const FORM = "give namespace/workload=PROMQL or Kind/namespace/name=PROMQL, e.g. --demand 'shop/web=sum(rate(http_requests_total{namespace=\"shop\"}[5m]))'";

/** Parses the --demand flags; a malformed one or a workload named twice is an InputError. */
export function parseDemandSpecs(texts: readonly string[]): DemandSpec[] {
  const specs: DemandSpec[] = [];
  texts.forEach((given, k) => {
    const eq = given.indexOf('=');
    const ref = eq < 0 ? given : given.slice(0, eq);
    const promql = eq < 0 ? '' : given.slice(eq + 1).trim();
    const parts = ref.trim().split('/');
    if (eq < 0 || promql === '' || (parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === '')) {
      throw problem('--demand', `${JSON.stringify(excerpt(given))} is not WORKLOAD=PROMQL`, FORM);
    }
    const kind = parts.length === 3 ? parts[0] : null;
    const [namespace, name] = parts.slice(-2);
    const spec: DemandSpec = { given, index: k + 1, kind, namespace, name, promql };
    const twice = specs.find((s) => s.namespace === namespace && s.name === name && (s.kind === null || kind === null || s.kind === kind));
    if (twice) throw problem('--demand', `${excerpt(ref)} is given twice (--demand ${twice.index} and ${spec.index})`, 'give one query per workload; sum the series in PromQL');
    specs.push(spec);
  });
  return specs;
}

const refOf = (w: WorkloadSeries) => `${w.kind}/${w.namespace}/${w.name}`;
/** Workloads named in a hint; the rest are counted. */
const HINTED = 10;

/** The workload each --demand names, among those the metrics hold. */
export function resolveDemandSpecs(specs: readonly DemandSpec[], workloads: readonly WorkloadSeries[]): Map<WorkloadSeries, DemandSpec> {
  const out = new Map<WorkloadSeries, DemandSpec>();
  for (const spec of specs) {
    const ref = `${spec.kind === null ? '' : `${spec.kind}/`}${spec.namespace}/${spec.name}`;
    const found = workloads.filter((w) => w.namespace === spec.namespace && w.name === spec.name && (spec.kind === null || w.kind === spec.kind));
    if (found.length === 0) {
      const near = workloads.filter((w) => w.namespace === spec.namespace);
      const listed = (near.length > 0 ? near : workloads).map(refOf);
      throw problem(`--demand ${excerpt(ref)}`, 'no such workload in the metrics (pods with usage and an owner in the window)',
        `the ${near.length > 0 ? `workloads of namespace ${excerpt(spec.namespace)}` : 'workloads'} found: ${listed.slice(0, HINTED).map((r) => excerpt(r)).join(', ')}${listed.length > HINTED ? ` and ${listed.length - HINTED} more` : ''}`);
    }
    if (found.length > 1) {
      throw problem(`--demand ${excerpt(ref)}`, `names ${found.length} workloads: ${found.map((w) => excerpt(refOf(w))).join(', ')}`, `name the kind: --demand '${found[0].kind}/${spec.namespace}/${spec.name}=...'`);
    }
    out.set(found[0], spec);
  }
  return out;
}

/** A workload's demand column from its --demand answer: the one series on the step grid; none is
 *  a warning (the caller falls back to CPU), several an InputError. */
export function demandValues(spec: DemandSpec, series: readonly Series[], window: Window, steps: number, warnings: string[]): (number | null)[] | null {
  if (series.length === 0) {
    warnings.push(`--demand ${spec.namespace}/${spec.name}: the query returned no series in the window; its demand is the observed CPU in cores (check the PromQL on Prometheus's graph page)`);
    return null;
  }
  if (series.length > 1) {
    const shown = series.slice(0, 3).map((s) => excerpt(JSON.stringify(s.labels))).join(', ');
    throw problem(`--demand ${excerpt(spec.given.slice(0, spec.given.indexOf('=')))}`, `the query returned ${series.length} series (${shown}${series.length > 3 ? ', ...' : ''}), not one`, `sum it to one series: sum(${excerpt(spec.promql)})`);
  }
  return onGrid(window, series[0], steps, { offGrid: 0 });
}

/** The demand column of a workload without --demand (or whose query found nothing): its CPU in cores. */
export function cpuDemand(w: WorkloadSeries): DemandSource {
  return { query: null, label: 'CPU (cores)', values: w.columns.cpu_used_m.map((v) => (v === null ? null : v / 1000)) };
}
