import { UsageError } from '../errors.js';

/** One option of a command, as its help lists it. */
export interface CompletionOption {
  readonly long: string;
  readonly short?: string;
  /** Takes a value (`--base REF`), as opposed to a flag (`--fail-on-warn`). */
  readonly takesValue: boolean;
  /** The values it accepts, when they are a fixed list. */
  readonly values?: readonly string[];
}

export interface CompletionCommand {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly CompletionOption[];
  /** Words completed in place of files (completion's shells, help's commands). */
  readonly words?: readonly string[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export const COMPLETION_HELP = `Usage: gossip-safe completion bash|zsh|fish

Prints a shell completion script for gossip-safe's commands, options and option values.

Examples:
  source <(gossip-safe completion bash)                  # in ~/.bashrc
  gossip-safe completion zsh > "\${fpath[1]}/_gossip-safe"  # then restart zsh
  gossip-safe completion fish > ~/.config/fish/completions/gossip-safe.fish

Exit codes:
  0   the script was printed
  64  usage error: no shell, or one other than bash, zsh or fish
`;

const OPTION_LINE = /^\s+(?:-([a-zA-Z]), )?--([a-z][a-z-]*)( [^\s[]\S*)?(?:\s{2,}|$)/;

/**
 * The options a command's help lists, one per line that starts with one (`  -o, --output FORMAT
 * text...`): the help is the reference, so completion never offers an option the help does not
 * document. A value in brackets (`--dev-certs [DIR]`) is a positional argument, not the option's.
 */
export function optionsFromHelp(help: string, values: Readonly<Record<string, readonly string[]>> = {}): CompletionOption[] {
  const seen = new Set<string>();
  const out: CompletionOption[] = [];
  for (const line of help.split('\n')) {
    const m = OPTION_LINE.exec(line);
    if (m === null || seen.has(m[2]!)) continue;
    seen.add(m[2]!);
    const long = m[2]!;
    const fixed = values[long];
    out.push({ long, ...(m[1] === undefined ? {} : { short: m[1] }), takesValue: m[3] !== undefined, ...(fixed === undefined ? {} : { values: fixed }) });
  }
  return out;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function bash(program: string, commands: readonly CompletionCommand[]): string {
  const fn = `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
  const valueCases: string[] = [];
  const optionCases: string[] = [];
  const wordCases: string[] = [];
  for (const c of commands) {
    for (const o of c.options) {
      if (o.values === undefined) continue;
      const names = [`--${o.long}`, ...(o.short === undefined ? [] : [`-${o.short}`])].map((n) => `"${c.name} ${n}"`).join('|');
      valueCases.push(`    ${names}) COMPREPLY=($(compgen -W ${quote(o.values.join(' '))} -- "$cur")); return 0 ;;`);
    }
    const flags = c.options.flatMap((o) => [`--${o.long}`, ...(o.short === undefined ? [] : [`-${o.short}`])]);
    if (flags.length > 0) optionCases.push(`      ${c.name}) COMPREPLY=($(compgen -W ${quote(flags.join(' '))} -- "$cur")) ;;`);
    if (c.words !== undefined) wordCases.push(`    ${c.name}) COMPREPLY=($(compgen -W ${quote(c.words.join(' '))} -- "$cur")); return 0 ;;`);
  }
  return `# ${program} completion for bash. Load it with: source <(${program} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="\${COMP_WORDS[1]}"
  COMPREPLY=()
  if [ "$COMP_CWORD" -gt 0 ]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quote(commands.map((c) => c.name).join(' '))} -- "$cur"))
    return 0
  fi
  case "$cmd $prev" in
${valueCases.join('\n')}
  esac
  case "$cur" in
    -*)
      case "$cmd" in
${optionCases.join('\n')}
      esac
      return 0 ;;
  esac
  case "$cmd" in
${wordCases.join('\n')}
  esac
  return 0
}
complete -o default -F ${fn} ${program}
`;
}

function zshEscape(s: string): string {
  return s.replace(/[[\]:'\\]/g, (ch) => (ch === "'" ? `'\\''` : `\\${ch}`));
}

function zsh(program: string, commands: readonly CompletionCommand[]): string {
  const fn = `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
  const described = commands.map((c) => `    '${zshEscape(c.name)}:${zshEscape(c.summary)}'`).join('\n');
  const cases = commands
    .map((c) => {
      const specs = c.options.map((o) => {
        const value = o.takesValue ? (o.values === undefined ? ':value:_files' : `:value:(${o.values.join(' ')})`) : '';
        const tail = `[${zshEscape(o.long)}]${value}`;
        return o.short === undefined ? `'--${o.long}${tail}'` : `'(-${o.short} --${o.long})'{-${o.short},--${o.long}}'${tail}'`;
      });
      const rest = c.words === undefined ? "'*:file:_files'" : `'*:word:(${c.words.join(' ')})'`;
      return `    ${c.name})\n      _arguments -s ${[...specs, rest].join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef ${program}
# ${program} completion for zsh: save it as _${program} in a directory of $fpath.
${fn}() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  shift words
  (( CURRENT-- ))
  case $words[1] in
${cases}
  esac
}
${fn} "$@"
`;
}

function fish(program: string, commands: readonly CompletionCommand[]): string {
  const lines = [`# ${program} completion for fish: save it as ~/.config/fish/completions/${program}.fish`];
  const names = commands.map((c) => c.name).join(' ');
  for (const c of commands) {
    lines.push(`complete -c ${program} -n "not __fish_seen_subcommand_from ${names}" -f -a ${c.name} -d ${quote(c.summary)}`);
  }
  for (const c of commands) {
    const when = `-n "__fish_seen_subcommand_from ${c.name}"`;
    for (const o of c.options) {
      const short = o.short === undefined ? '' : ` -s ${o.short}`;
      const value = o.values !== undefined ? ` -x -a ${quote(o.values.join(' '))}` : o.takesValue ? ' -r' : '';
      lines.push(`complete -c ${program} ${when}${short} -l ${o.long}${value}`);
    }
    if (c.words !== undefined) lines.push(`complete -c ${program} ${when} -f -a ${quote(c.words.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `completion SHELL`: the script for that shell. */
export function completionScript(shell: string | undefined, program: string, commands: readonly CompletionCommand[]): string {
  switch (shell) {
    case 'bash':
      return bash(program, commands);
    case 'zsh':
      return zsh(program, commands);
    case 'fish':
      return fish(program, commands);
    default:
      throw new UsageError(`completion: give the shell: bash, zsh or fish${shell === undefined ? '' : `, not "${shell}"`}`);
  }
}
