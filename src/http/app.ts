import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookEndpoint } from '../webhook/endpoints.js';
import { createReviewPipeline, type HttpAnswer, type Preflight, type ReviewPipeline } from './review-pipeline.js';

/**
 * The HTTP adapter. Requests to a webhook path go through the review pipeline
 * (review-pipeline.ts) on Node's own request and response; everything else (health, readiness,
 * metrics, unknown paths) goes to express, the only module that knows it.
 */
export interface AppOptions {
  readonly endpoints: readonly WebhookEndpoint[];
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  /** Largest accepted body. The apiserver's objects stay under 3 MiB; a review holds two. */
  readonly bodyLimitBytes: number;
  /** Whether the server should receive new work (false while starting or draining). */
  readonly isReady: () => boolean;
  /** Whether the server is draining: responses then close their connection. */
  readonly isDraining: () => boolean;
  /**
   * Longest pause while a review's body is being received; then the client gets a 408 and the
   * connection is closed. The apiserver writes a body at once, so only a stuck or hostile
   * client ever waits this long.
   */
  readonly bodyTimeoutMs?: number;
}

export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export const DEFAULT_BODY_LIMIT_BYTES = 7 * 1024 * 1024;

/** The non-review endpoints. */
export function createApp(options: AppOptions): express.Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const ready = options.isReady();
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const body = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  });

  app.use((req: Request, res: Response) => {
    metrics.badRequests.inc({ status: '404' });
    res.status(404).type('text/plain').send(`no route for ${req.method} ${req.path}\n`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ path: req.path, err: String((err as Error)?.stack ?? err).replace(/\s+/g, ' ').slice(0, 300) }, 'request failed');
    res.status(500).type('text/plain').send('internal error; see the webhook log\n');
  });

  return app;
}

function send(res: ServerResponse, answer: HttpAnswer, draining: boolean): void {
  if (res.headersSent) return;
  // Checked when answering, not when the request came: a review that began before SIGTERM
  // still closes its connection once answered.
  if (draining) res.setHeader('connection', 'close');
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
}

/** Reads the body (bounded by the limit, whatever Content-Length said, and by an inactivity timeout) and answers through the pipeline. */
function review(pipeline: ReviewPipeline, pre: Preflight, req: IncomingMessage, res: ServerResponse, limit: number, bodyTimeoutMs: number, isDraining: () => boolean): void {
  if (pre.kind === 'answer') {
    // Answered from the headers alone; what the client still sends is read and dropped, so the
    // connection stays usable, except after a 413, where it is closed.
    if (pre.answer.status === 413) res.setHeader('connection', 'close');
    send(res, pre.answer, isDraining());
    req.resume();
    return;
  }
  if (pre.kind !== 'read') return;
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  // Inactivity bound: re-armed by every chunk, cleared when the body is complete.
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      over = true;
      chunks.length = 0;
      res.setHeader('connection', 'close');
      send(res, pipeline.bodyTimeout(pre.path, bodyTimeoutMs), isDraining());
      res.on('finish', () => req.socket.destroy());
    }, bodyTimeoutMs);
  };
  arm();
  req.on('close', () => clearTimeout(idle));
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    arm();
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      res.setHeader('connection', 'close');
      send(res, pipeline.tooLarge(pre.path), isDraining());
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    clearTimeout(idle);
    if (over) return;
    send(res, pipeline.complete(pre.endpoint, pre.path, pre.encoding, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)), isDraining());
  });
}

/** The server's request listener: webhook paths through the review pipeline, the rest through express. */
export function createRequestListener(options: AppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createApp(options);
  const pipeline = createReviewPipeline(options);
  return (req, res) => {
    // The one place for draining: every response, review or not, then closes its connection.
    if (options.isDraining()) res.setHeader('connection', 'close');
    const pre = pipeline.preflight(req.method, req.url, req.headers);
    if (pre.kind === 'not-a-review') {
      app(req, res);
      return;
    }
    review(pipeline, pre, req, res, options.bodyLimitBytes, options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS, options.isDraining);
  };
}
