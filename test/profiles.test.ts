import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { profilesFromConfig, ProfileConfigError } from '../src/profiles/config.js';
import { parseImageRef } from '../src/profiles/image.js';
import { createProfileSet, leaveCommandFor, profileForImage } from '../src/profiles/profile-set.js';

const builtins = createProfileSet(BUILTIN_PROFILES);

describe('parseImageRef', () => {
  test.each([
    ['cassandra:3.11.16', { path: 'cassandra', tag: '3.11.16' }],
    ['docker.io/library/cassandra:4.1', { path: 'cassandra', tag: '4.1' }],
    ['localhost:5000/cassandra:4.1', { registry: 'localhost:5000', path: 'cassandra', tag: '4.1' }],
    ['quay.io/coreos/etcd:v3.5.9', { registry: 'quay.io', path: 'coreos/etcd', tag: 'v3.5.9' }],
    ['cassandra@sha256:abc', { path: 'cassandra', digest: 'sha256:abc' }],
    ['cassandra:4.1@sha256:abc', { path: 'cassandra', tag: '4.1', digest: 'sha256:abc' }],
    ['registry:5000/team/app', { registry: 'registry:5000', path: 'team/app' }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });
});

describe('profile detection by image', () => {
  test.each([
    ['cassandra:3.11.16', 'cassandra'],
    ['bitnami/cassandra:4.1.3', 'cassandra'],
    ['bitnamilegacy/cassandra:4.0', 'cassandra'],
    ['k8ssandra/cass-management-api:4.1.3', 'cassandra'],
    ['123456.dkr.ecr.eu-west-1.amazonaws.com/mirror/cassandra:4.1', 'cassandra'],
    ['scylladb/scylla:5.4', 'scylla'],
    ['scylladb/scylla-enterprise:2024.1', 'scylla'],
    ['hashicorp/consul:1.17.1', 'consul'],
    ['hashicorp/consul-enterprise:1.17.1-ent', 'consul'],
    ['consul:1.15', 'consul'],
    ['hashicorp/serf:0.10.1', 'serf'],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.11.1', 'elasticsearch'],
    ['opensearchproject/opensearch:2.11.0', 'elasticsearch'],
    ['registry.k8s.io/etcd:3.5.9-0', 'etcd'],
    ['bitnami/etcd:3.5', 'etcd'],
  ])('%s is %s', (image, profile) => {
    expect(profileForImage(builtins, image)?.name).toBe(profile);
  });

  test.each([['nginx:1.25'], ['cassandra-exporter:1.0'], ['mycorp/cassandra-reaper:3.0'], ['hashicorp/consul-k8s-control-plane:1.3'], ['prom/consul-exporter']])(
    '%s is no datastore',
    (image) => {
      expect(profileForImage(builtins, image)).toBeUndefined();
    },
  );

  test('k8ssandra images drain through the management API; others with nodetool', () => {
    const cassandra = builtins.byName.get('cassandra')!;
    expect(leaveCommandFor(builtins, cassandra, 'k8ssandra/cass-management-api:4.1.3')?.join(' ')).toMatch(/api\/v0\/ops\/node\/drain/);
    expect(leaveCommandFor(builtins, cassandra, 'cassandra:4.1.3')).toEqual(['nodetool', 'drain']);
    expect(leaveCommandFor(builtins, builtins.byName.get('etcd')!, 'registry.k8s.io/etcd:3.5.9-0')).toBeUndefined();
  });
});

describe('profiles config', () => {
  const load = (doc: unknown) => createProfileSet(profilesFromConfig(doc, 'profiles.yaml'));

  test('extends a built-in profile with extra images, keeping its other fields', () => {
    const set = load({ profiles: { serf: { extraImages: ['mycorp/chat-*'] } } });
    expect(profileForImage(set, 'mycorp/chat-server:2.0')?.name).toBe('serf');
    expect(profileForImage(set, 'hashicorp/serf:0.10.1')?.name).toBe('serf');
    expect(set.byName.get('serf')?.minGraceSeconds).toBe(20);
  });

  test('adds a new profile, matched before the built-ins', () => {
    const set = load({
      profiles: {
        mygossip: { images: ['hashicorp/serf'], nodeNameMode: 'always', leave: [{ command: ['mygossip', 'leave'] }], minGraceSeconds: 15, premigration: 'not-applicable', dataDirs: [] },
      },
    });
    expect(profileForImage(set, 'hashicorp/serf:0.10.1')?.name).toBe('mygossip');
  });

  test('an empty document means the built-ins', () => {
    expect(load(null).list.map((p) => p.name)).toEqual(BUILTIN_PROFILES.map((p) => p.name));
  });

  test.each([
    [{ profiles: { serf: { minGraceSeconds: -1 } } }, 'profiles.serf.minGraceSeconds: must be a whole number of seconds from 0 to 86400, got -1'],
    [{ profiles: { serf: { nodeNameMode: 'sometimes' } } }, 'profiles.serf.nodeNameMode: must be one of always, never, unless-persistent-data, got "sometimes"'],
    [{ profiles: { serf: { imagez: ['x'] } } }, 'profiles.serf.imagez: unknown field'],
    [{ profiles: { newdb: { images: ['x'] } } }, 'profiles.newdb.nodeNameMode: is required for a new profile'],
    [{ profiles: { serf: { leave: [{ command: [] }] } } }, 'profiles.serf.leave[0].command: must not be empty'],
    [{ profiles: { serf: { dataDirs: ['relative'] } } }, 'profiles.serf.dataDirs[0]: must be an absolute path'],
    [{ profiles: { Bad_Name: {} } }, 'profiles.Bad_Name: a profile name must be'],
    [{ profile: {} }, 'profile: unknown field (expected profiles)'],
    [['a list'], '(top level): must be a mapping'],
  ])('rejects %j naming the field', (doc, message) => {
    expect(() => load(doc)).toThrow(ProfileConfigError);
    expect(() => load(doc)).toThrow(`profiles.yaml: ${message}`);
  });
});
