import { readFileSync } from 'node:fs';
import { sameVersion } from '../src/datastore/identity.js';
import type { Workload } from '../src/k8s/types.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { validateObject, type ValidationInput } from '../src/validate/index.js';
import { REGISTRY, renderRulesTable } from '../src/validate/registry.js';
import { loadReview } from './helpers/fixtures.js';

const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };
const recorded = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;

function update(oldImage: string, newImage: string): ValidationInput {
  const old = structuredClone(recorded.oldObject) as Workload;
  const now = structuredClone(recorded.object) as Workload;
  old.spec!.template!.spec!.containers[0]!.image = oldImage;
  now.spec!.template!.spec!.containers[0]!.image = newImage;
  return { operation: 'UPDATE', kind: 'StatefulSet', namespace: 'db', name: 'db', object: now, oldObject: old };
}
const denials = (input: ValidationInput) => validateObject(input, ctx).filter((v) => v.severity === 'deny').map((v) => v.rule);

describe('rule registry', () => {
  test('ids are unique and denials are listed before warnings (the report order)', () => {
    const ids = REGISTRY.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const severities = REGISTRY.map((r) => r.severity);
    expect(severities.lastIndexOf('deny')).toBeLessThan(severities.indexOf('warn'));
  });

  test("docs/contract.md's rules table is the registry's (npm run docs:rules writes it)", () => {
    const contract = readFileSync(new URL('../docs/contract.md', import.meta.url), 'utf8');
    expect(contract).toContain(renderRulesTable());
  });

  test('suppressions name registered rules', () => {
    const ids = new Set<string>(REGISTRY.map((r) => r.id));
    for (const r of REGISTRY) for (const s of ('suppressedBy' in r ? r.suppressedBy : undefined) ?? []) expect(ids.has(s)).toBe(true);
  });
});

describe('downgrade rules apply to every profile with versioned images (issue 11 item 9)', () => {
  test.each([
    ['etcd v3.5.9 -> v2.3.8', 'quay.io/coreos/etcd:v3.5.9', 'quay.io/coreos/etcd:v2.3.8'],
    ['consul 1.17.1 -> 0.9.3', 'hashicorp/consul:1.17.1', 'hashicorp/consul:0.9.3'],
    ['elasticsearch 8.11.1 -> 7.17.15', 'docker.elastic.co/elasticsearch/elasticsearch:8.11.1', 'docker.elastic.co/elasticsearch/elasticsearch:7.17.15'],
  ])('%s is denied as major-downgrade', (_name, from, to) => {
    expect(denials(update(from, to))).toEqual(['major-downgrade']);
  });

  test('an etcd rollout in progress denies the next version change', () => {
    const input = update('quay.io/coreos/etcd:v3.4.27', 'quay.io/coreos/etcd:v3.5.9');
    (input.oldObject as Workload).status = { replicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    expect(denials(input)).toEqual(['rollout-in-progress']);
  });

  test('etcd upgrades and unreadable etcd changes stay allowed', () => {
    expect(denials(update('quay.io/coreos/etcd:v3.4.27', 'quay.io/coreos/etcd:v3.5.9'))).toEqual([]);
    const input = update('quay.io/coreos/etcd:latest', 'quay.io/coreos/etcd:v3.5.9');
    (input.oldObject as Workload).status = { replicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    expect(denials(input)).toEqual([]);
  });
});

describe('one version-aware "same version" rule', () => {
  test.each([
    ['cassandra:4.1.3', 'cassandra:4.1.3', true],
    ['cassandra:4.1.3', 'mirror.example:5000/library/cassandra:4.1.3', true],
    ['cassandra:4.1.3', 'bitnami/cassandra:4.1.3', true],
    ['cassandra:4.1.3', 'cassandra:4.1.3-jammy', true],
    ['cassandra:4.1.3', 'cassandra:4.1.3@sha256:0123abcd', true],
    ['cassandra@sha256:0123abcd', 'mirror.example/cassandra@sha256:0123abcd', true],
    ['cassandra:4.1', 'cassandra:4.1.0', true],
    ['cassandra:4.1.3', 'cassandra:4.1.4', false],
    ['cassandra:latest', 'cassandra:4.1.3', false],
    ['cassandra@sha256:aaaa', 'cassandra@sha256:bbbb', false],
  ])('%s vs %s: %s', (a, b, same) => {
    expect(sameVersion(a, b)).toBe(same);
    expect(sameVersion(b, a)).toBe(same);
  });
});
