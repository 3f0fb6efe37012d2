// Reading a cluster dump: what `kubectl get ... -A -o yaml` (or `-o json`) printed, from files,
// directories (recursively: *.yaml, *.yml, *.json, sorted) or stdin ("-"). Multi-document YAML
// and `kind: List` (or `...List` with items) are flattened into objects, each with where it was
// read, so that a problem names file, line and field. Every problem of every file is collected
// and thrown at once (InputError, exit 2); nothing is written before the whole dump is read.
import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { describe, problemAt, type Site } from '../scenario/problems.ts';
import { YamlSource, type PathPart } from '../scenario/source.ts';
import { quote } from '../excerpt.ts';
import { ALLOW_LARGE, INPUT_LIMITS, formatBytes } from '../scenario/limits.ts';

/** One object of the dump, as read (plain data, not yet cleaned). */
export interface DumpObject {
  raw: Record<string, unknown>;
  /** The file as shown in messages ("dump/cluster.yaml", "(stdin)"). */
  file: string;
  /** 1-based line where the object starts. */
  line: number;
}

export interface Dump {
  objects: DumpObject[];
  /** The files read, as shown, in reading order. */
  files: string[];
}

/** "-" in the inputs: standard input. */
export const STDIN = '-';
const STDIN_NAME = '(stdin)';
const DUMP_FILE = /\.(ya?ml|json)$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Reads every input; `readStdin` is given the text of standard input (tests pass their own).
 *  Unless `allowLarge`, the inputs together may hold INPUT_LIMITS.dumpBytes: a file that would
 *  pass it is refused from its size, before it is read. */
export async function readDump(inputs: readonly string[], readStdin: () => Promise<string> = stdinText, allowLarge = false): Promise<Dump> {
  const problems: Problem[] = [];
  const objects: DumpObject[] = [];
  const files: string[] = [];
  let bytes = 0;
  const overLimit = (shown: string, size: number): boolean => {
    bytes += size;
    if (allowLarge || bytes <= INPUT_LIMITS.dumpBytes) return false;
    const what = size > INPUT_LIMITS.dumpBytes ? `${shown} is ${formatBytes(size)}` : `${shown} (${formatBytes(size)}) brings what is read to ${formatBytes(bytes)}`;
    problems.push({ file: shown, line: 0, column: 0, path: '', message: `${what}; the limit is ${formatBytes(INPUT_LIMITS.dumpBytes)}`, hint: `import the namespaces or kinds in parts, or pass ${ALLOW_LARGE} to read it anyway (YAML takes about 25 times its size in memory once parsed)` });
    return true;
  };
  if (inputs.length === 0) {
    throw new InputError([{ file: 'capsim import cluster', line: 0, column: 0, path: '', message: 'no input given', hint: 'name the files or directories kubectl wrote, or - for standard input' }]);
  }
  for (const input of inputs) {
    if (input === STDIN) {
      files.push(STDIN_NAME);
      const text = await readStdin();
      if (!overLimit(STDIN_NAME, Buffer.byteLength(text))) readText(STDIN_NAME, text, objects, problems);
      continue;
    }
    for (const file of await expandInput(input, problems)) {
      const shown = displayPath(file);
      let text: string;
      try {
        if (overLimit(shown, (await fs.stat(file)).size)) continue;
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        problems.push({ file: shown, line: 0, column: 0, path: '', message: `cannot read ${shown}: ${(error as Error).message}` });
        continue;
      }
      files.push(shown);
      readText(shown, text, objects, problems);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  if (objects.length === 0) {
    throw new InputError([{ file: files.join(', ') || inputs.join(', '), line: 0, column: 0, path: '', message: 'the dump holds no Kubernetes objects', hint: 'give what `kubectl get nodes,pods,... -A -o yaml` printed (see `capsim import cluster --help`)' }]);
  }
  return { objects, files };
}

/** A file, or a directory's dump files (recursive, sorted by path). */
async function expandInput(input: string, problems: Problem[]): Promise<string[]> {
  const absolute = path.resolve(input);
  let info;
  try {
    info = await fs.stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({ file: input, line: 0, column: 0, path: '', message: code === 'ENOENT' ? `file not found: ${input}` : `cannot read ${input}: ${(error as Error).message}` });
    return [];
  }
  if (!info.isDirectory()) return [absolute];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (DUMP_FILE.test(e.name)) found.push(full);
    }
  };
  await walk(absolute);
  if (found.length === 0) problems.push({ file: input, line: 0, column: 0, path: '', message: `directory ${input} has no .yaml, .yml or .json files` });
  return found;
}

/** The objects of one file's text, Lists flattened; problems for what is not an object. */
export function readText(file: string, text: string, objects: DumpObject[], problems: Problem[]): void {
  const source = new YamlSource(file, text);
  if (source.problem) {
    problems.push(source.problem);
    return;
  }
  source.documents.forEach((doc, d) => readValue(doc, { source, file, doc: d, prefix: [] }, objects, problems));
}

function readValue(value: unknown, site: Site, objects: DumpObject[], problems: Problem[]): void {
  if (value === null || value === undefined) return; // an empty document
  const at = (path: PathPart[], message: string, hint?: string) => problems.push(problemAt(site, path, message, hint));
  if (typeof value !== 'object' || Array.isArray(value)) {
    at([], `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describe(value)}`, 'give what `kubectl get ... -o yaml` or `-o json` printed');
    return;
  }
  const raw = value as Record<string, unknown>;
  const kind = raw.kind;
  if (typeof kind !== 'string' || kind === '') {
    at(['kind'], kind === undefined ? 'missing required field "kind"' : `expected a string, got ${describe(kind)}`, 'every object kubectl prints has apiVersion and kind');
    return;
  }
  if (kind === 'List' || (kind.endsWith('List') && 'items' in raw)) {
    if (!Array.isArray(raw.items)) {
      at(['items'], raw.items === undefined ? 'missing required field "items"' : `expected a list, got ${describe(raw.items)}`);
      return;
    }
    raw.items.forEach((item, i) => readValue(item, { ...site, prefix: [...site.prefix, 'items', i] }, objects, problems));
    return;
  }
  if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') {
    at(['apiVersion'], raw.apiVersion === undefined ? 'missing required field "apiVersion"' : `expected a string, got ${describe(raw.apiVersion)}`, 'every object kubectl prints has apiVersion and kind');
    return;
  }
  const meta = raw.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    at(['metadata'], meta === undefined ? 'missing required field "metadata"' : `expected a mapping, got ${describe(meta)}`);
    return;
  }
  const { name, namespace } = meta as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    at(['metadata', 'name'], name === undefined ? 'missing required field "name"' : `expected a name, got ${describe(name)}`, 'objects read from a cluster have names; a manifest with only generateName was never created');
    return;
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) {
    // A namespace names a file of the scenario directory: it must be one a cluster accepts.
    at(['metadata', 'namespace'], typeof namespace === 'string' ? `invalid namespace ${quote(namespace)}` : `expected a string, got ${describe(namespace)}`, 'a namespace is a DNS label: lower-case letters, digits and "-", at most 63 characters');
    return;
  }
  objects.push({ raw, file: site.file, line: site.source ? site.source.line(site.doc, site.prefix) : 0 });
}

async function stdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
