import type { IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { decisionOf, type AdmissionOutcome } from '../admission/outcome.js';
import { decodeReview, encodeResponse, ReviewDecodeError } from '../admission/review.js';
import type { DecodedReview } from '../admission/types.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookEndpoint } from '../webhook/endpoints.js';

/**
 * The one review pipeline: every request to a webhook path goes through it, from the method and
 * headers to the encoded AdmissionReview. It knows nothing of sockets (the request listener in
 * app.ts reads the body and writes the answer), so tests drive it in-process.
 *
 * It replaced express for reviews: express's routing and body-parser cost more than the review
 * itself (README, Performance). Bad input gets a 4xx and a one-line reason, counted and logged;
 * a handler's unexpected error gets a 500 so the webhook's failurePolicy decides.
 */
export interface ReviewPipelineOptions {
  readonly endpoints: readonly WebhookEndpoint[];
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  /** Largest accepted body, before and after decompression. */
  readonly bodyLimitBytes: number;
}

/** What to send back. The body is a complete text or JSON document. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Encoding = 'identity' | 'gzip' | 'deflate' | 'br';

/** What to do with a request, from its method, path and headers alone (before the body is read). */
export type Preflight =
  | { readonly kind: 'not-a-review' }
  | { readonly kind: 'answer'; readonly answer: HttpAnswer }
  | { readonly kind: 'read'; readonly endpoint: WebhookEndpoint; readonly path: string; readonly encoding: Encoding };

export interface ReviewPipeline {
  preflight(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): Preflight;
  /** The body was longer than the limit while reading it (no or a wrong Content-Length). */
  tooLarge(path: string): HttpAnswer;
  /** The client stopped sending the body for `ms` milliseconds. */
  bodyTimeout(path: string, ms: number): HttpAnswer;
  /** Decodes the body, runs the endpoint's handler, encodes the response; counts and logs. Never throws. */
  complete(endpoint: WebhookEndpoint, path: string, encoding: Encoding, body: Buffer): HttpAnswer;
  /** preflight and complete in one call, for in-process callers (tests, benchmarks). */
  answer(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): HttpAnswer | undefined;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
/** `application/json`, with optional parameters (type-is semantics: type and subtype, any case). */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const ENCODINGS: Readonly<Record<string, Encoding>> = { identity: 'identity', gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };

/**
 * Deepest JSON nesting accepted in a review. A pod or workload nests about 15 levels (managed
 * fields a few more); a deeper body is refused at the edge with a 400, so no recursive step in
 * the core ever meets it (docs/operations.md).
 */
export const MAX_JSON_DEPTH = 128;
/** Longest value of a logged field (names, namespaces, kinds); longer ones are cut. */
export const MAX_LOGGED_FIELD = 256;
/** A denial's or warning's message is logged whole up to here: it carries the fix, but it holds user input too. */
const MAX_LOGGED_MESSAGE = 4096;

/**
 * The nesting depth of JSON text, counted over the text (no recursion), stopping as soon as it
 * passes `limit`; brackets inside strings do not count.
 */
export function jsonDepthExceeds(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * A logged field, cut to MAX_LOGGED_FIELD characters (the cut is marked). Anything but a string
 * (a type-confused review: the decoder checks only what the handlers need) is left out.
 */
export function clipField(value: unknown, max = MAX_LOGGED_FIELD): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length <= max) return value;
  return `${value.slice(0, max)}...(${value.length} chars)`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function text(status: number, body: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'content-type': TEXT, ...headers }, body: `${body}\n` };
}

/** `/mutate`, `/mutate/` and `/MUTATE?timeout=10s` name one endpoint, as express's routing did. */
function routeKey(url: string): string {
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path.toLowerCase();
}

export function createReviewPipeline(options: ReviewPipelineOptions): ReviewPipeline {
  const { logger, metrics, bodyLimitBytes } = options;
  const byPath = new Map(options.endpoints.map((e) => [routeKey(e.path), e] as const));

  const reject = (path: string, status: number, reason: string, headers: Record<string, string> = {}): HttpAnswer => {
    metrics.badRequests.inc({ status: String(status) });
    logger.warn({ status, path, reason: oneLine(reason) }, 'bad request');
    return text(status, oneLine(reason), headers);
  };

  const preflight: ReviewPipeline['preflight'] = (method, url, headers) => {
    const path = (url ?? '').split('?', 1)[0] ?? '';
    const endpoint = byPath.get(routeKey(url ?? ''));
    if (endpoint === undefined) return { kind: 'not-a-review' };
    if (method !== 'POST') {
      return { kind: 'answer', answer: reject(path, 405, `${method ?? '(none)'} is not allowed on ${endpoint.path}; the apiserver POSTs AdmissionReviews`, { allow: 'POST' }) };
    }
    const contentType = headers['content-type'];
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
      return { kind: 'answer', answer: reject(path, 415, `content type must be application/json, got ${contentType ?? 'none'}`) };
    }
    const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return { kind: 'answer', answer: reject(path, 415, `unsupported charset "${charset.toUpperCase()}"; send utf-8`) };
    }
    const length = headers['content-length'];
    if (length !== undefined && Number(length) > bodyLimitBytes) {
      return { kind: 'answer', answer: reject(path, 413, `request entity too large: ${length} bytes, limit ${bodyLimitBytes}`) };
    }
    const codingHeader = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const encoding = ENCODINGS[codingHeader === '' ? 'identity' : codingHeader];
    if (encoding === undefined) {
      return { kind: 'answer', answer: reject(path, 415, `unsupported content encoding "${codingHeader}"`) };
    }
    return { kind: 'read', endpoint, path, encoding };
  };

  const inflate = (encoding: Encoding, body: Buffer): Buffer => {
    const opts = { maxOutputLength: bodyLimitBytes };
    switch (encoding) {
      case 'identity':
        return body;
      case 'gzip':
        return gunzipSync(body, opts);
      case 'deflate':
        return inflateSync(body, opts);
      case 'br':
        return brotliDecompressSync(body, opts);
    }
  };

  const complete: ReviewPipeline['complete'] = (endpoint, path, encoding, raw) => {
    const started = process.hrtime.bigint();
    let body: unknown;
    try {
      let data: Buffer;
      try {
        data = inflate(encoding, raw);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') return reject(path, 413, `request entity too large: over ${bodyLimitBytes} bytes once decompressed`);
        return reject(path, 400, `body is not valid ${encoding}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const json = data.toString('utf8');
      const stripped = json.charCodeAt(0) === 0xfeff ? json.slice(1) : json;
      if (stripped.trim() === '') return reject(path, 400, 'body is empty; expected an AdmissionReview');
      if (jsonDepthExceeds(stripped, MAX_JSON_DEPTH)) return reject(path, 400, `body is nested deeper than ${MAX_JSON_DEPTH} levels; no Kubernetes object is`);
      body = JSON.parse(stripped) as unknown;
    } catch (err) {
      return reject(path, 400, `body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    let review: DecodedReview;
    try {
      review = decodeReview(body);
    } catch (err) {
      if (err instanceof ReviewDecodeError) return reject(path, 400, err.message);
      logger.error({ path, err: oneLine(String((err as Error)?.stack ?? err)) }, 'request failed');
      return text(500, 'internal error; see the webhook log');
    }
    const { request } = review;
    let outcome: AdmissionOutcome;
    let json: string;
    try {
      outcome = endpoint.handle(request);
      json = JSON.stringify(encodeResponse(review, outcome));
    } catch (err) {
      metrics.admissions.inc({ webhook: endpoint.name, operation: request.operation, outcome: 'error' });
      logger.error(
        { uid: clipField(request.uid), webhook: endpoint.name, kind: clipField(request.kind.kind), err: oneLine(String((err as Error)?.stack ?? err)) },
        'admission handler failed',
      );
      return text(500, 'internal error while reviewing the request; see the webhook log');
    }
    record(endpoint, request, outcome, started);
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: json };
  };

  const record = (endpoint: WebhookEndpoint, request: DecodedReview['request'], outcome: AdmissionOutcome, started: bigint): void => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const decision = decisionOf(outcome);
    metrics.admissions.inc({ webhook: endpoint.name, operation: request.operation, outcome: decision });
    metrics.latency.observe({ webhook: endpoint.name }, seconds);
    if (outcome.injected !== undefined && outcome.injected.length > 0 && outcome.profile !== undefined) {
      metrics.injections.inc({ profile: outcome.profile });
    }
    for (const rule of outcome.rules ?? []) metrics.ruleDecisions.inc({ webhook: endpoint.name, rule, decision });
    const object = request.object as { metadata?: { name?: unknown; generateName?: unknown } } | undefined;
    const meta = typeof object === 'object' && object !== null && typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {};
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    // The object, on every line about it: kind, namespace/name.
    const about = {
      uid: clipField(request.uid),
      webhook: endpoint.name,
      kind: clipField(request.kind.kind),
      operation: request.operation,
      namespace: clipField(request.namespace),
      name: clipField(str(request.name) ?? str(meta.name)),
      generateName: clipField(str(meta.generateName)),
      dryRun: request.dryRun === true ? true : undefined,
    };
    const rules = outcome.rules !== undefined && outcome.rules.length > 0 ? outcome.rules : undefined;
    const warnings = outcome.warnings ?? [];
    // Levels (docs/operations.md, Logs): a denial at warn, with its message; each warning at
    // warn on a line of its own; an injection or a warned review at info; a review that passes
    // through unchanged at debug.
    const line = {
      ...about,
      decision,
      profile: outcome.profile,
      injected: outcome.injected !== undefined && outcome.injected.length > 0 ? outcome.injected : undefined,
      rules,
      warnings: warnings.length > 0 ? warnings.length : undefined,
      durationMs: Math.round(seconds * 1e6) / 1e3,
    };
    if (decision === 'denied') {
      logger.warn({ ...line, message: clipField(outcome.status?.message, MAX_LOGGED_MESSAGE) }, 'admission denied');
    } else if (decision === 'allowed') {
      logger.debug(line, 'admission');
    } else {
      logger.info(line, 'admission');
    }
    for (const warning of warnings) logger.warn({ ...about, rules, warning: clipField(warning, MAX_LOGGED_MESSAGE) }, 'admission warning');
  };

  return {
    preflight,
    complete,
    tooLarge: (path) => reject(path, 413, `request entity too large: over ${bodyLimitBytes} bytes`),
    bodyTimeout: (path, ms) => reject(path, 408, `request body stalled: nothing received for ${ms} ms`),
    answer(method, url, headers, body) {
      const pre = preflight(method, url, headers);
      if (pre.kind === 'not-a-review') return undefined;
      if (pre.kind === 'answer') return pre.answer;
      if (body.length > bodyLimitBytes) return this.tooLarge(pre.path);
      return complete(pre.endpoint, pre.path, pre.encoding, body);
    },
  };
}
