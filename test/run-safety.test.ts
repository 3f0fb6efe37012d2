// No lost or mixed-up results (issue 14), with real processes and real signals: `capsim run`
// stopped by Ctrl-C or SIGTERM leaves the earlier results whole and nothing else (exit 130);
// what a killed run left behind is removed by the next one, and nothing of a live process is;
// two commands writing one directory at once are refused (exit 2, the other process named); a
// lock left by a process that is gone is taken over; and `capsim report` / `compare` name a
// damaged file of a run (exit 2) instead of drawing blank figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capsim, capsimCommand, scratchDir } from './support/run.ts';
import { lockOutput, OutputLockedError } from '../src/outputs/outputLock.ts';
import { processStartTicks, removeTemporaries } from '../src/outputs/leftovers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** study-web for a simulated year: a minute of work, far more than the tests need to interrupt it. */
const LONG_RUN = ['scenarios/study-web.yaml', '--set', 'spec.duration=365d'];
const SHORT_RUN = ['scenarios/study-web.yaml', '--set', 'spec.duration=1h', '--quiet', '--format', 'none'];

interface Child {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(...args: string[]): Child {
  const child = spawn(process.execPath, capsimCommand(...args), { cwd: ROOT });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => stderr, exit };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A pid no process has: that of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

const summaryOf = (dir: string) => fs.readFileSync(path.join(dir, 'summary.json'), 'utf8');

test('capsim run: Ctrl-C or SIGTERM stops it, exit 130; the earlier results stay whole and nothing else is left', async () => {
  const dir = scratchDir();
  const out = path.join(dir, 'out');
  assert.equal(capsim('run', ...SHORT_RUN, '--out', out).code, 0);
  const before = summaryOf(out);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const run = start('run', ...LONG_RUN, '--out', out, '--format', 'none');
    const temporary = `${out}.tmp-${run.child.pid}`;
    await until(() => fs.existsSync(path.join(temporary, 'timeseries.csv')), 'the run to start writing');
    run.child.kill(signal);
    const { code } = await run.exit;
    assert.equal(code, 130, run.stderr());
    assert.match(run.stderr(), new RegExp(`capsim: run interrupted \\(${signal}\\): nothing was written to .*out/`));
    assert.deepEqual(fs.readdirSync(dir), ['out'], 'no temporary directory, no lock');
    assert.equal(summaryOf(out), before);
  }
});

test('two commands writing one directory at once: the second is refused, naming the first; a killed run leaves what the next removes', async () => {
  const dir = scratchDir();
  const out = path.join(dir, 'out');
  assert.equal(capsim('run', ...SHORT_RUN, '--out', out).code, 0);
  const run = start('run', ...LONG_RUN, '--out', out, '--format', 'none');
  await until(() => fs.existsSync(`${out}.tmp-${run.child.pid}`), 'the run to start');
  // Another run, and a report of the earlier run there, into the same directory.
  for (const second of [capsim('run', ...SHORT_RUN, '--out', out), capsim('report', out)]) {
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`out: is being written by capsim run \\(pid ${run.child.pid} on this machine, since \\d{4}-`));
  }
  // kill -9: no chance to clean up. Its temporary directory and its lock stay behind.
  run.child.kill('SIGKILL');
  await run.exit;
  assert.deepEqual(fs.readdirSync(dir).sort(), ['out', 'out.lock', `out.tmp-${run.child.pid}`]);

  // Leftovers of other kinds beside it: a temporary named with a live pid but older than that
  // process (the pid was reused: not its maker), one of a live process made now, and another
  // target's.
  const reused = `${out}.tmp-${process.pid}`;
  fs.mkdirSync(reused);
  const beforeUs = new Date(Date.now() - process.uptime() * 1000 - 3_600_000);
  fs.utimesSync(reused, beforeUs, beforeUs);
  const live = `${out}.tmp-${process.ppid}`;
  fs.mkdirSync(live);
  const other = path.join(dir, `elsewhere.tmp-${deadPid()}`);
  fs.mkdirSync(other);

  const next = capsim('run', ...SHORT_RUN, '--out', out);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(other), 'out', path.basename(live)].sort());
});

test('locks: taken over from a process that is gone or whose pid was reused; refused for a live holder', async () => {
  const dir = scratchDir();
  const target = path.join(dir, 'out');
  const lockFile = `${target}.lock`;
  const holder = (fields: object) => fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'capsim run', since: '2026-01-05T00:00:00.000Z', processStart: processStartTicks(process.pid), ...fields }));

  // Gone: no process has the pid. Reused: the pid's process started at another time.
  for (const stale of [{ pid: deadPid() }, { processStart: '1' }]) {
    holder(stale);
    const lock = await lockOutput(target, 'capsim run');
    assert.equal(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid, process.pid);
    lock.release();
    assert.ok(!fs.existsSync(lockFile), 'released');
  }
  // A lock file cut short by a kill between creating and filling it, 10 s ago or more.
  fs.writeFileSync(lockFile, '{"pid": 12');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockFile, old, old);
  (await lockOutput(target, 'capsim run')).release();

  // Alive: this very process, with its real start time.
  const live = await lockOutput(target, 'capsim sweep');
  await assert.rejects(lockOutput(target, 'capsim run'), (e: unknown) => e instanceof OutputLockedError && e.holder?.command === 'capsim sweep' && e.holder.pid === process.pid);
  live.release();
});

test("locks of another host (a cluster's shared volume): refused while refreshed, taken over when silent", async () => {
  const dir = scratchDir();
  const target = path.join(dir, 'shard-3');
  const lockFile = `${target}.lock`;
  const text = JSON.stringify({ pid: 1, host: 'sweep-shard-3-abcde', command: 'capsim sweep', since: '2026-01-05T00:00:00.000Z', processStart: '4242' });
  // A pod still running refreshes its lock: once a refresh is seen, the lock is refused.
  fs.writeFileSync(lockFile, text);
  const beat = setInterval(() => fs.utimesSync(lockFile, new Date(), new Date()), 200);
  const waits: string[] = [];
  try {
    await assert.rejects(lockOutput(target, 'capsim sweep', { onWait: (m) => waits.push(m), remoteSilenceMs: 10_000 }), (e: unknown) => e instanceof OutputLockedError && e.holder?.host === 'sweep-shard-3-abcde');
  } finally {
    clearInterval(beat);
  }
  assert.deepEqual(waits, [`${target} is locked by capsim sweep (pid 1 on sweep-shard-3-abcde, since 2026-01-05T00:00:00.000Z); watching whether it is still running (up to 10 s)`]);
  // capsim's own heartbeat: the lock's bytes rewritten, its modification time moved.
  const mine = await lockOutput(path.join(dir, 'mine'), 'capsim sweep', { heartbeatMs: 50 });
  const before = fs.readFileSync(mine.file, 'utf8');
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(mine.file, past, past);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(fs.statSync(mine.file).mtimeMs > past.getTime() + 30_000, 'refreshed');
  assert.equal(fs.readFileSync(mine.file, 'utf8'), before);
  mine.release();
  // A pod killed (kill -9, a node lost) refreshes nothing: its lock is taken over after the
  // silence (30 s; 1 s here), or at once when its file is ten minutes old.
  const started = Date.now();
  (await lockOutput(target, 'capsim sweep', { remoteSilenceMs: 1_000 })).release();
  assert.ok(Date.now() - started >= 1_000);
  fs.writeFileSync(lockFile, text);
  const ancient = new Date(Date.now() - 3_600_000);
  fs.utimesSync(lockFile, ancient, ancient);
  const run = capsim('run', ...SHORT_RUN, '--out', target);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!fs.existsSync(lockFile));
});

test('temporaries: only capsim-named ones of processes that are gone, or our own when asked', () => {
  const dir = scratchDir();
  const dead = deadPid();
  for (const name of [`summary.json.tmp-${dead}`, `charts.tmp-${dead}`, `summary.json.tmp-${process.pid}`, `notes.tmp-x${dead}`, `summary.json.tmp-${process.ppid}`]) {
    fs.writeFileSync(path.join(dir, name), '');
  }
  assert.deepEqual(removeTemporaries(dir).sort(), [`charts.tmp-${dead}`, `summary.json.tmp-${dead}`]);
  assert.deepEqual(removeTemporaries(dir, { own: true }), [`summary.json.tmp-${process.pid}`]);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`notes.tmp-x${dead}`, `summary.json.tmp-${process.ppid}`]);
});

test('report and compare: a damaged file of a run is named (exit 2), never drawn as blank figures', () => {
  const dir = scratchDir();
  const base = path.join(dir, 'base');
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--out', base, '--quiet', '--format', 'none').code, 0);
  const damaged = (name: string, change: (dir: string) => void) => {
    const copy = path.join(dir, name);
    fs.cpSync(base, copy, { recursive: true });
    change(copy);
    return copy;
  };
  const edit = (file: string, f: (text: string) => string) => fs.writeFileSync(file, f(fs.readFileSync(file, 'utf8')));
  const cases: [dir: string, expected: RegExp][] = [
    // Cut short in the middle: not JSON any more.
    [damaged('cut', (d) => edit(path.join(d, 'summary.json'), (t) => t.slice(0, t.length / 2))), /cut\/summary\.json: not valid JSON, cut short or edited\?/],
    // Whole, but a figure gone and another a string: each named.
    [damaged('edited', (d) => edit(path.join(d, 'summary.json'), (t) => {
      const s = JSON.parse(t);
      delete s.cost.totalUsd;
      s.pods.oomKills = '3';
      return JSON.stringify(s);
    })), /edited\/summary\.json: cost\.totalUsd: missing, a number expected[^]*edited\/summary\.json: pods\.oomKills: is a string \("3"\), a number expected/],
    // A series cut in the middle of its last row.
    [damaged('series', (d) => edit(path.join(d, 'timeseries.csv'), (t) => t.slice(0, -7))), /series\/timeseries\.csv: unreadable CSV: the file does not end with a newline/],
    // A row of workloads.csv that lost its last cells (line 3 of the file).
    [damaged('row', (d) => edit(path.join(d, 'workloads.csv'), (t) => t.split('\n').map((line, i) => (i === 2 ? line.split(',').slice(0, 4).join(',') : line)).join('\n'))), /row\/workloads\.csv:3:0: unreadable CSV: 4 cells where the header has \d+/],
  ];
  for (const [run, expected] of cases) {
    const report = capsim('report', run);
    assert.equal(report.code, 2, report.stderr);
    assert.match(report.stderr, expected);
    assert.ok(!fs.existsSync(path.join(run, 'report.html')), 'nothing drawn');
    const compared = capsim('compare', base, run, '--out', path.join(dir, `cmp-${path.basename(run)}`));
    assert.equal(compared.code, 2, compared.stderr);
    assert.match(compared.stderr, expected);
  }
});

test('capsim report: leftovers of a killed report are removed; Ctrl-C leaves every file whole, exit 130', async () => {
  const dir = scratchDir();
  const run = path.join(dir, 'run');
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--out', run, '--quiet').code, 0);
  const dead = deadPid();
  fs.writeFileSync(path.join(run, `report.html.tmp-${dead}`), '<html');
  fs.writeFileSync(path.join(run, 'charts', `cpu.svg.tmp-${dead}`), '<svg');
  const again = capsim('report', run);
  assert.equal(again.code, 0, again.stderr);
  const leftovers = (fs.readdirSync(run, { recursive: true }) as string[]).filter((f) => f.includes('.tmp-'));
  assert.deepEqual(leftovers, []);

  const report = start('report', run, '--format', 'html,svg,png');
  await until(() => fs.existsSync(`${run}.lock`), 'the report to take its lock');
  report.child.kill('SIGINT');
  const { code } = await report.exit;
  assert.equal(code, 130, report.stderr());
  assert.match(report.stderr(), /capsim: report interrupted: every file in .*run\/ is whole/);
  assert.ok(!fs.existsSync(`${run}.lock`), 'lock released');
  assert.deepEqual((fs.readdirSync(run, { recursive: true }) as string[]).filter((f) => f.includes('.tmp-')), []);
});
