import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_BODY_TIMEOUT_MS } from '../http/app.js';
import { DEFAULT_DRAIN_DELAY_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HOST, DEFAULT_MAX_CONNECTIONS, startWebhookServer } from '../http/server.js';
import { createLogger, flushLogger } from '../observability/logger.js';
import { WebhookMetrics } from '../observability/metrics.js';
import { loadProfileSet } from '../profiles/config.js';
import { ensureDevCertificates } from '../tls/dev-certs.js';
import { FileCertificateSource } from '../tls/file-source.js';
import { startCertificateRenewal } from '../tls/renewal.js';
import { runClusterPrimary } from './serve-cluster.js';
import { defaultCertsTarget, defaultNamespace, describeCertsResult, runCertsOnce } from './certs.js';
import { createEndpoints } from '../webhook/endpoints.js';
import { UsageError } from '../errors.js';
import { parseArgsProblem } from './options.js';

export const SERVE_HELP = `Usage: gossip-safe serve [options]

Runs the admission webhook over HTTPS: POST /mutate, GET /healthz, /readyz, /metrics.

Options (environment variable in brackets):
  --host HOST            address to listen on [HOST] (default ::, every IPv6 and IPv4
                         address; 0.0.0.0 where the host has no IPv6)
  --port PORT            HTTPS port [PORT] (default 8443)
  --tls-cert-file FILE   serving certificate, PEM [TLS_CERT_FILE] (default certs/tls.crt)
  --tls-key-file FILE    its private key, PEM [TLS_KEY_FILE] (default certs/tls.key)
  --dev-certs [DIR]      generate a development CA and certificate in DIR (default certs/)
                         on first start, and serve them; for local use only
  --config FILE          profiles config (YAML) [GOSSIP_SAFE_CONFIG]; default: built-in profiles
  --body-limit BYTES     largest accepted review (default ${DEFAULT_BODY_LIMIT_BYTES})
  --body-timeout MS      longest pause while a review's body arrives; then 408 and the
                         connection is closed (default ${DEFAULT_BODY_TIMEOUT_MS})
  --max-connections N    most connections at once; more are closed at once
                         (default ${DEFAULT_MAX_CONNECTIONS})
  --drain-delay MS       after SIGTERM, how long the server keeps answering (not ready, each
                         answer closing its connection) before it stops listening
                         (default ${DEFAULT_DRAIN_DELAY_MS})
  --drain-timeout MS     then, how long it waits for in-flight reviews (default ${DEFAULT_DRAIN_TIMEOUT_MS})
  --log-level LEVEL      trace, debug, info, warn, error or silent [LOG_LEVEL] (default info)
  --renew-certs          in a cluster: run "gossip-safe certs" at start and every
                         --renew-interval seconds, writing the files named by --tls-cert-file,
                         --tls-key-file and ca.crt beside them (namespace from POD_NAMESPACE)
  --renew-interval SECS  how often --renew-certs checks (default 3600)
  --workers N            server processes sharing the port, one per core [GOSSIP_SAFE_WORKERS]
                         (default 1); /metrics then shows the sum over all of them

Certificate files are re-read when they change; no restart is needed after a rotation.

Exit codes:
  0   stopped by SIGTERM or SIGINT after draining
  1   the environment is wrong: certificate files missing or without a PEM block, the port in
      use, the host unresolvable, the certificate directory unwritable, a bad profiles config,
      a worker that could not start (the reason is one line on stderr)
  64  usage error: unknown option, bad value (e.g. --log-level)
  70  a bug in gossip-safe (the stack trace is printed)

Examples:
  gossip-safe serve --dev-certs
  gossip-safe serve --tls-cert-file /tls/tls.crt --tls-key-file /tls/tls.key --config /etc/gossip-safe/profiles.yaml
`;

/** One typed, frozen view of the serve options, parsed once. */
export interface ServeConfig {
  readonly host: string;
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly devCertsDir?: string;
  readonly profilesConfig?: string;
  readonly bodyLimitBytes: number;
  readonly bodyTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly drainDelayMs: number;
  readonly maxConnections: number;
  readonly logLevel: string;
  /** Seconds between certificate checks; absent: no renewal in the server. */
  readonly renewIntervalSeconds?: number;
  readonly namespace: string;
  /** Server processes sharing the port (node:cluster); 1: this process serves. */
  readonly workers: number;
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function logLevel(value: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new UsageError(`serve: --log-level must be one of ${LOG_LEVELS.join(', ')}; got "${value}"`);
  return value;
}

/** Errors of listening that the environment causes (the port, the address, the name). */
const LISTEN_ERRORS: ReadonlySet<string> = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

export function parseServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'tls-cert-file': { type: 'string' },
        'tls-key-file': { type: 'string' },
        'dev-certs': { type: 'boolean' },
        config: { type: 'string' },
        'body-limit': { type: 'string' },
        'body-timeout': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'drain-delay': { type: 'string' },
        'max-connections': { type: 'string' },
        'log-level': { type: 'string' },
        'renew-certs': { type: 'boolean' },
        'renew-interval': { type: 'string' },
        workers: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`serve: ${parseArgsProblem(err)}; see "gossip-safe serve --help"`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals.length === 1 && values['dev-certs'] !== true)) {
    throw new UsageError(`serve: unexpected argument "${positionals[values['dev-certs'] ? 1 : 0]}"`);
  }
  const devCertsDir = values['dev-certs'] === true ? resolve(positionals[0] ?? 'certs') : undefined;
  const certFile = values['tls-cert-file'] ?? env['TLS_CERT_FILE'];
  const keyFile = values['tls-key-file'] ?? env['TLS_KEY_FILE'];
  if (devCertsDir !== undefined && (certFile !== undefined || keyFile !== undefined)) {
    throw new UsageError('serve: --dev-certs generates its own certificate; do not combine it with --tls-cert-file/--tls-key-file');
  }
  const profilesConfig = values.config ?? env['GOSSIP_SAFE_CONFIG'];
  if (values['renew-certs'] === true && devCertsDir !== undefined) throw new UsageError('serve: --renew-certs manages cluster certificates; do not combine it with --dev-certs');
  if (values['renew-interval'] !== undefined && values['renew-certs'] !== true) throw new UsageError('serve: --renew-interval needs --renew-certs');
  const renewIntervalSeconds = values['renew-certs'] === true ? wholeNumber('--renew-interval', values['renew-interval'] ?? '3600', 10, 86_400) : undefined;
  return Object.freeze({
    host: values.host ?? env['HOST'] ?? DEFAULT_HOST,
    port: wholeNumber('--port', values.port ?? env['PORT'] ?? '8443', 0, 65535),
    certFile: resolve(certFile ?? devCertsDir ?? 'certs', certFile === undefined ? 'tls.crt' : ''),
    keyFile: resolve(keyFile ?? devCertsDir ?? 'certs', keyFile === undefined ? 'tls.key' : ''),
    ...(devCertsDir === undefined ? {} : { devCertsDir }),
    ...(profilesConfig === undefined || profilesConfig === '' ? {} : { profilesConfig }),
    bodyLimitBytes: wholeNumber('--body-limit', values['body-limit'] ?? String(DEFAULT_BODY_LIMIT_BYTES), 1024, 64 * 1024 * 1024),
    bodyTimeoutMs: wholeNumber('--body-timeout', values['body-timeout'] ?? String(DEFAULT_BODY_TIMEOUT_MS), 100, 600_000),
    drainTimeoutMs: wholeNumber('--drain-timeout', values['drain-timeout'] ?? String(DEFAULT_DRAIN_TIMEOUT_MS), 0, 600_000),
    drainDelayMs: wholeNumber('--drain-delay', values['drain-delay'] ?? env['GOSSIP_SAFE_DRAIN_DELAY_MS'] ?? String(DEFAULT_DRAIN_DELAY_MS), 0, 600_000),
    maxConnections: wholeNumber('--max-connections', values['max-connections'] ?? String(DEFAULT_MAX_CONNECTIONS), 1, 65_536),
    logLevel: logLevel(values['log-level'] ?? env['LOG_LEVEL'] ?? 'info'),
    ...(renewIntervalSeconds === undefined ? {} : { renewIntervalSeconds }),
    namespace: defaultNamespace(env),
    workers: wholeNumber('--workers', values.workers ?? env['GOSSIP_SAFE_WORKERS'] ?? '1', 1, 64),
  });
}

/** `gossip-safe serve`: runs until SIGTERM or SIGINT, then drains and exits 0. */
export async function runServe(argv: readonly string[]): Promise<number> {
  const config = parseServeConfig(argv);
  // With --workers N, this process is either the primary (forks, forwards signals, adds up
  // metrics) or one of the workers, which runs the server below on the shared port.
  const worker = config.workers > 1 && cluster.isWorker ? cluster.worker : undefined;
  const primary = config.workers > 1 && cluster.isPrimary;
  // Asynchronous writes: a review never waits for stdout. Flushed before exiting (below).
  const logger = createLogger({ level: config.logLevel, async: true, ...(worker === undefined ? {} : { base: { worker: worker.id } }) });
  try {
    return await serve(config, logger, worker !== undefined, primary);
  } finally {
    await flushLogger(logger);
    // A worker's IPC channel to the primary keeps it alive: a worker that failed must still exit.
    if (worker !== undefined && process.connected) process.disconnect();
  }
}

async function serve(config: ServeConfig, logger: ReturnType<typeof createLogger>, isWorker: boolean, isPrimary: boolean): Promise<number> {
  // Everything that can be wrong with the configuration fails here, before listening (in the
  // primary before any worker starts; each worker loads the same files again).
  const profiles = loadProfileSet(config.profilesConfig);
  if (config.devCertsDir !== undefined && !isWorker) {
    let dev: Awaited<ReturnType<typeof ensureDevCertificates>>;
    try {
      dev = await ensureDevCertificates(config.devCertsDir);
    } catch (err) {
      throw new UsageError(`cannot write the development certificates in ${config.devCertsDir}: ${(err as Error).message}`, 1);
    }
    logger.info({ caFile: dev.caFile, generated: dev.generated }, dev.generated ? 'development certificates generated' : 'using existing development certificates');
  }
  let renewal: (() => Promise<string>) | undefined;
  // Renewal writes the files; only the primary (or the single process) runs it. Every worker
  // polls the files and reloads them itself, as a single server does.
  if (config.renewIntervalSeconds !== undefined && !isWorker) {
    const target = defaultCertsTarget(config.namespace, { certFile: config.certFile, keyFile: config.keyFile, caFile: join(dirname(config.certFile), 'ca.crt') });
    renewal = async () => describeCertsResult(target, await runCertsOnce(target, undefined));
    try {
      logger.info({ summary: await renewal() }, 'certificate check done');
    } catch (err) {
      // Files from the init container are still good to serve; without them there is nothing to serve.
      if (!existsSync(config.certFile) || !existsSync(config.keyFile)) throw err;
      logger.warn({ reason: (err as Error).message }, 'certificate check failed at start; serving the existing files');
    }
  }
  if (isPrimary) {
    // The same check every worker makes, once, so that a bad pair is one line from the primary.
    try {
      FileCertificateSource.read(config.certFile, config.keyFile);
    } catch (err) {
      throw new UsageError(`cannot load the serving certificate (${config.certFile}, ${config.keyFile}): ${(err as Error).message}`, 1);
    }
    const renewalTimer = renewal === undefined ? undefined : startCertificateRenewal(renewal, (config.renewIntervalSeconds ?? 3600) * 1000, logger);
    try {
      return await runClusterPrimary(config.workers, config.drainDelayMs + config.drainTimeoutMs, logger);
    } finally {
      renewalTimer?.stop();
    }
  }
  let tls: FileCertificateSource;
  try {
    tls = new FileCertificateSource(config.certFile, config.keyFile);
  } catch (err) {
    throw new UsageError(`cannot load the serving certificate (${config.certFile}, ${config.keyFile}): ${(err as Error).message}`, 1);
  }
  let running: Awaited<ReturnType<typeof startWebhookServer>>;
  try {
    running = await startWebhookServer({
      host: config.host,
      port: config.port,
      tls,
      endpoints: createEndpoints({ profiles }),
      logger,
      metrics: new WebhookMetrics({ clusterWorker: isWorker }),
      bodyLimitBytes: config.bodyLimitBytes,
      bodyTimeoutMs: config.bodyTimeoutMs,
      drainTimeoutMs: config.drainTimeoutMs,
      drainDelayMs: config.drainDelayMs,
      maxConnections: config.maxConnections,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && LISTEN_ERRORS.has(code)) throw new UsageError(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, 1);
    throw err;
  }
  // Tells the primary (serve --workers) that this worker started; one that exits before this stops the server.
  if (isWorker) process.send?.({ gossipSafe: 'listening' });
  logger.info({ url: running.url, profiles: profiles.list.map((p) => p.name) }, 'ready');
  const renewalTimer = renewal === undefined ? undefined : startCertificateRenewal(renewal, (config.renewIntervalSeconds ?? 3600) * 1000, logger);

  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
  renewalTimer?.stop();
  logger.info({ signal, drainDelayMs: config.drainDelayMs }, 'draining: not ready; answering for the drain delay, each answer closing its connection');
  await running.drain();
  logger.info('drained; exiting');
  return 0;
}
