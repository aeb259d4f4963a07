import type { Workload } from '../../src/k8s/types.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { handleValidation } from '../../src/webhook/validate.js';
import type { AdmissionRequest } from '../../src/admission/types.js';
import { loadReview } from '../helpers/fixtures.js';

/**
 * `scale-during-rollout` (issue 11 item 7): a replicas increase while a datastore version rollout
 * is unfinished would bootstrap new pods into a ring of mixed versions.
 */
const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };
const recorded = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;
const KEY = 'gossip-safe.io/migrate-from-image';
const UNFINISHED = { replicas: 3, updatedReplicas: 1, currentRevision: 'cassandra-a', updateRevision: 'cassandra-b', observedGeneration: 2 };
const FINISHED = { replicas: 3, updatedReplicas: 3, currentRevision: 'cassandra-b', updateRevision: 'cassandra-b', observedGeneration: 2 };

/** The stored object mid-upgrade 3.11.16 -> 4.1.3 (as the mutating webhook left it), and an edit that scales it. */
function scaling(options: { from?: string; status?: Record<string, unknown>; replicas?: number; image?: string; kind?: string } = {}): AdmissionRequest {
  const old = structuredClone(recorded.oldObject) as Workload;
  old.kind = options.kind ?? 'StatefulSet';
  old.metadata = { ...old.metadata, generation: 2 };
  const template = old.spec!.template!;
  template.spec!.containers[0]!.image = options.image ?? 'cassandra:4.1.3';
  if (options.from !== undefined) template.metadata = { ...template.metadata, annotations: { [KEY]: options.from } };
  old.status = options.status ?? UNFINISHED;
  const now = structuredClone(old);
  delete now.status;
  now.spec!.replicas = options.replicas ?? 5;
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: old.kind },
    operation: 'UPDATE',
    namespace: 'cassandra-prod',
    name: 'cassandra',
    object: now,
    oldObject: old,
  };
}

describe('scale-during-rollout', () => {
  test('enforce denies a scale-up during an unfinished major upgrade, naming both versions and the fix', () => {
    const outcome = handleValidation(scaling({ from: 'cassandra:3.11.16' }), ctx, 'enforce');
    expect(outcome.allowed).toBe(false);
    expect(outcome.rules).toEqual(['scale-during-rollout']);
    expect(outcome.status?.message).toBe(
      'statefulset cassandra-prod/cassandra: replicas 3 -> 5 while the cassandra rollout 3.11.16 -> 4.1.3 is unfinished ' +
        '(current revision cassandra-a, update revision cassandra-b, 1/3 pods updated); new pods would join a ring of mixed versions; ' +
        'wait for kubectl rollout status statefulset/cassandra -n cassandra-prod to finish, or kubectl rollout undo statefulset/cassandra -n cassandra-prod and wait, then scale',
    );
  });

  test('warn mode allows it with the same text as a warning', () => {
    const outcome = handleValidation(scaling({ from: 'cassandra:3.11.16' }), ctx, 'warn');
    expect(outcome.allowed).toBe(true);
    expect(outcome.warnings?.[0]).toMatch(/^statefulset cassandra-prod\/cassandra: replicas 3 -> 5 while the cassandra rollout 3\.11\.16 -> 4\.1\.3 is unfinished/);
  });

  test.each<[string, Parameters<typeof scaling>[0]]>([
    ['the rollout has finished', { from: 'cassandra:3.11.16', status: FINISHED }],
    ['no version rollout (no migrate-from-image)', {}],
    ['migrate-from-image names the running version (a mirror and flavour of it)', { from: 'mirror.example/cassandra:4.1.3-jammy' }],
    ['scale down', { from: 'cassandra:3.11.16', replicas: 2 }],
    ['same replicas', { from: 'cassandra:3.11.16', replicas: 3 }],
    ['a profile without pre-migration (serf)', { from: 'hashicorp/serf:0.10.1', image: 'hashicorp/serf:0.10.2' }],
  ])('allowed when %s', (_name, options) => {
    const outcome = handleValidation(scaling(options), ctx, 'enforce');
    expect(outcome.rules ?? []).not.toContain('scale-during-rollout');
  });

  test('Deployments too', () => {
    const outcome = handleValidation(
      scaling({ from: 'cassandra:3.11.16', kind: 'Deployment', status: { replicas: 3, updatedReplicas: 1, observedGeneration: 2 } }),
      ctx,
      'enforce',
    );
    expect(outcome.rules).toEqual(['scale-during-rollout']);
  });
});
