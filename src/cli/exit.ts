// Exit codes (DESIGN §1) and the one place input problems are printed.
import { InputError, formatProblem } from '../scenario/errors.ts';

export const EXIT_OK = 0;
export const EXIT_SIMULATION = 1;
export const EXIT_INPUT = 2;

/** Prints an error the way each kind deserves and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof InputError) {
    const n = error.problems.length;
    process.stderr.write(`capsim: ${n} problem${n === 1 ? '' : 's'} in the input; nothing was run or written.\n`);
    for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    return EXIT_INPUT;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`capsim: the simulation failed: ${message}\n`);
  return EXIT_SIMULATION;
}
