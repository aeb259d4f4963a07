/**
 * The audit's cluster access: the reads `gossip-safe audit` needs, and the PolicyReport writes of
 * --write-reports, over @kubernetes/client-node. Everything returned is the API's JSON; every
 * failure is one ClusterAccessError line (kube/kubeconfig.ts).
 */
import { ApisApi, AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { K8sObject } from '../offline/manifests.js';
import { apiCall, callSiteOf, ClusterAccessError } from './kubeconfig.js';

/** The one API group/version --write-reports needs, and its resource. */
export const POLICY_REPORT_GROUP = 'wgpolicyk8s.io';
export const POLICY_REPORT_VERSION = 'v1alpha2';
const POLICY_REPORT_PLURAL = 'policyreports';

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

/** A list as the API sent it, each item with the apiVersion and kind a list's items lack. */
function itemsOf(list: { items?: unknown }, what: string, apiVersion: string, kind: string): K8sObject[] {
  if (!Array.isArray(list.items)) throw new ClusterAccessError(`${what}: the API answered without items`);
  return list.items.map((o) => ({ ...(o as K8sObject), apiVersion, kind }));
}

export function createAuditClusterApi(kc: KubeConfig): AuditClusterApi {
  const site = callSiteOf(kc, 'bind ClusterRole gossip-safe-audit (manifests/components/audit-rbac)');
  const context = kc.getContextObject(kc.getCurrentContext());
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const apis = kc.makeApiClient(ApisApi);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const inNs = (namespace?: string): string => (namespace === undefined ? '' : ` in ${namespace}`);

  /** A call whose only good answers are 2xx. */
  async function must<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return (await apiCall(site, what, fn)) as T;
  }

  const workloadLists = (namespace?: string) =>
    [
      ['StatefulSet', 'statefulsets', () => (namespace === undefined ? apps.listStatefulSetForAllNamespaces() : apps.listNamespacedStatefulSet({ namespace }))],
      ['Deployment', 'deployments', () => (namespace === undefined ? apps.listDeploymentForAllNamespaces() : apps.listNamespacedDeployment({ namespace }))],
      ['DaemonSet', 'daemonsets', () => (namespace === undefined ? apps.listDaemonSetForAllNamespaces() : apps.listNamespacedDaemonSet({ namespace }))],
    ] as const;

  return {
    server: site.server,
    defaultNamespace: context?.namespace ?? 'default',
    async namespaces(namespace) {
      if (namespace === undefined) return itemsOf(await must('list namespaces', () => core.listNamespace()), 'list namespaces', 'v1', 'Namespace');
      const found = await apiCall(site, `get namespace ${namespace}`, () => core.readNamespace({ name: namespace }), [404] as const);
      if (found === 404) throw new ClusterAccessError(`namespace "${namespace}" not found`);
      return [{ ...(found as K8sObject), apiVersion: 'v1', kind: 'Namespace' }];
    },
    async pods(namespace) {
      const what = `list pods${inNs(namespace)}`;
      const list = await must(what, () => (namespace === undefined ? core.listPodForAllNamespaces() : core.listNamespacedPod({ namespace })));
      return itemsOf(list, what, 'v1', 'Pod');
    },
    async workloads(namespace) {
      const lists = await Promise.all(
        workloadLists(namespace).map(async ([kind, plural, list]) => {
          const what = `list ${plural}${inNs(namespace)}`;
          return itemsOf(await must<{ items?: unknown }>(what, list), what, 'apps/v1', kind);
        }),
      );
      return lists.flat();
    },
    async policyReportsServed() {
      const groups = (await must('discover API groups', () => apis.getAPIVersions())).groups;
      return groups.some((g) => g.name === POLICY_REPORT_GROUP && g.versions.some((v) => v.version === POLICY_REPORT_VERSION));
    },
    async applyPolicyReport(report) {
      const { namespace, name } = report.metadata;
      const what = `write PolicyReport ${namespace}/${name}`;
      const target = { group: POLICY_REPORT_GROUP, version: POLICY_REPORT_VERSION, namespace, plural: POLICY_REPORT_PLURAL };
      const current: unknown = await apiCall(site, what, () => custom.getNamespacedCustomObject({ ...target, name }) as Promise<unknown>, [404] as const);
      if (current === 404) {
        await must(what, () => custom.createNamespacedCustomObject({ ...target, body: report }));
        return 'created';
      }
      const resourceVersion = ((current as K8sObject).metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      await must(what, () => custom.replaceNamespacedCustomObject({ ...target, name, body: { ...report, metadata: { ...report.metadata, resourceVersion } } }));
      return 'updated';
    },
  };
}
