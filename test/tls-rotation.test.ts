import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateServingCert } from '../src/tls/dev-certs.js';
import { loadReviewText } from './helpers/fixtures.js';
import { HttpsClient } from './helpers/https-client.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook({ pollIntervalMs: 50 });
});
afterAll(async () => {
  await webhook.stop();
});

const body = loadReviewText('pod-create-generatename-serf.json');

/** One review on a fresh TLS connection, verified against the CA; resolves with the served cert. */
function reviewOnNewConnection(port: number, ca: string): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/mutate?timeout=10s', method: 'POST', ca, agent: false, servername: 'localhost', headers: { 'content-type': 'application/json' } },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}


test('replacing the certificate files during 2,000 requests: the new certificate is served and no request fails', async () => {
  const { X509Certificate } = await import('node:crypto');
  const oldFingerprint = new X509Certificate(readFileSync(webhook.certs.certFile)).fingerprint256;
  const caKey = readFileSync(join(webhook.dir, 'ca.key'), 'utf8');
  const next = await generateServingCert({ cert: webhook.ca, key: caKey }, ['localhost'], ['127.0.0.1'], 30);
  const newFingerprint = new X509Certificate(next.cert).fingerprint256;
  expect(newFingerprint).not.toBe(oldFingerprint);

  const total = 2000;
  const workers = 8;
  let started = 0;
  let completed = 0;
  const results: { index: number; status: number; fingerprint: string }[] = [];
  const failures: string[] = [];
  const deadline = Date.now() + 150_000;

  const rotate = (): void => {
    // Like a Secret update seen file by file: the new cert lands before its key. The server must
    // keep the old pair until the new pair is complete and consistent.
    writeFileSync(`${webhook.certs.certFile}.tmp`, next.cert);
    renameSync(`${webhook.certs.certFile}.tmp`, webhook.certs.certFile);
    setTimeout(() => {
      writeFileSync(`${webhook.certs.keyFile}.tmp`, next.key);
      renameSync(`${webhook.certs.keyFile}.tmp`, webhook.certs.keyFile);
    }, 150);
  };

  // Half the workers open a new TLS connection per review (so they see which certificate is
  // served); the other half reuse keep-alive connections, as the apiserver does, which must
  // keep working across the rotation. Bounded by count and by `deadline`.
  const keepAlive = new HttpsClient(`https://127.0.0.1:${webhook.running.port}`, webhook.ca, { servername: 'localhost' });
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (started < total && Date.now() < deadline) {
        const index = started++;
        if (index === 500) rotate();
        try {
          if (worker % 2 === 0) {
            results.push({ index, ...(await reviewOnNewConnection(webhook.running.port, webhook.ca)) });
          } else {
            const res = await keepAlive.send('POST', '/mutate?timeout=10s', body, { 'content-type': 'application/json' });
            if (res.status !== 200) failures.push(`#${index}: HTTP ${res.status}`);
          }
        } catch (err) {
          failures.push(`#${index}: ${String(err)}`);
        }
        completed++;
      }
    }),
  );
  keepAlive.close();

  expect(failures).toEqual([]);
  expect(completed).toBe(total);
  expect(results.every((r) => r.status === 200)).toBe(true);
  const served = new Set(results.map((r) => r.fingerprint));
  expect(served).toEqual(new Set([oldFingerprint, newFingerprint]));
  // Once reloaded, every new connection gets the new certificate: the last requests all did.
  const last = [...results].sort((a, b) => a.index - b.index).slice(-100);
  expect(last.every((r) => r.fingerprint === newFingerprint)).toBe(true);
  expect(webhook.logs.some((l) => l['msg'] === 'serving certificate reloaded')).toBe(true);
}, 170_000);
