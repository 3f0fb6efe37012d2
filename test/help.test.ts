// --help for a newcomer (issue 21): every command and subcommand shows examples, and README's
// command map names exactly the commands --help lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim } from './support/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The commands a --help lists under "Commands:", as their words after `capsim`. */
function listed(help: string): string[] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return section.split('\n').flatMap((line) => {
    const m = /^ {2}capsim ((?:[a-z][\w-]*)(?: [a-z][\w-]*)?)/.exec(line);
    return m ? [m[1]] : [];
  });
}

/** Every command a user can run, nested ones (import cluster) in place of their parent. */
function commands(): string[] {
  const top = listed(capsim('--help').stdout).map((c) => c.split(' ')[0]);
  assert.ok(top.length >= 10, `capsim --help lists the commands: ${top.join(', ')}`);
  return top.flatMap((c) => {
    const nested = listed(capsim(c, '--help').stdout).filter((n) => n.startsWith(`${c} `));
    return nested.length > 0 ? [c, ...nested] : [c];
  });
}

const all = commands();

test("every command's --help has examples, each a capsim command line", () => {
  assert.ok(all.includes('import cluster') && all.includes('export focus') && all.includes('completion'), all.join(', '));
  for (const name of all) {
    const help = capsim(...name.split(' '), '--help');
    assert.equal(help.code, 0, `${name} --help`);
    const examples = help.stdout.split('\nExamples:\n')[1];
    assert.ok(examples, `capsim ${name} --help has an Examples section`);
    assert.match(examples, /^ {2}(\S+ .*\| )?capsim \S/m, `capsim ${name} --help: its examples are command lines`);
  }
});

test("README's command map and --help name the same commands", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('\n## The command line\n')[1].split('```')[1];
  const mapped = new Set(block.split('\n').flatMap((line) => {
    const m = /^capsim ([a-z][\w-]*)(?: ([a-z][\w-]*))?/.exec(line);
    if (!m) return [];
    // import and export name what: `capsim import cluster`.
    return m[2] && all.includes(`${m[1]} ${m[2]}`) ? [m[1], `${m[1]} ${m[2]}`] : [m[1]];
  }));
  const runnable = all.filter((c) => !all.some((n) => n.startsWith(`${c} `)) || mapped.has(c));
  assert.deepEqual(runnable.filter((c) => !mapped.has(c)), [], "commands in --help missing from README's map");
  assert.deepEqual([...mapped].filter((c) => !all.includes(c)), [], "README's map names commands --help does not list");
});
