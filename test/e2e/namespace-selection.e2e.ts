import { Cluster, injectionStatus, type PodJson } from './harness/cluster.js';
import { podYaml } from './harness/objects.js';

// README install step 3 and the namespace/object selectors of both webhook configurations, as
// the apiserver applies them.
const c = new Cluster();
afterAll(() => c.cleanup());

const seen = (namespace: string, name: string): string[] =>
  c.admissions().filter((l) => l.namespace === namespace && l.name === name).map((l) => `${l.webhook}:${l.decision}`);

test('opt-in by namespace label, opt-out by pod label: only opted-in pods are sent to the webhook and injected', async () => {
  const shop = await c.namespace('shop');
  await c.ok(['label', 'namespace', shop, 'gossip-safe.io/inject=enabled']);
  const plain = await c.namespace('plain');

  // Mutation warnings reach the user as kubectl prints admission warnings (README).
  const applied = await c.kubectl(['-n', shop, 'apply', '-f', '-'], podYaml({ name: 'db', image: 'cassandra:4.1.5' }));
  expect(applied.code).toBe(0);
  expect(applied.stderr).toContain('Warning: gossip-safe: terminationGracePeriodSeconds raised from 30 to 120 (cassandra minimum)\n');
  await c.ok(['-n', shop, 'apply', '-f', '-'], podYaml({ name: 'db-opted-out', image: 'cassandra:4.1.5', labels: { 'gossip-safe.io/inject': 'disabled' } }));
  await c.ok(['-n', plain, 'apply', '-f', '-'], podYaml({ name: 'db', image: 'cassandra:4.1.5' }));

  const injected = await c.get<PodJson>('pod', 'db', shop);
  expect(injectionStatus(injected)).toMatchObject({ profile: 'cassandra', container: 'main' });
  expect(injected.spec.terminationGracePeriodSeconds).toBe(120);
  expect(injected.spec.containers[0]?.env?.map((e) => e.name)).toEqual(['POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP']);
  expect(seen(shop, 'db')).toEqual(['mutate:patched']);

  for (const [ns, name] of [[shop, 'db-opted-out'], [plain, 'db']] as const) {
    const pod = await c.get<PodJson>('pod', name, ns);
    expect(injectionStatus(pod)).toBeUndefined();
    expect(pod.spec.containers[0]?.env).toBeUndefined();
    expect(seen(ns, name)).toEqual([]);
  }
});

test('kube-system and the webhook namespace are never sent to either webhook, whatever their labels say', async () => {
  // A pod that each webhook would change or refuse if it were called: the mutating webhook
  // would inject, and enforce would deny a migrate-from-image without gossip-premigrate.
  const pod = (name: string, restricted: boolean): string =>
    podYaml({ name, image: 'cassandra:5.0.2', annotations: { 'gossip-safe.io/migrate-from-image': 'cassandra:4.1.5' }, restricted });
  const before = await c.metric('gossip_safe_admissions_total');
  for (const ns of ['kube-system', 'gossip-safe']) {
    const original = (await c.get<{ metadata: { labels?: Record<string, string> } }>('namespace', ns)).metadata.labels ?? {};
    try {
      await c.ok(['label', '--overwrite', 'namespace', ns, 'gossip-safe.io/inject=enabled', 'gossip-safe.io/policy=enforce']);
      const created = await c.kubectl(['-n', ns, 'apply', '-f', '-'], pod('e2e-excluded-db', ns === 'gossip-safe'));
      expect({ ns, code: created.code, stderr: created.stderr }).toEqual({ ns, code: 0, stderr: '' });
      const got = await c.get<PodJson>('pod', 'e2e-excluded-db', ns);
      expect(injectionStatus(got)).toBeUndefined();
      expect(got.spec.initContainers).toBeUndefined();
    } finally {
      await c.kubectl(['-n', ns, 'delete', 'pod', 'e2e-excluded-db', '--ignore-not-found', '--wait=false']);
      const restore = ['gossip-safe.io/inject', 'gossip-safe.io/policy'].map((k) => (original[k] === undefined ? `${k}-` : `${k}=${original[k]}`));
      await c.ok(['label', '--overwrite', 'namespace', ns, ...restore]);
    }
  }
  expect(c.admissions().filter((l) => l.namespace === 'kube-system' || l.namespace === 'gossip-safe')).toEqual([]);
  expect(await c.metric('gossip_safe_admissions_total')).toBe(before);
});
