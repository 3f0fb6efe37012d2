// capsim completion [bash|zsh]: a shell completion script. The shell asks capsim itself what can
// come next (`capsim --get-yargs-completions <words>`, yargs' completion, which knows every
// command, flag and choice); the script asks, filters by the word being typed, and falls back to
// file names where capsim has nothing to offer (a scenario, a run directory).
import type { ArgumentsCamelCase, CommandModule } from 'yargs';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

interface CompletionArgs {
  shell?: Shell;
}

/** After yargs' own templates (yargs/lib/completion-templates.js), with two changes: a word that
 *  is not a flag is offered no flags (so `capsim run <TAB>` lists files, not --seed), and the
 *  command is found on PATH as `capsim`. */
const BASH = `###-begin-capsim-completions-###
# capsim completion for bash. Install: capsim completion bash >> ~/.bashrc
# (or: capsim completion bash > /etc/bash_completion.d/capsim)
_capsim_completions()
{
    local cur_word args type_list reply
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
    mapfile -t type_list < <(capsim --get-yargs-completions "\${args[@]}" 2>/dev/null)
    reply=()
    for w in "\${type_list[@]}"; do
        [[ "$w" == -* && "$cur_word" != -* ]] && continue
        reply+=("$w")
    done
    mapfile -t COMPREPLY < <(compgen -W "$( printf '%q ' "\${reply[@]}" )" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _capsim_completions capsim
###-end-capsim-completions-###
`;

const ZSH = `#compdef capsim
###-begin-capsim-completions-###
# capsim completion for zsh. Install: capsim completion zsh >> ~/.zshrc
# (or: capsim completion zsh > "\${fpath[1]}/_capsim")
_capsim_completions()
{
  local reply si=$IFS cur="\${words[CURRENT]}"
  IFS=$'\\n' reply=($(ZSH_NAME=zsh COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" capsim --get-yargs-completions "\${(@)words[1,CURRENT]}" 2>/dev/null))
  IFS=$si
  [[ "$cur" != -* ]] && reply=(\${reply:#-*})
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _capsim_completions "$@"
else
  compdef _capsim_completions capsim
fi
###-end-capsim-completions-###
`;

export function completionScript(shell: Shell): string {
  return shell === 'zsh' ? ZSH : BASH;
}

export const completionCommand: CommandModule<object, CompletionArgs> = {
  command: 'completion [shell]',
  describe: 'Print a shell completion script (commands, flags and their choices) for bash or zsh',
  builder: (y) =>
    y
      .positional('shell', { type: 'string', choices: SHELLS, describe: "The shell (default: $SHELL's, else bash)" })
      .example('$0 completion bash >> ~/.bashrc', 'Complete capsim in every new bash')
      .example('source <($0 completion bash)', 'In this shell only')
      .example('$0 completion zsh > "${fpath[1]}/_capsim"', 'zsh, as a completion function') as never,
  handler: (args: ArgumentsCamelCase<CompletionArgs>) => {
    const shell = args.shell ?? (process.env.SHELL?.includes('zsh') ? 'zsh' : 'bash');
    process.stdout.write(completionScript(shell));
  },
};
