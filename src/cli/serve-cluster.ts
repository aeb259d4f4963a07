import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from '../observability/logger.js';
import { serveClusterMetrics } from '../observability/metrics.js';

/** A worker that dies sooner than this after its start counts as a crash loop. */
const CRASH_LOOP_MS = 10_000;
/** How many such early deaths in a row stop the whole server (so the pod restarts and says why). */
const CRASH_LOOP_LIMIT = 5;

/**
 * The primary of `serve --workers N`: forks N workers that each run the whole server on the one
 * shared port (node:cluster hands new connections to them in turn), answers their /metrics
 * requests with the sum over all of them, and replaces a worker that dies. On SIGTERM or SIGINT
 * it sends SIGTERM to every worker, each of which drains as a single server does (stops accepting,
 * not ready, finishes in-flight reviews, flushes its log), and returns once all have exited;
 * a worker still running `drainTimeoutMs` + 5 s later is killed.
 */
export async function runClusterPrimary(workers: number, drainTimeoutMs: number, logger: Logger): Promise<number> {
  serveClusterMetrics();
  let stopping = false;
  let earlyDeaths = 0;
  const startedAt = new Map<number, number>();
  let failed: ((err: Error) => void) | undefined;
  const crashLoop = new Promise<never>((_, reject) => (failed = reject));
  crashLoop.catch(() => undefined);

  // Workers that reported "listening". One that exits before it could not start (bad key, port
  // in use, ...): the same would happen to every replacement, so the whole server stops, exit 1.
  const listening = new Set<number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    worker.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { gossipSafe?: unknown }).gossipSafe === 'listening') listening.add(worker.id);
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!listening.has(worker.id)) {
      logger.error({ worker: worker.id, code, signal }, 'a worker could not start (its reason is on stderr); stopping');
      failed?.(new Error('worker could not start'));
      return;
    }
    listening.delete(worker.id);
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    earlyDeaths = lived < CRASH_LOOP_MS ? earlyDeaths + 1 : 0;
    if (earlyDeaths >= CRASH_LOOP_LIMIT) {
      logger.error({ worker: worker.id, code, signal }, `workers keep dying within ${CRASH_LOOP_MS / 1000} s of starting; stopping`);
      failed?.(new Error('crash loop'));
      return;
    }
    logger.error({ worker: worker.id, code, signal }, 'worker died; starting a replacement');
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, 'started workers');

  let result: number;
  try {
    const signal = await Promise.race([
      new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      }),
      crashLoop,
    ]);
    logger.info({ signal }, 'stopping: every worker drains');
    result = 0;
  } catch {
    result = 1;
  }
  stopping = true;
  const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const exits = live.map((w) => once(w, 'exit'));
  for (const w of live) w.process.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const w of live) if (!w.isDead()) w.process.kill('SIGKILL');
  }, drainTimeoutMs + 5_000);
  await Promise.all(exits);
  clearTimeout(killer);
  logger.info('all workers exited');
  return result;
}
