import { EXIT_INPUT } from '../errors.js';

/**
 * Exit codes of the offline commands (check, inject, review). CI jobs branch on them, so they
 * are part of the interface: never renumber one.
 */
export const EXIT = Object.freeze({
  /** Nothing denied (and no warnings, or warnings without --fail-on-warn). */
  clean: 0,
  /** Only warnings, and --fail-on-warn was given. */
  warnings: 1,
  /** At least one object would be denied by the enforce webhook. */
  denied: 2,
  /** An input could not be read: missing file, malformed YAML or JSON, unknown git ref, bad config. */
  input: EXIT_INPUT,
  /** The command line itself is wrong. */
  usage: 64,
  /** A bug: an unexpected error (the stack trace is printed). */
  software: 70,
});

const EXIT_LINES: Readonly<Record<keyof typeof EXIT, string>> = {
  clean: '0   clean: nothing denied (warnings do not count without --fail-on-warn)',
  warnings: '1   only warnings, and --fail-on-warn was given',
  denied: '2   denied: the enforce webhook would reject at least one object',
  input: '3   input error: missing file, malformed YAML/JSON, unknown git ref, bad --config',
  usage: '64  usage error: unknown option or missing argument',
  software: '70  a bug in gossip-safe (the stack trace is printed)',
};

/**
 * The "Exit codes:" section of a command's help, listing only the codes that command returns.
 * `clean` replaces the line of code 0; `lines` any other line, for a command whose codes mean
 * something of its own (audit's 2 and 3).
 */
export function exitCodesHelp(
  codes: readonly (keyof typeof EXIT)[],
  clean = EXIT_LINES.clean,
  lines: Partial<Readonly<Record<keyof typeof EXIT, string>>> = {},
): string {
  return `Exit codes:\n${codes.map((c) => `  ${c === 'clean' ? clean : (lines[c] ?? EXIT_LINES[c])}`).join('\n')}\n`;
}

/** Every exit code (check returns them all). */
export const EXIT_CODES_HELP = exitCodesHelp(['clean', 'warnings', 'denied', 'input', 'usage', 'software']);
