import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateCa, generateServingCert } from '../../src/tls/dev-certs.js';
import { Cluster, injectionStatus, type PodJson } from './harness/cluster.js';
import { podYaml } from './harness/objects.js';

// A second mutating webhook registered like a mesh injector (adds a sidecar container,
// reinvocationPolicy IfNeeded) runs after gossip-safe; the apiserver then reinvokes gossip-safe,
// which must leave the pod as it is: exactly one injection.
const c = new Cluster();
const CONFIG = 'zz-e2e-mesh-injector';
let server: Server | undefined;
const meshCalls: string[] = [];

afterAll(async () => {
  await c.kubectl(['delete', 'mutatingwebhookconfiguration', CONFIG, '--ignore-not-found']);
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  await c.cleanup();
});

interface Review {
  request: { uid: string; name?: string; object: { spec: { containers: { name: string }[] } } };
}

/** The test injector: adds container `mesh-proxy` unless the pod has it. */
async function startMeshInjector(): Promise<{ url: string; caBundle: string }> {
  const ca = await generateCa('e2e mesh injector CA', 1);
  const tls = await generateServingCert(ca, [], ['127.0.0.1'], 1);
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (ch: Buffer) => chunks.push(ch));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      const has = review.request.object.spec.containers.some((x) => x.name === 'mesh-proxy');
      meshCalls.push(has ? 'unchanged' : 'patched');
      const patch = has ? undefined : [{ op: 'add', path: '/spec/containers/-', value: { name: 'mesh-proxy', image: 'example.com/mesh/proxy:1.0' } }];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request.uid, allowed: true, ...(patch === undefined ? {} : { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }) },
      }));
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/inject`, caBundle: Buffer.from(ca.cert).toString('base64') };
}

test('a sidecar injector with reinvocationPolicy IfNeeded after gossip-safe: gossip-safe is reinvoked and the pod ends with exactly one injection', async () => {
  const ns = await c.namespace('mesh', { 'gossip-safe.io/inject': 'enabled', 'e2e.gossip-safe.io/mesh': 'enabled' });
  const mesh = await startMeshInjector();
  await c.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: CONFIG },
    webhooks: [{
      name: 'inject.mesh.e2e.gossip-safe.io',
      clientConfig: { url: mesh.url, caBundle: mesh.caBundle },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: { matchLabels: { 'e2e.gossip-safe.io/mesh': 'enabled' } },
      failurePolicy: 'Fail',
      sideEffects: 'None',
      reinvocationPolicy: 'IfNeeded',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: 5,
    }],
  }));

  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml({ name: 'db', image: 'cassandra:4.1.5' }));
  const pod = await c.get<PodJson>('pod', 'db', ns);

  expect(pod.spec.containers.map((x) => x.name)).toEqual(['main', 'mesh-proxy']);
  const env = pod.spec.containers[0]?.env?.map((e) => e.name) ?? [];
  expect(env).toEqual(['POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP']);
  expect(injectionStatus(pod)).toMatchObject({ profile: 'cassandra', container: 'main' });
  expect(pod.spec.containers[1]?.env).toBeUndefined();
  // gossip-safe ran first (configurations run in name order), then the injector, then
  // gossip-safe again because the injector changed the pod after it; the second call patched nothing.
  expect(c.admissions().filter((l) => l.namespace === ns && l.name === 'db').map((l) => `${l.webhook}:${l.decision}`)).toEqual(['mutate:patched', 'mutate:allowed']);
  // The injector added its sidecar once; if the apiserver asks it again, it has nothing to add.
  expect(meshCalls[0]).toBe('patched');
  expect(meshCalls.slice(1).filter((x) => x !== 'unchanged')).toEqual([]);
});
