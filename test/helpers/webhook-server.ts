import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../src/http/app.js';
import { startWebhookServer, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/observability/logger.js';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import type { ProfileSet } from '../../src/profiles/types.js';
import { ensureDevCertificates, type CertificateFiles } from '../../src/tls/dev-certs.js';
import { FileCertificateSource } from '../../src/tls/file-source.js';
import { createEndpoints, type WebhookEndpoint } from '../../src/webhook/endpoints.js';
import { HttpsClient } from './https-client.js';

export interface TestWebhook {
  readonly running: RunningServer;
  readonly client: HttpsClient;
  readonly certs: CertificateFiles;
  readonly dir: string;
  readonly ca: string;
  readonly tls: FileCertificateSource;
  readonly metrics: WebhookMetrics;
  /** Log lines the server wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * The production server on 127.0.0.1 with a fresh development CA in a temp dir, and an HTTPS
 * client that trusts only that CA.
 */
export async function startTestWebhook(
  options: {
    profiles?: ProfileSet;
    endpoints?: readonly WebhookEndpoint[];
    pollIntervalMs?: number;
    bodyLimitBytes?: number;
    drainTimeoutMs?: number;
    /** Default 0: tests that stop the server do not wait out a production drain delay. */
    drainDelayMs?: number;
  } = {},
): Promise<TestWebhook> {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-test-'));
  const certs = await ensureDevCertificates(dir);
  const ca = readFileSync(certs.caFile, 'utf8');
  const tls = new FileCertificateSource(certs.certFile, certs.keyFile, options.pollIntervalMs ?? 100);
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new WebhookMetrics({ processMetrics: false });
  const running = await startWebhookServer({
    host: '127.0.0.1',
    port: 0,
    tls,
    endpoints: options.endpoints ?? createEndpoints({ profiles: options.profiles ?? createProfileSet(BUILTIN_PROFILES) }),
    logger: createLogger({ level: 'debug', destination }),
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    drainTimeoutMs: options.drainTimeoutMs ?? 5000,
    drainDelayMs: options.drainDelayMs ?? 0,
  });
  const client = new HttpsClient(`https://127.0.0.1:${running.port}`, ca);
  return {
    running,
    client,
    certs,
    dir,
    ca,
    tls,
    metrics,
    logs,
    async stop() {
      client.close();
      await running.drain();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends a review to `path` as the apiserver does (with `?timeout=10s`), expects HTTP 200 and the
 * uid echoed, and returns the decoded AdmissionReview.
 */
export async function sendReview(webhook: TestWebhook, path: string, review: { request: { uid: string } }): Promise<AdmissionReviewResponse> {
  const res = await webhook.client.postJson(`${path}?timeout=10s`, review);
  expect(res.status).toBe(200);
  const body = res.json<AdmissionReviewResponse>();
  expect(body.response.uid).toBe(review.request.uid);
  return body;
}
