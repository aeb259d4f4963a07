import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import { datastoreExpression, imageRegex, matchConditionsPatchYaml } from '../src/manifests/match-conditions.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet, profileForImage } from '../src/profiles/profile-set.js';
import { loadReview, PROJECT_DIR, reviewFileNames } from './helpers/fixtures.js';
import { findObject, renderKustomization, type K8sObject } from './helpers/kustomize.js';

type Json = Record<string, unknown>;
const OVERLAY = join(PROJECT_DIR, 'manifests', 'overlays', 'match-conditions', 'match-conditions.yaml');
const expression = datastoreExpression(BUILTIN_PROFILES);

/** The CEL variables the apiserver gives a webhook matchCondition. */
function matches(request: Json & { object: unknown; oldObject?: unknown }): boolean {
  return evaluate(expression, { request, object: request.object, oldObject: request.oldObject ?? null }) as boolean;
}
const pod = (images: string[], annotations?: Record<string, string>): Json => ({
  kind: { group: '', version: 'v1', kind: 'Pod' },
  operation: 'CREATE',
  object: { metadata: { name: 'p', ...(annotations === undefined ? {} : { annotations }) }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
  oldObject: null,
});
const template = (images: string[], annotations?: Record<string, string>): Json => ({
  spec: { template: { metadata: { labels: { app: 'x' }, ...(annotations === undefined ? {} : { annotations }) }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } },
});
const workload = (operation: 'CREATE' | 'UPDATE', object: Json, oldObject: Json | null): Json & { object: Json } => ({
  kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
  operation,
  object: { metadata: { name: 'db' }, ...object },
  oldObject: oldObject === null ? null : { metadata: { name: 'db' }, ...oldObject },
});

test('the committed overlay is exactly what `npm run manifests:generate` writes from the built-in profiles', () => {
  expect(readFileSync(OVERLAY, 'utf8')).toBe(matchConditionsPatchYaml(BUILTIN_PROFILES, 'the built-in profiles'));
});

test('the rendered overlay is the base plus one matchCondition on every webhook entry, nothing else', () => {
  const strip = (objects: K8sObject[]): K8sObject[] =>
    objects.map((o) =>
      Array.isArray(o['webhooks']) ? { ...o, webhooks: (o['webhooks'] as Json[]).map(({ matchConditions: _ignored, ...rest }) => rest) } : o,
    );
  const overlay = renderKustomization('manifests/overlays/match-conditions');
  expect(strip(overlay)).toEqual(renderKustomization('manifests/base'));
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    for (const hook of findObject(overlay, kind, 'gossip-safe')['webhooks'] as Json[]) {
      expect(hook['matchConditions']).toEqual([{ name: 'gossip-safe-datastore', expression }]);
    }
  }
});

test('every recorded datastore review passes the condition, so the apiserver still calls the webhook', () => {
  const files = reviewFileNames();
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const review = loadReview(file);
    expect(`${file}: ${String(matches(review.request as unknown as Json & { object: unknown }))}`).toBe(`${file}: true`);
  }
});

test('pods and workloads without a datastore are skipped; override annotations and the old template still match', () => {
  expect(matches(pod(['nginx:1.27', 'envoyproxy/envoy:v1.30']) as Json & { object: Json })).toBe(false);
  expect(matches(pod(['nginx:1.27', 'docker.io/library/cassandra:4.1.5']) as Json & { object: Json })).toBe(true);
  expect(matches(pod(['mycorp/gossip-thing:1'], { 'gossip-safe.io/profile': 'serf' }) as Json & { object: Json })).toBe(true);
  expect(matches(pod(['mycorp/db:1'], { 'gossip-safe.io/migrate-from-image': 'mycorp/db:0' }) as Json & { object: Json })).toBe(true);
  expect(matches(pod(['nginx'], { 'unrelated.io/x': 'y' }) as Json & { object: Json })).toBe(false);

  expect(matches(workload('CREATE', template(['nginx']), null))).toBe(false);
  expect(matches(workload('CREATE', template(['scylladb/scylla:6.2']), null))).toBe(true);
  expect(matches(workload('UPDATE', template(['nginx:2']), template(['nginx:1'])))).toBe(false);
  // The datastore image was replaced by something unknown: validation must still see that change.
  expect(matches(workload('UPDATE', template(['mycorp/cassandra-fork:5']), template(['cassandra:4.1'])))).toBe(true);
  expect(matches(workload('UPDATE', template(['mycorp/db:5'], { 'gossip-safe.io/container': 'db' }), template(['mycorp/db:4'])))).toBe(true);
  // A template without metadata does not make the expression fail (that would count as a failure).
  expect(matches(workload('CREATE', { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } } }, null))).toBe(false);
});

test('the CEL image regex agrees with the webhook profile matching, image by image', () => {
  const check = (profiles: typeof BUILTIN_PROFILES, images: string[]): void => {
    const set = createProfileSet(profiles);
    const re = new RegExp(imageRegex(profiles));
    for (const image of images) expect(`${image}: ${re.test(image)}`).toBe(`${image}: ${profileForImage(set, image) !== undefined}`);
  };
  check(BUILTIN_PROFILES, [
    'cassandra',
    'cassandra:4.1',
    'docker.io/library/cassandra:4.1.3',
    'localhost:5000/cassandra:4.1',
    'mirror.corp:8443/dockerhub/bitnami/cassandra:4.1@sha256:0123abcd',
    'cassandra-exporter:1.0',
    'mycassandra',
    'k8ssandra/cass-management-api:4.1.5-ubi',
    'quay.io/coreos/etcd:v3.5.9',
    'registry.k8s.io/etcd:3.5.12-0',
    'example.com/etcd@sha256:0123abcd',
    'myetcd:1',
    'scylladb/scylla:6.2',
    'scylladb/scylla-manager:3',
    'hashicorp/consul-enterprise:1.16-ent',
    'hashicorp/consul-k8s-control-plane:1.4',
    'opensearchproject/opensearch:2.13.0',
    'opensearchproject/opensearch-dashboards:2',
    'docker.elastic.co/elasticsearch/elasticsearch:8.13.0',
    'docker.elastic.co/kibana/kibana:8.13.0',
    'hashicorp/serf',
    'nginx',
    'busybox:1.36',
  ]);
  const serf = BUILTIN_PROFILES.find((p) => p.name === 'serf');
  if (serf === undefined) throw new Error('no serf profile');
  check([{ ...serf, images: ['acme/*-gossip', 'chat.io'] }], ['acme/chat-gossip:1', 'acme/gossip:1', 'acme/chat:1', 'reg.io/acme/x-gossip@sha256:00', 'chat.io:2', 'chatxio:2']);
});
