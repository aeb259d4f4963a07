import { datastoreStatefulSet, expectSameVerdict, judgeBoth } from './helpers/both-paths.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 24's examples: version changes upstream does not support, each denied in enforce mode
 * by the webhook and by `check` alike, with the path to take.
 */
let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

const MIGRATE_FROM = 'gossip-safe.io/migrate-from-image';

/** Old and new StatefulSet; an upgrade carries its migration step, so only the path is judged. */
function pair(oldImage: string, newImage: string, upgrade: boolean): [ReturnType<typeof datastoreStatefulSet>, ReturnType<typeof datastoreStatefulSet>] {
  const before = datastoreStatefulSet(oldImage);
  const after = datastoreStatefulSet(newImage);
  if (upgrade) (after as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata.annotations = { [MIGRATE_FROM]: oldImage };
  return [before, after];
}

test.each<[string, string, string, string, string]>([
  ['Cassandra 3.11 -> 5.0', 'cassandra:3.11.16', 'cassandra:5.0.2', 'unsupported-upgrade', 'upgrade to 4.1 first'],
  ['Cassandra 2.2 -> 4.1', 'cassandra:2.2.19', 'cassandra:4.1.5', 'unsupported-upgrade', 'upgrade to 3.11 first'],
  ['Cassandra 4.1 -> 4.0', 'cassandra:4.1.5', 'cassandra:4.0.13', 'unsupported-downgrade', 'restoring the snapshot'],
  ['ScyllaDB 5.2 -> 6.0', 'scylladb/scylla:5.2.19', 'scylladb/scylla:6.0.4', 'unsupported-upgrade', 'upgrade to 5.4 first'],
  ['Elasticsearch 8.12 -> 8.11', 'docker.elastic.co/elasticsearch/elasticsearch:8.12.2', 'docker.elastic.co/elasticsearch/elasticsearch:8.11.4', 'unsupported-downgrade', 'cannot downgrade a node'],
  ['Elasticsearch 7.10 -> 8.15', 'docker.elastic.co/elasticsearch/elasticsearch:7.10.2', 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3', 'unsupported-upgrade', 'upgrade to 7.17 first'],
  ['etcd v3.4 -> v3.6', 'quay.io/coreos/etcd:v3.4.37', 'quay.io/coreos/etcd:v3.6.4', 'unsupported-upgrade', 'upgrade to 3.5 first'],
  ['etcd v3.6 -> v3.5', 'quay.io/coreos/etcd:v3.6.4', 'quay.io/coreos/etcd:v3.5.21', 'unsupported-downgrade', 'etcdctl downgrade enable 3.5'],
])('%s is denied in enforce, by the webhook and by check, with the way to go', async (_name, oldImage, newImage, rule, advice) => {
  const [before, after] = pair(oldImage, newImage, rule === 'unsupported-upgrade');
  const v = await judgeBoth(webhook, before, after);
  expectSameVerdict(v);
  expect(v.webhook.allowed).toBe(false);
  expect(v.webhook.status?.code).toBe(403);
  expect(v.webhook.status?.message).toContain(advice);
  expect(v.check.findings).toContainEqual(expect.objectContaining({ rule, level: 'error' }));
});
