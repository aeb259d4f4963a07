import type { Container, Volume } from '../src/k8s/types.js';
import { markerDir, premigrateRuntimeEnv } from '../src/premigrate/env.js';
import { readableFormats } from '../src/premigrate/formats.js';
import { parseTagVersion } from '../src/profiles/version.js';

/** What the webhook tells the pre-migration script (issue 11): marker volume, versions, formats. */
const DATA_DIRS = ['/var/lib/cassandra', '/bitnami/cassandra'];
const pvc = (name: string): Volume => ({ name, persistentVolumeClaim: { claimName: `${name}-cassandra-0` } });
const main = (mounts: Container['volumeMounts']): Container => ({ name: 'cassandra', image: 'cassandra:5.0.5', volumeMounts: mounts });

describe('markerDir: the mount path of the persistent volume holding the data', () => {
  test.each([
    ['PVC at the data dir', [{ name: 'data', mountPath: '/var/lib/cassandra' }], [pvc('data')], '/var/lib/cassandra'],
    ['PVC below the data dir (data/ only)', [{ name: 'data', mountPath: '/var/lib/cassandra/data/' }], [pvc('data')], '/var/lib/cassandra/data'],
    [
      'separate data and commitlog PVCs: the data one',
      [
        { name: 'commitlog', mountPath: '/var/lib/cassandra/commitlog' },
        { name: 'data', mountPath: '/var/lib/cassandra/data' },
      ],
      [pvc('commitlog'), pvc('data')],
      '/var/lib/cassandra/data',
    ],
    ['emptyDir only: none', [{ name: 'scratch', mountPath: '/var/lib/cassandra' }], [{ name: 'scratch', emptyDir: {} }], undefined],
    // As persistent as its volume: the one persistence decision (datastore/persistence.ts, issue 24).
    ['subPath mount of a PVC: its mount path', [{ name: 'data', mountPath: '/var/lib/cassandra', subPath: 'c0' }], [pvc('data')], '/var/lib/cassandra'],
    ['Bitnami layout', [{ name: 'data', mountPath: '/bitnami/cassandra' }], [pvc('data')], '/bitnami/cassandra'],
  ])('%s', (_what, mounts, volumes, expected) => {
    expect(markerDir({ main: main(mounts), dataDirs: DATA_DIRS, volumes, persistentVolumeNames: new Set() })).toBe(expected);
  });

  test("a StatefulSet template's volumeClaimTemplates count as persistent", () => {
    const m = main([{ name: 'data', mountPath: '/var/lib/cassandra' }]);
    expect(markerDir({ main: m, dataDirs: DATA_DIRS, volumes: [], persistentVolumeNames: new Set(['data']) })).toBe('/var/lib/cassandra');
  });
});

describe('readableFormats: the SSTable format table', () => {
  test.each([
    ['3.11.10', 'md'],
    ['3.11.11', 'me'],
    ['3.0.24', 'md'],
    ['3.0.25', 'me'],
    ['4.1.5', 'nb'],
    ['5.0.4', 'oa'],
    ['5.1', 'oa'],
  ])('%s reads big up to %s', (version, big) => {
    expect(readableFormats('cassandra', parseTagVersion(version))?.big.newest).toBe(big);
  });

  test('5.0 reads bti; 4.1 does not; 2.0 and ScyllaDB have no row', () => {
    expect(readableFormats('cassandra', parseTagVersion('5.0.2'))?.bti?.newest).toBe('da');
    expect(readableFormats('cassandra', parseTagVersion('4.1.5'))?.bti).toBeUndefined();
    expect(readableFormats('cassandra', parseTagVersion('2.0.17'))).toBeUndefined();
    expect(readableFormats('scylla', parseTagVersion('5.4.0'))).toBeUndefined();
  });
});

test('premigrateRuntimeEnv: versions parsed from the images, formats from the table', () => {
  const env = premigrateRuntimeEnv({
    kind: 'cassandra',
    main: { ...main([{ name: 'data', mountPath: '/var/lib/cassandra' }]), image: 'mirror.example/library/cassandra:5.0.5-jammy' },
    from: 'cassandra:4.1.5',
    dataDirs: DATA_DIRS,
    volumes: [pvc('data')],
    persistentVolumeNames: new Set(),
  });
  expect(env).toEqual([
    { name: 'GOSSIP_SAFE_MARKER_DIR', value: '/var/lib/cassandra' },
    { name: 'GOSSIP_SAFE_SOURCE_VERSION', value: '4.1.5' },
    { name: 'GOSSIP_SAFE_TARGET_VERSION', value: '5.0.5' },
    { name: 'GOSSIP_SAFE_SOURCE_FORMATS', value: 'big:ma..nb' },
    { name: 'GOSSIP_SAFE_TARGET_FORMATS', value: 'big:ma..oa bti:da..da' },
  ]);
});
