import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectlOk, runKubectl } from './kubectl.js';
import { freePort, isAlive, startDetached, waitFor } from './procs.js';
import type { E2eState, WebhookState } from './state.js';
import { PROJECT_DIR } from './paths.js';
import { kubeconfigYaml } from './pki.js';

export const CLI = join(PROJECT_DIR, 'dist', 'main.js');
export const NAMESPACE = 'gossip-safe';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; webhooks?: { clientConfig: Record<string, unknown> }[] };
type ClientConfig = { service?: { path?: string }; url?: string; caBundle?: string };

/**
 * `kubectl kustomize DIR` as the README installs it, with one change: each webhook's
 * `clientConfig.service` becomes `clientConfig.url` pointing at the local `gossip-safe serve`
 * (same path). Everything else, caBundle absent included, is as shipped.
 */
export async function renderForLocalWebhook(kubectl: string, kubeconfig: string, dir: string, host: string, port: number): Promise<{ yaml: string; objects: Obj[] }> {
  const rendered = await kubectlOk(kubectl, kubeconfig, ['kustomize', join(PROJECT_DIR, dir)]);
  const objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
  for (const o of objects) {
    for (const webhook of o.webhooks ?? []) {
      const cc = webhook.clientConfig as ClientConfig;
      const path = cc.service?.path ?? '/';
      delete cc.service;
      cc.url = `https://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
    }
  }
  return { yaml: objects.map((o) => stringify(o)).join('---\n'), objects };
}

function getText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** GET a path on the running webhook, verifying its certificate against the CA `certs` wrote. */
export function webhookGet(w: WebhookState, path: string): Promise<{ status: number; body: string }> {
  const ca = readFileSync(join(w.certDir, 'ca.crt'), 'utf8');
  return getText(`https://${w.host.includes(':') ? `[${w.host}]` : w.host}:${w.port}${path}`, ca);
}

/** The environment `gossip-safe` runs with in the Deployment, here with the token kubeconfig. */
function webhookEnv(w: WebhookState): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: w.kubeconfig, POD_NAMESPACE: NAMESPACE, LOG_LEVEL: 'info' };
  delete env['KUBERNETES_SERVICE_HOST'];
  return env;
}

/**
 * Starts `gossip-safe serve` as the Deployment's container runs it (the certificate files from
 * the init container, --renew-certs under the ServiceAccount's token), bound to the host and
 * port the webhook configurations name; resolves once /readyz answers 200 over verified TLS.
 */
export async function startWebhook(w: WebhookState): Promise<number> {
  const pgid = startDetached(
    process.execPath,
    // --log-level debug: the scenarios count every review in the log (admissions()), and a
    // review that passes through unchanged is logged at debug (docs/operations.md, Logs).
    [CLI, 'serve', '--tls-cert-file', join(w.certDir, 'tls.crt'), '--tls-key-file', join(w.certDir, 'tls.key'), '--renew-certs', '--host', w.host, '--port', String(w.port), '--log-level', 'debug'],
    w.logFile,
    webhookEnv(w),
  );
  w.pgids.push(pgid);
  await waitFor(
    'gossip-safe serve /readyz',
    async () => {
      if (!isAlive(pgid)) throw new Error(`gossip-safe serve exited; its log: ${w.logFile}`);
      return (await webhookGet(w, '/readyz')).status === 200 ? true : undefined;
    },
    30_000,
  );
  return pgid;
}

/**
 * README steps 2 and the init container, on this cluster: applies the rendered manifests
 * (webhooks pointed at the local server), gets a TokenRequest token for ServiceAccount
 * gossip-safe/gossip-safe, runs `gossip-safe certs --out-dir` under that token, then starts
 * `gossip-safe serve`. Returns the webhook's state (the server is running).
 */
export async function installWebhook(state: Pick<E2eState, 'dir' | 'kubeconfig' | 'kubectl'>, host: string, onStarted: (w: WebhookState) => void): Promise<WebhookState> {
  const { kubectl, kubeconfig, dir } = state;
  const port = await freePort(host);
  const { yaml } = await renderForLocalWebhook(kubectl, kubeconfig, 'manifests', host, port);
  const manifestFile = join(dir, 'gossip-safe.yaml');
  writeFileSync(manifestFile, yaml);
  await kubectlOk(kubectl, kubeconfig, ['apply', '-f', manifestFile]);

  const token = (await kubectlOk(kubectl, kubeconfig, ['-n', NAMESPACE, 'create', 'token', 'gossip-safe', '--duration=2h'])).trim();
  const server = (await kubectlOk(kubectl, kubeconfig, ['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
  const caData = (await kubectlOk(kubectl, kubeconfig, ['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
  const tokenKubeconfig = join(dir, 'gossip-safe-sa.kubeconfig');
  writeFileSync(tokenKubeconfig, kubeconfigYaml(server, Buffer.from(caData, 'base64').toString('utf8'), { token }, 'gossip-safe'), { mode: 0o600 });

  const certDir = join(dir, 'webhook-tls');
  mkdirSync(certDir, { mode: 0o700 });
  const w: WebhookState = { host, port, kubeconfig: tokenKubeconfig, certDir, pgids: [], logFile: join(dir, 'logs', 'gossip-safe.log') };
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // The init container: `gossip-safe certs --out-dir /tls`, plus the IP SAN the url needs.
  const certs = await runNode([CLI, 'certs', '--out-dir', certDir, '--ip-address', host], webhookEnv(w));
  if (certs.code !== 0 || !existsSync(join(certDir, 'tls.crt'))) throw new Error(`gossip-safe certs failed (exit ${certs.code}): ${certs.stderr.trim() || certs.stdout.trim()}`);
  writeFileSync(join(dir, 'logs', 'gossip-safe-certs.log'), certs.stdout + certs.stderr);
  onStarted(w);
  await startWebhook(w);
  return w;
}

/** Runs node with `args` to completion (bounded), capturing output. */
export async function runNode(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Existing-cluster mode: removes what installWebhook applied, webhook configurations first. */
export async function uninstallWebhook(state: Pick<E2eState, 'dir' | 'kubeconfig' | 'kubectl'>): Promise<void> {
  const { kubectl, kubeconfig, dir } = state;
  await runKubectl(kubectl, kubeconfig, ['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', '-l', 'app.kubernetes.io/part-of=gossip-safe', '--ignore-not-found']);
  await runKubectl(kubectl, kubeconfig, ['delete', '-f', join(dir, 'gossip-safe.yaml'), '--ignore-not-found', '--wait=false']);
}
