// One writer per output directory: `capsim run`, `sweep`, `report` and `compare` hold
// `<dir>.lock` (beside the directory, since a run replaces its directory whole) while they write
// into <dir>, so two commands at once cannot delete or overwrite each other's work. The lock file
// is created exclusively and names its holder: pid, host, command, start time. A lock whose
// holder is gone (killed; its pid now free or reused) is taken over; a live holder's is not, and
// the second command is refused with that holder named.
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

export function lockFileOf(target: string): string {
  return `${path.resolve(target)}.lock`;
}

/** Takes the lock of the directory `target` for `command`, or throws OutputLockedError. Released
 *  by release(), and at the latest when the process exits. */
export function lockOutput(target: string, command: string): OutputLock {
  const file = lockFileOf(target);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), processStart: processStartTicks(process.pid) };
  const text = JSON.stringify(mine, null, 2) + '\n';
  let seen: Seen | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusively(file, text)) return held(file, text);
    seen = readLock(file);
    if (seen === null) continue; // released meanwhile: try again
    if (holderAlive(seen)) throw new OutputLockedError(file, path.resolve(target), seen.holder);
    takeOver(file, seen.text);
  }
  throw new OutputLockedError(file, path.resolve(target), seen?.holder ?? null);
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

function held(file: string, text: string): OutputLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
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

/** Whether the lock's holder may still be running. A holder on another host (a shared volume)
 *  cannot be checked and counts as running. */
function holderAlive(seen: Seen): boolean {
  const h = seen.holder;
  if (h === null) return Date.now() - seen.mtimeMs < UNREADABLE_STALE_MS;
  if (h.host !== os.hostname()) return true;
  if (!pidExists(h.pid)) return false;
  const now = processStartTicks(h.pid);
  if (h.processStart !== null && now !== null) return now === h.processStart;
  return mayHaveMade(h.pid, seen.mtimeMs);
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
