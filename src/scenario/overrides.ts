// `--set path=value` (DESIGN §1): overrides applied to the scenario document before validation.
// The path is `spec.cluster.nodePools[0].instanceType` (a key with dots can be written
// `labels["topology.kubernetes.io/zone"]`); the value is read as a YAML scalar or flow value, so
// `--set spec.seed=7` sets a number and `--set 'spec.cluster.nodePools[0].labels={a: b}'` a map.
import { CORE_SCHEMA, load, parseEvents } from 'js-yaml';
import { formatPath, type Problem } from './errors.ts';
import { didYouMean, type Override } from './problems.ts';
import { aliasOverflow, mayHaveAliases, type PathPart } from './source.ts';
import { setOwn } from '../model/records.ts';

const FLAG_FILE = '--set';

function flagProblem(flag: string, path: readonly PathPart[], message: string, hint?: string): Problem {
  return { file: FLAG_FILE, line: 0, column: 0, path: formatPath(path), message: `${message} (in --set ${flag})`, hint };
}

/** Parses `a.b[0]["c.d"]` into ["a", "b", 0, "c.d"]; throws a message on bad syntax. */
export function parseSetPath(text: string): PathPart[] {
  const parts: PathPart[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid path "${text}": ${why}`);
  };
  while (i < text.length) {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail('missing "]"');
      const inner = text.slice(i + 1, close).trim();
      if (/^[0-9]+$/.test(inner)) parts.push(Number(inner));
      else if (/^"[^"]*"$|^'[^']*'$/.test(inner)) parts.push(inner.slice(1, -1));
      else fail(`"[${inner}]" is neither a list index nor a quoted key`);
      i = close + 1;
      if (text[i] === '.') i++;
    } else {
      let end = i;
      while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
      const key = text.slice(i, end);
      if (key === '') fail('empty key');
      parts.push(key);
      i = end;
      if (text[i] === '.') {
        i++;
        if (i === text.length) fail('ends with "."');
      }
    }
  }
  if (parts.length === 0) fail('empty path');
  return parts;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Applies every `path=value` to `doc` (mutated). Returns the overrides that were applied (so
 * problems under them are attributed to the flag) and adds a Problem for each that could not be.
 */
export function applyOverrides(doc: Record<string, unknown>, sets: readonly string[], problems: Problem[], knownFields: () => ReadonlySet<string> = () => new Set()): Override[] {
  const applied: Override[] = [];
  for (const flag of sets) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      problems.push(flagProblem(flag, [], 'expected path=value', 'e.g. --set spec.cluster.nodePools[0].instanceType=aws/c5.2xlarge'));
      continue;
    }
    let path: PathPart[];
    try {
      path = parseSetPath(flag.slice(0, eq).trim());
    } catch (error) {
      problems.push(flagProblem(flag, [], (error as Error).message, 'e.g. spec.cluster.nodePools[0].labels["topology.kubernetes.io/zone"]'));
      continue;
    }
    let value: unknown;
    try {
      const text = flag.slice(eq + 1);
      const overflow = mayHaveAliases(text) ? aliasOverflow(parseEvents(text, {}), text) : null;
      if (overflow) {
        problems.push(flagProblem(flag, path, overflow.message, overflow.hint));
        continue;
      }
      value = load(text, { schema: CORE_SCHEMA });
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? (error as Error).message;
      problems.push(flagProblem(flag, path, `invalid value: ${reason}`, 'the value is read as YAML; quote the whole flag in the shell, e.g. --set \'path={a: b}\''));
      continue;
    }
    const written = setAt(doc, path, value, flag, knownFields);
    if (!Array.isArray(written)) problems.push(written);
    else applied.push({ path: written, file: FLAG_FILE, flag: `--set ${flag}` });
  }
  return applied;
}

/** Sets the value at `path`, creating the mappings on the way. Returns what it wrote: the path,
 *  or the first mapping it created (so that a problem with that key, such as an unknown field,
 *  is the flag's too); or the problem that stopped it. */
function setAt(doc: Record<string, unknown>, path: PathPart[], value: unknown, flag: string, knownFields: () => ReadonlySet<string>): PathPart[] | Problem {
  let node: unknown = doc;
  let created: PathPart[] | undefined;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    const here = path.slice(0, i + 1);
    if (typeof part === 'number') {
      if (!Array.isArray(node)) return flagProblem(flag, here, `${formatPath(path.slice(0, i)) || 'the document'} is not a list`);
      if (last && part <= node.length) {
        node[part] = value;
        return created ?? path;
      }
      if (part >= node.length) {
        const n = node.length;
        return flagProblem(flag, here, `no item [${part}]: ${formatPath(path.slice(0, i))} has ${n} item${n === 1 ? '' : 's'}`, n > 0 ? `indexes go from 0 to ${n - 1}` : undefined);
      }
      node = node[part];
      continue;
    }
    if (!isMapping(node)) return flagProblem(flag, here, `${formatPath(path.slice(0, i)) || 'the document'} is not a mapping`);
    if (last) {
      setOwn(node, part, value);
      return created ?? path;
    }
    if (!Object.hasOwn(node, part) || node[part] === null || node[part] === undefined) {
      // A missing key: create it, unless the path goes on into a list or the key looks like a
      // misspelling of one that exists (and is no field of the format: `capacity` next to
      // `capacityType` is meant).
      const close = knownFields().has(part) ? undefined : didYouMean(part, Object.keys(node));
      if (close) return flagProblem(flag, here, `no field "${part}" in ${formatPath(path.slice(0, i)) || 'the document'}`, close);
      if (typeof path[i + 1] === 'number') return flagProblem(flag, here, `${formatPath(here)} does not exist, so it has no item [${path[i + 1]}]`);
      setOwn(node, part, {});
      created ??= here;
    }
    node = node[part];
  }
  return created ?? path;
}
