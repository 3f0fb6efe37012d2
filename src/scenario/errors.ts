// Input problems: every one found is reported at once, each with file:line:column, the field
// path, what was expected and, for a misspelling, the closest valid name (DESIGN §2).
import { distance } from 'fastest-levenshtein';

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

export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const path = p.path ? `${p.path}: ` : '';
  const hint = p.hint ? `\n    hint: ${p.hint}` : '';
  return `${where}: ${path}${p.message}${hint}`;
}

/** Joins a path like ["spec", "containers", 0, "name"] as "spec.containers[0].name". */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
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
