import { Cluster, injectionStatus } from './harness/cluster.js';
import { cassandraStatefulSet } from './harness/objects.js';
import { cassandraPod, newUpdateRevision, type OwnedPod, type StsJson } from './harness/statefulset.js';

// README install steps 3 to 5 on a StatefulSet: the controller creates the pods (the webhook
// sees the controller's own requests), `kubectl set image` records the migration on the
// template, and the new revision's pod gets gossip-premigrate.
const c = new Cluster();
afterAll(() => c.cleanup());

const pod = (ns: string, uid?: string): Promise<OwnedPod> => cassandraPod(c, ns, uid);

test('a Cassandra StatefulSet: controller-created pods injected, set image records migrate-from-image, the new revision gets gossip-premigrate', async () => {
  const ns = await c.namespace('shop');
  await c.ok(['label', 'namespace', ns, 'gossip-safe.io/inject=enabled']); // step 3
  await c.ok(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.5')); // step 4

  const first = await pod(ns);
  expect(first.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual(['StatefulSet/cassandra']);
  expect(injectionStatus(first)).toMatchObject({ profile: 'cassandra', container: 'cassandra' });
  const main = first.spec.containers[0];
  expect(main?.lifecycle?.preStop?.exec?.command.join(' ')).toContain('nodetool drain');
  expect(first.spec.terminationGracePeriodSeconds).toBe(120);
  expect(first.spec.initContainers).toBeUndefined();
  expect(c.admissions().filter((l) => l.namespace === ns && l.kind === 'Pod').map((l) => `${l.operation} ${l.name} ${l.decision}`)).toEqual(['CREATE cassandra-0 patched']);

  // Step 5: change the version as usual.
  await c.ok(['-n', ns, 'set', 'image', 'statefulset/cassandra', 'cassandra=cassandra:5.0.2']);
  const sts = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(sts.spec.template.metadata.annotations).toEqual({ 'gossip-safe.io/migrate-from-image': 'cassandra:4.1.5' });
  expect(sts.spec.template.spec.containers[0]?.image).toBe('cassandra:5.0.2');

  // No kubelet: cassandra-0 stays Pending, so the OrderedReady rollout waits for it. Deleting it
  // is what the controller does next on a real cluster; the controller recreates it at the
  // update revision.
  const updateRevision = await newUpdateRevision(c, ns);
  await c.ok(['-n', ns, 'delete', 'pod', 'cassandra-0', '--wait=false']);
  const second = await pod(ns, first.metadata.uid);
  expect(second.metadata.labels?.['controller-revision-hash']).toBe(updateRevision);
  expect(second.metadata.annotations?.['gossip-safe.io/migrate-from-image']).toBe('cassandra:4.1.5');
  expect(second.spec.initContainers?.map((i) => `${i.name}=${i.image}`)).toEqual(['gossip-premigrate=cassandra:4.1.5']);
  const premigrateEnv = Object.fromEntries((second.spec.initContainers?.[0]?.env ?? []).map((e) => [e.name, (e as { value?: string }).value]));
  expect(premigrateEnv).toMatchObject({ GOSSIP_SAFE_TARGET_IMAGE: 'cassandra:5.0.2', GOSSIP_SAFE_SOURCE_IMAGE: 'cassandra:4.1.5' });
  expect(second.spec.containers[0]?.image).toBe('cassandra:5.0.2');

  // A GitOps re-apply of the manifest (new version, never had the annotation) keeps it, so the
  // template does not change and nothing restarts.
  const applied = await c.kubectl(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:5.0.2'));
  expect(applied.code).toBe(0);
  const after = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(after.spec.template.metadata.annotations).toEqual({ 'gossip-safe.io/migrate-from-image': 'cassandra:4.1.5' });
  expect(after.metadata.generation).toBe(sts.metadata.generation);
});
