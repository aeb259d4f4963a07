import type { AdmissionRequest } from '../src/admission/types.js';
import type { Workload } from '../src/k8s/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { mutateWorkloadUpdate } from '../src/mutate/workload.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { handleMutation } from '../src/webhook/mutate.js';
import { loadReview } from './helpers/fixtures.js';

const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };
const recorded = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;
const KEY = 'gossip-safe.io/migrate-from-image';

function pair(oldImage: string, newImage: string, annotations: { old?: string; now?: string } = {}): [Workload, Workload] {
  const old = structuredClone(recorded.oldObject) as Workload;
  const now = structuredClone(recorded.object) as Workload;
  old.spec!.template!.spec!.containers[0]!.image = oldImage;
  now.spec!.template!.spec!.containers[0]!.image = newImage;
  if (annotations.old !== undefined) old.spec!.template!.metadata = { ...old.spec!.template!.metadata, annotations: { [KEY]: annotations.old } };
  if (annotations.now !== undefined) now.spec!.template!.metadata = { ...now.spec!.template!.metadata, annotations: { [KEY]: annotations.now } };
  return [old, now];
}

function annotationAfter(old: Workload, now: Workload): string | undefined {
  const result = mutateWorkloadUpdate(old, now, ctx);
  const patched = applyPatch(now, result.patch);
  expect(result.object).toEqual(patched);
  return patched.spec?.template?.metadata?.annotations?.[KEY];
}

describe('mutateWorkloadUpdate', () => {
  test.each<[string, [Workload, Workload], string | undefined]>([
    ['major upgrade: old image recorded', pair('cassandra:3.11.16', 'cassandra:4.1.3'), 'cassandra:3.11.16'],
    ['digest-pinned old image: recorded as is', pair('cassandra:3.11.16@sha256:aa', 'cassandra:4.1.3'), 'cassandra:3.11.16@sha256:aa'],
    ['unpinned old image (latest) is never recorded', pair('cassandra', 'cassandra:4.1.3'), undefined],
    ['patch release: nothing', pair('cassandra:4.1.3', 'cassandra:4.1.5'), undefined],
    ['patch release over a stale annotation: brought up to date', pair('cassandra:4.1.3', 'cassandra:4.1.5', { old: 'cassandra:3.11.16', now: 'cassandra:3.11.16' }), 'cassandra:4.1.3'],
    ['next major over a stale annotation: brought up to date', pair('cassandra:4.1.3', 'cassandra:5.0.2', { old: 'cassandra:3.11.16', now: 'cassandra:3.11.16' }), 'cassandra:4.1.3'],
    ['annotation dropped without a version change: put back', pair('cassandra:4.1.3', 'cassandra:4.1.3', { old: 'cassandra:3.11.16' }), 'cassandra:3.11.16'],
    ['annotation kept: nothing to do', pair('cassandra:4.1.3', 'cassandra:4.1.3', { old: 'cassandra:3.11.16', now: 'cassandra:3.11.16' }), 'cassandra:3.11.16'],
    ['user changes the annotation without a version change: theirs kept', pair('cassandra:4.1.3', 'cassandra:4.1.3', { old: 'cassandra:3.11.16', now: 'cassandra:4.0.11' }), 'cassandra:4.0.11'],
    ['scylla minor: recorded (migrateOn minor)', pair('scylladb/scylla:5.2.9', 'scylladb/scylla:5.4.1'), 'scylladb/scylla:5.2.9'],
    ['serf: never', pair('hashicorp/serf:0.10.1', 'hashicorp/serf:0.10.2'), undefined],
    ['consul (optional): never', pair('hashicorp/consul:1.16.2', 'hashicorp/consul:1.17.1'), undefined],
  ])('%s', (_name, [old, now], expected) => {
    expect(annotationAfter(old, now)).toBe(expected);
  });

  test('no patch for updates that change nothing we own, and the inputs are never modified', () => {
    const [old, now] = pair('cassandra:4.1.3', 'cassandra:4.1.3');
    now.metadata = { ...now.metadata, labels: { team: 'data' } };
    now.spec!.replicas = 5;
    now.status = { replicas: 5 };
    const before = structuredClone([old, now]);
    const result = mutateWorkloadUpdate(old, now, ctx);
    expect(result.patch).toEqual([]);
    expect(result.object).toBe(now);
    expect([old, now]).toEqual(before);
  });

  test('a template labelled gossip-safe.io/inject=disabled is left alone (its pods get no init container)', () => {
    const [old, now] = pair('cassandra:3.11.16', 'cassandra:4.1.3');
    now.spec!.template!.metadata = { ...now.spec!.template!.metadata, labels: { app: 'cassandra', 'gossip-safe.io/inject': 'disabled' } };
    expect(mutateWorkloadUpdate(old, now, ctx).patch).toEqual([]);
  });

  test('a second pass over its own output changes nothing', () => {
    const [old, now] = pair('cassandra:3.11.16', 'cassandra:4.1.3');
    const first = mutateWorkloadUpdate(old, now, ctx);
    expect(first.injected).toEqual(['annotation:migrate-from-image']);
    expect(first).toMatchObject({ profile: 'cassandra', container: 'cassandra' });
    expect(mutateWorkloadUpdate(old, first.object, ctx).patch).toEqual([]);
  });

  test('malformed objects are stopped at the boundary: no patch, a warning naming the field', () => {
    const [old] = pair('cassandra:3.11.16', 'cassandra:3.11.16');
    const request = (object: unknown, oldObject: unknown): AdmissionRequest => ({
      uid: 'u', kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' }, operation: 'UPDATE', namespace: 'db', name: 'cassandra', object, oldObject,
    });
    const bad = handleMutation(request({ spec: { template: { spec: { containers: 'x' } } } }, old), ctx);
    expect(bad).toMatchObject({ allowed: true, warnings: ['gossip-safe: statefulset db/cassandra: object.spec.template.spec.containers is a string, not a list; nothing injected'] });
    expect(bad.patch).toBeUndefined();
    expect(handleMutation(request(old, {}), ctx).warnings).toEqual([
      'gossip-safe: statefulset db/cassandra: oldObject.spec is missing; nothing injected',
    ]);
  });
});
