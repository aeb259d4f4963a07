import type { AdmissionRequest } from '../src/admission/types.js';
import type { K8sObject } from '../src/offline/manifests.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { profilesFromConfig } from '../src/profiles/config.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { createEndpoints } from '../src/webhook/endpoints.js';
import { datastoreStatefulSet } from './helpers/both-paths.js';

/**
 * Operators first (issue 24): workloads of an operator that manages upgrades itself are left
 * alone by default, with a warning; a profile opts them back in. Jobs' pods and Helm hooks
 * that run a datastore image are left alone silently.
 */
const builtin = createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) });
const handle = (path: string, request: AdmissionRequest, endpoints = builtin) => endpoints.find((e) => e.path === path)!.handle(request);

function stsUpdate(oldImage: string, newImage: string, meta: { labels?: Record<string, string>; ownerReferences?: unknown[] }): AdmissionRequest {
  const edit = (o: K8sObject): K8sObject => {
    const w = o as { metadata: Record<string, unknown>; spec: { template: { metadata: { labels: Record<string, string> } } } };
    if (meta.ownerReferences !== undefined) w.metadata['ownerReferences'] = meta.ownerReferences;
    if (meta.labels !== undefined) {
      w.metadata['labels'] = meta.labels;
      Object.assign(w.spec.template.metadata.labels, meta.labels);
    }
    return o;
  };
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
    resource: { group: 'apps', version: 'v1', resource: 'statefulsets' },
    name: 'db',
    namespace: 'data',
    operation: 'UPDATE',
    object: edit(datastoreStatefulSet(newImage, '/var/lib/cassandra')),
    oldObject: edit(datastoreStatefulSet(oldImage, '/var/lib/cassandra')),
  };
}

function podCreate(image: string, metadata: Record<string, unknown>): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'data',
    operation: 'CREATE',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'data', ...metadata },
      spec: { containers: [{ name: 'db', image, volumeMounts: [{ name: 'data', mountPath: '/var/lib/cassandra' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'd' } }] },
    },
  };
}

const CASS_DC = [{ apiVersion: 'cassandra.datastax.com/v1beta1', kind: 'CassandraDatacenter', name: 'dc1', uid: 'x', controller: true }];

describe('an operator-owned StatefulSet is left alone, with a warning', () => {
  test.each<[string, string, string, { labels?: Record<string, string>; ownerReferences?: unknown[] }, string]>([
    ['cass-operator (ownerReference)', 'cassandra:3.11.16', 'cassandra:4.0.13', { ownerReferences: CASS_DC }, 'cass-operator'],
    ['scylla-operator (label)', 'scylladb/scylla:5.2.19', 'scylladb/scylla:5.4.9', { labels: { 'scylla/cluster': 'basic' } }, 'scylla-operator'],
    ['ECK (ownerReference)', 'docker.elastic.co/elasticsearch/elasticsearch:8.14.3', 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3', { ownerReferences: [{ apiVersion: 'elasticsearch.k8s.elastic.co/v1', kind: 'Elasticsearch', name: 'es', uid: 'y' }] }, 'ECK'],
    ['consul-k8s (chart label)', 'hashicorp/consul:1.19.2', 'hashicorp/consul:1.20.6', { labels: { chart: 'consul-helm', component: 'server' } }, 'consul-k8s'],
  ])('%s: no template annotation, nothing denied, a warning names the operator', (_name, from, to, meta, operator) => {
    const request = stsUpdate(from, to, meta);
    const mutated = handle('/mutate', request);
    expect(mutated.patch ?? []).toEqual([]);
    // The mutation says so where it would have acted (pre-migration required); validation always.
    if (!operator.startsWith('ECK') && operator !== 'consul-k8s') expect(mutated.warnings?.join('\n')).toContain(`left alone: ${operator}`);
    const validated = handle('/validate/enforce', request);
    expect(validated.allowed).toBe(true);
    expect(validated.violations?.map((v) => v.rule)).toEqual(['operator-managed']);
    expect(validated.warnings?.join('\n')).toContain(`left alone: ${operator}`);
  });

  test('a cass-operator pod (labelled) gets no init container nor hooks', () => {
    const out = handle('/mutate', podCreate('cassandra:4.0.13', { labels: { 'cassandra.datastax.com/datacenter': 'dc1' }, annotations: { 'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16' } }));
    expect(out.patch ?? []).toEqual([]);
    expect(out.warnings?.join('\n')).toContain('left alone: cass-operator');
  });

  test('operatorManaged: inject opts the profile back in', () => {
    const endpoints = createEndpoints({ profiles: createProfileSet(profilesFromConfig({ profiles: { cassandra: { operatorManaged: 'inject' } } }, 'profiles.yaml')) });
    const request = stsUpdate('cassandra:3.11.16', 'cassandra:4.0.13', { ownerReferences: CASS_DC });
    expect(JSON.stringify(handle('/mutate', request, endpoints).patch)).toContain('"gossip-safe.io/migrate-from-image":"cassandra:3.11.16"');
    // Judged like any workload: this request has no migration step yet (the mutation adds it).
    expect(handle('/validate/enforce', request, endpoints).violations?.map((v) => v.rule)).toContain('version-change-without-migration');
  });
});

describe('Jobs, CronJobs and Helm hooks that use a datastore image are left alone silently', () => {
  test.each<[string, Record<string, unknown>]>([
    ['a Job\'s pod', { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'schema', uid: 'j' }] }],
    ['a helm test pod', { annotations: { 'helm.sh/hook': 'test' } }],
  ])('%s: no patch, no warning, no finding', (_name, metadata) => {
    const request = podCreate('cassandra:4.1.5', metadata);
    const mutated = handle('/mutate', request);
    expect(mutated.patch ?? []).toEqual([]);
    expect(mutated.warnings ?? []).toEqual([]);
    expect(handle('/validate/enforce', request).violations ?? []).toEqual([]);
  });
});
