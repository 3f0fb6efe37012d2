// The round trip of issue 16 on real parts, step by step, for the backtest tests (and, with the
// calibrated backtest.yaml that `capsim import metrics` writes, for the calibration's):
//   capsim run SCENARIO -> capsim export openmetrics -> promtool backfill -> Prometheus on
//   127.0.0.1 -> capsim import cluster DUMP -> the autoscaler and pool bounds added to its
//   scenario.yaml as a user would -> capsim import metrics -> (backtest.yaml) -> capsim backtest.
// Each step is its own function so a test can stop, look, or replace one (writeBacktestYaml is
// what the calibration will do itself).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { capsim } from './run.ts';
import { buildTsdb, ok, startPrometheus, type RunningPrometheus } from './prometheus.ts';

export interface Window {
  /** RFC 3339. */
  start: string;
  end: string;
  step: string;
}

/** Step 1-2: runs `scenario` into `dir`/run and exports it to `dir`/run.om. */
export function runAndExport(scenario: string, dir: string): { run: string; om: string } {
  const run = path.join(dir, 'run');
  const om = path.join(dir, 'run.om');
  ok(capsim('run', scenario, '--out', run, '--format', 'none', '--quiet'), `capsim run ${scenario}`);
  ok(capsim('export', 'openmetrics', run, '--out', om, '--quiet'), 'capsim export openmetrics');
  return { run, om };
}

/** Step 3-4: backfills the export into `dir`/tsdb and serves it (stop it when done). */
export async function serve(om: string, dir: string): Promise<RunningPrometheus> {
  buildTsdb(om, path.join(dir, 'tsdb'));
  return startPrometheus(path.join(dir, 'tsdb'));
}

/** Step 5: `capsim import cluster DUMP --out INTO`, then what import-report.md asks a user to add
 *  for a cluster that runs the cluster autoscaler: `autoscaler: {}` and each pool's min and max
 *  (given per pool name), edited with the yaml Document API so the file's comments stay. */
export function importCluster(dump: string, into: string, autoscaling: { pools: Record<string, { min: number; max: number }>; autoscaler?: Record<string, unknown> }): void {
  ok(capsim('import', 'cluster', dump, '--out', into), 'capsim import cluster');
  const file = path.join(into, 'scenario.yaml');
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  doc.setIn(['spec', 'cluster', 'autoscaler'], doc.createNode(autoscaling.autoscaler ?? {}));
  const pools = doc.getIn(['spec', 'cluster', 'nodePools']) as YAML.YAMLSeq<YAML.YAMLMap>;
  for (const pool of pools.items) {
    const bounds = autoscaling.pools[String(pool.get('name'))];
    if (!bounds) continue;
    pool.set('min', bounds.min);
    pool.set('max', bounds.max);
  }
  fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

/** Step 6: `capsim import metrics` of `window` from the server into INTO (`more`: --demand, --forecast ...). */
export function importMetrics(prometheus: RunningPrometheus, window: Window, into: string, ...more: string[]): { stdout: string; stderr: string } {
  const r = capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', window.start, '--end', window.end, '--step', window.step, '--into', into, ...more);
  ok(r, 'capsim import metrics');
  return r;
}

/** The --demand flag for a workload of a capsim export: its demand counter's rate over 5 minutes,
 *  as a service's own request counter would be read. */
export function demandFlag(namespace: string, name: string): string[] {
  return ['--demand', `${namespace}/${name}=sum(rate(capsim_workload_demand_units_total{namespace="${namespace}",workload="${name}"}[5m]))`];
}

/** Step 7, by hand (calibration writes it from the metrics): INTO/backtest.yaml = INTO/scenario.yaml with the
 *  window's start, duration and step, and the ORIGINAL scenario's `behavior` (its demand patterns
 *  and usage models): what a perfect calibration would give. `seed` is left as the import wrote
 *  it unless given. */
export function writeBacktestYaml(into: string, original: string, window: Window, options: { seed?: number } = {}): string {
  const doc = YAML.parseDocument(fs.readFileSync(path.join(into, 'scenario.yaml'), 'utf8'));
  const source = YAML.parse(fs.readFileSync(original, 'utf8')) as { spec: { behavior: unknown } };
  const seconds = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  doc.setIn(['spec', 'start'], window.start);
  doc.setIn(['spec', 'duration'], `${seconds}s`);
  doc.setIn(['spec', 'sampleEvery'], window.step);
  if (options.seed !== undefined) doc.setIn(['spec', 'seed'], options.seed);
  doc.setIn(['spec', 'behavior'], doc.createNode(source.spec.behavior));
  doc.commentBefore = ` Written by the round-trip test from scenario.yaml and ${path.basename(original)}'s behavior.`;
  const file = path.join(into, 'backtest.yaml');
  fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return file;
}
