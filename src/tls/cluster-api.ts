/**
 * The only module that talks to the Kubernetes API at run time (DESIGN §5): the few calls the
 * certificate bootstrap needs, with every failure turned into one actionable line.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import type { PatchOperation } from '../patch/diff.js';
import { CertsError, type CertClusterApi, type StoredSecret, type WebhookConfigurationKind, type WebhookConfigurationView } from './bootstrap.js';

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body.trim() === '' ? undefined : body.trim().split('\n')[0];
    }
  }
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
    return (parsed as { message: string }).message;
  }
  return undefined;
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/** Loads cluster access: --kubeconfig, then $KUBECONFIG, then in-cluster, then ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath !== undefined) kc.loadFromFile(kubeconfigPath);
    else if ((env['KUBECONFIG'] ?? '') !== '') kc.loadFromDefault();
    else if ((env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') kc.loadFromCluster();
    else if (existsSync(join(homedir(), '.kube', 'config'))) kc.loadFromDefault();
    else throw new CertsError('no cluster configured: run in a pod, set KUBECONFIG, or pass --kubeconfig FILE');
  } catch (err) {
    if (err instanceof CertsError) throw err;
    throw new CertsError(`cannot load the kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
  if (kc.getCurrentCluster() === null) throw new CertsError('the kubeconfig has no current cluster: set current-context');
  return kc;
}

/** The bootstrap's API calls over @kubernetes/client-node. */
export function createClusterApi(kc: KubeConfig): CertClusterApi {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const user = kc.getCurrentUser()?.name ?? 'the current user';

  /** Runs a call; 404 and 409 are answers, everything else a one-line CertsError. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T | 404 | 409> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiException) {
        const code = (err as ApiException<unknown>).code;
        if (code === 404 || code === 409) return code;
        const detail = statusMessage((err as ApiException<unknown>).body) ?? `HTTP ${code}`;
        if (code === 401) throw new CertsError(`unauthorized: ${what} at ${server}: the credentials of ${user} were rejected (${detail})`);
        if (code === 403) throw new CertsError(`forbidden: ${what}: RBAC does not allow it for ${user}; apply manifests/ (rbac.yaml) or check the ServiceAccount (${detail})`);
        throw new CertsError(`${what} failed: HTTP ${code}: ${detail}`);
      }
      const code = networkCode(err);
      throw new CertsError(`cannot reach the Kubernetes API at ${server} to ${what}: ${code ?? (err as Error).message.split('\n')[0]}`);
    }
  }

  const toStored = (secret: V1Secret): StoredSecret => ({
    data: Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
    resourceVersion: secret.metadata?.resourceVersion ?? '',
  });
  const body = (namespace: string, name: string, data: Readonly<Record<string, string>>, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/name': 'gossip-safe', 'app.kubernetes.io/managed-by': 'gossip-safe-certs' },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  });

  return {
    async readSecret(namespace, name) {
      const r = await call(`get secret ${namespace}/${name}`, () => core.readNamespacedSecret({ namespace, name }));
      if (r === 404) return undefined;
      if (r === 409) throw new CertsError(`get secret ${namespace}/${name}: unexpected conflict`);
      return toStored(r);
    },
    async createSecret(namespace, name, data) {
      const r = await call(`create secret ${namespace}/${name}`, () => core.createNamespacedSecret({ namespace, body: body(namespace, name, data) }));
      if (r === 404) throw new CertsError(`create secret ${namespace}/${name}: namespace ${namespace} does not exist`);
      return r === 409 ? 'conflict' : 'done';
    },
    async replaceSecret(namespace, name, data, resourceVersion) {
      const r = await call(`update secret ${namespace}/${name}`, () =>
        core.replaceNamespacedSecret({ namespace, name, body: body(namespace, name, data, resourceVersion) }),
      );
      // 404: deleted since we read it; the caller re-reads and creates it again.
      return r === 409 || r === 404 ? 'conflict' : 'done';
    },
    async readWebhookConfiguration(kind: WebhookConfigurationKind, name) {
      const what = `get ${kind.toLowerCase()} ${name}`;
      const r = await call(what, () =>
        kind === 'MutatingWebhookConfiguration'
          ? admission.readMutatingWebhookConfiguration({ name })
          : admission.readValidatingWebhookConfiguration({ name }),
      );
      if (r === 404) return undefined;
      if (r === 409) throw new CertsError(`${what}: unexpected conflict`);
      return r;
    },
    async patchWebhookConfiguration(kind: WebhookConfigurationKind, name, patch: readonly PatchOperation[]) {
      const what = `patch ${kind.toLowerCase()} ${name}`;
      const options = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
      const r = await call(what, () =>
        kind === 'MutatingWebhookConfiguration'
          ? admission.patchMutatingWebhookConfiguration({ name, body: patch }, options)
          : admission.patchValidatingWebhookConfiguration({ name, body: patch }, options),
      );
      if (r === 404 || r === 409) throw new CertsError(`${what}: ${r === 404 ? 'not found' : 'conflict'}; run again`);
    },
  };
}
