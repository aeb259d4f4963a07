import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { GOSSIP_SAFE_VERSION } from '../../src/version.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';

/**
 * The families /metrics exports, against the Prometheus naming conventions
 * (https://prometheus.io/docs/practices/naming/): counters, and only counters, end in _total;
 * gossip-safe's own families are prefixed gossip_safe_; the process and Node.js families keep
 * their standard names, so the usual dashboards find them. docs/operations.md lists them.
 */
async function families(metrics: WebhookMetrics): Promise<{ name: string; type: string }[]> {
  return (await metrics.registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
}

describe('naming', () => {
  const metrics = new WebhookMetrics();

  test('counters, and only counters, end in _total', async () => {
    const all = await families(metrics);
    expect(all.length).toBeGreaterThan(20);
    const wrong = all.filter((f) => (f.type === 'counter') !== f.name.endsWith('_total'));
    expect(wrong).toEqual([]);
  });

  test('base units, no unit-less _count or _sum names, and every own family prefixed gossip_safe_', async () => {
    const all = await families(metrics);
    const own = all.filter((f) => !/^(process|nodejs)_/.test(f.name));
    expect(own.filter((f) => !f.name.startsWith('gossip_safe_'))).toEqual([]);
    expect(all.filter((f) => /_(count|sum|bucket)$|_(milliseconds|ms|kilobytes|mb)(_|$)/.test(f.name))).toEqual([]);
    expect(all.filter((f) => f.type === 'histogram' && !f.name.endsWith('_seconds'))).toEqual([]);
  });

  test('the process and Node.js families keep their standard names', async () => {
    const names = (await families(metrics)).map((f) => f.name);
    expect(names.filter((n) => /^gossip_safe_(process|nodejs)_/.test(n))).toEqual([]);
    for (const standard of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(names).toContain(standard);
    }
  });

  test('gossip_safe_build_info{version,node} is 1', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toContain(`gossip_safe_build_info{version="${GOSSIP_SAFE_VERSION}",node="${process.version}"} 1\n`);
  });

  test('every gossip_safe_ family is documented in docs/operations.md', async () => {
    const own = (await families(metrics)).filter((f) => f.name.startsWith('gossip_safe_'));
    const docs = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    for (const f of own) expect(docs).toContain(`\`${f.name}\``);
  });
});

describe('the serving certificate', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook();
  });
  afterAll(async () => webhook.stop());

  test('its expiry is a gauge of the loaded certificate, in Unix seconds', async () => {
    const notAfter = Math.floor(new Date(new X509Certificate(readFileSync(webhook.certs.certFile)).validTo).getTime() / 1000);
    const text = (await webhook.client.send('GET', '/metrics')).text;
    expect(text).toMatch(/^# TYPE gossip_safe_certificate_expiry_timestamp_seconds gauge$/m);
    expect(text).toContain(`gossip_safe_certificate_expiry_timestamp_seconds ${notAfter}\n`);
  });

  test('a failed reload is counted (and the previous certificate stays)', async () => {
    const value = async (): Promise<number> => {
      const m = /^gossip_safe_certificate_reload_errors_total (\d+)$/m.exec((await webhook.client.send('GET', '/metrics')).text);
      return m === null ? Number.NaN : Number(m[1]);
    };
    expect(await value()).toBe(0);
    const good = readFileSync(webhook.certs.certFile, 'utf8');
    writeFileSync(webhook.certs.certFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    try {
      const deadline = Date.now() + 10_000;
      while (!((await value()) >= 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await value()).toBeGreaterThanOrEqual(1);
    } finally {
      writeFileSync(webhook.certs.certFile, good);
    }
  });
});
