/**
 * The certificate bootstrap's API calls (`gossip-safe certs`, `serve --renew-certs`): read and
 * write the serving Secret, read and patch the webhook configurations' caBundle. Failures are one
 * ClusterAccessError line (kube/kubeconfig.ts).
 */
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import type { PatchOperation } from '../patch/diff.js';
import { CertsError, type CertClusterApi, type StoredSecret, type WebhookConfigurationKind } from '../tls/bootstrap.js';
import { apiCall, callSiteOf } from './kubeconfig.js';

/** The bootstrap's API calls over @kubernetes/client-node. */
export function createClusterApi(kc: KubeConfig): CertClusterApi {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const site = callSiteOf(kc, 'apply manifests/ (rbac.yaml) or check the ServiceAccount');
  /** 404 and 409 are answers; everything else is one ClusterAccessError line. */
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T | 404 | 409> => apiCall(site, what, fn, [404, 409] as const);

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
