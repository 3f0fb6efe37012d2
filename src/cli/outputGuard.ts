// What the commands that write an output directory share: stopping cleanly on Ctrl-C or SIGTERM
// (exit 130, nothing half-written, a line saying what happened), and the message for a directory
// another capsim is writing (outputs/outputLock.ts); for report and compare, the lock itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { OutputLockedError, describeHolder, lockOutput, type OutputLock } from '../outputs/outputLock.ts';
import { removeTemporaries } from '../outputs/leftovers.ts';

/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The signal received, or null. */
  received(): NodeJS.Signals | null;
  /** Stops listening; the signals' default (end the process at once) is back. */
  dispose(): void;
}

/** Listens for the first SIGINT or SIGTERM and aborts `signal`, for a command that stops at its
 *  next step and cleans up. A second signal ends the process at once: what it leaves (a
 *  temporary, a lock) belongs to a process that is gone, and the next command removes it. */
export function listenForInterrupt(): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      received = name;
      controller.abort(new Error(`interrupted by ${name}`));
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

/** For a command whose writing cannot stop half-way by itself (report, compare: each file goes
 *  to a temporary name, then is renamed): on SIGINT or SIGTERM, `cleanup` removes this process's
 *  temporaries and releases its lock, `message` is printed, and the process exits 130. Returns
 *  the function that stops listening. */
export function exitOnInterrupt(cleanup: () => void, message: string): () => void {
  const handler = () => {
    try {
      cleanup();
    } finally {
      process.stderr.write(`capsim: ${message}\n`);
      process.exit(EXIT_INTERRUPTED);
    }
  };
  for (const name of SIGNALS) process.once(name, handler);
  return () => {
    for (const name of SIGNALS) process.off(name, handler);
  };
}

/** An OutputLockedError as the input problem it is to the user (exit 2): which directory, who
 *  writes it, and what to do. Any other error is returned as it is. */
export function lockedAsInput(error: unknown): unknown {
  if (!(error instanceof OutputLockedError)) return error;
  const lock = displayPath(error.lockFile);
  const who = error.holder ? describeHolder(error.holder) : 'another capsim (its lock file is being written this instant)';
  const elsewhere = error.holder !== null && error.holder.host !== os.hostname();
  return new InputError([{
    file: displayPath(error.target),
    line: 0,
    column: 0,
    path: '',
    message: `is being written by ${who}`,
    hint: elsewhere
      ? `it refreshes ${lock} as it runs on ${error.holder!.host}: wait for it to finish, or write somewhere else`
      : 'wait for it to finish (or stop it), or write somewhere else; a lock left by a process that is gone is taken over by itself',
  }]);
}

/** For `capsim report` and `compare`, which write files beside others into `dir` (and its
 *  charts/): the directory's lock, the temporaries of killed earlier commands removed, and on
 *  SIGINT or SIGTERM this process's temporaries removed, the lock released and exit 130. Runs
 *  `write` and returns what it returns. No lock is taken for a directory that does not exist
 *  and is not to be made (`create` false): `write` then fails with its own message. */
export async function guardedWrite<T>(dir: string, options: { command: string; create: boolean }, write: () => Promise<T>): Promise<T> {
  const abs = path.resolve(dir);
  if (!options.create && !fs.existsSync(abs)) return write();
  const dirs = [abs, path.join(abs, 'charts')];
  // Listening before the lock exists and until it is gone: a signal in between would otherwise
  // kill the process the default way, with the lock file and its temporaries left behind.
  let lock: OutputLock | null = null;
  const stop = exitOnInterrupt(() => {
    for (const d of dirs) removeTemporaries(d, { own: true });
    lock?.release();
  }, `${options.command.replace(/^capsim /, '')} interrupted: every file in ${displayPath(abs)}/ is whole (written before, or by this command); run it again for a complete set.`);
  try {
    lock = await lockOutput(abs, options.command, { onWait: (message) => process.stderr.write(`capsim: ${message}\n`) });
    for (const d of dirs) removeTemporaries(d);
    return await write();
  } finally {
    lock?.release();
    stop();
  }
}
