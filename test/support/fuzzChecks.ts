// What the fuzz tests hold every input reader to (issue 14): an input ends in a result or in an
// InputError whose every problem names a file, a line and a message; never another exception,
// never a write to a built-in prototype. Shared by fuzz.ts (scenarios), fuzzReaders.ts (the other
// readers) and fuzzRunWorker.ts (runs of the scenarios that load).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, formatProblem, type Problem } from '../../src/scenario/errors.ts';

/** A broken promise: anything but a result or a well-formed InputError. */
export class FuzzFailure extends Error {}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype];
const PROTOTYPE_KEYS_BEFORE = PROTOTYPES.map((p) => new Set(Reflect.ownKeys(p)));
const OBJECT_PROTOTYPE_OF = Object.getPrototypeOf(Object.prototype);

/** Fails when a built-in prototype gained a property, after removing it (so that one case does
 *  not spoil the next). */
export function checkPrototypes(): void {
  const added: string[] = [];
  PROTOTYPES.forEach((proto, i) => {
    for (const key of Reflect.ownKeys(proto)) {
      if (PROTOTYPE_KEYS_BEFORE[i].has(key)) continue;
      added.push(`${proto.constructor.name}.prototype.${String(key)}`);
      delete (proto as Record<PropertyKey, unknown>)[key];
    }
  });
  if (Object.getPrototypeOf(Object.prototype) !== OBJECT_PROTOTYPE_OF) added.push('the prototype of Object.prototype');
  if (added.length > 0) throw new FuzzFailure(`a built-in prototype was written to: ${added.join(', ')}`);
}

/** A problem as the CLI prints it must name a file, a line (0 when none) and a message that did
 *  not come from a value inherited from Object. */
export function checkProblem(p: Problem): void {
  if (typeof p.file !== 'string' || p.file === '' || !Number.isInteger(p.line) || p.line < 0 || !Number.isInteger(p.column) || typeof p.message !== 'string' || p.message === '') {
    throw new FuzzFailure(`a malformed problem: ${JSON.stringify(p)}`);
  }
  if (/\[native code\]|function Object\(|\[object Object\]/.test(`${p.message} ${p.hint ?? ''}`)) throw new FuzzFailure(`a problem quoting a built-in or nothing: ${p.message}`);
  // What validate, run and every other command print for it.
  formatProblem(p);
}

/** `error` when it is a well-formed InputError; a FuzzFailure naming it otherwise. */
export function expectInputError(error: unknown, what: string): InputError {
  if (!(error instanceof InputError)) throw new FuzzFailure(`${what} threw ${describeError(error)}`);
  if (error.problems.length === 0) throw new FuzzFailure(`${what}: an InputError without problems`);
  error.problems.forEach(checkProblem);
  return error;
}

/** Runs `fn`; its result, or the InputError it threw (checked); anything else is a FuzzFailure.
 *  Built-in prototypes are checked afterwards either way. */
export async function settle<T>(what: string, fn: () => T | Promise<T>): Promise<T | InputError> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    return expectInputError(error, what);
  } finally {
    checkPrototypes();
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

let scratch: string | undefined;

/** One scratch directory per process for the cases' files. */
export function scratchDir(): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-fuzz-'));
  return scratch;
}

/** Removes the scratch directory (at the end of a test file or a fuzz run). */
export function removeScratch(): void {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** The first lines of a failure's message and stack: what tells one crash class from another. */
export function failureClass(message: string): string {
  const lines = message.split('\n');
  const frame = lines.find((l) => /^\s+at .*\/src\//.test(l))?.trim() ?? '';
  return `${lines[0].slice(0, 200)} ${frame.replace(/:\d+:\d+\)?$/, '')}`.trim();
}
