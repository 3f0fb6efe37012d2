// Writing the scenario directory whole or not at all, as `capsim run` writes its run directory:
// under `<dir>.lock` (outputs/outputLock.ts), into a temporary `<dir>.tmp-<pid>` beside it,
// renamed into place at the end; a temporary left by a killed import is removed by the next one
// (outputs/leftovers.ts). An existing directory is never overwritten unless asked (--force), and
// then only one an import wrote: the user may have edited the scenario, or it may be theirs.
import fs from 'node:fs';
import path from 'node:path';
import { removeTemporaries, temporaryName } from '../outputs/leftovers.ts';
import { lockOutput } from '../outputs/outputLock.ts';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';

/** The file that marks a directory as an import's. */
export const REPORT_FILE = 'import-report.md';

export interface WriteOptions {
  /** Replace a directory an earlier import wrote. */
  force: boolean;
  /** Aborted: stop before the rename; the temporary is removed, nothing else changes. */
  signal?: AbortSignal;
  onNote?: (message: string) => void;
  /** Called with the temporary directory once every file is in it, before the rename: the
   *  files it returns are written over (the report, with what loading the result decided). */
  finish?: (dir: string) => Promise<ReadonlyMap<string, string>>;
}

export async function writeScenarioDirectory(outDir: string, files: ReadonlyMap<string, string>, options: WriteOptions): Promise<string> {
  const target = path.resolve(outDir);
  const lock = await lockOutput(target, 'capsim import cluster', { onWait: options.onNote });
  const tmp = temporaryName(target);
  try {
    refuseExisting(target, options.force);
    removeTemporaries(path.dirname(target), { targets: [path.basename(target)], own: true });
    fs.mkdirSync(tmp, { recursive: true });
    for (const [name, content] of files) {
      options.signal?.throwIfAborted();
      const file = path.join(tmp, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    options.signal?.throwIfAborted();
    for (const [name, content] of (await options.finish?.(tmp)) ?? []) fs.writeFileSync(path.join(tmp, name), content);
    options.signal?.throwIfAborted();
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    lock.release();
  }
}

function refuseExisting(target: string, force: boolean): void {
  let entries: string[];
  try {
    if (!fs.statSync(target).isDirectory()) throw refusal(target, 'exists and is not a directory', 'choose another --out');
    entries = fs.readdirSync(target);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length === 0) return;
  const imported = entries.includes(REPORT_FILE);
  if (!force) {
    throw refusal(target, imported ? 'holds an earlier import' : 'exists and is not empty', imported
      ? 'capsim does not overwrite it (you may have edited its scenario): choose another --out, or add --force to replace it'
      : 'choose another --out (an empty or new directory)');
  }
  if (!imported) throw refusal(target, `exists and holds no ${REPORT_FILE}: it is not an import, and --force replaces only an import`, 'choose another --out');
}

function refusal(target: string, message: string, hint: string): InputError {
  return new InputError([{ file: '--out', line: 0, column: 0, path: '', message: `${displayPath(target)} ${message}`, hint }]);
}
