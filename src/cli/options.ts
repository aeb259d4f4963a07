import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadProfileSet, ProfileConfigError } from '../profiles/config.js';
import type { ProfileSet } from '../profiles/types.js';
import type { ValidationMode } from '../validate/types.js';
import { InputError } from '../errors.js';
import { UsageError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into one-line usage errors. */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${parseArgsProblem(err)}; see "gossip-safe ${command} --help"`);
  }
}

/**
 * parseArgs' error as a short phrase: its own messages are long and suggest `--` (which these
 * commands never need). Falls back to its message for an error code it may add later.
 */
export function parseArgsProblem(err: unknown): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(err);
  const quoted = /'([^' ]+)/.exec(text)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    return text.includes('argument missing') ? `${quoted} needs a value` : `${quoted} takes no value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted !== undefined) return `unexpected argument "${quoted}"`;
  return text.split('\n')[0] ?? text;
}

/** The option shared by every offline command: the same profiles file the webhook mounts. */
export const CONFIG_OPTION = { config: { type: 'string' } } as const;

export const CONFIG_HELP = `  --config FILE          profiles config (YAML), as mounted by the webhook [GOSSIP_SAFE_CONFIG];
                         default: built-in profiles`;

/** Loads the profiles like `serve` does; a bad file is an input error (exit 3), not a crash. */
export function loadCliProfiles(path: string | undefined, env: NodeJS.ProcessEnv = process.env): ProfileSet {
  try {
    return loadProfileSet(path ?? env['GOSSIP_SAFE_CONFIG']);
  } catch (err) {
    if (err instanceof ProfileConfigError) throw new InputError(err.message);
    throw err;
  }
}

export function parseMode(command: string, value: string | undefined): ValidationMode {
  if (value === undefined || value === 'enforce') return 'enforce';
  if (value === 'warn') return 'warn';
  throw new UsageError(`${command}: --mode must be enforce or warn, got "${value}"`);
}

export function oneOf<T extends string>(command: string, option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${command}: ${option} must be one of ${allowed.join(', ')}, got "${value}"`);
}
