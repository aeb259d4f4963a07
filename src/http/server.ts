import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { FileCertificateSource, KeyPair } from '../tls/file-source.js';
import type { WebhookEndpoint } from '../webhook/endpoints.js';
import { createRequestListener } from './app.js';

/**
 * Connection timeouts (docs/operations.md). The apiserver reuses idle webhook connections for up to
 * 90 s (Go's http.Transport IdleConnTimeout). If Node closes an idle socket first, a request the
 * apiserver writes into it at that moment fails with "EOF" and the failurePolicy decides. So the
 * server keeps idle sockets longer than the client does, and headersTimeout is above it.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 95_000;
export const HEADERS_TIMEOUT_MS = 96_000;
/** No review takes this long; a stuck client cannot hold a socket forever. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long SIGTERM waits for in-flight reviews before closing what is left. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;
/**
 * How long the server keeps accepting and answering after SIGTERM, not ready, before it stops
 * listening. Kubernetes removes a terminating pod's endpoint asynchronously; until the removal
 * reaches the apiserver it keeps sending reviews here, on new and on pooled connections. Every
 * answer in this time carries "Connection: close", so connections end between requests, never
 * under one (docs/operations.md).
 */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
/**
 * The default address: `::` accepts IPv6 and (dual stack) IPv4 connections, so the webhook
 * answers on `::1` as well as `127.0.0.1` (the development certificate names both). A host
 * without IPv6 cannot bind it; the server then falls back to `0.0.0.0`.
 */
export const DEFAULT_HOST = '::';

/**
 * Cipher suites: TLS 1.3's (all AEAD), and for TLS 1.2 only ECDHE (forward secrecy) with AES-GCM
 * or ChaCha20-Poly1305; no CBC, SHA-1, CCM or static RSA key exchange.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * Most connections at once. The apiserver keeps a pool per webhook; a client that opens more
 * gets its new connections closed at once instead of exhausting the process (docs/operations.md).
 */
export const DEFAULT_MAX_CONNECTIONS = 512;

export interface WebhookServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: FileCertificateSource;
  readonly endpoints: readonly WebhookEndpoint[];
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  readonly bodyLimitBytes: number;
  readonly bodyTimeoutMs?: number;
  readonly drainTimeoutMs?: number;
  readonly drainDelayMs?: number;
  readonly maxConnections?: number;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /**
   * Turns not ready and keeps serving for the drain delay (each answer closing its connection),
   * then stops accepting, lets in-flight reviews finish and closes what is idle. Resolves when closed.
   */
  drain(): Promise<void>;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningServer> {
  const { logger, tls } = options;
  let ready = false;
  let draining = false;
  const app = createRequestListener({
    endpoints: options.endpoints,
    logger,
    metrics: options.metrics,
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
    isReady: () => ready && !draining,
    isDraining: () => draining,
  });

  const tlsOptions = { minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true } as const;
  const server = createServer({ ...tls.pair, ...tlsOptions }, app);
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  options.metrics.setServingCertificate(tls.pair.cert);
  const onChange = (pair: KeyPair): void => {
    server.setSecureContext({ ...pair, ...tlsOptions });
    options.metrics.setServingCertificate(pair.cert);
    logger.info({ certFile: tls.certFile }, 'serving certificate reloaded');
  };
  const onError = (err: unknown): void => {
    options.metrics.certificateReloadErrors.inc();
    logger.warn({ certFile: tls.certFile, reason: String(err) }, 'certificate reload skipped; keeping the previous one');
  };
  tls.on('change', onChange);
  tls.on('error', onError);
  tls.watch();

  server.on('tlsClientError', (err) => logger.debug({ reason: err.message }, 'TLS handshake failed'));

  let host = options.host;
  try {
    server.listen(options.port, host);
    await once(server, 'listening');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (host !== DEFAULT_HOST || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    logger.warn({ host, reason: String(err) }, 'no IPv6 on this host; listening on 0.0.0.0');
    host = '0.0.0.0';
    server.listen(options.port, host);
    await once(server, 'listening');
  }
  const port = (server.address() as AddressInfo).port;
  ready = true;
  logger.info({ host, port }, 'gossip-safe webhook listening');
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let drained: Promise<void> | undefined;
  const drain = (): Promise<void> => {
    drained ??= (async () => {
      draining = true;
      tls.stop();
      tls.off('change', onChange);
      tls.off('error', onError);
      // Still listening: the apiserver may not know yet that this pod is going. Connections
      // are not touched here; each closes after its next answer ("Connection: close").
      const delay = options.drainDelayMs ?? DEFAULT_DRAIN_DELAY_MS;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const closed = once(server, 'close');
      // close() also ends idle keep-alive sockets (Node 19+); in-flight requests finish.
      server.close();
      server.closeIdleConnections();
      // Keep-alive sockets whose review was in flight become idle once answered: close them too.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const timeout = setTimeout(() => {
        logger.warn('drain timeout reached; closing remaining connections');
        server.closeAllConnections();
      }, options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
      timeout.unref();
      await closed;
      clearTimeout(timeout);
      clearInterval(sweeper);
    })();
    return drained;
  };

  return { server, port, url: `https://${urlHost}:${port}`, drain };
}
