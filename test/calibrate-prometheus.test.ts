// Calibration on real parts (issue 16, "Done when": the fitted usage parameters within 5% of the
// originals): a two-hour run of scenarios/web-hpa.yaml (storefront: CPU 0m + 4m per request/s,
// memory 300Mi + 1Mi per request/s, an HPA moving the replicas) -> capsim export openmetrics ->
// promtool backfill -> Prometheus on 127.0.0.1 -> capsim import metrics -> the usage fit.
// The export has no request counter, so the demand column is made as `rate(requests[5m])` would
// make it: the mean of the run's demand over the 5 samples before each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir } from './support/run.ts';
import { buildTsdb, exportedWebHpa, ok, prometheusOrSkip, startPrometheus } from './support/prometheus.ts';
import { fitUsage } from '../src/calibrate/usageFit.ts';

const MI = 2 ** 20;
const START = 1767571200; // web-hpa.yaml's spec.start, 2026-01-05T00:00:00Z

function csv(file: string): Record<string, string>[] {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

test('round trip through Prometheus: the storefront\'s usage model is fitted back within 5%', { timeout: 240_000 }, async (t) => {
  if (!prometheusOrSkip(t)) return;
  const dir = scratchDir('capsim-calibrate-prom-');
  const { run, om } = exportedWebHpa(dir);
  buildTsdb(om, path.join(dir, 'tsdb'));
  const prometheus = await startPrometheus(path.join(dir, 'tsdb'));
  try {
    const into = path.join(dir, 'imported');
    ok(capsim('import', 'metrics', '--prometheus', prometheus.url, '--start', '2026-01-05T00:10:00Z', '--end', String(START + 7200), '--step', '1m', '--into', into), 'capsim import metrics');
    const rows = csv(path.join(into, 'metrics/shop/storefront.csv'));
    const demandAt = new Map(csv(path.join(run, 'workloads.csv')).filter((w) => w.workload === 'Deployment/shop/storefront').map((w) => [Number(w.t), Number(w.demand)]));
    const times = rows.map((r) => Date.parse(r.time) / 1000);
    const column = (name: string) => rows.map((r) => (r[name] === '' || r[name] === undefined ? null : Number(r[name])));
    const demand = times.map((s) => {
      const at = [1, 2, 3, 4, 5].map((k) => demandAt.get(s - START - 60 * k));
      return at.every((v) => v !== undefined) ? at.reduce((a, b) => a! + b!, 0)! / 5 : null;
    });
    const columns = { ...Object.fromEntries(Object.keys(rows[0]).filter((c) => c !== 'time').map((c) => [c, column(c)])), demand };
    const fit = fitUsage({ workload: 'Deployment/shop/storefront', columns, demandQuery: 'sum(rate(requests[5m]))' }, times, 60);
    t.diagnostic(`CPU ${fit.cpu.base.toFixed(2)}m + ${fit.cpu.perUnit.toFixed(3)}m/unit (R² ${fit.cpu.goodness!.r2!.toFixed(4)}, n ${fit.cpu.used}, left out ${JSON.stringify(fit.cpu.leftOut)}); memory ${(fit.memory.base / MI).toFixed(1)}Mi + ${(fit.memory.perUnit / MI).toFixed(3)}Mi/unit`);
    // The export writes the workload as one pod with its totals: pods 1 < replicas_ready, used.
    assert.equal(fit.cpu.leftOut['not all pods Ready'], undefined);
    assert.ok(Math.abs(fit.cpu.base) <= 0.05 * 4 * 30, `CPU base ${fit.cpu.base}m (within 5% of the CPU at ~30 requests/s per pod)`);
    assert.ok(Math.abs(fit.cpu.perUnit - 4) <= 0.05 * 4, `CPU perUnit ${fit.cpu.perUnit}m`);
    assert.ok(Math.abs(fit.memory.base - 300 * MI) <= 0.05 * 300 * MI, `memory base ${fit.memory.base / MI}Mi`);
    assert.ok(Math.abs(fit.memory.perUnit - MI) <= 0.05 * MI, `memory perUnit ${fit.memory.perUnit / MI}Mi`);
    assert.ok(fit.cpu.goodness!.r2! > 0.95, `CPU R² ${fit.cpu.goodness!.r2}`);
  } finally {
    await prometheus.stop();
  }
});
