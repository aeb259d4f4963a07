import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultCertsTarget, parseCertsConfig, runCertsOnce } from '../src/cli/certs.js';
import { UsageError } from '../src/errors.js';
import { caBundlePatch, reconcileCertificates, type CertsTarget } from '../src/tls/bootstrap.js';
import { planCertificates, splitPemBundle } from '../src/tls/cert-plan.js';
import { createClusterApi } from '../src/kube/cert-cluster.js';
import { loadKubeConfig } from '../src/kube/kubeconfig.js';
import { FakeKubeApi, type JsonObject } from './helpers/fake-kube-api.js';
import { PROJECT_DIR } from './helpers/fixtures.js';

const NS = 'gossip-safe';
const SECRET = 'gossip-safe-tls';
const DAY = 86_400_000;

function manifest(file: string): JsonObject {
  return parse(readFileSync(join(PROJECT_DIR, 'manifests', 'base', file), 'utf8')) as JsonObject;
}

interface Webhook {
  name: string;
  clientConfig: { caBundle?: string; service: Record<string, unknown> };
  [key: string]: unknown;
}
const webhooksOf = (o: JsonObject): Webhook[] => o['webhooks'] as Webhook[];
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

let api: FakeKubeApi;
let outDir: string;

async function startApi(options: Parameters<typeof FakeKubeApi.start>[0] = {}): Promise<FakeKubeApi> {
  api = await FakeKubeApi.start(options);
  api.putWebhookConfiguration('mutating', manifest('mutating-webhook.yaml'));
  api.putWebhookConfiguration('validating', manifest('validating-webhook.yaml'));
  return api;
}

function target(overrides: Partial<CertsTarget> = {}): CertsTarget {
  return {
    ...defaultCertsTarget(NS, { certFile: join(outDir, 'tls.crt'), keyFile: join(outDir, 'tls.key'), caFile: join(outDir, 'ca.crt') }),
    ...overrides,
  };
}

const clusterApi = (): ReturnType<typeof createClusterApi> => createClusterApi(loadKubeConfig({ kubeconfig: api.kubeconfigPath }));

beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'gossip-safe-certs-out-'));
});
afterEach(async () => {
  await api?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe('gossip-safe certs against a Kubernetes-like API on loopback', () => {
  test('create path: a new Secret, caBundle in every webhook of both configurations, files for the server', async () => {
    await startApi();
    const result = await runCertsOnce(target(), api.kubeconfigPath);
    expect(result.secret).toBe('created');

    const data = api.secretData(NS, SECRET);
    expect(Object.keys(data ?? {}).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const ca = new X509Certificate(data?.['ca.crt'] ?? '');
    const serving = new X509Certificate(data?.['tls.crt'] ?? '');
    expect(ca.ca).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkHost('gossip-safe.gossip-safe.svc')).toBe('gossip-safe.gossip-safe.svc');

    const bundle = Buffer.from(data?.['ca.crt'] ?? '').toString('base64');
    for (const kind of ['mutating', 'validating'] as const) {
      const hooks = webhooksOf(api.webhookConfiguration(kind, 'gossip-safe'));
      expect(hooks.length).toBeGreaterThan(0);
      for (const hook of hooks) expect(hook.clientConfig.caBundle).toBe(bundle);
    }
    expect(webhooksOf(api.webhookConfiguration('validating', 'gossip-safe'))).toHaveLength(2);

    expect(readFileSync(join(outDir, 'tls.crt'), 'utf8')).toBe(data?.['tls.crt']);
    expect(readFileSync(join(outDir, 'tls.key'), 'utf8')).toBe(data?.['tls.key']);
    expect(readFileSync(join(outDir, 'ca.crt'), 'utf8')).toBe(data?.['ca.crt']);
    expect(statSync(join(outDir, 'tls.key')).mode & 0o777).toBe(0o600);
  });

  test('already-present path: an existing valid Secret is used as it is, and a rerun changes nothing', async () => {
    await startApi();
    const existing = await planCertificates(undefined, target().plan);
    api.putSecret(NS, SECRET, { ...existing.data });
    const versionBefore = (api.secrets.get(`${NS}/${SECRET}`)?.['metadata'] as JsonObject)['resourceVersion'];

    const first = await runCertsOnce(target(), api.kubeconfigPath);
    expect(first.secret).toBe('unchanged');
    expect(api.requestsTo('POST', '/api/v1/').length + api.requestsTo('PUT', '/api/v1/').length).toBe(0);
    expect((api.secrets.get(`${NS}/${SECRET}`)?.['metadata'] as JsonObject)['resourceVersion']).toBe(versionBefore);
    expect(readFileSync(join(outDir, 'ca.crt'), 'utf8')).toBe(existing.data['ca.crt']);
    expect(first.patchedWebhooks).toEqual({ MutatingWebhookConfiguration: 1, ValidatingWebhookConfiguration: 2 });

    const second = await runCertsOnce(target(), api.kubeconfigPath);
    expect(second).toMatchObject({ secret: 'unchanged', filesWritten: false, patchedWebhooks: { MutatingWebhookConfiguration: 0, ValidatingWebhookConfiguration: 0 } });
    expect(api.requestsTo('PATCH', '/apis/')).toHaveLength(2); // only the first run patched
  });

  test('conflict path: another replica creates the Secret first; we get 409, re-read it and use its CA', async () => {
    const theirs = await planCertificates(undefined, target().plan);
    await startApi({ beforeSecretCreate: (a) => a.putSecret(NS, SECRET, { ...theirs.data }) });
    const result = await runCertsOnce(target(), api.kubeconfigPath);

    expect(result.secret).toBe('adopted');
    expect(api.requestsTo('POST', '/api/v1/')).toHaveLength(1);
    expect(api.secretData(NS, SECRET)).toEqual(theirs.data);
    expect(readFileSync(join(outDir, 'tls.crt'), 'utf8')).toBe(theirs.data['tls.crt']);
    const bundle = Buffer.from(theirs.data['ca.crt']).toString('base64');
    for (const hook of webhooksOf(api.webhookConfiguration('mutating', 'gossip-safe'))) expect(hook.clientConfig.caBundle).toBe(bundle);
  });

  test('two replicas starting together agree on one CA', async () => {
    await startApi({ secretGetBarrier: 2 });
    const otherOut = mkdtempSync(join(tmpdir(), 'gossip-safe-certs-out-'));
    try {
      const other = target({ out: { certFile: join(otherOut, 'tls.crt'), keyFile: join(otherOut, 'tls.key'), caFile: join(otherOut, 'ca.crt') } });
      const results = await Promise.all([reconcileCertificates(clusterApi(), target()), reconcileCertificates(clusterApi(), other)]);

      // Both saw no Secret, both tried to create it: one won, the other got 409 and adopted it.
      expect(api.requestsTo('POST', '/api/v1/')).toHaveLength(2);
      expect(results.map((r) => r.secret).sort()).toEqual(['adopted', 'created']);
      expect(results[0]?.caFingerprints).toEqual(results[1]?.caFingerprints);
      const stored = api.secretData(NS, SECRET);
      expect(readFileSync(join(outDir, 'ca.crt'), 'utf8')).toBe(stored?.['ca.crt']);
      expect(readFileSync(join(otherOut, 'ca.crt'), 'utf8')).toBe(stored?.['ca.crt']);
      expect(readFileSync(join(otherOut, 'tls.crt'), 'utf8')).toBe(readFileSync(join(outDir, 'tls.crt'), 'utf8'));
      const bundle = Buffer.from(stored?.['ca.crt'] ?? '').toString('base64');
      for (const hook of webhooksOf(api.webhookConfiguration('validating', 'gossip-safe'))) expect(hook.clientConfig.caBundle).toBe(bundle);
    } finally {
      rmSync(otherOut, { recursive: true, force: true });
    }
  });

  test('renewal near expiry: a new CA and serving certificate, the previous CA kept in the bundle', async () => {
    await startApi();
    // Issued 2.5 days ago with a 3-day lifetime: past 2/3, not yet expired.
    const issuedAt = new Date(Date.now() - 2.5 * DAY);
    const old = await planCertificates(undefined, { ...target().plan, caValidDays: 3, certValidDays: 3 }, issuedAt);
    api.putSecret(NS, SECRET, { ...old.data });
    const oldCa = fingerprint(old.data['ca.crt']);

    const result = await runCertsOnce(target(), api.kubeconfigPath);
    expect(result.secret).toBe('renewed');
    expect(result.changes.join(' ')).toMatch(/renewed the CA: past 67% of its lifetime/);
    const stored = api.secretData(NS, SECRET);
    const bundle = splitPemBundle(stored?.['ca.crt'] ?? '').map(fingerprint);
    expect(bundle).toHaveLength(2);
    expect(bundle[1]).toBe(oldCa);
    expect(bundle[0]).not.toBe(oldCa);
    const serving = new X509Certificate(stored?.['tls.crt'] ?? '');
    const newCa = new X509Certificate(splitPemBundle(stored?.['ca.crt'] ?? '')[0] ?? '');
    expect(serving.verify(newCa.publicKey)).toBe(true);
    expect(Date.parse(serving.validTo)).toBeGreaterThan(Date.now() + 300 * DAY);
    // The server files and caBundle carry both CAs, so certificates of either are trusted.
    expect(readFileSync(join(outDir, 'ca.crt'), 'utf8')).toBe(stored?.['ca.crt']);
    const caBundle = Buffer.from(webhooksOf(api.webhookConfiguration('mutating', 'gossip-safe'))[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
    expect(splitPemBundle(caBundle).map(fingerprint)).toEqual(bundle);
    // The update carried the resourceVersion it read (optimistic concurrency).
    expect(api.requestsTo('PUT', `/api/v1/namespaces/${NS}/secrets/${SECRET}`)).toHaveLength(1);
  });

  test('an expired CA is dropped from the bundle; a serving certificate alone near expiry keeps its CA', async () => {
    const plan = target().plan;
    const now = new Date();
    const ca = await planCertificates(undefined, plan, new Date(now.getTime() - 100 * DAY));
    const expiredCa = await planCertificates(undefined, { ...plan, caValidDays: 2 }, new Date(now.getTime() - 10 * DAY));
    const nearExpiry = await planCertificates(undefined, { ...plan, certValidDays: 120 }, new Date(now.getTime() - 100 * DAY));
    const current = { ...nearExpiry.data, 'ca.key': ca.data['ca.key'], 'ca.crt': ca.data['ca.crt'] + expiredCa.data['ca.crt'] };
    // nearExpiry was signed by another CA: replace its pair by one signed by `ca`, 100 days into 120.
    const signed = await planCertificates({ 'ca.crt': ca.data['ca.crt'], 'ca.key': ca.data['ca.key'] }, { ...plan, certValidDays: 120 }, new Date(now.getTime() - 100 * DAY));
    const plan2 = await planCertificates({ ...current, 'tls.crt': signed.data['tls.crt'], 'tls.key': signed.data['tls.key'] }, plan, now);
    expect(plan2.changes.join(' ')).toMatch(/dropped an expired CA/);
    expect(plan2.changes.join(' ')).toMatch(/new serving certificate: the old one was past 67%/);
    expect(splitPemBundle(plan2.data['ca.crt']).map(fingerprint)).toEqual([fingerprint(ca.data['ca.crt'])]);
    expect(plan2.data['ca.key']).toBe(ca.data['ca.key']);
  });

  test('the caBundle patch touches only /webhooks/N/clientConfig/caBundle and leaves every other field as it was', async () => {
    await startApi();
    await runCertsOnce(target(), api.kubeconfigPath);
    const patches = api.requestsTo('PATCH', '/apis/admissionregistration.k8s.io/v1/');
    expect(patches).toHaveLength(2);
    for (const p of patches) {
      expect(p.contentType).toBe('application/json-patch+json');
      const ops = p.body as { op: string; path: string }[];
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) {
        expect(op.op).toBe('add');
        expect(op.path).toMatch(/^\/webhooks\/\d+\/clientConfig\/caBundle$/);
      }
    }
    for (const [kind, file] of [
      ['mutating', 'mutating-webhook.yaml'],
      ['validating', 'validating-webhook.yaml'],
    ] as const) {
      const after = api.webhookConfiguration(kind, 'gossip-safe');
      const original = manifest(file);
      expect(after['metadata']).toMatchObject(original['metadata'] as JsonObject);
      const withoutBundle = webhooksOf(after).map((w) => {
        const { caBundle: _ignored, ...clientConfig } = w.clientConfig;
        return { ...w, clientConfig };
      });
      expect(withoutBundle).toEqual(webhooksOf(original));
    }
  });

  test('caBundlePatch replaces a stale bundle and emits nothing when it is current', () => {
    const config = { webhooks: [{ name: 'a', clientConfig: { caBundle: 'b2xk' } }, { name: 'b', clientConfig: {} }] };
    const patch = caBundlePatch(config, 'bmV3');
    expect(patch).toHaveLength(2);
    expect(patch).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: 'bmV3' },
        { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'bmV3' },
      ]),
    );
    expect(caBundlePatch({ webhooks: [{ name: 'a', clientConfig: { caBundle: 'bmV3' } }] }, 'bmV3')).toEqual([]);
  });

  test('RBAC 403 is one clear line with exit status 1, and nothing is written', async () => {
    await startApi({ forbidden: [`/api/v1/namespaces/${NS}/secrets/${SECRET}`] });
    const failure = runCertsOnce(target(), api.kubeconfigPath);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toMatchObject({ exitCode: 1 });
    await expect(failure).rejects.toThrow(/^certs: forbidden: get secret gossip-safe\/gossip-safe-tls: RBAC does not allow it/);
    const message = await failure.catch((err: Error) => err.message);
    expect(message).not.toContain('\n');
    expect(api.secrets.size).toBe(0);
  });

  test('a missing webhook configuration says to apply the manifests', async () => {
    api = await FakeKubeApi.start();
    api.putWebhookConfiguration('mutating', manifest('mutating-webhook.yaml'));
    await expect(runCertsOnce(target(), api.kubeconfigPath)).rejects.toThrow(
      /ValidatingWebhookConfiguration gossip-safe not found: apply the manifests first/,
    );
  });

  test('no reachable cluster is one clear line with exit status 1', async () => {
    await startApi();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(readFileSync(api.kubeconfigPath, 'utf8'))?.[1]);
    await api.stop();
    const failure = runCertsOnce(target(), api.kubeconfigPath);
    await expect(failure).rejects.toMatchObject({ exitCode: 1 });
    await expect(failure).rejects.toThrow(new RegExp(`cannot (reach the Kubernetes API at https://127.0.0.1:${port}|load the kubeconfig)`));
  });
});

describe('serving certificate IP addresses (--ip-address, for a webhook called by url)', () => {
  const plan = { ...defaultCertsTarget(NS).plan };

  test('a certificate planned with IP addresses has them as SANs besides the service names', async () => {
    const { data } = await planCertificates(undefined, { ...plan, ipAddresses: ['127.0.0.1', '::1'] });
    const cert = new X509Certificate(data['tls.crt']);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('gossip-safe.gossip-safe.svc')).toBe('gossip-safe.gossip-safe.svc');
    expect(cert.checkIP('127.0.0.2')).toBeUndefined();
  });

  test('an existing certificate without a requested IP is reissued with the same CA; with it, it is kept', async () => {
    const first = await planCertificates(undefined, plan);
    expect(new X509Certificate(first.data['tls.crt']).checkIP('127.0.0.1')).toBeUndefined();
    const second = await planCertificates(first.data, { ...plan, ipAddresses: ['127.0.0.1'] });
    expect(second.changes).toEqual(['issued a new serving certificate: the old one was missing an IP address']);
    expect(new X509Certificate(second.data['tls.crt']).checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(second.data['ca.crt']).toBe(first.data['ca.crt']);
    const third = await planCertificates(second.data, { ...plan, ipAddresses: ['127.0.0.1'] });
    expect(third.changes).toEqual([]);
    expect(third.data).toEqual(second.data);
  });

  test('certs --ip-address is repeatable and checked where it enters', () => {
    expect(parseCertsConfig(['--ip-address', '127.0.0.1', '--ip-address', '::1'], {}).target.plan.ipAddresses).toEqual(['127.0.0.1', '::1']);
    expect(parseCertsConfig([], {}).target.plan.ipAddresses).toBeUndefined();
    expect(() => parseCertsConfig(['--ip-address', 'localhost'], {})).toThrow('certs: --ip-address must be an IPv4 or IPv6 address, got "localhost"');
  });
});
