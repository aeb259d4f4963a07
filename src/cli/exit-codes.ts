import { UsageError } from './usage-error.js';

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
  input: 3,
  /** The command line itself is wrong. */
  usage: 64,
  /** A bug: an unexpected error (the stack trace is printed). */
  software: 70,
});

/** An input that cannot be read or parsed. One line naming the file; exit code 3. */
export class InputError extends UsageError {
  constructor(message: string) {
    super(message, EXIT.input);
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0   clean: nothing denied (warnings do not count without --fail-on-warn)
  1   only warnings, and --fail-on-warn was given
  2   denied: the enforce webhook would reject at least one object
  3   input error: missing file, malformed YAML/JSON, unknown git ref, bad --config
  64  usage error: unknown option or missing argument
  70  a bug in gossip-safe (the stack trace is printed)
`;
