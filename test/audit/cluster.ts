import { injectObject } from '../../src/offline/injection.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { loadProfileSet } from '../../src/profiles/config.js';
import type { FakeKubeApi, JsonObject } from '../helpers/fake-kube-api.js';

/** The clock the fixtures' times are relative to (the CLI subprocess runs a few seconds later). */
export const NOW = new Date();
const minutesAgo = (m: number): string => new Date(NOW.getTime() - m * 60_000).toISOString();

function cassandraTemplate(image: string): JsonObject {
  return {
    metadata: { labels: { app: 'cassandra' } },
    spec: {
      containers: [{ name: 'cassandra', image, ports: [{ containerPort: 7000, name: 'intra-node' }] }],
    },
  };
}

/** StatefulSet cassandra, mid-rollout from 4.1.3 to 4.1.4: one of three pods updated. */
export function cassandraStatefulSet(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'cassandra', namespace: 'cassandra-prod', uid: 'sts-uid-1', generation: 4 },
    spec: { serviceName: 'cassandra', replicas: 3, selector: { matchLabels: { app: 'cassandra' } }, template: cassandraTemplate('cassandra:4.1.4') },
    status: { observedGeneration: 4, replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'cassandra-6d9f', updateRevision: 'cassandra-7c4b' },
  };
}

function cassandraPod(name: string, image: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'cassandra-prod',
      uid: `uid-${name}`,
      labels: { app: 'cassandra' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cassandra', uid: 'sts-uid-1', controller: true }],
    },
    spec: cassandraTemplate(image)['spec'],
    status: { phase: 'Running' },
  };
}

/** cassandra-0: created before the namespace opted in, so never injected (no leave hook, grace 30 s). */
export function uninjectedPod(): K8sObject {
  return cassandraPod('cassandra-0', 'cassandra:4.1.3');
}

/**
 * cassandra-2: admitted through the real mutation (pre-migration from 4.1.3), and its
 * gossip-premigrate init container has failed three times and is running again for 25 min.
 */
export function stuckPremigratePod(): K8sObject {
  const pod = cassandraPod('cassandra-2', 'cassandra:4.1.4');
  (pod.metadata as { annotations?: Record<string, string> }).annotations = { 'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16' };
  // Its data on the claim the StatefulSet controller mounts: without a persistent volume there
  // is nothing to pre-migrate, and gossip-safe adds no init container (issue 11).
  const spec = pod['spec'] as { volumes?: unknown[]; containers: { volumeMounts?: unknown[] }[] };
  spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-cassandra-2' } }];
  spec.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/var/lib/cassandra' }];
  const injected = injectObject({ object: pod }, loadProfileSet(undefined)).object;
  const init = ((injected['spec'] as JsonObject)['initContainers'] as JsonObject[] | undefined) ?? [];
  if (!init.some((c) => c['name'] === 'gossip-premigrate')) throw new Error('the mutation added no gossip-premigrate: fixture is wrong');
  return {
    ...injected,
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'gossip-premigrate',
          image: 'cassandra:3.11.16',
          ready: false,
          restartCount: 3,
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: minutesAgo(40), finishedAt: minutesAgo(26) } },
          state: { running: { startedAt: minutesAgo(25) } },
        },
      ],
    },
  };
}

/** cassandra-1: injected by the real mutation, running fine. */
export function healthyInjectedPod(): K8sObject {
  const injected = injectObject({ object: cassandraPod('cassandra-1', 'cassandra:4.1.4') }, loadProfileSet(undefined)).object;
  return { ...injected, status: { phase: 'Running' } };
}

/** Fills the fake API: an opted-in enforce namespace with Cassandra, and a namespace without datastores. */
export function seedCluster(api: FakeKubeApi): void {
  api.put({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'cassandra-prod', labels: { 'kubernetes.io/metadata.name': 'cassandra-prod', 'gossip-safe.io/inject': 'enabled', 'gossip-safe.io/policy': 'enforce' } },
  });
  api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { 'kubernetes.io/metadata.name': 'web' } } });
  api.put(cassandraStatefulSet());
  for (const pod of [uninjectedPod(), healthyInjectedPod(), stuckPremigratePod()]) api.put(pod);
  api.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'web', uid: 'dep-uid-1', generation: 1 },
    spec: { replicas: 1, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1 },
  });
  api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx-1', namespace: 'web', uid: 'uid-nginx-1' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] }, status: { phase: 'Running' } });
}
