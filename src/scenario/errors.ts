// Input problems: every one found is reported at once, each with file:line:column, the field
// path, what was expected and, for a misspelling, the closest valid name (DESIGN §2).
import { distance } from 'fastest-levenshtein';
import { boundedText, excerpt } from '../excerpt.ts';

export interface Problem {
  file: string;
  /** 1-based; 0 when no position is known (e.g. a --set flag). */
  line: number;
  column: number;
  /** Field path such as "spec.template.spec.containers[0].resources.request". */
  path: string;
  message: string;
  hint?: string;
}

/** Thrown for invalid input of any kind; the CLI prints every problem and exits 2. */
export class InputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

/** One problem as the CLI prints it and a sweep records it. Each part is bounded (boundedText):
 *  the places that quote the input cut what they quote (excerpt.ts), and this is the backstop
 *  for any that do not, so that no message carries a whole file or a terminal escape. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${boundedText(p.file)}:${p.line}:${p.column}` : boundedText(p.file);
  const path = p.path ? `${boundedText(p.path)}: ` : '';
  const hint = p.hint ? `\n    hint: ${boundedText(p.hint)}` : '';
  return `${where}: ${path}${boundedText(p.message)}${hint}`;
}

/** Joins a path like ["spec", "containers", 0, "name"] as "spec.containers[0].name"; a key of
 *  the input is shown as an excerpt (an unknown key can be a whole line of a file). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${excerpt(part)}` : excerpt(part);
  }
  return out;
}

/** The closest candidate to a misspelled name, if it is close enough to be a likely typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}
