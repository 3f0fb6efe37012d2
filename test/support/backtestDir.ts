// A directory as `capsim import cluster` + `capsim import metrics` leave it, made from a run of
// scenarios/web-hpa.yaml without Prometheus: shared by backtest.test.ts and backtest-fuzz.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir } from './run.ts';
import { ok } from './prometheus.ts';

// A directory as `capsim import cluster` + `import metrics` leave it, made from a run of
// scenarios/web-hpa.yaml (2 hours at 1m, storefront with an HPA on 3 fixed m5.xlarge in pool web).
export const START = Date.parse('2026-01-05T00:00:00Z') / 1000;
export const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
export function csvRows(file: string): Record<string, string>[] {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

let made: { dir: string; run: string } | undefined;
export function importedDir(): { dir: string; run: string } {
  if (made) return made;
  const root = scratchDir('capsim-backtest-');
  const run = path.join(root, 'run');
  ok(capsim('run', 'scenarios/web-hpa.yaml', '--set', 'spec.duration=2h', '--out', run, '--format', 'none', '--quiet'), 'capsim run');
  const dir = path.join(root, 'shop');
  fs.mkdirSync(path.join(dir, 'metrics', 'shop'), { recursive: true });
  const text = fs.readFileSync('scenarios/web-hpa.yaml', 'utf8').replace('duration: 2d', 'duration: 2h').replace('seed: 7', 'seed: 7\n  start: "2026-01-05T00:00:00Z"');
  fs.writeFileSync(path.join(dir, 'backtest.yaml'), text);
  const w = csvRows(path.join(run, 'workloads.csv'));
  const cpuAt = new Map(w.map((r) => [Number(r.t), Number(r.cpu_used_m)]));
  const lines = w.map((r) => {
    const t = Number(r.t);
    // rate(...[5m]) at t: the mean of the samples t − 5m .. t − 1m (import-metrics.test.ts).
    const cpu = t < 300 ? '' : String(Math.round([300, 240, 180, 120, 60].reduce((s, b) => s + cpuAt.get(t - b)!, 0) / 5));
    // pods, replicas, replicas_ready, hpa_desired_replicas (what the HPA wrote to the Deployment), ...
    return [iso(START + t), r.replicas_ready, r.replicas_desired, r.replicas_ready, r.replicas_desired, cpu, r.memory_used_bytes, r.cpu_requested_m, r.memory_requested_bytes, '', '', r.oom_kills].join(',');
  });
  fs.writeFileSync(path.join(dir, 'metrics/shop/storefront.csv'), `time,pods,replicas,replicas_ready,hpa_desired_replicas,cpu_used_m,memory_used_bytes,cpu_requests_m,memory_requests_bytes,cpu_limits_m,memory_limits_bytes,oom_kills\n${lines.join('\n')}\n`);
  const nodes = csvRows(path.join(run, 'timeseries.csv')).map((r) => `${iso(START + Number(r.t))},web,${r.nodes}`);
  fs.writeFileSync(path.join(dir, 'metrics/nodes.csv'), `time,pool,nodes\n${nodes.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'metrics/workloads.csv'), 'workload,file\nDeployment/shop/storefront,metrics/shop/storefront.csv\n');
  return (made = { dir, run });
}

