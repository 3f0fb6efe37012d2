// capsim export openmetrics, checked on real parts: a two-hour run of scenarios/web-hpa.yaml is
// exported, linted by promtool, backfilled with `promtool tsdb create-blocks-from openmetrics`,
// served by a real Prometheus on 127.0.0.1 and queried back over /api/v1/query_range; the
// answers equal the run's CSV figures. Needs Debian's prometheus package (test/support/prometheus.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { capsim, scratchDir } from './support/run.ts';
import { buildTsdb, exportedThrottled, exportedWebHpa, ok, prometheusOrSkip, promtool, startPrometheus } from './support/prometheus.ts';
import { exportOpenMetrics } from '../src/export/openMetrics.ts';
import { InputError } from '../src/scenario/errors.ts';

const TIMEOUT = 180_000;

function csv(file: string): Record<string, string>[] {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

// One run and its export, shared by the tests (each still works alone).
let shared: { dir: string; run: string; om: string } | undefined;
function webHpa(): { dir: string; run: string; om: string } {
  if (shared) return shared;
  const dir = scratchDir('capsim-om-');
  return (shared = { dir, ...exportedWebHpa(dir) });
}

test('the export is OpenMetrics: families together, each series in time order, # EOF last, the same bytes twice', () => {
  const { run, om } = webHpa();
  const text = fs.readFileSync(om, 'utf8');
  assert.ok(text.endsWith('# EOF\n'));
  const lines = text.trimEnd().split('\n');
  const families: string[] = [];
  const lastTime = new Map<string, number>();
  for (const line of lines.slice(0, -1)) {
    if (line.startsWith('# TYPE ')) {
      const name = line.split(' ')[2];
      assert.ok(!families.includes(name), `family ${name} appears twice`);
      families.push(name);
      continue;
    }
    if (line.startsWith('#')) continue;
    const series = line.slice(0, line.lastIndexOf('}') + 1) || line.split(' ')[0];
    assert.ok(series.startsWith(families[families.length - 1]), `${series} outside its family ${families[families.length - 1]}`);
    const ts = Number(line.split(' ').pop());
    assert.ok(ts > (lastTime.get(series) ?? -Infinity), `${series}: timestamps not increasing at ${ts}`);
    lastTime.set(series, ts);
  }
  for (const name of ['container_cpu_usage_seconds', 'container_memory_working_set_bytes', 'container_cpu_cfs_periods', 'container_cpu_cfs_throttled_periods',
    'capsim_workload_demand_units', 'capsim_workload_served_units', 'kube_pod_owner', 'kube_pod_container_resource_requests',
    'kube_pod_container_resource_limits', 'kube_deployment_spec_replicas', 'kube_horizontalpodautoscaler_status_desired_replicas', 'kube_node_labels']) {
    assert.ok(families.includes(name), `family ${name} written`);
  }
  // Deterministic: stdout carries the same text as --out.
  const again = capsim('export', 'openmetrics', run);
  ok(again, 'capsim export openmetrics to stdout');
  assert.equal(again.stdout, text);
  // The storefront is one pod, owned by a ReplicaSet the Deployment owns; its 250m request and
  // 500m limit per pod (web-hpa.yaml) make the limit twice the request at every sample.
  assert.match(text, /^kube_pod_owner\{job="kube-state-metrics",namespace="shop",pod="storefront-capsim",owner_kind="ReplicaSet",owner_name="storefront-capsim",owner_is_controller="true"\} 1 /m);
  assert.match(text, /^kube_replicaset_owner\{job="kube-state-metrics",namespace="shop",replicaset="storefront-capsim",owner_kind="Deployment",owner_name="storefront",owner_is_controller="true"\} 1 /m);
  const first = (re: RegExp) => Number(text.match(re)![1]);
  const request = first(/^kube_pod_container_resource_requests\{[^}]*resource="cpu",unit="core"\} (\S+) 1767571200$/m);
  assert.equal(request, 6 * 0.25, 'six replicas at t = 0 (web-hpa.yaml replicas: 6) x 250m');
  assert.equal(first(/^kube_pod_container_resource_limits\{[^}]*resource="cpu",unit="core"\} (\S+) 1767571200$/m), 6 * 0.5);
});

test('promtool lints it and backfills it; Prometheus answers with the run\'s figures', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, run, om } = webHpa();
  // `promtool check metrics` reads the classic text format, where a counter's HELP names the
  // sample (`..._total`), not the OpenMetrics family: that is the only lint it may report.
  const lint = promtool(['check', 'metrics'], fs.readFileSync(om, 'utf8'));
  const problems = (lint.stdout + lint.stderr).trim().split('\n').filter(Boolean);
  assert.deepEqual(problems.filter((p) => !/^\w+_total no help text$/.test(p)), [], lint.stdout + lint.stderr);
  const tsdb = path.join(dir, 'tsdb');
  buildTsdb(om, tsdb);
  const prometheus = await startPrometheus(tsdb);
  t.after(() => prometheus.stop());

  const workloads = csv(path.join(run, 'workloads.csv'));
  const timeseries = csv(path.join(run, 'timeseries.csv'));
  const startEpoch = Date.parse(timeseries[0].time) / 1000; // 2026-01-05T00:00:00Z, web-hpa's spec.start
  const range = { start: String(startEpoch + 600), end: String(startEpoch + 7200), step: '60' };
  const values = async (query: string) => {
    const data = await prometheus.api('query_range', { query, ...range });
    assert.equal(data.result.length, 1, `${query}: one series, got ${JSON.stringify(data.result).slice(0, 300)}`);
    return new Map<number, number>(data.result[0].values.map(([ts, v]: [number, string]) => [ts - startEpoch, Number(v)]));
  };

  // rate(...[5m]) at t: the counter's samples at t-5m and t are both in the range (Prometheus 2
  // ranges are closed), so no extrapolation: (counter(t) - counter(t-5m)) / 300 s, the mean of
  // cpu_used_m at the five samples t-5m .. t-1m, the rate held from one sample to the next.
  const cpu = await values('sum(rate(container_cpu_usage_seconds_total[5m]))');
  const usedAt = new Map(workloads.map((r) => [Number(r.t), Number(r.cpu_used_m)]));
  assert.equal(cpu.size, 111, 'every minute from 10m to 120m');
  for (const [at, cores] of cpu) {
    const expected = [300, 240, 180, 120, 60].reduce((s, back) => s + usedAt.get(at - back)!, 0) / 5 / 1000;
    assert.ok(Math.abs(cores - expected) < 1e-9, `t=${at}: ${cores} cores from Prometheus, ${expected} from workloads.csv`);
  }
  const hpa = await values('kube_horizontalpodautoscaler_status_desired_replicas{namespace="shop",horizontalpodautoscaler="storefront"}');
  const desired = new Map(workloads.map((r) => [Number(r.t), Number(r.replicas_desired)]));
  for (const [at, replicas] of hpa) assert.equal(replicas, desired.get(at), `t=${at}: HPA desired replicas`);
  assert.ok(new Set(hpa.values()).size > 1, 'the HPA moved in these two hours (else this check proves little)');
  const memory = await values('sum(container_memory_working_set_bytes)');
  const memoryAt = new Map(workloads.map((r) => [Number(r.t), Number(r.memory_used_bytes)]));
  for (const [at, bytes] of memory) assert.equal(bytes, memoryAt.get(at), `t=${at}: working set`);
  // Node count per pool, as `capsim import metrics` will read it: three m5.xlarge in pool web.
  const nodes = await values('count by (label_capsim_io_pool) (kube_node_labels{label_node_kubernetes_io_instance_type="m5.xlarge"})');
  const nodesAt = new Map(timeseries.map((r) => [Number(r.t), Number(r.nodes)]));
  for (const [at, n] of nodes) assert.equal(n, nodesAt.get(at), `t=${at}: nodes`);
  // Cost: three nodes at m5.xlarge's $0.192/h (nodes.csv: $0.384 for 2 h each).
  const cost = await values('sum(node_total_hourly_cost)');
  for (const [at, usdPerHour] of cost) assert.ok(Math.abs(usdPerHour - 3 * 0.192) < 1e-9, `t=${at}: $${usdPerHour}/h`);

  // The demand counter: its rate over the whole run (samples at 0 and 7200 s both in the closed
  // range, the counter from 0: no extrapolation) is the mean of workloads.csv demand at the 120
  // samples 0 .. 7140 s, each held for its minute.
  const endEpoch = String(startEpoch + 7200);
  const instant = async (query: string) => {
    const data = await prometheus.api('query', { query, time: endEpoch });
    assert.equal(data.result.length, 1, `${query}: one series, got ${JSON.stringify(data.result).slice(0, 300)}`);
    return Number(data.result[0].value[1]);
  };
  const held = workloads.filter((r) => Number(r.t) < 7200);
  assert.equal(held.length, 120);
  const meanOf = (column: string) => held.reduce((sum, r) => sum + Number(r[column]), 0) / held.length;
  const demand = await instant('rate(capsim_workload_demand_units_total{namespace="shop",workload="storefront",kind="Deployment"}[2h])');
  assert.ok(Math.abs(demand - meanOf('demand')) < 1e-9, `demand rate ${demand}, workloads.csv mean ${meanOf('demand')}`);
  assert.ok(demand > 100, 'web-hpa\'s night demand: about 120 to 300 requests/s');
  const served = await instant('rate(capsim_workload_served_units_total[2h])');
  assert.ok(Math.abs(served - meanOf('served')) < 1e-9, `served rate ${served}, workloads.csv mean ${meanOf('served')}`);
  // CFS periods: 10 a second per Ready replica.
  const periods = await instant('rate(container_cpu_cfs_periods_total[2h])');
  assert.ok(Math.abs(periods - 10 * meanOf('replicas_ready')) < 1e-9, `${periods} periods/s, 10 x mean Ready ${meanOf('replicas_ready')}`);
});

test('CFS periods: rate(throttled) / rate(periods) over 5 minutes is the run\'s cpu_throttled_pct, weighted by Ready replicas', () => {
  const { dir } = webHpa();
  const { run, om } = exportedThrottled(dir);
  const text = fs.readFileSync(om, 'utf8');
  const counter = (name: string) => {
    const at = new Map<number, number>();
    for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+) (\\d+)$`, 'gm'))) at.set(Number(m[2]), Number(m[1]));
    return at;
  };
  const periods = counter('container_cpu_cfs_periods_total');
  const throttled = counter('container_cpu_cfs_throttled_periods_total');
  const rows = csv(path.join(run, 'workloads.csv'));
  const start = Date.parse(rows[0].time) / 1000;
  assert.equal(periods.size, 61, 'one sample a minute for an hour');
  let throttledSteps = 0;
  for (let t = 300; t <= 3600; t += 60) {
    // The five samples t-5m .. t-1m, each held for its minute: sum(ready x pct) / sum(ready).
    const window = rows.filter((r) => Number(r.t) >= t - 300 && Number(r.t) < t);
    const ready = window.reduce((s, r) => s + Number(r.replicas_ready), 0);
    const expected = window.reduce((s, r) => s + Number(r.replicas_ready) * Number(r.cpu_throttled_pct), 0) / ready;
    const dPeriods = periods.get(start + t)! - periods.get(start + t - 300)!;
    const ratio = (100 * (throttled.get(start + t)! - throttled.get(start + t - 300)!)) / dPeriods;
    assert.ok(Math.abs(dPeriods - 10 * 60 * ready) < 1e-6, `t=${t}: ${dPeriods} periods, 600 per Ready replica-minute`);
    assert.ok(Math.abs(ratio - expected) < 1e-9, `t=${t}: throttled ${ratio} %, the run's ${expected} %`);
    if (expected > 0) throttledSteps++;
  }
  assert.ok(throttledSteps > 5 && throttledSteps < 56, `throttled in some 5-minute windows and not in others (${throttledSteps} of 56)`);
});

test('a directory that is not a whole run: exit 2 with the file named, and --out not written', () => {
  const dir = scratchDir('capsim-om-bad-');
  const out = path.join(dir, 'x.om');
  const r = capsim('export', 'openmetrics', dir, '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /summary\.json: not found: is this the directory of a finished run\?/);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('fuzz: a damaged run directory is an InputError (exit 2) or a clean export, never another exception', { timeout: TIMEOUT }, async () => {
  const { run } = webHpa();
  const files = ['summary.json', 'timeseries.csv', 'workloads.csv', 'nodes.csv', 'recommendations.csv', 'scenario.resolved.yaml'];
  const original = new Map(files.map((f) => [f, fs.readFileSync(path.join(run, f), 'utf8')]));
  const damagedDir = path.join(scratchDir('capsim-om-fuzz-'), 'run');
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...files),
      fc.nat(),
      fc.oneof(fc.constantFrom('', ',', '\n', '"', 'NaN', '-1', 'x', '1e999', '/'), fc.string({ maxLength: 4 })),
      fc.boolean(),
      async (file, at, insert, truncate) => {
        fs.rmSync(damagedDir, { recursive: true, force: true });
        fs.cpSync(run, damagedDir, { recursive: true });
        const text = original.get(file)!;
        const i = at % (text.length + 1);
        fs.writeFileSync(path.join(damagedDir, file), truncate ? text.slice(0, i) : text.slice(0, i) + insert + text.slice(i + 1));
        let written = '';
        try {
          await exportOpenMetrics(damagedDir, (chunk) => (written += chunk));
          assert.ok(written.endsWith('# EOF\n'));
          assert.doesNotMatch(written, / (NaN|Infinity|-\d)/, 'no number a damaged cell made up');
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          assert.equal(written, '', 'nothing written before the problem was found');
        }
      },
    ),
    { numRuns: 150, seed: 16 },
  );
});
