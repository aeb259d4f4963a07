import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CertsResult, CertsTarget } from '../tls/bootstrap.js';
import { DEFAULT_PLAN } from '../tls/cert-plan.js';
import { UsageError } from '../errors.js';
import { parseArgsProblem } from './options.js';

export const CERTS_HELP = `Usage: gossip-safe certs [options]

Bootstraps the webhook's TLS in a cluster, once, and exits (the Deployment runs it as an init
container; "serve --renew-certs" repeats it hourly):
  1. Secret NAMESPACE/SECRET holds a CA and a serving certificate for SERVICE.NAMESPACE.svc.
     It is created only if absent; if another replica creates it first, that one is used.
     Certificates are renewed at 2/3 of their lifetime; a renewed CA is added to the bundle
     and the previous one kept until it expires.
  2. The CA bundle is written into caBundle of every webhook in both webhook configurations,
     by a JSON patch that touches nothing else.
  3. With --out-dir, tls.crt, tls.key and ca.crt are written there for the server.

Options (environment variable in brackets):
  --namespace NS         namespace of the Secret and Service [POD_NAMESPACE] (default gossip-safe)
  --secret NAME          certificate Secret (default gossip-safe-tls)
  --service NAME         Service the certificate is for (default gossip-safe)
  --mutating NAME        MutatingWebhookConfiguration (default gossip-safe)
  --validating NAME      ValidatingWebhookConfiguration (default gossip-safe)
  --out-dir DIR          write tls.crt, tls.key and ca.crt to DIR
  --ip-address IP        also put IP in the serving certificate, for a webhook the apiserver
                         calls by clientConfig.url (repeatable; not needed in a normal install)
  --kubeconfig FILE      cluster access [KUBECONFIG]; default: ~/.kube/config, then in-cluster (kubectl's order)
  --ca-valid-days N      lifetime of a new CA (default ${DEFAULT_PLAN.caValidDays})
  --cert-valid-days N    lifetime of a new serving certificate (default ${DEFAULT_PLAN.certValidDays})

Exit status: 0 done, 1 a cluster error (one line: RBAC, no cluster, missing object), 64 usage.

Examples:
  gossip-safe certs --out-dir /tls
  gossip-safe certs --kubeconfig ~/.kube/config --namespace gossip-safe
`;

export interface CertsConfig {
  readonly target: CertsTarget;
  readonly kubeconfig?: string;
}

/** The names a Service answers to inside the cluster. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function days(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 36_500) throw new UsageError(`certs: ${name} must be a whole number of days from 1 to 36500, got "${value}"`);
  return n;
}

/** The target for a namespace with every other name at its default: what `serve --renew-certs` uses. */
export function defaultCertsTarget(namespace: string, out?: CertsTarget['out']): CertsTarget {
  return {
    namespace,
    secretName: 'gossip-safe-tls',
    mutatingWebhookConfiguration: 'gossip-safe',
    validatingWebhookConfiguration: 'gossip-safe',
    plan: { ...DEFAULT_PLAN, dnsNames: serviceDnsNames('gossip-safe', namespace) },
    ...(out === undefined ? {} : { out }),
  };
}

export function defaultNamespace(env: NodeJS.ProcessEnv): string {
  const ns = env['POD_NAMESPACE'];
  return ns === undefined || ns === '' ? 'gossip-safe' : ns;
}

export function parseCertsConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CertsConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        namespace: { type: 'string' },
        secret: { type: 'string' },
        service: { type: 'string' },
        mutating: { type: 'string' },
        validating: { type: 'string' },
        'out-dir': { type: 'string' },
        'ip-address': { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        'ca-valid-days': { type: 'string' },
        'cert-valid-days': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(`certs: ${parseArgsProblem(err)}; see "gossip-safe certs --help"`);
  }
  const namespace = values.namespace ?? defaultNamespace(env);
  const ipAddresses = values['ip-address'] ?? [];
  for (const ip of ipAddresses) if (isIP(ip) === 0) throw new UsageError(`certs: --ip-address must be an IPv4 or IPv6 address, got "${ip}"`);
  const outDir = values['out-dir'] === undefined ? undefined : resolve(values['out-dir']);
  const base = defaultCertsTarget(namespace, outDir === undefined ? undefined : { certFile: join(outDir, 'tls.crt'), keyFile: join(outDir, 'tls.key'), caFile: join(outDir, 'ca.crt') });
  const target: CertsTarget = {
    ...base,
    secretName: values.secret ?? base.secretName,
    mutatingWebhookConfiguration: values.mutating ?? base.mutatingWebhookConfiguration,
    validatingWebhookConfiguration: values.validating ?? base.validatingWebhookConfiguration,
    plan: {
      ...base.plan,
      dnsNames: serviceDnsNames(values.service ?? 'gossip-safe', namespace),
      ...(ipAddresses.length === 0 ? {} : { ipAddresses }),
      caValidDays: days('--ca-valid-days', values['ca-valid-days'], DEFAULT_PLAN.caValidDays),
      certValidDays: days('--cert-valid-days', values['cert-valid-days'], DEFAULT_PLAN.certValidDays),
    },
  };
  return values.kubeconfig === undefined ? { target } : { target, kubeconfig: values.kubeconfig };
}

/** One line per run, for logs and the terminal. */
export function describeCertsResult(target: CertsTarget, result: CertsResult): string {
  const patched = result.patchedWebhooks.MutatingWebhookConfiguration + result.patchedWebhooks.ValidatingWebhookConfiguration;
  const parts = [
    `secret ${target.namespace}/${target.secretName} ${result.secret}${result.changes.length > 0 ? ` (${result.changes.join('; ')})` : ''}`,
    `${result.caFingerprints.length} CA(s) in the bundle`,
    patched > 0 ? `caBundle written to ${patched} webhook(s)` : 'caBundle already current',
  ];
  if (target.out !== undefined) parts.push(result.filesWritten ? `files written to ${target.out.certFile.replace(/\/[^/]*$/, '')}` : 'files already current');
  return parts.join('; ');
}

/** Runs the bootstrap against the configured cluster; cluster errors become one-line exit-1 errors. */
export async function runCertsOnce(target: CertsTarget, kubeconfig: string | undefined): Promise<CertsResult> {
  // Loaded here, not at the top: only this path needs @kubernetes/client-node.
  const { createClusterApi } = await import('../kube/cert-cluster.js');
  const { ClusterAccessError, loadKubeConfig } = await import('../kube/kubeconfig.js');
  const { CertsError, reconcileCertificates } = await import('../tls/bootstrap.js');
  try {
    return await reconcileCertificates(createClusterApi(loadKubeConfig(kubeconfig === undefined ? {} : { kubeconfig })), target);
  } catch (err) {
    if (err instanceof CertsError || err instanceof ClusterAccessError) throw new UsageError(`certs: ${err.message}`, 1);
    throw err;
  }
}

/** `gossip-safe certs`. */
export async function runCerts(argv: readonly string[]): Promise<number> {
  const config = parseCertsConfig(argv);
  const result = await runCertsOnce(config.target, config.kubeconfig);
  process.stdout.write(`gossip-safe certs: ${describeCertsResult(config.target, result)}\n`);
  return 0;
}
