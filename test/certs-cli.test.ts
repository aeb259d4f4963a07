import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, spawnCli } from './helpers/cli.js';
import { FakeKubeApi, type JsonObject } from './helpers/fake-kube-api.js';
import { PROJECT_DIR } from './helpers/fixtures.js';
import { HttpsClient } from './helpers/https-client.js';

const manifest = (file: string): JsonObject => parse(readFileSync(join(PROJECT_DIR, 'manifests', 'base', file), 'utf8')) as JsonObject;
/** No ambient cluster: no $KUBECONFIG, not in a pod, an empty home. */
const isolated = (home: string): NodeJS.ProcessEnv => ({ HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '', POD_NAMESPACE: '' });

let dir: string;
let api: FakeKubeApi | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-certs-cli-'));
});
afterEach(async () => {
  await api?.stop();
  api = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startApi(options: Parameters<typeof FakeKubeApi.start>[0] = {}): Promise<FakeKubeApi> {
  const started = await FakeKubeApi.start(options);
  started.putWebhookConfiguration('mutating', manifest('mutating-webhook.yaml'));
  started.putWebhookConfiguration('validating', manifest('validating-webhook.yaml'));
  return (api = started);
}

test('gossip-safe certs: exit 0 and one summary line; the Secret, caBundle and files are in place', async () => {
  const kube = await startApi();
  const run = await runCli(['certs', '--kubeconfig', kube.kubeconfigPath, '--out-dir', join(dir, 'tls')], { env: isolated(dir) });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^gossip-safe certs: secret gossip-safe\/gossip-safe-tls created \(created a new CA; .*\); 1 CA\(s\) in the bundle; caBundle written to 3 webhook\(s\); files written to .*\n$/);
  expect(readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8')).toBe(kube.secretData('gossip-safe', 'gossip-safe-tls')?.['ca.crt']);
});

test('gossip-safe certs without any cluster: exit 1 and one line saying what to do', async () => {
  const run = await runCli(['certs'], { env: isolated(dir) });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('gossip-safe: certs: no cluster configured: set KUBECONFIG, pass --kubeconfig FILE, or run in a pod\n');
});

test('gossip-safe certs forbidden by RBAC: exit 1 and one line naming the request', async () => {
  const kube = await startApi({ forbidden: ['/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gossip-safe'] });
  const run = await runCli(['certs', '--kubeconfig', kube.kubeconfigPath], { env: isolated(dir) });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^gossip-safe: certs: forbidden: get validatingwebhookconfiguration gossip-safe: RBAC does not allow it for gossip-safe-test; .*\n$/);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
});

test('serve --renew-certs bootstraps its own certificate from the cluster and serves it', async () => {
  const kube = await startApi();
  let child: ChildProcess | undefined;
  try {
    child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--tls-cert-file', join(dir, 'tls', 'tls.crt'), '--tls-key-file', join(dir, 'tls', 'tls.key'), '--renew-certs'], {
      env: { ...isolated(dir), KUBECONFIG: kube.kubeconfigPath, POD_NAMESPACE: 'gossip-safe' },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
      child?.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n').find((l) => l.includes('"gossip-safe webhook listening"'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      });
      child?.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
    expect(existsSync(join(dir, 'tls', 'ca.crt'))).toBe(true);
    // A client that trusts only the CA in the cluster's Secret (as the apiserver does via caBundle).
    const client = new HttpsClient(`https://127.0.0.1:${port}`, kube.secretData('gossip-safe', 'gossip-safe-tls')?.['ca.crt'] ?? '', { servername: 'gossip-safe.gossip-safe.svc' });
    try {
      expect((await client.send('GET', '/healthz')).status).toBe(200);
    } finally {
      client.close();
    }
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
});
