import { Cluster, injectionStatus } from './harness/cluster.js';
import { cassandraStatefulSet } from './harness/objects.js';
import { waitFor } from './harness/procs.js';
import { cassandraPod, newUpdateRevision, type OwnedPod, type StsJson } from './harness/statefulset.js';

// README "Rollback" (issue 11): `kubectl set image` records migrate-from-image on the template;
// `kubectl rollout undo` before the rollout finished goes back to the version it names, so the
// mutating webhook removes the annotation and the template equals the first revision again.
// The StatefulSet controller then has nothing to roll: no third revision, and the pod that never
// left the first revision is not restarted.
const c = new Cluster();
afterAll(() => c.cleanup());

interface ControllerRevision {
  metadata: { name: string };
  revision: number;
}

test('kubectl rollout undo of an unfinished Cassandra upgrade: no migrate-from-image, back to the first revision, old pods left alone', async () => {
  const ns = await c.namespace('undo', { 'gossip-safe.io/inject': 'enabled' });
  await c.ok(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.5'));
  const first = await cassandraPod(c, ns);
  expect(injectionStatus(first)).toMatchObject({ profile: 'cassandra' });
  const firstRevision = first.metadata.labels?.['controller-revision-hash'];
  expect(firstRevision).toMatch(/^cassandra-/);

  await c.ok(['-n', ns, 'set', 'image', 'statefulset/cassandra', 'cassandra=cassandra:5.0.2']);
  const upgraded = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(upgraded.spec.template.metadata.annotations).toEqual({ 'gossip-safe.io/migrate-from-image': 'cassandra:4.1.5' });
  const secondRevision = await newUpdateRevision(c, ns);
  expect(secondRevision).not.toBe(firstRevision);

  // No kubelet: cassandra-0 stays Pending at the first revision, so the rollout is unfinished.
  const undo = await c.kubectl(['-n', ns, 'rollout', 'undo', 'statefulset/cassandra']);
  expect({ code: undo.code, stdout: undo.stdout.trim() }).toEqual({ code: 0, stdout: 'statefulset.apps/cassandra rolled back' });

  const back = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(back.spec.template.spec.containers[0]?.image).toBe('cassandra:4.1.5');
  expect(back.spec.template.metadata.annotations?.['gossip-safe.io/migrate-from-image']).toBeUndefined();
  const settled = await waitFor('the controller to observe the rollback', async () => {
    const s = await c.get<StsJson>('statefulset', 'cassandra', ns);
    return s.status?.observedGeneration === s.metadata.generation ? s.status : undefined;
  }, 60_000);
  expect({ update: settled.updateRevision, current: settled.currentRevision }).toEqual({ update: firstRevision, current: firstRevision });

  const revisions = JSON.parse(await c.ok(['-n', ns, 'get', 'controllerrevisions', '-o', 'json'])) as { items: ControllerRevision[] };
  expect(revisions.items.map((r) => r.metadata.name).sort()).toEqual([firstRevision, secondRevision].sort());

  // The pod of the first revision is the same pod, and the controller has no reason to replace it.
  const still = await c.get<OwnedPod>('pod', 'cassandra-0', ns);
  expect({ uid: still.metadata.uid, revision: still.metadata.labels?.['controller-revision-hash'], deleting: still.metadata.deletionTimestamp })
    .toEqual({ uid: first.metadata.uid, revision: settled.updateRevision, deleting: undefined });
});
