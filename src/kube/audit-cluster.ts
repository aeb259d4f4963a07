/**
 * The audit's cluster-facing layer (DESIGN §5: cluster access stays at the edge): the reads
 * `gossip-safe audit` needs, and the PolicyReport writes of --write-reports, over the kubeconfig
 * through @kubernetes/client-node. Everything returned is the API's JSON as sent; every failure
 * is one ClusterAccessError line.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { K8sObject } from '../offline/manifests.js';

export class ClusterAccessError extends Error {
  override readonly name = 'ClusterAccessError';
}

/** The one API group/version --write-reports needs, and its resource. */
export const POLICY_REPORT_GROUP = 'wgpolicyk8s.io';
export const POLICY_REPORT_VERSION = 'v1alpha2';

export interface ClusterTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
}

export interface AuditClusterApi {
  /** The server URL and the context's default namespace (kubectl's rule: else `default`). */
  readonly server: string;
  readonly defaultNamespace: string;
  /** Namespaces: all of them, or the named one (missing: an error). */
  namespaces(namespace?: string): Promise<K8sObject[]>;
  pods(namespace?: string): Promise<K8sObject[]>;
  /** StatefulSets, Deployments and DaemonSets, with apiVersion and kind set. */
  workloads(namespace?: string): Promise<K8sObject[]>;
  /** Whether the apiserver serves wgpolicyk8s.io/v1alpha2 (the PolicyReport CRD is installed). */
  policyReportsServed(): Promise<boolean>;
  /** Creates the report, or replaces the one of the same name. Returns created or updated. */
  applyPolicyReport(report: { readonly metadata: { readonly name: string; readonly namespace: string } }): Promise<'created' | 'updated'>;
}

/** Loads the kubeconfig as kubectl does: --kubeconfig, $KUBECONFIG, ~/.kube/config, in-cluster; then --context. */
export function loadKubeConfig(target: ClusterTarget, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (target.kubeconfig !== undefined) kc.loadFromFile(target.kubeconfig);
    else if ((env['KUBECONFIG'] ?? '') !== '' || existsSync(join(homedir(), '.kube', 'config'))) kc.loadFromDefault();
    else if ((env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') kc.loadFromCluster();
    else throw new ClusterAccessError('no cluster configured: set KUBECONFIG, pass --kubeconfig FILE, or run in a pod');
  } catch (err) {
    if (err instanceof ClusterAccessError) throw err;
    throw new ClusterAccessError(`cannot load the kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
  if (target.context !== undefined) {
    if (kc.getContextObject(target.context) === null) throw new ClusterAccessError(`context "${target.context}" is not in the kubeconfig`);
    kc.setCurrentContext(target.context);
  }
  if (kc.getCurrentCluster() === null) throw new ClusterAccessError('the kubeconfig has no current cluster: set current-context or pass --context');
  return kc;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

function messageOf(body: unknown): string | undefined {
  const m = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : undefined;
}

const WORKLOADS = [
  { kind: 'StatefulSet', plural: 'statefulsets' },
  { kind: 'Deployment', plural: 'deployments' },
  { kind: 'DaemonSet', plural: 'daemonsets' },
] as const;

export function createAuditClusterApi(kc: KubeConfig): AuditClusterApi {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new ClusterAccessError('the kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const user = kc.getCurrentUser()?.name ?? 'the current user';
  const context = kc.getContextObject(kc.getCurrentContext());
  const defaultNamespace = context?.namespace ?? 'default';

  async function call(method: string, path: string, body?: unknown): Promise<Reply> {
    const url = new URL(server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const options: RequestOptions = {
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? 443 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) }) },
      timeout: 30_000,
    };
    await kc.applyToHTTPSOptions(options);
    return new Promise<Reply>((resolve, reject) => {
      const req = httpsRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            // not JSON: keep the text for the message
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (err: NodeJS.ErrnoException) => reject(new ClusterAccessError(`cannot reach the Kubernetes API at ${server}: ${err.code ?? err.message}`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A call whose only good answers are 2xx (and, where listed, these statuses). */
  async function expect(what: string, method: string, path: string, body?: unknown, also: readonly number[] = []): Promise<Reply> {
    const reply = await call(method, path, body);
    if ((reply.status >= 200 && reply.status < 300) || also.includes(reply.status)) return reply;
    const detail = messageOf(reply.body) ?? `HTTP ${reply.status}`;
    if (reply.status === 401) throw new ClusterAccessError(`unauthorized: ${what} at ${server}: the credentials of ${user} were rejected (${detail})`);
    if (reply.status === 403) {
      throw new ClusterAccessError(`forbidden: ${what}: RBAC does not allow it for ${user}; bind ClusterRole gossip-safe-audit (manifests/components/audit-rbac) (${detail})`);
    }
    throw new ClusterAccessError(`${what} failed: HTTP ${reply.status}: ${detail}`);
  }

  async function items(what: string, path: string, apiVersion: string, kind: string): Promise<K8sObject[]> {
    const reply = await expect(what, 'GET', path);
    const list = (reply.body as { items?: unknown }).items;
    if (!Array.isArray(list)) throw new ClusterAccessError(`${what}: the API answered without items`);
    return list.map((o) => ({ ...(o as K8sObject), apiVersion, kind }));
  }

  const scoped = (prefix: string, plural: string, namespace?: string): string =>
    namespace === undefined ? `${prefix}/${plural}` : `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}`;

  return {
    server,
    defaultNamespace,
    async namespaces(namespace) {
      if (namespace === undefined) return items('list namespaces', '/api/v1/namespaces', 'v1', 'Namespace');
      const reply = await expect(`get namespace ${namespace}`, 'GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`, undefined, [404]);
      if (reply.status === 404) throw new ClusterAccessError(`namespace "${namespace}" not found`);
      return [{ ...(reply.body as K8sObject), apiVersion: 'v1', kind: 'Namespace' }];
    },
    async pods(namespace) {
      return items(`list pods${namespace === undefined ? '' : ` in ${namespace}`}`, scoped('/api/v1', 'pods', namespace), 'v1', 'Pod');
    },
    async workloads(namespace) {
      const lists = await Promise.all(
        WORKLOADS.map((w) => items(`list ${w.plural}${namespace === undefined ? '' : ` in ${namespace}`}`, scoped('/apis/apps/v1', w.plural, namespace), 'apps/v1', w.kind)),
      );
      return lists.flat();
    },
    async policyReportsServed() {
      const reply = await expect('discover API groups', 'GET', '/apis');
      const groups = (reply.body as { groups?: { name?: string; versions?: { version?: string }[] }[] }).groups ?? [];
      return groups.some((g) => g.name === POLICY_REPORT_GROUP && (g.versions ?? []).some((v) => v.version === POLICY_REPORT_VERSION));
    },
    async applyPolicyReport(report) {
      const { namespace, name } = report.metadata;
      const base = `/apis/${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}/namespaces/${encodeURIComponent(namespace)}/policyreports`;
      const what = `write PolicyReport ${namespace}/${name}`;
      const current = await expect(what, 'GET', `${base}/${encodeURIComponent(name)}`, undefined, [404]);
      if (current.status === 404) {
        await expect(what, 'POST', base, report);
        return 'created';
      }
      const resourceVersion = ((current.body as K8sObject).metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      await expect(what, 'PUT', `${base}/${encodeURIComponent(name)}`, { ...report, metadata: { ...report.metadata, resourceVersion } });
      return 'updated';
    },
  };
}
