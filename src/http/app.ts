import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decisionOf, type AdmissionOutcome } from '../admission/outcome.js';
import { decodeReview, encodeResponse, ReviewDecodeError } from '../admission/review.js';
import type { DecodedReview } from '../admission/types.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookEndpoint } from '../webhook/endpoints.js';

/**
 * The HTTP adapter: the only module that knows express. It routes on the path alone
 * (the apiserver appends `?timeout=10s`), turns bodies into decoded reviews, and hands them to
 * the webhook endpoints. Bad input gets a 4xx and a one-line reason; a handler's unexpected
 * error gets a 500 so the webhook's failurePolicy decides.
 *
 * Reviews as the apiserver sends them (POST to an endpoint's exact path, application/json,
 * Content-Length within the limit, no Content-Encoding) take a fast path on Node's own request
 * and response: express's routing and body-parser cost more than the review itself (see the
 * README's Performance section). Every other request goes through express, unchanged.
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
}

export const DEFAULT_BODY_LIMIT_BYTES = 7 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Answers a request that is not a usable review with a 4xx and a one-line reason, counted and logged. */
function rejectRequest(res: ServerResponse, path: string, status: number, reason: string, options: AppOptions): void {
  options.metrics.badRequests.inc({ status: String(status) });
  options.logger.warn({ status, path, reason: oneLine(reason) }, 'bad request');
  if (options.isDraining()) res.setHeader('Connection', 'close');
  sendText(res, status, `${oneLine(reason)}\n`);
}

/** What body-parser's json() does with a body it has read: `{}` when empty, else JSON.parse. */
function parseJsonBody(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return json.length === 0 ? {} : (JSON.parse(json) as unknown);
}

/**
 * Answers one parsed body: decode the review, run the endpoint's handler, respond, then count and
 * log. Used by both the fast path and the express route. A body that is not a review throws an
 * HttpError(400) before anything is written.
 */
function answerReview(endpoint: WebhookEndpoint, body: unknown, res: ServerResponse, options: AppOptions): void {
  const { logger, metrics } = options;
  const started = process.hrtime.bigint();
  let review: DecodedReview;
  try {
    review = decodeReview(body);
  } catch (err) {
    if (err instanceof ReviewDecodeError) throw new HttpError(400, err.message);
    throw err;
  }
  const { request } = review;
  let outcome: AdmissionOutcome;
  try {
    outcome = endpoint.handle(request);
  } catch (err) {
    metrics.admissions.inc({ webhook: endpoint.name, operation: request.operation, outcome: 'error' });
    logger.error(
      { uid: request.uid, webhook: endpoint.name, kind: request.kind.kind, err: oneLine(String((err as Error)?.stack ?? err)) },
      'admission handler failed',
    );
    sendText(res, 500, 'internal error while reviewing the request; see the webhook log\n');
    return;
  }
  if (options.isDraining()) res.setHeader('Connection', 'close');
  const json = JSON.stringify(encodeResponse(review, outcome));
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const decision = decisionOf(outcome);
  metrics.admissions.inc({ webhook: endpoint.name, operation: request.operation, outcome: decision });
  metrics.latency.observe({ webhook: endpoint.name }, seconds);
  if (outcome.injected !== undefined && outcome.injected.length > 0 && outcome.profile !== undefined) {
    metrics.injections.inc({ profile: outcome.profile });
  }
  for (const rule of outcome.rules ?? []) metrics.ruleDecisions.inc({ webhook: endpoint.name, rule, decision });
  const object = request.object as { metadata?: { name?: string; generateName?: string } } | undefined;
  logger.info(
    {
      uid: request.uid,
      webhook: endpoint.name,
      kind: request.kind.kind,
      operation: request.operation,
      namespace: request.namespace,
      name: request.name || object?.metadata?.name || undefined,
      generateName: object?.metadata?.generateName,
      dryRun: request.dryRun === true ? true : undefined,
      decision,
      profile: outcome.profile,
      injected: outcome.injected !== undefined && outcome.injected.length > 0 ? outcome.injected : undefined,
      rules: outcome.rules !== undefined && outcome.rules.length > 0 ? outcome.rules : undefined,
      warnings: outcome.warnings !== undefined && outcome.warnings.length > 0 ? outcome.warnings.length : undefined,
      durationMs: Math.round(seconds * 1e6) / 1e3,
    },
    'admission',
  );
}

export function createApp(options: AppOptions): express.Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (options.isDraining()) res.setHeader('Connection', 'close');
    next();
  });

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

  const jsonBody = express.json({ limit: options.bodyLimitBytes, type: () => true, strict: false });

  for (const endpoint of options.endpoints) {
    app.post(
      endpoint.path,
      (req: Request, _res: Response, next: NextFunction) => {
        if (!req.is('application/json')) {
          next(new HttpError(415, `content type must be application/json, got ${req.get('content-type') ?? 'none'}`));
          return;
        }
        next();
      },
      jsonBody,
      (req: Request, res: Response) => answerReview(endpoint, req.body, res, options),
    );
  }

  app.use((req: Request, res: Response) => {
    metrics.badRequests.inc({ status: '404' });
    res.status(404).type('text/plain').send(`no route for ${req.method} ${req.path}\n`);
  });

  // Body-parser errors carry an HTTP status (400 bad JSON, 413 too large, 415 bad charset).
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    const message = err instanceof Error ? err.message : String(err);
    if (status >= 400 && status < 500) {
      const reason = (err as { type?: string }).type === 'entity.parse.failed' ? `body is not valid JSON: ${message}` : message;
      rejectRequest(res, req.path, status, reason, options);
      return;
    }
    logger.error({ path: req.path, err: oneLine(String((err as Error)?.stack ?? err)) }, 'request failed');
    res.status(500).type('text/plain').send('internal error; see the webhook log\n');
  });

  return app;
}

/** Content types the fast path takes; any other goes to express (which answers 415 where due). */
const FAST_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

/**
 * The server's request listener: the fast path for well-formed review requests, express for
 * everything else. Behaviour is the same on both paths; the fast path only skips work.
 */
export function createRequestListener(options: AppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createApp(options);
  const byPath = new Map(options.endpoints.map((e) => [e.path, e] as const));
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const endpoint = req.method === 'POST' ? byPath.get(path) : undefined;
    const headers = req.headers;
    const length = headers['content-length'];
    if (
      endpoint === undefined ||
      length === undefined ||
      !/^\d+$/.test(length) ||
      Number(length) > options.bodyLimitBytes ||
      headers['transfer-encoding'] !== undefined ||
      (headers['content-encoding'] !== undefined && headers['content-encoding'].toLowerCase() !== 'identity') ||
      !FAST_CONTENT_TYPE.test(headers['content-type'] ?? '')
    ) {
      app(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (options.isDraining()) res.setHeader('Connection', 'close');
      let body: unknown;
      try {
        body = parseJsonBody((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
      } catch (err) {
        rejectRequest(res, path, 400, `body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, options);
        return;
      }
      try {
        answerReview(endpoint, body, res, options);
      } catch (err) {
        if (err instanceof HttpError && err.status >= 400 && err.status < 500) {
          rejectRequest(res, path, err.status, err.message, options);
          return;
        }
        options.logger.error({ path, err: oneLine(String((err as Error)?.stack ?? err)) }, 'request failed');
        if (!res.headersSent) sendText(res, 500, 'internal error; see the webhook log\n');
      }
    });
  };
}
