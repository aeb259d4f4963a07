import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import { defaultCertsTarget, describeCertsResult } from '../src/cli/certs.js';
import { parseServeConfig } from '../src/cli/serve.js';
import { createLogger } from '../src/observability/logger.js';
import { reconcileCertificates } from '../src/tls/bootstrap.js';
import { planCertificates, splitPemBundle } from '../src/tls/cert-plan.js';
import { createClusterApi } from '../src/kube/cert-cluster.js';
import { loadKubeConfig } from '../src/kube/kubeconfig.js';
import { FileCertificateSource, type KeyPair } from '../src/tls/file-source.js';
import { startCertificateRenewal } from '../src/tls/renewal.js';
import { writeCertificateFiles } from '../src/tls/write-files.js';
import { FakeKubeApi, type JsonObject } from './helpers/fake-kube-api.js';
import { PROJECT_DIR } from './helpers/fixtures.js';

const manifest = (file: string): JsonObject => parse(readFileSync(join(PROJECT_DIR, 'manifests', 'base', file), 'utf8')) as JsonObject;

test('serve --renew-certs: the timer renews a certificate near expiry and the server source reloads it', async () => {
  const api = await FakeKubeApi.start();
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-renew-'));
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) }) });
  let source: FileCertificateSource | undefined;
  let timer: { stop(): void } | undefined;
  try {
    api.putWebhookConfiguration('mutating', manifest('mutating-webhook.yaml'));
    api.putWebhookConfiguration('validating', manifest('validating-webhook.yaml'));
    const target = defaultCertsTarget('gossip-safe', { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caFile: join(dir, 'ca.crt') });
    const cluster = createClusterApi(loadKubeConfig({ kubeconfig: api.kubeconfigPath }));
    // As the init container left it: files from a Secret that is close to expiry.
    const old = await planCertificates(undefined, { ...target.plan, caValidDays: 3, certValidDays: 3 }, new Date(Date.now() - 2.5 * 86_400_000));
    api.putSecret('gossip-safe', 'gossip-safe-tls', { ...old.data });
    writeCertificateFiles(target.out!, old.data);

    source = new FileCertificateSource(target.out!.certFile, target.out!.keyFile, 50);
    source.watch();
    const changed = once(source, 'change') as Promise<[KeyPair]>;
    timer = startCertificateRenewal(async () => describeCertsResult(target, await reconcileCertificates(cluster, target)), 50, logger);

    const [pair] = await Promise.race([changed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no reload within 15 s')), 15_000).unref())]);
    const served = new X509Certificate(pair.cert);
    const stored = api.secretData('gossip-safe', 'gossip-safe-tls');
    expect(pair.cert).toBe(stored?.['tls.crt']);
    const newCa = new X509Certificate(splitPemBundle(stored?.['ca.crt'] ?? '')[0] ?? '');
    expect(served.verify(newCa.publicKey)).toBe(true);
    expect(splitPemBundle(stored?.['ca.crt'] ?? '')).toHaveLength(2);
    expect(logs.join('')).toMatch(/secret gossip-safe\/gossip-safe-tls renewed/);
  } finally {
    timer?.stop();
    source?.stop();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed renewal is logged and the timer keeps going', async () => {
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) }) });
  let calls = 0;
  let timer: { stop(): void } | undefined;
  await new Promise<void>((resolveDone, reject) => {
    const guard = setTimeout(() => reject(new Error('timer did not run twice')), 10_000);
    timer = startCertificateRenewal(
      () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('certs: forbidden: get secret gossip-safe/gossip-safe-tls'));
        clearTimeout(guard);
        resolveDone();
        return Promise.resolve('ok');
      },
      20,
      logger,
    );
  });
  timer?.stop();
  expect(logs.join('')).toMatch(/certificate check failed; keeping the current certificate/);
});

test('serve options: --renew-certs with an interval and the namespace from POD_NAMESPACE', () => {
  const config = parseServeConfig(['--tls-cert-file', '/tls/tls.crt', '--tls-key-file', '/tls/tls.key', '--renew-certs', '--renew-interval', '600'], { POD_NAMESPACE: 'ops' });
  expect(config).toMatchObject({ renewIntervalSeconds: 600, namespace: 'ops', certFile: '/tls/tls.crt' });
  expect(parseServeConfig([], {}).renewIntervalSeconds).toBeUndefined();
  expect(() => parseServeConfig(['--renew-interval', '60'], {})).toThrow(/--renew-interval needs --renew-certs/);
  expect(() => parseServeConfig(['--dev-certs', '--renew-certs'], {})).toThrow(/do not combine it with --dev-certs/);
});
