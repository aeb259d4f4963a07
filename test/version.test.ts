import { compareVersions, imageVersion, versionDifference } from '../src/profiles/version.js';

describe('imageVersion', () => {
  test.each([
    ['cassandra:3.11.16', '3.11.16'],
    ['cassandra:4.1', '4.1'],
    ['cassandra:5.0.2-jammy', '5.0.2'],
    ['quay.io/coreos/etcd:v3.5.9', '3.5.9'],
    ['registry.k8s.io/etcd:3.5.9-0', '3.5.9'],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.11.1-ubi', '8.11.1'],
    ['hashicorp/consul-enterprise:1.17.1-ent', '1.17.1'],
    ['localhost:5000/cassandra:4.1', '4.1'],
    ['cassandra:4.1.3@sha256:0123456789abcdef', '4.1.3'],
    ['localhost:5000/library/cassandra:4.1-jammy@sha256:0123456789abcdef', '4.1'],
    ['docker.io/library/cassandra:3.11.16', '3.11.16'],
    ['bitnami/cassandra:4.1.3-debian-12-r5', '4.1.3'],
    ['k8ssandra/cass-management-api:4.1.3-ubi', '4.1.3'],
    ['scylladb/scylla-enterprise:2024.1.5', '2024.1.5'],
    ['opensearchproject/opensearch:2', '2'],
    ['gcr.io/etcd-development/etcd:v3.5.9-arm64', '3.5.9'],
  ])('%s has version %s', (image, text) => {
    expect(imageVersion(image)?.text).toBe(text);
  });

  test.each([['cassandra'], ['cassandra@sha256:0123456789abcdef'], ['cassandra:latest'], ['localhost:5000/cassandra'], ['serf:stable-2'], ['localhost:5000/cassandra@sha256:0123'], ['cassandra:jammy']])(
    '%s carries no version',
    (image) => {
      expect(imageVersion(image)).toBeUndefined();
    },
  );
});

describe('comparison', () => {
  const v = (s: string) => imageVersion(`x:${s}`)!;
  test.each([
    ['3.11.16', '4.1.3', -1, 'major'],
    ['4.1', '4.1.0', 0, 'none'],
    ['4.1.3', '4.1.10', -1, 'patch'],
    ['4.1', '4.0.9', 1, 'minor'],
    ['5.0.2', '3.11.16', 1, 'major'],
    ['3.11.16', '3.11.16', 0, 'none'],
  ])('%s vs %s', (a, b, cmp, diff) => {
    expect(compareVersions(v(a), v(b))).toBe(cmp);
    expect(versionDifference(v(a), v(b))).toBe(diff);
  });
});
