import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Cluster, injectionStatus, type PodJson } from './harness/cluster.js';
import { podYaml } from './harness/objects.js';
import { renderForLocalWebhook } from './harness/webhook.js';

// The match-conditions overlay (README install, variants) on this apiserver: it is accepted, and
// a pod without a datastore container is never sent to the webhook at all.
const c = new Cluster();
const { kubectl, kubeconfig, dir } = c.state;
const { host, port } = c.state.webhook;

async function applyRendered(kustomization: string): Promise<void> {
  const { yaml } = await renderForLocalWebhook(kubectl, kubeconfig, kustomization, host, port);
  const file = join(dir, `${kustomization.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, yaml);
  await c.ok(['apply', '-f', file]);
}

afterAll(async () => {
  await applyRendered('manifests'); // back to the base: the overlay's matchConditions removed
  await c.cleanup();
});

interface WebhookConfig {
  webhooks: { name: string; matchConditions?: { name: string; expression: string }[]; clientConfig: { caBundle?: string } }[];
}

const sent = (ns: string, name: string): number => c.admissions().filter((l) => l.namespace === ns && l.name === name && l.webhook === 'mutate').length;

test('overlays/match-conditions is accepted by the apiserver, and pods without a datastore are never sent to the webhook', async () => {
  const ns = await c.namespace('mc', { 'gossip-safe.io/inject': 'enabled' });
  // Control, with the base configuration: a pod without a datastore is sent (and allowed unchanged).
  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml({ name: 'web-before', image: 'nginx:1.27' }));
  expect(sent(ns, 'web-before')).toBe(1);

  const kinds = ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration'];
  const bundlesBefore = await Promise.all(kinds.map(async (kind) => (await c.get<WebhookConfig>(kind, 'gossip-safe')).webhooks.map((w) => w.clientConfig.caBundle)));
  expect(bundlesBefore.flat().every((b) => typeof b === 'string' && b.length > 0)).toBe(true);
  await applyRendered('manifests/overlays/match-conditions');
  for (const [i, kind] of kinds.entries()) {
    const config = await c.get<WebhookConfig>(kind, 'gossip-safe');
    for (const w of config.webhooks) expect(w.matchConditions?.length).toBeGreaterThan(0);
    // The bootstrap's caBundle survives the re-apply, unchanged.
    expect(config.webhooks.map((w) => w.clientConfig.caBundle)).toEqual(bundlesBefore[i]);
  }

  const before = await c.metric('gossip_safe_admissions_total', { webhook: 'mutate' });
  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml({ name: 'web', image: 'nginx:1.27' }));
  expect(await c.metric('gossip_safe_admissions_total', { webhook: 'mutate' })).toBe(before);
  expect(sent(ns, 'web')).toBe(0);
  expect(injectionStatus(await c.get<PodJson>('pod', 'web', ns))).toBeUndefined();

  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml({ name: 'db', image: 'cassandra:4.1.5' }));
  expect(await c.metric('gossip_safe_admissions_total', { webhook: 'mutate' })).toBe(before + 1);
  expect(injectionStatus(await c.get<PodJson>('pod', 'db', ns))).toMatchObject({ profile: 'cassandra' });
});
