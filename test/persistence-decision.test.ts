import type { Container, Pod, Volume } from '../src/k8s/types.js';
import { premigrationPlan } from '../src/datastore/premigration.js';
import { wantsPerPodNodeName } from '../src/datastore/persistence.js';
import { mutatePod } from '../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { validateObject } from '../src/validate/index.js';

/**
 * One persistence decision (issue 24): a volume outlives the pod when it is a PVC, a
 * StatefulSet claim template or a hostPath, whether mounted whole or through a subPath; the
 * node-name decision and the pre-migration decision both ask it.
 */
const profiles = createProfileSet(BUILTIN_PROFILES);
const consul = profiles.byName.get('consul')!;
const cassandra = profiles.byName.get('cassandra')!;

function consulPod(volume: Volume, subPath?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'consul-client-x', namespace: 'consul' },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'consul', image: 'hashicorp/consul:1.20.6', args: ['agent', '-data-dir=/consul/data'], volumeMounts: [{ name: 'data', mountPath: '/consul/data', ...(subPath === undefined ? {} : { subPath }) }] }],
      volumes: [volume],
    },
  };
}
const envNames = (p: Pod): string[] => (p.spec?.containers[0]?.env ?? []).map((e) => e.name);

describe('Consul client with its data dir on the host (hostPath at /consul/data)', () => {
  const pod = consulPod({ name: 'data', hostPath: { path: '/var/lib/consul', type: 'DirectoryOrCreate' } });

  test('keeps its name: its node ID persists on the host, so no GOSSIP_NODE_NAME=$(POD_UID)', () => {
    expect(wantsPerPodNodeName(consul, pod.spec!, pod.spec!.containers[0]!, new Set())).toBe(false);
    const mutated = mutatePod(pod, { profiles }).object;
    expect(envNames(mutated)).not.toContain('GOSSIP_NODE_NAME');
  });

  test('is not told to take a per-incarnation name', () => {
    const found = validateObject({ operation: 'CREATE', kind: 'Pod', namespace: 'consul', object: pod }, { profiles }).map((v) => v.rule);
    expect(found).not.toContain('no-per-pod-node-name');
  });
});

test('a Consul data dir on a PVC through a subPath persists too: no per-incarnation name', () => {
  const pod = consulPod({ name: 'data', persistentVolumeClaim: { claimName: 'consul-data' } }, 'consul');
  expect(envNames(mutatePod(pod, { profiles }).object)).not.toContain('GOSSIP_NODE_NAME');
});

test('an emptyDir at /consul/data does not persist: the client gets a per-incarnation name', () => {
  const pod = consulPod({ name: 'data', emptyDir: {} });
  expect(envNames(mutatePod(pod, { profiles }).object)).toContain('GOSSIP_NODE_NAME');
});

test('pre-migration counts a subPath mount of a PVC as the data\'s volume, as naming does', () => {
  const container: Container = { name: 'cassandra', image: 'cassandra:4.1.5', volumeMounts: [{ name: 'data', mountPath: '/var/lib/cassandra', subPath: 'cassandra' }] };
  const plan = premigrationPlan({
    template: { metadata: {}, spec: { containers: [container], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'cassandra-data' } }] } },
    container,
    profile: cassandra,
    profiles,
    persistentVolumeNames: new Set(),
    from: 'cassandra:3.11.16',
  });
  expect(plan).toMatchObject({ inject: true });
});
