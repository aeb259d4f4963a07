import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { validateObject } from '../src/validate/index.js';
import { datastoreStatefulSet } from './helpers/both-paths.js';

/**
 * Rollout shape for datastores whose upgrades need pre-migration (issue 24): more than one pod
 * down at once is denied on a version change; Parallel pod management and OnDelete are warned.
 */
const profiles = createProfileSet(BUILTIN_PROFILES);
type Spec = { updateStrategy?: unknown; podManagementPolicy?: string; replicas?: number; template: { metadata: { annotations?: Record<string, string> } } };

function update(shape: (spec: Spec) => void, oldImage = 'cassandra:4.1.5', newImage = 'cassandra:5.0.2'): string[] {
  const before = datastoreStatefulSet(oldImage, '/var/lib/cassandra');
  const after = datastoreStatefulSet(newImage, '/var/lib/cassandra');
  for (const o of [before, after]) shape((o as { spec: Spec }).spec);
  if (oldImage !== newImage) (after as { spec: Spec }).spec.template.metadata.annotations = { 'gossip-safe.io/migrate-from-image': oldImage };
  return validateObject({ operation: 'UPDATE', kind: 'StatefulSet', namespace: 'data', name: 'db', object: after, oldObject: before }, { profiles }).map((v) => `${v.rule}:${v.severity}`);
}

test.each<[string, (s: Spec) => void, string[]]>([
  ['maxUnavailable 2 on a version change: denied', (s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }; }, ['rollout-max-unavailable:deny']],
  // The StatefulSet controller rounds a percentage up (getStatefulSetMaxUnavailable).
  ['maxUnavailable 50% of 3 replicas (rounds up to 2): denied', (s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } }; }, ['rollout-max-unavailable:deny']],
  ['maxUnavailable 33% of 3 replicas (rounds up to 1): fine', (s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '33%' } }; }, []],
  ['maxUnavailable 100% of 3 replicas: denied', (s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } }; }, ['rollout-max-unavailable:deny']],
  ['maxUnavailable 1: fine', (s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }; }, []],
  ['OnDelete on a version change: warned', (s) => { s.updateStrategy = { type: 'OnDelete' }; }, ['rollout-on-delete:warn']],
])('%s', (_name, shape, expected) => {
  expect(update(shape)).toEqual(expected);
});

test('no version change: maxUnavailable 2 and OnDelete are not judged (only at the moment they matter)', () => {
  expect(update((s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }; }, 'cassandra:4.1.5', 'cassandra:4.1.5')).toEqual([]);
  expect(update((s) => { s.updateStrategy = { type: 'OnDelete' }; }, 'cassandra:4.1.5', 'cassandra:4.1.5')).toEqual([]);
});

test('a datastore without pre-migration (etcd) is not judged on its rollout shape', () => {
  expect(update((s) => { s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }; s.podManagementPolicy = 'Parallel'; }, 'quay.io/coreos/etcd:v3.5.20', 'quay.io/coreos/etcd:v3.5.21')).toEqual([]);
});

test('podManagementPolicy Parallel is warned at CREATE (the field is immutable; re-applies do not repeat it)', () => {
  const sts = datastoreStatefulSet('cassandra:5.0.2', '/var/lib/cassandra');
  (sts as { spec: Spec }).spec.podManagementPolicy = 'Parallel';
  const found = validateObject({ operation: 'CREATE', kind: 'StatefulSet', namespace: 'data', name: 'db', object: sts }, { profiles });
  expect(found.map((v) => `${v.rule}:${v.severity}`)).toContain('rollout-parallel-pods:warn');
  expect(update((s) => { s.podManagementPolicy = 'Parallel'; })).toEqual([]);
});
