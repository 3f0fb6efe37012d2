// One writer per output directory: `capsim run`, `sweep`, `report` and `compare` hold
// `<dir>.lock` (beside the directory, since a run replaces its directory whole) while they write
// into <dir>, so two commands at once cannot delete or overwrite each other's work. The lock file
// is created exclusively and names its holder: pid, host, command, start time. A lock whose
// holder is gone is taken over; a live holder's is not, and the second command is refused with
// that holder named. On this host a holder is gone when its pid is free or was reused. A holder
// on another host (a volume shared by a cluster's pods) cannot be asked: its lock is refreshed
// every few seconds while it runs, and is taken over when it stays silent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mayHaveMade, pidExists, processStartTicks } from './leftovers.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** "capsim sweep" */
  command: string;
  /** When it took the lock, ISO time. */
  since: string;
  /** /proc's start time of the holder (leftovers.ts processStartTicks), to tell a reused pid. */
  processStart: string | null;
}

/** Thrown when another live process holds the lock; the CLI turns it into an exit-2 message. */
export class OutputLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly target: string,
    /** Null when the lock file is being written this instant (or cannot be read). */
    readonly holder: LockHolder | null,
  ) {
    super(`${target} is being written by ${holder ? describeHolder(holder) : 'another process'} (lock ${lockFile})`);
    this.name = 'OutputLockedError';
  }
}

export function describeHolder(holder: LockHolder): string {
  const where = holder.host === os.hostname() ? 'on this machine' : `on ${holder.host}`;
  return `${holder.command} (pid ${holder.pid} ${where}, since ${holder.since})`;
}

export interface OutputLock {
  readonly file: string;
  /** Removes the lock file if it is still this holder's. Safe to call more than once. */
  release(): void;
}

/** A lock file that cannot be read this long after it was made was left half-written by a
 *  process killed between creating and filling it. */
const UNREADABLE_STALE_MS = 10_000;
/** How often a holder rewrites its lock, which moves the file's modification time. */
const HEARTBEAT_MS = 5_000;
/** A lock of another host not refreshed while watched this long: its holder is gone. Watched by
 *  this host's clock, so the hosts' clocks need not agree. */
const REMOTE_SILENCE_MS = 30_000;
/** A lock of another host last refreshed this long ago by the file's time is gone without
 *  watching (clocks ten minutes apart are not expected). */
const REMOTE_ANCIENT_MS = 600_000;
const POLL_MS = 500;

export function lockFileOf(target: string): string {
  return `${path.resolve(target)}.lock`;
}

export interface LockOptions {
  /** Told when the lock is held on another host and is being watched for a refresh. */
  onWait?: (message: string) => void;
  /** REMOTE_SILENCE_MS and HEARTBEAT_MS, shorter in tests. */
  remoteSilenceMs?: number;
  heartbeatMs?: number;
}

/** Takes the lock of the directory `target` for `command`, or throws OutputLockedError. Released
 *  by release(), and at the latest when the process exits. A lock of another host is watched
 *  (up to 30 s) before it is taken over or refused. */
export async function lockOutput(target: string, command: string, options: LockOptions = {}): Promise<OutputLock> {
  const file = lockFileOf(target);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), processStart: processStartTicks(process.pid) };
  const text = JSON.stringify(mine, null, 2) + '\n';
  const locked = (holder: LockHolder | null) => new OutputLockedError(file, path.resolve(target), holder);
  let watched = null as { text: string; mtimeMs: number; sinceMs: number } | null;
  for (let takeovers = 0, vanished = 0; ; ) {
    if (createExclusively(file, text)) return held(file, text, options.heartbeatMs ?? HEARTBEAT_MS);
    const seen = readLock(file);
    if (seen === null) {
      // Released meanwhile: try again; something there that cannot be read (a directory) is not
      // a lock to wait for.
      if (++vanished > 10) throw locked(null);
      continue;
    }
    const verdict = judge(seen);
    if (verdict === 'alive') throw locked(seen.holder);
    if (verdict === 'remote') {
      if (watched?.text === seen.text && watched.mtimeMs !== seen.mtimeMs) throw locked(seen.holder); // refreshed: running
      if (watched?.text !== seen.text) {
        watched = { text: seen.text, mtimeMs: seen.mtimeMs, sinceMs: Date.now() };
        options.onWait?.(`${path.resolve(target)} is locked by ${describeHolder(seen.holder!)}; watching whether it is still running (up to ${Math.round((options.remoteSilenceMs ?? REMOTE_SILENCE_MS) / 1000)} s)`);
      }
      if (Date.now() - watched.sinceMs < (options.remoteSilenceMs ?? REMOTE_SILENCE_MS)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
    }
    // Gone: taken over, a few times at most (another process may take it over first).
    if (++takeovers > 3) throw locked(seen.holder);
    takeOver(file, seen.text);
  }
}

function createExclusively(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function held(file: string, text: string, heartbeatMs: number): OutputLock {
  let released = false;
  // The heartbeat: the same bytes written over themselves, which moves the modification time by
  // the file system's own clock.
  const heartbeat = setInterval(() => {
    if (readText(file) !== text) return;
    try {
      const fd = fs.openSync(file, 'r+');
      try {
        fs.writeSync(fd, text, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Gone or unwritable this once: the next beat tries again.
    }
  }, heartbeatMs);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    // Only our own lock: one taken over from us (were we ever judged gone) is not ours to remove.
    if (readText(file) === text) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, release };
}

interface Seen {
  text: string;
  holder: LockHolder | null;
  mtimeMs: number;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readLock(file: string): Seen | null {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const text = readText(file);
  if (text === null) return null;
  let holder: LockHolder | null = null;
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      holder = {
        pid: parsed.pid,
        host: parsed.host,
        command: typeof parsed.command === 'string' ? parsed.command : 'capsim',
        since: typeof parsed.since === 'string' ? parsed.since : new Date(mtimeMs).toISOString(),
        processStart: typeof parsed.processStart === 'string' ? parsed.processStart : null,
      };
    }
  } catch {
    // Being written this instant, or left half-written: judged by its age below.
  }
  return { text, holder, mtimeMs };
}

/** Whether the lock's holder is running ('alive'), gone, or on another host and to be judged by
 *  its heartbeat ('remote'). */
function judge(seen: Seen): 'alive' | 'gone' | 'remote' {
  const h = seen.holder;
  if (h === null) return Date.now() - seen.mtimeMs < UNREADABLE_STALE_MS ? 'alive' : 'gone';
  if (h.host !== os.hostname()) return Date.now() - seen.mtimeMs > REMOTE_ANCIENT_MS ? 'gone' : 'remote';
  if (!pidExists(h.pid)) return 'gone';
  const now = processStartTicks(h.pid);
  if (h.processStart !== null && now !== null) return now === h.processStart ? 'alive' : 'gone';
  return mayHaveMade(h.pid, Date.parse(h.since) || seen.mtimeMs) ? 'alive' : 'gone';
}

/** Removes a stale lock, unless another process took it over since we read it: the file is
 *  moved aside first and put back (link fails if a newer lock exists) when it is not the one
 *  judged stale. */
function takeOver(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // gone already
  }
  if (readText(aside) !== staleText) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process made a lock meanwhile: it holds it.
    }
  }
  fs.rmSync(aside, { force: true });
}
