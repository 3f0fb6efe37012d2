// A small output file written whole or not at all: to a temporary name, then renamed over the
// target, so an interrupted command never leaves half a CSV for the next one to read.
import fs from 'node:fs';

export function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}
