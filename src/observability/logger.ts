import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout (or the given stream), one object per event. Level from LOG_LEVEL;
 * tests pass level "silent" or a stream to capture.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info';
  const opts = { level, base: { service: 'gossip-safe' }, timestamp: pino.stdTimeFunctions.isoTime };
  return options.destination === undefined ? pino(opts) : pino(opts, options.destination);
}
