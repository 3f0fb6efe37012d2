// Paths in messages, as the user will recognise them.
import path from 'node:path';

/** Relative to the working directory when inside it, absolute otherwise (no "../../tmp/..."). */
export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}
