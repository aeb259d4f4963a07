import fc from 'fast-check';
import { loadReview, reviewFileNames, type RecordedReview } from '../helpers/fixtures.js';

/**
 * Generators for the property tests: realistic reviews and manifests built from the recorded
 * apiserver requests and from generated datastore pod templates, and "type-confused" variants of
 * them, where values deep inside a well-formed review have the wrong JSON type (env as a map,
 * containers as an object, metadata as a string, an image that is a number...).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const RECORDED: readonly RecordedReview[] = reviewFileNames().map(loadReview);

/** A value of any JSON type, small: what a type confusion puts in place of the real value. */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([] as Json[]),
  fc.constant({}),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null), fc.constant({})), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('name', 'image', 'env', 'value', 'command', 'x'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
);

type Path = readonly (string | number)[];

/** Every path inside `value` (not the root itself), depth first. */
export function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'managedFields') continue; // large and never read: confusions there test nothing
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

/** A copy of `root` with the value at `path` replaced. */
export function replaceAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? replaceAt(v, rest, value) : v));
  if (typeof root === 'object' && root !== null) return { ...root, [head as string]: replaceAt(root[head as string] ?? null, rest, value) };
  return root;
}

/** 1 to 3 type confusions at random paths of `doc`. */
export function confused(doc: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(doc);
  if (paths.length === 0) return fc.constant(doc);
  return fc
    .array(fc.tuple(fc.nat({ max: paths.length - 1 }), wrongValue), { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce((d, [i, v]) => replaceAt(d, paths[i]!, v), doc));
}

const IMAGES = [
  'cassandra:3.11.16', 'cassandra:4.1.3', 'cassandra:5.0.2', 'cassandra', 'cassandra:latest', 'bitnami/cassandra:4.1.3-debian-12-r0',
  'mirror.example:5000/library/cassandra:4.1.3-jammy', 'cassandra@sha256:0123abcd', 'scylladb/scylla:5.2.9', 'scylladb/scylla:5.4.1',
  'hashicorp/consul:1.17.1', 'hashicorp/serf:0.10.1', 'quay.io/coreos/etcd:v3.5.9', 'quay.io/coreos/etcd:v2.3.8',
  'docker.elastic.co/elasticsearch/elasticsearch:8.11.1', 'nginx:1.25', 'busybox',
];
const image = fc.constantFrom(...IMAGES);

const envVar = fc.oneof(
  fc.record({ name: fc.constantFrom('POD_UID', 'POD_IP', 'GOSSIP_NODE_NAME', 'JVM_OPTS', 'X'), value: fc.constantFrom('$(POD_UID)', '1', '') }),
  fc.record({ name: fc.constantFrom('POD_UID', 'POD_NAME', 'POD_IP'), valueFrom: fc.record({ fieldRef: fc.record({ fieldPath: fc.constantFrom('metadata.uid', 'metadata.name', 'status.podIP') }) }) }),
);

const container = fc.record(
  {
    name: fc.constantFrom('db', 'cassandra', 'sidecar', 'gossip-premigrate'),
    image,
    args: fc.array(fc.constantFrom('-f', 'agent', '--x'), { maxLength: 2 }),
    command: fc.array(fc.constantFrom('/bin/sh', 'cassandra'), { maxLength: 2 }),
    env: fc.array(envVar, { maxLength: 4 }),
    volumeMounts: fc.array(fc.record({ name: fc.constantFrom('data', 'config'), mountPath: fc.constantFrom('/var/lib/cassandra', '/consul/data', '/var/lib/cassandra/data', '/etc') }), { maxLength: 2 }),
    lifecycle: fc.constantFrom({ preStop: { exec: { command: ['nodetool', 'drain'] } } }, {}),
  },
  { requiredKeys: ['name'] },
);

const annotations = fc.dictionary(
  fc.constantFrom('gossip-safe.io/migrate-from-image', 'gossip-safe.io/profile', 'gossip-safe.io/container', 'gossip-safe.io/premigrate-timeout', 'gossip-safe.io/allow-downgrade', 'gossip-safe.io/status', 'other'),
  fc.oneof(image, fc.constantFrom('cassandra', 'consul', 'db', 'nope', '900', '15m', 'x', 'true', '{"injected":[]}', '')),
  { maxKeys: 3 },
);

/** A generated pod template: the shapes Kubernetes allows, with values that exercise the rules. */
export const podTemplate = fc.record(
  {
    metadata: fc.record({ labels: fc.constantFrom({ app: 'db' }, { 'gossip-safe.io/inject': 'disabled' }), annotations }, { requiredKeys: [] }),
    spec: fc.record(
      {
        containers: fc.array(container, { minLength: 1, maxLength: 2 }),
        initContainers: fc.array(container, { maxLength: 1 }),
        volumes: fc.array(fc.record({ name: fc.constantFrom('data', 'config'), persistentVolumeClaim: fc.constant({ claimName: 'data' }) }, { requiredKeys: ['name'] }), { maxLength: 2 }),
        terminationGracePeriodSeconds: fc.nat({ max: 1000 }),
      },
      { requiredKeys: ['containers'] },
    ),
  },
  { requiredKeys: ['spec'] },
);

const status = fc.record(
  { replicas: fc.nat({ max: 5 }), updatedReplicas: fc.nat({ max: 5 }), currentRevision: fc.constantFrom('a', 'b'), updateRevision: fc.constantFrom('a', 'b'), observedGeneration: fc.nat({ max: 3 }) },
  { requiredKeys: [] },
);

/** A generated StatefulSet or Deployment. */
export const workload = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constantFrom('StatefulSet', 'Deployment'),
  metadata: fc.record({ name: fc.constant('db'), namespace: fc.constant('prod'), generation: fc.nat({ max: 3 }) }),
  spec: fc.record({
    replicas: fc.nat({ max: 6 }),
    template: podTemplate,
    volumeClaimTemplates: fc.constantFrom([], [{ metadata: { name: 'data' } }]),
  }),
  status,
});

function envelope(request: Record<string, Json>): Json {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'fuzz-uid', ...request } };
}

/** Generated reviews: Pod CREATEs and workload UPDATEs built from the generators above. */
export const generatedReview: fc.Arbitrary<Json> = fc.oneof(
  podTemplate.map((t) =>
    envelope({ kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'prod', object: { apiVersion: 'v1', kind: 'Pod', ...t } as unknown as Json }),
  ),
  fc.tuple(workload, workload).map(([old, now]) =>
    envelope({
      kind: { group: 'apps', version: 'v1', kind: now.kind },
      operation: 'UPDATE',
      namespace: 'prod',
      name: 'db',
      object: { ...now, status: {} } as unknown as Json,
      oldObject: { ...old, kind: now.kind } as unknown as Json,
    }),
  ),
);

/** A recorded or generated review, its object or oldObject type-confused (and sometimes the envelope). */
export const confusedReview: fc.Arbitrary<Json> = fc
  .oneof(fc.constantFrom(...(RECORDED as unknown as Json[])), generatedReview)
  .chain((review) => {
    const request = (review as { request: Record<string, Json> }).request;
    return fc.oneof(
      { weight: 8, arbitrary: confused(request['object'] ?? {}).map((object) => replaceAt(review, ['request', 'object'], object)) },
      { weight: 3, arbitrary: confused(request['oldObject'] ?? {}).map((oldObject) => replaceAt(review, ['request', 'oldObject'], oldObject)) },
      { weight: 1, arbitrary: confused(review) },
    );
  })
  .map((r) => JSON.parse(JSON.stringify(r)) as Json);

/** A manifest object (what users' files hold): a generated or recorded object, type-confused. */
export const confusedManifest: fc.Arbitrary<Json> = fc
  .oneof(
    podTemplate.map((t) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod' }, spec: t.spec }) as unknown as Json),
    workload.map((w) => ({ ...w, status: {} }) as unknown as Json),
    fc.constantFrom(...RECORDED.filter((r) => r.request.object != null).map((r) => r.request.object as unknown as Json)),
  )
  .chain(confused)
  .map((m) => JSON.parse(JSON.stringify(m)) as Json);
