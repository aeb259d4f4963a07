import { parseAllDocuments } from 'yaml';
import { CHART, runHelm } from '../chart/helm.js';
import type { K8sObject } from '../helpers/kustomize.js';
import { Cluster } from './harness/cluster.js';
import { waitFor } from './harness/procs.js';

// README "Or with Helm": `helm install` of charts/gossip-safe into the real apiserver, as a user
// runs it, then `helm uninstall`. The chart names its webhook configurations and ClusterRoles
// gossip-safe cluster-wide, exactly as manifests/ does, so it runs after uninstall.e2e.ts has
// removed the kustomize install (test/e2e/sequencer.js): Helm refuses to adopt objects it did
// not make. Without a kubelet the Deployment's pods stay Pending; the point is that the
// apiserver accepts every object the chart renders and that uninstall leaves nothing behind.
const c = new Cluster();
afterAll(async () => {
  if (ns !== undefined) helm(['uninstall', 'gossip-safe', '-n', ns, '--ignore-not-found']);
  await c.cleanup();
});
let ns: string | undefined;

const helm = (args: readonly string[]): { code: number; stdout: string; stderr: string } => runHelm([...args, '--kubeconfig', c.state.kubeconfig]);

/** `kind/name` that kubectl takes, namespaced objects in the release namespace. */
const ref = (o: K8sObject): string[] => [...(o.metadata.namespace === undefined ? [] : ['-n', o.metadata.namespace]), 'get', o.kind, o.metadata.name, '--ignore-not-found', '-o', 'json'];

test('helm install puts every object of the chart into the apiserver, helm uninstall removes every one', async () => {
  // The kustomize install is gone (uninstall.e2e.ts ran before); Helm must not meet it.
  expect(await c.ok(['get', 'mutatingwebhookconfiguration/gossip-safe', 'validatingwebhookconfiguration/gossip-safe', '--ignore-not-found', '-o', 'name'])).toBe('');
  ns = await c.namespace('helm');

  const installed = helm(['install', 'gossip-safe', CHART, '--namespace', ns]);
  expect({ code: installed.code, stderr: installed.stderr.trim() }).toEqual({ code: 0, stderr: '' });
  expect(installed.stdout).toMatch(/^STATUS: deployed$/m);

  const manifest = helm(['get', 'manifest', 'gossip-safe', '-n', ns]);
  expect(manifest.code).toBe(0);
  const objects = parseAllDocuments(manifest.stdout).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
  const kinds = objects.map((o) => o.kind);
  for (const k of ['Deployment', 'Service', 'ServiceAccount', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'PodDisruptionBudget']) expect(kinds).toContain(k);

  // Every rendered object is in the apiserver, owned by this release.
  for (const o of objects) {
    const got = await c.ok(ref(o));
    expect({ object: `${o.kind}/${o.metadata.name}`, found: got !== '' }).toEqual({ object: `${o.kind}/${o.metadata.name}`, found: true });
    const live = JSON.parse(got) as K8sObject;
    expect({ object: `${o.kind}/${o.metadata.name}`, labels: live.metadata.labels, release: live.metadata.annotations?.['meta.helm.sh/release-namespace'] })
      .toMatchObject({ labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'gossip-safe' }, release: ns });
  }
  // The apiserver calls the chart's webhooks at the Service in the release namespace, never for it.
  const mwc = await c.get<{ webhooks: { clientConfig: { service?: { namespace: string; name: string } }; namespaceSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] } }[] }>('mutatingwebhookconfiguration', 'gossip-safe');
  for (const w of mwc.webhooks) {
    expect(w.clientConfig.service).toMatchObject({ namespace: ns, name: 'gossip-safe' });
    expect(w.namespaceSelector?.matchExpressions).toContainEqual(expect.objectContaining({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining([ns]) }));
  }
  expect(helm(['status', 'gossip-safe', '-n', ns]).stdout).toMatch(/^STATUS: deployed$/m);

  const uninstalled = helm(['uninstall', 'gossip-safe', '-n', ns]);
  expect({ code: uninstalled.code, stdout: uninstalled.stdout.trim() }).toEqual({ code: 0, stdout: 'release "gossip-safe" uninstalled' });
  const left = await waitFor('helm uninstall to remove every object', async () => {
    const remaining: string[] = [];
    for (const o of objects) if ((await c.ok(ref(o))) !== '') remaining.push(`${o.kind}/${o.metadata.name}`);
    return remaining.length === 0 ? remaining : undefined;
  }, 30_000).catch(async () => {
    const remaining: string[] = [];
    for (const o of objects) if ((await c.ok(ref(o))) !== '') remaining.push(`${o.kind}/${o.metadata.name}`);
    return remaining;
  });
  expect(left).toEqual([]);
  // Helm's own release record (a Secret in the namespace) goes too.
  expect(await c.ok(['-n', ns, 'get', 'secrets', '-l', 'owner=helm', '-o', 'name'])).toBe('');
  expect(helm(['list', '-n', ns, '-q']).stdout.trim()).toBe('');
});
