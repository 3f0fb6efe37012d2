// npm run bench: engine throughput against a bare heap loop, then every scenario (scenarios/, the
// Alibaba GPU trace replayed whole when ../shared/data/alibaba-gpu-v2023 is there,
// bench/ and the generated large ones, Karpenter's week at ten times the load among them) with
// `capsim run` on the built bundle: wall time, events/s, pods scheduled/s and peak memory (--design and --big add the two largest),
// the k8s-sims clusters beside the published figures of the other simulators, and Karpenter's
// own scheduling benchmark (bench/karpenter.ts) beside upstream's pods/s; start-up and the
// k8s-sims clusters as whole processes beside pfnet's k8s-cluster-simulator (issue 18).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventQueue } from '../src/engine/eventQueue.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { writeAutoscalingScenario, writeBigScenario, writeDesignScenario, writeDiurnalScenario, writeKarpenterScenario, writeLargeScenario } from './large.ts';
import { UPSTREAM_PODS_PER_SECOND, benchmarkScheduler } from './karpenter.ts';
import { importAlibabaGpu } from '../src/import/alibabaGpu.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'data', 'k8s-sims');
/** Alibaba's GPU trace 2023 (issue 20): replayed whole, as `capsim import alibaba-gpu-2023` writes it. */
const ALIBABA = path.resolve(ROOT, '..', 'shared', 'data', 'alibaba-gpu-v2023');
const PENDING = 100_000;
const OPS = 3_000_000;

/** A deterministic stream of event delays (xorshift), identical for both loops. */
function delays(n: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % 1_000_000;
  }
  return out;
}

function bareHeapEventsPerSecond(): number {
  const d = delays(PENDING + OPS);
  const q = new EventQueue(PENDING * 2);
  for (let i = 0; i < PENDING; i++) q.push(d[i], 0, i);
  const t0 = performance.now();
  let now = 0;
  for (let i = 0; i < OPS; i++) {
    now = q.peekTime();
    const slot = q.pop();
    q.push(now + d[PENDING + i], 0, slot);
  }
  return OPS / ((performance.now() - t0) / 1000);
}

function engineEventsPerSecond(): number {
  const d = delays(PENDING + OPS);
  const sim = new Simulation();
  let i = 0;
  const handler = () => {
    if (i < OPS) sim.after(d[PENDING + i++], 0, handler);
  };
  for (let k = 0; k < PENDING; k++) sim.schedule(d[k], 0, handler);
  const t0 = performance.now();
  sim.runUntil(Infinity);
  return sim.eventsProcessed / ((performance.now() - t0) / 1000);
}

interface Measured {
  name: string;
  loadMs: number;
  simMs: number;
  reportMs: number;
  events: number;
  podsScheduled: number;
  unschedulable: number;
  simulatedHours: number;
  maxRssMB: number;
  processMs: number;
}

/** One scenario as a user runs it: `capsim run` on the built bundle (dist/), every output and the
 *  report, in its own process (so peak memory is per scenario). The simulation's and the report's
 *  wall times come from run-info.json; "load" is the rest of the process: start-up, reading the
 *  scenario, writing the tables. (bench/one.ts, through tsx, read 1.3-1.45x slower than this.) */
function measure(file: string): Measured | null {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-bench-run-'));
  const command = [process.execPath, path.join(ROOT, 'bin', 'capsim.js'), 'run', file, '--out', out, '--quiet'];
  const timed = fs.existsSync('/usr/bin/time');
  const t0 = performance.now();
  const child = timed
    ? spawnSync('/usr/bin/time', ['-f', 'TIME %M', ...command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 })
    : spawnSync(command[0], command.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  const processMs = performance.now() - t0;
  try {
    if (child.status !== 0) {
      process.stderr.write(`bench: ${file} failed:\n${child.stderr.split('\n').slice(0, 12).join('\n')}\n`);
      return null;
    }
    const info = JSON.parse(fs.readFileSync(path.join(out, 'run-info.json'), 'utf8'));
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const simMs = info.wallSeconds * 1000;
    const reportMs = info.reportSeconds * 1000;
    const rssKB = Number(/TIME (\d+)/.exec(child.stderr)?.[1] ?? NaN);
    return {
      name: info.scenario,
      loadMs: Math.max(0, processMs - simMs - reportMs),
      simMs,
      reportMs,
      events: info.eventsProcessed,
      podsScheduled: summary.pods.scheduled,
      unschedulable: summary.pods.unschedulable,
      simulatedHours: info.simulatedSeconds / 3600,
      maxRssMB: rssKB / 1024,
      processMs,
    };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Published k8s-sims results (seconds, GB, unscheduled pods) for a node count. */
function published(nodes: number): { sim: string; seconds: number; gb: number; unscheduled: number }[] {
  const dir = path.join(SHARED, 'results');
  if (!fs.existsSync(dir)) return [];
  const out: { sim: string; seconds: number; gb: number; unscheduled: number }[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.startsWith('big-all-')) continue;
    const [header, ...lines] = fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n');
    const cols = header.split('|');
    const rows = lines.map((l) => Object.fromEntries(l.split('|').map((v, i) => [cols[i], Number(v)]))).filter((r) => r.node_count === nodes);
    if (rows.length === 0) continue;
    const mean = (k: string) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    out.push({ sim: file.replace(/^big-all-|\.csv$/g, ''), seconds: mean('run_time'), gb: mean('memory_peak_gb'), unscheduled: mean('unscheduled_pods') });
  }
  return out;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`capsim bench on ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
const bare = bareHeapEventsPerSecond();
const engine = engineEventsPerSecond();
console.log(`event loop, ${fmt(PENDING)} pending, ${fmt(OPS)} events:`);
console.log(`  bare typed-array heap loop   ${fmt(bare / 1e6, 2)} M events/s`);
console.log(`  capsim engine (handlers)     ${fmt(engine / 1e6, 2)} M events/s   ratio engine/bare = ${fmt(engine / bare, 2)}\n`);

const files = [
  ...fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join('scenarios', f)),
  ...(fs.existsSync(SHARED) ? fs.readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join('bench', f)) : []),
];
if (!process.argv.includes('--quick')) {
  files.push(path.relative(ROOT, await writeDiurnalScenario(path.join(ROOT, '.bench'))));
  files.push(path.relative(ROOT, await writeLargeScenario(path.join(ROOT, '.bench'))));
  files.push(path.relative(ROOT, await writeAutoscalingScenario(path.join(ROOT, '.bench'))));
  // Issue 17: Karpenter at about 100-200 nodes for a week (karpenter-diurnal itself is in scenarios/).
  files.push(path.relative(ROOT, await writeKarpenterScenario(path.join(ROOT, '.bench'))));
}
// Issue 20: the full Alibaba GPU trace (1,523 nodes, 8,152 pods over 149 days), imported afresh.
if (fs.existsSync(ALIBABA)) {
  const dir = path.join(ROOT, '.bench', 'alibaba-gpu-2023');
  await importAlibabaGpu({ traceDir: ALIBABA, outDir: dir, force: true });
  files.push(path.relative(ROOT, path.join(dir, 'scenario.yaml')));
}
// DESIGN §6 with its 200 HPAs takes minutes (see README Speed): only on request.
if (process.argv.includes('--design')) files.push(path.relative(ROOT, await writeDesignScenario(path.join(ROOT, '.bench'))));
// Issue 18's bigger month (5,000 nodes, 50,000 pods, 500 HPAs, the cluster autoscaler, 7 days): only on request.
if (process.argv.includes('--big')) files.push(path.relative(ROOT, await writeBigScenario(path.join(ROOT, '.bench'))));

const sweepOnly = process.argv.includes('--sweep');
if (sweepOnly) files.length = 0;
if (files.length > 0) console.log('scenario                        other s   sim s  report s  process s  events/s     pods/s   sim h/wall s  peak MB  scheduled  unschedulable');
for (const file of files) {
  const m = measure(file);
  if (!m) continue;
  const simSeconds = m.simMs / 1000;
  console.log(
    `${m.name.padEnd(32)} ${fmt(m.loadMs / 1000, 2).padStart(6)} ${fmt(simSeconds, 2).padStart(7)} ${fmt(m.reportMs / 1000, 2).padStart(9)} ${fmt(m.processMs / 1000, 2).padStart(10)} ` +
      `${fmt(m.events / simSeconds).padStart(9)} ${fmt(m.podsScheduled / simSeconds).padStart(10)} ${fmt(m.simulatedHours / simSeconds, 0).padStart(13)} ` +
      `${fmt(m.maxRssMB).padStart(8)} ${fmt(m.podsScheduled).padStart(10)} ${fmt(m.unschedulable).padStart(14)}`,
  );
  const sizeMatch = /k8s-sims-\w+-(\d+)/.exec(m.name);
  if (sizeMatch) {
    const nodes = Number(sizeMatch[1]);
    for (const p of published(nodes)) {
      console.log(`    published ${p.sim.padEnd(12)} ${fmt(p.seconds, 0).padStart(6)} s wall  ${fmt(p.gb * 1000).padStart(6)} MB  ${fmt(p.unscheduled, 1).padStart(5)} unscheduled`);
    }
  }
}

// Issue 18, items 1 and 2: start-up and the k8s-sims clusters as whole processes (node
// bin/capsim.js on the built dist/, as a user runs it), medians of 5, beside the targets and
// beside pfnet's k8s-cluster-simulator (kcs) run on this machine for the issue.
/** kcs on the k8s-sims clusters, whole process, measured on this 2-core machine (issue 18). */
const KCS_MEASURED_SECONDS: Record<number, number> = { 100: 0.64, 400: 4.6, 1200: 21.3 };

/** Median wall seconds of `runs` whole `node bin/capsim.js ...` processes, and the largest peak
 *  RSS (MB) and median CPU seconds when /usr/bin/time is there to report them. */
function wholeProcess(args: string[], runs = 5): { seconds: number; cpuSeconds: number | null; peakMB: number | null } {
  const timed = fs.existsSync('/usr/bin/time');
  const walls: number[] = [];
  const cpus: number[] = [];
  let peakKB = 0;
  for (let i = 0; i < runs; i++) {
    const command = [process.execPath, path.join(ROOT, 'bin', 'capsim.js'), ...args];
    const t0 = performance.now();
    const child = timed
      ? spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', ...command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 })
      : spawnSync(command[0], command.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    walls.push((performance.now() - t0) / 1000);
    if (child.status !== 0) throw new Error(`bench: capsim ${args.join(' ')} failed:\n${child.stderr}`);
    const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(child.stderr);
    if (m) {
      cpus.push(Number(m[1]) + Number(m[2]));
      peakKB = Math.max(peakKB, Number(m[3]));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { seconds: median(walls), cpuSeconds: cpus.length ? median(cpus) : null, peakMB: peakKB ? peakKB / 1024 : null };
}

if (!sweepOnly) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-bench-startup-'));
  const cpu = (m: { cpuSeconds: number | null }) => (m.cpuSeconds === null ? '' : `   ${fmt(m.cpuSeconds, 2)} s CPU`);
  console.log('\nstart-up, whole process (node bin/capsim.js), median of 5:');
  const version = wholeProcess(['--version']);
  console.log(`  capsim --version                          ${fmt(version.seconds, 2).padStart(5)} s wall${cpu(version)}   target < 0.15 s`);
  const e29 = wholeProcess(['run', 'scenarios/e29-cluster-autoscaler.yaml', '--out', path.join(tmp, 'e29'), '--quiet']);
  console.log(`  capsim run e29 (html and svg charts)      ${fmt(e29.seconds, 2).padStart(5)} s wall${cpu(e29)}   target < 0.5 s`);
  if (fs.existsSync(SHARED)) {
    console.log('\nk8s-sims, whole process (capsim run bench/k8s-sims-*.yaml --format none), median of 5, beside the other simulators:');
    for (const [size, nodes] of [['small', 100], ['medium', 400], ['big', 1200]] as const) {
      const m = wholeProcess(['run', `bench/k8s-sims-${size}-${nodes}.yaml`, '--format', 'none', '--out', path.join(tmp, size), '--quiet']);
      const target = nodes === 1200 ? '   target < 1 s and < 200 MB' : '';
      console.log(`  ${fmt(nodes).padStart(5)} nodes  capsim ${fmt(m.seconds, 2).padStart(5)} s wall${cpu(m)}${m.peakMB === null ? '' : `   ${fmt(m.peakMB)} MB peak`}${target}`);
      const ratio = (seconds: number) => `${fmt(seconds / m.seconds, 1).padStart(5)}x capsim's time`;
      const kcs = KCS_MEASURED_SECONDS[nodes];
      console.log(`      kcs, measured on this 2-core machine, issue 18   ${fmt(kcs, 2).padStart(6)} s   ${ratio(kcs)}`);
      for (const p of published(nodes)) console.log(`      published ${`${p.sim} (big-all-${p.sim}.csv)`.padEnd(36)} ${fmt(p.seconds, 2).padStart(6)} s   ${ratio(p.seconds)}`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

// Issue 17: kubernetes-sigs/karpenter scheduling_benchmark_test.go (400 instance types, pods in
// fifths) on capsim's port of Scheduler.Solve, in this process; --quick runs the 2,000-pod case only.
if (!sweepOnly) {
  const sizes = process.argv.includes('--quick') ? [2000] : [2000, 20000];
  console.log(`\nKarpenter scheduling benchmark (scheduling_benchmark_test.go: 400 instance types; pods in fifths: generic, zonal spread, hostname spread, zonal affinity, hostname anti-affinity):`);
  console.log('  pods     NodeClaims   solve s     pods/s   upstream pods/s (karpenter PR #1938)');
  for (const size of sizes) {
    const b = benchmarkScheduler(size);
    console.log(`  ${fmt(b.pods).padEnd(8)} ${fmt(b.nodes).padStart(10)} ${fmt(b.seconds, 2).padStart(9)} ${fmt(b.podsPerSecond).padStart(10)}   ~${UPSTREAM_PODS_PER_SECOND}`);
  }
}

/** DESIGN §5 / issue 7: 64 runs of a small scenario (the example study, one day each) on one
 *  worker and on two, through the CLI as a user runs it. */
function sweepSeconds(parallel: number): number {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-bench-sweep-'));
  const args = [
    path.join(ROOT, 'bin/capsim.js'), 'sweep', 'scenarios/study-web.yaml',
    '--vary', 'spec.cluster.nodePools[0].instanceType=aws/m5.large,aws/m5.xlarge,aws/c5.xlarge,aws/m5.2xlarge',
    '--vary', 'spec.workloads[0].containers[0].resources.requests.cpu=250m,500m',
    '--seeds', '8', '--parallel', String(parallel), '--out', out, '--format', 'none', '--quiet',
  ];
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(out, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`bench: sweep failed:\n${child.stderr}`);
  return seconds;
}

if (sweepOnly || !process.argv.includes('--quick')) {
  // Issue 18: worker processes. Three of each, alternating, medians: the machine may be shared.
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < 3; i++) for (const p of [1, 2] as const) times[p].push(sweepSeconds(p));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [one, two] = [median(times[1]), median(times[2])];
  console.log(`\nsweep, 64 runs of study-web (1 day each), whole command, median of 3 (load average ${fmt(os.loadavg()[0], 1)}):`);
  console.log(`  1 worker   ${fmt(one, 1).padStart(6)} s   ${fmt(64 / one, 1)} runs/s`);
  console.log(`  2 workers  ${fmt(two, 1).padStart(6)} s   ${fmt(64 / two, 1)} runs/s   speed-up ${fmt(one / two, 2)}x`);
}

// Issue 18: a run's tables as CSV and as Parquet (capsim --tables): sizes, write and read CPU.
// `npm run bench -- --tables RUN_DIR`, e.g. the large 30-day run of scripts/output-digests.sh.
const tablesAt = process.argv.indexOf('--tables');
if (tablesAt > 0 && process.argv[tablesAt + 1]) {
  const { printTableFigures, tableFigures } = await import('./tables.ts');
  console.log(`\ntables of ${process.argv[tablesAt + 1]} as CSV and as Parquet (--tables parquet):`);
  printTableFigures(await tableFigures(process.argv[tablesAt + 1]));
}
