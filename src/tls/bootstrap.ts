import { X509Certificate } from 'node:crypto';
import { diffPatch, type PatchOperation } from '../patch/diff.js';
import { planCertificates, splitPemBundle, type CertSecretData, type PlanOptions } from './cert-plan.js';
import { writeCertificateFiles, type CertificateOutFiles } from './write-files.js';

/** A failure of the certificate bootstrap, said in one line (RBAC, no cluster, a missing object). */
export class CertsError extends Error {
  override readonly name = 'CertsError';
}

export type WebhookConfigurationKind = 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';

export interface WebhookConfigurationView {
  readonly webhooks?: readonly { readonly name: string; readonly clientConfig?: { readonly caBundle?: string } }[];
}

export interface StoredSecret {
  readonly data: Readonly<Record<string, string>>;
  readonly resourceVersion: string;
}

/** The API calls the bootstrap makes (kube/cert-cluster.ts implements them over client-node). */
export interface CertClusterApi {
  readSecret(namespace: string, name: string): Promise<StoredSecret | undefined>;
  /** 'conflict' when the Secret already exists (HTTP 409). */
  createSecret(namespace: string, name: string, data: Readonly<Record<string, string>>): Promise<'done' | 'conflict'>;
  /** 'conflict' when the Secret changed since `resourceVersion` was read. */
  replaceSecret(namespace: string, name: string, data: Readonly<Record<string, string>>, resourceVersion: string): Promise<'done' | 'conflict'>;
  readWebhookConfiguration(kind: WebhookConfigurationKind, name: string): Promise<WebhookConfigurationView | undefined>;
  patchWebhookConfiguration(kind: WebhookConfigurationKind, name: string, patch: readonly PatchOperation[]): Promise<void>;
}

export interface CertsTarget {
  readonly namespace: string;
  readonly secretName: string;
  readonly mutatingWebhookConfiguration: string;
  readonly validatingWebhookConfiguration: string;
  readonly plan: PlanOptions;
  /** Where the server reads its files; omitted: the Secret and caBundle only. */
  readonly out?: CertificateOutFiles;
}

export interface CertsResult {
  /** What happened to the Secret. `adopted`: another replica created or renewed it first. */
  readonly secret: 'created' | 'renewed' | 'unchanged' | 'adopted';
  readonly changes: readonly string[];
  /** SHA-256 fingerprints of the CAs in the bundle, current first. */
  readonly caFingerprints: readonly string[];
  /** Webhook entries whose caBundle was written, by configuration. */
  readonly patchedWebhooks: Readonly<Record<WebhookConfigurationKind, number>>;
  readonly filesWritten: boolean;
}

/** Attempts at the read-decide-write cycle before giving up; each conflict means progress by another replica. */
const MAX_ATTEMPTS = 5;

const CA_BUNDLE_PATH = /^\/webhooks\/\d+\/clientConfig\/caBundle$/;

/**
 * The JSON patch that sets caBundle of every webhook entry to `caBundleBase64`, diffed from a
 * projection of the configuration that holds only the caBundles, so it cannot touch anything
 * else. Empty when every entry already has it.
 */
export function caBundlePatch(config: WebhookConfigurationView, caBundleBase64: string): PatchOperation[] {
  const project = (bundle: (current: string | undefined) => string | undefined): unknown => ({
    webhooks: (config.webhooks ?? []).map((w) => {
      const value = bundle(w.clientConfig?.caBundle);
      return { clientConfig: value === undefined || value === '' ? {} : { caBundle: value } };
    }),
  });
  const patch = diffPatch(
    project((current) => current),
    project(() => caBundleBase64),
  );
  const stray = patch.find((op) => !CA_BUNDLE_PATH.test(op.path));
  if (stray !== undefined) throw new Error(`internal error: caBundle patch would touch ${stray.path}`);
  return patch;
}

function asCertData(data: Readonly<Record<string, string>> | undefined): Partial<CertSecretData> | undefined {
  return data === undefined ? undefined : { 'tls.crt': data['tls.crt'], 'tls.key': data['tls.key'], 'ca.crt': data['ca.crt'], 'ca.key': data['ca.key'] };
}

/**
 * `gossip-safe certs`, once: make sure the certificate Secret exists and is not due for
 * renewal (creating or renewing it if needed, adopting whatever another replica wrote first),
 * write its CA bundle into caBundle of both webhook configurations, and write the files.
 * Idempotent: a second run with nothing due changes nothing.
 */
export async function reconcileCertificates(api: CertClusterApi, target: CertsTarget, now: () => Date = () => new Date()): Promise<CertsResult> {
  const { namespace, secretName } = target;
  let settled: { data: CertSecretData; secret: CertsResult['secret']; changes: readonly string[] } | undefined;
  let lostRace = false;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && settled === undefined; attempt++) {
    const stored = await api.readSecret(namespace, secretName);
    const plan = await planCertificates(asCertData(stored?.data), target.plan, now());
    if (stored !== undefined && plan.changes.length === 0) {
      settled = { data: plan.data, secret: lostRace ? 'adopted' : 'unchanged', changes: [] };
    } else if (stored === undefined) {
      if ((await api.createSecret(namespace, secretName, plan.data)) === 'done') settled = { data: plan.data, secret: 'created', changes: plan.changes };
      else lostRace = true; // another replica created it first: read theirs and use it
    } else if ((await api.replaceSecret(namespace, secretName, plan.data, stored.resourceVersion)) === 'done') {
      settled = { data: plan.data, secret: 'renewed', changes: plan.changes };
    } else {
      lostRace = true;
    }
  }
  if (settled === undefined) {
    throw new CertsError(`secret ${namespace}/${secretName} kept changing under us (${MAX_ATTEMPTS} conflicts in a row); run again`);
  }

  const caBundle = Buffer.from(settled.data['ca.crt'], 'utf8').toString('base64');
  const patchedWebhooks = { MutatingWebhookConfiguration: 0, ValidatingWebhookConfiguration: 0 };
  const configurations: [WebhookConfigurationKind, string][] = [
    ['MutatingWebhookConfiguration', target.mutatingWebhookConfiguration],
    ['ValidatingWebhookConfiguration', target.validatingWebhookConfiguration],
  ];
  for (const [kind, name] of configurations) {
    const config = await api.readWebhookConfiguration(kind, name);
    if (config === undefined) throw new CertsError(`${kind} ${name} not found: apply the manifests first (kubectl apply -k manifests/)`);
    const patch = caBundlePatch(config, caBundle);
    if (patch.length > 0) await api.patchWebhookConfiguration(kind, name, patch);
    patchedWebhooks[kind] = patch.length;
  }

  const filesWritten = target.out === undefined ? false : writeCertificateFiles(target.out, settled.data);
  return {
    secret: settled.secret,
    changes: settled.changes,
    caFingerprints: splitPemBundle(settled.data['ca.crt']).map((pem) => new X509Certificate(pem).fingerprint256),
    patchedWebhooks,
    filesWritten,
  };
}
