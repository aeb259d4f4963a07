import type { Logger } from '../observability/logger.js';

export interface RenewalTimer {
  stop(): void;
}

/**
 * Re-runs `gossip-safe certs` every `intervalMs` inside the server, so renewals reach the
 * Secret, caBundle and the served files without a restart (the server reloads changed files).
 * A failed run is logged and retried at the next tick; the current certificate stays in use.
 * Runs never overlap.
 */
export function startCertificateRenewal(run: () => Promise<string>, intervalMs: number, logger: Logger): RenewalTimer {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      logger.info({ summary: await run() }, 'certificate check done');
    } catch (err) {
      logger.warn({ reason: (err as Error).message }, 'certificate check failed; keeping the current certificate, retrying at the next interval');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
