import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  readonly destination?: NodeJS.WritableStream;
  /**
   * Write stdout asynchronously (the server): a line is queued and written without blocking the
   * review; lines logged while a write is in flight go out together in the next one. Call
   * `flushLogger` before exiting so that nothing queued is lost on a clean shutdown.
   */
  readonly async?: boolean;
  /** Extra fields on every line (e.g. `worker` under `serve --workers`). */
  readonly base?: Record<string, unknown>;
}

/**
 * JSON lines on stdout (or the given stream), one object per event, the level by name. Level
 * from LOG_LEVEL; tests pass level "silent" or a stream to capture. What each level carries:
 * docs/operations.md, Logs.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info';
  const opts = {
    level,
    base: { service: 'gossip-safe', ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"info", not pino's "level":30: what log pipelines and people filter on.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.destination !== undefined) return pino(opts, options.destination);
  return options.async === true ? pino(opts, pino.destination({ dest: 1, sync: false })) : pino(opts);
}

/** Writes out every queued line (bounded by `timeoutMs`); resolves when done or on timeout. */
export function flushLogger(logger: Logger, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
