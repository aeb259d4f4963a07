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
