import { PROJECT_DIR } from '../helpers/fixtures.js';
import { join } from 'node:path';
import { Cluster, injectionStatus, type PodJson } from './harness/cluster.js';
import { podYaml } from './harness/objects.js';
import { waitFor } from './harness/procs.js';

// README install step 7, last of the suite: after `kubectl delete -k manifests/` the apiserver
// calls gossip-safe no more, even in namespaces still labelled for enforce.
const c = new Cluster();
afterAll(() => c.cleanup());

test('uninstall: the labelled namespaces are listed and unlabelled, delete -k removes both configurations and the RBAC', async () => {
  const enforce = await c.namespace('bye', { 'gossip-safe.io/inject': 'enabled', 'gossip-safe.io/policy': 'enforce' });
  const listed = await c.ok(['get', 'namespaces', '-l', 'gossip-safe.io/inject', '-L', 'gossip-safe.io/inject,gossip-safe.io/policy']);
  expect(listed).toMatch(new RegExp(`^${enforce}\\s+Active\\s+\\S+\\s+enabled\\s+enforce$`, 'm'));

  const deleted = await c.kubectl(['delete', '-k', join(PROJECT_DIR, 'manifests'), '--wait=false']);
  expect(deleted.code).toBe(0);
  expect(deleted.stdout).toContain('mutatingwebhookconfiguration.admissionregistration.k8s.io "gossip-safe" deleted');
  expect(deleted.stdout).toContain('validatingwebhookconfiguration.admissionregistration.k8s.io "gossip-safe" deleted');
  expect(deleted.stdout).toContain('clusterrole.rbac.authorization.k8s.io "gossip-safe-webhook-ca" deleted');

  // The webhook process still runs, but is no longer asked. This pod would be changed by the
  // mutating webhook (gossip-premigrate added) or, without that, refused by enforce
  // (migrate-from-without-init-container); once the apiserver has dropped both configurations
  // (its informers take a moment), a server dry-run shows neither.
  const pod = podYaml({ name: 'db', image: 'cassandra:5.0.2', annotations: { 'gossip-safe.io/migrate-from-image': 'cassandra:4.1.5' } });
  const untouched = (p: PodJson): boolean => injectionStatus(p) === undefined && p.spec.initContainers === undefined;
  await waitFor('the apiserver to stop calling the webhooks', async () => {
    const dry = await c.kubectl(['-n', enforce, 'create', '--dry-run=server', '-o', 'json', '-f', '-'], pod);
    return dry.code === 0 && untouched(JSON.parse(dry.stdout) as PodJson) ? true : undefined;
  }, 20_000);
  const calls = c.admissions().length;
  const created = await c.kubectl(['-n', enforce, 'create', '-f', '-'], pod);
  expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
  expect(untouched(await c.get<PodJson>('pod', 'db', enforce))).toBe(true);
  expect(c.admissions().length).toBe(calls);

  await c.ok(['label', 'namespace', enforce, 'gossip-safe.io/inject-', 'gossip-safe.io/policy-']);
  expect(await c.ok(['get', 'namespaces', '-l', `gossip-safe.io/inject,kubernetes.io/metadata.name=${enforce}`, '-o', 'name'])).toBe('');
});
