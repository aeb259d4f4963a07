/**
 * Cluster access for every command that talks to the Kubernetes API (`certs`, `serve
 * --renew-certs`, `audit`, the kubectl plugin): one kubeconfig loading rule, kubectl's, and one
 * way of turning a failed call into a single actionable line.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig } from '@kubernetes/client-node';

/** A cluster that cannot be reached, read or written: one line, for the user. */
export class ClusterAccessError extends Error {
  override readonly name = 'ClusterAccessError';
}

export interface ClusterTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * Loads the kubeconfig as kubectl does: --kubeconfig, else $KUBECONFIG, else ~/.kube/config,
 * else the pod's in-cluster service account; then --context.
 */
export function loadKubeConfig(target: ClusterTarget = {}, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
    if (target.kubeconfig !== undefined) kc.loadFromFile(target.kubeconfig);
    // $KUBECONFIG may list several files to merge; loadFromDefault does that.
    else if ((env['KUBECONFIG'] ?? '') !== '') kc.loadFromDefault();
    else if (existsSync(home)) kc.loadFromFile(home);
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

/** The `message` of a Kubernetes Status body (a JSON string or an object), if it has one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body.trim() === '' ? undefined : body.trim().split('\n')[0];
    }
  }
  const message = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/** Where a call went and as whom, for the messages. */
export interface CallSite {
  readonly server: string;
  readonly user: string;
  /** What to do about a 403, e.g. "bind ClusterRole gossip-safe-audit (manifests/components/audit-rbac)". */
  readonly forbiddenHint: string;
}

export function callSiteOf(kc: KubeConfig, forbiddenHint: string): CallSite {
  return { server: (kc.getCurrentCluster()?.server ?? '(unknown server)').replace(/\/+$/, ''), user: kc.getCurrentUser()?.name ?? 'the current user', forbiddenHint };
}

/**
 * Runs one API call. The HTTP statuses in `answers` are answers (returned as numbers); any other
 * failure is one ClusterAccessError line naming what was attempted, where, and what to do.
 */
export async function apiCall<T, A extends number>(site: CallSite, what: string, fn: () => Promise<T>, answers: readonly A[] = []): Promise<T | A> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiException) {
      const code = (err as ApiException<unknown>).code;
      if ((answers as readonly number[]).includes(code)) return code as A;
      const detail = statusMessage((err as ApiException<unknown>).body) ?? `HTTP ${code}`;
      if (code === 401) throw new ClusterAccessError(`unauthorized: ${what} at ${site.server}: the credentials of ${site.user} were rejected (${detail})`);
      if (code === 403) throw new ClusterAccessError(`forbidden: ${what}: RBAC does not allow it for ${site.user}; ${site.forbiddenHint} (${detail})`);
      throw new ClusterAccessError(`${what} failed: HTTP ${code}: ${detail}`);
    }
    throw new ClusterAccessError(`cannot reach the Kubernetes API at ${site.server} to ${what}: ${networkCode(err) ?? (err as Error).message.split('\n')[0]}`);
  }
}
