import * as k8s from '@kubernetes/client-node';
import type { AdmissionReviewResponse } from '../src/admission/types.js';
import {
  ANNOTATION_MIGRATE_FROM,
  ANNOTATION_PREMIGRATE_TIMEOUT,
  ANNOTATION_STATUS,
  ENV_PREMIGRATE_TIMEOUT,
  ENV_SOURCE_IMAGE,
  ENV_TARGET_IMAGE,
  PREMIGRATE_CONTAINER,
} from '../src/contract.js';
import type { Container, Pod } from '../src/k8s/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { mutatePod } from '../src/mutate/pod.js';
import { premigrateScript } from '../src/premigrate/index.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { loadReview, type RecordedReview } from './helpers/fixtures.js';
import { decodePatch } from './helpers/review.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

const profiles = createProfileSet(BUILTIN_PROFILES);
const ctx = { profiles };
const CASSANDRA_FIXTURE = 'pod-create-from-statefulset-new-revision-cassandra.json';
const OLD_IMAGE = 'cassandra:3.11.16';

function reviewWith(file: string, annotations: Record<string, string>, mutatePodSpec?: (pod: Pod) => void): RecordedReview {
  const review = loadReview(file);
  const pod = review.request.object as Pod;
  pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } };
  mutatePodSpec?.(pod);
  return review;
}

function podOf(review: RecordedReview): Pod {
  return review.request.object as Pod;
}

function initContainers(pod: Pod): Container[] {
  return pod.spec?.initContainers ?? [];
}

function premigrateOf(pod: Pod): Container | undefined {
  return initContainers(pod).find((c) => c.name === PREMIGRATE_CONTAINER);
}

function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((v) => v.name === name)?.value ?? undefined;
}

/** What the acceptance criteria ask of the injected container, for the recorded cassandra pod. */
function expectCassandraPremigrate(pod: Pod): void {
  const inits = initContainers(pod);
  const init = inits[inits.length - 1]!;
  const main = pod.spec!.containers[0]!;
  expect(init.name).toBe(PREMIGRATE_CONTAINER);
  expect(init.image).toBe(OLD_IMAGE);
  expect(init.volumeMounts).toEqual(main.volumeMounts);
  expect(init.volumeMounts?.map((m) => m.mountPath)).toContain('/var/lib/cassandra');
  const names = init.env?.map((v) => v.name) ?? [];
  for (const name of ['CASSANDRA_SEEDS', 'MAX_HEAP_SIZE', 'HEAP_NEWSIZE', 'POD_IP', 'POD_UID', 'POD_NAME', 'POD_NAMESPACE']) {
    expect(names).toContain(name);
  }
  // Every variable of the main container, in order, then the three that steer the script.
  expect(init.env?.slice(0, main.env!.length)).toEqual(main.env);
  expect(envValue(init, ENV_TARGET_IMAGE)).toBe('cassandra:4.1.3');
  expect(envValue(init, ENV_SOURCE_IMAGE)).toBe(OLD_IMAGE);
  expect(envValue(init, ENV_PREMIGRATE_TIMEOUT)).toBe('600');
  expect(init.command?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  expect(init.command?.[2]).toBe(premigrateScript('cassandra', { dataDirs: ['/var/lib/cassandra', '/bitnami/cassandra'], timeoutSeconds: 600 }));
  expect(init.resources).toEqual(main.resources);
  expect(JSON.parse(pod.metadata?.annotations?.[ANNOTATION_STATUS] ?? '{}')).toMatchObject({
    injected: expect.arrayContaining([`initContainer:${PREMIGRATE_CONTAINER}`]) as unknown,
  });
}

describe('pre-migration injection (pure)', () => {
  test('recorded cassandra pod with migrate-from-image gets the init container; a second pass adds nothing', () => {
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }));
    const first = mutatePod(pod, ctx);
    expect(first.injected).toContain(`initContainer:${PREMIGRATE_CONTAINER}`);
    const patched = applyPatch(pod, first.patch);
    expectCassandraPremigrate(patched);
    expect(initContainers(patched)).toHaveLength(1);

    const second = mutatePod(patched, ctx);
    expect(second.patch).toEqual([]);
    expect(second.injected).toEqual([]);
  });

  test('goes after the user init containers, which are left as they were', () => {
    const userInits: Container[] = [
      { name: 'render-config', image: 'busybox:1.36', command: ['sh', '-c', 'cp /src/* /etc/cassandra/'] },
      { name: 'fix-perms', image: 'busybox:1.36', command: ['chown', '-R', '999', '/var/lib/cassandra'] },
    ];
    const pod = podOf(
      reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => {
        p.spec!.initContainers = structuredClone(userInits);
      }),
    );
    const patched = applyPatch(pod, mutatePod(pod, ctx).patch);
    expect(initContainers(patched).map((c) => c.name)).toEqual(['render-config', 'fix-perms', PREMIGRATE_CONTAINER]);
    expect(initContainers(patched).slice(0, 2)).toEqual(userInits);
    expectCassandraPremigrate(patched);
  });

  test('a user-written gossip-premigrate is kept as it is', () => {
    const own: Container = { name: PREMIGRATE_CONTAINER, image: OLD_IMAGE, command: ['/my/premigrate.sh'] };
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => (p.spec!.initContainers = [own])));
    const result = mutatePod(pod, ctx);
    expect(premigrateOf(result.object)).toEqual(own);
    expect(initContainers(result.object)).toHaveLength(1);
    expect(result.injected).not.toContain(`initContainer:${PREMIGRATE_CONTAINER}`);
  });

  test('the main container args reach the script as its arguments', () => {
    const pod = podOf(
      reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => (p.spec!.containers[0]!.args = ['-Dcassandra.ring_delay_ms=30000'])),
    );
    const init = premigrateOf(mutatePod(pod, ctx).object)!;
    expect(init.command?.[3]).toBe(PREMIGRATE_CONTAINER);
    expect(init.args).toEqual(['-Dcassandra.ring_delay_ms=30000']);
  });

  test('scylla pod gets the scylla script with its data dir', () => {
    const pod = podOf(
      reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: 'scylladb/scylla:5.4.9' }, (p) => {
        const main = p.spec!.containers[0]!;
        main.image = 'scylladb/scylla:6.0.1';
        main.volumeMounts = [{ name: 'data', mountPath: '/var/lib/scylla' }];
      }),
    );
    const result = mutatePod(pod, ctx);
    const init = premigrateOf(result.object)!;
    expect(init.image).toBe('scylladb/scylla:5.4.9');
    expect(init.command?.[2]).toBe(premigrateScript('scylla', { dataDirs: ['/var/lib/scylla'], timeoutSeconds: 600 }));
    expect(result.warnings.filter((w) => w.includes(PREMIGRATE_CONTAINER) || w.includes('migrate'))).toEqual([]);
  });
});

describe('pre-migration injection: warnings, never crashes', () => {
  test('same version in the annotation and the main container: nothing injected, a warning', () => {
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: 'docker.io/library/cassandra:4.1.3-jammy' }));
    const result = mutatePod(pod, ctx);
    expect(premigrateOf(result.object)).toBeUndefined();
    expect(result.warnings.join('\n')).toMatch(/migrate-from-image "docker.io\/library\/cassandra:4.1.3-jammy" is the version container "cassandra" already runs/);
  });

  test('profile without a pre-migration script: nothing injected, a warning', () => {
    const pod = podOf(reviewWith('pod-create-etcd.json', { [ANNOTATION_MIGRATE_FROM]: 'quay.io/coreos/etcd:v3.4.27' }));
    const result = mutatePod(pod, ctx);
    expect(result.profile).toBe('etcd');
    expect(premigrateOf(result.object)).toBeUndefined();
    expect(result.warnings.join('\n')).toContain('profile "etcd" has no pre-migration script');
  });

  test('a regular container already named gossip-premigrate: nothing injected, a warning', () => {
    const sidecar: Container = { name: PREMIGRATE_CONTAINER, image: 'busybox:1.36' };
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => p.spec!.containers.push(sidecar)));
    const result = mutatePod(pod, ctx);
    expect(initContainers(result.object)).toEqual([]);
    expect(result.warnings.join('\n')).toContain(`a regular container is already named "${PREMIGRATE_CONTAINER}"`);
  });

  test('an old image of another datastore: nothing injected, a warning', () => {
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: 'scylladb/scylla:5.4.9' }));
    const result = mutatePod(pod, ctx);
    expect(premigrateOf(result.object)).toBeUndefined();
    expect(result.warnings.join('\n')).toContain('is a scylla image, but container "cassandra" runs cassandra');
  });

  test.each([
    ['900', '900', undefined],
    ['15m', '900', undefined],
    ['1h', '3600', undefined],
    ['ten minutes', '600', 'is not a duration'],
    ['-5', '600', 'is not a duration'],
    ['5', '30', 'outside 30s..86400s; using 30s'],
    ['48h', '86400', 'outside 30s..86400s; using 86400s'],
  ])('premigrate-timeout %j gives %ss', (raw, seconds, problem) => {
    const pod = podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE, [ANNOTATION_PREMIGRATE_TIMEOUT]: raw }));
    const result = mutatePod(pod, ctx);
    const init = premigrateOf(result.object)!;
    expect(envValue(init, ENV_PREMIGRATE_TIMEOUT)).toBe(seconds);
    const timeoutWarnings = result.warnings.filter((w) => w.includes(ANNOTATION_PREMIGRATE_TIMEOUT));
    if (problem === undefined) expect(timeoutWarnings).toEqual([]);
    else expect(timeoutWarnings).toEqual([expect.stringContaining(problem)]);
  });

  test('data not on a persistent volume: no init container, and a warning saying why (issue 11 item 2)', () => {
    const pod = podOf(
      reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => {
        const main = p.spec!.containers[0]!;
        main.volumeMounts = main.volumeMounts!.filter((m) => m.mountPath !== '/var/lib/cassandra');
      }),
    );
    const result = mutatePod(pod, ctx);
    expect(premigrateOf(result.object)).toBeUndefined();
    expect(result.warnings.join('\n')).toContain('no persistent volume (PVC, volumeClaimTemplate or hostPath) of container "cassandra" holds the cassandra data');
  });

  test('a main container command: warned', () => {
    const pod = podOf(
      reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE }, (p) => {
        p.spec!.containers[0]!.command = ['/opt/start.sh'];
      }),
    );
    const result = mutatePod(pod, ctx);
    expect(premigrateOf(result.object)?.image).toBe(OLD_IMAGE);
    expect(result.warnings.join('\n')).toContain('container "cassandra" sets command');
  });
});

describe('pre-migration injection through the HTTPS webhook', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook();
  });
  afterAll(async () => {
    await webhook.stop();
  });

  test('patch adds gossip-premigrate last; resending the patched pod gives no patch', async () => {
    const review = reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE });
    const res = await webhook.client.postJson('/mutate?timeout=10s', review);
    expect(res.status).toBe(200);
    const body = res.json<AdmissionReviewResponse>();
    expect(body.response.allowed).toBe(true);
    const patch = decodePatch(body);
    expect(patch.some((op) => op.path.startsWith('/metadata/managedFields'))).toBe(false);
    const patched = applyPatch(podOf(review), patch);
    expectCassandraPremigrate(patched);

    const again = structuredClone(review);
    again.request.object = patched;
    const res2 = await webhook.client.postJson('/mutate?timeout=10s', again);
    const body2 = res2.json<AdmissionReviewResponse>();
    expect(body2.response.allowed).toBe(true);
    expect(decodePatch(body2)).toEqual([]);
  });

  test('an invalid timeout annotation is answered with a warning, not an error', async () => {
    const review = reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE, [ANNOTATION_PREMIGRATE_TIMEOUT]: 'soon' });
    const body = (await webhook.client.postJson('/mutate', review)).json<AdmissionReviewResponse>();
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings?.join('\n')).toContain(`${ANNOTATION_PREMIGRATE_TIMEOUT}="soon" is not a duration`);
    expect(envValue(premigrateOf(applyPatch(podOf(review), decodePatch(body)))!, ENV_PREMIGRATE_TIMEOUT)).toBe('600');
  });
});

/**
 * Checks a value against the Kubernetes OpenAPI model as @kubernetes/client-node generates it:
 * every field known, every type right. Returns the problems found.
 */
type AttributeMap = readonly { name: string; baseName: string; type: string }[];
function modelProblems(value: unknown, type: string, path: string): string[] {
  if (type === 'string' || type === 'number' || type === 'boolean') {
    return typeof value === type ? [] : [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
  }
  if (type === 'IntOrString') return typeof value === 'string' || typeof value === 'number' ? [] : [`${path}: expected int or string`];
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    return Array.isArray(value) ? value.flatMap((v, i) => modelProblems(v, array[1]!, `${path}[${i}]`)) : [`${path}: expected a list`];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (typeof value !== 'object' || value === null) return [`${path}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => modelProblems(v, map[1]!, `${path}.${k}`));
  }
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>)[type];
  const attributes = model?.getAttributeTypeMap?.();
  if (attributes === undefined) return [`${path}: unknown model type ${type}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object (${type})`];
  const byName = new Map(attributes.map((a) => [a.baseName, a.type] as const));
  return Object.entries(value).flatMap(([k, v]) => {
    const t = byName.get(k);
    return t === undefined ? [`${path}.${k}: not a field of ${type}`] : modelProblems(v, t, `${path}.${k}`);
  });
}

describe('the injected init container is a valid Kubernetes init container', () => {
  const pod = applyPatch(
    podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE })),
    mutatePod(podOf(reviewWith(CASSANDRA_FIXTURE, { [ANNOTATION_MIGRATE_FROM]: OLD_IMAGE })), ctx).patch,
  );
  const init = premigrateOf(pod)!;

  test('every field is a V1Container field of the right type', () => {
    expect(modelProblems(init, 'V1Container', 'initContainers[0]')).toEqual([]);
  });

  test('the type check itself rejects an unknown field and a wrong type', () => {
    expect(modelProblems({ ...init, restartAfter: 3 }, 'V1Container', 'c')).toEqual(['c.restartAfter: not a field of V1Container']);
    expect(modelProblems({ ...init, command: '/bin/sh' }, 'V1Container', 'c')).toEqual(['c.command: expected a list']);
  });

  test('no field a Pod forbids on init containers; a DNS-1123 label name unique in the pod', () => {
    for (const forbidden of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe', 'restartPolicy', 'resizePolicy', 'ports']) {
      expect(init).not.toHaveProperty(forbidden);
    }
    expect(init.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    const names = [...pod.spec!.containers, ...initContainers(pod)].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('env names are unique and every volumeMount names a pod volume', () => {
    const envNames = init.env!.map((v) => v.name);
    expect(new Set(envNames).size).toBe(envNames.length);
    const volumes = new Set(pod.spec!.volumes!.map((v) => v.name));
    for (const m of init.volumeMounts!) expect(volumes.has(m.name)).toBe(true);
    expect(['File', 'FallbackToLogsOnError']).toContain(init['terminationMessagePolicy']);
  });
});
