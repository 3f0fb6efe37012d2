// Whose is a leftover? capsim names its temporaries `<target>.tmp-<pid>` (a run's directory, an
// output file on its way in) and writes its pid in its locks, so what a process left behind when
// it was killed (kill -9, Ctrl-C twice, a pod evicted) can be told from the work of one still
// running, and removed. A pid alone is not proof: pids are reused, so on Linux the process now
// holding the pid must also have started before the leftover was made.
import fs from 'node:fs';
import path from 'node:path';

/** /proc/<pid>/stat counts a process's start in clock ticks since boot, at USER_HZ: 100 a second
 *  on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
/** btime is whole seconds and a start time is rounded to ticks: a process counts as started
 *  after something only when it started this much later. */
const CLOCK_SLACK_MS = 2_000;

/** The raw start time of a process (field 22 of /proc/<pid>/stat, ticks since boot): the same
 *  string for the same process, another for a later one with the same pid. Null without /proc
 *  (macOS, Windows) or without such a process. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself:
    // fields are counted from the last ')'; the first after it is field 3.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

let bootMs: number | null | undefined;

/** When a process started, in ms since the epoch; null where /proc cannot tell. */
export function processStartMs(pid: number): number | null {
  if (bootMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
      bootMs = m ? Number(m[1]) * 1000 : null;
    } catch {
      bootMs = null;
    }
  }
  const ticks = processStartTicks(pid);
  return bootMs === null || ticks === null ? null : bootMs + (Number(ticks) * 1000) / TICKS_PER_SECOND;
}

/** Whether a process with this pid exists: signal 0 asks without sending anything; EPERM means
 *  it exists and belongs to another user. */
export function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process `pid` may be the one that made something last modified at `madeMs`: no
 *  when no such process exists, or when the process holding the pid now started after that (the
 *  maker is gone and its pid was given to another). Yes when it cannot be told. */
export function mayHaveMade(pid: number, madeMs: number): boolean {
  if (!pidExists(pid)) return false;
  const started = processStartMs(pid);
  return started === null || started <= madeMs + CLOCK_SLACK_MS;
}

const TEMPORARY = /^(.+)\.tmp-(\d+)$/;

/** The pid in a temporary's name ("summary.json.tmp-4242" -> 4242), null for another name. */
export function temporaryPid(name: string): number | null {
  const m = TEMPORARY.exec(name);
  return m ? Number(m[2]) : null;
}

/** The name a target's temporary takes while this process writes it. */
export function temporaryName(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

export interface TemporaryOptions {
  /** Only temporaries of these targets (names in `dir`); all when absent. */
  targets?: readonly string[];
  /** Also this process's own (after an interrupted write); otherwise only those of processes
   *  that are gone. */
  own?: boolean;
}

/** Removes the temporaries (`<name>.tmp-<pid>`, files or directories) in `dir` whose process is
 *  gone, and with `own` this process's; returns the names removed. Anything else, and the
 *  temporaries of a live process, are left alone. */
export function removeTemporaries(dir: string, options: TemporaryOptions = {}): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m || (options.targets && !options.targets.includes(m[1]))) continue;
    const pid = Number(m[2]);
    const file = path.join(dir, name);
    let stale: boolean;
    if (pid === process.pid) {
      // Ours, or left by an earlier process that had our pid (made before we started).
      stale = options.own === true || !mayHaveMade(pid, mtimeMs(file));
    } else stale = !mayHaveMade(pid, mtimeMs(file));
    if (!stale) continue;
    fs.rmSync(file, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function mtimeMs(file: string): number {
  try {
    return fs.lstatSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}
