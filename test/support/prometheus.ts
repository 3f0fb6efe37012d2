// A real Prometheus for the tests (issue 16): Debian's `prometheus` package, which brings
// `promtool`. A test writes OpenMetrics text, backfills it into a TSDB with
// `promtool tsdb create-blocks-from openmetrics`, starts its own server on 127.0.0.1 (no
// scraping: the config has no scrape jobs), queries it over the HTTP API and stops it.
// Without the binaries the tests skip with the reason, unless CAPSIM_REQUIRE_PROMETHEUS=1
// (.ci/run sets it after installing the package): then they fail.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { capsim } from './run.ts';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS_INSTALL_HINT = 'install it with `apt-get install -y prometheus` (Debian; brings promtool)';

/** True when both binaries are present; otherwise the test is skipped, or fails when CI requires them. */
export function prometheusOrSkip(t: TestContext): boolean {
  const missing = [PROMETHEUS, PROMTOOL].filter((f) => !fs.existsSync(f));
  if (missing.length === 0) return true;
  if (process.env.CAPSIM_REQUIRE_PROMETHEUS === '1') assert.fail(`CAPSIM_REQUIRE_PROMETHEUS=1 but ${missing.join(' and ')} missing; ${PROMETHEUS_INSTALL_HINT}`);
  t.skip(`${missing.join(' and ')} not found; ${PROMETHEUS_INSTALL_HINT} to run the Prometheus tests`);
  return false;
}

/** `promtool <args>`: exit code and output. */
export function promtool(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Backfills an OpenMetrics file into a new TSDB directory (`promtool tsdb create-blocks-from
 *  openmetrics`, 2-hour blocks). Throws with promtool's output when it refuses the file. */
export function buildTsdb(openMetricsFile: string, tsdbDir: string): void {
  fs.mkdirSync(tsdbDir, { recursive: true });
  const r = promtool(['tsdb', 'create-blocks-from', 'openmetrics', openMetricsFile, tsdbDir]);
  if (r.code !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics ${openMetricsFile} exited ${r.code}:\n${r.stdout}${r.stderr}`);
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for Prometheus to take). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/<path>?<params>: the parsed `data`; throws on a non-success status. */
  api(pathAndQuery: string, params: Record<string, string>): Promise<any>;
  /** Kills the server and waits for it to exit (idempotent). */
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a TSDB directory and waits for /-/ready. Retention is 100 years so the
 * backfilled blocks are kept whatever their timestamps (a scenario's start may be long past;
 * blocks ahead of the wall clock are loaded as well, but the head's out-of-order window does not
 * apply to them: build the TSDB before starting). Call `stop()` in a `finally` or `t.after`.
 */
export async function startPrometheus(tsdbDir: string, options: { timeoutMs?: number } = {}): Promise<RunningPrometheus> {
  const port = await freePort();
  const config = path.join(path.dirname(path.resolve(tsdbDir)), `prometheus-${port}.yml`);
  // No scrape_configs: this server only answers queries on what was backfilled.
  fs.writeFileSync(config, 'global:\n  scrape_interval: 1h\n');
  const log: string[] = [];
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.resolve(tsdbDir)}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      // A query may span the whole backfilled run: no lookback surprises beyond 5m, no limits hit.
      '--query.max-samples=50000000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(config, { force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode} before it was ready:\n${log.join('')}`);
      try {
        const r = await fetch(`${url}/-/ready`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready at ${url} after ${options.timeoutMs ?? 30_000} ms:\n${log.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    stop,
    async api(pathAndQuery, params) {
      const r = await fetch(`${url}/api/v1/${pathAndQuery}?${new URLSearchParams(params)}`);
      const body = (await r.json()) as { status: string; data: unknown; error?: string };
      if (body.status !== 'success') throw new Error(`${pathAndQuery} ${JSON.stringify(params)}: ${body.error ?? r.status}`);
      return body.data;
    },
  };
}

/** Fails the test with a command's output when it did not exit 0. */
export function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

/** scenarios/web-hpa.yaml run for 2 hours into `dir`/run and exported to `dir`/web-hpa.om: the
 *  series the export and import-metrics tests backfill (an HPA, demand, one pool). */
export function exportedWebHpa(dir: string): { run: string; om: string } {
  const run = path.join(dir, 'run');
  const om = path.join(dir, 'web-hpa.om');
  ok(capsim('run', 'scenarios/web-hpa.yaml', '--set', 'spec.duration=2h', '--out', run, '--format', 'none', '--quiet'), 'capsim run');
  ok(capsim('export', 'openmetrics', run, '--out', om, '--quiet'), 'capsim export openmetrics');
  return { run, om };
}

/** scenarios/web-hpa.yaml for 1 hour with its HPA held to 1..2 replicas and a CPU limit at the
 *  250m request, run into `dir`/throttled-run and exported to `dir`/throttled.om: a workload
 *  throttled at some samples and not at others (the daily demand's night is ~120 requests/s x 4m
 *  = ~480m for two pods of 250m), for the CFS series. */
export function exportedThrottled(dir: string): { run: string; om: string } {
  const run = path.join(dir, 'throttled-run');
  const om = path.join(dir, 'throttled.om');
  const sets = ['spec.duration=1h', 'spec.workloads[0].containers[0].resources.limits.cpu=250m', 'spec.workloads[0].hpa.minReplicas=1', 'spec.workloads[0].hpa.maxReplicas=2'];
  ok(capsim('run', 'scenarios/web-hpa.yaml', ...sets.flatMap((s) => ['--set', s]), '--out', run, '--format', 'none', '--quiet'), 'capsim run (throttled)');
  ok(capsim('export', 'openmetrics', run, '--out', om, '--quiet'), 'capsim export openmetrics (throttled)');
  return { run, om };
}
