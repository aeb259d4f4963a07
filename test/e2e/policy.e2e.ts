import { Cluster } from './harness/cluster.js';
import { cassandraStatefulSet } from './harness/objects.js';
import { waitFor } from './harness/procs.js';

// README install step 6 through kubectl: warn and enforce give the same verdict and text, for
// `kubectl apply` and `kubectl apply --dry-run=server` alike, and a server dry-run writes nothing.
const c = new Cluster();
afterAll(() => c.cleanup());

interface StsJson {
  metadata: { generation: number; resourceVersion: string };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status?: { observedGeneration?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string };
}

/** A namespace with the policy label and a settled Cassandra 3.11.16 StatefulSet in it. */
async function withStatefulSet(policy: 'warn' | 'enforce'): Promise<{ ns: string; before: StsJson }> {
  const ns = await c.namespace(policy);
  await c.ok(['label', 'namespace', ns, `gossip-safe.io/policy=${policy}`]);
  await c.ok(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:3.11.16'));
  // Settled: the controller observed it and its one (Pending) pod is at the current revision,
  // so the change below is not judged as a change during an unfinished rollout.
  const before = await waitFor(`statefulset ${ns}/cassandra settled`, async () => {
    const s = await c.get<StsJson>('statefulset', 'cassandra', ns);
    const st = s.status;
    return st?.observedGeneration === s.metadata.generation && st.updatedReplicas === s.spec.replicas && st.currentRevision === st.updateRevision ? s : undefined;
  }, 60_000);
  return { ns, before };
}

const message = (ns: string): string =>
  `statefulset ${ns}/cassandra: container "cassandra" changes cassandra 3.11.16 -> 4.1.3 without an IP-migration step; label namespace ${ns} gossip-safe.io/inject=enabled, or set spec.template.metadata.annotations["gossip-safe.io/migrate-from-image"]="cassandra:3.11.16"`;

const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('Warning: '));

test('warn: kubectl apply prints the Warning: line and applies; --dry-run=server prints the same and writes nothing', async () => {
  const { ns, before } = await withStatefulSet('warn');
  const upgrade = cassandraStatefulSet('cassandra:4.1.3');

  const dry = await c.kubectl(['-n', ns, 'apply', '--dry-run=server', '-f', '-'], upgrade);
  expect(dry.code).toBe(0);
  expect(warnings(dry.stderr)).toEqual([`Warning: ${message(ns)}`]);
  expect(dry.stdout).toBe('statefulset.apps/cassandra configured (server dry run)\n');
  const untouched = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(untouched.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  expect(untouched.spec.template.spec.containers[0]?.image).toBe('cassandra:3.11.16');

  const real = await c.kubectl(['-n', ns, 'apply', '-f', '-'], upgrade);
  expect(real.code).toBe(0);
  expect(warnings(real.stderr)).toEqual(warnings(dry.stderr));
  expect((await c.get<StsJson>('statefulset', 'cassandra', ns)).spec.template.spec.containers[0]?.image).toBe('cassandra:4.1.3');
});

test('enforce: the same change is refused with the same text, by kubectl apply and by --dry-run=server alike', async () => {
  const { ns, before } = await withStatefulSet('enforce');
  const upgrade = cassandraStatefulSet('cassandra:4.1.3');
  const denial = `admission webhook "enforce.gossip-safe.io" denied the request: ${message(ns)}`;

  const dry = await c.kubectl(['-n', ns, 'apply', '--dry-run=server', '-f', '-'], upgrade);
  const real = await c.kubectl(['-n', ns, 'apply', '-f', '-'], upgrade);
  for (const run of [dry, real]) {
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(denial);
    expect(warnings(run.stderr)).toEqual([]);
  }
  const after = await c.get<StsJson>('statefulset', 'cassandra', ns);
  expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  expect(after.spec.template.spec.containers[0]?.image).toBe('cassandra:3.11.16');

  // With the migration step named, as the message says, the same change goes through.
  const fixed = await c.kubectl(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.3', { 'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16' }));
  expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: '' });
});
