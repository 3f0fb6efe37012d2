// capsim import metrics, on real parts: a two-hour run of scenarios/web-hpa.yaml (one Deployment,
// storefront, with an HPA, on three m5.xlarge in pool web) is exported as OpenMetrics, backfilled
// with promtool, served by a real Prometheus on 127.0.0.1 and imported back; the imported series
// equal the run's workloads.csv and timeseries.csv. Then the same from saved query_range answers,
// chunked reads, the exit-2 errors, and a fuzz test of the saved-file reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { capsim, scratchDir } from './support/run.ts';
import { buildTsdb, exportedThrottled, exportedWebHpa, ok, prometheusOrSkip, startPrometheus, type RunningPrometheus } from './support/prometheus.ts';
import { importMetrics, type ImportMetricsOptions } from '../src/import/metrics/importMetrics.ts';
import { aggregate } from '../src/import/metrics/aggregate.ts';
import { parseDemandSpecs, resolveDemandSpecs } from '../src/import/metrics/demand.ts';
import { checkScenarioPools } from '../src/import/metrics/scenarioCheck.ts';
import type { Calibration, CalibrationInput } from '../src/calibrate/calibrate.ts';
import { chunksOf, parseQueryRange, parseTime, readSavedResponse } from '../src/import/metrics/prometheus.ts';
import { QUERIES } from '../src/import/metrics/queries.ts';
import { InputError } from '../src/scenario/errors.ts';
import { readTrace } from '../src/workload/trace.ts';

const TIMEOUT = 240_000;

function csv(file: string): Record<string, string>[] {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

// web-hpa.yaml starts at 2026-01-05T00:00:00Z; the run samples every minute for two hours.
const START = 1767571200;
const WINDOW = { start: '2026-01-05T00:10:00Z', end: String(START + 7200) };

let shared: { dir: string; run: string; prometheus: RunningPrometheus } | undefined;
async function served(): Promise<{ dir: string; run: string; prometheus: RunningPrometheus }> {
  if (shared) return shared;
  const dir = scratchDir('capsim-im-');
  const { run, om } = exportedWebHpa(dir);
  buildTsdb(om, path.join(dir, 'tsdb'));
  const prometheus = await startPrometheus(path.join(dir, 'tsdb'));
  return (shared = { dir, run, prometheus });
}
test.after(() => shared?.prometheus.stop());

test('import metrics from a real Prometheus: CPU, memory, replicas, HPA and nodes equal the run\'s CSVs', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, run, prometheus } = await served();
  const into = path.join(dir, 'imported');
  const r = capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--step', '1m', '--into', into);
  ok(r, 'capsim import metrics');
  assert.match(r.stdout, /Imported 111 steps of 1 workload \(1 pod mapped\) and 1 node pool/);

  const imported = csv(path.join(into, 'metrics/shop/storefront.csv'));
  const workloads = csv(path.join(run, 'workloads.csv')).filter((w) => w.workload === 'Deployment/shop/storefront');
  const at = new Map(workloads.map((w) => [Number(w.t), w]));
  assert.equal(imported.length, 111, 'every minute from 10m to 120m');
  for (const row of imported) {
    const t = Date.parse(row.time) / 1000 - START;
    const w = at.get(t)!;
    // rate(...[5m]) at t is the mean of the run's samples t-5m .. t-1m (the export holds each
    // sample's rate until the next; Prometheus 2 ranges are closed, so no extrapolation), rounded
    // to a millicore by the import.
    const mean = [300, 240, 180, 120, 60].reduce((s, back) => s + Number(at.get(t - back)!.cpu_used_m), 0) / 5;
    assert.ok(Math.abs(Number(row.cpu_used_m) - mean) <= 0.5 + 1e-9, `t=${t}: cpu_used_m ${row.cpu_used_m}, run's 5-minute mean ${mean}`);
    assert.equal(Number(row.memory_used_bytes), Number(w.memory_used_bytes), `t=${t}: memory`);
    assert.equal(Number(row.replicas), Number(w.replicas_desired), `t=${t}: replicas`);
    assert.equal(Number(row.replicas_ready), Number(w.replicas_ready), `t=${t}: ready`);
    assert.equal(Number(row.hpa_desired_replicas), Number(w.replicas_desired), `t=${t}: the HPA's desired replicas are what it wrote to the Deployment`);
    assert.equal(Number(row.cpu_requests_m), Number(w.cpu_requested_m), `t=${t}: CPU requests`);
    assert.equal(Number(row.memory_requests_bytes), Number(w.memory_requested_bytes), `t=${t}: memory requests`);
    // web-hpa.yaml: 250m request, 500m limit per pod.
    assert.equal(Number(row.cpu_limits_m), 2 * Number(w.cpu_requested_m), `t=${t}: CPU limits`);
    assert.equal(Number(row.oom_kills), Number(w.oom_kills), `t=${t}: OOM kills`);
  }
  assert.ok(new Set(imported.map((r) => r.replicas)).size > 1, 'the HPA moved in these two hours (else the replicas check proves little)');
  const nodes = csv(path.join(into, 'metrics/nodes.csv'));
  const timeseries = new Map(csv(path.join(run, 'timeseries.csv')).map((r) => [Number(r.t), Number(r.nodes)]));
  assert.equal(nodes.length, 111);
  for (const n of nodes) {
    assert.equal(n.pool, 'web');
    assert.equal(Number(n.nodes), timeseries.get(Date.parse(n.time) / 1000 - START), `${n.time}: nodes`);
  }
  // A column is a trace capsim reads (a later calibration's demand): ISO 8601 times, no gap here.
  const trace = await readTrace(path.join(into, 'metrics/shop/storefront.csv'), { time: 'time', value: 'cpu_used_m' }, START * 1000);
  assert.deepEqual(trace.problems, []);
  assert.equal(trace.points.timesMs.length, 111);
  const report = fs.readFileSync(path.join(into, 'metrics-report.md'), 'utf8');
  assert.match(report, /- hpa_target: no series \(the cluster has none, or they are not scraped\)/);
  assert.match(report, /1 pod mapped to 1 workload/);
  assert.match(report, /HPAs matched to the workload of their own name \(kube_horizontalpodautoscaler_info not read\): shop\/storefront/);
  // Without --demand a workload's demand is its CPU in cores; web-hpa is never throttled (its
  // 500m limit is twice the request the HPA keeps it near), and its CFS periods are scraped.
  for (const row of imported) {
    assert.equal(Number(row.demand), Number(row.cpu_used_m) / 1000, `${row.time}: demand = CPU in cores`);
    assert.equal(row.cpu_throttled_pct, '0', `${row.time}: not throttled`);
  }
  assert.match(report, /\| Deployment\/shop\/storefront \| 1 \| shop\/storefront \| 0 \| CPU \(cores\) \| metrics\/shop\/storefront.csv \|/);
  assert.match(report, /- Not read: DaemonSet and Job replicas\./);
  assert.match(report, /\n## Calibration\n/, 'calibrate()\'s section appended');

  // Deterministic; and an earlier import is not overwritten without --force.
  const again = capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--into', into);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /holds an earlier metrics import/);
  const before = fs.readFileSync(path.join(into, 'metrics/shop/storefront.csv'), 'utf8');
  ok(capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--into', into, '--force'), 'import --force');
  assert.equal(fs.readFileSync(path.join(into, 'metrics/shop/storefront.csv'), 'utf8'), before);
  const left = fs.readdirSync(into);
  assert.ok(left.includes('metrics') && left.includes('metrics-report.md'));
  assert.deepEqual(left.filter((f) => f.includes('.tmp-') || f.endsWith('.lock')), [], 'no temporary or lock left');
});

test('chunked: at most 7 points per request, the same files as one request per query', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const window = { startSeconds: parseTime(WINDOW.start, '--start'), endSeconds: Number(WINDOW.end), stepSeconds: 60 };
  // 111 steps in chunks of 7: 16 requests per query (15 x 7 + 6).
  assert.equal(chunksOf(window, 7).length, 16);
  const whole = await importMetrics({ prometheus: prometheus.url, files: [], window, intoDir: path.join(dir, 'whole'), force: false });
  const chunked = await importMetrics({ prometheus: prometheus.url, files: [], window, intoDir: path.join(dir, 'chunked'), force: false, maxPoints: 7 });
  assert.deepEqual(chunked.queries.map((q) => q.parts), QUERIES.map(() => 16));
  for (const f of ['metrics/shop/storefront.csv', 'metrics/nodes.csv']) {
    assert.equal(fs.readFileSync(path.join(dir, 'chunked', f), 'utf8'), fs.readFileSync(path.join(dir, 'whole', f), 'utf8'), f);
  }
  assert.equal(whole.queries[0].parts, 1);
});

test('--from-files: saved query_range answers give the same files as the server', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const saved = path.join(dir, 'saved');
  fs.mkdirSync(saved, { recursive: true });
  const start = parseTime(WINDOW.start, '--start');
  // The answers a user saves with curl, one file per query; cpu in two parts that meet, nodes and
  // memory in two that overlap by ten minutes (a sample answered twice counts once).
  const end = Number(WINDOW.end);
  for (const q of QUERIES) {
    const parts = q.id === 'cpu' ? [[start, start + 3540], [start + 3600, end]] : ['nodes', 'memory'].includes(q.id) ? [[start, start + 3600], [start + 3000, end]] : [[start, end]];
    for (const [i, [from, to]] of parts.entries()) {
      const params = new URLSearchParams({ query: q.promql(60), start: String(from), end: String(to), step: '60' });
      const body = await (await fetch(`${prometheus.url}/api/v1/query_range?${params}`)).text();
      fs.writeFileSync(path.join(saved, parts.length > 1 ? `${q.id}.${i + 1}.json` : `${q.id}.json`), body);
    }
  }
  const fromServer = path.join(dir, 'server');
  const fromFiles = path.join(dir, 'files');
  ok(capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--into', fromServer), 'from the server');
  ok(capsim('import', 'metrics', '--from-files', saved, '--start', WINDOW.start, '--end', WINDOW.end, '--into', fromFiles), 'from files');
  for (const f of ['metrics/shop/storefront.csv', 'metrics/nodes.csv']) {
    assert.equal(fs.readFileSync(path.join(fromFiles, f), 'utf8'), fs.readFileSync(path.join(fromServer, f), 'utf8'), f);
  }
  // A required answer missing: exit 2 naming it and its PromQL; nothing written.
  fs.rmSync(path.join(saved, 'pod_owner.json'));
  const missing = capsim('import', 'metrics', '--from-files', saved, '--start', WINDOW.start, '--end', WINDOW.end, '--into', path.join(dir, 'none'));
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--from-files: no saved answer for pod_owner\n    hint: save the answer of each as <query>.json: pod_owner: max by \(namespace, pod, owner_kind, owner_name\) \(kube_pod_owner\)/);
  assert.ok(!fs.existsSync(path.join(dir, 'none')));
});

test('a Prometheus error answer is quoted (exit 2); so is a bad query window', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  // A step so small the window needs over 11,000 points, asked in one request: Prometheus refuses it.
  const window = { startSeconds: START, endSeconds: START + 7200, stepSeconds: 0.5 };
  await assert.rejects(importMetrics({ prometheus: prometheus.url, files: [], window, intoDir: path.join(dir, 'err'), force: false, maxPoints: 20_000 }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /Prometheus answered status "error": exceeded maximum resolution of 11,000 points per timeseries/);
    return true;
  });
  assert.ok(!fs.existsSync(path.join(dir, 'err')));
  const bad = capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', 'yesterday', '--end', WINDOW.end, '--into', path.join(dir, 'err'));
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--start: "yesterday" is not a time\n    hint: give an RFC 3339 time/);
});

test('an unreachable URL and an HTTP error: exit 2, nothing written', async () => {
  const dir = scratchDir('capsim-im-err-');
  // A port just closed: nothing listens there.
  const server = http.createServer((_, res) => res.writeHead(503, 'Service Unavailable').end('<html>down</html>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const http503 = await importMetrics({ prometheus: `http://127.0.0.1:${port}`, files: [], window: { startSeconds: START, endSeconds: START + 600, stepSeconds: 60 }, intoDir: path.join(dir, 'a'), force: false }).then(() => null, (e: unknown) => e);
    assert.ok(http503 instanceof InputError);
    assert.match(http503.message, /answered HTTP 503 Service Unavailable with a body that is not JSON: <html>down<\/html>/);
  } finally {
    await new Promise((r) => server.close(r));
  }
  const r = capsim('import', 'metrics', '--prometheus', `http://127.0.0.1:${port}`, '--start', String(START), '--end', String(START + 600), '--into', path.join(dir, 'b'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--prometheus http://127.0.0.1:${port}: cannot be reached \\(ECONNREFUSED\\)`));
  assert.deepEqual(fs.readdirSync(dir), []);
  // No source, and a window that ends before it starts: exit 2, the flag named.
  const none = capsim('import', 'metrics', '--start', String(START), '--end', String(START + 600), '--into', path.join(dir, 'c'));
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /--prometheus: no source: give --prometheus URL or --from-files FILE/);
  const backwards = capsim('import', 'metrics', '--prometheus', 'http://127.0.0.1:1', '--start', String(START), '--end', String(START - 60), '--into', path.join(dir, 'd'));
  assert.equal(backwards.code, 2, backwards.stderr);
  assert.match(backwards.stderr, /--end: is before --start/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('a saved answer that is not a query_range matrix names the file and field', () => {
  const dir = scratchDir('capsim-im-file-');
  const file = path.join(dir, 'cpu.json');
  fs.writeFileSync(file, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { pod: 'a' }, values: [[1, 2]] }] } }));
  assert.throws(() => readSavedResponse(file), /cpu\.json: data\.result\[0\]\.values\[0\]: is \[1,2\], not \[seconds, "value"\]/);
  fs.writeFileSync(file, '{"status":"error","errorType":"bad_data","error":"parse error at char 5"}');
  assert.throws(() => readSavedResponse(file), /Prometheus answered status "error": parse error at char 5 \(bad_data\)/);
  // NaN and +Inf are Prometheus values, not damage: skipped and counted.
  let skipped = 0;
  const series = parseQueryRange({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, 'NaN'], [2, '+Inf'], [3, '0.5']] }] } }, 'x', (n) => (skipped += n));
  assert.equal(skipped, 2);
  assert.deepEqual(series[0], { labels: {}, times: [3], values: [0.5] });
});

test('fuzz: a damaged saved answer is an InputError or series, never another exception', () => {
  const file = path.join(scratchDir('capsim-im-fuzz-'), 'cpu.json');
  const good = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { namespace: 'shop', pod: 'a' }, values: [[1767571200, '0.25'], [1767571260, '0.5']] }] } });
  fc.assert(
    fc.property(fc.nat(), fc.oneof(fc.constantFrom('', '"', '{', ']', 'null', '1e999', '-', 'NaN', '[]', '{}'), fc.string({ maxLength: 6 })), fc.boolean(), fc.anything(), (at, insert, truncate, value) => {
      const i = at % (good.length + 1);
      for (const text of [truncate ? good.slice(0, i) : good.slice(0, i) + insert + good.slice(i + 1), JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: value } }) ?? '']) {
        fs.writeFileSync(file, text);
        try {
          for (const s of readSavedResponse(file)) {
            assert.equal(s.times.length, s.values.length);
            for (const x of [...s.times, ...s.values]) assert.ok(Number.isFinite(x));
          }
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
        }
      }
    }),
    { numRuns: 500, seed: 16 },
  );
});

test('mapping: pods reach their Deployment through the ReplicaSet, a rollout sums both ReplicaSets, an orphan is named; nodes by pool label', () => {
  const window = { startSeconds: 0, endSeconds: 120, stepSeconds: 60 };
  const s = (labels: Record<string, string>, values: [number, number][]) => ({ labels, times: values.map(([t]) => t), values: values.map(([, v]) => v) });
  const all = (v: number): [number, number][] => [[0, v], [60, v], [120, v]];
  const agg = aggregate(window, new Map([
    // web-a (old ReplicaSet) runs at 0 and 60 s, web-b (new) from 60 s: 200m + 300m at 60 s.
    ['cpu', [s({ namespace: 'shop', pod: 'web-a' }, [[0, 0.2], [60, 0.2]]), s({ namespace: 'shop', pod: 'web-b' }, [[60, 0.3], [120, 0.3]]), s({ namespace: 'shop', pod: 'stray' }, all(1))]],
    ['memory', [s({ namespace: 'shop', pod: 'web-a' }, [[0, 100], [60, 100]])]],
    ['requests', [s({ namespace: 'shop', pod: 'web-a', resource: 'cpu' }, [[0, 0.25], [60, 0.25]])]],
    ['pod_owner', [s({ namespace: 'shop', pod: 'web-a', owner_kind: 'ReplicaSet', owner_name: 'web-1' }, [[0, 1]]), s({ namespace: 'shop', pod: 'web-b', owner_kind: 'ReplicaSet', owner_name: 'web-2' }, all(1))]],
    ['replicaset_owner', [s({ namespace: 'shop', replicaset: 'web-1', owner_kind: 'Deployment', owner_name: 'web' }, all(1)), s({ namespace: 'shop', replicaset: 'web-2', owner_kind: 'Deployment', owner_name: 'web' }, all(1))]],
    ['nodes', [
      s({ node: 'n1', label_karpenter_sh_nodepool: 'general' }, all(1)),
      s({ node: 'n2', label_karpenter_sh_nodepool: 'general' }, [[60, 1]]),
      s({ node: 'n3', label_eks_amazonaws_com_nodegroup: 'batch' }, all(1)),
    ]],
  ]));
  assert.deepEqual(agg.workloads.map((w) => `${w.kind}/${w.namespace}/${w.name}`), ['Deployment/shop/web']);
  const web = agg.workloads[0];
  assert.deepEqual(web.columns.cpu_used_m, [200, 500, 300], 'web-a alone, both during the rollout, web-b alone');
  assert.deepEqual(web.columns.pods, [1, 2, 1]);
  // web-a's owner sample at 0 s only: at 60 s the owner seen before is kept.
  assert.deepEqual(web.columns.memory_used_bytes, [100, 100, null], 'nothing observed at 120 s: an empty cell, not 0');
  assert.deepEqual(web.columns.cpu_requests_m, [250, 250, null], '0.25 cores = 250m');
  assert.deepEqual(agg.podsUnmapped, ['shop/stray']);
  assert.equal(agg.podsMapped, 2);
  assert.deepEqual([...agg.pools], [['batch', [1, 1, 1]], ['general', [1, 2, 1]]]);
});

// --demand: the run's demand exported as an application counter, read back by a PromQL.
const DEMAND = 'sum(rate(capsim_workload_demand_units_total{namespace="shop",workload="storefront"}[5m]))';

/** The run's workloads.csv rows of the storefront by t, and the mean of `column` over the five
 *  samples t-5m .. t-1m: what rate(...[5m]) at t gives of a counter the export integrated. */
function windowMean(run: string) {
  const rows = new Map(csv(path.join(run, 'workloads.csv')).filter((w) => w.workload === 'Deployment/shop/storefront').map((w) => [Number(w.t), w]));
  return (t: number, column: string) => [300, 240, 180, 120, 60].reduce((s, back) => s + Number(rows.get(t - back)![column]), 0) / 5;
}

test('--demand reads the application counter back: the demand column is the run\'s demand (its 5-minute mean)', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, run, prometheus } = await served();
  const mean = windowMean(run);
  for (const [name, ref] of [['short', 'shop/storefront'], ['kind', 'Deployment/shop/storefront']]) {
    const into = path.join(dir, `demand-${name}`);
    const r = capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--demand', `${ref}=${DEMAND}`, '--into', into);
    ok(r, `import metrics --demand ${ref}=...`);
    const rows = csv(path.join(into, 'metrics/shop/storefront.csv'));
    assert.equal(rows.length, 111);
    for (const row of rows) {
      const at = Date.parse(row.time) / 1000 - START;
      const expected = mean(at, 'demand');
      assert.ok(Math.abs(Number(row.demand) - expected) <= 1e-6 * expected, `t=${at}: demand ${row.demand}, the run's 5-minute mean ${expected}`);
    }
    // web-hpa's demand: 300 requests/s +-60% over the day; at midnight to 02:00, 120 to 150.
    assert.ok(rows.every((row) => Number(row.demand) > 100 && Number(row.demand) < 200), 'requests/s, not cores');
    const report = fs.readFileSync(path.join(into, 'metrics-report.md'), 'utf8');
    assert.match(report, /\| Deployment\/shop\/storefront \| 1 \| shop\/storefront \| 0 \| --demand 1 \| metrics\/shop\/storefront.csv \|/);
    assert.ok(report.includes(`| demand.1 | 1 | 1 | \`${DEMAND}\` |`), 'the query listed with the others');
  }
  // Chunked like the others: 16 requests of at most 7 points, the same column.
  const window = { startSeconds: parseTime(WINDOW.start, '--start'), endSeconds: Number(WINDOW.end), stepSeconds: 60 };
  const chunked = await importMetrics({ prometheus: prometheus.url, files: [], window, intoDir: path.join(dir, 'demand-chunked'), force: false, maxPoints: 7, demand: [`shop/storefront=${DEMAND}`] });
  assert.equal(chunked.queries.find((q) => q.id === 'demand.1')!.parts, 16);
  assert.equal(fs.readFileSync(path.join(dir, 'demand-chunked/metrics/shop/storefront.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'demand-short/metrics/shop/storefront.csv'), 'utf8'));
});

test('--demand errors: no such workload (exit 2, the workloads found as a hint), several series ("sum it"), none (a warning, CPU instead), malformed', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const args = (into: string, ...demand: string[]) => ['import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, ...demand.flatMap((d) => ['--demand', d]), '--into', path.join(dir, into)];
  const missing = capsim(...args('e1', `shop/checkout=${DEMAND}`));
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--demand shop\/checkout: no such workload in the metrics \(pods with usage and an owner in the window\)\n    hint: the workloads of namespace shop found: Deployment\/shop\/storefront/);
  const wrongKind = capsim(...args('e2', `StatefulSet/shop/storefront=${DEMAND}`));
  assert.equal(wrongKind.code, 2, wrongKind.stderr);
  assert.match(wrongKind.stderr, /--demand StatefulSet\/shop\/storefront: no such workload/);
  // Three nodes: three series.
  const several = capsim(...args('e3', 'shop/storefront=count by (node) (kube_node_labels)'));
  assert.equal(several.code, 2, several.stderr);
  assert.match(several.stderr, /--demand shop\/storefront: the query returned 3 series \(\{"node":"[^"]+"\}, .*\), not one\n    hint: sum it to one series: sum\(count by \(node\) \(kube_node_labels\)\)/);
  const malformed = capsim(...args('e4', 'storefront=rate(x[5m])'));
  assert.equal(malformed.code, 2, malformed.stderr);
  assert.match(malformed.stderr, /--demand: "storefront=rate\(x\[5m\]\)" is not WORKLOAD=PROMQL\n    hint: give namespace\/workload=PROMQL or Kind\/namespace\/name=PROMQL/);
  const twice = capsim(...args('e5', `shop/storefront=${DEMAND}`, `Deployment/shop/storefront=${DEMAND}`));
  assert.equal(twice.code, 2, twice.stderr);
  assert.match(twice.stderr, /--demand: Deployment\/shop\/storefront is given twice \(--demand 1 and 2\)/);
  for (const e of ['e1', 'e2', 'e3', 'e4', 'e5']) assert.ok(!fs.existsSync(path.join(dir, e)), `${e}: nothing written`);
  // No series: a warning on standard error, exit 0, the demand is the CPU in cores.
  const none = capsim(...args('e6', 'shop/storefront=sum(rate(capsim_workload_demand_units_total{namespace="elsewhere"}[5m]))'));
  ok(none, 'a --demand with no series');
  assert.match(none.stderr, /^warning: --demand shop\/storefront: the query returned no series in the window; its demand is the observed CPU in cores/m);
  const rows = csv(path.join(dir, 'e6/metrics/shop/storefront.csv'));
  for (const row of rows) assert.equal(Number(row.demand), Number(row.cpu_used_m) / 1000);
  const report = fs.readFileSync(path.join(dir, 'e6/metrics-report.md'), 'utf8');
  assert.match(report, /\| CPU \(cores\): --demand 1 found no series \|/);
  assert.match(report, /## Warnings\n\n- --demand shop\/storefront: the query returned no series/);
  // Beside a scenario: its pools against nodes.csv (web held at 3 nodes, as the metrics show; spare has none).
  const beside = path.join(dir, 'e7');
  fs.mkdirSync(beside);
  // The scenario the metrics came from (web-hpa.yaml), with a pool added.
  const scenario = fs.readFileSync('scenarios/web-hpa.yaml', 'utf8').replace('  workloads:\n', '      - {name: spare, instanceType: aws/m5.large, count: 1}\n  workloads:\n');
  assert.match(scenario, /name: spare/);
  fs.writeFileSync(path.join(beside, 'scenario.yaml'), scenario);
  const pools = capsim(...args('e7'));
  ok(pools, 'import beside a scenario');
  assert.deepEqual(pools.stderr.split('\n').filter((l) => l.startsWith('warning: pool')), ['warning: pool spare of scenario.yaml has no node in metrics/nodes.csv: the backtest gives it nodes the metrics do not show (remove it, or set its count to 0)']);
});

test('a name two kinds share: --demand asks for Kind/', () => {
  const workload = (kind: string) => ({ kind, namespace: 'shop', name: 'web', columns: {} as never, cpuThrottledPct: [], cfs: {} as never, pods: new Set<string>(), hpa: null });
  const both = [workload('Deployment'), workload('StatefulSet')];
  assert.throws(() => resolveDemandSpecs(parseDemandSpecs(['shop/web=sum(x)']), both), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /--demand shop\/web: names 2 workloads: Deployment\/shop\/web, StatefulSet\/shop\/web/);
    assert.match(e.message, /hint: name the kind: --demand 'Deployment\/shop\/web=\.\.\.'/);
    return true;
  });
  const chosen = resolveDemandSpecs(parseDemandSpecs(['StatefulSet/shop/web=sum(x)']), both);
  assert.deepEqual([...chosen.keys()].map((w) => w.kind), ['StatefulSet']);
  // The PromQL keeps its own '=' signs: the workload ends at the first.
  assert.equal(parseDemandSpecs(['shop/web=sum(rate(x{a="b"}[5m]))'])[0].promql, 'sum(rate(x{a="b"}[5m]))');
});

test('--from-files: the n-th --demand\'s answer is demand.<n>.json (or demand.<n>.<part>.json); one without its --demand, or a --demand without it, is exit 2', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const saved = path.join(dir, 'saved-demand');
  fs.mkdirSync(saved, { recursive: true });
  const start = parseTime(WINDOW.start, '--start');
  const end = Number(WINDOW.end);
  const save = async (name: string, query: string, from: number, to: number) => {
    const params = new URLSearchParams({ query, start: String(from), end: String(to), step: '60' });
    fs.writeFileSync(path.join(saved, name), await (await fetch(`${prometheus.url}/api/v1/query_range?${params}`)).text());
  };
  for (const q of QUERIES) await save(`${q.id}.json`, q.promql(60), start, end);
  // The demand in two parts that meet.
  await save('demand.1.1.json', DEMAND, start, start + 3540);
  await save('demand.1.2.json', DEMAND, start + 3600, end);
  const run = (into: string, ...extra: string[]) => capsim('import', 'metrics', '--from-files', saved, '--start', WINDOW.start, '--end', WINDOW.end, ...extra, '--into', path.join(dir, into));
  ok(run('files-demand', '--demand', `shop/storefront=${DEMAND}`), 'from files with --demand');
  ok(capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', WINDOW.start, '--end', WINDOW.end, '--demand', `shop/storefront=${DEMAND}`, '--into', path.join(dir, 'server-demand')), 'from the server');
  assert.equal(fs.readFileSync(path.join(dir, 'files-demand/metrics/shop/storefront.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'server-demand/metrics/shop/storefront.csv'), 'utf8'));
  assert.match(fs.readFileSync(path.join(dir, 'files-demand/metrics-report.md'), 'utf8'), /\| demand\.1 \| 1 \| 2 \| /, 'two files read for demand.1');
  // Only the first part: the demand's last 51 steps are empty cells, and the report counts them.
  fs.rmSync(path.join(saved, 'demand.1.2.json'));
  ok(run('files-gap', '--demand', `shop/storefront=${DEMAND}`), 'from files, the demand in part');
  const gap = csv(path.join(dir, 'files-gap/metrics/shop/storefront.csv'));
  assert.equal(gap.filter((row) => row.demand === '').length, 51, 'start + 3600 .. end: 51 steps unanswered');
  assert.match(fs.readFileSync(path.join(dir, 'files-gap/metrics-report.md'), 'utf8'), /- --demand 1 \(Deployment\/shop\/storefront\): no sample at 51 of 111 steps/);
  // demand.1.* without a --demand: the file is named, with what it answers.
  const orphan = run('files-orphan');
  assert.equal(orphan.code, 2, orphan.stderr);
  assert.match(orphan.stderr, /demand\.1\.1\.json: answers --demand 1, but no --demand is given\n    hint: demand\.<n>\.json answers the n-th --demand/);
  // A second --demand without its answer: its id and PromQL named.
  const without = run('files-without', '--demand', `shop/storefront=${DEMAND}`, '--demand', 'Deployment/shop/other=sum(y)');
  assert.equal(without.code, 2, without.stderr);
  assert.match(without.stderr, /--from-files: no saved answer for demand\.2\n    hint: save the answer of each as <query>\.json: demand\.2: sum\(y\)/);
  fs.writeFileSync(path.join(saved, 'demand.json'), '{}');
  const unnamed = run('files-unnamed', '--demand', `shop/storefront=${DEMAND}`);
  assert.equal(unnamed.code, 2, unnamed.stderr);
  assert.match(unnamed.stderr, /demand\.json: the name does not say which query it answers\n    hint: .*the n-th --demand's answer demand\.<n>\.json or demand\.<n>\.<part>\.json/);
  for (const d of ['files-orphan', 'files-without', 'files-unnamed']) assert.ok(!fs.existsSync(path.join(dir, d)), `${d}: nothing written`);
});

test('throttling read back: cpu_throttled_pct = 100 x throttled / periods over the rate window, the run\'s figure weighted by Ready replicas', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const dir = scratchDir('capsim-im-throttled-');
  const { run, om } = exportedThrottled(dir);
  buildTsdb(om, path.join(dir, 'tsdb'));
  const prometheus = await startPrometheus(path.join(dir, 'tsdb'));
  t.after(() => prometheus.stop());
  const into = path.join(dir, 'imported');
  ok(capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', String(START + 300), '--end', String(START + 3600), '--into', into), 'import metrics (throttled)');
  const rows = new Map(csv(path.join(run, 'workloads.csv')).map((w) => [Number(w.t), w]));
  let throttled = 0;
  for (const row of csv(path.join(into, 'metrics/shop/storefront.csv'))) {
    const at = Date.parse(row.time) / 1000 - START;
    const window = [300, 240, 180, 120, 60].map((back) => rows.get(at - back)!);
    const ready = window.reduce((s, w) => s + Number(w.replicas_ready), 0);
    const expected = window.reduce((s, w) => s + Number(w.replicas_ready) * Number(w.cpu_throttled_pct), 0) / ready;
    // Rounded to 4 decimals, as a run writes it.
    assert.ok(Math.abs(Number(row.cpu_throttled_pct) - expected) <= 5e-5 + 1e-9, `t=${at}: cpu_throttled_pct ${row.cpu_throttled_pct}, the run's ${expected}`);
    if (expected > 0) throttled++;
  }
  assert.ok(throttled > 5, `throttled at ${throttled} steps (else this proves little)`);
});

test('pools of the scenario against the node counts observed: a warning per pool the backtest could not follow', () => {
  const dir = scratchDir('capsim-im-pools-');
  const observed = new Map([['web', [3, 4, 6, 5]], ['batch', [2, 2, 2, 2]], ['gpu', [0, 1, 1, 0]]]);
  assert.deepEqual(checkScenarioPools(dir, observed), [], 'no scenario.yaml: nothing to check');
  const write = (cluster: string) => fs.writeFileSync(path.join(dir, 'scenario.yaml'), `apiVersion: capsim/v1\nkind: Scenario\nspec:\n  cluster:\n${cluster}`);
  write('    nodePools:\n      - {name: web, instanceType: aws/m5.xlarge, count: 3}\n      - {name: batch, instanceType: aws/m5.xlarge, count: 2}\n      - {name: spare, instanceType: aws/m5.xlarge, count: 1}\n');
  assert.deepEqual(checkScenarioPools(dir, observed), [
    'pool web: its node count varies 3..6 in metrics/nodes.csv, but scenario.yaml has no cluster autoscaler: the backtest holds it at 3; add autoscaler: {} under spec.cluster and min: 3, max: 6 on the pool',
    'pool gpu: 0..1 nodes in metrics/nodes.csv, but scenario.yaml has no node pool of that name: the backtest runs without these nodes (add the pool, or check the pool labels capsim import cluster read)',
    'pool spare of scenario.yaml has no node in metrics/nodes.csv: the backtest gives it nodes the metrics do not show (remove it, or set its count to 0)',
  ]);
  // With the autoscaler: web's max of 5 is below the 6 observed; gpu's 0..2 holds its 0..1.
  write('    autoscaler: {}\n    nodePools:\n      - {name: web, instanceType: aws/m5.xlarge, count: 3, max: 5}\n      - {name: batch, instanceType: aws/m5.xlarge, count: 2}\n      - {name: gpu, instanceType: aws/p3.2xlarge, min: 0, max: 2}\n');
  assert.deepEqual(checkScenarioPools(dir, observed), ['pool web: its node count varies 3..6 in metrics/nodes.csv, outside its min..max 3..5 in scenario.yaml: the backtest cannot follow it; set min: 3, max: 6 on the pool']);
  // A dump taken at another time: batch had 4 nodes then, 2 at the window's start.
  write('    nodePools:\n      - {name: batch, instanceType: aws/m5.xlarge, count: 4}\n');
  assert.deepEqual(checkScenarioPools(dir, new Map([['batch', [2, 2, 2, 2]]])), [
    "pool batch: 2 nodes at the window's start in metrics/nodes.csv, but 4 in scenario.yaml (the dump's): the backtest starts from the dump, so its first hours differ; import a dump taken at the window's start, or set count: 2 on the pool",
  ]);
  fs.writeFileSync(path.join(dir, 'scenario.yaml'), 'spec: [unclosed');
  assert.match(checkScenarioPools(dir, observed)[0], /^scenario\.yaml does not parse \(.*\): its node pools are not checked/);
});

/** A stand-in for calibrate() (src/calibrate/ is filled in elsewhere): what it is given, and files to write. */
function fakeCalibrate(files: Record<string, string>, seen: CalibrationInput[] = []): ImportMetricsOptions['calibrate'] {
  return async (input) => {
    seen.push(input);
    return { files: new Map(Object.entries(files)), report: '## Calibration\n\nfake section\n', warnings: ['Deployment/shop/storefront: a fake warning'] } satisfies Calibration;
  };
}

test('calibrate()\'s files are written whole beside metrics/, under --force an earlier calibration\'s are replaced, and an InputError or Ctrl-C in it writes nothing', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const window = { startSeconds: parseTime(WINDOW.start, '--start'), endSeconds: Number(WINDOW.end), stepSeconds: 60 };
  const into = path.join(dir, 'calibrated');
  const seen: CalibrationInput[] = [];
  const base = { prometheus: prometheus.url, files: [], window, intoDir: into, force: false, demand: [`shop/storefront=${DEMAND}`], forecastSeconds: 30 * 86400 };
  const r = await importMetrics({ ...base, calibrate: fakeCalibrate({ 'calibration.json': '{"workloads":[]}\n', 'backtest.yaml': 'kind: Scenario\n', 'forecast.yaml': 'kind: Scenario # forecast\n' }, seen) });
  // What calibrate() is given: the directory, the window, the columns by name, the file, the query.
  const input = seen[0];
  assert.equal(input.dir, into);
  assert.equal(input.forecastSeconds, 30 * 86400);
  assert.equal(input.times.length, 111);
  assert.deepEqual(input.workloads.map((w) => [w.workload, w.file, w.demandQuery]), [['Deployment/shop/storefront', 'metrics/shop/storefront.csv', DEMAND]]);
  const csvRows = csv(path.join(into, 'metrics/shop/storefront.csv'));
  for (const column of ['cpu_used_m', 'memory_used_bytes', 'demand', 'cpu_throttled_pct']) {
    assert.deepEqual(input.workloads[0].columns[column].map((v) => (v === null ? '' : String(v))), csvRows.map((row) => row[column]), `${column}: what the CSV holds`);
  }
  assert.deepEqual([...input.pools.keys()], ['web']);
  assert.equal(fs.readFileSync(path.join(into, 'calibration.json'), 'utf8'), '{"workloads":[]}\n');
  assert.equal(fs.readFileSync(path.join(into, 'forecast.yaml'), 'utf8'), 'kind: Scenario # forecast\n');
  const report = fs.readFileSync(path.join(into, 'metrics-report.md'), 'utf8');
  assert.ok(report.endsWith('\n## Calibration\n\nfake section\n'), 'its section last');
  assert.match(report, /## Warnings\n\n- Deployment\/shop\/storefront: a fake warning\n/);
  assert.deepEqual(r.warnings, ['Deployment/shop/storefront: a fake warning']);

  // --force without --forecast: the earlier forecast.yaml goes with the rest of that calibration.
  await importMetrics({ ...base, force: true, forecastSeconds: null, calibrate: fakeCalibrate({ 'calibration.json': '{"again":true}\n', 'backtest.yaml': 'kind: Scenario\n' }) });
  assert.deepEqual(fs.readdirSync(into).sort(), ['backtest.yaml', 'calibration.json', 'metrics', 'metrics-report.md']);
  assert.equal(fs.readFileSync(path.join(into, 'calibration.json'), 'utf8'), '{"again":true}\n');

  // An InputError from calibrate(): nothing changes (the earlier import stays whole).
  const before = new Map(['calibration.json', 'metrics-report.md', 'metrics/shop/storefront.csv'].map((f) => [f, fs.readFileSync(path.join(into, f), 'utf8')]));
  const refuse: ImportMetricsOptions['calibrate'] = async () => {
    throw new InputError([{ file: 'scenario.yaml', line: 3, column: 1, path: 'spec', message: 'cannot calibrate', hint: 'fix it' }]);
  };
  await assert.rejects(importMetrics({ ...base, force: true, calibrate: refuse }), /cannot calibrate/);
  await assert.rejects(importMetrics({ ...base, intoDir: path.join(dir, 'never'), calibrate: refuse }), InputError);
  assert.ok(!fs.existsSync(path.join(dir, 'never')));
  // Ctrl-C while calibrating: the import stops before writing anything.
  const controller = new AbortController();
  const interrupted: ImportMetricsOptions['calibrate'] = async (x) => {
    controller.abort();
    return fakeCalibrate({ 'calibration.json': 'half' })!(x);
  };
  await assert.rejects(importMetrics({ ...base, force: true, signal: controller.signal, calibrate: interrupted }));
  for (const [f, text] of before) assert.equal(fs.readFileSync(path.join(into, f), 'utf8'), text, `${f} unchanged`);
  assert.deepEqual(fs.readdirSync(into).sort(), ['backtest.yaml', 'calibration.json', 'metrics', 'metrics-report.md'], 'no temporary left');
  // calibrate()'s files may not land in metrics/ or over the report.
  await assert.rejects(importMetrics({ ...base, force: true, calibrate: fakeCalibrate({ 'metrics/x.csv': '' }) }), /not a plain path beside metrics\//);
  await assert.rejects(importMetrics({ ...base, force: true, calibrate: fakeCalibrate({ '../x': '' }) }), /not a plain path/);
});

test('with the real calibrate(): each file it returns is in the directory as returned, its section ends the report', { timeout: TIMEOUT }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const { dir, prometheus } = await served();
  const window = { startSeconds: parseTime(WINDOW.start, '--start'), endSeconds: Number(WINDOW.end), stepSeconds: 60 };
  const into = path.join(dir, 'real-calibrate');
  const r = await importMetrics({ prometheus: prometheus.url, files: [], window, intoDir: into, force: false, demand: [`shop/storefront=${DEMAND}`], forecastSeconds: 7 * 86400 });
  for (const [name, content] of r.calibration.files) assert.equal(fs.readFileSync(path.join(into, name), 'utf8'), content, name);
  assert.ok(fs.readFileSync(path.join(into, 'metrics-report.md'), 'utf8').endsWith(r.calibration.report));
  assert.deepEqual(fs.readdirSync(into).filter((f) => f.includes('.tmp-')), []);
});
