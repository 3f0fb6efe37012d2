// capsim completion: the script bash runs, tried as bash runs it (COMP_WORDS, COMP_CWORD, the
// completion function), with `capsim` on PATH the checkout's bin/capsim.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, capsimCommand, scratchDir } from './support/run.ts';

/** A directory with a `capsim` that runs this checkout, for the script's calls. */
function shimPath(): string {
  const dir = scratchDir('capsim-completion-');
  const [script] = capsimCommand();
  fs.writeFileSync(path.join(dir, 'capsim'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
  return dir;
}

/** What bash offers for `line` (the last word is the one being completed; a trailing space
 *  starts a new, empty word), and the files it falls back to. */
function complete(line: string, cwd: string, bin: string): string[] {
  const script = capsim('completion', 'bash').stdout;
  const words = line.split(' ');
  const program = [
    script,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_capsim_completions',
    // -o default: bash completes file names when the function offers nothing.
    'if [ ${#COMPREPLY[@]} -eq 0 ]; then compgen -f -- "${COMP_WORDS[COMP_CWORD]}"; else printf "%s\\n" "${COMPREPLY[@]}"; fi',
  ].join('\n');
  const r = spawnSync('bash', ['-c', program], { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash: commands, flags and their choices, and files where a scenario goes', () => {
  const bin = shimPath();
  const cwd = scratchDir('capsim-completion-cwd-');
  fs.writeFileSync(path.join(cwd, 'shop.yaml'), 'x');
  assert.deepEqual(complete('capsim ru', cwd, bin), ['run']);
  assert.deepEqual(complete('capsim co', cwd, bin), ['compare', 'completion']);
  assert.deepEqual(complete('capsim run --ou', cwd, bin), ['--out', '--output']);
  assert.deepEqual(complete('capsim run -o ', cwd, bin), ['json', 'table', 'yaml']);
  assert.deepEqual(complete('capsim run --placement r', cwd, bin), ['reschedule']);
  assert.deepEqual(complete('capsim catalog --provider a', cwd, bin), ['aws', 'azure']);
  assert.deepEqual(complete('capsim completion ', cwd, bin), ['bash', 'zsh']);
  // A scenario file, not a flag, after `run `.
  assert.deepEqual(complete('capsim run sh', cwd, bin), ['shop.yaml']);
});

test('zsh: the script defines and registers the function; capsim answers zsh with descriptions', () => {
  const zsh = capsim('completion', 'zsh');
  assert.equal(zsh.code, 0);
  assert.match(zsh.stdout, /^#compdef capsim\n/);
  assert.match(zsh.stdout, /ZSH_NAME=zsh .*capsim --get-yargs-completions/);
  assert.match(zsh.stdout, /compdef _capsim_completions capsim/);
  // What the function reads: "command:description" lines, as _describe wants them.
  const r = spawnSync(process.execPath, capsimCommand('--get-yargs-completions', 'capsim', ''), { encoding: 'utf8', env: { ...process.env, ZSH_NAME: 'zsh' } });
  assert.match(r.stdout, /^run:Simulate a scenario/m);
  assert.match(r.stdout, /^completion:Print a shell completion script/m);
  assert.equal(capsim('completion', 'fish').code, 2, 'only bash and zsh');
});
