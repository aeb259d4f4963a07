import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ensureDevCertificates } from '../src/tls/dev-certs.js';
import { FileCertificateSource } from '../src/tls/file-source.js';
import { runCli } from './helpers/cli.js';
import { loadReviewText } from './helpers/fixtures.js';
import { startTestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 23, finding 4: empty PEM files were accepted as a pair (Node builds a TLS context from
 * nothing), so the server said "ready" and failed every handshake; truncating the key while
 * serving took the whole server down.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-pem-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a pair without PEM blocks is refused, naming the file', () => {
  writeFileSync(join(dir, 'tls.crt'), '');
  writeFileSync(join(dir, 'tls.key'), '');
  expect(() => FileCertificateSource.read(join(dir, 'tls.crt'), join(dir, 'tls.key'))).toThrow(/tls\.crt holds no PEM certificate/);
});

test('a certificate with an empty key file is refused, naming the key file', async () => {
  const certs = await ensureDevCertificates(dir);
  writeFileSync(certs.keyFile, '');
  expect(() => FileCertificateSource.read(certs.certFile, certs.keyFile)).toThrow(/tls\.key holds no PEM private key/);
});

test('serve with empty certificate files exits 1 with one line, instead of serving nothing', async () => {
  writeFileSync(join(dir, 'tls.crt'), '');
  writeFileSync(join(dir, 'tls.key'), '');
  const run = await runCli(['serve', '--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'), '--host', '127.0.0.1', '--port', '0']);
  expect(run.code).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/cannot load the serving certificate .*holds no PEM certificate/);
});

test('a key truncated while serving: the old pair stays in use, the error is counted', async () => {
  const webhook = await startTestWebhook({ pollIntervalMs: 50 });
  try {
    const before = await webhook.client.postJson('/mutate', loadReviewText('pod-create-generatename-serf.json'));
    expect(before.status).toBe(200);
    writeFileSync(webhook.certs.keyFile, '');
    // Wait (bounded) for the reload error to be counted.
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const metrics = await webhook.client.send('GET', '/metrics');
      count = Number(/^gossip_safe_certificate_reload_errors_total (\d+)/m.exec(metrics.text)?.[1] ?? 0);
    }
    expect(count).toBeGreaterThan(0);
    // A new TLS connection still gets the old certificate and its answer.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: webhook.running.port, path: '/healthz', ca: webhook.ca, agent: false, servername: 'localhost' }, (res) => {
        expect((res.socket as TLSSocket).getPeerCertificate().fingerprint256).toBeTruthy();
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(readFileSync(webhook.certs.keyFile, 'utf8')).toBe('');
  } finally {
    await webhook.stop();
  }
});
