/** A mistake in how a command was called or in its input: one line, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The process exit code (see each command's help). */
    readonly exitCode = 64,
  ) {
    super(message);
  }
}

/** The exit code of an InputError (cli/exit-codes.ts lists every code). */
export const EXIT_INPUT = 3;

/** An input that cannot be read or parsed. One line naming the file; exit code 3. */
export class InputError extends UsageError {
  constructor(message: string) {
    super(message, EXIT_INPUT);
  }
}
